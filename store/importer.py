"""Importing annotations: claimdesk's own JSONL (`claimdesk/2`, `claimdesk/1`), a minimal
pre-annotation form, and doccano's and Prodigy's JSONL exports.

A line with `"schema": "claimdesk/2"` (or `/1`) is a native line (what `claimdesk export`
writes): an annotation, an actor, a paragraph mark or a link between two claims (`record`).
Importing merges: an annotation keeps its id, so the same record never becomes two; when the
database already holds that id, the later `updated_at` wins; the same `updated_at` with
different content is a conflict, reported, and the database's version is kept. A mark is
merged the same way, and so is a link, written once every annotation is in: a link whose
claims are not both in the database (nor earlier in the file) is reported and skipped. An
actor line creates the actor whole when its name is new; a known actor (by name or alias)
keeps its registry entry and only gains what it lacks.

Any other object is the minimal form that pipelines write:

    {"report": "<id or file name>", "quote": "<exact text>", "kind": "claim"|"actor",
     "paragraph": 3, "claim_type": "event", "claimant": "…", "reported_by": "…",
     "credibility": "B2", "actor": "…", "actor_type": "person", "note": "…"}

Only report, quote and kind are required (`start`, an offset in the paragraph,
may pick one of several matches). Types are ids or the labels the UI shows, in any case
("armed group", "Media outlet"). The quote is looked up in the report's current text; its
id is derived from where it is and from who imports it (`--reviewer`), so importing the same
file twice adds nothing, two analysts importing the same span get two annotations, and a
pre-annotation never overwrites an analyst's later edit of it.

With `--format doccano` or `--format prodigy`, each line is one paragraph from that tool
(see `store/interop/returned.py`): spans that come back with the claimdesk record our export
put beside them keep their id and everything the tool cannot hold; a span changed in the
tool updates its annotation unless the database changed it too since the export (a
conflict); a span added in the tool is a new annotation of the importing reviewer.

Actors are named by canonical name or alias (case-insensitive); unknown names
are created. A bad line (not JSON, wrong types, unknown report, quote not
found or ambiguous) is reported with its line number and skipped; the other
lines go in. A file whose first line is not what the format reads (CSV, a brat file, another
tool's JSONL) is refused in one line that says what is read. Lines are written one report at
a time, in one atomic write per report (with the actors they created first), so a failure
part-way (disk full…) stops the import with whole reports in and the rest untouched; the same
import run again completes it.

Every write goes through `Writes`, four calls on the database, so that the import can move to
another writing layer in one place.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from store import vocabulary
from store.db import Plan, clean_actor
from store.errors import ClaimdeskError, StoreError
from store.formats import IMPORT_FORMATS
from store.model import (
    RELATIONS,
    Actor,
    Annotation,
    Claim,
    Credibility,
    Kind,
    Link,
    Mark,
    ParsedReport,
    Report,
    Span,
    now_iso,
)
from store.records import MARK_FIELDS, READABLE_SCHEMAS, SCHEMA, parse_time
from store.session import MAX_NAME, MAX_TEXT
from store.storage import json_problem
from store.text import clean_line, clean_text, counted, has_control

BATCH_LIMIT = 5000  # annotations held before one report's batch is written
MINIMAL_FIELDS = frozenset({
    "report", "quote", "kind", "paragraph", "start", "claim_type", "claimant", "reported_by",
    "credibility", "actor", "actor_type", "note",
})
CLAIM_ONLY = ("claim_type", "claimant", "reported_by")
ACTOR_ONLY = ("actor", "actor_type")
ACCEPTS = (
    "claimdesk import reads JSON Lines (one object per line): claimdesk export lines or the minimal form "
    '{"report", "quote", "kind"}; with --format doccano or --format prodigy, those tools\' JSONL exports'
)


class LineError(ClaimdeskError):
    """This line cannot be imported; the message says why."""


class NotImportable(ClaimdeskError):
    """The file is not in the format being imported (one line saying what is read instead)."""


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    dry_run: bool = False
    lines: int = 0  # non-blank lines read
    added: int = 0
    updated: int = 0  # the file's version was newer
    unchanged: int = 0  # already in the database, identical
    kept: int = 0  # the database's version was newer, or a pre-annotation was already there
    kept_existing: int = 0  # of `kept`: minimal-form lines whose annotation was already imported (the form only adds)
    actors_created: list[str] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0, "kept": 0})
    links: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0, "kept": 0})
    errors: list[Problem] = field(default_factory=list)  # lines not imported
    conflicts: list[Problem] = field(default_factory=list)  # same id, same time, different content
    warnings: list[Problem] = field(default_factory=list)  # imported, but something was ignored or moved
    stopped: str | None = None  # why the import stopped before the end of the file

    @property
    def complete(self) -> bool:
        """Did every line go in (or was already there)?"""
        return not self.errors and not self.conflicts and self.stopped is None


def show(value: Any, limit: int = 60) -> str:
    """A value from the file, safe and short enough for a one-line message."""
    text = clean_line(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# ---------------------------------------------------------------- field checks


# What one line and one field may hold (docs/security.md). A native line carries its paragraph's
# text, so a line may be long; a field that is stored is held to the session's own limits.
MAX_LINE = 8 * 1024 * 1024  # bytes
PARAGRAPH_TEXT = "paragraph.text"  # compared with the stored text, never stored: only the line limit applies
LONG_FIELDS = {"quote", "note", "text"}  # a span's quote, notes, a claim's text: MAX_TEXT; every other string: MAX_NAME


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str = "",
         required: bool = False, default: Any = None) -> Any:
    name = f"{where}{key}"
    if key not in obj or obj[key] is None:
        if required:
            raise LineError(f"{name} is missing")
        return default
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = {str: "a string", int: "a whole number", dict: "an object", list: "a list", bool: "true or false"}
        wanted = " or ".join(names[k] for k in kinds)
        raise LineError(f"{name} must be {wanted}, not {show(value)}")
    if isinstance(value, str) and name != PARAGRAPH_TEXT:
        limit = MAX_TEXT if key in LONG_FIELDS else MAX_NAME
        if len(value) > limit:
            raise LineError(f"{name} is {len(value):,} characters long; the limit is {limit:,}")
    if isinstance(value, list) and len(value) > MAX_NAME:
        raise LineError(f"{name} holds {len(value):,} items; the limit is {MAX_NAME:,}")
    return value


def _provenance(obj: dict[str, Any]) -> dict[str, Any] | None:
    """An adjudicated annotation's provenance, checked and cleaned (docs/adjudication.md); None when the line has none."""
    found = _get(obj, "provenance", dict)
    if found is None:
        return None
    decision = _get(found, "decision", str, "provenance.", required=True)
    if decision not in ("accepted", "took", "edited"):
        raise LineError(f"provenance.decision must be accepted, took or edited, not {show(decision)}")
    sources = []
    for item in _get(found, "sources", list, "provenance.", required=True):
        if not isinstance(item, dict):
            raise LineError(f"provenance.sources must hold objects, not {show(item)}")
        sources.append({"id": clean_line(_get(item, "id", str, "provenance.sources.", required=True)),
                        "reviewer": clean_line(_get(item, "reviewer", str, "provenance.sources.", default=""))})
    based_on = _get(found, "based_on", str, "provenance.")
    return {
        "decision": decision,
        "based_on": clean_line(based_on) if based_on is not None else None,
        "sources": sources,
        "adjudicated_by": clean_line(_get(found, "adjudicated_by", str, "provenance.", default="")),
        "adjudicated_at": _timestamp(found, "adjudicated_at", "provenance.", ""),
    }


def _one_line_name(value: str, name: str) -> str:
    if len(value) > MAX_NAME:
        raise LineError(f"{name} is {len(value):,} characters long; the limit is {MAX_NAME:,}")
    cleaned = clean_line(value)
    if not cleaned:
        raise LineError(f"{name} is empty")
    return cleaned


def _meant(field_name: str, kind: str) -> str:
    """` (did you mean 'claim_type'?)` for an unknown field of the minimal form close to a known one, else ""."""
    import difflib

    if field_name.casefold() == "type":
        meant = "claim_type" if kind == "claim" else "actor_type"
    else:
        spelled = re.sub(r"[\s-]+", "_", field_name.casefold())
        close = difflib.get_close_matches(spelled, sorted(MINIMAL_FIELDS), n=1, cutoff=0.8)
        if not close:
            return ""
        meant = close[0]
    return f" (did you mean {meant!r}?)"


def _kind(value: str | None) -> str:
    if value not in ("claim", "actor"):
        raise LineError(f"kind {show(value)} is not one of claim, actor")
    return value


def _type(value: str | None, name: str, parse: Callable[[str], str]) -> str:
    """A claim or actor type given as its id or its label (any case); "other" when absent."""
    if value is None:
        return "other"
    try:
        return parse(value)
    except ValueError as error:
        raise LineError(f"{name} {clean_line(str(error))}") from None


def _timestamp(obj: dict[str, Any], key: str, where: str, default: str) -> str:
    value = _get(obj, key, str, where)
    if value is None:
        return default
    try:
        return parse_time(value)
    except ValueError:
        raise LineError(f"{where}{key} {show(value)} is not an ISO 8601 time") from None


def _occurrences(text: str, quote: str) -> list[int]:
    found, position = [], text.find(quote)
    while position != -1:
        found.append(position)
        position = text.find(quote, position + 1)
    return found


def minimal_id(report_id: str, revision: str, paragraph: int, start: int, end: int, kind: str, reviewer: str) -> str:
    """A pre-annotation's id: the same place in the same text, imported by the same reviewer, always gives the same id."""
    key = "\x1f".join((report_id, revision, str(paragraph), str(start), str(end), kind, reviewer))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def legacy_minimal_id(report_id: str, revision: str, paragraph: int, start: int, end: int, kind: str) -> str:
    """The id earlier versions gave a pre-annotation (without its reviewer), still recognised on import."""
    key = "\x1f".join((report_id, revision, str(paragraph), str(start), str(end), kind))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def parse_line(text: str) -> Any:
    """One line's JSON; whatever is wrong with it is a LineError (it names the line), never a crash."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"is not JSON ({json_problem(error)} at column {error.colno})") from None
    except RecursionError:
        raise LineError("nests objects or lists too deeply to be a claimdesk line") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise LineError(f"is not JSON claimdesk reads ({clean_line(str(error).split(';')[0])})") from None


# ------------------------------------------------------------- what a file is

_BRAT_LINE = re.compile(r"^[TRAEMN#*]\d*\t")


def refuse_unless_readable(first: bytes, fmt: str) -> None:
    """Raise NotImportable, in one line, when the file's first line shows it is not what `fmt` reads."""
    try:
        text = first.decode("utf-8").removeprefix("\ufeff").strip()
    except UnicodeDecodeError:
        raise NotImportable(f"is not UTF-8 text (a spreadsheet, a PDF?); {ACCEPTS}") from None
    if text.startswith("["):
        raise NotImportable(f"holds a JSON array, not one JSON object per line; {ACCEPTS}")
    if not text.startswith("{"):
        if _BRAT_LINE.match(text):
            what = "looks like brat standoff (.ann)"
        elif "," in text or ";" in text or "\t" in text:
            what = "looks like CSV or TSV"
        else:
            what = "is not JSON Lines"
        raise NotImportable(f"{what}; {ACCEPTS}")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        shape = "pretty-printed JSON" if text == "{" else "not JSON"
        raise NotImportable(f"line 1 is {shape}, not one JSON object per line; {ACCEPTS}") from None
    except (RecursionError, ValueError):
        return  # JSON claimdesk cannot read: reported with its line number, like any other bad line
    if not isinstance(obj, dict):
        return
    own = "schema" in obj
    if fmt != "jsonl" and own:
        raise NotImportable("is claimdesk's own export: import it without --format")
    if fmt == "jsonl" and not own:
        if "@context" in obj or obj.get("type") == "Annotation":
            raise NotImportable(f"is W3C Web Annotation, which claimdesk exports but does not read back; {ACCEPTS}")
        if "text" in obj and ("spans" in obj or "tokens" in obj or "_input_hash" in obj):
            raise NotImportable("looks like Prodigy tasks: import it with --format prodigy")
        if "text" in obj and ("label" in obj or "entities" in obj or "cats" in obj):
            raise NotImportable("looks like a doccano export: import it with --format doccano")


# ------------------------------------------------------------------- the plan


@dataclass
class ActorRef:
    """An actor named by a line, resolved (and created if unknown) only once the line is valid."""

    name: str
    type: str | None = None
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None
    note: str = ""
    reviewer: str | None = None
    times: tuple[str, str, str] | None = None  # an actor line's created_at, updated_at, updated_by


@dataclass
class Planned:
    """A valid annotation line: the annotation it makes, minus the actor ids it still has to resolve."""

    report: Report
    annotation: Annotation
    native: bool
    claimant: ActorRef | None = None
    reported_by: ActorRef | None = None
    actor: ActorRef | None = None
    base: str | None = None  # changed in another tool: the updated_at it was exported with


@dataclass
class PlannedActor:
    ref: ActorRef


@dataclass
class PlannedMark:
    report: Report
    mark: Mark


@dataclass
class PlannedLink:
    link: Link


@dataclass
class Batch:
    report_id: str
    existing: dict[str, dict[str, Any]]  # stored documents by annotation id
    changes: dict[str, Annotation] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    tally: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0})
    existing_marks: dict[int, Mark] | None = None
    marks: dict[int, Mark] = field(default_factory=dict)
    mark_tally: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0})


_COMPARED_WITHOUT_TIME = ("created_at", "updated_at", "reviewer")


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored annotation as its export shows it: what two versions must share to be the same."""
    view = {k: v for k, v in doc.items() if k not in ("rev", "updated_by")}  # the store's bookkeeping, not content
    view["orphaned"] = bool(doc.get("orphaned"))  # whether it needs a look, not the details of why
    span = view.get("span")
    if isinstance(span, dict):
        view["span"] = {k: span.get(k) for k in ("start", "end", "quote")}  # the context around it is derived
    cred = view.get("credibility")
    if not cred or (cred.get("reliability") is None and cred.get("credibility") is None):
        view["credibility"] = None
    if view.get("kind") == "claim":
        view["actor_id"] = None
    else:
        view["claim"] = None
    return view


class Writes:
    """The database calls an import writes through (`Database.commit`, below the session: an import
    keeps the times and names a file gives, and has no undo); reads use the Database's read methods."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def save_actor(self, actor: Actor) -> None:
        self.db.commit([Plan("actor", actor.id, None, clean_actor(actor).to_dict())])

    def add_actor(self, actor: Actor) -> str:
        """Add a new actor, unless another process registered one of that name meanwhile: the id now registered."""
        registered, _ = self.db.add_actor_unless_named(actor)
        return registered.id

    def delete_actor(self, actor_id: str) -> None:
        self.db.commit([Plan("actor", actor_id, None, None)])

    def save_annotations(self, report_id: str, annotations: Iterable[Annotation]) -> None:
        self.db.save_annotations(report_id, annotations)

    def save_marks(self, report_id: str, marks: Iterable[Mark]) -> None:
        """Paragraph marks as given (who marked them and when kept)."""
        self.db.commit([Plan("mark", str(mark.paragraph), report_id, mark.to_dict()) for mark in marks])

    def save_links(self, links: Iterable[Link]) -> None:
        """Links between claims as given (who made them and when kept)."""
        self.db.commit([Plan("link", link.id, None, link.to_dict()) for link in links])


class Importer:
    def __init__(self, db: Any, dry_run: bool = False, fmt: str = "jsonl") -> None:
        if fmt not in IMPORT_FORMATS:
            raise ClaimdeskError(f"unknown import format {clean_line(fmt)!r}; choose from {', '.join(IMPORT_FORMATS)}")
        self.db = db
        self.fmt = fmt
        self.writes = Writes(db)
        self.result = ImportResult(dry_run=dry_run)
        self.now = now_iso()
        self._reports: dict[str, Report | None] = {}
        self._texts: tuple[str, dict[str, ParsedReport]] | None = None
        self.actors: dict[str, Actor] = {}
        self._names: dict[str, str] = {}  # casefolded name or alias → actor id
        for actor in db.actors():
            self._know(actor)
        self._new_actors: dict[str, Actor] = {}  # created or changed, not yet saved
        self._created: set[str] = set()
        self.batch: Batch | None = None
        self._links: dict[str, tuple[Link, int]] = {}  # link lines, written once every annotation is in
        self._claims: dict[str, set[str]] = {}  # report id → its claim ids (the ends a link may name)
        self._claims_here: set[str] = set()  # a dry run: claims of this file that would be written

    # ------------------------------------------------------------- running

    def run(self, lines: Iterable[bytes], on_bytes: Callable[[int], None] | None = None) -> ImportResult:
        for number, raw in enumerate(lines, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            if self.result.stopped:
                break
            if not raw.strip():
                continue
            if self.result.lines == 0:
                refuse_unless_readable(raw, self.fmt)
            self.result.lines += 1
            try:
                for item in self.plan(raw, number):
                    self.merge(item, number)
            except LineError as error:
                self.result.errors.append(Problem(number, str(error)))
        self.flush()
        if not self.result.stopped:
            self.flush_links()
        return self.result

    def plan(self, raw: bytes, number: int) -> list[Planned | PlannedActor | PlannedMark | PlannedLink]:
        if len(raw) > MAX_LINE:
            raise LineError(f"is {len(raw):,} bytes long; the limit for one line is {MAX_LINE:,}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LineError(f"is not UTF-8 text (byte {error.start})") from None
        if number == 1:
            text = text.removeprefix("\ufeff")
        obj = parse_line(text)
        if not isinstance(obj, dict):
            raise LineError(f"is JSON but not an object: {show(obj)}")
        if self.fmt != "jsonl":
            return list(self.returned(obj, number))
        if "schema" in obj:
            if obj["schema"] not in READABLE_SCHEMAS:
                raise LineError(f"schema {show(obj['schema'])} is not {' or '.join(repr(s) for s in READABLE_SCHEMAS)}")
            record = obj.get("record", "annotation") if obj["schema"] == SCHEMA else "annotation"
            if record == "actor":
                return [self.actor_record(obj)]
            if record == "mark":
                return [self.mark(obj)]
            if record == "link":
                return [self.link(obj)]
            if record != "annotation":
                raise LineError(f"record {show(record)} is not one of annotation, actor, mark, link")
            return [self.native(obj)]
        return [self.minimal(obj, number)]

    # --------------------------------------------------------------- lookups

    def report(self, key: str) -> Report | None:
        if key not in self._reports:
            self._reports[key] = self.db.find_report(key)
        return self._reports[key]

    def texts(self, report: Report) -> dict[str, ParsedReport]:
        if self._texts is None or self._texts[0] != report.id:
            self._texts = (report.id, self.db.revision_texts(report.id))
        return self._texts[1]

    def _know(self, actor: Actor) -> None:
        self.actors[actor.id] = actor
        for name in actor.names:
            self._names.setdefault(name.casefold(), actor.id)

    def resolve(self, ref: ActorRef | None) -> str | None:
        """The id of the actor a line names: found by name or alias, enriched, or created."""
        if ref is None:
            return None
        own = ref.affiliation is not None and ref.affiliation.casefold() == ref.name.casefold()
        affiliation = self.resolve(ActorRef(ref.affiliation)) if ref.affiliation and not own else None
        actor_id = self._names.get(ref.name.casefold())
        if actor_id is None:
            actor = self.db.new_actor(ref.name, ref.type or "other", aliases=ref.aliases, affiliation=affiliation, note=ref.note)
            created, updated, by = ref.times or (self.now, self.now, self.db.reviewer)
            actor = actor.evolve(reviewer=ref.reviewer or actor.reviewer, created_at=created, updated_at=updated, updated_by=by)
            self._created.add(actor.id)
        else:
            old = self.actors[actor_id]
            aliases = tuple(dict.fromkeys([*old.aliases, *(a for a in ref.aliases if a != old.name)]))
            actor = old.evolve(
                type=ref.type if old.type == "other" and ref.type else old.type,
                aliases=aliases,
                affiliation=old.affiliation or (affiliation if affiliation != old.id else None),
                note=old.note or ref.note,
            )
            if actor == old:
                return old.id
            actor = actor.evolve(updated_at=self.now, updated_by=self.db.reviewer)
        self._new_actors[actor.id] = actor
        self._know(actor)
        return actor.id

    def _actor_ref(self, value: Any, name: str) -> ActorRef | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise LineError(f"{name} must be a string (an actor's name), not {show(value)}")
        return ActorRef(_one_line_name(value, name))

    def _actor_object(self, obj: dict[str, Any], where: str) -> ActorRef:
        aliases = _get(obj, "aliases", list, where, default=[])
        if not all(isinstance(a, str) for a in aliases):
            raise LineError(f"{where}aliases must be a list of strings")
        affiliation = self._actor_ref(obj.get("affiliation"), f"{where}affiliation")
        return ActorRef(
            name=_one_line_name(_get(obj, "name", str, where, required=True), f"{where}name"),
            type=_type(_get(obj, "type", str, where), f"{where}type", vocabulary.actor_type),
            aliases=tuple(a for a in (clean_line(x) for x in aliases) if a),
            affiliation=affiliation.name if affiliation else None,
        )

    # ------------------------------------------------------------ native form

    def _report_of(self, obj: dict[str, Any]) -> Report:
        report_obj = _get(obj, "report", dict, required=True)
        report_key = _get(report_obj, "id", str, "report.", required=True)
        source = _get(report_obj, "source", str, "report.")
        report = self.report(report_key) or (self.report(source) if source else None)
        if report is None:
            raise LineError(f"report {show(report_key)} is not in this database (add the report file first)")
        return report

    def native(self, obj: dict[str, Any]) -> Planned:
        annotation_id = _get(obj, "id", str, required=True)
        if not annotation_id.strip() or len(annotation_id) > 200 or has_control(annotation_id):
            raise LineError(f"id {show(annotation_id)} is not a usable id")
        kind = _kind(_get(obj, "kind", str, required=True))
        report = self._report_of(obj)
        paragraph_obj = _get(obj, "paragraph", dict, required=True)
        number = _get(paragraph_obj, "number", int, "paragraph.", required=True)
        text = _get(paragraph_obj, "text", str, "paragraph.", required=True)
        revision_hint = _get(obj["report"], "revision", str, "report.")
        revision, number, paragraph_text = self.anchor(report, revision_hint, number, clean_text(text))

        span = None
        span_obj = _get(obj, "span", dict)
        if span_obj is not None:
            start = _get(span_obj, "start", int, "span.", required=True)
            end = _get(span_obj, "end", int, "span.", required=True)
            quote = _get(span_obj, "quote", str, "span.", required=True)
            span = self.locate(paragraph_text, start, end, clean_text(quote), number)

        claim, claimant, reported_by = None, None, None
        claim_obj = _get(obj, "claim", dict)
        if claim_obj is not None and kind == "claim":
            claim = Claim(
                text=_get(claim_obj, "text", str, "claim.", default=""),
                type=_type(_get(claim_obj, "type", str, "claim."), "claim.type", vocabulary.claim_type),
            )
            claimant = self._actor_ref(claim_obj.get("claimant"), "claim.claimant")
            reported_by = self._actor_ref(claim_obj.get("reported_by"), "claim.reported_by")

        actor = None
        actor_obj = _get(obj, "actor", dict)
        if actor_obj is not None and kind == "actor":
            actor = self._actor_object(actor_obj, "actor.")

        credibility = None
        cred_obj = _get(obj, "credibility", dict)
        if cred_obj is not None:
            reliability = _get(cred_obj, "reliability", str, "credibility.")
            grade = _get(cred_obj, "credibility", int, "credibility.")
            try:
                credibility = Credibility(reliability, grade)
            except ValueError as error:
                raise LineError(f"credibility: {error}") from None
            code = _get(cred_obj, "code", str, "credibility.")
            if code is not None and code != credibility.code:
                raise LineError(f"credibility.code {show(code)} does not match its grades ({credibility.code})")
            credibility = credibility if credibility.is_set else None

        created_at = _timestamp(obj, "created_at", "", self.now)
        annotation = Annotation(
            id=annotation_id,
            kind=Kind(kind),
            report_id=report.id,
            revision=revision,
            paragraph=number,
            span=span,
            claim=claim,
            credibility=credibility,
            note=clean_text(_get(obj, "note", str, default="")),
            reviewer=clean_line(_get(obj, "reviewer", str, default="")) or self.db.reviewer,
            created_at=created_at,
            updated_at=_timestamp(obj, "updated_at", "", created_at),
        )
        reviewer = annotation.reviewer
        orphaned = None
        if _get(obj, "orphaned", bool, default=False):  # its place in a newer revision was not found: it still needs a look
            orphaned = {"revision": report.revision, "reason": "exported as needing a look", "near": None, "at": self.now}
        annotation = annotation.evolve(updated_by=clean_line(_get(obj, "updated_by", str, default="")) or reviewer,
                                       provenance=_provenance(obj), orphaned=orphaned)
        return Planned(report, annotation, True, claimant, reported_by, actor)

    def actor_record(self, obj: dict[str, Any]) -> PlannedActor:
        ref = self._actor_object(obj, "")
        ref.note = clean_text(_get(obj, "note", str, default=""))
        ref.reviewer = clean_line(_get(obj, "reviewer", str, default="")) or None
        created = _timestamp(obj, "created_at", "", self.now)
        ref.times = (created, _timestamp(obj, "updated_at", "", created),
                     clean_line(_get(obj, "updated_by", str, default="")) or ref.reviewer or self.db.reviewer)
        return PlannedActor(ref)

    def mark(self, obj: dict[str, Any]) -> PlannedMark:
        report = self._report_of(obj)
        paragraph_obj = _get(obj, "paragraph", dict, required=True)
        number = _get(paragraph_obj, "number", int, "paragraph.", required=True)
        text = clean_text(_get(paragraph_obj, "text", str, "paragraph.", required=True))
        revision, number, _ = self.anchor(report, _get(obj["report"], "revision", str, "report."), number, text)
        if revision != report.revision:
            raise LineError(f"paragraph {number} has changed since it was marked (its text is not the report's current text); "
                            "mark not imported")
        fields: dict[str, Any] = {}
        for key in MARK_FIELDS:
            if key in ("reviewed", "flagged", "changed_since_review"):
                value = obj.get(key, False)
                if not isinstance(value, bool):
                    raise LineError(f"{key} must be true or false, not {show(value)}")
                fields[key] = value
            elif key.endswith("_at"):
                fields[key] = _timestamp(obj, key, "", "") if obj.get(key) else ""
            else:
                fields[key] = clean_line(_get(obj, key, str, default=""))
        mark = Mark(number, **fields)
        if mark.is_blank:
            raise LineError("the mark says neither reviewed, flagged nor changed since review")
        return PlannedMark(report, mark.evolve(updated_at=mark.updated_at or self.now))

    def link(self, obj: dict[str, Any]) -> PlannedLink:
        link_id = clean_line(_get(obj, "id", str, required=True))
        if not link_id:
            raise LineError("id is empty")
        ends = []
        for side in ("from", "to"):
            end = _get(obj, side, dict, required=True)
            ends.append((clean_line(_get(end, "report_id", str, f"{side}.", required=True)),
                         clean_line(_get(end, "annotation_id", str, f"{side}.", required=True))))
        relation = _get(obj, "relation", str, required=True)
        if relation not in RELATIONS:
            raise LineError(f"relation {show(relation)} is not one of {', '.join(RELATIONS)}")
        if ends[0][1] == ends[1][1]:
            raise LineError("a claim cannot be linked to itself")
        reviewer = clean_line(_get(obj, "reviewer", str, default="")) or self.db.reviewer
        created = _timestamp(obj, "created_at", "", self.now)
        return PlannedLink(Link(
            id=link_id, from_report=ends[0][0], from_claim=ends[0][1], to_report=ends[1][0], to_claim=ends[1][1],
            relation=relation, note=clean_text(_get(obj, "note", str, default="")), reviewer=reviewer,
            created_at=created, updated_at=_timestamp(obj, "updated_at", "", created),
            updated_by=clean_line(_get(obj, "updated_by", str, default="")) or reviewer,
        ))

    def anchor(self, report: Report, revision: str | None, number: int, text: str) -> tuple[str, int, str]:
        """The revision and paragraph of this database that hold the record's paragraph text."""
        texts = self.texts(report)
        order = [r for r in dict.fromkeys([revision, report.revision, *reversed(report.revisions)]) if r in texts]
        for rev in order:
            paragraphs = texts[rev].paragraphs
            if 1 <= number <= len(paragraphs) and paragraphs[number - 1].text == text:
                return rev, number, text
        if report.revision in texts:
            moved = [p.number for p in texts[report.revision].paragraphs if p.text == text]
            if len(moved) == 1:
                return report.revision, moved[0], text
        raise LineError(
            f"paragraph {number} of report {report.id} does not have this text in any revision in the database "
            "(add the report's file as it was annotated)"
        )

    @staticmethod
    def locate(text: str, start: int, end: int, quote: str, number: int) -> Span:
        if 0 <= start < end <= len(text) and text[start:end] == quote:
            return Span.of(text, start, end)
        if not quote:
            raise LineError("span.quote is empty")
        found = _occurrences(text, quote)
        if len(found) == 1:
            return Span.of(text, found[0], found[0] + len(quote))
        where = f"paragraph {number}"
        if not found:
            raise LineError(f"span.quote {show(quote)} is not in {where}")
        raise LineError(f"span {start}-{end} does not hold its quote, which occurs {len(found)} times in {where}")

    # ----------------------------------------------------------- minimal form

    def minimal(self, obj: dict[str, Any], number: int) -> Planned:
        report_key = _get(obj, "report", str, required=True)
        quote = clean_text(_get(obj, "quote", str, required=True))
        if not quote:
            raise LineError("quote is empty")
        kind = _kind(_get(obj, "kind", str, required=True))
        wanted = _get(obj, "paragraph", int)
        wanted_start = _get(obj, "start", int)
        claim_type = _type(_get(obj, "claim_type", str), "claim_type", vocabulary.claim_type)
        actor_type = _type(_get(obj, "actor_type", str), "actor_type", vocabulary.actor_type)
        code = _get(obj, "credibility", str)
        note = clean_text(_get(obj, "note", str, default=""))
        credibility = None
        if code is not None:
            try:
                credibility = Credibility.parse(code)
            except ValueError as error:
                raise LineError(str(error)) from None
        claimant = self._actor_ref(obj.get("claimant"), "claimant")
        reported_by = self._actor_ref(obj.get("reported_by"), "reported_by")
        named = self._actor_ref(obj.get("actor"), "actor")

        report = self.report(report_key)
        if report is None:
            raise LineError(f"report {show(report_key)} is not in this database (add the report file first)")
        paragraphs = self.texts(report)[report.revision].paragraphs
        if wanted is not None and not 1 <= wanted <= len(paragraphs):
            raise LineError(f"paragraph {wanted} is not in report {report.id} (it has {len(paragraphs)})")
        candidates = [
            (p.number, start)
            for p in (paragraphs if wanted is None else (paragraphs[wanted - 1],))
            for start in _occurrences(p.text, quote)
            if wanted_start is None or start == wanted_start
        ]
        where = f"paragraph {wanted}" if wanted is not None else f"report {report.id}"
        if not candidates:
            at = f" at offset {wanted_start}" if wanted_start is not None else ""
            raise LineError(f"quote {show(quote)} is not in {where}{at}")
        if len(candidates) > 1:
            places = ", ".join(str(n) for n in dict.fromkeys(n for n, _ in candidates))
            hint = '"start" (its offset in the paragraph)' if wanted is not None else '"paragraph"'
            raise LineError(f"quote {show(quote)} occurs {len(candidates)} times (paragraph {places}); give {hint}")
        paragraph, start = candidates[0]
        ignored = [k for k in (ACTOR_ONLY if kind == "claim" else CLAIM_ONLY) if obj.get(k) is not None]
        unknown = sorted(k for k in obj if k not in MINIMAL_FIELDS)
        if ignored:
            self.result.warnings.append(Problem(number, f"{', '.join(ignored)} ignored for a kind {kind!r} line"))
        if unknown:
            fields = ", ".join(show(k, 30) + _meant(k, kind) for k in unknown)
            self.result.warnings.append(Problem(number, f"unknown field{'s' if len(unknown) != 1 else ''} ignored: {fields}"))
        end = start + len(quote)
        annotation = Annotation(
            id=self._minimal_id(report, paragraph, start, end, kind),
            kind=Kind(kind),
            report_id=report.id,
            revision=report.revision,
            paragraph=paragraph,
            span=Span.of(paragraphs[paragraph - 1].text, start, end),
            claim=Claim(quote, claim_type) if kind == "claim" else None,
            credibility=credibility,
            note=note,
            reviewer=self.db.reviewer,
            created_at=self.now,
            updated_at=self.now,
            updated_by=self.db.reviewer,
        )
        if kind == "claim":
            return Planned(report, annotation, False, claimant=claimant, reported_by=reported_by)
        name = named.name if named else clean_line(quote)
        if not name:
            raise LineError('the quote has no text to name an actor by; give "actor"')
        return Planned(report, annotation, False, actor=ActorRef(name, actor_type))

    def _minimal_id(self, report: Report, paragraph: int, start: int, end: int, kind: str) -> str:
        """This reviewer's id for a pre-annotation; the id earlier versions gave it when this reviewer already holds that one."""
        new = minimal_id(report.id, report.revision, paragraph, start, end, kind, self.db.reviewer)
        existing = self._batch_for(report.id).existing
        if new not in existing:
            old = legacy_minimal_id(report.id, report.revision, paragraph, start, end, kind)
            if existing.get(old, {}).get("reviewer") == self.db.reviewer:
                return old
        return new

    # --------------------------------------- doccano and Prodigy, coming back

    def returned(self, obj: dict[str, Any], number: int) -> list[Planned | PlannedActor | PlannedMark]:
        from store.interop import doccano, prodigy
        from store.interop.returned import ReturnError, match, unmatched

        if self.fmt == "prodigy" and obj.get("answer", "accept") != "accept":
            self.result.warnings.append(Problem(number, f"task answered {show(obj.get('answer'), 20)} in Prodigy; not imported"))
            return []
        try:
            task = (doccano if self.fmt == "doccano" else prodigy).read_line(obj)
        except ReturnError as error:
            raise LineError(str(error)) from None
        if task.report is None:
            raise LineError("does not say which report it comes from (no report and paragraph: was it exported by claimdesk?)")
        report = self.report(task.report)
        if report is None:
            raise LineError(f"report {show(task.report)} is not in this database (add the report file first)")
        text = clean_text(task.text)
        revision, paragraph, _ = self.anchor(report, task.revision, task.paragraph or 0, text)
        pairs = [(span, record if record is not None and record.get("kind") == span.kind else None) for span, record in match(task)]
        lost = unmatched(task, pairs)
        if lost:
            ids = ", ".join(show(r.get("id"), 36) for r in lost[:3])
            self.result.warnings.append(Problem(number, (
                f"{counted(len(lost), 'annotation')} exported with this paragraph did not come back ({ids}); "
                "the database keeps them (an import never deletes)"
            )))
        report_obj = {"id": report.id, "revision": revision}
        paragraph_obj = {"number": paragraph, "text": text}
        built: dict[Any, tuple[dict[str, Any], dict[str, Any] | None]] = {}
        order: list[Any] = []
        for index, (span, record) in enumerate(pairs):
            quote = text[span.start:span.end] if span.start is not None else text
            line = {
                "schema": SCHEMA, "id": "", "kind": span.kind, "report": report_obj, "paragraph": paragraph_obj,
                "span": {"start": span.start, "end": span.end, "quote": quote} if span.start is not None else None,
                "claim": None, "actor": None, "credibility": None, "note": "",
                "reviewer": self.db.reviewer, "created_at": self.now, "updated_at": self.now,
            }
            if record is not None:
                for name in ("id", "credibility", "note", "reviewer", "created_at", "updated_at", "updated_by"):
                    if record.get(name) is not None:
                        line[name] = record[name]
                line["claim"] = dict(record["claim"]) if span.kind == "claim" and isinstance(record.get("claim"), dict) else None
                line["actor"] = dict(record["actor"]) if span.kind == "actor" and isinstance(record.get("actor"), dict) else None
            else:
                start, end = (span.start, span.end) if span.start is not None and span.end is not None else (-1, len(text))
                line["id"] = self._minimal_id(report, paragraph, start, end, span.kind)
            if span.kind == "claim":
                line["claim"] = line["claim"] or {"text": clean_text(quote), "claimant": None, "reported_by": None}
                line["claim"]["type"] = span.type
            else:
                line["actor"] = line["actor"] or {"name": clean_line(quote)[:200], "aliases": [], "affiliation": None}
                line["actor"].setdefault("type", span.type)
                if line["actor"].get("type") == "other":
                    line["actor"]["type"] = span.type
            key = span.key if span.key is not None else ("#", index)
            built[key] = (line, record)
            order.append(key)
        for relation, source, target in task.relations:
            if source not in built or target not in built:
                continue
            (claim_line, _), (mention_line, _) = built[source], built[target]
            actor = mention_line.get("actor")
            if actor is None:
                continue
            if relation in ("Claimant", "ReportedBy") and claim_line.get("claim") is not None:
                claim_line["claim"]["claimant" if relation == "Claimant" else "reported_by"] = actor["name"]
            elif relation == "Affiliation" and claim_line.get("actor") is not None and not claim_line["actor"].get("affiliation"):
                claim_line["actor"]["affiliation"] = actor["name"]
        planned: list[Planned | PlannedActor | PlannedMark] = []
        for key in order:
            line, record = built[key]
            if record is not None and self._changed(line, record):
                line["updated_at"], line["updated_by"] = self.now, self.db.reviewer  # the annotation stays its reviewer's
                item = self.native(line)
                item.base = str(record.get("updated_at", ""))
            else:
                item = self.native(line)
                item.native = record is not None
            planned.append(item)
        return planned

    @staticmethod
    def _changed(line: dict[str, Any], record: dict[str, Any]) -> bool:
        """Was this annotation changed in the other tool (its span, its type, its claimant or reported-by)?"""
        span = line["span"] or {}
        if (span.get("start"), span.get("end")) != (record.get("start"), record.get("end")):
            return True
        if line["claim"] is not None:
            before = record.get("claim") or {}
            return any(line["claim"].get(k) != before.get(k) for k in ("type", "claimant", "reported_by"))
        before = record.get("actor") or {}
        return line["actor"].get("affiliation") != before.get("affiliation")

    # ---------------------------------------------------------------- merging

    def merge(self, item: Planned | PlannedActor | PlannedMark | PlannedLink, number: int) -> None:
        if isinstance(item, PlannedLink):
            self._links[item.link.id] = (item.link, number)  # the last line of a link id wins
            return
        if isinstance(item, PlannedActor):
            if self.batch is not None:
                self.flush()  # an actor line starts a report's part of an export: its actors go with that report
            self.resolve(item.ref)
            return
        if isinstance(item, PlannedMark):
            self._merge_mark(item, number)
            return
        planned = item
        batch = self._batch_for(planned.report.id)
        incoming = planned.annotation
        current = batch.changes.get(incoming.id)
        stored = current.to_dict() if current is not None else batch.existing.get(incoming.id)
        outcome = self._outcome(planned, stored, number)
        if outcome is None:
            return
        changes: dict[str, Any] = {"actor_id": self.resolve(planned.actor)}
        if incoming.claim is not None:
            changes["claim"] = Claim(
                clean_text(incoming.claim.text), incoming.claim.type,
                self.resolve(planned.claimant), self.resolve(planned.reported_by),
            )
        batch.changes[incoming.id] = incoming.evolve(**changes)
        if self.result.dry_run and incoming.kind is Kind.CLAIM:
            self._claims_here.add(incoming.id)
        batch.lines.append(number)
        if current is None:
            batch.tally[outcome] += 1
        if len(batch.changes) >= BATCH_LIMIT:
            self.flush()

    def _merge_mark(self, planned: PlannedMark, number: int) -> None:
        batch = self._batch_for(planned.report.id)
        if batch.existing_marks is None:
            batch.existing_marks = self.db.marks(planned.report.id)
        incoming = planned.mark
        paragraph = incoming.paragraph
        stored = batch.marks.get(paragraph) or batch.existing_marks.get(paragraph)
        tally = self.result.marks
        if stored is not None:
            ours, theirs = stored.updated_at, incoming.updated_at
            if stored.evolve(rev=0) == incoming.evolve(rev=0):
                tally["unchanged"] += 1
                return
            if theirs < ours:
                tally["kept"] += 1
                return
            if theirs == ours:
                self.result.conflicts.append(Problem(number, (
                    f"the mark of paragraph {paragraph} of report {planned.report.id} differs from the database's, "
                    f"changed at the same time ({ours}); the database's mark is kept"
                )))
                return
        if paragraph not in batch.marks:
            batch.mark_tally["updated" if stored is not None else "added"] += 1
        batch.marks[paragraph] = incoming
        batch.lines.append(number)

    def _outcome(self, planned: Planned, stored: dict[str, Any] | None, number: int) -> str | None:
        """"added" or "updated" to write the line; None when the database keeps what it has."""
        if stored is None:
            return "added"
        incoming = comparable(self._resolved_view(planned))
        stored = comparable(stored)
        if planned.base is not None:
            return self._outcome_since(planned, incoming, stored, number)
        if planned.native:
            if incoming == stored:
                self.result.unchanged += 1
                return None
            ours, theirs = str(stored.get("updated_at", "")), incoming["updated_at"]
            if theirs > ours:
                return "updated"
            if theirs < ours:
                self.result.kept += 1
                return None
            self.result.conflicts.append(Problem(number, (
                f"annotation {planned.annotation.id} differs from the database's, changed at the same time "
                f"({ours}) by {show(stored.get('reviewer', ''), 30)} there and {show(incoming['reviewer'], 30)} here; "
                "the database's version is kept"
            )))
            return None
        same = all(incoming.get(k) == stored.get(k) for k in incoming if k not in _COMPARED_WITHOUT_TIME)
        if same:
            self.result.unchanged += 1
        else:
            self.result.kept += 1  # the minimal form only adds: it never overwrites what is there (an analyst's edit)
            self.result.kept_existing += 1
        return None

    def _outcome_since(self, planned: Planned, incoming: dict[str, Any], stored: dict[str, Any], number: int) -> str | None:
        """An annotation changed in another tool since it was exported at `planned.base`."""
        if all(incoming.get(k) == stored.get(k) for k in incoming if k not in _COMPARED_WITHOUT_TIME):
            self.result.unchanged += 1
            return None
        if str(stored.get("updated_at", "")) <= str(planned.base):
            return "updated"
        self.result.conflicts.append(Problem(number, (
            f"annotation {planned.annotation.id} was changed both in the database (at {stored.get('updated_at')}, by "
            f"{show(stored.get('reviewer', ''), 30)}) and in {self.fmt} since it was exported; the database's version is kept"
        )))
        return None

    def _resolved_view(self, planned: Planned) -> dict[str, Any]:
        """The incoming annotation as the database would store it, actors looked up without creating any."""

        def lookup(ref: ActorRef | None) -> str | None:
            return None if ref is None else self._names.get(ref.name.casefold(), f"<new {ref.name}>")

        annotation = planned.annotation
        claim = annotation.claim
        if claim is not None:
            claim = Claim(clean_text(claim.text), claim.type, lookup(planned.claimant), lookup(planned.reported_by))
        return annotation.evolve(claim=claim, actor_id=lookup(planned.actor)).to_dict()

    def _batch_for(self, report_id: str) -> Batch:
        if self.batch is not None and self.batch.report_id != report_id:
            self.flush()
        if self.batch is None:
            existing = {doc.get("id"): doc for doc in self.db.annotation_documents(report_id)}
            self.batch = Batch(report_id, existing)
        return self.batch

    def flush(self) -> None:
        """Write the current report's batch: its new actors first, then its annotations in one atomic
        write, then its paragraph marks. Actors named by no annotation of the batch are written too."""
        batch, self.batch = self.batch, None
        has_work = batch is not None and (batch.changes or batch.marks)
        if not has_work and not self._new_actors:
            return
        actors, self._new_actors = list(self._new_actors.values()), {}
        if not self.result.dry_run:
            saved: list[str] = []
            try:
                renamed: dict[str, str] = {}
                for actor in actors:
                    if actor.id in self._created:
                        registered = self.writes.add_actor(_repointed(actor, renamed))
                        if registered != actor.id:  # another import or analyst registered that name meanwhile
                            renamed[actor.id] = registered
                            self._created.discard(actor.id)
                            self._adopt(actor, registered)
                            continue
                    else:
                        self.writes.save_actor(_repointed(actor, renamed))
                    saved.append(actor.id)
                if batch is not None and renamed:
                    batch.changes = {key: _repoint_all(a, renamed) for key, a in batch.changes.items()}
                if batch is not None and batch.changes:
                    self.writes.save_annotations(batch.report_id, batch.changes.values())
                if batch is not None and batch.marks:
                    self.writes.save_marks(batch.report_id, [batch.marks[n] for n in sorted(batch.marks)])
            except StoreError as error:
                lines = batch.lines if batch is not None and batch.lines else [self.result.lines]
                first, last = min(lines), max(lines)
                self._undo_created(saved, first)
                where = f" (report {batch.report_id})" if batch is not None else ""
                self.result.stopped = (
                    f"lines {first}-{last}{where} could not be written: {clean_line(str(error))}; "
                    "the lines before them are imported, the rest are not — run the same import again once this is fixed"
                )
                return
        self.result.actors_created += [a.name for a in actors if a.id in self._created]
        if batch is not None:
            self.result.added += batch.tally["added"]
            self.result.updated += batch.tally["updated"]
            self.result.marks["added"] += batch.mark_tally["added"]
            self.result.marks["updated"] += batch.mark_tally["updated"]

    def _adopt(self, actor: Actor, registered: str) -> None:
        """Later lines of this import name the actor another process registered, not the one we would have added."""
        self.actors.pop(actor.id, None)
        for name in actor.names:
            if self._names.get(name.casefold()) == actor.id:
                self._names[name.casefold()] = registered

    def _is_claim(self, report_id: str, claim_id: str) -> bool:
        if claim_id in self._claims_here:
            return True
        if report_id not in self._claims:
            report = self.report(report_id)
            docs = self.db.annotation_documents(report.id) if report is not None else []
            self._claims[report_id] = {d["id"] for d in docs if isinstance(d, dict) and d.get("kind") == "claim"
                                       and isinstance(d.get("id"), str)}
        return claim_id in self._claims[report_id]

    def flush_links(self) -> None:
        """Write the link lines, once every annotation of the file is in: merged like annotations (the later
        updated_at wins); a link whose two claims are not both in the database is reported and skipped."""
        if not self._links:
            return
        stored = {link.id: link for link in self.db.links()}
        same_ends = {(link.from_claim, link.to_claim, link.relation, link.reviewer): link.id for link in stored.values()}
        tally = self.result.links
        planned: list[tuple[Link, int]] = []
        for link, number in self._links.values():
            missing = [claim for report, claim in ((link.from_report, link.from_claim), (link.to_report, link.to_claim))
                       if not self._is_claim(report, claim)]
            if missing:
                self.result.errors.append(Problem(number, (
                    f"link {link.id}: claim {', '.join(missing)} is not in the database (nor in this file); link not imported"
                )))
                continue
            old = stored.get(link.id)
            if old is None:
                twin = same_ends.get((link.from_claim, link.to_claim, link.relation, link.reviewer))
                if twin is not None:
                    tally["unchanged"] += 1
                    self.result.warnings.append(Problem(number, f"link {link.id} says what link {twin} already says; not added"))
                    continue
                tally["added"] += 1
            else:
                if old.evolve(rev=0, updated_by="") == link.evolve(rev=0, updated_by=""):
                    tally["unchanged"] += 1
                    continue
                if link.updated_at < old.updated_at:
                    tally["kept"] += 1
                    continue
                if link.updated_at == old.updated_at:
                    self.result.conflicts.append(Problem(number, (
                        f"link {link.id} differs from the database's, changed at the same time ({old.updated_at}); "
                        "the database's link is kept"
                    )))
                    continue
                tally["updated"] += 1
            planned.append((link, number))
        if planned and not self.result.dry_run:
            try:
                self.writes.save_links(link for link, _ in planned)
            except StoreError as error:
                first = min(number for _, number in planned)
                for key in ("added", "updated"):
                    tally[key] = 0
                self.result.stopped = (f"the links (from line {first}) could not be written: {clean_line(str(error))}; "
                                       "run the same import again once this is fixed")

    def _undo_created(self, saved: list[str], line: int) -> None:
        """Remove the actors just created for lines that could not be written."""
        for actor_id in saved:
            if actor_id not in self._created:
                continue
            try:
                self.writes.delete_actor(actor_id)
            except StoreError as error:
                message = f"actor {show(self.actors[actor_id].name)} was created but its lines were not written ({error})"
                self.result.warnings.append(Problem(line, clean_line(message)))


def _repointed(actor: Actor, renamed: dict[str, str]) -> Actor:
    return actor.evolve(affiliation=renamed.get(actor.affiliation or "", actor.affiliation))


def _repoint_all(annotation: Annotation, renamed: dict[str, str]) -> Annotation:
    from store.session import repoint

    for old, new in renamed.items():
        annotation = repoint(annotation, old, new)
    return annotation


def import_lines(db: Any, lines: Iterable[bytes], dry_run: bool = False,
                 on_bytes: Callable[[int], None] | None = None, fmt: str = "jsonl") -> ImportResult:
    """Import JSONL lines (bytes, as read from a file opened in binary mode) into `db`.

    Raises NotImportable, before writing anything, when the first line shows the file is not `fmt`."""
    return Importer(db, dry_run=dry_run, fmt=fmt).run(lines, on_bytes)


__all__ = [
    "ACCEPTS", "ImportResult", "Importer", "LineError", "NotImportable", "Problem", "Writes", "import_lines",
    "legacy_minimal_id", "minimal_id", "refuse_unless_readable",
]
