"""`claimdesk export`, `import` and `schema`: annotations in and out of the database.

Export and import stream (one report in memory at a time) and show a progress
bar on stderr only when stderr is a terminal that the data is not going to.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from store.errors import ClaimdeskError
from store.formats import FOLDER_FORMATS, FORMATS, IMPORT_FORMATS
from store.model import Kind
from store.text import clean_line
from tui.commands.common import EXIT_USER_ERROR, Context, common_options, counted

MAX_IMPORT_BYTES = 4 * 1024**3  # an import file; each line has its own limit (store.importer.MAX_LINE)


@contextlib.contextmanager
def progress(length: int, label: str, data_on_terminal: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal (and not the one the data is printed on)."""
    if length <= 0 or data_on_terminal or not sys.stderr.isatty():
        yield lambda _step: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def _since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from store.export import parse_time  # the exporter loads only when a command needs it

    try:
        return parse_time(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("export")
@common_options
@click.option("-f", "--format", "fmt", type=click.Choice(list(FORMATS)), default="jsonl", show_default=True,
              help="jsonl: claimdesk's own, re-importable (annotations, the actors they name, paragraph marks, links); "
                   "doccano, doccano-rel, prodigy, w3c: JSONL for those tools; brat: .txt/.ann files and brat's "
                   "configuration into a folder; csv: for spreadsheets.")
@click.option("--report", "reports", multiple=True, metavar="ID", help="Only this report (id or file name). Repeatable.")
@click.option("--by", "reviewers", multiple=True, metavar="NAME",
              help="Only annotations by reviewer NAME (--reviewer says who you are, as everywhere). Repeatable.")
@click.option("--adjudicated", is_flag=True,
              help="Only the adjudicated layer (the same as --by adjudicated): one agreed version, with provenance.")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="Only claims, or only actor mentions.")
@click.option("--since", metavar="DATE", callback=_since,
              help="Only annotations changed at or after DATE (YYYY-MM-DD, or an ISO 8601 time; UTC unless it says).")
@click.option("-o", "--output", default="-", metavar="FILE|-",
              help="Where to write (default: standard output). brat writes a folder: -o FOLDER.")
@click.pass_obj
def export_command(context: Context, fmt: str, reports: tuple[str, ...], reviewers: tuple[str, ...], adjudicated: bool,
                   kind: str | None, since: str | None, output: str) -> None:
    """Write annotations as JSONL (one self-contained annotation per line), or for other tools.

    Offsets are Unicode code points into the paragraph's text (brat: into the .txt
    written beside the .ann). See `claimdesk schema` for the JSONL record.
    """
    if fmt in FOLDER_FORMATS and output == "-":
        raise click.UsageError(f"--format {fmt} writes a folder of files: give -o FOLDER")
    if context.reviewer and not reviewers and not adjudicated:
        # Before claimdesk 0.2, `export --reviewer NAME` kept only NAME's annotations: say so out loud.
        click.echo("claimdesk: note: --reviewer says who you are; this export holds every reviewer's annotations "
                   "(--by NAME keeps one reviewer's)", err=True)
    from store.export import Selection, export_to_path

    db = context.database()
    selection = Selection(
        reports=reports,
        reviewers=frozenset(clean_line(r) for r in (*reviewers, *(["adjudicated"] if adjudicated else []))),
        kind=Kind(kind) if kind else None,
        since=since,
    )
    to_stdout = output == "-"
    count = len(selection.reports) or len(db.reports())
    with progress(count, "exporting", data_on_terminal=to_stdout and sys.stdout.isatty()) as step:
        def on_report(_report: object) -> None:
            step(1)

        if to_stdout:
            result = _export_to_stdout(db, fmt, selection, on_report)
        else:
            result = export_to_path(db, fmt, Path(output), selection, on_report)
    for problem in (*result.problems, *result.notices):
        click.echo(f"claimdesk: warning: {clean_line(problem)}", err=True)
    for failure in result.failures:  # a report that could not be read: the others went out all the same
        click.echo(f"claimdesk: error: {clean_line(failure)}", err=True)
    if not to_stdout and result.files:
        where = clean_line(result.destination)
        click.echo(f"exported {counted(result.annotations, 'annotation')} from {counted(result.reports, 'report')} to {where}")
    if result.failures:
        sys.exit(EXIT_USER_ERROR)


def _export_to_stdout(db: Any, fmt: str, selection: Any, on_report: Callable[[object], None]) -> Any:
    from store.export import write_stream

    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (an embedding program); it decides the encoding
        return write_stream(db, fmt, sys.stdout, selection, on_report)
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="" if fmt == "csv" else "\n")
    try:
        return write_stream(db, fmt, stream, selection, on_report)
    finally:
        stream.flush()
        stream.detach()


@click.command("import")
@common_options
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(list(IMPORT_FORMATS)), default="jsonl", show_default=True,
              help="jsonl: claimdesk export lines or the minimal form; doccano: doccano's JSONL export; "
                   "prodigy: prodigy db-out JSONL.")
@click.option("--dry-run", is_flag=True, help="Check every line and say what would change; write nothing.")
@click.pass_obj
def import_command(context: Context, file: Path, fmt: str, dry_run: bool) -> None:
    """Import annotations from FILE (JSONL; - for standard input).

    Native lines (from `claimdesk export`: annotations, actors, paragraph marks,
    links between claims) merge: an annotation keeps its id, the later updated_at wins, and a real
    conflict is reported. Other lines use the minimal form: {"report", "quote",
    "kind", and optionally "paragraph", "claim_type", "claimant", "reported_by",
    "credibility", "actor", "actor_type", "note", and "start" to pick one of
    several matches in the paragraph}; types are ids or the labels the app shows.
    With --format doccano or prodigy, FILE is that tool's export of a claimdesk
    export: spans changed or added there come back. Bad lines are reported with
    their line numbers and skipped; the exit status is 0 only if every line went
    in. "kept" counts lines whose annotation the database already holds in a
    newer version (or, for the minimal form, at all: that form only adds, it
    never changes an annotation); the summary says which.
    """
    from store.importer import NotImportable, import_lines

    db = context.database(read_only_ok=dry_run)
    name = "-" if str(file) == "-" else clean_line(file.name)
    with _open_input(file) as (handle, size):
        with progress(size, "importing") as step:
            try:
                result = import_lines(db, handle, dry_run=dry_run, on_bytes=step, fmt=fmt)
            except NotImportable as error:
                raise ClaimdeskError(f"{name} {error}") from None
    for problem in result.errors:
        click.echo(f"claimdesk: error: {name}:{problem.line}: {clean_line(problem.message)}", err=True)
    for problem in result.conflicts:
        click.echo(f"claimdesk: conflict: {name}:{problem.line}: {clean_line(problem.message)}", err=True)
    for problem in result.warnings:
        click.echo(f"claimdesk: warning: {name}:{problem.line}: {clean_line(problem.message)}", err=True)
    if result.stopped:
        click.echo(f"claimdesk: error: {name}: import stopped: {clean_line(result.stopped)}", err=True)
    counts = _tally({"added": result.added, "updated": result.updated, "unchanged": result.unchanged, "kept": result.kept}, dry_run)
    counts += [f"conflicts {len(result.conflicts)}", f"{'would reject' if dry_run else 'rejected'} {len(result.errors)}"]
    marks = ""
    if any(result.marks.values()):
        marks = "; paragraph marks: " + ", ".join(_tally(result.marks, dry_run))
    if any(result.links.values()):
        marks += "; links: " + ", ".join(_tally(result.links, dry_run))
    created = ""
    if result.actors_created:
        shown = ", ".join(clean_line(n) for n in result.actors_created[:10])
        more = f" and {len(result.actors_created) - 10} more" if len(result.actors_created) > 10 else ""
        noun = "actor" if len(result.actors_created) == 1 else "actors"
        created = f"; {'would create' if dry_run else 'created'} {noun}: {shown}{more}"
    prefix = "dry run, nothing written — " if dry_run else ""
    click.echo(f"{prefix}{name}: {counted(result.lines, 'line')}: {', '.join(counts)}{marks}{created}")
    for reason in _why_kept(result, dry_run, db.reviewer, fmt):
        click.echo(reason)
    if not result.complete:
        sys.exit(EXIT_USER_ERROR)


def _tally(counts: dict[str, int], dry_run: bool) -> list[str]:
    """"added 1, updated 0, unchanged 3, kept 0", or in a dry run "would add 1, would update 0, would leave 3 unchanged, would keep 0"."""
    if not dry_run:
        return [f"{outcome} {count}" for outcome, count in counts.items()]
    said = {"added": "would add {}", "updated": "would update {}", "unchanged": "would leave {} unchanged", "kept": "would keep {}"}
    return [said[outcome].format(count) for outcome, count in counts.items()]


def _why_kept(result: Any, dry_run: bool, reviewer: str, fmt: str = "jsonl") -> list[str]:
    """A line for each reason annotation lines were kept as the database has them (nothing else says so)."""
    kept = "would keep" if dry_run else "kept"
    # The lines that only add: the minimal form of ours, or a tool's export (it carries no version to compare).
    form = {"doccano": "a doccano export", "prodigy": "a Prodigy export"}.get(fmt, "the minimal form")
    reasons = []
    existing, newer = result.kept_existing, result.kept - result.kept_existing
    if existing:
        one = existing == 1
        reasons.append(
            f"{kept} {existing}: {'its annotation was' if one else 'their annotations were'} already imported "
            f"(the same quote, place and kind, imported by {clean_line(reviewer)}); an import of {form} only adds "
            f"annotations, it never changes one — change {'it' if one else 'them'} in the app, or import "
            f"{'its `claimdesk export` line' if one else 'their `claimdesk export` lines'}, changed, with a later updated_at"
        )
    if newer:
        one = newer == 1
        reasons.append(
            f"{kept} {newer}: the database holds a newer version of {'its annotation' if one else 'their annotations'} "
            "(a later updated_at) than the file"
        )
    return reasons


@contextlib.contextmanager
def _open_input(file: Path) -> Iterator[tuple[Any, int]]:
    if str(file) == "-":
        yield sys.stdin.buffer, 0
        return
    shown = clean_line(str(file))
    if file.is_dir():
        from store.importer import ACCEPTS

        what = "a folder of brat files" if any(file.glob("*.ann")) else "a folder"
        raise ClaimdeskError(f"{shown} is {what}, not a JSONL file; {ACCEPTS}")
    from store.storage import open_input

    fd = open_input(file, MAX_IMPORT_BYTES)  # a regular file: a FIFO or /dev/zero is refused, never read without end
    with os.fdopen(fd, "rb") as handle:
        yield handle, os.fstat(fd).st_size


@click.command("schema")
@common_options
@click.option("--version", "version", type=click.Choice(["2", "1"]), default="2", show_default=True,
              help="2: what `claimdesk export` writes now; 1: annotation lines of earlier versions (still imported).")
def schema_command(version: str) -> None:
    """Print the JSON Schema of a `claimdesk export` JSONL line (claimdesk/2: annotations, actors, paragraph marks, links)."""
    from store.export import schema_text

    click.echo(schema_text(f"claimdesk/{version}"), nl=False)
