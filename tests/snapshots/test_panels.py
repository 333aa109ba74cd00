"""Snapshots of the annotating states of the report screen at 80×24 and 120×40.

Run with `--snapshot-update` after a deliberate change of the look, and check
the new SVGs by eye (they open in a browser).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from store.db import Database
from store.model import Claim, Credibility, Kind, Span
from tui.app import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

PARAGRAPHS = [
    "Residents said that about forty armed men crossed the river at night. "
    "One resident said the men wore the insignia of the Euphrates Defence Units.",
    "The Euphrates Defence Units denied the account in a statement, calling it “a fabrication by hostile media.”",
    "A local journalist writing for Furat Post reported that two houses were searched.",
]


def report_in(tmp_path: Path) -> tuple[Database, str]:
    path = tmp_path / "river.txt"
    path.write_text("Reports of a river crossing\n\n" + "\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    db = Database(tmp_path / "db", reviewer="snap")
    return db, db.add_report(path).report.id


def annotate(db: Database, report_id: str) -> None:
    """Paragraph 2 gets a graded claim with a claimant, an actor mention and an ungraded paragraph-level claim."""
    report = db.report(report_id)
    text = PARAGRAPHS[1]
    edu, _ = db.save_actor(db.new_actor("Euphrates Defence Units", "armed_group"))
    db.save_actor(db.new_actor("Furat Post", "media", aliases=("Furat News",)))
    db.save_actor(db.new_actor("Euphrates Shield", "armed_group"))
    db.save_annotation(db.new_annotation(Kind.ACTOR, report, 2, span=Span.of(text, 4, 27), actor_id=edu.id))
    end = text.index(" in a statement")
    db.save_annotation(
        db.new_annotation(
            Kind.CLAIM, report, 2, span=Span.of(text, 4, end),
            claim=Claim("EDU deny the crossing", "statement", claimant=edu.id),
            credibility=Credibility("B", 3), note="denial only",
        )
    )
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 2, span=None, claim=Claim("Hostile media fabricate", "statement")))


def keys(*presses: str):
    """Press the keys, then stop every text cursor blinking so the picture does not depend on timing."""

    async def run_before(pilot) -> None:
        await pilot.pause()  # suggestions and candidates are drawn from the second frame on
        await pilot.press(*presses)
        await pilot.pause()
        for field in pilot.app.screen.query("Input, TextArea"):
            assert isinstance(field, (Input, TextArea))
            field.cursor_blink = False  # leaves the cursor shown where the field has focus
        await pilot.pause()

    return run_before


class TestAnnotationPanel:
    @pytest.mark.parametrize("size", SIZES)
    def test_empty(self, snap_compare, tmp_path, size) -> None:
        db, report_id = report_in(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=keys(), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_with_annotations(self, snap_compare, tmp_path, size) -> None:
        db, report_id = report_in(tmp_path)
        annotate(db, report_id)
        assert snap_compare(make_app(db, report_id), run_before=keys("j", "tab"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_selecting(self, snap_compare, tmp_path, size) -> None:
        db, report_id = report_in(tmp_path)
        annotate(db, report_id)
        assert snap_compare(make_app(db, report_id), run_before=keys("j", "v", "e", "e", "e"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_claim_form(self, snap_compare, tmp_path, size) -> None:
        db, report_id = report_in(tmp_path)
        assert snap_compare(make_app(db, report_id), run_before=keys("v", "right_parenthesis", "c"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_credibility_picker(self, snap_compare, tmp_path, size) -> None:
        """`r` then `d`: the GRADE line in the status line's place, the reliability given, the credibility scale asked for."""
        db, report_id = report_in(tmp_path)
        annotate(db, report_id)
        assert snap_compare(make_app(db, report_id), run_before=keys("j", "tab", "down", "r", "d"), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_actor_completion(self, snap_compare, tmp_path, size) -> None:
        db, report_id = report_in(tmp_path)
        annotate(db, report_id)
        press = ["j", "v", "e", "e", "e", "a", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace"]
        assert snap_compare(make_app(db, report_id), run_before=keys(*press), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_claimant_completion_from_the_claim_form(self, snap_compare, tmp_path, size) -> None:
        db, report_id = report_in(tmp_path)
        annotate(db, report_id)
        press = ["j", "j", "c", "enter", "enter", "f", "u", "r", "a", "t"]  # the text, the type, then a name typed
        assert snap_compare(make_app(db, report_id), run_before=keys(*press), terminal_size=size)
