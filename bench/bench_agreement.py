"""Agreement over 100,000 annotations from 4 reviewers, against reading those annotations from the database.

The database (1,000 reports of 40 paragraphs; 100 annotations each, 25 by each of alice, bob, chen and
dana) is written file by file in the store's layout, as bench_export does. Every report has 25 places
worth annotating; each reviewer annotates most of them — the same span or one shifted by a few
characters, usually the same type, actor and grade — and a few spans of their own elsewhere, so the
matcher meets exact matches, partial overlaps, misses and crossings as on real work.

Ours: `claimdesk agreement`'s computation (`store.agreement.AgreementRun`: every report, every pair
and kind, the all-reviewer α, the pooled overall figures), from opening the database to the last figure.

Baseline (the target, ≤ 3×): opening the database and reading the same annotations with
`Database.iter_annotations()`, report by report — how the store reads annotations for every other
command and screen (`Annotation` objects). For information, the same against the raw stored dicts
(`Database.annotation_documents`, no objects built: JSON decoding alone, the floor of any read; agreement
itself reads these).

Also, for memory: the peak traced allocation (tracemalloc) of the agreement run against that of the
read of raw dicts, both at 100,000 (target ≤ 2×: agreement holds one report's annotations at a time, as
the read does).
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.bench_export import paragraph_text, write_shards
from bench.common import Figure, median_time, p95
from store.agreement import AgreementRun
from store.db import Database
from store.model import Annotation, Claim, Credibility, Kind, Paragraph, ParsedReport, Report, Span, now_iso
from store.storage import atomic_write_bytes, encode, make_folder

REVIEWERS = ("alice", "bob", "chen", "dana")
PLACES = 25  # per report; each reviewer makes 25 annotations a report
PARAGRAPHS = 40
CLAIM_TYPES = ("event", "figure", "statement", "intent")
ACTORS = ("northern-shield", "sabereen", "hadi", "iran", "manar")


def _annotations(rng: random.Random, report_id: str, revision: str, texts: list[str], stamp: str) -> list[Annotation]:
    """25 places, each annotated by every reviewer: mostly alike, sometimes shifted, differently typed or graded."""
    found = []
    for place in range(PLACES):
        number = rng.randrange(PARAGRAPHS) + 1
        text = texts[number - 1]
        start = rng.randrange(0, len(text) - 60)
        end = start + rng.randint(12, 50)
        kind = Kind.ACTOR if place % 3 == 0 else Kind.CLAIM
        claim_type, actor = rng.choice(CLAIM_TYPES), rng.choice(ACTORS)
        letter, digit = rng.randrange(6), rng.randrange(6)
        for reviewer in REVIEWERS:
            where, s, e = number, start, end
            if rng.random() < 0.1:  # missed: a span of their own somewhere else instead
                where = rng.randrange(PARAGRAPHS) + 1
                s = rng.randrange(0, len(texts[where - 1]) - 60)
                e = s + rng.randint(12, 50)
            elif rng.random() < 0.4:  # the same place, edges a few characters off
                s, e = max(0, s + rng.randint(-4, 4)), e + rng.randint(-4, 4)
            span = Span.of(texts[where - 1], s, e)
            graded = rng.random() < 0.7
            near = lambda grade: min(5, max(0, grade + rng.choice((-1, 0, 0, 0, 1))))  # noqa: E731 - one line, used twice
            found.append(Annotation(
                id=f"{len(found):032x}", kind=kind, report_id=report_id, revision=revision, paragraph=where, span=span,
                claim=Claim(span.quote, claim_type if rng.random() < 0.8 else rng.choice(CLAIM_TYPES))
                if kind is Kind.CLAIM else None,
                actor_id=(actor if rng.random() < 0.85 else rng.choice(ACTORS)) if kind is Kind.ACTOR else None,
                credibility=Credibility("ABCDEF"[near(letter)], near(digit) + 1) if graded and kind is Kind.CLAIM else None,
                reviewer=reviewer, created_at=stamp, updated_at=stamp,
            ))
    return found


def build_database(root: Path, reports: int = 1000, seed: int = 16) -> int:
    """`reports` reports of 100 annotations by four reviewers, in the store's layout; returns how many annotations."""
    rng = random.Random(seed)
    db = Database(root, reviewer="bench")
    stamp = now_iso()
    index = {}
    count = 0
    for r in range(reports):
        report_id, revision = f"report-{r:04d}", f"{r:016x}"
        texts = [paragraph_text(r, n) for n in range(1, PARAGRAPHS + 1)]
        parsed = ParsedReport(
            title=f"Report {r}", date="2024-05-12", dispatch_number=str(r), regions=("Iraq",), headings=(),
            paragraphs=tuple(Paragraph(n, t) for n, t in enumerate(texts, start=1)), footnotes=(), warnings=(),
            format="text",
        )
        report = Report(
            id=report_id, title=parsed.title, date=parsed.date, source=f"/reports/{report_id}.txt",
            dispatch_number=parsed.dispatch_number, regions=parsed.regions, revision=revision, revisions=(revision,),
            paragraph_count=PARAGRAPHS, added_at=stamp,
        )
        index[str(r + 1)] = report.to_dict()
        text_doc = {"revision": revision, "added_at": stamp, "source_path": report.source, "parsed": parsed.to_dict()}
        make_folder(db.layout.report_folder(report_id), db.modes)
        atomic_write_bytes(db.text_file(report_id).path, encode({"revisions": {"1": text_doc}}))
        docs = [a.to_dict() for a in _annotations(rng, report_id, revision, texts, stamp)]
        write_shards(db, report_id, docs)
        count += len(docs)
    library = json.loads(db.library.path.read_bytes())
    library["reports"] = index
    atomic_write_bytes(db.library.path, encode(library))
    return count


def peak_memory(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(quick: bool) -> list[Figure]:
    reports, repeat = (100, 3) if quick else (1000, 5)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-agreement-") as tmp:
        root = Path(tmp) / "db"
        count = build_database(root, reports=reports)
        overall = []

        def ours() -> None:
            agreement = AgreementRun(Database(root, reviewer="bench"))
            for _ in agreement.reports():
                pass
            overall.append(agreement.overall())

        def read_annotations() -> None:
            db = Database(root, reviewer="bench")
            assert sum(1 for _ in db.iter_annotations()) == count

        def read_documents() -> None:
            db = Database(root, reviewer="bench")
            assert sum(len(db.annotation_documents(report.id)) for report in db.reports()) == count

        ours()
        assert overall[-1].reports == reports and len(overall[-1].pairs) == 12
        # Taken in turns, so that a shared machine's changing load falls on all three alike.
        samples: dict[str, list[float]] = {"ours": [], "annotations": [], "documents": []}
        for _ in range(repeat):
            for name, fn in (("ours", ours), ("annotations", read_annotations), ("documents", read_documents)):
                samples[name].append(median_time(fn, 1)[0])
        ours_peak, base_peak = peak_memory(ours), peak_memory(read_documents)
    name = f"agreement: {count:,} annotations by {len(REVIEWERS)} reviewers over {reports:,} reports"
    ours_median = statistics.median(samples["ours"])
    return [
        Figure(
            name=name, ours=ours_median, baseline=statistics.median(samples["annotations"]),
            baseline_name="reading them (iter_annotations)", target=3.0, p95=p95(samples["ours"]),
        ),
        Figure(
            name=name, ours=ours_median, baseline=statistics.median(samples["documents"]),
            baseline_name="reading their stored dicts (annotation_documents), for information",
        ),
        Figure(
            name=f"agreement: peak traced memory at {count:,} annotations",
            ours=ours_peak, baseline=base_peak, baseline_name="reading their stored dicts", target=2.0, unit="B",
        ),
    ]
