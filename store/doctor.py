"""Checking and repairing a database folder: what `claimdesk doctor [--repair]` runs.

`check(root)` reads every file once and returns findings: *problems* (the
database is not healthy) and *notes* (worth knowing, nothing wrong). It never
writes, and it never follows a link or opens anything that is not a regular
file. `repair(root)` first copies the folder's regular files to a timestamped
backup beside it, then fixes what can be fixed without guessing, and checks again.

What check looks for, beyond every file parsing: the schema version; the index
and the report folders agreeing; ids that are not safe as paths; symlinks,
FIFOs, devices or folders where files belong (never followed); files or folders
that other users can read or write; every span's quote equal to `text[start:end]`
of its paragraph; references to actors that do not exist; the session's rules
(no affiliation cycle, no span tagged twice by one analyst with the same actor);
leftovers of interrupted saves; locks held right now.

What repair does:
* removes temporary files left by interrupted saves (only when no save to that
  file is running: it holds the file's lock while it does so);
* removes symlinks, FIFOs and devices planted where database files belong
  (the backup lists them; their targets are never touched);
* gives files and folders the database's own permissions;
* a file that does not parse is kept aside (`<name>.corrupt-<time>`), then
  library.json is rebuilt from the report text files, and any other file is
  replaced by the documents that can still be read from it whole (possibly
  none); actors that annotations name but that could not be recovered come back
  as placeholders named "unknown actor …", so no reference is lost;
* puts reports whose text file is not in the index back into it;
* records the schema version when it is missing;
* sets actor references that name no actor (claimant, reported_by, actor_id,
  affiliation) to null;
* moves a span whose offsets no longer match its paragraph onto its quote, when
  the quote occurs exactly once in that paragraph.
Anything else is reported and left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import CorruptFileError, StoreError
from store.layout import LINK_SHARD, SHARD, Layout, is_report_id
from store.locking import is_held
from store.migrations import index_from_text_files
from store.model import SCHEMA_VERSION, Annotation, Kind, actor_refs, now_iso, schema_meta
from store.storage import (
    CORRUPT_MARK,
    Tables,
    TinyFile,
    atomic_write_bytes,
    backup_folder,
    encode,
    keep_aside,
    kept_aside_path,
    kind_of,
    lock_name,
    modes_of,
    parse,
    read_file,
    temp_target,
)
from store.text import counted

PROBLEM, NOTE = "problem", "note"


@dataclass(frozen=True)
class Finding:
    severity: str  # PROBLEM or NOTE
    where: str  # a path relative to the database folder
    message: str

    def line(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass
class RepairOutcome:
    backup: Path
    actions: list[str] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)  # findings after the repair, notes included

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.remaining if f.severity == PROBLEM]


@dataclass
class Summary:
    reports: int = 0
    annotations: int = 0
    actors: int = 0


# ------------------------------------------------------------------ reading the folder


class Snapshot:
    """A database folder's files: which ones cannot be read and why, and their tables on demand.

    Every entry is looked at with lstat, never followed. Every file is parsed once
    up front to find the broken ones; only library.json and actors.json are kept in
    memory, report files are read again one at a time when a check needs them (a
    100,000-annotation database stays small).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        if not root.is_dir():
            raise StoreError(f"no claimdesk database at {root} (not a folder)")
        self.layout = Layout(root)
        self.reports_dir = self.layout.reports
        if not self.layout.library.exists() and not self.reports_dir.is_dir():
            raise StoreError(f"no claimdesk database at {root} (no library.json, no reports/)")
        self.shared: dict[Path, Tables] = {}
        self.unsafe: dict[Path, str] = {}  # entries that are not what they should be (never opened)
        self.stray: list[Path] = []  # regular files that are not claimdesk's
        self.found: list[Path] = self._scan()
        self.broken: dict[Path, str] = {}  # path → why it cannot be read
        self.corrupt: dict[Path, CorruptFileError] = {}
        self._cache: dict[str, tuple[Path, Tables]] = {}
        for path in self.found:
            try:
                raw, _ = read_file(path)
                tables = parse(raw, path)
            except CorruptFileError as error:
                self.corrupt[path] = error
                self.broken[path] = f"does not parse: {error.detail}"
            except StoreError as error:
                self.broken[path] = str(error).removeprefix(f"{path} ").removeprefix(f"cannot read {path}: ")
            else:
                if path.parent == root:
                    self.shared[path] = tables

    def _scan(self) -> list[Path]:
        """Every database file (regular files only); symlinks and the like go to `unsafe`, others to `stray`."""
        found: list[Path] = []
        for path in (self.layout.library, self.layout.actors):
            if self._regular(path):
                found.append(path)
        if self.layout.links.exists() and self._is_folder(self.layout.links):
            for entry in sorted(os.scandir(self.layout.links), key=lambda e: e.name):
                if entry.name.startswith(".") or CORRUPT_MARK in entry.name:
                    continue
                if LINK_SHARD.match(entry.name):
                    if self._regular(Path(entry.path)):
                        found.append(Path(entry.path))
                else:
                    self.stray.append(Path(entry.path))
        if not self._is_folder(self.reports_dir):
            return found
        for entry in sorted(os.scandir(self.reports_dir), key=lambda e: e.name):
            path = Path(entry.path)
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                if not is_report_id(entry.name):
                    self.unsafe[path] = f"{entry.name!r} is not a valid report id; its files are not read"
                    continue
                for inner in sorted(os.scandir(path), key=lambda e: e.name):
                    inner_path = Path(inner.path)
                    if inner.name.startswith(".") or CORRUPT_MARK in inner.name:
                        continue  # temporary files and kept-aside copies: checked on their own
                    if inner.name == "text.json" or SHARD.match(inner.name):
                        if self._regular(inner_path):
                            found.append(inner_path)
                    else:
                        self.stray.append(inner_path)
            elif stat.S_ISREG(st.st_mode):
                if not entry.name.startswith(".") and CORRUPT_MARK not in entry.name:
                    self.stray.append(path)  # schema 1 files are read by the migration, not here
            elif not stat.S_ISLNK(st.st_mode) or entry.name.startswith("."):
                self.unsafe[path] = f"is {kind_of(st.st_mode)} where only report folders belong; never followed"
            else:
                self.unsafe[path] = "is a symbolic link where only report folders belong; never followed"
        return found

    def _regular(self, path: Path) -> bool:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return False
        if stat.S_ISREG(st.st_mode):
            return True
        self.unsafe[path] = f"is {kind_of(st.st_mode)} where a database file belongs; claimdesk never reads, copies or writes through it"
        return False

    def _is_folder(self, path: Path) -> bool:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return False
        if stat.S_ISDIR(st.st_mode):
            return True
        self.unsafe[path] = f"is {kind_of(st.st_mode)} where the reports folder belongs; never followed"
        return False

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def readable(self, path: Path) -> bool:
        return path in self.found and path not in self.broken

    def load(self, path: Path) -> Tables | None:
        """A file's tables (the last one of each kind is kept), None if it cannot be read."""
        if path.parent == self.root:
            return self.shared.get(path, {}) if path not in self.broken else None
        if not self.readable(path):
            return None
        kind = path.name.split("-")[0]
        cached = self._cache.get(kind)
        if cached and cached[0] == path:
            return cached[1]
        try:
            raw, _ = read_file(path)
            tables = parse(raw, path)
        except StoreError:
            return None  # changed since the scan; the next check will say so
        self._cache[kind] = (path, tables)
        return tables

    def library(self) -> Tables | None:
        return self.load(self.layout.library)

    def actors(self) -> dict[str, dict[str, Any]] | None:
        tables = self.load(self.layout.actors)
        return tables.get("actors", {}) if tables is not None else None

    def report_ids(self) -> list[str]:
        return sorted({path.parent.name for path in self.found if path.parent.parent == self.reports_dir})

    def text_path(self, report_id: str) -> Path:
        return self.layout.text(report_id)

    def shard_paths(self, kind: str) -> list[tuple[str, Path]]:
        return [
            (path.parent.name, path)
            for path in self.found
            if path.parent.parent == self.reports_dir and (m := SHARD.match(path.name)) is not None and m["kind"] == kind
        ]

    def annotation_files(self) -> Iterator[tuple[str, Path, Tables]]:
        """Each readable annotations shard, parsed, one at a time."""
        for report_id, path in self.shard_paths("annotations"):
            tables = self.load(path)
            if tables is not None:
                yield report_id, path, tables

    def revisions(self, report_id: str) -> dict[str, dict[str, Any]] | None:
        """revision → parsed report dict, or None if the text file is missing or broken."""
        tables = self.load(self.text_path(report_id))
        if tables is None:
            return None
        return {str(doc.get("revision")): doc.get("parsed", {}) for doc in tables.get("revisions", {}).values()}

    def all_entries(self) -> Iterator[Path]:
        """Every file and folder of the database (not following links), for the permission check."""
        yield self.root
        report_folders = [self.reports_dir / rid for rid in self.report_ids()]
        for folder in (self.root, self.reports_dir, self.layout.links, *report_folders, self.layout.locks):
            if not self._exists_as_folder(folder):
                continue
            if folder != self.root:
                yield folder
            for entry in os.scandir(folder):
                if not entry.is_dir(follow_symlinks=False) and not entry.is_symlink():
                    yield Path(entry.path)

    @staticmethod
    def _exists_as_folder(path: Path) -> bool:
        try:
            return stat.S_ISDIR(os.lstat(path).st_mode)
        except FileNotFoundError:
            return False


def _paragraph_text(parsed: dict[str, Any], number: int) -> str | None:
    for paragraph in parsed.get("paragraphs", ()):
        if paragraph.get("number") == number:
            return paragraph.get("text")
    return None


def _field(role: str) -> str:
    return "actor_id" if role == "mention" else role


# ------------------------------------------------------------------ checking


def check(root: str | os.PathLike[str], summary: Summary | None = None) -> list[Finding]:
    """Every finding about the database at `root`, problems first. Reads only."""
    snap = Snapshot(Path(root))
    findings: list[Finding] = []
    findings += _check_files(snap)
    findings += _check_permissions(snap)
    findings += _check_schema(snap)
    findings += _check_index(snap)
    findings += _check_annotations(snap, summary)
    findings += _check_actor_refs(snap)
    findings += _check_actor_rules(snap)
    findings += _check_links(snap)
    findings += _check_temp_files(snap)
    findings += _check_locks(snap)
    if summary is not None:
        library = snap.library() or {}
        summary.reports = len(library.get("reports", {}))
        summary.actors = len(snap.actors() or {})
    return sorted(findings, key=lambda f: f.severity != PROBLEM)


def _check_files(snap: Snapshot) -> list[Finding]:
    findings = []
    for path, why in snap.unsafe.items():
        findings.append(Finding(PROBLEM, snap.rel(path), why))
    for path, why in snap.broken.items():
        error = snap.corrupt.get(path)
        kept = kept_aside_path(path) if error else None
        copy = f" (a copy is kept at {snap.rel(kept)})" if kept and kept.exists() else ""
        findings.append(Finding(PROBLEM, snap.rel(path), why + copy))
    for folder in (snap.root, *(snap.reports_dir / rid for rid in snap.report_ids())):
        for path in sorted(folder.glob(f"*{CORRUPT_MARK}*")) if folder.is_dir() else ():
            findings.append(Finding(NOTE, snap.rel(path), "a copy of a file that did not parse, kept for recovery"))
    for path in snap.stray:
        if path.name.endswith((".text.json", ".annotations.json")):
            findings.append(
                Finding(NOTE, snap.rel(path), "a file of the old layout (schema 1): moved when claimdesk next opens the database")
            )
        else:
            findings.append(Finding(NOTE, snap.rel(path), "not a claimdesk file; left alone"))
    return findings


def _check_permissions(snap: Snapshot) -> list[Finding]:
    """Nothing in a database may be readable or writable by users outside it (its group, when shared)."""
    modes = modes_of(snap.root)
    findings = []
    for path in snap.all_entries():
        try:
            mode = stat.S_IMODE(os.lstat(path).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o007:
            who = "read" if mode & 0o004 else ""
            who += (" and written" if who else "written") if mode & 0o002 else ""
            who = who or "entered"
            findings.append(Finding(PROBLEM, snap.rel(path) or ".", f"can be {who} by every user on this machine (mode {mode:04o})"))
        elif mode & 0o070 and not modes.shared:
            findings.append(Finding(NOTE, snap.rel(path) or ".", f"can be read by its group (mode {mode:04o}) in a private database"))
    return findings


def _check_schema(snap: Snapshot) -> list[Finding]:
    library = snap.library()
    if library is None:
        return []
    if not snap.layout.library.exists():
        if snap.report_ids():
            return [
                Finding(
                    PROBLEM,
                    "library.json",
                    "missing: claimdesk re-indexes the reports from their text files when it next opens the database",
                )
            ]
        return []
    meta = next(iter(library.get("meta", {}).values()), {})
    version = meta.get("schema_version")
    if not isinstance(version, int):
        return [Finding(PROBLEM, "library.json", "no schema version recorded")]
    if version > SCHEMA_VERSION:
        return [
            Finding(PROBLEM, "library.json", f"schema version {version} is newer than this claimdesk ({SCHEMA_VERSION}); upgrade claimdesk")
        ]
    if version < SCHEMA_VERSION:
        return [Finding(NOTE, "library.json", f"schema version {version}; it is migrated to {SCHEMA_VERSION} when claimdesk next opens it")]
    return []


def _check_index(snap: Snapshot) -> list[Finding]:
    findings: list[Finding] = []
    library = snap.library()
    if library is None:
        return findings
    indexed = set()
    for doc in library.get("reports", {}).values():
        report_id = doc.get("id")
        if not isinstance(report_id, str):
            findings.append(Finding(PROBLEM, "library.json", f"a report entry has no id: {json.dumps(doc)[:80]}"))
            continue
        if not is_report_id(report_id):
            shown = json.dumps(report_id[:80], ensure_ascii=True)
            findings.append(Finding(PROBLEM, "library.json", f"report id {shown} is not a valid id; claimdesk never uses it as a path"))
            continue
        indexed.add(report_id)
        text = snap.text_path(report_id)
        revisions = snap.revisions(report_id)
        if not text.exists() and not (snap.reports_dir / f"{report_id}.text.json").exists():
            findings.append(
                Finding(
                    PROBLEM,
                    snap.rel(text),
                    f"missing: report {report_id!r} has no text; add its file again: claimdesk add {doc.get('source', '?')}",
                )
            )
        elif revisions is not None and doc.get("revision") not in revisions:
            findings.append(
                Finding(
                    PROBLEM,
                    snap.rel(text),
                    f"does not hold revision {doc.get('revision')} of report {report_id!r}; "
                    f"add its file again: claimdesk add {doc.get('source', '?')}",
                )
            )
    for report_id in snap.report_ids():
        text = snap.text_path(report_id)
        if report_id in indexed:
            continue
        if snap.readable(text):
            findings.append(Finding(PROBLEM, snap.rel(text), f"report {report_id!r} is not in the library index"))
        elif not text.exists():
            findings.append(
                Finding(
                    PROBLEM,
                    snap.rel(snap.reports_dir / report_id),
                    f"files of report {report_id!r}, which is not in the database; left alone",
                )
            )
    return findings


def _check_annotations(snap: Snapshot, summary: Summary | None) -> list[Finding]:
    findings = []
    orphans: dict[str, int] = {}
    seen: dict[str, set[str]] = {}
    mentions: dict[tuple[Any, ...], str] = {}
    for report_id, path, tables in snap.annotation_files():
        where = snap.rel(path)
        ids = seen.setdefault(report_id, set())
        revisions = snap.revisions(report_id)
        for doc in tables.get("annotations", {}).values():
            try:
                annotation = Annotation.from_dict(doc)
            except (KeyError, TypeError, ValueError) as error:
                findings.append(
                    Finding(PROBLEM, where, f"an annotation cannot be read ({type(error).__name__}: {error}): {json.dumps(doc)[:80]}")
                )
                continue
            if summary is not None:
                summary.annotations += 1
            if annotation.orphaned is not None:
                orphans[report_id] = orphans.get(report_id, 0) + 1
            label = f"annotation {annotation.id}"
            if annotation.id in ids:
                findings.append(Finding(PROBLEM, where, f"{label} is stored twice"))
            ids.add(annotation.id)
            if annotation.report_id != report_id:
                findings.append(Finding(PROBLEM, where, f"{label} says it belongs to report {annotation.report_id!r}"))
            if annotation.kind is Kind.ACTOR:
                place = (report_id, annotation.revision, annotation.paragraph, annotation.reviewer, annotation.actor_id,
                         (annotation.span.start, annotation.span.end) if annotation.span else None)
                if place in mentions:
                    findings.append(Finding(PROBLEM, where, f"{label} tags the same span with the same actor as {mentions[place]}"))
                mentions[place] = annotation.id
            if revisions is None:
                continue  # the text file's own finding says why
            parsed = revisions.get(annotation.revision)
            if parsed is None:
                findings.append(
                    Finding(PROBLEM, where, f"{label} is on revision {annotation.revision}, which the report's text file does not hold")
                )
                continue
            text = _paragraph_text(parsed, annotation.paragraph)
            if text is None:
                findings.append(
                    Finding(
                        PROBLEM,
                        where,
                        f"{label} is on paragraph {annotation.paragraph}, which revision {annotation.revision} does not have",
                    )
                )
                continue
            span = annotation.span
            if span is not None and not (0 <= span.start < span.end <= len(text) and text[span.start : span.end] == span.quote):
                findings.append(
                    Finding(
                        PROBLEM,
                        where,
                        f"{label}: span {span.start}-{span.end} no longer matches its quote {_short(span.quote)} "
                        f"in paragraph {annotation.paragraph}",
                    )
                )
    for report_id, count in sorted(orphans.items()):
        one = count == 1
        said = f"{counted(count, 'annotation')} {'needs' if one else 'need'} a look"
        why = f"a new revision could not place {'it' if one else 'them'} (open the report)"
        findings.append(Finding(NOTE, f"reports/{report_id}", f"{said}: {why}"))
    return findings


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    return json.dumps(text if len(text) <= 40 else text[:39] + "…", ensure_ascii=False)


def _check_actor_refs(snap: Snapshot) -> list[Finding]:
    actors = snap.actors()
    if actors is None:
        return [Finding(NOTE, "actors.json", "actor references not checked: actors.json cannot be read")]
    known = {doc.get("id") for doc in actors.values()}
    findings = []
    for _report_id, path, tables in snap.annotation_files():
        for doc in tables.get("annotations", {}).values():
            for role, actor_id in actor_refs(doc):
                if actor_id not in known:
                    findings.append(
                        Finding(
                            PROBLEM,
                            snap.rel(path),
                            f"annotation {doc.get('id')}: {_field(role)} names actor {actor_id}, which does not exist",
                        )
                    )
    for doc in actors.values():
        if doc.get("affiliation") and doc["affiliation"] not in known:
            findings.append(
                Finding(
                    PROBLEM,
                    "actors.json",
                    f"actor {doc.get('id')} ({doc.get('name')}): affiliation names actor {doc['affiliation']}, which does not exist",
                )
            )
    return findings


def _check_actor_rules(snap: Snapshot) -> list[Finding]:
    """The session's rules, checked again: no actor is (through others) its own affiliation."""
    actors = snap.actors()
    if actors is None:
        return []
    patron = {doc.get("id"): doc.get("affiliation") for doc in actors.values()}
    names = {doc.get("id"): doc.get("name") for doc in actors.values()}
    findings, reported = [], set()
    for start in patron:
        seen, current = [start], patron.get(start)
        while current is not None and current in patron:
            if current in seen:
                circle = frozenset(seen[seen.index(current):])
                if circle not in reported:
                    reported.add(circle)
                    shown = " → ".join(str(names.get(a)) for a in seen[seen.index(current):]) + f" → {names.get(current)}"
                    findings.append(Finding(PROBLEM, "actors.json", f"affiliations go round in a circle: {shown}"))
                break
            seen.append(current)
            current = patron.get(current)
    return findings


def _check_links(snap: Snapshot) -> list[Finding]:
    """Every link joins two claims that exist."""
    link_paths = [p for p in snap.found if p.parent == snap.layout.links]
    if not link_paths:
        return []
    claims: set[tuple[str, str]] = set()
    for report_id, _path, tables in snap.annotation_files():
        claims.update((report_id, str(doc.get("id"))) for doc in tables.get("annotations", {}).values() if doc.get("kind") == "claim")
    findings = []
    for path in link_paths:
        links = snap.load(path) or {}
        for doc in links.get("links", {}).values():
            for end in ("from", "to"):
                value = doc.get(end)
                ref: dict[str, Any] = value if isinstance(value, dict) else {}
                if (str(ref.get("report_id")), str(ref.get("annotation_id"))) not in claims:
                    findings.append(
                        Finding(
                            PROBLEM,
                            snap.rel(path),
                            f"link {doc.get('id')}: its {end!r} end names claim {ref.get('annotation_id')}, which does not exist",
                        )
                    )
    return findings


def _temp_files(snap: Snapshot) -> Iterator[tuple[Path, Path]]:
    """(temporary file, the database file it was going to replace)."""
    for folder in (snap.root, snap.layout.links, *(snap.reports_dir / rid for rid in snap.report_ids())):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(".*.tmp")):
            target = temp_target(path.name)
            if target is not None:
                yield path, folder / target


def _check_temp_files(snap: Snapshot) -> list[Finding]:
    findings = []
    for tmp, target in _temp_files(snap):
        if is_held(snap.layout.locks / lock_name(target)):
            findings.append(Finding(NOTE, snap.rel(tmp), f"a save to {target.name} is in progress"))
        else:
            findings.append(
                Finding(PROBLEM, snap.rel(tmp), f"leftover temporary file from an interrupted save to {target.name}; never used as data")
            )
    return findings


def _check_locks(snap: Snapshot) -> list[Finding]:
    findings = []
    locks = snap.layout.locks
    for path in sorted(locks.glob("*.lock")) if locks.is_dir() else ():
        if path.is_symlink() or not path.is_file():
            findings.append(
                Finding(PROBLEM, snap.rel(path), f"is {kind_of(os.lstat(path).st_mode)} where a lock file belongs; never opened")
            )
        elif is_held(path):
            findings.append(
                Finding(
                    NOTE,
                    snap.rel(path),
                    "held by a running claimdesk process (a save in progress; if it stays held, that process is stuck)",
                )
            )
    return findings


@contextlib.contextmanager
def _holding(snap: Snapshot, target: Path) -> Iterator[bool]:
    """Hold `target`'s lock if we can have it within a moment; yields whether we got it."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(TinyFile(target, snap.layout.locks, lock_timeout=0.2, modes=modes_of(snap.root)).locked())
        except StoreError:
            yield False
        else:
            yield True


# ------------------------------------------------------------------ repairing


def repair(root: str | os.PathLike[str]) -> RepairOutcome:
    """Back the folder up, fix what can be fixed, check again. Raises StoreError if the backup fails."""
    root = Path(root)
    snap = Snapshot(root)
    backup, skipped = backup_folder(root, "backup")
    outcome = RepairOutcome(backup)
    act = outcome.actions.append
    for line in skipped:
        act(f"not backed up: {line}")
    _remove_unsafe(snap, act)
    _fix_permissions(snap, act)
    _remove_temp_files(snap, act)
    _recover_unparsable(snap, act)
    _reindex(root, act)
    _fix_references(root, act)
    _reanchor_spans(root, act)
    outcome.remaining = check(root)
    return outcome


def _remove_unsafe(snap: Snapshot, act: Callable[[str], None]) -> None:
    """Unlink links, FIFOs and devices planted in the database (never their targets); folders are left for a person."""
    for path in snap.unsafe:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(st.st_mode):
            act(f"left {snap.rel(path)} alone: a folder that is not a report's; move it away by hand")
            continue
        try:
            os.unlink(path)
        except OSError as error:
            act(f"could not remove {snap.rel(path)} ({kind_of(st.st_mode)}): {error.strerror}")
        else:
            act(f"removed {snap.rel(path)}: {kind_of(st.st_mode)} planted where a database file belongs (its target is untouched)")


def _fix_permissions(snap: Snapshot, act: Callable[[str], None]) -> None:
    modes = modes_of(snap.root)
    for path in snap.all_entries():
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        want = modes.folder if stat.S_ISDIR(st.st_mode) else modes.file
        if stat.S_IMODE(st.st_mode) & ~want & 0o7777 and st.st_uid == os.geteuid():
            os.chmod(path, want, follow_symlinks=False) if not stat.S_ISLNK(st.st_mode) else None
            act(f"{snap.rel(path) or '.'}: permissions set to {want:04o} (were {stat.S_IMODE(st.st_mode):04o})")


def _remove_temp_files(snap: Snapshot, act: Callable[[str], None]) -> None:
    for tmp, target in _temp_files(snap):
        with _holding(snap, target) as got:
            if not got:
                continue  # a save is running: its temporary file is in use
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                act(f"removed {snap.rel(tmp)}, left by an interrupted save")


_TABLE_SHAPES: dict[str, dict[str, Callable[[dict[str, Any]], bool]]] = {
    "annotations": {"annotations": lambda d: {"id", "kind", "report_id", "revision", "paragraph"} <= d.keys()},
    "marks": {"marks": lambda d: "paragraph" in d},
    "decisions": {"decisions": lambda d: {"id", "decision", "sources"} <= d.keys()},
    "text": {"revisions": lambda d: {"revision", "parsed"} <= d.keys()},
    "links": {"links": lambda d: {"id", "from", "to", "relation"} <= d.keys()},
    "actors": {"actors": lambda d: {"id", "name"} <= d.keys()},
}
_DOC_START = re.compile(r'(?<!\\)"(\d+)"\s*:\s*(?=\{)')


def salvage(raw: bytes, shapes: dict[str, Callable[[dict[str, Any]], bool]]) -> Tables:
    """The documents of a damaged TinyDB file that can still be read whole, by table (by their shape)."""
    text = raw.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    found: Tables = {name: {} for name in shapes}
    resume = 0
    for match in _DOC_START.finditer(text):
        if match.start() < resume:
            continue  # inside a document already recovered
        try:
            doc, end = decoder.raw_decode(text, match.end())
        except (json.JSONDecodeError, RecursionError, ValueError):
            continue
        if not isinstance(doc, dict):
            continue
        for name, fits in shapes.items():
            if fits(doc):
                found[name][match[1]] = doc
                resume = end
                break
    return found


def _shapes_for(path: Path) -> dict[str, Callable[[dict[str, Any]], bool]] | None:
    return _TABLE_SHAPES.get(path.name.split("-")[0].removesuffix(".json"))


def _next_id(docs: dict[str, Any]) -> str:
    return str(max((int(k) for k in docs if k.isdigit()), default=0) + 1)


def _recover_unparsable(snap: Snapshot, act: Callable[[str], None]) -> None:
    """Keep each unparsable file aside, then replace it with what can be recovered from it."""
    modes = modes_of(snap.root)
    for path in snap.corrupt:
        with _holding(snap, path) as got:
            if not got:
                act(f"skipped {snap.rel(path)}: another process holds its lock")
                continue
            raw, _ = read_file(path)
            try:
                parse(raw, path)
                continue  # repaired meanwhile
            except CorruptFileError:
                pass
            kept = keep_aside(path, modes)
            if kept is None:
                act(f"left {snap.rel(path)} alone: could not keep a copy of it aside")
                continue
            kept_rel = snap.rel(Path(kept))
            if path == snap.layout.library:
                index, skipped = index_from_text_files(snap.root)
                tables: Tables = {
                    "meta": schema_meta(),
                    "reports": {str(n): doc for n, doc in enumerate(index, start=1)},
                }
                atomic_write_bytes(path, encode(tables), modes.file)
                act(f"rebuilt library.json from {counted(len(index), 'report text file')}; the unreadable file is kept at {kept_rel}")
                for line in skipped:
                    act(f"could not index: {line}")
                continue
            shapes = _shapes_for(path)
            if shapes is None:
                continue
            tables = salvage(raw or b"", shapes)
            counts = ", ".join(f"{len(docs)} {name}" for name, docs in tables.items())
            placeholders = _placeholder_actors(snap, tables["actors"], kept_rel) if path == snap.layout.actors else {}
            for doc in placeholders.values():
                tables["actors"][_next_id(tables["actors"])] = doc
            atomic_write_bytes(path, encode(tables), modes.file)
            act(f"recovered {counts} from {snap.rel(path)}; the unreadable file is kept at {kept_rel}")
            if placeholders:
                act(f"recreated {counted(len(placeholders), 'actor')} that annotations name as \"unknown actor …\": rename or merge them")


def _placeholder_actors(snap: Snapshot, recovered: dict[str, dict[str, Any]], kept_rel: str) -> dict[str, dict[str, Any]]:
    """An "unknown actor" for every actor id that annotations or recovered actors name but that was lost."""
    known = {doc.get("id") for doc in recovered.values()}
    wanted: set[str] = set()
    for _, _, tables in snap.annotation_files():
        for doc in tables.get("annotations", {}).values():
            wanted.update(actor_id for _, actor_id in actor_refs(doc))
    wanted.update(doc["affiliation"] for doc in recovered.values() if doc.get("affiliation"))
    now = now_iso()
    return {
        actor_id: {
            "id": actor_id, "name": f"unknown actor {actor_id[:8]}", "type": "other", "aliases": [],
            "affiliation": None, "note": f"recreated by claimdesk doctor: actors.json did not parse (kept at {kept_rel})",
            "reviewer": "claimdesk doctor", "created_at": now, "updated_at": now, "updated_by": "claimdesk doctor", "rev": 1,
        }
        for actor_id in sorted(wanted - known)
    }


def _update(root: Path, path: Path, mutate: Callable[[Tables], Any]) -> Any:
    return TinyFile(path, root / ".locks", modes=modes_of(root)).update(mutate)


def _reindex(root: Path, act: Callable[[str], None]) -> None:
    snap = Snapshot(root)
    library = snap.library()
    if library is None:
        return
    meta = next(iter(library.get("meta", {}).values()), {})
    indexed = {doc.get("id") for doc in library.get("reports", {}).values()}
    rebuilt, _ = index_from_text_files(root)
    missing = [doc for doc in rebuilt if doc["id"] not in indexed]
    unversioned = not isinstance(meta.get("schema_version"), int)
    if not missing and not unversioned:
        return

    def mutate(tables: Tables) -> None:
        reports = tables.setdefault("reports", {})
        present = {doc.get("id") for doc in reports.values()}
        for doc in missing:
            if doc["id"] not in present:
                reports[_next_id(reports)] = doc
        old = next(iter(tables.get("meta", {}).values()), {})
        if not isinstance(old.get("schema_version"), int):
            tables["meta"] = schema_meta(SCHEMA_VERSION, old.get("created_at"))

    _update(root, root / "library.json", mutate)
    if unversioned:
        act(f"recorded schema version {SCHEMA_VERSION} in library.json")
    for doc in missing:
        act(f"put report {doc['id']!r} back into the library index (from its text file)")


def _fix_references(root: Path, act: Callable[[str], None]) -> None:
    snap = Snapshot(root)
    actors = snap.actors()
    if actors is None:
        return
    known = {doc.get("id") for doc in actors.values()}

    for _report_id, path, tables in snap.annotation_files():
        if not any(actor_id not in known for doc in tables.get("annotations", {}).values() for _, actor_id in actor_refs(doc)):
            continue
        fixed: list[str] = []

        def mutate(tables: Tables, fixed: list[str] = fixed) -> None:
            docs = tables.get("annotations", {})
            for doc_id, doc in list(docs.items()):
                dangling = [(role, actor_id) for role, actor_id in actor_refs(doc) if actor_id not in known]
                if not dangling:
                    continue
                new = dict(doc)
                for role, actor_id in dangling:
                    if role == "mention":
                        new["actor_id"] = None
                    else:
                        new["claim"] = dict(new["claim"], **{role: None})
                    fixed.append(f"annotation {doc.get('id')}: {_field(role)} named missing actor {actor_id}; set to none")
                docs[doc_id] = new

        _update(root, path, mutate)
        for line in fixed:
            act(f"{snap.rel(path)}: {line}")

    if any(doc.get("affiliation") and doc["affiliation"] not in known for doc in actors.values()):
        fixed = []

        def mutate_actors(tables: Tables) -> None:
            docs = tables.get("actors", {})
            for doc_id, doc in list(docs.items()):
                if doc.get("affiliation") and doc["affiliation"] not in known:
                    fixed.append(
                        f"actor {doc.get('id')} ({doc.get('name')}): affiliation named missing actor {doc['affiliation']}; set to none"
                    )
                    docs[doc_id] = dict(doc, affiliation=None)

        _update(root, root / "actors.json", mutate_actors)
        for line in fixed:
            act(f"actors.json: {line}")


def _reanchor_spans(root: Path, act: Callable[[str], None]) -> None:
    snap = Snapshot(root)
    for report_id, path, tables in snap.annotation_files():
        revisions = snap.revisions(report_id)
        if revisions is None:
            continue
        moves: dict[str, tuple[int, int]] = {}
        for doc in tables.get("annotations", {}).values():
            span = doc.get("span")
            parsed = revisions.get(str(doc.get("revision")))
            paragraph = doc.get("paragraph")
            if not isinstance(span, dict) or parsed is None or not isinstance(paragraph, int):
                continue
            text = _paragraph_text(parsed, paragraph)
            quote, start, end = span.get("quote"), span.get("start"), span.get("end")
            if text is None or not isinstance(quote, str) or not quote:
                continue
            if isinstance(start, int) and isinstance(end, int) and text[start:end] == quote and 0 <= start < end:
                continue
            if text.count(quote) == 1:
                at = text.index(quote)
                moves[str(doc.get("id"))] = (at, at + len(quote))
        if not moves:
            continue

        def mutate(tables: Tables, moves: dict[str, tuple[int, int]] = moves) -> None:
            docs = tables.get("annotations", {})
            for doc_id, doc in list(docs.items()):
                if doc.get("id") in moves:
                    start, end = moves[doc["id"]]
                    docs[doc_id] = dict(doc, span=dict(doc["span"], start=start, end=end))

        _update(root, path, mutate)
        for annotation_id, (start, end) in moves.items():
            act(f"{snap.rel(path)}: annotation {annotation_id}: moved its span to {start}-{end}, where its quote is")
