"""The offsets invariant over arbitrary Unicode: in every format with offsets, text[start:end] is the quote.

Paragraphs mix Arabic with bidi controls, combining marks, emoji ZWJ sequences,
CJK, tabs, line and paragraph separators, formula-looking text and arbitrary
code points; sources are also written as files with CRLF line ends.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from store.db import Database
from store.errors import IngestError
from store.model import Claim, Credibility, Kind, Span
from store.text import clean_text
from tests.unit.test_export_support import add_report, check_offsets_everywhere, export_text, valid_records

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
BIDI = st.sampled_from(
    ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
EMOJI = st.sampled_from(["👩\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "👍🏽", "🇮🇶", "❤\ufe0f", "🧑🏿\u200d🚀", "\u200d"])
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
SPACING = st.sampled_from(["\t", " ", "\u00a0", "\u2028", "\u2029", "\n", "\r\n", "\r"])
FORMULA = st.sampled_from(["=", "+", "-", "@", '"', "'", ",", ";", "|", "#", "\\", "%"])
ANYTHING = st.characters(codec="utf-8")
PIECE = st.one_of(ARABIC, BIDI, COMBINING, EMOJI, CJK, SPACING, FORMULA, ANYTHING, st.just("word "))

# Modest for CI; CLAIMDESK_HYPOTHESIS_EXAMPLES=500 for a deeper search.
EXAMPLES = int(os.environ.get("CLAIMDESK_HYPOTHESIS_EXAMPLES", "25"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def paragraph_strategy(blank_lines: bool) -> st.SearchStrategy[str]:
    """Paragraph text as the store keeps it (clean_text); without blank lines when it goes through a file."""
    text = st.lists(PIECE, min_size=1, max_size=30).map("".join).map(clean_text)
    if not blank_lines:
        text = text.map(lambda t: "\n".join(line for line in t.split("\n") if line.strip()))
    return text.filter(lambda t: t.strip() != "")


@st.composite
def annotations_for(draw: st.DrawFn, texts: list[str]) -> list[tuple[int, int | None, int | None, str, str | None]]:
    found = []
    for number, text in enumerate(texts, start=1):
        for _ in range(draw(st.integers(0, 3))):
            whole = draw(st.booleans()) and draw(st.booleans())
            if whole:
                start = end = None
            else:
                start = draw(st.integers(0, len(text) - 1))
                end = draw(st.integers(start + 1, len(text)))
            kind = draw(st.sampled_from(["claim", "actor"]))
            note = draw(st.one_of(st.none(), paragraph_strategy(True)))
            found.append((number, start, end, kind, note))
    return found


def annotate_all(db: Database, report, plan) -> None:
    """Save the planned annotations in one write (one save each would make every example slow)."""
    actor, _ = db.save_actor(db.new_actor("‏حزب الله 👩‍👩‍👧", "armed_group", aliases=("=cmd",)))
    paragraphs = db.report_text(report.id, report.revision).paragraphs
    annotations = []
    for i, (number, start, end, kind, note) in enumerate(plan):
        text = paragraphs[number - 1].text
        span = Span.of(text, start, end) if start is not None else None
        stamp = f"2024-05-12T10:00:{i % 60:02d}.000000Z"
        fields = {"note": note or "", "credibility": Credibility("B", 2) if number % 2 else None,
                  "created_at": stamp, "updated_at": stamp}
        if kind == "claim":
            fields["claim"] = Claim(span.quote if span else text, "event", actor.id, None)
        else:
            fields["actor_id"] = actor.id
        annotations.append(db.new_annotation(Kind(kind), report, number, span=span, **fields))
    db.save_annotations(report.id, annotations)


@SETTINGS
@given(data=st.data(), texts=st.lists(paragraph_strategy(True), min_size=1, max_size=4))
def test_offsets_hold_for_arbitrary_unicode(data: st.DataObject, texts: list[str]) -> None:
    plan = data.draw(annotations_for(texts))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "db", reviewer="tester")
        report = add_report(db, "uni", texts, title="عنوان ‮ title")
        annotate_all(db, report, plan)
        check_offsets_everywhere(db, Path(tmp) / "brat")


@SETTINGS
@given(data=st.data(), texts=st.lists(paragraph_strategy(False), min_size=1, max_size=4))
def test_offsets_hold_for_files_with_crlf_and_tabs(data: st.DataObject, texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crlf source.txt"
        body = "Title line\n\n" + "\n\n".join(texts) + "\n"
        path.write_bytes(body.replace("\n", "\r\n").encode("utf-8"))
        db = Database(Path(tmp) / "db", reviewer="tester")
        try:
            report = db.add_report(path).report
        except IngestError:  # e.g. every block read as a heading: no body paragraphs to annotate
            reject()
        stored = [p.text for p in db.report_text(report.id, report.revision).paragraphs]
        assert all("\r" not in text for text in stored)
        annotate_all(db, report, data.draw(annotations_for(stored)))
        check_offsets_everywhere(db, Path(tmp) / "brat")


@settings(max_examples=max(1, EXAMPLES * 3 // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), texts=st.lists(paragraph_strategy(True), min_size=1, max_size=3))
def test_native_round_trip_for_arbitrary_unicode(data: st.DataObject, texts: list[str]) -> None:
    """export → import into a database holding the same report → export: the same records."""
    from store.importer import import_lines

    plan = data.draw(annotations_for(texts))
    with tempfile.TemporaryDirectory() as tmp:
        source = Database(Path(tmp) / "a", reviewer="tester")
        annotate_all(source, add_report(source, "uni", texts), plan)
        first = export_text(source, "jsonl")
        valid_records(first)
        target = Database(Path(tmp) / "b", reviewer="someone else")
        add_report(target, "uni", texts)
        result = import_lines(target, first.encode("utf-8").splitlines(keepends=True))
        assert result.complete, (result.errors, result.conflicts)
        assert result.added == len(plan)
        assert export_text(target, "jsonl") == first
