"""The library: every report in the database, with its progress (and who it is assigned to, when anyone is)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.widgets.data_table import ColumnKey

from store.errors import ClaimdeskError
from store.model import Progress, Report
from store.session import Session
from tui.navigation import navigator

ASSIGNED_WIDTH = 14


def progress_text(progress: Progress | None) -> Text:
    if progress is None:
        return Text("…", style="dim")
    done = progress.reviewed + progress.flagged
    bar_width = 10
    filled = round(bar_width * progress.fraction)
    text = Text()
    text.append("█" * filled + "░" * (bar_width - filled))
    text.append(f" {done}/{progress.total}")
    return text


class LibraryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_report", "Open", id="open_report"),
        Binding("r", "refresh", "Refresh", id="refresh_library"),
        Binding("j", "move_cursor(1)", "Next report", show=False, id="library.next"),
        Binding("k", "move_cursor(-1)", "Previous report", show=False, id="library.previous"),
        Binding("g", "cursor_edge(False)", "First report", show=False, id="library.first"),
        Binding("G", "cursor_edge(True)", "Last report", show=False, id="library.last"),
        Binding("m", "toggle_mine", "Mine", id="library.mine"),
    ]

    class ProgressLoaded(Message):
        """A worker measured one report's progress."""

        def __init__(self, report_id: str, progress: Progress) -> None:
            self.report_id = report_id
            self.progress = progress
            super().__init__()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.reports: list[Report] = []
        self.only_mine = False  # `m`: only the reports assigned to this reviewer
        self.assigned_column = False  # shown when some report is assigned to someone

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="library-empty")
        yield DataTable(id="library", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "claimdesk — library"
        self.sub_title = str(self.session.db.root)
        self.action_refresh()
        self.query_one(DataTable).focus()

    def add_columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Title", key="title", width=self._title_width())
        table.add_column("Date", key="date", width=10)
        table.add_column("¶", key="paragraphs", width=5)
        table.add_column("Progress", key="progress", width=18)
        if self.assigned_column:
            table.add_column("Assigned", key="assigned", width=ASSIGNED_WIDTH)

    def action_move_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + delta, table.row_count - 1)))

    def action_cursor_edge(self, last: bool) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1 if last else 0)

    def _title_width(self) -> int:
        return max(20, self.app.size.width - 10 - 5 - 18 - 12 - (ASSIGNED_WIDTH + 2 if self.assigned_column else 0))

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        column = table.columns.get(ColumnKey("title"))
        if column is not None and column.width != self._title_width():
            column.width = self._title_width()
            table.refresh()

    def action_refresh(self) -> None:
        table = self.query_one(DataTable)
        try:
            every = self.session.db.reports()
        except ClaimdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            every = []
        me = self.session.reviewer
        self.reports = [r for r in every if me in r.assignees] if self.only_mine else every
        self.assigned_column = any(r.assignees for r in every)
        self.add_columns()
        for report in self.reports:
            cells = [
                Text(report.title, overflow="ellipsis", no_wrap=True),
                Text(report.date or "—"),
                Text(str(report.paragraph_count), justify="right"),
                progress_text(None),
            ]
            if self.assigned_column:
                cells.append(Text(", ".join(report.assignees) or "—", overflow="ellipsis", no_wrap=True,
                                  style="" if report.assignees else "dim"))
            table.add_row(*cells, key=report.id)
        self.sub_title = f"assigned to {me}" if self.only_mine else str(self.session.db.root)
        empty = self.query_one("#library-empty", Static)
        empty.display = not self.reports
        if self.only_mine:
            empty.update(Text(f"No report is assigned to {me}. m shows every report; "
                              f"claimdesk assign REPORT --to {me} assigns one.", style="dim"))
        else:
            empty.update(Text("No reports yet. Add one with: claimdesk add FILE", style="dim"))
        self.load_progress()

    def action_toggle_mine(self) -> None:
        self.only_mine = not self.only_mine
        self.action_refresh()

    @work(thread=True, exclusive=True)
    def load_progress(self) -> None:
        """Progress reads each report's status: off the UI thread, reported back by message."""
        for report in list(self.reports):
            try:
                progress = self.session.db.progress(report)
            except ClaimdeskError:
                continue
            self.post_message(self.ProgressLoaded(report.id, progress))

    def on_library_screen_progress_loaded(self, message: ProgressLoaded) -> None:
        table = self.query_one(DataTable)
        if message.report_id in table.rows:
            table.update_cell(message.report_id, "progress", progress_text(message.progress))

    def action_open_report(self) -> None:
        table = self.query_one(DataTable)
        if not self.reports or table.cursor_row is None:
            return
        report_id = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        if report_id is not None:
            navigator(self).open_report(report_id)

    def on_screen_resume(self) -> None:
        if self.reports:
            self.load_progress()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_report()
