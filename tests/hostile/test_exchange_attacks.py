"""Exports into folders others can write, hostile import files, damaged databases (issue 11, docs/security.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from store.db import Database
from store.session import Session
from tests.unit.test_cli import claimdesk_executable
from tui.cli import main


def cli(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


@pytest.fixture
def db(tmp_path, sample_paths) -> Database:
    database = Database(tmp_path / "db", reviewer="alice")
    session = Session(database)
    for path in sample_paths[:2]:
        report = database.add_report(path).report
        session.add_claim(report, 1, None, f"a claim in {report.id}", claimant=database.resolve_actor("Hamas", "armed_group")[0].id)
        session.set_reviewed(report.id, 1, True)
    return database


# ------------------------------------------------------------------ exports


def test_a_symlink_at_the_destination_is_refused_and_its_target_untouched(db, tmp_path) -> None:
    shared = tmp_path / "shared_exports"
    shared.mkdir()
    victim = tmp_path / "victims-important.txt"
    victim.write_text("precious")
    (shared / "all.jsonl").symlink_to(victim)
    result = cli("--db", str(db.root), "export", "-o", str(shared / "all.jsonl"))
    assert result.exit_code == 1 and "is a symbolic link; claimdesk never writes through it" in result.stderr
    assert victim.read_text() == "precious" and (shared / "all.jsonl").is_symlink()


def test_planted_temporary_file_names_catch_nothing(db, tmp_path) -> None:
    shared = tmp_path / "shared_exports"
    shared.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for pid in range(os.getpid() - 50, os.getpid() + 50):  # the old names were predictable: .NAME.PID.part
        (shared / f".all.jsonl.{pid}.part").symlink_to(victim)
    result = cli("--db", str(db.root), "export", "-o", str(shared / "all.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "precious"
    assert json.loads((shared / "all.jsonl").read_text().splitlines()[0])["schema"] == "claimdesk/2"


def test_a_brat_file_planted_as_a_link_is_refused(db, tmp_path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    victim = tmp_path / "victim.conf"
    victim.write_text("precious")
    (folder / "annotation.conf").symlink_to(victim)
    result = cli("--db", str(db.root), "export", "--format", "brat", "-o", str(folder))
    assert result.exit_code == 1 and "annotation.conf is a symbolic link" in result.stderr
    assert victim.read_text() == "precious"


def test_an_export_into_the_database_folder_is_refused(db) -> None:
    before = (db.root / "actors.json").read_bytes()
    result = cli("--db", str(db.root), "export", "-o", str(db.root / "actors.json"))
    assert result.exit_code == 1 and "is inside the database folder" in result.stderr
    assert (db.root / "actors.json").read_bytes() == before
    brat = cli("--db", str(db.root), "export", "--format", "brat", "-o", str(db.root / "reports"))
    assert brat.exit_code == 1 and "is inside the database folder" in brat.stderr


def test_a_killed_export_leaves_nothing_behind_after_the_next_one(db, tmp_path) -> None:
    out = tmp_path / "all.jsonl"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".all.jsonl.{dead.pid}.0123456789abcdef.part"  # as a kill -9 leaves it
    stale.write_text("half an export")
    assert cli("--db", str(db.root), "export", "-o", str(out)).exit_code == 0
    assert not stale.exists() and [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_failed_write_leaves_the_previous_file_whole(db, tmp_path, monkeypatch) -> None:
    out = tmp_path / "brat"
    assert cli("--db", str(db.root), "export", "--format", "brat", "-o", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = cli("--db", str(db.root), "export", "--format", "brat", "-o", str(out))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert result.exit_code == 1 and "the disk is full" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no .ann truncated, no temporary file left


def test_a_damaged_report_is_named_and_every_other_one_exported(db, tmp_path) -> None:
    [first, second] = sorted(r.id for r in db.reports())
    shard = db.root / "reports" / first / "annotations-0001.json"
    shard.write_bytes(shard.read_bytes()[:50])
    out = tmp_path / "all.jsonl"
    result = cli("--db", str(db.root), "export", "-o", str(out))
    assert result.exit_code == 1 and f"error: report {first}: " in result.stderr
    reports = {json.loads(line)["report"]["id"] for line in out.read_text().splitlines() if '"record":"annotation"' in line}
    assert reports == {second}


def test_an_empty_result_never_replaces_a_file(db, tmp_path) -> None:
    out = tmp_path / "all.jsonl"
    assert cli("--db", str(db.root), "export", "-o", str(out)).exit_code == 0
    before = out.read_bytes()
    result = cli("--db", str(db.root), "export", "--kind", "actor", "-o", str(out))  # nothing of that kind
    assert result.exit_code == 1 and "was left as it was" in result.stderr
    assert out.read_bytes() == before


def test_json_exports_escape_c1_and_bidi_controls_and_csv_and_brat_write_none_raw(db, tmp_path) -> None:
    """From a tampered database (the store itself never keeps a C1 control): nothing reaches a terminal raw."""
    report = db.reports()[0]
    shard = db.root / "reports" / report.id / "annotations-0001.json"
    tables = json.loads(shard.read_bytes())
    doc = next(iter(tables["annotations"].values()))
    doc["note"] = "csi \u009b31m red, rlo \u202e evil, isolate \u2066x\u2069, esc \x1b[2J"
    shard.write_text(json.dumps(tables))
    hostile = ("\u009b", "\u202e", "\u2066", "\u2069", "\x1b")
    for fmt in ("jsonl", "w3c", "doccano", "prodigy"):
        out = cli("--db", str(db.root), "export", "--format", fmt).stdout
        assert not any(char in out for char in hostile), fmt
        if fmt == "jsonl":
            assert "\\u009b31m" in out and "\\u202e evil" in out
    csv_text = cli("--db", str(db.root), "export", "--format", "csv").stdout
    assert not any(char in csv_text for char in ("\u009b", "\x1b"))  # bidi marks stay: a spreadsheet shows text
    folder = tmp_path / "brat"
    cli("--db", str(db.root), "export", "--format", "brat", "-o", str(folder))
    assert all(not any(char in p.read_text() for char in ("\u009b", "\x1b")) for p in folder.iterdir())


# ------------------------------------------------------------------ imports


def _lines(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_hostile_lines_are_numbered_errors_and_the_rest_goes_in(db, tmp_path) -> None:
    report = db.reports()[0]
    text = db.open_report(report.id).paragraphs[0].text
    good = {"report": report.id, "quote": text[:12], "kind": "claim"}
    path = tmp_path / "in.jsonl"
    path.write_text(_lines(
        good,
        "[" * 3000 + "]" * 3000,
        '{"report": "x", "n": ' + "9" * 4301 + "}",
        {"report": report.id, "quote": text[:12], "kind": "claim", "note": "n" * 100_001},
        {"report": report.id, "quote": text[:12], "kind": "actor", "actor": "a" * 2_000},
    ))
    result = cli("--db", str(db.root), "--reviewer", "bob", "import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("claimdesk: error: in.jsonl:")]
    assert [line.split(":")[3] for line in errors] == ["2", "3", "4", "5"]
    assert "nests objects or lists too deeply" in errors[0]
    assert "note is 100,001 characters long; the limit is 100,000" in errors[2]
    assert "actor is 2,000 characters long; the limit is 1,000" in errors[3]
    assert "added 1" in result.stdout  # the summary, always


def test_a_fifo_or_device_is_refused_in_one_line_never_waited_on(db, tmp_path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for args in (["import", str(fifo)], ["import", "/dev/zero"], ["add", str(fifo)], ["parse", "/dev/zero"]):
        started = time.monotonic()
        run = subprocess.run([claimdesk_executable(), "--db", str(db.root), *args], capture_output=True, text=True, timeout=30)
        assert time.monotonic() - started < 20 and run.returncode == 1, args
        [line] = run.stderr.strip().splitlines()[-1:]
        assert "not a regular file" in line and "Traceback" not in run.stderr, args


def test_parallel_imports_naming_the_same_new_actors_create_each_once(db, tmp_path) -> None:
    report = db.reports()[0]
    text = db.open_report(report.id).paragraphs[0].text
    names = [f"Claimant number {n}" for n in range(40)]
    quotes = [text[n : n + 9] for n in range(0, len(text) - 9, 9) if text.count(text[n : n + 9]) == 1][:40]
    assert len(quotes) == 40
    files = []
    for worker in range(4):
        path = tmp_path / f"in{worker}.jsonl"
        path.write_text(_lines(*({"report": report.id, "quote": quote, "kind": "claim", "claimant": name,
                                  "paragraph": 1, "note": f"{worker}-{n}"}
                                 for n, (name, quote) in enumerate(zip(names, quotes, strict=True)))))
        files.append(path)
    runs = [
        subprocess.Popen([claimdesk_executable(), "--db", str(db.root), "--reviewer", f"r{n}", "import", str(path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, path in enumerate(files)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    fresh = Database(db.root)
    counted = [a.name for a in fresh.actors() if a.name.startswith("Claimant number")]
    assert sorted(counted) == sorted(names)
    claimants = {a.claim.claimant for a in fresh.annotations(report.id) if a.note[:1].isdigit()}
    assert claimants <= {a.id for a in fresh.actors()} and len(claimants) == 40
    assert sys.executable


def test_an_overlong_line_is_a_numbered_error(db, tmp_path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(_lines({"report": "x", "quote": "q", "kind": "claim", "note": "n" * 9_000_000}))
    result = cli("--db", str(db.root), "import", str(path))
    assert result.exit_code == 1
    assert "claimdesk: error: long.jsonl:1: is 9,000," in result.stderr and "the limit for one line is 8,388,608" in result.stderr
