"""Several analysts on the command line: `assign`, `export --by / --adjudicated`, and what `stats` says of each reviewer.

`--reviewer` says who runs the command, on every command; filtering by reviewer is `--by NAME`.
"""

from __future__ import annotations

import json

from store.adjudication import load
from store.db import Database
from store.session import Session
from tests.unit.test_export_support import cli, csv_rows, jsonl, sample_db, valid_records


def annotation_lines(stdout: str) -> list[dict]:
    """The annotation records of a JSONL export (other lines, if any, say other things)."""
    return [r for r in jsonl(stdout) if r.get("kind") in ("claim", "actor") and "span" in r]


def adjudicate_first(db: Database) -> None:
    """carol settles every place of the report "first": alice's version each time."""
    carol = Session(Database(db.root, reviewer="carol"))
    for case in load(carol.db, "first").cases:
        chosen = case.by_reviewer().get("alice")
        if chosen is not None:
            carol.adjudicate(case, chosen)
        else:
            carol.reject(case)


# ------------------------------------------------------------------ assign


def test_assign_and_unassign(db) -> None:
    sample_db(db)
    result = cli("--reviewer", "carol", "assign", "--db", str(db.root), "first", "second.txt", "--to", "alice", "--to", "bob")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["first: alice, bob", "second: alice, bob"]
    stored = json.loads((db.root / "library.json").read_text())["reports"]
    entry = next(doc for doc in stored.values() if doc["id"] == "first")
    assert entry["assignees"] == ["alice", "bob"] and entry["updated_by"] == "carol"
    off = cli("assign", "--db", str(db.root), "first", "--to", "alice", "--unassign")
    assert off.stdout.splitlines() == ["first: bob"]
    everyone = cli("assign", "--db", str(db.root), "first", "second", "--unassign")
    assert everyone.stdout.splitlines() == ["first: nobody", "second: nobody"]
    assert Database(db.root).report("second").assignees == ()


def test_assign_refuses_in_one_line(db) -> None:
    sample_db(db)
    unknown = cli("assign", "--db", str(db.root), "first", "nope", "--to", "alice")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("claimdesk: error: no report 'nope'")
    assert unknown.stderr.count("\n") == 1
    assert Database(db.root).report("first").assignees == ()  # nothing was assigned
    nobody = cli("assign", "--db", str(db.root), "first")
    assert nobody.exit_code == 2 and "--to NAME" in nobody.stderr


def test_assignee_names_are_shown_inert(db) -> None:
    sample_db(db)
    result = cli("assign", "--db", str(db.root), "first", "--to", "eve\x1b[2J\x07")
    assert result.exit_code == 0 and "\x1b" not in result.stdout and "\x07" not in result.stdout
    stats = cli("stats", "--db", str(db.root))
    assert "\x1b" not in stats.stdout


# ------------------------------------------------------------------ export


def test_export_filters_with_by_and_reviewer_does_not_filter(db) -> None:
    sample_db(db)
    everything = cli("--reviewer", "bob", "export", "--db", str(db.root))
    assert len(annotation_lines(everything.stdout)) == 5
    as_bob = cli("export", "--db", str(db.root), "--reviewer", "bob")
    assert len(annotation_lines(as_bob.stdout)) == 5  # who I am, not whose annotations
    by_bob = cli("export", "--db", str(db.root), "--by", "bob")
    assert {r["reviewer"] for r in annotation_lines(by_bob.stdout)} == {"bob"}


def test_export_adjudicated_writes_only_that_layer(db) -> None:
    sample_db(db)
    adjudicate_first(db)
    result = cli("export", "--db", str(db.root), "--adjudicated")
    assert result.exit_code == 0, result.stderr
    records = annotation_lines(result.stdout)
    layer = [a for a in Database(db.root).annotations("first") if a.reviewer == "adjudicated"]
    assert layer and sorted(r["id"] for r in records) == sorted(a.id for a in layer)
    assert {r["reviewer"] for r in records} == {"adjudicated"}
    csv = cli("export", "--db", str(db.root), "--adjudicated", "-f", "csv")
    assert csv.exit_code == 0 and {row["reviewer"] for row in csv_rows(csv.stdout)} == {"adjudicated"}
    assert len(csv_rows(csv.stdout)) == len(layer)
    with_bob = cli("export", "--db", str(db.root), "--adjudicated", "--by", "bob")
    assert {r["reviewer"] for r in annotation_lines(with_bob.stdout)} == {"adjudicated", "bob"}


def test_an_adjudicated_annotation_carries_its_provenance_out_and_back(db, tmp_path) -> None:
    sample_db(db)
    adjudicate_first(db)
    exported = cli("export", "--db", str(db.root), "--adjudicated")
    records = valid_records(exported.stdout)  # every line against the shipped schema
    alice = {a.id for a in Database(db.root).annotations("first") if a.reviewer == "alice"}
    for record in records:
        provenance = record["provenance"]
        assert provenance["decision"] == "took" and provenance["based_on"] == "alice"
        assert provenance["adjudicated_by"] == "carol" and provenance["adjudicated_at"]
        assert {s["reviewer"] for s in provenance["sources"]} <= {"alice", "bob"}
        assert {s["id"] for s in provenance["sources"] if s["reviewer"] == "alice"} <= alice
    plain = annotation_lines(cli("export", "--db", str(db.root), "--by", "alice").stdout)
    assert plain and all("provenance" not in r for r in plain)  # only the layer has it
    elsewhere = Database(tmp_path / "elsewhere", reviewer="tester")
    sample_db(elsewhere)
    source = tmp_path / "adjudicated.jsonl"
    source.write_text(exported.stdout, encoding="utf-8")
    imported = cli("import", "--db", str(elsewhere.root), str(source))
    assert imported.exit_code == 0, imported.stderr
    layer = {a.id: a for a in Database(elsewhere.root).annotations("first") if a.reviewer == "adjudicated"}
    assert {r["id"]: r["provenance"] for r in records} == {i: a.provenance for i, a in layer.items()}


# ------------------------------------------------------------------- stats


def test_stats_per_reviewer_and_adjudication_progress(db) -> None:
    sample_db(db)
    Session(Database(db.root, reviewer="alice")).set_reviewed("first", 1, True)
    Session(Database(db.root, reviewer="bob")).set_reviewed("second", 2, True)
    cli("assign", "--db", str(db.root), "first", "--to", "alice")
    before = cli("stats", "--db", str(db.root))
    lines = before.stdout.splitlines()
    assert lines[lines.index("adjudication (reports annotated by two reviewers or more):") + 2].split() == [
        "first", "4", "0", "0", "0", "0", "0", "0", "4"]
    adjudicate_first(db)
    result = cli("stats", "--db", str(db.root))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    [header] = [n for n, line in enumerate(lines) if line.split()[:3] == ["reviewer", "assigned", "¶"]]
    assert [line.split() for line in lines[header + 1 : header + 4]] == [
        ["adjudicated", "0", "-", "0", "1", "2", "1"],
        ["alice", "1", "1/3", "1", "1", "2", "1"],
        ["bob", "0", "-", "1", "2", "1", "1"],
    ]
    start = lines.index("adjudication (reports annotated by two reviewers or more):")
    assert lines[start + 1].split() == ["report", "places", "agreed", "accept", "took", "edited", "reject", "changed", "open"]
    assert lines[start + 2].split() == ["first", "4", "0", "0", "3", "0", "1", "0", "0"]
    assert all(len(line) < 80 for line in lines)
    data = json.loads(cli("stats", "--db", str(db.root), "--json").stdout)
    assert data["reviewers"]["alice"] == {
        "assigned": 1, "assigned_paragraphs": 3, "reviewed_in_assigned": 1, "reviewed": 1,
        "reports_annotated": 1, "claims": 2, "actors": 1,
    }
    assert data["adjudication"]["decided"] == 4 and data["adjudication"]["open"] == 0
    [first] = [r for r in data["reports"] if r["id"] == "first"]
    assert first["assignees"] == ["alice"] and first["adjudication"]["took"] == 3
    [second] = [r for r in data["reports"] if r["id"] == "second"]
    assert second["adjudication"] is None  # one reviewer: nothing to adjudicate


def test_export_with_reviewer_alone_says_it_holds_everyone(tmp_path) -> None:
    from click.testing import CliRunner

    from store.db import Database
    from tui.cli import main

    Database(tmp_path / "db", reviewer="x")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "db"), "export", "--reviewer", "alice"])
    assert result.exit_code == 0
    assert "--reviewer says who you are; this export holds every reviewer's annotations (--by NAME keeps one" in result.stderr
