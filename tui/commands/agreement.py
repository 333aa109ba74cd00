"""`claimdesk agreement`: how far reviewers agree, per pair of reviewers and kind, per report and overall.

The figures come from `store.agreement` (their definitions are in its docstring and docs/agreement.md).
Reports are read and printed one at a time, in the table and in `--json` alike, so the output starts at
once and memory stays flat on a large database.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterable

import click

from store.model import Kind
from store.text import clean_line
from tui.commands.common import Context, common_options

WIDTH = 79  # a line never reaches the 80th column, where some terminals wrap early
PAIR_WIDTH = 15
COLUMNS = (  # figure → column heading (each 7 wide, right-aligned)
    ("exact_f1", "exact"), ("overlap_f1", "overlap"), ("actor_agreement", "actor"), ("claim_type_kappa", "type κ"),
    ("reliability_alpha", "rel α"), ("credibility_alpha", "cred α"), ("code_agreement", "code"),
)
ALPHA_LABELS = (("claim_type", "claim type"), ("actor", "actor"), ("reliability", "reliability"), ("credibility", "credibility"))


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _fit(text: str, width: int) -> str:
    text = clean_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _header() -> str:
    return f"  {'reviewers':<{PAIR_WIDTH}} {'kind':<5}" + "".join(f" {title:>7}" for _, title in COLUMNS)


def _pair_lines(pairs: Iterable) -> list[str]:
    lines = [_header()]
    for pair in pairs:
        names = " · ".join(pair.reviewers)
        label = names
        if len(names) > PAIR_WIDTH:
            lines.append(f"  {_fit(names, WIDTH - 2)}")
            label = ""
        lines.append(
            f"  {label:<{PAIR_WIDTH}} {pair.kind.value:<5}" + "".join(f" {_figure(getattr(pair, name)):>7}" for name, _ in COLUMNS)
        )
        lines.append(f"  {'':<{PAIR_WIDTH}} {'items':<5}" + "".join(f" {pair.items[name]:>7}" for name, _ in COLUMNS))
    return lines


def _alpha_lines(alpha, kinds: tuple[Kind, ...]) -> list[str]:
    shown = [
        (name, label) for name, label in ALPHA_LABELS
        if (name == "actor" and Kind.ACTOR in kinds) or (name != "actor" and Kind.CLAIM in kinds)
    ]
    parts = [f"{label} {_figure(getattr(alpha, name))} ({alpha.items[name]})" for name, label in shown]
    lines = [f"  Krippendorff's α over {len(alpha.reviewers)} reviewers (groups):"]
    for index, part in enumerate(parts):
        joined = f"{lines[-1]}{' ·' if index else ''} {part}"
        if len(joined) + (2 if index < len(parts) - 1 else 0) <= WIDTH:  # room for a trailing " ·"
            lines[-1] = joined
        else:
            lines[-1] += " ·" if index else ""
            lines.append(f"    {part}")
    return lines


def _report_lines(result, kinds: tuple[Kind, ...]) -> list[str]:
    lines = [_fit(f"{result.report.id}  {result.report.title}", WIDTH)]
    if len(result.reviewers) < 2:
        who = ", ".join(result.reviewers)
        lines.append(f"  {'only ' + who + ' annotated' if who else 'no annotations'}: nothing to compare"[: WIDTH])
        return lines
    lines += _pair_lines(result.pairs)
    lines += _alpha_lines(result.alpha, kinds)
    return lines


def _write_json(run, write: Callable[[str], None]) -> None:
    """The JSON object, written report by report (the same text json.dumps(indent=2) would give)."""
    write('{\n  "reports": [')
    for index, result in enumerate(run.reports()):
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
        write(("," if index else "") + "\n" + textwrap.indent(text, "    "))
    overall = json.dumps(run.overall().to_dict(), ensure_ascii=False, indent=2)
    write("\n  ],\n" + '  "overall": ' + textwrap.indent(overall, "  ").lstrip() + "\n}\n")


@click.command("agreement")
@common_options
@click.option("--report", "reports", multiple=True, metavar="ID", help="Only this report (id or file name). Repeatable.")
@click.option("--reviewers", metavar="A,B,...", help="Compare only these reviewers (default: all but 'adjudicated').")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="Only claims or only actor mentions.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.pass_obj
def agreement_command(context: Context, reports: tuple[str, ...], reviewers: str | None, kind: str | None,
                      as_json: bool) -> None:
    """Agreement between reviewers: span F1, actors, claim types (κ) and grades (Krippendorff's α), per report and overall.

    For each pair of reviewers who both annotated a report, and each kind: exact and overlap F1 of the
    spans, actor agreement on matched mentions, Cohen's κ on the types of matched claims, α on the
    reliability letter and on the credibility digit of matched graded claims, and exact code agreement;
    under each figure, the number of items behind it ('-' and null: nothing to compare).
    """
    from store.agreement import AgreementRun, parse_reviewers

    names = parse_reviewers(reviewers) if reviewers is not None else None
    kinds = (Kind(kind),) if kind else (Kind.CLAIM, Kind.ACTOR)
    db = context.database()
    run = AgreementRun(db, reports, names, kinds)
    if as_json:
        _write_json(run, lambda text: click.echo(text, nl=False))
        return
    if not run.chosen:
        click.echo(f"no reports in {clean_line(str(db.root))} (add some with 'claimdesk add FILE')")
        return
    for result in run.reports():
        click.echo("\n".join(_report_lines(result, kinds)))
        click.echo("")
    overall = run.overall()
    click.echo(f"all {overall.reports} report{'s' if overall.reports != 1 else ''}")
    if not overall.pairs:
        click.echo("  no report was annotated by two reviewers: nothing to compare")
        return
    click.echo("\n".join(_pair_lines(overall.pairs) + _alpha_lines(overall.alpha, kinds)))
