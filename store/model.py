"""The domain model: plain dataclasses that serialise to and from JSON dicts."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 3  # 2: a report's files in reports/<id>/, annotations in shards, marks, rev and updated_by; 3: trimmed paragraphs
CONTEXT_CHARS = 32  # characters of text kept on each side of a span (as W3C TextQuoteSelector's prefix/suffix)

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}

CLAIM_TYPES = {
    "event": "event",
    "capability": "capability",
    "intent": "intent or threat",
    "statement": "statement or position",
    "figure": "figure or casualty count",
    "other": "other",
}

ACTOR_TYPES = {
    "person": "person",
    "armed_group": "armed group or militia",
    "state": "state",
    "state_body": "state body",
    "party": "political party",
    "media": "media outlet",
    "international_org": "international organisation",
    "other": "other",
}


RELATIONS = {
    "corroborates": "corroborates",
    "contradicts": "contradicts",
    "repeats": "repeats (the same claim re-reported)",
    "updates": "updates (a later figure or status)",
}


class Kind(StrEnum):
    CLAIM = "claim"
    ACTOR = "actor"


class ParagraphStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    REVIEWED = "reviewed"
    FLAGGED = "flagged"


def schema_meta(version: int = SCHEMA_VERSION, created_at: str | None = None) -> dict[str, dict[str, Any]]:
    """library.json's meta table: which schema the database follows. The one place it is written from."""
    return {"1": {"schema_version": version, "created_at": created_at or now_iso(), "application": "claimdesk"}}


def now_iso() -> str:
    """The current time as ISO 8601 UTC with a Z, to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based
    text: str
    section: str | None = None
    footnotes: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "section": self.section,
            "footnotes": list(self.footnotes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paragraph:
        return cls(
            number=int(data["number"]),
            text=data["text"],
            section=data.get("section"),
            footnotes=tuple(data.get("footnotes", ())),
        )


@dataclass(frozen=True)
class ParsedReport:
    """How one file was understood, before it is stored."""

    title: str
    date: str | None
    dispatch_number: str | None
    regions: tuple[str, ...]
    headings: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]
    footnotes: tuple[Footnote, ...]
    warnings: tuple[str, ...]
    format: str  # "dispatch" | "markdown" | "text"
    source: str | None = None  # from front matter, e.g. an outlet

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "date": self.date,
            "dispatch_number": self.dispatch_number,
            "regions": list(self.regions),
            "headings": list(self.headings),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "footnotes": [{"number": f.number, "text": f.text} for f in self.footnotes],
            "warnings": list(self.warnings),
            "format": self.format,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedReport:
        return cls(
            title=data["title"],
            date=data.get("date"),
            dispatch_number=data.get("dispatch_number"),
            regions=tuple(data.get("regions", ())),
            headings=tuple(data.get("headings", ())),
            paragraphs=tuple(Paragraph.from_dict(p) for p in data["paragraphs"]),
            footnotes=tuple(Footnote(int(f["number"]), f["text"]) for f in data.get("footnotes", ())),
            warnings=tuple(data.get("warnings", ())),
            format=data.get("format", "text"),
            source=data.get("source"),
        )


@dataclass(frozen=True)
class Report:
    """A report in the library: its identity and its current revision's headline facts."""

    id: str
    title: str
    date: str | None
    source: str  # the file it came from
    dispatch_number: str | None
    regions: tuple[str, ...]
    revision: str  # content hash of the current revision
    revisions: tuple[str, ...]  # every revision, oldest first
    paragraph_count: int
    added_at: str
    # Who is asked to work on it (`claimdesk assign`); written only when someone is, so that adding a
    # new revision (which writes the other fields) keeps the stored list.
    assignees: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regions"] = list(self.regions)
        data["revisions"] = list(self.revisions)
        if self.assignees:
            data["assignees"] = list(self.assignees)
        else:
            del data["assignees"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            id=data["id"],
            title=data["title"],
            date=data.get("date"),
            source=data.get("source", ""),
            dispatch_number=data.get("dispatch_number"),
            regions=tuple(data.get("regions", ())),
            revision=data["revision"],
            revisions=tuple(data.get("revisions", (data["revision"],))),
            paragraph_count=int(data.get("paragraph_count", 0)),
            added_at=data.get("added_at", ""),
            assignees=_names(data.get("assignees")),
        )


def _names(value: Any) -> tuple[str, ...]:
    """A stored list of names (anything else, e.g. a hand-edited string, is no names)."""
    return tuple(name for name in value if isinstance(name, str)) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Span:
    start: int  # code point offset into the paragraph text
    end: int  # end-exclusive
    quote: str
    # The text just before and after the span (up to CONTEXT_CHARS each): what finds the span
    # again when its paragraph changes in a new revision of the report.
    prefix: str = ""
    suffix: str = ""

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {start}-{end} is outside a paragraph of {len(text)} characters")
        return cls(start, end, text[start:end], text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), data["quote"], data.get("prefix", ""), data.get("suffix", ""))


@dataclass(frozen=True)
class Credibility:
    reliability: str | None = None  # A-F
    credibility: int | None = None  # 1-6

    def __post_init__(self) -> None:
        if self.reliability is not None and self.reliability not in RELIABILITY:
            raise ValueError(f"source reliability must be A-F, not {self.reliability!r}")
        if self.credibility is not None and self.credibility not in CREDIBILITY:
            raise ValueError(f"information credibility must be 1-6, not {self.credibility!r}")

    @property
    def is_set(self) -> bool:
        return self.reliability is not None or self.credibility is not None

    @property
    def code(self) -> str:
        """`B2`, or `B?` / `?2` while one half is not yet graded."""
        return f"{self.reliability or '?'}{self.credibility or '?'}"

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Credibility | None:
        if not data:
            return None
        return cls(data.get("reliability"), data.get("credibility"))

    @property
    def meaning(self) -> str:
        if not self.is_set:
            return "not yet graded"
        left = RELIABILITY.get(self.reliability or "", "reliability not graded")
        right = CREDIBILITY.get(self.credibility or 0, "credibility not graded")
        return f"{left}; {right}"

    @classmethod
    def parse(cls, code: str) -> Credibility:
        """`"B2"` → Credibility("B", 2). Raises ValueError on anything else."""
        code = code.strip().upper()
        if len(code) != 2 or code[0] not in RELIABILITY or not code[1].isdigit():
            raise ValueError(f"credibility must look like B2 (A-F then 1-6), not {code!r}")
        return cls(code[0], int(code[1]))


def credibility_code(doc: dict[str, Any]) -> str:
    """A stored annotation's grade as `B2` (`B?`, `?2` half-graded), or "ungraded". The one place this is decided."""
    try:
        grade = Credibility.from_dict(doc.get("credibility"))
    except (TypeError, ValueError):
        return "ungraded"
    return grade.code if grade is not None and grade.is_set else "ungraded"


@dataclass(frozen=True)
class Claim:
    text: str
    type: str = "other"
    claimant: str | None = None  # actor id
    reported_by: str | None = None  # actor id


@dataclass(frozen=True)
class Annotation:
    """One claim or actor mention on a paragraph (a span of it, or the whole paragraph)."""

    id: str
    kind: Kind
    report_id: str
    revision: str
    paragraph: int  # 1-based
    span: Span | None
    claim: Claim | None = None
    actor_id: str | None = None  # for actor mentions
    credibility: Credibility | None = None
    note: str = ""
    reviewer: str = ""  # who made it
    created_at: str = ""
    updated_at: str = ""
    updated_by: str = ""  # who changed it last
    rev: int = 0  # its version: every save adds one; a change based on an older one is a conflict
    # For an adjudicated annotation: which reviewers' annotations it came from, and who decided.
    provenance: dict[str, Any] | None = None
    # Set when a new revision of its report came and its words could not be found there with
    # confidence: {"revision": the new one, "reason", "near": a paragraph to look at first, "at"}.
    # It keeps its old revision, paragraph and quote (its last known place), never hidden, never deleted.
    orphaned: dict[str, Any] | None = None

    @property
    def paragraph_number(self) -> int:
        """1-based, as in the store and every export (`paragraph_index` is the 0-based place in a widget)."""
        return self.paragraph

    def actor_refs(self) -> list[tuple[str, str]]:
        """(role, actor id) for every actor this annotation names: "mention", "claimant", "reported_by"."""
        return actor_refs(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "report_id": self.report_id,
            "revision": self.revision,
            "paragraph": self.paragraph,
            "span": self.span.to_dict() if self.span else None,
            "claim": asdict(self.claim) if self.claim else None,
            "actor_id": self.actor_id,
            "credibility": asdict(self.credibility) if self.credibility else None,
            "note": self.note,
            "reviewer": self.reviewer,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "rev": self.rev,
            **({"provenance": self.provenance} if self.provenance is not None else {}),
            **({"orphaned": self.orphaned} if self.orphaned is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        span = data.get("span")
        claim = data.get("claim")
        cred = data.get("credibility")
        return cls(
            id=data["id"],
            kind=Kind(data["kind"]),
            report_id=data["report_id"],
            revision=data["revision"],
            paragraph=int(data["paragraph"]),
            span=Span.from_dict(span) if span else None,
            claim=Claim(**claim) if claim else None,
            actor_id=data.get("actor_id"),
            credibility=Credibility(**cred) if cred else None,
            note=data.get("note", ""),
            reviewer=data.get("reviewer", ""),
            created_at=data.get("created_at", ""),
            updated_at=data.get("updated_at", ""),
            updated_by=data.get("updated_by", "") or data.get("reviewer", ""),
            rev=int(data.get("rev", 0)),
            provenance=data.get("provenance") if isinstance(data.get("provenance"), dict) else None,
            orphaned=data.get("orphaned") if isinstance(data.get("orphaned"), dict) else None,
        )

    def evolve(self, **changes: Any) -> Annotation:
        return replace(self, **changes)


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    type: str = "other"
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None  # another actor's id
    note: str = ""
    reviewer: str = ""
    created_at: str = ""
    updated_at: str = ""
    updated_by: str = ""
    rev: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(
            id=data["id"],
            name=data["name"],
            type=data.get("type", "other"),
            aliases=tuple(data.get("aliases", ())),
            affiliation=data.get("affiliation"),
            note=data.get("note", ""),
            reviewer=data.get("reviewer", ""),
            created_at=data.get("created_at", ""),
            updated_at=data.get("updated_at", ""),
            updated_by=data.get("updated_by", "") or data.get("reviewer", ""),
            rev=int(data.get("rev", 0)),
        )

    def evolve(self, **changes: Any) -> Actor:
        return replace(self, **changes)


def actor_refs(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(role, actor id) for every actor a stored annotation names. The one place this is decided.

    Roles: "mention" (an actor mention's actor), "claimant", "reported_by".
    """
    found: list[tuple[str, str]] = []
    if isinstance(doc.get("actor_id"), str):
        found.append(("mention", doc["actor_id"]))
    claim = doc.get("claim")
    if isinstance(claim, dict):
        for role in ("claimant", "reported_by"):
            if isinstance(claim.get(role), str):
                found.append((role, claim[role]))
    return found


@dataclass(frozen=True)
class Mark:
    """What analysts said of one paragraph: reviewed, flagged (with a reason), or both."""

    paragraph: int  # 1-based
    reviewed: bool = False
    flagged: bool = False
    flag_reason: str = ""
    changed_since_review: bool = False  # reviewed, then its text changed in a new revision
    reviewed_by: str = ""
    reviewed_at: str = ""
    flagged_by: str = ""
    flagged_at: str = ""
    updated_by: str = ""
    updated_at: str = ""
    rev: int = 0

    @property
    def is_blank(self) -> bool:
        return not (self.reviewed or self.flagged or self.changed_since_review)

    @property
    def status(self) -> ParagraphStatus:
        """One word for a paragraph (a flag outranks reviewed)."""
        if self.flagged:
            return ParagraphStatus.FLAGGED
        return ParagraphStatus.REVIEWED if self.reviewed else ParagraphStatus.UNREVIEWED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mark:
        if "status" in data and "reviewed" not in data:  # schema 1: one status per paragraph
            status = data.get("status")
            who, when = data.get("reviewer", ""), data.get("updated_at", "")
            return cls(
                paragraph=int(data["paragraph"]),
                reviewed=status == ParagraphStatus.REVIEWED.value,
                flagged=status == ParagraphStatus.FLAGGED.value,
                reviewed_by=who if status == ParagraphStatus.REVIEWED.value else "",
                reviewed_at=when if status == ParagraphStatus.REVIEWED.value else "",
                flagged_by=who if status == ParagraphStatus.FLAGGED.value else "",
                flagged_at=when if status == ParagraphStatus.FLAGGED.value else "",
                updated_by=who,
                updated_at=when,
                rev=int(data.get("rev", 0)),
            )
        return cls(
            paragraph=int(data["paragraph"]),
            reviewed=bool(data.get("reviewed", False)),
            flagged=bool(data.get("flagged", False)),
            flag_reason=str(data.get("flag_reason", "")),
            changed_since_review=bool(data.get("changed_since_review", False)),
            reviewed_by=str(data.get("reviewed_by", "")),
            reviewed_at=str(data.get("reviewed_at", "")),
            flagged_by=str(data.get("flagged_by", "")),
            flagged_at=str(data.get("flagged_at", "")),
            updated_by=str(data.get("updated_by", "")),
            updated_at=str(data.get("updated_at", "")),
            rev=int(data.get("rev", 0)),
        )

    def evolve(self, **changes: Any) -> Mark:
        return replace(self, **changes)


@dataclass(frozen=True)
class Link:
    """One claim said to corroborate, contradict, repeat or update another (possibly in another report)."""

    id: str
    from_report: str
    from_claim: str  # annotation id
    to_report: str
    to_claim: str
    relation: str  # a key of RELATIONS
    note: str = ""
    reviewer: str = ""
    created_at: str = ""
    updated_at: str = ""
    updated_by: str = ""
    rev: int = 0

    def touches(self, annotation_id: str) -> bool:
        return annotation_id in (self.from_claim, self.to_claim)

    def other(self, annotation_id: str) -> tuple[str, str]:
        """(report id, claim id) at the other end from `annotation_id`."""
        if annotation_id == self.from_claim:
            return self.to_report, self.to_claim
        return self.from_report, self.from_claim

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": {"report_id": self.from_report, "annotation_id": self.from_claim},
            "to": {"report_id": self.to_report, "annotation_id": self.to_claim},
            "relation": self.relation,
            "note": self.note,
            "reviewer": self.reviewer,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "rev": self.rev,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Link:
        return cls(
            id=data["id"],
            from_report=data["from"]["report_id"],
            from_claim=data["from"]["annotation_id"],
            to_report=data["to"]["report_id"],
            to_claim=data["to"]["annotation_id"],
            relation=data["relation"],
            note=data.get("note", ""),
            reviewer=data.get("reviewer", ""),
            created_at=data.get("created_at", ""),
            updated_at=data.get("updated_at", ""),
            updated_by=data.get("updated_by", "") or data.get("reviewer", ""),
            rev=int(data.get("rev", 0)),
        )

    def evolve(self, **changes: Any) -> Link:
        return replace(self, **changes)


@dataclass(frozen=True)
class NewActor:
    """An actor the analyst asked to create (from the picker): made in the same step as what names it."""

    name: str
    type: str = "other"


ActorChoice = str | NewActor  # an existing actor's id, or one to create


@dataclass(frozen=True)
class Progress:
    total: int
    reviewed: int = 0
    flagged: int = 0

    @property
    def fraction(self) -> float:
        """How much of the report is reviewed (a flag alone is not a review)."""
        return self.reviewed / self.total if self.total else 0.0


__all__ = [
    "ACTOR_TYPES",
    "CLAIM_TYPES",
    "CREDIBILITY",
    "RELATIONS",
    "RELIABILITY",
    "SCHEMA_VERSION",
    "Actor",
    "ActorChoice",
    "Annotation",
    "Claim",
    "Credibility",
    "Footnote",
    "Kind",
    "Link",
    "Mark",
    "NewActor",
    "Paragraph",
    "ParagraphStatus",
    "ParsedReport",
    "Progress",
    "Report",
    "Span",
    "actor_refs",
    "credibility_code",
    "new_id",
    "now_iso",
    "schema_meta",
]
