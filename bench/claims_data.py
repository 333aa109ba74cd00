"""A database of many claims for the claims benchmarks: 1,000 reports of 100 claims (100,000 claims) by default.

Written file by file in the store's layout (library.json, reports/<id>/text.json,
reports/<id>/annotations-NNNN.json, links/links-NNNN.json; see store/layout.py),
as bench_export does, rather than through 100,000 saves.

The claim texts are sentences drawn from a vocabulary with a Zipf-like spread
(a few words everywhere, most words rare), with figures, place names and
actors, so a word filter and the link ranking meet what real text gives them:
common words that match most rows, rare ones that match a handful. Each report
also has actor mentions (about one paragraph in three) and the claims carry
claimants, outlets, grades, types and three reviewers. Links join some claims
to claims that share a figure, a tenth of them across the same outlet.

Same bytes on every run (a seeded generator).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from store.db import Database
from store.layout import ANNOTATIONS_PER_SHARD
from store.model import Actor, Paragraph, ParsedReport, Report, Span, now_iso
from store.storage import atomic_write_bytes, encode, make_folder

PARAGRAPHS = 40
REVIEWERS = ("amira", "bob", "chen")
TYPES = ("event", "figure", "statement", "intent", "capability", "other")
ACTORS = (
    ("Northern Shield Brigades", "armed_group"), ("Sabereen News", "media"), ("Hadi Al-Saadi", "person"),
    ("Iran", "state"), ("Al-Manar", "media"), ("Orient News", "media"), ("Syrian Observatory", "media"),
    ("Kata'ib Hizbullah", "armed_group"), ("Al-Nujaba", "armed_group"), ("Hizbullah", "armed_group"),
    ("Euphrates Post", "media"), ("Al-Akhbar", "media"), ("Arabic Post", "media"), ("IRGC", "state_body"),
)
PLACES = ("Quneitrah", "Rif Dimashq", "Dar'a", "Homs", "Latakia", "Tartous", "Deir ez-Zor", "Albukamal", "Golan", "Beirut")
COMMON = (
    "the of and to in that a on for from said with by militia fighters border forces reported according sources "
    "attack near groups statement officials were had its has as at an they this week operation"
).split()
# Word filter needles the benchmark types: they exist with these counts of claims in the generated database.
FILTER_WORDS = ("fighters", "reinforcements")


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    syllables = "ka ri ma lo sa te nu bi ra do fe li ha qu zi mo an el ur is ob ta ne".split()
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def claim_text(rng: random.Random, vocabulary: list[str], weights: list[float]) -> str:
    parts = rng.choices(COMMON, k=rng.randint(4, 9)) + rng.choices(vocabulary, weights=weights, k=rng.randint(5, 12))
    rng.shuffle(parts)
    if rng.random() < 0.5:
        parts.insert(rng.randrange(len(parts)), f"{rng.choice((3, 5, 10, 12, 30, 300, 1000, 5000))},{rng.randrange(1000):03d}")
    if rng.random() < 0.6:
        parts.insert(rng.randrange(len(parts)), rng.choice(PLACES))
    if rng.random() < 0.02:
        parts.insert(rng.randrange(len(parts)), "reinforcements")
    text = " ".join(parts)
    return text[0].upper() + text[1:] + "."


def build_database(root: Path, reports: int = 1000, per_report: int = 100, links: int = 10_000, seed: int = 15) -> int:
    """`reports` × `per_report` claims (and mentions, and links) in the store's layout; returns how many claims."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    weights = [1.0 / (rank + 10) for rank in range(len(vocabulary))]
    db = Database(root, reviewer="bench")
    stamp = now_iso()
    actors = [Actor(id=f"actor{i:04d}", name=name, type=kind, reviewer="bench", created_at=stamp, updated_at=stamp,
                    updated_by="bench", rev=1) for i, (name, kind) in enumerate(ACTORS)]
    atomic_write_bytes(db.layout.actors, encode({"actors": {str(i + 1): a.to_dict() for i, a in enumerate(actors)}}))
    index = {}
    claim_ids: list[tuple[str, str]] = []
    for r in range(reports):
        report_id, revision = f"report-{r:04d}", f"{r:016x}"
        texts = [claim_text(rng, vocabulary, weights) for _ in range(PARAGRAPHS)]
        date = f"{2020 + r // 365:04d}-{(r // 30) % 12 + 1:02d}-{r % 28 + 1:02d}"
        parsed = ParsedReport(
            title=f"Dispatch {r}: {' '.join(rng.choices(vocabulary, k=3))}", date=date, dispatch_number=str(r),
            regions=("Syria",), headings=(), paragraphs=tuple(Paragraph(n, t) for n, t in enumerate(texts, start=1)),
            footnotes=(), warnings=(), format="text",
        )
        report = Report(
            id=report_id, title=parsed.title, date=parsed.date, source=f"/reports/{report_id}.txt",
            dispatch_number=parsed.dispatch_number, regions=parsed.regions, revision=revision, revisions=(revision,),
            paragraph_count=PARAGRAPHS, added_at=stamp,
        )
        index[str(r + 1)] = report.to_dict()
        make_folder(db.layout.report_folder(report_id), db.modes)
        text_doc = {"revision": revision, "added_at": stamp, "source_path": report.source, "parsed": parsed.to_dict()}
        atomic_write_bytes(db.layout.text(report_id), encode({"revisions": {"1": text_doc}}))
        docs = []
        for number in range(1, PARAGRAPHS + 1, 3):
            span = Span.of(texts[number - 1], 0, min(12, len(texts[number - 1])))
            docs.append({
                "id": f"m{r:07d}{number:04d}{'0' * 20}", "kind": "actor", "report_id": report_id, "revision": revision,
                "paragraph": number, "span": span.to_dict(), "claim": None, "actor_id": rng.choice(actors).id,
                "credibility": None, "note": "", "reviewer": rng.choice(REVIEWERS), "created_at": stamp,
                "updated_at": stamp, "updated_by": "bench", "rev": 1,
            })
        for i in range(per_report):
            number = i % PARAGRAPHS + 1
            claim_id = f"c{r:07d}{i:024d}"
            claim_ids.append((report_id, claim_id))
            text = claim_text(rng, vocabulary, weights)
            graded = rng.random() < 0.7
            docs.append({
                "id": claim_id, "kind": "claim", "report_id": report_id, "revision": revision, "paragraph": number,
                "span": None,
                "claim": {"text": text, "type": rng.choice(TYPES),
                          "claimant": rng.choice(actors).id if rng.random() < 0.6 else None,
                          "reported_by": rng.choice(actors).id if rng.random() < 0.7 else None},
                "actor_id": None,
                "credibility": {"reliability": rng.choice("ABCDEF"), "credibility": rng.randint(1, 6)} if graded else None,
                "note": "", "reviewer": rng.choice(REVIEWERS), "created_at": stamp, "updated_at": stamp,
                "updated_by": "bench", "rev": 1,
            })
        for number, start in enumerate(range(0, len(docs), ANNOTATIONS_PER_SHARD), start=1):
            chunk = {str(i): doc for i, doc in enumerate(docs[start : start + ANNOTATIONS_PER_SHARD], start=1)}
            atomic_write_bytes(db.layout.annotation_shard(report_id, number), encode({"annotations": chunk}))
    library = json.loads(db.library.path.read_bytes())
    library["reports"] = index
    atomic_write_bytes(db.library.path, encode(library))
    link_docs = []
    for i in range(links):
        (from_report, from_claim), (to_report, to_claim) = rng.sample(claim_ids, 2)
        link_docs.append({
            "id": f"l{i:031d}", "from": {"report_id": from_report, "annotation_id": from_claim},
            "to": {"report_id": to_report, "annotation_id": to_claim},
            "relation": rng.choice(("corroborates", "corroborates", "contradicts", "repeats", "updates")),
            "note": "", "reviewer": rng.choice(REVIEWERS), "created_at": stamp, "updated_at": stamp, "updated_by": "bench", "rev": 1,
        })
    make_folder(db.layout.links, db.modes)
    for number, start in enumerate(range(0, len(link_docs), ANNOTATIONS_PER_SHARD), start=1):
        chunk = {str(i): doc for i, doc in enumerate(link_docs[start : start + ANNOTATIONS_PER_SHARD], start=1)}
        atomic_write_bytes(db.layout.link_shard(number), encode({"links": chunk}))
    return len(claim_ids)


if __name__ == "__main__":
    import sys

    print(build_database(Path(sys.argv[1])))
