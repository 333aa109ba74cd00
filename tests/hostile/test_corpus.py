"""Every report of the hostile corpus parses (or is rejected in one line) and renders literally, headlessly."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from store.db import Database
from store.errors import IngestError
from store.ingest import parse_file
from store.text import has_control
from tests.hostile.corpus import CASES, Case
from tests.hostile.screen import screen_lines
from tui.app import make_app
from tui.screens.report import ReportScreen

SIZE = (100, 50)  # tall enough for every case's first paragraphs; 80x24 is tested end to end
# What must never be on screen: C0 controls but LF (tab is drawn as a space), DEL, C1 controls, lone surrogates.
CONTROL_ON_SCREEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

ACCEPTED = [case for case in CASES if case.rejects is None]
REJECTED = [case for case in CASES if case.rejects is not None]


def written(case: Case, folder: Path) -> Path:
    path = folder / case.name
    path.write_bytes(case.build())
    return path


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_parses_into_clean_text(case: Case, tmp_path: Path) -> None:
    parsed, _ = parse_file(written(case, tmp_path))
    texts = [parsed.title, *parsed.headings, *(p.text for p in parsed.paragraphs), *(n.text for n in parsed.footnotes)]
    assert not [t for t in texts if has_control(t)], "a control character survived ingestion"
    if case.paragraphs is not None:
        assert len(parsed.paragraphs) == case.paragraphs
    if case.warns:
        assert any(case.warns in warning for warning in parsed.warnings)
    else:
        assert not [w for w in parsed.warnings if "UTF-8" in w]


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.name)
def test_is_rejected_with_one_line(case: Case, tmp_path: Path, db: Database) -> None:
    path = written(case, tmp_path)
    with pytest.raises(IngestError) as raised:
        db.add_report(path)
    assert case.rejects in str(raised.value) and "\n" not in str(raised.value)
    assert db.reports() == []
    claimdesk = Path(sys.executable).with_name("claimdesk")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK", "XDG_"))}
    env.update(HOME=str(tmp_path), CLAIMDESK_CONFIG=str(tmp_path / "no-config.toml"))
    result = subprocess.run(
        [str(claimdesk), "--db", str(tmp_path / "cli-db"), "add", str(path)], capture_output=True, timeout=60, env=env
    )
    assert result.returncode == 1
    assert result.stderr.decode().count("\n") == 1 and case.rejects in result.stderr.decode()


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_renders_literally(case: Case, tmp_path: Path, db: Database) -> None:
    report_id = db.add_report(written(case, tmp_path)).report.id

    async def run() -> list[str]:
        app = make_app(db, report_id=report_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen), "the report did not open (or [@click=…] in it did something)"
            lines = screen_lines(app)
            if case.paragraphs and case.paragraphs > 1:
                await pilot.press("G")  # the last paragraph, drawn as well
                await pilot.pause()
                lines += screen_lines(app)
            assert app.return_code is None, "the app exited"
            return lines

    lines = asyncio.run(run())
    missing = [needle for needle in case.shows if not any(needle in line for line in lines)]
    assert not missing, f"not shown literally: {missing!r}; the screen:\n" + "\n".join(lines)
    assert not [line for line in lines if CONTROL_ON_SCREEN.search(line)], "a control character reached the screen"


def test_the_last_of_ten_thousand_paragraphs_is_reachable(tmp_path: Path, db: Database) -> None:
    case = next(c for c in CASES if c.name == "many_paragraphs.txt")
    report_id = db.add_report(written(case, tmp_path)).report.id

    async def run() -> list[str]:
        app = make_app(db, report_id=report_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await pilot.pause()
            return screen_lines(app)

    assert any("Paragraph 10000." in line for line in asyncio.run(run()))
