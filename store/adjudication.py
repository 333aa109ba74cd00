"""Adjudication: settling what reviewers annotated differently into one agreed layer, with provenance.

Plain Python (no Textual): the adjudication screen, `claimdesk stats` and the tests read the same
objects. docs/adjudication.md says the same at length.

A *case* is one place of one paragraph where reviewers' annotations were matched to each other: a
`Group` of `store.agreement.compare_report` (the matching rule of docs/agreement.md), at most one
annotation per reviewer. It is *agreed* when every compared reviewer has the same span, kind, actor,
type and grade there; otherwise it says who is missing and what differs.

Deciding a case (the session's `adjudicate`, `adjudicate_edit`, `reject`, `accept_agreed`) writes, in
one step that undo takes back whole:

* a **decision** — `reports/<id>/decisions-NNNN.json`, kept by paragraph range like the marks — which
  says how the case was settled (`accepted`: everyone agreed and that version was taken; `took`: one
  reviewer's version was taken; `edited`: a new version was made; `rejected`: nothing goes into the
  layer), from which annotations (their ids, reviewers and versions), whose version it is based on,
  who decided and when;
* unless it is a rejection, the **adjudicated annotation**: an annotation like any other, by the
  reviewer `adjudicated`, whose `provenance` carries the same facts, so that it tells its story
  wherever it goes (an export, another database).

Why a decision as well as the annotation: a rejection leaves no annotation, yet it is a decision that
must be kept (it counts towards progress and must not be asked again); and it is the one document
two adjudicators deciding the same case at once both write, in a file chosen by the paragraph, so the
second is refused as a conflict (`Database.commit`'s version check) rather than adding a second
adjudicated annotation. Its id is `<paragraph>-<key>`, the key a digest of the source annotations'
ids when the case was first decided (the adjudicated annotation's id is the same key), so the id says
which shard holds it and both adjudicators compute the same one.

A decision belongs to the case that holds any of its source annotations (the first in reading order,
if the matching has since split them). It is *changed* when the case's annotations are no longer
exactly those it was made from (one was edited — its version moved on — deleted, or another
reviewer's joined): the case shows it and asks again. Adjudicated annotations no case holds any more
(their sources were deleted) are listed as cases of their own, with no sources, so they can be
rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from store.agreement import ADJUDICATED, KINDS, Group, compare_report, reviewer_name
from store.errors import StoreError
from store.model import Annotation, Kind, Report

ACCEPTED, TOOK, EDITED, REJECTED = "accepted", "took", "edited", "rejected"
DECISIONS = (ACCEPTED, TOOK, EDITED, REJECTED)
OPEN, CHANGED = "open", "changed"  # a case's status when it has no decision, or one that no longer fits


def case_key(source_ids: Iterable[str]) -> str:
    """The key of a case first decided from these annotations (32 hex digits, like an annotation id)."""
    return hashlib.sha256("\n".join(sorted(source_ids)).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Source:
    """One reviewer's annotation a decision was made from, at the version (`rev`) it had then."""

    id: str
    reviewer: str
    rev: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reviewer": self.reviewer, "rev": self.rev}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(str(data["id"]), str(data.get("reviewer") or ""), int(data.get("rev", 0)))


@dataclass(frozen=True)
class Decision:
    """How one case was settled (the ledger of the adjudicated layer; see the module docstring)."""

    id: str  # "<paragraph>-<key>"
    report_id: str
    revision: str
    paragraph: int
    kind: Kind
    decision: str  # one of DECISIONS
    sources: tuple[Source, ...]
    annotation: str | None  # the adjudicated annotation's id; None for a rejection
    based_on: str | None = None  # whose version was taken or edited (None: rejected, or built from the layer's own)
    adjudicated_by: str = ""
    adjudicated_at: str = ""
    updated_by: str = ""
    updated_at: str = ""
    rev: int = 0

    @property
    def key(self) -> str:
        return self.id.split("-", 1)[1] if "-" in self.id else self.id

    def provenance(self) -> dict[str, Any]:
        """What the adjudicated annotation carries: the decision, its sources (ids and reviewers), who and when."""
        return {
            "decision": self.decision,
            "based_on": self.based_on,
            "sources": [{"id": s.id, "reviewer": s.reviewer} for s in self.sources],
            "adjudicated_by": self.adjudicated_by,
            "adjudicated_at": self.adjudicated_at,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "report_id": self.report_id, "revision": self.revision, "paragraph": self.paragraph,
            "kind": self.kind.value, "decision": self.decision, "sources": [s.to_dict() for s in self.sources],
            "annotation": self.annotation, "based_on": self.based_on,
            "adjudicated_by": self.adjudicated_by, "adjudicated_at": self.adjudicated_at,
            "updated_by": self.updated_by, "updated_at": self.updated_at, "rev": self.rev,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        decision = str(data["decision"])
        if decision not in DECISIONS:
            raise ValueError(f"{decision[:40]!r} is not a decision ({', '.join(DECISIONS)})")
        return cls(
            id=str(data["id"]), report_id=str(data["report_id"]), revision=str(data["revision"]),
            paragraph=int(data["paragraph"]), kind=Kind(data["kind"]), decision=decision,
            sources=tuple(Source.from_dict(s) for s in data.get("sources") or ()),
            annotation=data.get("annotation") if isinstance(data.get("annotation"), str) else None,
            based_on=data.get("based_on") if isinstance(data.get("based_on"), str) else None,
            adjudicated_by=str(data.get("adjudicated_by") or ""), adjudicated_at=str(data.get("adjudicated_at") or ""),
            updated_by=str(data.get("updated_by") or ""), updated_at=str(data.get("updated_at") or ""),
            rev=int(data.get("rev", 0)),
        )


@dataclass(frozen=True)
class Case:
    """One place to decide, as the adjudicator saw it: the reviewers' annotations, its decision, the layer's version."""

    report_id: str
    revision: str
    paragraph: int
    kind: Kind
    sources: tuple[Annotation, ...]  # one per reviewer, in reviewer order; () for a layer annotation no case holds
    missing: tuple[str, ...] = ()  # compared reviewers with nothing here
    differences: tuple[str, ...] = ()  # compared fields on which the sources differ (store.agreement.COMPARED_FIELDS)
    decision: Decision | None = None
    adjudicated: Annotation | None = None  # the adjudicated annotation, as read

    @property
    def agreed(self) -> bool:
        """Every compared reviewer has the same span, kind, actor, type and grade here."""
        return bool(self.sources) and not self.missing and not self.differences

    @property
    def changed(self) -> bool:
        """Decided, but from annotations that are not exactly these any more (edited, deleted, or another joined)."""
        if self.decision is None:
            return False
        return {(s.id, s.rev) for s in self.decision.sources} != {(a.id, a.rev) for a in self.sources}

    @property
    def status(self) -> str:
        """OPEN, CHANGED, or the decision (accepted, took, edited, rejected)."""
        if self.decision is None:
            return OPEN
        return CHANGED if self.changed else self.decision.decision

    @property
    def settled(self) -> bool:
        return self.decision is not None and not self.changed

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(reviewer_name(a.reviewer) for a in self.sources)

    def by_reviewer(self) -> dict[str, Annotation]:
        return {reviewer_name(a.reviewer): a for a in self.sources}

    @property
    def key(self) -> str:
        if self.decision is not None:
            return self.decision.key
        if not self.sources and self.adjudicated is not None:
            return self.adjudicated.id
        return case_key(a.id for a in self.sources)

    @property
    def decision_id(self) -> str:
        return self.decision.id if self.decision is not None else f"{self.paragraph}-{self.key}"

    @property
    def annotation_id(self) -> str:
        """The id the adjudicated annotation has (or gets)."""
        if self.adjudicated is not None:
            return self.adjudicated.id
        if self.decision is not None and self.decision.annotation:
            return self.decision.annotation
        return self.key

    @property
    def start(self) -> int:
        """Where the case starts in its paragraph (-1: the whole paragraph), for reading order."""
        spans = [a.span.start for a in (*self.sources, *((self.adjudicated,) if self.adjudicated else ())) if a.span]
        return min(spans) if spans else -1


@dataclass(frozen=True)
class Progress:
    """How far a report's adjudication is. `places` are the cases with annotations to decide."""

    reviewers: tuple[str, ...]
    places: int = 0
    agreed: int = 0  # of those, where every reviewer agreed (pre-accepted when adjudication opens)
    accepted: int = 0
    took: int = 0
    edited: int = 0
    rejected: int = 0
    changed: int = 0  # decided, then an annotation it came from changed: to be looked at again

    @property
    def decided(self) -> int:
        return self.accepted + self.took + self.edited + self.rejected

    @property
    def open(self) -> int:
        return self.places - self.decided - self.changed

    def __add__(self, other: Progress) -> Progress:
        names = tuple(sorted(set(self.reviewers) | set(other.reviewers)))
        return Progress(names, *(getattr(self, f) + getattr(other, f) for f in _COUNTS))

    def to_dict(self) -> dict[str, Any]:
        return {"reviewers": list(self.reviewers), **{f: getattr(self, f) for f in _COUNTS},
                "decided": self.decided, "open": self.open}


_COUNTS = ("places", "agreed", "accepted", "took", "edited", "rejected", "changed")


@dataclass(frozen=True)
class ReportAdjudication:
    """One report's cases in reading order (revision, paragraph, place; actors before claims at one place)."""

    report: Report
    reviewers: tuple[str, ...]  # who is compared
    cases: tuple[Case, ...]

    def progress(self) -> Progress:
        counts = dict.fromkeys(_COUNTS, 0)
        for case in self.cases:
            if not case.sources:
                continue
            counts["places"] += 1
            counts["agreed"] += case.agreed
            status = case.status
            if status != OPEN:
                counts[status] += 1
        return Progress(self.reviewers, **counts)

    def waiting_agreed(self) -> list[Case]:
        """Agreed cases with no decision yet: what opening the adjudication pre-accepts."""
        return [c for c in self.cases if c.agreed and c.decision is None and c.adjudicated is None]


class _OneRead:
    """The database as compare_report sees it, reading the report's annotations once (kept or not)."""

    def __init__(self, db: Any, keep: bool) -> None:
        self.db = db
        self.keep = keep
        self._annotations: tuple[str, list[Annotation]] | None = None

    def report(self, key: str) -> Report:
        found: Report = self.db.report(key)
        return found

    def annotations(self, report_id: str) -> list[Annotation]:
        if self._annotations is None or self._annotations[0] != report_id:
            self._annotations = (report_id, self.db.annotations(report_id, keep=self.keep))
        return self._annotations[1]


def decisions_of(db: Any, report_id: str) -> list[Decision]:
    """A report's decisions; a document of the wrong shape is a one-line StoreError."""
    try:
        return [Decision.from_dict(doc) for doc in db.decision_documents(report_id)]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise StoreError(f"report {report_id}: an adjudication decision cannot be read ({detail}); run 'claimdesk doctor'") from None


def load(db: Any, report_key: str, reviewers: Sequence[str] | None = None, keep: bool = True) -> ReportAdjudication:
    """One report's cases: compare_report's groups with their decisions and adjudicated annotations.

    `reviewers` are the names compared (default: everyone who annotated the report, but the adjudicated
    layer). `keep=False` reads the report without keeping its files in memory (a command over many reports).
    """
    reader = _OneRead(db, keep)
    comparison = compare_report(reader, report_key, reviewers, KINDS)
    report = comparison.report
    layer = {a.id: a for a in reader.annotations(report.id) if reviewer_name(a.reviewer) == ADJUDICATED}
    decisions = decisions_of(db, report.id)
    by_source: dict[str, list[Decision]] = {}
    by_annotation: dict[str, Decision] = {}
    for made in decisions:
        for source in made.sources:
            by_source.setdefault(source.id, []).append(made)
        if made.annotation:
            by_annotation[made.annotation] = made
    claimed: set[str] = set()
    cases: list[Case] = []
    for paragraph in comparison.paragraphs:
        groups = sorted((*paragraph.agreed, *paragraph.disagreements), key=_group_order)
        for group in groups:
            decision: Decision | None = next(
                (d for a in group.annotations for d in by_source.get(a.id, ()) if d.id not in claimed), None
            )
            adjudicated = None
            if decision is not None:
                claimed.add(decision.id)
                adjudicated = layer.pop(decision.annotation, None) if decision.annotation else None
            cases.append(_case(group, decision, adjudicated))
    # Layer annotations no case holds (their sources are gone, or they were made another way).
    for annotation in layer.values():
        own = by_annotation.get(annotation.id)
        cases.append(Case(annotation.report_id, annotation.revision, annotation.paragraph, annotation.kind, (),
                          missing=comparison.reviewers, decision=own if own is not None and own.id not in claimed else None,
                          adjudicated=annotation))
    revisions = {revision: i for i, revision in enumerate(report.revisions)}
    cases.sort(key=lambda c: (revisions.get(c.revision, len(revisions)), c.revision, c.paragraph))
    return ReportAdjudication(report, comparison.reviewers, tuple(cases))


def _group_order(group: Group) -> tuple[Any, ...]:
    starts = [a.span.start if a.span else -1 for a in group.annotations]
    return (min(starts), group.kind is Kind.CLAIM, min(a.id for a in group.annotations))


def _case(group: Group, decision: Decision | None, adjudicated: Annotation | None) -> Case:
    first = group.annotations[0]
    return Case(first.report_id, group.revision, group.paragraph, group.kind, group.annotations,
                group.missing, group.differences, decision, adjudicated)


def progress(db: Any, report: Report, reviewers: Sequence[str] | None = None) -> Progress | None:
    """A report's adjudication progress (None when fewer than two reviewers annotated it), read and forgotten."""
    found = load(db, report.id, reviewers, keep=False)
    if len(found.reviewers) < 2:
        return None
    return found.progress()


__all__ = [
    "ACCEPTED", "ADJUDICATED", "CHANGED", "DECISIONS", "EDITED", "OPEN", "REJECTED", "TOOK",
    "Case", "Decision", "Progress", "ReportAdjudication", "Source",
    "case_key", "decisions_of", "load", "progress",
]
