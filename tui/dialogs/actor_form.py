"""Edit one actor: name, type, affiliation, aliases, note.

`ActorForm(actors, actor)` answers with an `ActorDraft` — not yet saved: the
screen that opened it saves it through the session — or `None` on esc. Without
an actor it fills in a new one (named `name`). The affiliation is another actor,
chosen with the `ActorPicker` (a new one is created with this actor).
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
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from store.model import ACTOR_TYPES, Actor, ActorChoice, NewActor
from tui.dialogs.actor_picker import ActorPicker
from tui.keys import hint


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


class ActorForm(ModalScreen[ActorDraft | None]):
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
        grid-rows: 3 3 3 3 5;
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
        Binding("ctrl+s", "save", "Save", id="actor_form.save"),
        Binding("escape", "cancel", "Cancel", id="actor_form.cancel"),
        Binding("ctrl+o", "pick_affiliation", "Affiliation", id="actor_form.affiliation"),
    ]

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
                yield Select(
                    [(label, key) for key, label in ACTOR_TYPES.items()],
                    value=actor.type if actor and actor.type in ACTOR_TYPES else "other",
                    allow_blank=False,
                    id="form-type",
                )
                yield Label("Affiliation", classes="form-label")
                with Horizontal(id="form-affiliation-row"):
                    yield Button(self.affiliation_label(), id="form-affiliation")
                    yield Button("Clear", id="form-clear-affiliation")
                yield Label("Aliases", classes="form-label")
                yield Input(
                    ", ".join(actor.aliases) if actor else "",
                    placeholder="comma-separated",
                    id="form-aliases",
                    select_on_focus=False,
                )
                yield Label("Note", classes="form-label")
                yield TextArea(actor.note if actor else "", id="form-note")
            yield Static(
                Text(
                    hint(
                        self,
                        ("actor_form.save", "saves"), 
                        ("actor_form.affiliation", "picks the affiliation"), 
                        ("actor_form.cancel", "cancels"),
                    )
                ),
                id="form-hint",
            )

    def on_mount(self) -> None:
        self.show_affiliation()
        self.query_one("#form-name", Input).focus()

    def affiliation_label(self) -> Content:
        if self.affiliation is None:
            return Content("none (enter to pick)")
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

    @on(Input.Submitted)
    def action_save(self) -> None:
        name = " ".join(self.query_one("#form-name", Input).value.split())
        if not name:
            self.notify("An actor needs a name.", title="Actor", severity="error")
            self.query_one("#form-name", Input).focus()
            return
        actor_type = str(self.query_one("#form-type", Select).value)
        aliases = split_aliases(self.query_one("#form-aliases", Input).value)
        note = self.query_one("#form-note", TextArea).text.strip()
        self.dismiss(ActorDraft(name, actor_type, aliases, self.affiliation, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
