"""Re-anchoring (store.reanchor): each kind of edit moves annotations to exactly these offsets and quotes.

The reports here are written for the tests (short dispatch-like paragraphs);
the seed dispatch is edited in test_reanchor_seed.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from store.ingest import parse_file
from store.model import Annotation, Kind, Mark, Paragraph, ParagraphStatus, ParsedReport, Span
from store.reanchor import CONTEXT_CHARS, Method, context_of, reanchor
from tests.conftest import ROOT

REVIEWED, FLAGGED = ParagraphStatus.REVIEWED, ParagraphStatus.FLAGGED

FIRST = "The militia said on Tuesday that 5,000 fighters had reached the border crossing near the river."
SECOND = (
    "Officials in the capital denied any involvement. A spokesman for the ministry called the reports "
    "fabricated. Analysts cautioned that the figures could not be independently verified."
)
THIRD = "According to local sources, several convoys were seen moving toward the northern districts on Wednesday.[3]"
FOURTH = "The Popular Front said its units would stay in the area until further notice, a statement said."


def report(*texts: str) -> ParsedReport:
    return ParsedReport(
        title="A Test Dispatch", date=None, dispatch_number=None, regions=(), headings=(),
        paragraphs=tuple(Paragraph(n, text) for n, text in enumerate(texts, start=1)),
        footnotes=(), warnings=(), format="text",
    )


def span(texts: tuple[str, ...] | ParsedReport, paragraph: int, quote: str, nth: int = 0) -> Annotation:
    """An annotation on the `nth` occurrence of `quote` in `paragraph` (1-based)."""
    text = (texts.paragraphs[paragraph - 1].text if isinstance(texts, ParsedReport) else texts[paragraph - 1])
    at = -1
    for _ in range(nth + 1):
        at = text.index(quote, at + 1)
    return Annotation(f"{paragraph}:{quote}:{nth}", Kind.CLAIM, "r", "old", paragraph, Span.of(text, at, at + len(quote)))


def whole(paragraph: int) -> Annotation:
    return Annotation(f"{paragraph}:whole", Kind.CLAIM, "r", "old", paragraph, None)


def placed(outcome) -> tuple:
    return outcome.method, outcome.paragraph, outcome.start, outcome.end, outcome.quote


OLD = (FIRST, SECOND, THIRD, FOURTH)


def test_unchanged_report_keeps_every_offset_and_mark() -> None:
    annotations = [span(OLD, 1, "5,000 fighters"), span(OLD, 2, "the ministry"), whole(4)]
    result = reanchor(report(*OLD), report(*OLD), annotations, {1: REVIEWED, 3: FLAGGED})
    assert [placed(o) for o in result.annotations] == [
        (Method.UNCHANGED, 1, 33, 47, "5,000 fighters"),
        (Method.UNCHANGED, 2, 65, 77, "the ministry"),
        (Method.UNCHANGED, 4, None, None, None),
    ]
    assert [(m.paragraph, m.paragraphs, m.text_changed) for m in result.marks] == [(1, (1,), False), (3, (3,), False)]
    assert result.summary() == "3 annotations carried to the new revision, 0 need a look"
    assert result.counts[Method.UNCHANGED] == 3 and result.counts[Method.ORPHANED] == 0


def test_inserted_paragraph_moves_the_ones_after_it() -> None:
    inserted = "An inserted paragraph that says nothing anyone annotated."
    annotations = [span(OLD, 1, "the border crossing"), span(OLD, 3, "convoys")]
    result = reanchor(report(*OLD), report(FIRST, inserted, SECOND, THIRD, FOURTH), annotations, {3: REVIEWED})
    assert [placed(o) for o in result.annotations] == [
        (Method.UNCHANGED, 1, 60, 79, "the border crossing"),
        (Method.MOVED, 4, 36, 43, "convoys"),
    ]
    assert result.marks[0].paragraphs == (4,) and not result.marks[0].changed_since_review
    assert result.inserted == (2,)
    assert [f.how for f in result.paragraphs] == ["unchanged", "moved", "moved", "moved"]


def test_deleted_paragraph_orphans_its_annotations_with_their_old_words() -> None:
    # "the ministry" occurs nowhere else; "the" does, in every paragraph: neither may land elsewhere.
    annotations = [span(OLD, 2, "the ministry"), span(OLD, 2, "the"), span(OLD, 3, "convoys"), whole(2)]
    result = reanchor(report(*OLD), report(FIRST, THIRD, FOURTH), annotations, {2: REVIEWED})
    ministry, the, convoys, paragraph = result.annotations
    for orphan in (ministry, the, paragraph):
        assert orphan.orphaned and orphan.paragraph is None and orphan.old_text == SECOND
        assert "not in the new revision" in orphan.reason
    assert ministry.annotation.span == Span.of(SECOND, 65, 77)  # the old quote and offsets are kept
    assert placed(convoys) == (Method.MOVED, 2, 36, 43, "convoys")
    assert result.marks[0].lost
    assert result.summary() == "1 annotation carried to the new revision, 3 need a look"
    assert result.paragraphs[1].how == "deleted"


def test_reordered_paragraphs_are_followed() -> None:
    annotations = [span(OLD, 1, "5,000"), span(OLD, 4, "Popular Front")]
    result = reanchor(report(*OLD), report(FOURTH, SECOND, THIRD, FIRST), annotations, {1: FLAGGED, 4: REVIEWED})
    assert [placed(o) for o in result.annotations] == [
        (Method.MOVED, 4, 33, 38, "5,000"),
        (Method.MOVED, 1, 4, 17, "Popular Front"),
    ]
    assert result.new_marks() == {4: (FLAGGED, False, (1,)), 1: (REVIEWED, False, (4,))}


def test_typo_fixed_inside_a_span_lands_on_the_corrected_words() -> None:
    old = "Officials in the capital denied any involvment. A spokesman for the ministry called the reports fabricated."
    new = old.replace("involvment", "involvement")
    annotations = [span((old,), 1, "any involvment"), span((old,), 1, "ministry"), span((old,), 1, "Officials in the capital")]
    result = reanchor(report(old), report(new), annotations, {1: REVIEWED})
    typo, after, before = result.annotations
    assert placed(typo) == (Method.CONTEXT, 1, 32, 47, "any involvement")
    assert typo.quote_changed and 0.9 < typo.similarity < 1.0
    assert placed(after) == (Method.EXACT, 1, 69, 77, "ministry")  # one character later
    assert placed(before) == (Method.EXACT, 1, 0, 24, "Officials in the capital")
    assert result.marks[0].changed_since_review
    assert result.changed_since_review == 1


def test_changed_figure_carries_the_figure_and_its_sentence() -> None:
    new = FIRST.replace("5,000", "6,000")
    annotations = [span(OLD, 1, "5,000"), span(OLD, 1, "5,000 fighters"), span(OLD, 1, FIRST), span(OLD, 1, "the river")]
    result = reanchor(report(*OLD), report(new, SECOND, THIRD, FOURTH), annotations)
    assert [placed(o) for o in result.annotations] == [
        (Method.CONTEXT, 1, 33, 38, "6,000"),
        (Method.CONTEXT, 1, 33, 47, "6,000 fighters"),
        (Method.FUZZY, 1, 0, len(new), new),
        (Method.EXACT, 1, 85, 94, "the river"),
    ]
    assert result.quote_changed == 3


def test_one_digit_figure_changed_is_orphaned_not_guessed() -> None:
    old = "Officials said 7 convoys crossed and 7 more waited at the border on Monday night."
    new = old.replace("7 convoys", "8 convoys")
    result = reanchor(report(old), report(new), [span((old,), 1, "7")])
    (outcome,) = result.annotations
    assert outcome.orphaned  # "8" is not "7", and the other "7" is another mention
    assert outcome.near == 1 and outcome.old_text == old


def test_split_paragraph_places_each_part_and_orphans_a_span_across_the_break() -> None:
    first, second = SECOND.split(" A spokesman")
    second = "A spokesman" + second
    annotations = [
        span(OLD, 2, "denied any involvement"),
        span(OLD, 2, "the ministry"),
        span(OLD, 2, "independently verified"),
        span(OLD, 2, "involvement. A spokesman"),
        whole(2),
    ]
    result = reanchor(report(*OLD), report(FIRST, first, second, THIRD, FOURTH), annotations, {2: REVIEWED})
    denied, ministry, verified, across, paragraph = result.annotations
    assert placed(denied) == (Method.EXACT, 2, 25, 47, "denied any involvement")
    assert placed(ministry) == (Method.EXACT, 3, 16, 28, "the ministry")
    assert placed(verified) == (Method.EXACT, 3, second.index("independently"), len(second) - 1, "independently verified")
    assert across.orphaned
    assert paragraph.orphaned and "split into ¶2, ¶3" in paragraph.reason
    assert result.marks[0].paragraphs == (2, 3) and result.marks[0].changed_since_review
    assert result.paragraphs[1].how == "split"


def test_merged_paragraphs_shift_the_second_ones_spans() -> None:
    merged = SECOND + " " + THIRD
    annotations = [span(OLD, 2, "the ministry"), span(OLD, 3, "several convoys"), whole(3)]
    result = reanchor(report(*OLD), report(FIRST, merged, FOURTH), annotations, {2: REVIEWED, 3: FLAGGED})
    ministry, convoys, paragraph = result.annotations
    assert placed(ministry) == (Method.EXACT, 2, 65, 77, "the ministry")
    assert placed(convoys) == (Method.EXACT, 2, len(SECOND) + 1 + 28, len(SECOND) + 1 + 43, "several convoys")
    assert placed(paragraph) == (Method.FUZZY, 2, None, None, None)
    assert result.new_marks() == {2: (FLAGGED, True, (2, 3))}  # flagged wins; the text changed
    assert [f.how for f in result.paragraphs] == ["unchanged", "merged", "merged", "moved"]


def test_renumbered_footnote_marker_carries_the_sentence_that_holds_it() -> None:
    new = THIRD.replace("[3]", "[4]")
    annotations = [span(OLD, 3, THIRD), span(OLD, 3, "Wednesday.[3]"), span(OLD, 3, "local sources")]
    result = reanchor(report(*OLD), report(FIRST, SECOND, new, FOURTH), annotations)
    assert [placed(o) for o in result.annotations] == [
        (Method.FUZZY, 3, 0, len(new), new),
        (Method.CONTEXT, 3, 94, 107, "Wednesday.[4]"),
        (Method.EXACT, 3, 13, 26, "local sources"),
    ]


def test_repeated_word_keeps_to_its_own_mention() -> None:
    old = "Hizbullah said the strikes would go on. Its allies agreed, and Hizbullah repeated it on Friday."
    new = old.replace("Its allies agreed", "Its allies in the region quickly agreed")
    result = reanchor(report(old), report(new), [span((old,), 1, "Hizbullah", nth=1), span((old,), 1, "Hizbullah")])
    second, first = result.annotations
    assert placed(second) == (Method.EXACT, 1, new.rindex("Hizbullah"), new.rindex("Hizbullah") + 9, "Hizbullah")
    assert placed(first) == (Method.EXACT, 1, 0, 9, "Hizbullah")


def test_deleted_mention_is_orphaned_even_when_its_word_is_still_in_the_paragraph() -> None:
    old = "Hizbullah said the strikes would go on until the end of the month. Later that week Hizbullah denied it had said so."
    new = "Hizbullah said the strikes would go on until the end of the month."
    result = reanchor(report(old), report(new), [span((old,), 1, "Hizbullah", nth=1)])
    assert result.annotations[0].orphaned


def test_whole_paragraph_annotation_follows_a_changed_paragraph() -> None:
    new = FOURTH.replace("further notice", "further orders")
    result = reanchor(report(*OLD), report(FIRST, SECOND, THIRD, new), [whole(4)])
    (outcome,) = result.annotations
    assert placed(outcome) == (Method.FUZZY, 4, None, None, None) and outcome.similarity > 0.5


def test_edge_whitespace_removed_keeps_annotations_and_review() -> None:
    old = "\u00a0 " + FOURTH + "\u00a0\u00a0"
    result = reanchor(report(old), report(FOURTH), [span((old,), 1, "Popular Front")], {1: REVIEWED})
    assert placed(result.annotations[0]) == (Method.UNCHANGED, 1, 4, 17, "Popular Front")
    assert not result.marks[0].text_changed


@pytest.mark.parametrize(("encoding", "newline"), [("cp1252", "\n"), ("utf-8", "\r\n"), ("cp1252", "\r\n")])
def test_file_resaved_in_another_encoding_or_line_ending_changes_nothing(tmp_path: Path, encoding: str, newline: str) -> None:
    text = "A Test Dispatch\n\n" + "\n\n".join((FIRST, "Officials “denied” it — café\u00a0owners too.", THIRD)) + "\n"
    (tmp_path / "old.txt").write_text(text, encoding="utf-8")
    (tmp_path / "new.txt").write_bytes(text.replace("\n", newline).encode(encoding))
    old, _ = parse_file(tmp_path / "old.txt")
    new, _ = parse_file(tmp_path / "new.txt")
    annotations = [span(old, 2, "“denied”"), span(old, 2, "café\u00a0owners")]
    result = reanchor(old, new, annotations, {2: REVIEWED})
    assert [o.method for o in result.annotations] == [Method.UNCHANGED, Method.UNCHANGED]
    assert [(o.start, o.end) for o in result.annotations] == [(10, 18), (24, 35)]
    assert not result.marks[0].text_changed


def test_annotation_whose_quote_disagrees_with_its_old_text_is_found_by_its_quote() -> None:
    stale = Annotation("x", Kind.ACTOR, "r", "old", 2, Span(0, 12, "the ministry"))  # offsets stale, quote right
    twice = Annotation("y", Kind.ACTOR, "r", "old", 2, Span(0, 3, "the"))  # "the" is there several times
    result = reanchor(report(*OLD), report(*OLD), [stale, twice])
    assert placed(result.annotations[0]) == (Method.EXACT, 2, 65, 77, "the ministry")
    assert result.annotations[1].orphaned and "several places" in result.annotations[1].reason


def test_stored_context_is_used_when_the_old_paragraph_is_unknown_and_recomputed_on_the_new_place() -> None:
    prefix, suffix = context_of(THIRD, 28, 43)
    assert (prefix, suffix) == (THIRD[:28], THIRD[43:43 + CONTEXT_CHARS])
    assert Span.of(THIRD, 28, 43) == Span(28, 43, "several convoys", prefix, suffix)  # what the store keeps
    stray = Annotation("s", Kind.CLAIM, "r", "old", 9, Span(28, 43, "several convoys", prefix, suffix))
    moved = "New first sentence. " + THIRD
    result = reanchor(report(*OLD), report(FIRST, SECOND, moved), [stray])
    (outcome,) = result.annotations
    assert placed(outcome) == (Method.EXACT, 3, 48, 63, "several convoys")
    (carried,) = result.new_annotations("new")
    assert carried.revision == "new" and carried.paragraph == 3
    assert carried.span == Span(48, 63, "several convoys", moved[16:48], moved[63:95])


def test_stored_marks_follow_their_paragraphs_and_merge() -> None:
    reviewed = Mark(2, reviewed=True, reviewed_by="ana", reviewed_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z")
    flagged = Mark(3, flagged=True, flag_reason="check the source", flagged_by="ben", flagged_at="2026-01-02T00:00:00Z",
                   updated_at="2026-01-02T00:00:00Z")
    kept = Mark(4, reviewed=True, flagged=True, reviewed_by="ana", flagged_by="ana", flag_reason="names")
    merged = SECOND + " " + THIRD
    result = reanchor(report(*OLD), report(FIRST, merged, FOURTH), [], {2: reviewed, 3: flagged, 4: kept, 1: Mark(1)})
    outcomes = [(m.paragraph, m.paragraphs, m.changed_since_review) for m in result.marks]
    assert outcomes == [(2, (2,), True), (3, (2,), False), (4, (3,), False)]  # ¶1's blank mark is skipped
    assert result.moved_marks() == [
        Mark(2, reviewed=True, flagged=True, flag_reason="check the source", changed_since_review=True,
             reviewed_by="ana", reviewed_at="2026-01-01T00:00:00Z", flagged_by="ben", flagged_at="2026-01-02T00:00:00Z",
             updated_at="2026-01-02T00:00:00Z"),
        kept.evolve(paragraph=3),
    ]


def test_nothing_is_dropped_and_order_is_kept() -> None:
    annotations = [span(OLD, n, word) for n, word in ((4, "statement"), (1, "militia"), (2, "Analysts"), (3, "convoys"))]
    result = reanchor(report(*OLD), report("Entirely new text with no words in common at all."), annotations, {1: REVIEWED})
    assert [o.annotation for o in result.annotations] == annotations
    assert all(o.orphaned for o in result.annotations)
    assert result.new_annotations("new") == []
    assert result.marks[0].lost


def test_importing_the_engine_loads_no_diff_or_fuzzy_library() -> None:
    """rapidfuzz and difflib are loaded when a paragraph has changed, not when the store starts."""
    code = "import sys, store.reanchor; print(','.join(n for n in ('rapidfuzz', 'difflib') if n in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_words_inserted_at_a_span_edges_stay_outside_it() -> None:
    old = "Officials said the militia had 5,000 fighters near Tal Abyad on Monday, and denied any role."
    new = "Officials said the militia had 6,000 fighters near Tal Abyad, local sources added, on Monday, and denied any role."
    result = reanchor(report(old), report(new), [span((old,), 1, "had 5,000 fighters near Tal Abyad")])
    assert placed(result.annotations[0]) == (Method.CONTEXT, 1, 27, 60, "had 6,000 fighters near Tal Abyad")


def test_a_span_that_lost_a_word_at_its_start_lands_on_what_is_left() -> None:
    old = "After the strike on the base, the Iraqi militias increased their threats against the U.S. in the region."
    new = old.replace("Iraqi militias", "militias")
    result = reanchor(report(old), report(new), [span((old,), 1, "Iraqi militias increased their threats")])
    start = new.index("militias")
    assert placed(result.annotations[0])[1:] == (1, start, start + 32, "militias increased their threats")


def test_a_deleted_paragraph_is_not_found_in_another_that_already_held_the_same_words() -> None:
    sentence = "The operations room coordinates the attacks of all the factions."
    before, after = "According to a source close to the militias, ", " He gave no further details about it."
    repeated = "Earlier this week the daily wrote: " + before + sentence + after
    old_texts = (FIRST, before + sentence + after, THIRD, repeated)
    result = reanchor(report(*old_texts), report(FIRST, THIRD, repeated), [span(old_texts, 2, sentence)])
    (outcome,) = result.annotations
    assert outcome.orphaned and outcome.annotation.span.quote == sentence  # the paragraph 4 copy is another mention


def test_sentences_moved_to_another_paragraph_with_their_context_are_followed() -> None:
    # The last two sentences of ¶2 move to the end of ¶4: the last one keeps the sentence before it.
    kept, moved = SECOND.split(" A spokesman")[0], "A spokesman" + SECOND.split(" A spokesman")[1]
    last = "Analysts cautioned that the figures could not be independently verified."
    new_fourth = FOURTH + " " + moved
    result = reanchor(report(*OLD), report(FIRST, kept, THIRD, new_fourth), [span(OLD, 2, last)])
    start = new_fourth.index(last)
    assert placed(result.annotations[0]) == (Method.EXACT, 4, start, start + len(last), last)


def test_first_word_of_a_paragraph_stays_when_the_next_word_is_edited() -> None:
    old = "Hizbullah said the strikes would go on, and its allies in Iraq said the same on Friday."
    new = old.replace("Hizbullah said", "Hizbullah stated", 1)
    result = reanchor(report(old), report(new), [span((old,), 1, "Hizbullah")])
    assert placed(result.annotations[0]) == (Method.EXACT, 1, 0, 9, "Hizbullah")


def test_replaced_mention_is_not_moved_to_the_same_word_in_a_reworded_context() -> None:
    old = "Its allies said Hizbullah seen and officials involvement was clear, while later Hizbullah seen officials involvement and more."
    new = old.replace("said Hizbullah seen", "said the group seen", 1)
    result = reanchor(report(old), report(new), [span((old,), 1, "Hizbullah")])
    (outcome,) = result.annotations
    assert outcome.orphaned or (outcome.start, outcome.end) == (16, 25)  # its own place ("the group"), never the later one
