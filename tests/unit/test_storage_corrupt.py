"""A database file that does not parse is never overwritten: the user is told which, and a copy is kept aside.

Decision: library.json or actors.json broken → the whole database opens
read-only (the library is rebuilt in memory from the report text files so
reports can still be read). One report's file broken → only that report is
read-only; every other report works as usual.
"""

from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner

from store.db import Database
from store.errors import CorruptFileError, ReadOnlyError
from store.model import Claim, Kind
from store.storage import TinyFile
from tui.cli import main

CORRUPTIONS = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "binary garbage": lambda raw: b"\x00\xff\xfe\x9c garbage",
    "JSON but not TinyDB": lambda raw: b"[1, 2, 3]",
}


@pytest.fixture
def filled(db, sample_paths):
    """A database with two reports, an annotation on each and an actor; returns (root, [report ids])."""
    ids = []
    for path in sample_paths[:2]:
        report = db.add_report(path).report
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim("x"), note=report.id))
        ids.append(report.id)
    db.save_actor(db.new_actor("Saraya Awliya al-Dam", "armed_group"))
    return db.root, ids


def _corrupt(path, how: str) -> bytes:
    broken = CORRUPTIONS[how](path.read_bytes())
    path.write_bytes(broken)
    return broken


def _kept_copies(path) -> list:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_broken_library_opens_read_only_names_the_file_and_keeps_a_copy(filled, how, sample_paths) -> None:
    root, ids = filled
    library = root / "library.json"
    broken = _corrupt(library, how)
    db = Database(root, reviewer="next day")
    assert db.read_only
    [problem] = db.problems
    [copy] = _kept_copies(library)
    assert str(library) in problem and "does not parse" in problem and str(copy) in problem
    assert copy.read_bytes() == broken
    # Still readable: the index is rebuilt in memory from the report text files.
    assert sorted(r.id for r in db.reports()) == sorted(ids)
    assert [a.note for a in db.annotations(ids[0])] == [ids[0]]
    with pytest.raises(ReadOnlyError, match=r"library\.json"):
        db.add_report(sample_paths[2])
    report = db.report(ids[0])
    with pytest.raises(ReadOnlyError):
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None))
    assert library.read_bytes() == broken
    assert len(_kept_copies(library)) == 1  # opening again does not pile up copies
    Database(root)
    assert len(_kept_copies(library)) == 1


def test_broken_library_via_the_cli_is_one_line_naming_the_file(filled, sample_paths) -> None:
    root, _ = filled
    _corrupt(root / "library.json", "truncated")
    result = CliRunner().invoke(main, ["--db", str(root), "add", str(sample_paths[2])])
    assert result.exit_code == 1
    assert "library.json" in result.stderr and "Traceback" not in result.stderr
    assert all(line.startswith("claimdesk: ") for line in result.stderr.splitlines())


def test_broken_actors_file_makes_the_database_read_only_but_readable(filled) -> None:
    root, ids = filled
    actors = root / "actors.json"
    broken = _corrupt(actors, "truncated")
    db = Database(root)
    assert db.read_only and "actors.json" in db.problems[0]
    assert [a.note for a in db.annotations(ids[1])] == [ids[1]]
    with pytest.raises(CorruptFileError, match=r"actors\.json"):
        db.actors()
    with pytest.raises(ReadOnlyError):
        db.save_actor(db.new_actor("New actor"))
    assert actors.read_bytes() == broken and len(_kept_copies(actors)) == 1


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_one_broken_report_is_read_only_and_the_others_still_work(filled, how) -> None:
    root, (broken_id, good_id) = filled
    path = root / "reports" / broken_id / "annotations-0001.json"
    good_bytes = path.read_bytes()
    broken = _corrupt(path, how)
    db = Database(root)
    assert not db.read_only and db.problems == []  # nothing is read until the report is opened
    with pytest.raises(CorruptFileError) as caught:
        db.annotations(broken_id)
    assert str(path) in str(caught.value) and "claimdesk doctor" in str(caught.value)
    report = db.report(broken_id)
    with pytest.raises(ReadOnlyError, match=f"{broken_id}/annotations-0001.json"):
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, note="lost?"))
    assert path.read_bytes() == broken
    [copy] = _kept_copies(path)
    assert copy.read_bytes() == broken
    assert db.report_problem(broken_id) and str(path) in db.report_problem(broken_id)
    assert any(str(path) in p for p in db.problems) and not db.read_only
    # The other report is untouched by all this.
    other = db.report(good_id)
    assert db.report_problem(good_id) is None
    db.save_annotation(db.new_annotation(Kind.CLAIM, other, 2, span=None, note="still works"))
    assert {a.note for a in Database(root).annotations(good_id)} == {good_id, "still works"}
    # Once the file is put right (by hand or by doctor), the same Database uses it again.
    path.write_bytes(good_bytes)
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, note="after the fix"))
    assert {a.note for a in db.annotations(broken_id)} == {broken_id, "after the fix"}


def test_a_write_before_any_read_still_refuses_a_broken_file(tmp_path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b'{"docs": {"1": {"a": 1}')
    tiny = TinyFile(path, tmp_path / ".locks")
    with pytest.raises(ReadOnlyError, match="does not parse"):
        tiny.update(lambda tables: tables.setdefault("docs", {}).update({"2": {"b": 2}}))
    assert path.read_bytes() == b'{"docs": {"1": {"a": 1}'


def test_each_different_broken_version_gets_its_own_copy(tmp_path) -> None:
    path = tmp_path / "f.json"
    tiny = TinyFile(path, tmp_path / ".locks")
    path.write_bytes(b"{broken one")
    with pytest.raises(CorruptFileError):
        tiny.read()
    path.write_bytes(b"{broken two")
    stamp = time.time() - 3600
    os.utime(path, (stamp, stamp))
    with pytest.raises(CorruptFileError):
        tiny.read()
    os.utime(path, (stamp, stamp))
    copies = _kept_copies(path)
    assert sorted(c.read_bytes() for c in copies) == [b"{broken one", b"{broken two"]


def test_a_document_of_the_wrong_shape_is_a_one_line_store_error(filled) -> None:
    import json

    from store.errors import StoreError

    root, (report_id, _) = filled
    path = root / "reports" / report_id / "annotations-0001.json"
    data = json.loads(path.read_bytes())
    del next(iter(data["annotations"].values()))["kind"]
    path.write_text(json.dumps(data), encoding="ascii")
    with pytest.raises(StoreError, match=r"annotations-0001\.json: a document cannot be read \(missing field 'kind'\)"):
        Database(root).annotations(report_id)
