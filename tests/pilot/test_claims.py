"""The claims screen by keyboard: opening it anywhere, filters, sort, jumping to the paragraph and back,
linking from the ledger and from a report's panel, editing and removing links, undo, the actor's dossier.

What is asserted is what the analyst sees (the table's drawn lines, the status line, the report
screen's current paragraph and panel) and what the store holds (read through a fresh Database).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from store.db import Database
from store.model import Credibility, NewActor, Paragraph, ParsedReport, Span
from store.session import Session
from tests.hostile.screen import screen_lines
from tui.app import make_app
from tui.dialogs.link_picker import LinkForm, LinkPicker
from tui.screens.claims import ClaimsScreen
from tui.screens.dossier import DossierScreen
from tui.screens.help import HelpScreen
from tui.screens.report import ReportScreen
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.entry_list import EntryList
from tui.widgets.paragraph_view import ParagraphView
from tui.widgets.virtual_table import VirtualTable

WIDE = (120, 40)
NARROW = (80, 24)


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def add_report(db: Database, report_id: str, date: str, texts: list[str]):
    parsed = ParsedReport(f"Report {report_id}", date, None, (), (), tuple(Paragraph(n, t) for n, t in enumerate(texts, 1)),
                          (), (), "text")
    return db.add_parsed(report_id, parsed, f"rev-{report_id}", f"{report_id}.txt").report


OLD = ["The militia said 5,000 fighters reached the border on Monday.", "Officials denied any reinforcements near Quneitrah."]
NEW = ["Orient News reported withdrawals of the militia from Dar'a.", "A second outlet said 5,000 fighters massed at the border.",
       "A café in the capital was hit."]


@pytest.fixture
def desk(tmp_path: Path):
    db = Database(tmp_path / "db", reviewer="tester")
    old, new = add_report(db, "old", "2023-09-30", OLD), add_report(db, "new", "2023-10-19", NEW)
    session = Session(db)
    hizbullah = session.create_actor("Hizbullah", "armed_group").value
    claims = {
        "fighters": session.add_claim(old, 1, Span.of(OLD[0], 4, 42), OLD[0][4:42], "figure", hizbullah.id,
                                      credibility=Credibility("B", 2)).value,
        "denied": session.add_claim(old, 2, None, OLD[1], "statement", None, NewActor("Orient News", "media")).value,
        "withdrawals": session.add_claim(new, 1, None, NEW[0], "event", None,
                                         next(a.id for a in db.actors() if a.name == "Orient News")).value,
        "massed": session.add_claim(new, 2, Span.of(NEW[1], 2, 56), NEW[1][2:56], "figure", None, NewActor("Al-Akhbar", "media"),
                                    credibility=Credibility("C", 3)).value,
        "cafe": session.add_claim(new, 3, None, NEW[2], "event").value,
    }
    session.add_mention(new, 3, Span.of(NEW[2], 2, 6), hizbullah.id)
    return db, claims


def rows(app) -> list[str]:
    """The table's data lines as drawn (the header is the first)."""
    table = app.screen.query_one(VirtualTable)
    return [table.render_line(y).text.rstrip() for y in range(1, min(table.size.height, table.count + 1))]


def status(app) -> str:
    return str(app.screen.query_one("#claims-status", Static).render())


def detail(app) -> str:
    return " ".join(str(app.screen.query_one(f"#claims-detail-{part}", Static).render()) for part in ("where", "claim", "grade"))


async def open_claims(pilot, app) -> None:
    await pilot.pause()
    await pilot.press("C")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, ClaimsScreen)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


class TestOpening:
    @sync
    async def test_c_from_the_library_shows_every_claim_newest_report_first(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            assert status(app).startswith(" 5 of 5 claims")
            drawn = rows(app)
            assert [line.split()[0] for line in drawn] == ["2023-10-19"] * 3 + ["2023-09-30"] * 2
            assert "Orient News reported withdrawals" in drawn[0] and "Hizbullah" in drawn[3] and "B2" in drawn[3]
            assert "¶1 Report new · 2023-10-19 · event or status" not in detail(app)  # (labels are the model's)
            assert detail(app).startswith("¶1 Report new · 2023-10-19 · event")

    @sync
    async def test_c_from_a_report_and_from_the_command_palette(self, desk) -> None:
        db, _c = desk
        app = make_app(db, report_id="old")
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen)
            await open_claims(pilot, app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen)
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert "Claims" in titles

    @sync
    async def test_at_80_columns_the_claim_still_has_room(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=NARROW) as pilot:
            await open_claims(pilot, app)
            header = app.screen.query_one(VirtualTable).render_line(0).text
            assert header.split()[:5] == ["¶▲", "Claimant", "Reported", "by", "Grade"] and "Claim" in header
            assert all(len(line) <= 80 for line in rows(app))


class TestFilterAndSort:
    @sync
    async def test_typing_a_filter_narrows_the_table_at_each_key(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("slash", *"5000")
            await pilot.pause()
            assert status(app).startswith(" 2 of 5 claims · filter “5000”")
            assert all("5,000 fighters" in line for line in rows(app))
            await pilot.press(*" outlet:akhbar")
            await pilot.pause()
            assert status(app).startswith(" 1 of 5 claims")
            assert "Al-Akhbar" in rows(app)[0]
            await pilot.press("enter", "s")  # back to the table at once: the `s` sorts, it is not typed
            await pilot.pause()
            assert "sorted by claimant" in status(app) and status(app).startswith(" 1 of 5 claims · filter “5000 outlet:akhbar”")
            await pilot.press("escape")  # esc in the table clears the filter
            await pilot.pause()
            assert status(app).startswith(" 5 of 5 claims")

    @sync
    async def test_esc_in_the_filter_line_clears_the_filter_and_returns_to_the_table(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("slash", *"5000")
            await pilot.pause()
            assert status(app).startswith(" 2 of 5 claims · filter “5000”")
            await pilot.press("escape")
            await pilot.pause()
            assert status(app).startswith(" 5 of 5 claims") and "filter" not in status(app)
            await pilot.press("s")  # in the table: `s` sorts, it is not typed into the filter
            await pilot.pause()
            assert status(app).startswith(" 5 of 5 claims · sorted by claimant")
            await pilot.press("escape")  # no filter: back to where the claims were opened
            await pilot.pause()
            assert not isinstance(app.screen, ClaimsScreen)

    @sync
    async def test_help_says_what_esc_does_now(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)

            async def esc_in_help() -> str:
                await pilot.press("question_mark")
                await pilot.pause()
                assert isinstance(app.screen, HelpScreen)
                described = [description for key, description, _id in app.screen.rows if key == "esc"]
                await pilot.press("escape")
                await pilot.pause()
                assert isinstance(app.screen, ClaimsScreen)
                return " / ".join(described)

            def footer() -> str:
                return screen_lines(app)[-1]  # the footer, as drawn

            assert "esc Back" in footer()
            await pilot.press("slash", *"5000", "enter")
            await pilot.pause()
            assert "esc Clear filter" in footer() and "esc Back" not in footer()
            assert await esc_in_help() == "Clear filter"
            await pilot.press("escape")
            await pilot.pause()
            assert status(app).startswith(" 5 of 5 claims")
            assert "esc Back" in footer() and "Clear filter" not in footer()
            assert await esc_in_help() == "Back"

    @sync
    async def test_a_filter_keystroke_lays_nothing_out(self, desk) -> None:
        """Laying the screen out redraws every widget (some 8 ms at 160×48): a keystroke must only redraw the rows.

        Guards FilterInput (an Input whose virtual size is not a layout change) and VirtualTable's height
        change without a layout, against a Textual upgrade that would bring the cost back."""
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("slash")
            await pilot.pause()
            layouts: list[object] = []
            screen = app.screen
            screen.screen_layout_refresh_signal.subscribe(screen, layouts.append)
            await pilot.press(*"5000 outlet:akhbar", "backspace")
            await pilot.pause()
            assert status(app).startswith(" 1 of 5 claims · filter “5000 outlet:akhba”")
            assert layouts == []

    @sync
    async def test_a_query_not_understood_says_so(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("slash", *"grade:Z")
            await pilot.pause()
            assert "grade:Z is not a grade" in status(app) and status(app).startswith(" 5 of 5 claims")

    @sync
    async def test_s_sorts_by_the_next_column_and_S_reverses(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("s")  # ¶ → claimant
            await pilot.pause()
            assert "sorted by claimant ▲" in status(app)
            assert "Hizbullah" in rows(app)[0] and [line.split()[2] for line in rows(app)[1:]] == ["—"] * 4
            await pilot.press("s")  # → reported by
            await pilot.pause()
            assert [line.split()[3] for line in rows(app)] == ["Al-Akhbar", "Orient", "Orient", "—", "—"]
            await pilot.press("S")
            await pilot.pause()
            assert "sorted by reported by ▼" in status(app)
            assert [line.split()[3] for line in rows(app)] == ["Orient", "Orient", "Al-Akhbar", "—", "—"]  # blanks stay last

    @sync
    async def test_the_cursor_stays_on_its_claim_when_the_sort_changes(self, desk) -> None:
        db, _c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("j", "j", "j")  # the fighters claim
            before = detail(app)
            assert "5,000 fighters reached" in before
            await pilot.press("s", "s", "S")
            await pilot.pause()
            assert detail(app) == before


class TestJumping:
    @sync
    async def test_enter_opens_the_report_at_the_claim_and_esc_comes_back_to_the_same_row(self, desk) -> None:
        db, c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("j", "j", "j", "enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReportScreen) and screen.report_id == "old"
            assert screen.query_one(ParagraphView).current == 0
            assert screen.query_one(AnnotationPanel).selected_id == c["fighters"].id
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ClaimsScreen)
            assert app.screen.query_one(VirtualTable).cursor == 3
            assert "5,000 fighters reached" in detail(app)


class TestLinking:
    @sync
    async def test_L_in_the_ledger_links_to_the_best_ranked_claim_and_u_undoes_it(self, desk) -> None:
        db, c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("j", "j", "j", "L")  # the fighters claim of the old report
            await settle(pilot)
            picker = app.screen
            assert isinstance(picker, LinkPicker)
            assert picker.choices[0].claim_id == c["massed"].id  # the other "5,000 fighters" claim ranks first
            await pilot.press("enter")  # corroborates, the preset relation
            await settle(pilot)
            [link] = Database(db.root).links()
            assert (link.from_claim, link.to_claim, link.relation) == (c["fighters"].id, c["massed"].id, "corroborates")
            assert "↔1/0" in rows(app)[3] and "links suggest 1" in detail(app)  # Al-Akhbar, another report: independent
            assert "≠ graded 2" in detail(app)
            await pilot.press("u")
            await settle(pilot)
            assert Database(db.root).links() == []
            assert "↔" not in rows(app)[3] and "no links" in detail(app)

    @sync
    async def test_a_relation_a_note_and_a_claim_found_by_typing(self, desk) -> None:
        db, c = desk
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            await pilot.press("L")  # the withdrawals claim (first row)
            await settle(pilot)
            await pilot.press("2")  # contradicts
            await pilot.press("shift+tab")  # to the find line
            await pilot.press(*"reinforcements")
            await pilot.pause()
            assert [choice.claim_id for choice in app.screen.choices] == [c["denied"].id]
            await pilot.press("tab", "tab", "tab", *"moved the other way", "enter")
            await settle(pilot)
            [link] = Database(db.root).links()
            assert (link.to_claim, link.relation, link.note) == (c["denied"].id, "contradicts", "moved the other way")

    @sync
    async def test_links_in_the_ledger_are_edited_and_removed(self, desk) -> None:
        db, c = desk
        Session(db).link(c["withdrawals"], c["denied"], "contradicts")
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await open_claims(pilot, app)
            links = app.screen.query_one("#claims-links", OptionList)
            assert "→ contradicts “Officials denied any reinforcements" in str(links.get_option_at_index(0).prompt)
            assert "not counted: the same outlet" in str(links.get_option_at_index(0).prompt)
            await pilot.press("tab", "e")
            await settle(pilot)
            assert isinstance(app.screen, LinkForm)
            await pilot.press("3", "ctrl+s")  # repeats
            await settle(pilot)
            assert [link.relation for link in Database(db.root).links()] == ["repeats"]
            await pilot.press("d")
            await settle(pilot)
            assert Database(db.root).links() == []
            await pilot.press("u")
            await settle(pilot)
            assert [link.relation for link in Database(db.root).links()] == ["repeats"]

    @sync
    async def test_L_in_a_reports_panel_and_the_link_shows_under_both_claims(self, desk) -> None:
        db, c = desk
        app = make_app(db, report_id="new")
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("j", "tab")  # ¶2: the massed claim, highlighted in the panel
            await pilot.press("L")
            await settle(pilot)
            assert isinstance(app.screen, LinkPicker)
            assert app.screen.choices[0].claim_id == c["fighters"].id
            await pilot.press("4", "enter")  # updates
            await settle(pilot)
            [link] = Database(db.root).links()
            assert (link.from_claim, link.to_claim, link.relation) == (c["massed"].id, c["fighters"].id, "updates")
            options = app.screen.query_one("#annotation-list", EntryList)
            prompts = [" ".join(str(options.get_option_at_index(i).prompt).split()) for i in range(options.option_count)]  # lines wrapped
            assert any("→ updates “militia said 5,000 fighters reached th”" in p and "(Report old ¶1)" in p for p in prompts), prompts
            assert any("links suggest 6" in p for p in prompts)  # updates never count
            # The other claim's report shows it too, seen from its end.
            app.open_report("old", 1)
            await settle(pilot)
            options = app.screen.query_one("#annotation-list", EntryList)
            prompts = [" ".join(str(options.get_option_at_index(i).prompt).split()) for i in range(options.option_count)]  # lines wrapped
            assert any("← updates “second outlet said 5,000" in p for p in prompts), prompts
            # ...where d on the link line removes it, and u brings it back.
            link_line = next(i for i, p in enumerate(prompts) if "← updates" in p)
            await pilot.press("tab")
            options.highlighted = link_line
            await pilot.press("d")
            await settle(pilot)
            assert Database(db.root).links() == []
            await pilot.press("u")
            await settle(pilot)
            assert len(Database(db.root).links()) == 1


class TestDossier:
    @sync
    async def test_o_on_an_actor_shows_its_claims_and_mentions_in_report_date_order(self, desk) -> None:
        db, c = desk
        Session(db).link(c["fighters"], c["massed"], "corroborates")
        app = make_app(db)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("A")
            await pilot.pause()
            await pilot.press("o")  # the first actor, alphabetically: Al-Akhbar
            await settle(pilot)
            assert isinstance(app.screen, DossierScreen)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("down", "o")  # Hizbullah
            await settle(pilot)
            heading = str(app.screen.query_one("#dossier-heading", Static).render())
            assert "named as: claimant 1, mention 1" in heading
            assert "its 1 claim by grade: B2 1" in heading and "their links: corroborates 1" in heading
            drawn = rows(app)
            assert drawn[0].split()[:3] == ["2023-09-30", "Report", "old"] and "claimant" in drawn[0]
            assert drawn[1].split()[:3] == ["2023-10-19", "Report", "new"] and "mention" in drawn[1]
            await pilot.press("j", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen) and app.screen.report_id == "new"
            assert app.screen.query_one(ParagraphView).current == 2
