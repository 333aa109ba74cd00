"""Adjudication in the store: cases, decisions on disk with provenance, undo, conflicts, progress; assignment.

Each decision is read back through a fresh Database (as another process would), so what is asserted is
what is on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import adjudication, doctor
from store.adjudication import ACCEPTED, CHANGED, EDITED, OPEN, REJECTED, TOOK, Case, load
from store.db import Database
from store.errors import ConflictError, IntegrityError
from store.model import Annotation, Credibility, Kind, NewActor, Report, Span
from store.session import Session

FIRST = "The Euphrates Defence Units denied the account. Furat Post reported that two houses were searched."
SECOND = "Sayyid Al-Shuhada Brigades said the convoy was hit near the crossing at dawn."


def write_report(folder: Path, *paragraphs: str, name: str = "report.txt") -> Path:
    path = folder / name
    path.write_text("Test report\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def team(db, tmp_path):
    """alice and bob annotate one report; carol adjudicates. Each has a session of their own."""
    report = db.add_report(write_report(tmp_path, FIRST, SECOND)).report
    sessions = {name: Session(Database(db.root, reviewer=name)) for name in ("alice", "bob", "carol")}
    return sessions, report


def span(report: Report, db: Database, paragraph: int, quote: str) -> Span:
    text = db.open_report(report.id).paragraphs[paragraph - 1].text
    start = text.index(quote)
    return Span.of(text, start, start + len(quote))


def annotate_both(team) -> dict[str, Annotation]:
    """One agreed claim, one claim graded differently, one actor mention only alice made."""
    sessions, report = team
    alice, bob = sessions["alice"], sessions["bob"]
    db = alice.db
    made = {}
    denied = span(report, db, 1, "The Euphrates Defence Units denied the account")
    searched = span(report, db, 1, "two houses were searched")
    made["alice_agreed"] = alice.add_claim(report, 1, denied, "Units denied", "statement", credibility=Credibility("B", 2)).value
    made["bob_agreed"] = bob.add_claim(report, 1, denied, "They denied it", "statement", credibility=Credibility("B", 2)).value
    made["alice_differs"] = alice.add_claim(report, 1, searched, "Houses searched", "event", credibility=Credibility("B", 2)).value
    made["bob_differs"] = bob.add_claim(report, 1, searched, "Two houses searched", "event", credibility=Credibility("C", 3)).value
    actor = alice.create_actor("Sayyid Al-Shuhada Brigades", "armed_group").value
    made["alice_only"] = alice.add_mention(report, 2, span(report, db, 2, "Sayyid Al-Shuhada Brigades"), actor.id).value
    return made


def stored_layer(root: Path, report_id: str) -> list[Annotation]:
    return [a for a in Database(root, reviewer="reader").annotations(report_id) if a.reviewer == "adjudicated"]


def stored_decisions(root: Path, report_id: str) -> list[dict]:
    return Database(root, reviewer="reader").decision_documents(report_id)


def case_of(session: Session, report: Report, source_id: str) -> Case:
    found = load(session.db, report.id)
    return next(c for c in found.cases if any(a.id == source_id for a in c.sources))


# ------------------------------------------------------------------- cases


def test_cases_list_agreed_and_differing_places_in_reading_order(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    found = load(sessions["carol"].db, report.id)
    assert found.reviewers == ("alice", "bob")
    assert [(c.paragraph, c.status, c.agreed) for c in found.cases] == [(1, OPEN, True), (1, OPEN, False), (2, OPEN, False)]
    agreed, differs, only = found.cases
    assert {a.id for a in agreed.sources} == {made["alice_agreed"].id, made["bob_agreed"].id}
    assert differs.differences == ("reliability", "credibility")
    assert only.missing == ("bob",) and only.kind is Kind.ACTOR
    progress = found.progress()
    assert (progress.places, progress.agreed, progress.decided, progress.open) == (3, 1, 0, 3)


def test_pre_accepting_writes_each_agreed_place_with_provenance(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    found = load(carol.db, report.id)
    saved = carol.accept_agreed(found.waiting_agreed())
    assert saved.change.description == "pre-accepted 1 agreed annotation"
    [layer] = stored_layer(carol.db.root, report.id)
    assert layer.reviewer == "adjudicated" and layer.updated_by == "carol"
    assert (layer.span, layer.claim.type, layer.credibility) == (made["alice_agreed"].span, "statement", Credibility("B", 2))
    assert layer.claim.text == "Units denied"  # the first reviewer's words: free text is not compared
    provenance = layer.provenance
    assert provenance["decision"] == ACCEPTED and provenance["based_on"] == "alice"
    assert provenance["adjudicated_by"] == "carol" and provenance["adjudicated_at"]
    assert sorted((s["reviewer"], s["id"]) for s in provenance["sources"]) == [
        ("alice", made["alice_agreed"].id), ("bob", made["bob_agreed"].id)]
    [decision] = stored_decisions(carol.db.root, report.id)
    assert decision["decision"] == ACCEPTED and decision["annotation"] == layer.id
    assert (carol.db.root / "reports" / report.id / "decisions-0001.json").is_file()
    assert load(carol.db, report.id).waiting_agreed() == []
    with pytest.raises(IntegrityError, match="no agreed place"):
        carol.accept_agreed(load(carol.db, report.id).cases)


def test_taking_one_reviewers_version(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    case = case_of(carol, report, made["bob_differs"].id)
    carol.adjudicate(case, case.by_reviewer()["bob"])
    [layer] = stored_layer(carol.db.root, report.id)
    assert (layer.claim.text, layer.credibility) == ("Two houses searched", Credibility("C", 3))
    assert layer.provenance["decision"] == TOOK and layer.provenance["based_on"] == "bob"
    assert {s["id"] for s in layer.provenance["sources"]} == {made["alice_differs"].id, made["bob_differs"].id}
    assert case_of(carol, report, made["bob_differs"].id).status == TOOK
    # Deciding again changes the same adjudicated annotation (one per place), now alice's version.
    case = case_of(carol, report, made["bob_differs"].id)
    carol.adjudicate(case, case.by_reviewer()["alice"])
    [again] = stored_layer(carol.db.root, report.id)
    assert again.id == layer.id and again.credibility == Credibility("B", 2) and again.provenance["based_on"] == "alice"
    assert len(stored_decisions(carol.db.root, report.id)) == 1


def test_editing_into_a_new_version(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    case = case_of(carol, report, made["bob_differs"].id)
    carol.adjudicate_edit(case, case.by_reviewer()["alice"], text="Two houses were searched", claim_type="event",
                          claimant=NewActor("Furat Post", "media"), credibility=Credibility("B", 3))
    [layer] = stored_layer(carol.db.root, report.id)
    assert layer.claim.text == "Two houses were searched" and layer.credibility == Credibility("B", 3)
    assert carol.db.actor(layer.claim.claimant).name == "Furat Post"
    assert layer.span == made["alice_differs"].span
    assert layer.provenance["decision"] == EDITED and layer.provenance["based_on"] == "alice"
    # A later change to the layer's own version stays based on alice's.
    carol.adjudicate_edit(case_of(carol, report, made["bob_differs"].id), layer, credibility=Credibility("A", 1))
    [regraded] = stored_layer(carol.db.root, report.id)
    assert regraded.credibility == Credibility("A", 1) and regraded.provenance["based_on"] == "alice"
    assert regraded.claim.text == "Two houses were searched"


def test_an_actor_mention_is_edited_by_its_actor(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    case = case_of(carol, report, made["alice_only"].id)
    carol.adjudicate_edit(case, made["alice_only"], actor=NewActor("Kataib Sayyid al-Shuhada", "armed_group"))
    [layer] = stored_layer(carol.db.root, report.id)
    assert layer.kind is Kind.ACTOR and carol.db.actor(layer.actor_id).name == "Kataib Sayyid al-Shuhada"


def test_rejecting_records_the_decision_and_leaves_no_annotation(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    case = case_of(carol, report, made["alice_only"].id)
    carol.adjudicate(case, made["alice_only"])
    assert len(stored_layer(carol.db.root, report.id)) == 1
    carol.reject(case_of(carol, report, made["alice_only"].id))
    assert stored_layer(carol.db.root, report.id) == []
    [decision] = stored_decisions(carol.db.root, report.id)
    assert decision["decision"] == REJECTED and decision["annotation"] is None
    assert decision["adjudicated_by"] == "carol"
    assert [s["id"] for s in decision["sources"]] == [made["alice_only"].id]
    progress = load(Database(carol.db.root), report.id).progress()
    assert (progress.rejected, progress.decided, progress.open) == (1, 1, 2)


def test_undo_and_redo_take_back_a_decision_whole(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    case = case_of(carol, report, made["bob_differs"].id)
    carol.adjudicate(case, case.by_reviewer()["bob"])
    carol.reject(case_of(carol, report, made["bob_differs"].id))
    carol.undo()  # the rejection: bob's version is back
    [layer] = stored_layer(carol.db.root, report.id)
    assert layer.provenance["based_on"] == "bob"
    assert [d["decision"] for d in stored_decisions(carol.db.root, report.id)] == [TOOK]
    carol.undo()  # the take: nothing decided
    assert stored_layer(carol.db.root, report.id) == [] and stored_decisions(carol.db.root, report.id) == []
    carol.redo()
    assert [d["decision"] for d in stored_decisions(carol.db.root, report.id)] == [TOOK]
    assert len(stored_layer(carol.db.root, report.id)) == 1


def test_a_source_changed_since_it_was_read_is_a_conflict(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol, bob = sessions["carol"], sessions["bob"]
    case = case_of(carol, report, made["bob_differs"].id)
    bob.grade(made["bob_differs"], Credibility("A", 1))
    with pytest.raises(ConflictError, match="bob changed an annotation here since you opened the adjudication") as refused:
        carol.adjudicate(case, case.by_reviewer()["bob"])
    assert stored_layer(carol.db.root, report.id) == []
    carol.keep_mine(refused.value)  # decide on what was seen
    [layer] = stored_layer(carol.db.root, report.id)
    assert layer.credibility == Credibility("C", 3)
    assert case_of(carol, report, made["bob_differs"].id).status == CHANGED  # bob's is not what it was decided from


def test_two_adjudicators_deciding_one_place_is_a_conflict(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    dave = Session(Database(carol.db.root, reviewer="dave"))
    seen_by_carol = case_of(carol, report, made["alice_only"].id)
    seen_by_dave = case_of(dave, report, made["alice_only"].id)
    carol.adjudicate(seen_by_carol, made["alice_only"])
    with pytest.raises(ConflictError, match="adjudication decision was changed by carol"):
        dave.reject(seen_by_dave)
    assert len(stored_layer(carol.db.root, report.id)) == 1
    assert [d["decision"] for d in stored_decisions(carol.db.root, report.id)] == [TOOK]


def test_a_decision_changed_under_it_asks_again_and_a_lone_layer_annotation_is_listed(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol, alice = sessions["carol"], sessions["alice"]
    carol.adjudicate(case_of(carol, report, made["alice_only"].id), made["alice_only"])
    alice.delete_annotation(alice.db.annotation(report.id, made["alice_only"].id))
    found = load(carol.db, report.id)
    [lone] = [c for c in found.cases if not c.sources]
    assert lone.adjudicated is not None and lone.status == CHANGED and lone.paragraph == 2
    assert found.progress().places == 2  # a lone layer annotation is not a place to decide
    carol.reject(lone)
    assert stored_layer(carol.db.root, report.id) == []


def test_the_pair_compared_can_be_chosen(team) -> None:
    annotate_both(team)
    sessions, report = team
    found = load(sessions["carol"].db, report.id, reviewers=["alice"])
    assert found.reviewers == ("alice",) and all(c.agreed for c in found.cases)
    assert adjudication.progress(sessions["carol"].db, report, ["alice"]) is None  # one reviewer: nothing to adjudicate


def test_the_adjudicated_layer_stays_out_of_agreement_and_the_doctor_accepts_decisions(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    carol.accept_agreed(load(carol.db, report.id).waiting_agreed())
    carol.reject(case_of(carol, report, made["alice_only"].id))
    assert load(carol.db, report.id).reviewers == ("alice", "bob")
    assert [f.line() for f in doctor.check(carol.db.root) if f.severity == "problem"] == []


def test_a_damaged_decision_is_a_one_line_error(team) -> None:
    made = annotate_both(team)
    sessions, report = team
    carol = sessions["carol"]
    carol.reject(case_of(carol, report, made["alice_only"].id))
    path = carol.db.root / "reports" / report.id / "decisions-0001.json"
    tables = json.loads(path.read_text())
    next(iter(tables["decisions"].values()))["decision"] = "maybe"
    path.write_text(json.dumps(tables))
    with pytest.raises(Exception, match="an adjudication decision cannot be read") as failed:
        load(Database(carol.db.root), report.id)
    assert "\n" not in str(failed.value)


# -------------------------------------------------------------- assignment


def test_assignees_are_kept_in_the_library_and_survive_a_new_revision(team, tmp_path) -> None:
    sessions, report = team
    carol = sessions["carol"]
    carol.assign([report], ["alice", "bob", "alice"])
    assert Database(carol.db.root).report(report.id).assignees == ("alice", "bob")
    Database(carol.db.root).add_report(write_report(tmp_path, FIRST, SECOND, "A new paragraph."))
    again = Database(carol.db.root).report(report.id)
    assert again.assignees == ("alice", "bob") and len(again.revisions) == 2
    carol.assign([report], ["alice"], unassign=True)
    assert Database(carol.db.root).report(report.id).assignees == ("bob",)
    carol.undo()
    assert Database(carol.db.root).report(report.id).assignees == ("alice", "bob")
    carol.assign([report], [], unassign=True)
    assert Database(carol.db.root).report(report.id).assignees == ()
    library = json.loads((carol.db.root / "library.json").read_text())
    assert "assignees" not in next(iter(library["reports"].values()))
    with pytest.raises(IntegrityError, match="assign to whom"):
        carol.assign([report], [" "])
