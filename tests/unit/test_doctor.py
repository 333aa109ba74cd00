"""`claimdesk doctor [--repair]`: one line per problem, exit 0 only when healthy, a backup before any repair."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.db import Database
from store.locking import hold
from store.model import Claim, Kind, Span
from store.session import Session
from tui.cli import main

LINE_STARTS = ("checking ", "problem: ", "note: ", "repaired: ", "backup: ", "healthy: ")


def doctor(root: Path, *args: str):
    result = CliRunner().invoke(main, ["--db", str(root), "doctor", *args])
    lines = result.stdout.splitlines()
    assert "Traceback" not in result.output
    for line in lines[:-1] if result.exit_code else lines:
        assert line.startswith(LINE_STARTS), line
    return result.exit_code, lines


@pytest.fixture
def filled(db, sample_paths):
    """Two reports, each with a span annotation naming a claimant and a source, and three actors."""
    militia = db.save_actor(db.new_actor("Kata'ib Sayyid al-Shuhada", "armed_group"))[0]
    outlet = db.save_actor(db.new_actor("Sabereen News", "media"))[0]
    db.save_actor(db.new_actor("Spokesman", "person", affiliation=militia.id))
    ids = []
    for path in sample_paths[:2]:
        opened = db.open_report(db.add_report(path).report.id)
        text = opened.paragraphs[0].text
        span = Span.of(text, 0, 12)
        claim = Claim(span.quote, "statement", claimant=militia.id, reported_by=outlet.id)
        db.save_annotation(db.new_annotation(Kind.CLAIM, opened.report, 1, span=span, claim=claim))
        db.save_annotation(db.new_annotation(Kind.ACTOR, opened.report, 2, span=None, actor_id=militia.id))
        ids.append(opened.report.id)
    return db.root, ids


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data), encoding="ascii")


def _annotations_path(root: Path, report_id: str) -> Path:
    return root / "reports" / report_id / "annotations-0001.json"


def _backups(root: Path) -> list[Path]:
    return sorted(root.parent.glob(root.name + ".backup-*"))


def test_a_healthy_database_exits_0(filled) -> None:
    root, _ = filled
    code, lines = doctor(root)
    assert code == 0
    assert lines[-1] == "healthy: 2 reports, 4 annotations, 3 actors"
    assert not any(line.startswith("problem") for line in lines)


def test_no_database_is_one_line_and_exit_1(tmp_path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "nothing"), "doctor"])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("claimdesk: error: no claimdesk database at")


def test_leftover_temporary_files_are_reported_and_removed_after_a_backup(filled) -> None:
    root, ids = filled
    tmp = root / "reports" / ids[0] / ".annotations-0001.json.4242.0123abcd.tmp"
    tmp.write_bytes(b'{"annotations": {"1": {"id"')
    tmp.chmod(0o600)  # as claimdesk makes them (a readable one would be a problem of its own)
    code, lines = doctor(root)
    assert code == 1
    assert (
        f"problem: reports/{ids[0]}/{tmp.name}: leftover temporary file from an interrupted save to annotations-0001.json; "
        "never used as data"
    ) in lines
    assert lines[-1].startswith("1 problem remains")
    code, lines = doctor(root, "--repair")
    assert code == 0 and not tmp.exists()
    [backup] = _backups(root)
    assert (backup / "reports" / ids[0] / tmp.name).exists()  # the backup is taken before anything is touched
    assert f"backup: {backup}" in lines and any(line.startswith("repaired: removed reports/") for line in lines)


def test_a_held_lock_is_a_note_and_its_save_in_progress_is_left_alone(filled) -> None:
    root, ids = filled
    target = "annotations-0001.json"
    tmp = root / "reports" / ids[0] / f".{target}.4242.0123abcd.tmp"
    tmp.write_bytes(b"{}")
    lock = f"{ids[0]}.{target}.lock"
    with hold(root / ".locks" / lock):
        code, lines = doctor(root, "--repair")
        assert (
            f"note: .locks/{lock}: held by a running claimdesk process (a save in progress; if it stays held, that process is stuck)"
            in lines
        )
        assert f"note: reports/{ids[0]}/{tmp.name}: a save to {target} is in progress" in lines
        assert code == 0 and tmp.exists()


def test_dangling_actor_references_are_reported_then_set_to_none(filled) -> None:
    root, ids = filled
    actors = json.loads((root / "actors.json").read_bytes())["actors"]
    militia = next(doc["id"] for doc in actors.values() if doc["name"].startswith("Kata'ib"))

    def drop_militia(data: dict) -> None:
        data["actors"] = {k: v for k, v in data["actors"].items() if v["id"] != militia}

    _edit(root / "actors.json", drop_militia)
    code, lines = doctor(root)
    problems = [line for line in lines if line.startswith("problem")]
    assert code == 1 and len(problems) == 2 * 2 + 1  # claimant and actor_id in each report, the affiliation
    assert any("claimant names actor" in p and militia in p for p in problems)
    assert any("affiliation names actor" in p for p in problems)
    code, lines = doctor(root, "--repair")
    assert code == 0, lines
    db = Database(root)
    for report_id in ids:
        claim, mention = sorted(db.annotations(report_id), key=lambda a: a.kind.value, reverse=False)[::-1]
        assert claim.claim.claimant is None and claim.claim.reported_by is not None
        assert mention.actor_id is None
    assert all(a.affiliation is None for a in db.actors())


def test_spans_that_no_longer_match_their_text_are_moved_when_the_quote_is_unique(filled) -> None:
    root, ids = filled
    path = _annotations_path(root, ids[0])

    def shift(data: dict) -> None:
        for doc in data["annotations"].values():
            if doc["span"]:
                doc["span"]["start"] += 3
                doc["span"]["end"] += 3

    _edit(path, shift)
    code, lines = doctor(root)
    assert code == 1 and any("no longer matches its quote" in line for line in lines)
    code, lines = doctor(root, "--repair")
    assert code == 0, lines
    db = Database(root)
    [claim] = [a for a in db.annotations(ids[0]) if a.span]
    text = db.open_report(ids[0]).paragraphs[0].text
    assert (claim.span.start, claim.span.end) == (0, 12) and text[0:12] == claim.span.quote


def test_a_quote_that_is_gone_from_the_text_stays_a_problem(filled) -> None:
    root, ids = filled

    def rewrite(data: dict) -> None:
        for doc in data["annotations"].values():
            if doc["span"]:
                doc["span"]["quote"] = "words that are not there"

    _edit(_annotations_path(root, ids[1]), rewrite)
    code, lines = doctor(root, "--repair")
    assert code == 1
    assert any(
        line.startswith(f"problem: reports/{ids[1]}/annotations-0001.json: annotation") and "no longer matches" in line for line in lines
    )


def test_a_truncated_annotations_file_is_kept_aside_and_its_whole_annotations_recovered(filled, sample_paths) -> None:
    root, ids = filled
    db = Database(root)
    report = db.report(ids[0])
    for n in range(10):
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 3, span=None, note=f"n{n}"))
    path = _annotations_path(root, ids[0])
    raw = path.read_bytes()
    broken = raw[: int(len(raw) * 0.6)]
    path.write_bytes(broken)
    code, lines = doctor(root)
    assert code == 1 and any(line.startswith(f"problem: reports/{ids[0]}/{path.name}: does not parse") for line in lines)
    code, lines = doctor(root, "--repair")
    assert code == 0, lines
    [backup] = _backups(root)
    assert (backup / "reports" / ids[0] / path.name).read_bytes() == broken
    [kept] = path.parent.glob(path.name + ".corrupt-*")
    assert kept.read_bytes() == broken
    assert f"note: reports/{ids[0]}/{kept.name}: a copy of a file that did not parse, kept for recovery" in lines
    recovered = Database(root).annotations(ids[0])
    assert 5 <= len(recovered) < 12
    assert all(a.id in raw.decode() for a in recovered)
    again = Database(root)
    again.save_annotation(again.new_annotation(Kind.CLAIM, report, 1, span=None, note="writable again"))


def test_a_broken_library_is_rebuilt_from_the_report_texts(filled) -> None:
    root, ids = filled
    (root / "library.json").write_bytes(b"\x00\x00\x00")
    code, _ = doctor(root)
    assert code == 1
    code, lines = doctor(root, "--repair")
    assert code == 0, lines
    assert any("rebuilt library.json from 2 report text files" in line for line in lines)
    db = Database(root)
    assert not db.read_only and sorted(r.id for r in db.reports()) == sorted(ids)


def test_a_broken_actors_file_keeps_every_reference_through_placeholders(filled) -> None:
    root, _ids = filled
    (root / "actors.json").write_bytes(b"<html>not json</html>")
    code, lines = doctor(root)
    assert code == 1 and "note: actors.json: actor references not checked: actors.json cannot be read" in lines
    code, lines = doctor(root, "--repair")
    assert code == 0, lines
    db = Database(root)
    names = {a.id: a.name for a in db.actors()}
    for annotation in db.iter_annotations():
        for actor_id in filter(None, (annotation.actor_id, annotation.claim and annotation.claim.claimant)):
            assert names[actor_id].startswith("unknown actor ")


def test_a_report_missing_from_the_index_is_put_back(filled) -> None:
    root, ids = filled
    _edit(root / "library.json", lambda d: d["reports"].pop(next(k for k, v in d["reports"].items() if v["id"] == ids[1])))
    code, lines = doctor(root)
    assert code == 1 and f"problem: reports/{ids[1]}/text.json: report {ids[1]!r} is not in the library index" in lines
    code, _ = doctor(root, "--repair")
    assert code == 0 and ids[1] in {r.id for r in Database(root).reports()}


def test_schema_versions(filled) -> None:
    root, _ = filled
    _edit(root / "library.json", lambda d: d.pop("meta"))
    code, lines = doctor(root)
    assert code == 1 and "problem: library.json: no schema version recorded" in lines
    assert doctor(root, "--repair")[0] == 0
    _edit(root / "library.json", lambda d: d["meta"]["1"].update(schema_version=99))
    code, lines = doctor(root, "--repair")
    assert code == 1 and any("schema version 99 is newer than this claimdesk" in line for line in lines)


def test_a_backup_that_cannot_be_made_stops_the_repair(filled, monkeypatch) -> None:
    root, ids = filled
    tmp = root / "reports" / ids[0] / ".annotations-0001.json.4242.1a.tmp"
    tmp.write_bytes(b"{}")
    real_open = os.open

    def no_room(path, flags, *args, **kwargs):
        if ".backup-" in str(path) and flags & os.O_CREAT:
            raise OSError(28, "No space left on device")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_room)
    result = CliRunner().invoke(main, ["--db", str(root), "doctor", "--repair"])
    assert result.exit_code == 1 and tmp.exists()
    assert "could not back up" in result.stderr and "the disk is full" in result.stderr


def test_a_lost_report_text_is_restored_by_adding_its_file_again(filled, sample_paths) -> None:
    root, ids = filled
    text = root / "reports" / ids[0] / "text.json"
    text.write_bytes(text.read_bytes()[:200])
    code, lines = doctor(root, "--repair")
    assert code == 1
    problems = [line for line in lines if line.startswith("problem")]
    assert any(f"{text.name}: does not hold revision" in p and f"claimdesk add {sample_paths[0].resolve()}" in p for p in problems)
    assert sum("which the report's text file does not hold" in p for p in problems) == 2  # its two annotations
    Database(root).add_report(sample_paths[0])
    code, lines = doctor(root)
    assert code == 0, lines
    assert Database(root).open_report(ids[0]).paragraphs


# ------------------------------------------------------------------ shared servers and the session's rules


def test_links_fifos_and_stray_folders_are_reported_never_followed_and_repair_removes_the_links(filled, tmp_path) -> None:
    root, ids = filled
    secret = tmp_path / "someone-elses-secret.txt"
    secret.write_text("not yours")
    shard = root / "reports" / ids[0] / "annotations-0001.json"
    shard.unlink()
    shard.symlink_to(secret)
    os.mkfifo(root / "reports" / ids[1] / "marks-0001.json")
    code, lines = doctor(root)
    assert code == 1
    assert f"problem: reports/{ids[0]}/annotations-0001.json: is a symbolic link where a database file belongs; " in "\n".join(lines)
    assert any(line.startswith(f"problem: reports/{ids[1]}/marks-0001.json: is a named pipe (FIFO)") for line in lines)
    code, lines = doctor(root, "--repair")
    [backup] = _backups(root)
    assert not (backup / "reports" / ids[0] / "annotations-0001.json").exists()  # a link is never copied
    assert any("not backed up" in line and "symbolic link" in line for line in lines)
    assert not shard.is_symlink() and secret.read_text() == "not yours"
    assert code == 0, lines


def test_files_others_can_read_are_problems_and_repair_makes_them_private(filled) -> None:
    root, ids = filled
    shard = root / "reports" / ids[0] / "annotations-0001.json"
    os.chmod(shard, 0o644)
    os.chmod(root, 0o755)
    code, lines = doctor(root)
    assert code == 1
    assert f"problem: reports/{ids[0]}/annotations-0001.json: can be read by every user on this machine (mode 0644)" in lines
    assert "problem: .: can be read by every user on this machine (mode 0755)" in lines
    assert doctor(root, "--repair")[0] == 0
    assert (shard.stat().st_mode & 0o777, root.stat().st_mode & 0o777) == (0o600, 0o700)


def test_a_report_id_that_is_a_path_is_reported_and_never_used(filled) -> None:
    root, _ = filled
    _edit(root / "library.json", lambda d: d["reports"]["1"].update(id="../../outside/evil"))
    code, lines = doctor(root)
    assert code == 1
    assert 'problem: library.json: report id "../../outside/evil" is not a valid id; claimdesk never uses it as a path' in lines
    assert not (root.parent.parent / "outside").exists()


def test_the_session_rules_are_checked_again(filled) -> None:
    root, ids = filled
    db = Database(root)
    actors = {a.name: a for a in db.actors()}
    militia, spokesman = actors["Kata'ib Sayyid al-Shuhada"], actors["Spokesman"]
    _edit(root / "actors.json", lambda d: [doc.update(affiliation=spokesman.id) for doc in d["actors"].values() if doc["id"] == militia.id])
    report = db.report(ids[0])
    mention = db.new_annotation(Kind.ACTOR, report, 3, span=None, actor_id=militia.id)
    db.save_annotation(mention)
    db.save_annotation(mention.evolve(id="a-copy"))  # below the session, which would refuse it
    code, lines = doctor(root)
    assert code == 1
    circle = "Kata'ib Sayyid al-Shuhada → Spokesman → Kata'ib Sayyid al-Shuhada"
    assert f"problem: actors.json: affiliations go round in a circle: {circle}" in lines
    assert any("tags the same span with the same actor as" in line for line in lines)


def test_a_healthy_database_written_through_the_session_stays_healthy(filled) -> None:
    root, ids = filled
    session = Session(Database(root, reviewer="alice"))
    report = session.db.report(ids[0])
    session.set_reviewed(report.id, 1, True)
    session.set_flagged(report.id, 400, True, "long report")
    session.add_claim(report, 2, None, "x", claimant=session.db.actors()[0].id)
    code, lines = doctor(root)
    assert code == 0, lines
