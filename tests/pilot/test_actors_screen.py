"""The actors screen: list, filter, edit, merge (and its undo), mentions across reports."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Static, TextArea

from store.model import Claim, Kind, Span
from tests.hostile.screen import screen_lines
from tests.pilot.toasts import toasts
from tui.app import make_app
from tui.dialogs.actor_form import ActorForm
from tui.dialogs.actor_picker import ActorPicker
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.actors import ActorsScreen
from tui.widgets.choice import DigitChoice
from tui.widgets.entry_list import EntryList

REPORT_A = """Militia statements

The Sayyid Al-Shuhada Brigades said the convoy was hit near the border.

Arabic Post reported that the Sayyed Al-Shuhada Brigades denied it.
"""

REPORT_B = """Harbour drones

Trabic Post claimed that Sayyid Al-Shuhada Brigades drones were seen.
"""


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def add_report(db: Any, tmp_path: Path, name: str, text: str) -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return db.add_report(path).report


def mention(db: Any, report: Any, paragraph: int, quote: str, actor_id: str) -> Any:
    text = db.open_report(report.id).paragraphs[paragraph - 1].text
    start = text.index(quote)
    annotation, _ = db.save_annotation(
        db.new_annotation(Kind.ACTOR, report, paragraph, span=Span.of(text, start, start + len(quote)), actor_id=actor_id)
    )
    return annotation


def claim(db: Any, report: Any, paragraph: int, text: str, claimant: str | None, reported_by: str | None) -> Any:
    annotation, _ = db.save_annotation(
        db.new_annotation(Kind.CLAIM, report, paragraph, span=None, claim=Claim(text, "statement", claimant, reported_by))
    )
    return annotation


def seed(db: Any, tmp_path: Path) -> dict[str, Any]:
    """Two reports; two spellings of one militia registered as two actors; outlets with mentions and claims."""
    a = add_report(db, tmp_path, "statements.txt", REPORT_A)
    b = add_report(db, tmp_path, "drones.txt", REPORT_B)
    sayyid, _ = db.save_actor(db.new_actor("Sayyid Al-Shuhada Brigades", "armed_group", aliases=("KSS",)))
    sayyed, _ = db.save_actor(db.new_actor("Sayyed Al-Shuhada Brigades", "armed_group", note="Iraqi militia"))
    post, _ = db.save_actor(db.new_actor("Arabic Post", "media"))
    spokesman, _ = db.save_actor(db.new_actor("Kadhim Al-Fartousi", "person", affiliation=sayyid.id))
    annotations = [
        mention(db, a, 1, "Sayyid Al-Shuhada Brigades", sayyid.id),
        mention(db, a, 2, "Sayyed Al-Shuhada Brigades", sayyed.id),
        mention(db, b, 1, "Sayyid Al-Shuhada Brigades", sayyid.id),
        claim(db, a, 2, "The militia denied the strike.", sayyid.id, post.id),
        claim(db, b, 1, "Drones were seen.", None, sayyid.id),
    ]
    return {"a": a, "b": b, "sayyid": sayyid, "sayyed": sayyed, "post": post, "spokesman": spokesman, "annotations": annotations}


async def open_actors(pilot: Any) -> ActorsScreen:
    await pilot.press("A")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ActorsScreen)
    await settle(pilot)
    return screen


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table_rows(screen: ActorsScreen, table_id: str = "#actors-table") -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def go_to(pilot: Any, screen: ActorsScreen, name: str) -> None:
    names = [row[0] for row in table_rows(screen)]
    table = screen.query_one("#actors-table", DataTable)
    table.move_cursor(row=names.index(name))
    await pilot.pause()


@sync
async def test_list_shows_name_type_affiliation_aliases_and_mentions(db, tmp_path) -> None:
    seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        assert table_rows(screen) == [
            ["Arabic Post", "media outlet", "—", "—", "1"],
            ["Kadhim Al-Fartousi", "person", "Sayyid Al-Shuhada Brigades", "—", "0"],
            ["Sayyed Al-Shuhada Brigades", "armed group or militia", "—", "—", "1"],
            ["Sayyid Al-Shuhada Brigades", "armed group or militia", "—", "KSS", "4"],
        ]


@sync
async def test_filter_is_fuzzy_and_escape_clears_it(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await pilot.press("slash", *"sayyid")
        assert [row[0] for row in table_rows(screen)] == ["Sayyid Al-Shuhada Brigades", "Sayyed Al-Shuhada Brigades"]
        await pilot.press("down")  # the arrows move through the actors while the filter has focus
        assert screen.highlighted_id == seeded["sayyed"].id
        assert "Mentions of Sayyed Al-Shuhada Brigades" in str(screen.query_one("#actors-mentions-heading", Static).render())
        await pilot.press(*(["backspace"] * 6), *"trabic post")
        assert [row[0] for row in table_rows(screen)] == ["Arabic Post"]
        await pilot.press("enter")  # back to the table with the filter kept
        assert screen.query_one("#actors-table", DataTable).has_focus
        await pilot.pause()
        assert "esc Clear filter" in screen_lines(app)[-1] and "esc Back" not in screen_lines(app)[-1]  # the footer says which
        await pilot.press("escape")
        assert screen.query_one("#actors-filter", Input).value == ""
        assert len(table_rows(screen)) == 4
        await pilot.pause()
        assert "esc Back" in screen_lines(app)[-1] and "Clear filter" not in screen_lines(app)[-1]
        await pilot.press("escape")  # and once more leaves the screen
        await pilot.pause()
        assert not isinstance(app.screen, ActorsScreen)


@sync
async def test_mentions_listed_across_two_reports(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Sayyid Al-Shuhada Brigades")
        heading = str(screen.query_one("#actors-mentions-heading", Static).render())
        assert "Mentions of Sayyid Al-Shuhada Brigades  4 in 2 reports" in heading
        assert table_rows(screen, "#actors-mentions") == [
            ["Harbour drones", "1", "reported by", "Drones were seen."],
            ["Harbour drones", "1", "mention", "Sayyid Al-Shuhada Brigades"],
            ["Militia statements", "1", "mention", "Sayyid Al-Shuhada Brigades"],
            ["Militia statements", "2", "claimant", "The militia denied the strike."],
        ]
        # enter on a mention opens its report at that paragraph
        await pilot.press("tab", "down", "enter")
        await settle(pilot)
        from tui.screens.report import ReportScreen

        assert isinstance(app.screen, ReportScreen)
        assert app.screen.report_id == seeded["b"].id
        assert app.screen.current_paragraph == 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


@sync
async def test_edit_actor_through_the_form(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Arabic Post")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActorForm)
        name = form.query_one("#form-name", Input)
        assert name.value == "Arabic Post"
        name.value = "Arabic Post (Arabi21)"
        form.query_one("#form-aliases", Input).value = "Trabic Post, Arabi Post, Trabic Post"
        form.query_one("#form-type", DigitChoice).value = "media"
        form.query_one("#form-note", TextArea).text = "Qatar-funded; London-based"
        # the affiliation comes from the picker
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ActorPicker)
        await pilot.press(*"kadhim", "enter")
        await pilot.pause()
        assert app.screen is form
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        post = db.actor(seeded["post"].id)
        assert post.name == "Arabic Post (Arabi21)"
        assert post.aliases == ("Trabic Post", "Arabi Post")
        assert post.affiliation == seeded["spokesman"].id
        assert post.note == "Qatar-funded; London-based"
        await pilot.press("u")  # the edit is one step of the session's undo
        await settle(pilot)
    assert db.actor(seeded["post"].id).name == "Arabic Post"


@sync
async def test_form_refuses_an_affiliation_cycle_and_an_empty_name(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Sayyid Al-Shuhada Brigades")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActorForm)
        await pilot.press("ctrl+o", *"fartousi", "enter")  # the spokesman is affiliated with this militia
        await pilot.pause()
        assert form.affiliation is None
        form.query_one("#form-name", Input).value = "  "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # not saved
        await pilot.press("escape", "y")  # something was typed: esc asks before dropping it
        await pilot.pause()
        assert app.screen is screen
    assert db.actor(seeded["sayyid"].id) == seeded["sayyid"]


@sync
async def test_new_actor_from_the_screen(db, tmp_path) -> None:
    seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ActorForm)
        await pilot.press(*"Iran", "enter")  # enter moves on to the type
        assert isinstance(app.screen, ActorForm)
        await pilot.press("3", "ctrl+s")  # a state; saved from any field
        await settle(pilot)
        assert "Iran" in [row[0] for row in table_rows(screen)]
    iran = db.find_actor("iran")
    assert iran is not None and iran.type == "state"


@sync
async def test_the_count_in_the_list_is_the_number_of_mentions_listed_below(db, tmp_path) -> None:
    """An outlet that both makes and reports a claim is named twice by one annotation: the
    Mentions column, the heading and the rows below all count the two places."""
    seeded = seed(db, tmp_path)
    claim(db, seeded["b"], 1, "Drones were seen again.", seeded["post"].id, seeded["post"].id)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        assert table_rows(screen)[0] == ["Arabic Post", "media outlet", "—", "—", "3"]
        await go_to(pilot, screen, "Arabic Post")
        heading = str(screen.query_one("#actors-mentions-heading", Static).render())
        assert "Mentions of Arabic Post  3 in 2 reports (2 annotations)" in heading
        assert [row[2] for row in table_rows(screen, "#actors-mentions")] == ["claimant", "reported by", "reported by"]
        for name in ("Kadhim Al-Fartousi", "Sayyed Al-Shuhada Brigades", "Sayyid Al-Shuhada Brigades"):
            await go_to(pilot, screen, name)
            count = next(row[4] for row in table_rows(screen) if row[0] == name)
            assert len(table_rows(screen, "#actors-mentions")) == int(count)


async def merge_sayyid_into_sayyed(pilot: Any, screen: ActorsScreen) -> None:
    await go_to(pilot, screen, "Sayyid Al-Shuhada Brigades")
    await pilot.press("m")
    status = str(screen.query_one("#actors-status", Static).render())
    assert "Merging “Sayyid Al-Shuhada Brigades” away" in status
    assert table_rows(screen)[3][0] == "✕ merge: Sayyid Al-Shuhada Brigades"
    await go_to(pilot, screen, "Sayyed Al-Shuhada Brigades")
    await pilot.press("m")
    await pilot.pause()
    confirm = pilot.app.screen
    assert isinstance(confirm, ConfirmDialog)
    explanation = str(confirm.query_one("#confirm-question", Static).render())
    assert explanation.startswith("Merge “Sayyid Al-Shuhada Brigades” into “Sayyed Al-Shuhada Brigades”?")
    assert "4 annotations naming “Sayyid Al-Shuhada Brigades” (mentions, claimants, reported-by)" in explanation
    assert "“Sayyid Al-Shuhada Brigades” and its aliases become aliases of “Sayyed Al-Shuhada Brigades”" in explanation
    assert "Actors affiliated with “Sayyid Al-Shuhada Brigades” become affiliated with “Sayyed" in explanation
    await pilot.press("y")
    await settle(pilot)


@sync
async def test_merge_moves_mentions_and_claims_and_keeps_the_name_as_alias(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    sayyid, sayyed = seeded["sayyid"], seeded["sayyed"]
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await merge_sayyid_into_sayyed(pilot, screen)
        assert app.screen is screen
        assert table_rows(screen) == [
            ["Arabic Post", "media outlet", "—", "—", "1"],
            ["Kadhim Al-Fartousi", "person", "Sayyed Al-Shuhada Brigades", "—", "0"],
            ["Sayyed Al-Shuhada Brigades", "armed group or militia", "—", "Sayyid Al-Shuhada Brigades, KSS", "5"],
        ]
        assert screen.highlighted_id == sayyed.id
    assert [a.id for a in db.actors()] == [seeded["post"].id, seeded["spokesman"].id, sayyed.id]
    survivor = db.actor(sayyed.id)
    assert survivor.aliases == ("Sayyid Al-Shuhada Brigades", "KSS")
    assert db.actor(seeded["spokesman"].id).affiliation == sayyed.id
    everything = list(db.iter_annotations())
    assert all(sayyid.id not in (a.actor_id, a.claim and a.claim.claimant, a.claim and a.claim.reported_by) for a in everything)
    assert sum(sayyed.id in (actor_id for _, actor_id in a.actor_refs()) for a in everything) == 5
    claims = {a.claim.text: a.claim for a in everything if a.claim}
    assert claims["The militia denied the strike."].claimant == sayyed.id
    assert claims["The militia denied the strike."].reported_by == seeded["post"].id
    assert claims["Drones were seen."].reported_by == sayyed.id


def content(doc: dict) -> dict:
    """A stored document without the store's bookkeeping (an undo is a new version, made now, by whoever undid)."""
    return {k: v for k, v in doc.items() if k not in ("rev", "updated_at", "updated_by")}


@sync
async def test_undo_of_merge_restores_both_actors_and_every_annotation(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    before_actors = [content(a.to_dict()) for a in db.actors()]
    before_annotations = sorted((content(a.to_dict()) for a in db.iter_annotations()), key=lambda d: d["id"])
    app = make_app(db)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_actors(pilot)
        await merge_sayyid_into_sayyed(pilot, screen)
        assert len(db.actors()) == 3
        await pilot.press("u")
        await settle(pilot)
        assert len(table_rows(screen)) == 4
        await pilot.pause(0.1)
        assert "merged Sayyid Al-Shuhada Brigades into Sayyed Al-Shuhada Brigades" in toasts(app)
        assert [content(a.to_dict()) for a in db.actors()] == before_actors
        assert sorted((content(a.to_dict()) for a in db.iter_annotations()), key=lambda d: d["id"]) == before_annotations
        await pilot.press("ctrl+r")  # and redo merges again
        await settle(pilot)
        assert [a.id for a in db.actors()] == [seeded["post"].id, seeded["spokesman"].id, seeded["sayyed"].id]
        assert len(table_rows(screen)) == 3


@sync
async def test_merge_can_be_cancelled(db, tmp_path) -> None:
    seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Sayyid Al-Shuhada Brigades")
        await pilot.press("m")
        assert screen.has_class("-merging")
        await pilot.press("escape")
        assert not screen.has_class("-merging")
        assert isinstance(app.screen, ActorsScreen)
        await pilot.press("m")  # mark Sayyid again; enter on another actor asks too
        await go_to(pilot, screen, "Arabic Post")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
    assert len(db.actors()) == 4


@sync
async def test_delete_refuses_an_actor_in_use_and_deletes_an_unused_one(db, tmp_path) -> None:
    seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Arabic Post")
        await pilot.press("d")
        await settle(pilot)
        assert len(table_rows(screen)) == 4
        await go_to(pilot, screen, "Kadhim Al-Fartousi")
        await pilot.press("d")
        await settle(pilot)
        assert "Kadhim Al-Fartousi" not in [row[0] for row in table_rows(screen)]
        await pilot.press("u")
        await settle(pilot)
        assert "Kadhim Al-Fartousi" in [row[0] for row in table_rows(screen)]
    assert db.find_actor("Kadhim Al-Fartousi") is not None


@sync
async def test_names_and_notes_are_plain_text(db, tmp_path) -> None:
    db.save_actor(db.new_actor("[red]Not markup[/red]", "other", aliases=("[b]x",), note="[link=http://x]y[/link]"))
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_actors(pilot)
        assert table_rows(screen)[0][0] == "[red]Not markup[/red]"
        assert table_rows(screen)[0][3] == "[b]x"
        assert "[link=http://x]y[/link]" in str(screen.query_one("#actors-mentions-heading", Static).render())


@sync
async def test_actors_from_the_command_palette(db, tmp_path) -> None:
    seed(db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"Actors")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActorsScreen)


@sync
async def test_report_screen_shows_a_rename_made_on_the_actors_screen(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    app = make_app(db, report_id=seeded["a"].id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def panel() -> str:
            options = app.screen.query_one("#annotation-list", EntryList)
            return "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))

        assert "Sayyid Al-Shuhada Brigades" in panel()
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Sayyid Al-Shuhada Brigades")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#form-name", Input).value = "Kataib Sayyid Al-Shuhada"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "Kataib Sayyid Al-Shuhada" in panel()


@sync
async def test_an_unreadable_report_does_not_hide_the_other_mentions(db, tmp_path) -> None:
    seeded = seed(db, tmp_path)
    (db.root / "reports" / seeded['b'].id / "annotations-0001.json").write_text("{not json", encoding="utf-8")
    app = make_app(db)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_actors(pilot)
        await go_to(pilot, screen, "Sayyid Al-Shuhada Brigades")
        assert [row[0] for row in table_rows(screen, "#actors-mentions")] == ["Militia statements", "Militia statements"]
        await pilot.pause(0.1)
        assert "Mentions are incomplete" in toasts(app)
        assert "does not parse" in toasts(app)
