"""The actor picker: fuzzy completion over names and aliases, and creation in a few keys.

The picker only answers (an actor's id, or `NewActor(name, type)` to create); it never writes.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

from textual.widgets import Input, OptionList

from store.model import NewActor
from tui.app import make_app
from tui.dialogs.actor_picker import ActorPicker


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def open_picker(pilot: Any, db: Any, query: str, **kwargs: Any) -> list[Any]:
    answers: list[Any] = []
    pilot.app.push_screen(ActorPicker(db.actors(), query, **kwargs), answers.append)
    await pilot.pause()
    return answers


def visible_options(picker: ActorPicker) -> list[str]:
    options = picker.query_one("#picker-matches", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@sync
async def test_pick_existing_actor_by_a_variant_spelling(db) -> None:
    sayyed, _ = db.save_actor(db.new_actor("Sayyed Al-Shuhada Brigades", "armed_group"))
    db.save_actor(db.new_actor("Arabic Post", "media"))
    db.save_actor(db.new_actor("Akram Al-Ka’abi", "person"))
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        answers = await open_picker(pilot, db, "Sayyid Al-Shuhada Brigades")
        picker = app.screen
        assert isinstance(picker, ActorPicker)
        assert picker.query_one("#picker-query", Input).value == "Sayyid Al-Shuhada Brigades"
        shown = visible_options(picker)
        assert shown[0].startswith("Sayyed Al-Shuhada Brigades")
        assert shown[-1].startswith("+ create new actor “Sayyid Al-Shuhada Brigades”")
        await pilot.press("enter")
        await pilot.pause()
    assert answers == [sayyed.id]


@sync
async def test_typing_narrows_the_list_and_arrows_choose(db) -> None:
    db.save_actor(db.new_actor("Arabic Post", "media"))
    kaabi, _ = db.save_actor(db.new_actor("Akram Al-Ka’abi", "person"))
    kataib, _ = db.save_actor(db.new_actor("Kata'ib Hezbollah", "armed_group"))
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        answers = await open_picker(pilot, db, "")
        picker = app.screen
        assert [s.split("  ")[0] for s in visible_options(picker)] == ["Akram Al-Ka’abi", "Arabic Post", "Kata'ib Hezbollah"]
        await pilot.press("k", "a")
        names = [s.split("  ")[0] for s in visible_options(picker)]
        assert names[:2] == ["Kata'ib Hezbollah", "Akram Al-Ka’abi"]
        assert "Arabic Post" not in names
        await pilot.press("down", "enter")
        await pilot.pause()
    assert answers == [kaabi.id]
    assert kataib.id != kaabi.id


@sync
async def test_alias_that_matched_is_shown(db) -> None:
    db.save_actor(db.new_actor("Kata'ib Hezbollah", "armed_group", aliases=("Hezbollah Brigades", "KH")))
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot, db, "Hizbollah Brigades")
        first = visible_options(app.screen)[0]
        assert "Kata'ib Hezbollah" in first
        assert "armed group or militia" in first
        assert "matched “Hezbollah Brigades”" in first
        assert "aka KH" in first


@sync
async def test_create_actor_in_few_keys(db) -> None:
    db.save_actor(db.new_actor("Arabic Post", "media"))
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        answers = await open_picker(pilot, db, "Trabic Post")
        await pilot.press("ctrl+n", "6")  # new, and its type's digit answers
        await pilot.pause()
    assert answers == [NewActor("Trabic Post", "media")]
    assert [a.name for a in db.actors()] == ["Arabic Post"]  # the screen that asked creates it, with what names it


@sync
async def test_create_entry_is_offered_when_nothing_matches(db) -> None:
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        answers = await open_picker(pilot, db, "  Abu Fadak\nAl-Mohammadawi ")
        picker = app.screen
        assert visible_options(picker) == ["+ create new actor “Abu Fadak Al-Mohammadawi”  ^n"]  # the key as the app shows it
        await pilot.press("enter")  # the create entry: choose a type
        assert picker.creating
        await pilot.press("1", "enter")
        await pilot.pause()
    assert answers == [NewActor("Abu Fadak Al-Mohammadawi", "person")]


@sync
async def test_escape_leaves_creation_then_cancels(db) -> None:
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        answers = await open_picker(pilot, db, "Nobody")
        picker = app.screen
        await pilot.press("ctrl+n")
        assert picker.creating
        await pilot.press("escape")
        assert not picker.creating
        assert picker.query_one("#picker-query", Input).has_focus
        await pilot.press("escape")
        await pilot.pause()
    assert answers == [None]
    assert db.actors() == []


@sync
async def test_digits_type_into_the_name_while_searching(db) -> None:
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        answers = await open_picker(pilot, db, "", default_type="armed_group")
        await pilot.press(*"Brigade 313", "ctrl+n", "enter")
        await pilot.pause()
    assert answers == [NewActor("Brigade 313", "armed_group")]


@sync
async def test_names_are_shown_as_plain_text(db) -> None:
    db.save_actor(db.new_actor("[bold]Not markup[/bold] [link=x]", "other"))
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot, db, "not markup")
        assert visible_options(app.screen)[0].startswith("[bold]Not markup[/bold] [link=x]")
