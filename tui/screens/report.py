"""One report: its paragraphs beside the annotation panel, and every annotating key.

The screen is where the session is called: widgets and dialogs post what the
analyst wants (a span, a claim draft, a grade) and the screen asks the session
to make it (saved at once, undoable), then applies what changed to what it
shows — no re-read of the report, so a key costs the same on a long report.
Every failure goes through `tui.saving.attempt`: a claim form reopens with what
was typed, a conflict shows both versions, any other change offers to retry.

Registry suggestions and claim candidates (`tui/screens/report_offers.py`) are
computed for the paragraphs drawn. What the analyst was doing — where they left
the report, suggestions they rejected, a claim half-typed — is kept in their
working state (`store/workstate.py`), outside the shared database.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import Reactive, reactive
from textual.widgets import Header, Input

from store.db import Change, Edit, OpenReport
from store.errors import ClaimdeskError, IntegrityError, StoreError
from store.model import Actor, ActorChoice, Annotation, Claim, Credibility, Kind, Link, Mark, Span
from store.offers import OfferBook
from store.session import Saved, Session
from store.workstate import WorkState
from tui import text_motion
from tui.keys import hint, in_arrival_order, key_for
from tui.navigation import navigator
from tui.saving import Answered, attempt
from tui.screens.report_offers import OfferActions
from tui.screens.report_orphans import OrphanActions
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.entry_list import EntryList
from tui.widgets.footer import Footer
from tui.widgets.grade_prompt import credibility_bindings, grade_line, reliability_bindings
from tui.widgets.paragraph_view import Highlight, ParagraphView
from tui.widgets.search_bar import SearchBar
from tui.widgets.selection import SELECTION_ACTIONS, SELECTION_BINDINGS, SpanSelector, SpanState
from tui.widgets.text_line import TextLine

if TYPE_CHECKING:
    from store.candidates import Candidate
    from tui.dialogs.claim_form import ClaimDraft
# Dialogs are imported where they open, not here: start-up imports only what the first screen shows.

WIDE = 120  # at this width and above the panel sits beside the text
POLL_SECONDS = 1.5  # how often to look whether another analyst changed this report
MAX_SEARCH_HITS = 10_000
DRAFT_SECONDS = 0.4  # a form's draft goes to disk this long after the last change (and at once on a hang-up)
POSITION_SECONDS = 2.0  # where the analyst is goes to disk at most this often (and on leaving)
PREPARE_AFTER = 0.015  # after a move, the panel prepares the likely next paragraphs this much later

# Screen keys that make no sense while a span is being selected (the selection keys are on then).
_OFF_WHILE_SELECTING = {
    "grade", "toggle_reviewed", "toggle_flagged", "next_unreviewed", "previous_unreviewed",
    "search", "goto", "next_hit", "previous_hit", "undo", "redo", "toggle_focus", "toggle_panel",
    "next_suggestion", "previous_suggestion", "accept_paragraph", "accept_everywhere", "reject_suggestion",
    "next_candidate", "previous_candidate", "claim_candidate", "reject_candidate", "panel_filter",
}
# Selection-mode keys beyond the motions: text objects, the search hit, a suggestion at the caret.
_SELECTION_ONLY = {"select_object", "select_hit"}
_GRADING_ONLY = {"reliability", "credibility", "grade_clear", "grade_save"}  # the GRADE line's keys


@dataclass(frozen=True)
class ReportOptions:
    """Settings of the report screen (from config.toml, through the app)."""

    review_advances: bool = True  # `space` marks reviewed, then moves to the next unreviewed paragraph


class ReportScreen(OfferActions, OrphanActions):
    BINDINGS: ClassVar[list[BindingType]] = in_arrival_order([
        Binding("v", "select_span", "Select", id="select_span"),
        # Every key here runs as it arrives (tui.keys.in_arrival_order): a burst keeps its order, and what
        # is typed right after a key that opens a form goes to the form, not to the text behind it.
        Binding("c", "claim", "Claim", id="claim"),
        Binding("a", "actor", "Actor", id="actor"),
        *SELECTION_BINDINGS,
        Binding("q", "select_object('quotation')", "Quotation", show=False, id="selection.quotation"),
        Binding("s", "select_object('sentence')", "Sentence", show=False, id="selection.sentence"),
        Binding("t", "select_object('clause')", "Clause", show=False, id="selection.clause"),
        Binding("n", "select_hit", "Search hit", show=False, id="selection.search_hit"),
        # Offers: registry suggestions and claim candidates (tui/screens/report_offers.py).
        Binding("y", "accept_suggestion", "Tag suggestion", show=False, id="suggestion.accept"),
        Binding("Y", "accept_paragraph", "Tag all in ¶", show=False, id="suggestion.accept_paragraph"),
        Binding("asterisk", "accept_everywhere", "Tag everywhere", show=False, id="suggestion.accept_report"),
        Binding("x", "reject_suggestion", "Reject suggestion", show=False, id="suggestion.reject"),
        Binding("semicolon", "next_suggestion", "Next suggestion", show=False, id="suggestion.next"),
        Binding("comma", "previous_suggestion", "Prev suggestion", show=False, id="suggestion.previous"),
        Binding("right_parenthesis", "next_candidate", "Next candidate", show=False, id="candidate.next"),
        Binding("left_parenthesis", "previous_candidate", "Prev candidate", show=False, id="candidate.previous"),
        Binding("enter", "claim_candidate", "Claim candidate", show=False, id="candidate.claim"),
        Binding("X", "reject_candidate", "Reject candidate", show=False, id="candidate.reject"),
        Binding("r", "grade", "Grade", id="grade"),
        # The GRADE line (`r`): on only while grading; the ids are the grade picker's, so one remap serves both.
        *reliability_bindings(),
        *credibility_bindings(),
        Binding("x,backspace,delete", "grade_clear", "Not graded", show=False, id="grading.clear"),
        Binding("enter", "grade_save", "Save grade", show=False, id="grading.save"),
        Binding("L", "link", "Link", show=False, id="link"),
        Binding("O", "needs_a_look", "Needs a look", show=False, id="needs_a_look"),
        Binding("space", "toggle_reviewed", "Reviewed", id="mark_reviewed"),
        Binding("exclamation_mark", "toggle_flagged", "Flag", show=False, id="flag"),
        Binding("right_curly_bracket", "next_unreviewed", "Next unreviewed ¶", show=False, id="next_unreviewed"),
        Binding("left_curly_bracket", "previous_unreviewed", "Prev unreviewed ¶", show=False, id="previous_unreviewed"),
        # `/` or `:` and what follows, typed in one burst, put the whole query in the search line.
        Binding("slash", "search", "Search", id="search"),
        Binding("colon", "goto", "Go to ¶", show=False, id="goto"),
        Binding("n", "next_hit", "Next hit", show=False, id="next_hit"),
        Binding("N", "previous_hit", "Prev hit", show=False, id="previous_hit"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        Binding("tab", "toggle_focus", "Text/panel", show=False, id="toggle_focus"),
        Binding("p", "toggle_panel", "Panel", show=False, id="toggle_panel"),
        Binding("m", "panel_filter", "Mine/all", show=False, id="panel_filter"),
        Binding("escape", "back", "Cancel / back", show=False, id="back_to_library"),
    ])

    panel_visible: reactive[bool] = reactive(True)
    # Textual's Screen repaints the whole screen when its subtitle changes (32 KB to the terminal at
    # 120x40); the Header, which shows it, watches it and repaints its own line.
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)

    def __init__(
        self,
        session: Session,
        report_id: str,
        paragraph_number: int | None = None,
        workstate: WorkState | None = None,
        options: ReportOptions | None = None,
        *,
        claim_id: str | None = None,
    ) -> None:
        super().__init__()
        self.claim_to_show = claim_id  # opened from the claims ledger: this claim is highlighted
        self.links: dict[str, list[Link]] = {}  # claim id → its links (to claims of any report)
        self._claim_lookup: Any = None  # tui.linking.ClaimLookup, made when a claim here has links
        self.session = session
        self.report_id = report_id
        self.opened: OpenReport = session.db.open_report(report_id)
        self.workstate = workstate or WorkState(session.db.root, session.reviewer)
        self.options = options or ReportOptions()
        if paragraph_number is None:
            paragraph_number = self.workstate.position(report_id)  # where this reviewer left it
        self.start_paragraph = paragraph_number  # 1-based: where to open (else the first paragraph)
        self.annotations: list[Annotation] = []  # this revision's, in reading order
        self.orphans: list[Annotation] = []  # the others: a new revision could not place them (`O`)
        self.placing: Annotation | None = None  # the orphan being placed
        self.grading: Annotation | None = None  # what the GRADE line is grading (`r`)
        self.grade_so_far = Credibility()
        self.grade_keys = (False, False)  # a letter, a digit pressed
        self.status_note = ""  # what the last grade did, on the status line until the analyst moves on or changes something else
        self._held: set[str] | None = None  # inside `drawing_once`: what is to be drawn when it ends
        self.answered = Answered()  # changes a key answered on screen, saved just after that frame
        self._leaving = False  # unmounted: a change saved now is not drawn
        self._preparing = False  # `prepare_next` is due (a timer set on a move, PREPARE_AFTER later)
        self._tally: list[int] | None = None  # [reviewed, flagged] paragraphs of this revision (None: count again)
        self.actors: dict[str, Actor] = {}
        self.marks: dict[int, Mark] = {}
        self.last_claim_id: str | None = None  # what `r` grades when the text has focus
        self.next_anchor: dict[int, int] = {}  # where `v` starts in a paragraph: after the last span
        self.search_query = ""
        self.hits: list[tuple[int, int, int]] = []  # (paragraph index, start, end)
        self.hit_index: int | None = None
        self.hit_taken: int | None = None  # the hit `v` last started a selection on
        self._load_error: str | None = None
        self.cursors: dict[int, list[int]] = {}
        self.book = OfferBook(
            self.opened.paragraphs,
            self.opened.report.revision,
            session.reviewer,
            (),
            (),
            self.workstate.rejected(report_id),
            outlet=self.opened.parsed.source,
        )
        self.show_all_reviewers = True  # the panel's filter: everyone's annotations, or mine only
        self._pending_draft: tuple[str, dict[str, Any]] | None = None
        self._position = paragraph_number or 1  # the 1-based paragraph the analyst is on (kept for leaving)
        self._draft_timer: Any = None
        self._position_written: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="report-body"):
            yield ParagraphView(id="paragraphs")
            yield AnnotationPanel(id="panel")
        yield SpanSelector(id="span-selector")
        yield SearchBar(id="search-bar")
        yield TextLine(id="report-status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.opened.report.title
        view = self.query_one(ParagraphView)
        notes = {note.number: note.text for note in self.opened.parsed.footnotes}
        view.set_report(self.opened.paragraphs, self.opened.parsed.headings, notes)
        if self.start_paragraph is not None:
            view.current = max(0, min(self.start_paragraph - 1, len(self.opened.paragraphs) - 1))
        self.reload_annotations()
        self.tell_about_orphans()
        if self.claim_to_show is not None:
            self.show_claim(self.claim_to_show)
        # A watcher runs as the key moves the text, so the panel and status line are drawn in the
        # same frame; a bubbling message would arrive after that frame, costing a second one.
        self.watch(view, "current", self.current_moved, init=False)
        self.watch(view, "count", lambda _count: self.show_progress(), init=False)
        view.focus()
        self.set_interval(POLL_SECONDS, self.poll_store)
        self.set_interval(POSITION_SECONDS, self._write_position)
        # Suggestions and candidates are drawn from the second frame on: the first shows the text at once.
        self.call_after_refresh(self._start_offers)

    def _start_offers(self) -> None:
        self.query_one(ParagraphView).set_decorator(self.decorate)
        self.call_after_refresh(self.offer_drafts)

    def on_unmount(self) -> None:
        self._leaving = True  # what is saved now is not drawn: the widgets are going
        self.flush_work()

    def flush_work(self) -> None:
        """Write what is pending at once (a change answered on screen, a draft being typed, where the analyst is): leaving, or a hang-up."""
        try:
            self.save_answered()
        finally:  # the draft and the place are written even if showing that save went wrong
            self._write_draft()
            self._write_position()

    def on_resize(self) -> None:
        narrow = self.size.width < WIDE
        self.set_class(narrow, "-narrow")
        # At 80 columns the full footer would cut off before `? Help` and `q Quit`.
        footer = self.query_one(Footer)
        footer.compact = narrow
        footer.show_command_palette = not narrow
        self.call_after_refresh(self.show_panel)  # its entries are wrapped to its width

    # ------------------------------------------------------------------ data

    def reload_annotations(self) -> None:
        """Read this report's annotations, marks and the actors; push them down to the widgets."""
        db = self.session.db
        try:
            every = db.annotations(self.report_id)
            self.annotations = [a for a in every if a.revision == self.opened.report.revision]
            self.set_orphans(every)
            self.marks = db.marks(self.report_id)
            self._tally = None
            self.actors = {actor.id: actor for actor in db.actors()}
            self.links = self.links_here(db.links())
        except StoreError as error:
            if str(error) != self._load_error:  # the poll would repeat it every 1.5 s
                self.notify(str(error), severity="error", markup=False)
            self._load_error = str(error)
            return
        self._load_error = None
        if self.book.actors != self.actors:
            self.book.set_actors(self.actors.values())
            self.book.set_annotations(self.annotations)
            self.redraw_offers()
        else:
            self._annotations_changed()
        self.show_marks()
        self.show_highlights()
        self.show_panel()
        self.show_progress()

    def _annotations_changed(self) -> None:
        """Tell the offer book; redraw the paragraphs whose offers changed."""
        before = {i: self.book.offers(i) for i in self.query_one(ParagraphView).visible_paragraphs()} if self.is_mounted else {}
        self.book.set_annotations(self.annotations)
        for index, offers in before.items():
            if self.book.offers(index) != offers:
                self.redraw_offers(index)

    def _tally_add(self, mark: Mark | None, number: int, sign: int) -> None:
        """Count a paragraph's mark in (1) or out (-1) of the reviewed and flagged totals, if they are counted."""
        if self._tally is not None and mark is not None and 1 <= number <= len(self.opened.paragraphs):
            self._tally[0] += sign * mark.reviewed
            self._tally[1] += sign * mark.flagged

    def show_marks(self) -> None:
        self.query_one(ParagraphView).set_statuses({n: m.status for n, m in self.marks.items()})

    def show_highlights(self, paragraphs: set[int] | None = None) -> None:
        """Every annotation's highlight; or only those of `paragraphs` (1-based numbers), redrawing those alone."""
        view = self.query_one(ParagraphView)
        if paragraphs is None:
            view.set_highlights([_highlight(a) for a in self.annotations if a.span is not None])
            return
        view.set_paragraph_highlights(
            {number - 1: [_highlight(a) for a in self.here(number) if a.span is not None] for number in paragraphs}
        )

    def apply(self, change: Change) -> None:
        """Show what a change of ours wrote (or undid) without reading the report again."""
        revision = self.opened.report.revision
        annotations_changed = actors_changed = False
        marked: set[int] = set()  # paragraphs whose marks changed
        redrawn: set[int] = set()  # paragraphs whose highlights changed (a grade or a note changes none)
        for edit in change.edits:
            if edit.entity == "link":
                self.apply_link(edit.key, Link.from_dict(edit.after) if edit.after else None)
            elif edit.entity == "actor":
                actors_changed = True
                if edit.after is None:
                    self.actors.pop(edit.key, None)
                else:
                    self.actors[edit.key] = Actor.from_dict(edit.after)
            elif edit.report_id != self.report_id:
                continue
            elif edit.entity == "mark":
                number = int(edit.key)
                self._tally_add(self.marks.get(number), number, -1)
                if edit.after is None:
                    self.marks.pop(number, None)
                else:
                    self.marks[number] = Mark.from_dict(edit.after)
                self._tally_add(self.marks.get(number), number, 1)
                marked.add(number)
            elif edit.entity == "annotation":
                self._forget_annotation(edit.key, edit.before)
                self.orphan_changed(edit.key, edit.after)
                redrawn |= _highlighted_paragraphs(edit, revision)
                annotations_changed = annotations_changed or _offers_see(edit.before, revision) != _offers_see(edit.after, revision)
                if edit.after is not None and edit.after.get("revision") == revision:
                    added = Annotation.from_dict(edit.after)
                    bisect.insort(self.annotations, added, key=_reading_order)
        if actors_changed:
            self.book.set_actors(self.actors.values())
            self.book.set_annotations(self.annotations)
            self.redraw_offers()
        elif annotations_changed:
            self._annotations_changed()
        view = self.query_one(ParagraphView)
        for number in marked:  # one paragraph's mark: not every mark of a long report compared again
            view.set_status(number, self.marks[number].status if number in self.marks else None)
        if redrawn:
            self.show_highlights(redrawn)
        self.show_panel()
        self.show_progress()

    def _forget_annotation(self, annotation_id: str, before: dict[str, Any] | None) -> None:
        """Take an annotation out of the reading-ordered list: found in its paragraph's stretch, else by a scan."""
        number = before.get("paragraph") if before else None
        if isinstance(number, int):
            start = bisect.bisect_left(self.annotations, number, key=lambda a: a.paragraph)
            end = bisect.bisect_right(self.annotations, number, lo=start, key=lambda a: a.paragraph)
            for index in range(start, end):
                if self.annotations[index].id == annotation_id:
                    del self.annotations[index]
                    return
        self.annotations = [a for a in self.annotations if a.id != annotation_id]

    def poll_store(self) -> None:
        """Another analyst may have changed this report: a cheap stat, then a reload only if so."""
        if self.session.db.report_changed(self.report_id):
            self.reload_annotations()

    def on_screen_resume(self) -> None:
        """Back from another screen: the actors screen may have renamed or merged actors."""
        if not self.is_mounted:
            return
        try:
            actors = {actor.id: actor for actor in self.session.db.actors()}
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if actors != self.actors:
            self.reload_annotations()

    @property
    def current_index(self) -> int:
        return self.query_one(ParagraphView).current

    @property
    def current_paragraph(self) -> int:
        """The 1-based number of the current paragraph."""
        return self.current_index + 1

    def paragraph_text(self, index: int) -> str:
        return self.opened.paragraphs[index].text

    def here(self, number: int) -> list[Annotation]:
        """The annotations of paragraph `number` (1-based), found by bisection in reading order."""
        start = bisect.bisect_left(self.annotations, number, key=lambda a: a.paragraph)
        end = bisect.bisect_right(self.annotations, number, lo=start, key=lambda a: a.paragraph)
        return self.annotations[start:end]

    @contextlib.contextmanager
    def drawing_once(self) -> Iterator[None]:
        """Within: the panel and the status line are drawn once, at the end, however many steps ask for them.

        A saved change is shown and may then move on (`space`): drawing both steps costs a frame's worth.
        """
        if self._held is not None:
            yield
            return
        self._held = set()
        try:
            yield
        finally:
            held, self._held = self._held, None
            if "panel" in held:
                self.show_panel()
            if "progress" in held:
                self.show_progress()

    def show_panel(self) -> None:
        if self._held is not None:
            self._held.add("panel")
            return
        number = self.current_paragraph
        here = self.listed(number)
        self.query_one(AnnotationPanel).show(
            number,
            self.marks.get(number),
            here,
            self.actors,
            self.link_lines(here),
            reviewer=self.session.reviewer,
            mine_only=not self.show_all_reviewers,
        )
        if not self._preparing:  # a moment after the frame: asked for in this frame's messages, it would delay the frame
            self._preparing = True
            self.set_timer(PREPARE_AFTER, self.prepare_next, name="prepare the next paragraphs")

    def listed(self, number: int) -> list[Annotation]:
        """The annotations of paragraph `number` the panel lists (everyone's, or the analyst's own: `m`)."""
        here = self.here(number)
        return here if self.show_all_reviewers else [a for a in here if a.reviewer == self.session.reviewer]

    def prepare_next(self) -> None:
        """A moment after a move: have the panel wrap and draw the paragraphs `j`, `k` and `space` go to next.

        On a heavily annotated report that is a fifth of the next key's work; it takes about a millisecond, in
        the pause an analyst leaves between keys (a burst of keys finds what is prepared, or does the work itself).
        """
        self._preparing = False
        if not self.is_current or not self.opened.paragraphs or self.grading is not None:
            return
        index = self.current_index
        after = self._unreviewed(range(index + 1, len(self.opened.paragraphs)))
        panel = self.query_one(AnnotationPanel)
        for number in dict.fromkeys(n + 1 for n in (index + 1, after, index - 1) if n is not None and 0 <= n < len(self.opened.paragraphs)):
            here = self.listed(number)
            try:
                if here:
                    panel.prepare(here, self.actors, self.link_lines(here), reviewer=self.session.reviewer)
            except StoreError:
                return  # a linked report that cannot be read: said when that paragraph is shown, not ahead of it

    def show_progress(self) -> None:
        if self._held is not None:
            self._held.add("progress")
            return
        if self.grading is not None:
            self.show_grade()  # the status line is the GRADE line until the grade is given
            return
        report = self.opened.report
        total = len(self.opened.paragraphs)
        if self._tally is None:  # counted once; kept up to date as marks change (a long report has thousands)
            marks = [m for n, m in self.marks.items() if 1 <= n <= total]
            self._tally = [sum(m.reviewed for m in marks), sum(m.flagged for m in marks)]
        reviewed, flagged = self._tally
        progress = f"{reviewed}/{total} reviewed" + (f" · {flagged} flagged" if flagged else "")
        facts = [report.date or "undated"]
        if report.dispatch_number:
            facts.append(f"Dispatch No. {report.dispatch_number}")
        subtitle = " · ".join(facts)  # the progress is on the status line: a subtitle that changes costs the header a frame
        if subtitle != self.sub_title:
            self.sub_title = subtitle
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append(f" ¶ {self.current_paragraph}/{total}", style="bold")
        if self.placing is not None:  # first: the rest may not fit
            status.append("  " + self.placing_words() + " ", style="bold reverse")
        count = self.query_one(ParagraphView).count
        if count:
            status.append(f"  {count}…", style="reverse")
        if self.status_note:  # early in the line: a toast covers its right end for a few seconds
            status.append(f"  ·  ✓ {self.status_note}", style="bold")
        status.append(f"  ·  {progress}")
        status.append("  ·  " + " · ".join(facts), style="dim")
        if self.search_query:
            status.append("  ·  search “")
            status.append(self.search_query)
            status.append("” ")
            if not self.hits:
                status.append("no hits")
            elif self.hit_index is None:
                status.append(f"{len(self.hits)} hits")
            else:
                status.append(f"{self.hit_index + 1}/{len(self.hits)}")
        if self.orphans and self.placing is None:
            status.append("  ·  " + self.orphan_words(), style="bold")
        self.query_one("#report-status", TextLine).update(status)  # one line, fixed height

    def current_moved(self, index: int) -> None:
        """The analyst moved to paragraph `index` (watching `ParagraphView.current`)."""
        self.status_note = ""
        state = self.query_one(SpanSelector).state
        if self.selecting and state is not None and state.paragraph != index:
            self.end_selection()  # a span lies within one paragraph: moving away cancels it
        self.show_panel()
        self.show_progress()
        self._position = index + 1  # written a moment later by an interval, and when leaving (never on the key itself)

    def _write_position(self) -> None:
        if not self.opened.paragraphs or self._position == self._position_written:
            return
        self._position_written = self._position
        try:
            self.workstate.set_position(self.report_id, self._position)
        except StoreError:
            pass  # where the analyst was is a convenience: never an error on every move

    # -------------------------------------------------------------- saving

    def attempt(
        self,
        what: str,
        operation: Callable[[], Saved[Any]],
        message: str | Callable[[Saved[Any]], str] | None = None,
        reopen: Callable[[str], None] | None = None,
        after: Callable[[Saved[Any]], None] | None = None,
        *,
        after_frame: bool = False,
    ) -> None:
        """Ask the session for a change; show it when saved (`tui.saving.attempt` handles every failure).

        `after_frame`: the key's answer is on screen already (`space` moved on); the save follows that frame
        (`tui.saving.Answered`), and only then is the change shown as saved.
        """

        def done(saved: Saved[Any]) -> None:
            if self._leaving:
                return
            self.status_note = ""  # it said what the change before this one did (a grade sets it again below)
            with self.drawing_once():
                self.apply(saved.change)
                text = message(saved) if callable(message) else message
                if text:
                    self.notify(text, markup=False, timeout=4)
                if after is not None:
                    after(saved)

        def save() -> None:
            attempt(
                self, self.session, what, operation, done,
                reopen=reopen, reload=self.take_stored, refused=self.show_existing, actor_name=self.actor_name,
            )

        if after_frame:
            self.answered.add(self, save)
        else:
            save()

    def take_stored(self) -> None:
        """"Take theirs" in a conflict: what is stored is shown again, and nothing of mine is said to be saved."""
        self.status_note = ""
        self.reload_annotations()

    def save_answered(self) -> None:
        """Save at once what a key answered on screen before saving it (the app asks before the next input)."""
        self.answered.save_now()

    def show_existing(self, error: IntegrityError) -> None:
        """A rule pointed at an annotation already there ("already tagged"): highlight it in the panel."""
        existing = next((a for a in self.annotations if a.id == error.existing_id), None)
        if existing is None:
            return
        view = self.query_one(ParagraphView)
        if view.current != existing.paragraph - 1:
            view.move_to(existing.paragraph - 1)
        self.query_one(AnnotationPanel).select(existing.id)

    # --------------------------------------------------------- selection mode

    @property
    def selecting(self) -> bool:
        return self.has_class("-selecting")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _GRADING_ONLY or self.grading is not None:
            return self.grading is not None and (action in _GRADING_ONLY or action == "back")
        try:
            view = self.query_one(ParagraphView)  # kept by Textual between changes of the DOM: `query` would walk it on every key
        except NoMatches:
            return False  # asked by the footer too, while the screen is built or taken down
        if action == "move" and parameters == ("line_start",) and view.count:
            return False  # `0` after a digit is part of the count (`10e`), not the line start
        if action in ("confirm_claim", "confirm_place"):
            return self.selecting and (self.placing is not None) == (action == "confirm_place")
        if action in SELECTION_ACTIONS or action in _SELECTION_ONLY:
            return self.selecting
        if isinstance(self.focused, Input):
            return False  # the search line has the keys (these bindings would run before it)
        if action == "claim_candidate" and self.focused is not view:
            return False  # enter in the panel edits the highlighted annotation
        if self.selecting and action in _OFF_WHILE_SELECTING:
            return self.placing is not None and action in ("search", "goto")  # placing: find its words first
        return True

    def action_select_span(self) -> None:
        """`v`: select a span of the current paragraph; in selection mode, start the span again at the cursor."""
        selector = self.query_one(SpanSelector)
        if self.selecting:
            selector.restart()
            return
        index = self.current_index
        text = self.paragraph_text(index)
        if not text.strip():
            self.app.bell()
            return
        if self.hit_index is not None and self.hit_index != self.hit_taken and self.hits[self.hit_index][0] == index:
            _, start, end = self.hits[self.hit_index]  # what was searched for is usually what to annotate
            self.hit_taken = self.hit_index  # once: the next `v` goes on after the span
            self.begin_selection(index, start, end)
            return
        anchor = self.next_anchor.get(index, 0)
        if anchor >= len(text):
            anchor = 0
        self.begin_selection(index, anchor)

    def begin_selection(self, index: int, anchor: int, caret: int | None = None) -> None:
        view = self.query_one(ParagraphView)
        if view.current != index:
            view.move_to(index)
        self.add_class("-selecting")
        self.query_one(SpanSelector).begin(index, self.paragraph_text(index), anchor, caret)
        self.set_focus(view)
        self.refresh_bindings()

    def end_selection(self) -> None:
        self.remove_class("-selecting")
        self.query_one(SpanSelector).clear()
        self.draw_overlay(None)
        self.refresh_bindings()

    def action_move(self, motion: str) -> None:
        """A motion of the caret, as many times as the count typed before it (`3e`)."""
        selector = self.query_one(SpanSelector)
        moved = False
        for _ in range(self.query_one(ParagraphView).take_count()):
            if not selector.move(motion):
                break
            moved = True
        if not moved:
            self.app.bell()

    def action_select_object(self, kind: str) -> None:
        """`q` the quotation, `s` the sentence, `t` the clause around the caret; again: the next one too."""
        selector = self.query_one(SpanSelector)
        state = selector.state
        if state is None:
            return
        text = self.paragraph_text(state.paragraph)
        finders = {
            "quotation": text_motion.quotation_around,
            "sentence": text_motion.sentence_around,
            "clause": text_motion.clause_around,
        }
        found = finders[kind](text, min(state.caret, max(0, len(text) - 1)))
        if found is not None and (found[0], found[1]) == (state.start, state.end) and kind != "quotation":
            # Already selected: take in the next one as well.
            after = text_motion.word_forward(text, state.end)
            if after < len(text):
                following = finders[kind](text, after)
                if following is not None:
                    found = (state.start, following[1])
        if found is None or found[0] >= found[1]:
            self.app.bell()
            self.notify(f"No {kind} at the cursor", markup=False, timeout=2)
            return
        selector.select(found[0], found[1])

    def action_select_hit(self) -> None:
        """`n` while selecting: select the next search hit in this paragraph."""
        state = self.query_one(SpanSelector).state
        if state is None:
            return
        hits = [(start, end) for index, start, end in self.hits if index == state.paragraph]
        if not hits:
            self.app.bell()
            self.notify("No search hit in this paragraph: / searches", markup=False, timeout=3)
            return
        after = next(((s, e) for s, e in hits if (s, e) != (state.start, state.end) and s >= state.start), hits[0])
        self.query_one(SpanSelector).select(*after)

    def action_swap_ends(self) -> None:
        self.query_one(SpanSelector).swap_ends()

    def action_confirm_place(self) -> None:
        self.confirm_span("claim")  # placing: confirm_span attaches the orphan instead

    def action_confirm_claim(self) -> None:
        self.confirm_span("claim")

    def confirm_span(self, kind: str) -> None:
        """Annotate the selected span as a claim or an actor mention."""
        selector = self.query_one(SpanSelector)
        state, chosen = selector.state, selector.span()
        if state is None:
            return
        if chosen is None and self.placing is not None:
            self.end_selection()
            self.place_orphan(state.paragraph + 1, None)  # nothing selected: the whole paragraph, as the status line says
            return
        if chosen is None:
            self.app.bell()
            keys = " ".join(key_for(self, f"selection.{name}") for name in ("next_word", "word_end", "next_char", "sentence_end"))
            cancel = key_for(self, "back_to_library")
            self.notify(f"Nothing selected yet: extend with {keys} — {cancel} cancels", severity="warning", markup=False, timeout=4)
            return
        start, end = chosen
        text = self.paragraph_text(state.paragraph)
        span = Span.of(text, start, end)
        if self.placing is not None:
            self.end_selection()
            self.place_orphan(state.paragraph + 1, span)
            return
        self.next_anchor[state.paragraph] = text_motion.word_forward(text, end) if end < len(text) else 0
        self.end_selection()

        def back_to_selection() -> None:
            self.begin_selection(state.paragraph, state.anchor, state.caret)

        if kind == "claim":
            self.new_claim(state.paragraph + 1, span, on_cancel=back_to_selection)
        else:
            self.new_actor_mention(state.paragraph + 1, span, on_cancel=back_to_selection)

    def on_span_selector_changed(self, message: SpanSelector.Changed) -> None:
        self.draw_overlay(message.state)
        self.query_one(ParagraphView).ensure_offset_visible(message.state.paragraph, message.state.caret)

    def draw_overlay(self, state: SpanState | None) -> None:
        """The selection, its cursor and the search hits, drawn over the annotations."""
        overlay = [Highlight(p, start, end, "paragraph-view--search") for p, start, end in self.hits[:MAX_SEARCH_HITS]]
        if self.hit_index is not None and self.hit_index < len(self.hits):
            p, start, end = self.hits[self.hit_index]
            overlay.append(Highlight(p, start, end, "paragraph-view--cursor"))
        if state is not None:
            text = self.paragraph_text(state.paragraph)
            cursor_start, cursor_end = state.cursor_cell(text)
            for start, end in ((state.start, min(state.end, cursor_start)), (max(state.start, cursor_end), state.end)):
                if start < end:
                    overlay.append(Highlight(state.paragraph, start, end, "paragraph-view--selection"))
            if cursor_start < cursor_end:
                overlay.append(Highlight(state.paragraph, cursor_start, cursor_end, "paragraph-view--cursor"))
        self.query_one(ParagraphView).set_overlay(overlay)

    def on_paragraph_view_span_dragged(self, message: ParagraphView.SpanDragged) -> None:
        """A mouse drag selects too: both ends inclusive, then the same keys as selection mode."""
        text = self.paragraph_text(message.index)
        if message.offset >= message.anchor:
            anchor, caret = message.anchor, text_motion.next_char(text, message.offset)
        else:
            anchor, caret = text_motion.next_char(text, message.anchor), message.offset
        self.begin_selection(message.index, anchor, caret)

    def on_paragraph_view_paragraph_clicked(self, message: ParagraphView.ParagraphClicked) -> None:
        if not self.selecting:
            self.query_one(ParagraphView).move_to(message.index)

    # ---------------------------------------------------------------- claims

    def action_claim(self) -> None:
        """`c`: a claim on the selected span, or on the whole paragraph when nothing is being selected."""
        if self.selecting:
            self.confirm_span("claim")
        else:
            self.new_claim(self.current_paragraph, None)

    def new_claim(self, paragraph: int, span: Span | None, on_cancel: Callable[[], None] | None = None) -> None:
        """A claim on `span` (or the whole paragraph); claimant and reported-by guessed from the sentence it lies in."""
        from tui.dialogs.claim_form import ClaimDraft

        index = paragraph - 1
        offers = self.offers_of(index)
        guess = None
        if span is not None:
            guess = next((c for c in offers.candidates if c.start <= span.start and span.end <= c.end), None)
        where = f"¶{paragraph}" + (f" · {span.start}–{span.end}" if span else " · whole paragraph")
        draft = ClaimDraft(
            text=span.quote.replace("\n", " ").strip() if span else "",
            heading=f"New claim · {where}",
            quote=span.quote if span else None,
            offered=offers.named,
        )
        if guess is not None:
            draft = replace(draft, type=guess.claim_type, claimant=guess.claimant, reported_by=guess.reported_by)
        self.open_claim_form(draft, paragraph, span, None, on_cancel)

    def claim_from_candidate(self, index: int, candidate: Candidate) -> None:
        """The claim form prefilled from a candidate: its span, type, claimant and reported-by (store/candidates.py)."""
        from tui.dialogs.claim_form import ClaimDraft

        text = self.paragraph_text(index)
        span = Span.of(text, candidate.span_start, candidate.span_end)
        empty = [f"claim-{field}" for field in ("claimant", "reported_by") if getattr(candidate, field) is None]
        draft = ClaimDraft(
            text=" ".join(span.quote.split()),
            type=candidate.claim_type,
            claimant=candidate.claimant,
            reported_by=candidate.reported_by,
            heading=f"New claim · ¶{index + 1} · {span.start}–{span.end} · from “{candidate.cue}”",
            quote=span.quote,
            offered=self.offers_of(index).named,
            start=empty[0] if empty else "claim-grade",  # where the rules could not fill in, else the grade
        )
        self.open_claim_form(draft, index + 1, span, None)

    def open_claim_form(
        self,
        draft: ClaimDraft,
        paragraph: int,
        span: Span | None,
        existing: Annotation | None,
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        from tui import drafts
        from tui.dialogs.claim_form import ClaimForm

        key = drafts.draft_key(paragraph, span, existing)

        def keep(current: ClaimDraft) -> None:
            self._pending_draft = (key, drafts.to_dict(current, paragraph, span, existing))
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(DRAFT_SECONDS, self._write_draft)

        def answered(result: ClaimDraft | None) -> None:
            if result is None:
                self._drop_draft(key)
                if on_cancel is not None:
                    on_cancel()
                return
            self._write_draft()  # what was answered is on disk until the store has it
            self.save_claim(result, paragraph, span, existing, saved_then=lambda: self._drop_draft(key))

        self.app.push_screen(ClaimForm(draft, self.actors, keep=keep), answered)

    def _write_draft(self) -> None:
        """Put the pending draft on disk (a timer after the last change, or at once when leaving or hanging up)."""
        self._draft_timer = None
        pending, self._pending_draft = self._pending_draft, None
        if pending is None:
            return
        try:
            self.workstate.save_draft(self.report_id, *pending)
        except StoreError as error:
            self.notify(f"Your draft could not be kept on disk: {error}", severity="warning", markup=False, timeout=6)

    def _drop_draft(self, key: str) -> None:
        if self._pending_draft is not None and self._pending_draft[0] == key:
            self._pending_draft = None
        try:
            self.workstate.drop_draft(self.report_id, key)
        except StoreError:
            pass  # a draft left behind is offered again next time, and can be discarded then

    def offer_drafts(self) -> None:
        """Claims left half-typed last time (the terminal closed, the SSH link dropped): offer each back, once."""
        try:
            kept = self.workstate.drafts(self.report_id)
        except StoreError:
            return
        if not kept:
            return
        from tui import drafts  # the claim form's module: loaded only when there is a draft to offer

        for key, data in kept.items():
            restored = drafts.from_dict(data, self.opened.paragraphs, {a.id: a for a in self.annotations}, self.actors)
            if restored is None:
                self._drop_draft(key)
                continue
            draft, paragraph, span, existing = restored
            from tui.dialogs.confirm import ConfirmDialog

            preview = draft.text if len(draft.text) <= 80 else draft.text[:80] + "…"
            question = f"A claim you were writing on ¶{paragraph} was not saved:\n“{preview}”\n\nReopen it?"

            def answered(reopen: bool | None, key: str = key, draft: Any = draft, paragraph: int = paragraph,
                         span: Span | None = span, existing: Annotation | None = existing) -> None:
                if reopen:
                    self.query_one(ParagraphView).move_to(paragraph - 1)
                    self.open_claim_form(draft, paragraph, span, existing)
                else:
                    self._drop_draft(key)
                    self.call_after_refresh(self.offer_drafts)

            self.app.push_screen(ConfirmDialog(question, yes="Reopen", no="Discard it"), answered)
            return  # one at a time: the next is offered once this one is settled

    def save_claim(
        self,
        draft: ClaimDraft,
        paragraph: int,
        span: Span | None,
        existing: Annotation | None,
        saved_then: Callable[[], None] | None = None,
    ) -> None:
        def reopen(error: str) -> None:
            self.open_claim_form(replace(draft, error=error), paragraph, span, existing)

        def saved(result: Saved[Any]) -> str:
            if saved_then is not None:
                saved_then()
            self.last_claim_id = result.value.id
            verb = "edited" if existing else "saved"
            graded = f" ({result.value.credibility.code})" if result.value.credibility else ""
            return f"Claim {verb}{graded} — " + hint(self, ("grade", "grades it"), ("undo", "undoes"))

        session = self.session
        if existing is not None:
            self.attempt(
                "The claim",
                lambda: session.edit_claim(
                    existing, draft.text, draft.type, draft.claimant, draft.reported_by, draft.note, draft.credibility
                ),
                saved,
                reopen,
            )
        else:
            report = self.opened.report
            self.attempt(
                "The claim",
                lambda: session.add_claim(
                    report, paragraph, span, draft.text, draft.type, draft.claimant, draft.reported_by, draft.note, draft.credibility
                ),
                saved,
                reopen,
            )

    def edit_claim(self, annotation: Annotation) -> None:
        from tui.dialogs.claim_form import ClaimDraft

        claim = annotation.claim or Claim("")
        where = f"¶{annotation.paragraph}" + (
            f" · {annotation.span.start}–{annotation.span.end}" if annotation.span else " · whole paragraph"
        )
        draft = ClaimDraft(
            text=claim.text,
            type=claim.type,
            claimant=claim.claimant,
            reported_by=claim.reported_by,
            note=annotation.note,
            credibility=annotation.credibility,
            heading=f"Edit claim · {where}",
            quote=annotation.span.quote if annotation.span else None,
            offered=self.offers_of(annotation.paragraph - 1).named,
        )
        self.open_claim_form(draft, annotation.paragraph, annotation.span, annotation)

    # ---------------------------------------------------------------- actors

    def action_actor(self) -> None:
        """`a`: tag the selected span as an actor mention, or the whole paragraph when nothing is selected."""
        if self.selecting:
            self.confirm_span("actor")
        else:
            self.new_actor_mention(self.current_paragraph, None)

    def pick_actor(self, query: str, paragraph: int, then: Callable[[ActorChoice | None], None]) -> None:
        from tui.dialogs.actor_picker import ActorPicker

        self.app.push_screen(ActorPicker(list(self.actors.values()), query, title=f"Actor mentioned in ¶{paragraph}"), then)

    def new_actor_mention(self, paragraph: int, span: Span | None, on_cancel: Callable[[], None] | None = None) -> None:
        query = span.quote.replace("\n", " ").strip() if span else ""

        def chosen(choice: ActorChoice | None) -> None:
            if choice is None:
                if on_cancel is not None:
                    on_cancel()
                return
            report = self.opened.report
            self.attempt(
                "The actor mention",
                lambda: self.session.add_mention(report, paragraph, span, choice),
                lambda saved: f"Actor tagged: {self.actor_name(saved.value.actor_id)} — " + hint(self, ("undo", "undoes")),
            )

        self.pick_actor(query, paragraph, chosen)

    def edit_actor_mention(self, annotation: Annotation) -> None:
        query = annotation.span.quote if annotation.span else self.actor_name(annotation.actor_id)

        def chosen(choice: ActorChoice | None) -> None:
            if choice is None or choice == annotation.actor_id:
                return
            self.attempt(
                "The actor mention",
                lambda: self.session.change_mention(annotation, choice),
                lambda saved: f"Actor changed to {self.actor_name(saved.value.actor_id)}",
            )

        self.pick_actor(query, annotation.paragraph, chosen)

    def actor_name(self, actor_id: str | None) -> str:
        if actor_id is None:
            return "?"
        actor = self.actors.get(actor_id)
        if actor is None:
            try:
                actor = self.session.actor(actor_id)
            except ClaimdeskError:  # NotFound too: an actor deleted by another analyst
                return "?"
        return actor.name

    # ----------------------------------------------------------- credibility

    def grade_target(self) -> Annotation | None:
        """The annotation highlighted in the panel when it has focus, else the last claim made here."""
        panel = self.query_one(AnnotationPanel)
        here = self.here(self.current_paragraph)
        if self.query_one("#annotation-list", EntryList).has_focus:
            return next((a for a in here if a.id == panel.selected_id), None)
        if self.last_claim_id is not None:
            last = next((a for a in here if a.id == self.last_claim_id), None)
            last = last or next((a for a in self.annotations if a.id == self.last_claim_id), None)
            if last is not None:
                return last
        claims = [a for a in here if a.kind is Kind.CLAIM]
        return claims[-1] if claims else None

    def action_grade(self) -> None:
        """`r`: grade in place — the GRADE line asks for a letter and a digit (either first); both given, it is saved."""
        target = self.grade_target()
        if target is None:
            self.notify("No claim to grade here: make one with c, or pick one in the panel (tab)", severity="warning", markup=False)
            return
        self.grading = target
        self.grade_so_far = target.credibility or Credibility()
        self.grade_keys = (False, False)
        self.show_grade()  # the footer stays as it is for the two keys: building it again costs a frame each way

    @property
    def holds_keys(self) -> bool:
        """While grading, only the GRADE line's keys work (the app asks before running its own)."""
        return self.grading is not None

    def show_grade(self) -> None:
        """The GRADE line, in the status line's place (one line either way: nothing is laid out again)."""
        if self.grading is None:
            return
        target = self.grading
        subject = target.claim.text if target.claim else self.actor_name(target.actor_id)
        line = grade_line(self, subject, self.grade_so_far, *self.grade_keys)
        self.query_one("#report-status", TextLine).update(line)

    def action_reliability(self, letter: str) -> None:
        self.grade_so_far = Credibility(letter, self.grade_so_far.credibility)
        self.grade_keys = (True, self.grade_keys[1])
        self._grade_if_both()

    def action_credibility(self, number: int) -> None:
        self.grade_so_far = Credibility(self.grade_so_far.reliability, int(number))
        self.grade_keys = (self.grade_keys[0], True)
        self._grade_if_both()

    def action_grade_clear(self) -> None:
        """`x`: not yet graded (enter saves it)."""
        self.grade_so_far = Credibility()
        self.grade_keys = (False, False)
        self.show_grade()

    def action_grade_save(self) -> None:
        self.save_grade()

    def _grade_if_both(self) -> None:
        if all(self.grade_keys):
            self.save_grade()
        else:
            self.show_grade()

    def stop_grading(self) -> bool:
        """Leave the GRADE line without saving (True), or nothing was being graded (False)."""
        if self.grading is None:
            return False
        self.grading = None
        self.show_progress()
        return True

    def save_grade(self) -> None:
        target, grade = self.grading, self.grade_so_far
        self.stop_grading()
        if target is None:
            return
        value = grade if grade.is_set else None
        if value == target.credibility:
            return
        said = f"Graded {grade.code}: {grade.meaning}" if value else "Grade cleared"

        def saved(_saved: Saved[Any]) -> None:
            # Said on the status line, not in a toast: a toast costs the terminal ~50 ms of frames, and the
            # panel already shows the new grade. Said only once the session has written it.
            self.status_note = said
            self.show_progress()

        # The GRADE line closing is the keys' answer; the grade is saved just after that frame, then shown.
        self.attempt("The credibility grade", lambda: self.session.grade(target, value), after=saved, after_frame=True)

    # ----------------------------------------------------------- panel asks

    def on_annotation_panel_edit_requested(self, message: AnnotationPanel.EditRequested) -> None:
        annotation = next((a for a in self.annotations if a.id == message.annotation_id), None)
        if annotation is None:
            return
        if annotation.kind is Kind.CLAIM:
            self.edit_claim(annotation)
        else:
            self.edit_actor_mention(annotation)

    def on_annotation_panel_delete_requested(self, message: AnnotationPanel.DeleteRequested) -> None:
        annotation = next((a for a in self.annotations if a.id == message.annotation_id), None)
        if annotation is None:
            return
        what = "claim" if annotation.kind is Kind.CLAIM else f"mention of {self.actor_name(annotation.actor_id)} (the actor stays)"
        undoes = hint(self, ("undo", "undoes"))
        self.attempt("Deleting", lambda: self.session.delete_annotation(annotation), f"Deleted the {what} — {undoes}")

    # ---------------------------------------------------------------- review

    def action_toggle_reviewed(self) -> None:
        """`space`: mark the paragraph reviewed and go on to the next unreviewed one; on a reviewed one, unmark it.

        The move is the key's answer and is drawn at once; the mark is saved just after that frame and drawn
        (✓, the reviewed count) once it is on disk; without a move it is saved before the frame. Where the move
        goes does not depend on the save: the next unreviewed paragraph is looked for after this one, then from
        the top.
        """
        number = self.current_paragraph
        mark = self.marks.get(number)
        reviewed = not (mark and mark.reviewed)
        advances = reviewed and self.options.review_advances
        found = None
        if advances:
            found = self._unreviewed(range(number, len(self.opened.paragraphs)))
            if found is None:
                found = self._unreviewed(range(0, number - 1))
            if found is not None:
                self.query_one(ParagraphView).move_to(found)

        def all_reviewed(_saved: Saved[Any]) -> None:
            if advances and found is None:
                self.notify("Every paragraph of this report is reviewed", markup=False, timeout=4)

        # After the frame only when it has something to show: unmarking (or nowhere to go) draws nothing until saved,
        # and a save after an empty frame would only put the ✓'s change a frame later.
        self.attempt(
            f"Marking ¶{number}", lambda: self.session.set_reviewed(self.report_id, number, reviewed), after=all_reviewed,
            after_frame=found is not None,
        )

    def action_toggle_flagged(self) -> None:
        """`!`: flag the paragraph, with an optional reason; on a flagged one, take the flag off (reviewed stays)."""
        number = self.current_paragraph
        mark = self.marks.get(number)
        if mark and mark.flagged:
            self.attempt(f"Flagging ¶{number}", lambda: self.session.set_flagged(self.report_id, number, False), "Flag taken off")
            return
        from tui.dialogs.flag_dialog import FlagDialog

        def answered(reason: str | None) -> None:
            if reason is None:
                return
            self.attempt(
                f"Flagging ¶{number}",
                lambda: self.session.set_flagged(self.report_id, number, True, reason),
                f"¶{number} flagged" + (f": {reason}" if reason else ""),
            )

        self.app.push_screen(FlagDialog(number), answered)

    def _unreviewed(self, indexes: Iterable[int]) -> int | None:
        for index in indexes:
            mark = self.marks.get(index + 1)
            if mark is None or not mark.reviewed:
                return index
        return None

    def action_next_unreviewed(self) -> None:
        found = self._unreviewed(range(self.current_index + 1, len(self.opened.paragraphs)))
        if found is None:
            self.notify("No unreviewed paragraph after this one", markup=False, timeout=3)
            return
        self.query_one(ParagraphView).move_to(found)

    def action_previous_unreviewed(self) -> None:
        found = self._unreviewed(range(self.current_index - 1, -1, -1))
        if found is None:
            self.notify("No unreviewed paragraph before this one", markup=False, timeout=3)
            return
        self.query_one(ParagraphView).move_to(found)

    # ---------------------------------------------------------------- search

    def action_search(self) -> None:
        if self.selecting:
            self.end_selection()  # placing an orphan: its words are searched for, then `v` selects the hit
        self.add_class("-searching")
        self.query_one(SearchBar).open(self.search_query)

    def action_goto(self) -> None:
        """`:`: go to a paragraph by its number (`12G` does it too)."""
        if self.selecting:
            self.end_selection()
        self.add_class("-searching")
        self.query_one(SearchBar).open("", mode="goto")

    def on_search_bar_go_to(self, message: SearchBar.GoTo) -> None:
        total = len(self.opened.paragraphs)
        if message.number is None or not 1 <= message.number <= total:
            self.app.bell()
            self.notify(f"Go to: a paragraph number, 1 to {total}", severity="warning", markup=False, timeout=3)
            return
        self.close_search(keep_search=True)
        self.query_one(ParagraphView).go_to_number(message.number)

    def on_search_bar_submitted(self, message: SearchBar.Submitted) -> None:
        query = message.query
        self.search_query = query
        self.hits = find_hits(self.opened.paragraphs, query) if query else []
        self.hit_index = self.hit_taken = None
        bar = self.query_one(SearchBar)
        bar.show_count(None, len(self.hits))
        self.set_focus(self.query_one(ParagraphView))
        if not query:
            self.close_search()
            return
        if self.hits:
            self.jump_to_hit(1, from_current=True)
        else:
            self.notify("No hits", markup=False, timeout=3)
            self.draw_overlay(None)
        self.show_progress()

    def on_search_bar_closed(self, message: SearchBar.Closed) -> None:
        self.close_search(keep_search=self.query_one(SearchBar).mode == "goto")

    def close_search(self, keep_search: bool = False) -> None:
        """Close the command line; `keep_search`: a go-to closing leaves the last search and its hits as they were."""
        self.remove_class("-searching")
        self.set_focus(self.query_one(ParagraphView))
        if keep_search:
            return
        self.search_query = ""
        self.hits = []
        self.hit_index = self.hit_taken = None
        self.draw_overlay(None)
        self.show_progress()
        self.set_focus(self.query_one(ParagraphView))

    def action_next_hit(self) -> None:
        self.jump_to_hit(1)

    def action_previous_hit(self) -> None:
        self.jump_to_hit(-1)

    def jump_to_hit(self, step: int, from_current: bool = False) -> None:
        if not self.hits:
            self.notify("Nothing searched yet: / searches this report", markup=False, timeout=3)
            return
        current = self.current_index
        first_after = current if from_current else current + 1  # a new search may stay on this paragraph
        if not from_current and self.hit_index is not None and self.hits[self.hit_index][0] == current:
            index = self.hit_index + step
        elif step > 0:
            index = next((i for i, hit in enumerate(self.hits) if hit[0] >= first_after), len(self.hits))
        else:
            index = next((i for i in range(len(self.hits) - 1, -1, -1) if self.hits[i][0] < current), -1)
        if not 0 <= index < len(self.hits):
            index %= len(self.hits)
            self.notify("Search wrapped around the report", markup=False, timeout=2)
        self.hit_index, self.hit_taken = index, None
        paragraph, start, _end = self.hits[index]
        view = self.query_one(ParagraphView)
        view.move_to(paragraph)
        view.ensure_offset_visible(paragraph, start)
        self.query_one(SearchBar).show_count(index, len(self.hits))
        self.draw_overlay(None)
        self.show_progress()

    # ---------------------------------------------------- links between claims (issue 15)

    def links_here(self, links: list[Link]) -> dict[str, list[Link]]:
        mine = {a.id for a in self.annotations if a.kind is Kind.CLAIM}
        found: dict[str, list[Link]] = {}
        for link in links:
            for end in (link.from_claim, link.to_claim):
                if end in mine:
                    found.setdefault(end, []).append(link)
        if self._claim_lookup is not None:
            self._claim_lookup.forget()
        return found

    def placed_links(self, claim_id: str) -> None:
        """An orphan placed on this revision (or brought back by an undo): its links show under it again."""
        try:
            links = self.session.db.links_of(claim_id)
        except StoreError:
            return  # shown at the next read
        if links:
            self.links[claim_id] = list(links)

    def apply_link(self, link_id: str, link: Link | None) -> None:
        for claim_id in list(self.links):
            self.links[claim_id] = [x for x in self.links[claim_id] if x.id != link_id]
            if not self.links[claim_id]:
                del self.links[claim_id]
        if link is not None:
            for claim_id in self.links_here([link]):
                self.links.setdefault(claim_id, []).append(link)

    def link_lines(self, here: list[Annotation]) -> dict[str, Any] | None:
        """What the panel shows under each claim here that has links: what they suggest, and each link."""
        linked = [a for a in here if a.id in self.links]
        if not linked:
            return None
        from tui.linking import ClaimLookup, account, link_text, suggestion

        if self._claim_lookup is None:
            self._claim_lookup = ClaimLookup(self.session, navigator(self).ledger_keeper)
        lookup = self._claim_lookup

        def title(report_id: str) -> str:
            found = self.session.db.find_report(report_id)
            return found.title if found else report_id

        lines = {}
        for annotation in linked:
            links = self.links[annotation.id]
            counted = account(annotation, links, lookup, self.actors)
            lines[annotation.id] = (suggestion(annotation, counted, self.actors, title),
                                    [(link.id, link_text(link, annotation.id, lookup, counted)) for link in links])
        return lines

    def link_named(self, link_id: str) -> Link | None:
        return next((link for links in self.links.values() for link in links if link.id == link_id), None)

    def action_link(self) -> None:
        """`L`: link the claim highlighted in the panel (or the last one made here) to a claim of any report."""
        target = self.grade_target()
        if target is None or target.kind is not Kind.CLAIM:
            self.notify("No claim to link here: make one with c, or pick one in the panel (tab)", severity="warning", markup=False)
            return
        from tui.linking import start_link

        start_link(self, self.session, navigator(self).ledger_keeper, target,
                   lambda saved: self.linked(saved.change, f"Linked: {saved.value.relation} — u undoes"))

    def linked(self, change: Change, message: str) -> None:
        self.apply(change)
        self.notify(message, markup=False, timeout=4)

    def on_annotation_panel_link_edit_requested(self, message: AnnotationPanel.LinkEditRequested) -> None:
        link = self.link_named(message.link_id)
        if link is None:
            return
        from tui.linking import edit_link

        edit_link(self, self.session, None, link, f"{link.relation} (this claim and one of ¶ or report elsewhere)",
                  lambda saved: self.linked(saved.change, f"Link edited: {saved.value.relation} — u undoes"))

    def on_annotation_panel_link_delete_requested(self, message: AnnotationPanel.LinkDeleteRequested) -> None:
        link = self.link_named(message.link_id)
        if link is None:
            return
        from tui.linking import remove_link

        remove_link(self, self.session, None, link, lambda saved: self.linked(saved.change, f"Link removed ({link.relation}) — u undoes"))

    def show_claim(self, claim_id: str) -> None:
        """Opened at a claim (from the claims ledger or a dossier): highlight it in the text and in the panel."""
        found = next((a for a in self.annotations if a.id == claim_id), None)
        if found is None:
            return
        view = self.query_one(ParagraphView)
        if view.current != found.paragraph - 1:
            view.move_to(found.paragraph - 1)
        self.show_panel()
        self.query_one(AnnotationPanel).select(found.id)
        if found.span is not None:
            view.set_overlay([Highlight(found.paragraph - 1, found.span.start, found.span.end, "paragraph-view--search")])

    # ------------------------------------------------------------ undo/redo

    def action_undo(self) -> None:
        if not self.session.can_undo:
            self.notify("Nothing to undo", markup=False, timeout=3)
            return
        attempt(self, self.session, "Undo", self.session.undo, lambda change: self.undone("Undone", change))

    def action_redo(self) -> None:
        if not self.session.can_redo:
            self.notify("Nothing to redo", markup=False, timeout=3)
            return
        attempt(self, self.session, "Redo", self.session.redo, lambda change: self.undone("Redone", change))

    def undone(self, verb: str, change: Change | None) -> None:
        if change is None:
            return
        self.status_note = ""  # "Graded B2" no longer holds once the grade is undone
        # What undo wrote may be in another report or the actor registry: re-read what this screen shows.
        self.reload_annotations()
        self.notify(f"{verb}: {change.description}", markup=False, timeout=4)

    # --------------------------------------------------------------- layout

    def action_toggle_focus(self) -> None:
        view = self.query_one(ParagraphView)
        if view.has_focus:
            if not self.panel_visible:
                self.panel_visible = True
            self.set_focus(self.query_one("#annotation-list"))
        else:
            self.set_focus(view)

    def action_toggle_panel(self) -> None:
        self.panel_visible = not self.panel_visible

    def action_panel_filter(self) -> None:
        """`m`: the panel lists my annotations only, or everyone's."""
        self.show_all_reviewers = not self.show_all_reviewers
        self.show_panel()
        self.notify("The panel shows " + ("every reviewer's annotations" if self.show_all_reviewers else "your annotations only"),
                    markup=False, timeout=3)

    def watch_panel_visible(self, visible: bool) -> None:
        self.set_class(not visible, "-panel-hidden")
        if not visible and not self.selecting:
            self.set_focus(self.query_one(ParagraphView))

    def action_back(self) -> None:
        """`esc`: forget a count, else cancel the selection, else close the search, else stop placing, else back to the library."""
        if self.stop_grading():
            return
        view = self.query_one(ParagraphView)
        if view.count:
            view.count = ""
            return
        if self.selecting:
            self.end_selection()
            self.stop_placing()  # placing an orphan ends with its selection
            return
        if self.search_query or self.has_class("-searching"):
            self.close_search()
            return
        if self.stop_placing():
            return
        navigator(self).show_library()

    def action_claim_candidate(self) -> None:
        """enter: while placing an orphan, attach it to the whole paragraph; else claim the candidate."""
        if not self.place_orphan(self.current_paragraph, None):
            super().action_claim_candidate()

    def kinds_here(self) -> set[Kind]:
        return {a.kind for a in self.here(self.current_paragraph)}


def _highlight(annotation: Annotation) -> Highlight:
    assert annotation.span is not None
    return Highlight(annotation.paragraph - 1, annotation.span.start, annotation.span.end, f"paragraph-view--{annotation.kind.value}")


def _offers_see(doc: dict[str, Any] | None, revision: str) -> tuple[Any, ...] | None:
    """What of an annotation the offers depend on (a span tagged or claimed, by which actor): not its grade or note."""
    if doc is None or doc.get("revision") != revision:
        return None
    span = doc.get("span") or {}
    return (doc.get("paragraph"), span.get("start"), span.get("end"), doc.get("kind"), doc.get("actor_id"), doc.get("reviewer"))


def _highlighted_paragraphs(edit: Edit, revision: str) -> set[int]:
    """The paragraphs (1-based) whose highlights an annotation edit changes: none for a grade, a note or a claim type."""

    def drawn(doc: dict[str, Any] | None) -> tuple[Any, ...] | None:
        if doc is None or doc.get("revision") != revision or not doc.get("span"):
            return None
        return (doc.get("paragraph"), doc["span"].get("start"), doc["span"].get("end"), doc.get("kind"))

    before, after = drawn(edit.before), drawn(edit.after)
    if before == after:
        return set()
    return {int(doc[0]) for doc in (before, after) if doc is not None}


def _reading_order(annotation: Annotation) -> tuple[int, int, str]:
    return (annotation.paragraph, annotation.span.start if annotation.span else -1, annotation.created_at)


def find_hits(paragraphs: Any, query: str) -> list[tuple[int, int, int]]:
    """Every case-insensitive occurrence of `query`, as (paragraph index, start, end) code point offsets."""
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    hits: list[tuple[int, int, int]] = []
    for index, paragraph in enumerate(paragraphs):
        for match in pattern.finditer(paragraph.text):
            hits.append((index, match.start(), match.end()))
            if len(hits) >= MAX_SEARCH_HITS:
                return hits
    return hits
