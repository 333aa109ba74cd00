"""Pick an actor by fuzzy name, or create one in a few keys.

`ActorPicker(actors, query)` answers with the chosen actor's id, or with
`NewActor(name, type)` when the analyst asks for a new one (the screen that
opened it creates it, through the session, in the same step as what names it),
or `None` on esc. The query (usually the selected span) is matched against every
name and alias as it is typed; enter picks the highlighted actor. `ctrl+n` — or
the "create new actor" entry — turns the list into the eight actor types: a
digit picks one and answers at once (↑/↓ and enter work too). So a new actor
costs two keys: ctrl+n and its type's digit.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from store.matching import ActorMatch, confident, match_actors
from store.model import ACTOR_TYPES, Actor, ActorChoice, NewActor
from tui.keys import NUMBER_WORDS, hint, key_for
from tui.widgets.lists import NavOptionList

CREATE = "+create"  # option id of the "create new actor" entry (actor ids are hex)
TYPE_KEYS = list(ACTOR_TYPES)  # digit n picks TYPE_KEYS[n - 1]
LIMIT = 50


def actor_type_label(actor_type: str) -> str:
    return ACTOR_TYPES.get(actor_type, actor_type)


def match_prompt(match: ActorMatch, actors: dict[str, Actor]) -> Text:
    """One entry of the list: name, type, affiliation; the alias that matched; the other aliases."""
    actor = match.actor
    text = Text(overflow="ellipsis")
    text.append(actor.name, style="bold")
    text.append(f"  {actor_type_label(actor.type)}", style="dim")
    patron = actors.get(actor.affiliation or "")
    if patron is not None:
        text.append(" · ", style="dim")
        text.append(patron.name, style="dim")
    if match.name_matched != actor.name:
        text.append("\n  matched ", style="dim")
        text.append(f"“{match.name_matched}”", style="italic")
    others = [alias for alias in actor.aliases if alias != match.name_matched]
    if others:
        text.append("\n  aka ", style="dim")
        text.append(", ".join(others), style="dim")
    return text


def create_prompt(name: str, key: str = "ctrl+n") -> Text:
    text = Text("+ create new actor ", style="bold")
    text.append(f"“{name}”")
    text.append(f"  {key}", style="dim")
    return text


class ActorPicker(ModalScreen[ActorChoice | None]):
    """Fuzzy completion over the actor registry, with creation of a new actor."""

    DEFAULT_CSS = """
    ActorPicker {
        align: center middle;
    }
    ActorPicker > #picker-box {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ActorPicker #picker-title {
        text-style: bold;
        height: 1;
    }
    ActorPicker #picker-query {
        margin: 0;
    }
    ActorPicker #picker-hint {
        color: $text-muted;
        height: auto;
    }
    ActorPicker OptionList {
        height: auto;
        max-height: 14;
        border: none;
        padding: 0;
    }
    ActorPicker #picker-types {
        display: none;
    }
    ActorPicker.-creating #picker-types {
        display: block;
    }
    ActorPicker.-creating #picker-matches, ActorPicker.-no-matches #picker-matches {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Cancel", id="actor_picker.cancel"),
        Binding("ctrl+n", "create", "New actor", id="actor_picker.create"),
        Binding("up", "move(-1)", "Up", show=False, id="actor_picker.up"),
        Binding("down", "move(1)", "Down", show=False, id="actor_picker.down"),
        Binding("pageup", "move(-5)", "Page up", show=False, id="actor_picker.page_up"),
        Binding("pagedown", "move(5)", "Page down", show=False, id="actor_picker.page_down"),
        *(
            Binding(str(n), f"choose_type({n})", actor_type_label(key), show=False, id=f"actor_picker.type_{NUMBER_WORDS[n]}")
            for n, key in enumerate(TYPE_KEYS, start=1)
        ),
    ]

    creating: reactive[bool] = reactive(False)

    def __init__(
        self,
        actors: Collection[Actor],
        query: str,
        title: str = "Actor",
        default_type: str = "other",
        exclude: Collection[str] = (),
        creating: bool = False,
    ) -> None:
        super().__init__()
        self.all_actors = list(actors)
        self.query_text = " ".join(query.split())  # a span may run over a line break
        self.picker_title = title
        self.default_type = default_type if default_type in ACTOR_TYPES else "other"
        self.exclude = frozenset(exclude)  # actor ids not to offer (e.g. the actor whose affiliation is chosen)
        self.actors: list[Actor] = []
        self.matches: list[ActorMatch] = []
        self.start_creating = creating  # opened to create the actor named `query` (its type is asked)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Text(self.picker_title), id="picker-title")
            yield Input(
                value=self.query_text,
                placeholder="name or alias",
                select_on_focus=False,
                id="picker-query",
            )
            yield Static(id="picker-hint")
            yield NavOptionList(id="picker-matches", markup=False)
            yield NavOptionList(
                *(Option(Text(f"{n}  {actor_type_label(key)}"), id=key) for n, key in enumerate(TYPE_KEYS, start=1)),
                id="picker-types",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#picker-matches", OptionList).can_focus = False  # keys reach it from the input
        self.actors = [actor for actor in self.all_actors if actor.id not in self.exclude]
        self.refresh_matches()
        if self.start_creating and self.query_text:
            self.creating = True
            self.show_creating(True)  # the watcher does not focus before the dialog is mounted: the digit must reach the types
        else:
            self.set_focus(self.query_one("#picker-query", Input))

    # ------------------------------------------------------------ searching

    @property
    def typed(self) -> str:
        return " ".join(self.query_one("#picker-query", Input).value.split())

    @on(Input.Changed, "#picker-query")
    def refresh_matches(self) -> None:
        if self.creating:
            self.show_hint()
            return
        typed = self.typed
        by_id = {actor.id: actor for actor in self.actors}
        self.matches = match_actors(typed, self.actors, limit=LIMIT)
        options = [Option(match_prompt(m, by_id), id=m.actor.id) for m in self.matches]
        if typed:
            options.append(Option(create_prompt(typed, key_for(self, "actor_picker.create")), id=CREATE))
        matches = self.query_one("#picker-matches", OptionList)
        matches.set_options(options)
        if not options:
            matches.highlighted = None
        else:  # a weak likeness is listed but not highlighted: enter then creates the name as typed
            matches.highlighted = 0 if confident(typed, self.matches) or not typed else len(self.matches)
        self.set_class(not options, "-no-matches")
        self.show_hint()

    def show_hint(self) -> None:
        line = self.query_one("#picker-hint", Static)
        typed = self.typed
        if self.creating:
            text = Text("New actor ", style="bold")
            text.append(f"“{typed}”" if typed else "(type its name)")
            text.append(f": 1-8 picks its type and creates it · {key_for(self, 'actor_picker.cancel')} back", style="dim")
        elif not self.actors and not typed:
            text = Text(f"No actors yet: type a name, then {key_for(self, 'actor_picker.create')} to create one.", style="dim")
        elif not self.matches and typed:
            text = Text(f"No actor matches. enter or {key_for(self, 'actor_picker.create')} creates one.", style="dim")
        else:
            text = Text(
                "↑↓ choose · enter picks · " + hint(self, ("actor_picker.create", "new actor"), ("actor_picker.cancel", "cancels")),
                style="dim",
            )
        line.update(text)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-types" if self.creating else "#picker-matches", OptionList)
        if options.option_count == 0:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#picker-query")
    def submit(self) -> None:
        if self.creating:
            self.create_actor()
            return
        matches = self.query_one("#picker-matches", OptionList)
        if matches.highlighted is None:
            if self.typed:
                self.action_create()
            return
        self.choose(matches.get_option_at_index(matches.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-matches")
    def clicked_match(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option.id)

    def choose(self, option_id: str | None) -> None:
        if option_id == CREATE:
            self.action_create()
        elif option_id is not None:
            self.dismiss(option_id)

    # ------------------------------------------------------------- creating

    def action_create(self) -> None:
        if not self.creating:
            self.creating = True

    def watch_creating(self, creating: bool) -> None:
        self.set_class(creating, "-creating")
        if self.is_mounted:
            self.show_creating(creating)

    def show_creating(self, creating: bool) -> None:
        """Creating: the types list has the keys (a digit picks one); else the name does."""
        if creating:
            types = self.query_one("#picker-types", OptionList)
            types.highlighted = TYPE_KEYS.index(self.default_type)
            self.set_focus(types)  # at once: the digit typed right after ctrl+n must reach the types, not the name
        else:
            self.set_focus(self.query_one("#picker-query", Input))
            self.refresh_matches()
        self.show_hint()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_type":
            return self.creating
        if action == "create":
            return not self.creating
        return True

    def action_choose_type(self, number: int) -> None:
        """A digit: that type, and the new actor is answered at once."""
        self.query_one("#picker-types", OptionList).highlighted = number - 1
        self.create_actor()

    @on(OptionList.OptionSelected, "#picker-types")
    def type_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.create_actor()

    def create_actor(self) -> None:
        name = self.typed
        if not name:
            self.notify("Type the new actor's name first.", title="New actor", severity="warning")
            self.query_one("#picker-query", Input).focus()
            return
        types = self.query_one("#picker-types", OptionList)
        index = types.highlighted if types.highlighted is not None else TYPE_KEYS.index(self.default_type)
        self.dismiss(NewActor(name, TYPE_KEYS[index]))

    # ------------------------------------------------------------ leaving

    def action_back(self) -> None:
        if self.creating:
            self.creating = False
        else:
            self.dismiss(None)
