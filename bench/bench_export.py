"""Export: 100,000 annotations to native JSONL, against writing the same lines with json.dumps.

The database (1,000 reports of 40 paragraphs, 100 annotations each) is written file by
file in the store's layout (library.json, reports/<id>/text.json, reports/<id>/annotations-NNNN.json;
see store/db.py) rather than through 100,000 saves.

Baseline: the very records of our export, already in memory as dicts, written to
a file with one `json.dumps(record, ensure_ascii=False, separators=(",", ":"))`
per line — the same bytes as ours, minus reading the database, looking up actors
and paragraph texts, and building the records. Target: ≤ 2×.
"""

from __future__ import annotations

import gc
import json
import statistics
import tempfile
from pathlib import Path

from bench.common import Figure, median_time, p95
from store.db import Database
from store.export import export_to_path
from store.layout import ANNOTATIONS_PER_SHARD
from store.model import Annotation, Claim, Credibility, Kind, Paragraph, ParsedReport, Report, Span, now_iso
from store.storage import atomic_write_bytes, encode, make_folder

WORDS = (
    "the spokesman of the brigades stated that fighters reached the crossing at dawn and that "
    "three vehicles were destroyed according to a statement carried by the outlet on its channel "
    "الحزب أعلن أن مقاتليه صدّوا الهجوم قرب الحدود "
).split()
CLAIM_TYPES = ("event", "figure", "statement", "intent")


def paragraph_text(report: int, number: int) -> str:
    """About 400 characters of mixed Latin and Arabic text, different for every paragraph."""
    words = [WORDS[(report * 7 + number * 13 + i * 5) % len(WORDS)] for i in range(60)]
    return f"({number}) " + " ".join(words).capitalize() + "."


def write_shards(db: Database, report_id: str, docs: list[dict]) -> None:
    """Annotation documents written straight into a report's shards, as the store lays them out."""
    for number, start in enumerate(range(0, len(docs), ANNOTATIONS_PER_SHARD), start=1):
        chunk = {str(i): doc for i, doc in enumerate(docs[start : start + ANNOTATIONS_PER_SHARD], start=1)}
        atomic_write_bytes(db.layout.annotation_shard(report_id, number), encode({"annotations": chunk}))


def build_database(root: Path, reports: int = 1000, paragraphs: int = 40, per_report: int = 100) -> int:
    """A database of `reports` × `per_report` annotations (2.5 a paragraph by default, a busy
    analyst's density), written file by file in the store's layout; returns how many annotations."""
    db = Database(root, reviewer="bench")  # library.json with its schema meta; the actors through the API
    actors = [db.new_actor(name, kind) for name, kind in (
        ("Northern Shield Brigades", "armed_group"), ("Sabereen News", "media"), ("Hadi Al-Saadi", "person"),
        ("Iran", "state"), ("Al-Manar", "media"),
    )]
    for actor in actors:
        db.save_actor(actor)
    stamp = now_iso()
    index = {}
    for r in range(reports):
        report_id, revision = f"report-{r:04d}", f"{r:016x}"
        texts = [paragraph_text(r, n) for n in range(1, paragraphs + 1)]
        parsed = ParsedReport(
            title=f"Report {r}", date="2024-05-12", dispatch_number=str(r), regions=("Iraq",),
            headings=("Claims",), paragraphs=tuple(Paragraph(n, t, "Claims") for n, t in enumerate(texts, start=1)),
            footnotes=(), warnings=(), format="dispatch",
        )
        report = Report(
            id=report_id, title=parsed.title, date=parsed.date, source=f"/reports/{report_id}.txt",
            dispatch_number=parsed.dispatch_number, regions=parsed.regions, revision=revision, revisions=(revision,),
            paragraph_count=paragraphs, added_at=stamp,
        )
        index[str(r + 1)] = report.to_dict()
        text_doc = {"revision": revision, "added_at": stamp, "source_path": report.source, "parsed": parsed.to_dict()}
        make_folder(db.layout.report_folder(report_id), db.modes)
        atomic_write_bytes(db.layout.text(report_id), encode({"revisions": {"1": text_doc}}))
        docs = {}
        for i in range(per_report):
            number = i % paragraphs + 1
            text = texts[number - 1]
            start = (i * 7) % (len(text) - 40)
            span = Span.of(text, start, start + 20 + i % 20)
            kind = Kind.CLAIM if i % 3 else Kind.ACTOR
            annotation = Annotation(
                id=f"{r:08x}{i:024x}", kind=kind, report_id=report_id, revision=revision, paragraph=number,
                span=span,
                claim=Claim(span.quote, CLAIM_TYPES[i % 4], actors[i % 3].id, actors[1 + i % 4].id) if kind is Kind.CLAIM else None,
                actor_id=actors[i % 5].id if kind is Kind.ACTOR else None,
                credibility=Credibility("ABCDEF"[i % 6], 1 + i % 6) if i % 2 else None,
                note="checked against the outlet's own post" if i % 10 == 0 else "",
                reviewer=("amira", "bob", "chen")[i % 3], created_at=stamp, updated_at=stamp,
            )
            docs[str(i + 1)] = annotation.to_dict()
        write_shards(db, report_id, list(docs.values()))
    library = json.loads(db.library.path.read_bytes())
    library["reports"] = index
    atomic_write_bytes(db.library.path, encode(library))
    return reports * per_report


def run(quick: bool) -> list[Figure]:
    reports, repeat = (100, 3) if quick else (1000, 5)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-export-") as tmp:
        folder = Path(tmp)
        count = build_database(folder / "db", reports=reports)
        ours_path, base_path = folder / "ours.jsonl", folder / "baseline.jsonl"

        def ours() -> None:
            export_to_path(Database(folder / "db", reviewer="bench"), "jsonl", ours_path)

        ours()
        with open(ours_path, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        assert sum(1 for r in records if r["record"] == "annotation") == count  # and the actors they name

        def baseline() -> None:
            with open(base_path, "w", encoding="utf-8", newline="\n") as handle:
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")

        # The baseline's records stay in memory; frozen, they are out of every garbage collection
        # during our runs, as they would be in a real export (which never holds them). The two
        # are timed in turns so that a shared machine's changing load falls on both alike.
        gc.collect()
        gc.freeze()
        try:
            ours_samples, base_samples = [], []
            for _ in range(repeat):
                ours_samples.append(median_time(ours, 1)[0])
                base_samples.append(median_time(baseline, 1)[0])
        finally:
            gc.unfreeze()
        assert base_path.read_bytes() == ours_path.read_bytes(), "the baseline must write the same bytes"
    return [
        Figure(
            name=f"export: {count:,} annotations to claimdesk JSONL",
            ours=statistics.median(ours_samples), baseline=statistics.median(base_samples),
            baseline_name="json.dumps per line of the same records", target=2.0, p95=p95(ours_samples),
        )
    ]
