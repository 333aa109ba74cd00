"""Corroboration beside the grade (store/corroboration.py): independence, the suggested digit, disagreement.

The rules are docs/claims.md's; each case here is one line of it. The seed cases
(the Syrian Observatory against Orient News, Euphrates Post twice, one paragraph
naming two outlets) read the seed from ../shared and skip without it.
"""

from __future__ import annotations

import pytest

from store.corroboration import Affiliations, Source, corroboration, disagrees, independence, reason, suggest
from store.ledger import build
from store.model import Link
from tests.seed_claims import seed_with_claims


def source(claim_id: str, report: str = "r1", paragraph: int = 1, claimant: str | None = None,
           reported_by: str | None = None) -> Source:
    return Source(claim_id, report, paragraph, "rev", claimant, reported_by)


def link(link_id: str, a: str, b: str, relation: str) -> Link:
    return Link(link_id, "r1", a, "r1", b, relation)


def counted(claim: Source, others: list[Source], relations: list[str], affiliations: Affiliations | None = None):
    by_id = {s.claim_id: s for s in [claim, *others]}
    pairs = enumerate(zip(others, relations, strict=True))
    links = [link(f"l{i}", claim.claim_id, other.claim_id, relation) for i, (other, relation) in pairs]
    return corroboration(claim, links, by_id.get, affiliations or Affiliations({}))


class TestIndependence:
    def test_another_outlet_and_speaker_elsewhere_is_independent(self) -> None:
        assert independence(source("a", reported_by="sohr"), source("b", paragraph=3, reported_by="orient")) is None
        assert independence(source("a", "r1", reported_by="x"), source("b", "r2", reported_by="y")) is None

    def test_the_same_outlet_twice_is_not(self) -> None:
        assert independence(source("a", reported_by="x"), source("b", "r2", reported_by="x")) == "the same outlet"

    def test_the_same_claimant_through_two_outlets_is_not(self) -> None:
        a = source("a", claimant="tamimi", reported_by="x")
        b = source("b", "r2", claimant="tamimi", reported_by="y")
        assert independence(a, b) == "the same claimant"

    def test_the_same_paragraph_is_one_passage(self) -> None:
        assert independence(source("a", reported_by="x"), source("b", reported_by="y")) == "the same paragraph"

    def test_without_outlets_the_report_is_the_outlet(self) -> None:
        assert independence(source("a"), source("b", paragraph=12)) == "the same report, no outlet named"
        assert independence(source("a"), source("b", "r2")) is None

    def test_an_outlet_affiliated_with_the_other_claimant_is_not_independent(self) -> None:
        affiliations = Affiliations({"manar": "hizbullah", "hizbullah": "iran", "kataib": "iran"})
        carried = independence(source("a", claimant="anchor", reported_by="manar"),
                               source("b", "r2", claimant="hizbullah", reported_by="sabereen"), affiliations)
        assert carried == "one carries the other's words"
        assert independence(source("a", reported_by="manar"), source("b", "r2", claimant="hizbullah", reported_by="sabereen"),
                            affiliations) == "affiliated claimants"  # without a claimant, the outlet speaks
        assert independence(source("a", reported_by="manar"), source("b", "r2", reported_by="hizbullah"),
                            affiliations) == "affiliated outlets"

    def test_two_clients_of_one_patron_stay_independent(self) -> None:
        affiliations = Affiliations({"manar": "hizbullah", "hizbullah": "iran", "kataib": "iran"})
        assert independence(source("a", reported_by="manar"), source("b", "r2", reported_by="kataib"), affiliations) is None

    def test_an_affiliation_circle_does_not_hang(self) -> None:
        affiliations = Affiliations({"x": "y", "y": "x"})
        assert independence(source("a", reported_by="x"), source("b", "r2", reported_by="y"), affiliations) == "affiliated outlets"


class TestSuggestedDigit:
    claim = source("c", reported_by="sharq")

    def test_no_links_cannot_be_judged(self) -> None:
        result = counted(self.claim, [], [])
        assert result.suggested == 6
        assert result.reason() == "no independent source confirms or contradicts it"

    def test_confirmed_by_one_independent_source_is_1(self) -> None:
        result = counted(self.claim, [source("x", "r2", reported_by="akhbar")], ["corroborates"])
        assert (result.suggested, result.reason()) == (1, "confirmed by 1 independent source (actor:akhbar), contradicted by none")

    def test_one_outlet_confirming_twice_counts_once(self) -> None:
        result = counted(self.claim, [source("x", "r2", reported_by="akhbar"), source("y", "r3", reported_by="akhbar")],
                         ["corroborates", "corroborates"])
        assert result.confirming == ("actor:akhbar",) and result.suggested == 1

    def test_contradicted_only_is_5(self) -> None:
        result = counted(self.claim, [source("x", "r2", reported_by="orient")], ["contradicts"])
        assert result.suggested == 5
        assert result.reason(lambda o: o.split(":")[1]) == "contradicted by 1 independent source (orient), confirmed by none"

    @pytest.mark.parametrize(("confirming", "contradicting", "digit"), [(2, 1, 2), (1, 1, 3), (1, 2, 4), (3, 1, 2), (2, 2, 3)])
    def test_both_ways_the_balance_decides(self, confirming: int, contradicting: int, digit: int) -> None:
        others = [source(f"f{i}", f"rf{i}", reported_by=f"for{i}") for i in range(confirming)]
        others += [source(f"a{i}", f"ra{i}", reported_by=f"against{i}") for i in range(contradicting)]
        result = counted(self.claim, others, ["corroborates"] * confirming + ["contradicts"] * contradicting)
        assert result.suggested == digit == suggest(confirming, contradicting)

    def test_repeats_and_updates_never_count(self) -> None:
        result = counted(self.claim, [source("x", "r2", reported_by="akhbar"), source("y", "r3", reported_by="post")],
                         ["repeats", "updates"])
        assert result.suggested == 6 and len(result.links) == 2
        assert all(view.counted is None and view.why_not is None for view in result.links)

    def test_a_link_that_is_not_independent_is_shown_and_not_counted(self) -> None:
        result = counted(self.claim, [source("x", "r2", reported_by="sharq")], ["corroborates"])
        assert result.suggested == 6
        [view] = result.links
        assert view.why_not == "the same outlet"
        assert result.reason() == "no independent source confirms or contradicts it (1 link not independent)"

    def test_a_link_to_a_claim_no_longer_there_does_not_count(self) -> None:
        result = corroboration(self.claim, [link("l", "c", "gone", "corroborates")], lambda _id: None)
        assert result.suggested == 6 and result.links[0].why_not == "the other claim is gone"

    def test_every_digit_has_its_words(self) -> None:
        assert reason(0, 0).startswith("no independent")
        assert reason(2, 0).startswith("confirmed by 2 independent sources")
        assert reason(3, 1) == "confirmed by 3 independent sources, contradicted by 1 independent source"


class TestDisagreement:
    @pytest.mark.parametrize(("grade", "suggested", "expected"), [
        (None, 1, False),  # ungraded: nothing to disagree with
        (1, 6, True),  # "confirmed" while nothing independent confirms it
        (2, 6, False),  # the links cannot judge: the analyst may know more
        (6, 6, False),
        (2, 1, True),
        (1, 1, False),
        (1, 5, True),
        (5, 5, False),
    ])
    def test_when_the_grade_and_the_links_disagree(self, grade, suggested, expected) -> None:
        assert disagrees(grade, suggested) is expected


class TestTheSeed:
    """The cases the seed dispatch shows, through the ledger (every sentence a claim)."""

    @pytest.fixture
    def seed(self, tmp_path, seed_path):
        return seed_with_claims(tmp_path / "db", seed_path)

    def test_the_observatory_against_orient_news_is_an_independent_contradiction(self, seed) -> None:
        sohr = seed.attribute(seed.claim(36, "Syrian Observatory"), reported_by="Syrian Observatory for Human Rights")
        orient = seed.attribute(seed.claim(38, "Orient News"), reported_by="Orient News")
        seed.session.link(orient, sohr, "contradicts")
        ledger = build(seed.db)
        for claim in (sohr, orient):
            row = ledger.row_of[claim.id]
            assert (ledger.confirming[row], ledger.contradicting[row], ledger.suggested[row]) == (0, 1, 5)
        account = ledger.corroboration(ledger.row_of[sohr.id])
        assert account.reason(ledger.outlet_name) == "contradicted by 1 independent source (Orient News), confirmed by none"

    def test_euphrates_post_twice_is_not_corroboration(self, seed) -> None:
        first = seed.attribute(seed.claim(36, "Euphrates Post"), reported_by="Euphrates Post")
        again = seed.attribute(seed.claim(37, "The same day"), reported_by="Euphrates Post")
        seed.session.link(again, first, "corroborates")
        ledger = build(seed.db)
        row = ledger.row_of[first.id]
        assert (ledger.confirming[row], ledger.link_count[row], ledger.suggested[row]) == (0, 1, 6)
        [view] = ledger.corroboration(row).links
        assert view.why_not == "the same outlet"

    def test_one_paragraph_naming_two_outlets_is_one_passage(self, seed) -> None:
        sharq = seed.attribute(seed.claim(2, "The daily also reported"), reported_by="Al-Sharq Al-Awsat")
        akhbar = seed.attribute(seed.claim(2, "was also confirmed"), reported_by="Al-Akhbar")
        seed.session.link(akhbar, sharq, "corroborates")
        ledger = build(seed.db)
        [view] = ledger.corroboration(ledger.row_of[sharq.id]).links
        assert view.why_not == "the same paragraph" and ledger.suggested[ledger.row_of[sharq.id]] == 6

    def test_a_claim_graded_confirmed_with_nothing_confirming_it_disagrees(self, seed) -> None:
        from store.ledger import parse_query
        from store.model import Credibility

        sohr = seed.attribute(seed.claim(36, "Syrian Observatory"), reported_by="Syrian Observatory for Human Rights")
        orient = seed.attribute(seed.claim(38, "Orient News"), reported_by="Orient News")
        seed.session.link(orient, sohr, "contradicts")
        seed.session.grade(seed.session.annotation(sohr.report_id, sohr.id), Credibility("B", 2))
        ledger = build(seed.db)
        shown = ledger.shown(ledger.mask(parse_query("is:disagreeing")))
        assert [ledger.ids[r] for r in shown.rows()] == [sohr.id]  # graded 2, links suggest 5
