"""Large reports, in a real pty: a generated 10,000-paragraph report (about 1 MB) and one 1 MB paragraph.

Figures, each against a baseline measured in this run:

* opening the 10,000-paragraph report (already added) until its first
  paragraph is on screen, against the minimal app painting one line (≤ 3×),
  and its first open, which also reads, parses and stores it (for information);
* `G` (last paragraph) and `g` (first) on it, until the update is written
  (timed as in `bench_keys`), against the minimal app updating a label (≤ 3×);
* the peak resident memory (VmHWM of the claimdesk process, read from
  /proc while it runs) after opening it and visiting both ends, against the
  250 MiB budget (≤ 1×);
* opening the single 1 MB paragraph until its first words are on screen
  (≤ 3× the minimal app), then `ctrl+d` (a page down) 60 times in a row: each
  until the screen shows text further into the paragraph than before (≤ 3×
  the label update), and the peak memory after it.
"""

from __future__ import annotations

import statistics

from bench.common import Figure, p95
from bench.generate import LARGE_FIRST_WORDS, ONE_PARAGRAPH_FIRST_WORDS, marks_in, write_large_dispatch, write_one_paragraph
from bench.minimal_app import READY, key_text
from bench.pty import Lab, claimdesk_command, current_paragraph_is, minimal_command

OPEN_TARGET = 3.0
KEY_TARGET = 3.0
RSS_BUDGET = 250 * 2**20
STARTUP = "minimal Textual app painting one line"
KEYS = "minimal Textual app updating one label"


def _minimal(lab: Lab, presses: int) -> tuple[float, list[float]]:
    """The baseline app: its time to screen, and its label-update latencies."""
    with lab.terminal(minimal_command()) as term:
        started = term.wait_for(READY)
        term.settle()
        return started, [term.press(b"j", key_text(count)).last for count in range(1, presses + 1)]


def run(quick: bool) -> list[Figure]:
    repeat = 2 if quick else 5
    presses = 10 if quick else 30
    pages = 20 if quick else 60
    claimdesk = claimdesk_command()
    with Lab() as lab:
        large = write_large_dispatch(lab.root)
        one = write_one_paragraph(lab.root)
        large_db, one_db = lab.root / "db-large", lab.root / "db-one"
        lab.add(large, large_db)
        lab.add(one, one_db)
        open_large = [*claimdesk, "open", large, "--db", large_db]
        open_one = [*claimdesk, "open", one, "--db", one_db]
        lab.time_to_screen(minimal_command(), READY)  # warm the caches, untimed
        lab.time_to_screen(open_large, LARGE_FIRST_WORDS)

        minimal_start, minimal_keys, large_start, large_first, one_start = [], [], [], [], []
        ends: list[float] = []
        pages_down: list[float] = []
        large_rss = one_rss = minimal_rss = 0
        for attempt in range(repeat):
            started, keys = _minimal(lab, presses)
            minimal_start.append(started)
            minimal_keys += keys
            large_first.append(lab.time_to_screen([*claimdesk, "open", large, "--db", lab.root / f"fresh-{attempt}"], LARGE_FIRST_WORDS))
            with lab.terminal(open_large) as term:
                large_start.append(term.wait_for(LARGE_FIRST_WORDS))
                term.settle()
                if attempt == 0:
                    for _ in range(presses // 2):
                        ends.append(term.press(b"G", current_paragraph_is(10_000)).last)
                        ends.append(term.press(b"g", current_paragraph_is(1)).last)
                    large_rss = term.peak_rss()
            with lab.terminal(open_one) as term:
                one_start.append(term.wait_for(ONE_PARAGRAPH_FIRST_WORDS))
                term.settle()
                if attempt == 0:
                    furthest = 0
                    for _ in range(pages):
                        burst = term.press(b"\x04", lambda text, before=furthest: max(marks_in(text), default=0) > before)
                        furthest = max(marks_in(burst.text))
                        pages_down.append(burst.last)
                    one_rss = term.peak_rss()
        with lab.terminal(minimal_command()) as term:
            term.wait_for(READY)
            term.settle()
            minimal_rss = term.peak_rss()

    start_base = statistics.median(minimal_start)
    key_base = statistics.median(minimal_keys)
    return [
        Figure("large: open a 10,000-paragraph report (already added) until its first paragraph is on screen",
               statistics.median(large_start), start_base, STARTUP, target=OPEN_TARGET, p95=p95(large_start)),
        Figure("large: first `claimdesk open` of the 10,000-paragraph report (read, parse, store, then show)",
               statistics.median(large_first), start_base, STARTUP, p95=p95(large_first)),
        Figure("large: `G` / `g` (last / first of 10,000 paragraphs) until the update is written",
               statistics.median(ends), key_base, KEYS, target=KEY_TARGET, p95=p95(ends)),
        Figure("large: peak RSS with 10,000 paragraphs open, both ends visited",
               large_rss, RSS_BUDGET, "the 250 MiB budget", target=1.0, unit="B"),
        Figure("large: peak RSS of the minimal app, for comparison",
               minimal_rss, RSS_BUDGET, "the 250 MiB budget", unit="B"),
        Figure("large: open one 1 MB paragraph until its first words are on screen",
               statistics.median(one_start), start_base, STARTUP, target=OPEN_TARGET, p95=p95(one_start)),
        Figure(f"large: `ctrl+d` (page down) {pages} times into one 1 MB paragraph, until the update is written",
               statistics.median(pages_down), key_base, KEYS, target=KEY_TARGET, p95=p95(pages_down)),
        Figure("large: peak RSS with one 1 MB paragraph open and paged through",
               one_rss, RSS_BUDGET, "the 250 MiB budget", target=1.0, unit="B"),
    ]
