"""Annotating by keyboard: spans, claims, actor mentions, credibility, edit, delete, undo and redo.

Every test drives the report screen with keys only and then asserts what the
store holds (offsets, quote, fields), read back through a fresh Database so
nothing is taken from the UI's memory.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from store.db import Database
from store.errors import WriteError
from store.model import Annotation, Claim, Credibility, Kind, Span
from store.session import Session
from tests.pilot.toasts import toasts
from tui.app import make_app
from tui.dialogs.actor_picker import ActorPicker
from tui.dialogs.claim_form import ClaimForm
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.credibility_picker import CredibilityPicker
from tui.screens.report import ReportScreen
from tui.widgets.actor_field import ActorField
from tui.widgets.entry_list import EntryList
from tui.widgets.paragraph_view import ParagraphView
from tui.widgets.selection import SpanSelector

WIDE = (120, 40)
NARROW = (80, 24)

FIRST = "The Euphrates Defence Units denied the account. Furat Post reported that two houses were searched."
# Arabic with a shadda and a fatha on one letter, an emoji with a skin tone, a decomposed é, CJK.
SECOND = "قال المتحدث إنَّ الهجوم فشل 😀👍🏽 and cafe\u0301 中文 done."
THIRD = "Sayyid Al-Shuhada Brigades said the convoy was hit. A third sentence."


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def write_report(tmp_path: Path, *paragraphs: str) -> Path:
    path = tmp_path / "report.txt"
    path.write_text("Test report\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def report_id(db, tmp_path) -> str:
    return db.add_report(write_report(tmp_path, FIRST, SECOND, THIRD)).report.id


def stored(db: Database, report_id: str) -> list[Annotation]:
    """What is on disk, read by a separate Database (as another process would)."""
    return Database(db.root, reviewer="reader").annotations(report_id)


def screen_of(app) -> ReportScreen:
    assert isinstance(app.screen, ReportScreen), app.screen
    return app.screen


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


# ------------------------------------------------------------------ claims


@sync
async def test_claim_on_a_span_with_its_type_is_stored_with_offsets_and_quote(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "e", "e", "e", "e")
        state = app.screen.query_one(SpanSelector).state
        assert (state.start, state.end) == (0, 27)
        await pilot.press("c")
        assert isinstance(app.screen, ClaimForm)
        assert app.screen.query_one("#claim-text", TextArea).text == "The Euphrates Defence Units"
        await pilot.press("enter", "1")  # enter: the type; 1: event (and on to the claimant)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
    [claim] = stored(db, report_id)
    assert claim.kind is Kind.CLAIM and claim.paragraph == 1
    assert (claim.span.start, claim.span.end, claim.span.quote) == (0, 27, "The Euphrates Defence Units")
    assert claim.claim == Claim("The Euphrates Defence Units", "event", None, None)
    assert claim.reviewer == "tester" and claim.created_at and claim.updated_at
    assert claim.credibility is None


@sync
async def test_sentence_motion_and_edited_claim_text_and_note(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "right_parenthesis", "c")
        field = app.screen.query_one("#claim-text", TextArea)
        assert field.text == "The Euphrates Defence Units denied the account."
        field.clear()
        await type_text(pilot, "EDU deny the crossing")
        await pilot.press("enter", "enter", "enter", "enter", "enter")  # type, claimant, reported by, grade, note
        assert app.screen.focused.id == "claim-note"
        await type_text(pilot, "denial only")
        await pilot.press("enter")  # enter on the last field saves
        await pilot.pause()
    [claim] = stored(db, report_id)
    assert (claim.span.start, claim.span.end) == (0, 47)
    assert claim.span.quote == FIRST[:47]
    assert claim.claim.text == "EDU deny the crossing" and claim.note == "denial only"


@sync
async def test_paragraph_level_claim_without_a_selection(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "c")
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("ctrl+s")  # no text yet: refused, the form stays
        assert isinstance(app.screen, ClaimForm)
        assert "needs its text" in str(app.screen.query_one("#claim-error", Static).render())
        await type_text(pilot, "attack failed")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [claim] = stored(db, report_id)
    assert claim.paragraph == 2 and claim.span is None and claim.claim.text == "attack failed"


def grade_line(app) -> str:
    """The status line as drawn: the GRADE line while grading."""
    return str(app.screen.query_one("#report-status", Static).render())


@sync
async def test_edit_grade_undo_redo_and_delete_a_claim(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "e", "e", "c", "ctrl+s")
        await pilot.pause()
        [first] = stored(db, report_id)
        # grade the claim just made: r, a letter, a digit
        await pilot.press("r")
        assert "GRADE" in grade_line(app) and "reliability: a completely" in grade_line(app)  # in place: no dialog
        await pilot.press("b")
        assert "B·" in grade_line(app) and "credibility: 1 confirmed" in grade_line(app)
        await pilot.press("2")
        await pilot.pause()
        [graded] = stored(db, report_id)
        assert graded.credibility == Credibility("B", 2)
        assert "GRADE" not in grade_line(app) and "✓ Graded B2: usually reliable; probably true" in grade_line(app)
        panel_text = str(app.screen.query_one("#annotation-list", EntryList).get_option_at_index(0).prompt)
        assert "B2 (usually reliable; probably true)" in " ".join(panel_text.split())  # wrapped to the panel
        # edit it from the panel
        await pilot.press("tab", "enter")
        assert isinstance(app.screen, ClaimForm)
        app.screen.query_one("#claim-text", TextArea).text = "Euphrates units"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [edited] = stored(db, report_id)
        assert edited.claim.text == "Euphrates units" and edited.span == first.span
        assert edited.created_at == first.created_at and edited.updated_at > first.updated_at
        assert edited.credibility == Credibility("B", 2)
        # undo the edit, then the grade; redo both
        await pilot.press("u")
        assert stored(db, report_id)[0].claim.text == "The Euphrates"
        await pilot.press("u")
        assert stored(db, report_id)[0].credibility is None
        await pilot.press("ctrl+r", "ctrl+r")
        [again] = stored(db, report_id)
        assert again.claim.text == "Euphrates units" and again.credibility == Credibility("B", 2)
        # delete it from the panel (the panel still has focus), undo the delete, redo it
        await pilot.press("d")
        await pilot.pause()
        assert stored(db, report_id) == []
        await pilot.press("u")
        assert [a.id for a in stored(db, report_id)] == [first.id]
        await pilot.press("ctrl+r")
        assert stored(db, report_id) == []


@sync
async def test_grade_the_annotation_selected_in_the_panel_and_clear_it(db, report_id) -> None:
    report = db.report(report_id)
    for words in ("one", "two"):
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=None, claim=Claim(words)))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("tab", "down", "r")
        assert "GRADE" in grade_line(app) and "“two”" in grade_line(app)
        await pilot.press("F", "6")
        await pilot.pause()
        by_text = {a.claim.text: a for a in stored(db, report_id)}
        assert by_text["two"].credibility == Credibility("F", 6) and by_text["one"].credibility is None
        await pilot.press("r", "x", "enter")  # x: not yet graded
        await pilot.pause()
        assert {a.claim.text: a.credibility for a in stored(db, report_id)} == {"one": None, "two": None}
        await pilot.press("r", "c", "escape")  # esc changes nothing
        await pilot.pause()
        assert {a.claim.text: a.credibility for a in stored(db, report_id)} == {"one": None, "two": None}


@sync
async def test_r_without_a_claim_says_so(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert "No claim to grade" in toasts(app)


# ------------------------------------------------------------------ actors


@sync
async def test_actor_mention_creates_an_actor_then_undo_and_redo(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "w", "v", "e", "e", "e", "a")  # skip "The", then select three words
        assert isinstance(app.screen, ActorPicker)
        assert app.screen.query_one("#picker-query", Input).value == "Euphrates Defence Units"
        await pilot.press("ctrl+n", "2")  # new actor, type 2 (armed group or militia): the digit creates it
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        [mention] = stored(db, report_id)
        [actor] = db.actors()
        assert actor.name == "Euphrates Defence Units" and actor.type == "armed_group"
        assert mention.kind is Kind.ACTOR and mention.actor_id == actor.id
        assert (mention.span.start, mention.span.end, mention.span.quote) == (4, 27, "Euphrates Defence Units")
        await pilot.press("u")  # the mention and the actor made for it were one step
        assert stored(db, report_id) == [] and db.actors() == []
        await pilot.press("ctrl+r")
        assert [a.actor_id for a in stored(db, report_id)] == [actor.id] and [a.name for a in db.actors()] == [actor.name]


@sync
async def test_actor_mention_finds_a_spelling_variant_and_can_be_repointed_and_deleted(db, report_id) -> None:
    sayyed, _ = db.save_actor(db.new_actor("Sayyed Al-Shuhada Brigades", "armed_group"))
    other, _ = db.save_actor(db.new_actor("Kata'ib Hezbollah", "armed_group"))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "j", "v", "e", "e", "e", "a")
        assert app.screen.query_one("#picker-query", Input).value == "Sayyid Al-Shuhada Brigades"
        await pilot.press("enter")  # the best match: the other spelling of the same actor
        await pilot.pause()
        [mention] = stored(db, report_id)
        assert mention.actor_id == sayyed.id and mention.paragraph == 3
        assert mention.span.quote == "Sayyid Al-Shuhada Brigades"
        # enter in the panel edits: point the mention at another actor
        await pilot.press("tab", "enter")
        assert isinstance(app.screen, ActorPicker)
        app.screen.query_one("#picker-query", Input).value = "Kata'ib"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert stored(db, report_id)[0].actor_id == other.id
        # grade the mention highlighted in the panel, undo and redo the grade
        await pilot.press("r", "a", "1")
        await pilot.pause()
        assert stored(db, report_id)[0].credibility == Credibility("A", 1)
        await pilot.press("u")
        assert stored(db, report_id)[0].credibility is None
        await pilot.press("ctrl+r")
        assert stored(db, report_id)[0].credibility == Credibility("A", 1)
        await pilot.press("d")
        await pilot.pause()
        assert stored(db, report_id) == []
        await pilot.press("u")
        assert stored(db, report_id)[0].actor_id == other.id


@sync
async def test_undo_in_the_report_reverts_a_merge_made_elsewhere_in_the_session(db, report_id) -> None:
    sayyid, _ = db.save_actor(db.new_actor("Sayyid Al-Shuhada", "armed_group"))
    sayyed, _ = db.save_actor(db.new_actor("Sayyed Al-Shuhada Brigades", "armed_group"))
    span = Span.of(THIRD, 0, 26)
    db.save_annotation(db.new_annotation(Kind.ACTOR, db.report(report_id), 3, span=span, actor_id=sayyid.id))
    session = Session(db)
    app = make_app(session, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        session.merge_actors(sayyed, sayyid)  # as the actors screen does, in the same session
        screen_of(app).reload_annotations()
        assert stored(db, report_id)[0].actor_id == sayyed.id
        await pilot.press("u")
        await pilot.pause()
        assert stored(db, report_id)[0].actor_id == sayyid.id
        assert {a.name for a in db.actors()} == {"Sayyid Al-Shuhada", "Sayyed Al-Shuhada Brigades"}
        assert "Undone: merged" in toasts(app)
        await pilot.press("ctrl+r")
        assert stored(db, report_id)[0].actor_id == sayyed.id and [a.name for a in db.actors()] == ["Sayyed Al-Shuhada Brigades"]


@sync
async def test_paragraph_level_actor_mention(db, report_id) -> None:
    actor, _ = db.save_actor(db.new_actor("Furat Post", "media"))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("a")
        assert app.screen.query_one("#picker-query", Input).value == ""
        await type_text(pilot, "furat")
        await pilot.press("enter")
        await pilot.pause()
    [mention] = stored(db, report_id)
    assert mention.span is None and mention.actor_id == actor.id and mention.paragraph == 1


@sync
async def test_claimant_and_reported_by_are_picked_in_the_claim_form(db, report_id) -> None:
    edu, _ = db.save_actor(db.new_actor("Euphrates Defence Units", "armed_group"))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "right_parenthesis", "c", "enter", "enter")
        claimant = app.screen.query_one("#claim-claimant", ActorField)
        assert app.screen.focused is claimant.input
        await type_text(pilot, "euphrates")
        await pilot.press("enter")  # the highlighted match
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        assert claimant.input.value == "Euphrates Defence Units"
        assert app.screen.focused is app.screen.query_one("#claim-reported_by", ActorField).input
        await type_text(pilot, "Furat Post")
        await pilot.press("ctrl+s")  # not an actor yet: the picker opens before saving
        assert isinstance(app.screen, ActorPicker)
        await pilot.press("ctrl+n", "6")  # create it as a media outlet (its digit answers); the save goes on
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
    furat = db.find_actor("Furat Post")
    assert furat is not None and furat.type == "media"
    [claim] = stored(db, report_id)
    assert claim.claim.claimant == edu.id and claim.claim.reported_by == furat.id


# ------------------------------------------------------ Unicode and mouse


@sync
async def test_spans_over_arabic_emoji_and_combining_marks_keep_code_point_offsets(db, report_id) -> None:
    text = SECOND
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "v", "w", "w", "v", "e")  # the third Arabic word, with its marks
        state = app.screen.query_one(SpanSelector).state
        assert text[state.start : state.end] == "إنَّ"
        await pilot.press("c", "ctrl+s")
        await pilot.pause()
        await pilot.press("v")  # starts after the previous span
        await pilot.press("e", "e", "e")  # الهجوم فشل 😀👍🏽
        await pilot.press("c", "ctrl+s")
        await pilot.pause()
        await pilot.press("v", "e", "e", "h")  # "and café", then one character back: é goes with its mark
        state = app.screen.query_one(SpanSelector).state
        assert text[state.start : state.end] == "and caf"
        await pilot.press("l", "l", "c", "ctrl+s")  # forward over "é" (e + U+0301) and the space
        await pilot.pause()
    quotes = sorted((a.span.start, a.span.end, a.span.quote) for a in stored(db, report_id))
    for start, end, quote in quotes:
        assert text[start:end] == quote
    assert [q for _, _, q in quotes] == ["إنَّ", "الهجوم فشل 😀👍🏽", "and cafe\u0301"]  # trailing space trimmed
    start = text.index("إنَّ")
    assert quotes[0][:2] == (start, start + len("إنَّ"))  # code points: 4, though it draws as 2 cells


@sync
async def test_mouse_drag_selects_a_span_past_wide_characters(db, report_id) -> None:
    text = SECOND
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        y = next(row for row in range(view.size.height) if "中文" in view.render_line(row).text)
        line = view.render_line(y).text
        # Screen cells of "中文" and "done": wide characters take two cells each.
        from rich.cells import cell_len

        zhong = cell_len(line[: line.index("中")])
        done = cell_len(line[: line.index("done")])
        assert view.offset_at(zhong + 1, y) == (1, text.index("中"))  # the right half of a wide cell
        await pilot.mouse_down(view, offset=(zhong, y))
        await pilot.hover(view, offset=(done + 3, y))
        await pilot.mouse_up(view, offset=(done + 3, y))
        await pilot.pause()
        state = app.screen.query_one(SpanSelector).state
        assert text[state.start : state.end] == "中文 done"
        await pilot.press("c", "ctrl+s")
        await pilot.pause()
    [claim] = stored(db, report_id)
    assert claim.span.quote == "中文 done" and claim.span.start == text.index("中")


# ------------------------------------------------------------ selection mode


@sync
async def test_selection_is_drawn_while_made_and_esc_cancels(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        screen = screen_of(app)
        await pilot.press("v", "e", "e")
        assert screen.has_class("-selecting")
        view = screen.query_one(ParagraphView)
        line = view.render_line(0)
        selection = view.get_component_rich_style("paragraph-view--selection")
        cursor = view.get_component_rich_style("paragraph-view--cursor")
        styled = [(seg.text, seg.style) for seg in line if seg.text.strip()]
        assert any(text == "The Euphrate" and style.reverse for text, style in styled), styled
        assert any(text == "s" and style.underline for text, style in styled), styled
        assert selection.reverse and cursor.underline
        bar = str(screen.query_one(SpanSelector).render())
        assert "0–13" in bar and "“The Euphrates”" in bar
        await pilot.press("escape")
        assert not screen.has_class("-selecting")
        assert isinstance(app.screen, ReportScreen)  # esc left selection mode, not the report
        assert all(not (seg.style and seg.style.reverse) for seg in view.render_line(0) if seg.text.strip())
        await pilot.press("c")  # no selection any more: a paragraph-level claim
        assert isinstance(app.screen, ClaimForm) and app.screen.draft.quote is None


@sync
async def test_esc_in_the_form_returns_to_the_selection(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "e", "c", "escape")
        screen = screen_of(app)
        assert screen.has_class("-selecting")
        state = screen.query_one(SpanSelector).state
        assert (state.start, state.end) == (0, 3)
        await pilot.press("escape", "escape")  # out of selection, then back to the library
        assert not isinstance(app.screen, ReportScreen)
    assert stored(db, report_id) == []


@sync
async def test_moving_to_another_paragraph_ends_the_selection(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v", "e", "j")
        await pilot.pause()
        assert not screen_of(app).has_class("-selecting")
        assert screen_of(app).current_paragraph == 2


# ------------------------------------------------------------- store errors


def fail_once(db, monkeypatch, error: Exception) -> None:
    """The next write to the database fails with `error` (a disk full, a permission); the one after works."""
    real_commit = db.commit
    failures = iter([error])

    def flaky_commit(plans):
        for failure in failures:
            raise failure
        return real_commit(plans)

    monkeypatch.setattr(db, "commit", flaky_commit)


@sync
async def test_a_refused_save_reopens_the_form_with_what_was_typed(db, report_id, monkeypatch) -> None:
    fail_once(db, monkeypatch, WriteError("could not save x.json: disk full; nothing was changed on disk"))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("v", "e", "c")
        app.screen.query_one("#claim-text", TextArea).text = "typed with care"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        assert app.screen.query_one("#claim-text", TextArea).text == "typed with care"
        assert "disk full" in str(app.screen.query_one("#claim-error", Static).render())
        assert "disk full" in toasts(app)
        assert stored(db, report_id) == []
        await pilot.press("ctrl+s")  # retry
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
    [claim] = stored(db, report_id)
    assert claim.claim.text == "typed with care" and claim.span.quote == "The"


@sync
async def test_a_refused_one_key_change_offers_a_retry(db, report_id, monkeypatch) -> None:
    db.save_annotation(db.new_annotation(Kind.CLAIM, db.report(report_id), 1, span=None, claim=Claim("x")))
    fail_once(db, monkeypatch, WriteError("could not save: permission denied; nothing was changed on disk"))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("tab", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert len(stored(db, report_id)) == 1
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
    assert stored(db, report_id) == []


# ------------------------------------------------------------ keys and help


@sync
async def test_remapped_keys_from_the_config_file_work(db, report_id) -> None:
    app = make_app(db, report_id, keymap={"claim": "C", "select_span": "s", "selection.word_end": "E"})
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ReportScreen)  # c is no longer the claim key
        await pilot.press("s", "E", "E", "C")
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert stored(db, report_id)[0].span.quote == "The Euphrates"


def test_every_annotating_binding_has_a_description_and_an_id() -> None:
    from tui.dialogs.confirm import ConfirmDialog
    from tui.widgets.annotation_panel import AnnotationPanel
    from tui.widgets.search_bar import SearchBar

    for owner in (ReportScreen, AnnotationPanel, ClaimForm, CredibilityPicker, ConfirmDialog, SearchBar):
        for binding in owner.BINDINGS:
            assert binding.description and binding.id, (owner.__name__, binding)
            assert all(c.islower() or c in "._" for c in binding.id), binding.id  # the config file's id rule


@sync
async def test_help_lists_the_selection_keys_while_selecting(db, report_id) -> None:
    from tui.screens.help import active_bindings_rows

    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        ids = {row[2] for row in active_bindings_rows(app)}
        assert {"select_span", "claim", "actor", "grade", "mark_reviewed", "search", "undo", "redo"} <= ids
        assert "selection.word_end" not in ids
        await pilot.press("v")
        ids = {row[2] for row in active_bindings_rows(app)}
        assert {"selection.word_end", "selection.next_word", "selection.sentence_end", "selection.claim"} <= ids
        assert "mark_reviewed" not in ids and "undo" not in ids


@sync
async def test_the_cursor_stays_on_screen_in_a_paragraph_longer_than_the_screen(db, tmp_path) -> None:
    sentences = [f"Sentence number {n} says little." for n in range(1, 121)]
    long_paragraph = " ".join(sentences)
    report_id = db.add_report(write_report(tmp_path, long_paragraph, "After.")).report.id
    app = make_app(db, report_id)
    async with app.run_test(size=NARROW) as pilot:
        view = app.screen.query_one(ParagraphView)
        await pilot.press("v", "dollar_sign")  # the cursor jumps to the end of the paragraph
        await pilot.pause()
        shown = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "Sentence number 120 says little." in shown
        await pilot.press("0", "v", "right_parenthesis", "right_parenthesis")  # back to the start, span from there
        await pilot.pause()
        shown = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "Sentence number 1 says" in shown
        await pilot.press("c", "ctrl+s")
        await pilot.pause()
    [claim] = stored(db, report_id)
    assert claim.span.quote == "Sentence number 1 says little. Sentence number 2 says little."


@sync
async def test_an_actor_renamed_elsewhere_shows_its_new_name_on_return(db, report_id) -> None:
    actor, _ = db.save_actor(db.new_actor("Furat Post", "media"))
    db.save_annotation(db.new_annotation(Kind.ACTOR, db.report(report_id), 1, span=None, actor_id=actor.id))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        db.save_actor(actor.evolve(name="Furat News Agency"))
        await pilot.press("question_mark")  # any screen over the report, then back
        await pilot.press("escape")
        await pilot.pause()
        option = app.screen.query_one("#annotation-list", EntryList).get_option_at_index(0)
        assert "Furat News Agency" in str(option.prompt)
