"""What the agreement and adjudication screens look like, at 80×24 and 120×40, and the library with assignees.

The team's work is tests/team.py (the harbour dispatch, annotated by alice and bob, and a little by chen).
The database sits at the relative path `db` inside tmp_path, so what shows its path is the same every run.
Update with `pytest tests/snapshots --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from store.db import Database
from store.session import Session
from tests.snapshots.test_screens import SIZES, settle
from tests.team import team_db
from tui.app import make_app


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Database, str]:
    monkeypatch.chdir(tmp_path)
    db, report = team_db(Path("db"))
    return db, report.id


@pytest.fixture
def team_of_three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(tmp_path)
    db, _report = team_db(Path("db"), chen=True)
    return db


def opening(report_id: str, *keys: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.open_adjudication(report_id)
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        pilot.app.clear_notifications()  # what they said is the Pilot tests' business; here, the screen under them
        await pilot.pause()

    return run_before


async def agreement(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.show_agreement()
    await settle(pilot)


class TestAgreementScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_three_reviewers(self, snap_compare, team_of_three, size) -> None:
        """Each pair's figures per kind, the α over three reviewers, then all reports pooled; the pair's detail below."""
        assert snap_compare(make_app(team_of_three), terminal_size=size, run_before=agreement)


class TestAdjudicationScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_opened(self, snap_compare, team, size) -> None:
        """The two agreed places pre-accepted; the cursor on the first open one: the strike, graded C3 and D4."""
        db, report_id = team
        assert snap_compare(make_app(db), terminal_size=size, run_before=opening(report_id))

    @pytest.mark.parametrize("size", SIZES)
    def test_decided(self, snap_compare, team, size) -> None:
        """Bob's grade taken (2), then the mention only alice made rejected (x): the cursor on the next open place."""
        db, report_id = team
        assert snap_compare(make_app(db), terminal_size=size, run_before=opening(report_id, "2", "x"))


class TestLibraryWithAssignees:
    @pytest.mark.parametrize("size", SIZES)
    def test_assigned_column(self, snap_compare, team, size) -> None:
        db, report_id = team
        Session(db).assign([db.report(report_id)], ["carol", "alice"])
        assert snap_compare(make_app(db), terminal_size=size, run_before=settle)

    def test_assigned_to_me(self, snap_compare, team) -> None:
        """`m`: only the reports assigned to carol (who runs it)."""
        db, report_id = team
        Session(db).assign([db.report(report_id)], ["carol"])

        async def mine(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("m")
            await settle(pilot)

        assert snap_compare(make_app(db), terminal_size=(80, 24), run_before=mine)
