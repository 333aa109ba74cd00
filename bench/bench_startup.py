"""Startup: from process start until the seed dispatch's first paragraph is on screen, in a real pty.

`claimdesk open SEED --db DB` is started on a 160×48 pseudo-terminal (the
installed console script, as a user runs it) and timed until the first words
of the seed's first paragraph have been written to the terminal. The baseline
is `bench/minimal_app.py` painting its one line, timed the same way. Runs
alternate between the two so that load on the machine falls on both alike.

Two figures: opening a report already in the database (the everyday case,
target ≤ 1.3×), and the first open of the file, which also reads, parses and
stores it (for information). Registry suggestions and claim candidates are on:
the database holds the seed's actor registry (`bench/seed_registry.py`). They
are drawn from the second frame on (the first frame shows the text at once), so
the figure is the time until the analyst can read, as before.
"""

from __future__ import annotations

import statistics

from bench.common import Figure, p95
from bench.minimal_app import READY
from bench.pty import SEED, Lab, claimdesk_command, first_words, minimal_command

TARGET = 1.3


def seed_needle() -> str:
    from store.ingest import parse_file

    parsed, _ = parse_file(SEED)
    return first_words(parsed.paragraphs[0].text)


def run(quick: bool) -> list[Figure]:
    if not SEED.exists():
        print(f"  skipped: the seed dispatch is absent ({SEED})", flush=True)
        return []
    repeat = 3 if quick else 10
    needle = seed_needle()
    claimdesk = claimdesk_command()
    minimal, opened, ingested = [], [], []
    with Lab() as lab:
        from bench.bench_keys import with_registry

        db = with_registry(lab, SEED)
        # One untimed run of each warms the disk cache and the bytecode caches.
        lab.time_to_screen(minimal_command(), READY)
        lab.time_to_screen([*claimdesk, "open", SEED, "--db", db], needle)
        for attempt in range(repeat):
            minimal.append(lab.time_to_screen(minimal_command(), READY))
            opened.append(lab.time_to_screen([*claimdesk, "open", SEED, "--db", db], needle))
            ingested.append(lab.time_to_screen([*claimdesk, "open", SEED, "--db", lab.root / f"fresh-{attempt}"], needle))
    baseline = statistics.median(minimal)
    name = "minimal Textual app painting one line"
    return [
        Figure(
            "startup: `claimdesk open` of the seed (already added) until its first paragraph is on screen",
            statistics.median(opened), baseline, name, target=TARGET, p95=p95(opened),
        ),
        Figure(
            "startup: first `claimdesk open` of the seed (read, parse, store, then show)",
            statistics.median(ingested), baseline, name, p95=p95(ingested),
        ),
    ]
