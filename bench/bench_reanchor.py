"""Re-anchoring annotations to a new revision of a report (store.reanchor, issue 12).

Figures:

* the generated 10,000-paragraph report (bench/generate.py) with 25,000
  annotations (two or three word-aligned spans a paragraph) and every third
  paragraph marked, re-anchored after a one-word change in one paragraph,
  against parsing that report (`store.ingest.parse_file`, read and decode
  included), measured in the same run (target ≤ 2×);
* the same after a typo in every tenth paragraph (1,000 changed paragraphs),
  and after a typo in every paragraph, for information: the cost of many
  changed paragraphs;
* for information, the worst case: a wholly different report of 2,000
  paragraphs given as the new revision of one with 5,000 annotations (all of
  them orphaned, each searched for across the whole report);
* on the seed dispatch edited in every way issue 12 lists (bench/revisions.py:
  typos fixed, figures changed, paragraphs inserted, deleted, split, merged,
  reordered, footnotes renumbered, re-saved as cp1252 or CRLF, all at once):
  the share of annotations whose words are still there that did not land on
  them (target ≤ 0.02, i.e. at least 98 % land), and how many were placed on
  other words (target 0). Skipped without the seed.
"""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

from bench.common import Figure, median_time, p95
from bench.generate import large_dispatch_text, write_large_dispatch
from bench.revisions import SCENARIOS, run_scenario
from store.ingest import parse_file, parse_text
from store.model import Annotation, Kind, ParagraphStatus, ParsedReport, Span
from store.reanchor import Method, reanchor

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_d468c9227d68e3d5.txt"
ANNOTATIONS = 25_000
TARGET = 2.0
_WORD = re.compile(r"\w+")


def _annotations(report: ParsedReport, count: int, rng: random.Random) -> list[Annotation]:
    made = []
    paragraphs = report.paragraphs
    for n in range(count):
        paragraph = paragraphs[n * len(paragraphs) // count]
        words = list(_WORD.finditer(paragraph.text))
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randint(0, 4))
        span = Span.of(paragraph.text, words[first].start(), words[last].end())
        made.append(Annotation(f"a{n}", Kind.CLAIM, "large", "old", paragraph.number, span))
    return made


def _edited(text: str, every: int) -> str:
    """The report with one word changed in every `every`-th body paragraph ("militia" → "militias" and so on)."""
    blocks = text.split("\n\n")
    for n in range(9, len(blocks), every):  # past the header blocks
        blocks[n] = re.sub(r"\b([a-z]{5,})\b", r"\1s", blocks[n], count=1)
    return "\n\n".join(blocks)


def _large(quick: bool) -> list[Figure]:
    repeat = 3 if quick else 9
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as folder:
        path = write_large_dispatch(Path(folder))
        old, decoded = parse_file(path)
        text = decoded.text
        one_word = Path(folder) / "one_word.txt"
        one_word.write_text(_edited(text, every=len(text)), encoding="utf-8")
        many = Path(folder) / "many.txt"
        many.write_text(_edited(text, every=10), encoding="utf-8")
        new_one, _ = parse_file(one_word)
        new_many, _ = parse_file(many)
        new_all = parse_text(_edited(text, every=1))
        assert sum(a.text != b.text for a, b in zip(old.paragraphs, new_one.paragraphs, strict=True)) == 1
        annotations = _annotations(old, ANNOTATIONS, rng)
        marks = {p.number: ParagraphStatus.REVIEWED for p in old.paragraphs if p.number % 3 == 0}

        parse_samples: list[float] = []
        one_samples: list[float] = []
        for _ in range(repeat):  # alternate, so load on the machine falls on both alike
            parse_samples += median_time(lambda: parse_file(path), 1)[1]
            one_samples += median_time(lambda: reanchor(old, new_one, annotations, marks), 1)[1]
        _, many_samples = median_time(lambda: reanchor(old, new_many, annotations, marks), max(2, repeat // 3))
        _, all_samples = median_time(lambda: reanchor(old, new_all, annotations, marks), 1 if quick else 3)
        small_old, small_new = parse_text(large_dispatch_text(2_000)), parse_text(large_dispatch_text(2_000, seed=99))
        small_annotations = _annotations(small_old, 5_000, rng)
        _, other_samples = median_time(lambda: reanchor(small_old, small_new, small_annotations), 1 if quick else 3)
        result = reanchor(old, new_one, annotations, marks)
        assert result.orphaned == 0 and result.counts[Method.UNCHANGED] + result.counts[Method.MOVED] >= ANNOTATIONS - 10
    parse = sorted(parse_samples)[len(parse_samples) // 2]
    return [
        Figure(
            f"re-anchor {ANNOTATIONS:,} annotations on 10,000 paragraphs after a one-word change",
            sorted(one_samples)[len(one_samples) // 2], parse, "parsing that report", TARGET, p95=p95(one_samples),
        ),
        Figure(
            f"re-anchor {ANNOTATIONS:,} annotations after a typo in 1,000 of the 10,000 paragraphs",
            sorted(many_samples)[len(many_samples) // 2], parse, "parsing that report", p95=p95(many_samples),
        ),
        Figure(
            f"re-anchor {ANNOTATIONS:,} annotations after a typo in every one of the 10,000 paragraphs",
            sorted(all_samples)[len(all_samples) // 2], parse, "parsing that report",
        ),
        Figure(
            "re-anchor 5,000 annotations on 2,000 paragraphs to a wholly different report (all orphaned)",
            sorted(other_samples)[len(other_samples) // 2], parse, "parsing the 10,000-paragraph report",
        ),
    ]


def _seed() -> list[Figure]:
    if not SEED.exists():
        print(f"  (the seed is not at {SEED}: its edit set is skipped)")
        return []
    landed = with_place = wrong = 0
    with tempfile.TemporaryDirectory() as folder:
        for scenario in SCENARIOS:
            tally, _ = run_scenario(scenario, SEED, Path(folder))
            landed += tally.landed
            with_place += tally.with_place
            wrong += len(tally.wrong)
            print(f"  {tally.line()}")
    return [
        Figure("seed edit set: annotations not landed on their words", with_place - landed, with_place,
               "annotations whose words remain", 0.02, unit="annotations"),
        Figure("seed edit set: annotations placed on other words", wrong, with_place,
               "annotations whose words remain", 0.0, unit="annotations"),
    ]


def run(quick: bool) -> list[Figure]:
    return _large(quick) + _seed()
