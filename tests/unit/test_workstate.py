"""One reviewer's working state (store/workstate.py): where reports were left, rejections, drafts, the last export."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from store.errors import StoreError
from store.workstate import MAX_DRAFTS, WorkState


@pytest.fixture
def state(tmp_path: Path) -> WorkState:
    return WorkState(tmp_path / "db", "amira", root=tmp_path / "state")


def reread(state: WorkState, reviewer: str = "amira") -> WorkState:
    return WorkState(Path(state.db_root), reviewer, root=state.root)


def test_position_rejections_drafts_and_export_survive_a_restart(state: WorkState) -> None:
    state.set_position("seed", 12)
    state.set_rejected("seed", {("rev", 2, 10, 27, "actor1")})
    state.save_draft("seed", "new:12:140-200", {"text": "5,000 fighters", "type": "figure"})
    state.remember_export("/home/amira/out", "/home/amira/out/seed.jsonl", "jsonl")
    again = reread(state)
    assert again.position("seed") == 12
    assert again.rejected("seed") == {("rev", 2, 10, 27, "actor1")}
    assert again.drafts("seed") == {"new:12:140-200": {"text": "5,000 fighters", "type": "figure"}}
    assert again.last_export() == {
        "folder": "/home/amira/out", "path": "/home/amira/out/seed.jsonl", "format": "jsonl", "scope": "*", "failed": "no",
    }
    again.drop_draft("seed", "new:12:140-200")
    assert reread(state).drafts("seed") == {}


def test_each_reviewer_and_database_has_its_own(state: WorkState, tmp_path: Path) -> None:
    state.set_position("seed", 5)
    assert reread(state, "bob").position("seed") is None
    assert WorkState(tmp_path / "other-db", "amira", root=state.root).position("seed") is None


def test_files_are_private_and_folders_too(state: WorkState) -> None:
    state.save_draft("seed", "k", {"text": "x"})
    for folder, dirs, files in os.walk(state.root):
        for name in dirs:
            assert stat.S_IMODE(os.stat(Path(folder) / name).st_mode) == 0o700
        for name in files:
            assert stat.S_IMODE(os.stat(Path(folder) / name).st_mode) == 0o600


def test_never_written_through_a_symbolic_link(state: WorkState, tmp_path: Path) -> None:
    state.set_position("seed", 1)
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    report_file = next(state.root.rglob("seed.json"))
    report_file.unlink()
    report_file.symlink_to(target)
    with pytest.raises(StoreError, match="not a regular file"):
        reread(state).set_position("seed", 2)
    assert target.read_text() == "{}"
    reports = report_file.parent
    for item in reports.iterdir():
        item.unlink()
    reports.rmdir()
    reports.symlink_to(tmp_path)
    with pytest.raises(StoreError, match="symbolic link"):
        reread(state).set_position("seed", 3)


def test_damaged_or_hostile_files_count_as_empty(state: WorkState) -> None:
    state.set_position("seed", 4)
    report_file = next(state.root.rglob("seed.json"))
    for content in (b"not json", b"[1, 2]", b'{"paragraph": "4", "rejected": [["r", "x", 1, 2, "a"]], "drafts": []}', b"\xff\xfe"):
        report_file.write_bytes(content)
        again = reread(state)
        assert (again.position("seed"), again.rejected("seed"), again.drafts("seed")) == (None, set(), {})
    report_file.write_bytes(b'{"paragraph": 1' + b" " * (5 << 20) + b"}")
    assert reread(state).position("seed") is None


def test_drafts_are_capped(state: WorkState) -> None:
    for n in range(MAX_DRAFTS + 5):
        state.save_draft("seed", f"k{n}", {"text": "x" * 100_000})
    drafts = reread(state).drafts("seed")
    assert len(drafts) == MAX_DRAFTS and "k0" not in drafts and f"k{MAX_DRAFTS + 4}" in drafts
    assert all(len(d["text"]) == 16 * 1024 for d in drafts.values())


def test_a_report_id_that_is_not_a_safe_name_is_refused(state: WorkState) -> None:
    with pytest.raises(StoreError):
        state.set_position("../../etc/passwd", 1)
