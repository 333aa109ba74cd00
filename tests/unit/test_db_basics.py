"""The store API round-trips reports, annotations, actors and status through TinyDB files."""

from __future__ import annotations

import tinydb

from store.model import Claim, Credibility, Kind, ParagraphStatus, Span


def test_add_report_then_annotate_and_read_back(db, sample_paths) -> None:
    result = db.add_report(sample_paths[0])
    assert result.created
    opened = db.open_report(result.report.id)
    text = opened.paragraphs[0].text
    span = Span.of(text, 0, 10)
    claim = db.new_annotation(
        Kind.CLAIM, opened.report, 1, span=span, claim=Claim(span.quote, "event"), credibility=Credibility("B", 2)
    )
    saved, change = db.save_annotation(claim)
    assert change.edits[0].before is None
    [back] = db.annotations(opened.report.id)
    assert back == saved
    assert back.span.quote == text[0:10]
    assert back.credibility.code == "B2"
    assert back.reviewer == "tester" and back.created_at.endswith("Z")


def test_files_load_with_stock_tinydb(db, sample_paths) -> None:
    report = db.add_report(sample_paths[0]).report
    db.set_status(report.id, 1, ParagraphStatus.REVIEWED)
    for path in db.files():
        with tinydb.TinyDB(path) as stock:
            assert stock.tables()  # every file is a TinyDB database with tables
    with tinydb.TinyDB(db.root / "reports" / f"{report.id}.annotations.json") as stock:
        assert stock.table("status").all()[0]["status"] == "reviewed"


def test_same_file_same_id_and_changed_file_new_revision(db, tmp_path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("A title\n\nFirst paragraph.\n", encoding="utf-8")
    first = db.add_report(path)
    again = db.add_report(path)
    assert again.report.id == first.report.id and not again.created and not again.new_revision
    path.write_text("A title\n\nFirst paragraph, revised.\n", encoding="utf-8")
    revised = db.add_report(path)
    assert revised.new_revision and revised.report.id == first.report.id
    assert len(revised.report.revisions) == 2
    assert db.report_text(first.report.id, first.report.revision).paragraphs[0].text == "First paragraph."


def test_undo_redo_through_change_objects(db, sample_paths) -> None:
    report = db.add_report(sample_paths[0]).report
    annotation = db.new_annotation(Kind.CLAIM, report, 2, span=None, claim=Claim("x"))
    _, added = db.save_annotation(annotation)
    deleted = db.delete_annotation(report.id, annotation.id)
    assert db.annotations(report.id) == []
    db.apply(deleted.inverse())
    assert [a.id for a in db.annotations(report.id)] == [annotation.id]
    db.apply(added.inverse())
    assert db.annotations(report.id) == []


def test_merge_is_rolled_back_when_a_write_fails(db, sample_paths, monkeypatch) -> None:
    """A merge that fails part-way leaves every annotation and both actors as they were."""
    from store.errors import WriteError

    reports = [db.add_report(path).report for path in sample_paths[:2]]
    keep, _ = db.save_actor(db.new_actor("Sayyed Al-Shuhada Brigades", "armed_group"))
    lose, _ = db.save_actor(db.new_actor("Sayyid Al-Shuhada Brigades", "armed_group"))
    for report in reports:
        db.save_annotation(db.new_annotation(Kind.ACTOR, report, 1, span=None, actor_id=lose.id))
    before = {r.id: db.annotations(r.id) for r in reports}
    calls = {"n": 0}
    real = db.save_annotations

    def fail_second(report_id, annotations):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WriteError("could not save: the disk is full")
        return real(report_id, annotations)

    monkeypatch.setattr(db, "save_annotations", fail_second)
    try:
        db.merge_actors(keep.id, lose.id)
    except WriteError:
        pass
    else:
        raise AssertionError("the merge should have failed")
    assert {r.id: db.annotations(r.id) for r in reports} == before
    assert {a.id for a in db.actors()} == {keep.id, lose.id}


def test_merge_keeps_the_losers_affiliation_when_the_survivor_has_none(db) -> None:
    patron, _ = db.save_actor(db.new_actor("Iran", "state"))
    keep, _ = db.save_actor(db.new_actor("Nujaba", "armed_group"))
    lose, _ = db.save_actor(db.new_actor("Al-Nujaba Movement", "armed_group", affiliation=patron.id))
    db.merge_actors(keep.id, lose.id)
    merged = db.actor(keep.id)
    assert merged.affiliation == patron.id
    assert "Al-Nujaba Movement" in merged.aliases
