"""The tables of the app (library, actors, mentions): j/k/g/G like the text, page keys guarded (see tui/widgets/lists.py)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from tui.widgets.lists import PAGE_ACTIONS


class NavTable(DataTable[object]):
    """A DataTable that also moves with j/k/g/G and ignores page keys before its first layout."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "First", show=False, id="table.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="table.last"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PAGE_ACTIONS and not self.scrollable_content_region:
            return False
        return super().check_action(action, parameters)
