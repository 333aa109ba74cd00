"""Errors the store raises: each carries a one-line message fit for a user."""

from __future__ import annotations


class ClaimdeskError(Exception):
    """Base class: `str(error)` is a one-line message for the user."""


class IngestError(ClaimdeskError):
    """A file could not be read as a report (missing, binary, empty, …)."""


class StoreError(ClaimdeskError):
    """The database could not be read or written."""


class CorruptFileError(StoreError):
    """A database file does not parse; it is never overwritten."""

    def __init__(self, path: str, detail: str, kept_aside: str | None = None) -> None:
        self.path = path
        self.detail = detail
        self.kept_aside = kept_aside
        where = f" (a copy is kept at {kept_aside})" if kept_aside else ""
        super().__init__(f"{path} does not parse: {detail}{where}; opened read-only — run 'claimdesk doctor'")


class WriteError(StoreError):
    """A change could not be written (disk full, permission denied…). Nothing on disk changed."""


class LockTimeout(StoreError):
    """Another claimdesk process held the database lock for too long."""


class ReadOnlyError(StoreError):
    """The database is open read-only (a file did not parse)."""


class NotFound(ClaimdeskError):
    """No such report, annotation or actor."""


class UnsafePathError(StoreError):
    """A path claimdesk will not use: a symlink, FIFO, device or folder where a file belongs, or a bad id."""


class ConflictError(StoreError):
    """Someone else changed (or deleted) what this change was based on; nothing was written.

    `conflicts` lists each document that differs: (entity, key, mine, theirs) where
    `mine` is what this change would have written (None: a delete) and `theirs` is
    what is stored now (None: someone deleted it). `retry` re-runs the change on top
    of theirs (keep mine).
    """

    def __init__(self, message: str, conflicts: list[tuple[str, str, dict | None, dict | None]], retry: object = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts
        self.retry = retry


class IntegrityError(StoreError):
    """A change the database's rules refuse (an actor still named elsewhere, a span tagged twice, a cycle)."""

    def __init__(self, message: str, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id  # the annotation that already says this, to show the analyst


class StaleUndo(StoreError):
    """An undo or redo whose target someone else has changed since; refused, nothing written."""
