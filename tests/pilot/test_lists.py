"""Lists, tables and the palette: j/k/g/G, and page keys that come before the first layout (Textual 8.2.8's KeyError)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.command import CommandList
from textual.widgets import DataTable, Label, OptionList

from tests.pilot.test_annotate import sync
from tui.palette import SafeCommandPalette
from tui.widgets.lists import NavOptionList
from tui.widgets.tables import NavTable


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("a bare app")


async def page_down_before_layout(app: App[None], widget: OptionList | DataTable[object]) -> None:
    """Mount `widget`, highlight an entry and page down in the same turn, before any layout: as a key burst does."""
    await app.mount(widget)
    if isinstance(widget, OptionList):
        widget.highlighted = 3
    await app.run_action("page_down", widget)
    await app.run_action("page_up", widget)


@sync
async def test_textual_still_crashes_on_a_page_key_before_the_first_layout() -> None:
    """The canary: when Textual fixes `OptionList._move_page`, this fails, and the guards can go."""
    app = Bare()
    with pytest.raises(KeyError):
        async with app.run_test() as pilot:
            await page_down_before_layout(app, OptionList(*[f"option {n}" for n in range(50)]))
            await pilot.pause()


@sync
async def test_our_lists_and_tables_ignore_page_keys_until_laid_out() -> None:
    app = Bare()
    async with app.run_test() as pilot:
        await page_down_before_layout(app, NavOptionList(*[f"option {n}" for n in range(50)]))
        table = NavTable()
        table.add_column("x")
        table.add_rows([[str(n)] for n in range(50)])
        await page_down_before_layout(app, table)
        await pilot.pause()
        assert app.is_running
        options = app.query_one(NavOptionList)
        options.focus()
        await pilot.press("pagedown", "j", "k", "G", "g", "j")
        assert options.highlighted == 1  # page keys work once laid out, and so do j/k/g/G


@sync
async def test_the_command_palette_ignores_page_keys_until_its_list_is_laid_out() -> None:
    app = Bare()
    async with app.run_test() as pilot:
        palette = SafeCommandPalette()
        await app.push_screen(palette)
        command_list = palette.query_one(CommandList)
        command_list.add_options([f"command {n}" for n in range(50)])
        command_list.highlighted = 3
        if not command_list.scrollable_content_region:
            assert palette.check_action("command_list", ("page_down",)) is False
        await app.run_action("command_list('page_down')", palette)
        await pilot.pause()
        assert app.is_running
        assert palette.check_action("command_list", ("page_down",)) is not False  # laid out now: the key works
