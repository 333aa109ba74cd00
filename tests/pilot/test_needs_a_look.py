"""Needs a look (issue 12): what a report's new revision could not place is listed, placed again by hand, or deleted."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static

from store.db import Database
from store.model import Kind, Span
from store.session import Session
from tests.pilot.test_annotate import WIDE, screen_of, stored, sync, type_text, write_report
from tests.pilot.toasts import toasts
from tui.app import make_app
from tui.dialogs.needs_a_look import NeedsALook
from tui.widgets.entry_list import EntryList

FIGURE = "The militia said on Tuesday that 5,000 fighters had reached the crossing."
DENIAL = "Officials in the capital denied any involvement."
UNTOUCHED = "A third paragraph that nobody will touch."


@pytest.fixture
def corrected(db, tmp_path) -> tuple[Database, str]:
    """A report with a claim on "denied" and a mention of the militia, then a revision that rewrites the denial away."""
    session = Session(db)
    source = write_report(tmp_path, FIGURE, DENIAL, UNTOUCHED)
    report = session.add_report(source)[0].report
    militia = session.create_actor("The militia", "armed_group").value
    session.add_claim(report, 2, Span.of(DENIAL, DENIAL.index("denied"), DENIAL.index("denied") + 6), "denied any involvement")
    session.add_mention(report, 1, Span.of(FIGURE, 0, 11), militia.id)
    write_report(tmp_path, FIGURE, DENIAL.replace("denied any involvement", "refused to comment"), UNTOUCHED)
    _result, carried = session.add_report(source)
    assert carried is not None and carried.orphaned == 1
    return db, report.id


def status_line(app) -> str:
    return str(app.screen.query_one("#report-status", Static).render())


def panel_lines(app) -> list[str]:
    options = app.screen.query_one("#annotation-list", EntryList)
    return [" ".join(str(options.get_option_at_index(i).prompt).split()) for i in range(options.option_count)]


@sync
async def test_an_orphan_is_counted_listed_and_placed_on_the_words_the_analyst_selects(corrected) -> None:
    db, report_id = corrected
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        assert "1 needs a look (O)" in status_line(app)
        assert "could not be placed in this one: O lists them" in toasts(app)
        await pilot.press("j")  # ¶2: the claim is not on this revision, so not in its panel
        assert not any("denied" in line for line in panel_lines(app))
        await pilot.press("O")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NeedsALook)
        listed = " ".join(str(dialog.query_one("#look-list", OptionList).get_option_at_index(0).prompt).split())
        assert "CLAIM [other] denied any involvement" in listed and "was ¶2 of the earlier revision · look near ¶2" in listed
        assert "⏎ place it" in str(dialog.query_one("#look-hint", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.current_paragraph == 2 and screen.selecting
        assert "placing “denied”" in status_line(app)
        await type_text(pilot, "/refused")  # the selection goes for the search; placing stays
        await pilot.press("enter", "v")  # the search hit is what v selects
        await pilot.press("enter")
        await pilot.pause()
        assert "Placed on “refused” in ¶2" in toasts(app)
        assert "need" not in status_line(app) and "placing" not in status_line(app)
        assert any("denied any involvement" in line for line in panel_lines(app))
    [claim] = [a for a in stored(db, report_id) if a.kind is Kind.CLAIM]
    current = Database(db.root, reviewer="reader").report(report_id).revision
    assert (claim.revision, claim.paragraph, claim.span.quote if claim.span else None, claim.orphaned) == (current, 2, "refused", None)


@sync
async def test_enter_with_nothing_selected_takes_the_whole_paragraph_and_u_puts_it_back(corrected) -> None:
    db, report_id = corrected
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("O", "enter", "j")  # placing; moving on to ¶3 drops the selection, not the placing
        assert "placing" in status_line(app)
        await pilot.press("enter")
        await pilot.pause()
        [claim] = [a for a in stored(db, report_id) if a.kind is Kind.CLAIM]
        assert (claim.paragraph, claim.span, claim.orphaned) == (3, None, None)
        assert "Placed on ¶3" in toasts(app)
        await pilot.press("u")
        await pilot.pause()
        assert "1 needs a look" in status_line(app)
        [claim] = [a for a in stored(db, report_id) if a.kind is Kind.CLAIM]
        assert claim.orphaned is not None and claim.span is not None and claim.span.quote == "denied"


@sync
async def test_esc_stops_placing_and_d_in_the_list_deletes_the_orphan(corrected) -> None:
    db, report_id = corrected
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        await pilot.press("O", "enter", "escape")  # the selection, and the placing with it
        await pilot.pause()
        assert app.screen is screen and "placing" not in status_line(app) and "1 needs a look" in status_line(app)
        assert "Not placed: it still needs a look" in toasts(app)
        await pilot.press("O", "d")
        await pilot.pause()
        assert app.screen is screen and "need" not in status_line(app)
        assert [a.kind for a in stored(db, report_id)] == [Kind.ACTOR]  # the mention was carried; the claim is gone
        await pilot.press("O")
        await pilot.pause()
        assert app.screen is screen and "Nothing needs a look" in toasts(app)


@sync
async def test_a_placed_claim_shows_its_links_again(corrected) -> None:
    db, report_id = corrected
    session = Session(db)
    report = db.report(report_id)
    [orphan] = [a for a in db.annotations(report_id) if a.kind is Kind.CLAIM]
    other = session.add_claim(report, 3, None, "nobody will touch it").value
    session.link(other, orphan, "contradicts")
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("O", "enter", "enter")  # placed on the whole of ¶2 (nothing selected)
        await pilot.pause()
        assert "Placed on ¶2" in toasts(app)
        assert any("contradicts" in line for line in panel_lines(app)), panel_lines(app)
