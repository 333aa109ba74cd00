"""The library: every report in the database, with its progress; found by a fuzzy filter, sorted, filtered by state.

A caseload runs to a thousand reports, so the library is a table to search:

* `/` filters by title, source file, regions, date and dispatch number (fuzzy,
  `store.matching.match_reports`); enter goes back to the table, esc clears it;
* `s` sorts by date (newest first), title or progress (least done first);
* `f` shows all reports, or only the unstarted, in progress, done or flagged ones;
* `m` shows only the reports assigned to this reviewer (an Assigned column
  appears when any report is assigned to anyone).

Progress counts reviewed paragraphs; flagged ones are shown apart (`⚑ 2`): a flag
is a question, not a review. It is read in a worker and arrives in batches.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.widgets.data_table import ColumnKey

from store.errors import ClaimdeskError
from store.model import Progress, Report
from store.session import Session
from store.text import clean_line
from tui.keys import hint
from tui.navigation import navigator
from tui.widgets.footer import Footer
from tui.widgets.tables import NavTable

ASSIGNED_WIDTH = 14
SORTS = ("date", "title", "progress")
FILTERS = ("all", "unstarted", "in progress", "done", "flagged")
BATCH = 50  # reports whose progress a worker message carries


def progress_text(progress: Progress | None) -> Text:
    if progress is None:
        return Text("…", style="dim")
    bar_width = 10
    filled = round(bar_width * progress.fraction)
    text = Text()
    text.append("█" * filled + "░" * (bar_width - filled))
    text.append(f" {progress.reviewed}/{progress.total}")
    if progress.flagged:
        text.append(f" ⚑{progress.flagged}", style="bold")
    return text


def state_of(progress: Progress) -> set[str]:
    """Which of the filters a report with this progress passes ("all" aside)."""
    states = set()
    if progress.reviewed == 0 and progress.flagged == 0:
        states.add("unstarted")
    elif progress.total and progress.reviewed >= progress.total:
        states.add("done")
    else:
        states.add("in progress")
    if progress.flagged:
        states.add("flagged")
    return states


class LibraryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_report", "Open", id="open_report"),
        # Priority, and focus moved at once: `/` and a query typed in one burst put the whole query in the filter.
        Binding("slash", "filter", "Filter", priority=True, id="library.filter"),
        Binding("s", "sort", "Sort", id="library.sort"),
        Binding("f", "show", "Show", id="library.show"),
        Binding("m", "toggle_mine", "Mine", id="library.mine"),
        Binding("r", "refresh", "Refresh", id="refresh_library"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
    ]

    class ProgressLoaded(Message):
        """A worker measured some reports' progress."""

        def __init__(self, progress: dict[str, Progress]) -> None:
            self.progress = progress
            super().__init__()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.reports: list[Report] = []
        self.progress: dict[str, Progress] = {}
        self.shown: list[Report] = []
        self.sort = "date"
        self.show_only = "all"
        self.only_mine = False  # `m`: only the reports assigned to this reviewer
        self.assigned_column = False  # shown when some report is assigned to someone

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="library-filter-row"):
            yield Label("/", id="library-filter-label")
            yield Input(placeholder="title, source, region or date (fuzzy) — enter to the list, esc clears", id="library-filter",
                        compact=True)
        yield Static(id="library-status")
        yield Static(id="library-empty")
        yield NavTable(id="library", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "claimdesk — library"
        self.sub_title = str(self.session.db.root)
        self.action_refresh()
        self.query_one(NavTable).focus()

    def add_columns(self) -> None:
        table = self.query_one(NavTable)
        table.clear(columns=True)
        table.add_column("Title", key="title", width=self._title_width())
        table.add_column("Date", key="date", width=10)
        table.add_column("¶", key="paragraphs", width=5)
        table.add_column("Progress", key="progress", width=20)
        if self.assigned_column:
            table.add_column("Assigned", key="assigned", width=ASSIGNED_WIDTH)

    def _title_width(self) -> int:
        return max(20, self.app.size.width - 10 - 5 - 20 - 12 - (ASSIGNED_WIDTH + 2 if self.assigned_column else 0))

    def on_resize(self) -> None:
        table = self.query_one(NavTable)
        column = table.columns.get(ColumnKey("title"))
        if column is not None and column.width != self._title_width():
            column.width = self._title_width()
            table.refresh()

    # ---------------------------------------------------------------- data

    def action_refresh(self) -> None:
        try:
            self.reports = self.session.db.reports()
        except ClaimdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            self.reports = []
        self.assigned_column = any(r.assignees for r in self.reports)
        self.add_columns()
        self.show_table()
        self.load_progress()

    @work(thread=True, exclusive=True)
    def load_progress(self) -> None:
        """Progress reads each report's marks: off the UI thread, reported back in batches by message."""
        batch: dict[str, Progress] = {}
        for report in list(self.reports):
            try:
                batch[report.id] = self.session.db.progress(report)
            except ClaimdeskError:
                continue
            if len(batch) >= BATCH:
                self.post_message(self.ProgressLoaded(batch))
                batch = {}
        if batch:
            self.post_message(self.ProgressLoaded(batch))

    def on_library_screen_progress_loaded(self, message: ProgressLoaded) -> None:
        self.progress.update(message.progress)
        if self.sort == "progress" or self.show_only != "all":
            self.show_table()  # the order or the selection depends on it
            return
        table = self.query_one(NavTable)
        for report_id, progress in message.progress.items():
            if report_id in table.rows:
                table.update_cell(report_id, "progress", progress_text(progress))

    # ------------------------------------------------------------- showing

    def chosen(self) -> list[Report]:
        """The reports the filter, the state shown and the sort leave, in order."""
        typed = self.query_one("#library-filter", Input).value
        reports = self.reports
        if self.only_mine:
            reports = [r for r in reports if self.session.reviewer in r.assignees]
        if typed.strip():
            from store.matching import match_reports  # the fuzzy matcher loads with the first filter typed

            reports = match_reports(typed, reports)
        if self.show_only != "all":
            reports = [r for r in reports if r.id in self.progress and self.show_only in state_of(self.progress[r.id])]
        if self.sort == "title":
            return sorted(reports, key=lambda r: (r.title.casefold(), r.id))
        if self.sort == "progress":
            def done(report: Report) -> tuple[float, str]:
                progress = self.progress.get(report.id)
                return (progress.fraction if progress else 2.0, report.title.casefold())

            return sorted(reports, key=done)
        return sorted(reports, key=lambda r: (r.date or "", r.added_at, r.id), reverse=True)

    def show_table(self) -> None:
        table = self.query_one(NavTable)
        selected = self.selected_id
        self.shown = self.chosen()
        table.clear()
        labels = _source_labels(self.reports)
        for report in self.shown:
            title = Text(overflow="ellipsis", no_wrap=True)
            if report.id in labels:  # the same title from several files (a PDF and its Word copy…): which this is, first
                title.append(f"[{labels[report.id]}] ", style="dim")
            title.append(report.title)
            cells = [
                title,
                Text(report.date or "—"),
                Text(str(report.paragraph_count), justify="right"),
                progress_text(self.progress.get(report.id)),
            ]
            if self.assigned_column:
                cells.append(Text(", ".join(report.assignees) or "—", overflow="ellipsis", no_wrap=True,
                                  style="" if report.assignees else "dim"))
            table.add_row(*cells, key=report.id)
        ids = [r.id for r in self.shown]
        if selected in ids:
            table.move_cursor(row=ids.index(selected), animate=False)
        me = self.session.reviewer
        self.sub_title = f"assigned to {me}" if self.only_mine else str(self.session.db.root)
        empty = self.query_one("#library-empty", Static)
        empty.display = not self.shown
        if self.only_mine and not any(me in r.assignees for r in self.reports):
            empty.update(Text(f"No report is assigned to {me}. {hint(self, ('library.mine', 'shows every report'))}; "
                              f"claimdesk assign REPORT --to {me} assigns one.", style="dim"))
        elif not self.reports:
            empty.update(Text("No reports yet. Add one with: claimdesk add FILE", style="dim"))
        else:
            empty.update(Text("No report matches: " + hint(self, ("library.clear", "clears the filter"), ("library.show", "shows others")),
                              style="dim"))
        self.show_status()

    def show_status(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {len(self.shown)} of {len(self.reports)} report{'s' if len(self.reports) != 1 else ''}", style="bold")
        line.append(f"  ·  sorted by {self.sort}{' (newest first)' if self.sort == 'date' else ''}")
        line.append(f"  ·  showing {self.show_only}")
        if self.show_only != "all" and len(self.progress) < len(self.reports):
            line.append(" (progress still loading)", style="dim")
        line.append("  ·  " + hint(self, ("library.filter", "filter"), ("library.sort", "sort"), ("library.show", "show")), style="dim")
        self.query_one("#library-status", Static).update(line)

    @property
    def selected_id(self) -> str | None:
        table = self.query_one(NavTable)
        if not self.shown or table.cursor_row is None or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row].id

    # --------------------------------------------------------------- keys

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.set_focus(self.query_one("#library-filter", Input))

    @on(Input.Changed, "#library-filter")
    def _filter_changed(self) -> None:
        self.show_table()

    @on(Input.Submitted, "#library-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.remove_class("-filtering")
        self.set_focus(self.query_one(NavTable))

    def action_clear_filter(self) -> None:
        field = self.query_one("#library-filter", Input)
        if field.value:
            field.value = ""
        self.remove_class("-filtering")
        self.set_focus(self.query_one(NavTable))

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.show_table()

    def action_toggle_mine(self) -> None:
        self.only_mine = not self.only_mine
        self.show_table()

    def action_show(self) -> None:
        self.show_only = FILTERS[(FILTERS.index(self.show_only) + 1) % len(FILTERS)]
        self.show_table()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "sort", "show", "toggle_mine", "refresh") and isinstance(self.focused, Input):
            return False  # characters there
        return True

    def action_open_report(self) -> None:
        table = self.query_one(NavTable)
        if not self.shown or table.cursor_row is None:
            return
        report_id = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        if report_id is not None:
            navigator(self).open_report(report_id)

    def on_screen_resume(self) -> None:
        if self.reports:
            self.load_progress()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_report()


def _source_labels(reports: list[Report]) -> dict[str, str]:
    """For reports that share a title: report id → what tells them apart (the file's format, else its name)."""
    by_title: dict[str, list[Report]] = {}
    for report in reports:
        by_title.setdefault(report.title, []).append(report)
    labels: dict[str, str] = {}
    for same in by_title.values():
        if len(same) < 2:
            continue
        formats = [PurePath(r.source).suffix.lstrip(".").lower() for r in same]
        distinct = len(set(formats)) == len(formats) and all(formats)
        for report, fmt in zip(same, formats, strict=True):
            labels[report.id] = fmt if distinct else clean_line(PurePath(report.source).name)
    return labels
