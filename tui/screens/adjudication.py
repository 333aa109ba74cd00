"""Adjudication of one report: each place where reviewers annotated, their versions side by side, one decision each.

The cases are `store.adjudication`'s (docs/adjudication.md): a case is one place of a paragraph where
the compared reviewers' annotations were matched. Opening the view pre-accepts every agreed case not
decided yet (one step: `u` takes it back). For each case the keys decide:

* `1`…`9` take that reviewer's version (the columns' order);
* `e` edits a new version (the claim form, or the actor picker for a mention), starting from the
  adjudicated version if there is one, else the first reviewer's — take one first to start from theirs;
* `r` grades the adjudicated version (a new version too);
* `x` rejects: nothing of this place goes into the layer;
* `n` / `N` go to the next / previous case that still needs a decision; `o` opens the report there.

Every decision goes through the session (`adjudicate`, `adjudicate_edit`, `reject`, `accept_agreed`)
and `tui.saving.attempt`: saved at once, undoable, refused when a reviewer changed an annotation of the
case since it was read (the conflict dialog shows theirs). A decision updates only its own case on
screen, so a key costs the same on a dense report; undo and another analyst's changes re-read it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Static

from store.adjudication import ACCEPTED, CHANGED, EDITED, OPEN, REJECTED, TOOK, Case, Decision, ReportAdjudication, load
from store.agreement import ADJUDICATED
from store.db import Change
from store.errors import ClaimdeskError
from store.model import Actor, ActorChoice, Annotation, Claim, Credibility, Kind, ParsedReport
from store.session import Saved, Session
from tui.keys import key_for
from tui.navigation import navigator
from tui.saving import attempt
from tui.widgets.footer import Footer
from tui.widgets.line_list import LineList

POLL_SECONDS = 1.5  # how often to look whether someone changed this report
WIDE = 120
MAX_COLUMNS = 9  # reviewers a key can take from (1 … 9)
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th")
# Binding ids are letters, dots and underscores (the config file's rule): the columns' keys by word.
COLUMN_IDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
STATUS = {  # status → (mark, word, style)
    OPEN: ("○", "open", "bold"),
    CHANGED: ("!", "changed", "bold"),
    ACCEPTED: ("✓", "agreed", ""),
    TOOK: ("✓", "took", ""),
    EDITED: ("✎", "edited", ""),
    REJECTED: ("✗", "rejected", "dim"),
}
FIELD_WORDS = {"span": "span", "type": "type", "claimant": "claimant", "reported_by": "reported by",
               "actor": "actor", "reliability": "grade", "credibility": "grade"}


def _take_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"take({n - 1})", f"Take {ORDINALS[n - 1]}", show=n <= 2, id=f"adjudicate.take_{COLUMN_IDS[n - 1]}")
        for n in range(1, MAX_COLUMNS + 1)
    ]


class AdjudicationScreen(Screen[None]):
    CSS_PATH = "../styles/agreement.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_take_bindings(),
        Binding("e", "edit", "Edit", id="adjudicate.edit"),
        Binding("x", "reject", "Reject", id="adjudicate.reject"),
        Binding("r", "grade", "Grade", show=False, id="adjudicate.grade"),
        Binding("n", "next_open(1)", "Next open", id="adjudicate.next_open"),
        Binding("N", "next_open(-1)", "Previous open", show=False, id="adjudicate.previous_open"),
        Binding("o", "open_report", "Open report", show=False, id="adjudicate.open_report"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        Binding("escape", "back", "Back", id="adjudicate.back"),
    ]

    def __init__(self, session: Session, report_id: str, reviewers: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.session = session
        self.report_id = report_id
        self.asked = reviewers  # the reviewers compared (None: everyone who annotated the report)
        self.data: ReportAdjudication = load(session.db, report_id, reviewers)  # NotFound etc.: the App says so
        self.cases: list[Case] = list(self.data.cases)
        self.actors: dict[str, Actor] = {}
        self.texts: dict[str, ParsedReport] = {}
        self._index: dict[str, int] = {}
        self.reload_on_resume = False

    @property
    def reviewers(self) -> tuple[str, ...]:
        return self.data.reviewers

    # -------------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="adjudication-status")
        yield Static(id="adjudication-paragraph")
        yield LineList(id="adjudication-cases")
        yield Static(id="adjudication-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Adjudicate: {self.data.report.title}"
        self.sub_title = " · ".join(self.reviewers) + f" → {ADJUDICATED} (you: {self.session.reviewer})"
        self.set_class(self.app.size.width < WIDE, "-narrow")
        self.watch_marks()
        self.read_actors()
        self.show_cases(cursor=self.first_open())
        self.query_one(LineList).focus()
        if len(self.reviewers) < 2:
            self.notify("Fewer than two reviewers annotated this report: there is nothing to compare.",
                        title="Adjudication", severity="warning", markup=False)
        else:
            self.pre_accept()
        self.set_interval(POLL_SECONDS, self.poll_store)

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < WIDE, "-narrow")
        self.show_current()

    # ---------------------------------------------------------------------- data

    def watch_marks(self) -> None:
        """Read the report's marks too, so that a change to them is news once (report_changed looks at every file)."""
        try:
            self.session.db.marks(self.report_id)
        except ClaimdeskError:
            return

    def read_actors(self) -> None:
        try:
            self.actors = {actor.id: actor for actor in self.session.db.actors()}
        except ClaimdeskError as error:
            self.notify(str(error), title="Actors", severity="error", markup=False)

    def reload(self) -> None:
        """Read the report's cases again (after undo, or another analyst's change); the cursor stays on its case."""
        keep = self.current.decision_id if self.current else None
        try:
            self.data = load(self.session.db, self.report_id, self.asked)
        except ClaimdeskError as error:
            self.notify(str(error), title="Adjudication", severity="error", markup=False)
            return
        self.cases = list(self.data.cases)
        self.watch_marks()
        self.read_actors()
        self.show_cases(cursor=next((i for i, c in enumerate(self.cases) if c.decision_id == keep), None))

    def poll_store(self) -> None:
        try:
            changed = self.session.db.report_changed(self.report_id)
        except ClaimdeskError:
            return
        if changed and self.is_current:
            self.reload()

    def apply(self, change: Change) -> None:
        """Put what a decision wrote into its case (no re-read: a key costs the same on a dense report)."""
        for edit in change.edits:
            if edit.entity == "actor":
                self.read_actors()
                continue
            if edit.entity == "decision":
                index = self._index.get(edit.key)
                if index is not None:
                    self.cases[index] = replace(self.cases[index], decision=Decision.from_dict(edit.after) if edit.after else None)
            elif edit.entity == "annotation":
                index = self._index.get(f"annotation:{edit.key}")
                if index is not None:
                    self.cases[index] = replace(self.cases[index], adjudicated=Annotation.from_dict(edit.after) if edit.after else None)
        self.refresh_cases()

    # ------------------------------------------------------------------- drawing

    def show_cases(self, cursor: int | None = None) -> None:
        self._index = {}
        for i, case in enumerate(self.cases):
            self._index[case.decision_id] = i
            self._index[f"annotation:{case.annotation_id}"] = i
        self.query_one(LineList).set_rows(len(self.cases), self.draw_case, cursor=cursor)
        self.show_status()
        self.show_current()

    def refresh_cases(self) -> None:
        self.query_one(LineList).redraw()
        self.show_status()
        self.show_current()

    def first_open(self) -> int:
        return next((i for i, c in enumerate(self.cases) if c.status in (OPEN, CHANGED)), 0)

    @property
    def current(self) -> Case | None:
        found = self.query(LineList)
        cursor = found.first().cursor if found else -1
        return self.cases[cursor] if 0 <= cursor < len(self.cases) else None

    def draw_case(self, index: int, width: int) -> Text:
        case = self.cases[index]
        mark, word, style = STATUS[case.status]
        if case.status == TOOK and case.decision and case.decision.based_on:
            word = f"took {case.decision.based_on}"
        text = Text()
        text.append(f"¶{case.paragraph:<5}", style="dim")
        text.append(f"{mark} {word:<12.12} ", style=style)
        text.append(f"{'claim' if case.kind is Kind.CLAIM else 'actor'}  ", style="dim")
        text.append(self.what_differs(case), style="italic")
        text.append(self.quote(case))
        return text

    def what_differs(self, case: Case) -> str:
        if not case.sources:
            return "only in the adjudicated layer · "
        parts = list(dict.fromkeys(FIELD_WORDS[d] for d in case.differences))
        parts += [f"no {name}" for name in case.missing]
        return (", ".join(parts) + " · ") if parts else ""

    def quote(self, case: Case) -> str:
        spans = [a.span for a in (*case.sources, *((case.adjudicated,) if case.adjudicated else ())) if a.span]
        if not spans:
            return "(whole paragraph)"
        return "“" + " ".join(spans[0].quote.split()) + "”"

    def show_current(self) -> None:
        if not self.query(LineList):
            return  # not composed yet
        case = self.current
        self.query_one("#adjudication-paragraph", Static).update(self.paragraph_text(case))
        self.query_one("#adjudication-detail", Static).update(self.detail(case))

    @on(LineList.Highlighted)
    def case_highlighted(self) -> None:
        self.show_current()

    def show_status(self) -> None:
        """How far the report is (counted when the cases change, not as the cursor moves)."""
        progress = ReportAdjudication(self.data.report, self.reviewers, tuple(self.cases)).progress()
        text = Text()
        text.append(f"{progress.decided} of {progress.places} decided", style="bold")
        details = [f"{progress.open} open"] if progress.open else []
        if progress.changed:
            details.append(f"{progress.changed} changed since decided")
        details += [f"{getattr(progress, name)} {word}" for name, word in
                    (("accepted", "agreed"), ("took", "taken"), ("edited", "edited"), ("rejected", "rejected"))
                    if getattr(progress, name)]
        if details:
            text.append(" · " + " · ".join(details))
        self.query_one("#adjudication-status", Static).update(text)

    def paragraph_text(self, case: Case | None) -> Text:
        if case is None:
            return Text("Nothing to adjudicate: no reviewer annotated this report.", style="dim")
        parsed = self.text_of(case.revision)
        paragraphs = parsed.paragraphs if parsed else ()
        if not 1 <= case.paragraph <= len(paragraphs):
            return Text(f"¶{case.paragraph}: (not in this revision's text)", style="dim")
        body = paragraphs[case.paragraph - 1].text
        text = Text()
        text.append(f"¶{case.paragraph}  ", style="bold")
        shown = Text(body)
        for annotation in (*case.sources, *((case.adjudicated,) if case.adjudicated else ())):
            if annotation.span and annotation.span.end <= len(body):
                shown.stylize("bold underline", annotation.span.start, annotation.span.end)
        start = min((a.span.start for a in case.sources if a.span), default=0)
        room = max(40, self.size.width * (3 if self.has_class("-narrow") else 5) - 40)
        if start > room // 3 and len(body) > room:  # a long paragraph: show it from a little before the span
            cut = max(0, start - room // 4)
            shown = Text("…") + shown[cut:]
        text.append_text(shown)
        if case.revision != self.data.report.revision:
            text.append("  (an earlier revision)", style="dim")
        return text

    def text_of(self, revision: str) -> ParsedReport | None:
        if revision not in self.texts:
            try:
                self.texts[revision] = self.session.db.report_text(self.report_id, revision)
            except ClaimdeskError:
                return None
        return self.texts[revision]

    def actor_name(self, actor_id: str | None) -> str:
        if actor_id is None:
            return "—"
        actor = self.actors.get(actor_id)
        return actor.name if actor else "(removed actor)"

    def fields(self, annotation: Annotation | None, kind: Kind) -> dict[str, str]:
        if annotation is None:
            return {}
        span = annotation.span
        found = {"span": f"{span.start}–{span.end} “{' '.join(span.quote.split())}”" if span else "whole paragraph"}
        if kind is Kind.CLAIM:
            claim = annotation.claim or Claim("")
            found.update(text=claim.text, type=claim.type, claimant=self.actor_name(claim.claimant),
                         reported_by=self.actor_name(claim.reported_by))
        else:
            found["actor"] = self.actor_name(annotation.actor_id)
        found["grade"] = annotation.credibility.code if annotation.credibility and annotation.credibility.is_set else "—"
        if annotation.note:
            found["note"] = " ".join(annotation.note.split())
        return found

    def detail(self, case: Case | None) -> Table | Text:
        """Each reviewer's version side by side, then the adjudicated one; fields that differ are marked."""
        if case is None:
            return Text()
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, padding=(0, 1))
        table.add_column("", style="dim", no_wrap=True, width=13)
        versions = case.by_reviewer()
        columns: list[tuple[Text, Annotation | None]] = []
        for n, name in enumerate(self.reviewers[:MAX_COLUMNS], start=1):
            head = Text(f"{key_for(self, f'adjudicate.take_{COLUMN_IDS[n - 1]}')} ", style="bold reverse")
            head.append(f" {name}", style="bold")
            columns.append((head, versions.get(name)))
        layer = Text(ADJUDICATED, style="bold")
        mark, word, _style = STATUS[case.status]
        layer.append(f"  {mark} {word}")
        columns.append((layer, case.adjudicated))
        for head, _annotation in columns:
            table.add_column(head, no_wrap=True, overflow="ellipsis", ratio=1)
        shown = [self.fields(annotation, case.kind) for _head, annotation in columns]
        rows = ["span", "text", "type", "claimant", "reported_by", "grade", "note"] if case.kind is Kind.CLAIM else [
            "span", "actor", "grade", "note"]
        differing = {FIELD_WORDS[d] for d in case.differences}
        for row in rows:
            values = [fields.get(row, "") for fields in shown]
            if row == "note" and not any(values):
                continue
            label = row.replace("_", " ")
            differs = label in differing or (row == "grade" and "grade" in differing)
            table.add_row(Text(("≠ " if differs else "  ") + label, style="bold" if differs else "dim"),
                          *[Text(value or ("(nothing here)" if row == "span" and i < len(self.reviewers) else ""),
                                 style="" if value else "dim") for i, value in enumerate(values)])
        return table

    # ------------------------------------------------------------------- deciding

    def decide(self, what: str, operation: Any, message: str, reopen: Any = None, advance: bool = False) -> None:
        """Ask the session for a decision; show it in its case; with `advance`, go on to the next open case."""

        def done(saved: Saved[Any]) -> None:
            self.apply(saved.change)
            self.notify(message, markup=False, timeout=4)
            current = self.current
            if current is not None and current.status not in (OPEN, CHANGED) and (advance or not current.sources):
                self.next_open_ahead()

        attempt(self, self.session, what, operation, done, reopen=reopen, reload=self.reload, actor_name=self.actor_name)

    def pre_accept(self) -> None:
        waiting = self.data.waiting_agreed()
        if not waiting:
            return
        count = len(waiting)
        session = self.session
        self.decide(
            "Pre-accepting agreed annotations",
            lambda: session.accept_agreed(waiting),
            f"Pre-accepted {count} agreed annotation{'s' if count != 1 else ''} into the adjudicated layer — "
            f"{key_for(self, 'undo')} undoes",
            advance=True,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "take":
            index = parameters[0] if parameters else 0
            return isinstance(index, int) and index < len(self.reviewers)
        return True

    def action_take(self, index: int) -> None:
        case = self.current
        if case is None or index >= len(self.reviewers):
            return
        name = self.reviewers[index]
        chosen = case.by_reviewer().get(name)
        if chosen is None:
            self.notify(f"{name} has nothing here: take another's, edit (e) or reject (x)", title="Adjudication",
                        severity="warning", markup=False)
            return
        session = self.session
        self.decide("Taking a version", lambda: session.adjudicate(case, chosen), f"Took {name}'s version", advance=True)

    def action_reject(self) -> None:
        case = self.current
        if case is None:
            return
        session = self.session
        self.decide("Rejecting", lambda: session.reject(case), "Rejected: nothing of this place goes into the adjudicated layer",
                    advance=True)

    def base_of(self, case: Case) -> Annotation | None:
        """What an edit starts from: the adjudicated version if there is one, else the first reviewer's."""
        return case.adjudicated or (case.sources[0] if case.sources else None)

    def action_edit(self) -> None:
        case = self.current
        base = self.base_of(case) if case else None
        if case is None or base is None:
            return
        if case.kind is Kind.ACTOR:
            self.edit_mention(case, base)
        else:
            from tui.dialogs.claim_form import ClaimDraft

            claim = base.claim or Claim("")
            where = f"¶{case.paragraph}" + (f" · {base.span.start}–{base.span.end}" if base.span else " · whole paragraph")
            draft = ClaimDraft(text=claim.text, type=claim.type, claimant=claim.claimant, reported_by=claim.reported_by,
                               note=base.note, credibility=base.credibility, heading=f"Adjudicated claim · {where}",
                               quote=base.span.quote if base.span else None)
            self.open_claim_form(case, base, draft)

    def open_claim_form(self, case: Case, base: Annotation, draft: Any) -> None:
        from tui.dialogs.claim_form import ClaimForm

        session = self.session

        def answered(result: Any) -> None:
            if result is None:
                return

            def reopen(error: str) -> None:
                self.open_claim_form(case, base, replace(result, error=error))

            self.decide(
                "The adjudicated claim",
                lambda: session.adjudicate_edit(case, base, text=result.text, claim_type=result.type, claimant=result.claimant,
                                                reported_by=result.reported_by, note=result.note, credibility=result.credibility),
                "Saved a new version into the adjudicated layer",
                reopen,
            )

        self.app.push_screen(ClaimForm(draft, self.actors), answered)

    def edit_mention(self, case: Case, base: Annotation) -> None:
        from tui.dialogs.actor_picker import ActorPicker

        query = base.span.quote if base.span else self.actor_name(base.actor_id)
        session = self.session

        def chosen(choice: ActorChoice | None) -> None:
            if choice is None:
                return
            self.decide("The adjudicated mention", lambda: session.adjudicate_edit(case, base, actor=choice),
                        "Saved a new version into the adjudicated layer")

        self.app.push_screen(ActorPicker(list(self.actors.values()), query), chosen)

    def action_grade(self) -> None:
        case = self.current
        base = self.base_of(case) if case else None
        if case is None or base is None:
            return
        from tui.dialogs.credibility_picker import CredibilityPicker

        subject = base.claim.text if base.claim else self.actor_name(base.actor_id)
        session = self.session

        def graded(grade: Credibility | None) -> None:
            if grade is None:
                return
            self.decide("The adjudicated grade", lambda: session.adjudicate_edit(case, base, credibility=grade),
                        f"Graded {grade.code} in the adjudicated layer" if grade.is_set else "Grade cleared in the adjudicated layer")

        self.app.push_screen(CredibilityPicker(base.credibility, subject), graded)

    # ------------------------------------------------------------------ moving

    def action_next_open(self, step: int) -> None:
        if not self.cases:
            return
        start = self.query_one(LineList).cursor
        for offset in range(1, len(self.cases) + 1):
            index = (start + step * offset) % len(self.cases)
            if self.cases[index].status in (OPEN, CHANGED):
                if (step > 0) != (index > start):
                    self.notify("Wrapped around the report", markup=False, timeout=2)
                self.query_one(LineList).move_to(index)
                return
        self.notify("Every place is decided.", title="Adjudication", markup=False, timeout=4)

    def next_open_ahead(self) -> None:
        """After a decision: the next case that needs one, further down (none: stay)."""
        start = self.query_one(LineList).cursor
        found = next((i for i in range(start + 1, len(self.cases)) if self.cases[i].status in (OPEN, CHANGED)), None)
        if found is not None:
            self.query_one(LineList).move_to(found)

    def action_open_report(self) -> None:
        case = self.current
        if case is not None:
            self.reload_on_resume = True
            navigator(self).open_report(self.report_id, case.paragraph)

    def on_screen_resume(self) -> None:
        if self.reload_on_resume:
            self.reload_on_resume = False
            self.reload()

    def action_undo(self) -> None:
        self.step(self.session.undo, "Undone", "Nothing to undo")

    def action_redo(self) -> None:
        self.step(self.session.redo, "Redone", "Nothing to redo")

    def step(self, move: Any, verb: str, nothing: str) -> None:
        def done(change: Change | None) -> None:
            if change is None:
                self.notify(nothing, markup=False, timeout=3)
                return
            self.reload()  # what it wrote may be anywhere: read the report again
            self.notify(f"{verb}: {change.description}", markup=False, timeout=4)

        attempt(self, self.session, verb, move, done, reload=self.reload)

    def action_back(self) -> None:
        navigator(self).show_library()

