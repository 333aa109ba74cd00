"""`/`: the search line at the foot of the report; posts what to look for, shows how many hits."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class SearchBar(Horizontal):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close search", id="search.close")]

    class Submitted(Message):
        """Search the report for `query` (case-insensitive, literal)."""

        def __init__(self, query: str) -> None:
            self.query = query
            super().__init__()

    class Closed(Message):
        """The analyst left the search line without searching."""

    def compose(self) -> ComposeResult:
        yield Label("/", id="search-prompt")
        yield Input(placeholder="search this report — enter to find, esc to close", id="search-input", compact=True)
        yield Label(id="search-count")

    def open(self, query: str = "") -> None:
        field = self.query_one("#search-input", Input)
        field.value = query
        self.screen.set_focus(field)  # at once: the query typed right after `/` must land in it

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
        self.post_message(self.Submitted(event.value))

    def action_close(self) -> None:
        self.post_message(self.Closed())
