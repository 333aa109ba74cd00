"""`claimdesk agreement`: the table at 80 columns, the exact --json shape, filters, and one-line errors."""

from __future__ import annotations

import json
from typing import Any

from store.model import Kind
from tests.unit.test_agreement import put, report_of
from tests.unit.test_export_support import cli

PAIR_KEYS = {
    "reviewers", "kind", "exact_f1", "overlap_f1", "actor_agreement", "claim_type_kappa",
    "reliability_alpha", "credibility_alpha", "code_agreement", "items",
}
ALPHA_KEYS = {"reviewers", "claim_type", "actor", "reliability", "credibility", "items"}


def three_reviewers(db: Any) -> None:
    """r1: alice, bob and carol; r2: alice alone."""
    first, second = report_of(db), report_of(db, report_id="r2")
    for reviewer, grade, end in (("alice", "B2", 30), ("bob", "B3", 30), ("carol", "D3", 25)):
        put(db, first, reviewer, 1, 0, 9, Kind.ACTOR, actor="hezbollah")
        put(db, first, reviewer, 1, 10, end, type="event", grade=grade)
        put(db, first, reviewer, 2, None, None, type="statement" if reviewer != "carol" else "event", grade="C3")
    put(db, second, "alice", 1, 0, 9)


def agreement(db: Any, *args: str):
    return cli("agreement", "--db", str(db.root), *args)


def test_table_per_report_and_overall(db) -> None:
    three_reviewers(db)
    result = agreement(db)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 79
    header = "  reviewers       kind    exact overlap   actor  type κ   rel α  cred α    code"
    assert lines.count(header) == 2  # r1 and the overall figures; r2 has nothing to compare
    start = lines.index("r1  Report r1")
    assert lines[start + 1] == header
    # alice · bob on claims: the same spans; the same types (κ 1); reliability B/B and C/C (α 1);
    # credibility 2/3 and 3/3 (α 0); codes B2/B3 and C3/C3 (0.5).
    assert lines[start + 2].split() == ["alice", "·", "bob", "claim", "1.00", "1.00", "-", "1.00", "1.00", "0.00", "0.50"]
    assert lines[start + 3].split() == ["items", "4", "4", "0", "2", "2", "2", "2"]
    assert lines[start + 4].split() == ["alice", "·", "bob", "actor", "1.00", "1.00", "1.00", "-", "-", "-", "-"]
    assert lines[start + 5].split() == ["items", "2", "2", "1", "0", "0", "0", "0"]
    alpha = " ".join(line.strip() for line in lines[start + 14:start + 16])
    assert alpha.startswith("Krippendorff's α over 3 reviewers (groups): claim type ")
    assert "actor - (1)" in alpha  # one group, everyone named the same actor: no variation
    assert "r2  Report r2" in lines and "  only alice annotated: nothing to compare" in lines
    assert "all 2 reports" in lines


def test_json_shape(db) -> None:
    three_reviewers(db)
    result = agreement(db, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"reports", "overall"}
    first, second = sorted(data["reports"], key=lambda r: r["id"])
    assert set(first) == {"id", "pairs", "alpha"} and first["id"] == "r1"
    assert [(p["reviewers"], p["kind"]) for p in first["pairs"]] == [
        (pair, kind) for pair in (["alice", "bob"], ["alice", "carol"], ["bob", "carol"]) for kind in ("claim", "actor")
    ]
    for found in first["pairs"]:
        assert set(found) == PAIR_KEYS and set(found["items"]) == PAIR_KEYS - {"reviewers", "kind", "items"}
    claims = first["pairs"][0]
    assert claims["actor_agreement"] is None and claims["claim_type_kappa"] == 1.0 and claims["code_agreement"] == 0.5
    assert set(first["alpha"]) == ALPHA_KEYS and first["alpha"]["reviewers"] == ["alice", "bob", "carol"]
    assert first["alpha"]["actor"] is None and first["alpha"]["items"]["actor"] == 1
    assert second == {"id": "r2", "pairs": [], "alpha": {
        "reviewers": ["alice"], "claim_type": None, "actor": None, "reliability": None, "credibility": None,
        "items": {"claim_type": 0, "actor": 0, "reliability": 0, "credibility": 0},
    }}
    overall = data["overall"]
    assert overall["reports"] == 2 and len(overall["pairs"]) == 6
    assert [p for p in overall["pairs"] if p["reviewers"] == ["alice", "bob"] and p["kind"] == "claim"] == [claims]


def test_filters(db) -> None:
    three_reviewers(db)
    data = json.loads(agreement(db, "--json", "--report", "r1", "--kind", "actor", "--reviewers", "bob,carol").stdout)
    [report] = data["reports"]
    assert [(p["reviewers"], p["kind"]) for p in report["pairs"]] == [(["bob", "carol"], "actor")]
    assert report["alpha"]["reviewers"] == ["bob", "carol"] and report["alpha"]["claim_type"] is None
    table = agreement(db, "--kind", "claim", "--report", "r1.txt").stdout
    rows = [row for row in (line.split() for line in table.splitlines()) if row[1:2] == ["·"]]
    assert rows and {row[3] for row in rows} == {"claim"}
    assert "claim type" in table and "actor -" not in table


def test_user_errors_are_one_line(db) -> None:
    three_reviewers(db)
    for args, message in (
        (("--report", "nope"), "claimdesk: error: no report 'nope'"),
        (("--reviewers", "alice"), "claimdesk: error: --reviewers needs at least two names"),
        (("--kind", "grade"), "claimdesk: error: Invalid value for '--kind'"),
    ):
        result = agreement(db, *args)
        assert result.exit_code != 0 and result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(message), result.stderr


def test_a_damaged_annotation_is_a_one_line_error(db) -> None:
    three_reviewers(db)
    path = db.layout.annotation_shard("r1", 1)
    stored = json.loads(path.read_text(encoding="utf-8"))
    first = next(iter(stored["annotations"].values()))
    first["span"] = {"start": "here", "end": 3}
    path.write_text(json.dumps(stored), encoding="utf-8")
    result = agreement(db)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "claimdesk: error: report r1: an annotation is not of the expected shape "
        "(invalid literal for int() with base 10: 'here'); run 'claimdesk doctor'"
    ]


def test_empty_database(db) -> None:
    assert "no reports" in agreement(db).stdout
    data = json.loads(agreement(db, "--json").stdout)
    assert data["reports"] == [] and data["overall"]["pairs"] == [] and data["overall"]["reports"] == 0


def test_untrusted_names_are_shown_inert(db) -> None:
    report = report_of(db)
    put(db, report, "eve\x1b[2J\u009b31m", 1, 0, 9)
    put(db, report, "mallory-with-a-very-long-name", 1, 0, 9)
    result = agreement(db)
    assert "\x1b" not in result.stdout and "\u009b" not in result.stdout
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 79
    # A pair too long for its column gets a line of its own.
    assert "  eve␛[2J�31m · mallory-with-a-very-long-name" in lines
    assert "\\u001b" not in agreement(db, "--json").stdout


def test_listed_in_help() -> None:
    result = cli("--help")
    assert "agreement" in result.stdout


def test_the_installed_command(db, tmp_path) -> None:
    """`claimdesk agreement --json` as a user runs it: a subprocess, its stdout parsed as JSON."""
    import os
    import subprocess

    from tests.unit.test_cli import claimdesk_executable

    three_reviewers(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK_", "XDG_"))}
    env.update(HOME=str(tmp_path), CLAIMDESK_CONFIG=str(tmp_path / "no-config.toml"), PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [claimdesk_executable(), "agreement", "--db", str(db.root), "--json", "--report", "r1"],
        capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL, timeout=60, check=False,
    )
    assert result.returncode == 0 and result.stderr == ""
    [report] = json.loads(result.stdout)["reports"]
    assert report["alpha"]["reviewers"] == ["alice", "bob", "carol"]
