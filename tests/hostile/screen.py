"""What a headless app shows, line by line: read from Textual's own screenshot of the whole screen."""

from __future__ import annotations

import html
import re

from textual.app import App

# One run of same-styled text in Rich's SVG export: <text … x="…" … clip-path="url(#…-line-N)">text</text>
_RUN = re.compile(
    r'<text class="[^"]*" x="(?P<x>[\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]+-line-(?P<line>\d+)\)">(?P<text>[^<]*)</text>'
)


def screen_lines(app: App) -> list[str]:
    """Every line of the app's screen as the user sees it (header, text, panel, footer, notifications)."""
    runs: dict[int, list[tuple[float, str]]] = {}
    for match in _RUN.finditer(app.export_screenshot(simplify=True)):
        text = html.unescape(match["text"]).replace("\xa0", " ").replace("\n", "")
        runs.setdefault(int(match["line"]), []).append((float(match["x"]), text))
    return ["".join(text for _, text in sorted(runs[line])) for line in sorted(runs)]
