"""Claims across reports at 100,000 claims: the claims screen in a real pty, link ranking, `claims --json` memory.

The database is `bench/claims_data.py`'s: 1,000 reports of 100 claims (100,000 claims, with
actor mentions, grades, types, three reviewers and 10,000 links), written file by file.

Figures, each against a baseline measured in this run:

* `C` in `claimdesk` (the library open on that database) until the claims screen's first rows
  are on screen, against the minimal Textual app's start-up (process start until its line is
  painted; target ≤ 2×). The ledger is read newest report first in a worker and the first screen
  is drawn once the first reports are read; for information, `C` until all 100,000 are read.
* a keystroke in the claims screen's filter line until the table is redrawn for it (the status
  line says the new filter, drawn in the same frame as the table), typing several words letter by
  letter and erasing them, against the minimal app updating a label (target ≤ 3×), as bench_keys
  times a key: the last byte of the update after the key is written.
* link ranking (`Ledger.rank`, what `L` offers) for claims picked across the database, in this
  process, against the 200 ms budget (≤ 1×).
* the peak resident memory of `claimdesk claims --json` over the 100,000 claims against the same
  command over a tenth of them with as many links (flat memory in claims: target ≤ 1.5×; the
  links, far fewer than claims, are held compact while the claims stream), and, for information,
  against `claimdesk export` of the 100,000.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.claims_data import build_database
from bench.common import Figure, p95
from bench.minimal_app import READY, key_text
from bench.pty import REPO, Lab, child_environment, claimdesk_command, minimal_command

OPEN_TARGET = 2.0
KEY_TARGET = 3.0
RANK_BUDGET = 0.2
MEMORY_TARGET = 1.5
# Typed into the filter line letter by letter, then erased: common and rare words, a figure, a structured term.
TYPED = ("fighters", "reinforcements", "5000", "type:figure", "hizbullah")
QUERY_HELP_START = "words (fuzzy)"


def first_claim_text(root: Path) -> str:
    """The start of the claim the claims screen shows first (newest report, reading order)."""
    from store.db import Database

    db = Database(root, reviewer="bench")
    newest = db.reports()[0].id
    docs = [d for d in db.annotation_documents(newest) if d.get("kind") == "claim"]
    docs.sort(key=lambda d: (d["paragraph"], d["created_at"], d["id"]))
    return docs[0]["claim"]["text"][:24]


def _minimal(lab: Lab, presses: int) -> tuple[float, list[float]]:
    with lab.terminal(minimal_command()) as term:
        started = term.wait_for(READY)
        term.settle()
        return started, [term.press(b"j", key_text(count)).last for count in range(1, presses + 1)]


def _claims_screen(lab: Lab, root: Path, needle: str, total: str, typing: bool) -> tuple[float, float, list[float], int]:
    """`claimdesk` on the database: C until the first rows, until every claim is read; then (if asked) filter keystrokes."""
    keys: list[float] = []
    with lab.terminal([*claimdesk_command(), "--db", root]) as term:
        term.wait_for("claimdesk")
        term.settle(quiet=0.5)
        first = term.press(b"C", needle, quiet=0.05).last
        sent = time.perf_counter() - first
        term.wait_for(total, timeout=300)
        read_all = time.perf_counter() - sent
        term.settle(quiet=0.5)
        if typing:
            term.press(b"/", QUERY_HELP_START)
            for word in TYPED:
                for n in range(1, len(word) + 1):
                    keys.append(term.press(word[n - 1].encode(), f"filter “{word[:n]}”").last)
                for n in range(len(word) - 1, -1, -1):
                    expect = f"filter “{word[:n]}”" if n else QUERY_HELP_START
                    keys.append(term.press(b"\x7f", expect).last)
        rss = term.peak_rss()
    return first, read_all, keys, rss


def _peak_memory(argv: list[str], env: dict[str, str]) -> int:
    """The peak resident memory (bytes) of a command run to its end, its output thrown away."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *argv], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) * 1024


def _ranking(root: Path, samples: int) -> list[float]:
    from store.db import Database
    from store.ledger import build

    ledger = build(Database(root, reviewer="bench"))
    step = max(1, ledger.size // samples)
    times = []
    for row in range(0, ledger.size, step)[:samples]:
        start = time.perf_counter()
        found = ledger.rank(ledger.ids[row])
        times.append(time.perf_counter() - start)
        assert found, "every claim has candidates"
    return times


def run(quick: bool) -> list[Figure]:
    reports = 100 if quick else 1000
    repeat = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-claims-") as tmp:
        root, small = Path(tmp) / "db", Path(tmp) / "small"
        count = build_database(root, reports=reports, links=reports * 10)
        # A tenth of the claims and as many links: `claims --json` holds the links (read once, compact) and
        # streams the claims, so this compares what streaming must keep flat.
        build_database(small, reports=max(1, reports // 10), links=reports * 10)
        needle = first_claim_text(root)
        total = f"{count:,} of {count:,} claims"
        name = f"{count:,} claims"
        with Lab() as lab:
            lab.time_to_screen(minimal_command(), READY)  # warm the caches, untimed
            _claims_screen(lab, root, needle, total, typing=False)
            starts, minimal_keys, opens, read_alls, keys = [], [], [], [], []
            rss = 0
            for attempt in range(repeat):
                started, presses = _minimal(lab, 20)
                starts.append(started)
                minimal_keys += presses
                first, read_all, typed, peak = _claims_screen(lab, root, needle, total, typing=attempt == 0)
                opens.append(first)
                read_alls.append(read_all)
                keys += typed
                rss = max(rss, peak)
            env = child_environment(lab.env)
        ranks = _ranking(root, 20 if quick else 50)
        claims = [*claimdesk_command(), "claims", "--json"]
        memory_large = _peak_memory([*claims, "--db", str(root)], env)
        memory_small = _peak_memory([*claims, "--db", str(small)], env)
        memory_export = _peak_memory([*claimdesk_command(), "export", "--db", str(root)], env)
    start_base = statistics.median(starts)
    key_base = statistics.median(minimal_keys)
    return [
        Figure(f"claims: `C` until the claims screen's first rows are on screen, at {name}", statistics.median(opens), start_base,
               "minimal Textual app's start-up", target=OPEN_TARGET, p95=p95(opens)),
        Figure(f"claims: `C` until all {name} are read and shown (for information)", statistics.median(read_alls), start_base,
               "minimal Textual app's start-up", p95=p95(read_alls)),
        Figure(f"claims: a filter keystroke until the table is redrawn, at {name} ({len(keys)} keys)", statistics.median(keys),
               key_base, "minimal Textual app updating one label", target=KEY_TARGET, p95=p95(keys)),
        Figure(f"claims: peak RSS of the claims screen with {name} read", rss, 250 * 2**20, "the 250 MiB budget", unit="B"),
        Figure(f"claims: link ranking (L) at {name}, median of {len(ranks)} claims", statistics.median(ranks), RANK_BUDGET,
               "the 200 ms budget", target=1.0, p95=p95(ranks)),
        Figure(f"claims: peak RSS of `claims --json` at {name}", memory_large, memory_small,
               f"the same at {count // 10:,} claims and as many links", target=MEMORY_TARGET, unit="B"),
        Figure(f"claims: peak RSS of `claims --json` at {name} (for information)", memory_large, memory_export,
               f"`claimdesk export` of the {name}", unit="B"),
    ]
