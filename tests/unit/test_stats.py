"""`claimdesk stats`: progress per report, and counts by kind, reviewer and credibility code."""

from __future__ import annotations

import json

from store.session import Session
from tests.unit.test_export_support import add_report, cli, sample_db


def test_table_and_counts(db) -> None:
    sample_db(db)
    session = Session(db)
    session.set_reviewed("first", 1, True)
    session.set_flagged("first", 2, True)
    session.set_reviewed("second", 2, True)
    result = cli("stats", "--db", str(db.root))
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["report", "reviewed", "flagged", "total", "claims", "actors", "title"]
    assert lines[1].split() == ["second", "1", "0", "2", "0", "1", "Second", "report"]
    assert lines[2].split() == ["first", "1", "1", "3", "3", "1", "First", "report"]
    assert lines[3].split() == ["all", "2", "1", "5", "3", "2"]
    assert "by kind:        claim 3, actor 2" in lines
    assert "by reviewer:    alice 3, bob 2" in lines
    assert "claims by grade: B2 1, C? 1, ungraded 1" in lines  # actor mentions are not graded, so not counted


def test_one_report_as_json(db) -> None:
    sample_db(db)
    Session(db).set_reviewed("first", 3, True)
    result = cli("stats", "--db", str(db.root), "--report", "first.txt", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    [report] = data["reports"]
    assert report == {
        "id": "first", "title": "First report", "assignees": [],
        "paragraphs": {"total": 3, "reviewed": 1, "flagged": 0},
        "annotations": 4,
        "by_kind": {"actor": 1, "claim": 3},
        "by_reviewer": {"alice": 3, "bob": 1},
        "by_credibility": {"B2": 1, "C?": 1, "ungraded": 1},
        "reviewed_by": {"tester": 1},
        "adjudication": {
            "reviewers": ["alice", "bob"], "places": 4, "agreed": 0, "accepted": 0, "took": 0, "edited": 0,
            "rejected": 0, "changed": 0, "decided": 0, "open": 4,
        },
        "needs_a_look": 0,
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


def test_a_damaged_report_is_named_and_the_others_are_still_counted(db) -> None:
    sample_db(db)
    shard = db.root / "reports" / "first" / "annotations-0001.json"
    shard.write_bytes(shard.read_bytes()[:40])  # truncated mid-record
    result = cli("stats", "--db", str(db.root), "--json")
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)["reports"]] == ["second"]
    [line] = result.stderr.splitlines()
    assert line.startswith("claimdesk: error: report first: ") and "annotations-0001.json does not parse" in line
