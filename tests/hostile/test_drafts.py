"""A draft read back from the state folder is untrusted: what does not fit the report is dropped, the rest cleaned."""

from __future__ import annotations

import pytest

from store.model import Actor, Annotation, Credibility, Kind, NewActor, Paragraph, Span
from tui.dialogs.claim_form import ClaimDraft
from tui.drafts import draft_key, from_dict, to_dict

PARAGRAPHS = (Paragraph(1, "Residents said that armed men crossed the river."), Paragraph(2, "The group denied it."))
ACTORS = {"a1": Actor("a1", "Furat Post", "media")}


def test_a_draft_comes_back_as_it_was_written() -> None:
    span = Span.of(PARAGRAPHS[0].text, 0, 9)
    draft = ClaimDraft("armed men crossed", "event", "a1", NewActor("Euphrates Units", "armed_group"), "a note", Credibility("B", 2),
                       heading="New claim", quote=span.quote, offered=("a1",))
    data = to_dict(draft, 1, span, None)
    assert draft_key(1, span, None) == "claim:new:1:0-9"
    back, paragraph, span_back, existing = from_dict(data, PARAGRAPHS, {}, ACTORS)
    assert (paragraph, span_back, existing) == (1, span, None)
    assert (back.text, back.type, back.claimant, back.reported_by, back.note, back.credibility) == (
        "armed men crossed", "event", "a1", NewActor("Euphrates Units", "armed_group"), "a note", Credibility("B", 2))


@pytest.mark.parametrize(
    "damage",
    [
        {"paragraph": 0}, {"paragraph": 3}, {"paragraph": "1"}, {"span": [5, 2]}, {"span": [0, 999]}, {"span": "0-9"},
        {"kind": "actor"}, {"text": ["x"]}, {"annotation": "gone"},
    ],
)
def test_a_draft_that_no_longer_fits_is_dropped(damage: dict) -> None:
    data = to_dict(ClaimDraft("x"), 1, Span.of(PARAGRAPHS[0].text, 0, 9), None)
    data.update(damage)
    assert from_dict(data, PARAGRAPHS, {}, ACTORS) is None


def test_fields_are_cleaned_and_unknown_actors_left_out() -> None:
    data = to_dict(ClaimDraft("x"), 2, None, None)
    data.update(text="[bold]x\x1b[31m\nnext", type="invented", claimant="no-such-actor", reported_by={"new": "\x07", "type": "media"},
                credibility="Z9", heading="\x1b]52;c;evil\x07", offered=["a1", "nope", 3])
    draft, paragraph, span, _ = from_dict(data, PARAGRAPHS, {}, ACTORS)
    assert (paragraph, span) == (2, None)
    assert "\x1b" not in draft.text and "\n" not in draft.text and draft.text.startswith("[bold]x")  # shown as text, never markup
    assert (draft.type, draft.claimant, draft.credibility, draft.offered) == ("other", None, None, ("a1",))
    assert draft.reported_by is None or "\x07" not in draft.reported_by.name
    assert "\x1b" not in draft.heading


def test_the_claim_being_edited_must_still_exist() -> None:
    claim = Annotation("c1", Kind.CLAIM, "r", "rev", 1, None)
    data = to_dict(ClaimDraft("x"), 1, None, claim)
    assert draft_key(1, None, claim) == "claim:edit:c1"
    assert from_dict(data, PARAGRAPHS, {"c1": claim}, ACTORS)[3] == claim
    assert from_dict(data, PARAGRAPHS, {}, ACTORS) is None
