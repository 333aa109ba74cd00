"""An actor's dossier: everything the database says about one actor, across every report, in report-date order.

Its claims as claimant and as reported-by, and its mentions (actor-mention
annotations), each with the report's date and the paragraph; counts of its
claims by grade, of the links those claims have by relation, and of each role.
Read report by report (one report's annotations in memory at a time), oldest
report first; undated reports come last.

Plain Python; the TUI's dossier screen shows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from store.errors import StoreError
from store.model import Actor, Report, credibility_code

ROLE_WORDS = {"claimant": "claimant", "reported_by": "reported by", "mention": "mention"}


@dataclass(frozen=True)
class Entry:
    """One place the actor is named."""

    report_id: str
    report_title: str
    report_date: str | None
    paragraph: int
    role: str  # "claimant" | "reported_by" | "mention"
    annotation_id: str
    text: str  # the claim's text, or the mention's quote
    grade: str  # "B2", "" for a mention or an ungraded claim
    claim_type: str = ""


@dataclass
class Dossier:
    actor: Actor
    entries: list[Entry] = field(default_factory=list)
    by_grade: Counter[str] = field(default_factory=Counter)  # its claims (as claimant or reported-by), each once
    by_relation: Counter[str] = field(default_factory=Counter)  # the links of those claims
    by_role: Counter[str] = field(default_factory=Counter)
    reports: int = 0  # how many reports name it
    problems: list[str] = field(default_factory=list)

    @property
    def claims(self) -> int:
        return sum(self.by_grade.values())


def _date_order(report: Report) -> tuple[bool, str, str]:
    return (report.date is None, report.date or "", report.title.casefold())


def build_dossier(db: Any, actor_id: str, progress: Callable[[int, int], None] | None = None) -> Dossier:
    """The dossier of `actor_id` (NotFound if there is no such actor)."""
    dossier = Dossier(db.actor(actor_id))
    reports = sorted(db.reports(), key=_date_order)
    claim_ids: set[str] = set()
    for done, report in enumerate(reports, start=1):
        try:
            docs = db.annotation_documents(report.id)
        except StoreError as error:
            dossier.problems.append(f"report {report.id}: {error}")
            continue
        found = []
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                continue
            number = doc["paragraph"] if isinstance(doc.get("paragraph"), int) else 0
            span = doc.get("span") if isinstance(doc.get("span"), dict) else None
            if doc.get("kind") == "actor" and doc.get("actor_id") == actor_id:
                quote = str(span.get("quote", "")) if span else "(whole paragraph)"
                found.append(Entry(report.id, report.title, report.date, number, "mention", doc["id"], quote, ""))
            claim = doc.get("claim")
            if doc.get("kind") == "claim" and isinstance(claim, dict):
                roles = [role for role in ("claimant", "reported_by") if claim.get(role) == actor_id]
                if roles:
                    grade = credibility_code(doc)
                    grade = "" if grade == "ungraded" else grade
                    dossier.by_grade[grade or "ungraded"] += 1
                    claim_ids.add(doc["id"])
                    for role in roles:
                        found.append(Entry(report.id, report.title, report.date, number, role, doc["id"],
                                           str(claim.get("text", "")), grade, str(claim.get("type", ""))))
        if found:
            dossier.reports += 1
            found.sort(key=lambda e: (e.paragraph, e.role != "claimant", e.annotation_id))
            dossier.entries += found
            dossier.by_role.update(e.role for e in found)
        if progress is not None:
            progress(done, len(reports))
    for link in db.links():
        if link.from_claim in claim_ids or link.to_claim in claim_ids:
            dossier.by_relation[link.relation] += 1
    return dossier


__all__ = ["ROLE_WORDS", "Dossier", "Entry", "build_dossier"]
