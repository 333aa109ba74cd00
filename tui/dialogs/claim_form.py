"""`c`: what a claim says, its type, who makes it, who reports it, and a note.

`ClaimForm(draft, actors)` answers with the edited `ClaimDraft` (not yet saved:
the report screen saves it through the session, and reopens the form with the
same draft and the error if it could not be saved) or `None` on esc. Claimant
and reported-by are actors, chosen with the actor picker: type a name and press
enter; a new actor is answered as `NewActor` and created with the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from store.model import CLAIM_TYPES, Actor, ActorChoice, NewActor

QUOTE_PREVIEW = 200


@dataclass(frozen=True)
class ClaimDraft:
    """What the analyst typed into the claim form, kept whole until the store has it."""

    text: str = ""
    type: str = "other"
    claimant: ActorChoice | None = None  # an actor id, or a new actor to create
    reported_by: ActorChoice | None = None
    note: str = ""
    # Shown, not edited:
    heading: str = "New claim"
    quote: str | None = None  # the span's text; None for a paragraph-level claim
    error: str | None = None  # why the last save failed


ACTOR_FIELDS = ("claimant", "reported_by")


class ClaimText(TextArea):
    """The claim's words, wrapped over a few lines; enter moves on (a claim is one run of prose)."""

    # A priority binding runs before the TextArea would insert a line break.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "next_field", "Next field", show=False, priority=True, id="claim_form.next")]

    def action_next_field(self) -> None:
        self.screen.focus_next()


class ClaimForm(ModalScreen[ClaimDraft | None]):
    DEFAULT_CSS = """
    ClaimForm {
        align: center middle;
    }
    ClaimForm > #claim-box {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ClaimForm #claim-heading {
        text-style: bold;
    }
    ClaimForm #claim-quote {
        color: $text-muted;
        max-height: 3;
        margin-bottom: 1;
    }
    ClaimForm #claim-fields {
        grid-size: 2;
        grid-columns: 13 1fr;
        grid-rows: auto;
        grid-gutter: 0;
        height: auto;
    }
    ClaimForm #claim-fields Input, ClaimForm #claim-fields Select {
        margin-bottom: 0;
    }
    ClaimForm #claim-text {
        height: 3;
    }
    ClaimForm .claim-label {
        color: $text-muted;
        width: 100%;
    }
    ClaimForm .claim-actor-name {
        color: $text-muted;
        column-span: 2;
        padding-left: 13;
        height: 1;
    }
    ClaimForm #claim-error {
        color: $error;
        text-style: bold;
        height: auto;
        margin-top: 1;
    }
    ClaimForm #claim-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="claim_form.save"),
        Binding("escape", "cancel", "Cancel", id="claim_form.cancel"),
    ]

    def __init__(self, draft: ClaimDraft, actors: dict[str, Actor]) -> None:
        super().__init__()
        self.draft = draft
        self.actors = actors
        self.chosen: dict[str, ActorChoice | None] = {"claimant": draft.claimant, "reported_by": draft.reported_by}

    def compose(self) -> ComposeResult:
        with Vertical(id="claim-box"):
            yield Static(Text(self.draft.heading), id="claim-heading")
            quote = self.draft.quote
            if quote is None:
                shown = Text("Whole paragraph (no span)", style="italic")
            else:
                clipped = quote if len(quote) <= QUOTE_PREVIEW else quote[:QUOTE_PREVIEW] + " …"
                shown = Text("“" + clipped.replace("\n", " ") + "”")
            yield Static(shown, id="claim-quote")
            with Grid(id="claim-fields"):
                yield Label("Claim", classes="claim-label")
                yield ClaimText(
                    self.draft.text,
                    soft_wrap=True,
                    show_line_numbers=False,
                    compact=True,
                    placeholder="what is claimed",
                    id="claim-text",
                )
                yield Label("Type", classes="claim-label")
                yield Select(
                    [(label, key) for key, label in CLAIM_TYPES.items()],
                    value=self.draft.type if self.draft.type in CLAIM_TYPES else "other",
                    allow_blank=False,
                    id="claim-type",
                    compact=True,
                )
                for field, label in (("claimant", "Claimant"), ("reported_by", "Reported by")):
                    yield Label(label, classes="claim-label")
                    yield Input(
                        self._actor_name(self.chosen[field]),
                        placeholder="type a name, enter to pick an actor",
                        id=f"claim-{field}",
                        compact=True,
                    )
                    yield Static(id=f"claim-{field}-name", classes="claim-actor-name")
                yield Label("Note", classes="claim-label")
                yield Input(self.draft.note, placeholder="optional", id="claim-note", compact=True)
            yield Static(Text(self.draft.error or ""), id="claim-error")
            yield Static(
                Text("enter: next field (on an actor: pick) · ctrl+s save · esc cancel"),
                id="claim-hint",
            )

    def on_mount(self) -> None:
        for field in ACTOR_FIELDS:
            self._show_actor(field)
        self.query_one("#claim-error", Static).display = bool(self.draft.error)
        text = self.query_one("#claim-text", ClaimText)
        text.move_cursor(text.document.end)
        text.focus()

    # ---------------------------------------------------------------- actors

    def _actor_name(self, choice: ActorChoice | None) -> str:
        if isinstance(choice, NewActor):
            return choice.name
        actor = self.actors.get(choice or "")
        return actor.name if actor else ""

    def _show_actor(self, field: str) -> None:
        choice = self.chosen[field]
        label = Text()
        if choice is None:
            label.append("no actor", style="italic")
        elif isinstance(choice, NewActor):
            label.append("→ ")
            label.append(choice.name)
            label.append(f" (new {choice.type.replace('_', ' ')}, created with the claim)")
        elif choice not in self.actors:
            label.append("(actor no longer exists)", style="italic")
        else:
            actor = self.actors[choice]
            label.append("→ ")
            label.append(actor.name)
            label.append(f" ({actor.type.replace('_', ' ')})")
        self.query_one(f"#claim-{field}-name", Static).update(label)

    def _find_actor(self, name: str) -> Actor | None:
        """The actor whose name or an alias is exactly `name` (any case)."""
        wanted = name.casefold()
        return next((a for a in self.actors.values() if any(n.casefold() == wanted for n in a.names)), None)

    def _resolved(self, field: str) -> bool:
        """Does the actor field's text name the chosen actor (or is it empty)?"""
        typed = self.query_one(f"#claim-{field}", Input).value.strip()
        if not typed:
            self.chosen[field] = None
            return True
        chosen = self.chosen[field]
        if chosen is not None and self._actor_name(chosen).casefold() == typed.casefold():
            return True
        found = self._find_actor(typed)
        if found is not None:
            self.chosen[field] = found.id
            self._show_actor(field)
            return True
        return False

    def pick_actor(self, field: str, then_save: bool = False) -> None:
        """Open the actor picker on what was typed; the choice fills the field."""
        from tui.dialogs.actor_picker import ActorPicker

        typed = self.query_one(f"#claim-{field}", Input).value.strip()

        def chosen(choice: ActorChoice | None) -> None:
            field_input = self.query_one(f"#claim-{field}", Input)
            if choice is None:
                field_input.focus()
                return
            self.chosen[field] = choice
            field_input.value = self._actor_name(choice)
            self._show_actor(field)
            if then_save:
                self.action_save()
            else:
                self.focus_next()

        title, default_type = ("Claimant", "other") if field == "claimant" else ("Reported by", "media")
        self.app.push_screen(ActorPicker(list(self.actors.values()), typed, title=title, default_type=default_type), chosen)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        for field in ACTOR_FIELDS:
            if event.input.id == f"claim-{field}" and self.chosen[field] is not None:
                if event.value.strip().casefold() != self._actor_name(self.chosen[field]).casefold():
                    self.chosen[field] = None
                    self._show_actor(field)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field_id = event.input.id or ""
        for field in ACTOR_FIELDS:
            if field_id == f"claim-{field}":
                if self._resolved(field):
                    self.focus_next()
                else:
                    self.pick_actor(field)
                return
        if field_id == "claim-note":
            self.action_save()
        else:
            self.focus_next()

    # --------------------------------------------------------------- answer

    def _error(self, message: str) -> None:
        error = self.query_one("#claim-error", Static)
        error.update(Text(message))
        error.display = True

    def action_save(self) -> None:
        text = " ".join(self.query_one("#claim-text", ClaimText).text.split())
        if not text:
            self._error("A claim needs its text.")
            self.query_one("#claim-text", ClaimText).focus()
            return
        for field in ACTOR_FIELDS:
            if not self._resolved(field):
                self.pick_actor(field, then_save=True)
                return
        claim_type = self.query_one("#claim-type", Select).value
        self.dismiss(
            replace(
                self.draft,
                text=text,
                type=str(claim_type) if claim_type in CLAIM_TYPES else "other",
                claimant=self.chosen["claimant"],
                reported_by=self.chosen["reported_by"],
                note=self.query_one("#claim-note", Input).value.strip(),
                error=None,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
