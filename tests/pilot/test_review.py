"""The review flow: paragraph status and progress, search, other analysts' changes, NO_COLOR cues."""

from __future__ import annotations

import pytest
from textual import events
from textual.filter import NoColor
from textual.widgets import Input, Static

from store.db import Database
from store.errors import WriteError
from store.model import Claim, Credibility, Kind, Span
from store.session import Session
from tests.pilot.test_annotate import FIRST, SECOND, THIRD, WIDE, fail_once, screen_of, stored, sync, type_text, write_report
from tests.pilot.toasts import toasts
from tui.app import make_app
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.conflict import ConflictDialog
from tui.screens.report import POLL_SECONDS, ReportScreen
from tui.widgets.entry_list import EntryList
from tui.widgets.paragraph_view import ParagraphView

FOURTH = "The convoy was hit near the crossing; the convoy turned back."


@pytest.fixture
def report_id(db, tmp_path) -> str:
    return db.add_report(write_report(tmp_path, FIRST, SECOND, THIRD, FOURTH)).report.id


def marks(db: Database, report_id: str) -> dict[int, tuple[bool, bool]]:
    """(reviewed, flagged) of every marked paragraph, read afresh from disk."""
    return {n: (m.reviewed, m.flagged) for n, m in Database(db.root, reviewer="reader").marks(report_id).items()}


def disk_full() -> WriteError:
    return WriteError("could not save marks-0001.json: disk full; nothing was changed on disk")


def status_line(app) -> str:
    return str(app.screen.query_one("#report-status", Static).render())


@sync
async def test_space_and_bang_toggle_status_and_progress_follows(db, report_id) -> None:
    app = make_app(db, report_id, advance_after_review=False)  # space stays on the paragraph (the setting off)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        assert "0/4 reviewed" in status_line(app) and app.screen.sub_title == "undated"  # the header: the report's facts
        await pilot.press("space")
        assert marks(db, report_id) == {1: (True, False)}
        await pilot.press("j", "exclamation_mark", "enter")  # a flag without a reason
        assert marks(db, report_id) == {1: (True, False), 2: (False, True)}
        assert "1/4 reviewed · 1 flagged" in status_line(app)
        assert "flagged" in str(app.screen.query_one("#panel-heading", Static).render())
        await pilot.press("space")  # reviewed as well: the flag stays
        assert marks(db, report_id)[2] == (True, True)
        assert "reviewed · flagged" in str(app.screen.query_one("#panel-heading", Static).render())
        await pilot.press("exclamation_mark")  # the flag off; reviewed stays
        assert marks(db, report_id)[2] == (True, False)
        await pilot.press("space")  # not reviewed any more: nothing left of the mark
        assert 2 not in marks(db, report_id)
        assert "1/4 reviewed" in status_line(app)
        await pilot.press("u")  # undo the last toggle
        await pilot.pause()
        assert marks(db, report_id)[2] == (True, False)
        assert "Undone: marked ¶2 not reviewed" in toasts(app)


async def until(pilot, shown) -> None:
    """Let the app draw frames until `shown()` holds, at most ten."""
    for _ in range(10):
        if shown():
            return
        await pilot.pause()
    assert shown()


def burst(app, *keys: str) -> None:
    """Keys arriving in one read, as over SSH: all posted before any frame is drawn."""
    for key in keys:
        app.post_message(events.Key(key, " " if key == "space" else key))


@sync
async def test_a_key_typed_before_the_mark_is_saved_acts_on_it(db, report_id) -> None:
    """Keys arriving in one burst after space (undo, space again) find the mark saved and act on it, in order."""
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        burst(app, "space", "u")
        await until(pilot, lambda: "Undone: marked ¶1 reviewed" in toasts(app))
        assert marks(db, report_id) == {}
        burst(app, "space", "space", "space")  # from ¶2 (undo leaves the cursor): each marked before the next key
        await until(pilot, lambda: "3/4 reviewed" in status_line(app))
        assert marks(db, report_id) == {2: (True, False), 3: (True, False), 4: (True, False)}


@sync
async def test_space_moves_on_at_once_and_counts_the_mark_only_once_it_is_on_disk(db, report_id, monkeypatch) -> None:
    """The move answers the key (the save follows its frame: bench/bench_dense.py times that); ✓ and the count come after the save."""
    seen_when_saving: list[tuple[str, str]] = []
    real_commit = db.commit

    def watched_commit(plans):
        heading = str(app.screen.query_one("#panel-heading", Static).render())
        seen_when_saving.append((heading, status_line(app)))  # what the screen shows while the mark is written
        return real_commit(plans)

    monkeypatch.setattr(db, "commit", watched_commit)
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await until(pilot, lambda: "1/4 reviewed" in status_line(app))
        [(heading, status)] = seen_when_saving
        assert "¶ 2" in heading  # already moved on when the save began
        assert "0/4 reviewed" in status  # not yet counted: it was not on disk
        assert marks(db, report_id) == {1: (True, False)}


@sync
async def test_a_mark_that_cannot_be_saved_is_never_shown_and_retry_saves_it(db, report_id, monkeypatch) -> None:
    fail_once(db, monkeypatch, disk_full())
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Marking ¶1" in toasts(app) and "disk full" in toasts(app)
        assert marks(db, report_id) == {}
        report = app.screen_stack[-2]
        assert isinstance(report, ReportScreen)  # under the dialog: moved on, ¶1 not counted as reviewed
        assert "¶ 2" in str(report.query_one("#panel-heading", Static).render())
        assert "0/4 reviewed" in str(report.query_one("#report-status", Static).render())
        await pilot.press("y")  # Retry
        await until(pilot, lambda: isinstance(app.screen, ReportScreen) and "1/4 reviewed" in status_line(app))
        assert marks(db, report_id) == {1: (True, False)}


@sync
async def test_keys_typed_on_before_a_failed_save_is_shown_do_not_answer_its_dialog(db, report_id, monkeypatch) -> None:
    """`space` then `esc` at once, the disk full: the Retry dialog stays up (esc was meant for the report), nothing lost."""
    fail_once(db, monkeypatch, disk_full())
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        burst(app, "space", "escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        for _ in range(3):
            await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # not answered "Give up" by the esc typed before it showed
        await pilot.press("y")
        await until(pilot, lambda: marks(db, report_id) == {1: (True, False)})


@sync
async def test_keys_typed_on_after_a_grade_never_answer_a_conflict_unseen(db, report_id) -> None:
    """`r b 2 m` in one burst, someone else having graded the claim F6: `m` (the panel filter) does not keep mine."""
    Session(db).add_claim(db.report(report_id), 1, None, "a claim")
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        other = Session(Database(db.root, reviewer="other"))
        [claim] = other.db.annotations(report_id)
        other.grade(claim, Credibility("F", 6))
        burst(app, "r", "b", "2", "m")
        await until(pilot, lambda: isinstance(app.screen, ConflictDialog))
        for _ in range(3):
            await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert stored(db, report_id)[0].credibility == Credibility("F", 6)
        await pilot.press("t")  # take theirs: nothing of mine is said to be saved
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await until(pilot, lambda: "Graded" not in status_line(app))
        assert stored(db, report_id)[0].credibility == Credibility("F", 6)


@sync
async def test_leaving_right_after_space_keeps_the_mark(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE):
        burst(app, "space")
        app.exit()  # the app closes straight after the key: the mark is on disk all the same
    assert marks(db, report_id) == {1: (True, False)}


@sync
async def test_a_grade_is_shown_once_saved_and_keys_after_it_find_it_saved(db, report_id) -> None:
    Session(db).add_claim(db.report(report_id), 1, None, "a claim")
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r", "b", "2")
        await until(pilot, lambda: "✓ Graded B2" in status_line(app))
        [claim] = stored(db, report_id)
        assert claim.credibility == Credibility("B", 2)
        burst(app, "r", "c", "3", "u")  # in one burst: the undo finds the new grade saved, and undoes it
        await until(pilot, lambda: stored(db, report_id)[0].credibility == Credibility("B", 2))
        burst(app, "r", "d", "4")
        app.exit()
    assert stored(db, report_id)[0].credibility == Credibility("D", 4)  # left at once: the grade was still saved


@sync
async def test_the_status_line_stops_saying_graded_once_the_grade_is_undone(db, report_id) -> None:
    Session(db).add_claim(db.report(report_id), 1, None, "a claim")
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r", "b", "2")
        await until(pilot, lambda: "✓ Graded B2" in status_line(app))
        await pilot.press("u")
        await until(pilot, lambda: stored(db, report_id)[0].credibility is None)
        await until(pilot, lambda: "Graded" not in status_line(app))
        await pilot.press("r", "c", "3", "exclamation_mark", "enter")  # graded, then ¶1 flagged: the line tells the last change
        await until(pilot, lambda: marks(db, report_id) == {1: (False, True)})
        await until(pilot, lambda: "Graded" not in status_line(app))


@sync
async def test_braces_jump_between_unreviewed_paragraphs(db, report_id) -> None:
    session = Session(db)
    session.set_reviewed(report_id, 2, True)
    session.set_reviewed(report_id, 3, True)
    session.set_flagged(report_id, 3, True)
    session.set_flagged(report_id, 4, True)  # flagged but not reviewed: still to review
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = screen_of(app)
        await pilot.press("right_curly_bracket")
        assert screen.current_paragraph == 4
        await pilot.press("right_curly_bracket")  # none after: stays, says so
        assert screen.current_paragraph == 4
        await pilot.pause()
        assert "No unreviewed paragraph after" in toasts(app)
        await pilot.press("left_curly_bracket")
        assert screen.current_paragraph == 1


@sync
async def test_search_highlights_hits_and_n_and_shift_n_go_across_paragraphs(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        screen = screen_of(app)
        await pilot.press("slash")
        assert screen.focused.id == "search-input"
        await type_text(pilot, "CONVOY")
        await pilot.press("enter")
        # case-insensitive; hits in paragraphs 3 and 4 (twice)
        assert [(p, s) for p, s, _ in screen.hits] == [(2, THIRD.index("convoy")), (3, 4), (3, FOURTH.rindex("convoy"))]
        assert screen.current_paragraph == 3 and screen.hit_index == 0
        assert isinstance(screen.focused, ParagraphView)
        assert "1/3" in status_line(app)
        view = screen.query_one(ParagraphView)
        search = view.get_component_rich_style("paragraph-view--search")
        rows = [view.render_line(y) for y in range(view.size.height)]
        hit_segments = [seg for row in rows for seg in row if seg.text.lower() == "convoy"]
        assert len(hit_segments) == 3 and all(seg.style.bold == search.bold for seg in hit_segments)
        await pilot.press("n")
        assert (screen.current_paragraph, screen.hit_index) == (4, 1)
        await pilot.press("n")
        assert screen.hit_index == 2
        await pilot.press("n")  # wraps to the first
        assert (screen.current_paragraph, screen.hit_index) == (3, 0)
        await pilot.press("N")
        assert (screen.current_paragraph, screen.hit_index) == (4, 2)
        await pilot.press("escape")  # clears the search first, stays in the report
        assert isinstance(app.screen, ReportScreen) and screen.hits == []
        assert "search" not in status_line(app)


@sync
async def test_search_with_no_hits_and_escape_from_the_search_line(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        screen = screen_of(app)
        await pilot.press("slash")
        await type_text(pilot, "zzz")
        await pilot.press("enter")
        assert screen.hits == [] and "no hits" in status_line(app)
        await pilot.press("slash")
        assert screen.query_one("#search-input", Input).value == "zzz"  # the last query, to refine
        await pilot.press("escape")
        assert not screen.has_class("-searching") and isinstance(screen.focused, ParagraphView)


@sync
async def test_another_analysts_change_shows_up_without_a_keypress(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        other = Database(db.root, reviewer="colleague")
        report = other.report(report_id)
        span = Span.of(FIRST, 4, 27)
        other.save_annotation(other.new_annotation(Kind.CLAIM, report, 1, span=span, claim=Claim("from elsewhere")))
        Session(other).set_reviewed(report_id, 1, True)
        await pilot.pause(POLL_SECONDS + 0.6)
        option = app.screen.query_one("#annotation-list", EntryList).get_option_at_index(0)
        assert "from elsewhere" in str(option.prompt)
        assert "1/4 reviewed" in status_line(app)
        view = app.screen.query_one(ParagraphView)
        claim_style = view.get_component_rich_style("paragraph-view--claim")
        assert any(seg.text == "Euphrates Defence Units" and seg.style.underline == claim_style.underline for seg in view.render_line(0))


@sync
async def test_annotated_spans_keep_a_cue_without_colour(db, report_id, monkeypatch) -> None:
    """NO_COLOR strips colour: claims must stay underlined and actor mentions bold."""
    monkeypatch.setenv("NO_COLOR", "1")
    report = db.report(report_id)
    actor, _ = db.save_actor(db.new_actor("Furat Post", "media"))
    start = FIRST.index("Furat Post")
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=Span.of(FIRST, 0, 27), claim=Claim("x")))
    db.save_annotation(db.new_annotation(Kind.ACTOR, report, 1, span=Span.of(FIRST, start, start + 10), actor_id=actor.id))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        assert app.no_color
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        strip = view.render_line(0)
        plain = NoColor().apply(list(strip), app.styles.background.rich_color)
        by_text = {seg.text: seg.style for seg in plain if seg.text.strip()}
        claim = by_text["The Euphrates Defence Units"]
        mention = by_text["Furat Post"]
        assert claim.underline and claim.color.is_default
        assert mention.bold and mention.color.is_default
        await pilot.press("v", "e")  # the selection and its cursor too
        plain = NoColor().apply(list(view.render_line(0)), app.styles.background.rich_color)
        styles = {seg.text: seg.style for seg in plain if seg.text.strip()}
        assert styles["Th"].reverse and styles["e"].underline and styles["e"].bold


@sync
async def test_v_on_a_search_hit_selects_it(db, report_id) -> None:
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "al-shuhada")
        await pilot.press("enter", "v")
        state = app.screen.query_one("#span-selector").state
        assert THIRD[state.start : state.end] == "Al-Shuhada"
        await pilot.press("e", "c", "ctrl+s")  # extend over "Brigades", claim it
        await pilot.pause()
        await pilot.press("v")  # the hit is used: the next span starts after the last one
        state = app.screen.query_one("#span-selector").state
        assert THIRD[state.caret :].startswith("said the convoy")
        await pilot.press("escape", "n", "v")  # the next hit (wrapping back to this one) is fresh again
        state = app.screen.query_one("#span-selector").state
        assert THIRD[state.start : state.end] == "Al-Shuhada"
    [claim] = stored(db, report_id)
    assert claim.paragraph == 3 and claim.span.quote == "Al-Shuhada Brigades"


def panel_rows(app) -> list[tuple[str, bool]]:
    """The panel list's rows as drawn: (text, highlighted)."""
    entries = app.screen.query_one("#annotation-list", EntryList)
    lit = entries.get_component_rich_style("entry-list--highlight").bgcolor
    rows = [entries.render_line(y) for y in range(entries.size.height)]
    return [("".join(seg.text for seg in row).strip(), any(seg.style and seg.style.bgcolor == lit for seg in row)) for row in rows]


@sync
async def test_the_next_paragraph_drawn_ahead_of_the_key_shows_its_highlight_and_a_colleagues_change(db, report_id) -> None:
    report = db.report(report_id)
    for paragraph, words in ((1, "one"), (1, "two"), (2, "three"), (2, "four")):
        db.save_annotation(db.new_annotation(Kind.CLAIM, report, paragraph, span=None, claim=Claim(words)))
    app = make_app(db, report_id)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("tab", "down", "tab")  # the panel's second entry highlighted; back to the text
        other = Database(db.root, reviewer="colleague")
        four = next(a for a in other.annotations(report_id) if a.claim and a.claim.text == "four")
        Session(other).grade(four, Credibility("B", 2))
        await pilot.pause(POLL_SECONDS + 0.6)  # seen by the poll; ¶2's entries are drawn ahead meanwhile
        await pilot.press("j")
        await pilot.pause()
        rows = [row for row in panel_rows(app) if row[0]]
        lit = [text for text, highlighted in rows if highlighted]
        assert any("four" in text for text in lit) and not any("three" in text for text in lit)
        assert any("credibility: B2" in text for text in lit)  # the colleague's grade, on the highlighted entry
        assert any("three" in text for text, _ in rows)
