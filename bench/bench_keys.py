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
the median (target ≤ 3×) with the p95, on the seed dispatch and on a generated
report of 10,000 paragraphs, each moving from the first paragraph down (so the
view also scrolls once the current paragraph reaches the bottom).
"""

from __future__ import annotations

import statistics

from bench.common import Figure, p95
from bench.generate import LARGE_FIRST_WORDS, write_large_dispatch
from bench.minimal_app import READY, key_text
from bench.pty import SEED, Lab, claimdesk_command, current_paragraph_is, minimal_command

TARGET = 3.0
BASELINE = "minimal Textual app updating one label"


def minimal_latencies(lab: Lab, presses: int) -> list[float]:
    with lab.terminal(minimal_command()) as term:
        term.wait_for(READY)
        term.settle()
        return [term.press(b"j", key_text(count)).last for count in range(1, presses + 1)]


def next_paragraph_latencies(lab: Lab, report, needle: str, presses: int) -> list[float]:
    """Open `report` (added first, untimed) and press `j` `presses` times from its first paragraph."""
    db = lab.root / f"db-{report.stem}"
    lab.add(report, db)
    with lab.terminal([*claimdesk_command(), "open", report, "--db", db]) as term:
        term.wait_for(needle)
        term.settle()
        return [term.press(b"j", current_paragraph_is(number)).last for number in range(2, presses + 2)]


def run(quick: bool) -> list[Figure]:
    presses = 20 if quick else 100
    with Lab() as lab:
        baseline = minimal_latencies(lab, presses)
        ours: dict[str, list[float]] = {}
        if SEED.exists():
            from bench.bench_startup import seed_needle

            # The seed has under 100 paragraphs: at most as many presses as it has next paragraphs.
            count = min(presses, _paragraphs(SEED) - 1)
            ours["the seed dispatch"] = next_paragraph_latencies(lab, SEED, seed_needle(), count)
        else:
            print(f"  skipped the seed: absent ({SEED})", flush=True)
        large = write_large_dispatch(lab.root)
        ours["a generated 10,000-paragraph report"] = next_paragraph_latencies(lab, large, LARGE_FIRST_WORDS, presses)
        baseline += minimal_latencies(lab, presses)  # before and after: load changes fall on both sides
    base = statistics.median(baseline)
    return [
        Figure(f"keys: `j` to the next paragraph on {what}, until the update is written", statistics.median(samples), base, BASELINE,
               target=TARGET, p95=p95(samples))
        for what, samples in ours.items()
    ]


def _paragraphs(path) -> int:
    from store.ingest import parse_file

    return len(parse_file(path)[0].paragraphs)
