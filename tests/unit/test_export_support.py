"""Builders and checks shared by the export, import and stats tests (no tests here)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
from click.testing import CliRunner

from store import export
from store.model import Claim, Credibility, Kind, Paragraph, ParsedReport, Report, Span

BRAT_BREAK = re.compile("[\n\t\u2028\u2029]+")
VALIDATOR = jsonschema.Draft202012Validator(export.schema(), format_checker=jsonschema.FormatChecker())


def add_report(db: Any, report_id: str, paragraphs: Iterable[str], title: str = "A report",
               revision: str = "rev0000000000001", source: str | None = None,
               sections: Iterable[str | None] | None = None) -> Report:
    """A report straight from paragraphs (already clean text), as ingestion would store it."""
    texts = list(paragraphs)
    heads = list(sections) if sections is not None else [None] * len(texts)
    parsed = ParsedReport(
        title=title, date="2024-05-12", dispatch_number=None, regions=(),
        headings=tuple(h for h in dict.fromkeys(heads) if h),
        paragraphs=tuple(Paragraph(n, t, h) for n, (t, h) in enumerate(zip(texts, heads, strict=True), start=1)),
        footnotes=(), warnings=(), format="text", source=source,
    )
    return db.add_parsed(report_id, parsed, revision, f"/home/someone/reports/{report_id}.txt").report


def annotate(db: Any, report: Report, paragraph: int, start: int | None, end: int | None, kind: Kind = Kind.CLAIM,
             **fields: Any):
    text = db.report_text(report.id, report.revision).paragraphs[paragraph - 1].text
    span = Span.of(text, start, end) if start is not None and end is not None else None
    if kind is Kind.CLAIM and "claim" not in fields:
        fields["claim"] = Claim(span.quote if span else text[:20], "event")
    annotation, _ = db.save_annotation(db.new_annotation(kind, report, paragraph, span=span, **fields))
    return annotation


def sample_reports(db: Any) -> tuple[Report, Report]:
    """The two reports of sample_db, without annotations (a colleague's database holding the same files)."""
    first = add_report(db, "first", [
        "Hezbollah said on Tuesday that its fighters “repelled an advance” near the border.",
        "الحزب أعلن\u200f أن مقاتليه صدّوا الهجوم 👩‍👩‍👧 قرب الحدود.",
        "=SUM(A1:A9) is not a formula here;\tthe tab stays.",
    ], title="First report", source="Open-source desk", sections=["Claims", "Claims", "Other"])
    second = add_report(db, "second", ["Iran denied any role.", "A second paragraph, about nothing."], title="Second report")
    return first, second


def sample_db(db: Any) -> dict[str, Any]:
    """Two reports, two reviewers, claims and actors, credibility, notes, a whole-paragraph claim."""
    hezbollah, _ = db.save_actor(db.new_actor("Hezbollah", "armed_group", aliases=("Hizballah", "Hizbullah")))
    iran, _ = db.save_actor(db.new_actor("Iran", "state"))
    hezbollah, _ = db.save_actor(hezbollah.evolve(affiliation=iran.id))
    manar, _ = db.save_actor(db.new_actor("Al-Manar", "media"))
    first, second = sample_reports(db)
    db.reviewer = "alice"
    a1 = annotate(db, first, 1, 35, 65, claim=Claim("fighters repelled an advance", "event", hezbollah.id, manar.id),
                  credibility=Credibility("B", 2), note="=HYPERLINK(\"x\")\nsecond line")
    a2 = annotate(db, first, 1, 0, 9, Kind.ACTOR, actor_id=hezbollah.id)
    a3 = annotate(db, first, 2, 0, 10, credibility=Credibility("C", None))
    db.reviewer = "bob"
    a4 = annotate(db, first, 3, None, None, claim=Claim("whole paragraph", "statement"))
    a5 = annotate(db, second, 1, 0, 4, Kind.ACTOR, actor_id=iran.id, note="+1 -1 @x")
    db.reviewer = "tester"
    return {"reports": (first, second), "annotations": (a1, a2, a3, a4, a5),
            "actors": {"hezbollah": hezbollah, "iran": iran, "manar": manar}}


def export_text(db: Any, fmt: str, **selection: Any) -> str:
    out = io.StringIO(newline="" if fmt == "csv" else None)
    export.write_stream(db, fmt, out, export.Selection(**selection))
    return out.getvalue()


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def annotation_records(text: str) -> list[dict[str, Any]]:
    """The annotation lines of a native export (not its actor and mark lines)."""
    return [r for r in jsonl(text) if r.get("record", "annotation") == "annotation"]


def valid_records(text: str) -> list[dict[str, Any]]:
    """The annotation records of a native export, every line checked against the shipped JSON Schema."""
    for record in jsonl(text):
        errors = sorted(VALIDATOR.iter_errors(record), key=str)
        assert not errors, f"{record.get('id', record.get('name'))}: {errors[0].message} at {list(errors[0].path)}"
    return annotation_records(text)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def paragraph_texts(db: Any) -> dict[tuple[str, str, int], str]:
    found = {}
    for report in db.reports():
        for revision, parsed in db.revision_texts(report.id).items():
            for p in parsed.paragraphs:
                found[(report.id, revision, p.number)] = p.text
    return found


def check_offsets_everywhere(db: Any, folder: Path) -> int:
    """In every format that carries offsets, the text at [start, end) is exactly the quote. Returns spans checked."""
    texts = paragraph_texts(db)
    expected: dict[str, tuple[int, int, str]] = {}
    for annotation in db.iter_annotations():
        text = texts[(annotation.report_id, annotation.revision, annotation.paragraph)]
        span = annotation.span or Span(0, len(text), text)
        assert text[span.start:span.end] == span.quote
        expected[annotation.id] = (span.start, span.end, span.quote)
    checked = 0

    records = valid_records(export_text(db, "jsonl"))
    assert {r["id"] for r in records} == set(expected)
    for record in records:
        if record["span"]:
            s = record["span"]
            assert record["paragraph"]["text"][s["start"]:s["end"]] == s["quote"]
            assert (s["start"], s["end"], s["quote"]) == expected[record["id"]]
            checked += 1

    for line in jsonl(export_text(db, "doccano")):
        for start, end, _label in line["label"]:
            assert line["text"] == texts[(line["report"], line["revision"], line["paragraph"])]
            assert any(e[:2] == (start, end) and line["text"][start:end] == e[2] for e in expected.values())
            checked += 1
    for line in jsonl(export_text(db, "doccano-rel")):
        for entity in line["entities"]:
            start, end = entity["start_offset"], entity["end_offset"]
            assert any(e[:2] == (start, end) and line["text"][start:end] == e[2] for e in expected.values())
            checked += 1

    for task in jsonl(export_text(db, "prodigy")):
        for span in task["spans"]:
            assert task["text"][span["start"]:span["end"]] == span["text"] == expected[span["id"]][2]
            checked += 1

    for annotation in jsonl(export_text(db, "w3c")):
        paragraph, quote = annotation["target"]["selector"]
        start, end = paragraph["refinedBy"]["start"], paragraph["refinedBy"]["end"]
        annotation_id = annotation["id"].rsplit(":", 1)[1]
        assert expected[unquote(annotation_id)] == (start, end, quote["exact"])
        *_, report_id, revision = annotation["target"]["source"].split(":")
        number = int(paragraph["value"].removeprefix("paragraph="))
        text = texts[(unquote(report_id), unquote(revision), number)]
        assert text[start:end] == quote["exact"]
        assert text[start - len(quote["prefix"]):start] == quote["prefix"]
        assert text[end:end + len(quote["suffix"])] == quote["suffix"]
        checked += 1

    result = export.write_brat(db, folder)
    for ann_path in sorted(folder.glob("*.ann")):
        document = ann_path.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann_path.read_text(encoding="utf-8").split("\n"):
            if not line.startswith("T"):
                continue
            _tag, type_and_offsets, shown = line.split("\t")
            _label, offsets = type_and_offsets.split(" ", 1)
            pieces = [document[int(s):int(e)] for s, e in (o.split(" ") for o in offsets.split(";"))]
            assert " ".join(pieces) == shown
            assert not any(BRAT_BREAK.search(p) for p in pieces)
            assert any(
                [p for p in BRAT_BREAK.split(quote) if p] == pieces for _s, _e, quote in expected.values()
            )
            checked += 1
    assert not [p for p in result.problems if "spans only line breaks" not in p]
    return checked


def cli(*args: str, input: str | bytes | None = None):
    """Run `claimdesk ARGS` in-process; stdout and stderr apart."""
    from tui.cli import main

    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


# ------------------------------------------------------- a real report, annotated by rule

_NAME = re.compile(r"(?<![\w’'-])(?:[A-Z][\w’'-]{2,})(?:[ \u00a0](?:al-|Al-|el-)?[A-Z][\w’'-]+)*")
_QUOTE = re.compile(r"“[^”“\n]{3,}”")
_COMMON = {"The", "This", "That", "These", "They", "There", "According", "However", "But", "And", "For", "With", "While",
           "After", "Before", "During", "His", "Her", "Its", "Their", "She", "Also", "Meanwhile", "Share"}


def annotate_by_rule(db: Any, report: Report) -> dict[str, int]:
    """Annotate a real report by rule, so that no report text is written into the tests: names (runs of
    capitalised words) become actor mentions of every type, with aliases and affiliations; quotations
    become claims whose claimant is the paragraph's first name; some first sentences become claims that
    hold mentions (overlaps), some spans cross two sentences, some claims are on a whole paragraph; a
    second reviewer tags some of the same spans; paragraphs are marked reviewed or flagged."""
    from store.model import ACTOR_TYPES, CLAIM_TYPES
    from store.session import Session

    paragraphs = db.open_report(report.id).paragraphs
    actor_types, claim_types = list(ACTOR_TYPES), list(CLAIM_TYPES)
    codes = [Credibility(r, c) for r, c in zip("ABCDEF", (1, 2, 3, 4, 5, 6), strict=True)] + [Credibility("C", None), None]
    known = {a.name: a for a in db.actors()}
    counts = {"claims": 0, "mentions": 0, "marks": 0}

    def actor_for(name: str):
        if name not in known:
            kind = actor_types[len(known) % len(actor_types)]
            aliases = (name.upper(),) if len(known) % 3 == 0 else ()
            previous = list(known.values())[-1] if known and len(known) % 4 == 1 else None
            actor, _ = db.save_actor(db.new_actor(name, kind, aliases=aliases, affiliation=previous.id if previous else None,
                                                  note="noted by rule" if len(known) % 5 == 0 else ""))
            known[name] = actor
        return known[name]

    for paragraph in paragraphs:
        text, n = paragraph.text, paragraph.number
        db.reviewer = "alice"
        names = [m for m in _NAME.finditer(text) if m.group() not in _COMMON][:3]
        mentions = []
        for match in names:
            actor = actor_for(match.group())
            mentions.append(annotate(db, report, n, match.start(), match.end(), Kind.ACTOR, actor_id=actor.id))
            counts["mentions"] += 1
        claimant = known[names[0].group()].id if names else None
        outlet = known[names[-1].group()].id if len(names) > 1 else None
        for i, match in enumerate(_QUOTE.finditer(text)):
            annotate(db, report, n, match.start(), match.end(),
                     claim=Claim(match.group()[1:-1], claim_types[(n + i) % len(claim_types)], claimant, outlet),
                     credibility=codes[(n + i) % len(codes)], note="a quotation" if i == 0 else "")
            counts["claims"] += 1
        sentence_end = text.find(". ")
        if n % 3 == 0 and sentence_end > 10:
            annotate(db, report, n, 0, sentence_end + 1, claim=Claim(text[:sentence_end + 1], "figure", claimant, None),
                     credibility=codes[n % len(codes)])
            counts["claims"] += 1
            second_end = text.find(". ", sentence_end + 2)
            if n % 2 == 1 and second_end > 0:
                middle = sentence_end // 2
                while middle > 0 and text[middle - 1] != " ":
                    middle -= 1
                annotate(db, report, n, middle, (sentence_end + second_end) // 2, claim=Claim("crossing", "event"))
                counts["claims"] += 1
        if n % 10 == 4:
            annotate(db, report, n, None, None, claim=Claim("the whole paragraph", "statement", claimant, outlet))
            counts["claims"] += 1
        if n % 4 == 1 and mentions:
            db.reviewer = "bob"
            first = mentions[0]
            annotate(db, report, n, first.span.start, first.span.end, Kind.ACTOR, actor_id=first.actor_id, note="bob agrees")
            counts["mentions"] += 1
        if n % 2 == 0:
            db.reviewer = "alice"
            Session(db).set_reviewed(report.id, n, True)
            counts["marks"] += 1
        if n % 9 == 0 or n % 8 == 0:
            db.reviewer = "bob"
            Session(db).set_flagged(report.id, n, True, "check the figure" if n % 8 == 0 else "")
            counts["marks"] += 1
    db.reviewer = "tester"
    return counts
