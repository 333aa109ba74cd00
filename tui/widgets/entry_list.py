"""The annotation panel's list: entries of several lines, one highlighted, drawn row by row (Textual's Line API).

Textual's OptionList measured 5–6 ms of every `j` on a heavily annotated report
(a paragraph's three claims: its option renders, and a layout of the whole
screen because the list's length changed). This list draws only the rows on
screen, keeps the rows it drew, and lays the screen out again only when a
scrollbar is needed or no longer needed, not whenever the paragraph changes.

It offers the small part of OptionList's interface the panel and its tests use:
`option_count`, `get_option_at_index(i)` (an `Entry` with `id`, `prompt`,
`lines`, `disabled`), `highlighted`, `set_options(items)` where `None` draws a divider
under the entry before it. `enter` (or a double click) posts `Selected(entry)`.

Entry text is untrusted: the owner builds it as `rich.text.Text` from plain
strings, never markup; it is drawn as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.component_style import component_style

DIVIDER = "─"
ROWS_KEPT = 512


@dataclass(frozen=True, eq=False)
class Entry:
    """One entry: its lines (already wrapped to the list's width), its id, and whether the cursor may rest on it.

    An owner that shows the same entry again passes the same line objects: those rows are not drawn again.
    """

    lines: tuple[Text, ...]
    id: str | None = None
    disabled: bool = False

    @classmethod
    def of(cls, text: Text, id: str | None = None, disabled: bool = False) -> Entry:
        """An entry of `text`, one row per line of it."""
        return cls(tuple(text.split("\n", allow_blank=True)), id, disabled)

    @property
    def prompt(self) -> Text:
        """Its lines as one text."""
        return Text("\n").join(self.lines)


class EntryList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    EntryList {
        background: transparent;
        overflow-x: hidden;
    }
    EntryList > .entry-list--highlight {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    EntryList:focus > .entry-list--highlight {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    EntryList > .entry-list--divider {
        color: $foreground 15%;
    }
    EntryList > .entry-list--disabled {
        color: $text-disabled;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"entry-list--highlight", "entry-list--divider", "entry-list--disabled"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Down", show=False, id="list.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="list.up"),
        Binding("home,g", "edge(False)", "First", show=False, id="list.first"),
        Binding("end,G", "edge(True)", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", show=False, id="list.select"),
    ]

    highlighted: reactive[int | None] = reactive(None, always_update=False, init=False, repaint=False)  # the watcher draws its rows

    class Selected(Message):
        """`enter` or a double click on an entry."""

        def __init__(self, entry_list: EntryList, entry: Entry, index: int) -> None:
            self.entry_list = entry_list
            self.entry = entry
            self.index = index
            super().__init__()

        @property
        def control(self) -> EntryList:
            return self.entry_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries: list[Entry] = []
        self._rows: list[tuple[int, Text | None]] = []  # (entry index, the row's text or None for a divider)
        self._first_row: list[int] = []  # entry index → its first row
        # A row shown again (the owner keeps its entries' lines) is not drawn again: strips are kept by the identity
        # of the row's text, held beside the strip so that identity cannot be reused meanwhile.
        self._strips: LRUCache[tuple[int, int, bool, bool, bool], tuple[Text | None, Strip]] = LRUCache(ROWS_KEPT)
        self._frame: tuple[Style, int, int] | None = None  # (style, width, scroll offset) while a frame is drawn

    # ------------------------------------------------------------ attributes down

    @property
    def option_count(self) -> int:
        return len(self.entries)

    def get_option_at_index(self, index: int) -> Entry:
        return self.entries[index]

    def set_options(self, items: Iterable[Entry | None]) -> None:
        """Show these entries (`None`: a divider under the entry before it); the highlight goes to the first.

        Only the rows that differ from what is on screen are drawn again: a grade changes one entry's rows.
        """
        entries: list[Entry] = []
        rows: list[tuple[int, Text | None]] = []
        first_row: list[int] = []
        for item in items:
            if item is None:
                if entries:
                    rows.append((len(entries) - 1, None))
                continue
            first_row.append(len(rows))
            rows.extend((len(entries), line) for line in item.lines)
            entries.append(item)
        before = [self._looks(row) for row in range(len(self._rows))]
        self.entries, self._rows, self._first_row = entries, rows, first_row
        self.set_reactive(EntryList.highlighted, None)
        self._size_to_rows()
        if self.scroll_offset.y:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.refresh()
            return
        changed = [row for row in range(max(len(before), len(rows))) if row >= len(before) or before[row] != self._looks(row)]
        for first, count in _runs(changed):
            self.refresh_lines(first, count)

    def prepare(self, items: Iterable[Entry | None], highlighted: int) -> None:
        """Draw the rows `set_options(items)` would show with entry `highlighted` lit, keeping them for when it does.

        Nothing on screen changes; only rows that would be on screen are drawn, and only those not kept already.
        """
        base, width, _top = self._measure()
        if width <= 0:
            return
        height = self.size.height
        rows, entry = 0, -1
        for item in items:
            if rows >= height:
                break
            if item is None:
                rows += 1  # a divider: one strip serves them all
                continue
            entry += 1
            lit = entry == highlighted
            for text in item.lines[: height - rows]:
                key = (id(text), width, lit, self.has_focus, item.disabled)
                kept = self._strips.get(key)
                if kept is None or kept[0] is not text:
                    self._strips.set(key, (text, self._draw(text, base, width, lit, item.disabled)))
            rows += len(item.lines)

    def _looks(self, row: int) -> tuple[int, bool, bool]:
        """What decides how a row is drawn, but for width and focus (the same for every row)."""
        if row >= len(self._rows):
            return (0, False, False)
        entry, text = self._rows[row]
        return (id(text) if text is not None else 1, entry == self.highlighted and text is not None, self.entries[entry].disabled)

    def _size_to_rows(self) -> None:
        # A list shorter than the view keeps the view's size: the screen is laid out again only when a
        # scrollbar comes or goes, not because this paragraph has more lines than the last.
        height = max(len(self._rows), self.scrollable_content_region.height if len(self._rows) <= self.size.height else 0)
        size = Size(0, height)  # entries are wrapped to the width: never a horizontal scrollbar
        if size != self.virtual_size:
            self.virtual_size = size

    def on_resize(self, _event: events.Resize) -> None:
        self._size_to_rows()

    def notify_style_update(self) -> None:
        self._strips.clear()  # drawn in the old theme's colours
        super().notify_style_update()

    # ------------------------------------------------------------------- drawing

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every row needs, asked once a frame: the widget's style walks the DOM each time it is asked.
        self._frame = self._measure()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _measure(self) -> tuple[Style, int, int]:
        return self.rich_style, self.scrollable_content_region.width, self.scroll_offset.y

    def render_line(self, y: int) -> Strip:
        base, width, top = self._frame or self._measure()
        row = y + top
        if not 0 <= row < len(self._rows) or width <= 0:
            return Strip.blank(width, base)
        entry, text = self._rows[row]
        lit = entry == self.highlighted and text is not None
        disabled = self.entries[entry].disabled
        key = (id(text) if text is not None else 1, width, lit, self.has_focus, disabled)
        kept = self._strips.get(key)
        if kept is not None and kept[0] is text:
            return kept[1]
        strip = self._draw(text, base, width, lit, disabled)
        self._strips.set(key, (text, strip))
        return strip

    def _draw(self, text: Text | None, base: Style, width: int, lit: bool, disabled: bool) -> Strip:
        if text is None:
            return Strip([Segment(DIVIDER * width, base + component_style(self, "entry-list--divider"))], width)
        line = text.copy()
        line.no_wrap = True
        line.truncate(width, overflow="fold", pad=True)  # exactly `width` cells
        if disabled:
            line.stylize(component_style(self, "entry-list--disabled"))
        over = component_style(self, "entry-list--highlight") if lit else None
        return Strip(Segment.apply_style(line.render(self.app.console), base, over), width)

    def _refresh_entry(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.entries):
            return
        top = self.scroll_offset.y
        first = self._first_row[index]
        last = self._first_row[index + 1] - 1 if index + 1 < len(self._first_row) else len(self._rows) - 1
        for row in range(first, last + 1):
            if 0 <= row - top < self.size.height:
                self.refresh_line(row)  # virtual: the scroll offset is taken off there

    def on_focus(self) -> None:
        self._refresh_entry(self.highlighted)

    def on_blur(self) -> None:
        self._refresh_entry(self.highlighted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if getattr(self.screen, "holds_keys", False):
            return False  # the screen's GRADE line has the keys
        return super().check_action(action, parameters)

    # -------------------------------------------------------------------- cursor

    def validate_highlighted(self, index: int | None) -> int | None:
        if index is None or not self.entries:
            return None
        return max(0, min(index, len(self.entries) - 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._refresh_entry(old)
        self._refresh_entry(new)
        self._scroll_to_entry(new)

    def _scroll_to_entry(self, index: int | None) -> None:
        if index is None or not self.size.height:
            return
        first = self._first_row[index]
        last = self._first_row[index + 1] - 1 if index + 1 < len(self._first_row) else len(self._rows) - 1
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=min(first, last - height + 1), animate=False, immediate=True)

    def _step(self, start: int, step: int) -> int | None:
        index = start
        while 0 <= index < len(self.entries):
            if not self.entries[index].disabled:
                return index
            index += step
        return None

    def action_move(self, step: int) -> None:
        if not self.entries:
            return
        start = (self.highlighted + step) if self.highlighted is not None else (0 if step > 0 else len(self.entries) - 1)
        found = self._step(start, step)
        if found is not None:
            self.highlighted = found

    def action_edge(self, last: bool) -> None:
        found = self._step(len(self.entries) - 1, -1) if last else self._step(0, 1)
        if found is not None:
            self.highlighted = found

    def action_select(self) -> None:
        index = self.highlighted
        if index is not None and not self.entries[index].disabled:
            self.post_message(self.Selected(self, self.entries[index], index))

    def on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self._rows):
            index = self._rows[row][0]
            if self.entries[index].disabled:
                return
            if index == self.highlighted and event.chain >= 2:
                self.action_select()
            self.highlighted = index


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Ascending row numbers as (first, count) runs of consecutive rows: one region to repaint each."""
    start = previous = None
    for row in rows:
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None and previous is not None:
            yield start, previous - start + 1
        start = previous = row
    if start is not None and previous is not None:
        yield start, previous - start + 1


__all__ = ["Entry", "EntryList"]
