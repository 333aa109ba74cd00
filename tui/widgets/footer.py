"""The footer of every screen: Textual's, built again only when the keys it shows change.

Textual's Footer rebuilds all its key widgets whenever the screen's bindings are
updated — on every focus change, and whenever a dialog closes — although what it
shows is usually the same. On a report that is a second frame after the key that
closed the dialog (a grade: `r`, a letter, a digit) and a tenth of a second of
work. This one compares what it would show (each shown binding's key, words,
action, whether it is enabled, and the palette key) with what it shows, and
rebuilds only when they differ.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _keys_shown(self, screen: Screen[Any]) -> tuple[Any, ...]:
        active = screen.active_bindings
        keys = tuple(
            (binding.key, binding.key_display, binding.description, binding.action, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = self.app.COMMAND_PALETTE_BINDING if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else None
        return (*keys, palette, palette in active if palette else False)

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        self._shown = self._keys_shown(self.screen) if keys else None  # what is on show now
        yield from keys

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._shown is not None and self.is_attached and screen is self.screen and screen.is_mounted:
            try:
                same = self._keys_shown(screen) == self._shown
            except NoMatches:  # a screen being taken down: its widgets are going
                same = False
            if same:
                return  # the same keys as on show: nothing to build again
        super().bindings_changed(screen)
