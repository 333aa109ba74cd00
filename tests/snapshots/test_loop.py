"""Snapshots of the analyst's loop: registry suggestions, claim candidates, the prefilled claim form, the flag
dialog and the library's filter, at 80×24 and 120×40. Update with `--snapshot-update`, then look at the SVGs."""

from __future__ import annotations

import pytest

from store.session import Session
from tests.snapshots.test_panels import SIZES, keys, report_in
from tests.snapshots.test_screens import keys_then_settle, sample_db  # noqa: F401 - a fixture
from tui.app import make_app


def with_registry(tmp_path):
    """The river report, and a registry naming its actors (one spelt another way)."""
    db, report_id = report_in(tmp_path)
    session = Session(db)
    session.create_actor("Euphrates Defence Units", "armed_group", aliases=("EDU",))
    session.create_actor("Furat Post", "media")
    session.create_actor("Euphrates Defense Unit", "armed_group")  # a near namesake: a suggestion names the right one
    return db, report_id


class TestSuggestionsAndCandidates:
    @pytest.mark.parametrize("size", SIZES)
    def test_suggestions_and_candidates(self, snap_compare, tmp_path, size) -> None:
        """Names of registry actors in italics, the one `y` tags in reverse; `›` where a claim candidate
        starts, `┃` along the current one."""
        db, report_id = with_registry(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=keys("j"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_tagged_suggestions_and_the_next_candidate(self, snap_compare, tmp_path, size) -> None:
        """`Y` tags every suggestion of paragraph 1 (now bold, in the panel); `)` moves to its second candidate."""
        db, report_id = with_registry(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=keys("Y", "right_parenthesis"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_claim_form_prefilled_from_a_candidate(self, snap_compare, tmp_path, size) -> None:
        """enter on paragraph 3's candidate: span, type, claimant and reported-by filled; the grade next."""
        db, report_id = with_registry(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=keys("j", "j", "enter"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_flag_dialog(self, snap_compare, tmp_path, size) -> None:
        db, report_id = with_registry(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=keys("exclamation_mark", *"odd date"), terminal_size=size)


class TestLibraryFilter:
    @pytest.mark.parametrize("size", SIZES)
    def test_filter_typed(self, snap_compare, sample_db, size) -> None:  # noqa: F811 - the fixture
        assert snap_compare(make_app(sample_db), terminal_size=size, run_before=keys_then_settle("slash", *"harbor"))
