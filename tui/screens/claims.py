"""`C`: every claim of the database in one table — filter, sort, open, link, and see what links say of the grade.

The rows are the keeper's ledger (store/ledger.py), drawn by a `VirtualTable`
(only the rows on screen are drawn, so 100,000 claims cost what 40 do). The
ledger is read in a worker, newest report first: the first screen of rows is
shown as soon as the first reports are read, the rest follows, and the status
line says how far it is. A keystroke in the filter line asks the ledger for a
mask (a few milliseconds, see store/ledger.py) and redraws the table.

Below the table, the highlighted claim in full: where it is, who said it and
who carried it, its grade beside what its links suggest (and why), and its
links, which `tab` reaches: `e` (or enter) edits one, `d` removes it. `L`
links the claim to another (the picker ranks candidates from every report).
`enter` opens the report at the claim's paragraph with the claim highlighted;
`esc` there comes back here, to the same row. Every change goes through the
session (`tui.saving.attempt`) and shows at once; `u` undoes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store.corroboration import DIGIT_WORDS
from store.db import Change
from store.errors import ClaimdeskError
from store.ledger import COLUMNS, DESCENDING_FIRST, QUERY_HELP, Criteria, Ledger, LedgerKeeper, Refresh, Shown, Sort, parse_query
from store.model import CLAIM_TYPES, Credibility, Link
from store.session import Session
from tui.linking import edit_link, remove_link, start_link
from tui.navigation import navigator
from tui.saving import attempt
from tui.widgets.footer import Footer
from tui.widgets.lists import NavOptionList
from tui.widgets.virtual_table import Column, VirtualTable


class FilterInput(Input):
    """The filter line: an Input whose text never changes the layout of the screen.

    A stock Input sets its virtual size to its text's width at every key, and a widget's
    virtual size is declared with `layout=True`: every keystroke would lay the whole screen out
    and draw every widget again (some 8 ms of a 160×48 screen). This line has a fixed size and
    scrolls its text itself, so its virtual size needs no layout; the claims table is redrawn
    in the same frame instead (tests/pilot/test_claims.py checks a keystroke lays nothing out).
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


WIDE = 120
POLL_SECONDS = 5.0  # how often to look whether another analyst changed claims or links
PROGRESS_EVERY = 0.25  # seconds between two progress messages while the ledger is read
PREVIEW_WAIT = 1.0  # at most this long does reading wait for the first rows to be drawn

FULL = 160  # from this width every column shows
FULL_COLUMNS = (
    Column("date", "Date", 10),
    Column("report", "Report", 20),
    Column("paragraph", "¶", 4, "right", 3),
    Column("claimant", "Claimant", 16),
    Column("reported_by", "Reported by", 16),
    Column("type", "Type", 10),
    Column("grade", "Grade", 5),
    Column("links", "Links", 6),
    Column("suggested", "Sug", 3),
    Column("text", "Claim", 0, min_width=20),
)
WIDE_COLUMNS = (
    Column("date", "Date", 10),
    Column("paragraph", "¶", 4, "right", 3),
    Column("claimant", "Claimant", 12),
    Column("reported_by", "Reported by", 12),
    Column("type", "Type", 9),
    Column("grade", "Grade", 5),
    Column("links", "Links", 6),
    Column("suggested", "Sug", 3),
    Column("text", "Claim", 0, min_width=20),
)
NARROW_COLUMNS = (
    Column("paragraph", "¶", 3, "right", 3),
    Column("claimant", "Claimant", 11),
    Column("reported_by", "Reported by", 11),
    Column("grade", "Grade", 5),
    Column("links", "Links", 6),
    Column("text", "Claim", 0, min_width=16),
)


class ClaimsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", priority=True, id="claims.filter"),
        # In the filter line, enter goes back to the table at once (a priority key is handled in the order keys
        # arrive: `enter s` typed in one burst sorts; the line's own Submitted would arrive after the `s`).
        Binding("enter", "filter_done", "Back to the table", show=False, priority=True, id="claims.filter_done"),
        Binding("L", "link", "Link", id="claims.link"),
        Binding("s", "sort_next", "Sort", id="claims.sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="claims.sort_reverse"),
        Binding("r", "grade", "Grade", id="claims.grade"),
        Binding("tab", "toggle_focus", "Table/links", show=False, id="claims.toggle_focus"),
        Binding("e", "edit_link", "Edit link", show=False, id="claims.edit_link"),
        Binding("d", "delete_link", "Remove link", show=False, id="claims.delete_link"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        # esc clears the filter (from the filter line or the table) before it leaves the screen; the footer
        # and `?` show whichever of the two it does now (check_action turns the first off when there is none).
        Binding("escape", "clear_filter", "Clear filter", id="claims.clear_filter"),
        Binding("escape", "back", "Back", id="claims.back"),
        # While typing a filter, the arrows move through the claims it leaves.
        Binding("down", "move(1)", "Next claim", show=False, id="claims.filter_down"),
        Binding("up", "move(-1)", "Previous claim", show=False, id="claims.filter_up"),
    ]

    AUTO_FOCUS = "#claims-table"

    class Preview(Message):
        """The first reports are read: a small ledger to show while the rest is read (`painted` once drawn)."""

        def __init__(self, ledger: Ledger, painted: threading.Event) -> None:
            self.ledger = ledger
            self.painted = painted
            super().__init__()

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            self.done = done
            self.total = total
            super().__init__()

    class Built(Message):
        def __init__(self, ledger: Ledger | None, error: str | None = None) -> None:
            self.ledger = ledger
            self.error = error
            super().__init__()

    class Looked(Message):
        def __init__(self, refresh: Refresh | None, error: str | None = None) -> None:
            self.refresh = refresh
            self.error = error
            super().__init__()

    def __init__(self, session: Session, keeper: LedgerKeeper) -> None:
        super().__init__()
        self.session = session
        self.keeper = keeper
        self.ledger: Ledger | None = None  # what the table shows: the keeper's, or a preview while it is read
        self.criteria = Criteria()
        self.filter_text = ""
        self.sort = Sort()
        self.shown: Shown = Shown(0, None, [])
        self.reading: tuple[int, int] | None = None  # (reports read, reports) while the ledger is read
        self.shown_links: list[Link] = []
        self.detail_row: int | None = None  # what the detail below the table shows
        self.detail_ledger: Ledger | None = None
        self.detail_stale = False  # a change of ours: the same row may say something else now

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="claims-filter-row"):
            yield Label("Filter /", id="claims-filter-label")
            yield FilterInput(placeholder="words, actor:NAME, type:figure, grade:B3, since:2023-10, is:linked…", id="claims-filter",
                              compact=True)
        yield Static(id="claims-status")
        yield VirtualTable(id="claims-table")
        with Vertical(id="claims-detail"):
            yield Static(id="claims-detail-where")
            yield Static(id="claims-detail-claim")
            yield Static(id="claims-detail-grade")
            yield NavOptionList(id="claims-links", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "claimdesk — claims"
        table = self.query_one(VirtualTable)
        table.empty_text = "Reading claims…"
        self.on_resize()
        table.focus()
        # A watcher runs as the key changes the text, so the table is drawn in the same frame as the key;
        # Input.Changed would arrive after that frame, and the table a frame interval (some 17 ms) later.
        self.watch(self.query_one("#claims-filter", Input), "value", self.filter_changed, init=False)
        if self.keeper.ledger is not None:
            self.show_ledger(self.keeper.ledger)
            self.look_for_changes()
        else:
            self.reading = (0, 0)
            self.show_status()
            self.read_ledger()
        self.set_interval(POLL_SECONDS, self.look_for_changes)

    def on_resize(self) -> None:
        narrow = self.app.size.width < WIDE
        self.set_class(narrow, "-narrow")
        footer = self.query_one(Footer)
        footer.compact = narrow
        footer.show_command_palette = not narrow
        table = self.query_one(VirtualTable)
        width = self.app.size.width
        columns = NARROW_COLUMNS if narrow else FULL_COLUMNS if width >= FULL else WIDE_COLUMNS
        if table.columns != columns:
            table.set_columns(columns)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.query_one(VirtualTable).columns

    # -------------------------------------------------------------- reading

    @work(thread=True, exclusive=True, group="claims-ledger")
    def read_ledger(self) -> None:
        """Read every claim, newest report first; a preview of the first reports is posted before the rest."""
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY or done == total:
                last = now
                self.post_message(self.Progress(done, total))

        painted = threading.Event()

        def first(preview: Ledger) -> None:
            # Shown before the rest is read; reading waits until it is drawn, so as not to slow the first frame.
            self.post_message(self.Preview(preview, painted))
            painted.wait(PREVIEW_WAIT)

        try:
            ledger = self.keeper.build(first=first, progress=progress)
        except ClaimdeskError as error:
            self.post_message(self.Built(None, str(error)))
            return
        self.post_message(self.Built(ledger))

    def on_claims_screen_preview(self, message: Preview) -> None:
        if self.keeper.ledger is None:
            self.show_ledger(message.ledger)
        self.call_after_refresh(message.painted.set)

    def on_claims_screen_progress(self, message: Progress) -> None:
        if self.reading is not None:
            self.reading = (message.done, message.total)
            self.show_status()

    def on_claims_screen_built(self, message: Built) -> None:
        self.reading = None
        if message.ledger is None:
            self.notify(f"The claims could not be read: {message.error}", title="Claims", severity="error", markup=False)
            self.show_status()
            return
        self.keeper.adopt(message.ledger)
        for problem in message.ledger.problems[:3]:
            self.notify(problem, title="Claims", severity="warning", markup=False, timeout=10)
        self.show_ledger(message.ledger, keep=True)
        self.look_for_changes()  # what changed while it was read (a claim saved meanwhile)

    def look_for_changes(self) -> None:
        if self.keeper.ledger is not None and self.reading is None and self.is_current:
            self.look()

    @work(thread=True, exclusive=True, group="claims-look")
    def look(self) -> None:
        try:
            self.post_message(self.Looked(self.keeper.look()))
        except ClaimdeskError as error:
            self.post_message(self.Looked(None, str(error)))

    def on_claims_screen_looked(self, message: Looked) -> None:
        if message.refresh is None:
            self.notify(str(message.error), title="Claims", severity="error", markup=False)
            return
        if message.refresh.is_empty:
            self.keeper.apply_refresh(message.refresh)
            return
        self.keeper.apply_refresh(message.refresh)
        if self.keeper.needs_rebuild:
            self.reading = (0, 0)
            self.read_ledger()
        if self.keeper.ledger is not None:
            self.show_ledger(self.keeper.ledger, keep=True)

    def on_screen_resume(self) -> None:
        """Back from a report (or the actors screen): what was changed there shows here."""
        self.look_for_changes()

    # ---------------------------------------------------------------- showing

    def current_row(self) -> int | None:
        table = self.query_one(VirtualTable)
        if self.ledger is None or not self.shown.count or table.cursor >= self.shown.count:
            return None
        return self.shown[table.cursor]

    def show_ledger(self, ledger: Ledger, keep: bool = False) -> None:
        """Show `ledger` under the current filter and sort; `keep`: stay on the claim the cursor is on."""
        claim_id = None
        row = self.current_row() if keep else None
        if row is not None and self.ledger is not None:
            claim_id = self.ledger.ids[row]
        self.ledger = ledger
        self.detail_stale = True  # read again: what the same row says may have changed
        self.refilter(claim_id)
        self.query_one(VirtualTable).content_changed()  # a row of the same number may say something else now

    def refilter(self, claim_id: str | None = None, position: int | None = None) -> None:
        """Apply the filter and sort; the cursor goes to `claim_id` if shown, else to `position`, else the top."""
        ledger = self.ledger
        if ledger is None:
            return
        self.shown = ledger.shown(ledger.mask(self.criteria), self.sort)
        cursor = position or 0
        if claim_id is not None and claim_id in ledger.row_of:
            found = ledger.position(self.shown, ledger.row_of[claim_id], self.sort)
            if found is not None:
                cursor = found
        table = self.query_one(VirtualTable)
        table.empty_text = "Reading claims…" if self.reading is not None else (
            "No claim matches the filter" if ledger.size else "No claims yet: c in a report makes one")
        table.set_sort(self.sort.column, self.sort.descending)
        table.set_rows(self.shown.count, self.cells, self.row_key, self.row_style, cursor=cursor)
        self.show_status()
        if self.current_row() != self.detail_row or ledger is not self.detail_ledger or self.detail_stale:
            self.show_detail()  # now, not when the table's CursorMoved arrives: the same frame as the table

    def row_key(self, position: int) -> object:
        return self.shown[position]

    def row_style(self, position: int) -> str | None:
        ledger = self.ledger
        row = self.shown[position]
        if ledger is not None and ledger.disagree[row]:
            return "virtual-table--marked"
        return None

    def cells(self, position: int) -> list[str]:
        ledger = self.ledger
        assert ledger is not None
        row = self.shown[position]
        return [self.cell(ledger, row, column.key) for column in self.columns]

    @staticmethod
    def cell(ledger: Ledger, row: int, key: str) -> str:
        if key == "date":
            return ledger.report_of(row).date or "undated"
        if key == "report":
            return ledger.report_of(row).title
        if key == "paragraph":
            return str(ledger.paragraph[row])
        if key == "claimant":
            return ledger.actor_name(ledger.claimant[row]) or "—"
        if key == "reported_by":
            return ledger.actor_name(ledger.reported_by[row]) or "—"
        if key == "type":
            return ledger.type_name(row)
        if key == "grade":
            return ledger.grade_code(row) or "—"
        if key == "links":
            if ledger.partial:
                return "…"  # a preview: links are read with the rest
            if not ledger.link_count[row]:
                return ""
            return f"↔{ledger.confirming[row]}/{ledger.contradicting[row]}"
        if key == "suggested":
            digit = ledger.suggested[row]
            if not ledger.link_count[row]:
                return ""
            return f"{digit}≠" if ledger.disagree[row] else str(digit)
        if key == "text":
            return ledger.texts[row]
        return ""

    def show_status(self) -> None:
        ledger = self.ledger
        status = Text(no_wrap=True, overflow="ellipsis")
        total = len(ledger) if ledger is not None else 0
        if ledger is None:
            status.append(" reading claims…", style="dim")
        else:
            status.append(f" {self.shown.count:,} of {total:,} claims", style="bold")
            if self.filter_text.strip():
                status.append(f" · filter “{self.filter_text.strip()}”")
            if self.sort != Sort():
                status.append(f" · sorted by {COLUMNS[self.sort.column]} {'▼' if self.sort.descending else '▲'}", style="dim")
        if self.reading is not None:
            done, count = self.reading
            status.append(f" · reading reports {done:,}/{count:,}…" if count else " · reading reports…", style="italic")
        if self.criteria.problems:
            status.append(" · " + "; ".join(self.criteria.problems), style="bold")
        elif self.filter_focused and not self.filter_text:
            status = Text(" " + QUERY_HELP, no_wrap=True, overflow="ellipsis", style="dim")
        self.query_one("#claims-status", Static).update(status, layout=False)

    @on(VirtualTable.CursorMoved, "#claims-table")
    def cursor_moved(self) -> None:
        if self.current_row() != self.detail_row or self.ledger is not self.detail_ledger:
            self.show_detail()

    def show_detail(self) -> None:
        """The highlighted claim in full: where, its text, who, its grade beside what its links suggest, its links."""
        ledger = self.ledger
        row = self.current_row()
        self.detail_row, self.detail_ledger, self.detail_stale = row, ledger, False
        where = self.query_one("#claims-detail-where", Static)
        claim = self.query_one("#claims-detail-claim", Static)
        grading = self.query_one("#claims-detail-grade", Static)
        links = self.query_one("#claims-links", OptionList)
        was = links.highlighted
        before = self.shown_links
        self.shown_links = []
        if ledger is None or row is None:
            if before:
                links.clear_options()
            where.update(Text("No claim here." if ledger is not None else "", style="dim"), layout=False)
            claim.update("", layout=False)
            grading.update("", layout=False)
            return
        facts = ledger.report_of(row)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"¶{ledger.paragraph[row]} ", style="bold")
        line.append(f"{facts.title} · {facts.date or 'undated'} · {CLAIM_TYPES.get(ledger.type_name(row), 'other')}")
        line.append(f" · by {ledger.reviewers[ledger.reviewer[row]] or '?'}", style="dim")
        if not ledger.is_current(row):
            line.append(" · on an older revision of the report", style="italic")
        if row in ledger.orphaned:
            line.append(" · orphaned: the report's new revision could not place it (¶ is where it was)", style="bold")
        where.update(line, layout=False)  # every part of the detail has a fixed height: no layout on a keystroke
        claim.update(Text(" ".join(ledger.texts[row].split()), overflow="ellipsis"), layout=False)
        text = Text()
        claimant, outlet = ledger.actor_name(ledger.claimant[row]), ledger.actor_name(ledger.reported_by[row])
        text.append(f"claimant: {claimant or '—'} · reported by: {outlet or '—'} · ")
        grade = ledger.grade_code(row)
        text.append(f"grade {grade}" if grade else "not graded", style="bold")
        counted = ledger.corroboration(row) if ledger.link_count[row] else None
        if counted is not None:
            digit = counted.suggested
            text.append(f" · links suggest {digit} ({DIGIT_WORDS[digit]}): ")
            text.append(counted.reason(ledger.outlet_name))
            if ledger.disagree[row]:
                text.append(f"  ≠ graded {ledger.credibility[row]}", style="bold reverse")
        else:
            text.append(" · no links", style="dim")
        grading.update(text, layout=False)
        if counted is None:
            if before:
                links.clear_options()  # (a list left empty stays as it is: no work on most keystrokes)
            return
        links.clear_options()
        for view in counted.links:
            link = view.link
            other = view.other
            self.shown_links.append(link)
            line = Text(overflow="ellipsis", no_wrap=True)
            line.append(f"{'→' if link.from_claim == ledger.ids[row] else '←'} {link.relation} ", style="bold")
            if other is None:
                line.append("(a claim no longer there)", style="italic")
            else:
                other_row = ledger.row_of[other.claim_id]
                line.append("“" + " ".join(ledger.texts[other_row].split()) + "”")
                here = f"¶{ledger.paragraph[other_row]}"
                if ledger.row_report[other_row] != ledger.row_report[row]:
                    here = f"{ledger.report_of(other_row).title} {here}"
                line.append(f" ({here})", style="dim")
            if view.why_not:
                line.append(f" · not counted: {view.why_not}", style="dim italic")
            if link.note:
                line.append(f" · note: {' '.join(link.note.split())}", style="italic")
            links.add_option(Option(line, id=link.id))
        if self.shown_links and self.focused is links:
            links.highlighted = min(was or 0, len(self.shown_links) - 1)  # redrawn after an edit: stay on the link

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#claims-filter", Input))  # at once: what is typed right after `/` lands in it
        self.show_status()

    def filter_changed(self, value: str) -> None:
        """The filter line changed (watching its value: the table is redrawn in the frame that shows the key)."""
        self.filter_text = value
        self.criteria = parse_query(value)
        self.refilter()

    def action_filter_done(self) -> None:
        self.set_focus(self.query_one(VirtualTable))
        self.show_status()

    def action_clear_filter(self) -> None:
        """esc with a filter: every claim again, and the table to move in (enter keeps the filter instead)."""
        self.query_one("#claims-filter", Input).value = ""
        self.action_filter_done()
        self.refresh_bindings()  # from the table the focus stays: the footer's esc says "Back" again

    @property
    def filter_focused(self) -> bool:
        """Is the filter line focused? (`has_focus` follows a moment later, with the Focus event.)"""
        return self.focused is self.query_one("#claims-filter", Input)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("move", "filter", "filter_done", "clear_filter", "edit_link", "delete_link"):
            return True
        # Asked by the footer too, also while the screen is being built or taken down: no filter line, no such key.
        filter_input = next(iter(self.query("#claims-filter").results(Input)), None)
        if filter_input is None:
            return False
        in_filter = self.focused is filter_input
        links = next(iter(self.query("#claims-links").results(OptionList)), None)
        if action == "move":
            return in_filter
        if action == "filter":
            return not in_filter  # `/` is a character there
        if action == "filter_done":
            return in_filter
        if action == "clear_filter":  # from the links, esc first goes back to the table
            return in_filter or (bool(filter_input.value) and (links is None or self.focused is not links))
        return links is not None and self.focused is links  # edit_link, delete_link

    def action_move(self, step: int) -> None:
        self.query_one(VirtualTable).action_move(step)

    # ------------------------------------------------------------------ sort

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.columns]
        column = keys[(keys.index(self.sort.column) + 1) % len(keys)] if self.sort.column in keys else keys[0]
        self.sort_by(column, column in DESCENDING_FIRST)

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort.column, not self.sort.descending)

    @on(VirtualTable.HeaderClicked, "#claims-table")
    def header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        if event.key == self.sort.column:
            self.action_sort_reverse()
        else:
            self.sort_by(event.key, event.key in DESCENDING_FIRST)

    def sort_by(self, column: str, descending: bool) -> None:
        row = self.current_row()
        claim_id = self.ledger.ids[row] if row is not None and self.ledger is not None else None
        self.sort = Sort(column, descending)
        self.refilter(claim_id)

    # ------------------------------------------------------------------ open

    @on(VirtualTable.Chosen, "#claims-table")
    def open_claim(self) -> None:
        ledger, row = self.ledger, self.current_row()
        if ledger is None or row is None:
            return
        facts = ledger.report_of(row)
        if row in ledger.orphaned:
            self.notify("This claim is orphaned: the report's new revision could not place it; it opens where it was",
                        title="Claims", markup=False, timeout=6)
        elif not ledger.is_current(row):
            self.notify("This claim was made on an older revision of the report: it opens at the same paragraph number "
                        "of the current text", title="Claims", markup=False, timeout=6)
        navigator(self).open_report(facts.id, ledger.paragraph[row], ledger.ids[row])

    # ----------------------------------------------------------------- links

    def action_link(self) -> None:
        ledger, row = self.ledger, self.current_row()
        if ledger is None or row is None:
            self.notify("No claim here to link", severity="warning", markup=False, timeout=3)
            return
        try:
            source = self.session.annotation(ledger.report_of(row).id, ledger.ids[row])
        except ClaimdeskError as error:
            self.notify(str(error), title="Link", severity="warning", markup=False)
            return
        start_link(self, self.session, self.keeper, source,
                   lambda saved: self.changed(saved.change, f"Linked: {saved.value.relation} — u undoes"))

    def action_toggle_focus(self) -> None:
        links = self.query_one("#claims-links", OptionList)
        if self.focused is links or not self.shown_links:
            self.set_focus(self.query_one(VirtualTable))
        else:
            self.set_focus(links)
            if links.highlighted is None:
                links.highlighted = 0

    @property
    def highlighted_link(self) -> Link | None:
        links = self.query_one("#claims-links", OptionList)
        if links.highlighted is None or links.highlighted >= len(self.shown_links):
            return None
        return self.shown_links[links.highlighted]

    @on(OptionList.OptionSelected, "#claims-links")
    def link_selected(self) -> None:
        self.action_edit_link()

    def action_edit_link(self) -> None:
        link, ledger = self.highlighted_link, self.ledger
        if link is None or ledger is None:
            return
        about = f"{link.relation}: " + " → ".join(
            " ".join(ledger.texts[ledger.row_of[c]].split())[:60] if c in ledger.row_of else "(gone)"
            for c in (link.from_claim, link.to_claim)
        )
        edit_link(self, self.session, self.keeper, link, about,
                  lambda saved: self.changed(saved.change, f"Link edited: {saved.value.relation} — u undoes"))

    def action_delete_link(self) -> None:
        link = self.highlighted_link
        if link is None:
            return
        remove_link(self, self.session, self.keeper, link,
                    lambda saved: self.changed(saved.change, f"Link removed ({link.relation}) — u undoes"))

    # ----------------------------------------------------------------- grade

    def action_grade(self) -> None:
        ledger, row = self.ledger, self.current_row()
        if ledger is None or row is None:
            return
        try:
            target = self.session.annotation(ledger.report_of(row).id, ledger.ids[row])
        except ClaimdeskError as error:
            self.notify(str(error), title="Grade", severity="warning", markup=False)
            return
        subject = target.claim.text if target.claim else ""
        if ledger.link_count[row]:
            digit = ledger.suggested[row]
            subject += f" — links suggest {digit} ({DIGIT_WORDS[digit]})"

        def graded(grade: Credibility | None) -> None:
            if grade is None:
                return
            value = grade if grade.is_set else None
            if value == target.credibility:
                return
            attempt(self, self.session, "The credibility grade", lambda: self.session.grade(target, value),
                    lambda saved: self.changed(saved.change, f"Graded {grade.code}" if value else "Grade cleared"))

        from tui.dialogs.credibility_picker import CredibilityPicker

        self.app.push_screen(CredibilityPicker(target.credibility, subject), graded)

    # ---------------------------------------------------------- undo / redo

    def action_undo(self) -> None:
        self.step(self.session.undo, "Undone", "Nothing to undo", inverse=True)

    def action_redo(self) -> None:
        self.step(self.session.redo, "Redone", "Nothing to redo", inverse=False)

    def step(self, move: Callable[[], Change | None], verb: str, nothing: str, inverse: bool) -> None:
        def done(change: Change | None) -> None:
            if change is None:
                self.notify(nothing, markup=False, timeout=3)
                return
            # undo gives back the change it undid: what is stored now is each edit's `before`.
            self.keeper.apply(change.inverse() if inverse else change)
            self.changed(None, f"{verb}: {change.description}")

        attempt(self, self.session, verb, move, done)

    def changed(self, change: Change | None, message: str) -> None:
        """A change of ours is saved (and in the keeper's ledger): show it, on the same claim."""
        # (While a preview is shown the keeper has no ledger yet: the one being read, then looked over, will have it.)
        if self.ledger is not None:
            row = self.current_row()
            claim_id = self.ledger.ids[row] if row is not None else None
            position = self.query_one(VirtualTable).cursor
            self.detail_stale = True
            self.refilter(claim_id, position)
            self.query_one(VirtualTable).content_changed()
        self.notify(message, markup=False, timeout=4)

    # ------------------------------------------------------------------ back

    def action_back(self) -> None:
        """esc with no filter to clear (see action_clear_filter): from the links to the table, else leave."""
        if self.focused is self.links_list:
            self.set_focus(self.query_one(VirtualTable))
        else:
            self.dismiss()

    @property
    def links_list(self) -> OptionList:
        return self.query_one("#claims-links", OptionList)


__all__ = ["ClaimsScreen"]
