"""Agreement: how far reviewers agree, report by report and pair by pair; enter adjudicates a report.

The figures are `store.agreement`'s (docs/agreement.md), the same as `claimdesk agreement`. They are
computed in a worker over a database of its own, report by report, and posted back in batches, so the
screen opens at once on a large database and fills as it reads. Only reports two reviewers or more
annotated are listed. `enter` on a report adjudicates it between all its reviewers; on a pair, between
those two (`tui/screens/adjudication.py`, opened through the App).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from store.agreement import ALPHA_FIGURES, AgreementRun, OverallAgreement, PairAgreement, ReportAgreement
from store.errors import ClaimdeskError
from store.model import Kind
from store.session import Session
from store.text import clean_line
from tui.keys import hint
from tui.navigation import navigator
from tui.widgets.footer import Footer
from tui.widgets.line_list import LineList

FIGURES = (  # figure → (narrow heading, words)
    ("exact_f1", "exact", "exact-span F1"), ("overlap_f1", "overlap", "overlap F1"),
    ("actor_agreement", "actor", "same actor"), ("claim_type_kappa", "type κ", "claim-type κ"),
    ("reliability_alpha", "rel α", "reliability α"), ("credibility_alpha", "cred α", "credibility α"),
    ("code_agreement", "code", "same code"),
)
ALPHA_WORDS = {"claim_type": "claim type", "actor": "actor", "reliability": "reliability", "credibility": "credibility"}
ALPHA_SHORT = {"claim_type": "type", "actor": "actor", "reliability": "rel", "credibility": "cred"}
NARROW_PAIR, WIDE_PAIR = 15, 20
NARROW_FIGURE, WIDE_FIGURE = 8, 12  # a figure's column, its space included; wide ones show the items too
WIDE = 2 + WIDE_PAIR + 1 + 6 + 7 * WIDE_FIGURE
BATCH_SECONDS = 0.25  # how often the worker posts what it has read (more often costs the reading time)


def figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def count(value: int) -> str:
    return str(value) if value < 10_000 else f"{value // 1000}k"


@dataclass(frozen=True)
class Row:
    """One line of the list: a report's heading, one of its pairs, its α, a blank, or the overall block's."""

    kind: str  # "report" | "pair" | "alpha" | "blank" | "overall"
    report: ReportAgreement | None = None
    pair: PairAgreement | None = None
    overall: OverallAgreement | None = None
    decided: int = 0  # adjudication decisions recorded for the report

    @property
    def selectable(self) -> bool:
        return self.kind in ("report", "pair", "alpha")


class AgreementScreen(Screen[None]):
    CSS_PATH = "../styles/agreement.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "adjudicate", "Adjudicate", id="agreement.adjudicate"),
        Binding("r", "refresh", "Refresh", id="agreement.refresh"),
        Binding("escape", "back", "Back", id="agreement.back"),
    ]

    class Read(Message):
        """The worker read some reports (and, when `overall` is set, all of them)."""

        def __init__(self, generation: int, found: list[tuple[ReportAgreement, int]], done: int, total: int,
                     overall: OverallAgreement | None = None, error: str | None = None) -> None:
            self.generation = generation
            self.found = found
            self.done = done
            self.total = total
            self.overall = overall
            self.error = error
            super().__init__()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[Row] = []
        self.generation = 0
        self.progress: tuple[int, int] = (0, 0)
        self.finished = False
        self.reload_on_resume = False
        self.keep: tuple[str, ...] | None = None  # the row to put the cursor back on when it is read again

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="agreement-status")
        yield Static(id="agreement-columns")
        yield LineList(id="agreement-list")
        yield Static(id="agreement-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "claimdesk — agreement"
        self.sub_title = "between reviewers, per report"
        self.query_one(LineList).focus()
        self.action_refresh()

    # ------------------------------------------------------------------- reading

    def action_refresh(self) -> None:
        row = self.current if self.query(LineList) and self.rows else None
        self.keep = self.row_key(row) if row is not None else None
        self.generation += 1
        self.rows = []
        self.progress = (0, 0)
        self.finished = False
        self.show_rows(cursor=0)
        self.show_status()
        self.read(self.generation)

    @work(thread=True, exclusive=True, group="agreement")
    def read(self, generation: int) -> None:
        """Every report's figures, off the UI thread, over a Database of its own; posted back in batches."""
        from store.db import Database

        try:
            db = Database(self.session.db.root, self.session.reviewer)
            run = AgreementRun(db)
        except ClaimdeskError as error:
            self.post_message(self.Read(generation, [], 0, 0, error=str(error)))
            return
        total = len(run.chosen)
        batch: list[tuple[ReportAgreement, int]] = []
        posted = 0.0  # the first report goes at once, the others in batches
        problems: list[str] = []
        for done, report in enumerate(run.chosen, start=1):
            try:
                result = run.report(report)
                decided = len(db.decision_documents(report.id)) if len(result.reviewers) >= 2 else 0
            except ClaimdeskError as error:  # one unreadable report: the others are still read
                problems.append(str(error))
                continue
            if len(result.reviewers) >= 2:
                batch.append((result, decided))
            if time.monotonic() - posted >= BATCH_SECONDS:
                self.post_message(self.Read(generation, batch, done, total))
                batch, posted = [], time.monotonic()
        self.post_message(self.Read(generation, batch, total, total, run.overall(), "; ".join(problems) or None))

    def on_agreement_screen_read(self, message: Read) -> None:
        if message.generation != self.generation:
            return  # a refresh started since
        if message.error:
            self.notify(message.error, title="Agreement", severity="error", markup=False, timeout=15)
        for result, decided in message.found:
            if self.rows:
                self.rows.append(Row("blank"))
            self.rows.append(Row("report", result, decided=decided))
            self.rows += [Row("pair", result, pair) for pair in result.pairs]
            if len(result.reviewers) > 2:
                self.rows.append(Row("alpha", result))
        self.progress = (message.done, message.total)
        if message.overall is not None:
            self.finished = True
            if message.overall.pairs:
                self.rows += [Row("blank"), Row("overall", overall=message.overall)]
                self.rows += [Row("pair", pair=pair, overall=message.overall) for pair in message.overall.pairs]
        cursor = None
        if self.keep is not None:
            found = next((i for i, row in enumerate(self.rows) if self.row_key(row) == self.keep), None)
            if found is not None:
                cursor, self.keep = found, None
        self.show_rows(cursor)
        self.show_status()

    @staticmethod
    def row_key(row: Row) -> tuple[str, ...]:
        report = row.report.report.id if row.report else "(overall)"
        pair = (*row.pair.reviewers, row.pair.kind.value) if row.pair else ()
        return (row.kind, report, *pair)

    # ------------------------------------------------------------------- drawing

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    def show_rows(self, cursor: int | None = None) -> None:
        self.query_one(LineList).set_rows(len(self.rows), self.draw_row, lambda i: self.rows[i].selectable, cursor)
        self.query_one("#agreement-columns", Static).update(self.column_line())
        self.show_detail()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.query_one("#agreement-columns", Static).update(self.column_line())
            self.query_one(LineList).redraw()
            self.show_detail()

    def column_line(self) -> Text:
        pair_width, figure_width = (WIDE_PAIR, WIDE_FIGURE) if self.wide else (NARROW_PAIR, NARROW_FIGURE)
        line = f"  {'reviewers':<{pair_width}} {'kind':<6}" + "".join(
            f"{heading + ('    ' if self.wide else ''):>{figure_width}}" for _, heading, _words in FIGURES
        )
        return Text(line + ("  (items)" if self.wide else ""), style="bold")

    def draw_row(self, index: int, width: int) -> Text:
        row = self.rows[index]
        if row.kind == "blank":
            return Text()
        if row.kind == "report":
            assert row.report is not None
            report = row.report.report
            tail = Text(f"  {report.id}", style="dim")
            tail.append("  " + ", ".join(row.report.reviewers))
            if row.decided:
                tail.append(f"  · {row.decided} decided", style="dim")
            title = Text(report.title, style="bold")
            room = max(20, width - tail.cell_len)  # the title gives way: who and how far matter more
            if title.cell_len > room:
                title.truncate(room, overflow="ellipsis")
            return title + tail
        if row.kind == "overall":
            assert row.overall is not None
            reports = row.overall.reports
            return Text(f"All {reports} report{'s' if reports != 1 else ''}, pooled", style="bold")
        if row.kind == "alpha":
            assert row.report is not None
            alpha = row.report.alpha
            words = ALPHA_WORDS if self.wide else ALPHA_SHORT
            parts = [f"{words[name]} {figure(getattr(alpha, name))} ({count(alpha.items[name])})" for name in ALPHA_FIGURES]
            lead = f"α over {len(alpha.reviewers)} reviewers" if self.wide else f"α ({len(alpha.reviewers)} reviewers)"
            return Text(f"  {lead}: " + " · ".join(parts), style="italic")
        assert row.pair is not None
        return self.pair_line(row.pair)

    def pair_line(self, pair: PairAgreement) -> Text:
        pair_width, figure_width = (WIDE_PAIR, WIDE_FIGURE) if self.wide else (NARROW_PAIR, NARROW_FIGURE)
        names = clean_line(" · ".join(pair.reviewers))
        if len(names) > pair_width:
            names = names[: pair_width - 1] + "…"
        text = Text(f"  {names:<{pair_width}} {pair.kind.value:<6}")
        for name, _heading, _words in FIGURES:
            value = getattr(pair, name)
            shown = figure(value) + (f" ({count(pair.items[name])})" if self.wide else "")
            text.append(f"{shown:>{figure_width}}", style="dim" if value is None else "")
        return text

    def show_status(self) -> None:
        done, total = self.progress
        reports = sum(1 for row in self.rows if row.kind == "report")
        text = Text()
        if not self.finished:
            text.append(f"Reading reports… {done:,} of {total:,}  ", style="bold")
        elif not reports:
            text.append("No report has been annotated by two reviewers yet: nothing to compare.", style="dim")
            self.query_one("#agreement-status", Static).update(text)
            return
        text.append(f"{reports:,} report{'s' if reports != 1 else ''} annotated by two reviewers or more")
        if self.finished:
            text.append(f" (of {total:,})", style="dim")
        self.query_one("#agreement-status", Static).update(text)

    @property
    def current(self) -> Row | None:
        found = self.query(LineList)
        cursor = found.first().cursor if found else -1
        return self.rows[cursor] if 0 <= cursor < len(self.rows) else None

    @on(LineList.Highlighted)
    def show_detail(self) -> None:
        row = self.current
        detail = Text()
        if row is not None and row.pair is not None:
            pair = row.pair
            where = f"in {row.report.report.id}" if row.report else "over every report"
            what = "claims" if pair.kind is Kind.CLAIM else "actor mentions"
            detail.append(f"{' and '.join(pair.reviewers)} on {what} {where}: ", style="bold")
            parts = []
            for name, _heading, words in FIGURES:
                value = getattr(pair, name)
                if value is not None:
                    parts.append(f"{words} {figure(value)} of {pair.items[name]:,}")
            detail.append(" · ".join(parts) or "nothing to compare")
        if row is not None and row.report is not None:
            who = " and ".join(row.pair.reviewers) if row.pair else "all its reviewers"
            detail.append("\n" if detail else "")
            detail.append(hint(self, ("agreement.adjudicate", f"adjudicates this report between {who}")), style="dim")
        self.query_one("#agreement-detail", Static).update(detail)

    # ----------------------------------------------------------------- actions

    def action_adjudicate(self) -> None:
        row = self.current
        if row is None or row.report is None:
            if row is not None:
                self.notify("Choose a report or one of its pairs to adjudicate.", title="Agreement", markup=False)
            return
        reviewers = row.pair.reviewers if row.pair is not None else None
        self.reload_on_resume = True
        navigator(self).open_adjudication(row.report.report.id, reviewers)

    @on(LineList.Selected)
    def row_selected(self) -> None:
        self.action_adjudicate()

    def on_screen_resume(self) -> None:
        if self.reload_on_resume:
            self.reload_on_resume = False
            self.action_refresh()  # decisions were made meanwhile

    def action_back(self) -> None:
        navigator(self).show_library()
