"""Someone else changed what you were editing: their version and yours, field by field.

`ConflictDialog(views)` answers "mine" (write mine over theirs), "theirs" (keep
what is stored, drop mine) or None (cancel: nothing written, your input kept
where it was).
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from store.conflicts import ConflictView
from tui.dialogs.unasked import UnaskedDialog
from tui.keys import hint


def conflict_table(views: list[ConflictView]) -> Table:
    table = Table(box=None, expand=True, show_header=True, padding=(0, 1))
    table.add_column("", style="bold", no_wrap=True, ratio=1)
    table.add_column("Yours", ratio=3)
    table.add_column("Stored now", ratio=3)
    for view in views:
        table.add_row(Text(view.title, style="bold underline"), Text(""), Text(f"by {view.changed_by}", style="italic"))
        for row in view.differences:
            table.add_row(Text(row.field), Text(row.mine), Text(row.theirs))
    return table


class ConflictDialog(UnaskedDialog[str | None]):
    """Never asked for: keys typed before it showed were meant for the screen under it and do not answer it."""

    DEFAULT_CSS = """
    ConflictDialog {
        align: center middle;
    }
    ConflictDialog > #conflict-box {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ConflictDialog #conflict-title {
        text-style: bold;
    }
    ConflictDialog #conflict-rows {
        height: auto;
        max-height: 20;
    }
    ConflictDialog #conflict-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "answer('mine')", "Keep mine", id="conflict.keep_mine"),
        Binding("t", "answer('theirs')", "Take theirs", id="conflict.take_theirs"),
        Binding("escape", "answer('')", "Cancel", id="conflict.cancel"),
    ]

    def __init__(self, what: str, views: list[ConflictView]) -> None:
        super().__init__(unasked=True)
        self.what = what
        self.views = views

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict-box"):
            yield Static(Text(f"{self.what}: someone else changed this since you opened it"), id="conflict-title")
            with VerticalScroll(id="conflict-rows"):
                yield Static(conflict_table(self.views))
            words = (
                ("conflict.keep_mine", "keep mine (write over theirs)"),
                ("conflict.take_theirs", "take theirs (drop mine)"),
                ("conflict.cancel", "cancel (nothing written)"),
            )
            yield Static(Text(hint(self, *words)), id="conflict-hint")

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice or None)
