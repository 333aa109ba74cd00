"""The database: reading reports, annotations, marks and actors, and the one primitive that writes them.

The layout of the folder is `store/layout.py`'s; every file is a TinyDB database
opened through `store.storage.TinyFile` (atomic, locked, change-detecting).

Writes: `Database.commit(plans)` is the only way documents change. Each `Plan`
says which document (an annotation, an actor, a paragraph's mark), what it
becomes (None deletes it) and which version of it the change was based on. Under
the file's lock, after re-reading it, a plan whose base is not the stored version
any more is refused with `ConflictError` and nothing of that file is written; a
commit that spans several files writes them in turn and, if a later one fails,
puts the earlier ones back. Every written document gets the next `rev`. The
session layer (`store/session.py`) builds plans from what an analyst does, keeps
undo, and applies the integrity rules; imports and repairs use `commit` directly.

A file that does not parse is never written: if it is library.json or
actors.json the whole database opens read-only (`read_only`, `problems`); if it
is one of a report's files, only that report is read-only (`report_problem`) and
the other reports work as usual. See docs/storage.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import Query

from store.errors import ConflictError, CorruptFileError, NotFound, ReadOnlyError, StoreError
from store.ingest import parse_decoded, read_report_file, report_id_for
from store.layout import ANNOTATIONS_PER_SHARD, SHARED_FILES, Layout, checked_report_id, is_report_id
from store.locking import LOCK_TIMEOUT
from store.model import (
    SCHEMA_VERSION,
    Actor,
    Annotation,
    Kind,
    Link,
    Mark,
    Paragraph,
    ParsedReport,
    Progress,
    Report,
    new_id,
    now_iso,
    schema_meta,
)
from store.storage import (
    PRIVATE,
    Modes,
    Signature,
    Tables,
    TinyFile,
    Transaction,
    backup_folder,
    make_folder,
    modes_of,
    parse,
    read_file,
    signature,
)
from store.text import clean_line, clean_text, counted

if TYPE_CHECKING:
    from store.reanchor import Reanchoring

# How to bring a database from schema version N to N+1: MIGRATIONS[N](db, progress).
# They run in order when a Database opens an older database, one process at a
# time (under .locks/schema.lock), after a backup of the folder; the version is
# recorded after each step, so a step must be safe to run again if a crash
# interrupted it. Defined in store/migrations.py.
Progressor = Callable[[str, int, int], None]  # (what, done, total)

TABLES = {
    "annotation": "annotations", "actor": "actors", "mark": "marks", "link": "links",
    "decision": "decisions",  # adjudication (store/adjudication.py), kept by paragraph like marks
    "report": "reports",  # a report's entry in library.json (assignees; see the reports block below)
}
LINKS = "(links)"  # where link shards are, in the shard bookkeeping keyed by report id


class _Unchecked:
    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED: Any = _Unchecked()  # a plan's base when the writer does not ask for a version check (imports, repairs)


Place = tuple[int, int] | None  # where in its paragraph an annotation is: its span's start and end, None for the whole paragraph


def place_of(annotation: Annotation) -> Place:
    return (annotation.span.start, annotation.span.end) if annotation.span else None


def _place_key(paragraph: int, place: Place) -> int:
    """A paragraph and a place as one integer: unlike a tuple, not an object the garbage collector follows.

    Every annotation of a report is indexed so when it is read: 50,000 more tuples for 25,000 annotations
    made the collector's passes during the read a quarter longer. Offsets are below 2**32 (a text is capped far lower).
    """
    return paragraph << 65 | (place[0] << 33 | place[1] << 1 | 1 if place is not None else 0)


@dataclass(frozen=True)
class _Parsed:
    """One shard's annotations as of one version of its file (`seen`), and the same indexed by paragraph."""

    seen: Signature | None
    annotations: list[Annotation]
    by_paragraph: dict[int, list[Annotation]]


@dataclass(frozen=True)
class Edit:
    """One document before and after a change: enough to undo or redo it."""

    entity: str  # "annotation" | "actor" | "mark" | "link" | "decision" | "report"
    key: str  # annotation, actor, link, decision or report id, or str(paragraph number) for a mark
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
class Plan:
    """One document to write: what it becomes (None deletes it) and the version it was based on.

    `after` may be a function of the stored document (read under the lock), for
    changes that set some fields whatever else is there (a paragraph's mark).
    `base` is the document as the writer last saw it (None: it did not exist);
    UNCHECKED skips the check. The check compares versions (`rev`); with
    `by_content` it compares what the document says, whatever its version — an
    undo expects the content it wrote, even after an undo of its own bumped the version.
    """

    entity: str
    key: str
    report_id: str | None
    after: dict[str, Any] | Callable[[dict[str, Any] | None], dict[str, Any] | None] | None
    base: Any = UNCHECKED
    by_content: bool = False


@dataclass(frozen=True)
class AddResult:
    report: Report
    created: bool  # a report new to this database
    new_revision: bool  # the file changed since it was last added
    warnings: tuple[str, ...]
    previous_revision: str | None = None  # the revision that was current before this one


@dataclass
class OpenReport:
    """One report as the report screen needs it: the text of its current revision."""

    report: Report
    parsed: ParsedReport

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return self.parsed.paragraphs


BOOKKEEPING = ("rev", "updated_at", "updated_by")


def same_version(base: dict[str, Any] | None, stored: dict[str, Any] | None, by_content: bool = False) -> bool:
    if base is None or stored is None:
        return base is None and stored is None
    if by_content:
        return {k: v for k, v in base.items() if k not in BOOKKEEPING} == {k: v for k, v in stored.items() if k not in BOOKKEEPING}
    return int(base.get("rev", 0)) == int(stored.get("rev", 0))


def _rev(doc: Any) -> int:
    return int(doc.get("rev", 0)) if isinstance(doc, dict) else 0


class Database:
    def __init__(
        self,
        root: str | os.PathLike[str],
        reviewer: str = "",
        lock_timeout: float = LOCK_TIMEOUT,
        progress: Progressor | None = None,
    ) -> None:
        self.root = Path(root)
        self.layout = Layout(self.root)
        self.reviewer = clean_line(reviewer) or "unknown"
        self.lock_timeout = lock_timeout
        self.on_progress = progress  # told how a long migration is going
        self.problems: list[str] = []  # why the database (or a report) is read-only, one line each
        self.notices: list[str] = []  # things worth telling the user that are not problems (a migration)
        self.read_only = False  # True when library.json or actors.json does not parse, or the schema is too new
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: is a file; --db takes a folder")
        try:
            new = not self.root.exists()
            if new:
                make_folder(self.root, PRIVATE)  # private unless made shared on purpose (`claimdesk init --group`)
            self.modes: Modes = modes_of(self.root)
            make_folder(self.layout.reports, self.modes)
        except OSError as error:
            raise StoreError(f"cannot create the database folder {self.root}: {error.strerror}") from None
        self._files: dict[Path, TinyFile] = {}
        self._rebuilt_index: list[dict[str, Any]] | None = None
        self._index_cache: tuple[Any, dict[str, dict[str, Any]]] | None = None
        self._shard_ids: dict[Path, tuple[Any, frozenset[str]]] = {}  # shard → (its signature, the ids it holds)
        self._listings: dict[str, list[tuple[int, Path]]] = {}  # report id → its annotation shards when last listed
        self._homes: dict[tuple[str, str], Path] = {}  # (report id, annotation id) → the shard it was last seen in
        self._parsed_links: dict[Path, tuple[Any, list[Link]]] = {}
        self._parsed: dict[Path, _Parsed] = {}  # shard → its annotations, as of one version of the file
        # report id → a paragraph and place (`_place_key`) → the parsed shard (or shards) holding annotations there;
        # and the shards parsed, by report
        self._place_shards: dict[str, dict[int, Path | set[Path]]] = {}
        self._parsed_in: dict[str, set[Path]] = {}
        self.library = self._file(self.layout.library)
        self.actors_file = self._file(self.layout.actors)
        self._check_readable(self.actors_file)
        self._check_schema(new)

    # ---------------------------------------------------------------- files

    def _file(self, path: Path) -> TinyFile:
        tiny = self._files.get(path)
        if tiny is None:
            tiny = self._files[path] = TinyFile(path, self.layout.locks, self.lock_timeout, self.modes)
        return tiny

    def text_file(self, report_id: str) -> TinyFile:
        return self._file(self.layout.text(report_id))

    def files(self) -> list[Path]:
        """Every database file on disk."""
        paths = [self.layout.library, self.layout.actors]
        for report_id in self.layout.report_ids_on_disk():
            paths.append(self.layout.text(report_id))
            paths += [p for _, p in self.layout.shards(report_id, "annotations")]
            paths += [p for _, p in self.layout.shards(report_id, "marks")]
            paths += [p for _, p in self.layout.shards(report_id, "decisions")]
        return [p for p in paths if p.exists()]

    def _check_readable(self, tiny: TinyFile) -> None:
        try:
            tiny.read()
        except CorruptFileError as error:
            self._note_problem(error)
        except StoreError as error:  # a symlink or FIFO in place of a shared file
            self.read_only = True
            if str(error) not in self.problems:
                self.problems.append(str(error))

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

    def report_problem(self, report_id: str) -> str | None:
        """Why this report cannot be changed (one of its files cannot be read, or the database is read-only), else None."""
        try:
            for tiny in self._report_files(report_id):
                tiny.read()
        except CorruptFileError as error:
            self._note_problem(error)
            return str(error)
        except StoreError as error:
            return str(error)
        if self.read_only:
            return "the database is open read-only: " + "; ".join(self.problems)
        return None

    def _report_files(self, report_id: str) -> list[TinyFile]:
        paths = [self.layout.text(report_id)]
        paths += [p for _, p in self.layout.shards(report_id, "annotations")]
        paths += [p for _, p in self.layout.shards(report_id, "marks")]
        paths += [p for _, p in self.layout.shards(report_id, "decisions")]
        return [self._file(p) for p in paths]

    def report_changed(self, report_id: str) -> bool:
        """Has another process changed this report's annotations or marks since this Database last read or wrote them?

        A folder listing and one `stat` a shard, cheap enough to poll: every write stamps its
        file with a new (inode, size, nanosecond mtime), and our own writes update what we compare against.
        """
        for kind in ("annotations", "marks", "decisions"):
            for _, path in self.layout.shards(report_id, kind):
                tiny = self._files.get(path)
                if tiny is None or tiny.changed():
                    return True
        return False

    # --------------------------------------------------------------- schema

    def _stored_schema_version(self) -> int:
        """The schema version in library.json (0: none recorded; -1: not a number)."""
        meta = self.library.table("meta")
        value = next(iter(meta.values()), {}).get("schema_version", 0) if meta else 0
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else -1

    def _check_schema(self, new: bool) -> None:
        try:
            if not self.layout.library.exists() and not new:
                self._reindex_lost_library()
            version = self._stored_schema_version()
            has_reports = bool(self.library.table("reports"))
        except CorruptFileError as error:
            self._note_problem(error)
            return
        except StoreError as error:
            self.read_only = True
            self.problems.append(str(error))
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

    def _reindex_lost_library(self) -> None:
        """library.json is gone but reports are there: rebuild the index from their text files, and say so."""
        from store.migrations import index_from_text_files

        index, skipped = index_from_text_files(self.root)
        if not index:
            return
        version = 2 if any(self.layout.report_ids_on_disk()) else 1

        def write(tables: Tables) -> None:
            tables["meta"] = schema_meta(version)
            tables["reports"] = {str(n): doc for n, doc in enumerate(index, start=1)}

        self.library.update(write)
        self.notices.append(
            f"{self.layout.library} was missing: re-indexed {counted(len(index), 'report')} from their text files"
            + (f" ({len(skipped)} could not be read; run 'claimdesk doctor')" if skipped else "")
        )

    def _migrate(self) -> None:
        """Run the migrations up to SCHEMA_VERSION, one process at a time, after a backup of the folder."""
        from store.locking import hold
        from store.migrations import MIGRATIONS

        try:
            make_folder(self.layout.locks, self.modes)
            with hold(self.layout.locks / "schema.lock", self.lock_timeout, self.modes.file & 0o777, "the schema"):
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
                backup, skipped = backup_folder(self.root, f"before-schema-{SCHEMA_VERSION}")
                self.notices += skipped
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
            created_at = old.get("created_at") or now_iso()
            tables["meta"] = schema_meta(version, created_at)
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
        parsed = parse_decoded(decoded, Path(path).name)
        source = str(Path(path).resolve())
        return self.add_parsed(report_id, parsed, revision, source)

    def add_parsed(self, report_id: str, parsed: ParsedReport, revision: str, source: str) -> AddResult:
        checked_report_id(report_id)
        existing = self.find_report(report_id)
        if existing and revision in existing.revisions and self._holds_revision(report_id, revision):
            return AddResult(existing, created=False, new_revision=False, warnings=parsed.warnings)
        if self.read_only:
            raise ReadOnlyError("the database is open read-only: " + "; ".join(self.problems))
        now = now_iso()
        make_folder(self.layout.report_folder(report_id), self.modes)
        stored_revision = {"revision": revision, "added_at": now, "source_path": clean_line(source), "parsed": parsed.to_dict()}

        def add_revision(txn: Transaction) -> None:
            revisions = txn.table("revisions")
            if not revisions.contains(Query().revision == revision):
                revisions.insert(stored_revision)

        self.text_file(report_id).transact(add_revision)
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
        def index(txn: Transaction) -> None:
            reports = txn.table("reports")
            stored = reports.get(Query().id == report_id)
            doc = report.to_dict()
            if stored is not None and not isinstance(stored, list):
                doc["revisions"] = list(dict.fromkeys([*stored.get("revisions", []), revision]))
                doc = {**stored, **doc}  # keeps fields other features keep there (assignees)
                reports.update(_replacing(doc), doc_ids=[stored.doc_id])
            else:
                reports.insert(doc)

        self.library.transact(index)
        return AddResult(
            self.find_report(report_id) or report,
            created=existing is None,
            new_revision=existing is not None,
            warnings=parsed.warnings,
            previous_revision=existing.revision if existing else None,
        )

    def _report_docs(self) -> list[dict[str, Any]]:
        """The reports index (only entries whose id is safe as a path); rebuilt from the text files when library.json does not parse."""
        return list(self._index().values())

    def _index(self) -> dict[str, dict[str, Any]]:
        """Report id → index entry, built once per version of library.json (a lookup is then one dict access)."""
        try:
            tables = self._read(self.library)
            version: Any = self.library.seen
        except CorruptFileError:
            if self._rebuilt_index is None:
                from store.migrations import index_from_text_files

                self._rebuilt_index, _ = index_from_text_files(self.root)
            tables, version = {"reports": {str(n): doc for n, doc in enumerate(self._rebuilt_index)}}, "rebuilt"
        if self._index_cache is None or self._index_cache[0] != version:
            docs = tables.get("reports", {}).values()
            by_id = {doc["id"]: doc for doc in docs if isinstance(doc, dict) and is_report_id(doc.get("id"))}
            self._index_cache = (version, by_id)
        return self._index_cache[1]

    def _stored_warnings(self, report_id: str, revision: str) -> tuple[str, ...]:
        doc = self._revision_doc(report_id, revision)
        return tuple(doc.get("parsed", {}).get("warnings", ())) if doc else ()

    def _revision_doc(self, report_id: str, revision: str) -> dict[str, Any] | None:
        tiny = self.text_file(report_id)
        self._read(tiny)
        found = tiny.view("revisions").get(Query().revision == revision)
        return dict(found) if isinstance(found, dict) else None

    def _holds_revision(self, report_id: str, revision: str) -> bool:
        """Is this revision's text stored? (Adding the file again restores a text lost to a broken file.)"""
        try:
            return self._revision_doc(report_id, revision) is not None
        except CorruptFileError:
            return False

    def reports(self) -> list[Report]:
        with _readable_documents(self.library):
            found = [Report.from_dict(d) for d in self._report_docs()]
        return sorted(found, key=lambda r: (r.date or "", r.title), reverse=True)

    def find_report(self, key: str) -> Report | None:
        """A report by id, or by the file name it was added from. The one place reports are looked up."""
        index = self._index()
        with _readable_documents(self.library):
            found = index.get(key) or index.get(report_id_for(key))
            if found is not None:
                return Report.from_dict(found)
            for doc in index.values():
                if Path(doc.get("source", "")).name == key:
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
        doc = self._revision_doc(report_id, revision)
        if doc is None:
            raise NotFound(f"report {report_id!r} has no revision {revision!r}")
        with _readable_documents(self.text_file(report_id)):
            return ParsedReport.from_dict(doc["parsed"])

    def revision_texts(self, report_id: str) -> dict[str, ParsedReport]:
        """Every stored revision of one report's text, by revision hash (read, then forgotten)."""
        path = self.layout.text(report_id)
        kept = path in self._files
        tiny = self._file(path)
        try:
            docs = self._read(tiny).get("revisions", {}).values()
            with _readable_documents(tiny):
                return {doc["revision"]: ParsedReport.from_dict(doc["parsed"]) for doc in docs}
        finally:
            if not kept:
                self._files.pop(path, None)

    # ---------------------------------------------------------- annotations

    def _shard_annotations(self, path: Path, keep: bool) -> list[Annotation]:
        """One shard's annotations, parsed once per version of the file."""
        kept = path in self._files
        tiny = self._file(path)
        try:
            tables = self._read(tiny)
            cached = self._parsed.get(path)
            if cached is not None and cached.seen == tiny.seen:
                return cached.annotations
            with _readable_documents(tiny):
                found = [Annotation.from_dict(d) for d in tables.get("annotations", {}).values()]
            if keep or kept:
                self._keep_parsed(path, tiny.seen, found)
            return found
        finally:
            if not (keep or kept):
                self._files.pop(path, None)

    def annotations(self, report_id: str, keep: bool = True) -> list[Annotation]:
        """A report's annotations, in reading order (paragraph, start, creation).

        With `keep`, the shards stay in memory and a later call re-reads only those another process changed.
        """
        found: list[Annotation] = []
        for _, path in self._annotation_shards(report_id):
            found += self._shard_annotations(path, keep)
        return sorted(found, key=lambda a: (a.paragraph, a.span.start if a.span else -1, a.created_at))

    def _keep_parsed(self, path: Path, seen: Signature | None, found: list[Annotation]) -> None:
        by_paragraph: dict[int, list[Annotation]] = {}
        for annotation in found:
            by_paragraph.setdefault(annotation.paragraph, []).append(annotation)
        self._drop_parsed(path)
        self._parsed[path] = _Parsed(seen, found, by_paragraph)
        self._parsed_in.setdefault(path.parent.name, set()).add(path)
        self._index_places(path, found)

    def _index_places(self, path: Path, annotations: Iterable[Annotation]) -> None:
        """Where these annotations of a shard are: their place in the place index, the shard as their home."""
        report_id = path.parent.name
        index = self._place_shards.setdefault(report_id, {})
        homes = self._homes
        for annotation in annotations:  # inlined: it runs for every annotation of a report when it is read
            span = annotation.span
            place = annotation.paragraph << 65 | (span.start << 33 | span.end << 1 | 1 if span else 0)  # _place_key, inlined
            # One shard (nearly always) is kept as itself, not in a set: one object fewer for the collector to follow.
            shards = index.setdefault(place, path)
            if isinstance(shards, set):
                shards.add(path)
            elif shards is not path and shards != path:
                index[place] = {shards, path}
            homes[(report_id, annotation.id)] = path

    def _drop_parsed(self, path: Path) -> _Parsed | None:
        """Forget a shard's parsed annotations, and where the place index pointed to it."""
        cached = self._parsed.pop(path, None)
        if cached is not None:
            report_id = path.parent.name
            index = self._place_shards.get(report_id, {})
            for annotation in cached.annotations:
                place = _place_key(annotation.paragraph, place_of(annotation))
                shards = index.get(place)
                if isinstance(shards, set):
                    shards.discard(path)
                elif shards == path:
                    del index[place]
            self._parsed_in.get(report_id, set()).discard(path)
        return cached

    def _annotation_shards(self, report_id: str, fresh: bool = True) -> list[tuple[int, Path]]:
        """A report's annotation shards: listed again, or (not `fresh`) as last listed unless a newer one appeared.

        Another claimdesk process only ever adds the shard after the newest (store/layout.py),
        so one lstat tells whether the last listing still holds; a save in a report of
        100,000 annotations does not list its 400 shards.
        """
        if not fresh and (known := self._listings.get(report_id)) is not None:
            following = self.layout.annotation_shard(report_id, known[-1][0] + 1 if known else 1)
            if not os.path.lexists(following):
                return known
        listing = self._listings[report_id] = self.layout.shards(report_id, "annotations")
        return listing

    def paragraph_annotations(self, report_id: str, paragraph: int, fresh: bool = True) -> list[Annotation]:
        """One paragraph's annotations (unsorted), from the shards in memory; re-read only where changed.

        `fresh`: one stat a shard to see which another process changed. Not `fresh`: only the newest
        shard, where others' new annotations land, is checked; the rest are as last read.
        """
        found: list[Annotation] = []
        shards = self._annotation_shards(report_id, fresh)
        newest = shards[-1][1] if shards else None
        for _, path in shards:
            cached = self._parsed.get(path)
            if cached is None or ((fresh or path is newest) and signature(path) != cached.seen):
                self._shard_annotations(path, keep=True)
                cached = self._parsed[path]
            found += cached.by_paragraph.get(paragraph, ())
        return found

    def annotations_at(self, report_id: str, paragraph: int, place: Place) -> list[Annotation]:
        """The annotations at one place of a paragraph (a span, or None: the whole paragraph): the duplicate check's question.

        As `paragraph_annotations` not `fresh`, but once every shard is parsed only the shards the place index
        names are looked at, and the newest (where others' land): a paragraph of a report of 100,000
        annotations may have some in 250 of its 782 shards, its place in one or two (bench/bench_dense.py).
        """
        shards = self._annotation_shards(report_id, fresh=False)
        newest = shards[-1][1] if shards else None
        parsed_in = self._parsed_in.get(report_id, set())
        if newest is None or newest not in parsed_in or len(parsed_in) != len(shards):
            return [a for a in self.paragraph_annotations(report_id, paragraph, fresh=False) if place_of(a) == place]
        if signature(newest) != self._parsed[newest].seen:
            self._shard_annotations(newest, keep=True)
        found: list[Annotation] = []
        holders = self._place_shards.get(report_id, {}).get(_place_key(paragraph, place), ())
        for path in holders if isinstance(holders, set | tuple) else (holders,):  # one shard is kept as itself
            cached = self._parsed.get(path)  # named there and gone since (a shard of a removed revision): nothing to look at
            if cached is not None:
                found += (annotation for annotation in cached.by_paragraph.get(paragraph, ()) if place_of(annotation) == place)
        return found

    def stored_annotation(self, report_id: str, annotation_id: str) -> Annotation | None:
        """An annotation as stored now (None: it is not there), with one stat when it was read before."""
        home = self._homes.get((report_id, annotation_id))
        if home is None or annotation_id not in self._ids_in(home):
            home = self._home(report_id, annotation_id, self._annotation_shards(report_id), many=False)
        if home is None:
            return None
        return next((a for a in self._shard_annotations(home, keep=True) if a.id == annotation_id), None)

    def annotation(self, report_id: str, annotation_id: str) -> Annotation:
        for annotation in self.annotations(report_id):
            if annotation.id == annotation_id:
                return annotation
        raise NotFound(f"no annotation {annotation_id!r} in report {report_id!r}")

    def iter_annotations(self, report_ids: Iterable[str] | None = None) -> Iterator[Annotation]:
        """Every annotation, report by report: one report's files in memory at a time."""
        ids = list(report_ids) if report_ids is not None else [r.id for r in self.reports()]
        for report_id in ids:
            yield from self.annotations(report_id, keep=False)

    def annotation_documents(self, report_id: str) -> list[dict[str, Any]]:
        """One report's annotations as stored (`Annotation.to_dict` layout; do not mutate them).

        Read from disk and then forgotten (unless the report is open), so an export streams a
        large database one report at a time.
        """
        docs: list[dict[str, Any]] = []
        for _, path in self.layout.shards(report_id, "annotations"):
            kept = path in self._files
            tiny = self._file(path)
            try:
                docs += self._read(tiny).get("annotations", {}).values()
            finally:
                if not kept:
                    self._files.pop(path, None)
        return docs

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

    # ---------------------------------------------------------------- links

    def links(self) -> list[Link]:
        """Every link between claims, across reports (its shards stay in memory; a later call re-reads only changed ones)."""
        found: list[Link] = []
        for _, path in self.layout.link_shards():
            tiny = self._file(path)
            tables = self._read(tiny)
            cached = self._parsed_links.get(path)
            if cached is None or cached[0] != tiny.seen:
                with _readable_documents(tiny):
                    cached = (tiny.seen, [Link.from_dict(d) for d in tables.get("links", {}).values()])
                self._parsed_links[path] = cached
                for link in cached[1]:
                    self._homes[(LINKS, link.id)] = path
            found += cached[1]
        return found

    def links_of(self, annotation_id: str) -> list[Link]:
        """The links that start or end at one claim."""
        return [link for link in self.links() if link.touches(annotation_id)]

    # ---- issue 15 (claims across reports): links read once and forgotten, for commands that stream ----

    def link_documents(self) -> Iterator[dict[str, Any]]:
        """Every link as stored (`Link.to_dict` layout; do not mutate them), shard by shard.

        Read from disk and then forgotten (unless the shard is open already), as
        `annotation_documents` reads a report: `claimdesk claims` and an export stream the
        database without holding the link shards, their parsed links and their bytes as well.
        """
        for _, path in self.layout.link_shards():
            kept = path in self._files
            tiny = self._file(path)
            try:
                docs = list(self._read(tiny).get("links", {}).values())
            finally:
                if not kept:
                    self._files.pop(path, None)
            yield from docs

    # ---- end of issue 15 ----

    # ------------------------------------------------------ paragraph marks

    def marks(self, report_id: str) -> dict[int, Mark]:
        """Every paragraph's mark (reviewed / flagged), by 1-based paragraph number."""
        found: dict[int, Mark] = {}
        for _, path in self.layout.shards(report_id, "marks"):
            tiny = self._file(path)
            with _readable_documents(tiny):
                for doc in self._read(tiny).get("marks", {}).values():
                    mark = Mark.from_dict(doc)
                    found[mark.paragraph] = mark
        return found

    def progress(self, report: Report) -> Progress:
        marks = [m for m in self.marks(report.id).values() if 1 <= m.paragraph <= report.paragraph_count]
        return Progress(
            total=report.paragraph_count,
            reviewed=sum(m.reviewed for m in marks),
            flagged=sum(m.flagged for m in marks),
        )

    # ------------------------------------------- adjudication decisions (store/adjudication.py)

    def decision_documents(self, report_id: str) -> list[dict[str, Any]]:
        """One report's adjudication decisions as stored (store/adjudication.py reads them; do not mutate them)."""
        found: list[dict[str, Any]] = []
        for _, path in self.layout.shards(report_id, "decisions"):
            found += self._read(self._file(path)).get("decisions", {}).values()
        return found

    # ---------------------------------------------------------------- actors

    def actors(self) -> list[Actor]:
        with _readable_documents(self.actors_file):
            found = [Actor.from_dict(d) for d in self._read(self.actors_file).get("actors", {}).values()]
        return sorted(found, key=lambda a: a.name.casefold())

    def actor(self, actor_id: str) -> Actor:
        self._read(self.actors_file)
        found = self.actors_file.view("actors").get(Query().id == actor_id)
        if not isinstance(found, dict):
            raise NotFound(f"no actor {actor_id!r}")
        with _readable_documents(self.actors_file):
            return Actor.from_dict(found)

    def find_actor(self, name: str) -> Actor | None:
        """The actor whose canonical name or an alias is `name` (case-insensitive)."""
        wanted = clean_line(name).casefold()
        for actor in self.actors():
            if any(n.casefold() == wanted for n in actor.names):
                return actor
        return None

    def new_actor(self, name: str, type: str = "other", **fields: Any) -> Actor:
        return Actor(id=new_id(), name=clean_line(name), type=type, reviewer=self.reviewer, **fields)

    def resolve_actor(self, name: str, type: str = "other", **fields: Any) -> tuple[Actor, Edit | None]:
        """The actor named `name` (canonical name or alias, any case), created if there is none.

        Returns the actor and the edit that created it (None when it existed).
        """
        now = now_iso()
        actor = self.new_actor(name, type, **fields).evolve(created_at=now, updated_at=now, updated_by=self.reviewer)
        return self.add_actor_unless_named(actor)

    def add_actor_unless_named(self, actor: Actor) -> tuple[Actor, Edit | None]:
        """Add `actor` unless one with its name (as a name or an alias, any case) is already registered.

        Looked up and added under the registry's lock, after re-reading it, so two imports
        (or an import and a TUI) naming the same new actor create it once: the second gets
        the first's. Returns the actor now registered under that name, and the edit that
        added it (None when it was there already).
        """
        actor = clean_actor(actor)
        if self.read_only:
            raise ReadOnlyError("the database is open read-only: " + "; ".join(self.problems))
        folded = actor.name.casefold()

        def find_or_add(txn: Transaction) -> tuple[Actor, Edit | None]:
            actors = txn.table("actors")
            for doc in actors:
                names = [doc.get("name", ""), *doc.get("aliases", [])]
                if any(isinstance(n, str) and n.casefold() == folded for n in names):
                    with _readable_documents(self.actors_file):
                        return Actor.from_dict(doc), None
            after = {**actor.to_dict(), "rev": 1}
            actors.insert(after)
            return Actor.from_dict(after), Edit("actor", actor.id, None, None, after)

        return self.actors_file.transact(find_or_add)

    # ------------------------------------------------------------ revisions

    def plan_carry(self, report: Report, previous_revision: str | None, reviewer: str) -> tuple[list[Plan], Reanchoring | None]:
        """The plans that carry a report's annotations and marks onto its current revision (see Session.carry_to_revision).

        Every annotation not on the current revision is looked for again (store/reanchor.py):
        placed, it takes its new paragraph and offsets; not found with confidence, it is
        orphaned in place. The previous revision's marks follow their paragraphs; a reviewed
        paragraph whose text changed is to be reviewed again.
        """
        from store.reanchor import reanchor

        new_text = self.report_text(report.id, report.revision)
        stale = [a for a in self.annotations(report.id) if a.revision != report.revision]
        by_revision: dict[str, list[Annotation]] = {}
        for annotation in stale:
            by_revision.setdefault(annotation.revision, []).append(annotation)
        if previous_revision and previous_revision != report.revision:
            by_revision.setdefault(previous_revision, [])
        if not by_revision:
            return [], None
        now, last = now_iso(), None
        plans: list[Plan] = []
        for revision, group in by_revision.items():
            try:
                old_text = self.report_text(report.id, revision)
            except NotFound:
                continue  # a revision whose text is lost: doctor says so; its annotations stay where they are
            marks = self.marks(report.id) if revision == previous_revision else None
            outcome = reanchor(old_text, new_text, group, marks)
            by_id = {a.id: a for a in group}
            for placed in outcome.new_annotations(report.revision):
                before = by_id[placed.id]
                after = placed.evolve(orphaned=None, updated_at=now, updated_by=reviewer)
                plans.append(Plan("annotation", placed.id, report.id, after.to_dict(), base=before.to_dict()))
            for result in outcome.annotations:
                if not result.orphaned:
                    continue
                orphan = {"revision": report.revision, "reason": result.reason, "near": result.near, "at": now}
                old = result.annotation
                if old.orphaned and old.orphaned.get("revision") == report.revision:
                    continue
                after = old.evolve(orphaned=orphan, updated_at=now, updated_by=reviewer)
                plans.append(Plan("annotation", old.id, report.id, after.to_dict(), base=old.to_dict()))
            if marks is not None:
                # A paragraph whose text changed since it was reviewed is to be reviewed again (who reviewed it stays).
                moved = {
                    mark.paragraph: mark.evolve(reviewed=False) if mark.changed_since_review else mark
                    for mark in outcome.moved_marks()
                }
                for number in set(marks) | set(moved):
                    mark = moved.get(number)
                    after_mark = mark.evolve(updated_at=now, updated_by=reviewer).to_dict() if mark else None
                    if after_mark is None and number not in marks:
                        continue
                    plans.append(Plan("mark", str(number), report.id, after_mark))
            if revision == previous_revision or last is None:
                last = outcome
        return plans, last


    def trim_revisions(self) -> None:
        """Schema 2 → 3: paragraphs lose the whitespace at their edges (U+00A0 runs left by web pages).

        Each report whose current text has such edges gets the trimmed text as a new revision,
        and its annotations and marks are carried onto it (offsets inside a paragraph move by
        what its start lost). Safe to run again: a report already trimmed is only carried over
        if something was left behind on its untrimmed parent.
        """
        from store.parsing import finish

        for report in self.reports():
            parsed = self.report_text(report.id, report.revision)
            trimmed = finish(parsed, report.id)
            parent = report.revision
            if [p.text for p in trimmed.paragraphs] != [p.text for p in parsed.paragraphs]:
                revision = _trimmed_id(report.revision)
                report = self.add_parsed(report.id, trimmed, revision, report.source).report
            elif len(report.revisions) > 1 and report.revision == _trimmed_id(report.revisions[-2]):
                parent = report.revisions[-2]  # a re-run after the new revision was stored
            else:
                continue
            plans, _ = self.plan_carry(report, parent, "claimdesk")
            if plans:
                self.commit(plans)

    # ---------------------------------------------------------------- writing

    def commit(self, plans: Sequence[Plan]) -> tuple[Edit, ...]:
        """Write every plan, file by file; all or nothing. Raises ConflictError, ReadOnlyError, WriteError…"""
        if self.read_only:
            raise ReadOnlyError("the database is open read-only: " + "; ".join(self.problems))
        try:
            places = self._places(plans)
        except CorruptFileError as error:
            self._note_problem(error)
            raise ReadOnlyError(f"{error}; the change was not saved") from None
        groups: dict[Path, list[Plan]] = {}
        for plan, path in zip(plans, places, strict=True):
            groups.setdefault(path, []).append(plan)
        written: list[Edit] = []
        try:
            for path, group in groups.items():
                written += self._commit_file(path, group)
        except StoreError:
            self._roll_back(written)
            raise
        return tuple(written)

    def _ids_in(self, path: Path) -> frozenset[str]:
        """The document ids a shard holds (re-read only when the file changed)."""
        tiny = self._file(path)
        tables = self._read(tiny)
        cached = self._shard_ids.get(path)
        if cached is None or cached[0] != tiny.seen:
            table = "links" if path.parent == self.layout.links else "annotations"
            cached = (tiny.seen, frozenset(str(doc.get("id")) for doc in tables.get(table, {}).values()))
            self._shard_ids[path] = cached
        return cached[1]

    def _shard_list(self, owner: str) -> list[tuple[int, Path]]:
        return self.layout.link_shards() if owner == LINKS else self._annotation_shards(owner, fresh=False)

    def _shard_path(self, owner: str, number: int) -> Path:
        return self.layout.link_shard(number) if owner == LINKS else self.layout.annotation_shard(owner, number)

    def _home(self, report_id: str, annotation_id: str, shards: list[tuple[int, Path]], many: bool) -> Path | None:
        """The shard that holds an annotation (None: it is new). One stat when it was read before."""
        known = self._homes.get((report_id, annotation_id))
        if known is not None and annotation_id in self._ids_in(known):
            return known
        if many:  # an import of thousands: index every shard once, not once per annotation
            for _, path in shards:
                for found in self._ids_in(path):
                    self._homes[(report_id, found)] = path
            known = self._homes.get((report_id, annotation_id))
            return known if known is not None and annotation_id in self._ids_in(known) else None
        return next((path for _, path in shards if annotation_id in self._ids_in(path)), None)

    def _places(self, plans: Sequence[Plan]) -> list[Path]:
        """Which file each plan writes: an annotation's own shard, else the newest shard with room.

        A save costs the same however many annotations the report holds: a new annotation
        (its base says it did not exist) goes straight to the newest shard, and an existing
        one to the shard it was read from, checked with one stat.
        """
        places: list[Path] = []
        shards: dict[str, list[tuple[int, Path]]] = {}
        room: dict[str, tuple[int, int]] = {}  # report id → (newest shard number, annotations in it)
        many = len(plans) > 64
        for plan in plans:
            if plan.entity == "actor":
                places.append(self.layout.actors)
            elif plan.entity == "mark":
                places.append(self.layout.mark_shard(checked_report_id(plan.report_id), int(plan.key)))
            elif plan.entity == "decision":  # its id starts with its paragraph number: "12-<key>"
                places.append(self.layout.decision_shard(checked_report_id(plan.report_id), decision_paragraph(plan.key)))
            elif plan.entity == "report":
                places.append(self.layout.library)
            elif plan.entity in ("annotation", "link"):
                owner = checked_report_id(plan.report_id) if plan.entity == "annotation" else LINKS
                if owner not in shards:
                    shards[owner] = self._shard_list(owner)
                new = plan.base is None and not plan.by_content
                home = None if new else self._home(owner, plan.key, shards[owner], many)
                if home is None and not new and owner != LINKS:  # not where it was: look in every shard there is now
                    shards[owner] = self._annotation_shards(owner)
                    home = self._home(owner, plan.key, shards[owner], many)
                if home is None:
                    if owner not in room:
                        newest = shards[owner][-1] if shards[owner] else (1, self._shard_path(owner, 1))
                        count = len(self._ids_in(newest[1])) if shards[owner] else 0
                        room[owner] = (newest[0], count)
                    number, count = room[owner]
                    if count >= ANNOTATIONS_PER_SHARD:
                        number, count = number + 1, 0
                    room[owner] = (number, count + 1)
                    home = self._shard_path(owner, number)
                self._homes[(owner, plan.key)] = home
                places.append(home)
            else:
                raise StoreError(f"cannot write a {plan.entity!r}")
        return places

    def _commit_file(self, path: Path, plans: list[Plan]) -> list[Edit]:
        tiny = self._file(path)
        make_folder(path.parent, self.modes)
        table_name = TABLES[plans[0].entity]
        key_field = "paragraph" if plans[0].entity == "mark" else "id"

        started: list[Signature | None] = []  # the version each try of `change` worked on

        def change(txn: Transaction) -> list[Edit]:
            started.append(tiny.seen)
            edits: list[Edit] = []
            conflicts: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]] = []
            # Each document's key (TinyDB's iteration makes a Document of each: a third of a save), kept up to date below
            doc_ids = txn.key_index(table_name, key_field)
            for plan in plans:
                key: Any = int(plan.key) if key_field == "paragraph" else plan.key
                doc_id = doc_ids.get(key)
                found = txn.tables.get(table_name, {}).get(str(doc_id)) if doc_id is not None else None
                stored = dict(found) if isinstance(found, dict) else None
                after = plan.after(stored) if callable(plan.after) else plan.after
                if plan.base is not UNCHECKED and not same_version(plan.base, stored, plan.by_content):
                    conflicts.append((plan.entity, plan.key, after, stored))
                    continue
                if after is not None:
                    after = {**after, "rev": max(_rev(stored), _rev(plan.base)) + 1}
                if doc_id is not None and after is None:
                    txn.put(table_name, doc_id, None)
                    del doc_ids[key]
                elif after is not None:
                    doc_ids[key] = txn.put(table_name, doc_id, after)  # replaced whole, or added under TinyDB's next id
                edits.append(Edit(plan.entity, plan.key, plan.report_id, stored, after))
            if conflicts:
                raise ConflictError(_conflict_message(conflicts), conflicts)
            return edits

        try:
            edits = tiny.transact(change)
        except ReadOnlyError:
            if tiny.corrupt is not None:
                self._note_problem(tiny.corrupt)
            raise
        if table_name == "annotations":
            self._parsed_after(path, started[-1] if started else None, tiny.seen, edits)
        elif table_name == "links":
            self._parsed_links.pop(path, None)
        return edits

    def _parsed_after(self, path: Path, before: Signature | None, after: Signature | None, edits: list[Edit]) -> None:
        """Keep a shard's parsed annotations across our own write: only what the write changed is parsed.

        Only when what was parsed is the very version the write started from; else it is read again when asked.
        """
        cached = self._parsed.get(path)
        if cached is None or before is None or cached.seen != before:
            self._drop_parsed(path)
            return
        by_id = {annotation.id: annotation for annotation in cached.annotations}
        changed = []
        for edit in edits:
            if edit.after is None:
                by_id.pop(edit.key, None)
            else:
                changed.append(Annotation.from_dict(edit.after))
                by_id[edit.key] = changed[-1]
        found = list(by_id.values())
        by_paragraph: dict[int, list[Annotation]] = {}
        for annotation in found:
            by_paragraph.setdefault(annotation.paragraph, []).append(annotation)
        self._parsed[path] = _Parsed(after, found, by_paragraph)
        # Only what changed is indexed: a place our write emptied goes on naming this shard for as long as this
        # Database lives (a shard's dropping removes only the places it still holds), which costs the duplicate
        # check a look, never a miss (it compares places).
        self._index_places(path, changed)

    def _roll_back(self, written: list[Edit]) -> None:
        """Put back what a failed commit already wrote (best effort: the failure itself is what is reported)."""
        if not written:
            return
        undo = [Plan(e.entity, e.key, e.report_id, e.before) for e in reversed(written)]
        with contextlib.suppress(StoreError):
            groups: dict[Path, list[Plan]] = {}
            for plan, path in zip(undo, self._places(undo), strict=True):
                groups.setdefault(path, []).append(plan)
            for path, group in groups.items():
                self._commit_file(path, group)

    # Writes below the session (imports, repairs, tests): no version check, no undo, no integrity rules.

    def save_annotation(self, annotation: Annotation, keep_timestamps: bool = False) -> tuple[Annotation, Change]:
        """Insert or replace an annotation; durably on disk when this returns."""
        annotation = clean_annotation(annotation)
        if not keep_timestamps:
            now = now_iso()
            annotation = annotation.evolve(
                created_at=annotation.created_at or now,
                updated_at=now,
                reviewer=annotation.reviewer or self.reviewer,
                updated_by=self.reviewer,
            )
        (edit,) = self.commit([Plan("annotation", annotation.id, annotation.report_id, annotation.to_dict())])
        saved = Annotation.from_dict(edit.after or {})
        return saved, Change(f"{'edited' if edit.before else 'added'} {annotation.kind.value}", (edit,))

    def save_annotations(self, report_id: str, annotations: Iterable[Annotation]) -> Change:
        """Insert or replace many annotations of one report (an import); timestamps and reviewers kept as given."""
        cleaned = [clean_annotation(a) for a in annotations]
        if any(a.report_id != report_id for a in cleaned):
            raise StoreError(f"save_annotations: every annotation must belong to report {report_id!r}")
        edits = self.commit([Plan("annotation", a.id, report_id, a.to_dict()) for a in cleaned])
        return Change(f"imported {counted(len(edits), 'annotation')}", edits)

    def delete_annotation(self, report_id: str, annotation_id: str) -> Change:
        (edit,) = self.commit([Plan("annotation", annotation_id, report_id, None)])
        if edit.before is None:
            raise NotFound(f"no annotation {annotation_id!r} in report {report_id!r}")
        return Change(f"deleted {edit.before['kind']}", (edit,))

    def save_actor(self, actor: Actor) -> tuple[Actor, Change]:
        now = now_iso()
        actor = clean_actor(actor).evolve(
            created_at=actor.created_at or now, updated_at=now, reviewer=actor.reviewer or self.reviewer, updated_by=self.reviewer
        )
        (edit,) = self.commit([Plan("actor", actor.id, None, actor.to_dict())])
        return Actor.from_dict(edit.after or {}), Change("edited actor" if edit.before else "added actor", (edit,))


def decision_paragraph(decision_id: str) -> int:
    """The paragraph an adjudication decision is about, from its id ("12-<key>"): which shard holds it."""
    head = decision_id.split("-", 1)[0]
    if not head.isdigit():
        raise StoreError(f"{decision_id[:80]!r} is not a decision id (paragraph-key)")
    return int(head)


def _trimmed_id(revision: str) -> str:
    """The revision id of a revision's text with its paragraphs trimmed (the schema 3 migration)."""
    return hashlib.sha256(f"{revision}:trimmed".encode()).hexdigest()[:16]


def _replacing(doc: dict[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that makes a stored document exactly `doc` (fields it no longer has go)."""

    def replace(stored: MutableMapping[str, Any]) -> None:
        stored.clear()
        stored.update(doc)

    return replace


def _conflict_message(conflicts: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]]) -> str:
    entity, _key, _mine, theirs = conflicts[0]
    what = {
        "annotation": "this annotation", "actor": "this actor", "mark": "this paragraph's mark",
        "decision": "this adjudication decision", "report": "this report's entry",
    }.get(entity, entity)
    if theirs is None:
        return f"{what} was deleted by someone else since you opened it; nothing was saved"
    who = theirs.get("updated_by") or theirs.get("reviewer") or "someone else"
    when = str(theirs.get("updated_at", ""))[:16].replace("T", " ")
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return f"{what} was changed by {who}{' at ' + when if when else ''} since you opened it{more}; nothing was saved"


@contextlib.contextmanager
def _readable_documents(tiny: TinyFile) -> Iterator[None]:
    """A document of the wrong shape (edited by hand, or by another program) is a one-line StoreError."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise StoreError(f"{tiny.path}: a document cannot be read ({detail}); run 'claimdesk doctor'") from None


def clean_annotation(annotation: Annotation) -> Annotation:
    """Analyst-typed text cleaned of control characters (the boundary where it enters the store)."""
    claim = annotation.claim
    if claim is not None:
        claim = type(claim)(clean_text(claim.text), clean_line(claim.type), claim.claimant, claim.reported_by)
    return annotation.evolve(note=clean_text(annotation.note), claim=claim)


def clean_actor(actor: Actor) -> Actor:
    name = clean_line(actor.name)
    if not name:
        raise StoreError("an actor needs a name")
    aliases = tuple(dict.fromkeys(a for a in (clean_line(x) for x in actor.aliases) if a and a != name))
    return actor.evolve(name=name, aliases=aliases, note=clean_text(actor.note))


def read_tables(path: Path) -> Tables:
    """A database file's tables, read once (no cache): for checks and migrations."""
    raw, _ = read_file(path)
    return parse(raw, path)
