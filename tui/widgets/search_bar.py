"""The command line at the foot of the report: `/` searches, `:` goes to a paragraph.

It posts what the analyst asked for (`Submitted` with a query, `GoTo` with a
paragraph number) and shows how many hits a search found. Opened by priority
bindings, so `/` or `:` and what follows, typed in one burst, all land here.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

PLACEHOLDERS = {
    "search": "search this report — enter to find, esc to close",
    "goto": "paragraph number — enter to go there, esc to close",
}


class SearchBar(Horizontal):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close search", id="search.close")]

    class Submitted(Message):
        """Search the report for `query` (case-insensitive, literal)."""

        def __init__(self, query: str) -> None:
            self.query = query
            super().__init__()

    class GoTo(Message):
        """Go to paragraph `number` (1-based; None: what was typed is not a number)."""

        def __init__(self, number: int | None) -> None:
            self.number = number
            super().__init__()

    class Closed(Message):
        """The analyst left the line without searching."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = "search"

    def compose(self) -> ComposeResult:
        yield Label("/", id="search-prompt")
        yield Input(placeholder=PLACEHOLDERS["search"], id="search-input", compact=True)
        yield Label(id="search-count")

    def open(self, query: str = "", mode: str = "search") -> None:
        self.mode = mode
        self.query_one("#search-prompt", Label).update("/" if mode == "search" else ":")
        field = self.query_one("#search-input", Input)
        field.placeholder = PLACEHOLDERS[mode]
        field.value = query
        self.query_one("#search-count", Label).update("")
        self.screen.set_focus(field)  # at once: what is typed right after `/` or `:` must land in it

    def show_count(self, hit: int | None, total: int) -> None:
        """`hit` is the 0-based current hit, or None before jumping."""
        if total == 0:
            text = Text("no hits", style="bold")
        elif hit is None:
            text = Text(f"{total} hits")
        else:
            text = Text(f"{hit + 1}/{total}")
        self.query_one("#search-count", Label).update(text)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.mode == "goto":
            typed = event.value.strip()
            self.post_message(self.GoTo(int(typed) if typed.isdigit() and len(typed) < 9 else None))
        else:
            self.post_message(self.Submitted(event.value))

    def action_close(self) -> None:
        self.post_message(self.Closed())
