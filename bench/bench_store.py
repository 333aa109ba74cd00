"""Save latency that does not grow with the database: our store against stock TinyDB on the same data.

For 1,000 / 10,000 / 100,000 annotations spread over n/100 reports, the
database is written straight to disk in the store's own format (calling save
100,000 times would take minutes), then real saves are timed through the store
API: each one locks, re-reads and rewrites one report's file, fsyncs it and the
folder. Stock TinyDB (`tinydb.TinyDB(path)`, the default JSONStorage, one file)
gets the same annotations and times `insert`, which re-reads and rewrites the
whole file: about a second per insert at 100,000, so only a few are timed there.

Figures: ours / stock at each size (target at 100,000: ≤ 0.02), ours at
100,000 / ours at 1,000 (target ≤ 2), and opening one report at 100,000 /
at 1,000 (target ≤ 2: opening a report reads no other report's annotations).
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import tinydb

from bench.common import Figure, p95
from store.db import Database
from store.model import SCHEMA_VERSION, Annotation, Claim, Credibility, Kind, Paragraph, ParsedReport, Report, Span, new_id, now_iso
from store.storage import encode

SIZES = (1_000, 10_000, 100_000)
PER_REPORT = 100
PARAGRAPHS = 12
SENTENCE = (
    "According to local sources, a convoy of the militia reached the northern crossing on Tuesday, "
    "while officials in the capital denied any involvement and called the reports “fabricated”. "
)


def _parsed(n: int) -> ParsedReport:
    paragraphs = tuple(Paragraph(i, f"{SENTENCE * 3}(report {n}, paragraph {i})") for i in range(1, PARAGRAPHS + 1))
    return ParsedReport(
        title=f"Generated report {n}", date="2026-01-01", dispatch_number=str(n), regions=("Iraq",),
        headings=(), paragraphs=paragraphs, footnotes=(), warnings=(), format="text",
    )


def _annotation(rng: random.Random, report_id: str, revision: str, parsed: ParsedReport, actors: list[str]) -> Annotation:
    paragraph = rng.randint(1, PARAGRAPHS)
    text = parsed.paragraphs[paragraph - 1].text
    start = rng.randrange(0, 150)
    span = Span.of(text, start, start + rng.randint(10, 80))
    now = now_iso()
    return Annotation(
        id=new_id(), kind=Kind.CLAIM, report_id=report_id, revision=revision, paragraph=paragraph, span=span,
        claim=Claim(span.quote, "event", claimant=rng.choice(actors), reported_by=rng.choice(actors)),
        credibility=Credibility(rng.choice("ABCDEF"), rng.randint(1, 6)), note="checked against the wire copy",
        reviewer="bench", created_at=now, updated_at=now,
    )


def build(root: Path, stock_path: Path, annotations: int, rng: random.Random) -> list[str]:
    """Write our database folder and a stock TinyDB file holding the same annotations; return the report ids."""
    reports_dir = root / "reports"
    reports_dir.mkdir(parents=True)
    actors = [new_id() for _ in range(50)]
    actors_table = {str(i + 1): {"id": a, "name": f"Actor {i}", "type": "other", "aliases": [], "affiliation": None,
                                 "note": "", "reviewer": "bench", "created_at": "", "updated_at": ""} for i, a in enumerate(actors)}
    (root / "actors.json").write_bytes(encode({"actors": actors_table}))
    index: dict[str, dict] = {}
    stock_docs: dict[str, dict] = {}
    report_ids = []
    for n in range(annotations // PER_REPORT):
        report_id, revision, parsed = f"report-{n:05d}", f"{n:016x}", _parsed(n)
        report_ids.append(report_id)
        text = {
            "revisions": {
                "1": {"revision": revision, "added_at": now_iso(), "source_path": f"/src/{report_id}.txt", "parsed": parsed.to_dict()}
            }
        }
        (reports_dir / report_id).mkdir()
        (reports_dir / report_id / "text.json").write_bytes(encode(text))
        docs = {str(i + 1): _annotation(rng, report_id, revision, parsed, actors).to_dict() for i in range(PER_REPORT)}
        (reports_dir / report_id / "annotations-0001.json").write_bytes(encode({"annotations": docs}))
        for doc in docs.values():
            stock_docs[str(len(stock_docs) + 1)] = doc
        report = Report(report_id, parsed.title, parsed.date, f"/src/{report_id}.txt", parsed.dispatch_number,
                        parsed.regions, revision, (revision,), PARAGRAPHS, now_iso())
        index[str(n + 1)] = report.to_dict()
    meta = {"1": {"schema_version": SCHEMA_VERSION, "created_at": now_iso(), "application": "claimdesk"}}
    (root / "library.json").write_bytes(encode({"meta": meta, "reports": index}))
    with tinydb.TinyDB(stock_path) as stock:  # written by stock TinyDB itself, in its own format
        stock.storage.write({"annotations": stock_docs})
    return report_ids


def time_ours(root: Path, report_ids: list[str], saves: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """(save latencies, open-a-report latencies), each save into a report not read before (the cold case)."""
    actors = [a.id for a in Database(root, reviewer="bench").actors()]
    saving, opening = [], []
    for report_id in rng.sample(report_ids, min(saves, len(report_ids))) * (saves // len(report_ids) + 1):
        if len(saving) == saves:
            break
        db = Database(root, reviewer="bench")  # a fresh process's view: the save starts cold
        start = time.perf_counter()
        report = db.report(report_id)
        opened = db.open_report(report_id)
        db.annotations(report_id)
        opening.append(time.perf_counter() - start)
        annotation = _annotation(rng, report.id, report.revision, opened.parsed, actors)
        start = time.perf_counter()
        db.save_annotation(annotation)
        saving.append(time.perf_counter() - start)
    return saving, opening


def time_stock(stock_path: Path, inserts: int, rng: random.Random, sample: dict) -> list[float]:
    samples = []
    with tinydb.TinyDB(stock_path) as stock:
        table = stock.table("annotations")
        for _ in range(inserts):
            doc = dict(sample, id=new_id())
            start = time.perf_counter()
            table.insert(doc)
            samples.append(time.perf_counter() - start)
    return samples


def run(quick: bool) -> list[Figure]:
    rng = random.Random(4)
    our_saves = 20 if quick else 200
    stock_inserts = {1_000: 5 if quick else 50, 10_000: 3 if quick else 20, 100_000: 2 if quick else 5}
    ours: dict[int, list[float]] = {}
    opens: dict[int, list[float]] = {}
    figures = []
    for size in SIZES:
        folder = Path(tempfile.mkdtemp(prefix=f"claimdesk-bench-store-{size}-"))
        try:
            report_ids = build(folder / "db", folder / "stock.json", size, rng)
            ours[size], opens[size] = time_ours(folder / "db", report_ids, our_saves, rng)
            sample = Database(folder / "db").annotations(report_ids[0])[0].to_dict()
            stock = time_stock(folder / "stock.json", stock_inserts[size], rng, sample)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        figures.append(Figure(
            f"store: median save at {size:,} annotations over {size // PER_REPORT:,} reports",
            statistics.median(ours[size]), statistics.median(stock), "stock TinyDB insert",
            target=0.02 if size == 100_000 else None, p95=p95(ours[size]),
        ))
    figures.append(Figure(
        "store: median save at 100,000 annotations vs at 1,000", statistics.median(ours[100_000]),
        statistics.median(ours[1_000]), "ours at 1,000", target=2, p95=p95(ours[100_000]),
    ))
    figures.append(Figure(
        "store: open a report (text + annotations) at 100,000 vs at 1,000", statistics.median(opens[100_000]),
        statistics.median(opens[1_000]), "ours at 1,000", target=2, p95=p95(opens[100_000]),
    ))
    return figures
