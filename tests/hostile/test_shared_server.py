"""Another user on the same server: what they can read, plant or block (issue 11's threat model, docs/security.md).

Where a second user is needed, the attacker's part runs in a child process that
drops to `nobody` with setresgid/setresuid: only possible as root (CI runs as
root); elsewhere those tests skip with the reason.
"""

from __future__ import annotations

import grp
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from store.db import Database
from store.errors import IntegrityError
from store.model import Kind
from store.session import MAX_NAME, MAX_TEXT, Session
from tests.unit.test_cli import claimdesk_executable
from tui.cli import main

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the attacker as another user (setresuid to nobody)")


def as_other_user(code: str, gid: int = NOBODY, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """Run Python `code` as uid nobody (gid `gid`, no other groups); its stdout and exit status.

    Everything the code may import is imported first, while still root: the interpreter's
    own files may sit where nobody cannot read (a pyenv under /root).
    """
    script = textwrap.dedent(f"""
        import os, sys, fcntl, json
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        import store.db, store.session, store.migrations, store.locking, store.storage
        os.setgroups([])
        os.setresgid({gid}, {gid}, {gid})
        os.setresuid({NOBODY}, {NOBODY}, {NOBODY})
    """) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, cwd="/")


@pytest.fixture
def open_tmp(tmp_path_factory) -> Path:
    """A folder every user can walk into (pytest's own tmp folders are 0700): only the database's modes then decide."""
    folder = Path(tempfile.mkdtemp(prefix="claimdesk-shared-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def cli(*args: str):
    from click.testing import CliRunner

    return CliRunner().invoke(main, list(args))


@pytest.fixture
def annotated(open_tmp, sample_paths):
    old = os.umask(0o022)  # the usual umask: a database must be private anyway
    db = Database(open_tmp / "db", reviewer="alice")
    os.umask(old)
    report = db.add_report(sample_paths[0]).report
    session = Session(db)
    session.add_claim(report, 1, None, "a secret assessment")
    session.set_reviewed(report.id, 1, True)
    return db, report


def _modes(root: Path) -> set[tuple[str, int]]:
    found = set()
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        found.add(("folder" if stat.S_ISDIR(st.st_mode) else "file", stat.S_IMODE(st.st_mode)))
    return found


def test_a_new_database_is_private_whatever_the_umask(annotated) -> None:
    db, _ = annotated
    assert _modes(db.root) == {("folder", 0o700), ("file", 0o600)}


@as_root
def test_another_user_can_neither_read_annotations_nor_take_a_lock(annotated) -> None:
    db, report = annotated
    shard = db.layout.annotation_shard(report.id, 1)
    lock = next((db.root / ".locks").glob("*annotations-0001.json.lock"))
    attacker = as_other_user(f"""
        import fcntl
        for path in ({str(shard)!r}, {str(lock)!r}):
            try:
                fd = os.open(path, os.O_RDONLY)
            except PermissionError:
                print("refused", path.rsplit("/", 1)[-1])
            else:
                fcntl.flock(fd, fcntl.LOCK_EX)
                print("GOT", path)
    """)
    assert attacker.stdout.split("\n")[:2] == ["refused annotations-0001.json", f"refused {lock.name}"], attacker.stderr


@as_root
def test_a_group_shared_database_lets_its_group_in_and_no_one_else(open_tmp, sample_paths) -> None:
    group = grp.getgrnam("users").gr_gid
    root = open_tmp / "shared"
    result = cli("--db", str(root), "init", "--group", "users")
    assert result.exit_code == 0 and "with the group users" in result.stdout
    report = Database(root, reviewer="alice").add_report(sample_paths[0]).report
    member = as_other_user(f"""
        from store.db import Database
        from store.session import Session
        db = Database({str(root)!r}, reviewer="member")
        Session(db).add_claim(db.report({report.id!r}), 1, None, "written by a member")
        print(len(db.annotations({report.id!r})))
    """, gid=group)
    assert member.stdout.strip() == "1", member.stderr
    assert {a.claim.text for a in Database(root).annotations(report.id)} == {"written by a member"}
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        assert st.st_gid == group and not stat.S_IMODE(st.st_mode) & 0o007, path
        assert stat.S_IMODE(st.st_mode) in (0o2770, 0o660), (path, oct(st.st_mode))
    outsider = as_other_user(f"""
        try:
            os.listdir({str(root)!r})
        except PermissionError:
            print("refused")
    """)
    assert outsider.stdout.strip() == "refused"


@as_root
def test_a_symlink_planted_for_a_database_file_is_never_read_or_copied(open_tmp, sample_paths) -> None:
    """actors.json replaced by a link to another user's private file: nothing of it lands in the database."""
    root = open_tmp / "db"
    Database(root, reviewer="alice").add_report(sample_paths[0])
    victim = open_tmp / "victim"
    victim.mkdir(mode=0o700)
    secret = victim / "private.txt"
    secret.write_text("victim's secret {not json")
    secret.chmod(0o600)
    (root / "actors.json").unlink(missing_ok=True)
    (root / "actors.json").symlink_to(secret)
    stats = cli("--db", str(root), "stats")
    assert "symbolic link" in stats.stderr and "Traceback" not in stats.output
    copied = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and b"victim's secret" in p.read_bytes()]
    assert copied == []
    doctor = cli("--db", str(root), "doctor")
    assert doctor.exit_code == 1 and "problem: actors.json: is a symbolic link" in doctor.stdout


def test_a_fifo_or_device_in_place_of_a_database_file_never_hangs(tmp_path, sample_paths) -> None:
    root = tmp_path / "db"
    report = Database(root, reviewer="alice").add_report(sample_paths[0]).report
    os.mkfifo(root / "actors.json")
    (root / "reports" / report.id / "annotations-0001.json").symlink_to("/dev/zero")
    started = time.monotonic()
    stats = subprocess.run([claimdesk_executable(), "--db", str(root), "stats"], capture_output=True, text=True, timeout=30)
    assert time.monotonic() - started < 20 and "Traceback" not in stats.stderr
    assert "named pipe" in stats.stderr
    assert stats.returncode == 1 and f"error: report {report.id}: " in stats.stderr and "symbolic link" in stats.stderr
    doctor = cli("--db", str(root), "doctor")
    assert "named pipe (FIFO)" in doctor.stdout and "symbolic link" in doctor.stdout


def test_a_report_id_that_is_a_path_is_never_used_as_one(tmp_path, sample_paths) -> None:
    root = tmp_path / "deep" / "db"
    report = Database(root, reviewer="alice").add_report(sample_paths[0]).report
    library = json.loads((root / "library.json").read_bytes())
    library["reports"]["1"]["id"] = "../../outside/evil"
    (root / "library.json").write_text(json.dumps(library))
    db = Database(root, reviewer="alice")
    assert [r.id for r in db.reports()] == []  # an entry with such an id is not a report
    assert cli("--db", str(root), "stats").exit_code == 0
    assert not (tmp_path / "outside").exists()
    assert report.id


def test_a_lost_library_is_rebuilt_from_the_reports_and_said_so(annotated) -> None:
    db, report = annotated
    (db.root / "library.json").unlink()
    result = cli("--db", str(db.root), "stats", "--json")
    assert result.exit_code == 0
    assert "was missing: re-indexed 1 report from their text files" in result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["reports"]] == [report.id]


def test_fields_have_size_limits(annotated) -> None:
    db, report = annotated
    session = Session(db)
    with pytest.raises(IntegrityError, match="the note is 10,000,001 characters long; the limit is 100,000"):
        session.add_claim(report, 1, None, "x", note="n" * 10_000_001)
    with pytest.raises(IntegrityError, match="the claim's text"):
        session.add_claim(report, 1, None, "t" * (MAX_TEXT + 1))
    with pytest.raises(IntegrityError, match="the actor's name"):
        session.create_actor("a" * (MAX_NAME + 1), "person")
    assert [a.kind for a in db.annotations(report.id)] == [Kind.CLAIM]  # only the fixture's claim
