"""What every command shares: the group's options (`--db`, `--reviewer`), the context they fill, exit codes.

Commands import this module, never `tui.cli`: the CLI imports the commands (lazily, by name), not the other way round.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from store.errors import ClaimdeskError
from store.text import clean_line, counted

__all__ = ["counted"]  # the commands count with it (store/text.py: the store's messages too)

if TYPE_CHECKING:
    from store.config import Settings
    from store.db import Database

EXIT_USER_ERROR = 1
EXIT_INTERNAL = 70


class Context:
    """What the group's options decided, shared with subcommands."""

    def __init__(self) -> None:
        self.db_path: Path | None = None
        self.reviewer: str | None = None

    def database(self, read_only_ok: bool = True) -> Database:
        """The database the options chose, its problems and notices told on stderr (a migration's progress too)."""
        from store.db import Database
        from store.locations import default_db_path

        db = Database(self.db_path or default_db_path(), self.resolved_reviewer(), progress=_migration_progress)
        for notice in db.notices:
            click.echo(f"claimdesk: {clean_line(notice)}", err=True)
        if db.problems:
            for problem in db.problems:
                click.echo(f"claimdesk: warning: {clean_line(problem)}", err=True)
            if not read_only_ok:
                raise ClaimdeskError("the database is read-only until it is repaired ('claimdesk doctor --repair')")
        return db

    def resolved_reviewer(self) -> str:
        from store.locations import default_reviewer

        if self.reviewer:
            return self.reviewer
        return self.settings().reviewer or default_reviewer()

    @functools.cache  # noqa: B019 - one Context per process
    def settings(self) -> Settings:
        from store.config import load_settings
        from store.locations import config_path

        settings = load_settings(config_path())
        for warning in settings.warnings:
            click.echo(f"claimdesk: warning: config: {warning}", err=True)
        return settings


def db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--db` alone, for a command that has no use for who is running it."""

    def set_db(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            ctx.ensure_object(Context).db_path = value

    return click.option(
        # No envvar here: the subcommand's copy of the option would read $CLAIMDESK_DB and
        # override `claimdesk --db X cmd`; store.locations.default_db_path() reads it instead.
        "--db", type=click.Path(path_type=Path), expose_value=False, callback=set_db, metavar="PATH",
        help="Database folder (default: $CLAIMDESK_DB, else the user data dir).",
    )(command)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--db` and `--reviewer` (who is annotating), accepted by the group and by every subcommand."""

    def set_reviewer(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.ensure_object(Context).reviewer = clean_line(value)

    command = click.option(
        "--reviewer", metavar="NAME", expose_value=False, callback=set_reviewer,
        help="Who is annotating (default: the config file's reviewer, else your login name).",
    )(command)
    return db_option(command)


def _migration_progress(what: str, done: int, total: int) -> None:
    """A long migration says how far it is, on one line of stderr (when it is a terminal)."""
    import sys

    if total >= 50 and sys.stderr.isatty():
        end = "\n" if done == total else ""
        click.echo(f"\rclaimdesk: {what}: {done}/{total}", err=True, nl=False)
        if end:
            click.echo("", err=True)
