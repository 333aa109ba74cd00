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


def _two_full_shards(db, sample_paths):
    from store.layout import ANNOTATIONS_PER_SHARD

    report = db.add_report(sample_paths[0]).report
    db.save_annotations(report.id, [
        db.new_annotation(Kind.CLAIM, report, 1 + n % 3, span=None, claim=Claim(str(n))) for n in range(ANNOTATIONS_PER_SHARD * 2)
    ])
    return report


def test_a_shard_another_process_starts_is_seen_by_the_next_save_and_read(db, sample_paths) -> None:
    """Shards full, so another process's claim starts shard 3: our duplicate check, reads and saves all see it."""
    from store.db import Database
    from store.errors import IntegrityError
    from store.session import Session

    report = _two_full_shards(db, sample_paths)
    ours = Session(db)
    ours.add_claim(report, 2, None, "warm the caches")
    theirs = Session(Database(db.root, reviewer="tester"))
    text = db.open_report(report.id).paragraphs[4].text
    span = Span.of(text, 0, 5)
    made = theirs.add_claim(report, 5, span, "theirs").value
    assert len(db.layout.shards(report.id, "annotations")) == 3
    with pytest.raises(IntegrityError):  # the same reviewer, span and claim: ours refuses it as a duplicate
        ours.add_claim(report, 5, span, "theirs")
    assert made.id in {a.id for a in db.paragraph_annotations(report.id, 5)}
    graded = ours.grade(made, Credibility("A", 1)).value
    assert graded.credibility.code == "A1"
    assert db.layout.shards(report.id, "annotations")[-1][0] == 3


def test_the_duplicate_check_finds_a_claim_at_its_place_in_any_shard_and_frees_it_when_gone(db, sample_paths) -> None:
    """Every shard parsed, the check looks only where the place index points: it must still find what is there, and only that."""
    from store.errors import IntegrityError
    from store.session import Session

    report = _two_full_shards(db, sample_paths)  # whole-paragraph claims "0", "1", … in ¶1–3, in shards 1 and 2
    session = Session(db)
    db.annotations(report.id)  # as the TUI does on open: every shard parsed
    with pytest.raises(IntegrityError):
        session.add_claim(report, 1, None, "0")  # in shard 1, not the newest
    text = db.open_report(report.id).paragraphs[0].text
    spanned = session.add_claim(report, 1, Span.of(text, 0, 5), "0").value  # the same words at another place: not a duplicate
    db.annotations(report.id)  # the shard it started parsed too: the place index answers from here on
    with pytest.raises(IntegrityError):
        session.add_claim(report, 1, Span.of(text, 0, 5), "0")
    session.undo()  # the spanned claim taken back: its place is free
    assert spanned.id not in {a.id for a in db.annotations_at(report.id, 1, (0, 5))}
    session.add_claim(report, 1, Span.of(text, 0, 5), "0")
    session.delete_annotation(next(a for a in db.annotations(report.id) if a.claim and a.claim.text == "3" and a.span is None))
    session.add_claim(report, 1, None, "3")  # deleted: its place is free again


def test_an_annotation_another_process_changes_is_read_again_and_a_stale_edit_conflicts(db, sample_paths) -> None:
    from store.db import Database
    from store.errors import ConflictError
    from store.layout import ANNOTATIONS_PER_SHARD
    from store.session import Session

    report = _two_full_shards(db, sample_paths)
    ours, theirs = Session(db), Session(Database(db.root, reviewer="tester"))
    first = db.annotations(report.id)[0]
    assert {a.id for a in db.paragraph_annotations(report.id, first.paragraph)} >= {first.id}
    theirs.delete_annotation(first)
    assert first.id not in {a.id for a in db.paragraph_annotations(report.id, first.paragraph)}
    assert db.stored_annotation(report.id, first.id) is None
    with pytest.raises(ConflictError):
        ours.grade(first, Credibility("B", 2))
    assert len(db.annotations(report.id)) == 2 * ANNOTATIONS_PER_SHARD - 1


def test_a_refused_change_leaves_what_was_read_untouched(db, sample_paths) -> None:
    """A transaction works on a copy: a conflict midway changes neither the file nor what is cached."""
    from store.db import Plan
    from store.errors import ConflictError

    report = db.add_report(sample_paths[0]).report
    one, _ = db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim("one")))
    two, _ = db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim("two")))
    before = db.layout.annotation_shard(report.id, 1).read_bytes()
    stale = {**two.to_dict(), "rev": 0}
    with pytest.raises(ConflictError):
        db.commit([
            Plan("annotation", one.id, report.id, {**one.to_dict(), "note": "changed"}, base=one.to_dict()),
            Plan("annotation", two.id, report.id, {**two.to_dict(), "note": "changed"}, base=stale),
        ])
    assert db.layout.annotation_shard(report.id, 1).read_bytes() == before
    assert [a.note for a in db.annotations(report.id)] == ["", ""]


def test_the_duplicate_check_finds_a_paragraphs_claim_in_any_shard_and_follows_edits_and_deletions(db, sample_paths) -> None:
    """A report read whole looks a paragraph's annotations up by index, not shard by shard: the index stays right."""
    from store.db import Database
    from store.errors import IntegrityError
    from store.session import Session

    report = _two_full_shards(db, sample_paths)  # claims "0".."255" on paragraphs 1–3, in two full shards
    session = Session(db)
    first = next(a for a in db.annotations(report.id) if a.claim and a.claim.text == "0")  # in the first shard
    with pytest.raises(IntegrityError):
        session.add_claim(report, 1, None, "0")
    moved = session.edit_claim(first, "zero", first.claim.type, None, None, "").value  # the old words are free again
    session.add_claim(report, 1, None, "0")
    with pytest.raises(IntegrityError):
        session.add_claim(report, 1, None, "zero")
    session.delete_annotation(moved)
    session.add_claim(report, 1, None, "zero")
    assert sorted(a.claim.text for a in Database(db.root).annotations(report.id) if a.claim and a.claim.text in ("0", "zero")) == [
        "0", "zero",
    ]
