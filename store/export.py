"""Exporting annotations: native JSONL (`claimdesk/1`), doccano, Prodigy, W3C Web Annotation, brat, CSV.

Everything starts from the native record (one annotation, self-contained; see
`store/schema/claimdesk-1.schema.json`); the other formats are views of it.

* Streaming: reports are read one at a time, straight from disk and not kept
  cached (`Database.annotation_documents`, `Database.revision_texts`), and each
  line is written as soon as it is made, so memory does not grow with the
  database.
* Offsets are Unicode code points, end-exclusive, into the text of the
  paragraph of the annotation's own revision (brat: into the `.txt` written for
  that revision). An annotation on a whole paragraph (no span) is exported with
  the whole paragraph as its span in the formats that need offsets.
* `report.source` is the name of the file the report was added from (what
  `--report` and the import's `report` accept, the same on every analyst's
  machine, unlike its full path); `report.outlet` is the front matter's
  `source:` (who published it), or null.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import IO, Any
from urllib.parse import quote as url_quote

from store.errors import ClaimdeskError, NotFound
from store.formats import FOLDER_FORMATS, FORMATS, SUFFIXES  # the one table of formats, re-exported here
from store.model import ACTOR_TYPES, CLAIM_TYPES, Actor, Kind, ParsedReport, Report
from store.text import clean_line

SCHEMA = "claimdesk/1"
SCHEMA_RESOURCE = "schema/claimdesk-1.schema.json"

CSV_COLUMNS = (
    "id", "kind", "report_id", "report_title", "report_source", "revision", "paragraph", "section",
    "start", "end", "quote", "claim_text", "claim_type", "claimant", "reported_by",
    "actor", "actor_type", "actor_aliases", "actor_affiliation", "credibility", "note",
    "reviewer", "created_at", "updated_at",
)
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_CONTEXT_CHARS = 32  # of prefix and suffix around a TextQuoteSelector's exact text

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _encode(value: Any) -> str:
    """Compact UTF-8 JSON, with U+2028 and U+2029 escaped: JSON allows them raw, but many
    line readers (Python's str.splitlines, older JavaScript) take them for line ends."""
    return _json(value).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class ExportError(ClaimdeskError):
    """The export could not be written (bad destination, unknown format, …)."""


def schema_text() -> str:
    """The JSON Schema of a native record, as shipped with the package."""
    from importlib.resources import files

    return files("store").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    return json.loads(schema_text())


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
    """Which annotations to export. Empty fields select everything."""

    reports: tuple[str, ...] = ()  # report ids (or file names), in this order
    reviewers: frozenset[str] = frozenset()
    kind: Kind | None = None
    since: str | None = None  # as made by parse_time: updated at or after

    def wants(self, doc: dict[str, Any]) -> bool:
        if self.kind is not None and doc.get("kind") != self.kind.value:
            return False
        if self.reviewers and doc.get("reviewer") not in self.reviewers:
            return False
        return self.since is None or str(doc.get("updated_at", "")) >= self.since


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
            found = self._paragraphs[number] = Paragraph(p.number, p.text, data, _encode(data))
        return found


@dataclass
class Entry:
    """One exported annotation: where its text comes from, and the rest of its record (`tail`)."""

    id: str
    kind: str
    revision: Revision
    paragraph: Paragraph
    tail: dict[str, Any]  # the record from "span" on

    @functools.cached_property
    def record(self) -> dict[str, Any]:
        """The native record (its report and paragraph objects are shared: do not mutate them)."""
        return {
            "schema": SCHEMA, "id": self.id, "kind": self.kind,
            "report": self.revision.data, "paragraph": self.paragraph.data, **self.tail,
        }

    @property
    def offsets(self) -> tuple[int, int, str]:
        """Start, end and quote, with the whole paragraph for an annotation without a span."""
        span = self.tail["span"]
        if span is None:
            return 0, len(self.paragraph.text), self.paragraph.text
        return span["start"], span["end"], span["quote"]


@dataclass
class ReportBatch:
    report: Report
    revisions: dict[str, Revision]
    entries: list[Entry]


class ActorNames:
    """The actor registry as records show it: by canonical name, never by id."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.by_id = {actor.id: actor for actor in actors}
        self.missing: set[str] = set()
        self._views: dict[str, dict[str, Any]] = {}

    def name(self, actor_id: str | None) -> str | None:
        if actor_id is None:
            return None
        actor = self.by_id.get(actor_id)
        if actor is None:
            self.missing.add(actor_id)
            return None
        return actor.name

    def view(self, actor_id: str | None) -> dict[str, Any] | None:
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


def _credibility(cred: dict[str, Any] | None) -> dict[str, Any] | None:
    if not cred:
        return None
    reliability, credibility = cred.get("reliability"), cred.get("credibility")
    if reliability is None and credibility is None:
        return None
    return {"reliability": reliability, "credibility": credibility, "code": f"{reliability or '?'}{credibility or '?'}"}


def record_tail(doc: dict[str, Any], actors: ActorNames) -> dict[str, Any]:
    """The native record of one stored annotation (`Annotation.to_dict` layout), from "span" on."""
    kind = doc["kind"]
    claim = doc.get("claim") if kind == "claim" else None
    span = doc.get("span")
    if span is not None and len(span) != 3:  # stored as {"start", "end", "quote"}: shared as it is, else copied
        span = {"start": span["start"], "end": span["end"], "quote": span["quote"]}
    return {
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


def record_line(entry: Entry) -> str:
    """`json.dumps(entry.record)` (compact, UTF-8) plus a newline, with the report and paragraph
    objects encoded once for all their annotations: most of a record is its paragraph's text."""
    line = "".join((
        '{"schema":"', SCHEMA, '","id":', json.encoder.encode_basestring(entry.id), ',"kind":"', entry.kind,
        '","report":', entry.revision.encoded, ',"paragraph":', entry.paragraph.encoded,
        ",", _json(entry.tail)[1:], "\n",
    ))
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # as _encode does


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
    """Reads the database report by report and makes native records; collects what it had to skip."""

    def __init__(self, db: Any, selection: Selection = Selection()) -> None:
        self.db = db
        self.selection = selection
        self.reports = selected_reports(db, selection)
        self.actors = ActorNames(db.actors())
        self.problems: list[str] = []

    def batches(self, on_report: Callable[[Report], None] | None = None) -> Iterator[ReportBatch]:
        for report in self.reports:
            batch = self.batch(report)
            if on_report is not None:
                on_report(report)
            if batch.entries:
                yield batch
        for actor_id in sorted(self.actors.missing):
            self.problems.append(f"actor {actor_id} is referenced but not in the registry; exported as null")

    def batch(self, report: Report) -> ReportBatch:
        wants = self.selection.wants
        docs = [doc for doc in self.db.annotation_documents(report.id) if wants(doc)]
        if not docs:
            return ReportBatch(report, {}, [])
        texts: dict[str, ParsedReport] = self.db.revision_texts(report.id)
        order = {rev: i for i, rev in enumerate(report.revisions)}
        docs.sort(key=lambda d: _order(d, order))
        revisions: dict[str, Revision] = {}
        entries: list[Entry] = []
        source = PurePath(report.source).name or None
        for doc in docs:
            rev_id = str(doc.get("revision"))
            revision = revisions.get(rev_id)
            if revision is None and rev_id in texts:
                parsed = texts[rev_id]
                data = {"id": report.id, "title": parsed.title, "date": parsed.date, "source": source,
                        "revision": rev_id, "outlet": parsed.source}
                revision = revisions[rev_id] = Revision(report, rev_id, parsed, data, _encode(data))
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
            entries.append(Entry(doc["id"], doc["kind"], revision, paragraph, tail))
        return ReportBatch(report, revisions, entries)

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


# ---------------------------------------------------------------------- formats


def label(record: dict[str, Any]) -> str:
    """A span label for doccano, Prodigy and brat: CLAIM_EVENT, ACTOR_ARMED_GROUP, …"""
    if record["kind"] == "claim":
        return f"CLAIM_{record['claim']['type']}".upper() if record["claim"] else "CLAIM"
    return f"ACTOR_{record['actor']['type']}".upper() if record["actor"] else "ACTOR"


def _by_paragraph(entries: list[Entry]) -> Iterator[list[Entry]]:
    groups: dict[tuple[str, int], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.revision.revision, entry.paragraph.number), []).append(entry)
    yield from groups.values()


def paragraph_key(entry: Entry) -> str:
    return f"{entry.revision.report.id}:{entry.revision.revision}:{entry.paragraph.number}"


def doccano_line(group: list[Entry]) -> str:
    first = group[0]
    labels = []
    for entry in group:
        start, end, _ = entry.offsets
        labels.append([start, end, label(entry.record)])
    return _encode({
        "id": paragraph_key(first),
        "text": first.paragraph.text,
        "label": labels,
        "report": first.revision.report.id,
        "revision": first.revision.revision,
        "paragraph": first.paragraph.number,
    }) + "\n"


def _hash32(*parts: str) -> int:
    """A stable signed 32-bit hash, the width Prodigy uses for its input and task hashes."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def prodigy_line(group: list[Entry]) -> str:
    first = group[0]
    text = first.paragraph.text
    spans = []
    for entry in group:
        start, end, quote = entry.offsets
        spans.append({"start": start, "end": end, "label": label(entry.record), "text": quote, "id": entry.record["id"]})
    input_hash = _hash32(text)
    task_hash = _hash32(str(input_hash), *(f"{s['start']}:{s['end']}:{s['label']}" for s in spans))
    return _encode({
        "text": text,
        "spans": spans,
        "answer": "accept",
        "_input_hash": input_hash,
        "_task_hash": task_hash,
        "meta": {"report": first.revision.report.id, "revision": first.revision.revision, "paragraph": first.paragraph.number},
    }) + "\n"


def _iri_part(value: str) -> str:
    return url_quote(value, safe="")


def w3c_annotation(entry: Entry) -> dict[str, Any]:
    record = entry.record
    start, end, quote = entry.offsets
    text = entry.paragraph.text
    bodies: list[dict[str, Any]] = []

    def body(value: str, purpose: str) -> None:
        if value:
            bodies.append({"type": "TextualBody", "value": value, "format": "text/plain", "purpose": purpose})

    claim, actor = record["claim"], record["actor"]
    if claim:
        body(claim["text"], "describing")
        body(f"claim_type: {claim['type']}", "classifying")
        if claim["claimant"]:
            body(f"claimant: {claim['claimant']}", "tagging")
        if claim["reported_by"]:
            body(f"reported_by: {claim['reported_by']}", "tagging")
    if actor:
        body(actor["name"], "identifying")
        body(f"actor_type: {actor['type']}", "classifying")
        if actor["affiliation"]:
            body(f"affiliation: {actor['affiliation']}", "tagging")
    if record["credibility"]:
        body(f"credibility: {record['credibility']['code']}", "assessing")
    body(record["note"], "commenting")
    if not bodies:
        body(f"kind: {record['kind']}", "classifying")
    annotation: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"urn:claimdesk:annotation:{_iri_part(record['id'])}",
        "type": "Annotation",
        "motivation": "describing" if record["kind"] == "claim" else "identifying",
    }
    if record["reviewer"]:
        annotation["creator"] = {"type": "Person", "nickname": record["reviewer"]}
    if record["created_at"]:
        annotation["created"] = record["created_at"]
    if record["updated_at"]:
        annotation["modified"] = record["updated_at"]
    annotation["body"] = bodies
    annotation["target"] = {
        "source": (
            f"urn:claimdesk:report:{_iri_part(entry.revision.report.id)}:"
            f"{_iri_part(entry.revision.revision)}:paragraph:{entry.paragraph.number}"
        ),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": quote,
                "prefix": text[max(0, start - W3C_CONTEXT_CHARS):start],
                "suffix": text[end:end + W3C_CONTEXT_CHARS],
            },
            {"type": "TextPositionSelector", "start": start, "end": end},
        ],
    }
    return annotation


_CSV_DANGER = ("=", "+", "-", "@", "\t", "\r")
_CSV_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but tab, LF and CR


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (a leading = + - @ tab or CR gets a quote mark
    before it) and that holds no terminal control characters (the store cleans them on the way in;
    this is the second lock)."""
    if value is None:
        return ""
    text = _CSV_CONTROL.sub("\ufffd", str(value))
    return "'" + text if text.startswith(_CSV_DANGER) else text


def csv_row(entry: Entry) -> list[str]:
    r = entry.record
    claim, actor, span = r["claim"] or {}, r["actor"] or {}, r["span"] or {}
    values = (
        r["id"], r["kind"], r["report"]["id"], r["report"]["title"], r["report"]["source"], r["report"]["revision"],
        r["paragraph"]["number"], r["paragraph"]["section"], span.get("start"), span.get("end"), span.get("quote"),
        claim.get("text"), claim.get("type"), claim.get("claimant"), claim.get("reported_by"),
        actor.get("name"), actor.get("type"), "; ".join(actor.get("aliases", ())), actor.get("affiliation"),
        r["credibility"]["code"] if r["credibility"] else None, r["note"],
        r["reviewer"], r["created_at"], r["updated_at"],
    )
    return [csv_cell(v) for v in values]


# brat reads one annotation per line and splits fields on tabs: a span is cut
# into fragments at these characters, and notes have them replaced by spaces.
_BRAT_BREAK = re.compile("[\n\t\u2028\u2029]+")


def brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at line breaks and tabs, with empty pieces dropped."""
    pieces: list[tuple[int, int]] = []
    position = start
    for match in _BRAT_BREAK.finditer(text, start, end):
        if match.start() > position:
            pieces.append((position, match.start()))
        position = match.end()
    if end > position:
        pieces.append((position, end))
    return pieces


def brat_document(revision: Revision) -> tuple[str, dict[int, int]]:
    """The .txt of one revision (title, then paragraphs with their headings, blank lines between)
    and where each paragraph starts in it."""
    title = clean_line(revision.parsed.title)
    parts = [title]
    offset = len(title) + 2
    starts: dict[int, int] = {}
    section = None
    for paragraph in revision.parsed.paragraphs:
        if paragraph.section and paragraph.section != section:
            heading = clean_line(paragraph.section)
            parts.append(heading)
            offset += len(heading) + 2
        section = paragraph.section
        starts[paragraph.number] = offset
        parts.append(paragraph.text)
        offset += len(paragraph.text) + 2
    return "\n\n".join(parts) + "\n", starts


def brat_name(report_id: str, revision: Revision) -> str:
    current = revision.revision == revision.report.revision
    return report_id if current else f"{report_id}@{revision.revision}"


def _one_line(text: str) -> str:
    return _BRAT_BREAK.sub(" ", clean_line(text))


def brat_ann(revision: Revision, entries: list[Entry], starts: dict[int, int], document: str,
             problems: list[str]) -> tuple[str, set[str], int]:
    lines: list[str] = []
    labels: set[str] = set()
    t = n = a = 0
    for entry in entries:
        start, end, _ = entry.offsets
        base = starts[entry.paragraph.number]
        fragments = brat_fragments(document, base + start, base + end)
        if not fragments:
            problems.append(f"report {revision.report.id}: annotation {entry.record['id']} spans only line breaks; not in brat")
            continue
        t += 1
        tag = label(entry.record)
        labels.add(tag)
        offsets = ";".join(f"{s} {e}" for s, e in fragments)
        lines.append(f"T{t}\t{tag} {offsets}\t{' '.join(document[s:e] for s, e in fragments)}")
        record = entry.record
        if record["credibility"]:
            a += 1
            lines.append(f"A{a}\tCredibility T{t} {record['credibility']['code']}")
        facts = [f"id: {record['id']}"]
        if record["claim"]:
            claim = record["claim"]
            facts.append(f"claim: {claim['text']}")
            if claim["claimant"]:
                facts.append(f"claimant: {claim['claimant']}")
            if claim["reported_by"]:
                facts.append(f"reported by: {claim['reported_by']}")
        if record["actor"]:
            facts.append(f"actor: {record['actor']['name']}")
        if record["note"]:
            facts.append(f"note: {record['note']}")
        facts.append(f"reviewer: {record['reviewer']}")
        n += 1
        lines.append(f"#{n}\tAnnotatorNotes T{t}\t{_one_line(' | '.join(facts))}")
    return "".join(line + "\n" for line in lines), labels, t


def brat_conf(labels: set[str]) -> str:
    codes = " | ".join(f"{r}{c}" for r in "ABCDEF?" for c in "123456?" if f"{r}{c}" != "??")
    return (
        "# written by claimdesk export --format brat\n[entities]\n"
        + "".join(f"{name}\n" for name in sorted(labels))
        + "[relations]\n[events]\n[attributes]\n"
        + (f"Credibility Arg:<ENTITY>, Value:{codes}\n" if labels else "")
    )


# ---------------------------------------------------------------------- writing


@dataclass
class ExportResult:
    format: str
    destination: str  # a path, or "-" for standard output
    annotations: int = 0
    reports: int = 0
    lines: int = 0
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def write_stream(db: Any, fmt: str, out: IO[str], selection: Selection = Selection(),
                 on_report: Callable[[Report], None] | None = None, destination: str = "-") -> ExportResult:
    """Write every selected annotation to `out` (a text stream; CSV wants it opened with newline="")."""
    if fmt in FOLDER_FORMATS:
        raise ExportError(f"--format {fmt} writes a folder of files; give -o FOLDER")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {clean_line(fmt)!r}; choose from {', '.join(FORMATS)}")
    reader = Reader(db, selection)
    result = ExportResult(fmt, destination)
    write = out.write
    writer = None
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
    for batch in reader.batches(on_report):
        result.reports += 1
        result.annotations += len(batch.entries)
        if fmt == "jsonl":
            write("".join(map(record_line, batch.entries)))
            result.lines += len(batch.entries)
        elif fmt == "w3c":
            for entry in batch.entries:
                write(_encode(w3c_annotation(entry)) + "\n")
            result.lines += len(batch.entries)
        elif fmt == "csv":
            assert writer is not None
            writer.writerows(csv_row(entry) for entry in batch.entries)
            result.lines += len(batch.entries)
        else:
            make_line = doccano_line if fmt == "doccano" else prodigy_line
            for group in _by_paragraph(batch.entries):
                write(make_line(group))
                result.lines += 1
    result.problems = reader.problems
    return result


def write_brat(db: Any, folder: Path, selection: Selection = Selection(),
               on_report: Callable[[Report], None] | None = None) -> ExportResult:
    """A .txt/.ann pair per report revision into `folder`, and an annotation.conf for brat."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{clean_line(str(folder))} is a file; brat export writes into a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create {clean_line(str(folder))}: {error.strerror or error}") from None
    reader = Reader(db, selection)
    result = ExportResult("brat", str(folder))
    labels: set[str] = set()
    for batch in reader.batches(on_report):
        result.reports += 1
        by_revision: dict[str, list[Entry]] = {}
        for entry in batch.entries:
            by_revision.setdefault(entry.revision.revision, []).append(entry)
        for rev_id, entries in by_revision.items():
            revision = batch.revisions[rev_id]
            document, starts = brat_document(revision)
            ann, used, count = brat_ann(revision, entries, starts, document, reader.problems)
            labels |= used
            name = brat_name(batch.report.id, revision)
            for suffix, payload in ((".txt", document), (".ann", ann)):
                path = folder / f"{name}{suffix}"
                _write_file(path, payload)
                result.files.append(str(path))
            result.annotations += count
            result.lines += ann.count("\n")
    conf = folder / "annotation.conf"
    _write_file(conf, brat_conf(labels))
    result.files.append(str(conf))
    result.problems = reader.problems
    return result


def _write_file(path: Path, payload: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(payload)
    except OSError as error:
        raise ExportError(f"cannot write {clean_line(str(path))}: {error.strerror or error}") from None


def export_to_path(db: Any, fmt: str, path: str | os.PathLike[str], selection: Selection = Selection(),
                   on_report: Callable[[Report], None] | None = None) -> ExportResult:
    """Export into a file (replaced only once the export is complete) or, for brat, a folder."""
    path = Path(path).expanduser()
    if fmt in FOLDER_FORMATS:
        return write_brat(db, path, selection, on_report)
    if path.is_dir():
        raise ExportError(f"{clean_line(str(path))} is a folder; give a file name")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="" if fmt == "csv" else "\n") as handle:
            if fmt == "csv":
                handle.write("\ufeff")  # so that spreadsheets read the file as UTF-8 (Arabic, CJK…)
            result = write_stream(db, fmt, handle, selection, on_report, destination=str(path))
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise ExportError(f"cannot write {clean_line(str(path))}: {error.strerror or error}") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    result.files.append(str(path))
    return result


def default_file_name(fmt: str, report_id: str | None = None) -> str:
    stem = report_id or "claimdesk-export"
    return stem + (SUFFIXES.get(fmt, ".jsonl") or "-brat")


__all__ = [
    "CSV_COLUMNS", "FORMATS", "SCHEMA", "ExportError", "ExportResult", "Reader", "Selection",
    "brat_document", "brat_fragments", "csv_cell", "default_file_name", "export_to_path",
    "parse_time", "schema", "schema_text", "write_brat", "write_stream",
]
