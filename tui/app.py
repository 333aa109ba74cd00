"""The claimdesk App: settings, styles, the first screen and the global keys. Nothing else."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.screen import ModalScreen, Screen

from store.db import Database
from store.history import History
from tui.inert import InertText

_INERT = InertText()


class ClaimdeskApp(App[None]):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["styles/app.tcss"]
    TITLE = "claimdesk"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
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
        # Pushed once Textual's start-up batch is over: pushed inside it, the first screen would be
        # laid out and drawn once unseen, then drawn again (some 40 ms more before anything shows).
        self.call_later(self._open_first_screen)

    def _open_first_screen(self) -> None:
        if self.start_report_id is not None:
            # Only the report is built at start; `esc` builds the library when it is wanted.
            from tui.screens.report import ReportScreen

            self.push_screen(ReportScreen(self.db, self.start_report_id, self.history))
        else:
            from tui.screens.library import LibraryScreen

            self.push_screen(LibraryScreen(self.db, self.history))
        for problem in self.db.problems:
            self.notify(problem, title="Database problem", severity="error", timeout=30, markup=False)
        self.call_after_refresh(_resume_garbage_collection)

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

    def _export_chosen(self, choice) -> None:
        if choice is not None:
            self.export_annotations(choice)

    @work(thread=True, group="export")
    def export_annotations(self, choice) -> None:
        """Write the export off the UI thread; only a notification comes back."""
        from tui.dialogs.export_dialog import perform_export

        message, severity = perform_export(self.db.root, self.db.reviewer, choice)
        self.call_from_thread(self.notify, message, title="Export", severity=severity, timeout=12, markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Actors", "The actor registry: list, edit, merge, mentions (A)", self.action_actors)
        yield SystemCommand("Export annotations", "JSONL, doccano, Prodigy, W3C, brat or CSV, to a file (e)", self.action_export)


def _resume_garbage_collection() -> None:
    """After the first frame: the CLI paused the collector for start-up (see tui.cli._run_tui).

    What start-up built lives as long as the app, so it is frozen out of every later
    collection, which keeps them short. Tests start the app with the collector on: nothing to do.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def make_app(db: Database, report_id: str | None = None, keymap: dict[str, str] | None = None) -> ClaimdeskApp:
    """The one factory the CLI and the tests use."""
    return ClaimdeskApp(db, report_id=report_id, keymap=keymap)
