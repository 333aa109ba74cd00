"""A small team's work on the harbour dispatch, for the agreement and adjudication tests and snapshots.

alice and bob annotate the sample dispatch (`sample_reports/dispatch_harbour_drones.txt`): some places
alike, some graded or typed differently, some only one of them tagged; chen annotates a little. Written
through sessions, as the analysts would. Deterministic: the same database every run (but for times and ids).
"""

from __future__ import annotations

from pathlib import Path

from store.db import Database
from store.model import Credibility, Report, Span
from store.session import Session
from tests.conftest import SAMPLES

DISPATCH = SAMPLES / "dispatch_harbour_drones.txt"
REVIEW = SAMPLES / "militia_statements_review.md"


def span(db: Database, report: Report, paragraph: int, quote: str) -> Span:
    text = db.open_report(report.id).paragraphs[paragraph - 1].text
    start = text.index(quote)
    return Span.of(text, start, start + len(quote))


def team_db(root: Path, chen: bool = False) -> tuple[Database, Report]:
    """The database at `root` with the two samples; alice and bob (and chen) annotated the dispatch."""
    db = Database(root, reviewer="tester")
    report = db.add_report(DISPATCH).report
    db.add_report(REVIEW)
    alice, bob = (Session(Database(root, reviewer=name)) for name in ("alice", "bob"))
    front = alice.create_actor("Coastal Resistance Front", "armed_group").value
    saba = alice.create_actor("SABA", "media").value
    manar = alice.create_actor("Al-Manar", "media").value
    struck = span(db, report, 1, "its “aerial unit” had struck fuel depots at the port of Ras Kathib with four drones")
    normal = span(db, report, 1, "operations are continuing normally and no installation was hit")
    warning = span(db, report, 2, "the strikes were “a first warning”")
    drones = span(db, report, 2, "possesses “dozens of long-range drones, manufactured locally.”")
    # ¶1: the strike claim: alike but for the grade; the denial: the same everywhere.
    alice.add_claim(report, 1, struck, "Drones struck fuel depots at Ras Kathib", "event", front.id, None,
                    credibility=Credibility("C", 3))
    bob.add_claim(report, 1, struck, "Four drones hit the Ras Kathib fuel depots", "event", front.id, None,
                  credibility=Credibility("D", 4))
    alice.add_claim(report, 1, normal, "No installation was hit", "statement", None, saba.id, credibility=Credibility("B", 3))
    bob.add_claim(report, 1, normal, "Port operating normally", "statement", None, saba.id, credibility=Credibility("B", 3))
    alice.add_mention(report, 1, span(db, report, 1, "Coastal Resistance Front"), front.id)
    bob.add_mention(report, 1, span(db, report, 1, "Coastal Resistance Front"), front.id)
    # ¶2: a threat typed differently; a capability only bob saw; the channel only alice tagged.
    alice.add_claim(report, 2, warning, "The strikes were a first warning", "intent", front.id, manar.id,
                    credibility=Credibility("B", 2))
    bob.add_claim(report, 2, warning, "Strikes a first warning", "statement", front.id, manar.id, credibility=Credibility("B", 2))
    bob.add_claim(report, 2, drones, "The group has dozens of local long-range drones", "capability", front.id, manar.id,
                  credibility=Credibility("C", 4))
    alice.add_mention(report, 2, span(db, report, 2, "Al-Manar"), manar.id)
    if chen:
        other = Session(Database(root, reviewer="chen"))
        other.add_claim(report, 1, struck, "Fuel depots struck", "event", front.id, None, credibility=Credibility("C", 3))
    return Database(root, reviewer="carol"), report
