"""`c` (or enter on a claim candidate): what a claim says, its type, who makes it, who reports it, its grade, a note.

`ClaimForm(draft, actors)` answers with the edited `ClaimDraft` (not yet saved:
the report screen saves it through the session, and reopens the form with the
same draft and the error if it could not be saved) or `None` when cancelled.
It fills in the way every form does (`tui/dialogs/form.py`): enter moves on,
ctrl+s saves from any field, esc asks before dropping typed text.

* Type: a digit (1 event … 6 other).
* Claimant, reported by: a digit picks one of the actors named in the
  paragraph (`draft.offered`), or type a name: the registry completes it, enter
  takes the highlighted actor, "+ new actor" asks for its type (actor picker).
* Grade: a letter A–F and a digit 1–6, inside the form.

`keep(draft)` (optional) is called with what the form holds after every change,
so the screen can keep it on disk as a draft (`store/workstate.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, Static, TextArea

from store.model import CLAIM_TYPES, Actor, ActorChoice, Credibility
from tui.dialogs.form import FormScreen
from tui.widgets.actor_field import ActorField
from tui.widgets.choice import DigitChoice
from tui.widgets.grade_field import GradeField

QUOTE_PREVIEW = 200
ACTOR_FIELDS = ("claimant", "reported_by")
FIELDS = ("claim-text", "claim-type", "claim-claimant", "claim-reported_by", "claim-grade", "claim-note")
TYPE_LABELS = {"intent": "intent", "statement": "statement", "figure": "figure"}  # short labels on one line


@dataclass(frozen=True)
class ClaimDraft:
    """What the analyst typed into the claim form, kept whole until the store has it."""

    text: str = ""
    type: str = "other"
    claimant: ActorChoice | None = None  # an actor id, or a new actor to create
    reported_by: ActorChoice | None = None
    note: str = ""
    credibility: Credibility | None = None
    # Shown, not edited:
    heading: str = "New claim"
    quote: str | None = None  # the span's text; None for a paragraph-level claim
    error: str | None = None  # why the last save failed
    offered: tuple[str, ...] = ()  # actor ids named in the paragraph, offered by digit
    start: str | None = None  # the field to start on (a prefilled form starts where the rules could not fill)


class ClaimText(TextArea):
    """The claim's words, wrapped over a few lines; enter moves on (a claim is one run of prose)."""

    # A priority binding runs before the TextArea would insert a line break.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "next_field", "Next field", show=False, priority=True, id="claim_form.next")]

    def action_next_field(self) -> None:
        screen = self.screen
        if isinstance(screen, FormScreen):
            screen.next_field()


class ClaimForm(FormScreen[ClaimDraft | None]):
    DEFAULT_CSS = """
    ClaimForm {
        align: center middle;
    }
    ClaimForm > #claim-box {
        width: 86;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
        overflow-y: auto;
    }
    ClaimForm #claim-heading {
        text-style: bold;
    }
    ClaimForm #claim-quote {
        color: $text-muted;
        max-height: 2;
    }
    ClaimForm #claim-fields {
        grid-size: 2;
        grid-columns: 12 1fr;
        grid-rows: auto;
        grid-gutter: 0;
        height: auto;
    }
    ClaimForm #claim-text {
        height: 3;
    }
    ClaimForm .claim-label {
        color: $text-muted;
        width: 100%;
    }
    ClaimForm #claim-error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    ClaimForm #claim-hint {
        color: $text-muted;
        height: auto;
    }
    """

    FIELDS = FIELDS

    def __init__(
        self,
        draft: ClaimDraft,
        actors: dict[str, Actor],
        keep: Callable[[ClaimDraft], None] | None = None,
    ) -> None:
        super().__init__()
        self.draft = draft
        self.actors = dict(actors)
        self.keep = keep

    def compose(self) -> ComposeResult:
        draft = self.draft
        with Vertical(id="claim-box"):
            yield Static(Text(draft.heading), id="claim-heading")
            quote = draft.quote
            if quote is None:
                shown = Text("Whole paragraph (no span)", style="italic")
            else:
                clipped = quote if len(quote) <= QUOTE_PREVIEW else quote[:QUOTE_PREVIEW] + " …"
                shown = Text("“" + clipped.replace("\n", " ") + "”", overflow="ellipsis")
            yield Static(shown, id="claim-quote")
            with Grid(id="claim-fields"):
                yield Label("Claim", classes="claim-label")
                yield ClaimText(
                    draft.text, soft_wrap=True, show_line_numbers=False, compact=True, placeholder="what is claimed", id="claim-text"
                )
                yield Label("Type", classes="claim-label")
                yield DigitChoice([(key, TYPE_LABELS.get(key, label)) for key, label in CLAIM_TYPES.items()], draft.type, id="claim-type")
                for field, label in (("claimant", "Claimant"), ("reported_by", "Reported by")):
                    yield Label(label, classes="claim-label")
                    yield ActorField(
                        self.actors,
                        draft.offered,
                        getattr(draft, field),
                        placeholder="a digit, or type a name",
                        id=f"claim-{field}",
                    )
                yield Label("Grade", classes="claim-label")
                yield GradeField(draft.credibility, id="claim-grade")
                yield Label("Note", classes="claim-label")
                yield Input(draft.note, placeholder="optional", id="claim-note", compact=True)
            yield Static(Text(draft.error or ""), id="claim-error")
            yield Static(Text(self.form_hint()), id="claim-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#claim-error", Static).display = bool(self.draft.error)
        text = self.query_one("#claim-text", ClaimText)
        text.move_cursor(text.document.end)
        start = self.draft.start if self.draft.start in FIELDS else "claim-text"
        self.focus_field(start)

    # ------------------------------------------------------------ reading

    def current(self) -> ClaimDraft:
        """The draft as the form holds it now (not checked)."""
        claim_type = self.query_one("#claim-type", DigitChoice).value
        grade = self.query_one("#claim-grade", GradeField).grade
        return replace(
            self.draft,
            text=" ".join(self.query_one("#claim-text", ClaimText).text.split()),
            type=claim_type if claim_type in CLAIM_TYPES else "other",
            claimant=self.query_one("#claim-claimant", ActorField).choice,
            reported_by=self.query_one("#claim-reported_by", ActorField).choice,
            note=self.query_one("#claim-note", Input).value.strip(),
            credibility=grade if grade.is_set else None,
            error=None,
        )

    def values(self) -> tuple[object, ...]:
        draft = self.current()
        typed = tuple(self.query_one(f"#claim-{field}", ActorField).typed for field in ACTOR_FIELDS)
        return (draft.text, draft.type, draft.claimant, draft.reported_by, draft.note, draft.credibility, typed)

    # ----------------------------------------------------------- changes

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(DigitChoice.Changed)
    @on(GradeField.Changed)
    @on(ActorField.Accepted)
    def _changed(self) -> None:
        if self.keep is not None and self.is_mounted and self._initial is not None:
            self.keep(self.current())

    @on(ActorField.CreateRequested)
    def _create_requested(self, event: ActorField.CreateRequested) -> None:
        event.stop()
        self.create_actor(event.field, event.name)

    def create_actor(self, field: ActorField, name: str, then_save: bool = False, creating: bool = True) -> None:
        """The actor picker on `name` (creating it: a digit for its type, enter). The form then moves on (or saves)."""
        from tui.dialogs.actor_picker import ActorPicker

        def chosen(choice: ActorChoice | None) -> None:
            self.set_focus(field.input)
            if choice is None:
                return
            field.set_choice(choice)
            self._changed()
            if then_save:
                self.save()
            else:
                self.next_field()

        title, default_type = ("Claimant", "person") if field.id == "claim-claimant" else ("Reported by", "media")
        picker = ActorPicker(list(self.actors.values()), name, title=title, default_type=default_type, creating=creating)
        self.app.push_screen(picker, chosen)

    # ------------------------------------------------------------ answer

    def _error(self, message: str) -> None:
        error = self.query_one("#claim-error", Static)
        error.update(Text(message))
        error.display = True

    def save(self) -> None:
        draft = self.current()
        if not draft.text:
            self._error("A claim needs its text.")
            self.focus_field("claim-text")
            return
        for field in ACTOR_FIELDS:
            actor_field = self.query_one(f"#claim-{field}", ActorField)
            if actor_field.typing:  # a name typed but not taken: an actor of exactly that name, else the picker asks
                exact = actor_field.exact_match()
                if exact is not None:
                    actor_field.set_choice(exact)
                    continue
                self.create_actor(actor_field, actor_field.typed, then_save=True, creating=False)
                return
        self.dismiss(self.current())
