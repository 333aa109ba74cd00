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
