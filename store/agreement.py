"""How far reviewers agree on a report: span F1, actor and claim-type agreement, Krippendorff's α on grades.

Plain Python (no Textual, no numpy): `claimdesk agreement` prints what `AgreementRun` computes, and a
screen can show the same; `compare_report` lists, paragraph by paragraph, where reviewers agree and
where they differ, for an Agreement screen and an adjudication view. docs/agreement.md has the
definitions at length; in short:

Matching. Annotations are compared within one kind (claim or actor), one revision and one paragraph.
Two spans *overlap* when they share at least one code point; a whole-paragraph annotation (span None)
overlaps only another whole-paragraph annotation of the same paragraph, never a span. Spans are matched
one-to-one by a greedy assignment: every overlapping pair of annotations by two different reviewers is a
candidate, taken in this order (the tie rule), and kept when neither side is taken yet:

    1. the larger overlap (in code points) first;
    2. then the tighter pair (the smaller sum of the two spans' lengths: an exact match beats a span
       that also covers it);
    3. then a pair that agrees on everything else (actor, type, claimant, reported by, grade) before one
       that does not, so that two claims on one span are paired with their counterparts, not crosswise;
    4. then by reviewer name, offsets and annotation id, so the result never depends on storage order.

With more than two reviewers the same order builds *groups*: a candidate pair joins the two groups it
links when they have no reviewer in common and every span of one overlaps every span of the other. With
two reviewers a group is a matched pair, so the pairwise figures and the all-reviewer α use one rule.

Figures for a pair of reviewers A and B and one kind ("items" is the number behind each figure):

    exact_f1           2·E / (nA + nB), E = spans of A and B with identical offsets, one-to-one;
                       items: nA + nB, the annotations of that kind by A and B
    overlap_f1         2·M / (nA + nB), M = matched pairs (above); items: nA + nB
    actor_agreement    matched actor mentions naming the same actor / matched mentions (actors only)
    claim_type_kappa   Cohen's κ on the claim types of matched claims; items: matched claims
    reliability_alpha  Krippendorff's α, ordinal over A < B < … < F, on matched claims both given a letter
    credibility_alpha  the same over 1 < 2 < … < 6, on matched claims both given a digit
    code_agreement     matched claims with the same two-part code / matched claims both fully graded

A figure is None (null) when there is nothing to compare: no annotations of that kind (F1), no matched
items (the others), or a figure that does not apply to the kind (κ and α on actor mentions). κ and α are
also None when the items show no variation at all (every value the same: both formulas are then 0/0).
The letter F and the digit 6 ("cannot be judged") are ranked last, as the code writes them.

Across all the reviewers of a report, `AlphaAgreement` gives Krippendorff's α over the groups: nominal
for claim types and for the actors of mentions, ordinal for the two grades; its items are the groups
holding at least two values. Overall figures pool every report's items (they are not an average of
per-report figures): counts add up, and so do κ's confusion table and α's coincidence matrix, so memory
stays flat however many reports are read — one report's annotations at a time.

Krippendorff's α is computed from the coincidence matrix as in Krippendorff, "Computing Krippendorff's
Alpha-Reliability" (2011); tests/unit/test_agreement.py checks it against that paper's worked example
and against the `krippendorff` package on random data. The package is not used here: it builds a
units × values × values array, which over an actor registry and a large database does not fit in memory.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from store.errors import ClaimdeskError, NotFound, StoreError
from store.model import CREDIBILITY, RELIABILITY, Annotation, Kind, Report
from store.text import clean_line

# The reviewer name of the adjudicated layer (issue 16): left out unless asked for by name, since it is
# derived from the others and would inflate their agreement.
ADJUDICATED = "adjudicated"
KINDS = (Kind.CLAIM, Kind.ACTOR)
RELIABILITY_ORDER = tuple(RELIABILITY)  # A … F
CREDIBILITY_ORDER = tuple(CREDIBILITY)  # 1 … 6
PAIR_FIGURES = (
    "exact_f1", "overlap_f1", "actor_agreement", "claim_type_kappa",
    "reliability_alpha", "credibility_alpha", "code_agreement",
)
ALPHA_FIGURES = ("claim_type", "actor", "reliability", "credibility")
# What a Group compares, by kind (see compare_report).
COMPARED_FIELDS = {
    Kind.CLAIM: ("span", "type", "claimant", "reported_by", "reliability", "credibility"),
    Kind.ACTOR: ("span", "actor", "reliability", "credibility"),
}


# ------------------------------------------------------------------- statistics


class Coincidences:
    """Krippendorff's coincidence matrix, kept sparse and added to unit by unit (or matrix by matrix).

    A unit is the values the reviewers gave one item (one group); a unit with m ≥ 2 values adds 1/(m−1)
    to o[c, k] for every ordered pair of values c, k taken from two different reviewers. Units with fewer
    than two values cannot be paired and add nothing.
    """

    __slots__ = ("cells", "units")

    def __init__(self) -> None:
        self.cells: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
        self.units = 0

    def add(self, values: Sequence[Hashable]) -> None:
        m = len(values)
        if m < 2:
            return
        weight = 1.0 / (m - 1)
        cells = self.cells
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    cells[c, k] += weight
        self.units += 1

    def add_pair(self, c: Hashable, k: Hashable) -> None:
        """A unit of two values (what `add((c, k))` does, faster)."""
        self.cells[c, k] += 1.0
        self.cells[k, c] += 1.0
        self.units += 1

    def update(self, other: Coincidences) -> None:
        for key, value in other.cells.items():
            self.cells[key] += value
        self.units += other.units

    def alpha(self, order: Sequence[Hashable] | None = None) -> float | None:
        """α = 1 − D_o / D_e: nominal when `order` is None, else ordinal over the values in that order.

        None when no unit could be paired or when every pairable value is the same (D_e = 0).
        """
        if not self.units:
            return None
        totals: defaultdict[Hashable, float] = defaultdict(float)  # n_c: pairable values of each value c
        for (c, _k), value in self.cells.items():
            totals[c] += value
        n = sum(totals.values())
        if order is None:
            # δ(c, k) = 1 when c ≠ k: α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k
            observed = n - sum(value for (c, k), value in self.cells.items() if c == k)
            expected = n * n - sum(t * t for t in totals.values())
        else:
            # ordinal δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², symmetric and 0 on the diagonal
            rank = {value: i for i, value in enumerate(order)}
            counts = [totals.get(value, 0.0) for value in order]
            cumulative = [0.0]
            for count in counts:
                cumulative.append(cumulative[-1] + count)

            def delta2(i: int, j: int) -> float:
                if i > j:
                    i, j = j, i
                return (cumulative[j + 1] - cumulative[i] - (counts[i] + counts[j]) / 2) ** 2

            observed = sum(value * delta2(rank[c], rank[k]) for (c, k), value in self.cells.items() if c != k)
            present = [i for i, count in enumerate(counts) if count]
            expected = 2 * sum(
                counts[i] * counts[j] * delta2(i, j) for x, i in enumerate(present) for j in present[x + 1:]
            )
        if expected <= 0:
            return None
        return 1.0 - (n - 1) * observed / expected


def cohen_kappa(confusion: Counter[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's κ from a table of (A's value, B's value) → count; None when empty or when p_e = 1."""
    n = sum(confusion.values())
    if not n:
        return None
    rows: Counter[Hashable] = Counter()
    columns: Counter[Hashable] = Counter()
    agreed = 0
    for (a, b), count in confusion.items():
        rows[a] += count
        columns[b] += count
        if a == b:
            agreed += count
    p_o = agreed / n
    p_e = sum(rows[v] * columns[v] for v in rows) / (n * n)
    if p_e >= 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ----------------------------------------------------------------- items and groups


@dataclass(slots=True)
class _Item:
    """One annotation, reduced to what agreement compares (`source` is the dict or Annotation it came from)."""

    id: str
    reviewer: str
    kind: str
    revision: str
    paragraph: int
    start: int | None  # None: the whole paragraph
    end: int | None
    type: str | None  # claims
    claimant: str | None
    reported_by: str | None
    actor: str | None  # actor mentions
    reliability: str | None
    credibility: int | None
    source: Any = None
    pos: tuple[str, int, int, str] = field(init=False)  # reviewer, start, end, id: the last tie-breaks
    length: int = field(init=False)

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            self.pos, self.length = (self.reviewer, -1, -1, self.id), 0
        else:
            self.pos, self.length = (self.reviewer, self.start, self.end, self.id), self.end - self.start

    @property
    def code(self) -> str | None:
        return f"{self.reliability}{self.credibility}" if self.reliability and self.credibility else None

    def same_content(self, other: _Item) -> bool:
        """Everything but the span: actor, type, claimant, reported by, grade."""
        return (
            self.type == other.type and self.claimant == other.claimant and self.reported_by == other.reported_by
            and self.actor == other.actor and self.reliability == other.reliability and self.credibility == other.credibility
        )

    def value(self, name: str) -> Any:
        if name == "span":
            return None if self.start is None else (self.start, self.end)
        return getattr(self, name)


@functools.lru_cache(maxsize=4096)
def reviewer_name(value: Any) -> str:
    """A stored reviewer as shown and compared: one clean line, "?" when empty (a database has few: cached)."""
    return clean_line(str(value or "")) or "?"


def _item_from_document(doc: dict[str, Any]) -> _Item:
    span = doc.get("span")
    claim = doc.get("claim") or {}
    grade = doc.get("credibility") or {}
    reliability = grade.get("reliability")
    credibility = grade.get("credibility")
    if reliability is not None and reliability not in RELIABILITY:
        raise ValueError(f"source reliability must be A-F, not {reliability!r}")
    if credibility is not None and credibility not in CREDIBILITY:
        raise ValueError(f"information credibility must be 1-6, not {credibility!r}")
    return _Item(  # positional: this runs once for every annotation read
        str(doc["id"]), reviewer_name(doc.get("reviewer")), str(doc["kind"]), str(doc["revision"]), int(doc["paragraph"]),
        int(span["start"]) if span else None, int(span["end"]) if span else None,
        str(claim.get("type") or "other") if claim else None, claim.get("claimant"), claim.get("reported_by"),
        doc.get("actor_id"), reliability, credibility, doc,
    )


def _item_from_annotation(annotation: Annotation) -> _Item:
    span, claim, grade = annotation.span, annotation.claim, annotation.credibility
    return _Item(
        id=annotation.id, reviewer=reviewer_name(annotation.reviewer), kind=annotation.kind.value,
        revision=annotation.revision, paragraph=annotation.paragraph,
        start=span.start if span else None, end=span.end if span else None,
        type=claim.type if claim else None, claimant=claim.claimant if claim else None,
        reported_by=claim.reported_by if claim else None, actor=annotation.actor_id,
        reliability=grade.reliability if grade else None, credibility=grade.credibility if grade else None,
        source=annotation,
    )


def _overlap(a: _Item, b: _Item) -> int:
    """Shared code points; a whole-paragraph pair counts as overlapping (1), a whole paragraph and a span never."""
    if a.start is None or b.start is None:
        return 1 if a.start is None and b.start is None else 0
    assert a.end is not None and b.end is not None
    return min(a.end, b.end) - max(a.start, b.start)


Candidate = tuple[tuple[Any, ...], _Item, _Item]  # (its place in the tie order, one item, the other)


def candidates(items: Sequence[_Item]) -> list[Candidate]:
    """Every pair of overlapping items by two different reviewers, in the order of the tie rule.

    Found by a sweep over the spans by start (only spans that reach the next one's start are compared);
    whole-paragraph items pair with each other. In each pair, the item with the lower `pos` comes first.
    """
    found: list[Candidate] = []

    def add(a: _Item, b: _Item, overlap: int) -> None:
        if a.pos > b.pos:
            a, b = b, a
        # The tie rule of the module docstring: overlap, tightness, agreement, then names and offsets.
        found.append(((-overlap, a.length + b.length, not a.same_content(b), a.pos, b.pos), a, b))

    whole = [i for i in items if i.start is None]
    for a, b in combinations(whole, 2):
        if a.reviewer != b.reviewer:
            add(a, b, 1)
    active: list[_Item] = []
    for item in sorted((i for i in items if i.start is not None), key=lambda i: (i.start, i.end)):
        start = item.start
        assert start is not None
        active = [a for a in active if a.end is not None and a.end > start]
        end = item.end
        assert end is not None
        for other in active:  # it starts at or before this one and ends after this one's start
            if other.reviewer != item.reviewer:
                other_end = other.end
                assert other_end is not None
                overlap = (end if end < other_end else other_end) - start
                if overlap > 0:  # not so only for a span stored backwards (end before start)
                    add(other, item, overlap)
        active.append(item)
    found.sort(key=lambda candidate: candidate[0])
    return found


def pair_matches(ordered: Sequence[Candidate]) -> list[tuple[_Item, _Item]]:
    """One-to-one matches between every two reviewers' items (`ordered` from `candidates`), in one pass.

    The greedy rule, for each pair of reviewers apart: take each of their candidates, in order, whose two
    items are both still free for that pair. In a match, the reviewer whose name sorts first comes first.
    (`match_groups` over two reviewers' items gives the same pairs.)
    """
    taken: set[tuple[str, int]] = set()  # (the other reviewer, an item already matched with one of theirs)
    matches = []
    for _key, a, b in ordered:
        if (b.reviewer, id(a)) in taken or (a.reviewer, id(b)) in taken:
            continue
        taken.add((b.reviewer, id(a)))
        taken.add((a.reviewer, id(b)))
        matches.append((a, b))  # a.pos < b.pos, and pos starts with the reviewer's name
    return matches


def match_groups(items: Sequence[_Item], ordered: Sequence[Candidate] | None = None) -> list[list[_Item]]:
    """Group one paragraph's items of one kind: at most one item per reviewer in a group, every item in one group.

    Greedy, in the tie order (`ordered`, from `candidates(items)` when not given): a candidate pair joins
    its two groups when they share no reviewer and every item of one overlaps every item of the other.
    Groups come back in no particular order (`compare_report` puts them in reading order).
    """
    group_of: dict[int, list[_Item]] = {id(item): [item] for item in items}
    for _key, a, b in candidates(items) if ordered is None else ordered:
        left, right = group_of[id(a)], group_of[id(b)]
        if left is right:
            continue
        if len(left) > 1 or len(right) > 1:
            if {i.reviewer for i in left} & {i.reviewer for i in right}:
                continue
            if any(_overlap(x, y) <= 0 for x in left for y in right):
                continue
        left.extend(right)
        for moved in right:
            group_of[id(moved)] = left
    return list({id(group): group for group in group_of.values()}.values())


# --------------------------------------------------------------------- tallies


@dataclass
class _PairTally:
    """What one pair of reviewers' figures are computed from; tallies of several reports add up."""

    annotations: int = 0
    exact: int = 0
    matched: int = 0
    actor_items: int = 0
    actor_same: int = 0
    claim_types: Counter[tuple[Hashable, Hashable]] = field(default_factory=Counter)
    reliability: Coincidences = field(default_factory=Coincidences)
    credibility: Coincidences = field(default_factory=Coincidences)
    code_items: int = 0
    code_same: int = 0

    def add_match(self, kind: str, a: _Item, b: _Item) -> None:
        """One matched pair (a is the first reviewer's). Annotations and exact matches are counted apart."""
        self.matched += 1
        if kind == Kind.ACTOR:
            self.actor_items += 1
            self.actor_same += a.actor == b.actor
            return
        self.claim_types[a.type, b.type] += 1
        if a.reliability and b.reliability:
            self.reliability.add_pair(a.reliability, b.reliability)
        if a.credibility and b.credibility:
            self.credibility.add_pair(a.credibility, b.credibility)
            if a.reliability and b.reliability:
                self.code_items += 1
                self.code_same += a.reliability == b.reliability and a.credibility == b.credibility

    def update(self, other: _PairTally) -> None:
        self.annotations += other.annotations
        self.exact += other.exact
        self.matched += other.matched
        self.actor_items += other.actor_items
        self.actor_same += other.actor_same
        self.claim_types.update(other.claim_types)
        self.reliability.update(other.reliability)
        self.credibility.update(other.credibility)
        self.code_items += other.code_items
        self.code_same += other.code_same

    def figures(self, reviewers: tuple[str, str], kind: Kind) -> PairAgreement:
        claims = kind is Kind.CLAIM
        type_items = sum(self.claim_types.values())
        return PairAgreement(
            reviewers=reviewers, kind=kind,
            exact_f1=_ratio(2 * self.exact, self.annotations),
            overlap_f1=_ratio(2 * self.matched, self.annotations),
            actor_agreement=_ratio(self.actor_same, self.actor_items),
            claim_type_kappa=cohen_kappa(self.claim_types) if claims else None,
            reliability_alpha=self.reliability.alpha(RELIABILITY_ORDER),
            credibility_alpha=self.credibility.alpha(CREDIBILITY_ORDER),
            code_agreement=_ratio(self.code_same, self.code_items),
            items={
                "exact_f1": self.annotations, "overlap_f1": self.annotations,
                "actor_agreement": self.actor_items, "claim_type_kappa": type_items,
                "reliability_alpha": self.reliability.units, "credibility_alpha": self.credibility.units,
                "code_agreement": self.code_items,
            },
        )


@dataclass
class _AlphaTally:
    """Coincidences over all reviewers' groups, one matrix per figure."""

    claim_type: Coincidences = field(default_factory=Coincidences)
    actor: Coincidences = field(default_factory=Coincidences)
    reliability: Coincidences = field(default_factory=Coincidences)
    credibility: Coincidences = field(default_factory=Coincidences)

    def add_groups(self, kind: str, groups: Iterable[list[_Item]]) -> None:
        for group in groups:
            if len(group) < 2:
                continue
            if kind == Kind.ACTOR:
                self.actor.add([i.actor for i in group])
                continue
            self.claim_type.add([i.type for i in group])
            self.reliability.add([i.reliability for i in group if i.reliability])
            self.credibility.add([i.credibility for i in group if i.credibility])

    def update(self, other: _AlphaTally) -> None:
        for name in ALPHA_FIGURES:
            getattr(self, name).update(getattr(other, name))

    def figures(self, reviewers: tuple[str, ...]) -> AlphaAgreement:
        return AlphaAgreement(
            reviewers=reviewers,
            claim_type=self.claim_type.alpha(), actor=self.actor.alpha(),
            reliability=self.reliability.alpha(RELIABILITY_ORDER), credibility=self.credibility.alpha(CREDIBILITY_ORDER),
            items={name: getattr(self, name).units for name in ALPHA_FIGURES},
        )


# --------------------------------------------------------------------- results


@dataclass(frozen=True)
class PairAgreement:
    """One pair of reviewers on one kind: the figures (None: nothing to compare) and the items behind each."""

    reviewers: tuple[str, str]
    kind: Kind
    exact_f1: float | None
    overlap_f1: float | None
    actor_agreement: float | None
    claim_type_kappa: float | None
    reliability_alpha: float | None
    credibility_alpha: float | None
    code_agreement: float | None
    items: dict[str, int]  # figure name → how many items it was computed from (see the module docstring)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewers": list(self.reviewers), "kind": self.kind.value,
            **{name: getattr(self, name) for name in PAIR_FIGURES},
            "items": dict(self.items),
        }


@dataclass(frozen=True)
class AlphaAgreement:
    """Krippendorff's α over every reviewer at once: claim types and actors nominal, the two grades ordinal."""

    reviewers: tuple[str, ...]
    claim_type: float | None
    actor: float | None
    reliability: float | None
    credibility: float | None
    items: dict[str, int]  # figure name → groups holding at least two values

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewers": list(self.reviewers),
            **{name: getattr(self, name) for name in ALPHA_FIGURES},
            "items": dict(self.items),
        }


@dataclass(frozen=True)
class ReportAgreement:
    report: Report
    reviewers: tuple[str, ...]  # who annotated the report (of those asked for), by name
    pairs: tuple[PairAgreement, ...]
    alpha: AlphaAgreement

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.report.id, "pairs": [p.to_dict() for p in self.pairs], "alpha": self.alpha.to_dict()}


@dataclass(frozen=True)
class OverallAgreement:
    """Every report's items pooled: a pair's figures over the reports both reviewers annotated."""

    reports: int
    pairs: tuple[PairAgreement, ...]
    alpha: AlphaAgreement

    def to_dict(self) -> dict[str, Any]:
        return {"reports": self.reports, "pairs": [p.to_dict() for p in self.pairs], "alpha": self.alpha.to_dict()}


# ------------------------------------------------------------------------ runs


def parse_reviewers(text: str) -> tuple[str, ...]:
    """`--reviewers A,B,...`: names cleaned, empty ones dropped, duplicates once; at least two."""
    names = tuple(dict.fromkeys(name for name in (clean_line(part) for part in text.split(",")) if name))
    if len(names) < 2:
        raise ClaimdeskError(f"--reviewers needs at least two names separated by commas, not {clean_line(text)!r}")
    return names


def _count_exact(kind: str, found: list[_Item], tallies: dict[tuple[tuple[str, str], str], _PairTally]) -> None:
    """Identical spans of one paragraph, one-to-one for each pair of reviewers (a multiset intersection)."""
    by_span: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
    for item in found:
        by_span[item.pos[1:3]].append(item.reviewer)
    for names in by_span.values():
        if len(names) < 2:
            continue
        counts = Counter(names)
        for first, second in combinations(sorted(counts), 2):
            tallies[(first, second), kind].exact += min(counts[first], counts[second])


def _chosen_reports(db: Any, keys: Iterable[str]) -> list[Report]:
    keys = list(keys)
    if not keys:
        return list(db.reports())
    found: dict[str, Report] = {}
    for key in keys:
        report = db.find_report(key)
        if report is None:
            raise NotFound(f"no report {clean_line(key)!r} in {db.root}")
        found.setdefault(report.id, report)
    return list(found.values())


class AgreementRun:
    """Agreement over chosen reports, computed as they are read: iterate `reports()`, then read `overall()`.

    `reports` are ids or file names (all reports when empty; an unknown one raises NotFound at once);
    `reviewers` limits the comparison to those names (default: everyone but the adjudicated layer);
    `kinds` to claims, actor mentions or both. Only one report's annotations are in memory at a time.
    """

    def __init__(self, db: Any, reports: Iterable[str] = (), reviewers: Sequence[str] | None = None,
                 kinds: Sequence[Kind] = KINDS) -> None:
        self.db = db
        self.chosen = _chosen_reports(db, reports)
        self.wanted = frozenset(reviewer_name(r) for r in reviewers) if reviewers is not None else None
        self.kinds = tuple(k for k in KINDS if k in set(kinds))
        self._pairs: dict[tuple[tuple[str, str], Kind], _PairTally] = {}
        self._alpha = _AlphaTally()
        self._reviewers: set[str] = set()

    def _counts(self, reviewer: str) -> bool:
        return reviewer != ADJUDICATED if self.wanted is None else reviewer in self.wanted

    def _places(self, report: Report) -> tuple[dict[tuple[str, str, int], list[_Item]], Counter[tuple[str, str]], set[str]]:
        """The report's items by (kind, revision, paragraph), how many each reviewer made of each kind, and
        who annotated the report at all (whatever the kind)."""
        kinds = {k.value for k in self.kinds}
        places: defaultdict[tuple[str, str, int], list[_Item]] = defaultdict(list)
        annotations: Counter[tuple[str, str]] = Counter()
        present: set[str] = set()
        try:
            for doc in self.db.annotation_documents(report.id):
                item = _item_from_document(doc)
                if not self._counts(item.reviewer):
                    continue
                present.add(item.reviewer)
                if item.kind in kinds:
                    annotations[item.reviewer, item.kind] += 1
                    places[item.kind, item.revision, item.paragraph].append(item)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            detail = f"missing field {error}" if isinstance(error, KeyError) else clean_line(str(error))
            raise StoreError(f"report {report.id}: an annotation is not of the expected shape ({detail}); "
                             "run 'claimdesk doctor'") from None
        return places, annotations, present

    def report(self, report: Report) -> ReportAgreement:
        """One report's figures (also folded into the overall ones)."""
        places, annotations, present = self._places(report)
        reviewers = tuple(sorted(present))
        self._reviewers.update(reviewers)
        tallies = {(pair, kind.value): _PairTally() for pair in combinations(reviewers, 2) for kind in self.kinds}
        alpha = _AlphaTally()
        for (kind, _revision, _paragraph), found in places.items():
            if len(found) < 2:
                continue
            ordered = candidates(found)
            if not ordered:
                continue
            alpha.add_groups(kind, match_groups(found, ordered))
            for a, b in pair_matches(ordered):
                tallies[(a.reviewer, b.reviewer), kind].add_match(kind, a, b)
            _count_exact(kind, found, tallies)
        pairs = []
        for ((first, second), kind), tally in tallies.items():
            tally.annotations = annotations[first, kind] + annotations[second, kind]
            pairs.append(tally.figures((first, second), Kind(kind)))
            overall = self._pairs.get(((first, second), Kind(kind)))
            if overall is None:
                overall = self._pairs[(first, second), Kind(kind)] = _PairTally()
            overall.update(tally)
        self._alpha.update(alpha)
        return ReportAgreement(report, reviewers, tuple(pairs), alpha.figures(reviewers))

    def reports(self) -> Iterator[ReportAgreement]:
        for report in self.chosen:
            yield self.report(report)

    def overall(self) -> OverallAgreement:
        """The pooled figures of every report read so far (all of them once `reports()` has run out)."""
        order = {kind: i for i, kind in enumerate(KINDS)}
        pairs = tuple(
            tally.figures(pair, kind)
            for (pair, kind), tally in sorted(self._pairs.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))
        )
        return OverallAgreement(len(self.chosen), pairs, self._alpha.figures(tuple(sorted(self._reviewers))))


def compute(db: Any, reports: Iterable[str] = (), reviewers: Sequence[str] | None = None,
            kinds: Sequence[Kind] = KINDS) -> tuple[list[ReportAgreement], OverallAgreement]:
    """Every chosen report's agreement and the overall figures (see AgreementRun to stream them)."""
    run = AgreementRun(db, reports, reviewers, kinds)
    found = list(run.reports())
    return found, run.overall()


# ------------------------------------------------- comparison, for screens


@dataclass(frozen=True)
class Group:
    """Annotations of one kind by different reviewers on one place of a paragraph, matched to each other.

    `annotations` holds at most one annotation per reviewer, in reviewer order; `missing` names the
    compared reviewers who have nothing matching here; `differences` names the fields (from
    COMPARED_FIELDS: span, type, claimant, reported_by for claims, actor for mentions, reliability,
    credibility) on which the present annotations differ. Free text (claim text, note) is not compared:
    a screen shows it from the annotations. The group is *agreed* when no reviewer is missing and nothing
    differs: every reviewer has the same span, kind, actor, type and grade.
    """

    kind: Kind
    revision: str
    paragraph: int
    annotations: tuple[Annotation, ...]
    missing: tuple[str, ...]
    differences: tuple[str, ...]

    @property
    def agreed(self) -> bool:
        return not self.missing and not self.differences

    @property
    def reviewers(self) -> tuple[str, ...]:
        """Who has an annotation in this group."""
        return tuple(reviewer_name(a.reviewer) for a in self.annotations)

    def by_reviewer(self) -> dict[str, Annotation]:
        """Which reviewer has what: reviewer name → their annotation."""
        return {reviewer_name(a.reviewer): a for a in self.annotations}

    def values(self, name: str) -> dict[str, Any]:
        """One compared field, per reviewer: "span" gives (start, end) or None for the whole paragraph."""
        return {reviewer_name(a.reviewer): _item_from_annotation(a).value(name) for a in self.annotations}


@dataclass(frozen=True)
class ParagraphComparison:
    """One paragraph (of one revision): the groups everyone agrees on, and the others, in paragraph order."""

    revision: str
    paragraph: int
    agreed: tuple[Group, ...]
    disagreements: tuple[Group, ...]


@dataclass(frozen=True)
class ReportComparison:
    report: Report
    reviewers: tuple[str, ...]
    paragraphs: tuple[ParagraphComparison, ...]  # only paragraphs someone annotated, in revision then paragraph order

    @property
    def agreed(self) -> int:
        return sum(len(p.agreed) for p in self.paragraphs)

    @property
    def disagreements(self) -> int:
        return sum(len(p.disagreements) for p in self.paragraphs)


def compare_report(db: Any, report_key: str, reviewers: Sequence[str] | None = None,
                   kinds: Sequence[Kind] = KINDS) -> ReportComparison:
    """For an Agreement screen or an adjudication view: one report, paragraph by paragraph, who agrees on what.

    `reviewers` are the names compared (default: everyone who annotated the report, but the adjudicated
    layer). Annotations are grouped by the matching rule of this module (one per reviewer a group); a
    group is agreed when all the compared reviewers have the same span, kind, actor, type and grade, and
    otherwise lists who is missing and what differs (see `Group`). Agreed groups are what an
    adjudication pre-accepts; the disagreements are what it asks about.
    """
    report = db.report(report_key)
    wanted = None if reviewers is None else {reviewer_name(r) for r in reviewers}
    chosen = {k.value for k in kinds}
    items = [
        item for item in (_item_from_annotation(a) for a in db.annotations(report.id))
        if (item.reviewer != ADJUDICATED if wanted is None else item.reviewer in wanted)
    ]
    names = tuple(sorted(wanted if wanted is not None else {i.reviewer for i in items}))
    revisions = {revision: i for i, revision in enumerate(report.revisions)}
    places: defaultdict[tuple[str, int], defaultdict[str, list[_Item]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if item.kind in chosen:
            places[item.revision, item.paragraph][item.kind].append(item)
    paragraphs = []
    for revision, number in sorted(places, key=lambda p: (revisions.get(p[0], len(revisions)), p[0], p[1])):
        found = [
            (_reading_order(members, kind), _group(kind, revision, number, sorted(members, key=lambda i: i.pos), names))
            for kind in KINDS for members in match_groups(places[revision, number].get(kind.value, []))
        ]
        found.sort(key=lambda pair: pair[0])
        agreed = tuple(group for _, group in found if group.agreed)
        differing = tuple(group for _, group in found if not group.agreed)
        paragraphs.append(ParagraphComparison(revision, number, agreed, differing))
    return ReportComparison(report, names, tuple(paragraphs))


def _reading_order(members: list[_Item], kind: Kind) -> tuple[Any, ...]:
    """Whole-paragraph groups first, then by where the earliest span starts; actors before claims there."""
    return (*min(i.pos[1:3] for i in members), kind is Kind.CLAIM, min(i.pos for i in members))


def _group(kind: Kind, revision: str, paragraph: int, members: list[_Item], names: tuple[str, ...]) -> Group:
    present = {i.reviewer for i in members}
    first = members[0]
    # Every compared value is hashable (None, str, int, a (start, end) pair): compared as it is, once per member.
    differences = tuple(
        name for name in COMPARED_FIELDS[kind] if len(members) > 1 and any(i.value(name) != first.value(name) for i in members)
    )
    return Group(
        kind=kind, revision=revision, paragraph=paragraph,
        annotations=tuple(i.source for i in members),
        missing=tuple(name for name in names if name not in present),
        differences=differences,
    )


__all__ = [
    "ADJUDICATED", "ALPHA_FIGURES", "COMPARED_FIELDS", "PAIR_FIGURES",
    "AgreementRun", "AlphaAgreement", "Coincidences", "Group", "OverallAgreement", "PairAgreement",
    "ParagraphComparison", "ReportAgreement", "ReportComparison",
    "cohen_kappa", "compare_report", "compute", "match_groups", "parse_reviewers", "reviewer_name",
]
