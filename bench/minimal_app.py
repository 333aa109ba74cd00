"""The baseline every TUI figure is divided by: the smallest Textual app that paints one line.

It paints `minimal: ready` once mounted, and on each `j` updates that one label
to `minimal: key N`. Run it as a script (`python bench/minimal_app.py`) in a
pseudo-terminal, exactly as the benchmarks run `claimdesk`; `q` quits.

It imports nothing but Textual, so it measures the floor a Textual app cannot go
under on this machine: interpreter start, Textual's imports, driver set-up and
the first frame.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Label

READY = "minimal: ready"


def key_text(count: int) -> str:
    return f"minimal: key {count}"


class MinimalApp(App[None]):
    # A fixed size: an update repaints the label without a re-layout (the fastest honest update).
    CSS = "#line { width: 40; height: 1; }"
    BINDINGS: ClassVar[list[BindingType]] = [("j", "count", "Count"), ("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Label(READY, id="line")

    def action_count(self) -> None:
        self.count += 1
        self.query_one("#line", Label).update(key_text(self.count))


if __name__ == "__main__":
    MinimalApp().run()
