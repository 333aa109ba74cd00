"""What one analyst was doing, kept beside them rather than in the shared database.

Kept here, per database and reviewer:

* where each report was left (the paragraph), so it reopens there;
* the registry suggestions this reviewer rejected in each report;
* drafts of forms being filled in (a claim half-typed when the SSH link drops);

and, for the analyst whatever the database, the folder and file of the last export.

**Where.** In the user's state folder (`store.locations.state_path()`,
`~/.local/state/claimdesk` on Linux, or `$CLAIMDESK_STATE`), not in the database
folder: this is one person's working state, like an editor's swap files. The
database is shared by several analysts and backed up, checked by `doctor` and
exported; none of them should see another's half-typed text or cursor. Layout:

    <state>/export.json                          folder, path, format, reports and outcome of the last export
    <state>/<key>/database                       the database folder and reviewer this key stands for
    <state>/<key>/reports/<report id>.json       {"paragraph", "rejected", "drafts"}

`<key>` is a hash of the database folder's resolved path and the reviewer's name.

**How.** Folders are created 0700 and files written 0600 with
`store.storage.atomic_write_bytes` (temporary file, fsync, rename), so a crash
or a hang-up leaves the old file or the new one, whole. No path below the state
folder may be a symbolic link: each folder is checked as it is entered, and a
file that is a link is refused (never written through). A file that cannot be
read, or is not what it should be, counts as empty; sizes are capped, so a
damaged or hostile file costs nothing. Plain Python: no Textual.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from store.errors import StoreError, UnsafePathError, WriteError
from store.layout import checked_report_id

MAX_FILE = 4 << 20  # a state file bigger than this is not read (drafts and rejections at their caps fit)
MAX_DRAFTS = 20  # per report: the oldest go first
MAX_DRAFT_TEXT = 16 * 1024  # characters of one draft field
MAX_REJECTED = 10_000
EXPORT_KEYS = ("folder", "path", "format", "scope", "failed")


class WorkState:
    """One reviewer's working state for one database (see the module docstring)."""

    def __init__(self, db_root: Path, reviewer: str, root: Path | None = None) -> None:
        from store.locations import state_path

        self.root = root if root is not None else state_path()
        resolved = os.path.realpath(db_root)
        self.key = hashlib.sha256(f"{resolved}\0{reviewer}".encode()).hexdigest()[:20]
        self.db_root = resolved
        self.reviewer = reviewer
        self._cache: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------ paths

    def _folder(self, *parts: str) -> Path:
        """The folder `root/parts…`, created 0700 as needed; a symbolic link at root or below is refused."""
        path = self.root
        _enter(path, create_parents=True)
        for part in parts:
            path = path / part
            _enter(path)
        return path

    def _report_file(self, report_id: str) -> Path:
        return self._folder(self.key, "reports") / f"{checked_report_id(report_id)}.json"

    # ----------------------------------------------------------- reading

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        """The JSON object in `path`, or {} when it is absent, too big, a link, or not a JSON object."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return {}
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return {}
            with os.fdopen(fd, "rb", closefd=False) as handle:
                raw = handle.read(MAX_FILE + 1)
        except OSError:
            return {}
        finally:
            os.close(fd)
        if len(raw) > MAX_FILE:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        from store.storage import atomic_write_bytes

        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            atomic_write_bytes(path, payload, mode=0o600)
        except StoreError:
            raise
        except OSError as error:
            raise WriteError(f"cannot write {path}: {error.strerror}") from None

    def _report(self, report_id: str) -> dict[str, Any]:
        if report_id not in self._cache:
            try:
                self._cache[report_id] = self._read(self._report_file(report_id))
            except StoreError:
                self._cache[report_id] = {}
        return self._cache[report_id]

    def _save_report(self, report_id: str, data: dict[str, Any]) -> None:
        self._cache[report_id] = data
        folder = self._folder(self.key)
        marker = folder / "database"
        if not marker.exists():
            self._write_text(marker, f"{self.db_root}\n{self.reviewer}\n")
        self._write(self._report_file(report_id), data)

    def _write_text(self, path: Path, text: str) -> None:
        from store.storage import atomic_write_bytes

        atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)

    # -------------------------------------------------- where it was left

    def position(self, report_id: str) -> int | None:
        """The 1-based paragraph this reviewer was on when they last left `report_id` (None: never opened)."""
        value = self._report(report_id).get("paragraph")
        return value if isinstance(value, int) and value >= 1 else None

    def set_position(self, report_id: str, paragraph: int) -> None:
        if self.position(report_id) == paragraph:
            return
        self._save_report(report_id, {**self._report(report_id), "paragraph": int(paragraph)})

    # ---------------------------------------------------- rejections

    def rejected(self, report_id: str) -> set[tuple[str, int, int, int, str]]:
        """The suggestions rejected in `report_id`: (revision, paragraph, start, end, actor id)."""
        found: set[tuple[str, int, int, int, str]] = set()
        for item in self._report(report_id).get("rejected", ())[:MAX_REJECTED]:
            if (
                isinstance(item, list)
                and len(item) == 5
                and isinstance(item[0], str)
                and all(isinstance(n, int) for n in item[1:4])
                and isinstance(item[4], str)
            ):
                found.add((item[0], item[1], item[2], item[3], item[4]))
        return found

    def set_rejected(self, report_id: str, rejected: set[tuple[str, int, int, int, str]]) -> None:
        items = sorted([list(item) for item in rejected])[-MAX_REJECTED:]
        self._save_report(report_id, {**self._report(report_id), "rejected": items})

    # --------------------------------------------------------- drafts

    def drafts(self, report_id: str) -> dict[str, dict[str, Any]]:
        """The drafts kept for `report_id`, by key (what the form was for), oldest first."""
        stored = self._report(report_id).get("drafts")
        if not isinstance(stored, dict):
            return {}
        return {key: value for key, value in stored.items() if isinstance(key, str) and isinstance(value, dict)}

    def save_draft(self, report_id: str, key: str, draft: dict[str, Any]) -> None:
        """Keep what a form holds now (strings are capped); replaces the draft of the same key."""
        capped = {k: v[:MAX_DRAFT_TEXT] if isinstance(v, str) else v for k, v in draft.items()}
        drafts = {k: v for k, v in self.drafts(report_id).items() if k != key}
        drafts[key] = capped
        while len(drafts) > MAX_DRAFTS:
            drafts.pop(next(iter(drafts)))
        self._save_report(report_id, {**self._report(report_id), "drafts": drafts})

    def drop_draft(self, report_id: str, key: str) -> None:
        drafts = self.drafts(report_id)
        if key in drafts:
            del drafts[key]
            self._save_report(report_id, {**self._report(report_id), "drafts": drafts})

    # --------------------------------------------------------- export

    def last_export(self) -> dict[str, str]:
        """{"folder", "path", "format", "scope", "failed"} of the last export this analyst ran (any database), or {}.

        `scope` is the report exported ("*": every report); `failed` is "yes" when it did not go through.
        """
        try:
            data = self._read(self._folder() / "export.json")
        except StoreError:
            return {}
        return {k: v for k, v in data.items() if k in EXPORT_KEYS and isinstance(v, str)}

    def remember_export(self, folder: str, path: str, fmt: str, scope: str = "*", failed: bool = False) -> None:
        record = {"folder": folder, "path": path, "format": fmt, "scope": scope, "failed": "yes" if failed else "no"}
        self._write(self._folder() / "export.json", record)


def _enter(path: Path, create_parents: bool = False) -> None:
    """Make sure `path` is a real folder (created 0700 if absent), never a symbolic link."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        try:
            if create_parents:
                os.makedirs(path, mode=0o700, exist_ok=True)
            else:
                os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as error:
            raise WriteError(f"cannot create {path}: {error.strerror}") from None
        st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(f"{path} is a symbolic link; claimdesk keeps its state only in real folders")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{path} is not a folder")


__all__ = ["WorkState"]
