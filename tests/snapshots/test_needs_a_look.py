"""Needs a look (issue 12): the list of what a new revision could not place, and the status line while placing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import Database
from store.model import Span
from store.session import Session
from tests.snapshots.test_panels import SIZES, keys
from tui.app import make_app

FIGURE = "The militia said on Tuesday that 5,000 fighters had reached the crossing."
DENIAL = "Officials in the capital denied any involvement, calling the account a fabrication."


def corrected(tmp_path: Path) -> tuple[Database, str]:
    path = tmp_path / "crossing.txt"
    path.write_text(f"A crossing disputed\n\n{FIGURE}\n\n{DENIAL}\n", encoding="utf-8")
    db = Database(tmp_path / "db", reviewer="snap")
    session = Session(db)
    report = session.add_report(path)[0].report
    start = DENIAL.index("denied")
    session.add_claim(report, 2, Span.of(DENIAL, start, start + 22), "Officials denied any involvement", "denial")
    session.add_claim(report, 1, Span.of(FIGURE, FIGURE.index("5,000"), FIGURE.index("5,000") + 14), "5,000 fighters", "figure")
    path.write_text(f"A crossing disputed\n\n{FIGURE.replace('5,000', 'about six thousand')}\n\nOfficials declined to comment.\n",
                    encoding="utf-8")
    session.add_report(path)
    return db, report.id


def quietly(*presses: str):
    """The keys, with the toast opening the report gave ("2 annotations … could not be placed") already gone."""
    press = keys(*presses)

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.clear_notifications()
        await press(pilot)

    return run_before


class TestNeedsALook:
    @pytest.mark.parametrize("size", SIZES)
    def test_the_list(self, snap_compare, tmp_path, size) -> None:
        db, report_id = corrected(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=quietly("O"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_placing(self, snap_compare, tmp_path, size) -> None:
        db, report_id = corrected(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=quietly("O", "j", "enter", "w"), terminal_size=size)
