"""`claimdesk claims`, `link` and `unlink`, run as a user runs them (the installed command, a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.db import Database
from store.export import schema
from store.model import Credibility, NewActor, Paragraph, ParsedReport
from store.session import Session
from tests.unit.test_cli import claimdesk_executable


@pytest.fixture
def run(tmp_path: Path):
    """The installed command in an environment with no user config and a home of its own (as test_cli's)."""
    import os
    import subprocess

    home = tmp_path / "home"
    home.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK_", "XDG_"))}
    environment.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
                       CLAIMDESK_CONFIG=str(home / "no-config.toml"), PYTHONIOENCODING="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([claimdesk_executable(), *args], capture_output=True, text=True, encoding="utf-8", env=environment,
                              cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60)

    return run


def add_report(db: Database, report_id: str, date: str | None, texts: list[str]):
    parsed = ParsedReport(f"Report {report_id}", date, None, (), (), tuple(Paragraph(n, t) for n, t in enumerate(texts, 1)),
                          (), (), "text")
    return db.add_parsed(report_id, parsed, f"rev-{report_id}", f"{report_id}.txt").report


@pytest.fixture
def desk(tmp_path: Path):
    db = Database(tmp_path / "db", reviewer="amira")
    old = add_report(db, "old", "2023-09-30", ["The militia said 5,000 fighters reached the border.", "Officials denied it."])
    new = add_report(db, "new", "2023-10-19", ["Orient News reported withdrawals from Dar'a.", "A café was hit."])
    session = Session(db)
    hizbullah = session.create_actor("Hizbullah", "armed_group", ("Hezbollah",)).value
    claims = {
        "fighters": session.add_claim(old, 1, None, "5,000 fighters reached the border.", "figure", hizbullah.id, None,
                                      credibility=Credibility("B", 2)).value,
        "denied": session.add_claim(old, 2, None, "Officials denied it.", "statement", None, NewActor("Orient News", "media"),
                                    credibility=Credibility("D", 4)).value,
        "withdrawals": session.add_claim(new, 1, None, "Orient News reported withdrawals.", "event").value,
        "cafe": session.add_claim(new, 2, None, "A café was hit.", "event").value,
    }
    session.add_mention(new, 2, None, hizbullah.id)
    return db, claims


def table_ids(output: str) -> list[str]:
    lines = output.splitlines()
    assert lines[0].split() == ["id", "date", "¶", "claimant", "reported", "by", "grade", "links", "claim"]
    return [line.split()[0] for line in lines[1:-1]]


class TestClaims:
    def test_a_table_newest_report_first(self, run, desk) -> None:
        db, c = desk
        result = run("claims", "--db", str(db.root))
        assert result.returncode == 0, result.stderr
        assert table_ids(result.stdout) == [c[n].id[:8] for n in ("withdrawals", "cafe", "fighters", "denied")]
        assert result.stdout.splitlines()[-1] == "4 claims"
        fighters = next(line for line in result.stdout.splitlines() if line.startswith(c["fighters"].id[:8]))
        assert "2023-09-30" in fighters and "Hizbullah" in fighters and "B2" in fighters

    @pytest.mark.parametrize(("options", "expected"), [
        (["--actor", "hezbollah"], ["cafe", "fighters"]),  # an alias; claimant, or mentioned in the same paragraph
        (["--actor", "Orient News", "--actor", "hizbullah"], ["cafe", "fighters", "denied"]),
        (["--type", "event"], ["withdrawals", "cafe"]),
        (["--type", "fig", "--type", "statement"], ["fighters", "denied"]),
        (["--min-reliability", "B"], ["fighters"]),
        (["--min-credibility", "4"], ["fighters", "denied"]),
        (["--min-reliability", "c", "--min-credibility", "4"], ["fighters"]),
        (["--report", "old"], ["fighters", "denied"]),
        (["--report", "new.txt", "--report", "old"], ["withdrawals", "cafe", "fighters", "denied"]),
        (["--since", "2023-10"], ["withdrawals", "cafe"]),
        (["--until", "2023-09-30"], ["fighters", "denied"]),
    ])
    def test_options_choose(self, run, desk, options, expected) -> None:
        db, c = desk
        result = run("claims", "--db", str(db.root), *options)
        assert result.returncode == 0, result.stderr
        assert table_ids(result.stdout) == [c[n].id[:8] for n in expected]

    @pytest.mark.parametrize(("options", "code", "message"), [
        (["--actor", "Nobody"], 1, "claimdesk: error: no actor is named 'Nobody' (nor has it as an alias)"),
        (["--type", "poem"], 2, "is not a claim type"),
        (["--min-reliability", "G"], 2, "'G' is not a reliability (A-F)"),
        (["--min-credibility", "7"], 2, "--min-credibility"),
        (["--since", "last week"], 2, "is not a date"),
        (["--report", "missing"], 1, "no report 'missing'"),
    ])
    def test_bad_options_are_one_line(self, run, desk, options, code, message) -> None:
        db, _c = desk
        result = run("claims", "--db", str(db.root), *options)
        assert result.returncode == code
        assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
        assert "Traceback" not in result.stderr

    def test_json_is_the_export_record_with_its_links(self, run, desk) -> None:
        db, c = desk
        Session(db).link(c["withdrawals"], c["denied"], "contradicts", "one says out, one says in")
        result = run("claims", "--db", str(db.root), "--json")
        assert result.returncode == 0, result.stderr
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["id"] for r in records] == [c[n].id for n in ("withdrawals", "cafe", "fighters", "denied")]
        exported = {r["id"]: r for r in map(json.loads, run("export", "--db", str(db.root)).stdout.splitlines())
                    if r.get("record") == "annotation"}
        jsonschema = pytest.importorskip("jsonschema")
        definitions = schema()
        for record in records:
            links = record.pop("links")
            assert record == exported[record["id"]]  # the very record `claimdesk export` writes
            jsonschema.validate(record, definitions)
            for link in links:
                jsonschema.validate({"schema": "claimdesk/2", "record": "link", **link}, definitions)
        withdrawals = next(r for r in json.loads("[" + ",".join(result.stdout.splitlines()) + "]") if r["id"] == c["withdrawals"].id)
        [link] = withdrawals["links"]
        assert (link["relation"], link["note"], link["to"]["annotation_id"]) == ("contradicts", "one says out, one says in",
                                                                                  c["denied"].id)

    def test_json_with_nothing_chosen_is_empty(self, run, desk) -> None:
        db, _c = desk
        result = run("claims", "--db", str(db.root), "--json", "--type", "intent")
        assert result.returncode == 0 and result.stdout == ""


class TestLinkAndUnlink:
    def test_link_by_the_ids_the_table_shows(self, run, desk) -> None:
        db, c = desk
        result = run("link", "--db", str(db.root), c["fighters"].id[:8], c["cafe"].id[:8], "--as", "corroborates",
                     "--note", "the same figure")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("linked: ")
        [link] = Database(db.root).links()
        assert (link.from_claim, link.to_claim, link.relation, link.note) == (c["fighters"].id, c["cafe"].id, "corroborates",
                                                                              "the same figure")
        table = run("claims", "--db", str(db.root), "--report", "new").stdout
        assert next(line for line in table.splitlines() if line.startswith(c["cafe"].id[:8])).split()[6] == "1"  # id date ¶ — — — 1 …
        removed = run("unlink", "--db", str(db.root), link.id[:6])
        assert removed.returncode == 0 and removed.stdout.startswith(f"unlinked: {link.id}")
        assert Database(db.root).links() == []

    @pytest.mark.parametrize(("args", "message"), [
        (["abc", "def0"], "'abc' is too short to name a claim"),
        (["ffff0000", "ffff1111"], "no claim has an id beginning 'ffff0000'"),
        (["SELF", "SELF"], "a claim cannot be linked to itself"),
    ])
    def test_link_refusals_are_one_line(self, run, desk, args, message) -> None:
        db, c = desk
        args = [c["cafe"].id if a == "SELF" else a for a in args]
        result = run("link", "--db", str(db.root), *args, "--as", "repeats")
        assert result.returncode == 1 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1

    def test_a_mention_is_not_a_claim(self, run, desk) -> None:
        db, c = desk
        mention = next(a for a in Database(db.root).annotations("new") if a.kind.value == "actor")
        result = run("link", "--db", str(db.root), mention.id, c["cafe"].id, "--as", "repeats")
        assert result.returncode == 1 and "is an actor mention, not a claim" in result.stderr

    def test_the_relation_must_be_one_of_four(self, run, desk) -> None:
        db, c = desk
        result = run("link", "--db", str(db.root), c["cafe"].id, c["denied"].id, "--as", "refutes")
        assert result.returncode == 2 and "corroborates" in result.stderr

    def test_linking_twice_the_same_way_is_refused(self, run, desk) -> None:
        db, c = desk
        args = ("link", "--db", str(db.root), c["cafe"].id, c["denied"].id, "--as", "updates")
        assert run(*args).returncode == 0
        again = run(*args)
        assert again.returncode == 1 and "already linked" in again.stderr

    def test_unlink_an_unknown_link(self, run, desk) -> None:
        db, _c = desk
        result = run("unlink", "--db", str(db.root), "0123456789")
        assert result.returncode == 1 and "no link has an id beginning '0123456789'" in result.stderr
