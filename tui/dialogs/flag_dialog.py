"""`!`: flag a paragraph, with an optional reason ("odd figure", "check the date"): `FlagDialog` answers the reason.

One field, so enter saves (an empty reason is a flag without one); esc cancels,
asking first if a reason was typed. The reason is shown in the panel beside the
mark and kept with it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.dialogs.form import FormScreen

MAX_REASON = 300


class FlagDialog(FormScreen[str | None]):
    DEFAULT_CSS = """
    FlagDialog {
        align: center middle;
    }
    FlagDialog > #flag-box {
        width: 70;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    FlagDialog #flag-title {
        text-style: bold;
    }
    FlagDialog #flag-hint {
        color: $text-muted;
    }
    """

    FIELDS = ("flag-reason",)

    def __init__(self, paragraph: int) -> None:
        super().__init__()
        self.paragraph = paragraph

    def compose(self) -> ComposeResult:
        with Vertical(id="flag-box"):
            yield Static(Text(f"Flag ¶{self.paragraph}"), id="flag-title")
            yield Input(placeholder="why (optional) — enter flags", max_length=MAX_REASON, id="flag-reason", compact=True)
            yield Static(Text(self.form_hint()), id="flag-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#flag-reason", Input).focus()

    def values(self) -> str:
        return self.query_one("#flag-reason", Input).value

    def save(self) -> None:
        self.dismiss(" ".join(self.values().split()))
