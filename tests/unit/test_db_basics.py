"""The store API round-trips reports, annotations, actors and status through TinyDB files."""

from __future__ import annotations

import pytest
import tinydb

from store.model import Claim, Credibility, Kind, Span


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
    from store.session import Session

    report = db.add_report(sample_paths[0]).report
    Session(db).set_reviewed(report.id, 1, True)
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim("x")))
    for path in db.files():
        with tinydb.TinyDB(path) as stock:
            assert stock.tables()  # every file is a TinyDB database with tables
    with tinydb.TinyDB(db.root / "reports" / report.id / "marks-0001.json") as stock:
        [mark] = stock.table("marks").all()
        assert (mark["paragraph"], mark["reviewed"], mark["reviewed_by"]) == (1, True, "tester")
    with tinydb.TinyDB(db.root / "reports" / report.id / "annotations-0001.json") as stock:
        assert stock.table("annotations").all()[0]["claim"]["text"] == "x"


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


def test_a_commit_checks_the_version_it_was_based_on(db, sample_paths) -> None:
    from store.db import Plan
    from store.errors import ConflictError

    report = db.add_report(sample_paths[0]).report
    saved, _ = db.save_annotation(db.new_annotation(Kind.CLAIM, report, 2, span=None, claim=Claim("x")))
    assert saved.rev == 1
    stale = saved.to_dict()
    db.save_annotation(saved.evolve(note="someone else"))
    with pytest.raises(ConflictError) as caught:
        db.commit([Plan("annotation", saved.id, report.id, {**stale, "note": "mine"}, base=stale)])
    [(entity, key, mine, theirs)] = caught.value.conflicts
    assert (entity, key, mine["note"], theirs["note"], theirs["rev"]) == ("annotation", saved.id, "mine", "someone else", 2)
    assert db.annotation(report.id, saved.id).note == "someone else"


def test_annotations_fill_shards_of_bounded_size(db, sample_paths) -> None:
    from store.layout import ANNOTATIONS_PER_SHARD

    report = db.add_report(sample_paths[0]).report
    total = ANNOTATIONS_PER_SHARD * 2 + 3
    db.save_annotations(report.id, [db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim(str(n))) for n in range(total)])
    sizes = [len(tinydb.TinyDB(path).table("annotations")) for _, path in db.layout.shards(report.id, "annotations")]
    assert sizes == [ANNOTATIONS_PER_SHARD, ANNOTATIONS_PER_SHARD, 3]
    assert len(db.annotations(report.id)) == total
