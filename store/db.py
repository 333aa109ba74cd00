"""The store API: the only way the TUI and the CLI read or change data.

Layout of a database folder (every `*.json` file is a TinyDB database):

    library.json                    meta (schema version) and the reports index
    actors.json                     the actor registry shared by all reports
    reports/<id>.text.json          every revision of one report's text
    reports/<id>.annotations.json   that report's annotations and paragraph status
    .locks/                         one lock file per database file (flock: never stale)

A save rewrites one report's annotations file only, so its cost depends on that
report's annotations, not on the size of the database; opening a report reads
its two files and the actors, never another report's annotations.

A file that does not parse is never written: if it is library.json or
actors.json the whole database opens read-only (`read_only`, `problems`); if it
is one report's file, only that report is read-only (`report_problem`) and the
other reports work as usual. See docs/storage.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import CorruptFileError, NotFound, ReadOnlyError, StoreError
from store.ingest import parse_text, read_report_file, report_id_for
from store.model import (
    SCHEMA_VERSION,
    Actor,
    Annotation,
    Kind,
    ParagraphStatus,
    ParsedReport,
    Progress,
    Report,
    new_id,
    now_iso,
)
from store.storage import LOCK_TIMEOUT, Tables, TinyFile, backup_folder, next_doc_id, parse, read_file
from store.text import clean_line, clean_text

# How to bring a database from schema version N to N+1: MIGRATIONS[N](db).
# They run in order when a Database opens an older database, one process at a
# time (under .locks/schema.lock), after a backup of the folder; the version is
# recorded after each step, so a step must be safe to run again if a crash
# interrupted it. None yet: version 1 is the first.
MIGRATIONS: dict[int, Callable[[Database], None]] = {}
SHARED_FILES = ("library.json", "actors.json")


@dataclass(frozen=True)
class Edit:
    """One document before and after a change: enough to undo or redo it."""

    entity: str  # "annotation" | "actor" | "status"
    key: str  # annotation id, actor id, or str(paragraph number)
    report_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Change:
    """What one user action changed, as a list of edits (a merge has many)."""

    description: str
    edits: tuple[Edit, ...] = field(default=())

    def inverse(self) -> Change:
        return Change(
            self.description,
            tuple(Edit(e.entity, e.key, e.report_id, e.after, e.before) for e in reversed(self.edits)),
        )


@dataclass(frozen=True)
class AddResult:
    report: Report
    created: bool  # a report new to this database
    new_revision: bool  # the file changed since it was last added
    warnings: tuple[str, ...]


@dataclass
class OpenReport:
    """One report as the report screen needs it: the text of its current revision."""

    report: Report
    parsed: ParsedReport

    @property
    def paragraphs(self):
        return self.parsed.paragraphs


class Database:
    def __init__(self, root: str | os.PathLike[str], reviewer: str = "", lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.root = Path(root)
        self.reviewer = clean_line(reviewer) or "unknown"
        self.lock_timeout = lock_timeout
        self.problems: list[str] = []  # why the database (or a report) is read-only, one line each
        self.notices: list[str] = []  # things worth telling the user that are not problems (a migration)
        self.read_only = False  # True when library.json or actors.json does not parse, or the schema is too new
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: is a file; --db takes a folder")
        try:
            (self.root / "reports").mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the database folder {self.root}: {error.strerror}") from None
        self._files: dict[Path, TinyFile] = {}
        self._rebuilt_index: dict[str, dict[str, Any]] | None = None
        self.library = self._file(self.root / "library.json")
        self.actors_file = self._file(self.root / "actors.json")
        self._check_readable(self.actors_file)
        self._check_schema()

    # ---------------------------------------------------------------- files

    def _file(self, path: Path) -> TinyFile:
        tiny = self._files.get(path)
        if tiny is None:
            tiny = self._files[path] = TinyFile(path, self.root / ".locks", self.lock_timeout)
        return tiny

    def text_file(self, report_id: str) -> TinyFile:
        return self._file(self.root / "reports" / f"{report_id}.text.json")

    def annotations_file(self, report_id: str) -> TinyFile:
        return self._file(self.root / "reports" / f"{report_id}.annotations.json")

    def files(self) -> list[Path]:
        """Every database file on disk."""
        paths = [self.root / "library.json", self.root / "actors.json"]
        paths += sorted((self.root / "reports").glob("*.json"))
        return [p for p in paths if p.exists()]

    def _check_readable(self, tiny: TinyFile) -> None:
        try:
            tiny.read()
        except CorruptFileError as error:
            self._note_problem(error)

    def _read(self, tiny: TinyFile) -> Tables:
        try:
            return tiny.read()
        except CorruptFileError as error:
            self._note_problem(error)
            raise

    def _note_problem(self, error: CorruptFileError) -> None:
        """Record a file that does not parse; a shared file makes the whole database read-only."""
        if Path(error.path).name in SHARED_FILES and Path(error.path).parent == self.root:
            self.read_only = True
        if str(error) not in self.problems:
            self.problems.append(str(error))

    def _update(self, tiny: TinyFile, mutate: Callable[[Tables], Any]) -> Any:
        if self.read_only:
            raise ReadOnlyError("the database is open read-only: " + "; ".join(self.problems))
        try:
            return tiny.update(mutate)
        except ReadOnlyError:
            if tiny.corrupt is not None:
                self._note_problem(tiny.corrupt)
            raise

    def report_problem(self, report_id: str) -> str | None:
        """Why this report cannot be changed (one of its files does not parse, or the database is read-only), else None."""
        for tiny in (self.text_file(report_id), self.annotations_file(report_id)):
            try:
                tiny.read()
            except CorruptFileError as error:
                self._note_problem(error)
                return str(error)
        if self.read_only:
            return "the database is open read-only: " + "; ".join(self.problems)
        return None

    def report_changed(self, report_id: str) -> bool:
        """Has another process changed this report's annotations since this Database last read or wrote them?

        One `stat`, cheap enough to poll: every write stamps the file with a new
        (inode, size, nanosecond mtime), and our own writes update what we compare against.
        """
        return self.annotations_file(report_id).changed()

    # --------------------------------------------------------------- schema

    def _stored_schema_version(self) -> int:
        """The schema version in library.json (0: none recorded; -1: not a number)."""
        meta = self.library.table("meta")
        value = next(iter(meta.values()), {}).get("schema_version", 0) if meta else 0
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else -1

    def _check_schema(self) -> None:
        try:
            version = self._stored_schema_version()
            has_reports = bool(self.library.table("reports"))
        except CorruptFileError as error:
            self._note_problem(error)
            return
        if version == 0:
            # A new database, or files written before the meta table existed (version 1).
            self._set_schema_version(1 if has_reports else SCHEMA_VERSION, created=not has_reports)
            version = 1 if has_reports else SCHEMA_VERSION
        if version < 0:
            self.read_only = True
            self.problems.append(
                f"{self.library.path} records a schema version that is not a number; opened read-only — run 'claimdesk doctor'"
            )
        elif version > SCHEMA_VERSION:
            self.read_only = True
            self.problems.append(
                f"{self.library.path} has schema version {version}, newer than this claimdesk understands "
                f"({SCHEMA_VERSION}); opened read-only — upgrade claimdesk"
            )
        elif version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Run MIGRATIONS up to SCHEMA_VERSION, one process at a time, after a backup of the folder."""
        gate = TinyFile(self.root / "schema", self.root / ".locks", self.lock_timeout)
        try:
            with gate.locked():
                self.library.forget()
                version = self._stored_schema_version()
                if version >= SCHEMA_VERSION:
                    return  # another process migrated while we waited
                missing = [v for v in range(version, SCHEMA_VERSION) if v not in MIGRATIONS]
                if missing:
                    self.read_only = True
                    self.problems.append(
                        f"{self.library.path} has schema version {version} and this claimdesk has no "
                        f"migration from version {missing[0]}; opened read-only"
                    )
                    return
                backup = backup_folder(self.root, f"before-schema-{SCHEMA_VERSION}")
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](self)
                    version += 1
                    self._set_schema_version(version, created=False)
                self.notices.append(f"migrated the database to schema version {version} (backup: {backup})")
        except StoreError as error:
            self.read_only = True
            self.problems.append(f"could not migrate {self.root} to schema version {SCHEMA_VERSION}: {error}; opened read-only")

    def _set_schema_version(self, version: int, created: bool) -> None:
        def mutate(tables: Tables) -> None:
            old = tables.get("meta", {}).get("1", {})
            tables["meta"] = {
                "1": {
                    "schema_version": version,
                    "created_at": old.get("created_at") or now_iso(),
                    "application": "claimdesk",
                }
            }
            tables.setdefault("reports", {})

        try:
            self.library.update(mutate)
        except StoreError as error:
            if created:
                self.problems.append(str(error))
            else:
                raise

    @property
    def schema_version(self) -> int:
        return self._stored_schema_version()

    # -------------------------------------------------------------- reports

    def add_report(self, path: str | os.PathLike[str]) -> AddResult:
        """Register a report file: new, unchanged (a no-op) or a new revision."""
        decoded = read_report_file(path)
        report_id = report_id_for(path)
        revision = decoded.sha256[:16]
        existing = self.find_report(report_id)
        if existing and revision in existing.revisions and self._holds_revision(report_id, revision):
            # Unchanged (every `claimdesk open`): the hash says so; the stored parse has its warnings.
            return AddResult(existing, created=False, new_revision=False, warnings=self._stored_warnings(report_id, revision))
        parsed = parse_text(decoded.text, name=Path(path).name, warnings=decoded.warnings)
        source = str(Path(path).resolve())
        return self.add_parsed(report_id, parsed, revision, source)

    def add_parsed(self, report_id: str, parsed: ParsedReport, revision: str, source: str) -> AddResult:
        existing = self.find_report(report_id)
        if existing and revision in existing.revisions and self._holds_revision(report_id, revision):
            return AddResult(existing, created=False, new_revision=False, warnings=parsed.warnings)
        now = now_iso()

        def add_revision(tables: Tables) -> None:
            revisions = tables.setdefault("revisions", {})
            if any(doc.get("revision") == revision for doc in revisions.values()):
                return
            revisions[next_doc_id(revisions)] = {
                "revision": revision,
                "added_at": now,
                "source_path": clean_line(source),
                "parsed": parsed.to_dict(),
            }

        self._update(self.text_file(report_id), add_revision)
        report = Report(
            id=report_id,
            title=parsed.title,
            date=parsed.date,
            source=clean_line(source),
            dispatch_number=parsed.dispatch_number,
            regions=parsed.regions,
            revision=revision,
            revisions=(existing.revisions if existing else ()) + (revision,),
            paragraph_count=len(parsed.paragraphs),
            added_at=existing.added_at if existing else now,
        )

        def index(tables: Tables) -> None:
            reports = tables.setdefault("reports", {})
            for doc_id, doc in reports.items():
                if doc["id"] == report_id:
                    merged = report.to_dict()
                    merged["revisions"] = list(dict.fromkeys([*doc.get("revisions", []), revision]))
                    reports[doc_id] = merged
                    return
            reports[next_doc_id(reports)] = report.to_dict()

        self._update(self.library, index)
        return AddResult(
            self.find_report(report_id) or report,
            created=existing is None,
            new_revision=existing is not None,
            warnings=parsed.warnings,
        )

    def _report_docs(self) -> Iterable[dict[str, Any]]:
        """The reports index; rebuilt from the text files (read-only) when library.json does not parse."""
        try:
            return self._read(self.library).get("reports", {}).values()
        except CorruptFileError:
            if self._rebuilt_index is None:
                self._rebuilt_index, _ = index_from_text_files(self.root)
            return self._rebuilt_index.values()

    def _stored_warnings(self, report_id: str, revision: str) -> tuple[str, ...]:
        for doc in self._read(self.text_file(report_id)).get("revisions", {}).values():
            if doc.get("revision") == revision:
                return tuple(doc.get("parsed", {}).get("warnings", ()))
        return ()

    def _holds_revision(self, report_id: str, revision: str) -> bool:
        """Is this revision's text stored? (Adding the file again restores a text lost to a broken file.)"""
        docs = self._read(self.text_file(report_id)).get("revisions", {}).values()
        return any(doc.get("revision") == revision for doc in docs)

    def reports(self) -> list[Report]:
        with _readable_documents(self.library):
            found = [Report.from_dict(d) for d in self._report_docs()]
        return sorted(found, key=lambda r: (r.date or "", r.title), reverse=True)

    def find_report(self, key: str) -> Report | None:
        """A report by id, or by the file name it was added from."""
        docs = self._report_docs()
        for doc in docs:
            if doc["id"] == key:
                return Report.from_dict(doc)
        wanted = report_id_for(key)
        for doc in docs:
            if doc["id"] == wanted or Path(doc.get("source", "")).name == key:
                return Report.from_dict(doc)
        return None

    def report(self, key: str) -> Report:
        found = self.find_report(key)
        if found is None:
            raise NotFound(f"no report {clean_line(key)!r} in {self.root}")
        return found

    def open_report(self, key: str, revision: str | None = None) -> OpenReport:
        report = self.report(key)
        return OpenReport(report, self.report_text(report.id, revision or report.revision))

    def report_text(self, report_id: str, revision: str) -> ParsedReport:
        for doc in self._read(self.text_file(report_id)).get("revisions", {}).values():
            if doc["revision"] == revision:
                return ParsedReport.from_dict(doc["parsed"])
        raise NotFound(f"report {report_id!r} has no revision {revision!r}")

    # ---------------------------------------------------------- annotations

    def annotations(self, report_id: str) -> list[Annotation]:
        tiny = self.annotations_file(report_id)
        with _readable_documents(tiny):
            found = [Annotation.from_dict(d) for d in self._read(tiny).get("annotations", {}).values()]
        return sorted(found, key=lambda a: (a.paragraph, a.span.start if a.span else -1, a.created_at))

    def annotation(self, report_id: str, annotation_id: str) -> Annotation:
        for doc in self._read(self.annotations_file(report_id)).get("annotations", {}).values():
            if doc["id"] == annotation_id:
                return Annotation.from_dict(doc)
        raise NotFound(f"no annotation {annotation_id!r} in report {report_id!r}")

    def iter_annotations(self, report_ids: Iterable[str] | None = None) -> Iterator[Annotation]:
        """Every annotation, report by report: one report's file in memory at a time."""
        ids = list(report_ids) if report_ids is not None else [r.id for r in self.reports()]
        for report_id in ids:
            path = self.root / "reports" / f"{report_id}.annotations.json"
            was_open = path in self._files
            found = self.annotations(report_id)
            if not was_open:
                del self._files[path]  # do not keep every report's annotations in memory
            yield from found

    def new_annotation(self, kind: Kind, report: Report, paragraph: int, **fields: Any) -> Annotation:
        """An annotation not yet saved, stamped with this reviewer."""
        return Annotation(
            id=new_id(),
            kind=kind,
            report_id=report.id,
            revision=report.revision,
            paragraph=paragraph,
            reviewer=self.reviewer,
            **fields,
        )

    def save_annotation(self, annotation: Annotation, keep_timestamps: bool = False) -> tuple[Annotation, Change]:
        """Insert or replace an annotation; durably on disk when this returns."""
        now = now_iso()
        annotation = _clean_annotation(annotation)
        if not keep_timestamps:
            annotation = annotation.evolve(
                created_at=annotation.created_at or now,
                updated_at=now,
                reviewer=annotation.reviewer or self.reviewer,
            )
        after = annotation.to_dict()
        before = self._put(self.annotations_file(annotation.report_id), "annotations", "id", annotation.id, after)
        verb = "edited" if before else "added"
        return annotation, Change(
            f"{verb} {annotation.kind.value}", (Edit("annotation", annotation.id, annotation.report_id, before, after),)
        )

    def delete_annotation(self, report_id: str, annotation_id: str) -> Change:
        before = self._put(self.annotations_file(report_id), "annotations", "id", annotation_id, None)
        if before is None:
            raise NotFound(f"no annotation {annotation_id!r} in report {report_id!r}")
        return Change(f"deleted {before['kind']}", (Edit("annotation", annotation_id, report_id, before, None),))

    def _put(self, tiny: TinyFile, table: str, key_field: str, key: str | int, doc: dict[str, Any] | None) -> dict[str, Any] | None:
        """Replace (or remove, with None) the document whose `key_field` is `key`; return the old one."""

        def mutate(tables: Tables) -> dict[str, Any] | None:
            docs = tables.setdefault(table, {})
            for doc_id, old in docs.items():
                if old.get(key_field) == key:
                    if doc is None:
                        del docs[doc_id]
                    else:
                        docs[doc_id] = doc
                    return old
            if doc is not None:
                docs[next_doc_id(docs)] = doc
            return None

        return self._update(tiny, mutate)

    # ------------------------------------------------------ paragraph status

    def statuses(self, report_id: str) -> dict[int, ParagraphStatus]:
        tiny = self.annotations_file(report_id)
        with _readable_documents(tiny):
            return {int(d["paragraph"]): ParagraphStatus(d["status"]) for d in self._read(tiny).get("status", {}).values()}

    def set_status(self, report_id: str, paragraph: int, status: ParagraphStatus) -> Change:
        after = None
        if status is not ParagraphStatus.UNREVIEWED:
            after = {"paragraph": paragraph, "status": status.value, "reviewer": self.reviewer, "updated_at": now_iso()}
        before = self._put(self.annotations_file(report_id), "status", "paragraph", paragraph, after)
        return Change(f"marked paragraph {paragraph} {status.value}", (Edit("status", str(paragraph), report_id, before, after),))

    def progress(self, report: Report) -> Progress:
        values = list(self.statuses(report.id).values())
        return Progress(
            total=report.paragraph_count,
            reviewed=values.count(ParagraphStatus.REVIEWED),
            flagged=values.count(ParagraphStatus.FLAGGED),
        )

    # ---------------------------------------------------------------- actors

    def actors(self) -> list[Actor]:
        with _readable_documents(self.actors_file):
            found = [Actor.from_dict(d) for d in self._read(self.actors_file).get("actors", {}).values()]
        return sorted(found, key=lambda a: a.name.casefold())

    def actor(self, actor_id: str) -> Actor:
        for doc in self._read(self.actors_file).get("actors", {}).values():
            if doc["id"] == actor_id:
                return Actor.from_dict(doc)
        raise NotFound(f"no actor {actor_id!r}")

    def find_actor(self, name: str) -> Actor | None:
        """The actor whose canonical name or an alias is `name` (case-insensitive)."""
        wanted = clean_line(name).casefold()
        for actor in self.actors():
            if any(n.casefold() == wanted for n in actor.names):
                return actor
        return None

    def new_actor(self, name: str, type: str = "other", **fields: Any) -> Actor:
        return Actor(id=new_id(), name=clean_line(name), type=type, reviewer=self.reviewer, **fields)

    def save_actor(self, actor: Actor) -> tuple[Actor, Change]:
        now = now_iso()
        actor = actor.evolve(
            name=clean_line(actor.name),
            aliases=tuple(dict.fromkeys(a for a in (clean_line(x) for x in actor.aliases) if a and a != clean_line(actor.name))),
            note=clean_text(actor.note),
            created_at=actor.created_at or now,
            updated_at=now,
            reviewer=actor.reviewer or self.reviewer,
        )
        if not actor.name:
            raise StoreError("an actor needs a name")
        after = actor.to_dict()
        before = self._put(self.actors_file, "actors", "id", actor.id, after)
        return actor, Change("edited actor" if before else "added actor", (Edit("actor", actor.id, None, before, after),))

    def merge_actors(self, survivor_id: str, loser_id: str) -> Change:
        """Fold `loser` into `survivor`: mentions and claims follow, its names become aliases.

        Every report is read before anything is written (an unreadable report stops
        the merge with nothing changed), each report is rewritten once, and if a
        write fails part-way the edits already made are rolled back.
        """
        survivor, loser = self.actor(survivor_id), self.actor(loser_id)
        if survivor.id == loser.id:
            raise StoreError("cannot merge an actor with itself")
        moves: dict[str, list[Annotation]] = {}
        for report in self.reports():
            moved = [m for a in self.annotations(report.id) if (m := _repoint(a, loser.id, survivor.id)) is not a]
            if moved:
                moves[report.id] = moved
        edits: list[Edit] = []
        try:
            for report_id, moved in moves.items():
                edits.extend(self.save_annotations(report_id, moved).edits)
            for actor in self.actors():
                if actor.affiliation == loser.id and actor.id != loser.id:
                    _, change = self.save_actor(actor.evolve(affiliation=survivor.id))
                    edits.extend(change.edits)
            inherited = survivor.affiliation or loser.affiliation
            merged = survivor.evolve(
                aliases=tuple(dict.fromkeys([*survivor.aliases, *loser.names])),
                note="\n".join(n for n in (survivor.note, loser.note) if n),
                affiliation=inherited if inherited not in (loser.id, survivor.id) else None,
            )
            _, change = self.save_actor(merged)
            edits.extend(change.edits)
            before = self._put(self.actors_file, "actors", "id", loser.id, None)
            edits.append(Edit("actor", loser.id, None, before, None))
        except StoreError:
            self.apply(Change("roll back a failed merge", tuple(edits)).inverse())
            raise
        return Change(f"merged {loser.name} into {survivor.name}", tuple(edits))

    def delete_actor(self, actor_id: str) -> Change:
        in_use = [a for a in self.iter_annotations() if _repoint(a, actor_id, None) is not a]
        if in_use:
            raise StoreError(f"actor is used by {len(in_use)} annotation(s); merge it instead of deleting")
        before = self._put(self.actors_file, "actors", "id", actor_id, None)
        return Change("deleted actor", (Edit("actor", actor_id, None, before, None),))

    def mentions(self, actor_id: str) -> list[Annotation]:
        """Every annotation that names the actor, across all reports."""
        return [a for a in self.iter_annotations() if _repoint(a, actor_id, None) is not a]

    # ---------------------------------------------------------- undo / redo

    def apply(self, change: Change) -> None:
        """Write each edit's `after` state (use `change.inverse()` to undo)."""
        for edit in change.edits:
            if edit.entity == "annotation":
                assert edit.report_id is not None
                self._put(self.annotations_file(edit.report_id), "annotations", "id", edit.key, edit.after)
            elif edit.entity == "actor":
                self._put(self.actors_file, "actors", "id", edit.key, edit.after)
            elif edit.entity == "status":
                assert edit.report_id is not None
                self._put(self.annotations_file(edit.report_id), "status", "paragraph", int(edit.key), edit.after)

    # ------------------------------------------- streaming (export, import)

    def _read_once(self, open_file: Callable[[str], TinyFile], report_id: str) -> Tables:
        """Read one report file, not kept in memory afterwards unless it was already open."""
        count = len(self._files)
        tiny = open_file(report_id)
        try:
            return self._read(tiny)
        finally:
            if len(self._files) > count:
                del self._files[tiny.path]

    def annotation_documents(self, report_id: str) -> list[dict[str, Any]]:
        """One report's annotations as stored (`Annotation.to_dict` layout; do not mutate them).

        Read from disk and then forgotten, so an export streams a large database one report at a time.
        """
        return list(self._read_once(self.annotations_file, report_id).get("annotations", {}).values())

    def revision_texts(self, report_id: str) -> dict[str, ParsedReport]:
        """Every stored revision of one report's text, by revision hash (read, then forgotten)."""
        docs = self._read_once(self.text_file, report_id).get("revisions", {}).values()
        return {doc["revision"]: ParsedReport.from_dict(doc["parsed"]) for doc in docs}

    def save_annotations(self, report_id: str, annotations: Iterable[Annotation]) -> Change:
        """Insert or replace many annotations of one report in one atomic write (an import).

        Timestamps and reviewers are kept as given; the file is not kept in memory afterwards.
        """
        cleaned = [_clean_annotation(a) for a in annotations]
        if any(a.report_id != report_id for a in cleaned):
            raise StoreError(f"save_annotations: every annotation must belong to report {report_id!r}")

        def mutate(tables: Tables) -> list[Edit]:
            docs = tables.setdefault("annotations", {})
            where = {doc.get("id"): doc_id for doc_id, doc in docs.items()}
            next_id = int(next_doc_id(docs))
            edits = []
            for annotation in cleaned:
                after = annotation.to_dict()
                doc_id = where.get(annotation.id)
                if doc_id is None:
                    doc_id = where[annotation.id] = str(next_id)
                    next_id += 1
                edits.append(Edit("annotation", annotation.id, report_id, docs.get(doc_id), after))
                docs[doc_id] = after
            return edits

        count = len(self._files)
        tiny = self.annotations_file(report_id)
        try:
            edits = self._update(tiny, mutate) if cleaned else []
        finally:
            if len(self._files) > count:
                del self._files[tiny.path]
        return Change(f"imported {len(edits)} annotation(s)", tuple(edits))


@contextlib.contextmanager
def _readable_documents(tiny: TinyFile) -> Iterator[None]:
    """A document of the wrong shape (edited by hand, or by another program) is a one-line StoreError."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise StoreError(f"{tiny.path}: a document cannot be read ({detail}); run 'claimdesk doctor'") from None


def index_from_text_files(root: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The reports index as library.json would hold it, rebuilt from reports/*.text.json.

    Returns the index (doc id → report document) and one line per text file that could not be used.
    """
    index: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for path in sorted((root / "reports").glob("*.text.json")):
        try:
            raw, _ = read_file(path)
            revisions = [doc for _, doc in sorted(parse(raw, path).get("revisions", {}).items(), key=lambda kv: int(kv[0]))]
            if not revisions:
                skipped.append(f"{path} holds no revision")
                continue
            latest = revisions[-1]
            parsed = ParsedReport.from_dict(latest["parsed"])
            report = Report(
                id=path.name.removesuffix(".text.json"),
                title=parsed.title,
                date=parsed.date,
                source=latest.get("source_path", ""),
                dispatch_number=parsed.dispatch_number,
                regions=parsed.regions,
                revision=latest["revision"],
                revisions=tuple(doc["revision"] for doc in revisions),
                paragraph_count=len(parsed.paragraphs),
                added_at=revisions[0].get("added_at", ""),
            )
        except (StoreError, KeyError, TypeError, ValueError) as error:
            skipped.append(f"{path}: {error}")
            continue
        index[str(len(index) + 1)] = report.to_dict()
    return index, skipped


def _repoint(annotation: Annotation, old: str, new: str | None) -> Annotation:
    """The annotation with actor `old` replaced by `new`; the same object if it does not name `old`."""
    changes: dict[str, Any] = {}
    if annotation.actor_id == old:
        changes["actor_id"] = new
    claim = annotation.claim
    if claim and old in (claim.claimant, claim.reported_by):
        changes["claim"] = type(claim)(
            text=claim.text,
            type=claim.type,
            claimant=new if claim.claimant == old else claim.claimant,
            reported_by=new if claim.reported_by == old else claim.reported_by,
        )
    return annotation.evolve(**changes) if changes else annotation


def _clean_annotation(annotation: Annotation) -> Annotation:
    claim = annotation.claim
    if claim is not None:
        claim = type(claim)(clean_text(claim.text), clean_line(claim.type), claim.claimant, claim.reported_by)
    return annotation.evolve(note=clean_text(annotation.note), claim=claim)
