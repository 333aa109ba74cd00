"""Exporting annotations: native JSONL (`claimdesk/2`), doccano, Prodigy, W3C Web Annotation, brat, CSV.

Everything starts from the native records (`store/records.py`; the schema is
`store/schema/claimdesk-2.schema.json`, printed by `claimdesk schema`); the other formats
are views of them, each in its own module under `store/interop/`, loaded only by the export
that needs it. Reports are read one at a time and each line is written as soon as it is
made, so memory does not grow with the database.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from store.errors import ClaimdeskError
from store.formats import FOLDER_FORMATS, FORMATS, SUFFIXES  # the one table of formats, re-exported here
from store.model import Kind, Link
from store.records import (
    SCHEMA,
    Entry,
    Reader,
    Selection,
    batch_lines,
    by_paragraph,
    encode,
    link_record,
    link_words,
    parse_time,
    record_line,
    selected_reports,
)
from store.text import clean_line, counted, inert_text

EVERYTHING = Selection()

SCHEMA_RESOURCES = {"claimdesk/1": "schema/claimdesk-1.schema.json", "claimdesk/2": "schema/claimdesk-2.schema.json"}
SCHEMA_RESOURCE = SCHEMA_RESOURCES[SCHEMA]

CSV_COLUMNS = (
    "id", "kind", "report_id", "report_title", "report_source", "revision", "paragraph", "section",
    "start", "end", "quote", "claim_text", "claim_type", "claimant", "reported_by",
    "actor", "actor_type", "actor_aliases", "actor_affiliation", "credibility", "note",
    "reviewer", "created_at", "updated_at", "links",
)


class ExportError(ClaimdeskError):
    """The export could not be written (bad destination, unknown format, …)."""


def schema_text(version: str = SCHEMA) -> str:
    """The JSON Schema of a native line, as shipped with the package (`claimdesk/2`, or `claimdesk/1`)."""
    from importlib.resources import files

    return files("store").joinpath(SCHEMA_RESOURCES[version]).read_text(encoding="utf-8")


def schema(version: str = SCHEMA) -> dict[str, Any]:
    import json

    return json.loads(schema_text(version))


# ---------------------------------------------------------------------- formats


_CSV_DANGER = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (a leading = + - @ tab or CR gets a quote mark
    before it) and that holds no terminal control characters (the store cleans them on the way in;
    this is the second lock)."""
    if value is None:
        return ""
    text = inert_text(str(value))
    return "'" + text if text.startswith(_CSV_DANGER) else text


def csv_row(entry: Entry, links: Iterable[Link] = ()) -> list[str]:
    """One annotation's row; `links`: those of the claim, written in the last cell as
    "corroborates <id>; contradicted by <id>" (the other claim's id, the relation as this claim stands in it)."""
    r = entry.record
    claim, actor, span = r["claim"] or {}, r["actor"] or {}, r["span"] or {}
    values = (
        r["id"], r["kind"], r["report"]["id"], r["report"]["title"], r["report"]["source"], r["report"]["revision"],
        r["paragraph"]["number"], r["paragraph"]["section"], span.get("start"), span.get("end"), span.get("quote"),
        claim.get("text"), claim.get("type"), claim.get("claimant"), claim.get("reported_by"),
        actor.get("name"), actor.get("type"), "; ".join(actor.get("aliases", ())), actor.get("affiliation"),
        r["credibility"]["code"] if r["credibility"] else None, r["note"],
        r["reviewer"], r["created_at"], r["updated_at"], "; ".join(link_words(link, entry.id) for link in links),
    )
    return [csv_cell(v) for v in values]


# ---------------------------------------------------------------------- writing


@dataclass
class ExportResult:
    format: str
    destination: str  # a path, or "-" for standard output
    annotations: int = 0
    reports: int = 0
    lines: int = 0
    files: list[str] = field(default_factory=list)
    links: int = 0  # links between claims written (jsonl, w3c)
    problems: list[str] = field(default_factory=list)  # what was skipped, one line each
    notices: list[str] = field(default_factory=list)  # what the reader of the file must know, one line each
    failures: list[str] = field(default_factory=list)  # reports that could not be read at all (the rest went out)


class _Lines:
    """Turns one report's batch into the lines of one format, and says what the format needs to be told."""

    def __init__(self, fmt: str, reader: Reader) -> None:
        self.fmt = fmt
        self.reader = reader
        self.overlapping = 0  # doccano: paragraphs whose spans overlap

    def of(self, batch: Any) -> tuple[str, int]:
        fmt = self.fmt
        if fmt == "jsonl":
            return batch_lines(batch), len(batch.entries) + len(batch.marks) + len(batch.actors)
        if fmt == "w3c":
            from store.interop.w3c import annotation

            views = {actor.name: self.reader.actors.view(actor.id) for actor in self.reader.actors.by_id.values()}
            from store.records import encode

            return "".join(encode(annotation(entry, views)) + "\n" for entry in batch.entries), len(batch.entries)
        if fmt in ("doccano", "doccano-rel"):
            from store.interop import doccano

            groups = list(by_paragraph(batch.entries))
            self.overlapping += sum(1 for group in groups if doccano.overlapping(group))
            return "".join(doccano.line(group, self.reader.actors, fmt == "doccano-rel") for group in groups), len(groups)
        if fmt == "prodigy":
            from store.interop import prodigy

            tasks = [task for group in by_paragraph(batch.entries) for task in prodigy.tasks(group)]
            return "".join(tasks), len(tasks)
        raise ExportError(f"unknown format {clean_line(fmt)!r}; choose from {', '.join(FORMATS)}")

    def notices(self) -> list[str]:
        if self.overlapping:
            return [
                f"{counted(self.overlapping, 'paragraph')} {'holds' if self.overlapping == 1 else 'hold'} overlapping spans: "
                "create the doccano project with "
                '"Allow overlapping spans" ticked, or doccano keeps only the first of each overlapping group'
            ]
        return []


class _Links:
    """The links between claims, for an export: those of each claim (CSV), and, once every report is
    written, those with at least one end among the exported claims (held: links, not claims, which are
    far fewer; of the claims only the ids that are link ends are remembered)."""

    def __init__(self, db: Any) -> None:
        self.links = [Link.from_dict(doc) for doc in db.link_documents()]
        self.by_claim: dict[str, list[Link]] = {}
        for link in self.links:
            self.by_claim.setdefault(link.from_claim, []).append(link)
            self.by_claim.setdefault(link.to_claim, []).append(link)
        self.written: set[str] = set()

    def exported(self, entries: Iterable[Entry]) -> None:
        self.written.update(entry.id for entry in entries if entry.id in self.by_claim)

    def of(self, claim_id: str) -> list[Link]:
        return self.by_claim.get(claim_id, [])

    def to_write(self) -> list[Link]:
        ends = self.written
        found = [link for link in self.links if link.from_claim in ends or link.to_claim in ends]
        return sorted(found, key=lambda link: (link.created_at, link.id))


def write_stream(db: Any, fmt: str, out: IO[str], selection: Selection = EVERYTHING,
                 on_report: Callable[[Any], None] | None = None, destination: str = "-") -> ExportResult:
    """Write every selected annotation to `out` (a text stream; CSV wants it opened with newline="")."""
    if fmt in FOLDER_FORMATS:
        raise ExportError(f"--format {fmt} writes a folder of files; give -o FOLDER")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {clean_line(fmt)!r}; choose from {', '.join(FORMATS)}")
    reader = Reader(db, selection, full=fmt == "jsonl")
    result = ExportResult(fmt, destination)
    lines = _Lines(fmt, reader)
    links = _Links(db) if fmt in ("jsonl", "w3c", "csv") and selection.kind in (None, Kind.CLAIM) else None
    writer = None
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
    for batch in reader.batches(on_report):
        result.reports += 1
        result.annotations += len(batch.entries)
        if links is not None:
            links.exported(batch.entries)
        if writer is not None:
            writer.writerows(csv_row(entry, links.of(entry.id) if links else ()) for entry in batch.entries)
            result.lines += len(batch.entries)
        else:
            text, count = lines.of(batch)
            out.write(text)
            result.lines += count
    if links is not None and fmt != "csv":
        from store.interop.w3c import link_annotation

        make = link_record if fmt == "jsonl" else link_annotation
        for link in links.to_write():
            out.write(encode(make(link)) + "\n")
            result.links += 1
            result.lines += 1
    result.problems = reader.problems
    result.failures = reader.failures
    result.notices = lines.notices()
    return result


def write_brat(db: Any, folder: Path, selection: Selection = EVERYTHING,
               on_report: Callable[[Any], None] | None = None) -> ExportResult:
    """A .txt/.ann pair per report revision into `folder`, with brat's annotation.conf and visual.conf."""
    from store.interop import brat
    from store.outputs import refuse_database_folder, write_text

    folder = Path(folder)
    database = Path(db.root)
    refuse_database_folder(folder, database)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{clean_line(str(folder))} is a file; brat export writes into a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create {clean_line(str(folder))}: {error.strerror or error}") from None
    reader = Reader(db, selection)
    result = ExportResult("brat", str(folder))
    for batch in reader.batches(on_report):
        result.reports += 1
        by_revision: dict[str, list[Entry]] = {}
        for entry in batch.entries:
            by_revision.setdefault(entry.revision.revision, []).append(entry)
        for rev_id, entries in by_revision.items():
            revision = batch.revisions[rev_id]
            text, starts = brat.document(revision)
            ann, count = brat.ann(revision, entries, starts, text, reader.actors, reader.problems)
            name = brat.file_name(batch.report.id, revision)
            for suffix, payload in ((".txt", text), (".ann", ann)):
                path = folder / f"{name}{suffix}"
                write_text(path, inert_text(payload), database)  # one character for one: offsets stay right
                result.files.append(str(path))
            result.annotations += count
            result.lines += ann.count("\n")
    for name, payload in (("annotation.conf", brat.annotation_conf()), ("visual.conf", brat.visual_conf())):
        write_text(folder / name, payload, database)
        result.files.append(str(folder / name))
    result.problems = reader.problems
    result.failures = reader.failures
    return result


def export_to_path(db: Any, fmt: str, path: str | os.PathLike[str], selection: Selection = EVERYTHING,
                   on_report: Callable[[Any], None] | None = None) -> ExportResult:
    """Export into a file (replaced only once the export is complete, never through a link) or, for brat, a folder.

    An export that found nothing to write never replaces a file that holds something:
    an empty result is far more often a damaged database than a wish to empty the file.
    """
    from store.outputs import replacing

    path = Path(path).expanduser()
    if fmt in FOLDER_FORMATS:
        return write_brat(db, path, selection, on_report)
    if path.is_dir():
        raise ExportError(f"{clean_line(str(path))} is a folder; give a file name")

    class _Empty(Exception):
        pass

    try:
        with replacing(path, Path(db.root), newline="" if fmt == "csv" else "\n") as handle:
            if fmt == "csv":
                handle.write("\ufeff")  # so that spreadsheets read the file as UTF-8 (Arabic, CJK…)
            result = write_stream(db, fmt, handle, selection, on_report, destination=str(path))
            if result.lines == 0 and path.exists() and path.stat().st_size > 0:
                raise _Empty
    except _Empty:
        result.failures.append(f"nothing to export, so {clean_line(str(path))} was left as it was")
        return result
    result.files.append(str(path))
    return result


def default_file_name(fmt: str, report_id: str | None = None) -> str:
    stem = report_id or "claimdesk-export"
    return stem + (SUFFIXES.get(fmt, ".jsonl") or "-brat")


__all__ = [
    "CSV_COLUMNS", "FOLDER_FORMATS", "FORMATS", "SCHEMA", "SUFFIXES", "ExportError", "ExportResult", "Reader", "Selection",
    "csv_cell", "default_file_name", "export_to_path", "parse_time", "record_line", "schema", "schema_text",
    "selected_reports", "write_brat", "write_stream",
]
