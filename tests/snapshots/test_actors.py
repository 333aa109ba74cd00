"""Snapshots of the actor registry screen and the actor picker, at 80×24 and 120×40."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from store.model import Claim, Kind, Span
from tui.app import make_app
from tui.dialogs.actor_form import ActorForm
from tui.dialogs.actor_picker import ActorPicker
from tui.dialogs.confirm import ConfirmDialog

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

REPORT = """Militia statements

The Sayyid Al-Shuhada Brigades said the convoy was hit near the border, according to Arabic Post.

Trabic Post later quoted Akram Al-Ka’abi denying it.
"""


def seed(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "statements.txt"
    path.write_text(REPORT, encoding="utf-8")
    report = db.add_report(path).report
    iran, _ = db.save_actor(db.new_actor("Islamic Republic of Iran", "state", aliases=("Iran",)))
    sayyid, _ = db.save_actor(db.new_actor("Sayyid Al-Shuhada Brigades", "armed_group", affiliation=iran.id))
    db.save_actor(db.new_actor("Sayyed Al-Shuhada Brigades", "armed_group", aliases=("Kataib Sayyid Al-Shuhada", "KSS")))
    post, _ = db.save_actor(db.new_actor("Arabic Post", "media", note="London-based news site"))
    db.save_actor(db.new_actor("Akram Al-Ka’abi", "person", aliases=("Akram Kaabi",)))
    text = db.open_report(report.id).paragraphs[0].text
    start = text.index("Sayyid")
    span = Span.of(text, start, start + len("Sayyid Al-Shuhada Brigades"))
    db.save_annotation(db.new_annotation(Kind.ACTOR, report, 1, span=span, actor_id=sayyid.id))
    db.save_annotation(
        db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim("The convoy was hit.", "event", sayyid.id, post.id))
    )


async def steady(pilot: Any, screen_type: type | None = None) -> None:
    """Wait for `screen_type` to be on top; then stop cursors blinking, so a screenshot taken later looks the same."""
    for _ in range(50):
        if screen_type is None or isinstance(pilot.app.screen, screen_type):
            break
        await pilot.pause(0.05)
    assert screen_type is None or isinstance(pilot.app.screen, screen_type)
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    # A blink already under way when blinking stopped may still hide the cursor: let it happen,
    # then blur and focus the field again, which shows its cursor with the blink timer stopped.
    await pilot.pause(0.6)
    focused = pilot.app.focused
    if isinstance(focused, (Input, TextArea)):
        focused.blur()
        await pilot.pause()
        focused.focus()
    await pilot.pause()


async def open_actors(pilot: Any) -> None:
    from tui.screens.actors import ActorsScreen
    from tui.screens.library import LibraryScreen

    await steady(pilot, LibraryScreen)  # the first screen is up (it is pushed once the app has started)
    await pilot.press("A")
    await steady(pilot, ActorsScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


class TestActorsSnapshots:
    @pytest.mark.parametrize("size", SIZES)
    def test_actors_screen(self, snap_compare, db, tmp_path, size) -> None:
        seed(db, tmp_path)

        async def run_before(pilot: Any) -> None:
            await open_actors(pilot)
            await pilot.press("down", "down", "down", "down")  # Sayyid: a mention and a claimant
            await steady(pilot)

        assert snap_compare(make_app(db), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_actors_screen_merging(self, snap_compare, db, tmp_path, size) -> None:
        seed(db, tmp_path)

        async def run_before(pilot: Any) -> None:
            await open_actors(pilot)
            await pilot.press("down", "down", "down", "down", "m", "up", "m")
            await steady(pilot, ConfirmDialog)

        assert snap_compare(make_app(db), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_actor_form(self, snap_compare, db, tmp_path, size) -> None:
        seed(db, tmp_path)

        async def run_before(pilot: Any) -> None:
            await open_actors(pilot)
            await pilot.press("down", "down", "down", "e")  # Sayyed, which has aliases
            await steady(pilot, ActorForm)

        assert snap_compare(make_app(db), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_picker_completion(self, snap_compare, db, tmp_path, size) -> None:
        """The picker opened on a selected span with another spelling: both variants and the alias that matched."""
        seed(db, tmp_path)

        async def run_before(pilot: Any) -> None:
            await open_actors(pilot)
            app = pilot.app
            app.push_screen(ActorPicker(db.actors(), "Kataib Sayyid Al-Shuhada", title="Actor mentioned"))
            await steady(pilot, ActorPicker)

        assert snap_compare(make_app(db), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_picker_creating(self, snap_compare, db, tmp_path, size) -> None:
        seed(db, tmp_path)

        async def run_before(pilot: Any) -> None:
            await open_actors(pilot)
            app = pilot.app
            app.push_screen(ActorPicker(db.actors(), "Abu Fadak Al-Mohammadawi"))
            await steady(pilot, ActorPicker)
            await pilot.press("ctrl+n", "down")  # the types, person highlighted: a digit would answer
            await steady(pilot, ActorPicker)

        assert snap_compare(make_app(db), terminal_size=size, run_before=run_before)
