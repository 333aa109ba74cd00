"""Several analysts on one server: processes writing the same database, even the same report, lose nothing.

The writers are this file run as a script (`python test_concurrency.py MODE ...`): each
opens its own Database, waits for `go` on stdin so that all start together,
saves through the store API and prints `saved N`.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import tinydb

from store.db import Database
from store.errors import LockTimeout
from store.model import Claim, Kind, Span
from store.storage import TinyFile

PER_WRITER = 500


# ------------------------------------------------------------------ the writer processes


def write_annotations(root: Path, report_id: str, count: int, tag: str) -> None:
    db = Database(root, reviewer=tag)
    report = db.report(report_id)
    text = db.open_report(report_id).paragraphs[0].text
    sys.stdin.readline()  # "go"
    for n in range(count):
        span = Span.of(text, n % 10, n % 10 + 5)
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=span, claim=Claim(span.quote), note=f"{tag}-{n}"))
    print(f"saved {count}", flush=True)


def write_into_dense(root: Path, report_id: str, count: int, tag: str, edit_from: int) -> None:
    """`count` new annotations, and a note on every other one of `count` existing ones from index `edit_from`."""
    db = Database(root, reviewer=tag)
    report = db.report(report_id)
    existing = db.annotations(report_id)[edit_from : edit_from + 2 * count : 2]
    text = db.open_report(report_id).paragraphs[0].text
    sys.stdin.readline()  # "go"
    for n, annotation in enumerate(existing):
        span = Span.of(text, n % 10, n % 10 + 5)
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=span, claim=Claim(span.quote), note=f"{tag}-{n}"))
        db.save_annotation(annotation.evolve(note=f"{tag} edited {n}"))
    print(f"saved {2 * len(existing)}", flush=True)


def write_actors(root: Path, count: int, tag: str) -> None:
    db = Database(root, reviewer=tag)
    sys.stdin.readline()
    for n in range(count):
        db.save_actor(db.new_actor(f"{tag} actor {n}", "person"))
    print(f"saved {count}", flush=True)


def hold_lock(root: Path, name: str) -> None:
    """Hold the lock of one database file until stdin closes (what a writer does while it saves)."""
    db = Database(root, reviewer="holder")
    path = db.layout.annotation_shard(name, 1) if name != "actors" else db.layout.actors
    with TinyFile(path, db.layout.locks, modes=db.modes).locked():
        print("held", flush=True)
        sys.stdin.read()


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _run_together(writers: list[subprocess.Popen], timeout: float = 240) -> None:
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, err = writer.communicate(timeout=timeout)
        assert writer.returncode == 0, err
        assert out.startswith("saved"), out


# ------------------------------------------------------------------ the tests


@pytest.fixture
def report_id(db, sample_paths) -> str:
    return db.add_report(sample_paths[0]).report.id


def test_two_processes_writing_500_annotations_each_into_one_report_lose_none(db, report_id) -> None:
    writers = [_start("annotations", str(db.root), report_id, str(PER_WRITER), tag) for tag in ("amira", "jonas")]
    _run_together(writers)
    notes = {a.note for a in Database(db.root).annotations(report_id)}
    assert notes == {f"{tag}-{n}" for tag in ("amira", "jonas") for n in range(PER_WRITER)}
    stored = 0
    for _, path in db.layout.shards(report_id, "annotations"):
        with tinydb.TinyDB(path) as stock:
            stored += len(stock.table("annotations"))
    assert stored == 2 * PER_WRITER
    # The first Database sees the other processes' work too, without reopening.
    assert db.report_changed(report_id)
    assert len(db.annotations(report_id)) == 2 * PER_WRITER
    assert not db.report_changed(report_id)


def test_two_processes_saving_into_a_report_of_25000_annotations_lose_none(db, report_id) -> None:
    """Issue 18: new annotations and edits all over a report of 25,000 (some 200 shards), from two processes."""
    report = db.report(report_id)
    paragraphs = db.open_report(report_id).paragraphs
    db.save_annotations(report_id, (
        db.new_annotation(Kind.CLAIM, report, 1 + n % len(paragraphs), span=None, claim=Claim(f"filled {n}"))
        for n in range(25_000)
    ))
    count = 150
    writers = [
        _start("dense", str(db.root), report_id, str(count), tag, str(first))
        for tag, first in (("amira", 0), ("jonas", 1))  # every other annotation each, from 0 and from 1: never the same one
    ]
    _run_together(writers)
    notes = [a.note for a in Database(db.root).annotations(report_id)]
    assert len(notes) == 25_000 + 2 * count
    assert {f"{tag}-{n}" for tag in ("amira", "jonas") for n in range(count)} <= set(notes)
    assert {f"{tag} edited {n}" for tag in ("amira", "jonas") for n in range(count)} <= set(notes)
    stored = 0
    for _, path in db.layout.shards(report_id, "annotations"):
        with tinydb.TinyDB(path) as stock:
            stored += len(stock.table("annotations"))
    assert stored == 25_000 + 2 * count


def test_two_processes_editing_actors_lose_none(db) -> None:
    count = 150
    writers = [_start("actors", str(db.root), str(count), tag) for tag in ("amira", "jonas")]
    _run_together(writers)
    names = {a.name for a in db.actors()}
    assert names == {f"{tag} actor {n}" for tag in ("amira", "jonas") for n in range(count)}


def test_threads_sharing_one_database_lose_none(db, report_id) -> None:
    """The TUI saves from workers: threads on one Database behave like processes, from the first save on."""
    report = db.report(report_id)
    expected: set[str] = set()
    for round_number in range(3):
        shared = Database(db.root)  # fresh: the threads race to set up its locks too
        errors: list[BaseException] = []

        def work(tag: str, shared: Database = shared, errors: list[BaseException] = errors) -> None:
            try:
                for n in range(10):
                    shared.save_annotation(shared.new_annotation(Kind.CLAIM, report, 1, span=None, note=f"{tag}-{n}"))
            except BaseException as error:
                errors.append(error)

        tags = [f"{round_number}{t}" for t in "abcd"]
        threads = [threading.Thread(target=work, args=(tag,)) for tag in tags]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        expected |= {f"{tag}-{n}" for tag in tags for n in range(10)}
        assert {a.note for a in Database(db.root).annotations(report_id)} == expected


def test_two_threads_making_their_first_save_at_once_both_stay_safe(db, report_id, monkeypatch) -> None:
    """Two threads of one process, each saving while the other holds the lock: neither save is lost."""
    from store import storage

    real_encode = storage.encode

    def slow_encode(tables):
        time.sleep(0.05)  # the second thread arrives while the first one saves
        return real_encode(tables)

    monkeypatch.setattr(storage, "encode", slow_encode)
    report = db.report(report_id)
    shared = Database(db.root, lock_timeout=3)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(tag: str) -> None:
        barrier.wait()
        try:
            shared.save_annotation(shared.new_annotation(Kind.CLAIM, report, 1, span=None, note=tag))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(tag,)) for tag in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {a.note for a in Database(db.root).annotations(report_id)} == {"a", "b"}


def test_deleting_lock_files_while_three_processes_save_loses_nothing(db, report_id) -> None:
    """Another user (or a cleanup script) removing lock files cannot make two saves overlap."""
    per_writer = 120
    writers = [_start("annotations", str(db.root), report_id, str(per_writer), tag) for tag in ("a", "b", "c")]
    stop = threading.Event()

    def delete_locks() -> None:
        while not stop.is_set():
            for lock in (db.root / ".locks").glob("*.lock"):
                lock.unlink(missing_ok=True)

    deleter = threading.Thread(target=delete_locks)
    deleter.start()
    try:
        _run_together(writers)
    finally:
        stop.set()
        deleter.join()
    notes = [a.note for a in Database(db.root).annotations(report_id)]
    assert sorted(notes) == sorted(f"{tag}-{n}" for tag in ("a", "b", "c") for n in range(per_writer))


def test_a_lock_held_too_long_gives_a_clear_lock_timeout_and_the_change_can_be_retried(db, report_id) -> None:
    report = db.report(report_id)
    first, _ = db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, note="before"))
    holder = _start("hold", str(db.root), report_id)
    try:
        assert holder.stdout.readline().strip() == "held"
        impatient = Database(db.root, reviewer="impatient", lock_timeout=0.3)
        annotation = impatient.new_annotation(Kind.CLAIM, report, 2, span=None, note="waiting")
        started = time.monotonic()
        with pytest.raises(LockTimeout) as caught:
            impatient.save_annotation(annotation)
        waited = time.monotonic() - started
        message = str(caught.value)
        assert f"{report_id}/annotations-0001.json" in message
        assert "another claimdesk process" in message and "0.3 s" in message and "try again" in message
        assert 0.3 <= waited < 3
        assert [a.id for a in impatient.annotations(report_id)] == [first.id]  # nothing half-done
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    impatient.save_annotation(annotation)  # the retry, once the other process let go
    assert {a.note for a in Database(db.root).annotations(report_id)} == {"before", "waiting"}


def test_actors_lock_timeout_names_actors_json(db) -> None:
    holder = _start("hold", str(db.root), "actors")
    try:
        assert holder.stdout.readline().strip() == "held"
        impatient = Database(db.root, lock_timeout=0.2)
        with pytest.raises(LockTimeout, match=r"actors\.json"):
            impatient.save_actor(impatient.new_actor("Hezbollah", "armed_group"))
        assert impatient.actors() == []
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_report_changed_is_one_stat_and_right_after_our_own_writes(db, report_id) -> None:
    other = Database(db.root, reviewer="other")
    report = db.report(report_id)
    db.annotations(report_id)
    assert not db.report_changed(report_id)
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, note="ours"))
    assert not db.report_changed(report_id)  # our own write is not news
    assert other.report_changed(report_id)  # never read there yet
    other.annotations(report_id)
    other.save_annotation(other.new_annotation(Kind.CLAIM, report, 1, span=None, note="theirs"))
    assert db.report_changed(report_id)
    assert {a.note for a in db.annotations(report_id)} == {"ours", "theirs"}
    assert not db.report_changed(report_id)
    # The same size, inode reuse, one clock tick: an edit of equal length is still seen.
    [theirs] = [a for a in other.annotations(report_id) if a.note == "theirs"]
    other.save_annotation(theirs.evolve(note="THEIRS"), keep_timestamps=True)
    assert db.report_changed(report_id)


def test_report_changed_opens_no_file_and_stats_each_shard_once(db, report_id, monkeypatch) -> None:
    import os

    from store.session import Session

    Session(db).set_reviewed(report_id, 1, True)
    db.save_annotation(db.new_annotation(Kind.CLAIM, db.report(report_id), 1, span=None))
    db.annotations(report_id)
    db.marks(report_id)
    shards = len(db.layout.shards(report_id, "annotations")) + len(db.layout.shards(report_id, "marks"))
    calls: list[object] = []
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda *a, **k: calls.append(a) or real_lstat(*a, **k))
    monkeypatch.setattr(os, "open", lambda *a, **k: pytest.fail("report_changed opened a file"))
    assert not db.report_changed(report_id)
    assert len(calls) == shards == 2


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "annotations":
        write_annotations(Path(args[0]), args[1], int(args[2]), args[3])
    elif mode == "dense":
        write_into_dense(Path(args[0]), args[1], int(args[2]), args[3], int(args[4]))
    elif mode == "actors":
        write_actors(Path(args[0]), int(args[1]), args[2])
    elif mode == "hold":
        hold_lock(Path(args[0]), args[1])
