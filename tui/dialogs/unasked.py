"""Keys typed before a dialog the analyst did not ask for was on screen do not answer it.

A save that follows the frame answering its key (`tui.saving.Answered`) may fail, or meet
someone else's change, after the analyst has typed on: the keys after `space` or a grade
(`esc`, `m`, `y`…) were meant for the report, and must not answer a Retry or a conflict
dialog never seen — `m` would keep mine over a change the analyst never read. Such a dialog
drops every key that reached it before its first frame; a dialog the analyst asked for (a
form, a question after their own key) takes keys typed ahead, as tui/keyflow.py intends.
"""

from __future__ import annotations

import time
from typing import TypeVar

from textual import events
from textual.screen import ModalScreen

T = TypeVar("T")


class UnaskedDialog(ModalScreen[T]):
    """A dialog that drops keys from before its first frame while `unasked` (always, unless made otherwise)."""

    def __init__(self, *, unasked: bool = True) -> None:
        super().__init__()
        self.unasked = unasked
        self._shown_at: float | None = None  # when its first frame was drawn

    def on_mount(self) -> None:
        self.call_after_refresh(self._shown)

    def _shown(self) -> None:
        self._shown_at = time.monotonic()

    def on_key(self, event: events.Key) -> None:
        # Textual stamps each message with the monotonic clock when it is made (`Message.time`).
        if self.unasked and (self._shown_at is None or event.time < self._shown_at):
            event.stop()
            event.prevent_default()
