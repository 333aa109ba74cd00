"""The claimdesk App: settings, styles, the first screen and the global keys. Nothing else."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.screen import ModalScreen, Screen

from store.db import Database
from store.errors import ClaimdeskError
from store.session import Session
from store.workstate import WorkState
from tui.inert import InertText
from tui.keyflow import KeyDone, KeyFlow

if TYPE_CHECKING:
    from store.ledger import LedgerKeeper

_INERT = InertText()
_INPUT = (events.Key, events.MouseDown, events.MouseUp, events.Click, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


class ClaimdeskApp(App[None]):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["styles/app.tcss", "styles/claims.tcss"]
    TITLE = "claimdesk"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("A", "actors", "Actors", id="actors"),
        Binding("C", "claims", "Claims", id="claims"),
        Binding("e", "export", "Export", show=False, id="export"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="command_palette"),
    ]

    def __init__(
        self,
        session: Session,
        report_id: str | None = None,
        keymap: dict[str, str] | None = None,
        messages: list[str] | None = None,
        advance_after_review: bool = True,
        workstate: WorkState | None = None,
    ) -> None:
        super().__init__()
        self.start_messages = list(messages or ())
        self.key_flow = KeyFlow(self)  # keys one at a time, in order (tui/keyflow.py)
        self.session = session  # every screen reads and writes through it; it keeps the undo history
        self.start_report_id = report_id
        self.user_keymap = dict(keymap or {})
        self._ledger_keeper: LedgerKeeper | None = None  # the claims ledger, read the first time it is wanted
        self.advance_after_review = advance_after_review
        # This analyst's working state (where reports were left, drafts…), outside the database.
        self.workstate = workstate or WorkState(session.db.root, session.reviewer)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's keys (q, ?, A, C, e, the palette) wait while a screen holds the keys (the GRADE line)."""
        if getattr(self.screen, "holds_keys", False):
            return False
        return super().check_action(action, parameters)

    async def on_event(self, event: events.Event) -> None:
        """Keys one at a time, in the order typed, however fast they come (tui/keyflow.py).

        Before any key, click or paste is handled, a change the last key answered on screen but had not yet
        saved is saved (`tui.saving.Answered`): an undo, a move or a quit never overtakes it.
        """
        if isinstance(event, _INPUT) and not getattr(event, "is_forwarded", False):
            self.save_answered()
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.key_flow.must_wait(event):
                self.key_flow.wait(event)
                return
            target = self.focused or self.screen  # where Textual hands a key no priority binding takes
            await super().on_event(event)
            self.key_flow.handed(event, target)
            return
        await super().on_event(event)

    def on_key_done(self, message: KeyDone) -> None:
        message.stop()
        self.key_flow.done(message)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters (NO_COLOR…), then the guard that keeps control characters off the terminal."""
        return [*super().get_line_filters(), _INERT]

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
            self.call_after_refresh(self._report_keymap_conflicts)
        # Pushed once Textual's start-up batch is over: pushed inside it, the first screen would be
        # laid out and drawn once unseen, then drawn again (some 40 ms more before anything shows).
        self.call_later(self._open_first_screen)

    def _report_keymap_conflicts(self) -> None:
        """A `[keys]` table that gives one key two jobs: one line each, naming both (Textual would keep one silently)."""
        from tui.keymap_check import keymap_conflicts

        for line in keymap_conflicts(self.user_keymap, type(self)):
            self.notify(line, title="Keys", severity="warning", timeout=30, markup=False)

    def report_screen(self, report_id: str, paragraph_number: int | None = None, claim_id: str | None = None) -> Screen[None]:
        from tui.screens.report import ReportOptions, ReportScreen

        return ReportScreen(
            self.session, report_id, paragraph_number, self.workstate,
            ReportOptions(review_advances=self.advance_after_review), claim_id=claim_id,
        )

    def save_answered(self) -> None:
        """Save at once the changes screens have answered on screen and not yet saved (`tui.saving.Answered`)."""
        for screen in self.screen_stack:
            save = getattr(screen, "save_answered", None)
            if callable(save):
                save()

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Quit, once every change already answered on screen is saved."""
        self.save_answered()
        super().exit(result, return_code, message)

    def save_work_in_progress(self) -> None:
        """Write what screens hold unsaved (a draft being typed, where the analyst is), at once: a hang-up is coming."""
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_work", None)
            if callable(flush):
                flush()

    def _open_first_screen(self) -> None:
        if self.start_report_id is not None:
            # Only the report is built at start; `esc` builds the library when it is wanted.
            self.push_screen(self.report_screen(self.start_report_id))
        else:
            from tui.screens.library import LibraryScreen

            self.push_screen(LibraryScreen(self.session))
        for problem in self.session.db.problems:
            self.notify(problem, title="Database problem", severity="error", timeout=30, markup=False)
        for notice in self.session.db.notices:
            self.notify(notice, title="Database", timeout=15, markup=False)
        for message in self.start_messages:
            self.notify(message, title="Report", timeout=15, markup=False)
        self.call_after_refresh(_resume_garbage_collection)

    # ------------------------------------------------------------ navigation (tui.navigation.Navigator)

    def show_library(self) -> None:
        """Leave the current screen: back to the one under it, or to a new library when it is the first."""
        from tui.screens.library import LibraryScreen

        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.switch_screen(LibraryScreen(self.session))

    def open_report(self, report_id: str, paragraph_number: int | None = None, claim_id: str | None = None) -> None:
        """Open a report on top of the current screen, at a paragraph (1-based) if given, with a claim highlighted if given."""
        refreshed = self.session.refresh_from_source(report_id)  # a file changed since it was added: a new revision
        if refreshed is not None and refreshed[1] is not None:
            self.notify(f"New revision of the report — {refreshed[1].summary()}", title="Report", timeout=15, markup=False)
        try:
            screen = self.report_screen(report_id, paragraph_number, claim_id=claim_id)
        except ClaimdeskError as error:
            self.notify(str(error), title="Report", severity="error", markup=False)
            return
        self.push_screen(screen)

    def show_actors(self) -> None:
        self.action_actors()

    # Several analysts (issue 16): agreement between them, and adjudication of a report.

    def show_agreement(self) -> None:
        """How far reviewers agree, report by report (not over a dialog, not twice in a row)."""
        from tui.screens.agreement import AgreementScreen

        if isinstance(self.screen, (AgreementScreen, ModalScreen)):
            return
        self.push_screen(AgreementScreen(self.session))

    def open_adjudication(self, report_id: str, reviewers: tuple[str, ...] | None = None) -> None:
        """Adjudicate a report between `reviewers` (None: all who annotated it), on top of the current screen."""
        from tui.screens.adjudication import AdjudicationScreen

        if isinstance(self.screen, AdjudicationScreen) and self.screen.report_id == report_id:
            return  # already there (the palette offers it on every screen that shows a report)
        try:
            screen = AdjudicationScreen(self.session, report_id, reviewers)
        except ClaimdeskError as error:
            self.notify(str(error), title="Adjudication", severity="error", markup=False)
            return
        self.push_screen(screen)

    # ---- claims across reports (issue 15): the ledger, an actor's dossier --------------------------

    @property
    def ledger_keeper(self) -> LedgerKeeper:
        """The claims ledger every screen shares (the claims screen, the link picker), kept up to date by them."""
        if self._ledger_keeper is None:
            from store.ledger import LedgerKeeper

            self._ledger_keeper = LedgerKeeper(self.session.db)
        return self._ledger_keeper

    def open_claims(self) -> None:
        from tui.screens.claims import ClaimsScreen

        self.push_screen(ClaimsScreen(self.session, self.ledger_keeper))

    def action_claims(self) -> None:
        """Every claim of the database, from anywhere (not over a dialog, not twice in a row)."""
        from tui.screens.claims import ClaimsScreen

        if isinstance(self.screen, (ClaimsScreen, ModalScreen)):
            return
        self.open_claims()

    def show_dossier(self, actor_id: str) -> None:
        from tui.screens.dossier import DossierScreen

        self.push_screen(DossierScreen(self.session, actor_id))

    # ---- end of claims across reports ---------------------------------------------------------------

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
        self.push_screen(ActorsScreen(self.session))

    def action_export(self) -> None:
        """Ask for a format and a file (this report only, by default, from a report screen), then export."""
        from tui.dialogs.export_dialog import ExportDialog

        if isinstance(self.screen, ModalScreen):
            return
        report_id = getattr(self.screen, "report_id", None)
        report = self.session.db.find_report(report_id) if report_id else None
        last = self.workstate.last_export()
        dialog = ExportDialog(report_id, report.title if report else None, last=last)
        self.push_screen(dialog, self._export_chosen)

    def _export_chosen(self, choice) -> None:
        if choice is None:
            return
        self._remember_export(choice, failed=False)
        self.export_annotations(choice)

    def _remember_export(self, choice, failed: bool) -> None:
        """The folder and file of this export, offered next time (the whole path again if it failed)."""
        try:
            self.workstate.remember_export(
                str(choice.path.parent), str(choice.path), choice.format, choice.report_id or "*", failed=failed
            )
        except ClaimdeskError:
            pass  # remembering the folder is a convenience: the export itself goes on

    def action_command_palette(self) -> None:
        """The command palette, guarded against page keys before its first layout (tui/palette.py)."""
        from textual.command import CommandPalette

        from tui.palette import SafeCommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    @work(thread=True, group="export")
    def export_annotations(self, choice) -> None:
        """Write the export off the UI thread; only a notification comes back."""
        from tui.exporting import perform_export

        message, severity = perform_export(self.session.db.root, self.session.reviewer, choice)
        if severity == "error":
            self.call_from_thread(self._remember_export, choice, True)
        self.call_from_thread(self.notify, message, title="Export", severity=severity, timeout=12, markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Actors", "The actor registry: list, edit, merge, mentions (A)", self.action_actors)
        yield SystemCommand("Claims", "Every claim of every report: filter, sort, link, corroboration (C)", self.action_claims)
        yield SystemCommand("Export annotations", "JSONL, doccano, Prodigy, W3C, brat or CSV, to a file (e)", self.action_export)
        yield SystemCommand("Agreement", "How far reviewers agree, per report and pair; adjudicate from there", self.show_agreement)
        report_id = getattr(screen, "report_id", None)
        if isinstance(report_id, str):
            yield SystemCommand("Adjudicate this report", "Settle where its reviewers differ, into one agreed layer",
                                lambda: self.open_adjudication(report_id))


def _resume_garbage_collection() -> None:
    """After the first frame: the CLI paused the collector for start-up (see tui.cli._run_tui).

    What start-up built lives as long as the app, so it is frozen out of every later
    collection, which keeps them short. Tests start the app with the collector on: nothing to do.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def make_app(
    store: Database | Session,
    report_id: str | None = None,
    keymap: dict[str, str] | None = None,
    messages: list[str] | None = None,
    advance_after_review: bool = True,
    workstate: WorkState | None = None,
) -> ClaimdeskApp:
    """The one factory the CLI and the tests use (a Database gets a new session of its reviewer).

    `messages` are shown once the first screen is up (what opening did: a new revision carried over).
    """
    session = store if isinstance(store, Session) else Session(store)
    return ClaimdeskApp(
        session, report_id=report_id, keymap=keymap, messages=messages, advance_after_review=advance_after_review, workstate=workstate
    )
