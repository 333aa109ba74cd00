"""`claimdesk assign REPORT... --to NAME`: who is asked to work on which report (kept in library.json)."""

from __future__ import annotations

import click

from store.errors import NotFound
from store.model import Report
from store.text import clean_line
from tui.commands.common import Context, common_options


@click.command("assign")
@common_options
@click.argument("reports", nargs=-1, required=True, metavar="REPORT...")
@click.option("--to", "names", multiple=True, metavar="NAME", help="The reviewer to assign (repeatable).")
@click.option("--unassign", is_flag=True, help="Take the --to reviewers off instead (without --to: everyone).")
@click.pass_obj
def assign_command(context: Context, reports: tuple[str, ...], names: tuple[str, ...], unassign: bool) -> None:
    """Assign reports (ids or file names) to reviewers, or take them off; prints each report's assignees.

    The library shows them, and `m` there lists the reports assigned to you; `claimdesk stats` counts
    each reviewer's progress. Assigning is recorded as who did it (--reviewer) and when.
    """
    if not names and not unassign:
        raise click.UsageError("say to whom: --to NAME (or --unassign)")
    from store.session import Session

    db = context.database(read_only_ok=False)
    chosen: dict[str, Report] = {}
    for key in reports:
        report = db.find_report(key)
        if report is None:
            raise NotFound(f"no report {clean_line(key)!r} in {clean_line(str(db.root))}")
        chosen.setdefault(report.id, report)
    saved = Session(db).assign(list(chosen.values()), names, unassign=unassign)
    for report in saved.value:
        assigned = ", ".join(clean_line(name) for name in report.assignees) or "nobody"
        click.echo(f"{clean_line(report.id)}: {assigned}")
