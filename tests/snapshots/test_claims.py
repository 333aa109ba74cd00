"""What the claims screen, the link picker and an actor's dossier look like, at 80×24 and 120×40.

The database is the project's text samples with claims made by the session on the
harbour dispatch and the field notes (actors, grades, types, two links), at the
relative path `db` inside tmp_path, as the other snapshot tests do.
Update with `pytest tests/snapshots --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from store.db import Database
from store.model import Credibility, NewActor, Span
from store.session import Session
from tests.conftest import SAMPLES
from tui.app import ClaimdeskApp, make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def claim_on(session: Session, report, number: int, words: str, claim_type: str, claimant=None, reported_by=None,
             grade: str | None = None):
    text = session.db.open_report(report.id).paragraphs[number - 1].text
    start = text.index(words)
    span = Span.of(text, start, start + len(words))
    return session.add_claim(report, number, span, words, claim_type, claimant, reported_by,
                             credibility=Credibility.parse(grade) if grade else None).value


@pytest.fixture
def claims_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(tmp_path)
    db = Database(Path("db"), reviewer="tester")
    reports = {path.stem: db.add_report(path).report for path in sorted(SAMPLES.iterdir()) if path.suffix in (".txt", ".md")}
    harbour, review = reports["dispatch_harbour_drones"], reports["militia_statements_review"]
    session = Session(db)
    front = session.create_actor("Coastal Resistance Front", "armed_group").value
    struck = claim_on(session, harbour, 1, "had struck fuel depots at the port of Ras Kathib", "event", front.id,
                      NewActor("Telegram channel of the Front", "media"), "C3")
    normal = claim_on(session, harbour, 1, "operations are continuing normally and no installation was hit", "statement",
                      NewActor("port official", "person"), NewActor("SABA", "media"), "B2")
    claim_on(session, harbour, 2, "dozens of long-range drones, manufactured locally", "capability", front.id,
             NewActor("Al-Manar", "media"), "D4")
    saadi = NewActor("Hadi Al-Saadi", "person")
    reached = claim_on(session, review, 2, "3,000 fighters have reached the border crossing at Al-Qaim", "figure", saadi,
                       NewActor("Northern Shield Brigades channel", "media"), "D3")
    empty = claim_on(session, review, 4, "no unusual movement", "event", None, NewActor("Border Watch", "media"), "B2")
    repeated = claim_on(session, review, 2, "The claim was repeated within hours", "statement", None,
                        NewActor("Sabereen News", "media"))
    session.link(normal, struck, "contradicts", "the port denies it")  # one paragraph: not independent
    session.link(empty, reached, "contradicts", "photographs of an empty assembly area")
    session.link(repeated, reached, "repeats")
    return db


async def settle(pilot: Pilot) -> None:
    """Wait until the claims are read: a worker may start a frame after the key that asks for it."""
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            if "reading reports" not in " ".join(str(s.render()) for s in pilot.app.screen.query("Static")):
                return


def keys_then_settle(*keys: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def library_app(db: Database) -> ClaimdeskApp:
    return make_app(db)


class TestClaimsSnapshots:
    @pytest.mark.parametrize("size", SIZES)
    def test_the_ledger(self, snap_compare, claims_db, size) -> None:
        """`C`: every claim, newest report first; the first claim's detail, its grade beside what its links suggest."""
        assert snap_compare(library_app(claims_db), terminal_size=size, run_before=keys_then_settle("C"))

    @pytest.mark.parametrize("size", SIZES)
    def test_filtered_and_sorted(self, snap_compare, claims_db, size) -> None:
        """A filter (linked claims) and the reading order reversed (S): the cursor stays on the claim it was on."""
        keys = ("C", "slash", *"is:linked", "enter", "S")
        assert snap_compare(library_app(claims_db), terminal_size=size, run_before=keys_then_settle(*keys))

    @pytest.mark.parametrize("size", SIZES)
    def test_the_link_picker(self, snap_compare, claims_db, size) -> None:
        """`L` on the first claim: candidates from every report, best first, the relation, the note."""
        assert snap_compare(library_app(claims_db), terminal_size=size, run_before=keys_then_settle("C", "L"))

    def test_a_dossier(self, snap_compare, claims_db) -> None:
        """`o` on Hadi Al-Saadi in the actors screen (the fourth actor by name): his claim, its grade, its links."""
        keys = ("A", "down", "down", "down", "o")
        assert snap_compare(library_app(claims_db), terminal_size=(120, 40), run_before=keys_then_settle(*keys))
