"""Saves that stay flat as one report grows (issue 18): 25,000 annotations in one report cost what 100 do.

Store figures (no terminal), each through the same `Session` calls the TUI makes:

* one save (a new claim) into a report that already holds 2,500, 25,000 and
  100,000 annotations, against one save into a report of 100 (target ≤ 2×);
* one grade of an annotation already there (an edit) at 100,000 against at 100
  (the sizes taken in turn, a save at each, so the baseline is measured in the
  same moments as the figures);
* reading the report (every annotation, what opening it costs the store) at
  25,000 against the schema-1 layout it replaces — the same annotations in one
  file, parsed and turned into `Annotation`s — (target ≤ 1×: no slower than before);
* exporting that report to JSONL against a bare `json.dumps` per record.

Terminal figures, in a real pty (as `bench_keys`): the generated 10,000-paragraph
report holding 30,000 claims, its second half marked reviewed — `j`, `space` (mark
reviewed, move on) and a grade (`tab`, `r`, a letter and a digit on the highlighted
claim) until the frame that answers the key is on screen — `j` the next paragraph,
`space` the move, a grade the GRADE line closed — against the minimal app updating a
label (target ≤ 3×). The save of a mark or a grade follows that frame, and what says
it is saved comes after it: the "saved" figures time the key until the mark is counted
and "Graded B2" is on screen (no target: Textual's next frame, 17–33 ms after the first).
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Figure, p95
from store.db import Database
from store.layout import ANNOTATIONS_PER_SHARD
from store.model import Annotation, Claim, Credibility, Kind, Mark, Report, Span, new_id, now_iso
from store.session import Session
from store.storage import atomic_write_bytes, encode, make_folder

SIZES = (100, 2_500, 25_000, 100_000)
SAVE_TARGET = 2.0
KEY_TARGET = 3.0


def fill(db: Database, report: Report, count: int, rng: random.Random, paragraphs: int) -> None:
    """`count` claims written straight into the report's shards, as the store lays them out."""
    text = db.open_report(report.id).parsed
    docs = []
    stamp = now_iso()
    for i in range(count):
        number = 1 + i % paragraphs
        body = text.paragraphs[number - 1].text
        start = rng.randrange(0, max(1, len(body) - 12))
        span = Span.of(body, start, min(len(body), start + 4 + rng.randrange(8)))
        docs.append(Annotation(
            id=new_id(), kind=Kind.CLAIM, report_id=report.id, revision=report.revision, paragraph=number, span=span,
            claim=Claim(span.quote, "event"), credibility=Credibility("B", 2) if i % 2 else None,
            reviewer=("amira", "bob", "chen")[i % 3], created_at=stamp, updated_at=stamp, updated_by="bench", rev=1,
        ).to_dict())
    make_folder(db.layout.report_folder(report.id), db.modes)
    for number, first in enumerate(range(0, len(docs), ANNOTATIONS_PER_SHARD), start=1):
        chunk = {str(n): doc for n, doc in enumerate(docs[first : first + ANNOTATIONS_PER_SHARD], start=1)}
        atomic_write_bytes(db.layout.annotation_shard(report.id, number), encode({"annotations": chunk}))


def fill_marks(db: Database, report: Report, numbers: range) -> None:
    """Paragraphs `numbers` marked reviewed, written straight into their mark shards (a report half worked through)."""
    stamp = now_iso()
    shards: dict[Path, dict[str, dict[str, object]]] = {}
    for number in numbers:
        docs = shards.setdefault(db.layout.mark_shard(report.id, number), {})
        docs[str(len(docs) + 1)] = Mark(number, reviewed=True, reviewed_by="bench", reviewed_at=stamp, updated_by="bench",
                                        updated_at=stamp, rev=1).to_dict()
    for path, docs in shards.items():
        atomic_write_bytes(path, encode({"marks": docs}))


def _report(root: Path, count: int, rng: random.Random) -> tuple[Database, Report]:
    from bench.generate import write_large_dispatch

    db = Database(root / f"db-{count}", reviewer="bench")
    (root / f"src-{count}").mkdir()
    source = write_large_dispatch(root / f"src-{count}", paragraphs=400)
    report = db.add_report(source).report
    fill(db, report, count, rng, report.paragraph_count)
    return Database(db.root, reviewer="bench"), report


def _saves(reports: dict[int, tuple[Database, Report]], repeat: int) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    """(new claims, grades of existing claims) by report size, timed through a session, after each report was read as the TUI reads it.

    The sizes are taken in turn — a claim and a grade at 100, then at 2,500, … then at 100 again — so every
    size is measured in the same moments as the baseline: this machine's speed drifts by a fifth within
    minutes, which one size after another let into the ratios.
    """
    sessions = {size: (Session(db), report, db.annotations(report.id)) for size, (db, report) in reports.items()}
    adding: dict[int, list[float]] = {size: [] for size in reports}
    grading: dict[int, list[float]] = {size: [] for size in reports}
    for n in range(repeat):
        for size, (session, report, existing) in sessions.items():
            start = time.perf_counter()
            session.add_claim(report, 1 + n % 50, None, f"claim {n}")
            adding[size].append(time.perf_counter() - start)
            target = existing[(n * 7919) % len(existing)]
            start = time.perf_counter()
            saved = session.grade(target, Credibility("ABCDEF"[n % 6], 1 + n % 6))
            grading[size].append(time.perf_counter() - start)
            existing[(n * 7919) % len(existing)] = saved.value
    return adding, grading


def _read_now(db: Database, report: Report, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        fresh = Database(db.root, reviewer="bench")
        start = time.perf_counter()
        fresh.annotations(report.id)
        samples.append(time.perf_counter() - start)
    return samples


def _read_one_file(db: Database, report: Report, folder: Path, repeat: int) -> list[float]:
    """The schema-1 layout as the baseline: the same annotations in one file, read and parsed."""
    docs = {str(n): doc for n, doc in enumerate(db.annotation_documents(report.id), start=1)}
    single = folder / "single.annotations.json"
    single.write_bytes(encode({"annotations": docs}))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        tables = json.loads(single.read_bytes())
        found = [Annotation.from_dict(d) for d in tables["annotations"].values()]
        sorted(found, key=lambda a: (a.paragraph, a.span.start if a.span else -1, a.created_at))
        samples.append(time.perf_counter() - start)
    return samples


def _export(db: Database, report: Report, folder: Path) -> tuple[float, float]:
    from store import export

    out = folder / "dense.jsonl"
    start = time.perf_counter()
    with out.open("w", encoding="utf-8") as handle:
        export.write_stream(db, "jsonl", handle, export.Selection(reports=(report.id,)))
    ours = time.perf_counter() - start
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    start = time.perf_counter()
    with (folder / "baseline.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return ours, time.perf_counter() - start


def store_figures(quick: bool) -> list[Figure]:
    rng = random.Random(18)
    repeat = 10 if quick else 40
    sizes = SIZES[:3] if quick else SIZES
    folder = Path(tempfile.mkdtemp(prefix="claimdesk-bench-dense-"))
    reports: dict[int, tuple[Database, Report]] = {}
    figures: list[Figure] = []
    try:
        for size in sizes:
            db, report = reports[size] = _report(folder, size, rng)
            if size == 25_000:  # read before the larger report is built, as a process holding only this one would
                now = _read_now(db, report, 5)
                before = _read_one_file(db, report, folder, 5)
                figures.append(Figure(
                    "dense: read a report of 25,000 annotations (its shards) vs the same in one schema-1 file",
                    statistics.median(now), statistics.median(before), "one file, parsed", target=1.0, p95=p95(now),
                ))
                ours, bare = _export(db, report, folder)
                figures.append(Figure("dense: export that report to JSONL", ours, bare, "a bare json.dumps per line"))
        adds, grades = _saves(reports, repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base_add, base_grade = statistics.median(adds[100]), statistics.median(grades[100])
    for size in sizes[1:]:
        figures.append(Figure(
            f"dense: save a new claim into a report of {size:,} annotations vs one of 100",
            statistics.median(adds[size]), base_add, "the same save at 100", target=SAVE_TARGET, p95=p95(adds[size]),
        ))
    figures.append(Figure(
        f"dense: grade a claim in a report of {sizes[-1]:,} annotations vs one of 100",
        statistics.median(grades[sizes[-1]]), base_grade, "the same grade at 100", target=SAVE_TARGET, p95=p95(grades[sizes[-1]]),
    ))
    return figures


def terminal_figures(quick: bool) -> list[Figure]:
    """`j`, `space` and a grade in a real pty, each press taken turn about with a press in the minimal app.

    Both apps run side by side and every key of ours follows one of the minimal app's, so the baseline of each
    figure is measured in the same moments as the figure itself: this machine's speed drifts by a third over
    a minute (its disk, its neighbours), which a baseline taken before and after let into the ratios.
    """
    from bench.generate import LARGE_FIRST_WORDS, write_large_dispatch
    from bench.minimal_app import READY, key_text
    from bench.pty import Lab, claimdesk_command, current_paragraph_is, minimal_command

    presses = 10 if quick else 40
    with Lab() as lab:
        large = write_large_dispatch(lab.root)
        db_path = lab.root / "db-dense"
        lab.add(large, db_path)
        db = Database(db_path, reviewer="bench")
        report = db.reports()[0]
        fill(db, report, 30_000, random.Random(30), report.paragraph_count)
        fill_marks(db, report, range(report.paragraph_count // 2 + 1, report.paragraph_count + 1))
        kinds = ("j", "space", "grade", "space saved", "grade saved")
        timed: dict[str, list[float]] = {kind: [] for kind in kinds}
        minimal: dict[str, list[float]] = {kind: [] for kind in kinds}
        with lab.terminal(minimal_command()) as bare, lab.terminal([*claimdesk_command(), "open", large, "--db", db_path]) as term:
            bare.wait_for(READY)
            term.wait_for(LARGE_FIRST_WORDS)
            bare.settle()
            term.settle()
            count = 0

            def baseline(*kinds: str) -> None:
                nonlocal count
                count += 1
                took = bare.press(b"j", key_text(count)).last
                for kind in kinds:
                    minimal[kind].append(took)

            for number in range(2, presses + 2):
                baseline("j")
                timed["j"].append(term.press(b"j", current_paragraph_is(number)).shown)
            counted = report.paragraph_count // 2  # the second half is reviewed: space goes on to the next paragraph
            for n in range(1, presses + 1):
                # Answered: the move to the next paragraph drawn. Saved: the mark on disk, then counted on screen.
                baseline("space", "space saved")
                burst = term.press(b" ", current_paragraph_is(presses + 1 + n), then=f"{counted + n}/10000 reviewed")
                timed["space"].append(burst.shown)
                timed["space saved"].append(burst.then)
            term.press(b"\t", "¶")  # the panel: its highlighted claim is what `r` grades
            for n in range(presses):
                grade = f"{'ABCDEF'[n % 6]}{1 + n % 6}"
                term.press(b"r", "GRADE")
                baseline("grade", "grade saved")
                # Answered: the GRADE line gone, the status line back. Saved: the grade on disk, then "Graded B2".
                burst = term.press(grade.lower().encode(), "/10000 reviewed", then=f"Graded {grade}")
                timed["grade"].append(burst.shown)
                timed["grade saved"].append(burst.then)
    name = "the 10,000-paragraph report with 30,000 claims (5,000 ¶ reviewed)"
    label = "minimal app updating a label, pressed in turn"
    what = {
        "j": f"dense: `j` on {name}",
        "space": f"dense: `space` (mark reviewed, move on: the move drawn, the save follows the frame) on {name}",
        "grade": f"dense: a grade (`r` then a letter and a digit: the GRADE line closed, the save follows) on {name}",
        "space saved": f"dense: `space` until the mark is saved and counted on screen, on {name}",
        "grade saved": f"dense: a grade until it is saved and \"Graded B2\" is on screen, on {name}",
    }
    return [
        Figure(
            what[kind], statistics.median(timed[kind]), statistics.median(minimal[kind]), label,
            target=None if kind.endswith("saved") else KEY_TARGET, p95=p95(timed[kind]),
        )
        for kind in kinds
    ]


def run(quick: bool) -> list[Figure]:
    return store_figures(quick) + terminal_figures(quick)
