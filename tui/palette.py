"""The command palette, safe from a page key that comes before its list is laid out (see tui/widgets/lists.py)."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

_PAGES = frozenset({"page_up", "page_down"})


class SafeCommandPalette(CommandPalette):
    """Textual's palette; PageUp/PageDown do nothing until its list has a size (Textual 8.2.8 raises KeyError)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command_list" and parameters and parameters[0] in _PAGES:
            lists = self.query(CommandList)
            if not lists or not lists.first().scrollable_content_region:
                return False
        return super().check_action(action, parameters)
