"""Large reports open and move as small ones do: 10,000 paragraphs, and one paragraph of 1 MB.

Every assertion is on what the analyst sees: the rows of the text view (through
the Line API, as the screen draws them), the panel's heading and the status line.
How fast is the benchmarks' business (`python -m bench large keys`), not this file's.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import re
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from bench.generate import (
    LARGE_FIRST_WORDS,
    LARGE_PARAGRAPHS,
    ONE_PARAGRAPH_FIRST_WORDS,
    large_dispatch_text,
    marks_in,
    one_paragraph_text,
)
from tests.conftest import ROOT
from tui.app import make_app
from tui.text_layout import WrappedText
from tui.widgets import paragraph_view
from tui.widgets.paragraph_view import ParagraphView

SIZE = (120, 40)


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture
def large_id(db, tmp_path: Path) -> str:
    path = tmp_path / "large_dispatch.txt"
    path.write_text(large_dispatch_text(), encoding="utf-8")
    return db.add_report(path).report.id


@pytest.fixture
def one_paragraph_id(db, tmp_path: Path) -> str:
    path = tmp_path / "one_paragraph.txt"
    path.write_text(one_paragraph_text(), encoding="utf-8")
    return db.add_report(path).report.id


def rows(app) -> list[str]:
    """The text view's rows as drawn."""
    view = app.screen.query_one(ParagraphView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def current_rows(app) -> list[str]:
    """The current paragraph's rows on screen: from the one its bar marks down to the blank row that ends it."""
    drawn = rows(app)
    marked = [y for y, row in enumerate(drawn) if row.startswith("▌")]
    if len(marked) != 1:
        return []  # one bar, on the current paragraph's first row on screen
    end = next((y for y in range(marked[0], len(drawn)) if not drawn[y].strip()), len(drawn))
    return drawn[marked[0] : end]


def numbers_shown(app) -> list[int]:
    """The generated paragraphs' own numbers, `(n)`, on the rows of the view."""
    return [int(n) for row in rows(app) for n in re.findall(r"\((\d+)\) ", row)]


def panel_heading(app) -> str:
    return str(app.screen.query_one("#panel-heading", Static).render())


def status_line(app) -> str:
    return str(app.screen.query_one("#report-status", Static).render())


def current_is(app, number: int) -> None:
    """Paragraph `number` (1-based) is current, and the screen says so everywhere."""
    assert app.screen.query_one(ParagraphView).current == number - 1
    assert panel_heading(app).startswith(f"¶ {number} ")
    assert f"¶ {number}/" in status_line(app)
    assert current_rows(app), "the current paragraph is on screen"


class TestTenThousandParagraphs:
    @sync
    async def test_opens_on_the_first_paragraph(self, db, large_id) -> None:
        app = make_app(db, report_id=large_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            current_is(app, 1)
            assert LARGE_FIRST_WORDS in current_rows(app)[0]
            assert f"¶ 1/{LARGE_PARAGRAPHS:,}".replace(",", "") in status_line(app)

    @sync
    async def test_G_and_g_go_to_the_last_and_the_first(self, db, large_id) -> None:
        app = make_app(db, report_id=large_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            current_is(app, LARGE_PARAGRAPHS)
            assert any(f"({LARGE_PARAGRAPHS}) " in row for row in current_rows(app))
            shown = numbers_shown(app)
            assert max(shown) == LARGE_PARAGRAPHS and min(shown) > LARGE_PARAGRAPHS - 40
            drawn = rows(app)
            assert drawn[-1] == "" and drawn[-2].strip() and f"({LARGE_PARAGRAPHS}) " in "".join(drawn[-4:])  # the end, not past it
            await pilot.press("g")
            current_is(app, 1)
            assert LARGE_FIRST_WORDS in current_rows(app)[0]
            await pilot.press("end")
            current_is(app, LARGE_PARAGRAPHS)
            await pilot.press("home")
            current_is(app, 1)

    @sync
    async def test_j_and_k_move_one_paragraph_and_keep_it_in_view(self, db, large_id) -> None:
        app = make_app(db, report_id=large_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j", "j")
            current_is(app, 4)
            assert any("(4) " in row for row in current_rows(app))
            await pilot.press("k")
            current_is(app, 3)
            assert any("(3) " in row for row in current_rows(app))
            for _ in range(60):  # far past the first screen: the view follows
                await pilot.press("j")
            current_is(app, 63)
            assert any("(63) " in row for row in current_rows(app))
            assert 1 not in numbers_shown(app) and LARGE_FIRST_WORDS not in "".join(rows(app))
            await pilot.press("G", "k", "k")
            current_is(app, LARGE_PARAGRAPHS - 2)
            assert any(f"({LARGE_PARAGRAPHS - 2}) " in row for row in current_rows(app))

    @sync
    async def test_page_down_and_up_scroll_a_screen_and_take_the_current_paragraph_along(self, db, large_id) -> None:
        app = make_app(db, report_id=large_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()  # suggestions and candidates are drawn from the second frame on
            before = rows(app)
            await pilot.press("pagedown")
            after = rows(app)
            assert text_of(after[:2]) == text_of(before[-2:])  # a page is the view's height less two rows of overlap
            assert max(numbers_shown(app)) > max(numbers_shown_in(before))  # further into the report
            current = app.screen.query_one(ParagraphView).current
            assert current > 0
            current_is(app, current + 1)  # the first paragraph that starts on the new page, on screen
            await pilot.press("j")  # goes on from there, without jumping back
            current_is(app, current + 2)
            await pilot.press("k")
            assert rows(app) == after
            await pilot.press("ctrl+d")
            assert text_of(rows(app)[:2]) == text_of(after[-2:])
            await pilot.press("ctrl+u", "pageup")
            assert rows(app) == before
            current_is(app, 1)

    @sync
    async def test_sections_jump_to_their_first_paragraph(self, db, large_id) -> None:
        app = make_app(db, report_id=large_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("right_square_bracket")
            current_is(app, 101)  # a section heading every 100 paragraphs
            assert "Section 2 Of The Generated Dispatch" in "\n".join(rows(app))
            await pilot.press("G", "left_square_bracket")
            current_is(app, 9901)


def text_of(drawn: list[str]) -> list[str]:
    """Rows without the current-paragraph bar (it moves with the current paragraph; the text does not)."""
    return [row[1:] for row in drawn]


def numbers_shown_in(drawn: list[str]) -> list[int]:
    return [int(n) for row in drawn for n in re.findall(r"\((\d+)\) ", row)]


class TestOneMegabyteParagraph:
    @sync
    async def test_opens_on_its_first_words(self, db, one_paragraph_id) -> None:
        app = make_app(db, report_id=one_paragraph_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            current_is(app, 1)
            assert ONE_PARAGRAPH_FIRST_WORDS in current_rows(app)[0]
            drawn = rows(app)
            assert drawn[0].startswith("▌") and all(row.strip() for row in drawn)  # one paragraph fills the view

    @sync
    async def test_pages_down_through_it_and_back(self, db, one_paragraph_id, monkeypatch) -> None:
        wrapped_here: list[WrappedText] = []

        class Recorded(WrappedText):  # every wrapping the view makes, as text_layout's public WrappedText
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                wrapped_here.append(self)

        monkeypatch.setattr(paragraph_view, "WrappedText", Recorded)
        app = make_app(db, report_id=one_paragraph_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()  # suggestions and candidates are drawn from the second frame on
            first = rows(app)
            screens = [first]
            for _ in range(5):
                await pilot.press("ctrl+d")
                screens.append(rows(app))
            for previous, shown in itertools.pairwise(screens):
                assert text_of(shown[:2]) == text_of(previous[-2:])  # each page follows the last, two rows of overlap
                assert min(marks_in("".join(shown))) > max(marks_in("".join(previous[:-2])))
            # Six screens were wrapped, not the 12,000 lines of the whole paragraph: every wrapping of
            # its text was asked for fewer than 500 lines and none reached its end.
            assert wrapped_here and all(not w.done and len(w.lines) < 500 for w in wrapped_here)
            for _ in range(5):
                await pilot.press("ctrl+u")
            assert rows(app) == first
            await pilot.press("j", "G", "k")  # nowhere to go: one paragraph
            current_is(app, 1)
            assert rows(app) == first


class TestOpeningCost:
    """Opening a report does what its first screen needs, and no more."""

    def test_only_the_first_screen_is_imported_and_the_collector_resumes(self, tmp_path: Path) -> None:
        code = f"""
import asyncio, gc, sys
from pathlib import Path
from store.db import Database
from tui.app import make_app
db = Database(Path({str(tmp_path / "db")!r}), reviewer="tester")
report = db.add_report(Path({str(ROOT / "sample_reports" / "dispatch_harbour_drones.txt")!r})).report
gc.disable()  # as the CLI does before start-up
app = make_app(db, report_id=report.id)
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        print(type(app.screen).__name__, gc.isenabled())
        print(",".join(sorted(sys.modules)))
asyncio.run(main())
"""
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        screen_and_gc, modules = done.stdout.splitlines()[-2:]
        assert screen_and_gc == "ReportScreen True"  # on the report, and collecting garbage again
        loaded = set(modules.split(","))
        not_needed = {
            "rapidfuzz", "store.export", "tui.screens.library", "tui.screens.actors", "tui.screens.help",
            "tui.dialogs.claim_form", "tui.dialogs.confirm", "tui.dialogs.credibility_picker",
            "tui.dialogs.actor_picker", "tui.dialogs.export_dialog", "textual.widgets._text_area", "textual.widgets._data_table",
        }
        assert sorted(loaded & not_needed) == []
