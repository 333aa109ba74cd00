"""An actor field of a form (a claim's claimant, its reported-by): offered actors by digit, or a name typed and completed.

Below the field, while it has focus, a short list:

* nothing typed: the actors *offered* — the paragraph's actor mentions and
  registry suggestions, numbered; a digit picks one (and the form moves on);
* a name typed: the registry's actors that match it (fuzzy, as in the actor
  picker), the best first and highlighted, and last "+ new actor …".

↑/↓ move the highlight; enter accepts the highlighted entry (or, with nothing
highlighted, leaves the field as it is) and posts `Accepted` so the form moves
to its next field. "+ new actor" posts `CreateRequested`: the form opens the
actor picker to choose the new actor's type. While a name is being typed,
digits are part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static
from textual.widgets.option_list import Option

from store.model import ACTOR_TYPES, Actor, ActorChoice, NewActor
from tui.widgets.lists import NavOptionList

CREATE = "+new"
MATCHES = 5  # completions shown at once


def _type_label(actor_type: str) -> str:
    return ACTOR_TYPES.get(actor_type, actor_type)


class ActorInput(Input):
    """The name line of an ActorField: digits pick an offered actor unless a name is being typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "highlight(1)", "Next entry", show=False, id="actor_field.down"),
        Binding("up", "highlight(-1)", "Previous entry", show=False, id="actor_field.up"),
    ]

    def on_key(self, event: events.Key) -> None:
        """A digit picks an offered actor (before the Input would type it: a subclass's handler runs first).

        Not a priority binding: those run as keys arrive, ahead of the characters typed
        just before them, and a burst of keys must keep its order.
        """
        field = self.parent
        if event.character and event.character.isdigit() and isinstance(field, ActorField):
            number = int(event.character)
            if field.picks_by_digit(number):
                event.stop()
                event.prevent_default()
                field.pick_offered(number)

    def action_highlight(self, step: int) -> None:
        field = self.parent
        if isinstance(field, ActorField):
            field.move_highlight(int(step))


class ActorField(Vertical):
    DEFAULT_CSS = """
    ActorField {
        height: auto;
    }
    ActorField > ActorInput {
        width: 1fr;
    }
    ActorField > .actor-field--chosen {
        color: $text-muted;
        height: 1;
    }
    ActorField > NavOptionList {
        display: none;
        height: auto;
        max-height: 6;
        border: none;
        padding: 0;
    }
    ActorField.-open > NavOptionList {
        display: block;
    }
    """

    class Accepted(Message):
        """Enter (or a digit) settled the field: the form moves on."""

        def __init__(self, field: ActorField) -> None:
            self.field = field
            super().__init__()

        @property
        def control(self) -> ActorField:
            return self.field

    class CreateRequested(Message):
        """The analyst asked for a new actor named `name` (its type is asked next)."""

        def __init__(self, field: ActorField, name: str) -> None:
            self.field = field
            self.name = name
            super().__init__()

        @property
        def control(self) -> ActorField:
            return self.field

    def __init__(
        self,
        actors: dict[str, Actor],
        offered: Sequence[str],
        choice: ActorChoice | None,
        *,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.actors = actors
        self.offered = [actor_id for actor_id in dict.fromkeys(offered) if actor_id in actors][:9]
        self.choice: ActorChoice | None = choice
        self.placeholder = placeholder
        self._entries: list[str] = []  # option ids in list order

    def compose(self) -> ComposeResult:
        yield ActorInput(self.name_of(self.choice), placeholder=self.placeholder, compact=True, select_on_focus=False)
        yield Static(classes="actor-field--chosen")
        yield NavOptionList(markup=False)

    def on_mount(self) -> None:
        self.query_one(NavOptionList).can_focus = False  # keys reach it from the name line
        self.show()

    def on_descendant_focus(self) -> None:
        self.add_class("-open")  # the list shows while the field has focus

    def on_descendant_blur(self) -> None:
        self.remove_class("-open")

    # ------------------------------------------------------------- reading

    @property
    def input(self) -> ActorInput:
        return self.query_one(ActorInput)

    @property
    def typed(self) -> str:
        return " ".join(self.input.value.split())

    def name_of(self, choice: ActorChoice | None) -> str:
        if isinstance(choice, NewActor):
            return choice.name
        actor = self.actors.get(choice or "")
        return actor.name if actor else ""

    @property
    def typing(self) -> bool:
        """Is a name being typed (text that is not the chosen actor's name)?"""
        typed = self.typed
        return bool(typed) and typed.casefold() != self.name_of(self.choice).casefold()

    def picks_by_digit(self, number: int) -> bool:
        return not self.typing and 1 <= number <= len(self.offered)

    # ------------------------------------------------------------ changing

    def pick_offered(self, number: int) -> None:
        self.set_choice(self.offered[number - 1])
        self.post_message(self.Accepted(self))

    def set_choice(self, choice: ActorChoice | None) -> None:
        self.choice = choice
        field = self.input
        with field.prevent(Input.Changed):
            field.value = self.name_of(choice)
            field.cursor_position = len(field.value)
        self.show()

    def move_highlight(self, step: int) -> None:
        options = self.query_one(NavOptionList)
        if not options.option_count:
            return
        current = options.highlighted
        options.highlighted = (0 if step > 0 else options.option_count - 1) if current is None else max(
            0, min(options.option_count - 1, current + step)
        )

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if self.choice is not None and self.typed.casefold() != self.name_of(self.choice).casefold():
            self.choice = None
        self.show()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.accept()

    def exact_match(self) -> str | None:
        """The actor whose name or an alias is what was typed (any case, spelling variants aside), if one."""
        from store.matching import normalise

        wanted = normalise(self.typed)
        found = [a.id for a in self.actors.values() if any(normalise(n) == wanted for n in a.names)]
        return found[0] if len(found) == 1 else None

    def highlighted_entry(self) -> str | None:
        """The id of the highlighted entry (an actor id, or CREATE), if any."""
        options = self.query_one(NavOptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    def accept(self) -> None:
        """Take the highlighted entry (or keep the field as it is) and tell the form to move on."""
        options = self.query_one(NavOptionList)
        if options.highlighted is not None and options.option_count:
            entry = options.get_option_at_index(options.highlighted).id
            if entry == CREATE:
                self.post_message(self.CreateRequested(self, self.typed))
                return
            if entry is not None:
                self.set_choice(entry)
        elif self.typing:
            self.post_message(self.CreateRequested(self, self.typed))
            return
        elif not self.typed:
            self.set_choice(None)
        self.post_message(self.Accepted(self))

    # ------------------------------------------------------------- drawing

    def show(self) -> None:
        chosen = self.query_one(".actor-field--chosen", Static)
        label = Text()
        choice = self.choice
        if choice is None:
            label.append("no actor" if not self.typing else "not chosen yet: enter picks the highlighted one", style="italic")
        elif isinstance(choice, NewActor):
            label.append(f"→ new {_type_label(choice.type)}, created with the claim")
        elif choice in self.actors:
            label.append(f"→ {_type_label(self.actors[choice].type)}")
        else:
            label.append("(actor no longer exists)", style="italic")
        chosen.update(label)
        self._fill_list()

    def _fill_list(self) -> None:
        options = self.query_one(NavOptionList)
        entries: list[Option] = []
        highlight: int | None = None
        if self.typing:
            from store.matching import confident, match_actors  # the fuzzy matcher loads with the first name typed

            matches = match_actors(self.typed, self.actors.values(), limit=MATCHES)
            for match in matches:
                entries.append(Option(self._entry(match.actor, None, match.name_matched), id=match.actor.id))
            entries.append(Option(Text.assemble(("+ new actor ", "bold"), f"“{self.typed}”"), id=CREATE))
            highlight = 0 if confident(self.typed, matches) else len(matches)  # a weak likeness is shown, never taken by enter
        else:
            for number, actor_id in enumerate(self.offered, start=1):
                if actor_id == self.choice:
                    highlight = number - 1
                entries.append(Option(self._entry(self.actors[actor_id], number, None), id=actor_id))
            if not entries:
                entries.append(Option(Text("no actor named in this paragraph — type a name", style="dim"), disabled=True))
        options.set_options(entries)
        options.highlighted = highlight

    def _entry(self, actor: Actor, number: int | None, matched: str | None) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if number is not None:
            text.append(f"{number} ", style="bold")
        text.append(actor.name)
        text.append(f"  {_type_label(actor.type)}", style="dim")
        if matched and matched != actor.name:
            text.append(f"  “{matched}”", style="italic dim")
        return text
