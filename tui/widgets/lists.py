"""The lists and tables of the app: j/k/g/G like the text, and safe from keys that come before the first layout.

Fast typists and SSH links deliver keys in bursts, so a key can reach a list
before it has been laid out. Textual's OptionList pages by its line map, which is
empty until then: PageDown at that moment raises KeyError in Textual 8.2.8
(`OptionList._move_page`). Every option list here is a `NavOptionList`, whose
`check_action` turns page moves down until the list has a size (the key then
does nothing, as for an empty list); the command palette gets the same guard in
`tui/palette.py`. Tables (`tui/widgets/tables.py`, kept apart so a report opens
without loading DataTable) get the same guard.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList

PAGE_ACTIONS = frozenset({"page_up", "page_down", "scroll_page_up", "scroll_page_down"})


class NavOptionList(OptionList):
    """An OptionList that also moves with j/k/g/G and ignores page keys before its first layout."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g", "first", "First", show=False, id="list.first"),
        Binding("G", "last", "Last", show=False, id="list.last"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PAGE_ACTIONS and not self.scrollable_content_region:
            return False  # no line map yet: Textual would look a line up in an empty map
        return super().check_action(action, parameters)
