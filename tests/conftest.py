"""Shared fixtures: every test gets its own database in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_d468c9227d68e3d5.txt"
SAMPLES = ROOT / "sample_reports"


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's working state (where reports were left, drafts…: store/workstate.py) in its own folder, never the user's."""
    state = tmp_path / "state"
    monkeypatch.setenv("CLAIMDESK_STATE", str(state))
    return state


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"the seed dispatch is read from ../shared, which is absent here ({SEED})")
    return SEED


@pytest.fixture
def db(tmp_path: Path):
    from store.db import Database

    return Database(tmp_path / "db", reviewer="tester")


@pytest.fixture
def sample_paths() -> list[Path]:
    return sorted(SAMPLES.iterdir())
