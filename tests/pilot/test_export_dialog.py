"""Exporting from the TUI: `e` or the command palette, a dialog for format and file, a notification."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Input

from store.formats import FORMATS
from tests.unit.test_export_support import sample_db
from tui.app import make_app
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.export_dialog import ExportChoice, ExportDialog
from tui.widgets.choice import DigitChoice

SIZE = (110, 36)


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def recording(app) -> list[dict[str, Any]]:
    """Every notification the app shows, as the keyword arguments it was given."""
    shown: list[dict[str, Any]] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        shown.append({"message": message, **kwargs})
        notify(message, **kwargs)

    app.notify = record
    return shown


async def finish(pilot) -> None:
    """Let the dialog close and its callback start the worker, wait for the worker, then for its notification."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def records(path: Path) -> list[dict[str, Any]]:
    """The annotation lines of a native export (not the lines of the actors they name)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["record"] == "annotation"]


@sync
async def test_e_exports_every_report_from_the_library(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db)
    shown = recording(app)
    target = tmp_path / "out [bold]x.jsonl"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-format", DigitChoice).value == "jsonl"
        path_input = dialog.query_one("#export-path", Input)
        assert path_input.value.endswith("claimdesk-export.jsonl") and app.focused is path_input
        assert not dialog.query("#export-this-report")  # no report open: everything
        path_input.value = str(target)
        await pilot.press("enter")
        await finish(pilot)
        assert not isinstance(app.screen, ExportDialog)
    assert len(records(target)) == 5, shown
    [note] = shown
    assert note["markup"] is False and note["severity"] == "information"
    assert note["message"] == f"Exported 5 annotations from 2 reports as jsonl to {target}"


@sync
async def test_from_a_report_screen_the_default_is_that_report(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db, report_id="second")
    shown = recording(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        box = dialog.query_one("#export-this-report", Checkbox)
        assert box.value is True and "Second report" in str(box.label)
        path_input = dialog.query_one("#export-path", Input)
        assert Path(path_input.value).name == "second.jsonl"
        dialog.folder = tmp_path
        path_input.value = "second.jsonl"  # relative: in the dialog's folder
        await pilot.click("#export-go")
        await finish(pilot)
    assert {r["report"]["id"] for r in records(tmp_path / "second.jsonl")} == {"second"}
    assert "Exported 1 annotation from 1 report" in shown[0]["message"]


@sync
async def test_format_choice_renames_the_suggested_file_and_csv_is_written(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db, report_id="first")
    recording(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        dialog = app.screen
        path_input = dialog.query_one("#export-path", Input)
        await pilot.press("shift+tab", "shift+tab", str(list(FORMATS).index("csv") + 1))  # back to the format; csv's digit
        await pilot.pause()
        assert Path(path_input.value).name == "first.csv"
        dialog.query_one("#export-this-report", Checkbox).value = False
        await pilot.pause()
        assert Path(path_input.value).name == "claimdesk-export.csv"
        path_input.value = str(tmp_path / "all.csv")
        await pilot.press("enter", "enter")  # the digit moved on to the checkbox: enter to the file, enter exports
        await finish(pilot)
    raw = (tmp_path / "all.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,kind,") and raw.count(b"\r\n") == 6  # a header and 5 rows


@sync
async def test_brat_goes_into_a_folder(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db)
    shown = recording(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        dialog = app.screen
        dialog.query_one("#export-format", DigitChoice).value = "brat"
        await pilot.pause()
        assert str(dialog.query_one("#export-path-label").render()) == "Folder"
        dialog.query_one("#export-path", Input).value = str(tmp_path / "brat")
        await pilot.press("enter")
        await finish(pilot)
    assert (tmp_path / "brat" / "first.ann").is_file() and (tmp_path / "brat" / "second.txt").is_file()
    assert shown[0]["message"].endswith(f"as brat to {tmp_path / 'brat'}")


@sync
async def test_escape_cancels_and_nothing_is_written(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db)
    shown = recording(app)
    answers: list[ExportChoice | None] = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ExportDialog(folder=tmp_path), answers.append)
        await pilot.pause()
        await pilot.press("escape")
        await finish(pilot)
        assert not isinstance(app.screen, ExportDialog)
    assert answers == [None] and shown == [] and list(tmp_path.iterdir()) == [db.root]


@sync
async def test_an_empty_name_is_refused_in_the_dialog(db, tmp_path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = "  "
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "Give a file name." in str(dialog.query_one("#export-error").render())


@sync
async def test_a_failure_is_a_notification_not_a_crash(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db)
    shown = recording(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        (tmp_path / "a file").write_text("not a folder")
        typed = str(tmp_path / "a file" / "[red]x.jsonl")
        app.screen.query_one("#export-path", Input).value = typed
        await pilot.press("enter")
        await finish(pilot)
        assert app.is_running
        [note] = shown
        assert note["severity"] == "error" and note["markup"] is False
        assert note["message"].startswith("Export failed: ") and "[red]x.jsonl" in note["message"]
        await pilot.press("e")  # the path typed comes back, to be corrected
        assert app.screen.query_one("#export-path", Input).value == typed


@sync
async def test_the_folder_of_the_last_export_is_the_next_default_else_home(db, tmp_path, monkeypatch) -> None:
    sample_db(db)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    app = make_app(db)
    recording(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        path_input = app.screen.query_one("#export-path", Input)
        assert path_input.value == str(home / "claimdesk-export.jsonl")  # never the current directory
        out = tmp_path / "exports"
        out.mkdir()
        path_input.value = str(out / "mine.jsonl")
        await pilot.press("enter")
        await finish(pilot)
        await pilot.press("e")
        assert app.screen.query_one("#export-path", Input).value == str(out / "mine.jsonl")  # same reports: the same path
    app = make_app(db, report_id="first")  # another session, from a report: that folder, the report's file
    recording(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        assert app.screen.query_one("#export-path", Input).value == str(out / "first.jsonl")


@sync
async def test_a_missing_folder_is_created_when_the_analyst_says_so(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db)
    shown = recording(app)
    target = tmp_path / "new" / "deeper" / "all.jsonl"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # not this folder: the dialog stays, with what was typed
        assert app.screen is dialog and dialog.query_one("#export-path", Input).value == str(target)
        assert "does not exist" in str(dialog.query_one("#export-error").render())
        await pilot.press("enter", "y")
        await finish(pilot)
    assert len(records(target)) == 5 and "Exported 5" in shown[0]["message"]


@sync
async def test_command_palette_offers_the_export(db, tmp_path) -> None:
    sample_db(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Export annotations" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export annotations")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)


@sync
async def test_the_export_binding_is_remappable_and_listed(db) -> None:
    from tui.screens.help import active_bindings_rows

    app = make_app(db, keymap={"export": "x"})
    async with app.run_test(size=SIZE) as pilot:
        assert ("x", "Export", "export") in active_bindings_rows(app)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
