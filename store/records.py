"""The native records (`claimdesk/2`) of what a database holds, read report by report.

Every export starts here; the other formats are views of these records (see
`store/schema/claimdesk-2.schema.json`, printed by `claimdesk schema`). A
`claimdesk/2` file holds three kinds of line, told apart by `record`:

* `annotation`: one claim or actor mention, self-contained (its report, its
  paragraph's text, the actors it names by canonical name);
* `actor`: the full registry entry (type, aliases, affiliation, note) of every
  actor an annotation names, as mention, claimant, reported-by or affiliation,
  written once per export before the first line that needs it;
* `mark`: a paragraph marked reviewed and/or flagged (with the flag's reason), who
  marked it and when, and whether its text changed since it was reviewed;
* `link`: one claim said to corroborate, contradict, repeat or update another (each end
  named by its report and annotation id), written after every annotation of the export,
  for each link with at least one end among the exported claims.

So an export imported into an empty database holding the same report files
gives back the same database (`claimdesk/1` lines, annotations only, still import).

* Streaming: reports are read one at a time, straight from disk and not kept
  cached (`Database.annotation_documents`, `Database.revision_texts`), and each
  line is written as soon as it is made, so memory does not grow with the
  database.
* Offsets are Unicode code points, end-exclusive, into the text of the
  paragraph of the annotation's own revision.
* `report.source` is the name of the file the report was added from (what
  `--report` and the import's `report` accept, the same on every analyst's
  machine, unlike its full path); `report.outlet` is the front matter's
  `source:` (who published it), or null.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from store.errors import NotFound, StoreError
from store.model import ACTOR_TYPES, CLAIM_TYPES, Actor, Kind, Link, Mark, ParsedReport, Report
from store.text import clean_line

SCHEMA = "claimdesk/2"
READABLE_SCHEMAS = ("claimdesk/1", "claimdesk/2")
# What a mark line says of its paragraph (store.model.Mark without its paragraph number and version).
MARK_FIELDS = (
    "reviewed", "flagged", "flag_reason", "changed_since_review", "reviewed_by", "reviewed_at",
    "flagged_by", "flagged_at", "updated_by", "updated_at",
)

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


# Escaped as \uXXXX in every JSON line: U+2028/U+2029, which JSON allows raw but many line readers
# (Python's str.splitlines, older JavaScript) take for line ends; C1 controls, which some terminals act
# on when a file is shown; and bidirectional embeddings, overrides and isolates, which reorder what a
# reader sees of a line (the text keeps them: they are only escaped, never dropped).
_ESCAPED = re.compile("[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escaped(line: str) -> str:
    return _ESCAPED.sub(_escape, line) if _ESCAPED.search(line) else line


def encode(value: Any) -> str:
    """Compact UTF-8 JSON, with the characters above escaped."""
    return escaped(_json(value))


# ------------------------------------------------------------------- selection


def parse_time(value: str) -> str:
    """`2024-05-01` or an ISO 8601 time → the same instant in the store's timestamp layout (UTC, Z)."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" and text else text)
    except ValueError:
        raise ValueError(f"{clean_line(value)!r} is not a date (use YYYY-MM-DD or an ISO 8601 time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return utc_stamp(moment)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Selection:
    """Which annotations (and paragraph marks) to export. Empty fields select everything."""

    reports: tuple[str, ...] = ()  # report ids (or file names), in this order
    reviewers: frozenset[str] = frozenset()
    kind: Kind | None = None  # set: annotations of this kind only, and no paragraph marks
    since: str | None = None  # as made by parse_time: updated at or after

    def wants(self, doc: dict[str, Any]) -> bool:
        if self.kind is not None and doc.get("kind") != self.kind.value:
            return False
        if self.reviewers and doc.get("reviewer") not in self.reviewers:
            return False
        return self.since is None or str(doc.get("updated_at", "")) >= self.since

    def wants_mark(self, mark: Mark) -> bool:
        """A paragraph mark goes with an export of every kind, by its reviewer or flagger, changed since."""
        if self.kind is not None:
            return False
        if self.reviewers and not ({mark.reviewed_by, mark.flagged_by} & self.reviewers):
            return False
        return self.since is None or mark.updated_at >= self.since


def selected_reports(db: Any, selection: Selection) -> list[Report]:
    """The reports to export, in order; raises NotFound for a report that is not in the database."""
    if not selection.reports:
        return db.reports()
    found: dict[str, Report] = {}
    for key in selection.reports:
        report = db.find_report(key)
        if report is None:
            raise NotFound(f"no report {clean_line(key)!r} in {db.root}")
        found.setdefault(report.id, report)
    return list(found.values())


# --------------------------------------------------------------- native records


@dataclass
class Paragraph:
    """One paragraph of one revision, with its record part encoded once for every annotation on it."""

    number: int
    text: str
    data: dict[str, Any]
    encoded: str


@dataclass
class Revision:
    report: Report
    revision: str
    parsed: ParsedReport
    data: dict[str, Any]  # the record's "report" object
    encoded: str
    _paragraphs: dict[int, Paragraph] = field(default_factory=dict)

    def paragraph(self, number: int) -> Paragraph | None:
        found = self._paragraphs.get(number)
        if found is None and 1 <= number <= len(self.parsed.paragraphs):
            p = self.parsed.paragraphs[number - 1]
            data = {"number": p.number, "section": p.section, "text": p.text}
            found = self._paragraphs[number] = Paragraph(p.number, p.text, data, encode(data))
        return found


@dataclass
class Entry:
    """One exported annotation: where its text comes from, and the rest of its record (`tail`)."""

    id: str
    kind: str
    revision: Revision
    paragraph: Paragraph
    tail: dict[str, Any]  # the record from "span" on
    named: dict[str, str] = field(default_factory=dict)  # registry ids by role: "actor", or "claimant"/"reported_by"

    @functools.cached_property
    def record(self) -> dict[str, Any]:
        """The native record (its report and paragraph objects are shared: do not mutate them)."""
        return {
            "schema": SCHEMA, "record": "annotation", "id": self.id, "kind": self.kind,
            "report": self.revision.data, "paragraph": self.paragraph.data, **self.tail,
        }

    @property
    def offsets(self) -> tuple[int, int, str]:
        """Start, end and quote, with the whole paragraph for an annotation without a span."""
        span = self.tail["span"]
        if span is None:
            return 0, len(self.paragraph.text), self.paragraph.text
        return span["start"], span["end"], span["quote"]

    @property
    def whole_paragraph(self) -> bool:
        return self.tail["span"] is None


@dataclass
class ReportBatch:
    report: Report
    revisions: dict[str, Revision]
    entries: list[Entry]
    marks: list[dict[str, Any]] = field(default_factory=list)  # mark records, by paragraph
    actors: list[dict[str, Any]] = field(default_factory=list)  # actor records first needed by this report


class Actors:
    """The actor registry as records show it: by canonical name, never by id."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.by_id = {actor.id: actor for actor in actors}
        self.missing: set[str] = set()
        self._views: dict[str, dict[str, Any]] = {}
        self._written: set[str] = set()

    def name(self, actor_id: str | None) -> str | None:
        if actor_id is None:
            return None
        actor = self.by_id.get(actor_id)
        if actor is None:
            self.missing.add(actor_id)
            return None
        return actor.name

    def view(self, actor_id: str | None) -> dict[str, Any] | None:
        """What an annotation record says of the actor it mentions."""
        if actor_id is None:
            return None
        view = self._views.get(actor_id)
        if view is None:
            actor = self.by_id.get(actor_id)
            if actor is None:
                self.missing.add(actor_id)
                return None
            view = self._views[actor_id] = {
                "name": actor.name,
                "type": actor.type if actor.type in ACTOR_TYPES else "other",
                "aliases": list(actor.aliases),
                "affiliation": self.name(actor.affiliation),
            }
        return view

    def record(self, actor_id: str) -> dict[str, Any] | None:
        """The actor's own line of a native export (None for an id not in the registry)."""
        view = self.view(actor_id)
        if view is None:
            return None
        actor = self.by_id[actor_id]
        return {
            "schema": SCHEMA, "record": "actor", **view, "note": actor.note, "reviewer": actor.reviewer,
            "created_at": actor.created_at, "updated_at": actor.updated_at, "updated_by": actor.updated_by,
        }

    def new_records(self, actor_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Records of these actors and of those they are affiliated with, each actor once per export,
        an affiliation before the actor affiliated with it, otherwise by name."""
        found: list[dict[str, Any]] = []

        def visit(actor_id: str | None) -> None:
            if actor_id is None or actor_id in self._written or actor_id not in self.by_id:
                if actor_id is not None and actor_id not in self.by_id:
                    self.missing.add(actor_id)
                return
            self._written.add(actor_id)
            visit(self.by_id[actor_id].affiliation)
            record = self.record(actor_id)
            if record is not None:
                found.append(record)

        for actor_id in sorted(set(actor_ids), key=lambda i: (self.by_id[i].name.casefold(), i) if i in self.by_id else ("", i)):
            visit(actor_id)
        return found


def _credibility(cred: dict[str, Any] | None) -> dict[str, Any] | None:
    if not cred:
        return None
    reliability, credibility = cred.get("reliability"), cred.get("credibility")
    if reliability is None and credibility is None:
        return None
    return {"reliability": reliability, "credibility": credibility, "code": f"{reliability or '?'}{credibility or '?'}"}


def record_tail(doc: dict[str, Any], actors: Actors) -> dict[str, Any]:
    """The native record of one stored annotation (`Annotation.to_dict` layout), from "span" on."""
    kind = doc["kind"]
    claim = doc.get("claim") if kind == "claim" else None
    span = doc.get("span")
    if span is not None and len(span) != 3:  # stored as {"start", "end", "quote"}: shared as it is, else copied
        span = {"start": span["start"], "end": span["end"], "quote": span["quote"]}
    tail = {
        "span": span or None,
        "claim": {
            "text": claim["text"],
            "type": claim["type"] if claim.get("type") in CLAIM_TYPES else "other",
            "claimant": actors.name(claim.get("claimant")),
            "reported_by": actors.name(claim.get("reported_by")),
        } if claim else None,
        "actor": actors.view(doc.get("actor_id")) if kind == "actor" else None,
        "credibility": _credibility(doc.get("credibility")),
        "note": doc.get("note", ""),
        "reviewer": doc.get("reviewer", ""),
        "created_at": doc.get("created_at", ""),
        "updated_at": doc.get("updated_at", ""),
    }
    # Who changed it last; a document that does not say was last changed by its reviewer (as Annotation.from_dict reads it).
    tail["updated_by"] = doc.get("updated_by") or tail["reviewer"]
    if isinstance(doc.get("orphaned"), dict):  # its last known place: the older revision's paragraph, span and quote
        tail["orphaned"] = True
    provenance = doc.get("provenance")
    if isinstance(provenance, dict):  # an adjudicated annotation (docs/adjudication.md): where it came from, who decided
        tail["provenance"] = {
            "decision": provenance.get("decision"), "based_on": provenance.get("based_on"),
            "sources": [{"id": s.get("id"), "reviewer": s.get("reviewer")}
                        for s in provenance.get("sources") or () if isinstance(s, dict)],
            "adjudicated_by": provenance.get("adjudicated_by"), "adjudicated_at": provenance.get("adjudicated_at"),
        }
    return tail


def named_actors(doc: dict[str, Any]) -> dict[str, str]:
    """The registry ids an annotation names, by role: its actor, or its claim's claimant and reported-by."""
    if doc.get("kind") == "actor":
        return {"actor": doc["actor_id"]} if isinstance(doc.get("actor_id"), str) else {}
    claim = doc.get("claim") or {}
    return {key: claim[key] for key in ("claimant", "reported_by") if isinstance(claim.get(key), str)}


def record_line(entry: Entry) -> str:
    """`json.dumps(entry.record)` (compact, UTF-8) plus a newline, with the report and paragraph
    objects encoded once for all their annotations: most of a record is its paragraph's text."""
    line = "".join((
        '{"schema":"', SCHEMA, '","record":"annotation","id":', json.encoder.encode_basestring(entry.id),
        ',"kind":"', entry.kind, '","report":', entry.revision.encoded, ',"paragraph":', entry.paragraph.encoded,
        ",", _json(entry.tail)[1:], "\n",
    ))
    return escaped(line)  # as encode does


def batch_lines(batch: ReportBatch) -> str:
    """One report's part of a native export: its new actors, its paragraph marks, its annotations."""
    head = "".join(encode(record) + "\n" for record in (*batch.actors, *batch.marks))
    return head + "".join(map(record_line, batch.entries))


def span_label(record: dict[str, Any]) -> str:
    """A span label for doccano and Prodigy: CLAIM_EVENT, ACTOR_ARMED_GROUP, …"""
    if record["kind"] == "claim":
        return f"CLAIM_{record['claim']['type']}".upper() if record["claim"] else "CLAIM"
    return f"ACTOR_{record['actor']['type']}".upper() if record["actor"] else "ACTOR"


def _order(doc: dict[str, Any], revisions: dict[str, int]) -> tuple[Any, ...]:
    """Revision (oldest first), paragraph, start, creation: the order of the export, whatever a document holds."""
    try:
        span = doc["span"]
        return revisions[doc["revision"]], doc["paragraph"] + 0, span["start"] + 0 if span else -1, doc["created_at"] + "", doc["id"] + ""
    except (KeyError, TypeError):
        return _lenient_order(doc, revisions)


def _lenient_order(doc: dict[str, Any], revisions: dict[str, int]) -> tuple[Any, ...]:
    """The same order for a document edited by hand, whatever its fields hold."""
    span, number = doc.get("span"), doc.get("paragraph")
    start = span.get("start") if isinstance(span, dict) else None
    return (
        revisions.get(str(doc.get("revision")), -1), number if isinstance(number, int) else -1,
        start if isinstance(start, int) else -1, str(doc.get("created_at", "")), str(doc.get("id", "")),
    )


class Reader:
    """Reads the database report by report and makes native records; collects what it had to skip.

    `full`: also the actor and mark records of a native export (other formats need only annotations).
    """

    def __init__(self, db: Any, selection: Selection = Selection(), full: bool = False) -> None:
        self.db = db
        self.selection = selection
        self.full = full
        self.reports = selected_reports(db, selection)
        self.actors = Actors(db.actors())
        self.problems: list[str] = []
        self.failures: list[str] = []  # reports that could not be read at all: named, skipped, the rest goes out

    def batches(self, on_report: Callable[[Report], None] | None = None) -> Iterator[ReportBatch]:
        for report in self.reports:
            try:
                batch = self.batch(report)
            except StoreError as error:
                self.failures.append(f"report {report.id}: {error}")
                continue
            if on_report is not None:
                on_report(report)
            if batch.entries or batch.marks:
                yield batch
        for actor_id in sorted(self.actors.missing):
            self.problems.append(f"actor {actor_id} is referenced but not in the registry; exported as null")

    def batch(self, report: Report) -> ReportBatch:
        wants = self.selection.wants
        docs = [doc for doc in self.db.annotation_documents(report.id) if wants(doc)]
        marks = [m for m in self.db.marks(report.id).values() if self.selection.wants_mark(m)] if self.full else []
        batch = ReportBatch(report, {}, [])
        if not docs and not marks:
            return batch
        texts: dict[str, ParsedReport] = self.db.revision_texts(report.id)
        order = {rev: i for i, rev in enumerate(report.revisions)}
        docs.sort(key=lambda d: _order(d, order))
        source = PurePath(report.source).name or None

        def revision_of(rev_id: str) -> Revision | None:
            revision = batch.revisions.get(rev_id)
            if revision is None and rev_id in texts:
                parsed = texts[rev_id]
                data = {"id": report.id, "title": parsed.title, "date": parsed.date, "source": source,
                        "revision": rev_id, "outlet": parsed.source}
                revision = batch.revisions[rev_id] = Revision(report, rev_id, parsed, data, encode(data))
            return revision

        named: list[str] = []
        for doc in docs:
            revision = revision_of(str(doc.get("revision")))
            number = doc.get("paragraph")
            paragraph = revision.paragraph(number) if revision and isinstance(number, int) else None
            try:
                problem = self._check(doc, paragraph)
                tail = None if problem else record_tail(doc, self.actors)
            except (KeyError, TypeError, AttributeError) as error:
                problem = f"is malformed ({type(error).__name__}: {error})"
            if problem or tail is None or revision is None or paragraph is None:
                self.problems.append(f"report {report.id}: annotation {clean_line(str(doc.get('id')))} {problem}; skipped")
                continue
            ids = named_actors(doc)
            named.extend(ids.values())
            batch.entries.append(Entry(doc["id"], doc["kind"], revision, paragraph, tail, ids))
        if self.full:
            batch.marks = self._mark_records(report, marks, revision_of(report.revision))
            batch.actors = self.actors.new_records(named)
        return batch

    def _mark_records(self, report: Report, marks: list[Mark], current: Revision | None) -> list[dict[str, Any]]:
        found = []
        for mark in sorted(marks, key=lambda m: m.paragraph):
            paragraph = current.paragraph(mark.paragraph) if current is not None else None
            if paragraph is None or current is None:
                self.problems.append(f"report {report.id}: the mark of paragraph {mark.paragraph} is beyond the current text; skipped")
                continue
            found.append({
                "schema": SCHEMA, "record": "mark", "report": current.data, "paragraph": paragraph.data,
                **{key: getattr(mark, key) for key in MARK_FIELDS},
            })
        return found

    @staticmethod
    def _check(doc: dict[str, Any], paragraph: Paragraph | None) -> str | None:
        if not isinstance(doc.get("id"), str):
            return "has no id"
        if paragraph is None:
            return f"points at paragraph {doc.get('paragraph')} of revision {doc.get('revision')}, which is not stored"
        if doc.get("kind") not in ("claim", "actor"):
            return f"has an unknown kind {doc.get('kind')!r}"
        span = doc.get("span")
        if span and paragraph.text[span["start"]:span["end"]] != span["quote"]:
            return "has a span whose quote is not the paragraph's text at its offsets"
        return None


LINK_FIELDS = ("id", "from", "to", "relation", "note", "reviewer", "created_at", "updated_at", "updated_by")
PASSIVE = {"corroborates": "corroborated by", "contradicts": "contradicted by", "repeats": "repeated by", "updates": "updated by"}


def link_record(link: Link) -> dict[str, Any]:
    """A link's line of a native export: the link as stored (without its version), ends by report and annotation id."""
    data = link.to_dict()
    return {"schema": SCHEMA, "record": "link", **{key: data[key] for key in LINK_FIELDS}}


def link_words(link: Link, claim_id: str) -> str:
    """"corroborates <other id>" from the claim that says it, "corroborated by <other id>" from the other end."""
    _report, other = link.other(claim_id)
    return f"{link.relation if link.from_claim == claim_id else PASSIVE.get(link.relation, link.relation)} {other}"


def by_paragraph(entries: list[Entry]) -> Iterator[list[Entry]]:
    """Entries grouped by (revision, paragraph), in the order of their first entry."""
    groups: dict[tuple[str, int], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.revision.revision, entry.paragraph.number), []).append(entry)
    yield from groups.values()


def paragraph_key(entry: Entry) -> str:
    return f"{entry.revision.report.id}:{entry.revision.revision}:{entry.paragraph.number}"


__all__ = [
    "LINK_FIELDS", "PASSIVE", "READABLE_SCHEMAS", "SCHEMA", "Actors", "Entry", "Paragraph", "Reader", "ReportBatch", "Revision",
    "Selection", "batch_lines", "by_paragraph", "encode", "link_record", "link_words", "paragraph_key", "parse_time",
    "record_line", "record_tail", "selected_reports", "span_label", "utc_stamp",
]
