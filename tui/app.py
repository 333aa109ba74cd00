"""The claimdesk App: settings, styles, the first screen and the global keys. Nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import ModalScreen, Screen

from store.db import Database
from store.history import History
from tui.inert import InertText

_INERT = InertText()


class ClaimdeskApp(App[None]):
    CSS_PATH = ["styles/app.tcss"]
    TITLE = "claimdesk"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("A", "actors", "Actors", id="actors"),
        Binding("e", "export", "Export", show=False, id="export"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="command_palette"),
    ]

    def __init__(self, db: Database, report_id: str | None = None, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.db = db
        self.start_report_id = report_id
        self.user_keymap = dict(keymap or {})
        self.history = History()  # undo/redo of every change in this session, shared by all screens

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters (NO_COLOR…), then the guard that keeps control characters off the terminal."""
        return [*super().get_line_filters(), _INERT]

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        from tui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen(self.db, self.history))
        if self.start_report_id is not None:
            from tui.screens.report import ReportScreen

            self.push_screen(ReportScreen(self.db, self.start_report_id, self.history))
        for problem in self.db.problems:
            self.notify(problem, title="Database problem", severity="error", timeout=30, markup=False)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen, active_bindings_rows

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(active_bindings_rows(self)))

    def action_actors(self) -> None:
        """The actor registry, from anywhere (not over a dialog, not twice in a row)."""
        from tui.screens.actors import ActorsScreen

        if isinstance(self.screen, (ActorsScreen, ModalScreen)):
            return
        self.push_screen(ActorsScreen(self.db, self.history))

    def action_export(self) -> None:
        """Ask for a format and a file (this report only, by default, from a report screen), then export."""
        from tui.dialogs.export_dialog import ExportDialog

        if isinstance(self.screen, ModalScreen):
            return
        report_id = getattr(self.screen, "report_id", None)
        report = self.db.find_report(report_id) if report_id else None
        self.push_screen(ExportDialog(report_id, report.title if report else None), self._export_chosen)

    def _export_chosen(self, choice) -> None:  # noqa: ANN001 - ExportChoice | None
        if choice is not None:
            self.export_annotations(choice)

    @work(thread=True, group="export")
    def export_annotations(self, choice) -> None:  # noqa: ANN001 - ExportChoice
        """Write the export off the UI thread; only a notification comes back."""
        from tui.dialogs.export_dialog import perform_export

        message, severity = perform_export(self.db.root, self.db.reviewer, choice)
        self.call_from_thread(self.notify, message, title="Export", severity=severity, timeout=12, markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Actors", "The actor registry: list, edit, merge, mentions (A)", self.action_actors)
        yield SystemCommand("Export annotations", "JSONL, doccano, Prodigy, W3C, brat or CSV, to a file (e)", self.action_export)


def make_app(db: Database, report_id: str | None = None, keymap: dict[str, str] | None = None) -> ClaimdeskApp:
    """The one factory the CLI and the tests use."""
    return ClaimdeskApp(db, report_id=report_id, keymap=keymap)
