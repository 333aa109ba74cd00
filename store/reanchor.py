"""Re-anchoring: carrying annotations and paragraph marks from one revision of a report to the next.

A report is re-issued with a typo fixed, a figure corrected, a paragraph
inserted, split or moved. Annotations point at (paragraph, start, end) of the
old revision; this module says, for each one, where the same words are in the
new revision, or that it cannot tell. It is plain Python with no database
access: the caller passes both revisions (`ParsedReport`), the annotations and
the paragraph marks, and stores what comes back. See docs/reanchoring.md.

How it decides, cheapest first:

1. Paragraphs are matched between the revisions. Identical text (edges'
   whitespace aside) pairs first, in order of occurrence: such a paragraph is
   *unchanged* (same number) or *moved* (another number) and its annotations
   keep their offsets. What is left is compared by word pairs: a new paragraph
   that shares at least half of its word pairs with an old one (or the old one
   with it) continues it. That one rule covers an edited paragraph (one
   continuation), a split (several) and a merge (one new paragraph continuing
   several old ones). A lone changed paragraph between two matched ones
   continues the old one there if they share a fifth of their word pairs.
2. An annotation on a changed paragraph is looked for in its continuation(s)
   first: the exact quote (where a character diff of the old text onto the new
   one says it went, else the occurrence whose surrounding 32 characters agree
   with the old ones); then by its context (the 32 characters before and after
   it, as a W3C TextQuoteSelector keeps them) with the words in between similar
   enough to the quote; then fuzzily (the span the diff maps it to, if that text
   is similar enough to the quote).
3. Then nearby (three paragraphs either side of where the old paragraph would
   be), then anywhere in the report: the exact quote with agreeing context, or
   both context anchors. Never fuzzily: away from its own paragraph, text that
   only resembles the quote is more likely another mention than the same words.
4. Otherwise the annotation is *orphaned*: it keeps its old quote and its old
   paragraph's text, and says why. Nothing is dropped, and nothing is placed on
   words it cannot vouch for.

Paragraph marks (reviewed, flagged) follow their paragraph; one whose text
changed says so ("changed since review" for a reviewed one).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from itertools import pairwise
from typing import Any, NamedTuple

from store.model import Annotation, ParagraphStatus, ParsedReport, Span

CONTEXT_CHARS = 32  # kept each side of a span, as the W3C TextQuoteSelector's prefix/suffix (Hypothesis keeps 32)
RELATED = 0.5  # share of word pairs (of the shorter paragraph) two paragraphs must have in common to be one
RELATED_IN_PLACE = 0.2  # ...enough for the only changed paragraph between two matched ones
CONTEXT_AGREEMENT = 0.5  # an exact quote's surroundings must agree this much with the old ones (1 = both sides)
STRONG_CONTEXT = 0.9  # ...away from its own paragraph; and what lets a fuzzy match be only half similar
CONTEXT_SIMILARITY = 0.5  # the words between both context anchors must be this similar to the old quote
FUZZY_SIMILARITY = 0.8  # the text the diff maps a span to must be this similar to the old quote
CONTEXT_FUZZY_SIDE = 0.8  # one side of context with a typo in it still agrees when this similar
NEARBY = 3  # paragraphs either side of the old paragraph's expected place
MAX_COUNTERPARTS = 8  # continuations kept per old paragraph (the best by shared word pairs)
MAX_OCCURRENCES = 5_000  # a quote found more often than this anywhere is not searched further
MAX_DIFF_CELLS = 50_000 * 50_000  # larger changed middles are mapped by their common ends only
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
    status: ParagraphStatus
    paragraphs: tuple[int, ...]  # new paragraph numbers: one, several after a split, none if it was deleted
    text_changed: bool

    @property
    def changed_since_review(self) -> bool:
        return self.status is ParagraphStatus.REVIEWED and self.text_changed and bool(self.paragraphs)

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
    paragraphs: tuple[ParagraphFate, ...]  # one per old paragraph
    inserted: tuple[int, ...]  # new paragraphs that continue no old one
    new: ParsedReport = field(repr=False, compare=False)

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
        carried = self.carried
        return f"{carried} annotation{'s' if carried != 1 else ''} carried to the new revision, {self.orphaned} need a look"

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
    marks: Mapping[int, ParagraphStatus] | None = None,
) -> Reanchoring:
    """Carry `annotations` (made on `old`) and the paragraph `marks` of `old` to `new`."""
    match = _ParagraphMatch([p.text for p in old.paragraphs], [p.text for p in new.paragraphs])
    finder = _Finder(match)
    outcomes = tuple(finder.place(annotation) for annotation in annotations)
    mark_outcomes = []
    for number, status in sorted((marks or {}).items()):
        if status is ParagraphStatus.UNREVIEWED:
            continue
        mark_outcomes.append(MarkOutcome(number, status, *match.follow(number - 1)))
    return Reanchoring(outcomes, tuple(mark_outcomes), match.fates(), match.inserted(), new)


# ---------------------------------------------------------------- paragraphs


def _pairs(text: str) -> set[tuple[str, str]]:
    """A paragraph's consecutive word pairs, casefolded (its single words when it has one)."""
    words = _WORD.findall(text.casefold())
    if len(words) < 2:
        return {(word, "") for word in words}
    return set(pairwise(words))


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
        self._match_identical()
        unmatched_old = [i for i, j in enumerate(self.same) if j is None]
        matched_new = {j for j in self.same if j is not None}
        unmatched_new = [j for j in range(len(new)) if j not in matched_new]
        if unmatched_old and unmatched_new:
            self._match_similar(unmatched_old, unmatched_new)
            self._match_in_place(unmatched_old, unmatched_new)

    def _match_identical(self) -> None:
        where: dict[str, list[int]] = {}
        for j, text in enumerate(self.new):
            where.setdefault(text.strip(), []).append(j)
        used: dict[str, int] = {}
        for i, text in enumerate(self.old):
            key = text.strip()
            found = where.get(key)
            if found:
                taken = used.get(key, 0)
                if taken < len(found):
                    self.same[i] = found[taken]
                    used[key] = taken + 1

    def _match_similar(self, old: list[int], new: list[int]) -> None:
        pairs_new = {j: _pairs(self.new[j]) for j in new}
        index: dict[tuple[str, str], list[int]] = {}
        for j, pairs in pairs_new.items():
            for pair in pairs:
                index.setdefault(pair, []).append(j)
        rare = max(_RARE_PAIR, len(new) // 10)
        found: dict[int, list[tuple[float, int]]] = {}
        for i in old:
            pairs = _pairs(self.old[i])
            candidates = {j for pair in pairs if len(holders := index.get(pair, ())) <= rare for j in holders}
            for j in candidates:
                score = _overlap(pairs, pairs_new[j])
                if score >= RELATED:
                    self.score[i, j] = score
                    found.setdefault(i, []).append((score, j))
        for i, scored in found.items():
            best = sorted(scored, key=lambda sj: (-sj[0], sj[1]))[:MAX_COUNTERPARTS]
            self.continued[i] = tuple(sorted(j for _, j in best))

    def _match_in_place(self, old: list[int], new: list[int]) -> None:
        """A lone changed paragraph between two matched ones continues the lone new one there."""
        claimed = {j for js in self.continued for j in js}
        for i in old:
            if self.continued[i] or (i > 0 and self.same[i - 1] is None) or (i + 1 < len(self.old) and self.same[i + 1] is None):
                continue
            before = self.same[i - 1] if i > 0 else -1
            after = self.same[i + 1] if i + 1 < len(self.old) else len(self.new)
            assert before is not None and after is not None
            if before >= after:
                continue
            between = new[bisect_right(new, before):bisect_left(new, after)]
            if len(between) == 1 and between[0] not in claimed:
                j = between[0]
                score = _overlap(_pairs(self.old[i]), _pairs(self.new[j]))
                if score >= RELATED_IN_PLACE:
                    self.score[i, j] = score
                    self.continued[i] = (j,)

    def expected(self, i: int) -> int:
        """Where old paragraph i would be in the new revision, judged by the nearest identical one."""
        for step in range(1, len(self.old)):
            before, after = i - step, i + step
            if before >= 0 and (j := self.same[before]) is not None:
                return min(len(self.new) - 1, j + step)
            if after < len(self.old) and (j := self.same[after]) is not None:
                return max(0, j - step)
            if before < 0 and after >= len(self.old):
                break
        return min(max(i, 0), len(self.new) - 1)

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


def _similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(a, b))


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
    """Maps offsets of an old text onto a new one through a character diff.

    Blocks cover the old text in order; runs of inserts and deletes between two
    equal stretches are one replaced block. A start inside a replaced block goes
    to the start of its replacement, an end to its end, so a span around a
    corrected figure covers the new figure; an insertion at a span's start goes
    before it, at its end after it.
    """

    def __init__(self, old: str, new: str) -> None:
        head = _common_prefix(old, new)
        tail = _common_suffix(old, new, min(len(old), len(new)) - head)
        middle_old, middle_new = old[head:len(old) - tail], new[head:len(new) - tail]
        blocks: list[tuple[int, int, int, int, bool]] = [(0, head, 0, head, True)] if head else []
        if len(middle_old) * len(middle_new) <= MAX_DIFF_CELLS:
            from rapidfuzz.distance import Indel

            for op in Indel.opcodes(middle_old, middle_new):
                equal = op.tag == "equal"
                i1, i2, j1, j2 = op.src_start + head, op.src_end + head, op.dest_start + head, op.dest_end + head
                if not equal and blocks and not blocks[-1][4]:
                    i1, j1 = blocks[-1][0], blocks[-1][2]
                    blocks.pop()
                blocks.append((i1, i2, j1, j2, equal))
        elif middle_old or middle_new:  # too large to diff: the middle is one replaced block
            blocks.append((head, len(old) - tail, head, len(new) - tail, False))
        if tail:
            blocks.append((len(old) - tail, len(old), len(new) - tail, len(new), True))
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

    def locate(self, at: int, length: int) -> tuple[int, int] | None:
        """(position in self.indices, offset in that paragraph) of text at `at`, if it stays in one paragraph."""
        k = bisect_right(self.starts, at) - 1
        offset = at - self.starts[k]
        if offset + length > len(self.texts[k]):
            return None
        return k, offset

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


def _side_agreement(stored: str, found: str, before: bool) -> float:
    """How far the text on one side of a candidate agrees with the stored context (0-1).

    An empty stored side means the span was at the paragraph's edge; `found` is
    then empty only if the candidate is at an edge too.
    """
    if not stored or not found:
        return 1.0 if not stored and not found else 0.0
    if before:
        run = _common_suffix(stored, found, len(stored))
    else:
        run = _common_prefix(stored, found)
    agreement = run / len(stored)
    if agreement < 1.0 and len(found) == len(stored):
        similar = _similarity(stored, found)  # a typo inside the context
        if similar >= CONTEXT_FUZZY_SIDE:
            agreement = max(agreement, similar)
    return agreement


def _context_agreement(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    before = text[max(0, start - max(len(prefix), 1)):start]
    after = text[end:end + max(len(suffix), 1)]
    return (_side_agreement(prefix, before, True) + _side_agreement(suffix, after, False)) / 2


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
        self._continuations: dict[int, tuple[_Haystack, _Diff]] = {}
        self._everywhere: _Haystack | None = None
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
                method = Method.UNCHANGED if i == j and start == span.start else Method.MOVED
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
        if i is not None and old_text is not None:
            prefix, suffix = context_of(old_text, span.start, span.end)
        else:
            prefix, suffix = getattr(span, "prefix", None) or "", getattr(span, "suffix", None) or ""
        number = annotation.paragraph - 1
        known = 0 <= number < len(self.old)
        own: tuple[int, ...] = ()
        if known:
            same = self.match.same[number]
            own = (same,) if same is not None else self.match.continued[number]
        if not self.new:
            return _orphan(annotation, old_text or "", "the new revision has no paragraphs")
        centre = self._expected(number) if known else min(max(number, 0), len(self.new) - 1)
        searched: set[int] = set()
        ambiguous = False
        if own:
            hint = None
            if i is not None:
                haystack, diff = self._continuation(i)
                hint = (diff.start(span.start), diff.end(span.end))
            else:
                haystack = _Haystack(own, self.new)
            found = self._exact(haystack, quote, prefix, suffix, hint, centre)
            if found is None:
                found = self._by_context(haystack, quote, prefix, suffix, hint, shorter=True)
            if found is None and hint is not None:
                found = self._fuzzy(haystack, quote, prefix, suffix, hint)
            if isinstance(found, _Found):
                return _placed(annotation, found, self.new, old_text)
            ambiguous = found is False
            searched.update(own)
        nearby = [j for j in range(max(0, centre - NEARBY), min(len(self.new), centre + NEARBY + 1)) if j not in searched]
        for haystack in (_Haystack(nearby, self.new), self._anywhere()):
            found = self._exact(haystack, quote, prefix, suffix, None, centre, exclude=searched, agreement=STRONG_CONTEXT)
            if found is None and prefix and suffix:
                found = self._by_context(haystack, quote, prefix, suffix, None, exclude=searched, similar=FUZZY_SIMILARITY)
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
    ) -> _Found | bool | None:
        """The quote itself: where the diff maps it, else the occurrence whose context agrees best.

        None when not found, False when found in several places that the context cannot tell apart.
        """
        if not haystack.indices:
            return None
        if hint is not None and haystack.text[hint[0]:hint[1]] == quote:
            where = haystack.locate(hint[0], len(quote))
            if where is not None:
                return _Found(haystack.indices[where[0]], where[1], where[1] + len(quote), 1.0, Method.EXACT)
        occurrences = haystack.find_all(quote)
        if occurrences is None:
            return False
        scored = []
        for k, at in occurrences:
            if haystack.indices[k] in exclude:
                continue
            agrees = _context_agreement(haystack.texts[k], at, at + len(quote), prefix, suffix)
            if agrees >= agreement:
                scored.append((agrees, k, at))
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
    ) -> _Found | bool | None:
        """The words between the old prefix and suffix, when similar enough to the quote."""
        if (not prefix and not suffix) or not haystack.indices:
            return None
        tries = [(prefix, suffix)]
        half = CONTEXT_CHARS // 2
        if shorter and (len(prefix) > half or len(suffix) > half):
            tries.append((prefix[-half:], suffix[:half]))
        for before, after in tries:
            found = self._between(haystack, quote, before, after, hint, exclude, similar)
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
    ) -> _Found | bool | None:
        longest = 2 * len(quote) + CONTEXT_CHARS
        if prefix:
            starts = haystack.find_all(prefix)
            if starts is None:
                return False
            opens = [(k, at + len(prefix)) for k, at in starts]
        else:
            opens = [(k, 0) for k in range(len(haystack.indices))]
        if suffix:
            ends = haystack.find_all(suffix)
            if ends is None:
                return False
            closes: dict[int, list[int]] = {}
            for k, at in ends:
                closes.setdefault(k, []).append(at)
        else:
            closes = {k: [len(text)] for k, text in enumerate(haystack.texts)}
        candidates = []
        for k, start in opens:
            if haystack.indices[k] in exclude:
                continue
            for end in closes.get(k, ()):
                if end <= start:
                    continue
                if end <= start + longest:  # the nearest closing anchor only
                    similarity = _similarity(quote, haystack.texts[k][start:end])
                    if similarity >= similar:
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
        return _Found(haystack.indices[k], start, end, best, Method.CONTEXT)

    def _fuzzy(self, haystack: _Haystack, quote: str, prefix: str, suffix: str, hint: tuple[int, int]) -> _Found | None:
        """The text the diff maps the old span to, when similar enough to the quote.

        Where an edit touches a span's end, a diff of the whole paragraph may
        align that end with a look-alike further on ("[9]" with the "]" of a
        later "[11]"), so the quote is also aligned on its own from the mapped
        start and back from the mapped end, and the most similar of the three
        is taken. Half as similar will do when the text around it agrees
        strongly (a corrected figure next to a corrected year: "18, 2023" →
        "28, 2024").
        """
        start, end = hint
        text = haystack.text
        slack = max(8, len(quote) // 4)
        spans = [(start, end)]
        if start < len(text):
            spans.append((start, start + _Diff(quote, text[start:start + len(quote) + slack]).end(len(quote))))
        if end > 0:
            left = max(0, end - len(quote) - slack)
            spans.append((left + _Diff(quote, text[left:end]).start(0), end))
        best: _Found | None = None
        for first, last in spans:
            where = haystack.locate(first, last - first) if last > first else None
            if where is None:
                continue
            k, at = where
            similarity = _similarity(quote, text[first:last])
            if similarity < FUZZY_SIMILARITY and (
                similarity < CONTEXT_SIMILARITY
                or _context_agreement(haystack.texts[k], at, at + last - first, prefix, suffix) < STRONG_CONTEXT
            ):
                continue
            if best is None or similarity > best.similarity:
                best = _Found(haystack.indices[k], at, at + last - first, similarity, Method.FUZZY)
        return best

    # -------------------------------------------------------- shared per paragraph

    def _expected(self, i: int) -> int:
        cached = self._centres.get(i)
        if cached is None:
            cached = self._centres[i] = self.match.expected(i)
        return cached

    def _continuation(self, i: int) -> tuple[_Haystack, _Diff]:
        cached = self._continuations.get(i)
        if cached is None:
            same = self.match.same[i]
            haystack = _Haystack((same,) if same is not None else self.match.continued[i], self.new)
            cached = haystack, _Diff(self.old[i], haystack.text)
            self._continuations[i] = cached
        return cached

    def _anywhere(self) -> _Haystack:
        if self._everywhere is None:
            self._everywhere = _Haystack(range(len(self.new)), self.new)
        return self._everywhere


def _placed(annotation: Annotation, found: _Found, new: list[str], old_text: str | None) -> AnnotationOutcome:
    quote = new[found.position][found.start:found.end]
    return AnnotationOutcome(annotation, found.method, found.position + 1, found.start, found.end, quote, found.similarity, old_text or "")


def _orphan(annotation: Annotation, old_text: str, reason: str, near: int | None = None) -> AnnotationOutcome:
    return AnnotationOutcome(annotation, Method.ORPHANED, None, None, None, None, 0.0, old_text, reason, near)


def _moved_span(span: Span, text: str, start: int, end: int) -> Span:
    changes: dict[str, Any] = {"start": start, "end": end, "quote": text[start:end]}
    names = {f.name for f in fields(span)}
    if {"prefix", "suffix"} <= names:
        changes["prefix"], changes["suffix"] = context_of(text, start, end)
    return replace(span, **changes)


__all__ = [
    "CONTEXT_AGREEMENT", "CONTEXT_CHARS", "CONTEXT_SIMILARITY", "FUZZY_SIMILARITY", "NEARBY", "RELATED",
    "AnnotationOutcome", "MarkOutcome", "Method", "NewMark", "ParagraphFate", "Reanchoring", "context_of", "reanchor",
]
