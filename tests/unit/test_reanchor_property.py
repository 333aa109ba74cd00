"""Re-anchoring, property-tested: random edits to random paragraphs of a random report.

Whatever the edits (words replaced, inserted or deleted; paragraphs split,
merged, moved, deleted or inserted), every annotation comes back, in order;
one on untouched text lands on exactly its words; and a placed annotation is
never on other words than where its own went (`Draft.where` knows:
bench/revisions.py) or what is left of them, with at most new text beside it
(a deletion next to an insertion reads as well as a replacement) — never on
other old words. Untouched text is the annotated words with what is
around them on at least one side: 32 characters, or the paragraph's edge if
it is still an edge. Words that travelled alone (the stub of a split merged
at the other end of a paragraph) can only be told from the same word
elsewhere by a guess, and a guess is what re-anchoring never makes. Reports are drawn from a small vocabulary so that
words repeat, as names and "the" do in real reports (but never "the the": two
identical runs side by side cannot be told apart by anyone); edits write words
from another vocabulary, so an edited stretch never reads like the old one.
"""

from __future__ import annotations

import os
import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.revisions import Draft
from store.model import Annotation, Kind, Paragraph, ParagraphStatus, ParsedReport, Span
from store.reanchor import CONTEXT_CHARS, reanchor

WORDS = (
    "the militia said on Tuesday that its fighters had reached the border near the river officials "
    "denied any involvement Hizbullah Iran Iraq 5,000 convoys were seen moving north, and analysts said."
).split()
EDIT_WORDS = "zebra quokka XYLO 9,999 wombat Narwhal ibis okapi".split()
_WORD = re.compile(r"\S+")
# 300 examples take a few seconds; CLAIMDESK_HYPOTHESIS_EXAMPLES=30000 for a deeper search (a few minutes).
EXAMPLES = int(os.environ.get("CLAIMDESK_HYPOTHESIS_EXAMPLES", "300"))


def _report(texts: list[str]) -> ParsedReport:
    return ParsedReport(
        title="Generated", date=None, dispatch_number=None, regions=(), headings=(),
        paragraphs=tuple(Paragraph(n, text) for n, text in enumerate(texts, start=1)),
        footnotes=(), warnings=(), format="text",
    )




def _paragraph(seed: int) -> str:
    """12 to 50 words, none repeated within six of itself: words recur as in prose, never as "said said."."""
    rng = random.Random(seed)
    words: list[str] = []
    for _ in range(rng.randint(12, 50)):
        recent = {w.strip(".,") for w in words[-6:]}
        words.append(rng.choice([w for w in WORDS if w.strip(".,") not in recent]))
    text = " ".join(words).rstrip(".,") + "."
    return text[0].upper() + text[1:]  # as a paragraph reads: merged ones never make "and And"


paragraph_text = st.integers(0, 2**32).map(_paragraph)


@st.composite
def cases(draw: st.DrawFn) -> tuple[ParsedReport, list[Annotation], Draft, dict[int, ParagraphStatus]]:
    texts = draw(st.lists(paragraph_text, min_size=2, max_size=8, unique=True))
    old = _report(texts)
    annotations: list[Annotation] = []
    for i, text in enumerate(texts):
        words = list(_WORD.finditer(text))
        for _ in range(draw(st.integers(0, 6))):
            first = draw(st.integers(0, len(words) - 1))
            last = draw(st.integers(first, min(len(words) - 1, first + 5)))
            annotations.append(Annotation(
                f"a{len(annotations)}", Kind.CLAIM, "r", "old", i + 1, Span.of(text, words[first].start(), words[last].end()),
            ))
        if draw(st.booleans()):
            annotations.append(Annotation(f"a{len(annotations)}", Kind.CLAIM, "r", "old", i + 1, None))
    draft = Draft(old)
    touched: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "split", "merge", "move", "drop", "add"]))
        i = draw(st.integers(0, len(texts) - 1))
        words = list(_WORD.finditer(texts[i]))
        k = draw(st.integers(1, len(words) - 2))
        word = draw(st.sampled_from(EDIT_WORDS))
        near = {(i, k - 1), (i, k), (i, k + 1)}
        try:
            if kind in ("replace", "insert", "delete", "split"):
                if near & touched:
                    continue
                touched |= near
                if kind == "replace":
                    draft.replace(i, words[k].start(), words[k].end(), word)
                elif kind == "insert":
                    draft.replace(i, words[k].start(), words[k].start(), word + " ")
                elif kind == "delete":
                    draft.replace(i, words[k].start(), words[k + 1].start(), "")
                else:
                    draft.split(i, words[k - 1].end(), words[k].start())
            elif kind == "merge" and len(draft.paragraphs) > 1:
                at = draw(st.integers(0, len(draft.paragraphs) - 2))
                draft.merge(at)
            elif kind == "move":
                draft.move(draw(st.integers(0, len(draft.paragraphs) - 1)), draw(st.integers(0, len(draft.paragraphs) - 1)))
            elif kind == "drop" and len(draft.paragraphs) > 1:
                draft.delete(draw(st.integers(0, len(draft.paragraphs) - 1)))
            elif kind == "add":
                added = " ".join(draw(st.lists(st.sampled_from(EDIT_WORDS), min_size=3, max_size=12)))
                draft.insert(draw(st.integers(0, len(draft.paragraphs))), added)
        except (ValueError, StopIteration):
            continue  # the edit falls on text an earlier edit removed
    marks = {n: draw(st.sampled_from([ParagraphStatus.REVIEWED, ParagraphStatus.FLAGGED])) for n in range(1, len(texts) + 1)}
    return old, annotations, draft, marks


def _untouched(draft: Draft, old: int, span: Span) -> bool:
    """The span lies in one kept piece with 32 characters of it, or a surviving paragraph edge, on one side;
    and did not travel alone (its piece holds 32 characters more than the span, or a whole paragraph)."""
    size = len(draft.old.paragraphs[old].text)
    for pieces in draft.paragraphs:
        for n, piece in enumerate(pieces):
            if piece.kept and piece.old == old and piece.start <= span.start and span.end <= piece.end:
                edge_before = piece.start == 0 and n == 0
                edge_after = piece.end == size and n == len(pieces) - 1
                before = span.start - piece.start >= CONTEXT_CHARS or (edge_before and span.start == 0)
                after = piece.end - span.end >= CONTEXT_CHARS or (edge_after and span.end == size)
                alone = (piece.end - piece.start) - (span.end - span.start) < CONTEXT_CHARS and not (edge_before and edge_after)
                return (before or after) and not alone
    return False


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_random_edits_never_lose_an_annotation_and_never_move_untouched_words(case) -> None:
    old, annotations, draft, marks = case
    new_texts = draft.texts()
    result = reanchor(old, _report(new_texts), annotations, marks)
    assert [outcome.annotation for outcome in result.annotations] == annotations  # nothing dropped, order kept
    assert len(result.marks) == len(marks)
    for outcome in result.annotations:
        span = outcome.annotation.span
        if span is None:
            continue
        truth = draft.where(outcome.annotation.paragraph - 1, span.start, span.end)
        untouched = _untouched(draft, outcome.annotation.paragraph - 1, span)
        where = (outcome.paragraph, outcome.start, outcome.end)
        if untouched:
            assert outcome.placed and where == truth, (span.quote, outcome)
        elif outcome.placed:  # edited words: on what became of them, or what is left of them, or orphaned
            assert draft.same_words(where, truth) or draft.within(outcome.annotation.paragraph - 1, span.start, span.end, where), (
                span.quote, outcome,
            )
