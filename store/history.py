"""Undo and redo of every change an analyst makes in a session (plain Python).

Each store mutation returns a `Change` (the documents before and after); the
history keeps them in order. Undo writes the `before` states back through the
store, redo the `after` states, so an undo is itself durable at once.
"""

from __future__ import annotations

from store.db import Change, Database


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

    def undo(self, db: Database) -> Change | None:
        """Revert the last change; returns it (None when there is nothing to undo)."""
        if not self._done:
            return None
        change = self._done[-1]
        db.apply(change.inverse())  # raises StoreError: then nothing moves in the history
        self._undone.append(self._done.pop())
        return change

    def redo(self, db: Database) -> Change | None:
        if not self._undone:
            return None
        change = self._undone[-1]
        db.apply(change)
        self._done.append(self._undone.pop())
        return change
