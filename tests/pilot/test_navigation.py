"""Reading a report with the keyboard: paragraphs, sections, focus, the panel, help, library."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from tests.conftest import SAMPLES
from tui.app import make_app
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.report import ReportScreen
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.entry_list import EntryList
from tui.widgets.paragraph_view import ParagraphView

WIDE = (120, 40)
NARROW = (80, 24)
SAMPLE_MARKDOWN = SAMPLES / "militia_statements_review.md"

# Indices (0-based) of the seed paragraphs that open each of its ten sections.
SEED_SECTION_STARTS = [5, 8, 11, 12, 17, 25, 30, 32, 33, 35]


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture
def seed_id(db, seed_path) -> str:
    return db.add_report(seed_path).report.id


@pytest.fixture
def sample_id(db) -> str:
    return db.add_report(SAMPLE_MARKDOWN).report.id


def view_of(app) -> ParagraphView:
    return app.screen.query_one(ParagraphView)


def panel_heading(app) -> str:
    return str(app.screen.query_one("#panel-heading", Static).render())


def visible_text(view: ParagraphView) -> list[str]:
    """The lines of the paragraph view as the user sees them."""
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def current_bar_lines(view: ParagraphView) -> list[str]:
    """The lines marked with the current-paragraph bar (its first row on screen)."""
    return [line for line in visible_text(view) if line.startswith("▌")]


class TestParagraphKeys:
    @sync
    async def test_j_k_and_arrows_move_one_paragraph(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            assert isinstance(app.screen, ReportScreen) and app.focused is view
            assert view.current == 0
            await pilot.press("j")
            assert view.current == 1
            await pilot.press("down", "down")
            assert view.current == 3
            await pilot.press("k")
            assert view.current == 2
            await pilot.press("up", "up", "up")
            assert view.current == 0  # stays on the first paragraph
            assert panel_heading(app).startswith("¶ 1  unreviewed")

    @sync
    async def test_g_and_shift_g_go_to_first_and_last(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            await pilot.press("G")
            assert view.current == 37
            assert panel_heading(app).startswith("¶ 38 ")
            assert any(line.startswith("▌  38 ") for line in visible_text(view))
            await pilot.press("j")
            assert view.current == 37  # no further than the last
            await pilot.press("g")
            assert view.current == 0
            assert visible_text(view)[0].startswith("▌   1  Against the backdrop of the fighting")
            await pilot.press("end")
            assert view.current == 37
            await pilot.press("home")
            assert view.current == 0

    @sync
    async def test_the_current_paragraph_stays_on_screen(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=NARROW) as pilot:
            view = view_of(app)
            for number in range(2, 39):
                await pilot.press("j")
                bars = current_bar_lines(view)
                assert len(bars) == 1, f"paragraph {number} is not visible"  # one bar: on its first row on screen
                assert bars[0].startswith(f"▌{number:>4} ") or (view.top, view.top_line > 0) == (number - 1, True)

    @sync
    async def test_footnotes_stand_under_the_paragraphs_that_cite_them(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            await pilot.press("]", "]", "j")  # paragraph 10 cites [8] and [9]
            assert view.current == 9
            lines = visible_text(view)
            assert "       [8] , October 19, 2023." in lines
            assert "       [9] , October 19, 2023." in lines
            await pilot.press("k")  # still there: moving never shifts the rows below
            assert visible_text(view)[1:] == lines[1:] or "       [8] , October 19, 2023." in visible_text(view)
            assert "(no note)" not in "\n".join(lines)  # a marker without a note has no row

    @sync
    async def test_page_down_and_up_take_the_current_paragraph_along(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            await pilot.pause()  # suggestions and candidates are drawn from the second frame on
            first_screen = visible_text(view)
            await pilot.press("pagedown")
            paged = visible_text(view)
            assert paged != first_screen and view.current > 0
            number = view.current + 1
            assert any(line.startswith(f"▌{number:>4}") for line in paged)  # the current paragraph is on the page
            assert panel_heading(app).startswith(f"¶ {number} ")
            await pilot.press("j")  # the next paragraph after it, not back at the top
            assert view.current == number
            await pilot.press("k", "pageup")
            assert visible_text(view) == first_screen and view.current == 0


class TestSections:
    @sync
    async def test_right_bracket_visits_every_section_of_the_seed(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            visited = []
            for _ in SEED_SECTION_STARTS:
                await pilot.press("]")
                visited.append(view.current)
            assert visited == SEED_SECTION_STARTS
            await pilot.press("]")
            assert view.current == 35  # no section after the last one
            assert any("Reports In Arab Media On Forces Headed For Israeli Border" in line for line in visible_text(view))

    @sync
    async def test_left_bracket_goes_to_the_start_of_this_section_then_the_one_before(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            await pilot.press("]", "]", "j", "j")  # inside the second section
            assert view.current == 10
            await pilot.press("[")
            assert view.current == 8
            await pilot.press("[")
            assert view.current == 5
            await pilot.press("[")
            assert view.current == 0  # the paragraphs before the first heading
            await pilot.press("[")
            assert view.current == 0

    @sync
    async def test_headings_are_shown_above_their_first_paragraph(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("]")
            screen = "\n".join(visible_text(view_of(app)))
            assert "Senior Members Of Iran-Backed Shi’ite Militias In Iraq: We Have A" in screen
            assert panel_heading(app).startswith("¶ 6 ")

    @sync
    async def test_sections_of_a_markdown_sample(self, db, sample_id) -> None:
        parsed = db.open_report(sample_id).parsed
        starts = [i for i, p in enumerate(parsed.paragraphs) if i and p.section != parsed.paragraphs[i - 1].section]
        assert len(starts) >= 2
        app = make_app(db, report_id=sample_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            visited = []
            for _ in starts:
                await pilot.press("]")
                visited.append(view.current)
            assert visited == starts
            assert view.paragraphs[view.current].section == parsed.headings[-1]
            opening = ([0] if parsed.paragraphs[0].section else []) + starts
            await pilot.press("[")
            assert view.current == opening[-2]
            await pilot.press("[")
            assert view.current == opening[-3]


class TestFocusAndPanel:
    @sync
    async def test_tab_moves_focus_between_text_and_panel(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            view = view_of(app)
            assert app.focused is view
            await pilot.press("tab")
            assert isinstance(app.focused, EntryList) and app.focused.id == "annotation-list"
            await pilot.press("j")  # keys now go to the panel, not the text
            assert view.current == 0
            await pilot.press("tab")
            assert app.focused is view
            await pilot.press("j")
            assert view.current == 1

    @sync
    async def test_panel_follows_the_current_paragraph(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            assert panel_heading(app) == "¶ 1  unreviewed  ·  0 annotations"
            await pilot.press("G")
            assert panel_heading(app) == "¶ 38  unreviewed  ·  0 annotations"
            options = app.screen.query_one("#annotation-list", EntryList)
            assert "No annotations yet" in str(options.get_option_at_index(0).prompt)

    @sync
    async def test_p_hides_and_shows_the_panel(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            panel = app.screen.query_one(AnnotationPanel)
            view = view_of(app)
            assert panel.display and view.size.width < 120
            await pilot.press("p")
            assert not panel.display
            assert view.size.width == 120  # the text takes the whole width
            await pilot.press("p")
            assert panel.display and view.size.width < 120

    @sync
    async def test_tab_with_the_panel_hidden_brings_it_back(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.press("p")
            panel = app.screen.query_one(AnnotationPanel)
            assert not panel.display
            await pilot.press("tab")
            assert panel.display
            assert app.focused is not None and app.focused.id == "annotation-list"
            await pilot.press("tab", "p")
            assert not panel.display and app.focused is view_of(app)

    @sync
    async def test_panel_beside_the_text_when_wide(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            view, panel = view_of(app).region, app.screen.query_one(AnnotationPanel).region
            assert panel.x >= view.right and panel.y == view.y
            assert view.width >= 70  # room to read

    @sync
    async def test_panel_below_the_text_when_narrow(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            view, panel = view_of(app).region, app.screen.query_one(AnnotationPanel).region
            assert panel.y >= view.bottom and panel.width == view.width == 80
            assert view.height >= 10 and panel.height >= 5

    @sync
    async def test_resizing_moves_the_panel(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.resize_terminal(*WIDE)
            await pilot.pause()
            view, panel = view_of(app).region, app.screen.query_one(AnnotationPanel).region
            assert panel.x >= view.right


class TestLibrary:
    @sync
    async def test_library_lists_reports_and_enter_opens_one(self, db, seed_id, sample_id) -> None:
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)
            table = app.screen.query_one(DataTable)
            assert app.focused is table
            assert table.row_count == 2
            titles = [str(table.get_row_at(i)[0]) for i in range(2)]
            assert titles[0].startswith("Militia statements on border deployments")  # newest first
            assert titles[1].startswith("Arab News Sites: Iran Running Joint Resistance")
            assert str(table.get_row_at(1)[1]) == "2023-10-19" and str(table.get_row_at(1)[2]) == "38"
            assert str(table.get_row_at(1)[3]) == "░░░░░░░░░░ 0/38"
            await pilot.press("down", "enter")
            assert isinstance(app.screen, ReportScreen)
            assert app.screen.report_id == seed_id
            assert app.screen.title.startswith("Arab News Sites")
            assert app.screen.sub_title.startswith("2023-10-19 · Dispatch No. 10888")

    @sync
    async def test_one_report_added_from_two_files_says_which_row_is_which(self, db, seed_id, sample_id) -> None:
        db.add_report(SAMPLE_MARKDOWN.with_suffix(".docx"))  # the same sample, as a Word file: the same title
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            titles = sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count))
            assert titles[0].startswith("Arab News Sites")  # a title of its own: as it was
            assert titles[1].startswith("[docx] Militia statements") and titles[2].startswith("[md] Militia statements")

    @sync
    async def test_escape_goes_back_to_the_library(self, db, seed_id, sample_id) -> None:
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("enter")
            assert isinstance(app.screen, ReportScreen) and app.screen.report_id == sample_id
            await pilot.press("escape")
            assert isinstance(app.screen, LibraryScreen)
            assert app.focused is app.screen.query_one(DataTable)

    @sync
    async def test_escape_from_a_report_opened_directly(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=NARROW) as pilot:
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, LibraryScreen)
            await pilot.press("enter")
            assert isinstance(app.screen, ReportScreen) and app.screen.report_id == seed_id

    @sync
    async def test_empty_library_says_how_to_add_a_report(self, db) -> None:
        app = make_app(db)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.press("enter")
            assert isinstance(app.screen, LibraryScreen)
            message = app.screen.query_one("#library-empty", Static)
            assert message.display and "claimdesk add FILE" in str(message.render())


class TestHelpAndQuit:
    @sync
    async def test_question_mark_lists_the_keys_that_work_here(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            rows = {binding_id: key for key, _description, binding_id in app.screen.rows if binding_id}
            assert rows["next_paragraph"] == "j, ↓"
            assert rows["previous_paragraph"] == "k, ↑"
            assert rows["first_paragraph"] == "g, home"
            assert rows["last_paragraph"] == "G, end"
            assert rows["next_section"] == "]"
            assert rows["previous_section"] == "["
            assert rows["toggle_focus"] == "tab"
            assert rows["toggle_panel"] == "p"
            assert rows["back_to_library"] == "esc"
            assert rows["quit"] == "^q, q"  # Textual's ctrl+q quits too
            assert rows["help"] == "?"
            await pilot.press("escape")
            assert isinstance(app.screen, ReportScreen)
            assert view_of(app).current == 0

    @sync
    async def test_help_follows_remapped_keys(self, db, seed_id) -> None:
        # Keys free in the report (n and e would clash with the next hit and export: reported at start).
        app = make_app(db, report_id=seed_id, keymap={"next_paragraph": "ctrl+n", "previous_paragraph": "ctrl+k"})
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("ctrl+n", "ctrl+n", "ctrl+k")
            assert view_of(app).current == 1
            await pilot.press("question_mark")
            rows = {binding_id: key for key, _description, binding_id in app.screen.rows if binding_id}
            assert rows["next_paragraph"] == "^n"
            assert rows["previous_paragraph"] == "^k"

    @sync
    async def test_help_in_the_library(self, db, seed_id) -> None:
        app = make_app(db)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            ids = {binding_id for _key, _description, binding_id in app.screen.rows}
            assert {"refresh_library", "quit", "help"} <= ids
            assert "next_paragraph" not in ids  # only keys that work where you are

    @sync
    async def test_q_quits_from_a_report(self, db, seed_id) -> None:
        app = make_app(db, report_id=seed_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("j", "q")
            await pilot.pause()
            assert app.return_code == 0
            assert not app.is_running

    @sync
    async def test_q_quits_from_the_library(self, db) -> None:
        app = make_app(db)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.press("q")
            await pilot.pause()
            assert app.return_code == 0 and not app.is_running


@sync
async def test_library_moves_with_vim_keys(tmp_path, sample_paths) -> None:
    """j/k/g/G move through the library like through paragraphs."""
    from textual.widgets import DataTable

    from store.db import Database
    from tui.app import make_app

    db = Database(tmp_path / "db", reviewer="tester")
    for path in sample_paths:
        db.add_report(path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
