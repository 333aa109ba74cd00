"""A long list of one-line rows with a cursor, drawn only where it is on screen (Textual's Line API).

The screen that owns the rows says how many there are and draws one on demand
(`draw(index, width) -> Text`), so a list of 100,000 rows costs what the visible
ones cost; nothing is built per row up front (never one widget per row). Rows the
cursor may not rest on (headings, blank separators) are skipped by `selectable`.

Row text is untrusted: the owner builds it as `rich.text.Text` from plain strings,
never from markup; this widget draws its segments as they are.

Messages up: `Highlighted(index)` when the cursor moves, `Selected(index)` on a
double click. What enter does is the screen's to say (its own binding, in its footer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.component_style import component_style

Draw = Callable[[int, int], Text]  # (row index, width) → the row, one line


class LineList(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Down", show=False, id="line_list.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="line_list.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="line_list.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="line_list.page_up"),
        Binding("home,g", "edge(False)", "First", show=False, id="line_list.first"),
        Binding("end,G", "edge(True)", "Last", show=False, id="line_list.last"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--cursor"}

    cursor: reactive[int] = reactive(-1, always_update=False)

    class Highlighted(Message):
        def __init__(self, line_list: LineList, index: int) -> None:
            self.line_list = line_list
            self.index = index
            super().__init__()

    class Selected(Message):
        def __init__(self, line_list: LineList, index: int) -> None:
            self.line_list = line_list
            self.index = index
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.count = 0
        self._draw: Draw = lambda _index, _width: Text()
        self._selectable: Callable[[int], bool] = lambda _index: True
        self._cache: LRUCache[tuple[int, int, bool, int], Strip] = LRUCache(1024)
        self._generation = 0

    # ------------------------------------------------------------ attributes down

    def set_rows(self, count: int, draw: Draw, selectable: Callable[[int], bool] | None = None, cursor: int | None = None) -> None:
        """Show `count` rows drawn by `draw`; the cursor goes to `cursor` (else stays where it was, within bounds)."""
        self.count = count
        self._draw = draw
        self._selectable = selectable or (lambda _index: True)
        self.redraw()
        self.virtual_size = Size(self.size.width, count)
        wanted = self.cursor if cursor is None else cursor
        self.cursor = self._nearest(max(0, min(wanted, count - 1))) if count else -1
        self._scroll_to_cursor()

    def redraw(self) -> None:
        """The rows changed (same count): draw them again."""
        self._generation += 1
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        self._cache.clear()  # drawn in the old colours: another theme, or the cursor's own when the focus came or went
        super().notify_style_update()

    def _nearest(self, index: int) -> int:
        """`index` if the cursor may rest there, else the next row down that it may, else the one up."""
        for step in (1, -1):
            found = index
            while 0 <= found < self.count:
                if self._selectable(found):
                    return found
                found += step
        return -1

    # ------------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < self.count or width <= 0:
            return Strip.blank(width, base)
        at_cursor = index == self.cursor
        key = (index, width, at_cursor, self._generation)
        strip = self._cache.get(key)
        if strip is None:
            text = self._draw(index, width)
            text.no_wrap = True
            text.truncate(width, overflow="ellipsis")
            strip = Strip(text.render(self.app.console)).extend_cell_length(width).crop(0, width).apply_style(base)
            if at_cursor:  # over the row's own styles, so the cursor shows on a coloured row too
                cursor = component_style(self, "line-list--cursor")
                strip = Strip(Segment.apply_style(strip, post_style=cursor), width)
            self._cache[key] = strip
        return strip

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.count)
        self.redraw()
        self._scroll_to_cursor()

    # -------------------------------------------------------------------- cursor

    def watch_cursor(self, old: int, new: int) -> None:
        for index in (old, new):
            row = index - self.scroll_offset.y
            if 0 <= row < self.size.height:
                self.refresh_line(row)
        self._scroll_to_cursor()
        if new >= 0:
            self.post_message(self.Highlighted(self, new))

    def _scroll_to_cursor(self) -> None:
        if self.cursor < 0 or not self.size.height:
            return
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to(self, index: int) -> None:
        if self.count:
            found = self._nearest(max(0, min(index, self.count - 1)))
            if found >= 0:
                self.cursor = found

    def action_move(self, step: int) -> None:
        index = self.cursor + step
        while 0 <= index < self.count and not self._selectable(index):
            index += step
        if 0 <= index < self.count:
            self.cursor = index

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        target = max(0, min(self.count - 1, self.cursor + direction * height))
        self.scroll_to(y=self.scroll_offset.y + direction * height, animate=False, immediate=True)
        if 0 <= target < self.count:
            found = target
            while 0 <= found < self.count and not self._selectable(found):
                found += direction
            self.cursor = found if 0 <= found < self.count else self._nearest(target)

    def action_edge(self, last: bool) -> None:
        if self.count:
            self.cursor = self._nearest(self.count - 1 if last else 0) if not last else self._last_selectable()

    def _last_selectable(self) -> int:
        index = self.count - 1
        while index >= 0 and not self._selectable(index):
            index -= 1
        return index

    def action_select(self) -> None:
        if 0 <= self.cursor < self.count:
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < self.count and self._selectable(index):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
