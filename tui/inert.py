"""The last guard between text and the terminal: no widget ever draws a control character.

Untrusted text is cleaned where it enters the store (store/text.py), so a
report's ESC is stored, and drawn, as "␛". This line filter catches what did not
come through that door: a database file edited by hand or by another program on
a shared server, an exception message, a library's own text. It applies to every
line every widget draws (Textual runs the app's line filters on all of them).

Control characters occupy no cell (Rich measures them as width 0), so dropping
them moves nothing on screen; a lone surrogate occupies one, so it becomes one
U+FFFD. Whole-screen cost: one regular-expression search per segment.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _inert(match: re.Match[str]) -> str:
    return "\ufffd" if match.group() >= "\ud800" else ""


class InertText(LineFilter):
    """Drops C0/C1 control characters (and replaces lone surrogates) in everything drawn."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(_UNSAFE.search(segment.text) for segment in segments):
            return segments
        return [
            segment if segment.control else Segment(_UNSAFE.sub(_inert, segment.text), segment.style)
            for segment in segments
        ]
