"""Key latency: `j` (next paragraph) until the screen update is written, in a real pty.

How one keypress is timed (`bench.pty.Terminal.press`):

1. The app is idle: nothing has been written for 100 ms (250 ms after start-up).
2. The clock starts as the key's byte is written to the pty.
3. Everything the app writes is read with its arrival time. The update is
   complete when the expected content has been drawn — for claimdesk, the
   annotation panel's heading names the new paragraph (`¶ 2`); for the
   baseline, its label reads `minimal: key N` — and then nothing more arrives
   for 100 ms.
4. The latency is the arrival of the last byte of that burst: the whole
   update, every frame of it, not just the first byte (the quiet wait after it
   is not counted). A second frame that comes within 100 ms is included.

The baseline is `bench/minimal_app.py` updating its one label on `j`. Figures:
the median (target ≤ 2.5×) with the p95, on the seed dispatch and on a generated
report of 10,000 paragraphs, each moving from the first paragraph down (so the
view also scrolls once the current paragraph reaches the bottom). Registry
suggestions and claim candidates are on: the database holds the seed's actor
registry (`bench/seed_registry.py`), so the paragraphs drawn are searched for
its names and cues as a user's would be.

Bytes (over SSH every byte counts): everything written to the terminal for each
`j` through the seed at 120×40, escape sequences included, mean and median
(target: a mean ≤ 4 KB); the minimal app's bytes per key for comparison.
"""

from __future__ import annotations

import statistics
import tempfile

from bench.common import Figure, p95
from bench.generate import LARGE_FIRST_WORDS, write_large_dispatch
from bench.minimal_app import READY, key_text
from bench.pty import COLUMNS, REPO, ROWS, SEED, Burst, Lab, Terminal, claimdesk_command, current_paragraph_is, minimal_command

TARGET = 2.5
BASELINE = "minimal Textual app updating one label"
BYTES_BUDGET = 4096
BYTES_SIZE = (120, 40)


def minimal_latencies(lab: Lab, presses: int) -> list[float]:
    with lab.terminal(minimal_command()) as term:
        term.wait_for(READY)
        term.settle()
        return [term.press(b"j", key_text(count)).last for count in range(1, presses + 1)]


def minimal_bytes(lab: Lab, presses: int) -> list[int]:
    columns, rows = BYTES_SIZE
    with Terminal(minimal_command(), columns=columns, rows=rows, env=lab.env, cwd=REPO) as term:
        term.wait_for(READY)
        term.settle()
        return [term.press(b"j", key_text(count)).size for count in range(1, presses + 1)]


def with_registry(lab: Lab, report) -> object:
    """A database holding `report` and the seed's actor registry (suggestions on); its folder."""
    from bench.seed_registry import add_seed_registry
    from store.db import Database
    from store.session import Session

    db = lab.root / f"db-{report.stem}"
    lab.add(report, db)
    add_seed_registry(Session(Database(db, reviewer="bench")))
    return db


def next_paragraph_bursts(lab: Lab, report, needle: str, presses: int, size: tuple[int, int] | None = None) -> list[Burst]:
    """Open `report` (added first, with the registry, untimed) and press `j` `presses` times from its first paragraph."""
    db = lab.root / f"db-{report.stem}"
    if not db.exists():
        db = with_registry(lab, report)
    columns, rows = size or (COLUMNS, ROWS)
    argv = [*claimdesk_command(), "open", report, "--db", db]
    # A fresh working state: the report opens at its first paragraph, not where the last run left it.
    state = tempfile.mkdtemp(prefix="state-", dir=lab.root)
    with Terminal(argv, columns=columns, rows=rows, env={**lab.env, "CLAIMDESK_STATE": state}, cwd=REPO) as term:
        term.wait_for(needle)
        term.settle(quiet=0.5)  # suggestions and candidates come with the second frame
        return [term.press(b"j", current_paragraph_is(number)) for number in range(2, presses + 2)]


def next_paragraph_latencies(lab: Lab, report, needle: str, presses: int) -> list[float]:
    return [burst.last for burst in next_paragraph_bursts(lab, report, needle, presses)]


def run(quick: bool) -> list[Figure]:
    presses = 20 if quick else 100
    written: list[int] = []
    minimal_written: list[int] = []
    with Lab() as lab:
        baseline = minimal_latencies(lab, presses)
        ours: dict[str, list[float]] = {}
        if SEED.exists():
            from bench.bench_startup import seed_needle

            # The seed has under 100 paragraphs: at most as many presses as it has next paragraphs.
            count = min(presses, _paragraphs(SEED) - 1)
            ours["the seed dispatch"] = next_paragraph_latencies(lab, SEED, seed_needle(), count)
            written = [burst.size for burst in next_paragraph_bursts(lab, SEED, seed_needle(), count, BYTES_SIZE)]
            minimal_written = minimal_bytes(lab, count)
        else:
            print(f"  skipped the seed: absent ({SEED})", flush=True)
        large = write_large_dispatch(lab.root)
        ours["a generated 10,000-paragraph report"] = next_paragraph_latencies(lab, large, LARGE_FIRST_WORDS, presses)
        baseline += minimal_latencies(lab, presses)  # before and after: load changes fall on both sides
    base = statistics.median(baseline)
    figures = [
        Figure(f"keys: `j` to the next paragraph on {what}, until the update is written (suggestions on)", statistics.median(samples),
               base, BASELINE, target=TARGET, p95=p95(samples))
        for what, samples in ours.items()
    ]
    if written:
        columns, rows = BYTES_SIZE
        figures += [
            Figure(f"bytes written per `j` on the seed at {columns}×{rows}, mean (median {statistics.median(written):.0f})",
                   statistics.mean(written), BYTES_BUDGET, "the 4 KB budget", target=1.0, unit="bytes"),
            Figure(f"bytes written per `j` by the minimal app at {columns}×{rows}, mean, for comparison",
                   statistics.mean(minimal_written), BYTES_BUDGET, "the 4 KB budget", unit="bytes"),
        ]
    return figures


def _paragraphs(path) -> int:
    from store.ingest import parse_file

    return len(parse_file(path)[0].paragraphs)
