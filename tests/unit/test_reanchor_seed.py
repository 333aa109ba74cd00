"""Re-anchoring on the seed dispatch, edited in every way issue 12 lists (bench/revisions.py).

About 650 annotations are made on the seed programmatically (every sentence,
every run of capitalised words, every figure, every fifth paragraph whole),
every paragraph is marked, and each scenario edits the file, re-parses it and
re-anchors. The targets: at least 98 % of the annotations whose words are
still there land on exactly them, none is lost, and none is placed anywhere
else (the rest are orphaned); every mark follows its paragraph(s) and knows
whether the text changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.revisions import SCENARIOS, Scenario, Tally, run_scenario

TARGET = 0.98


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_each_edit_of_the_seed(scenario: Scenario, seed_path: Path, tmp_path: Path) -> None:
    tally, result = run_scenario(scenario, seed_path, tmp_path)
    assert tally.returned == tally.annotations > 600, "every annotation comes back, in order"
    assert tally.wrong == [], "an annotation that does not land on its words is orphaned, never placed elsewhere"
    assert tally.rate >= TARGET, tally.line()
    assert tally.marks_wrong == []
    assert result.orphaned == tally.orphaned
    look = f"{tally.orphaned} need{'s' if tally.orphaned == 1 else ''} a look"
    assert result.summary() == f"{tally.annotations - tally.orphaned} annotations carried to the new revision, {look}"


def test_the_kinds_of_edit_that_change_no_words_change_no_annotation(seed_path: Path, tmp_path: Path) -> None:
    for scenario in SCENARIOS:
        if scenario.name.startswith(("re-saved", "reordered", "inserted")):
            tally, result = run_scenario(scenario, seed_path, tmp_path)
            assert tally.landed == tally.annotations, tally.line()
            assert not any(mark.text_changed for mark in result.marks)


def test_the_whole_test_set(seed_path: Path, tmp_path: Path) -> None:
    tallies: list[Tally] = [run_scenario(scenario, seed_path, tmp_path)[0] for scenario in SCENARIOS]
    landed = sum(t.landed for t in tallies)
    with_place = sum(t.with_place for t in tallies)
    assert landed / with_place >= TARGET
    assert sum(len(t.wrong) for t in tallies) == 0
    assert sum(t.annotations - t.returned for t in tallies) == 0
