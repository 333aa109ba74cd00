"""Several analysts on screen: the Agreement screen on a large database, the adjudication view on a dense report.

Both run in a headless app (Textual's test driver, as the Pilot tests do): what is timed is the app's
own work, from the call that opens a screen, or the key, until the screen is drawn again.

Agreement screen, on bench_agreement's database (1,000 reports, 100,000 annotations by 4 reviewers):

* every report's figures on screen (the worker done, its rows drawn), against the same computation
  alone (`AgreementRun` over every report: what `claimdesk agreement` costs) — the screen's overhead;
* the first report's rows handed to the list (drawn at the next frame), against opening the library on
  the same database (for information: the screen opens at once and fills as it reads).

Adjudication view, on the generated 10,000-paragraph dispatch where alice and bob each made 15,000
claims at the same 15,000 places (30,000 annotations), half of them alike in everything (pre-accepted
when the view opens), the others graded or typed apart:

* opening the view when nothing is left to pre-accept (the cases read, matched and drawn), against
  reading the report's annotations (`Database.annotations`: what opening the report screen costs the store);
* opening it the first time, pre-accepting 7,500 agreed places in one step, for information;
* one decision (`2`, take bob's version: decision and annotation written, the case and status redrawn),
  against the same key in a report of 100 annotations (target ≤ 2×: flat, as saves are).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_agreement import build_database as build_agreement_database
from bench.bench_export import write_shards
from bench.common import Figure, p95
from store.agreement import AgreementRun
from store.db import Database
from store.model import Annotation, Claim, Credibility, Kind, Report, Span, new_id, now_iso
from store.storage import make_folder

KEY_TARGET = 2.0
SIZE = (120, 40)


# ------------------------------------------------------------------ agreement screen


async def _agreement_screen(root: Path) -> tuple[float, float, float]:
    """(first rows on screen, every report on screen, the library opened) in seconds."""
    from tui.app import make_app
    from tui.screens.agreement import AgreementScreen
    from tui.screens.library import LibraryScreen

    app = make_app(Database(root, reviewer="bench"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        app.push_screen(LibraryScreen(app.session))
        await pilot.pause()
        library = time.perf_counter() - start
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        app.show_agreement()
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        while not screen.rows:  # the first report's rows handed to the list (drawn at the next frame)
            await asyncio.sleep(0.002)
        first = time.perf_counter() - start
        while not screen.finished:
            await asyncio.sleep(0.005)
        await pilot.pause()
        every = time.perf_counter() - start
    return first, every, library


def agreement_figures(quick: bool) -> list[Figure]:
    reports, repeat = (100, 2) if quick else (1000, 3)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-adjudication-") as tmp:
        root = Path(tmp) / "db"
        count = build_agreement_database(root, reports=reports)

        def computation() -> float:
            start = time.perf_counter()
            run = AgreementRun(Database(root, reviewer="bench"))
            for _ in run.reports():
                pass
            run.overall()
            return time.perf_counter() - start

        firsts, everys, libraries, computations = [], [], [], []
        for _ in range(repeat):  # in turns, so a shared machine's load falls on both alike
            first, every, library = asyncio.run(_agreement_screen(root))
            firsts.append(first)
            everys.append(every)
            libraries.append(library)
            computations.append(computation())
    name = f"agreement screen: {count:,} annotations by 4 reviewers over {reports:,} reports"
    return [
        Figure(f"{name}, every report on screen", statistics.median(everys), statistics.median(computations),
               "the same figures computed alone (AgreementRun)", p95=p95(everys)),
        Figure(f"{name}, first rows shown", statistics.median(firsts), statistics.median(libraries),
               "opening the library on that database", p95=p95(firsts)),
    ]


# ---------------------------------------------------------------- adjudication view


def _team_report(folder: Path, places: int, paragraphs: int | None) -> tuple[Path, Report]:
    """A report where alice and bob each annotated `places` places: half alike, half graded or typed apart."""
    from bench.generate import write_large_dispatch

    rng = random.Random(16)
    root = folder / f"db-{places}"
    db = Database(root, reviewer="bench")
    source_folder = folder / f"src-{places}"
    source_folder.mkdir()
    report = db.add_report(write_large_dispatch(source_folder, paragraphs=paragraphs or 10_000)).report
    texts = [p.text for p in db.open_report(report.id).paragraphs]
    stamp = now_iso()
    docs = []
    for place in range(places):
        number = 1 + place % len(texts)
        body = texts[number - 1]
        start = rng.randrange(0, max(1, len(body) - 40))
        span = Span.of(body, start, min(len(body), start + 8 + rng.randrange(30)))
        alike = place % 2 == 0
        for reviewer in ("alice", "bob"):
            apart = reviewer == "bob" and not alike
            docs.append(Annotation(
                id=new_id(), kind=Kind.CLAIM, report_id=report.id, revision=report.revision, paragraph=number, span=span,
                claim=Claim(span.quote, "statement" if apart and place % 4 == 1 else "event"),
                credibility=Credibility("C" if apart else "B", 3 if apart else 2),
                reviewer=reviewer, created_at=stamp, updated_at=stamp, updated_by=reviewer, rev=1,
            ).to_dict())
    make_folder(db.layout.report_folder(report.id), db.modes)
    write_shards(db, report.id, docs)
    return root, report


async def _adjudication_view(root: Path, report: Report, keys: int) -> tuple[float, list[float]]:
    """(opening the view, each of `keys` presses of `2`) in seconds."""
    from tui.app import make_app
    from tui.screens.adjudication import AdjudicationScreen

    app = make_app(Database(root, reviewer="carol"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        app.open_adjudication(report.id)
        await pilot.pause()
        opened = time.perf_counter() - start
        assert isinstance(app.screen, AdjudicationScreen)
        presses = []
        for _ in range(keys):
            start = time.perf_counter()
            await pilot.press("2")
            presses.append(time.perf_counter() - start)
    return opened, presses


def adjudication_figures(quick: bool) -> list[Figure]:
    dense, keys, repeat = (3_000, 10, 2) if quick else (15_000, 30, 3)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-adjudication-") as tmp:
        folder = Path(tmp)
        big_root, big = _team_report(folder, dense, None)
        small_root, small = _team_report(folder, 50, 40)
        pre_accepting, _ = asyncio.run(_adjudication_view(big_root, big, 0))
        openings, reads, big_keys, small_keys = [], [], [], []
        for _ in range(repeat):
            opened, presses = asyncio.run(_adjudication_view(big_root, big, keys))
            openings.append(opened)
            big_keys += presses
            start = time.perf_counter()
            Database(big_root, reviewer="bench").annotations(big.id)
            reads.append(time.perf_counter() - start)
            _opened, presses = asyncio.run(_adjudication_view(small_root, small, min(keys, 20)))
            small_keys += presses
    name = f"adjudication view: {2 * dense:,} annotations by 2 reviewers in one report of 10,000 paragraphs"
    return [
        Figure(f"{name}, opening it", statistics.median(openings), statistics.median(reads),
               "reading the report's annotations (Database.annotations)", p95=p95(openings)),
        Figure(f"{name}, opening it the first time, pre-accepting {dense // 2:,} agreed places, for information",
               pre_accepting, statistics.median(reads), "reading the report's annotations"),
        Figure(f"{name}, one decision (2, take bob's)", statistics.median(big_keys), statistics.median(small_keys),
               "the same key in a report of 100 annotations", target=KEY_TARGET, p95=p95(big_keys)),
    ]


def run(quick: bool) -> list[Figure]:
    return agreement_figures(quick) + adjudication_figures(quick)
