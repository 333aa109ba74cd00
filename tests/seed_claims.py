"""The seed dispatch with a claim on every sentence, for the claims-across-reports tests.

The seed is read from ../shared (tests that use this skip when it is absent);
nothing of its text is copied here: sentences are found by cutting its
paragraphs at full stops, and a test names a claim by its paragraph and a few
words it contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from store.db import Database
from store.model import Annotation, NewActor, Report, Span
from store.session import Session

SENTENCE = re.compile(r"[^.!?]+(?:[.!?](?:\[\d+\])?|$)")


@dataclass
class SeedClaims:
    db: Database
    session: Session
    report: Report
    claims: list[Annotation] = field(default_factory=list)

    def claim(self, paragraph: int, words: str) -> Annotation:
        """The claim of paragraph `paragraph` whose text holds `words` (exactly one)."""
        found = [c for c in self.claims if c.paragraph == paragraph and c.claim and words in c.claim.text]
        assert len(found) == 1, f"{len(found)} claims of ¶{paragraph} hold {words!r}"
        return found[0]

    def attribute(self, claim: Annotation, reported_by: str | None = None, claimant: str | None = None) -> Annotation:
        """Give a claim its outlet and speaker (actors created by name when new)."""
        actors = {a.name: a.id for a in self.db.actors()}

        def choice(name: str | None):  # type: ignore[no-untyped-def]
            if name is None:
                return None
            return actors.get(name) or NewActor(name, "media" if reported_by == name else "other")

        assert claim.claim is not None
        saved = self.session.edit_claim(claim, claim.claim.text, claim.claim.type, choice(claimant), choice(reported_by), claim.note)
        self.claims = [saved.value if c.id == claim.id else c for c in self.claims]
        return saved.value


def seed_with_claims(root: Path, seed_path: Path, reviewer: str = "tester") -> SeedClaims:
    db = Database(root, reviewer=reviewer)
    report = db.add_report(seed_path).report
    session = Session(db)
    found = SeedClaims(db, session, report)
    for paragraph in db.open_report(report.id).paragraphs:
        for match in SENTENCE.finditer(paragraph.text):
            start, end = match.start(), match.end()
            while start < end and paragraph.text[start].isspace():
                start += 1
            if end - start >= 20:
                span = Span.of(paragraph.text, start, end)
                found.claims.append(session.add_claim(report, paragraph.number, span, span.quote).value)
    return found
