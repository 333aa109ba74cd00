"""The schema version in library.json's meta table, and the migration path."""

from __future__ import annotations

import json

import pytest

from store import db as db_module
from store.db import Database
from store.errors import ReadOnlyError, StoreError
from store.model import SCHEMA_VERSION, Kind


def _set_version(root, version: int) -> None:
    path = root / "library.json"
    data = json.loads(path.read_bytes())
    data["meta"]["1"]["schema_version"] = version
    path.write_text(json.dumps(data), encoding="ascii")


def test_a_new_database_records_the_schema_version(db) -> None:
    assert db.schema_version == SCHEMA_VERSION
    meta = json.loads((db.root / "library.json").read_bytes())["meta"]["1"]
    assert meta["application"] == "claimdesk" and meta["created_at"].endswith("Z")


def test_a_newer_schema_opens_read_only_and_says_upgrade(db, sample_paths) -> None:
    report = db.add_report(sample_paths[0]).report
    _set_version(db.root, SCHEMA_VERSION + 1)
    before = (db.root / "library.json").read_bytes()
    newer = Database(db.root)
    assert newer.read_only
    [problem] = newer.problems
    assert f"schema version {SCHEMA_VERSION + 1}" in problem and "upgrade claimdesk" in problem
    assert [r.id for r in newer.reports()] == [report.id]  # still readable
    with pytest.raises(ReadOnlyError):
        newer.save_annotation(newer.new_annotation(Kind.CLAIM, report, 1, span=None))
    assert (db.root / "library.json").read_bytes() == before


def test_an_older_schema_is_migrated_once_after_a_backup(db, sample_paths, monkeypatch) -> None:
    report = db.add_report(sample_paths[0]).report
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, note="old"))
    calls: list[int] = []

    def to_next(database: Database) -> None:
        calls.append(database.schema_version)
        for annotation in database.annotations(report.id):
            database.save_annotation(annotation.evolve(note=annotation.note + " (migrated)"), keep_timestamps=True)

    monkeypatch.setattr(db_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(db_module.MIGRATIONS, SCHEMA_VERSION, to_next)
    migrated = Database(db.root)
    assert calls == [SCHEMA_VERSION]
    assert not migrated.read_only and migrated.schema_version == SCHEMA_VERSION + 1
    assert [a.note for a in migrated.annotations(report.id)] == ["old (migrated)"]
    [backup] = db.root.parent.glob(f"{db.root.name}.before-schema-{SCHEMA_VERSION + 1}-*")
    assert json.loads((backup / "library.json").read_bytes())["meta"]["1"]["schema_version"] == SCHEMA_VERSION
    assert migrated.problems == [] and any("migrated" in n and str(backup) in n for n in migrated.notices)
    Database(db.root)
    assert calls == [SCHEMA_VERSION]  # not again


def test_a_missing_migration_opens_read_only(db, monkeypatch) -> None:
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    older = Database(db.root)
    assert older.read_only and "no migration" in older.problems[0]


def test_a_failed_migration_opens_read_only_and_keeps_the_old_version(db, monkeypatch) -> None:
    def broken(database: Database) -> None:
        raise StoreError("disk trouble")

    monkeypatch.setattr(db_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(db_module.MIGRATIONS, SCHEMA_VERSION, broken)
    failed = Database(db.root)
    assert failed.read_only and "disk trouble" in failed.problems[-1]
    assert failed.schema_version == SCHEMA_VERSION


def test_files_from_before_the_meta_table_count_as_version_one(db, sample_paths) -> None:
    db.add_report(sample_paths[0])
    path = db.root / "library.json"
    data = json.loads(path.read_bytes())
    del data["meta"]
    path.write_text(json.dumps(data), encoding="ascii")
    assert Database(db.root).schema_version == 1


def test_a_schema_version_that_is_not_a_number_opens_read_only(db) -> None:
    path = db.root / "library.json"
    data = json.loads(path.read_bytes())
    data["meta"]["1"]["schema_version"] = "one"
    path.write_text(json.dumps(data), encoding="ascii")
    odd = Database(db.root)
    assert odd.read_only and "not a number" in odd.problems[0]
