"""Undo and redo of every change an analyst makes in a session (plain Python).

Each change a `Session` makes is a `Change` (the documents before and after);
the history keeps them in order. The session writes the `before` states back
to undo (checking nobody changed them since), the `after` states to redo, so an
undo is itself durable at once. This module only keeps the order.
"""

from __future__ import annotations

from store.db import Change


class History:
    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self._done: list[Change] = []
        self._undone: list[Change] = []

    def record(self, change: Change) -> None:
        if not change.edits:
            return
        self._done.append(change)
        del self._done[: -self.limit]
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def last_done(self) -> Change | None:
        return self._done[-1] if self._done else None

    def last_undone(self) -> Change | None:
        return self._undone[-1] if self._undone else None

    def undone(self, written: Change) -> None:
        """The last change was undone; `written` is what the undo wrote (redo writes its inverse)."""
        self._done.pop()
        self._undone.append(written)

    def redone(self, written: Change) -> None:
        """The last undone change was redone; `written` is what the redo wrote."""
        self._undone.pop()
        self._done.append(written)
