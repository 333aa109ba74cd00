"""Edit one actor: name, type, affiliation, aliases, note.

`ActorForm(actors, actor)` answers with an `ActorDraft` — not yet saved: the
screen that opened it saves it through the session — or `None` on esc. Without
an actor it fills in a new one (named `name`). The affiliation is another actor,
chosen with the `ActorPicker` (a new one is created with this actor). It fills in
the way every form does (`tui/dialogs/form.py`): enter moves on (on the note,
the last field, it saves), ctrl+s saves from any field, the type is a digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Static, TextArea

from store.model import ACTOR_TYPES, Actor, ActorChoice, NewActor
from tui.dialogs.actor_picker import ActorPicker
from tui.dialogs.form import FormScreen
from tui.keys import key_for
from tui.widgets.choice import DigitChoice

SHORT_TYPES = {
    "person": "person", "armed_group": "armed group", "state": "state", "state_body": "state body",
    "party": "party", "media": "media", "international_org": "intl org", "other": "other",
}


class FormButton(Button):
    """A button in a form: space (or a click) presses it, enter moves on (as in every field)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "press", "Press", show=False),
        Binding("enter", "screen.next_field", "Next field", show=False),
    ]


class NoteArea(TextArea):
    """The note: enter moves on (and, as the last field, saves); ctrl+j starts a new line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.next_field", "Next field", show=False, priority=True, id="actor_form.next"),
        Binding("ctrl+j", "new_line", "New line", show=False, id="actor_form.new_line"),
    ]

    def action_new_line(self) -> None:
        self.insert("\n")


@dataclass(frozen=True)
class ActorDraft:
    """What the analyst typed into the actor form."""

    name: str
    type: str
    aliases: tuple[str, ...]
    affiliation: ActorChoice | None
    note: str


def split_aliases(text: str) -> tuple[str, ...]:
    """"KH, Hezbollah Brigades,," → ("KH", "Hezbollah Brigades"): comma-separated, blanks and repeats dropped."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


class ActorForm(FormScreen[ActorDraft | None]):
    DEFAULT_CSS = """
    ActorForm {
        align: center middle;
    }
    ActorForm > #form-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ActorForm #form-title {
        text-style: bold;
    }
    ActorForm #form-fields {
        grid-size: 2;
        grid-columns: 12 1fr;
        grid-rows: 3 auto 3 3 5;
        height: auto;
    }
    ActorForm .form-label {
        color: $text-muted;
        width: 100%;
        height: 3;
        content-align: left middle;
    }
    ActorForm #form-affiliation-row {
        height: 3;
    }
    ActorForm #form-affiliation {
        width: 1fr;
        content-align: left middle;
        text-align: left;
    }
    ActorForm #form-clear-affiliation {
        width: auto;
        min-width: 9;
        margin-left: 1;
    }
    ActorForm #form-note {
        height: 5;
    }
    ActorForm #form-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "pick_affiliation", "Affiliation", id="actor_form.affiliation"),
    ]
    FIELDS = ("form-name", "form-type", "form-affiliation", "form-aliases", "form-note")

    def __init__(self, actors: dict[str, Actor], actor: Actor | None = None, name: str = "") -> None:
        super().__init__()
        self.actors = actors
        self.actor = actor
        self.initial_name = actor.name if actor else name
        self.affiliation: ActorChoice | None = actor.affiliation if actor else None

    def compose(self) -> ComposeResult:
        actor = self.actor
        title = Text("Edit actor" if actor else "New actor", style="bold")
        with Vertical(id="form-box"):
            yield Static(title, id="form-title")
            with Grid(id="form-fields"):
                yield Label("Name", classes="form-label")
                yield Input(self.initial_name, id="form-name", select_on_focus=False)
                yield Label("Type", classes="form-label")
                yield DigitChoice(
                    [(key, SHORT_TYPES.get(key, label)) for key, label in ACTOR_TYPES.items()],
                    actor.type if actor and actor.type in ACTOR_TYPES else "other",
                    id="form-type",
                )
                yield Label("Affiliation", classes="form-label")
                with Horizontal(id="form-affiliation-row"):
                    yield FormButton(self.affiliation_label(), id="form-affiliation")
                    yield FormButton("Clear", id="form-clear-affiliation")
                yield Label("Aliases", classes="form-label")
                yield Input(
                    ", ".join(actor.aliases) if actor else "",
                    placeholder="comma-separated",
                    id="form-aliases",
                    select_on_focus=False,
                )
                yield Label("Note", classes="form-label")
                yield NoteArea(actor.note if actor else "", id="form-note")
            yield Static(Text(self.form_hint(("actor_form.affiliation", "picks the affiliation"))), id="form-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_affiliation()
        self.query_one("#form-name", Input).focus()

    def values(self) -> tuple[object, ...]:
        return (
            self.query_one("#form-name", Input).value,
            self.query_one("#form-type", DigitChoice).value,
            self.affiliation,
            self.query_one("#form-aliases", Input).value,
            self.query_one("#form-note", TextArea).text,
        )

    def affiliation_label(self) -> Content:
        if self.affiliation is None:
            return Content(f"none ({key_for(self, 'actor_form.affiliation')} or space picks)")
        if isinstance(self.affiliation, NewActor):
            return Content(f"{self.affiliation.name} (new)")
        actor = self.actors.get(self.affiliation)
        return Content(actor.name if actor else "(an actor no longer in the registry)")

    def show_affiliation(self) -> None:
        self.query_one("#form-affiliation", Button).label = self.affiliation_label()
        self.query_one("#form-clear-affiliation", Button).display = self.affiliation is not None

    # ----------------------------------------------------------- affiliation

    @on(Button.Pressed, "#form-affiliation")
    def action_pick_affiliation(self) -> None:
        name = self.query_one("#form-name", Input).value.strip() or "this actor"
        self.app.push_screen(
            ActorPicker(
                list(self.actors.values()),
                "",
                title=f"Affiliation of {name}",
                exclude=(self.actor.id,) if self.actor else (),
            ),
            self.affiliation_picked,
        )

    def affiliation_picked(self, actor_id: ActorChoice | None) -> None:
        if actor_id is None:
            return
        if self.actor is not None and isinstance(actor_id, str) and self.creates_cycle(actor_id):
            self.notify(
                "An actor cannot be affiliated with itself, directly or through others.",
                title="Affiliation",
                severity="warning",
            )
            return
        self.affiliation = actor_id
        self.show_affiliation()
        self.query_one("#form-affiliation", Button).focus()

    def creates_cycle(self, patron_id: str) -> bool:
        """Would `self.actor` → patron → … lead back to `self.actor`?"""
        assert self.actor is not None
        seen: set[str] = set()
        current: str | None = patron_id
        while current is not None and current not in seen:
            if current == self.actor.id:
                return True
            seen.add(current)
            patron = self.actors.get(current)
            current = patron.affiliation if patron else None
        return False

    @on(Button.Pressed, "#form-clear-affiliation")
    def clear_affiliation(self) -> None:
        self.affiliation = None
        self.show_affiliation()
        self.query_one("#form-affiliation", Button).focus()

    # ------------------------------------------------------------ answering

    def save(self) -> None:
        name = " ".join(self.query_one("#form-name", Input).value.split())
        if not name:
            self.notify("An actor needs a name.", title="Actor", severity="error")
            self.query_one("#form-name", Input).focus()
            return
        actor_type = self.query_one("#form-type", DigitChoice).value
        aliases = split_aliases(self.query_one("#form-aliases", Input).value)
        note = self.query_one("#form-note", TextArea).text.strip()
        self.dismiss(ActorDraft(name, actor_type, aliases, self.affiliation, note))
