"""A report's new revision carries its annotations and marks (issue 12): CLI add, open, and the session."""

from __future__ import annotations

import json

from click.testing import CliRunner

from store.db import Database
from store.model import Span
from store.session import Session
from tui.cli import main

FIRST = """Title of the report

The militia said on Tuesday that 5,000 fighters had reached the crossing.

Officials in the capital denied any involvement.

A third paragraph that nobody will touch.
"""


def _write(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_a_corrected_report_carries_its_annotations_marks_and_orphans(tmp_path) -> None:
    source = tmp_path / "report.txt"
    _write(source, FIRST)
    db = Database(tmp_path / "db", reviewer="alice")
    session = Session(db)
    report, _ = session.add_report(source)
    report = report.report
    paragraphs = db.open_report(report.id).paragraphs
    figure = paragraphs[0].text.index("5,000")
    session.add_claim(report, 1, Span.of(paragraphs[0].text, figure, figure + 5), "5,000 fighters", "figure")
    deny = paragraphs[1].text.index("denied")
    session.add_claim(report, 2, Span.of(paragraphs[1].text, deny, deny + 6), "denied")
    untouched = paragraphs[2].text.index("nobody")
    session.add_claim(report, 3, Span.of(paragraphs[2].text, untouched, untouched + 6), "nobody")
    session.set_reviewed(report.id, 1, True)
    session.set_reviewed(report.id, 3, True)
    # A new revision: a paragraph inserted at the top, the figure corrected, the denial rewritten away.
    _write(source, FIRST.replace("5,000", "6,000").replace("denied any involvement", "refused to comment").replace(
        "\nThe militia", "\nA new opening paragraph.\n\nThe militia"))
    result = CliRunner().invoke(main, ["--db", str(db.root), "--reviewer", "alice", "add", str(source)])
    assert result.exit_code == 0, result.output
    assert "new revision of: report" in result.stdout
    assert "2 annotations carried to the new revision, 1 needs a look" in result.stdout
    fresh = Database(db.root)
    current = fresh.report(report.id)
    texts = fresh.open_report(report.id).paragraphs
    by_text = {a.claim.text: a for a in fresh.annotations(report.id)}
    moved = by_text["5,000 fighters"]
    assert (moved.revision, moved.paragraph, moved.span.quote) == (current.revision, 2, "6,000")
    assert by_text["nobody"].paragraph == 4 and texts[3].text[by_text["nobody"].span.start :].startswith("nobody")
    orphan = by_text["denied"]
    assert orphan.orphaned is not None and orphan.revision != current.revision and orphan.span.quote == "denied"
    marks = fresh.marks(report.id)
    assert marks[2].changed_since_review and not marks[2].reviewed  # its text changed: to review again
    assert marks[4].reviewed and not marks[4].changed_since_review
    stats = json.loads(CliRunner().invoke(main, ["--db", str(db.root), "stats", "--json"]).stdout)
    assert stats["needs_a_look"] == 1
    exported = [json.loads(line) for line in CliRunner().invoke(main, ["--db", str(db.root), "export"]).stdout.splitlines()]
    record = next(r for r in exported if r.get("record") == "annotation" and r["claim"]["text"] == "denied")
    assert record["orphaned"] is True and record["span"]["quote"] == "denied"
    assert "denied any involvement" in record["paragraph"]["text"]  # its last known paragraph
    doctor = CliRunner().invoke(main, ["--db", str(db.root), "doctor"])
    assert doctor.exit_code == 0 and f"note: reports/{report.id}: 1 annotation needs a look" in doctor.stdout


def test_the_carry_over_is_one_undoable_step_and_an_orphan_can_be_reattached(tmp_path) -> None:
    source = tmp_path / "report.txt"
    _write(source, FIRST)
    db = Database(tmp_path / "db", reviewer="alice")
    session = Session(db)
    report = session.add_report(source)[0].report
    text = db.open_report(report.id).paragraphs[1].text
    claim = session.add_claim(report, 2, Span.of(text, text.index("denied"), text.index("denied") + 6), "denied").value
    _write(source, FIRST.replace("denied any involvement", "refused to comment"))
    result, carried = session.add_report(source)
    assert carried is not None and carried.orphaned == 1
    orphan = db.annotation(report.id, claim.id)
    assert orphan.orphaned is not None
    new = result.report
    new_text = db.open_report(report.id).paragraphs[1].text
    start = new_text.index("refused")
    fixed = session.reattach(orphan, new, 2, Span.of(new_text, start, start + 7)).value
    assert (fixed.revision, fixed.span.quote, fixed.orphaned) == (new.revision, "refused", None)
    session.undo()  # the re-attaching
    session.undo()  # the carrying over
    back = db.annotation(report.id, claim.id)
    assert back.revision == report.revision and back.orphaned is None and back.span.quote == "denied"
