"""The analyst's loop (issue 13): suggestions, candidates, selection counts and text objects, the form model,
drafts, navigation and flow, the panel, keymap conflicts. Every test drives the keys and reads the disk back."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static, TextArea

from store.db import Database
from store.model import Claim, Credibility, Kind, NewActor, Span
from store.session import Session
from store.workstate import WorkState
from tests.conftest import ROOT
from tests.pilot.test_annotate import WIDE, screen_of, stored, sync, type_text, write_report
from tests.pilot.test_random_keys import key_event
from tests.pilot.toasts import toasts
from tui.app import ClaimdeskApp, make_app
from tui.dialogs.claim_form import ClaimForm
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.flag_dialog import FlagDialog
from tui.dialogs.link_picker import LinkForm, LinkPicker
from tui.keymap_check import keymap_conflicts
from tui.screens.report import ReportScreen
from tui.widgets.actor_field import ActorField
from tui.widgets.choice import DigitChoice
from tui.widgets.entry_list import EntryList
from tui.widgets.grade_field import GradeField
from tui.widgets.paragraph_view import ParagraphView
from tui.widgets.selection import SpanSelector

ONE = "Al-Sharq Al-Awsat reported that the Sayyed Al-Shuhada Brigades moved north. Akram Al-Ka’abi said that “all our brothers are ready.”"
TWO = "The daily al-Sharq al-Awsat said that 5,000 fighters have amassed on the border, he added."
THREE = "Nothing to see here: the weather was fine."


@pytest.fixture
def loop(db, tmp_path) -> tuple[Database, str, dict[str, str]]:
    """A report naming registry actors in several spellings, and the registry."""
    report_id = db.add_report(write_report(tmp_path, ONE, TWO, THREE)).report.id
    session = Session(db)
    ids = {
        "sharq": session.create_actor("Al-Sharq Al-Awsat", "media").value.id,
        "shuhada": session.create_actor("Sayyid Al-Shuhada Brigades", "armed_group").value.id,
        "kaabi": session.create_actor("Akram Al-Ka'abi", "person").value.id,
    }
    return db, report_id, ids


def mentions(db: Database, report_id: str) -> list[tuple[int, str, str]]:
    return sorted((a.paragraph, a.span.quote if a.span else "", a.actor_id or "") for a in stored(db, report_id) if a.kind is Kind.ACTOR)


def rows(app) -> list[str]:
    view = app.screen.query_one(ParagraphView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


# ------------------------------------------------------------ suggestions


class TestSuggestions:
    @sync
    async def test_y_tags_the_suggestion_under_the_cursor_and_semicolon_moves_it(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("y")  # the first suggestion of ¶1
            await pilot.pause()
            assert mentions(db, report_id) == [(1, "Al-Sharq Al-Awsat", ids["sharq"])]
            await pilot.press("semicolon", "y")  # past the brigades, to Al-Ka’abi (curly apostrophe; the registry's is straight)
            await pilot.pause()
            assert (1, "Akram Al-Ka’abi", ids["kaabi"]) in mentions(db, report_id)

    @sync
    async def test_capital_y_tags_the_paragraph_in_one_undoable_step(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("Y")
            await pilot.pause()
            assert mentions(db, report_id) == sorted(
                [(1, "Al-Sharq Al-Awsat", ids["sharq"]), (1, "Sayyed Al-Shuhada Brigades", ids["shuhada"]),
                 (1, "Akram Al-Ka’abi", ids["kaabi"])]
            )
            assert "Tagged 3 actor mentions in ¶1" in toasts(app)
            await pilot.press("u")  # one step
            await pilot.pause()
            assert mentions(db, report_id) == []

    @sync
    async def test_star_tags_every_occurrence_of_the_actor_in_the_report(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("asterisk")
            await pilot.pause()
            assert mentions(db, report_id) == [(1, "Al-Sharq Al-Awsat", ids["sharq"]), (2, "al-Sharq al-Awsat", ids["sharq"])]
            assert "Tagged Al-Sharq Al-Awsat 2 times" in toasts(app)

    @sync
    async def test_x_rejects_and_the_report_remembers(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("x", "y")  # not Al-Sharq here: the next one is tagged
            await pilot.pause()
            assert mentions(db, report_id) == [(1, "Sayyed Al-Shuhada Brigades", ids["shuhada"])]
        app = make_app(db, report_id)  # another session: still rejected
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("g")
            await pilot.pause()
            await pilot.press("Y")
            await pilot.pause()
            assert (1, "Al-Sharq Al-Awsat", ids["sharq"]) not in mentions(db, report_id)
            assert (1, "Akram Al-Ka’abi", ids["kaabi"]) in mentions(db, report_id)

    @sync
    async def test_in_selection_mode_y_takes_the_suggestion_at_or_after_the_caret(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("v", "4", "w", "y")  # the caret past Al-Sharq Al-Awsat
            await pilot.pause()
            assert mentions(db, report_id) == [(1, "Sayyed Al-Shuhada Brigades", ids["shuhada"])]
            assert not screen_of(app).selecting

    @sync
    async def test_suggestions_are_italic_without_colour_and_apart_from_tagged_actors(self, loop, monkeypatch) -> None:
        from textual.filter import NoColor

        monkeypatch.setenv("NO_COLOR", "1")
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("y")  # Al-Sharq becomes a tagged actor
            await pilot.pause()
            view = app.screen.query_one(ParagraphView)
            plain = NoColor().apply(list(view.render_line(0)), app.styles.background.rich_color)
            styles = {seg.text: seg.style for seg in plain if seg.text.strip()}
            tagged = next(style for text, style in styles.items() if text.endswith("Al-Sharq Al-Awsat"))
            assert tagged.bold and not tagged.italic
            suggested = next(style for text, style in styles.items() if "Sayyed" in text)
            assert suggested.italic and suggested.reverse  # the one `y` tags now: reverse too
            assert suggested.color is None or suggested.color.is_default


# ------------------------------------------------------------- candidates


class TestCandidates:
    @sync
    async def test_enter_opens_the_claim_form_prefilled_from_the_candidate(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            assert rows(app)[0][6] == "┃"  # the current candidate runs along the first rows (`›` marks the others)
            await pilot.press("enter")
            form = app.screen
            assert isinstance(form, ClaimForm)
            assert form.query_one("#claim-text", TextArea).text == "the Sayyed Al-Shuhada Brigades moved north"
            assert form.query_one("#claim-claimant", ActorField).choice == ids["sharq"]
            assert form.query_one("#claim-reported_by", ActorField).choice == ids["sharq"]
            assert form.focused is form.query_one("#claim-grade", GradeField)  # claimant and reported-by filled: the grade next
            await pilot.press("b", "2")  # graded in the form; on to the note
            await pilot.press("ctrl+s")
            await pilot.pause()
        [claim] = [a for a in stored(db, report_id) if a.kind is Kind.CLAIM]
        assert claim.span.quote == "the Sayyed Al-Shuhada Brigades moved north"
        assert claim.claim.claimant == claim.claim.reported_by == ids["sharq"]
        assert claim.credibility == Credibility("B", 2)

    @sync
    async def test_paren_moves_to_the_next_candidate_and_quoted_speech_is_the_span(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("right_parenthesis", "enter")
            form = app.screen
            assert form.query_one("#claim-text", TextArea).text == "all our brothers are ready"  # inside the quotation marks
            assert form.query_one("#claim-claimant", ActorField).choice == ids["kaabi"]
            assert form.focused is form.query_one("#claim-reported_by", ActorField).input  # what the rules could not fill
            await pilot.press("1")  # an actor named in the paragraph, by its digit
            await pilot.pause()
            assert form.query_one("#claim-reported_by", ActorField).choice == ids["sharq"]

    @sync
    async def test_a_claimed_or_rejected_candidate_is_no_longer_offered(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("enter", "ctrl+s")
            await pilot.pause()
            await pilot.press("X")  # the second candidate: not a claim to make
            await pilot.pause()
            assert "›" not in rows(app)[0][:7] and "┃" not in "".join(row[:7] for row in rows(app)[:3])
            await pilot.press("enter")  # nothing left here
            assert isinstance(app.screen, ReportScreen)


# -------------------------------------------------------------- selection


class TestSelection:
    @sync
    async def test_counts_before_motions(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("v", "3", "e")
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.start : state.end] == "Al-Sharq Al-Awsat reported"
            await pilot.press("2", "w")
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.caret :].startswith("the Sayyed")

    @sync
    async def test_text_objects_sentence_clause_quotation(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("v", "s")
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.start : state.end] == "Al-Sharq Al-Awsat reported that the Sayyed Al-Shuhada Brigades moved north."
            await pilot.press("s")  # again: the next sentence too
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.start : state.end] == ONE
            await pilot.press("escape", "j", "v", "t")
            state = app.screen.query_one(SpanSelector).state
            assert TWO[state.start : state.end] == "The daily al-Sharq al-Awsat said that 5,000 fighters have amassed on the border"
            await pilot.press("escape", "k", "v", "$", "h", "h", "q")
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.start : state.end] == "all our brothers are ready"  # without the stop before its closing mark

    @sync
    async def test_the_search_hit_in_one_key(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("slash")
            await type_text(pilot, "brothers")
            await pilot.press("enter", "v")
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.start : state.end] == "brothers"
            await pilot.press("b", "n")  # in selection mode, n selects the hit again
            state = app.screen.query_one(SpanSelector).state
            assert ONE[state.start : state.end] == "brothers"


# ------------------------------------------------------------- the forms


class TestForms:
    @sync
    async def test_enter_moves_on_and_ctrl_s_saves_from_any_field(self, loop) -> None:
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("j", "j", "c")  # a paragraph-level claim: nothing prefilled
            form = app.screen
            await type_text(pilot, "fine weather")
            await pilot.press("enter")
            assert form.focused is form.query_one("#claim-type", DigitChoice)
            await pilot.press("1")  # event; a digit moves on
            await pilot.pause()
            assert form.focused is form.query_one("#claim-claimant", ActorField).input
            await type_text(pilot, "sayyed")
            await pilot.press("enter")  # the highlighted match is taken
            await pilot.pause()
            assert form.query_one("#claim-claimant", ActorField).choice == ids["shuhada"]
            assert form.focused is form.query_one("#claim-reported_by", ActorField).input
            await pilot.press("ctrl+s")
            await pilot.pause()
        [claim] = stored(db, report_id)
        assert claim.claim == Claim("fine weather", "event", ids["shuhada"], None) and claim.paragraph == 3

    @sync
    async def test_a_new_name_that_only_resembles_an_actor_is_created_not_taken_for_it(self, loop) -> None:
        """"Asharq News" resembles Al-Sharq Al-Awsat (it is offered) but is not it: enter creates the name typed."""
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("j", "j", "c")
            form = app.screen
            await type_text(pilot, "fine weather")
            await pilot.press("enter", "1")
            await pilot.pause()
            await type_text(pilot, "Asharq News")
            await pilot.pause()
            field = form.query_one("#claim-claimant", ActorField)
            options = field.query_one(OptionList)
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert any("Al-Sharq Al-Awsat" in p for p in prompts), prompts  # offered...
            assert "+ new actor" in str(options.get_option_at_index(options.highlighted or 0).prompt)  # ...not highlighted
            await pilot.press("enter")  # "+ new actor": its type is asked, and a digit answers (not a letter of the name)
            await pilot.pause()
            assert type(app.screen).__name__ == "ActorPicker", app.screen
            await pilot.press("6")
            await pilot.pause()
            assert app.screen is form, app.screen
            assert field.choice == NewActor("Asharq News", "media")

    @sync
    async def test_keys_typed_in_one_burst_are_taken_in_order(self, loop) -> None:
        """As over SSH: the keys that open the form, fill it and save it arrive at once, with no frame between."""
        db, report_id, ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            for key in ["j", "c", *"the border", "enter", "5", *"sayy", "enter", *"sharq", "enter", "c", "3", "ctrl+s"]:
                app.post_message(key_event(key))
            for _ in range(40):
                await pilot.pause(0.05)
                if stored(db, report_id):
                    break
        [claim] = stored(db, report_id)
        assert claim.paragraph == 2 and claim.claim == Claim("the border", "figure", ids["shuhada"], ids["sharq"])
        assert claim.credibility == Credibility("C", 3)

    @sync
    async def test_escape_with_typed_text_asks_first(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("c")
            await pilot.press("escape")  # nothing typed: closes at once
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("c")
            await type_text(pilot, "half")
            await pilot.press("escape")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n")  # keep editing
            assert isinstance(app.screen, ClaimForm)
            assert app.screen.query_one("#claim-text", TextArea).text == "half"
            await pilot.press("escape", "y")
            assert isinstance(app.screen, ReportScreen)
        assert stored(db, report_id) == []

    @pytest.mark.parametrize(
        ("dialog", "opener", "fields"),
        [
            ("claim form", ("c",), 6),
            ("flag", ("exclamation_mark",), 1),
            ("actor picker", ("a",), 1),
            ("export", ("e",), 4),
            ("question", ("c", "x", "escape"), 1),
        ],
    )
    @sync
    async def test_no_key_pressed_in_a_dialog_reaches_the_report(self, loop, dialog: str, opener: tuple[str, ...], fields: int) -> None:
        """Every printable key, typed into each field of the dialog, changes nothing behind it."""
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        keys = [chr(c) for c in range(33, 127) if not (dialog == "question" and chr(c) in "yn")] + ["space"]
        async with app.run_test(size=WIDE) as pilot:
            screen = screen_of(app)
            await pilot.pause()
            for field in range(fields):
                await pilot.press(*opener)
                await pilot.pause()
                opened = app.screen
                assert opened is not screen, dialog
                await pilot.press(*["tab"] * field)
                await pilot.press(*keys)  # letters, digits, punctuation: none is a command behind the dialog
                await pilot.pause()
                assert app.is_running and app.screen is not screen, (dialog, field)
                await close_everything(pilot, screen)
                assert screen.current_paragraph == 1 and not screen.selecting, (dialog, field)
        assert stored(db, report_id) == [] and db.actors() == Database(db.root, reviewer="r").actors()
        assert Database(db.root, reviewer="reader").marks(report_id) == {}

    @sync
    async def test_the_link_dialogs_are_forms_and_no_key_in_them_reaches_the_report(self, loop) -> None:
        """L (link picker: find, claims, relation, note) and enter on a link line (link form: relation, note)."""
        db, report_id, _ids = loop
        session = Session(db)
        report = db.report(report_id)
        first = session.add_claim(report, 1, None, "the brigades moved north").value
        second = session.add_claim(report, 2, None, "5,000 fighters amassed").value
        session.link(first, second, "corroborates")
        app = make_app(db, report_id)
        keys = [chr(c) for c in range(33, 127)] + ["space"]
        async with app.run_test(size=WIDE) as pilot:
            screen = screen_of(app)
            await pilot.pause()
            for opener, fields in ((("L",), 4), (("j", "enter"), 2)):  # L on the claim; enter on its link line
                for field in range(fields):
                    if screen.focused is not screen.query_one("#annotation-list"):
                        await pilot.press("tab")
                    await pilot.press("g", *opener)
                    await pilot.pause()
                    dialog = app.screen
                    assert isinstance(dialog, LinkPicker if "L" in opener else LinkForm), opener
                    await pilot.press(*["tab"] * field)
                    await pilot.press(*keys)
                    await pilot.pause()
                    assert app.screen is dialog, (opener, field)
                    await close_everything(pilot, screen)
                    assert screen.current_paragraph == 1 and not screen.selecting, (opener, field)
            # The form model: enter on the relation takes it and moves to the note, enter there saves.
            await pilot.press("g", "L")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, LinkPicker) and "^s save · esc cancel" in str(picker.query_one("#link-hint", Static).render())
            await pilot.press("tab", "down", "enter")  # the relation list: contradicts
            assert picker.focused is picker.query_one("#link-note")
            await type_text(pilot, "two outlets")
            await pilot.press("escape")  # typed text: asks first
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n", "enter")
            await pilot.pause()
        links = Database(db.root, reviewer="reader").links()
        assert sorted((link.relation, link.note) for link in links) == [("contradicts", "two outlets"), ("corroborates", "")]
        assert len(stored(db, report_id)) == 2

    @sync
    async def test_no_single_key_on_the_grade_line_reaches_the_report(self, loop) -> None:
        """The GRADE line answers after a letter and a digit: each key alone, on a fresh line, runs nothing else."""
        db, report_id, _ids = loop
        Session(db).add_claim(db.report(report_id), 1, None, "an existing claim")
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            screen = screen_of(app)
            for key in [chr(c) for c in range(33, 127)] + ["space", "enter"]:
                await pilot.press("r", key)
                await pilot.pause()
                if key != "enter":  # enter saves the grade as shown (unchanged: nothing is written)
                    assert app.screen is screen and "GRADE" in status_of(screen), key
                    await pilot.press("escape")
                    await pilot.pause()
                assert app.screen is screen and "GRADE" not in status_of(screen), key
                assert screen.current_paragraph == 1 and not screen.selecting, key
        [claim] = stored(db, report_id)
        assert claim.credibility is None and Database(db.root, reviewer="reader").marks(report_id) == {}


def status_of(screen) -> str:
    return str(screen.query_one("#report-status", Static).render())


async def close_everything(pilot, screen) -> None:
    """esc until the report is back, dropping whatever was typed."""
    app = pilot.app
    for _ in range(8):
        if app.screen is screen:
            return
        await pilot.press("escape")
        await pilot.pause()
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press("y")
            await pilot.pause()
    assert app.screen is screen


# ----------------------------------------------------------------- drafts


class TestDrafts:
    @sync
    async def test_a_half_typed_claim_is_offered_back_next_time(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("j", "v", "e", "c")
            await type_text(pilot, " and more")
            await pilot.press("enter", "5")
            await pilot.pause(0.6)  # the draft goes to disk a moment after the last change
        # The app ended with the form open (a dropped connection): nothing was saved, the draft is kept.
        assert stored(db, report_id) == []
        drafts = WorkState(db.root, "tester").drafts(report_id)
        assert [d["text"] for d in drafts.values()] == ["The and more"]
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")  # reopen it
            await pilot.pause()
            form = app.screen
            assert isinstance(form, ClaimForm)
            assert form.query_one("#claim-text", TextArea).text == "The and more"
            assert form.query_one("#claim-type", DigitChoice).value == "figure"
            await pilot.press("ctrl+s")
            await pilot.pause()
        [claim] = stored(db, report_id)
        assert claim.paragraph == 2 and claim.span.quote == "The" and claim.claim.text == "The and more"
        assert WorkState(db.root, "tester").drafts(report_id) == {}


# ----------------------------------------------------------- navigation


class TestNavigation:
    @sync
    async def test_colon_and_count_g_go_to_a_paragraph(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            screen = screen_of(app)
            await pilot.press("colon", "3", "enter")
            assert screen.current_paragraph == 3 and isinstance(screen.focused, ParagraphView)
            await pilot.press("2", "G")
            assert screen.current_paragraph == 2
            assert "¶ 2/3" in str(screen.query_one("#report-status", Static).render())
            await pilot.press("9", "9", "G")  # past the end: the last
            assert screen.current_paragraph == 3
            await pilot.press("colon", "x", "enter")
            await pilot.pause()
            assert "a paragraph number, 1 to 3" in toasts(app)

    @sync
    async def test_a_report_reopens_where_this_reviewer_left_it(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("3", "G")
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE):
            assert screen_of(app).current_paragraph == 3
        other = make_app(Database(db.root, reviewer="colleague"), report_id)
        async with other.run_test(size=WIDE):
            assert screen_of(other).current_paragraph == 1  # theirs is their own

    @sync
    async def test_space_marks_reviewed_and_moves_to_the_next_unreviewed(self, loop) -> None:
        db, report_id, _ids = loop
        Session(db).set_reviewed(report_id, 2, True)
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            screen = screen_of(app)
            await pilot.press("space")
            await pilot.pause()
            assert screen.current_paragraph == 3  # ¶2 is reviewed already
            await pilot.press("space")
            await pilot.pause()
            assert screen.current_paragraph == 3 and "Every paragraph of this report is reviewed" in toasts(app)

    @sync
    async def test_a_flag_takes_a_reason_shown_in_the_panel(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("exclamation_mark")
            assert isinstance(app.screen, FlagDialog)
            await type_text(pilot, "odd figure")
            await pilot.press("enter")
            await pilot.pause()
            assert "flagged: odd figure" in str(app.screen.query_one("#panel-heading", Static).render())
        mark = Database(db.root, reviewer="reader").marks(report_id)[1]
        assert mark.flagged and mark.flag_reason == "odd figure"

    @sync
    async def test_j_and_k_move_in_the_annotation_panel(self, loop) -> None:
        db, report_id, _ids = loop
        session = Session(db)
        for words in ("one", "two"):
            session.add_claim(db.report(report_id), 1, None, words)
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("tab", "j")
            options = app.screen.query_one("#annotation-list", EntryList)
            assert options.highlighted == 1
            await pilot.press("k")
            assert options.highlighted == 0


# ------------------------------------------------------------------ panel


class TestPanel:
    @sync
    async def test_another_analysts_annotation_is_signed_and_m_hides_it(self, loop) -> None:
        db, report_id, ids = loop
        theirs = Session(Database(db.root, reviewer="bob"))
        theirs.add_mention(db.report(report_id), 1, Span.of(ONE, 0, 17), ids["sharq"])
        Session(db).add_claim(db.report(report_id), 1, None, "mine")
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE) as pilot:
            options = app.screen.query_one("#annotation-list", EntryList)
            entries = [options.get_option_at_index(i) for i in range(options.option_count)]
            shown = [str(entry.prompt) for entry in entries if not entry.disabled]
            assert any("— by bob" in text for text in shown) and not any("by tester" in text for text in shown)
            await pilot.press("m")
            shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert len(shown) == 1 and "mine" in shown[0]

    @sync
    async def test_deleting_a_mention_says_it_was_the_mention(self, loop) -> None:
        db, report_id, ids = loop
        Session(db).add_mention(db.report(report_id), 1, Span.of(ONE, 0, 17), ids["sharq"])
        app = make_app(db, report_id)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await pilot.press("tab", "d")
            await pilot.pause()
            assert "Deleted the mention of Al-Sharq Al-Awsat (the actor stays)" in toasts(app)
            await pilot.press("u")
            await pilot.pause()
            assert "Undone: deleted actor mention" in toasts(app)


# ------------------------------------------------------------------ keymap


class TestKeymap:
    def test_every_binding_id_is_one_the_config_file_accepts(self) -> None:
        """Letters, dots and underscores (store/config.py's rule): digits are spelt out (count.three, choice.pick_two)."""
        import importlib
        import pkgutil

        import tui
        from tui.keys import bindings_of

        seen = 0
        for module in pkgutil.walk_packages(tui.__path__, "tui."):
            if module.name in ("tui.cli", "tui.lifecycle") or module.name.startswith("tui.commands"):
                continue
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, type) and value.__module__ == module.name:
                    for binding in bindings_of(value):
                        if binding.id is not None and value.__module__.startswith("tui."):
                            seen += 1
                            assert re.fullmatch(r"[a-z_.]+", binding.id), (value.__name__, binding.id)
        assert seen > 100

    def test_the_readmes_example_is_free_of_conflicts(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        block = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
        assert block is not None
        keymap = tomllib.loads(block.group(1))["keys"]
        assert keymap and keymap_conflicts(keymap, ClaimdeskApp) == []

    def test_a_conflict_names_both_bindings(self) -> None:
        lines = keymap_conflicts({"next_paragraph": "n,down"}, ClaimdeskApp)
        assert sorted(lines) == [
            "config.toml [keys]: n is bound to both next_paragraph (Next ¶) and next_hit (Next hit) in the report's text; "
            "only one of them will work",
            "config.toml [keys]: n is bound to both next_paragraph (Next ¶) and selection.search_hit (Search hit) in the "
            "report's text; only one of them will work",
        ]

    @sync
    async def test_conflicts_are_told_at_start_and_hints_follow_the_keymap(self, loop) -> None:
        db, report_id, _ids = loop
        app = make_app(db, report_id, keymap={"next_paragraph": "n,down", "claim": "C"})
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await pilot.pause()
            await pilot.pause()
            assert "n is bound to both next_paragraph (Next ¶) and next_hit (Next hit)" in toasts(app)
            panel = str(app.screen.query_one("#annotation-list", EntryList).get_option_at_index(0).prompt)
            assert "C claim" in panel  # the panel's hint names the remapped key


# ---------------------------------------------------------------- library


@pytest.fixture(scope="session")
def thousand_reports(tmp_path_factory) -> Path:
    """A database of 1,000 small reports (built once; each test copies it)."""
    from store.ingest import parse_text

    root = tmp_path_factory.mktemp("thousand") / "db"
    db = Database(root, reviewer="tester")
    for n in range(1000):
        region = ("Iraq", "Syria", "Lebanon", "Yemen")[n % 4]
        date = f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}"
        text = f"---\ntitle: Field report {n:04d} from {region}\ndate: {date}\n---\n\nOne paragraph.\n\nTwo.\n"
        parsed = parse_text(text, f"field_{n:04d}.md")
        db.add_parsed(f"field_{n:04d}.md", parsed, f"{n:064x}", f"/reports/field_{n:04d}.md")
    session = Session(db)
    session.set_reviewed("field_0001.md", 1, True)
    session.set_reviewed("field_0002.md", 1, True)
    session.set_reviewed("field_0002.md", 2, True)
    session.set_flagged("field_0003.md", 1, True, "odd")
    return root


class TestLibrary:
    @sync
    async def test_filter_sort_and_states_over_a_thousand_reports(self, thousand_reports, tmp_path) -> None:
        import shutil

        root = tmp_path / "db"
        shutil.copytree(thousand_reports, root)
        app = make_app(Database(root, reviewer="tester"))
        async with app.run_test(size=WIDE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            library = app.screen
            status = library.query_one("#library-status", Static)
            assert "1000 of 1000 reports" in str(status.render())
            await pilot.press("slash")
            await type_text(pilot, "feild 0042")  # a typo, still found
            await pilot.pause()
            assert [r.id for r in library.shown][:1] == ["field_0042.md"] and len(library.shown) < 20
            await pilot.press("enter")  # back to the table, filter kept
            await pilot.press("escape")  # cleared
            assert len(library.shown) == 1000
            await pilot.press("f")  # unstarted
            assert len(library.shown) == 997
            await pilot.press("f")  # in progress (a flag alone is a start)
            assert sorted(r.id for r in library.shown) == ["field_0001.md", "field_0003.md"]
            await pilot.press("f")  # done
            assert [r.id for r in library.shown] == ["field_0002.md"]
            await pilot.press("f")  # flagged
            assert [r.id for r in library.shown] == ["field_0003.md"]
            assert "⚑1" in str(library.query_one("#library").get_row("field_0003.md")[3])
            await pilot.press("f", "s")  # all again; sorted by title
            assert library.shown[0].title == "Field report 0000 from Iraq"
            await pilot.press("s")  # by progress: least done first, done last
            assert library.shown[-1].id == "field_0002.md"
            await pilot.press("G", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen) and app.screen.report_id == "field_0002.md"
