"""`claimdesk doctor [--repair]`: check a database and fix what can be fixed (the work is in store.doctor)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from store.text import clean_line
from tui.commands.common import EXIT_USER_ERROR, Context, common_options, counted


@click.command("doctor")
@common_options
@click.option("--repair", is_flag=True, help="Back the database folder up, then fix what can be fixed.")
@click.pass_obj
def doctor_command(context: Context, repair: bool) -> None:
    """Check the database: every file parses, schema version, span offsets, actor references, locks, leftovers.

    Prints one line per problem; exits 0 when the database is healthy, 1 when problems remain.
    """
    from store import doctor
    from store.locations import default_db_path

    root = context.db_path or default_db_path()
    click.echo(f"checking {root}")
    summary = doctor.Summary()
    if repair:
        outcome = doctor.repair(root)
        click.echo(f"backup: {outcome.backup}")
        for action in outcome.actions:
            click.echo(f"repaired: {clean_line(action)}")
        findings = doctor.check(root, summary)
    else:
        findings = doctor.check(root, summary)
    for finding in findings:
        click.echo(clean_line(finding.line()))
    problems = sum(f.severity == doctor.PROBLEM for f in findings)
    if problems:
        hint = "" if repair else " (run 'claimdesk doctor --repair' to fix what can be fixed)"
        click.echo(f"{problems} problem{'s' * (problems != 1)} remain{'s' * (problems == 1)}{hint}")
        sys.exit(EXIT_USER_ERROR)
    click.echo(f"healthy: {summary.reports} reports, {summary.annotations} annotations, {summary.actors} actors")


def _who_reads(root: Path) -> str:
    """"private to you", or "shared with the group NAME" for a database shared on purpose (init --group)."""
    import grp

    from store.storage import GROUP_SHARED, modes_of

    if modes_of(root) != GROUP_SHARED:
        return "private to you"
    gid = root.stat().st_gid
    try:
        name = grp.getgrgid(gid).gr_name
    except KeyError:
        name = str(gid)
    return f"shared with the group {clean_line(name)}"


@click.command("init")
@common_options
@click.option("--group", metavar="NAME", help="Share the database with this group (folders 2770, files 0660).")
@click.option("--private", "private", is_flag=True, help="Make the database readable by you alone again (0700 / 0600).")
@click.pass_obj
def init_command(context: Context, group: str | None, private: bool) -> None:
    """Create a database (private to you), or share one with a group of analysts on purpose.

    Without options: a new private database (a database is private by default anyway).
    With --group NAME: every folder and file goes to that group, setgid, so what claimdesk
    writes later stays shared. With --private: back to you alone.
    """
    from store.db import Database
    from store.locations import default_db_path
    from store.sharing import make_private, make_shared

    if group and private:
        raise click.UsageError("--group and --private ask for opposite things; choose one")
    root = context.db_path or default_db_path()
    existed = root.exists()
    changed = None
    if group:
        changed = make_shared(root, group)
    elif private:
        changed = make_private(root)
    Database(root, context.resolved_reviewer())  # the schema and index (a new database gets them now)
    where = clean_line(str(root))
    if changed is None:
        click.echo(f"{'already there' if existed else 'created'}: {where} ({_who_reads(root)})")
        return
    state = f"shared with the group {clean_line(group)}" if group else "private to you"
    parts = [counted(n, noun) for n, noun in ((changed.folders, "folder"), (changed.files, "file")) if n]
    if not existed:
        click.echo(f"created {where}, {state}")
    elif not parts:
        click.echo(f"{where} is already {state}: nothing to change")
    else:
        done = f"shared {where} with the group {clean_line(group)}" if group else f"made {where} private to you"
        click.echo(f"{done}: {' and '.join(parts)} changed")
