"""Adjudicating by keyboard: each choice ends with the right record on disk, with provenance, and undo takes it back.

The team's work is tests/team.py: on the harbour dispatch alice and bob agree on two places (pre-accepted
when the view opens) and differ on four. In reading order the cases are:

    0 ¶1 actor  "Coastal Resistance Front"   agreed
    1 ¶1 claim  the drone strike             grades differ (alice C3, bob D4)   ← the cursor starts here
    2 ¶1 claim  the port official's denial   agreed
    3 ¶2 actor  "Al-Manar"                   only alice
    4 ¶2 claim  "a first warning"            types differ (alice intent, bob statement)
    5 ¶2 claim  "dozens of … drones"         only bob

What is asserted is read back from disk through a fresh Database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.geometry import Region

from store.db import Database
from store.model import Credibility
from store.session import Session
from tests.pilot.test_annotate import sync, type_text
from tests.pilot.toasts import toasts
from tests.team import team_db
from tui.app import make_app
from tui.dialogs.claim_form import ClaimForm
from tui.dialogs.conflict import ConflictDialog
from tui.screens.adjudication import AdjudicationScreen
from tui.screens.agreement import AgreementScreen

SIZE = (100, 32)


def layer(root: Path, report_id: str) -> list[Any]:
    return [a for a in Database(root, reviewer="reader").annotations(report_id) if a.reviewer == "adjudicated"]


def decisions(root: Path, report_id: str) -> list[dict]:
    return sorted(Database(root, reviewer="reader").decision_documents(report_id), key=lambda d: d["paragraph"])


def drawn(widget: Any) -> str:
    """What a widget draws, line by line."""
    return "\n".join(line.text for line in widget.render_lines(Region(0, 0, *widget.size)))


def claim_texts(root: Path, report_id: str) -> set[str]:
    return {a.claim.text for a in layer(root, report_id) if a.claim}


async def opened(pilot: Any, report_id: str, reviewers: tuple[str, ...] | None = None) -> AdjudicationScreen:
    await pilot.pause()
    pilot.app.open_adjudication(report_id, reviewers)
    await pilot.pause()
    await pilot.pause()
    assert isinstance(pilot.app.screen, AdjudicationScreen)
    return pilot.app.screen


@sync
async def test_opening_pre_accepts_what_everyone_agreed_on(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot, report.id)
        assert "Pre-accepted 2 agreed annotations" in toasts(app)
        assert claim_texts(db.root, report.id) == {"No installation was hit"}  # alice's words: the first reviewer
        assert [d["decision"] for d in decisions(db.root, report.id)] == ["accepted", "accepted"]
        for annotation in layer(db.root, report.id):
            assert annotation.provenance["decision"] == "accepted" and annotation.provenance["adjudicated_by"] == "carol"
            assert sorted(s["reviewer"] for s in annotation.provenance["sources"]) == ["alice", "bob"]
        await pilot.press("u")
        await pilot.pause()
        assert layer(db.root, report.id) == [] and decisions(db.root, report.id) == []


@sync
async def test_taking_each_reviewers_version(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(Session(Database(db.root, reviewer="carol")))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot, report.id)
        await pilot.press("2")  # the strike: bob's D4; the cursor goes on to the next open place (¶2 Al-Manar)
        await pilot.press("1")  # Al-Manar: alice's mention
        await pilot.pause()
        strike = next(a for a in layer(db.root, report.id) if a.claim and a.claim.type == "event")
        assert strike.credibility == Credibility("D", 4) and strike.claim.text == "Four drones hit the Ras Kathib fuel depots"
        assert strike.provenance["decision"] == "took" and strike.provenance["based_on"] == "bob"
        assert strike.provenance["adjudicated_by"] == "carol" and strike.updated_by == "carol"
        assert sorted(s["reviewer"] for s in strike.provenance["sources"]) == ["alice", "bob"]
        [mention] = [a for a in layer(db.root, report.id) if a.paragraph == 2 and a.actor_id]
        assert mention.provenance["based_on"] == "alice" and [s["reviewer"] for s in mention.provenance["sources"]] == ["alice"]
        assert [d["decision"] for d in decisions(db.root, report.id)].count("took") == 2
        assert "2 open" in str(app.screen.query_one("#adjudication-status").render())


@sync
async def test_a_reviewer_with_nothing_there_cannot_be_taken(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(Session(Database(db.root, reviewer="carol")))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot, report.id)
        await pilot.press("n")  # ¶2 Al-Manar: only alice tagged it
        await pilot.press("2")
        await pilot.pause()
        assert "bob has nothing here" in toasts(app)
        assert len(layer(db.root, report.id)) == 2  # the pre-accepted ones only


@sync
async def test_rejecting_then_undo_and_redo(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(Session(Database(db.root, reviewer="carol")))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot, report.id)
        await pilot.press("x")  # the strike: nothing of it goes into the layer
        await pilot.pause()
        rejected = [d for d in decisions(db.root, report.id) if d["decision"] == "rejected"]
        assert len(rejected) == 1 and rejected[0]["annotation"] is None and rejected[0]["adjudicated_by"] == "carol"
        assert sorted(s["reviewer"] for s in rejected[0]["sources"]) == ["alice", "bob"]
        assert not any(a.claim and a.claim.type == "event" for a in layer(db.root, report.id))
        await pilot.press("u")
        await pilot.pause()
        assert [d["decision"] for d in decisions(db.root, report.id)] == ["accepted", "accepted"]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert sorted(d["decision"] for d in decisions(db.root, report.id)) == ["accepted", "accepted", "rejected"]


@sync
async def test_editing_into_a_new_version_and_grading_it(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(Session(Database(db.root, reviewer="carol")))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot, report.id)
        await pilot.press("n", "n")  # ¶2 "a first warning": types differ
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("ctrl+u")
        await type_text(pilot, "A warning of more strikes")
        await pilot.press("ctrl+s")
        await pilot.pause()
        [edited] = [a for a in layer(db.root, report.id) if a.paragraph == 2]
        assert edited.claim.text == "A warning of more strikes" and edited.claim.type == "intent"  # alice's type kept
        assert edited.provenance["decision"] == "edited" and edited.provenance["based_on"] == "alice"
        assert edited.credibility == Credibility("B", 2)
        await pilot.press("r", "a", "1")  # a new grade for the adjudicated version
        await pilot.pause()
        [graded] = [a for a in layer(db.root, report.id) if a.paragraph == 2]
        assert graded.id == edited.id and graded.credibility == Credibility("A", 1)
        assert graded.claim.text == "A warning of more strikes" and graded.provenance["decision"] == "edited"
        await pilot.press("u")
        await pilot.pause()
        [back] = [a for a in layer(db.root, report.id) if a.paragraph == 2]
        assert back.credibility == Credibility("B", 2)


@sync
async def test_a_reviewer_changing_their_annotation_meanwhile_is_a_conflict(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(Session(Database(db.root, reviewer="carol")))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot, report.id)
        bob = Session(Database(db.root, reviewer="bob"))
        [strike] = [a for a in bob.db.annotations(report.id) if a.reviewer == "bob" and a.claim and a.claim.type == "event"]
        bob.grade(strike, Credibility("E", 5))
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert not any(a.claim and a.claim.type == "event" for a in layer(db.root, report.id))
        await pilot.press("t")  # take theirs: read again, nothing written
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        await pilot.press("2")  # bob's version as it is now
        await pilot.pause()
        [taken] = [a for a in layer(db.root, report.id) if a.claim and a.claim.type == "event"]
        assert taken.credibility == Credibility("E", 5)


@sync
async def test_enter_on_a_pair_in_the_agreement_screen_adjudicates_that_pair(tmp_path) -> None:
    db, report = team_db(tmp_path / "db", chen=True)
    app = make_app(Session(Database(db.root, reviewer="carol")))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.show_agreement()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)
        assert "alice · chen" in drawn(app.screen.query_one("#agreement-list"))
        await pilot.press("down", "enter")  # the first pair: alice and bob
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        assert "Pre-accepted 2 agreed annotations" in toasts(app)  # between alice and bob: chen is not compared
        assert all(sorted(s["reviewer"] for s in a.provenance["sources"]) == ["alice", "bob"] for a in layer(db.root, report.id))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)


def test_every_binding_has_a_description_and_an_id_the_config_file_accepts() -> None:
    from tui.widgets.line_list import LineList

    for owner in (AdjudicationScreen, AgreementScreen, LineList):
        for binding in owner.BINDINGS:
            assert binding.description and binding.id, (owner.__name__, binding)
            assert all(c.islower() or c in "._" for c in binding.id), binding.id


@sync
async def test_a_remapped_take_key_shows_in_the_column_heading(tmp_path) -> None:
    db, report = team_db(tmp_path / "db")
    app = make_app(Session(Database(db.root, reviewer="carol")), keymap={"adjudicate.take_second": "b"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await opened(pilot, report.id)
        assert "b  bob" in drawn(screen.query_one("#adjudication-detail"))
        await pilot.press("b")
        await pilot.pause()
        [strike] = [a for a in layer(db.root, report.id) if a.claim and a.claim.type == "event"]
        assert strike.provenance["based_on"] == "bob"
