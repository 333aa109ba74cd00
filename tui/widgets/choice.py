"""A choice among a few labelled values, picked by digit: the claim type, an actor type, an export format.

Drawn on one line (wrapping when narrow): `1 event  2 capability  [3 intent]  …`,
the chosen one in reverse. A digit picks and posts `Picked` (the form moves on);
←/→ (h/l) step through; enter is the form's (next field). No drop-down list:
nothing to open, nothing that can get a key before it is laid out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tui.keys import NUMBER_WORDS


class DigitChoice(Widget, can_focus=True):
    DEFAULT_CSS = """
    DigitChoice {
        height: auto;
        width: 1fr;
    }
    DigitChoice:focus {
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", f"Choice {n}", show=False, id=f"choice.pick_{NUMBER_WORDS[n]}") for n in range(1, 10)),
        Binding("right,l", "step(1)", "Next choice", show=False, id="choice.next"),
        Binding("left,h", "step(-1)", "Previous choice", show=False, id="choice.previous"),
    ]

    value: reactive[str] = reactive("", init=False)

    class Changed(Message):
        """The chosen value changed (by digit or arrow)."""

        def __init__(self, choice: DigitChoice) -> None:
            self.choice = choice
            super().__init__()

        @property
        def control(self) -> DigitChoice:
            return self.choice

    class Picked(Message):
        """A digit chose a value (a step with the arrows does not post this)."""

        def __init__(self, choice: DigitChoice, value: str) -> None:
            self.choice = choice
            self.value = value
            super().__init__()

        @property
        def control(self) -> DigitChoice:
            return self.choice

    def __init__(self, options: Sequence[tuple[str, str]], value: str, *, id: str | None = None) -> None:
        """`options`: (value, label) pairs, at most nine; `value` the one chosen now."""
        super().__init__(id=id)
        self.options = list(options)[:9]
        keys = [key for key, _ in self.options]
        self.set_reactive(DigitChoice.value, value if value in keys else keys[0])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return 1 <= int(str(parameters[0])) <= len(self.options)
        return True

    def action_pick(self, number: int) -> None:
        self.value = self.options[int(number) - 1][0]
        self.post_message(self.Picked(self, self.value))

    def action_step(self, step: int) -> None:
        keys = [key for key, _ in self.options]
        self.value = keys[(keys.index(self.value) + step) % len(keys)]

    def watch_value(self) -> None:
        self.refresh(layout=True)
        self.post_message(self.Changed(self))

    def render(self) -> Text:
        line = Text()
        for number, (key, label) in enumerate(self.options, start=1):
            if number > 1:
                line.append("  ")
            style = "reverse bold" if key == self.value else ""
            line.append(f"{number} {label}", style=style)
        return line

    @property
    def label(self) -> str:
        return dict(self.options)[self.value]
