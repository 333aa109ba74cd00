"""What the library and report screens look like, at 80×24 (panel below) and 120×40 (panel beside).

The reports are this project's sample reports (not the seed), so the snapshots do
not depend on ../shared. The database sits at the relative path `db` inside
tmp_path, so the library's subtitle (the database path) is the same on every run.
Update with `pytest tests/snapshots --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from store.db import Database
from tests.conftest import SAMPLES
from tui.app import ClaimdeskApp, make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def sample_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(tmp_path)
    db = Database(Path("db"), reviewer="tester")
    # The text samples: the web page, PDF and Word samples are the same reports again
    # (tested by tests/unit/test_format_*.py) and would only crowd the library.
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".txt", ".md"):
            db.add_report(path)
    return db


async def settle(pilot: Pilot) -> None:
    """Let background work (progress, loading) report back before the screenshot."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def keys_then_settle(*keys: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def report_app(db: Database) -> ClaimdeskApp:
    return make_app(db, report_id="dispatch_harbour_drones")


class TestLibraryScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_library(self, snap_compare, sample_db, size) -> None:
        assert snap_compare(make_app(sample_db), terminal_size=size, run_before=settle)

    def test_empty_library(self, snap_compare, tmp_path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        assert snap_compare(make_app(Database(Path("db"), reviewer="tester")), terminal_size=(80, 24), run_before=settle)


class TestReportScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_first_paragraph(self, snap_compare, sample_db, size) -> None:
        """The top of a dispatch: the first paragraph current, its notes under it, the panel."""
        assert snap_compare(report_app(sample_db), terminal_size=size, run_before=settle)

    @pytest.mark.parametrize("size", SIZES)
    def test_next_section(self, snap_compare, sample_db, size) -> None:
        """`]`: paragraph 4, the first under the heading "Claims By The Coastal Resistance Front"."""
        assert snap_compare(report_app(sample_db), terminal_size=size, run_before=keys_then_settle("right_square_bracket"))

    def test_note_over_two_blocks(self, snap_compare, sample_db) -> None:
        """Paragraph 5 cites note 5, which runs over two blocks: both are shown under it."""
        assert snap_compare(report_app(sample_db), terminal_size=(80, 24), run_before=keys_then_settle("right_square_bracket", "j"))

    def test_panel_hidden_when_narrow(self, snap_compare, sample_db) -> None:
        """`p` at 80×24: the text takes the whole screen."""
        assert snap_compare(report_app(sample_db), terminal_size=(80, 24), run_before=keys_then_settle("p"))

    def test_markdown_report_opened_from_the_library(self, snap_compare, sample_db) -> None:
        """The library's second row (newest first) is the Markdown sample; enter opens it."""
        assert snap_compare(make_app(sample_db), terminal_size=(120, 40), run_before=keys_then_settle("down", "enter"))
