"""Importing annotations from JSONL: native `claimdesk/1` records, and a minimal pre-annotation form.

A line with `"schema": "claimdesk/1"` is a native record (what `claimdesk export`
writes). Importing merges: an annotation keeps its id, so the same record never
becomes two; when the database already holds that id, the later `updated_at`
wins; the same `updated_at` with different content is a conflict, reported, and
the database's version is kept.

Any other object is the minimal form that pipelines write:

    {"report": "<id or file name>", "quote": "<exact text>", "kind": "claim"|"actor",
     "paragraph": 3, "claim_type": "event", "claimant": "…", "reported_by": "…",
     "credibility": "B2", "actor": "…", "actor_type": "person", "note": "…"}

Only report, quote and kind are required (`start`, an offset in the paragraph,
may pick one of several matches). The quote is looked up in the report's current
text; its id is derived from where it is, so importing the same file twice adds
nothing, and a pre-annotation never overwrites an analyst's later edit of it.

Actors are named by canonical name or alias (case-insensitive); unknown names
are created. A bad line (not JSON, wrong types, unknown report, quote not
found or ambiguous) is reported with its line number and skipped; the other
lines go in. Lines are written one report at a time, in one atomic write per
report (with the actors they created first), so a failure part-way (disk
full…) stops the import with whole reports in and the rest untouched; the same
import run again completes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from store.db import Plan
from store.errors import ClaimdeskError, StoreError
from store.export import SCHEMA, parse_time
from store.model import (
    ACTOR_TYPES,
    CLAIM_TYPES,
    Actor,
    Annotation,
    Claim,
    Credibility,
    Kind,
    ParsedReport,
    Report,
    Span,
    now_iso,
)
from store.text import clean_line, clean_text, has_control

BATCH_LIMIT = 5000  # annotations held before one report's batch is written
MINIMAL_FIELDS = frozenset({
    "report", "quote", "kind", "paragraph", "start", "claim_type", "claimant", "reported_by",
    "credibility", "actor", "actor_type", "note",
})
CLAIM_ONLY = ("claim_type", "claimant", "reported_by")
ACTOR_ONLY = ("actor", "actor_type")


class LineError(ClaimdeskError):
    """This line cannot be imported; the message says why."""


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
    actors_created: list[str] = field(default_factory=list)
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
        wanted = " or ".join({str: "a string", int: "a whole number", dict: "an object", list: "a list"}[k] for k in kinds)
        raise LineError(f"{name} must be {wanted}, not {show(value)}")
    return value


def _one_line_name(value: str, name: str) -> str:
    cleaned = clean_line(value)
    if not cleaned:
        raise LineError(f"{name} is empty")
    return cleaned


def _choice(value: str | None, choices: dict[str, str], name: str, default: str) -> str:
    if value is None:
        return default
    if value not in choices:
        raise LineError(f"{name} {show(value)} is not one of {', '.join(choices)}")
    return value


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


def minimal_id(report_id: str, revision: str, paragraph: int, start: int, end: int, kind: str) -> str:
    """A pre-annotation's id: the same place in the same text always gives the same id."""
    key = "\x1f".join((report_id, revision, str(paragraph), str(start), str(end), kind))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# ------------------------------------------------------------------- the plan


@dataclass
class ActorRef:
    """An actor named by a line, resolved (and created if unknown) only once the line is valid."""

    name: str
    type: str | None = None
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None


@dataclass
class Planned:
    """A valid line: the annotation it makes, minus the actor ids it still has to resolve."""

    report: Report
    annotation: Annotation
    native: bool
    claimant: ActorRef | None = None
    reported_by: ActorRef | None = None
    actor: ActorRef | None = None


@dataclass
class Batch:
    report_id: str
    existing: dict[str, dict[str, Any]]  # stored documents by annotation id
    changes: dict[str, Annotation] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    tally: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0})


_COMPARED_WITHOUT_TIME = ("created_at", "updated_at", "reviewer")


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored annotation as its export shows it: what two versions must share to be the same."""
    view = {k: v for k, v in doc.items() if k not in ("rev", "updated_by")}  # the store's bookkeeping, not content
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


class Importer:
    def __init__(self, db: Any, dry_run: bool = False) -> None:
        self.db = db
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

    # ------------------------------------------------------------- running

    def run(self, lines: Iterable[bytes], on_bytes: Callable[[int], None] | None = None) -> ImportResult:
        for number, raw in enumerate(lines, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            if self.result.stopped:
                break
            if not raw.strip():
                continue
            self.result.lines += 1
            try:
                planned = self.plan(raw, number)
                self.merge(planned, number)
            except LineError as error:
                self.result.errors.append(Problem(number, str(error)))
        self.flush()
        return self.result

    def plan(self, raw: bytes, number: int) -> Planned:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LineError(f"is not UTF-8 text (byte {error.start})") from None
        if number == 1:
            text = text.removeprefix("\ufeff")
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as error:
            raise LineError(f"is not JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(obj, dict):
            raise LineError(f"is JSON but not an object: {show(obj)}")
        if "schema" in obj:
            if obj["schema"] != SCHEMA:
                raise LineError(f"schema {show(obj['schema'])} is not {SCHEMA!r}")
            return self.native(obj)
        return self.minimal(obj, number)

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
            actor = self.db.new_actor(ref.name, ref.type or "other", aliases=ref.aliases, affiliation=affiliation)
            self._created.add(actor.id)
        else:
            old = self.actors[actor_id]
            aliases = tuple(dict.fromkeys([*old.aliases, *(a for a in ref.aliases if a.casefold() != old.name.casefold())]))
            actor = old.evolve(
                type=ref.type if old.type == "other" and ref.type else old.type,
                aliases=aliases,
                affiliation=old.affiliation or (affiliation if affiliation != old.id else None),
            )
            if actor == old:
                return old.id
        self._new_actors[actor.id] = actor
        self._know(actor)
        return actor.id

    def _actor_ref(self, value: Any, name: str) -> ActorRef | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise LineError(f"{name} must be a string (an actor's name), not {show(value)}")
        return ActorRef(_one_line_name(value, name))

    # ------------------------------------------------------------ native form

    def native(self, obj: dict[str, Any]) -> Planned:
        annotation_id = _get(obj, "id", str, required=True)
        if not annotation_id.strip() or len(annotation_id) > 200 or has_control(annotation_id):
            raise LineError(f"id {show(annotation_id)} is not a usable id")
        kind = _choice(_get(obj, "kind", str, required=True), {"claim": "", "actor": ""}, "kind", "claim")
        report_obj = _get(obj, "report", dict, required=True)
        report_key = _get(report_obj, "id", str, "report.", required=True)
        source = _get(report_obj, "source", str, "report.")
        report = self.report(report_key) or (self.report(source) if source else None)
        if report is None:
            raise LineError(f"report {show(report_key)} is not in this database (add the report file first)")
        paragraph_obj = _get(obj, "paragraph", dict, required=True)
        number = _get(paragraph_obj, "number", int, "paragraph.", required=True)
        text = _get(paragraph_obj, "text", str, "paragraph.", required=True)
        revision_hint = _get(report_obj, "revision", str, "report.")
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
                type=_choice(_get(claim_obj, "type", str, "claim."), CLAIM_TYPES, "claim.type", "other"),
            )
            claimant = self._actor_ref(claim_obj.get("claimant"), "claim.claimant")
            reported_by = self._actor_ref(claim_obj.get("reported_by"), "claim.reported_by")

        actor = None
        actor_obj = _get(obj, "actor", dict)
        if actor_obj is not None and kind == "actor":
            aliases = _get(actor_obj, "aliases", list, "actor.", default=[])
            if not all(isinstance(a, str) for a in aliases):
                raise LineError("actor.aliases must be a list of strings")
            affiliation = self._actor_ref(actor_obj.get("affiliation"), "actor.affiliation")
            actor = ActorRef(
                name=_one_line_name(_get(actor_obj, "name", str, "actor.", required=True), "actor.name"),
                type=_choice(_get(actor_obj, "type", str, "actor."), ACTOR_TYPES, "actor.type", "other"),
                aliases=tuple(a for a in (clean_line(x) for x in aliases) if a),
                affiliation=affiliation.name if affiliation else None,
            )

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
        return Planned(report, annotation, True, claimant, reported_by, actor)

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
            return Span(start, end, quote)
        if not quote:
            raise LineError("span.quote is empty")
        found = _occurrences(text, quote)
        if len(found) == 1:
            return Span(found[0], found[0] + len(quote), quote)
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
        kind = _choice(_get(obj, "kind", str, required=True), {"claim": "", "actor": ""}, "kind", "claim")
        wanted = _get(obj, "paragraph", int)
        wanted_start = _get(obj, "start", int)
        claim_type = _choice(_get(obj, "claim_type", str), CLAIM_TYPES, "claim_type", "other")
        actor_type = _choice(_get(obj, "actor_type", str), ACTOR_TYPES, "actor_type", "other")
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
            self.result.warnings.append(Problem(number, f"unknown field(s) ignored: {', '.join(show(k, 30) for k in unknown)}"))
        end = start + len(quote)
        annotation = Annotation(
            id=minimal_id(report.id, report.revision, paragraph, start, end, kind),
            kind=Kind(kind),
            report_id=report.id,
            revision=report.revision,
            paragraph=paragraph,
            span=Span(start, end, quote),
            claim=Claim(quote, claim_type) if kind == "claim" else None,
            credibility=credibility,
            note=note,
            reviewer=self.db.reviewer,
            created_at=self.now,
            updated_at=self.now,
        )
        if kind == "claim":
            return Planned(report, annotation, False, claimant=claimant, reported_by=reported_by)
        name = named.name if named else clean_line(quote)
        if not name:
            raise LineError('the quote has no text to name an actor by; give "actor"')
        return Planned(report, annotation, False, actor=ActorRef(name, actor_type))

    # ---------------------------------------------------------------- merging

    def merge(self, planned: Planned, number: int) -> None:
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
        batch.lines.append(number)
        if current is None:
            batch.tally[outcome] += 1
        if len(batch.changes) >= BATCH_LIMIT:
            self.flush()

    def _outcome(self, planned: Planned, stored: dict[str, Any] | None, number: int) -> str | None:
        """"added" or "updated" to write the line; None when the database keeps what it has."""
        if stored is None:
            return "added"
        incoming = comparable(self._resolved_view(planned))
        stored = comparable(stored)
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
            self.result.kept += 1  # a pre-annotation never overwrites an analyst's edit
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
        """Write the current report's batch: its new actors first, then its annotations in one atomic write."""
        batch, self.batch = self.batch, None
        if batch is None or not batch.changes:
            return
        actors, self._new_actors = list(self._new_actors.values()), {}
        if not self.result.dry_run:
            saved: list[str] = []
            try:
                for actor in actors:
                    self.db.save_actor(actor)
                    saved.append(actor.id)
                self.db.save_annotations(batch.report_id, batch.changes.values())
            except StoreError as error:
                first, last = min(batch.lines), max(batch.lines)
                self._undo_created(saved, first)
                self.result.stopped = (
                    f"lines {first}-{last} (report {batch.report_id}) could not be written: {clean_line(str(error))}; "
                    "the lines before them are imported, the rest are not — run the same import again once this is fixed"
                )
                return
        self.result.actors_created += [a.name for a in actors if a.id in self._created]
        self.result.added += batch.tally["added"]
        self.result.updated += batch.tally["updated"]

    def _undo_created(self, saved: list[str], line: int) -> None:
        """Remove the actors just created for lines that could not be written."""
        for actor_id in saved:
            if actor_id not in self._created:
                continue
            try:
                self.db.commit([Plan("actor", actor_id, None, None)])
            except StoreError as error:
                message = f"actor {show(self.actors[actor_id].name)} was created but its lines were not written ({error})"
                self.result.warnings.append(Problem(line, clean_line(message)))


def import_lines(db: Any, lines: Iterable[bytes], dry_run: bool = False,
                 on_bytes: Callable[[int], None] | None = None) -> ImportResult:
    """Import JSONL lines (bytes, as read from a file opened in binary mode) into `db`."""
    return Importer(db, dry_run=dry_run).run(lines, on_bytes)


__all__ = ["ImportResult", "Importer", "LineError", "Problem", "import_lines", "minimal_id"]
