"""store/agreement.py: span F1, actor agreement, Cohen's κ and Krippendorff's α, on hand-computed cases.

Krippendorff's α is checked against the worked example of Krippendorff, "Computing Krippendorff's
Alpha-Reliability" (2011) — its data are written below from the paper's description — and against the
`krippendorff` package on random data.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import krippendorff
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.agreement import (
    AgreementRun,
    Coincidences,
    cohen_kappa,
    compare_report,
    compute,
    parse_reviewers,
)
from store.errors import ClaimdeskError, NotFound
from store.model import Claim, Credibility, Kind, Report
from tests.unit.test_export_support import add_report, annotate

TEXT = "Hezbollah said on Tuesday that its fighters repelled an advance near the border crossing at dawn today."

# Krippendorff (2011), section C ("nominal data, any number of observers, missing values"), reused by
# the ordinal section E: 4 observers (A–D) value 12 units on a scale of 1–5; None where an observer gave
# no value. Stated results: nominal α = 0.743, ordinal α = 0.815; 40 pairable values, of which
# n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3 (unit 12 has a single value and is not pairable).
PAPER = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def paper_units() -> list[list[int]]:
    return [[row[u] for row in PAPER.values() if row[u] is not None] for u in range(12)]


def put(db: Any, report: Report, reviewer: str, paragraph: int, start: int | None, end: int | None,
        kind: Kind = Kind.CLAIM, type: str = "event", grade: str | None = None, actor: str | None = None,
        claimant: str | None = None):
    """One annotation by `reviewer` (grade like "B2", "B?" or "?2")."""
    db.reviewer = reviewer
    fields: dict[str, Any] = {}
    if kind is Kind.CLAIM:
        fields["claim"] = Claim("claim text", type, claimant=claimant)
    else:
        fields["actor_id"] = actor or "hezbollah"
    if grade:
        fields["credibility"] = Credibility(None if grade[0] == "?" else grade[0], None if grade[1] == "?" else int(grade[1]))
    return annotate(db, report, paragraph, start, end, kind, **fields)


def report_of(db: Any, paragraphs: int = 3, report_id: str = "r1") -> Report:
    return add_report(db, report_id, [f"{TEXT} ({n})" for n in range(1, paragraphs + 1)], title=f"Report {report_id}")


def pair(result: Any, kind: Kind = Kind.CLAIM, reviewers: tuple[str, str] = ("alice", "bob")) -> dict[str, Any]:
    [found] = [p for p in result.pairs if p.kind is kind and p.reviewers == reviewers]
    return found.to_dict()


def only_report(db: Any, **options: Any):
    [result], _overall = compute(db, **options)
    return result


# ------------------------------------------------------------ Krippendorff's α


class TestKrippendorffAlpha:
    def test_the_papers_worked_example(self) -> None:
        coincidences = Coincidences()
        for unit in paper_units():
            coincidences.add(unit)
        marginals: Counter[int] = Counter()
        for (c, _k), value in coincidences.cells.items():
            marginals[c] += value
        assert {c: round(v, 9) for c, v in marginals.items()} == {1: 9, 2: 13, 3: 10, 4: 5, 5: 3}
        assert coincidences.units == 11  # unit 12 has one value
        assert round(coincidences.alpha(), 3) == 0.743  # nominal
        assert round(coincidences.alpha([1, 2, 3, 4, 5]), 3) == 0.815  # ordinal

    def test_the_paper_agrees_with_the_krippendorff_package(self) -> None:
        data = [[math.nan if v is None else v for v in row] for row in PAPER.values()]
        coincidences = Coincidences()
        for unit in paper_units():
            coincidences.add(unit)
        assert coincidences.alpha() == pytest.approx(krippendorff.alpha(data, level_of_measurement="nominal"), abs=1e-12)
        assert coincidences.alpha([1, 2, 3, 4, 5]) == pytest.approx(
            krippendorff.alpha(data, value_domain=[1, 2, 3, 4, 5], level_of_measurement="ordinal"), abs=1e-12)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=2, max_size=4), min_size=1, max_size=25))
    def test_random_data_agree_with_the_krippendorff_package(self, units: list[list[int | None]]) -> None:
        width = max(len(u) for u in units)
        rows = [[(u[i] if i < len(u) else None) for u in units] for i in range(width)]
        coincidences = Coincidences()
        for unit in units:
            coincidences.add([v for v in unit if v is not None])
        pairable = [v for unit in units if sum(x is not None for x in unit) >= 2 for v in unit if v is not None]
        data = [[math.nan if v is None else v for v in row] for row in rows]
        for order in (None, [1, 2, 3, 4, 5, 6]):
            ours = coincidences.alpha(order)
            if len(set(pairable)) < 2:
                assert ours is None  # nothing pairable, or no variation: 0/0
                continue
            level = "nominal" if order is None else "ordinal"
            theirs = krippendorff.alpha(data, value_domain=[1, 2, 3, 4, 5, 6], level_of_measurement=level)
            assert ours == pytest.approx(float(theirs), abs=1e-9)

    def test_the_papers_example_through_the_database(self, db) -> None:
        """The paper's observers A–D are four reviewers grading the credibility digit of one claim per paragraph."""
        report = report_of(db, paragraphs=12)
        for reviewer, row in PAPER.items():
            for unit, value in enumerate(row, start=1):
                if value is not None:
                    put(db, report, reviewer, unit, 0, 9, grade=f"?{value}")
        result = only_report(db)
        assert result.reviewers == ("A", "B", "C", "D")
        assert round(result.alpha.credibility, 3) == 0.815
        assert result.alpha.items["credibility"] == 11
        assert result.alpha.reliability is None and result.alpha.items["reliability"] == 0
        # The same data as letters A–E: the reliability scale is ordinal too.
        for annotation in db.iter_annotations():
            grade = annotation.credibility
            db.reviewer = annotation.reviewer
            db.save_annotation(annotation.evolve(credibility=Credibility("ABCDEF"[grade.credibility - 1], None)))
        assert round(only_report(db).alpha.reliability, 3) == 0.815

    def test_identical_values_are_one_and_no_variation_is_null(self) -> None:
        varied = Coincidences()
        for value in (1, 2, 5, 5):
            varied.add([value, value])
        assert varied.alpha() == 1.0 and varied.alpha([1, 2, 3, 4, 5, 6]) == 1.0
        constant = Coincidences()
        constant.add([3, 3])
        constant.add([3, 3, 3])
        assert constant.alpha() is None and constant.alpha([1, 2, 3, 4, 5, 6]) is None
        assert Coincidences().alpha() is None

    def test_a_small_ordinal_case_by_hand(self) -> None:
        # Two units, (2, 3) and (3, 3): n_2 = 1, n_3 = 3, n = 4; δ²(2,3) = (1 + 3 − (1 + 3)/2)² = 4;
        # Σ o·δ² = 2·4 = 8, Σ n_c·n_k·δ² = 2·1·3·4 = 24; α = 1 − (n − 1)·8/24 = 0.
        coincidences = Coincidences()
        coincidences.add([2, 3])
        coincidences.add([3, 3])
        assert coincidences.alpha([1, 2, 3, 4, 5, 6]) == pytest.approx(0.0)
        # Nominal: 1 − (n − 1)·(n − Σ o_cc)/(n² − Σ n_c²) = 1 − 3·2/(16 − 10) = 0.
        assert coincidences.alpha() == pytest.approx(0.0)


class TestCohenKappa:
    def test_by_hand(self) -> None:
        # p_o = (4 + 3)/10 = 0.7; rows e 5, s 5; columns e 6, s 4: p_e = (30 + 20)/100 = 0.5; κ = 0.2/0.5 = 0.4
        table = Counter({("event", "event"): 4, ("event", "statement"): 1, ("statement", "event"): 2, ("statement", "statement"): 3})
        assert cohen_kappa(table) == pytest.approx(0.4)

    def test_perfect_empty_and_constant(self) -> None:
        assert cohen_kappa(Counter({("a", "a"): 2, ("b", "b"): 3})) == 1.0
        assert cohen_kappa(Counter()) is None
        assert cohen_kappa(Counter({("a", "a"): 4})) is None  # p_e = 1: 0/0


# ------------------------------------------------------------------ pairs


class TestPairs:
    def test_identical_annotations_agree_completely(self, db) -> None:
        report = report_of(db)
        for reviewer in ("alice", "bob"):
            put(db, report, reviewer, 1, 0, 9, Kind.ACTOR, actor="hezbollah")
            put(db, report, reviewer, 1, 31, 55, type="event", grade="B2")
            put(db, report, reviewer, 2, 0, 20, type="statement", grade="D5")
            put(db, report, reviewer, 3, None, None, type="figure", grade="A1")
        result = only_report(db)
        assert pair(result) == {
            "reviewers": ["alice", "bob"], "kind": "claim",
            "exact_f1": 1.0, "overlap_f1": 1.0, "actor_agreement": None, "claim_type_kappa": 1.0,
            "reliability_alpha": 1.0, "credibility_alpha": 1.0, "code_agreement": 1.0,
            "items": {"exact_f1": 6, "overlap_f1": 6, "actor_agreement": 0, "claim_type_kappa": 3,
                      "reliability_alpha": 3, "credibility_alpha": 3, "code_agreement": 3},
        }
        actors = pair(result, Kind.ACTOR)
        assert (actors["exact_f1"], actors["overlap_f1"], actors["actor_agreement"]) == (1.0, 1.0, 1.0)
        assert actors["items"]["actor_agreement"] == 1
        assert actors["claim_type_kappa"] is actors["reliability_alpha"] is actors["code_agreement"] is None

    def test_disjoint_annotations_score_zero(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 9, grade="B2")
        put(db, report, "alice", 2, 0, 9)
        put(db, report, "bob", 1, 20, 30, grade="B2")
        put(db, report, "bob", 3, 0, 9)
        figures = pair(only_report(db))
        assert figures["exact_f1"] == 0.0 and figures["overlap_f1"] == 0.0
        assert figures["items"]["overlap_f1"] == 4
        # Nothing matched: nothing to compare for the other figures.
        for name in ("claim_type_kappa", "reliability_alpha", "credibility_alpha", "code_agreement"):
            assert figures[name] is None and figures["items"][name] == 0

    def test_partial_overlap_by_hand(self, db) -> None:
        report = report_of(db)
        for start, end in ((0, 10), (20, 30), (40, 50)):
            put(db, report, "alice", 1, start, end)
        for start, end in ((5, 15), (20, 30), (60, 70)):
            put(db, report, "bob", 1, start, end)
        figures = pair(only_report(db))
        # One identical span of 3 + 3: exact F1 = 2·1/6; two overlapping pairs: overlap F1 = 2·2/6.
        assert figures["exact_f1"] == pytest.approx(1 / 3)
        assert figures["overlap_f1"] == pytest.approx(2 / 3)
        assert figures["items"]["claim_type_kappa"] == 2

    def test_one_to_one_by_largest_overlap_then_tightest(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 10, type="event")
        put(db, report, "bob", 1, 0, 20, type="statement")
        put(db, report, "bob", 1, 0, 10, type="figure")
        figures = pair(only_report(db))
        assert figures["exact_f1"] == pytest.approx(2 / 3) and figures["overlap_f1"] == pytest.approx(2 / 3)
        # Alice's span is matched with Bob's identical one (equal overlap, tighter), not the longer one.
        [paragraph] = compare_report(db, "r1").paragraphs
        [matched] = [g for g in paragraph.disagreements if len(g.annotations) == 2]
        assert matched.values("span") == {"alice": (0, 10), "bob": (0, 10)}
        assert matched.values("type") == {"alice": "event", "bob": "figure"}

        # The larger overlap wins over the first one found: bob's (5, 15) meets alice's (0, 10) by 5
        # and (8, 20) by 7.
        other = report_of(db, report_id="r2")
        put(db, other, "alice", 1, 0, 10)
        put(db, other, "alice", 1, 8, 20)
        put(db, other, "bob", 1, 5, 15)
        [paragraph] = compare_report(db, "r2").paragraphs
        [matched] = [g for g in paragraph.disagreements if len(g.annotations) == 2]
        assert matched.values("span") == {"alice": (8, 20), "bob": (5, 15)}

    def test_a_chain_keeps_the_pair_sharing_most_text(self, db) -> None:
        """Greedy, as docs/agreement.md says: [5, 20) takes [5, 15) (10 in common); [0, 10) and [15, 20) stay
        unmatched, though two weaker pairs of 5 could have been made."""
        report = report_of(db)
        put(db, report, "alice", 1, 0, 10)
        put(db, report, "alice", 1, 5, 20)
        put(db, report, "bob", 1, 5, 15)
        put(db, report, "bob", 1, 15, 20)
        assert pair(only_report(db))["overlap_f1"] == pytest.approx(2 / 4)
        [paragraph] = compare_report(db, "r1").paragraphs
        assert sorted(tuple(g.values("span").values()) for g in paragraph.disagreements) == [
            ((0, 10),), ((5, 20), (5, 15)), ((15, 20),),
        ]

    def test_same_spans_pair_with_their_counterparts(self, db) -> None:
        """Two claims on one span each: the tie rule pairs event with event, not crosswise."""
        report = report_of(db)
        put(db, report, "alice", 1, 0, 10, type="event")
        put(db, report, "alice", 1, 0, 10, type="statement")
        put(db, report, "bob", 1, 0, 10, type="statement")
        put(db, report, "bob", 1, 0, 10, type="event")
        figures = pair(only_report(db))
        assert figures["exact_f1"] == 1.0 and figures["claim_type_kappa"] == 1.0

    def test_kappa_on_matched_claim_types_by_hand(self, db) -> None:
        report = report_of(db, paragraphs=10)
        types = [("event", "event")] * 4 + [("event", "statement")] + [("statement", "event")] * 2 + [("statement", "statement")] * 3
        for paragraph, (mine, theirs) in enumerate(types, start=1):
            put(db, report, "alice", paragraph, 0, 9, type=mine)
            put(db, report, "bob", paragraph, 0, 9, type=theirs)
        figures = pair(only_report(db))
        assert figures["claim_type_kappa"] == pytest.approx(0.4)
        assert figures["items"]["claim_type_kappa"] == 10

    def test_grades_code_and_alphas_on_matched_claims_graded(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 9, grade="B2")
        put(db, report, "bob", 1, 0, 9, grade="B3")
        put(db, report, "alice", 2, 0, 9, grade="C3")
        put(db, report, "bob", 2, 0, 9, grade="C3")
        put(db, report, "alice", 3, 0, 9, grade="E?")  # half graded: counts for reliability only
        put(db, report, "bob", 3, 0, 9, grade="F4")
        figures = pair(only_report(db))
        assert figures["code_agreement"] == 0.5 and figures["items"]["code_agreement"] == 2
        assert figures["items"]["reliability_alpha"] == 3 and figures["items"]["credibility_alpha"] == 2
        # Credibility (2, 3), (3, 3): α = 0 (see test_a_small_ordinal_case_by_hand).
        assert figures["credibility_alpha"] == pytest.approx(0.0)
        # Reliability (B, B), (C, C), (E, F): n_B = n_C = 2, n_E = n_F = 1, n = 6; only (E, F) disagrees:
        # Σ o·δ² = 2·(1 + 1 − 1)² = 2; Σ n_c·n_k·δ² over ordered pairs: δ²(B,C) = (4 − 2)² = 4,
        # δ²(B,E) = (5 − 1.5)² = 12.25, δ²(B,F) = (6 − 1.5)² = 20.25, δ²(C,E) = (3 − 1.5)² = 2.25,
        # δ²(C,F) = (4 − 1.5)² = 6.25, δ²(E,F) = 1 → 2·(4·4 + 2·12.25 + 2·20.25 + 2·2.25 + 2·6.25 + 1·1) = 198;
        # α = 1 − 5·2/198.
        assert figures["reliability_alpha"] == pytest.approx(1 - 10 / 198)

    def test_actor_agreement_on_matched_mentions(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 9, Kind.ACTOR, actor="hezbollah")
        put(db, report, "bob", 1, 0, 9, Kind.ACTOR, actor="hezbollah")
        put(db, report, "alice", 2, 0, 9, Kind.ACTOR, actor="iran")
        put(db, report, "bob", 2, 2, 12, Kind.ACTOR, actor="hezbollah")
        put(db, report, "bob", 3, 0, 9, Kind.ACTOR, actor="iran")
        figures = pair(only_report(db), Kind.ACTOR)
        assert figures["actor_agreement"] == 0.5 and figures["items"]["actor_agreement"] == 2
        assert figures["exact_f1"] == pytest.approx(2 / 5) and figures["overlap_f1"] == pytest.approx(4 / 5)

    def test_whole_paragraph_annotations_match_each_other_only(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, None, None)
        put(db, report, "bob", 1, None, None)
        put(db, report, "alice", 2, None, None)
        put(db, report, "bob", 2, 0, 20)  # a span never matches a whole paragraph
        put(db, report, "bob", 3, None, None)  # nor does another paragraph
        figures = pair(only_report(db))
        assert figures["exact_f1"] == pytest.approx(2 / 5) and figures["overlap_f1"] == pytest.approx(2 / 5)

    def test_spans_of_different_revisions_never_match(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 9)
        newer = add_report(db, "r1", [f"{TEXT} ({n})" for n in range(1, 4)], title="Report r1", revision="rev0000000000002")
        put(db, newer, "bob", 1, 0, 9)
        figures = pair(only_report(db))
        assert figures["overlap_f1"] == 0.0 and figures["items"]["overlap_f1"] == 2

    def test_a_span_stored_backwards_matches_nothing(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 30)
        put(db, report, "bob", 1, 5, 25)
        path = db.layout.annotation_shard("r1", 1)
        stored = json.loads(path.read_text(encoding="utf-8"))
        for doc in stored["annotations"].values():
            if doc["reviewer"] == "bob":
                doc["span"].update(start=25, end=5)  # edited by hand, or by another program
        path.write_text(json.dumps(stored), encoding="utf-8")
        assert pair(only_report(db))["overlap_f1"] == 0.0

    def test_a_kind_neither_used_is_null(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 9)
        put(db, report, "bob", 1, 0, 9)
        actors = pair(only_report(db), Kind.ACTOR)
        assert actors["exact_f1"] is None and actors["overlap_f1"] is None and actors["items"]["exact_f1"] == 0
        # A reviewer with claims and one without any is a real disagreement (F1 0), not nothing.
        put(db, report, "alice", 2, 0, 9, Kind.ACTOR)
        assert pair(only_report(db), Kind.ACTOR)["overlap_f1"] == 0.0


# --------------------------------------------------- reviewers, reports, overall


class TestRuns:
    def test_pairs_only_for_reviewers_who_annotated_the_report(self, db) -> None:
        first, second = report_of(db), report_of(db, report_id="r2")
        put(db, first, "alice", 1, 0, 9)
        put(db, first, "bob", 1, 0, 9)
        put(db, first, "carol", 1, 0, 9, Kind.ACTOR)  # an actor mention counts as annotating the report
        put(db, second, "alice", 1, 0, 9)
        results, overall = compute(db, kinds=[Kind.CLAIM])
        by_id = {r.report.id: r for r in results}
        assert [p.reviewers for p in by_id["r1"].pairs] == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]
        assert by_id["r2"].pairs == () and by_id["r2"].reviewers == ("alice",)
        assert by_id["r2"].alpha.to_dict()["claim_type"] is None
        assert pair(by_id["r1"], reviewers=("alice", "carol"))["overlap_f1"] == 0.0
        assert overall.reports == 2 and {p.kind for p in overall.pairs} == {Kind.CLAIM}

    def test_reviewers_filter_and_the_adjudicated_layer(self, db) -> None:
        report = report_of(db)
        for reviewer in ("alice", "bob", "carol", "adjudicated"):
            put(db, report, reviewer, 1, 0, 9)
        assert only_report(db).reviewers == ("alice", "bob", "carol")
        assert only_report(db, reviewers=["carol", "adjudicated"]).reviewers == ("adjudicated", "carol")
        assert only_report(db, reviewers=["alice", "dave"]).pairs == ()

    def test_overall_pools_the_items_of_every_report(self, db) -> None:
        first, second = report_of(db), report_of(db, report_id="r2")
        # r1: the same claim types (event, statement), r2: crossed, so κ is pooled from one table of four.
        put(db, first, "alice", 1, 0, 9, type="event", grade="A1")
        put(db, first, "bob", 1, 0, 9, type="event", grade="A1")
        put(db, first, "alice", 2, 0, 9, type="statement", grade="B2")
        put(db, first, "bob", 2, 0, 9, type="statement", grade="B2")
        put(db, second, "alice", 1, 0, 9, type="event", grade="C3")
        put(db, second, "bob", 1, 0, 9, type="statement", grade="C3")
        put(db, second, "alice", 2, 0, 9, type="statement")
        put(db, second, "bob", 2, 50, 60, type="statement")
        results, overall = compute(db)
        pooled = pair(overall)
        assert pooled["items"]["overlap_f1"] == 8 and pooled["overlap_f1"] == pytest.approx(6 / 8)
        # Matched types: (e, e), (s, s), (e, s): p_o = 2/3, rows e 2 s 1, columns e 1 s 2: p_e = 4/9; κ = 0.4
        assert pooled["claim_type_kappa"] == pytest.approx(0.4)
        assert pooled["code_agreement"] == 1.0 and pooled["items"]["code_agreement"] == 3
        # Grades identical in every report: 1 overall, though r2 alone has no variation (null).
        assert pooled["reliability_alpha"] == 1.0
        assert pair(results[1] if results[1].report.id == "r2" else results[0])["reliability_alpha"] is None
        assert overall.alpha.reviewers == ("alice", "bob") and overall.alpha.items["claim_type"] == 3

    def test_two_reviewers_all_reviewer_alpha_equals_the_pairs(self, db) -> None:
        report = report_of(db, paragraphs=6)
        grades = [("A1", "B2"), ("B2", "B2"), ("C3", "D3"), ("D4", "D5"), ("E5", "E5"), ("F6", "A6")]
        for paragraph, (mine, theirs) in enumerate(grades, start=1):
            put(db, report, "alice", paragraph, 0, 9, grade=mine)
            put(db, report, "bob", paragraph, 3, 12, grade=theirs)
        result = only_report(db)
        figures = pair(result)
        assert result.alpha.reliability == pytest.approx(figures["reliability_alpha"])
        assert result.alpha.credibility == pytest.approx(figures["credibility_alpha"])
        assert result.alpha.items["reliability"] == figures["items"]["reliability_alpha"] == 6

    def test_groups_of_three_need_every_span_to_overlap(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 10)
        put(db, report, "bob", 1, 8, 20)
        put(db, report, "carol", 1, 18, 30)  # meets bob, not alice
        [paragraph] = compare_report(db, "r1").paragraphs
        assert sorted(g.reviewers for g in paragraph.disagreements) == [("alice", "bob"), ("carol",)]

    def test_reports_are_read_one_at_a_time(self, db) -> None:
        for n in range(3):
            report = report_of(db, report_id=f"r{n}")
            put(db, report, "alice", 1, 0, 9)
            put(db, report, "bob", 1, 0, 9)
        reads: list[str] = []

        class Counting:
            def __getattr__(self, name: str) -> Any:
                return getattr(db, name)

            def annotation_documents(self, report_id: str) -> list[dict[str, Any]]:
                reads.append(report_id)
                return db.annotation_documents(report_id)

        run = AgreementRun(Counting())
        stream = run.reports()
        next(stream)
        assert len(reads) == 1
        rest = list(stream)
        assert len(reads) == 3 and len(rest) == 2 and run.overall().reports == 3

    def test_unknown_report_and_bad_reviewer_lists(self, db) -> None:
        with pytest.raises(NotFound, match="no report 'nope'"):
            AgreementRun(db, ["nope"])
        assert parse_reviewers(" alice, bob ,alice,") == ("alice", "bob")
        with pytest.raises(ClaimdeskError, match="at least two"):
            parse_reviewers("alice")


# ------------------------------------------------------------ compare_report


class TestCompareReport:
    def test_agreements_and_disagreements_per_paragraph(self, db) -> None:
        report = report_of(db)
        for reviewer in ("alice", "bob"):
            put(db, report, reviewer, 1, 0, 9, Kind.ACTOR, actor="hezbollah")
            put(db, report, reviewer, 1, 31, 55, grade="B2", claimant="hezbollah")
        put(db, report, "alice", 2, 0, 20, type="event", grade="B2")
        put(db, report, "bob", 2, 5, 20, type="statement", grade="B3")
        put(db, report, "alice", 3, None, None)
        comparison = compare_report(db, "r1")
        assert comparison.reviewers == ("alice", "bob")
        assert (comparison.agreed, comparison.disagreements) == (2, 2)
        first, second, third = comparison.paragraphs
        assert [(g.kind, g.agreed) for g in first.agreed] == [(Kind.ACTOR, True), (Kind.CLAIM, True)]
        assert first.disagreements == ()
        [differing] = second.disagreements
        assert differing.differences == ("span", "type", "credibility") and differing.missing == ()
        assert differing.values("credibility") == {"alice": 2, "bob": 3}
        assert {name: a.span.start for name, a in differing.by_reviewer().items()} == {"alice": 0, "bob": 5}
        [alone] = third.disagreements
        assert alone.reviewers == ("alice",) and alone.missing == ("bob",) and alone.values("span") == {"alice": None}

    def test_chosen_reviewers_and_kinds(self, db) -> None:
        report = report_of(db)
        put(db, report, "alice", 1, 0, 9)
        put(db, report, "bob", 1, 0, 9)
        put(db, report, "carol", 1, 0, 9, Kind.ACTOR)
        both = compare_report(db, "r1", reviewers=["alice", "bob"], kinds=[Kind.CLAIM])
        assert both.reviewers == ("alice", "bob") and (both.agreed, both.disagreements) == (1, 0)
        everyone = compare_report(db, "r1")
        [paragraph] = everyone.paragraphs
        [claims] = [g for g in paragraph.disagreements if g.kind is Kind.CLAIM]
        assert claims.missing == ("carol",)
