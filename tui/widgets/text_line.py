"""One line of text drawn straight to a strip: the report's status line and the panel's heading.

Both change on nearly every key. A `Static` turns its text into a Textual visual
and lays it out before drawing it (about a quarter of a millisecond a frame
each on a dense report); this line draws its `rich.text.Text` once per change,
cut to the width with an ellipsis, and keeps the strip until the text, the
width or the styles change.

It is a `Static` to everything that asks (`query_one(..., Static)`, `render()`
gives the text), so screens and tests read it as before. Its text is untrusted
and is always a `Text` built from plain strings, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.visual import VisualType
from textual.widgets import Static


class TextLine(Static):
    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._line = Text()
        self._drawn: tuple[int, Strip] | None = None  # (width, the line drawn at it)

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        """Show `content` (a `Text`; a string is taken as plain text, never markup)."""
        line = content if isinstance(content, Text) else Text(str(content))
        if line == self._line and line.style == self._line.style and self._drawn is not None:
            return  # the same words: nothing to draw (the panel heading of a grade, say)
        self._line = line
        self._drawn = None
        self.refresh(layout=layout)

    def render(self) -> Text:
        return self._line

    def notify_style_update(self) -> None:
        self._drawn = None  # drawn in the old theme's colours
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y or width <= 0:
            return Strip.blank(width, self.rich_style)
        if self._drawn is None or self._drawn[0] != width:
            line = self._line.copy()
            line.no_wrap = True
            line.truncate(width, overflow=self._line.overflow or "ellipsis")
            segments = line.render(self.app.console)
            self._drawn = (width, Strip(segments).extend_cell_length(width).crop(0, width).apply_style(self.rich_style))
        return self._drawn[1]


__all__ = ["TextLine"]
