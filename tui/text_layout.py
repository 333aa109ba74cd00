"""Wrapping paragraph text into screen lines, lazily, as code point ranges.

A line is `(start, end)`: the code points `text[start:end]` of the paragraph.
Consecutive lines cover the text without gaps except the hard newlines between
them, so a screen cell maps back to an exact offset (for selection and mouse).
Wrapping is incremental: a 1 MB paragraph is wrapped only as far as it is shown.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from rich.cells import cell_len

_WORD = re.compile(r"[^\s]+\s*|\s+")
_CHUNK = 4096  # characters scanned at a time when wrapping lazily


def display_text(text: str) -> str:
    """Text as drawn: one cell-preserving character per code point (a tab is drawn as a space)."""
    return text.replace("\t", " ")


class WrappedText:
    """The line ranges of one paragraph at one width, computed on demand."""

    __slots__ = ("text", "width", "lines", "_pos", "done")

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.lines: list[tuple[int, int]] = []
        self._pos = 0
        self.done = not text
        if not text:
            self.lines.append((0, 0))

    def ensure(self, count: int) -> int:
        """Wrap until at least `count` lines exist (or the text ends); return how many exist."""
        while not self.done and len(self.lines) < count:
            self._wrap_line()
        return len(self.lines)

    def all(self) -> list[tuple[int, int]]:
        while not self.done:
            self._wrap_line()
        return self.lines

    def line_of(self, offset: int) -> int:
        """The index of the line that holds `offset` (wrapping as far as needed)."""
        while not self.done and self.lines[-1:] and self.lines[-1][1] < offset:
            self.ensure(len(self.lines) + 64)
        self.ensure(1)
        return max(0, bisect_right(self.lines, (offset, float("inf"))) - 1)

    def _wrap_line(self) -> None:
        text, width, pos = self.text, self.width, self._pos
        newline = text.find("\n", pos, pos + _CHUNK * 4)
        limit = newline if newline != -1 else min(len(text), pos + _CHUNK * 4)
        # Fast path: the rest of the hard line fits.
        if limit - pos <= width and (newline != -1 or limit == len(text)):
            segment = text[pos:limit]
            if segment.isascii() or cell_len(segment) <= width:
                self._emit(pos, limit, newline)
                return
        cells = 0
        end = pos
        for match in _WORD.finditer(text, pos, limit):
            word = match.group()
            word_cells = len(word) if word.isascii() else cell_len(word)
            stripped = word.rstrip()
            stripped_cells = len(stripped) if stripped.isascii() else cell_len(stripped)
            if cells + stripped_cells <= width:
                cells += word_cells
                end = match.end()
                continue
            if end == pos:  # one word longer than the line: break it by characters
                end = _fit_characters(text, pos, match.end(), width)
            self._emit(pos, end, None)
            return
        end = limit
        if newline == -1 and limit < len(text):  # chunk ended mid-line without overflowing
            end = limit
            self._emit(pos, end, None)
            return
        self._emit(pos, end, newline)

    def _emit(self, start: int, end: int, newline: int | None) -> None:
        self.lines.append((start, end))
        if newline is not None and end == newline:
            self._pos = end + 1
            if self._pos >= len(self.text):
                self.done = True
                if self._pos == len(self.text) and self.text.endswith("\n"):
                    self.lines.append((self._pos, self._pos))
        else:
            self._pos = end
            if end >= len(self.text):
                self.done = True


def _fit_characters(text: str, start: int, stop: int, width: int) -> int:
    cells = 0
    for index in range(start, stop):
        char_cells = cell_len(text[index])
        if cells + char_cells > width and index > start:
            return index
        cells += char_cells
    return stop
