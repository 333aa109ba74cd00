"""Lists, tables and the palette: j/k/g/G, and page keys that come before the first layout (Textual 8.2.8's KeyError)."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.command import CommandList
from textual.widgets import DataTable, Label, OptionList

from tests.pilot.test_annotate import sync
from tui.palette import SafeCommandPalette
from tui.widgets.entry_list import Entry, EntryList
from tui.widgets.line_list import LineList
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


class TwoLists(App[None]):
    CSS = """
    LineList > .line-list--cursor { background: $accent 40%; }
    LineList:focus > .line-list--cursor { background: $accent 60%; }
    """

    def compose(self) -> ComposeResult:
        yield EntryList(id="entries")
        yield LineList(id="lines")

    def on_mount(self) -> None:
        self.query_one(EntryList).set_options([Entry.of(Text("first")), None, Entry.of(Text("second"))])
        self.query_one(LineList).set_rows(2, lambda index, _width: Text(f"row {index}"))


def backgrounds(widget: EntryList | LineList, y: int) -> set[str]:
    return {str(segment.style.bgcolor) for segment in widget.render_line(y) if segment.style and segment.style.bgcolor}


@sync
async def test_a_lists_highlight_shows_whether_the_list_has_the_focus_and_a_divider_is_faint() -> None:
    app = TwoLists()
    async with app.run_test() as pilot:
        entries, lines = app.query_one(EntryList), app.query_one(LineList)
        entries.highlighted = 0
        entries.focus()
        await pilot.pause()
        entries_focused, lines_blurred = backgrounds(entries, 0), backgrounds(lines, 0)
        lines.focus()
        await pilot.pause()
        entries_blurred, lines_focused = backgrounds(entries, 0), backgrounds(lines, 0)
        assert entries_focused != entries_blurred and lines_focused != lines_blurred
        assert entries_blurred != backgrounds(entries, 2)  # still marked, unfocused, apart from the other rows
        divider = next(segment.style for segment in entries.render_line(1) if segment.text.strip())
        text = next(segment.style for segment in entries.render_line(2) if segment.text.strip())
        assert divider.color != text.color  # the divider in its faint colour ($foreground 15%), not the text's
