"""`claimdesk stats`: progress per report, and counts by kind, reviewer and credibility code."""

from __future__ import annotations

import json

from store.model import ParagraphStatus
from tests.unit.test_export_support import add_report, cli, sample_db


def test_table_and_counts(db) -> None:
    sample_db(db)
    db.set_status("first", 1, ParagraphStatus.REVIEWED)
    db.set_status("first", 2, ParagraphStatus.FLAGGED)
    db.set_status("second", 2, ParagraphStatus.REVIEWED)
    result = cli("stats", "--db", str(db.root))
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["report", "reviewed", "flagged", "total", "claims", "actors", "title"]
    assert lines[1].split() == ["second", "1", "0", "2", "0", "1", "Second", "report"]
    assert lines[2].split() == ["first", "1", "1", "3", "3", "1", "First", "report"]
    assert lines[3].split() == ["all", "2", "1", "5", "3", "2"]
    assert "by kind:        claim 3, actor 2" in lines
    assert "by reviewer:    alice 3, bob 2" in lines
    assert "by credibility: ungraded 3, B2 1, C? 1" in lines


def test_one_report_as_json(db) -> None:
    sample_db(db)
    db.set_status("first", 3, ParagraphStatus.REVIEWED)
    result = cli("stats", "--db", str(db.root), "--report", "first.txt", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    [report] = data["reports"]
    assert report == {
        "id": "first", "title": "First report",
        "paragraphs": {"total": 3, "reviewed": 1, "flagged": 0},
        "annotations": 4,
        "by_kind": {"actor": 1, "claim": 3},
        "by_reviewer": {"alice": 3, "bob": 1},
        "by_credibility": {"B2": 1, "C?": 1, "ungraded": 2},
    }
    assert data["annotations"] == 4 and data["paragraphs"] == {"total": 3, "reviewed": 1, "flagged": 0}


def test_empty_database_and_unknown_report(db) -> None:
    empty = cli("stats", "--db", str(db.root))
    assert empty.exit_code == 0 and "no reports" in empty.stdout
    missing = cli("stats", "--db", str(db.root), "--report", "nope")
    assert missing.exit_code == 1 and missing.stderr.startswith("claimdesk: error: no report 'nope'")


def test_untrusted_names_are_shown_inert(db) -> None:
    report = add_report(db, "evil", ["Some text here."], title="Title \x1b]0;pwned\x07 end")
    db.reviewer = "eve\x1b[2J"
    from tests.unit.test_export_support import annotate

    annotate(db, report, 1, 0, 4)
    result = cli("stats", "--db", str(db.root))
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "by reviewer:    eve" in result.stdout
