"""Registry suggestions (store/suggest.py): spelling variants, word boundaries, overlaps, and the seed's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.seed_registry import SEED_ACTORS
from store.ingest import parse_file
from store.model import Actor
from store.suggest import ActorMatcher, fold, fold_name


def actor(actor_id: str, name: str, *aliases: str, actor_type: str = "other") -> Actor:
    return Actor(actor_id, name, actor_type, aliases)


def found(matcher: ActorMatcher, text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.actor_id) for s in matcher.find(text)]


class TestVariants:
    matcher = ActorMatcher(
        [
            actor("shuhada", "Sayyid Al-Shuhada Brigades"),
            actor("kaabi", "Akram Al-Ka'abi"),
            actor("sharq", "Al-Sharq Al-Awsat"),
            actor("hezb", "Hezbollah"),
            actor("nujaba", "Nujaba", "Al-Nujaba Movement"),
        ]
    )

    @pytest.mark.parametrize(
        "text",
        ["Sayyid Al-Shuhada Brigades", "Sayyed Al-Shuhada Brigades", "Sayyid al-Shuhada Brigades", "Sayyid el-Shuhada Brigades",
         "SAYYID AL SHUHADA BRIGADES", "Sayyid Al‑Shuhada  Brigades"],
    )
    def test_sayyid_and_sayyed_and_every_article(self, text: str) -> None:
        assert found(self.matcher, f"the {text} said") == [(text, "shuhada")]

    @pytest.mark.parametrize("text", ["Akram Al-Ka'abi", "Akram Al-Ka’abi", "Akram Al-Kaʿabi", "Akram al-Kaabi", "Akram Al-Ka’ābi"])
    def test_straight_curly_and_missing_apostrophes_and_diacritics(self, text: str) -> None:
        assert found(self.matcher, f"{text} announced") == [(text, "kaabi")]

    def test_vowel_swaps_of_transliteration(self) -> None:
        assert found(self.matcher, "a Hizbullah official") == [("Hizbullah", "hezb")]

    def test_a_name_without_its_article_and_an_article_the_registry_left_out(self) -> None:
        assert found(self.matcher, "Sharq Al-Awsat reported") == [("Sharq Al-Awsat", "sharq")]
        assert found(self.matcher, "Al-Nujaba supports") == [("Al-Nujaba", "nujaba")]  # takes its article in

    def test_only_whole_words_but_a_possessive_is_a_boundary(self) -> None:
        assert found(self.matcher, "Hizbullahi and preHezbollah") == []
        assert found(self.matcher, "Hizbullah’s men") == [("Hizbullah", "hezb")]

    def test_the_longest_name_wins_an_overlap(self) -> None:
        matcher = ActorMatcher([actor("short", "Al-Nujaba"), actor("long", "Al-Nujaba Movement")])
        assert found(matcher, "Al-Nujaba Movement and Al-Nujaba") == [("Al-Nujaba Movement", "long"), ("Al-Nujaba", "short")]

    def test_taken_ranges_are_not_offered_again(self) -> None:
        text = "Hezbollah and Hezbollah"
        assert found(self.matcher, text) == [("Hezbollah", "hezb"), ("Hezbollah", "hezb")]
        assert [s.start for s in self.matcher.find(text, taken=[(0, 9)])] == [14]

    def test_short_names_are_not_searched_and_acronyms_need_capitals(self) -> None:
        matcher = ActorMatcher([actor("us", "US"), actor("pmu", "PMU"), actor("irgc", "Guard Corps", "IRGC")])
        assert found(matcher, "the US and us, pmu, PMU, irgc and IRGC") == [("PMU", "pmu"), ("IRGC", "irgc")]

    def test_two_actors_with_one_name_are_both_told(self) -> None:
        matcher = ActorMatcher([actor("a", "Al-Akhbar"), actor("b", "Akhbar Agency", "Al-Akhbar")])
        [suggestion] = matcher.find("Al-Akhbar said")
        assert {suggestion.actor_id, *suggestion.others} == {"a", "b"}

    def test_folding_keeps_offsets_into_the_original(self) -> None:
        folded, origin = fold("Ka’abi  el-Sharq")
        assert folded == "kaabi al sharq"
        assert [origin[i] for i in range(len(folded))][:5] == [0, 1, 3, 4, 5]
        assert fold_name("Sayyed") == fold_name("sayyid")

    def test_an_empty_registry_finds_nothing(self) -> None:
        assert not ActorMatcher([])
        assert ActorMatcher([]).find("Hezbollah") == []


def test_the_seed_names_each_registry_actor_where_an_analyst_would(seed_path: Path) -> None:
    parsed, _ = parse_file(seed_path)
    actors = [Actor(f"a{i}", name, actor_type, aliases) for i, (name, actor_type, aliases) in enumerate(SEED_ACTORS)]
    names = {a.id: a.name for a in actors}
    matcher = ActorMatcher(actors)
    by_paragraph = {p.number: [(p.text[s.start : s.end], names[s.actor_id]) for s in matcher.find(p.text)] for p in parsed.paragraphs}
    everywhere = [hit for hits in by_paragraph.values() for hit in hits]
    # Al-Sharq Al-Awsat, four times in the report, each found.
    assert sum(name == "Al-Sharq Al-Awsat" for _text, name in everywhere) == 4
    # Sayyed (¶12) and Sayyid (¶1, ¶7) are one brigade; the seed's curly Ka’abi is the registry's straight Ka'abi.
    assert ("Sayyed Al-Shuhada Brigades", "Sayyid Al-Shuhada Brigades") in by_paragraph[12]
    assert ("Sayyid Al-Shuhada Brigades", "Sayyid Al-Shuhada Brigades") in by_paragraph[7]
    assert ("Akram Al-Ka’abi", "Akram Al-Ka'abi") in by_paragraph[9]
    # The seed's Hizbullah is the registry's Hezbollah; its Hizbullah Brigades, Kata'ib Hezbollah.
    assert ("Hizbullah Brigades", "Kata'ib Hezbollah") in by_paragraph[17]
    assert ("Hizbullah", "Hezbollah") in by_paragraph[17]
    for number, hits in by_paragraph.items():
        text = parsed.paragraphs[number - 1].text
        for quote, _name in hits:
            assert quote in text and quote == quote.strip()
