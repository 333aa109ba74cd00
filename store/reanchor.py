"""Re-anchoring: carrying annotations and paragraph marks from one revision of a report to the next.

A report is re-issued with a typo fixed, a figure corrected, a paragraph
inserted, split or moved. Annotations point at (paragraph, start, end) of the
old revision; this module says, for each one, where the same words are in the
new revision, or that it cannot tell. It is plain Python with no database
access: the caller passes both revisions (`ParsedReport`), the annotations and
the paragraph marks, and stores what comes back. See docs/reanchoring.md.

How it decides, cheapest first (thresholds are the constants below; the
reasons are in docs/reanchoring.md):

1. Paragraphs. Identical text pairs first (to the character, then with the
   edges' whitespace aside), in order of occurrence: such a paragraph is
   *unchanged* (same number) or *moved* and its annotations keep their
   offsets. A changed old paragraph is continued by the changed new ones that
   share at least half of their word pairs with it (of the shorter one, and
   three pairs at least): first near where it would be, judged by the nearest
   identical paragraphs, then anywhere through an index of rarer word pairs.
   That one rule covers an edited paragraph (one continuation), a split
   (several) and a merge (a new paragraph continuing several old ones). A
   changed new paragraph left over between two identical ones, or beside a
   continuation, continues the changed old one it shares most with if that is
   a fifth (a heavily edited paragraph, the stub of a split).
2. An annotation on a changed paragraph: a diff maps its offsets onto the
   continuation (merged and neighbouring changed paragraphs are diffed
   together, in the order they read; words first, then characters, edits slid
   to word boundaries). There, in turn: the exact quote where the diff puts it,
   else where its 32 characters of context either side (as a W3C
   TextQuoteSelector keeps them) agree best; the words between the old prefix
   and suffix, if similar enough to the quote; the text the diff maps it to,
   if similar enough to the quote (fuzzy).
3. Then three paragraphs either side of where it would be, then anywhere: the
   exact quote with its context agreeing almost entirely, or exactly over a
   full side, in a paragraph whose old revision did not hold those words with
   that context already (else they are another mention); or both context
   anchors around words nearly the same. Never fuzzily: away from its own
   paragraph, text that only resembles the quote is another mention more
   often than the same words.
4. Otherwise the annotation is *orphaned*: it keeps its old quote and its old
   paragraph's text, and says why. Nothing is dropped, and nothing is placed on
   words it cannot vouch for.

Paragraph marks (reviewed, flagged) follow their paragraph; one whose text
changed says so ("changed since review" for a reviewed one).
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, cached_property
from itertools import pairwise
from typing import Any, NamedTuple

from store.model import CONTEXT_CHARS, Annotation, Mark, ParagraphStatus, ParsedReport, Span

# CONTEXT_CHARS (store.model, 32): the text kept each side of a span, as a W3C TextQuoteSelector's prefix and
# suffix (the Hypothesis web annotator keeps 32 too).
RELATED = 0.5  # share of word pairs (of the shorter paragraph) two paragraphs must have in common to be one
RELATED_IN_PLACE = 0.2  # ...enough for a changed one left between two identical ones, or beside a continuation
CONTEXT_AGREEMENT = 0.5  # an exact quote's surroundings must agree this much with the old ones (1 = both sides)
HINT_AGREEMENT = 0.5  # where the diff puts a span shorter than CONTEXT_CHARS, one side of it (or its edge) must agree this much
STRONG_CONTEXT = 0.9  # ...away from its own paragraph; and what lets a fuzzy match be only half similar
CONTEXT_SIMILARITY = 0.5  # the words between both context anchors must be this similar to the old quote
FUZZY_SIMILARITY = 0.8  # the text the diff maps a span to must be this similar to the old quote
SHORT_QUOTE = 16  # ...or half as similar, for a quote shorter than this with strong context (a figure, a date)
CONTEXT_FUZZY_SIDE = 0.8  # one side of context with a typo in it still agrees when this many characters are in place
NEARBY = 3  # paragraphs either side of the old paragraph's expected place
MAX_COUNTERPARTS = 8  # continuations kept per old paragraph (the best by shared word pairs)
MAX_OCCURRENCES = 5_000  # a quote found more often than this in its own paragraph(s) is not searched further
_ELSEWHERE_OCCURRENCES = 200  # ...a quote with eight characters of its context, elsewhere
_INDEX_FROM = 100_000  # characters of text from which a search elsewhere goes through an index of its words
MAX_DIFF_CELLS = 50_000 * 50_000  # larger changed middles are mapped by their common ends only
_STRETCH = 4  # neighbouring changed paragraphs diffed together, at most
_IN_PLACE_PAIRS = 10_000  # unmatched old × new paragraphs between two identical ones, at most, to compare in place
_RARE_PAIR = 64  # word pairs in more paragraphs than this do not propose candidates (they still score)
_SEPARATOR = "\n\n"  # between paragraphs searched as one text: no quote holds a blank line
_WORD = re.compile(r"\w+")


class Method(StrEnum):
    """How an annotation was found in the new revision (or that it was not)."""

    UNCHANGED = "unchanged"
    MOVED = "paragraph moved"
    EXACT = "exact quote"
    CONTEXT = "context"
    FUZZY = "fuzzy"
    ORPHANED = "orphaned"


class AnnotationOutcome(NamedTuple):
    """Where one annotation lands in the new revision, or why it is orphaned.

    A named tuple rather than a frozen dataclass: a large report has tens of
    thousands of these, and building one must cost well under a microsecond.
    """

    annotation: Annotation  # as it was on the old revision
    method: Method
    paragraph: int | None  # new paragraph number (1-based); None when orphaned
    start: int | None  # new offsets and quote; None for a whole-paragraph annotation or an orphan
    end: int | None
    quote: str | None
    similarity: float  # of the new quote to the old one (1.0 when identical; paragraph overlap for a whole paragraph)
    old_text: str  # the old paragraph's text, for showing an orphan in its context ("" if it had none)
    reason: str = ""  # why it is orphaned
    near: int | None = None  # an orphan's best lead: the new paragraph its old paragraph became

    @property
    def placed(self) -> bool:
        return self.method is not Method.ORPHANED

    @property
    def orphaned(self) -> bool:
        return self.method is Method.ORPHANED

    @property
    def quote_changed(self) -> bool:
        """Placed on text that differs from the old quote (a corrected figure, a fixed typo): worth a look."""
        old = self.annotation.span
        return self.placed and old is not None and self.quote != old.quote


class MarkOutcome(NamedTuple):
    """Where one paragraph mark (reviewed / flagged) goes."""

    paragraph: int  # old paragraph number
    status: ParagraphStatus  # flagged outranks reviewed (as `Mark.status`)
    paragraphs: tuple[int, ...]  # new paragraph numbers: one, several after a split, none if it was deleted
    text_changed: bool
    mark: Mark | None = None  # the stored mark, when marks were given as `Mark`s

    @property
    def reviewed(self) -> bool:
        return self.mark.reviewed if self.mark is not None else self.status is ParagraphStatus.REVIEWED

    @property
    def changed_since_review(self) -> bool:
        return self.reviewed and self.text_changed and bool(self.paragraphs)

    @property
    def lost(self) -> bool:
        """The paragraph is gone from the new revision, so the mark has nowhere to go."""
        return not self.paragraphs


class NewMark(NamedTuple):
    """A new paragraph's mark, from the marks of the old paragraphs it continues."""

    status: ParagraphStatus  # flagged wins over reviewed
    text_changed: bool
    sources: tuple[int, ...]  # old paragraph numbers

    @property
    def changed_since_review(self) -> bool:
        return self.status is ParagraphStatus.REVIEWED and self.text_changed


class ParagraphFate(NamedTuple):
    """What became of one old paragraph."""

    paragraph: int  # old number
    paragraphs: tuple[int, ...]  # new numbers
    how: str  # "unchanged", "moved", "changed", "split", "merged" or "deleted"


@dataclass(frozen=True)
class Reanchoring:
    """The outcome of carrying a report's annotations and marks to a new revision."""

    annotations: tuple[AnnotationOutcome, ...]  # one per annotation given, in the same order
    marks: tuple[MarkOutcome, ...]  # one per reviewed or flagged paragraph given
    new: ParsedReport = field(repr=False, compare=False)
    _match: _ParagraphMatch = field(repr=False, compare=False)

    @cached_property
    def paragraphs(self) -> tuple[ParagraphFate, ...]:
        """What became of each old paragraph, in order."""
        return self._match.fates()

    @cached_property
    def inserted(self) -> tuple[int, ...]:
        """New paragraphs that continue no old one."""
        return self._match.inserted()

    @property
    def counts(self) -> dict[Method, int]:
        """How many annotations each method placed (and how many are orphaned), every method listed."""
        found = Counter(outcome.method for outcome in self.annotations)
        return {method: found.get(method, 0) for method in Method}

    @property
    def carried(self) -> int:
        return sum(1 for outcome in self.annotations if outcome.placed)

    @property
    def orphaned(self) -> int:
        return sum(1 for outcome in self.annotations if outcome.orphaned)

    @property
    def quote_changed(self) -> int:
        return sum(1 for outcome in self.annotations if outcome.quote_changed)

    @property
    def changed_since_review(self) -> int:
        return sum(1 for mark in self.new_marks().values() if mark.changed_since_review)

    def summary(self) -> str:
        """One line for the analyst: "N annotations carried to the new revision, M need a look"."""
        carried, orphaned = self.carried, self.orphaned
        look = f"{orphaned} need{'s' if orphaned == 1 else ''} a look"
        return f"{carried} annotation{'s' if carried != 1 else ''} carried to the new revision, {look}"

    def new_annotations(self, revision: str) -> list[Annotation]:
        """The placed annotations as they read on the new revision (orphans are left to the caller).

        A span keeps every other field; if `Span` carries `prefix`/`suffix`,
        they are recomputed around the new place.
        """
        texts = self.new.paragraphs
        carried: list[Annotation] = []
        for outcome in self.annotations:
            if outcome.orphaned or outcome.paragraph is None:
                continue
            span = outcome.annotation.span
            if span is not None and outcome.start is not None and outcome.end is not None:
                span = _moved_span(span, texts[outcome.paragraph - 1].text, outcome.start, outcome.end)
            carried.append(outcome.annotation.evolve(revision=revision, paragraph=outcome.paragraph, span=span))
        return carried

    def moved_marks(self) -> list[Mark]:
        """The `Mark`s given, as they read on the new revision, by new paragraph number.

        Each is on its new paragraph (on every part of a split one), with
        `changed_since_review` set where a reviewed paragraph's text changed.
        Marks that land on one paragraph (a merge) are combined: reviewed or
        flagged if any was, the latest reviewer and flagger, the flag reasons
        joined. The other fields (`rev`, `updated_*`) are the latest mark's:
        the caller that writes them decides what a move counts as.
        """
        landing: dict[int, list[MarkOutcome]] = {}
        for outcome in self.marks:
            if outcome.mark is not None:
                for number in outcome.paragraphs:
                    landing.setdefault(number, []).append(outcome)
        moved = []
        for number, outcomes in sorted(landing.items()):
            marks = [outcome.mark for outcome in outcomes if outcome.mark is not None]
            latest = max(marks, key=lambda mark: mark.updated_at)
            review = max((mark for mark in marks if mark.reviewed), key=lambda mark: mark.reviewed_at, default=None)
            flag = max((mark for mark in marks if mark.flagged), key=lambda mark: mark.flagged_at, default=None)
            moved.append(latest.evolve(
                paragraph=number,
                reviewed=review is not None,
                reviewed_by=review.reviewed_by if review else "",
                reviewed_at=review.reviewed_at if review else "",
                flagged=flag is not None,
                flagged_by=flag.flagged_by if flag else "",
                flagged_at=flag.flagged_at if flag else "",
                flag_reason="; ".join(dict.fromkeys(mark.flag_reason for mark in marks if mark.flagged and mark.flag_reason)),
                changed_since_review=any(mark.changed_since_review for mark in marks)
                or any(outcome.changed_since_review for outcome in outcomes),
            ))
        return moved

    def new_marks(self) -> dict[int, NewMark]:
        """Each new paragraph's mark. Flagged wins over reviewed when merged paragraphs disagree."""
        result: dict[int, NewMark] = {}
        for mark in self.marks:
            for number in mark.paragraphs:
                before = result.get(number)
                if before is None:
                    result[number] = NewMark(mark.status, mark.text_changed, (mark.paragraph,))
                    continue
                flagged = ParagraphStatus.FLAGGED in (before.status, mark.status)
                result[number] = NewMark(
                    ParagraphStatus.FLAGGED if flagged else ParagraphStatus.REVIEWED,
                    before.text_changed or mark.text_changed,
                    (*before.sources, mark.paragraph),
                )
        return result


def context_of(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The `width` characters before and after `text[start:end]`, within the paragraph: what a span keeps."""
    return text[max(0, start - width):start], text[end:end + width]


def reanchor(
    old: ParsedReport,
    new: ParsedReport,
    annotations: Iterable[Annotation],
    marks: Mapping[int, ParagraphStatus | Mark] | None = None,
) -> Reanchoring:
    """Carry `annotations` (made on `old`) and the paragraph `marks` of `old` to `new`.

    `marks` maps old paragraph numbers to a status or to the stored `Mark`
    (`Database.marks`); unreviewed statuses and blank marks are skipped.
    """
    with _without_cycle_collection():
        return _reanchor(old, new, annotations, marks)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while tens of thousands of outcomes are built.

    They are tuples that form no reference cycles, but each allocation counts
    towards the collector's next pass, and a pass walks every live object (the
    two revisions, the annotations): a third of the time on a large report.
    Reference counting still frees everything; the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reanchor(
    old: ParsedReport, new: ParsedReport, annotations: Iterable[Annotation], marks: Mapping[int, ParagraphStatus | Mark] | None
) -> Reanchoring:
    match = _ParagraphMatch([p.text for p in old.paragraphs], [p.text for p in new.paragraphs])
    finder = _Finder(match)
    old_texts, kept = match.old, match.kept()
    make = tuple.__new__  # a named tuple built without its keyword-handling __new__: the loop runs per annotation
    outcomes: list[AnnotationOutcome] = []
    add = outcomes.append
    for annotation in annotations:
        # The common case first, inline: a span on a paragraph whose text is unchanged keeps its offsets.
        span, i = annotation.span, annotation.paragraph - 1
        if span is not None and 0 <= i < len(kept) and (place := kept[i]) is not None:
            text = old_texts[i]
            if 0 <= span.start < span.end <= len(text) and text[span.start:span.end] == span.quote:
                add(make(AnnotationOutcome, (annotation, place[1], place[0], span.start, span.end, span.quote, 1.0, text, "", None)))
                continue
        add(finder.place(annotation))
    mark_outcomes = []
    for number, given in sorted((marks or {}).items()):
        mark = given if isinstance(given, Mark) else None
        status = given.status if isinstance(given, Mark) else given
        if (mark is not None and mark.is_blank) or (mark is None and status is ParagraphStatus.UNREVIEWED):
            continue
        mark_outcomes.append(MarkOutcome(number, status, *match.follow(number - 1), mark))
    return Reanchoring(tuple(outcomes), tuple(mark_outcomes), new, match)


# ---------------------------------------------------------------- paragraphs


def _pairs(text: str) -> set[tuple[str, str]]:
    """A paragraph's consecutive word pairs, casefolded, with its first and last word paired with its edges
    (so a stub of one or two words left by a split still shares something with the paragraph it came from)."""
    words = _WORD.findall(text.casefold())
    return set(pairwise(["", *words, ""])) if words else set()


def _overlap(a: set[Any], b: set[Any]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _edges(text: str) -> int:
    """Length of the whitespace before a paragraph's text (not part of it; see DOMAIN.md)."""
    return len(text) - len(text.lstrip())


class _ParagraphMatch:
    """Which new paragraph(s) continue each old one. Indices here are 0-based."""

    def __init__(self, old: list[str], new: list[str]) -> None:
        self.old, self.new = old, new
        self.same: list[int | None] = [None] * len(old)  # identical text (edges aside)
        self.continued: list[tuple[int, ...]] = [()] * len(old)  # changed: the new paragraphs that continue it
        self.score: dict[tuple[int, int], float] = {}
        self._groups: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] | None = None
        self._sources: dict[int, list[int]] | None = None
        self._nearest: tuple[list[int | None], list[int | None]] | None = None
        self._match_identical()
        unmatched_old = [i for i, j in enumerate(self.same) if j is None]
        matched_new = {j for j in self.same if j is not None}
        unmatched_new = [j for j in range(len(new)) if j not in matched_new]
        if unmatched_old and unmatched_new:
            self._match_where_expected(unmatched_old, unmatched_new)
            self._match_similar([i for i in unmatched_old if not self.continued[i]], unmatched_new)
            self._match_in_place(unmatched_old, unmatched_new)
            self._match_beside(unmatched_new)

    def _match_identical(self) -> None:
        """Pair identical paragraphs in order of occurrence: to the character first, then with edges' whitespace aside."""
        first = {text: j for j, text in reversed(list(enumerate(self.new)))}
        if len(first) == len(self.new):  # no two new paragraphs alike (the common case): one dictionary look-up each
            taken: set[int] = set()
            for i, text in enumerate(self.old):
                j = first.get(text)
                if j is not None and j not in taken:
                    self.same[i] = j
                    taken.add(j)
        else:
            self._pair(range(len(self.old)), range(len(self.new)), None)
        old = [i for i, j in enumerate(self.same) if j is None]
        if old:
            matched = set(self.same)
            self._pair(old, [j for j in range(len(self.new)) if j not in matched], str.strip)

    def _pair(self, old: Iterable[int], new: Iterable[int], key: Callable[[str], str] | None) -> None:
        where: dict[str, list[int]] = {}
        for j in new:
            text = self.new[j]
            where.setdefault(key(text) if key else text, []).append(j)
        used: dict[str, int] = {}
        for i in old:
            text = key(self.old[i]) if key else self.old[i]
            found = where.get(text)
            if found:
                taken = used.get(text, 0)
                if taken < len(found):
                    self.same[i] = found[taken]
                    used[text] = taken + 1

    def _match_where_expected(self, old: list[int], new: list[int]) -> None:
        """Cheapest first: a changed paragraph continues the changed new ones near where it would be, if related."""
        changed = set(new)
        pairs_new: dict[int, set[tuple[str, str]]] = {}
        for i in old:
            centre = self.expected(i)
            pairs = _pairs(self.old[i])
            found = []
            for j in range(max(0, centre - 2), min(len(self.new), centre + 3)):
                if j in changed:
                    if j not in pairs_new:
                        pairs_new[j] = _pairs(self.new[j])
                    score = _overlap(pairs, pairs_new[j])
                    if score >= RELATED and len(pairs & pairs_new[j]) >= 3:
                        self.score[i, j] = score
                        found.append(j)
            self.continued[i] = tuple(found)

    def _match_similar(self, old: list[int], new: list[int]) -> None:
        """Then anywhere, through an index of the new paragraphs' rarer word pairs (a paragraph moved and edited)."""
        pairs_new = {j: _pairs(self.new[j]) for j in new}
        index: dict[tuple[str, str], list[int]] = {}
        for j, pairs in pairs_new.items():
            for pair in pairs:
                index.setdefault(pair, []).append(j)
        rare = _RARE_PAIR
        found: dict[int, list[tuple[float, int]]] = {}
        for i in old:
            pairs = _pairs(self.old[i])
            shared = Counter(j for pair in pairs if len(holders := index.get(pair, ())) <= rare for j in holders)
            for j in [j for j, count in shared.items() if count >= 3]:  # a pair or two in common is chance
                score = _overlap(pairs, pairs_new[j])
                if score >= RELATED:
                    self.score[i, j] = score
                    found.setdefault(i, []).append((score, j))
        for i, scored in found.items():
            best = sorted(scored, key=lambda sj: (-sj[0], sj[1]))[:MAX_COUNTERPARTS]
            self.continued[i] = tuple(sorted({*self.continued[i], *(j for _, j in best)}))

    def _match_in_place(self, old: list[int], new: list[int]) -> None:
        """Between two identical paragraphs, an unclaimed changed paragraph continues the changed old one there
        it shares most with, if it shares a fifth of its word pairs (a heavily edited paragraph, a split's stub)."""
        claimed = {j for js in self.continued for j in js}
        run: list[int] = []
        for i in [*old, len(self.old) + 1]:  # a sentinel closes the last run
            if run and i == run[-1] + 1:
                run.append(i)
                continue
            if run:
                before = self.same[run[0] - 1] if run[0] > 0 else -1
                after = self.same[run[-1] + 1] if run[-1] + 1 < len(self.old) else len(self.new)
                assert before is not None and after is not None
                between = [j for j in new[bisect_right(new, before):bisect_left(new, after)] if j not in claimed]
                if before < after and between and len(run) * len(between) <= _IN_PLACE_PAIRS:
                    self._attach(run, between)
            run = [i]

    def _match_beside(self, new: list[int]) -> None:
        """An unclaimed changed paragraph next to a continuation of a changed old one continues it too
        if they share a fifth of their word pairs (the stub of a split paragraph that moved)."""
        beside: dict[int, list[int]] = {}
        for i, continued in enumerate(self.continued):
            for j in continued:
                for k in (j - 1, j + 1):
                    beside.setdefault(k, []).append(i)
        claimed = {j for js in self.continued for j in js}
        for j in new:
            if j not in claimed and j in beside:
                self._attach(sorted(set(beside[j])), [j])

    def _attach(self, old: list[int], new: list[int]) -> None:
        pairs_old = {i: _pairs(self.old[i]) for i in old}

        def distance(i: int, j: int) -> int:  # ties go to the old paragraph continued next to j
            return min((abs(j - k) for k in self.continued[i]), default=len(self.new) + abs(j - i))

        for j in new:
            pairs = _pairs(self.new[j])
            score, _, i = max((_overlap(pairs_old[i], pairs), -distance(i, j), i) for i in old)
            if score >= RELATED_IN_PLACE:
                self.score[i, j] = score
                self.continued[i] = tuple(sorted((*self.continued[i], j)))

    def group(self, i: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The old and new paragraphs that continuation ties old paragraph i to, each in order.

        Merged paragraphs are one group, and so are neighbouring changed ones:
        diffing them together keeps the second one's words from being aligned
        with look-alikes in the first, and follows words across the boundary.
        """
        if self._groups is None:
            self._groups = {}
            parent: dict[tuple[str, int], tuple[str, int]] = {}

            def root(node: tuple[str, int]) -> tuple[str, int]:
                while parent.setdefault(node, node) != node:
                    parent[node] = parent[parent[node]]
                    node = parent[node]
                return node

            size: dict[tuple[str, int], int] = {}

            def join(a: tuple[str, int], b: tuple[str, int], limit: int | None = None) -> None:
                a, b = root(a), root(b)
                if a != b and (limit is None or size.get(a, a[0] == "old") + size.get(b, b[0] == "old") <= limit):
                    parent[a] = b
                    size[b] = size.get(a, a[0] == "old") + size.get(b, b[0] == "old")

            for k, continued in enumerate(self.continued):
                for j in continued:
                    join(("old", k), ("new", j))
            # Neighbouring changed paragraphs whose continuations are neighbours too are one stretch of
            # changed text: words that crossed between them (a split here, a merge there) stay found.
            for k, continued in enumerate(self.continued[:-1]):
                following = self.continued[k + 1]
                if continued and following and 0 <= following[0] - continued[-1] <= 1:
                    join(("old", k), ("old", k + 1), _STRETCH)
            members: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
            for node in list(parent):
                olds, news = members.setdefault(root(node), ([], []))
                (olds if node[0] == "old" else news).append(node[1])
            for olds, news in members.values():
                found = tuple(sorted(olds)), tuple(sorted(news))
                for k in olds:
                    self._groups[k] = found
        return self._groups.get(i, ((i,), ()))

    def expected(self, i: int) -> int:
        """Where old paragraph i would be in the new revision, judged by the nearest identical one."""
        for step in range(1, 9):  # mostly a neighbour; the tables below are for long changed stretches
            if i - step >= 0 and (j := self.same[i - step]) is not None:
                return min(len(self.new) - 1, j + step)
            if i + step < len(self.same) and (j := self.same[i + step]) is not None:
                return max(0, j - step)
        if self._nearest is None:  # for each old paragraph, the nearest identical one before and after it
            previous: list[int | None] = []
            last = None
            for k, same in enumerate(self.same):
                last = k if same is not None else last
                previous.append(last)
            following: list[int | None] = [None] * len(self.same)
            last = None
            for k in range(len(self.same) - 1, -1, -1):
                last = k if self.same[k] is not None else last
                following[k] = last
            self._nearest = previous, following
        before, after = self._nearest[0][i], self._nearest[1][i]
        if before is not None and (after is None or i - before <= after - i):
            j = self.same[before]
            assert j is not None
            return min(len(self.new) - 1, j + (i - before))
        if after is not None:
            j = self.same[after]
            assert j is not None
            return max(0, j - (after - i))
        return min(max(i * len(self.new) // max(len(self.old), 1), 0), len(self.new) - 1)  # no identical one: in proportion

    def sources(self, j: int) -> tuple[int, ...]:
        """The old paragraphs (0-based) that new paragraph j continues."""
        if self._sources is None:
            self._sources = {}
            for i in range(len(self.old)):
                for k in self.continuations(i):
                    self._sources.setdefault(k, []).append(i)
        return tuple(self._sources.get(j, ()))

    def kept(self) -> list[tuple[int, Method] | None]:
        """For each old paragraph whose text is in the new revision unchanged, to the character: its new
        number and how it got there (unchanged or moved); None for the others."""
        return [
            None if j is None or self.new[j] != self.old[i] else (j + 1, Method.UNCHANGED if i == j else Method.MOVED)
            for i, j in enumerate(self.same)
        ]

    def continuations(self, i: int) -> tuple[int, ...]:
        """The new paragraphs (0-based) that continue old paragraph i: the identical one, or the changed ones."""
        same = self.same[i]
        return (same,) if same is not None else self.continued[i]

    def follow(self, i: int) -> tuple[tuple[int, ...], bool]:
        """(new numbers, text changed) for old paragraph i: where its mark goes."""
        if not 0 <= i < len(self.old):
            return (), False
        j = self.same[i]
        if j is not None:
            return (j + 1,), False
        continued = self.continued[i]
        return tuple(k + 1 for k in continued), bool(continued)

    def fates(self) -> tuple[ParagraphFate, ...]:
        sources = Counter(j for js in self.continued for j in js)
        fates = []
        for i, j in enumerate(self.same):
            if j is not None:
                fates.append(ParagraphFate(i + 1, (j + 1,), "unchanged" if i == j else "moved"))
                continue
            continued = self.continued[i]
            if not continued:
                how = "deleted"
            elif len(continued) > 1:
                how = "split"
            else:
                how = "merged" if sources[continued[0]] > 1 else "changed"
            fates.append(ParagraphFate(i + 1, tuple(k + 1 for k in continued), how))
        return tuple(fates)

    def inserted(self) -> tuple[int, ...]:
        used = {j for j in self.same if j is not None} | {j for js in self.continued for j in js}
        return tuple(j + 1 for j in range(len(self.new)) if j not in used)


# ---------------------------------------------------------------- text search


@cache
def _indel() -> Any:
    """rapidfuzz's insert/delete distance, imported once on first use (not at start-up)."""
    from rapidfuzz.distance import Indel

    return Indel


def _similarity(a: str, b: str) -> float:
    return float(_indel().normalized_similarity(a, b))


def _common_prefix(a: str, b: str) -> int:
    """Length of the common start of a and b, by halving (slice comparisons run in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, min(len(a), len(b), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:len(a) - low] == b[len(b) - middle:len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


class _Diff:
    """Maps offsets of an old text onto a new one through a diff: by words, then by characters inside changed words.

    Words first, because a diff of characters alone matches letters across
    unrelated words and may align a word with a look-alike far away. Blocks
    cover the old text in order; runs of inserts and deletes between two
    equal stretches are one replaced block. A start inside a replaced block goes
    to the start of its replacement, an end to its end, so a span around a
    corrected figure covers the new figure; an insertion at a span's start goes
    before it, at its end after it. A minimal diff may place an insertion
    anywhere along a run of repeated letters ("militi|a zebr|a any" for an
    inserted "zebra "); each one is slid to word boundaries first, as
    diff-match-patch's semantic clean-up does, so the spans on either side keep
    their exact ends.
    """

    def __init__(self, old: str, new: str) -> None:
        head = _common_prefix(old, new)
        tail = _common_suffix(old, new, min(len(old), len(new)) - head)
        # The changed middle begins and ends where words do, so that a word there is compared whole
        # ("Iran " with "Iran ", not "Iran" with "Iran ").
        while 0 < head and not (_token_start(old, head) and _token_start(new, head)):
            head -= 1
        while 0 < tail and not (_token_start(old, len(old) - tail) and _token_start(new, len(new) - tail)):
            tail -= 1
        middle_old, middle_new = old[head:len(old) - tail], new[head:len(new) - tail]
        ops: list[list[int]] = [[0, head, 0, head, _EQUAL]] if head else []
        if middle_old or middle_new:
            ops += _word_diff(middle_old, middle_new, head, head)
        if tail:
            ops.append([len(old) - tail, len(old), len(new) - tail, len(new), _EQUAL])
        _slide_to_words(ops, old, new)
        blocks: list[tuple[int, int, int, int, bool]] = []
        for i1, i2, j1, j2, tag in ops:
            equal = tag == _EQUAL
            if equal and i1 == i2:
                continue
            if not equal and blocks and not blocks[-1][4]:
                i1, j1 = blocks[-1][0], blocks[-1][2]
                blocks.pop()
            blocks.append((i1, i2, j1, j2, equal))
        self.blocks = blocks
        self.ends = [block[1] for block in blocks]
        self.size = len(new)

    def start(self, x: int) -> int:
        k = bisect_right(self.ends, x)
        if k == len(self.blocks):
            return self.size
        i1, _, j1, _, equal = self.blocks[k]
        return j1 + (x - i1) if equal else j1

    def end(self, x: int) -> int:
        k = bisect_left(self.ends, x)
        if k == len(self.blocks):
            return self.size
        i1, _, j1, j2, equal = self.blocks[k]
        return j1 + (x - i1) if equal else j2

    def matched_start(self, x: int) -> int | None:
        """Where `start(x)` goes, if the character at x was matched (not replaced or deleted)."""
        k = bisect_right(self.ends, x)
        return self.blocks[k][2] + (x - self.blocks[k][0]) if k < len(self.blocks) and self.blocks[k][4] else None

    def matched_end(self, x: int) -> int | None:
        """Where `end(x)` goes, if the character before x was matched."""
        k = bisect_left(self.ends, x)
        return self.blocks[k][2] + (x - self.blocks[k][0]) if k < len(self.blocks) and self.blocks[k][4] else None


_EQUAL, _INSERT, _DELETE, _REPLACE = range(4)
_TAGS = {"equal": _EQUAL, "insert": _INSERT, "delete": _DELETE}
_MATCHER_CELLS = 2_000 * 2_000  # words × words up to which difflib aligns them (above, rapidfuzz's faster LCS)
# A word or a mark with the spaces after it, a paragraph break, or another white-space character: the units
# a diff aligns before it looks at characters (spaces ride with their word, so they do not match everywhere).
_TOKEN = re.compile(r"\n\n|\w+[^\S\n]*|[^\w\s][^\S\n]*|\s")


def _word_diff(old: str, new: str, i0: int, j0: int) -> list[list[int]]:
    """Diff ops [i1, i2, j1, j2, tag] of old against new (offset by i0, j0): words, then characters within changes."""
    from rapidfuzz.distance import Indel

    old_words, new_words = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(old_words) * len(new_words) > MAX_DIFF_CELLS:  # too large to diff: one replaced block
        return [[i0, i0 + len(old), j0, j0 + len(new), _REPLACE]]
    old_at, new_at = _offsets(old_words), _offsets(new_words)
    # The breaks between paragraphs diffed together never match each other: a word that crossed a break
    # (a split here, a merge there) must match itself, not lose to the break beside it.
    # Words compare without the spaces after them ("Iran" at the end of a quote is "Iran " in its paragraph).
    old_keys = ["\x00old" if word == _SEPARATOR else word.rstrip() for word in old_words]
    new_keys = ["\x00new" if word == _SEPARATOR else word.rstrip() for word in new_words]
    if len(old_keys) * len(new_keys) <= _MATCHER_CELLS:
        # Longest common runs first (difflib), as a reader would align the texts: where several alignments are
        # equally short (a word deleted beside its twin), the one that keeps runs whole is the one meant.
        from difflib import SequenceMatcher

        codes: list[tuple[str, int, int, int, int]] = list(SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes())
    else:
        codes = [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in Indel.opcodes(old_keys, new_keys)]
    by_word: list[list[int]] = []
    for name, a1, a2, b1, b2 in codes:
        if name != "equal" or old[old_at[a1]:old_at[a2]] == new[new_at[b1]:new_at[b2]]:
            by_word.append([old_at[a1], old_at[a2], new_at[b1], new_at[b2], _TAGS.get(name, _REPLACE)])
            continue
        for a, b in zip(range(a1, a2), range(b1, b2), strict=True):  # the same words, some with other spaces after
            same = old_words[a] == new_words[b]
            by_word.append([old_at[a], old_at[a + 1], new_at[b], new_at[b + 1], _EQUAL if same else _REPLACE])
    ops: list[list[int]] = []
    k = 0
    while k < len(by_word):
        if by_word[k][4] == _EQUAL:
            i1, i2, j1, j2, tag = by_word[k]
            ops.append([i0 + i1, i0 + i2, j0 + j1, j0 + j2, tag])
            k += 1
            continue
        run_end = k
        while run_end < len(by_word) and by_word[run_end][4] != _EQUAL:
            run_end += 1
        i1, j1 = by_word[k][0], by_word[k][2]
        i2, j2 = by_word[run_end - 1][1], by_word[run_end - 1][3]
        if i1 < i2 and j1 < j2 and (i2 - i1) * (j2 - j1) <= MAX_DIFF_CELLS:  # changed words: which characters changed
            by_char = [
                [i0 + i1 + op.src_start, i0 + i1 + op.src_end, j0 + j1 + op.dest_start, j0 + j1 + op.dest_end, _TAGS.get(op.tag, _REPLACE)]
                for op in Indel.opcodes(old[i1:i2], new[j1:j2])
            ]
            ops += _without_chance_matches(by_char)
        else:
            ops.append([i0 + i1, i0 + i2, j0 + j1, j0 + j2, _INSERT if i1 == i2 else _DELETE if j1 == j2 else _REPLACE])
        k = run_end
    return ops


def _without_chance_matches(ops: list[list[int]]) -> list[list[int]]:
    """Letters that match by chance inside rewritten words count as changed (as diff-match-patch's semantic
    clean-up does): an equal stretch no longer than the changes on both sides of it. Otherwise the "e" of
    "zebra" matched with the "e" of a deleted "seen" would pull a span's end into the new word."""
    def changed(op: list[int]) -> int:
        return (op[1] - op[0]) + (op[3] - op[2]) if op[4] != _EQUAL else 0

    kept = list(ops)
    for k in range(1, len(ops) - 1):
        before, here, after = ops[k - 1], ops[k], ops[k + 1]
        size = here[1] - here[0]
        if here[4] == _EQUAL and size <= changed(before) and size <= changed(after):
            kept[k] = [*here[:4], _REPLACE]
    return kept


def _token_start(text: str, at: int) -> bool:
    """Does a unit of `_TOKEN` begin at `at` (after a space, or where a word meets a mark)?"""
    if at <= 0 or at >= len(text):
        return True
    before, here = text[at - 1], text[at]
    if here.isspace():
        return before == "\n" or (not before.isspace() and here == "\n")
    return before.isspace() or (before.isalnum() or before == "_") != (here.isalnum() or here == "_")


def _offsets(words: list[str]) -> list[int]:
    at = [0]
    for word in words:
        at.append(at[-1] + len(word))
    return at


_SLIDE_REACH = 256  # characters of the equal text either side an edit may slide through


def _slide_to_words(ops: list[list[int]], old: str, new: str) -> None:
    """Move each lone insertion or deletion between two equal stretches to the best word boundary, in place."""
    for k in range(1, len(ops) - 1):
        before, edit, after = ops[k - 1], ops[k], ops[k + 1]
        if edit[4] not in (_INSERT, _DELETE) or before[4] != _EQUAL or after[4] != _EQUAL:
            continue
        text, lo, hi = (new, 2, 3) if edit[4] == _INSERT else (old, 0, 1)
        shift = _best_shift(text, max(before[lo], edit[lo] - _SLIDE_REACH), edit[lo], edit[hi], min(after[hi], edit[hi] + _SLIDE_REACH))
        if shift:
            before[1] += shift
            before[3] += shift
            for n in range(4):
                edit[n] += shift
            after[0] += shift
            after[2] += shift


def _best_shift(text: str, low: int, start: int, end: int, high: int) -> int:
    """Where the edit text[start:end] reads best, moved within [low, high) along the text it repeats."""
    size = end - start
    left = start
    while left > low and text[left - 1] == text[left - 1 + size]:
        left -= 1
    best, best_score = 0, -1
    at = left
    while at + size <= high:
        score = _edge_score(text, at) + _edge_score(text, at + size)
        if score >= best_score:  # ties go right, as an insertion at a span's end then stays outside it
            best, best_score = at - start, score
        if at + size >= high or text[at] != text[at + size]:
            break
        at += 1
    return best


def _edge_score(text: str, at: int) -> int:
    """How good a place the gap before text[at] is for an edit to begin or end: a paragraph's edge,
    a line break, a space, punctuation, or inside a word (worst)."""
    if at <= 0 or at >= len(text):
        return 4
    a, b = text[at - 1], text[at]
    if a == "\n" or b == "\n":
        return 3
    if a.isspace() or b.isspace():
        return 2
    return 0 if a.isalnum() and b.isalnum() else 1


class _Haystack:
    """Several new paragraphs searched as one text, with where each one starts."""

    def __init__(self, indices: Sequence[int], texts: Sequence[str]) -> None:
        self.indices = list(indices)
        self.texts = [texts[j] for j in self.indices]
        self.text = _SEPARATOR.join(self.texts)
        self.starts = []
        at = 0
        for text in self.texts:
            self.starts.append(at)
            at += len(text) + len(_SEPARATOR)
        self._index: dict[tuple[str, str], list[int]] | None = None

    def locate(self, at: int, length: int) -> tuple[int, int] | None:
        """(position in self.indices, offset in that paragraph) of text at `at`, if it stays in one paragraph."""
        k = bisect_right(self.starts, at) - 1
        offset = at - self.starts[k]
        if offset + length > len(self.texts[k]):
            return None
        return k, offset

    def search(self, needle: str, limit: int) -> list[tuple[int, int]] | None:
        """As `find_all`; in a large text, through an index of its words rather than a scan of it.

        Text away from an annotation's paragraph is searched once per annotation that got there, and a
        revision with little in common with the old one sends all of them there: scanning a megabyte for
        each would take minutes. The index is built on first use; a needle without a whole word inside it
        (its first and last words may be cut) is still found by a scan.
        """
        if len(self.text) < _INDEX_FROM:
            return self.find_all(needle, limit)
        words = [m for m in _WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)]
        if not words:
            return self.find_all(needle, limit)
        index = self._word_index()
        keys = [((w.group(), ""), w.start()) for w in words]
        keys += [((a.group(), b.group()), a.start()) for a, b in pairwise(words) if a.end() <= b.start()]
        places, offset = min(((index.get(key, []), at) for key, at in keys), key=lambda found: len(found[0]))
        if len(places) > _INDEX_FROM // 50:  # a common word and no rarer pair: a scan is quicker
            return self.find_all(needle, limit)
        found: list[tuple[int, int]] = []
        text = self.text
        for at in places:
            start = at - offset
            if start >= 0 and text.startswith(needle, start) and (where := self.locate(start, len(needle))) is not None:
                found.append(where)
                if len(found) > limit:
                    return None
        return found

    def _word_index(self) -> dict[tuple[str, str], list[int]]:
        """Where each word, and each pair of neighbouring words in a paragraph, begins."""
        if self._index is None:
            self._index = {}
            for k, text in enumerate(self.texts):
                base, previous = self.starts[k], None
                for match in _WORD.finditer(text):
                    word = match.group()
                    self._index.setdefault((word, ""), []).append(base + match.start())
                    if previous is not None:
                        self._index.setdefault((previous[0], word), []).append(previous[1])
                    previous = word, base + match.start()
        return self._index

    def starting(self, text: str) -> list[int]:
        """The positions of the paragraphs that begin with `text` (found in one pass: no paragraph holds a blank line)."""
        found = [0] if self.texts and self.texts[0].startswith(text) else []
        at = self.text.find(_SEPARATOR + text)
        while at != -1:
            found.append(bisect_right(self.starts, at + len(_SEPARATOR)) - 1)
            at = self.text.find(_SEPARATOR + text, at + 1)
        return found

    def ending(self, text: str) -> list[int]:
        """The positions of the paragraphs that end with `text`."""
        found = []
        at = self.text.find(text + _SEPARATOR)
        while at != -1:
            found.append(bisect_right(self.starts, at) - 1)
            at = self.text.find(text + _SEPARATOR, at + 1)
        if self.texts and self.texts[-1].endswith(text):
            found.append(len(self.texts) - 1)
        return found

    def find_all(self, needle: str, limit: int = MAX_OCCURRENCES) -> list[tuple[int, int]] | None:
        """Every (position, offset) of `needle` inside one paragraph; None if more than `limit`."""
        found: list[tuple[int, int]] = []
        at = self.text.find(needle)
        while at != -1:
            where = self.locate(at, len(needle))
            if where is not None:
                found.append(where)
                if len(found) > limit:
                    return None
            at = self.text.find(needle, at + 1)
        return found


def _trim_to_quote(text: str, start: int, end: int, quote: str, words: tuple[bool, bool]) -> tuple[int, int]:
    """The part of text[start:end] that stands for `quote`: words inserted next to it are left out.

    What lies between two context anchors may hold a word inserted just inside
    one of them; as with a diff, an insertion at a span's edge goes outside it.
    """
    found = text[start:end]
    if found == quote:
        return start, end
    diff = _Diff(quote, found)
    first, last = start + diff.start(0), start + diff.end(len(quote))
    if last <= first:
        return start, end
    while words[0] and first > start and not _word_edge(text, first):
        first -= 1
    while words[1] and last < end and not _word_edge(text, last):
        last += 1
    return first, last


def _word_edge(text: str, at: int) -> bool:
    """Is `at` not inside a word (between two letters or digits)?"""
    return at <= 0 or at >= len(text) or not (text[at - 1].isalnum() and text[at].isalnum())


_EDGE = "\0"  # stands for a paragraph's edge when context is compared: no text holds it (cleaning makes NUL "␀")


def _side_agreement(stored: str, found: str, before: bool) -> float:
    """How far the text on one side of a candidate agrees with the stored context (0-1).

    The run of characters that agree outward from the span counts; so does a
    window whose characters agree in place for CONTEXT_FUZZY_SIDE of them (a
    typo or a changed figure inside the context: "18, 2023" → "28, 2024").
    In place, not as a whole: the same words in another order (" seen
    officials and" for " seen and officials") are another context.
    """
    run = _common_suffix(stored, found, len(stored)) if before else _common_prefix(stored, found)
    agreement = run / len(stored)
    if agreement < 1.0 and len(found) == len(stored):
        same = sum(1 for a, b in zip(stored, found, strict=True) if a == b) / len(stored)
        if same >= CONTEXT_FUZZY_SIDE:
            agreement = max(agreement, same)
    return agreement


def _context_agreement(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    return _context_sides(text, start, end, prefix, suffix)[0]


def _one_side_agrees(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """Where the diff puts a span: does the text on one side of it, or the paragraph's edge, still agree?"""
    return _context_sides(text, start, end, prefix, suffix)[3] >= HINT_AGREEMENT


def _agrees(sides: tuple[float, bool, bool, float], agreement: float, one_full_side: bool) -> bool:
    """Does a candidate's context agree enough? A paragraph's edge alone never does (a split makes new edges)."""
    score, full, textual, _ = sides
    return textual and (score >= agreement or (one_full_side and full and score >= CONTEXT_AGREEMENT))


def _context_sides(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[float, bool, bool, float]:
    """How the text around text[start:end] agrees with a span's stored prefix and suffix:
    (agreement of both sides, 0-1, weighed by their length; whether one side agrees exactly over a
    full CONTEXT_CHARS; whether some text agrees, half a non-empty side at least, not only an edge;
    the better side's agreement, an edge counting as a side).

    A side shorter than CONTEXT_CHARS ends at the paragraph's edge, and the edge is compared
    too: "moving " at a paragraph's start does not agree with "…fighters moving ".
    """
    old_before = prefix if len(prefix) >= CONTEXT_CHARS else _EDGE + prefix
    old_after = suffix if len(suffix) >= CONTEXT_CHARS else suffix + _EDGE
    before = text[max(0, start - len(old_before)):start]
    if start < len(old_before):
        before = _EDGE + before
    after = text[end:end + len(old_after)]
    if end + len(old_after) > len(text):
        after += _EDGE
    left, right = _side_agreement(old_before, before, True), _side_agreement(old_after, after, False)
    score = (left * len(old_before) + right * len(old_after)) / (len(old_before) + len(old_after))
    full = (left == 1.0 and len(prefix) >= CONTEXT_CHARS) or (right == 1.0 and len(suffix) >= CONTEXT_CHARS)
    textual = (bool(prefix) and left >= 0.5) or (bool(suffix) and right >= 0.5) or not (prefix or suffix)
    return score, full, textual, max(left, right)


class _Found(NamedTuple):
    position: int  # new paragraph, 0-based
    start: int
    end: int
    similarity: float
    method: Method


class _Finder:
    """Places one annotation after another; caches what several annotations of a paragraph share."""

    def __init__(self, match: _ParagraphMatch) -> None:
        self.match = match
        self.old, self.new = match.old, match.new
        self._continuations: dict[tuple[int, ...], tuple[_Haystack, _Diff, dict[int, int]]] = {}
        self._everywhere: _Haystack | None = None
        self._changed: _Haystack | None = None
        self._centres: dict[int, int] = {}

    # -------------------------------------------------------- one annotation

    def place(self, annotation: Annotation) -> AnnotationOutcome:
        i = annotation.paragraph - 1
        old_text = self.old[i] if 0 <= i < len(self.old) else None
        span = annotation.span
        if old_text is None:
            if span is None:
                return _orphan(annotation, "", "its paragraph is not in the old revision")
            return self._search(annotation, span, None, None)
        j = self.match.same[i]
        if span is None:
            return self._place_paragraph(annotation, i, old_text)
        intact = 0 <= span.start < span.end <= len(old_text) and old_text[span.start:span.end] == span.quote
        if j is not None and intact:
            new_text = self.new[j]
            if new_text == old_text:
                method = Method.UNCHANGED if i == j else Method.MOVED
                return AnnotationOutcome(annotation, method, j + 1, span.start, span.end, span.quote, 1.0, old_text)
            # Only the edges' whitespace differs: shift by the leading difference.
            lead_old, lead_new = _edges(old_text), _edges(new_text)
            start, end = span.start - lead_old + lead_new, span.end - lead_old + lead_new
            if 0 <= start and new_text[start:end] == span.quote:
                method = Method.UNCHANGED if i == j else Method.MOVED
                return AnnotationOutcome(annotation, method, j + 1, start, end, span.quote, 1.0, old_text)
        return self._search(annotation, span, i if intact else None, old_text)

    def _place_paragraph(self, annotation: Annotation, i: int, old_text: str) -> AnnotationOutcome:
        j = self.match.same[i]
        if j is not None:
            method = Method.UNCHANGED if i == j else Method.MOVED
            return AnnotationOutcome(annotation, method, j + 1, None, None, None, 1.0, old_text)
        continued = self.match.continued[i]
        if len(continued) == 1:
            j = continued[0]
            return AnnotationOutcome(annotation, Method.FUZZY, j + 1, None, None, None, self.match.score[i, j], old_text)
        if continued:
            numbers = ", ".join(f"¶{j + 1}" for j in continued)
            return _orphan(annotation, old_text, f"its paragraph was split into {numbers}", continued[0] + 1)
        return _orphan(annotation, old_text, "its paragraph is not in the new revision")

    def _search(self, annotation: Annotation, span: Span, i: int | None, old_text: str | None) -> AnnotationOutcome:
        """Find a span whose paragraph changed. `i` is its old paragraph when its offsets there are trustworthy."""
        quote = span.quote
        # A span stored before context was kept has neither side: then only its quote can tell.
        stored = bool(span.prefix or span.suffix)
        if i is not None and old_text is not None:
            prefix, suffix = context_of(old_text, span.start, span.end)
        else:
            prefix, suffix = span.prefix, span.suffix
        number = annotation.paragraph - 1
        known = 0 <= number < len(self.old)
        own: tuple[int, ...] = ()
        if known:
            own = self.match.continuations(number) if self.match.same[number] is not None else self.match.group(number)[1]
        if not self.new:
            return _orphan(annotation, old_text or "", "the new revision has no paragraphs")
        if i is None and not stored:
            return self._without_context(annotation, quote, own, old_text or "")
        centre = self._expected(number) if known else min(max(number, 0), len(self.new) - 1)
        searched: set[int] = set()
        ambiguous = False
        if own:
            hint = None
            others: set[int] = set()  # the rest of a stretch of changed paragraphs: the diff may go there, a guess may not
            if i is not None:
                haystack, diff, offset = self._continuation(i)
                hint = (diff.start(offset + span.start), diff.end(offset + span.end))
                own = self.match.continuations(i)
                others = set(haystack.indices) - set(own)
            else:
                haystack = _Haystack(own, self.new)
            if hint is not None and hint[1] <= hint[0]:  # the diff says the words were deleted: only strong context overrules it
                found = self._exact(
                    haystack, quote, prefix, suffix, None, centre, exclude=others, agreement=STRONG_CONTEXT, elsewhere=True, mine=number
                )
            else:
                found = self._exact(haystack, quote, prefix, suffix, hint, centre, exclude=others)
            if found is None:
                found = self._by_context(haystack, quote, prefix, suffix, hint, shorter=True, exclude=others)
            if found is None and hint is not None and old_text is not None:
                words = _word_edge(old_text, span.start), _word_edge(old_text, span.end)
                found = self._fuzzy(haystack, quote, prefix, suffix, hint, words)
            if isinstance(found, _Found):
                return _placed(annotation, found, self.new, old_text)
            ambiguous = found is False
            searched.update(own)
        # Paragraphs that are an old one unchanged held their words before: they are never where these went.
        unchanged = set(self.match.same) if known else set()
        nearby = [j for j in range(max(0, centre - NEARBY), min(len(self.new), centre + NEARBY + 1)) if j not in searched | unchanged]
        for haystack in (_Haystack(nearby, self.new), self._anywhere(changed_only=known)):
            found = self._exact(
                haystack, quote, prefix, suffix, None, centre, exclude=searched, agreement=STRONG_CONTEXT, elsewhere=True,
                mine=number if known else None,
            )
            if found is None and prefix and suffix:
                found = self._by_context(
                    haystack, quote, prefix, suffix, None, exclude=searched, similar=FUZZY_SIMILARITY, elsewhere=True,
                    mine=number if known else None,
                )
            if isinstance(found, _Found):
                return _placed(annotation, found, self.new, old_text)
            ambiguous = ambiguous or found is False
            searched.update(nearby)
        if ambiguous:
            reason = "its quote is in several places and the context does not tell which"
        elif own:
            reason = "its words are no longer in its paragraph, nor elsewhere with the same context"
        elif known:
            reason = "its paragraph is not in the new revision, nor are its words with the same context"
        else:
            reason = "its paragraph is not in the old revision and its words were not found with their context"
        return _orphan(annotation, old_text or "", reason, own[0] + 1 if own else None)

    def _without_context(self, annotation: Annotation, quote: str, own: tuple[int, ...], old_text: str) -> AnnotationOutcome:
        """A span whose offsets disagree with its old text and that keeps no context: only its quote, once, will do."""
        occurrences = _Haystack(own, self.new).find_all(quote, limit=1) if own else []
        if occurrences is None or len(occurrences) > 1:
            return _orphan(annotation, old_text, "its quote is in several places and it keeps no context to tell which", own[0] + 1)
        if not occurrences:
            return _orphan(annotation, old_text, "its quote was not found in its paragraph", own[0] + 1 if own else None)
        k, at = occurrences[0]
        return _placed(annotation, _Found(own[k], at, at + len(quote), 1.0, Method.EXACT), self.new, old_text)

    # -------------------------------------------------------- the three ways

    def _exact(
        self,
        haystack: _Haystack,
        quote: str,
        prefix: str,
        suffix: str,
        hint: tuple[int, int] | None,
        centre: int,
        exclude: set[int] | frozenset[int] = frozenset(),
        agreement: float = CONTEXT_AGREEMENT,
        elsewhere: bool = False,
        mine: int | None = None,
    ) -> _Found | bool | None:
        """The quote itself: where the diff maps it, else the occurrence whose context agrees best.

        `elsewhere` (away from the annotation's own paragraph): a context that
        agrees exactly over its full length on one side is enough (the words
        and the 32 characters before or after them were carried together),
        whatever `agreement` asks for; but the words with the context that
        agrees must be new to that paragraph: if its old revision (other than
        `mine`, the annotation's own old paragraph) held them already, they are
        another mention of the same words, not these.
        None when not found, False when found in several places that the context cannot tell apart.
        """
        if not haystack.indices:
            return None
        if hint is not None and haystack.text[hint[0]:hint[1]] == quote:
            where = haystack.locate(hint[0], len(quote))
            # A quote as long as a context side vouches for itself; a shorter one needs its surroundings too.
            if where is not None and (
                len(quote) >= CONTEXT_CHARS
                or _one_side_agrees(haystack.texts[where[0]], where[1], where[1] + len(quote), prefix, suffix)
            ):
                return _Found(haystack.indices[where[0]], where[1], where[1] + len(quote), 1.0, Method.EXACT)
        occurrences = self._elsewhere(haystack, quote, prefix, suffix) if elsewhere else haystack.find_all(quote)
        if occurrences is None:
            return False
        scored = []
        for k, at in occurrences:
            if haystack.indices[k] in exclude:
                continue
            sides = _context_sides(haystack.texts[k], at, at + len(quote), prefix, suffix)
            if _agrees(sides, agreement, elsewhere) and not (
                elsewhere
                and mine is not None
                and self._was_there(haystack.indices[k], mine, haystack.texts[k], at, at + len(quote), prefix, suffix)
            ):
                scored.append((sides[0], k, at))
        if not scored:
            return None
        best = max(agrees for agrees, _, _ in scored)
        top = [(k, at) for agrees, k, at in scored if agrees == best]
        if len(top) > 1:
            if best < 1.0:
                return False
            # The same words with the same surroundings: take the one nearest the old place.
            top.sort(key=lambda k_at: abs(haystack.indices[k_at[0]] - centre))
        k, at = top[0]
        return _Found(haystack.indices[k], at, at + len(quote), 1.0, Method.EXACT)

    @staticmethod
    def _elsewhere(haystack: _Haystack, quote: str, prefix: str, suffix: str) -> list[tuple[int, int]] | None:
        """Where the quote is with at least a few characters of its context (or its paragraph edge) beside it.

        Away from its own paragraph only a context that agrees will do, so the
        quote is looked for with the eight characters before it, then with the
        eight after it: far fewer places than the quote alone ("Iran") to judge.
        """
        found: set[tuple[int, int]] = set()
        if prefix:
            tail = prefix[-8:]
            places = haystack.search(tail + quote, _ELSEWHERE_OCCURRENCES)
            if places is None:
                return None
            found.update((k, at + len(tail)) for k, at in places)
        else:
            found.update((k, 0) for k in haystack.starting(quote))
        if suffix:
            places = haystack.search(quote + suffix[:8], _ELSEWHERE_OCCURRENCES)
            if places is None:
                return None
            found.update(places)
        else:
            found.update((k, len(haystack.texts[k]) - len(quote)) for k in haystack.ending(quote))
        return sorted(found)

    def _by_context(
        self,
        haystack: _Haystack,
        quote: str,
        prefix: str,
        suffix: str,
        hint: tuple[int, int] | None,
        shorter: bool = False,
        exclude: set[int] | frozenset[int] = frozenset(),
        similar: float = CONTEXT_SIMILARITY,
        elsewhere: bool = False,
        mine: int | None = None,
    ) -> _Found | bool | None:
        """The words between the old prefix and suffix, when similar enough to the quote.

        `elsewhere`, a context side shorter than CONTEXT_CHARS must still be at the paragraph's edge, and the
        words with their context must be new to that paragraph (as in `_exact`).
        """
        if (not prefix and not suffix) or not haystack.indices:
            return None
        tries = [(prefix, suffix)]
        half = CONTEXT_CHARS // 2
        if shorter and (len(prefix) > half or len(suffix) > half):
            tries.append((prefix[-half:], suffix[:half]))
        for before, after in tries:
            found = self._between(haystack, quote, before, after, hint, exclude, similar, elsewhere, mine)
            if found is not None:
                return found
        return None

    def _between(
        self,
        haystack: _Haystack,
        quote: str,
        prefix: str,
        suffix: str,
        hint: tuple[int, int] | None,
        exclude: set[int] | frozenset[int],
        similar: float,
        elsewhere: bool,
        mine: int | None = None,
    ) -> _Found | bool | None:
        longest = 2 * len(quote) + CONTEXT_CHARS
        anchors = self._anchors_elsewhere(haystack, prefix, suffix) if elsewhere else self._anchors(haystack, prefix, suffix)
        if not isinstance(anchors, tuple):
            return anchors
        opens, closes = anchors
        words = _word_edge(prefix + quote, len(prefix)), _word_edge(quote + suffix, len(quote))
        candidates = []
        for k, start in opens:
            if haystack.indices[k] in exclude:
                continue
            for end in closes.get(k, ()):
                if end <= start:
                    continue
                # The nearest closing anchor only. A paragraph's edge is a weak anchor (a split makes new
                # ones): where the diff says the old edge went, it must be that one.
                edges_agree = hint is None or (
                    (prefix or haystack.starts[k] + start == hint[0]) and (suffix or haystack.starts[k] + end == hint[1])
                )
                if end <= start + longest and edges_agree:
                    # Judged on all that lies between the anchors; placed without words inserted at its edges.
                    # A paragraph's edge is half an anchor: with one, a long quote must be nearly the same.
                    similarity = _similarity(quote, haystack.texts[k][start:end])
                    needed = similar if (prefix and suffix) or len(quote) < SHORT_QUOTE else max(similar, FUZZY_SIMILARITY)
                    if similarity >= needed and not (
                        mine is not None and self._was_there(haystack.indices[k], mine, haystack.texts[k], start, end, prefix, suffix)
                    ):
                        candidates.append((similarity, k, start, end))
                break
        if not candidates:
            return None
        best = max(similarity for similarity, _, _, _ in candidates)
        top = [(k, start, end) for similarity, k, start, end in candidates if similarity == best]
        if len(top) > 1 and hint is not None:
            top = [(k, start, end) for k, start, end in top if haystack.starts[k] + start == hint[0]] or top
        if len(top) > 1:
            return False
        k, start, end = top[0]
        text = haystack.texts[k]
        start, end = _trim_to_quote(text, start, end, quote, words)
        return _Found(haystack.indices[k], start, end, _similarity(quote, text[start:end]), Method.CONTEXT)

    @staticmethod
    def _anchors(haystack: _Haystack, prefix: str, suffix: str) -> tuple[list[tuple[int, int]], dict[int, list[int]]] | bool:
        """Where text could begin after the prefix (or a paragraph's start) and end before the suffix (or its end)."""
        if prefix:
            starts = haystack.find_all(prefix)
            if starts is None:
                return False
            opens = [(k, at + len(prefix)) for k, at in starts]
        else:
            opens = [(k, 0) for k in range(len(haystack.indices))]
        closes: dict[int, list[int]] = {}
        if suffix:
            ends = haystack.find_all(suffix)
            if ends is None:
                return False
            for k, at in ends:
                closes.setdefault(k, []).append(at)
        else:
            closes = {k: [len(text)] for k, text in enumerate(haystack.texts)}
        return opens, closes

    @staticmethod
    def _anchors_elsewhere(haystack: _Haystack, prefix: str, suffix: str) -> tuple[list[tuple[int, int]], dict[int, list[int]]] | bool:
        """As `_anchors`, away from the annotation's paragraph: one side must be a full CONTEXT_CHARS (found first),
        and a shorter side must still meet the paragraph's edge."""
        opens: list[tuple[int, int]] = []
        closes: dict[int, list[int]] = {}
        if len(prefix) >= CONTEXT_CHARS:
            starts = haystack.search(prefix, _ELSEWHERE_OCCURRENCES)
            if starts is None:
                return False
            opens = [(k, at + len(prefix)) for k, at in starts]
            for k in {k for k, _ in opens}:
                text = haystack.texts[k]
                if len(suffix) >= CONTEXT_CHARS:
                    closes[k] = [m.start() for m in re.finditer(re.escape(suffix), text)]
                elif text.endswith(suffix):
                    closes[k] = [len(text) - len(suffix)]
        elif len(suffix) >= CONTEXT_CHARS:
            ends = haystack.search(suffix, _ELSEWHERE_OCCURRENCES)
            if ends is None:
                return False
            for k, at in ends:
                closes.setdefault(k, []).append(at)
            opens = [(k, len(prefix)) for k in closes if haystack.texts[k].startswith(prefix)]
        return opens, closes

    def _fuzzy(
        self, haystack: _Haystack, quote: str, prefix: str, suffix: str, hint: tuple[int, int], words: tuple[bool, bool]
    ) -> _Found | None:
        """The text the diff maps the old span to, when similar enough to the quote.

        Where an edit touches a span's end, a diff of the whole paragraph may
        align that end with a look-alike further on ("[9]" with the "]" of a
        later "[11]"), so when that place will not do, the quote is aligned on
        its own from the mapped start and back from the mapped end (within the
        mapped span), and the more similar of the two is taken. Half as
        similar will do for a short quote when the text around it agrees
        strongly (a corrected figure beside a corrected year: "18, 2023" →
        "28, 2024"). A span that began or ended at a word's edge does so again:
        a candidate that cuts a word is widened to the whole word.
        """
        start, end = hint
        if end <= start:  # the diff says the words were deleted: what is there now is something else
            return None
        if haystack.locate(start, end - start) is None:  # ...or that a paragraph break now runs through them
            return None
        text = haystack.text
        slack = max(8, len(quote) // 4)
        spans = [(start, end)]
        # Realigned, the span may only shrink (text the diff keeps outside it is not its words), and only to
        # where the quote's own first or last characters are found.
        if (last := _Diff(quote, text[start:start + len(quote) + slack]).matched_end(len(quote))) is not None:
            spans.append((start, min(end, start + last)))
        left = max(0, end - len(quote) - slack)
        if (first := _Diff(quote, text[left:end]).matched_start(0)) is not None:
            spans.append((max(start, left + first), end))
        best: _Found | None = None
        for first, last in spans:
            while words[0] and 0 < first < len(text) and not _word_edge(text, first):
                first -= 1
            while words[1] and 0 < last < len(text) and not _word_edge(text, last):
                last += 1
            where = haystack.locate(first, last - first) if last > first else None
            if where is None:
                continue
            k, at = where
            similarity = _similarity(quote, text[first:last])
            agreement = _context_agreement(haystack.texts[k], at, at + last - first, prefix, suffix)
            # Half as similar will do for a short quote pinned by its context (a figure, a date); a longer one
            # that half changed is other words.
            half_will_do = len(quote) < SHORT_QUOTE and agreement >= STRONG_CONTEXT
            one_side = _one_side_agrees(haystack.texts[k], at, at + last - first, prefix, suffix)
            if (not one_side and len(quote) < CONTEXT_CHARS) or (
                similarity < FUZZY_SIMILARITY and (similarity < CONTEXT_SIMILARITY or not half_will_do)
            ):
                continue
            found = _Found(haystack.indices[k], at, at + last - first, similarity, Method.FUZZY)
            if (first, last) == hint:
                return found  # where the diff says, if good enough: the realigned ones are for when it is not
            if best is None or similarity > best.similarity:
                best = found
        return best

    # -------------------------------------------------------- shared per paragraph

    def _was_there(self, j: int, mine: int, text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
        """Did the old revision of new paragraph j (old paragraph `mine` aside) already hold text[start:end]
        with the context that agrees?"""
        left = _common_suffix(prefix, text[max(0, start - len(prefix)):start], len(prefix))
        right = _common_prefix(suffix, text[end:end + len(suffix)])
        needle = text[start - left:end + right]
        return any(needle in self.old[i] for i in self.match.sources(j) if i != mine)

    def _expected(self, i: int) -> int:
        cached = self._centres.get(i)
        if cached is None:
            cached = self._centres[i] = self.match.expected(i)
        return cached

    def _continuation(self, i: int) -> tuple[_Haystack, _Diff, int]:
        """The new text continuing old paragraph i, a diff onto it, and where paragraph i starts in the diff's old side."""
        same = self.match.same[i]
        olds, news = ((i,), (same,)) if same is not None else self.match.group(i)
        cached = self._continuations.get(olds)
        if cached is None:
            # A diff cannot follow text that changed places, so the new paragraphs are put in the order their
            # text had (split parts as they used to read), then the old ones in the order theirs has now
            # (merged paragraphs as they now read).
            if len(news) > 1:
                news = _in_order(news, [self.new[j] for j in news], _SEPARATOR.join(self.old[k] for k in olds))
            if len(olds) > 1:
                olds = _in_order(olds, [self.old[k] for k in olds], _SEPARATOR.join(self.new[j] for j in news))
            haystack = _Haystack(news, self.new)
            offsets, at = {}, 0
            for k in olds:
                offsets[k] = at
                at += len(self.old[k]) + len(_SEPARATOR)
            cached = haystack, _Diff(_SEPARATOR.join(self.old[k] for k in olds), haystack.text), offsets
            self._continuations[tuple(sorted(olds))] = cached
        haystack, diff, offsets = cached
        return haystack, diff, offsets[i]

    def _anywhere(self, changed_only: bool) -> _Haystack:
        """The whole new revision; or, `changed_only`, its paragraphs that are not an old one unchanged (text in
        those was there before, so it can only be another mention of the same words)."""
        if changed_only:
            if self._changed is None:
                same = set(self.match.same)
                self._changed = _Haystack([j for j in range(len(self.new)) if j not in same], self.new)
            return self._changed
        if self._everywhere is None:
            self._everywhere = _Haystack(range(len(self.new)), self.new)
        return self._everywhere


def _in_order(keys: tuple[int, ...], texts: list[str], other: str) -> tuple[int, ...]:
    """`keys` sorted by where their `texts` begin in `other`; as they are if one cannot be found there."""
    places = [_first_seen(text, other) for text in texts]
    if None in places:
        return keys
    return tuple(key for _, key in sorted(zip(places, keys, strict=True)))


def _first_seen(text: str, other: str) -> int | None:
    """Where the first of `text`'s pieces (24, then 12 characters) found in `other` is there.

    Where the piece is, not where `text` would begin by it: words inserted at the start of a paragraph
    would otherwise put it before text that came earlier."""
    for size in (24, 12):
        starts = [*range(0, max(len(text) - size, 0), size // 2), max(len(text) - size, 0)]
        for at in starts:
            found = other.find(text[at:at + size])
            if found != -1:
                return found
    return None


def _placed(annotation: Annotation, found: _Found, new: list[str], old_text: str | None) -> AnnotationOutcome:
    quote = new[found.position][found.start:found.end]
    return AnnotationOutcome(annotation, found.method, found.position + 1, found.start, found.end, quote, found.similarity, old_text or "")


def _orphan(annotation: Annotation, old_text: str, reason: str, near: int | None = None) -> AnnotationOutcome:
    return AnnotationOutcome(annotation, Method.ORPHANED, None, None, None, None, 0.0, old_text, reason, near)


def _moved_span(span: Span, text: str, start: int, end: int) -> Span:
    prefix, suffix = context_of(text, start, end)
    return replace(span, start=start, end=end, quote=text[start:end], prefix=prefix, suffix=suffix)


__all__ = [
    "CONTEXT_AGREEMENT", "CONTEXT_CHARS", "CONTEXT_FUZZY_SIDE", "CONTEXT_SIMILARITY", "FUZZY_SIMILARITY", "HINT_AGREEMENT",
    "NEARBY", "RELATED", "RELATED_IN_PLACE", "SHORT_QUOTE", "STRONG_CONTEXT",
    "AnnotationOutcome", "MarkOutcome", "Method", "NewMark", "ParagraphFate", "Reanchoring", "context_of", "reanchor",
]
