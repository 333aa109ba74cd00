"""Caret motions for span selection: words, sentences, and never inside a character cluster."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui import text_motion as tm

TEXT = "The Euphrates Defence Units denied it, calling it “a fabrication.” Al-Shuhada said 1,200 died. Next one"


def walk(motion, text: str, start: int) -> list[int]:
    stops, offset = [], start
    while True:
        moved = motion(text, offset)
        if moved == offset:
            return stops
        stops.append(moved)
        offset = moved


def test_word_end_steps_over_words_and_punctuation_runs() -> None:
    ends = walk(tm.word_end, TEXT, 0)
    words = [TEXT[tm.word_backward(TEXT, end) : end] for end in ends]
    assert words[:8] == ["The", "Euphrates", "Defence", "Units", "denied", "it", ",", "calling"]
    assert "Al-Shuhada" in words and "1,200" in words  # joined by a hyphen, a thousands comma


def test_word_forward_and_backward_are_mirror_images() -> None:
    forward = walk(tm.word_forward, TEXT, 0)
    backward = walk(tm.word_backward, TEXT, len(TEXT))
    assert sorted(set(backward) - {0}) == [o for o in forward if o < len(TEXT)]


def test_sentences_end_after_closing_quotes_and_start_after_spaces() -> None:
    first = tm.sentence_end(TEXT, 0)
    assert TEXT[:first].endswith("fabrication.”")
    second = tm.sentence_end(TEXT, first)
    assert TEXT[:second].endswith("1,200 died.")
    assert tm.sentence_end(TEXT, second) == len(TEXT)  # the last sentence has no full stop
    assert TEXT[tm.sentence_start(TEXT, len(TEXT)) :] == "Next one"
    assert TEXT[tm.sentence_start(TEXT, second - 3) :].startswith("Al-Shuhada")
    assert tm.sentence_start(TEXT, tm.sentence_start(TEXT, second - 3)) == 0  # from a start: the previous one


def test_clusters_move_as_one() -> None:
    text = "إنَّ 👍🏽 cafe\u0301 🇫🇷🇩🇪 👨\u200d👩"
    clusters, offset = [], 0
    while offset < len(text):
        step = tm.next_char(text, offset)
        clusters.append(text[offset:step])
        offset = step
    assert [c for c in clusters if c != " "] == ["إ", "نَّ", "👍🏽", "c", "a", "f", "e\u0301", "🇫🇷", "🇩🇪", "👨\u200d👩"]


def test_lines_and_trimming() -> None:
    text = "first line\n  second line  "
    assert tm.line_end(text, 0) == 10 and tm.line_start(text, 14) == 11
    assert tm.trim(text, 10, len(text)) == (13, 24)
    assert tm.trim(text, 10, 13) == (13, 13)


PIECES = st.sampled_from(["a", "Z", " ", "\n", ".", "”", "-", "é", "e\u0301", "\u064e", "ب", "😀", "👍🏽", "🇫🇷", "中", "\u200d", "1"])


@given(st.lists(PIECES, max_size=40).map("".join), st.integers(min_value=0, max_value=200))
def test_every_motion_stays_in_the_text_and_on_a_boundary(text: str, start: int) -> None:
    start = tm.snap(text, start)
    for motion in tm.MOTIONS.values():
        moved = motion(text, start)
        assert 0 <= moved <= len(text)
        assert tm.is_boundary(text, moved), (motion.__name__, text, start, moved)
