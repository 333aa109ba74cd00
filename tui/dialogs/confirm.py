"""A yes/no question: `ConfirmDialog(question, yes, no)` answers True (y, enter) or False (n, esc)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from tui.dialogs.unasked import UnaskedDialog
from tui.keys import keys_for


class ConfirmDialog(UnaskedDialog[bool]):
    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > #confirm-box {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog #confirm-answers {
        margin-top: 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No", *, unasked: bool = False) -> None:
        super().__init__(unasked=unasked)  # not asked for (a save failed after the analyst typed on): early keys do not answer it
        self.question = question  # may quote untrusted text: shown as plain text
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(self.question), id="confirm-question")
            answers = Text()
            answers.append(" / ".join(keys_for(self, "confirm.yes")), style="bold")
            answers.append(f"  {self.yes}     ")
            answers.append(" / ".join(keys_for(self, "confirm.no")), style="bold")
            answers.append(f"  {self.no}")
            yield Static(answers, id="confirm-answers")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
