"""`claimdesk doctor [--repair]`: check a database and fix what can be fixed (the work is in store.doctor)."""

from __future__ import annotations

import sys

import click

from store.text import clean_line
from tui.commands.common import EXIT_USER_ERROR, Context, common_options


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
