"""Bringing an older database to today's schema, and rebuilding a lost index.

`MIGRATIONS[n](db)` takes a database from schema version n to n+1. `Database`
runs them in order on open, one process at a time, after a backup of the folder
(see `Database._migrate`); each must be safe to run again if a crash interrupted
it, because the version is recorded only after it returns.

2 → 3: paragraphs are trimmed of the whitespace at their edges; each report whose
text had such edges gets the trimmed text as a new revision and its annotations
and marks are carried onto it (`Database.trim_revisions`).

1 → 2: a report's files move into `reports/<id>/`; its annotations are written
into shards (store/layout.py) with each span's prefix and suffix taken from its
paragraph (what re-anchoring needs); the one status per paragraph becomes a
mark (reviewed and flagged can both hold). The old files are removed only after
every new file of that report is on disk; re-running rewrites the same shards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from store.errors import StoreError
from store.layout import ANNOTATIONS_PER_SHARD, Layout, is_report_id, mark_shard_number
from store.model import CONTEXT_CHARS, Mark, ParsedReport, Report
from store.storage import Modes, Tables, atomic_write_bytes, encode, parse, read_file


class _Library(Protocol):
    def read(self) -> Tables: ...

    def forget(self) -> None: ...


class Database(Protocol):
    """What a migration needs of the database it migrates (store.db.Database is one)."""

    @property
    def layout(self) -> Layout: ...

    @property
    def modes(self) -> Modes: ...

    @property
    def library(self) -> _Library: ...

    @property
    def on_progress(self) -> Callable[[str, int, int], None] | None: ...

    def trim_revisions(self) -> None: ...


def _migrate_1_to_2(db: Database) -> None:
    layout = db.layout
    _private_folders(db)
    library = db.library.read()
    reports = [doc for doc in library.get("reports", {}).values() if is_report_id(doc.get("id"))]
    for done, doc in enumerate(reports, start=1):
        report_id = doc["id"]
        if db.on_progress is not None:
            db.on_progress("migrating reports", done, len(reports))
        old_text, old_annotations = layout.v1_text(report_id), layout.v1_annotations(report_id)
        if not old_text.exists() and not old_annotations.exists():
            continue  # already moved (a re-run), or never had files
        folder = layout.report_folder(report_id)
        from store.storage import make_folder

        make_folder(folder, db.modes)
        texts: dict[str, ParsedReport] = {}
        if old_text.exists():
            raw, _ = read_file(old_text)
            tables = parse(raw, old_text)
            atomic_write_bytes(layout.text(report_id), encode(tables), db.modes.file)
            for revision in tables.get("revisions", {}).values():
                try:
                    texts[revision["revision"]] = ParsedReport.from_dict(revision["parsed"])
                except (KeyError, TypeError, ValueError):
                    continue
        if old_annotations.exists():
            raw, _ = read_file(old_annotations)
            tables = parse(raw, old_annotations)
            annotations = [_with_context(a, texts) for a in tables.get("annotations", {}).values()]
            for number, start in enumerate(range(0, len(annotations), ANNOTATIONS_PER_SHARD), start=1):
                chunk = annotations[start : start + ANNOTATIONS_PER_SHARD]
                shard = {"annotations": {str(i): a for i, a in enumerate(chunk, start=1)}}
                atomic_write_bytes(layout.annotation_shard(report_id, number), encode(shard), db.modes.file)
            marks: dict[int, dict[str, dict[str, Any]]] = {}
            for status in tables.get("status", {}).values():
                try:
                    mark = Mark.from_dict(status)
                except (KeyError, TypeError, ValueError):
                    continue
                if not mark.is_blank:
                    shard_marks = marks.setdefault(mark_shard_number(mark.paragraph), {})
                    shard_marks[str(len(shard_marks) + 1)] = mark.to_dict()
            for number, docs in marks.items():
                atomic_write_bytes(folder / f"marks-{number:04d}.json", encode({"marks": docs}), db.modes.file)
        for old in (old_text, old_annotations):
            if old.exists():
                old.unlink()
    db.library.forget()


def _private_folders(db: Database) -> None:
    """Files and folders an older claimdesk made 0644/0755 under the usual umask get the database's own mode.

    Lock files too: a lock file others can open is a lock others can take.
    """
    import os
    import stat

    for folder in (db.layout.root, db.layout.reports, db.layout.locks):
        try:
            entries = [folder, *(Path(e.path) for e in os.scandir(folder) if not e.is_symlink())]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for path in entries:
            st = os.lstat(path)
            if st.st_uid != os.geteuid() or not stat.S_IMODE(st.st_mode) & 0o007:
                continue
            if stat.S_ISDIR(st.st_mode):
                os.chmod(path, db.modes.folder)
            elif stat.S_ISREG(st.st_mode):
                os.chmod(path, db.modes.file)


def _with_context(doc: dict[str, Any], texts: dict[str, ParsedReport]) -> dict[str, Any]:
    span = doc.get("span")
    parsed = texts.get(doc.get("revision", ""))
    if not isinstance(span, dict) or parsed is None or "prefix" in span:
        return doc
    number = doc.get("paragraph")
    if not isinstance(number, int) or not 1 <= number <= len(parsed.paragraphs):
        return doc
    text = parsed.paragraphs[number - 1].text
    start, end = span.get("start"), span.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return doc
    context = {"prefix": text[max(0, start - CONTEXT_CHARS) : start], "suffix": text[end : end + CONTEXT_CHARS]}
    return {**doc, "span": {**span, **context}}


def _migrate_2_to_3(db: Database) -> None:
    db.trim_revisions()


MIGRATIONS: dict[int, Callable[[Database], None]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3}


def index_from_text_files(root: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The reports index as library.json would hold it, rebuilt from the report text files (either layout).

    Returns the index entries and one line per text file that could not be used.
    """
    layout = Layout(root)
    index: list[dict[str, Any]] = []
    skipped: list[str] = []
    candidates = [(rid, layout.text(rid)) for rid in layout.report_ids_on_disk()]
    if layout.reports.is_dir():
        for path in sorted(layout.reports.glob("*.text.json")):
            report_id = path.name.removesuffix(".text.json")
            if is_report_id(report_id) and path.is_file() and not path.is_symlink():
                candidates.append((report_id, path))
    seen: set[str] = set()
    for report_id, path in candidates:
        if report_id in seen:
            continue
        try:
            raw, _ = read_file(path)
            docs = sorted(parse(raw, path).get("revisions", {}).items(), key=lambda kv: int(kv[0]))
            revisions = [doc for _, doc in docs]
            if not revisions:
                skipped.append(f"{path} holds no revision")
                continue
            latest = revisions[-1]
            parsed = ParsedReport.from_dict(latest["parsed"])
            report = Report(
                id=report_id,
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
        seen.add(report_id)
        index.append(report.to_dict())
    return index, skipped
