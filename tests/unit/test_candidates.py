"""Claim candidates (store/candidates.py): each documented rule, on made-up sentences and on the seed's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.seed_registry import SEED_ACTORS
from store.candidates import Named, find_candidates, sentences
from store.ingest import parse_file
from store.model import Actor
from store.suggest import ActorMatcher


def named(text: str, *names: tuple[str, str, str]) -> list[Named]:
    """(quote, actor id, type) → Named at the quote's first place in `text`."""
    return [Named(text.index(quote), text.index(quote) + len(quote), actor_id, kind) for quote, actor_id, kind in names]


def span(text: str, candidate) -> str:
    return text[candidate.span_start : candidate.span_end]


class TestSentences:
    def test_stops_capitals_and_abbreviations(self) -> None:
        text = "It hit U.S. targets in Iraq. Then it stopped! Did it? Yes."
        assert [text[s:e] for s, e in sentences(text)] == ["It hit U.S. targets in Iraq.", "Then it stopped!", "Did it?", "Yes."]

    def test_footnote_markers_and_closing_quotes_stay_with_their_sentence(self) -> None:
        text = "He said “we are ready.”[4] The next one."
        assert [text[s:e] for s, e in sentences(text)] == ["He said “we are ready.”[4]", "The next one."]

    def test_quoted_speech_of_several_sentences_is_one(self) -> None:
        text = "He said: “We are ready. We will go.” Then he left."
        assert [text[s:e] for s, e in sentences(text)] == ["He said: “We are ready. We will go.”", "Then he left."]


class TestSpan:
    def test_quoted_speech_right_after_the_cue(self) -> None:
        text = "The commander stated, “We have a joint operations room in Iraq.”"
        [candidate] = find_candidates(text)
        assert span(text, candidate) == "We have a joint operations room in Iraq"

    def test_a_quoted_name_inside_the_clause_is_not_the_claim(self) -> None:
        text = "The movement hinted that it will attack using its “Golan Liberation Brigade.”"
        [candidate] = find_candidates(text)
        assert span(text, candidate) == "it will attack using its “Golan Liberation Brigade.”"  # the quotation stays closed

    def test_the_clause_after_the_cue_without_that(self) -> None:
        text = "The daily reported that Iran runs an operations room."
        [candidate] = find_candidates(text)
        assert (candidate.cue, span(text, candidate)) == ("reported", "Iran runs an operations room")

    def test_a_cue_at_the_end_takes_what_comes_before(self) -> None:
        text = "A force of 10,000 more fighters is waiting on the border, he added."
        [candidate] = find_candidates(text)
        assert span(text, candidate) == "A force of 10,000 more fighters is waiting on the border"

    def test_according_to_takes_what_follows_the_source(self) -> None:
        text = "According to the source, everything is ready."
        [candidate] = find_candidates(text)
        assert span(text, candidate) == "everything is ready"

    def test_a_passive_takes_what_was_confirmed(self) -> None:
        text = "This report on the room was also confirmed by the daily Al-Akhbar."
        [candidate] = find_candidates(text, named(text, ("Al-Akhbar", "akhbar", "media")))
        assert span(text, candidate) == "This report on the room"
        assert (candidate.claimant, candidate.reported_by) == ("akhbar", "akhbar")

    def test_no_cue_no_candidate_and_as_stated_refers_back(self) -> None:
        assert find_candidates("The militias moved south. Recent reports on websites say little.") == []
        assert find_candidates("As stated, these reports line up with others.") == []


class TestWho:
    def test_the_subject_before_an_apposition(self) -> None:
        text = "Muhammad Al-Tamimi, secretary-general of the Faylaq militia, said that the factions are ready."
        names = named(text, ("Muhammad Al-Tamimi", "tamimi", "person"), ("Faylaq", "faylaq", "armed_group"))
        [candidate] = find_candidates(text, names)
        assert candidate.claimant == "tamimi"

    def test_he_added_continues_the_previous_speaker(self) -> None:
        text = "Akram Al-Ka’abi said that they are ready, speaking to Ismail Haniya. He added that “all our brothers are waiting.”"
        names = named(text, ("Akram Al-Ka’abi", "kaabi", "person"), ("Ismail Haniya", "haniya", "person"))
        first, second = find_candidates(text, names)
        assert first.claimant == second.claimant == "kaabi"
        assert span(text, second) == "all our brothers are waiting"

    def test_an_outlet_in_its_own_clause_claims_and_reports(self) -> None:
        text = "In recent days, the Saudi Al-Sharq Al-Awsat daily has reported that commanders arrived."
        [candidate] = find_candidates(text, named(text, ("Al-Sharq Al-Awsat", "sharq", "media")), outlet="memri")
        assert (candidate.claimant, candidate.reported_by) == ("sharq", "sharq")

    def test_reported_by_falls_back_to_the_outlet(self) -> None:
        text = "The spokesman Hashem said that the army is trained."
        [candidate] = find_candidates(text, named(text, ("Hashem", "hashem", "person")), outlet="memri")
        assert (candidate.claimant, candidate.reported_by) == ("hashem", "memri")

    def test_according_to_names_the_claimant(self) -> None:
        text = "According to Orient News, the militias left."
        [candidate] = find_candidates(text, named(text, ("Orient News", "orient", "media")))
        assert candidate.claimant == "orient"


class TestType:
    @pytest.mark.parametrize(
        ("sentence", "expected"),
        [
            ("The group threatened to strike American targets.", "intent"),
            ("He said that 5,000 fighters have amassed.", "figure"),
            ("He said that the attack failed.", "statement"),
        ],
    )
    def test_a_first_guess(self, sentence: str, expected: str) -> None:
        [candidate] = find_candidates(sentence)
        assert candidate.claim_type == expected


def test_the_seed(seed_path: Path) -> None:
    """What an analyst gets on the seed with its registry (bench/seed_registry.py)."""
    parsed, _ = parse_file(seed_path)
    actors = [Actor(f"a{i}", name, actor_type, aliases) for i, (name, actor_type, aliases) in enumerate(SEED_ACTORS)]
    by_id = {a.id: a for a in actors}
    matcher = ActorMatcher(actors)

    def offered(number: int) -> list[tuple[str, str, str | None, str | None, str]]:
        text = parsed.paragraphs[number - 1].text
        names = [Named(s.start, s.end, s.actor_id, by_id[s.actor_id].type) for s in matcher.find(text)]
        return [
            (
                c.cue,
                span(text, c),
                by_id[c.claimant].name if c.claimant else None,
                by_id[c.reported_by].name if c.reported_by else None,
                c.claim_type,
            )
            for c in find_candidates(text, names)
        ]

    # ¶12: Al-Tamimi said…; he added (the figure of fighters); …, he added.
    said, added, added_last = offered(12)
    assert said[0] == "said" and said[2] == "Muhammad Al-Tamimi"
    assert added[0] == "added" and added[1].startswith("5,000 fighters have already amassed") and added[1].endswith("Imam Ali Brigades")
    assert (added[2], added[4]) == ("Muhammad Al-Tamimi", "figure")
    assert added_last[1].startswith("A force of 10,000") and added_last[2] == "Muhammad Al-Tamimi"
    # ¶7: the quoted speech after "stated,", by the secretary-general, on Al-Mayadeen.
    [stated] = offered(7)
    assert stated[1].startswith("From the first hours") and stated[1].endswith("religious obligation")
    assert stated[2:4] == ("Abu Alaa Al-Walai", "Al-Mayadeen")
    # ¶9: "He added" continues Al-Ka’abi, not the Hamas leader named after him.
    assert [item[2] for item in offered(9)] == ["Akram Al-Ka'abi", "Akram Al-Ka'abi"]
    # ¶2: an outlet's own reports, and a report confirmed by another outlet.
    first, second, confirmed = offered(2)
    assert first[2:4] == second[2:4] == ("Al-Sharq Al-Awsat", "Al-Sharq Al-Awsat")
    assert confirmed[0] == "confirmed" and confirmed[2:4] == ("Al-Akhbar", "Al-Akhbar")
    # ¶3 opens with "Recent reports …": a noun, not a cue.
    assert offered(3) == []
    # Every span lies within its paragraph and is trimmed.
    for paragraph in parsed.paragraphs:
        for _cue, quote, *_ in offered(paragraph.number):
            assert quote and quote == quote.strip() and quote in paragraph.text
