"""The `claimdesk` command: the TUI by default, and subcommands that work without it.

Textual is imported only by the commands that start the TUI, so `add`, `parse`,
`export`… start fast. Every user error is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from store.errors import ClaimdeskError
from store.text import clean_line
from tui.commands.common import EXIT_INTERNAL, EXIT_USER_ERROR, Context, common_options

if TYPE_CHECKING:
    from store.session import Session

# Commands that live in their own modules: name → "module:function", imported only when that
# command runs (or `--help` lists them), so `claimdesk open` never loads the exporter.
LAZY_COMMANDS = {
    "export": "tui.commands.exchange:export_command",
    "import": "tui.commands.exchange:import_command",
    "schema": "tui.commands.exchange:schema_command",
    "stats": "tui.commands.stats:stats_command",
    "agreement": "tui.commands.agreement:agreement_command",
    "assign": "tui.commands.assign:assign_command",
    "claims": "tui.commands.claims:claims_command",
    "link": "tui.commands.claims:link_command",
    "unlink": "tui.commands.claims:unlink_command",
    "doctor": "tui.commands.maintenance:doctor_command",
    "init": "tui.commands.maintenance:init_command",
}


class ClaimdeskGroup(click.Group):
    """Loads commands by name; turns every ClaimdeskError into one line on stderr, and anything else into one line too."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            import importlib

            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (`claimdesk export | head`): not an error. Point stdout
            # at /dev/null so the interpreter's final flush does not complain either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("standalone_mode", None)
        try:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            click.echo("claimdesk: aborted", err=True)
            sys.exit(EXIT_USER_ERROR)
        except click.ClickException as error:
            # One line, like every other user error (click's own show() prints usage over 4 lines).
            hint = ""
            if isinstance(error, click.UsageError) and error.ctx is not None:
                hint = f" (see '{error.ctx.command_path} --help')"
            click.echo(f"claimdesk: error: {clean_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except ClaimdeskError as error:
            click.echo(f"claimdesk: error: {clean_line(str(error))}", err=True)
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            click.echo("claimdesk: interrupted", err=True)
            sys.exit(130)
        except Exception as error:  # the last line of defence: never a traceback for a user
            log = _log_internal_error()
            click.echo(
                f"claimdesk: internal error: {type(error).__name__}: {clean_line(str(error))[:200]}"
                + (f" (details in {log})" if log else ""),
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


def _log_internal_error() -> str | None:
    import tempfile
    import traceback

    try:
        with tempfile.NamedTemporaryFile("w", prefix="claimdesk-error-", suffix=".log", delete=False) as handle:
            traceback.print_exc(file=handle)
            return handle.name
    except OSError:
        return None


@click.group(cls=ClaimdeskGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(package_name="claimdesk", prog_name="claimdesk")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Review reports paragraph by paragraph and annotate claims, actors and credibility.

    With no command, opens the library of reports in the database.
    """
    ctx.ensure_object(Context)
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj, report_id=None)


def _run_tui(context: Context, report_id: str | None, session: Session | None = None, messages: list[str] | None = None) -> None:
    # Start-up creates some 70,000 tracked objects that live as long as the TUI: the garbage collector
    # would scan them several times before the first frame and find nothing (~40 ms). It is
    # paused until the first frame is drawn; then the app freezes them out of later scans.
    gc.disable()
    from tui.app import make_app
    from tui.lifecycle import run_app

    if session is None:
        from store.session import Session

        session = Session(context.database())
    settings = context.settings()
    app = make_app(
        session, report_id=report_id, keymap=settings.keymap, messages=messages, advance_after_review=settings.advance_after_review
    )
    run_app(app)


@main.command("open")
@common_options
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def open_command(context: Context, files: tuple[Path, ...]) -> None:
    """Add FILES to the database if they are new, and open the first.

    A changed file becomes a new revision, and its annotations and marks follow it
    (those that cannot be placed with confidence wait in the report's "needs a look" list).
    """
    from store.session import Session

    db = context.database(read_only_ok=False)
    session = Session(db)
    first = None
    messages: list[str] = []
    for path in files:
        result, carried = session.add_report(path)
        for warning in result.warnings:
            click.echo(f"claimdesk: warning: {clean_line(path.name)}: {clean_line(warning)}", err=True)
        if carried is not None:
            messages.append(f"{clean_line(result.report.title)[:60]}: new revision — {carried.summary()}")
        first = first or result.report.id
    _run_tui(context, report_id=first, session=session, messages=messages)


@main.command("add")
@common_options
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def add_command(context: Context, files: tuple[Path, ...]) -> None:
    """Register report FILES in the database without opening the TUI.

    A changed file becomes a new revision; its annotations and marks follow it.
    """
    from store.session import Session

    session = Session(context.database(read_only_ok=False))
    failed = 0
    for path in files:
        try:
            result, carried = session.add_report(path)
        except ClaimdeskError as error:
            click.echo(f"claimdesk: error: {clean_line(str(error))}", err=True)
            failed += 1
            continue
        report = result.report
        state = "added" if result.created else "new revision of" if result.new_revision else "unchanged"
        click.echo(f"{state}: {report.id}  {clean_line(report.title)}  ({report.paragraph_count} paragraphs)")
        if carried is not None:
            click.echo(f"  {carried.summary()}")
        for warning in result.warnings:
            click.echo(f"claimdesk: warning: {clean_line(path.name)}: {clean_line(warning)}", err=True)
    if failed:
        sys.exit(EXIT_USER_ERROR)


@main.command("parse")
@common_options
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the parse as a JSON object.")
def parse_command(file: Path, as_json: bool) -> None:
    """Show how FILE is understood: title, date, headings, paragraphs, footnotes."""
    from store.ingest import parse_file

    parsed, _ = parse_file(file)
    if as_json:
        click.echo(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"title:     {clean_line(parsed.title)}")
    click.echo(f"date:      {parsed.date or '-'}")
    click.echo(f"dispatch:  {parsed.dispatch_number or '-'}")
    click.echo(f"regions:   {', '.join(parsed.regions) or '-'}")
    click.echo(f"layout:    {parsed.format}")
    click.echo(f"headings:  {len(parsed.headings)}")
    click.echo(f"paragraphs: {len(parsed.paragraphs)}")
    click.echo(f"footnotes: {len(parsed.footnotes)}")
    for warning in parsed.warnings:
        click.echo(f"warning:   {clean_line(warning)}")


