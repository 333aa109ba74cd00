"""One report: its paragraphs beside the annotation panel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header

from store.db import Database, OpenReport
from store.errors import StoreError
from store.model import Actor, Annotation, Kind, ParagraphStatus
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.paragraph_view import Highlight, ParagraphView

WIDE = 120  # at this width and above the panel sits beside the text


class ReportScreen(Screen[None]):
    BINDINGS = [
        Binding("tab", "toggle_focus", "Text/panel", id="toggle_focus"),
        Binding("p", "toggle_panel", "Panel", id="toggle_panel"),
        Binding("escape", "back", "Library", id="back_to_library"),
    ]

    panel_visible: reactive[bool] = reactive(True)

    def __init__(self, db: Database, report_id: str) -> None:
        super().__init__()
        self.db = db
        self.report_id = report_id
        self.opened: OpenReport = db.open_report(report_id)
        self.annotations: list[Annotation] = []
        self.actors: dict[str, Actor] = {}
        self.statuses: dict[int, ParagraphStatus] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="report-body"):
            yield ParagraphView(id="paragraphs")
            yield AnnotationPanel(id="panel")
        yield Footer()

    def on_mount(self) -> None:
        report = self.opened.report
        self.title = report.title
        facts = [report.date or "undated"]
        if report.dispatch_number:
            facts.append(f"Dispatch No. {report.dispatch_number}")
        self.sub_title = " · ".join(facts)
        view = self.query_one(ParagraphView)
        notes = {note.number: note.text for note in self.opened.parsed.footnotes}
        view.set_report(self.opened.paragraphs, self.opened.parsed.headings, notes)
        self.reload_annotations()
        view.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < WIDE, "-narrow")

    # ------------------------------------------------------------------ data

    def reload_annotations(self) -> None:
        """Read this report's annotations, status and the actors; push them down to the widgets."""
        try:
            self.annotations = [a for a in self.db.annotations(self.report_id) if a.revision == self.opened.report.revision]
            self.statuses = self.db.statuses(self.report_id)
            self.actors = {actor.id: actor for actor in self.db.actors()}
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        view = self.query_one(ParagraphView)
        view.set_statuses(self.statuses)
        view.set_highlights(
            [
                Highlight(a.paragraph - 1, a.span.start, a.span.end, f"paragraph-view--{a.kind.value}")
                for a in self.annotations
                if a.span is not None
            ]
        )
        self.show_panel()

    @property
    def current_paragraph(self) -> int:
        """The 1-based number of the current paragraph."""
        return self.query_one(ParagraphView).current + 1

    def show_panel(self) -> None:
        number = self.current_paragraph
        here = [a for a in self.annotations if a.paragraph == number]
        status = self.statuses.get(number, ParagraphStatus.UNREVIEWED)
        self.query_one(AnnotationPanel).show(number, status, here, self.actors)

    def on_paragraph_view_current_changed(self, message: ParagraphView.CurrentChanged) -> None:
        self.show_panel()

    # --------------------------------------------------------------- actions

    def action_toggle_focus(self) -> None:
        view = self.query_one(ParagraphView)
        if view.has_focus:
            if not self.panel_visible:
                self.panel_visible = True
            self.query_one("#annotation-list").focus()
        else:
            view.focus()

    def action_toggle_panel(self) -> None:
        self.panel_visible = not self.panel_visible

    def watch_panel_visible(self, visible: bool) -> None:
        self.set_class(not visible, "-panel-hidden")
        if not visible:
            self.query_one(ParagraphView).focus()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            from tui.screens.library import LibraryScreen

            self.app.switch_screen(LibraryScreen(self.db))

    def kinds_here(self) -> set[Kind]:
        return {a.kind for a in self.annotations if a.paragraph == self.current_paragraph}
