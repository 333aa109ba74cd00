"""`claimdesk stats`: progress and annotation counts per report, each reviewer's progress, adjudication progress."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from store.db import Database
from store.errors import NotFound, StoreError
from store.model import Report, credibility_code
from store.text import clean_line, counted
from tui.commands.common import EXIT_USER_ERROR, Context, common_options

if TYPE_CHECKING:
    from store.adjudication import Progress as AdjudicationProgress


@dataclass
class ReportStats:
    report: Report
    total: int
    reviewed: int
    flagged: int
    by_kind: Counter[str] = field(default_factory=Counter)
    by_reviewer: Counter[str] = field(default_factory=Counter)
    by_credibility: Counter[str] = field(default_factory=Counter)
    by_reviewer_kind: Counter[tuple[str, str]] = field(default_factory=Counter)  # (reviewer, kind) → annotations
    reviewed_by: Counter[str] = field(default_factory=Counter)  # reviewer → paragraphs whose review mark is theirs
    adjudication: AdjudicationProgress | None = None  # None: fewer than two reviewers annotated it
    needs_a_look: int = 0  # annotations a new revision orphaned: their words were not found there with confidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.report.id,
            "title": self.report.title,
            "assignees": list(self.report.assignees),
            "paragraphs": {"total": self.total, "reviewed": self.reviewed, "flagged": self.flagged},
            "annotations": sum(self.by_kind.values()),
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_reviewer": dict(sorted(self.by_reviewer.items())),
            "by_credibility": dict(sorted(self.by_credibility.items())),
            "reviewed_by": dict(sorted(self.reviewed_by.items())),
            "adjudication": self.adjudication.to_dict() if self.adjudication else None,
            "needs_a_look": self.needs_a_look,
        }


@dataclass
class ReviewerStats:
    """One reviewer across the chosen reports: what is assigned to them and how far they are."""

    name: str
    assigned: int = 0  # reports
    assigned_paragraphs: int = 0
    reviewed_in_assigned: int = 0  # paragraphs of their assigned reports whose review mark is theirs
    reviewed: int = 0  # paragraphs whose review mark is theirs, anywhere
    reports_annotated: int = 0
    claims: int = 0
    actors: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if name != "name"}


def by_reviewer(found: list[ReportStats]) -> list[ReviewerStats]:
    """Each reviewer who annotated, reviewed or is assigned one of the reports, by name."""
    people: dict[str, ReviewerStats] = {}

    def person(name: str) -> ReviewerStats:
        return people.setdefault(name, ReviewerStats(name))

    for stats in found:
        for name in stats.report.assignees:
            who = person(clean_line(name))
            who.assigned += 1
            who.assigned_paragraphs += stats.total
            who.reviewed_in_assigned += stats.reviewed_by[clean_line(name)]
        for name, count in stats.reviewed_by.items():
            person(name).reviewed += count
        for name in stats.by_reviewer:
            person(name).reports_annotated += 1
        for (name, kind), count in stats.by_reviewer_kind.items():
            if kind == "claim":
                person(name).claims += count
            elif kind == "actor":
                person(name).actors += count
    return [people[name] for name in sorted(people)]


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
            marks = db.marks(report.id)
            docs = db.annotation_documents(report.id)
        except StoreError as error:
            if failures is None:
                raise
            failures.append(f"report {report.id}: {error}")
            continue
        stats = ReportStats(report, progress.total, progress.reviewed, progress.flagged)
        for doc in docs:
            reviewer = clean_line(str(doc.get("reviewer") or "?"))
            stats.by_kind[str(doc.get("kind"))] += 1
            stats.by_reviewer[reviewer] += 1
            stats.by_reviewer_kind[reviewer, str(doc.get("kind"))] += 1
            stats.needs_a_look += isinstance(doc.get("orphaned"), dict)
            if doc.get("kind") == "claim":  # only claims are graded; an actor mention has no grade to miss
                stats.by_credibility[credibility_code(doc)] += 1
        for mark in marks.values():
            if mark.reviewed and 1 <= mark.paragraph <= report.paragraph_count:
                stats.reviewed_by[clean_line(mark.reviewed_by) or "?"] += 1
        if len(set(stats.by_reviewer) - {"adjudicated"}) >= 2:  # else there is nothing to adjudicate
            try:
                stats.adjudication = _adjudication(db, report)
            except StoreError as error:
                if failures is None:
                    raise
                failures.append(f"report {report.id}: {error}")
        found.append(stats)
    return found


def _adjudication(db: Database, report: Report) -> AdjudicationProgress | None:
    from store.adjudication import progress

    return progress(db, report)


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
            "needs_a_look": sum(s.needs_a_look for s in found),
            **{name: dict(sorted(counter.items())) for name, counter in totals.items()},
            "reviewers": {p.name: p.to_dict() for p in by_reviewer(found)},
            "adjudication": total.to_dict() if (total := _total_adjudication(found)) else None,
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
    waiting = [s for s in found if s.needs_a_look]
    if waiting:
        shown = ", ".join(f"{s.report.id} {s.needs_a_look}" for s in waiting)
        count = counted(sum(s.needs_a_look for s in waiting), "annotation")
        click.echo(f"needs a look:   {count} a new revision could not place ({shown})")
    _reviewer_lines(by_reviewer(found))
    _adjudication_lines(found, id_width)
    return failures


def _reviewer_lines(people: list[ReviewerStats]) -> None:
    """Each reviewer's progress: reports assigned and the paragraphs of those they marked reviewed ("¶ done"),
    paragraphs they marked reviewed anywhere, reports they annotated, their claims and actor mentions."""
    if not people:
        return
    width = min(16, max(len("reviewer"), *(len(p.name) for p in people)))
    click.echo("")
    click.echo(
        f"{'reviewer':<{width}}  {'assigned':>8}  {'¶ done':>11}  {'¶ reviewed':>10}  {'annotated':>9}  {'claims':>6}  {'actors':>6}"
    )
    for p in people:
        done = f"{p.reviewed_in_assigned}/{p.assigned_paragraphs}" if p.assigned else "-"
        click.echo(
            f"{_fit(p.name, width):<{width}}  {p.assigned:>8}  {done:>11}  {p.reviewed:>10}  "
            f"{p.reports_annotated:>9}  {p.claims:>6}  {p.actors:>6}"
        )


# A decided place is accepted, took, edited or rejected; "changed" was decided, then an annotation it came from changed.
ADJUDICATION_COLUMNS = (("places", "places"), ("agreed", "agreed"), ("accepted", "accept"), ("took", "took"),
                        ("edited", "edited"), ("rejected", "reject"), ("changed", "changed"), ("open", "open"))


def _adjudication_lines(found: list[ReportStats], id_width: int) -> None:
    """Per report annotated by two reviewers or more: places to decide, and how far the adjudication is."""
    adjudicated = [s for s in found if s.adjudication is not None]
    if not adjudicated:
        return
    width = min(id_width, 15)
    click.echo("")
    click.echo("adjudication (reports annotated by two reviewers or more):")
    click.echo(f"{'report':<{width}}" + "".join(f" {title:>7}" for _, title in ADJUDICATION_COLUMNS))
    rows = [(s.report.id, s.adjudication) for s in adjudicated]
    if len(rows) > 1:
        rows.append(("all", _total_adjudication(found)))
    for name, progress in rows:
        assert progress is not None
        click.echo(f"{_fit(name, width):<{width}}" + "".join(f" {getattr(progress, field):>7}" for field, _ in ADJUDICATION_COLUMNS))


def _total_adjudication(found: list[ReportStats]) -> AdjudicationProgress | None:
    total: AdjudicationProgress | None = None
    for stats in found:
        if stats.adjudication is not None:
            total = stats.adjudication if total is None else total + stats.adjudication
    return total
