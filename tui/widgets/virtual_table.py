"""A table of any number of rows, drawn a line at a time (Textual's Line API on a `ScrollView`).

Nothing is made for a row until it is on screen: the screen that owns the table
hands it a row count and a function that gives one row's cells, and the table
asks for the rows it draws. Drawn rows are kept in a `textual.cache.LRUCache`
keyed by the row's identity, so scrolling back, moving the cursor or filtering
down to rows already seen costs no drawing (Toolong draws its log lines the
same way). 100,000 rows cost what 40 do.

Cells are plain text (never markup: they hold untrusted report text), cut to
their column with an ellipsis. The header is the first line and does not
scroll. Keys move the cursor; the table posts what the analyst did
(`CursorMoved`, `Chosen`, `HeaderClicked`) and the screen decides the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tui.text_layout import cells

GAP = 1  # cells between two columns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # cells; 0: this column takes what the others leave (one such column at most)
    justify: str = "left"  # "left" | "right"
    min_width: int = 8


def fit(text: str, width: int, justify: str = "left") -> str:
    """`text` on one line, exactly `width` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if "\n" in text or "\t" in text:
        text = " ".join(text.split())
    size = cells(text)
    if size <= width:
        pad = " " * (width - size)
        return pad + text if justify == "right" else text + pad
    if text.isascii():
        return text[: width - 1] + "…"
    return set_cell_size(text[: width * 2], width - 1) + "…"


RowCells = Callable[[int], Sequence[str]]  # a row's position → its cells, in column order
RowKey = Callable[[int], object]  # a row's position → what identifies its content (for the cache)
RowStyle = Callable[[int], str | None]  # a row's position → a component class for the whole row, or None


class VirtualTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--sorted",
        "virtual-table--cursor",
        "virtual-table--muted",
        "virtual-table--marked",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next row", show=False, id="table.next"),
        Binding("up,k", "move(-1)", "Previous row", show=False, id="table.previous"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("home,g", "edge(False)", "First row", show=False, id="table.first"),
        Binding("end,G", "edge(True)", "Last row", show=False, id="table.last"),
        Binding("enter", "choose", "Open", id="table.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, init=False)

    class CursorMoved(Message):
        def __init__(self, table: VirtualTable, position: int) -> None:
            self.table = table
            self.position = position
            super().__init__()

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Chosen(Message):
        """`enter` (or a double click) on a row."""

        def __init__(self, table: VirtualTable, position: int) -> None:
            self.table = table
            self.position = position
            super().__init__()

        @property
        def control(self) -> VirtualTable:
            return self.table

    class HeaderClicked(Message):
        def __init__(self, table: VirtualTable, key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[Column, ...] = ()
        self.widths: tuple[int, ...] = ()
        self.count = 0
        self._cells: RowCells = lambda _position: ()
        self._key: RowKey = lambda position: position
        self._row_style: RowStyle = lambda _position: None
        self.sort_key: str | None = None
        self.sort_descending = False
        self.empty_text = ""
        self._strips: LRUCache[tuple[object, int, int], Strip] = LRUCache(1024)
        self._generation = 0
        self._styles: dict[str, Style] = {}

    # ---------------------------------------------------------------- data

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self._layout_columns()

    def set_rows(self, count: int, cells: RowCells, key: RowKey, row_style: RowStyle | None = None,
                 cursor: int = 0) -> None:
        """Show `count` rows; `cells(position)` is asked only for rows drawn, `key(position)` names their content."""
        self.count = count
        self._cells = cells
        self._key = key
        self._row_style = row_style or (lambda _position: None)
        self._set_height(count + 1)
        self.set_reactive(VirtualTable.cursor, max(0, min(cursor, count - 1)))
        self._scroll_to_cursor(center=cursor > 0)
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor))

    def _set_height(self, height: int) -> None:
        """The virtual height, without laying the screen out again.

        A widget's virtual size is declared with `layout=True`: set plainly, every filter keystroke
        would lay out and redraw the whole screen. The vertical scrollbar is always shown (the
        stylesheet says `overflow-y: scroll`), so nothing around the table moves when the count
        changes: only the scrollbar's length and the scroll limit do, and those are set here.
        """
        size = Size(self.row_width, height)
        if size == self.virtual_size:
            return
        self.set_reactive(Widget.virtual_size, size)
        if self.is_mounted:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = height
            bar.refresh()
            self.set_reactive(ScrollView.scroll_y, self.validate_scroll_y(self.scroll_y))
            self.set_reactive(ScrollView.scroll_target_y, self.scroll_y)
            bar.position = self.scroll_y

    def content_changed(self) -> None:
        """What some rows say changed (a link, a grade, a name): draw them again."""
        self._generation += 1
        self.refresh()

    def set_sort(self, key: str | None, descending: bool) -> None:
        self.sort_key, self.sort_descending = key, descending
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns()
        self.virtual_size = Size(self.row_width, self.count + 1)  # a resize lays out anyway
        self._scroll_to_cursor()

    def _layout_columns(self) -> None:
        width = self.row_width or 80
        fixed = sum(c.width for c in self.columns if c.width) + GAP * max(0, len(self.columns) - 1)
        flexible = max(0, width - fixed)
        self.widths = tuple(c.width or max(c.min_width, flexible) for c in self.columns)
        self._strips.clear()
        self.refresh()

    # -------------------------------------------------------------- cursor

    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        for position in (old, new):
            self.refresh_line(position + 1)
        self.post_message(self.CursorMoved(self, new))

    def _scroll_to_cursor(self, center: bool = False) -> None:
        top = round(self.scroll_y)
        rows = self.page
        if center and not top <= self.cursor < top + rows:
            self.scroll_to(y=max(0, self.cursor - rows // 2), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def move_to(self, position: int) -> None:
        if self.count:
            self.cursor = max(0, min(position, self.count - 1))

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor + step * self.page)

    def action_edge(self, last: bool) -> None:
        self.move_to(self.count - 1 if last else 0)

    def action_choose(self) -> None:
        if self.count:
            self.post_message(self.Chosen(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            key = self._column_at(event.x)
            if key is not None:
                self.post_message(self.HeaderClicked(self, key))
            return
        position = round(self.scroll_y) + event.y - 1
        if 0 <= position < self.count:
            self.cursor = position
            if event.chain >= 2:
                self.post_message(self.Chosen(self, position))

    def _column_at(self, x: int) -> str | None:
        left = 0
        for column, width in zip(self.columns, self.widths, strict=False):
            if left <= x < left + width + GAP:
                return column.key
            left += width + GAP
        return None

    # -------------------------------------------------------------- drawing

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._strips.clear()
        super().notify_style_update()

    def _style(self, component: str | None = None) -> Style:
        key = component or ""
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if component:
                style = style + self.get_component_rich_style(component)
            self._styles[key] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows in `crop`, as drawn, with the app's line filters (NO_COLOR, the inert-text guard) applied.

        A table has no border, padding, tint or opacity of its own (the stylesheet gives it none), so
        Textual's per-row decoration would give each row back as drawn, at some 25 µs a row: on a filter
        keystroke every row is new. Rows are drawn here directly, as ParagraphView does; with a decoration
        the stock path is taken.
        """
        if not self._is_plain():
            return super().render_lines(crop)
        _, background = self.background_colors
        filters = self.get_line_filters()
        strips = []
        for y in crop.line_range:
            strip = self.render_line(y)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        left, right = crop.column_span
        if (left, right) != (0, self.row_width):
            strips = [strip.crop(left, right) for strip in strips]
        return strips

    def _is_plain(self) -> bool:
        styles = self.styles
        return (
            tuple(styles.padding) == (0, 0, 0, 0)
            and tuple(styles.border.spacing) == (0, 0, 0, 0)
            and not any(edge for edge, _ in styles.outline)
            and not styles.tint.a
            and styles.text_opacity == 1
            and self.opacity == 1
        )

    @property
    def row_width(self) -> int:
        """The cells a row has: the widget's width less its scrollbar."""
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self.row_width
        if y == 0:
            return self._header(width)
        position = round(self.scroll_y) + y - 1
        if position >= self.count:
            if position == 0 and self.empty_text:
                return Strip([Segment(fit(self.empty_text, width), self._style("virtual-table--muted"))], width)
            return Strip.blank(width, self._style())
        key = (self._key(position), width, self._generation)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw(position, width)
            self._strips[key] = strip
        if position == self.cursor:
            # Looked up on every draw: the cursor's style follows focus (`VirtualTable:focus > …`).
            return strip.apply_style(self.get_component_rich_style("virtual-table--cursor"))
        return strip

    def on_focus(self) -> None:
        self.refresh_line(self.cursor + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor + 1)

    def _header(self, width: int) -> Strip:
        style = self._style("virtual-table--header")
        sorted_style = self._style("virtual-table--sorted")
        segments: list[Segment] = []
        for index, (column, column_width) in enumerate(zip(self.columns, self.widths, strict=False)):
            label = column.label
            chosen = column.key == self.sort_key
            if chosen:
                label = f"{label}{'▼' if self.sort_descending else '▲'}"
            segments.append(Segment(fit(label, column_width, column.justify), sorted_style if chosen else style))
            if index < len(self.columns) - 1:
                segments.append(Segment(" " * GAP, style))
        return Strip(segments).adjust_cell_length(width, style)

    def _draw(self, position: int, width: int) -> Strip:
        component = self._row_style(position)
        style = self._style(component)
        values = self._cells(position)
        segments: list[Segment] = []
        for index, (column, column_width) in enumerate(zip(self.columns, self.widths, strict=False)):
            value = values[index] if index < len(values) else ""
            segments.append(Segment(fit(value, column_width, column.justify), style))
            if index < len(self.columns) - 1:
                segments.append(Segment(" " * GAP, style))
        return Strip(segments).adjust_cell_length(width, style).simplify()  # one segment a style: less to write


__all__ = ["Column", "VirtualTable", "fit"]
