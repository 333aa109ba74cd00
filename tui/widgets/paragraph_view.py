"""The report's text, paragraph by paragraph: a virtualised view built on Textual's Line API.

Only the lines on screen are wrapped and drawn, so a 10,000-paragraph report
opens as fast as a short one. Layout is computed row by row from the top of
the view: a paragraph's rows are produced only as far as the screen (or a
scroll) needs them, so paging through one 1 MB paragraph costs one screen per
page, not the whole paragraph above it. The current paragraph is marked in the
gutter of its first row on screen only (a bar, its number in bold), so moving
it without scrolling repaints two gutter cells (and the current suggestion's
row): a `j` writes a few hundred bytes to the terminal, not two paragraphs of
text. Footnotes stand under every paragraph that cites them, so a move never
shifts the rows below. Styles are looked up once per frame, not
once per line; wrapped paragraphs, heading rows and drawn rows are kept in
`textual.cache.LRUCache`s.

Registry suggestions and claim candidates are *decorations* the screen computes
for a paragraph when it is first drawn (`set_decorator`): extra highlights in the
text, and marks in the gutter's last column — `›` where a candidate sentence
starts, `┃` along the rows of the current candidate.

Paragraph text is untrusted: it is drawn as plain `Segment`s, never as markup.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from store.model import Paragraph, ParagraphStatus
from tui.keys import NUMBER_WORDS, in_arrival_order
from tui.text_layout import WrappedText, cells, display_text

GUTTER = 7  # "▌  12✓›": bar, number, status, candidate mark
STATUS_MARK = {ParagraphStatus.UNREVIEWED: " ", ParagraphStatus.REVIEWED: "✓", ParagraphStatus.FLAGGED: "!"}
REDRAW_ALL_ABOVE = 64  # more paragraphs changed at once than this: the whole view is drawn again
CACHE_ROWS = 4096  # drawn rows, heading rows and wrapped paragraphs kept (least recently used go)
DOWN_CONTEXT = 2  # rows of the paragraph before kept above one that comes into view going down
CANDIDATE_MARK = "›"
CURRENT_CANDIDATE_MARK = "┃"


@dataclass(frozen=True)
class Highlight:
    """A range of a paragraph drawn with a component style (annotation kinds, selection, search)."""

    paragraph: int  # 0-based index
    start: int
    end: int
    style: str  # component class, e.g. "paragraph-view--claim"


@dataclass(frozen=True)
class Decoration:
    """What the screen adds to one paragraph: highlights (suggestions, the current offer) and gutter marks."""

    highlights: tuple[Highlight, ...] = ()
    candidate_starts: tuple[int, ...] = ()  # offsets where a claim candidate begins: `›` on that row
    current_candidate: tuple[int, int] | None = None  # its span: `┃` on each of its rows (current paragraph only)
    offer: Highlight | None = None  # the suggestion the next `y` tags (drawn in the current paragraph only)


NO_DECORATION = Decoration()


@dataclass(frozen=True)
class _Line:
    kind: str  # "text" | "heading" | "note" | "blank"
    paragraph: int = -1
    start: int = 0
    end: int = 0
    first: bool = False
    text: str = ""


class ParagraphView(Widget, can_focus=True):
    """Shows paragraphs with their section headings; one paragraph is current."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paragraph-view--current",
        "paragraph-view--current-bar",
        "paragraph-view--gutter",
        "paragraph-view--heading",
        "paragraph-view--note",
        "paragraph-view--reviewed",
        "paragraph-view--flagged",
        "paragraph-view--claim",
        "paragraph-view--actor",
        "paragraph-view--selection",
        "paragraph-view--cursor",
        "paragraph-view--search",
        "paragraph-view--suggestion",
        "paragraph-view--offer",
        "paragraph-view--candidate-mark",
    }

    # Run as each key arrives, as the report screen's do (tui.keys.in_arrival_order): a burst keeps its order.
    BINDINGS: ClassVar[list[BindingType]] = in_arrival_order([
        Binding("j,down", "next_paragraph", "Next ¶", show=False, id="next_paragraph"),
        Binding("k,up", "previous_paragraph", "Prev ¶", show=False, id="previous_paragraph"),
        Binding("g,home", "first_paragraph", "First", show=False, id="first_paragraph"),
        Binding("G,end", "last_paragraph", "Last", show=False, id="last_paragraph"),
        Binding("right_square_bracket", "next_section", "Next section", show=False, id="next_section"),
        Binding("left_square_bracket", "previous_section", "Prev section", show=False, id="previous_section"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="page_up"),
        # A count before a motion: `12G` goes to ¶12, `3j` moves three paragraphs, `3e` three word ends.
        # One row in `?` for all ten: "1 … count before a motion".
        *(
            Binding(str(n), f"count({n})", "Count before a motion (3j, 12G)" if n == 1 else "", show=False, id=f"count.{NUMBER_WORDS[n]}")
            for n in range(10)
        ),
    ])

    current: reactive[int] = reactive(0, always_update=True, repaint=False)
    count: reactive[str] = reactive("", repaint=False)  # digits typed before a motion

    class SpanDragged(Message):
        """The mouse was dragged over paragraph `index` from code point `anchor` to `offset` (both inclusive)."""

        def __init__(self, index: int, anchor: int, offset: int, finished: bool) -> None:
            self.index = index
            self.anchor = anchor
            self.offset = offset
            self.finished = finished
            super().__init__()

    class ParagraphClicked(Message):
        """A click on paragraph `index` at code point `offset` (or None outside its text)."""

        def __init__(self, index: int, offset: int | None) -> None:
            self.index = index
            self.offset = offset
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.paragraphs: tuple[Paragraph, ...] = ()
        self._headings: dict[int, tuple[str, ...]] = {}
        self._notes: dict[int, str] = {}
        self.statuses: dict[int, ParagraphStatus] = {}  # by 1-based paragraph number
        self._highlights: dict[int, list[Highlight]] = {}
        self._overlay: dict[int, list[Highlight]] = {}  # transient: the selection, search hits
        self._drag: tuple[int, int] | None = None  # (paragraph, offset) where a mouse drag began
        self._wraps: LRUCache[tuple[int, int], WrappedText] = LRUCache(CACHE_ROWS)
        self._heads: LRUCache[tuple[int, int], list[_Line]] = LRUCache(CACHE_ROWS)  # (index, width) → heading rows
        self._section_starts: list[int] = []  # sorted indexes of paragraphs that open a section
        self._style_cache: dict[tuple[str, ...], Style] = {}  # styles by component names (see render_lines)
        self._known_size: Size | None = None  # set on resize: `Widget.size` walks up to the screen each call
        # Drawn rows, by (row, is current, decoration version of its paragraph); see render_lines.
        self._strips: LRUCache[tuple[_Line, bool, bool, int], Strip] = LRUCache(CACHE_ROWS)
        self._decorator: Callable[[int], Decoration] | None = None
        self._decorations: LRUCache[tuple[int, int], Decoration] = LRUCache(CACHE_ROWS)
        self._versions: dict[int, int] = {}  # paragraph index → decoration version (bumped by redraw_paragraph)
        self._keep_view = False  # a page move sets the current paragraph without scrolling to it
        self._strips_base: Style | None = None  # the widget style the cached rows were drawn with
        self.top = 0  # paragraph index at the top of the view
        self.top_line = 0  # lines of that block scrolled off the top
        self._screen_lines: list[_Line] | None = None
        self._bar_y: int | None = None  # the row that carries the current paragraph's bar (with _screen_lines)

    # ------------------------------------------------------------ data down

    def set_report(self, paragraphs: tuple[Paragraph, ...], headings: tuple[str, ...], notes: dict[int, str]) -> None:
        self.paragraphs = paragraphs
        self._headings = _headings_before(paragraphs, headings)
        self._section_starts = sorted(self._headings)
        self._notes = notes
        self._wraps.clear()
        self._heads.clear()
        self._decorations.clear()
        self._versions.clear()
        self._screen_lines = None
        self.top = self.top_line = 0
        self.current = 0
        self._invalidate(redraw=True)

    def set_statuses(self, statuses: dict[int, ParagraphStatus]) -> None:
        """The paragraphs' review statuses (by 1-based number); only the paragraphs whose status changed are drawn again."""
        before, self.statuses = self.statuses, dict(statuses)
        changed = {number for number in before.keys() | self.statuses.keys() if before.get(number) != self.statuses.get(number)}
        if len(changed) > REDRAW_ALL_ABOVE:
            self._invalidate(redraw=True)
            return
        for number in changed:
            if 1 <= number <= len(self.paragraphs):
                self.redraw_paragraph(number - 1)

    def set_status(self, number: int, status: ParagraphStatus | None) -> None:
        """One paragraph's review status (None: unmarked); its rows are drawn again if it changed."""
        if self.statuses.get(number) == status:
            return
        if status is None:
            self.statuses.pop(number, None)
        else:
            self.statuses[number] = status
        if 1 <= number <= len(self.paragraphs):
            index = number - 1
            self._versions[index] = self._versions.get(index, 0) + 1
            first = next((y for y, line in enumerate(self._lines()) if line.paragraph == index and line.first), None)
            if first is not None:  # the status mark is in the gutter of the paragraph's first row: only that is repainted
                self.refresh(Region(0, first, GUTTER, 1))

    def set_highlights(self, highlights: list[Highlight]) -> None:
        """Every annotation's highlight, replacing what was there (opening, another analyst's change)."""
        by_paragraph: dict[int, list[Highlight]] = {}
        for highlight in highlights:
            by_paragraph.setdefault(highlight.paragraph, []).append(highlight)
        self._highlights = by_paragraph
        self._invalidate(redraw=True)

    def set_paragraph_highlights(self, changed: dict[int, list[Highlight]]) -> None:
        """The highlights of some paragraphs (by index) only: one annotation added, moved or deleted redraws its rows alone."""
        for index, highlights in changed.items():
            if highlights:
                self._highlights[index] = list(highlights)
            else:
                self._highlights.pop(index, None)
            self.redraw_paragraph(index)

    def set_overlay(self, highlights: list[Highlight]) -> None:
        """Highlights drawn over the annotations (selection, cursor, search hits), replaced as a whole."""
        by_paragraph: dict[int, list[Highlight]] = {}
        for highlight in highlights:
            by_paragraph.setdefault(highlight.paragraph, []).append(highlight)
        self._overlay = by_paragraph
        self._invalidate(redraw=True)

    def ensure_offset_visible(self, index: int, offset: int) -> None:
        """Scroll (without changing the current paragraph) so the line holding `offset` of paragraph `index` is on screen."""
        if not 0 <= index < len(self.paragraphs):
            return
        height = max(1, self.size.height)
        wrapped = self._wrap(index)
        line = wrapped.line_of(offset)
        inner = len(self._head(index)) + line
        if index < self.top:
            row = -1
        else:
            row = inner - self.top_line
            for above in range(self.top, index):
                row += self._height(above, height)
                if row >= height:
                    break
        if 0 <= row < height:
            return
        self.top, self.top_line = index, max(0, inner - height // 3)
        self._invalidate()

    def _invalidate(self, redraw: bool = False) -> None:
        """Lay the screen out again; `redraw`: what a row looks like changed too (statuses, highlights, size)."""
        self._screen_lines = None
        if redraw:
            self._strips.clear()
        self.refresh()

    def _refresh_changed_rows(self, old: int, new: int) -> None:
        """After the current paragraph moved from `old` to `new` without scrolling: repaint only the cells that changed.

        The rows on screen do not depend on which paragraph is current (footnotes
        stand under theirs either way), so they are not laid out again: a row of the
        old or new current paragraph has its gutter repainted (the bar and the
        number), or the whole row where the current suggestion is highlighted.
        """
        lines = self._screen_lines
        if lines is None:
            self.refresh()
            return
        bar_before = _bar_row(lines, old)
        self._bar_y = bar_after = _bar_row(lines, self.current)
        width = self._view_size().width
        whole: list[int] = []
        gutter: list[int] = []
        touched = {index: self._current_only(index) for index in (old, new) if index >= 0}
        for y, line in enumerate(lines):
            if line.paragraph not in touched:
                continue
            # What being current changes in a row: the bar, the first row's number, the current
            # suggestion's highlight (the text) and the current candidate's marks (the gutter).
            offer, candidate = touched[line.paragraph]
            if offer is not None and line.kind == "text" and offer[0] < line.end and offer[1] > line.start:
                whole.append(y)
            elif y in (bar_before, bar_after) or line.first or (
                candidate is not None and line.kind == "text" and candidate[0] < max(line.end, line.start + 1) and candidate[1] > line.start
            ):
                gutter.append(y)
        for first, last in _runs(whole):
            self.refresh(Region(0, first, width, last - first + 1))
        for first, last in _runs(gutter):
            self.refresh(Region(0, first, GUTTER, last - first + 1))

    def _current_only(self, index: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """What paragraph `index` shows only while it is current: the offer's range, the current candidate's span."""
        decoration = self.decoration(index)
        offer = (decoration.offer.start, decoration.offer.end) if decoration.offer is not None else None
        return offer, decoration.current_candidate

    def _row_strip(self, line: _Line, is_current: bool, width: int, bar: bool = False) -> Strip:
        key = (line, is_current, bar, self._versions.get(line.paragraph, 0))
        strip = self._strips.get(key)
        if strip is None or strip.cell_length != width:
            strip = self._draw_row(line, is_current, width, bar)
            self._strips.set(key, strip)
        return strip

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if getattr(self.screen, "holds_keys", False):
            return False  # the screen's GRADE line has the keys
        if action == "count" and str(parameters[0]) == "0":
            return bool(self.count)  # a leading 0 is not a count (in selection mode it is the line start)
        return True

    def action_count(self, digit: int) -> None:
        if len(self.count) < 7:
            self.count += str(digit)

    def take_count(self, default: int = 1) -> int:
        """The count typed before this motion (then forgotten), or `default`."""
        count = int(self.count) if self.count else default
        self.count = ""
        return count

    def action_next_paragraph(self) -> None:
        self.move_to(self.current + self.take_count())

    def action_previous_paragraph(self) -> None:
        self.move_to(self.current - self.take_count())

    def action_first_paragraph(self) -> None:
        """`g` (home): the first paragraph; `12g`: paragraph 12."""
        number = self.take_count(0)
        self.move_to(number - 1 if number else 0)

    def action_last_paragraph(self) -> None:
        """`G` (end): the last paragraph; `12G`: paragraph 12."""
        number = self.take_count(0)
        self.go_to_number(number) if number else self.move_to(len(self.paragraphs) - 1)

    def go_to_number(self, number: int) -> None:
        """Paragraph `number` (1-based; past the end: the last)."""
        self.move_to(min(number, len(self.paragraphs)) - 1)

    def action_next_section(self) -> None:
        for _ in range(self.take_count()):
            starts = self._section_starts
            after = bisect_right(starts, self.current)
            if after >= len(starts):
                self.app.bell()
                return
            self.move_to(starts[after])

    def action_previous_section(self) -> None:
        for _ in range(self.take_count()):
            start = max((i for i in self._headings if i <= self.current), default=None)
            if start is not None and start < self.current:
                self.move_to(start)
                continue
            earlier = [i for i in self._headings if i < self.current]
            if earlier:
                self.move_to(max(earlier))
            elif self.current:
                self.move_to(0)
            else:
                self.app.bell()
                return

    def action_page_down(self) -> None:
        self.scroll_lines(self.take_count() * max(1, self.size.height - 2))
        self._follow_view()

    def action_page_up(self) -> None:
        self.scroll_lines(-self.take_count() * max(1, self.size.height - 2))
        self._follow_view()

    def _follow_view(self) -> None:
        """After a page move the current paragraph comes along: the first that starts on screen (else the top one)."""
        lines = self._lines()
        starts = [line.paragraph for line in lines if line.kind == "text" and line.first]
        target = starts[0] if starts else next((line.paragraph for line in lines if line.paragraph >= 0), self.current)
        if target != self.current:
            self._keep_view = True
            self.current = target

    def move_to(self, index: int) -> None:
        if not self.paragraphs:
            return
        index = max(0, min(index, len(self.paragraphs) - 1))
        if index == self.current:
            return
        self.current = index

    def watch_current(self, old: int, new: int) -> None:
        if not self.paragraphs:
            return
        if self._keep_view:  # a page move: the view stays where it was scrolled
            self._keep_view = False
            self._invalidate()
            return
        position = (self.top, self.top_line)
        self._scroll_to_current(downward=new >= old)
        if (self.top, self.top_line) == position:
            self._refresh_changed_rows(old, new)
        else:
            self._invalidate()

    # ---------------------------------------------------------------- mouse

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_lines(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_lines(-3)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        hit = self.offset_at(event.x, event.y)
        if event.button == 1 and hit is not None and hit[1] is not None:
            self._drag = (hit[0], hit[1])
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag is None:
            return
        hit = self.offset_at(event.x, event.y)
        if hit is not None and hit[0] == self._drag[0] and hit[1] is not None and hit[1] != self._drag[1]:
            self.post_message(
                self.SpanDragged(self._drag[0], self._drag[1], min(hit[1], len(self.paragraphs[hit[0]].text) - 1), finished=False)
            )

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag is None:
            return
        index, anchor = self._drag
        self._drag = None
        self.release_mouse()
        hit = self.offset_at(event.x, event.y)
        if hit is not None and hit[0] == index and hit[1] is not None and hit[1] != anchor:
            self.post_message(self.SpanDragged(index, anchor, min(hit[1], len(self.paragraphs[index].text) - 1), finished=True))

    def on_click(self, event: events.Click) -> None:
        hit = self.offset_at(event.x, event.y)
        if hit is not None:
            self.post_message(self.ParagraphClicked(*hit))

    def offset_at(self, x: int, y: int) -> tuple[int, int | None] | None:
        """The paragraph and code point offset under screen cell (x, y) of this widget."""
        lines = self._lines()
        if not 0 <= y < len(lines) or lines[y].paragraph < 0:
            return None
        line = lines[y]
        if line.kind != "text":
            return line.paragraph, None
        text = self.paragraphs[line.paragraph].text
        column = x - GUTTER
        if column < 0:
            return line.paragraph, line.start
        cells = 0
        for offset in range(line.start, line.end):
            from rich.cells import cell_len

            cells += cell_len(display_text(text[offset]))  # as drawn: a tab is one cell
            if cells > column:
                return line.paragraph, offset
        return line.paragraph, line.end

    # --------------------------------------------------------------- layout

    def _view_size(self) -> Size:
        return self._known_size or self.size

    @property
    def text_width(self) -> int:
        return max(10, self._view_size().width - GUTTER - 1)

    def _wrap(self, index: int) -> WrappedText:
        key = (index, self.text_width)
        wrapped = self._wraps.get(key)
        if wrapped is None:
            wrapped = WrappedText(self.paragraphs[index].text, self.text_width)
            self._wraps.set(key, wrapped)
        return wrapped

    # A paragraph's block of rows: its section headings (each followed by a blank
    # row), its wrapped text, its footnotes, and a blank row.

    def _head(self, index: int) -> list[_Line]:
        """The heading rows above paragraph `index` (shared: do not mutate)."""
        headings = self._headings.get(index)
        if not headings:
            return _NO_ROWS
        key = (index, self.text_width)
        rows = self._heads.get(key)
        if rows is None:
            rows = []
            for heading in headings:
                for start, end in WrappedText(heading, self.text_width).all():
                    rows.append(_Line("heading", index, text=heading[start:end]))
                rows.append(_Line("blank", index))
            self._heads.set(key, rows)
        return rows

    def _tail(self, index: int) -> list[_Line]:
        """The rows after paragraph `index`'s text: its footnotes (each up to six rows), then a blank row.

        Footnotes are always shown, not only under the current paragraph: moving the
        current paragraph then never pushes the rows below it down or up.
        """
        rows: list[_Line] = []
        for number in self.paragraphs[index].footnotes:
            note = self._notes.get(number)
            if note is None:
                continue  # a marker without a note: nothing to show (parse warns of it)
            label = f"[{number}] {note}"
            for piece in WrappedText(label, self.text_width).all()[:6]:
                rows.append(_Line("note", index, text=label[piece[0] : piece[1]]))
        rows.append(_Line("blank", index))
        return rows

    def _rows(self, index: int, start: int, stop: int) -> list[_Line]:
        """Rows `start` to `stop` (exclusive) of paragraph `index`'s block; fewer where the block ends.

        Only the text lines up to `stop` are wrapped: the cost is the rows asked
        for, however long the paragraph.
        """
        head = self._head(index)
        rows = head[start:stop]
        text_stop = stop - len(head)
        if text_stop <= 0:
            return rows
        wrapped = self._wrap(index)
        wrapped.ensure(text_stop)
        lines = wrapped.lines
        for number in range(max(0, start - len(head)), min(text_stop, len(lines))):
            line_start, line_end = lines[number]
            rows.append(_Line("text", index, line_start, line_end, first=number == 0))
        if wrapped.done:
            before_tail = len(head) + len(lines)
            rows.extend(self._tail(index)[max(0, start - before_tail) : max(0, stop - before_tail)])
        return rows

    def _block(self, index: int, need: int) -> list[_Line]:
        """The first `need` rows of paragraph `index`'s block (all of them if it is shorter)."""
        return self._rows(index, 0, max(1, need))

    def _height(self, index: int, limit: int) -> int:
        """The number of rows of paragraph `index`'s block, counted no further than `limit + 1`."""
        head = len(self._head(index))
        wrapped = self._wrap(index)
        wrapped.ensure(max(1, limit + 1 - head))
        rows = head + len(wrapped.lines)
        if wrapped.done:
            rows += len(self._tail(index))
        return min(rows, limit + 1)

    def _lines(self) -> list[_Line]:
        """The rows on screen, from (`top`, `top_line`) down."""
        if self._screen_lines is None:
            height = max(1, self._view_size().height)
            lines: list[_Line] = []
            index, skip = self.top, self.top_line
            while len(lines) < height and index < len(self.paragraphs):
                lines.extend(self._rows(index, skip, skip + height - len(lines)))
                skip = 0
                index += 1
            self._screen_lines = lines
            self._bar_y = _bar_row(lines, self.current)
        return self._screen_lines

    def _scroll_to_current(self, downward: bool) -> None:
        """Scroll, if the current paragraph is not wholly in view, so that it is.

        It comes back with context: moving down, it starts a third of the way down
        the view (the end of the one before above it, what follows below); moving
        up, it ends two thirds of the way down. So a run of `j` scrolls once a
        screen or so, and the moves in between repaint only the rows that changed.
        The view never scrolls past the end of the report.
        """
        height = max(1, self._view_size().height)
        current = self.current
        current_height = self._height(current, height)
        if current > self.top or (current == self.top and not self.top_line):
            if current - self.top <= height:
                row = -self.top_line
                for index in range(self.top, current):
                    row += self._height(index, height)
                    if row > height:
                        break
                if row >= 0 and row + current_height <= height:
                    return
        context = height // 3
        if current_height > height - context:
            above = 0  # a long paragraph: from its first line
        elif downward:
            above = min(context, DOWN_CONTEXT)
        else:
            above = height - context - current_height
        self.top, self.top_line = self._rows_above(current, above, height)
        if downward and not self._fills_view(height):
            self._align_bottom(len(self.paragraphs) - 1, height)
            if (self.top, self.top_line) > (current, 0):
                self.top, self.top_line = current, 0

    def _rows_above(self, index: int, rows: int, height: int) -> tuple[int, int]:
        """The (top, top_line) that leaves `rows` rows above paragraph `index` (fewer at the start)."""
        top = index
        while rows > 0 and top > 0:
            above = self._height(top - 1, height * 4)
            if above <= rows:
                rows -= above
                top -= 1
            else:
                return top - 1, above - rows
        return top, 0

    def _fills_view(self, height: int) -> bool:
        """Do the rows from (top, top_line) to the end of the report fill the view?"""
        rows = -self.top_line
        for index in range(self.top, len(self.paragraphs)):
            rows += self._height(index, height)
            if rows >= height:
                return True
        return False

    def _align_bottom(self, index: int, height: int) -> None:
        """Scroll so paragraph `index` ends at the bottom of the view (or starts at its top)."""
        remaining = height - self._height(index, height)
        if remaining <= 0:
            self.top, self.top_line = index, 0
            return
        top = index
        while top > 0 and remaining > 0:
            above = self._height(top - 1, height)
            if above <= remaining:
                remaining -= above
                top -= 1
            else:
                self.top, self.top_line = top - 1, above - remaining
                return
        self.top, self.top_line = top, 0

    def scroll_lines(self, delta: int) -> None:
        """Scroll the view by lines without moving the current paragraph (a block at a time, not a row at a time)."""
        if not self.paragraphs:
            return
        height = max(1, self.size.height)
        position = (self.top, self.top_line)
        remaining = abs(delta)
        if delta > 0:
            while remaining > 0:
                rows = self._height(self.top, self.top_line + remaining)
                if self.top_line + remaining < rows:
                    self.top_line += remaining
                    break
                if self.top + 1 >= len(self.paragraphs):
                    self.top_line = max(self.top_line, rows - 1)  # stop at the last row of the report
                    break
                remaining -= rows - self.top_line
                self.top, self.top_line = self.top + 1, 0
        else:
            while remaining > 0:
                if self.top_line >= remaining:
                    self.top_line -= remaining
                    break
                if self.top_line > 0:
                    remaining -= self.top_line
                    self.top_line = 0
                elif self.top > 0:
                    self.top -= 1
                    self.top_line = max(0, self._height(self.top, height * 4) - 1)
                    remaining -= 1
                else:
                    break
        if (self.top, self.top_line) != position:
            self._invalidate()

    def on_resize(self, event: events.Resize) -> None:
        self._known_size = self.size
        self._wraps.clear()
        self._heads.clear()
        self.top_line = 0
        self._invalidate(redraw=True)
        if self.paragraphs:
            self._scroll_to_current(downward=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    # --------------------------------------------------------------- render

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and drawn rows are kept across frames while the widget's style (which walks
        # the ancestors, so it is computed once a frame) is unchanged; a change of this widget's
        # CSS or theme clears them (notify_style_update).
        #
        # The rest is Textual's: its styles cache keeps the rows of the last frame and asks
        # render_line only for the rows refreshed since, which is what a move refreshes (two
        # gutter cells, a row or two). A copy of its decoration that skipped that cache (kept
        # before issue 13 for a 2.2x key) measured slower once moves refresh so little: `j`
        # 2.55x the minimal app on the seed and 2.03x on 10,000 paragraphs with it, 1.95x and
        # 1.76x without (bench/bench_keys.py's method, four alternating rounds, 2026-11-29).
        base = self.rich_style
        if base != self._strips_base:
            self._style_cache.clear()
            self._strips.clear()
            self._strips_base = self._style_cache[()] = base
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        self._style_cache.clear()
        self._strips.clear()
        super().notify_style_update()

    def _style(self, *components: str) -> Style:
        """This widget's style plus the component styles `components`, in order."""
        style = self._style_cache.get(components)
        if style is None:
            style = self._style_cache.get(())
            if style is None:
                style = self._style_cache[()] = self.rich_style
            for component in components:
                style = style + self.get_component_rich_style(component)
            self._style_cache[components] = style
        return style

    def render_line(self, y: int) -> Strip:
        lines = self._lines()
        width = self._view_size().width
        if y >= len(lines):
            return Strip.blank(width, self._style())
        line = lines[y]
        is_current = line.paragraph == self.current and line.paragraph >= 0
        return self._row_strip(line, is_current, width, bar=is_current and y == self._bar_y)

    def _draw_row(self, line: _Line, is_current: bool, width: int, bar: bool = False) -> Strip:
        return self._draw_row_segments(line, is_current, width, bar).simplify()  # one style run, one escape sequence

    def _draw_row_segments(self, line: _Line, is_current: bool, width: int, bar_here: bool) -> Strip:
        base = self._style()
        if line.kind == "heading":
            style = self._style("paragraph-view--heading")
            return Strip([Segment(" " * GUTTER, base), Segment(display_text(line.text), style)]).adjust_cell_length(width, base)
        bar = "▌" if bar_here else " "
        bar_style = self._style("paragraph-view--current-bar") if bar_here else base
        if line.kind == "blank":
            return Strip([Segment(bar, bar_style), Segment(" " * (width - 1), base)], width) if width > 0 else Strip([])
        if line.kind == "note":
            note_style = self._style("paragraph-view--note")
            return Strip(
                [Segment(bar, bar_style), Segment(" " * (GUTTER - 1), base), Segment(display_text(line.text), note_style)]
            ).adjust_cell_length(width, base)
        paragraph = self.paragraphs[line.paragraph]
        decoration = self.decoration(line.paragraph)
        mark, mark_style = " ", base
        if decoration.current_candidate is not None and is_current:
            span_start, span_end = decoration.current_candidate
            if span_start < max(line.end, line.start + 1) and span_end > line.start:
                mark, mark_style = CURRENT_CANDIDATE_MARK, self._style("paragraph-view--candidate-mark", "paragraph-view--current-bar")
        if mark == " " and any(line.start <= offset < max(line.end, line.start + 1) for offset in decoration.candidate_starts):
            mark, mark_style = CANDIDATE_MARK, self._style("paragraph-view--candidate-mark")
        if line.first:
            gutter_style = self._style("paragraph-view--gutter")
            number_style = self._style("paragraph-view--gutter", "paragraph-view--current") if is_current else gutter_style
            status = self.statuses.get(paragraph.number, ParagraphStatus.UNREVIEWED)
            status_style = gutter_style
            if status is ParagraphStatus.REVIEWED:
                status_style = self._style("paragraph-view--reviewed")
            elif status is ParagraphStatus.FLAGGED:
                status_style = self._style("paragraph-view--flagged")
            gutter = [
                Segment(bar, bar_style),
                Segment(f"{paragraph.number:>4}", number_style),
                Segment(STATUS_MARK[status], status_style),
                Segment(mark, mark_style),
            ]
        else:
            gutter = [Segment(bar, bar_style), Segment(" " * (GUTTER - 2), base), Segment(mark, mark_style)]
        segments = gutter + self._text_segments(line, paragraph.text, decoration, is_current)
        used = sum(cells(segment.text) for segment in segments)  # measured once, here
        if used <= width:
            segments.append(Segment(" " * (width - used), base))
            return Strip(segments, width)
        return Strip(segments).adjust_cell_length(width, base)  # spaces at the end of a line run past the edge

    def _text_segments(self, line: _Line, text: str, decoration: Decoration, is_current: bool) -> list[Segment]:
        """The line's text, split where highlights begin and end (annotations, decorations, then the overlay)."""
        start, end = line.start, line.end
        offer = (decoration.offer,) if is_current and decoration.offer is not None else ()
        layers = (*decoration.highlights, *offer, *self._highlights.get(line.paragraph, ()), *self._overlay.get(line.paragraph, ()))
        highlights = [h for h in layers if h.start < end and h.end > start]
        if not highlights:
            return [Segment(display_text(text[start:end]), self._style())]
        cuts = {start, end}
        for highlight in highlights:
            cuts.add(max(start, highlight.start))
            cuts.add(min(end, highlight.end))
        points = sorted(cuts)
        segments = []
        for left, right in itertools.pairwise(points):
            covering = tuple(h.style for h in highlights if h.start <= left and h.end >= right)
            segments.append(Segment(display_text(text[left:right]), self._style(*covering)))
        return segments

    # ----------------------------------------------------------- decorations

    def set_decorator(self, decorator: Callable[[int], Decoration] | None) -> None:
        """`decorator(index)` gives a paragraph's decoration; asked only for paragraphs being drawn."""
        self._decorator = decorator
        self.redraw_decorations()

    def decoration(self, index: int) -> Decoration:
        if self._decorator is None or not 0 <= index < len(self.paragraphs):
            return NO_DECORATION
        key = (index, self._versions.get(index, 0))
        found = self._decorations.get(key)
        if found is None:
            found = self._decorator(index)
            self._decorations.set(key, found)
        return found

    def redraw_decorations(self) -> None:
        """Every paragraph's decoration is to be asked again (the registry or the annotations changed)."""
        self._decorations.clear()
        self._invalidate(redraw=True)

    def redraw_paragraph(self, index: int) -> None:
        """Paragraph `index`'s decoration, highlights or status changed: repaint only its rows."""
        self._versions[index] = self._versions.get(index, 0) + 1
        width = self.size.width
        rows = [y for y, line in enumerate(self._lines()) if line.paragraph == index and line.kind == "text"]
        for first, last in _runs(rows):
            self.refresh(Region(0, first, width, last - first + 1))

    def visible_paragraphs(self) -> range:
        """The indexes of the paragraphs with at least one row on screen."""
        lines = [line.paragraph for line in self._lines() if line.paragraph >= 0]
        return range(lines[0], lines[-1] + 1) if lines else range(0)

_NO_ROWS: list[_Line] = []


def _bar_row(lines: Sequence[_Line], current: int) -> int | None:
    """The row that carries the current paragraph's bar: its first text row on screen (its first row, unless scrolled past)."""
    for y, line in enumerate(lines):
        if line.paragraph == current and line.kind == "text":
            return y
    return None


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """[2, 3, 4, 7] → [(2, 4), (7, 7)]: consecutive rows as (first, last)."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _headings_before(paragraphs: tuple[Paragraph, ...], headings: tuple[str, ...]) -> dict[int, tuple[str, ...]]:
    """For each paragraph index that opens a section: the headings shown above it."""
    result: dict[int, tuple[str, ...]] = {}
    pointer = 0
    previous: str | None = None
    for index, paragraph in enumerate(paragraphs):
        section = paragraph.section
        if section is None or section == previous:
            continue
        shown: list[str] = []
        while pointer < len(headings):
            heading = headings[pointer]
            pointer += 1
            shown.append(heading)
            if heading == section:
                break
        result[index] = tuple(shown) or (section,)
        previous = section
    return result
