"""The schema version in library.json's meta table, and the migration path."""

from __future__ import annotations

import json

import pytest

from store import db as db_module
from store import migrations
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
    monkeypatch.setitem(migrations.MIGRATIONS, SCHEMA_VERSION, to_next)
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
    monkeypatch.setitem(migrations.MIGRATIONS, SCHEMA_VERSION, broken)
    failed = Database(db.root)
    assert failed.read_only and "disk trouble" in failed.problems[-1]
    assert failed.schema_version == SCHEMA_VERSION


def _schema_1_database(root, sample_path, with_meta: bool) -> tuple[str, str]:
    """A database as claimdesk wrote it before shards: one text file and one annotations file per report."""
    from store.ingest import parse_file

    parsed, _ = parse_file(sample_path)
    report_id, revision = "harbour", "0123456789abcdef"
    text = parsed.paragraphs[0].text
    (root / "reports").mkdir(parents=True)
    library = {"reports": {"1": {
        "id": report_id, "title": parsed.title, "date": parsed.date, "source": str(sample_path),
        "dispatch_number": parsed.dispatch_number, "regions": list(parsed.regions), "revision": revision,
        "revisions": [revision], "paragraph_count": len(parsed.paragraphs), "added_at": "2026-01-01T00:00:00Z",
    }}}
    if with_meta:
        library["meta"] = {"1": {"schema_version": 1, "created_at": "2026-01-01T00:00:00Z", "application": "claimdesk"}}
    (root / "library.json").write_text(json.dumps(library), encoding="ascii")
    (root / "actors.json").write_text(json.dumps({"actors": {"1": {"id": "a1", "name": "Hamas", "type": "armed_group"}}}))
    revisions = {"revisions": {"1": {"revision": revision, "added_at": "x", "source_path": "s", "parsed": parsed.to_dict()}}}
    (root / "reports" / f"{report_id}.text.json").write_text(json.dumps(revisions), encoding="ascii")
    annotations = {
        str(n): {
            "id": f"ann{n}",
            "kind": "actor",
            "report_id": report_id,
            "revision": revision,
            "paragraph": 1,
            "span": {"start": 10, "end": 20, "quote": text[10:20]},
            "claim": None,
            "actor_id": "a1",
            "credibility": None,
            "note": f"n{n}",
            "reviewer": f"analyst {n}",
            "created_at": f"2026-01-01T00:00:{n % 60:02d}Z",
            "updated_at": "2026-01-02T00:00:00Z",
        }
        for n in range(300)
    }
    status = {
        "1": {"paragraph": 1, "status": "reviewed", "reviewer": "alice", "updated_at": "2026-01-03T00:00:00Z"},
        "2": {"paragraph": 300, "status": "flagged", "reviewer": "bob", "updated_at": "2026-01-04T00:00:00Z"},
    }
    (root / "reports" / f"{report_id}.annotations.json").write_text(json.dumps({"annotations": annotations, "status": status}))
    return report_id, text


@pytest.mark.parametrize("with_meta", [True, False], ids=["schema 1", "before the meta table"])
def test_a_schema_1_database_is_moved_into_report_folders_and_shards_once(tmp_path, sample_paths, with_meta) -> None:
    from store import doctor
    from store.layout import ANNOTATIONS_PER_SHARD

    root = tmp_path / "db"
    report_id, text = _schema_1_database(root, sample_paths[0], with_meta)
    migrated = Database(root, reviewer="carol")
    assert not migrated.read_only and migrated.schema_version == SCHEMA_VERSION
    annotations = migrated.annotations(report_id)
    assert sorted(a.note for a in annotations) == sorted(f"n{n}" for n in range(300))
    assert all(a.span.prefix == text[:10] and a.span.suffix == text[20:52] for a in annotations)
    shards = migrated.layout.shards(report_id, "annotations")
    assert len(shards) == -(-300 // ANNOTATIONS_PER_SHARD)
    marks = migrated.marks(report_id)
    assert (marks[1].reviewed, marks[1].reviewed_by, marks[1].flagged) == (True, "alice", False)
    assert (marks[300].flagged, marks[300].flagged_by, marks[300].reviewed) == (True, "bob", False)
    assert not (root / "reports" / f"{report_id}.annotations.json").exists()
    assert not (root / "reports" / f"{report_id}.text.json").exists()
    [backup] = root.parent.glob(f"{root.name}.before-schema-{SCHEMA_VERSION}-*")
    assert (backup / "reports" / f"{report_id}.annotations.json").exists()
    assert any("migrated the database" in n for n in migrated.notices)
    assert [f.line() for f in doctor.check(root) if f.severity == doctor.PROBLEM] == []
    again = Database(root)
    assert again.notices == [] and len(again.annotations(report_id)) == 300


def test_an_interrupted_migration_is_finished_by_the_next_open(tmp_path, sample_paths, monkeypatch) -> None:
    root = tmp_path / "db"
    report_id, _ = _schema_1_database(root, sample_paths[0], with_meta=True)
    real_unlink = type(root).unlink

    def crash(path, *args, **kwargs):  # the new files are written; the crash comes before the old ones go
        raise KeyboardInterrupt

    monkeypatch.setattr(type(root), "unlink", crash)
    with pytest.raises(KeyboardInterrupt):
        Database(root)
    monkeypatch.setattr(type(root), "unlink", real_unlink)
    finished = Database(root)
    assert finished.schema_version == SCHEMA_VERSION
    assert len(finished.annotations(report_id)) == 300  # rewritten, never doubled


def test_a_schema_version_that_is_not_a_number_opens_read_only(db) -> None:
    path = db.root / "library.json"
    data = json.loads(path.read_bytes())
    data["meta"]["1"]["schema_version"] = "one"
    path.write_text(json.dumps(data), encoding="ascii")
    odd = Database(db.root)
    assert odd.read_only and "not a number" in odd.problems[0]


def test_schema_2_paragraphs_with_untrimmed_edges_get_a_trimmed_revision_and_keep_their_annotations(tmp_path, sample_paths) -> None:
    from store.model import Span
    from store.session import Session

    root = tmp_path / "db"
    db = Database(root, reviewer="alice")
    report = db.add_report(sample_paths[0]).report
    text_path = db.layout.text(report.id)
    stored = json.loads(text_path.read_bytes())
    revision = next(iter(stored["revisions"].values()))
    first = revision["parsed"]["paragraphs"][0]
    first["text"] = "\u00a0\u00a0 " + first["text"] + "\u00a0"  # as a web page's copy left it, before schema 3
    text_path.write_text(json.dumps(stored), encoding="ascii")
    untrimmed = first["text"]
    Session(Database(root, reviewer="alice")).add_claim(report, 1, Span.of(untrimmed, 3, 11), untrimmed[3:11])
    _set_version(root, 2)
    migrated = Database(root, reviewer="carol")
    assert migrated.schema_version == SCHEMA_VERSION and not migrated.read_only
    current = migrated.report(report.id)
    assert current.revision != report.revision and report.revision in current.revisions
    text = migrated.open_report(report.id).paragraphs[0].text
    assert text == untrimmed.strip()
    [claim] = migrated.annotations(report.id)
    assert (claim.revision, claim.span.start, claim.span.quote) == (current.revision, 0, untrimmed[3:11])
    assert Database(root).report(report.id).revision == current.revision  # once
