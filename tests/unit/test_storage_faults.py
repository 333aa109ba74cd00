"""Disk full, read-only folder, permission denied: a clear WriteError, nothing half-written, and a retry that works.

Faults are injected where the storage writes (os.open of the temporary file,
os.write, os.fsync, os.replace), with the errno a real disk would give.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from store import storage
from store.db import Database
from store.errors import WriteError
from store.model import Claim, Kind
from store.session import Session

FAULTS = {
    "disk full on write": ("write", errno.ENOSPC, "the disk is full"),
    "quota on write": ("write", errno.EDQUOT, "quota"),
    "disk error on fsync": ("fsync", errno.EIO, "input/output error"),
    "disk full on fsync": ("fsync", errno.ENOSPC, "the disk is full"),
    "permission denied on replace": ("replace", errno.EACCES, "permission denied"),
    "read-only on replace": ("replace", errno.EROFS, "read-only"),
    "read-only folder": ("open", errno.EROFS, "read-only"),
    "permission denied on create": ("open", errno.EACCES, "permission denied"),
}


class Fault:
    """Makes one os function fail with an errno for files the store writes, until cleared."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, function: str, code: int) -> None:
        self.code, self.hits = code, 0
        real = getattr(os, function)

        def failing(*args, **kwargs):
            if function != "open" or str(args[0]).endswith(".tmp"):
                self.hits += 1
                raise OSError(code, os.strerror(code))
            return real(*args, **kwargs)

        monkeypatch.setattr(os, function, failing)
        self.undo = lambda: monkeypatch.setattr(os, function, real)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and ".locks" not in p.parts}


@pytest.fixture
def ready(db, sample_paths):
    report = db.add_report(sample_paths[0]).report
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim("first"), note="first"))
    db.save_actor(db.new_actor("Ansar Allah", "armed_group"))
    Session(db).set_reviewed(report.id, 1, True)
    return db, report


OPERATIONS = {
    "save an annotation": (
        lambda db, r, a: db.save_annotation(a),
        lambda db, r: sorted(x.note for x in db.annotations(r.id)),
        f"{os.sep}reports{os.sep}",
    ),
    "save an actor": (
        lambda db, r, a: db.save_actor(db.new_actor("Harakat al-Nujaba", "armed_group")),
        lambda db, r: sorted(x.name for x in db.actors()),
        "actors.json",
    ),
    "mark a paragraph": (
        lambda db, r, a: Session(db).set_flagged(r.id, 2, True),
        lambda db, r: sorted((n, m.reviewed, m.flagged) for n, m in db.marks(r.id).items()),
        f"{os.sep}reports{os.sep}",
    ),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("fault_name", sorted(FAULTS))
def test_a_failed_write_changes_nothing_says_why_and_can_be_retried(ready, monkeypatch, fault_name, operation) -> None:
    db, report = ready
    function, code, phrase = FAULTS[fault_name]
    act, observe, where = OPERATIONS[operation]
    annotation = db.new_annotation(Kind.CLAIM, report, 2, span=None, claim=Claim("second"), note="second")
    on_disk, in_memory = _snapshot(db.root), observe(db, report)

    fault = Fault(monkeypatch, function, code)
    with pytest.raises(WriteError) as caught:
        act(db, report, annotation)
    message = str(caught.value)
    assert fault.hits and phrase in message and where in message and "nothing on disk was changed" in message
    assert "\n" not in message
    assert _snapshot(db.root) == on_disk  # not a byte changed, no temporary file left
    assert observe(db, report) == in_memory
    fault.undo()
    assert observe(Database(db.root), report) == in_memory

    act(db, report, annotation)  # the retry once the disk has room again
    after = observe(Database(db.root), report)
    assert after != in_memory and observe(db, report) == after


def test_a_failed_folder_fsync_after_the_replace_says_so_and_a_retry_saves_once(ready, monkeypatch) -> None:
    db, report = ready
    annotation = db.new_annotation(Kind.CLAIM, report, 2, span=None, note="second")

    def failing(path: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(storage, "fsync_directory", failing)
    with pytest.raises(WriteError, match=r"could not make sure .* reached the disk"):
        db.save_annotation(annotation)
    monkeypatch.undo()
    db.save_annotation(annotation)
    assert sorted(a.note for a in Database(db.root).annotations(report.id)) == ["first", "second"]


def test_a_lock_folder_that_cannot_be_created_is_a_write_error(tmp_path, sample_paths, monkeypatch) -> None:
    db = Database(tmp_path / "db")
    report = db.add_report(sample_paths[0]).report
    fresh = Database(db.root)  # a new process: its locks are not set up yet
    for lock in (db.root / ".locks").iterdir():
        lock.unlink()
    (db.root / ".locks").rmdir()
    real_mkdir = os.mkdir

    def read_only_mkdir(path, *args, **kwargs) -> None:
        if Path(path).name == ".locks":
            raise OSError(errno.EROFS, "Read-only file system")
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only_mkdir)
    with pytest.raises(WriteError, match="read-only"):
        fresh.save_annotation(fresh.new_annotation(Kind.CLAIM, report, 1, span=None))
    assert fresh.annotations(report.id) == []


def test_adding_a_report_that_fails_half_way_is_finished_by_a_retry(tmp_path, sample_paths, monkeypatch) -> None:
    db = Database(tmp_path / "db")
    real_open = os.open

    def library_full(path, *args, **kwargs):
        if str(path).endswith(".tmp") and ".library.json." in str(path):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", library_full)
    with pytest.raises(WriteError, match=r"library\.json: the disk is full"):
        db.add_report(sample_paths[0])
    assert db.reports() == []
    monkeypatch.undo()
    result = db.add_report(sample_paths[0])
    assert result.created and [r.id for r in Database(db.root).reports()] == [result.report.id]
