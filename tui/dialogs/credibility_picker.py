"""`r`: grade a claim on the Admiralty code with two single keys — a letter A–F, a digit 1–6.

`CredibilityPicker(current, subject)` answers with the new `Credibility` (which
may be unset: "not yet graded") or `None` on esc. Once both a letter and a digit
have been pressed it answers at once, so `r b 2` grades a claim B2; `enter`
keeps what is shown, `x` clears both.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from store.model import CREDIBILITY, RELIABILITY, Credibility
from tui.keys import hint
from tui.widgets.grade_prompt import credibility_bindings, reliability_bindings


class CredibilityPicker(ModalScreen[Credibility | None]):
    DEFAULT_CSS = """
    CredibilityPicker {
        align: center middle;
    }
    CredibilityPicker > #credibility-box {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    CredibilityPicker #credibility-subject {
        color: $text-muted;
        height: auto;
        max-height: 2;
    }
    CredibilityPicker #credibility-code {
        text-style: bold;
        margin: 1 0;
        height: auto;
    }
    CredibilityPicker #credibility-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *reliability_bindings(),
        *credibility_bindings(),
        Binding("x,backspace,delete", "clear", "Not graded", id="credibility.clear"),
        Binding("enter", "keep", "Save", id="credibility.save"),
        Binding("escape", "cancel", "Cancel", id="credibility.cancel"),
    ]

    def __init__(self, current: Credibility | None, subject: str) -> None:
        super().__init__()
        self.grade = current or Credibility()
        self.subject = subject
        self.pressed_letter = False
        self.pressed_digit = False

    def compose(self) -> ComposeResult:
        with Vertical(id="credibility-box"):
            yield Static(Text("Credibility (Admiralty code)", style="bold"), id="credibility-title")
            yield Static(Text(self.subject, overflow="ellipsis"), id="credibility-subject")
            yield Static(id="credibility-code")
            yield Static(self._scales(), id="credibility-scales")
            yield Static(
                Text(
                    "a–f source reliability · 1–6 information credibility · "
                    + hint(self, ("credibility.clear", "not graded"), ("credibility.save", "save"), ("credibility.cancel", "cancel"))
                ),
                id="credibility-hint",
            )

    def on_mount(self) -> None:
        self._show()

    def _scales(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
        table.add_column("source reliability")
        table.add_column("information credibility")
        for (letter, reliability), (number, credibility) in zip(RELIABILITY.items(), CREDIBILITY.items(), strict=False):
            table.add_row(Text(f"{letter}  {reliability}"), Text(f"{number}  {credibility}"))
        return table

    def _show(self) -> None:
        line = Text()
        if self.grade.is_set:
            line.append(self.grade.code, style="reverse")
            line.append(f"  {self.grade.meaning}")
        else:
            line.append("not yet graded", style="italic")
        self.query_one("#credibility-code", Static).update(line)

    def action_reliability(self, letter: str) -> None:
        self.grade = Credibility(letter, self.grade.credibility)
        self.pressed_letter = True
        self._show()
        self._done_if_both()

    def action_credibility(self, number: int) -> None:
        self.grade = Credibility(self.grade.reliability, int(number))
        self.pressed_digit = True
        self._show()
        self._done_if_both()

    def _done_if_both(self) -> None:
        if self.pressed_letter and self.pressed_digit:
            self.dismiss(self.grade)

    def action_clear(self) -> None:
        self.grade = Credibility()
        self.pressed_letter = self.pressed_digit = False
        self._show()

    def action_keep(self) -> None:
        self.dismiss(self.grade)

    def action_cancel(self) -> None:
        self.dismiss(None)
