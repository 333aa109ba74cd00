"""`claimdesk stats`: progress and annotation counts per report."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import click

from store.db import Database
from store.errors import NotFound, StoreError
from store.model import Report, credibility_code
from store.text import clean_line
from tui.commands.common import EXIT_USER_ERROR, Context, common_options


@dataclass
class ReportStats:
    report: Report
    total: int
    reviewed: int
    flagged: int
    by_kind: Counter[str] = field(default_factory=Counter)
    by_reviewer: Counter[str] = field(default_factory=Counter)
    by_credibility: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.report.id,
            "title": self.report.title,
            "paragraphs": {"total": self.total, "reviewed": self.reviewed, "flagged": self.flagged},
            "annotations": sum(self.by_kind.values()),
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_reviewer": dict(sorted(self.by_reviewer.items())),
            "by_credibility": dict(sorted(self.by_credibility.items())),
        }


def collect(db: Database, keys: tuple[str, ...], failures: list[str] | None = None) -> list[ReportStats]:
    """Stats of the chosen reports (all when `keys` is empty), one report's annotations in memory at a time.

    A report whose files cannot be read is skipped and named in `failures`; the others are counted.
    """
    if keys:
        reports: dict[str, Report] = {}
        for key in keys:
            report = db.find_report(key)
            if report is None:
                raise NotFound(f"no report {clean_line(key)!r} in {db.root}")
            reports.setdefault(report.id, report)
        chosen = list(reports.values())
    else:
        chosen = db.reports()
    found = []
    for report in chosen:
        try:
            progress = db.progress(report)
            docs = db.annotation_documents(report.id)
        except StoreError as error:
            if failures is None:
                raise
            failures.append(f"report {report.id}: {error}")
            continue
        stats = ReportStats(report, progress.total, progress.reviewed, progress.flagged)
        for doc in docs:
            stats.by_kind[str(doc.get("kind"))] += 1
            stats.by_reviewer[clean_line(str(doc.get("reviewer") or "?"))] += 1
            if doc.get("kind") == "claim":  # only claims are graded; an actor mention has no grade to miss
                stats.by_credibility[credibility_code(doc)] += 1
        found.append(stats)
    return found


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


def _fit(text: str, width: int) -> str:
    text = clean_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


@click.command("stats")
@common_options
@click.option("--report", "reports", multiple=True, metavar="ID", help="Only this report (id or file name). Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.pass_obj
def stats_command(context: Context, reports: tuple[str, ...], as_json: bool) -> None:
    """Per report: paragraphs reviewed, flagged and in all, and annotations; then counts by kind, reviewer and claim grade.

    A report that cannot be read is named on stderr and the others are still counted (exit 1).
    """
    failures = _stats(context, reports, as_json)
    for failure in failures:
        click.echo(f"claimdesk: error: {clean_line(failure)}", err=True)
    if failures:
        sys.exit(EXIT_USER_ERROR)


def _stats(context: Context, reports: tuple[str, ...], as_json: bool) -> list[str]:
    db = context.database()
    failures: list[str] = []
    found = collect(db, reports, failures)
    totals: dict[str, Counter[str]] = {name: Counter() for name in ("by_kind", "by_reviewer", "by_credibility")}
    for stats in found:
        totals["by_kind"].update(stats.by_kind)
        totals["by_reviewer"].update(stats.by_reviewer)
        totals["by_credibility"].update(stats.by_credibility)
    if as_json:
        payload = {
            "reports": [s.to_dict() for s in found],
            "paragraphs": {
                "total": sum(s.total for s in found),
                "reviewed": sum(s.reviewed for s in found),
                "flagged": sum(s.flagged for s in found),
            },
            "annotations": sum(totals["by_kind"].values()),
            **{name: dict(sorted(counter.items())) for name, counter in totals.items()},
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return failures
    if not found:
        if not failures:
            click.echo(f"no reports in {clean_line(str(db.root))} (add some with 'claimdesk add FILE')")
        return failures
    id_width = min(32, max(len("report"), *(len(s.report.id) for s in found)))
    header = f"{'report':<{id_width}}  {'reviewed':>8}  {'flagged':>7}  {'total':>5}  {'claims':>6}  {'actors':>6}  title"
    click.echo(header)
    for s in found:
        click.echo(
            f"{_fit(s.report.id, id_width):<{id_width}}  {s.reviewed:>8}  {s.flagged:>7}  {s.total:>5}  "
            f"{s.by_kind['claim']:>6}  {s.by_kind['actor']:>6}  {_fit(s.report.title, 60)}"
        )
    if len(found) > 1:
        click.echo(
            f"{'all':<{id_width}}  {sum(s.reviewed for s in found):>8}  {sum(s.flagged for s in found):>7}  "
            f"{sum(s.total for s in found):>5}  {totals['by_kind']['claim']:>6}  {totals['by_kind']['actor']:>6}"
        )
    click.echo("")
    click.echo(f"by kind:        {_counts(totals['by_kind'])}")
    click.echo(f"by reviewer:    {_counts(totals['by_reviewer'])}")
    click.echo(f"claims by grade: {_counts(totals['by_credibility'])}")
    return failures
