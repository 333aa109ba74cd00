"""The session: every change as an intent, checked against what is stored, with the database's rules, undoable."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import doctor
from store.db import Database
from store.errors import ConflictError, IntegrityError, StaleUndo, WriteError
from store.model import Credibility, NewActor, Span
from store.session import Session


@pytest.fixture
def two(db, sample_paths):
    """alice and bob, each with a session on the same database, and one report."""
    report = db.add_report(sample_paths[0]).report
    alice = Session(Database(db.root, reviewer="alice"))
    bob = Session(Database(db.root, reviewer="bob"))
    return alice, bob, report


def _span(session: Session, report_id: str, paragraph: int, start: int, end: int) -> Span:
    return Span.of(session.db.open_report(report_id).paragraphs[paragraph - 1].text, start, end)


def test_a_claim_naming_new_actors_is_one_step_and_one_undo(two) -> None:
    alice, _, report = two
    hamas, mayadeen = NewActor("Hamas", "armed_group"), NewActor("Al-Mayadeen", "media")
    saved = alice.add_claim(report, 1, None, "A claim", "event", claimant=hamas, reported_by=mayadeen)
    claim = saved.value.claim
    assert {a.name: a.type for a in alice.db.actors()} == {"Hamas": "armed_group", "Al-Mayadeen": "media"}
    assert alice.db.actor(claim.claimant).name == "Hamas"
    assert saved.value.reviewer == saved.value.updated_by == "alice" and saved.value.rev == 1
    alice.undo()
    assert alice.db.annotations(report.id) == [] and alice.db.actors() == []
    alice.redo()
    assert [a.claim.text for a in alice.db.annotations(report.id)] == ["A claim"]
    assert len(alice.db.actors()) == 2


def test_the_same_span_tagged_twice_with_the_same_actor_is_refused(two) -> None:
    alice, bob, report = two
    actor = alice.create_actor("Hamas", "armed_group").value
    span = _span(alice, report.id, 1, 0, 8)
    first = alice.add_mention(report, 1, span, actor.id).value
    with pytest.raises(IntegrityError, match="already tagged") as refused:
        alice.add_mention(report, 1, span, actor.id)
    assert refused.value.existing_id == first.id
    bob.add_mention(report, 1, span, actor.id)  # another analyst's annotation of the same span is their own
    assert len(alice.db.annotations(report.id)) == 2


def test_two_analysts_editing_one_claim_never_overwrite_each_other(two) -> None:
    alice, bob, report = two
    original = alice.add_claim(report, 2, None, "Five thousand fighters", "figure").value
    seen_by_bob = bob.db.annotation(report.id, original.id)
    alice.edit_claim(original, "Five thousand fighters ALICE", "figure", None, None, "")
    with pytest.raises(ConflictError) as conflict:
        bob.edit_claim(seen_by_bob, "Five thousand fighters BOB", "figure", None, None, "")
    [(_entity, _key, mine, theirs)] = conflict.value.conflicts
    assert mine["claim"]["text"].endswith("BOB") and theirs["claim"]["text"].endswith("ALICE")
    assert "changed by alice" in str(conflict.value)
    assert alice.db.annotation(report.id, original.id).claim.text.endswith("ALICE")  # nothing written
    kept = bob.keep_mine(conflict.value).value  # bob chose "keep mine"
    stored = alice.db.annotation(report.id, original.id)
    assert stored.claim.text.endswith("BOB") == kept.claim.text.endswith("BOB") is True
    assert (stored.reviewer, stored.updated_by, stored.rev) == ("alice", "bob", 3)


def test_deleting_what_someone_else_changed_is_a_conflict(two) -> None:
    alice, bob, report = two
    original = alice.add_claim(report, 2, None, "x").value
    bob.grade(bob.db.annotation(report.id, original.id), Credibility("B", 2))
    with pytest.raises(ConflictError):
        alice.delete_annotation(original)
    assert alice.db.annotation(report.id, original.id).credibility == Credibility("B", 2)


def test_an_undo_after_someone_else_changed_it_is_refused_naming_them(two) -> None:
    alice, bob, report = two
    original = alice.add_claim(report, 2, None, "original").value
    alice.edit_claim(original, "alice's", "other", None, None, "")
    bob.edit_claim(bob.db.annotation(report.id, original.id), "bob's", "other", None, None, "")
    with pytest.raises(StaleUndo, match="bob has changed it since"):
        alice.undo()
    assert alice.db.annotation(report.id, original.id).claim.text == "bob's"
    assert alice.can_undo  # nothing moved in the history: the refusal is not an undo


def test_an_actor_still_named_cannot_be_deleted_and_the_message_says_what_names_it(two) -> None:
    alice, _, report = two
    pmu = alice.create_actor("Popular Mobilization Units", "armed_group").value
    kh = alice.create_actor("Kataib Hezbollah", "armed_group", affiliation=pmu.id).value
    with pytest.raises(IntegrityError, match=r"is the affiliation of “Kataib Hezbollah”.*merge it"):
        alice.delete_actor(pmu)
    alice.add_claim(report, 1, None, "x", claimant=kh.id)
    with pytest.raises(IntegrityError, match=r"named by 1 annotation \(1 claimant\)"):
        alice.delete_actor(alice.db.actor(kh.id))
    lone = alice.create_actor("Nobody", "person").value
    alice.delete_actor(lone)
    assert lone.id not in {a.id for a in alice.db.actors()}
    alice.undo()
    assert alice.db.actor(lone.id).name == "Nobody"


def test_affiliations_may_not_go_round_in_a_circle(two) -> None:
    alice, _, _ = two
    iran = alice.create_actor("Iran", "state").value
    irgc = alice.create_actor("IRGC", "state_body", affiliation=iran.id).value
    quds = alice.create_actor("Quds Force", "state_body", affiliation=irgc.id).value
    with pytest.raises(IntegrityError, match="circle"):
        alice.edit_actor(alice.db.actor(iran.id), "Iran", "state", (), quds.id, "")
    with pytest.raises(IntegrityError, match="circle"):
        alice.edit_actor(alice.db.actor(iran.id), "Iran", "state", (), iran.id, "")
    assert alice.db.actor(iran.id).affiliation is None


def test_merging_moves_every_reference_and_one_undo_puts_it_all_back(db, sample_paths) -> None:
    session = Session(db)
    reports = [db.add_report(path).report for path in sample_paths[:2]]
    patron = session.create_actor("Iran", "state").value
    keep = session.create_actor("Sayyed Al-Shuhada Brigades", "armed_group").value
    lose = session.create_actor("Sayyid Al-Shuhada Brigades", "armed_group", affiliation=patron.id).value
    follower = session.create_actor("Spokesman", "person", affiliation=lose.id).value
    for report in reports:
        session.add_mention(report, 1, None, lose.id)
        session.add_claim(report, 2, None, "x", claimant=lose.id, reported_by=keep.id)
    before = {r.id: db.annotations(r.id) for r in reports}
    merged = session.merge_actors(keep, lose).value
    assert merged.affiliation == patron.id and "Sayyid Al-Shuhada Brigades" in merged.aliases
    assert db.actor(follower.id).affiliation == keep.id
    named = {actor_id for r in reports for a in db.annotations(r.id) for _, actor_id in a.actor_refs()}
    assert named == {keep.id}
    session.undo()
    assert {r.id: [(a.id, a.actor_refs()) for a in db.annotations(r.id)] for r in reports} == {
        r.id: [(a.id, a.actor_refs()) for a in before[r.id]] for r in reports
    }
    assert db.actor(lose.id).name == "Sayyid Al-Shuhada Brigades" and db.actor(follower.id).affiliation == lose.id


def test_a_merge_that_fails_part_way_leaves_everything_as_it_was(db, sample_paths, monkeypatch) -> None:
    session = Session(db)
    reports = [db.add_report(path).report for path in sample_paths[:2]]
    keep = session.create_actor("Sayyed", "armed_group").value
    lose = session.create_actor("Sayyid", "armed_group").value
    for report in reports:
        session.add_mention(report, 1, None, lose.id)
    before = {r.id: db.annotations(r.id) for r in reports}
    real = db._commit_file
    calls = {"n": 0}

    def fail_second(path, plans):  # the second file of the merge cannot be written
        calls["n"] += 1
        if calls["n"] == 2:
            raise WriteError("could not save: the disk is full")
        return real(path, plans)

    monkeypatch.setattr(db, "_commit_file", fail_second)
    with pytest.raises(WriteError):
        session.merge_actors(keep, lose)
    monkeypatch.undo()
    assert {r.id: [(a.id, a.actor_id) for a in db.annotations(r.id)] for r in reports} == {
        r.id: [(a.id, a.actor_id) for a in before[r.id]] for r in reports
    }
    assert {a.name for a in db.actors()} == {"Sayyed", "Sayyid"}


def test_reviewed_and_flagged_both_hold_and_each_undoes_alone(two) -> None:
    alice, bob, report = two
    alice.set_reviewed(report.id, 3, True)
    bob.set_flagged(report.id, 3, True, "figure looks wrong")
    mark = alice.db.marks(report.id)[3]
    assert (mark.reviewed, mark.reviewed_by, mark.flagged, mark.flagged_by, mark.flag_reason) == (
        True, "alice", True, "bob", "figure looks wrong",
    )
    bob.undo()
    mark = alice.db.marks(report.id)[3]
    assert mark.reviewed and not mark.flagged
    alice.set_reviewed(report.id, 3, False)
    assert 3 not in alice.db.marks(report.id)  # a blank mark leaves no document behind


# ------------------------------------------------------------------ two sessions at random

OPERATIONS = ("claim", "mention", "edit", "grade", "delete", "review", "flag", "actor", "delete_actor", "link", "unlink", "undo", "redo")


@settings(
    max_examples=int(os.environ.get("CLAIMDESK_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(["alice", "bob"]), st.sampled_from(OPERATIONS), st.integers(0, 7)), max_size=25))
def test_two_sessions_interleaved_at_random_keep_the_database_whole(tmp_path_factory, sample_paths, steps) -> None:
    root = tmp_path_factory.mktemp("db")
    report = Database(root, "setup").add_report(sample_paths[0]).report
    sessions = {name: Session(Database(root, reviewer=name)) for name in ("alice", "bob")}
    seen: dict[str, list] = {"alice": [], "bob": []}  # what each analyst last read (stale on purpose)
    for who, operation, n in steps:
        session = sessions[who]
        db = session.db
        annotations = seen[who] or db.annotations(report.id)
        actors = db.actors()
        target = annotations[n % len(annotations)] if annotations else None
        before = db.annotation(report.id, target.id).to_dict() if target and _exists(db, report.id, target.id) else None
        try:
            if operation == "claim":
                saved = session.add_claim(report, 1 + n % 3, None, f"claim {n}", claimant=actors[n % len(actors)].id if actors else None)
                assert db.annotation(report.id, saved.value.id).claim.text == f"claim {n}"
            elif operation == "mention" and actors:
                saved = session.add_mention(report, 1 + n % 3, None, actors[n % len(actors)].id)
                assert db.annotation(report.id, saved.value.id).actor_id == saved.value.actor_id
            elif operation == "edit" and target and target.claim:
                saved = session.edit_claim(target, f"edited {n}", "event", None, None, who)
                assert db.annotation(report.id, target.id).note == who
            elif operation == "grade" and target:
                session.grade(target, Credibility("ABCDEF"[n % 6], 1 + n % 6))
                assert db.annotation(report.id, target.id).credibility.code == f"{'ABCDEF'[n % 6]}{1 + n % 6}"
            elif operation == "delete" and target:
                session.delete_annotation(target)
                assert not _exists(db, report.id, target.id)
            elif operation == "review":
                session.set_reviewed(report.id, 1 + n % 3, n % 2 == 0)
                assert db.marks(report.id).get(1 + n % 3, None) is None or db.marks(report.id)[1 + n % 3].reviewed == (n % 2 == 0)
            elif operation == "flag":
                session.set_flagged(report.id, 1 + n % 3, True, who)
                assert db.marks(report.id)[1 + n % 3].flagged
            elif operation == "actor":
                session.create_actor(f"{who} {n}", "person", affiliation=actors[n % len(actors)].id if actors else None)
            elif operation == "delete_actor" and actors:
                session.delete_actor(actors[n % len(actors)])
            elif operation == "link":
                claims = [a for a in annotations if a.claim]
                if len(claims) >= 2:
                    saved_link = session.link(claims[n % len(claims)], claims[(n + 1) % len(claims)], "corroborates")
                    assert saved_link.value.id in {x.id for x in db.links()}
            elif operation == "unlink" and db.links():
                session.unlink(db.links()[n % len(db.links())])
            elif operation == "undo":
                session.undo()
            elif operation == "redo":
                session.redo()
        except (ConflictError, IntegrityError, StaleUndo):
            # Refused: the document this analyst aimed at is exactly as it was.
            if target is not None and operation in ("edit", "grade", "delete"):
                after = db.annotation(report.id, target.id).to_dict() if _exists(db, report.id, target.id) else None
                assert after == before
        seen[who] = annotations if n % 3 else []  # sometimes act on what was read before (as a stale screen does)
    findings = doctor.check(root)
    assert [f.line() for f in findings if f.severity == doctor.PROBLEM] == []


def _exists(db: Database, report_id: str, annotation_id: str) -> bool:
    return any(a.id == annotation_id for a in db.annotations(report_id))


def test_undo_walks_back_step_by_step_through_its_own_undos(two) -> None:
    alice, _, report = two
    claim = alice.add_claim(report, 2, None, "first words").value
    graded = alice.grade(claim, Credibility("B", 2)).value
    alice.edit_claim(graded, "second words", "other", None, None, "")
    alice.undo()  # the edit
    alice.undo()  # the grade: its document was just rewritten by our own undo, and that is no conflict
    stored = alice.db.annotation(report.id, claim.id)
    assert (stored.claim.text, stored.credibility) == ("first words", None)
    alice.redo()
    alice.redo()
    stored = alice.db.annotation(report.id, claim.id)
    assert (stored.claim.text, stored.credibility) == ("second words", Credibility("B", 2))


def test_undoing_an_actor_someone_has_named_since_is_refused(two) -> None:
    alice, bob, report = two
    hamas = alice.create_actor("Hamas", "armed_group").value
    bob.add_claim(report, 1, None, "a claim", claimant=hamas.id)
    with pytest.raises(IntegrityError, match=r"cannot undo “added actor Hamas”: “Hamas” is named by 1 annotation \(1 claimant\)"):
        alice.undo()
    assert alice.db.actor(hamas.id).name == "Hamas"


def test_links_between_claims_across_reports_are_saved_undone_and_follow_a_deleted_claim(db, sample_paths) -> None:
    from store.model import Link

    session = Session(db)
    first, second = (db.add_report(path).report for path in sample_paths[:2])
    figure = session.add_claim(first, 1, None, "5,000 fighters crossed").value
    repeat = session.add_claim(second, 2, None, "about 5,000 fighters").value
    link = session.link(repeat, figure, "repeats", "same figure, another outlet").value
    assert isinstance(link, Link) and (link.from_claim, link.to_claim, link.relation) == (repeat.id, figure.id, "repeats")
    assert [x.id for x in db.links_of(figure.id)] == [x.id for x in db.links_of(repeat.id)] == [link.id]
    with pytest.raises(IntegrityError, match="already linked"):
        session.link(repeat, figure, "repeats")
    with pytest.raises(IntegrityError, match="not a relation"):
        session.link(repeat, figure, "supports")
    edited = session.edit_link(link, "corroborates", "").value
    assert (edited.relation, edited.rev) == ("corroborates", 2)
    session.delete_annotation(db.annotation(first.id, figure.id))  # the link goes with the claim, in one step
    assert db.links() == []
    session.undo()
    assert [(x.id, x.relation) for x in db.links()] == [(link.id, "corroborates")]
    assert db.annotation(first.id, figure.id).claim.text == "5,000 fighters crossed"


def test_undoing_a_claim_someone_has_linked_since_is_refused(two, sample_paths) -> None:
    alice, bob, report = two
    mine = alice.add_claim(report, 1, None, "mine").value
    theirs = bob.add_claim(report, 2, None, "theirs").value
    bob.link(theirs, bob.db.annotation(report.id, mine.id), "contradicts")
    with pytest.raises(IntegrityError, match="linked to 1 other claim"):
        alice.undo()
    assert alice.db.annotation(report.id, mine.id).claim.text == "mine"


def test_several_mentions_are_one_step_skip_what_is_tagged_and_undo_as_one(two) -> None:
    alice, _, report = two
    actor = alice.create_actor("Hamas", "armed_group").value
    first, second = _span(alice, report.id, 1, 0, 8), _span(alice, report.id, 2, 0, 5)
    alice.add_mention(report, 1, first, actor.id)
    saved = alice.add_mentions(report, [(1, first, actor.id), (2, second, actor.id), (2, second, actor.id)])
    assert [(a.paragraph, a.span.start, a.span.end) for a in saved.value] == [(2, 0, 5)]  # the tagged one and the repeat skipped
    assert saved.change.description == "added 1 actor mention"
    assert len(alice.db.annotations(report.id)) == 2
    alice.undo()
    assert [a.paragraph for a in alice.db.annotations(report.id)] == [1]
    with pytest.raises(IntegrityError, match="already tagged"):
        alice.add_mentions(report, [(1, first, actor.id)])


def test_deleting_a_mention_says_it_was_a_mention_not_the_actor(two) -> None:
    alice, _, report = two
    actor = alice.create_actor("Hamas", "armed_group").value
    mention = alice.add_mention(report, 1, _span(alice, report.id, 1, 0, 8), actor.id).value
    assert alice.delete_annotation(mention).change.description == "deleted actor mention"
    assert [a.name for a in alice.db.actors()] == ["Hamas"]
