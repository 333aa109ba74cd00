"""`L`: link a claim to another — which claim, as what (corroborates, contradicts, repeats, updates), with a note.

`LinkPicker(source, choices, search)` shows the claims the screen ranked as most
like the source claim (`choices`, best first, across every report); typing in
its find line asks `search(query)` for others. It answers `LinkRequest(claim,
report, relation, note)`, or None on esc. `LinkForm(relation, note, about)`
changes the relation and note of a link that exists and answers
`(relation, note)`. Both only answer: the screen asks the session.

Both are forms (`tui/dialogs/form.py`): enter moves to the next field (on the
relation it takes the highlighted one first; in the note, the last field, it
links), ctrl+s links from any field, esc asks before dropping what was typed.
The claim list is the picker's pick: enter on a claim takes it and links (the
relation chosen before with 1–4 — outside a text field — or the preset one; tab
reaches the note first). Hints come from the live keymap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.widgets import Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from store.model import RELATIONS
from tui.dialogs.form import FormScreen
from tui.keys import key_for
from tui.widgets.lists import NavOptionList

RELATION_KEYS = tuple(RELATIONS)  # 1 corroborates, 2 contradicts, 3 repeats, 4 updates


@dataclass(frozen=True)
class LinkChoice:
    """A claim offered as the other end of a link (plain text: the dialog knows nothing of the store)."""

    claim_id: str
    report_id: str
    text: str
    where: str  # "Report title · 2023-10-19 · ¶12"
    who: str = ""  # "claimant · reported by", grade
    why: str = ""  # "shares 5000, fighters · actors: Hizbullah"
    linked: str = ""  # the relations it already has with the source claim


@dataclass(frozen=True)
class LinkRequest:
    claim_id: str
    report_id: str
    relation: str
    note: str


def choice_text(choice: LinkChoice) -> Text:
    """Three lines at most, each cut to the width: the claim, where and who, why it is offered."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ".join(choice.text.split()))
    text.append("\n  " + choice.where, style="dim")
    if choice.who:
        text.append(" · " + choice.who, style="dim")
    if choice.linked:
        text.append("\n  linked already: " + choice.linked, style="bold")
    if choice.why:
        text.append("\n  " + choice.why, style="dim italic")
    return text


_CSS = """
{name} {{
    align: center middle;
}}
{name} > #link-box {{
    width: 100;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: thick $primary;
    background: $surface;
    padding: 0 1;
}}
{name} #link-source {{
    height: auto;
    max-height: 2;
    color: $text-muted;
}}
{name} #link-find, {name} #link-note {{
    margin-top: 1;
}}
{name} #link-choices {{
    height: 1fr;
    min-height: 4;
    max-height: 18;
    border: none;
    text-wrap: nowrap;
    text-overflow: ellipsis;
}}
{name} #link-relation {{
    layout: horizontal;
    height: auto;
    width: 100%;
    border: none;
}}
{name} #link-hint {{
    color: $text-muted;
    height: auto;
}}
"""


class RelationSet(RadioSet):
    """The relations: enter takes the highlighted one and moves on, as in every form field."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "take", "Take", show=False, id="link.take_relation")]

    def action_take(self) -> None:
        self.action_toggle_button()
        screen = self.screen
        if isinstance(screen, FormScreen):
            screen.next_field()


def _relation_set(chosen: str) -> RadioSet:
    buttons = [RadioButton(f"{n} {name}", value=name == chosen, id=f"relation-{name}") for n, name in enumerate(RELATION_KEYS, 1)]
    return RelationSet(*buttons, id="link-relation")


_RELATION_BINDINGS: list[BindingType] = [
    Binding(str(n), f"relation('{name}')", name, show=False, id=f"link.relation_{name}") for n, name in enumerate(RELATION_KEYS, 1)
]


def _relation_keys(node: DOMNode) -> str:
    """"1–4" (or the keys the keymap gives the relations)."""
    keys = [key_for(node, f"link.relation_{name}") for name in RELATION_KEYS]
    if keys == [str(n) for n in range(1, len(keys) + 1)]:
        return f"1–{len(keys)}"
    return "/".join(keys)


def _chosen_relation(radio: RadioSet) -> str:
    pressed = radio.pressed_button
    if pressed is None or pressed.id is None:
        return RELATION_KEYS[0]
    return pressed.id.removeprefix("relation-")


class LinkPicker(FormScreen[LinkRequest | None]):
    DEFAULT_CSS = _CSS.format(name="LinkPicker")

    BINDINGS: ClassVar[list[BindingType]] = _RELATION_BINDINGS
    FIELDS = ("link-find", "link-choices", "link-relation", "link-note")

    def __init__(self, source: str, choices: Sequence[LinkChoice], search: Callable[[str], Sequence[LinkChoice]],
                 relation: str = "corroborates") -> None:
        super().__init__()
        self.source = source  # the claim being linked, described (untrusted text: shown plain)
        self.choices = list(choices)
        self.search = search
        self.relation = relation if relation in RELATIONS else RELATION_KEYS[0]

    def compose(self) -> ComposeResult:
        with Vertical(id="link-box"):
            yield Static(Text("Link a claim to another", style="bold"), id="link-title")
            yield Static(Text("From: " + " ".join(self.source.split()), no_wrap=True, overflow="ellipsis"), id="link-source")
            yield Input(placeholder="find a claim: words, actor:NAME, report:ID…", id="link-find", compact=True)
            yield NavOptionList(id="link-choices", markup=False)
            yield _relation_set(self.relation)
            yield Input(placeholder="note (optional)", id="link-note", compact=True)
            hint = f"↓↑ choose the claim, enter links it · {_relation_keys(self)} relation · "
            yield Static(Text(hint + self.form_hint()), id="link-hint")

    def on_mount(self) -> None:
        self.show_choices(self.choices)
        super().on_mount()
        self.set_focus(self.query_one("#link-choices", OptionList))

    def values(self) -> tuple[str, str, str]:
        """What was typed or chosen: the find line, the relation, the note (the highlighted claim moves by itself)."""
        return (
            self.query_one("#link-find", Input).value,
            _chosen_relation(self.query_one("#link-relation", RadioSet)),
            self.query_one("#link-note", Input).value,
        )

    def save(self) -> None:
        self.action_link()

    def show_choices(self, choices: Sequence[LinkChoice]) -> None:
        self.choices = list(choices)
        options = self.query_one("#link-choices", OptionList)
        options.clear_options()
        if not self.choices:
            options.add_option(Option(Text("No other claim matches", style="dim"), disabled=True))
            return
        items: list[Option | None] = []
        for choice in self.choices:
            if items:
                items.append(None)
            items.append(Option(choice_text(choice), id=choice.claim_id))
        options.add_options(items)
        options.highlighted = 0

    @on(Input.Changed, "#link-find")
    def find(self, event: Input.Changed) -> None:
        self.show_choices(self.search(event.value))

    @on(OptionList.OptionSelected, "#link-choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_link()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "relation" and isinstance(self.focused, Input):
            return False  # a digit is text there (a figure in the find line)
        return True

    def action_relation(self, name: str) -> None:
        self.query_one(f"#relation-{name}", RadioButton).value = True

    @property
    def highlighted(self) -> LinkChoice | None:
        options = self.query_one("#link-choices", OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return next((c for c in self.choices if c.claim_id == option_id), None)

    def action_link(self) -> None:
        choice = self.highlighted
        if choice is None:
            self.notify("Choose the claim to link to first", severity="warning", markup=False, timeout=3)
            return
        relation = _chosen_relation(self.query_one("#link-relation", RadioSet))
        note = self.query_one("#link-note", Input).value
        self.dismiss(LinkRequest(choice.claim_id, choice.report_id, relation, note))


class LinkForm(FormScreen[tuple[str, str] | None]):
    """Change a link's relation and note; answers (relation, note), or None on esc."""

    DEFAULT_CSS = _CSS.format(name="LinkForm")

    BINDINGS: ClassVar[list[BindingType]] = _RELATION_BINDINGS
    FIELDS = ("link-relation", "link-note")

    def __init__(self, relation: str, note: str, about: str) -> None:
        super().__init__()
        self.relation = relation if relation in RELATIONS else RELATION_KEYS[0]
        self.note = note
        self.about = about  # the two claims, described

    def compose(self) -> ComposeResult:
        with Vertical(id="link-box"):
            yield Static(Text("Edit the link", style="bold"), id="link-title")
            yield Static(Text(self.about, overflow="ellipsis"), id="link-source")
            yield _relation_set(self.relation)
            yield Input(self.note, placeholder="note (optional)", id="link-note", compact=True)
            yield Static(Text(f"{_relation_keys(self)} relation · " + self.form_hint()), id="link-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_focus(self.query_one("#link-relation", RadioSet))

    def values(self) -> tuple[str, str]:
        return (_chosen_relation(self.query_one("#link-relation", RadioSet)), self.query_one("#link-note", Input).value)

    def save(self) -> None:
        self.dismiss(self.values())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "relation" and isinstance(self.focused, Input):
            return False
        return True

    def action_relation(self, name: str) -> None:
        self.query_one(f"#relation-{name}", RadioButton).value = True



__all__ = ["RELATION_KEYS", "LinkChoice", "LinkForm", "LinkPicker", "LinkRequest", "choice_text"]
