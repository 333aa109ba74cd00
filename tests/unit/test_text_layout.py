"""Wrapping paragraph text into screen lines (tui/text_layout.py): ranges that cover the text exactly.

No test here measures time: the wrapper's laziness is checked by how much it has
wrapped, and its speed by the benchmarks (`python -m bench large`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from bench.generate import ONE_PARAGRAPH_FIRST_WORDS, one_paragraph_text
from tui.text_layout import _ONE_CELL, WrappedText, cells, display_text

_WORD = re.compile(r"[^\s]+\s*|\s+")


def texts_of(text: str, width: int) -> list[str]:
    return [text[start:end] for start, end in WrappedText(text, width).all()]


def reference(text: str, width: int) -> list[tuple[int, int]]:
    """The wrapping rule, written plainly over the whole text (what the lazy wrapper must match).

    Each hard line is cut into words with the spaces that follow them; a word goes on the
    line if its letters fit (its trailing spaces may run past the edge); a word longer than
    a line is broken between characters (at least one character a line). A hard line gives
    at least one line, so an empty one is an empty line.
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    offset = 0
    for hard in text.split("\n"):
        start, stop = offset, offset + len(hard)
        pos = start
        while True:
            used, end, broke = 0, pos, False
            for match in _WORD.finditer(text, pos, stop):
                word = match.group()
                if used + cells(word.rstrip()) <= width:
                    used += cells(word)
                    end = match.end()
                    continue
                if end == pos:  # as many characters as fit, at least one; a glyph's marks stay with it
                    end = pos + 1
                    while end < match.end() and cells(text[pos : end + 1]) <= width:
                        end += 1
                    if end < match.end() and any(j in text[pos : match.end()] for j in ("\u200d", "\ufe0f")):
                        while end > pos + 1 and cells(text[end]) == 0:
                            end -= 1
                lines.append((pos, end))
                pos, broke = end, True
                break
            if not broke:
                lines.append((pos, stop))
                break
            if pos == stop:
                break
        offset = stop + 1
    return lines if text else [(0, 0)]


class TestExamples:
    def test_words_stay_whole_and_spaces_stay_with_the_word_before(self) -> None:
        assert texts_of("one two three four", 9) == ["one two ", "three ", "four"]

    def test_a_word_longer_than_the_line_is_broken_by_characters(self) -> None:
        assert texts_of("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
        assert texts_of("ab " + "y" * 12, 5) == ["ab ", "yyyyy", "yyyyy", "yy"]

    def test_hard_newlines_end_lines_and_are_not_in_any_line(self) -> None:
        text = "first\n\nthird line\n"
        assert WrappedText(text, 40).all() == [(0, 5), (6, 6), (7, 17), (18, 18)]

    def test_wide_characters_take_two_cells(self) -> None:
        assert texts_of("北京 東京 서울", 5) == ["北京 ", "東京 ", "서울"]
        assert texts_of("北京東京", 3) == ["北", "京", "東", "京"]
        assert texts_of("北", 1) == ["北"]  # wider than the line: alone on it, never lost

    def test_combining_marks_stay_with_their_letter(self) -> None:
        text = "e\u0301" * 12  # é written as e + combining acute, 12 cells
        lines = WrappedText(text, 5).all()
        assert [cell_len(text[start:end]) for start, end in lines] == [5, 5, 2]
        assert all(unicodedata.combining(text[start]) == 0 for start, _ in lines)

    def test_a_tab_is_one_cell_as_it_is_drawn(self) -> None:
        assert texts_of("a\tb\tc d", 5) == ["a\tb\tc ", "d"]
        assert texts_of("é\tb\tc d", 5) == ["é\tb\tc ", "d"]  # the same once the text is not ASCII
        assert display_text("a\tb") == "a b"

    def test_a_break_at_the_end_of_a_hard_line_takes_its_newline(self) -> None:
        assert texts_of("北京\nx", 2) == ["北", "京", "x"]  # no empty line between 京 and x

    def test_empty_text_is_one_empty_line(self) -> None:
        wrapped = WrappedText("", 10)
        assert wrapped.done and wrapped.all() == [(0, 0)]

    def test_an_emoji_sequence_is_measured_whole(self) -> None:
        family = "👨\u200d👩\u200d👧"  # one glyph, two cells for Rich, though three emoji are in it
        assert texts_of(f"ab {family} cd", 5) == [f"ab {family} ", "cd"]

    def test_curly_quotes_and_dashes_wrap_like_ascii(self) -> None:
        text = "Shi’ite militias — “we are ready” … said one"
        assert texts_of(text, 16) == ["Shi’ite militias ", "— “we are ready” ", "… said one"]

    def test_every_character_counted_as_one_cell_is_one_cell_for_rich(self) -> None:
        wrong = [f"U+{ord(c):04X}" for c in _ONE_CELL if cell_len(display_text(c)) != 1]
        spaces = [f"U+{ord(c):04X}" for c in _ONE_CELL if c.isspace() and c not in " \t"]
        assert wrong == [] and spaces == []


class TestLaziness:
    def test_a_megabyte_paragraph_is_wrapped_only_as_far_as_asked(self) -> None:
        text = one_paragraph_text()
        assert len(text.encode("utf-8")) > 1_000_000 and "\n" not in text.split("\n\n", 1)[1].rstrip("\n")
        body = text.split("\n\n", 1)[1]
        wrapped = WrappedText(body, 80)
        assert wrapped.ensure(40) >= 40
        assert not wrapped.done
        assert len(wrapped.lines) < 50  # a screen, not 12,000 lines
        assert wrapped.lines[-1][1] < 5_000  # about 40 lines of 80 columns of the million characters
        assert body[slice(*wrapped.lines[0])].startswith(ONE_PARAGRAPH_FIRST_WORDS)

    def test_line_of_wraps_up_to_the_offset_and_no_further(self) -> None:
        body = one_paragraph_text().split("\n\n", 1)[1]
        wrapped = WrappedText(body, 80)
        offset = 20_000
        line = wrapped.line_of(offset)
        start, end = wrapped.lines[line]
        assert start <= offset <= end
        assert not wrapped.done and wrapped.lines[-1][1] < offset + 80 * 80

    def test_wrapping_a_bit_at_a_time_gives_the_same_lines_as_all_at_once(self) -> None:
        body = one_paragraph_text(60_000)
        step = WrappedText(body, 70)
        for count in range(1, 400, 37):
            step.ensure(count)
        assert step.all() == WrappedText(body, 70).all()


ALPHABET = "ab c  d\t e\xa0f北京é\u0301“”’—…\u3000x\n👨❤\u200d\ufe0f"  # with emoji joiners, measured whole
texts = st.text(alphabet=ALPHABET, max_size=300)
lines_of_text = st.text(alphabet=ALPHABET.replace("\n", ""), max_size=300)
widths = st.integers(min_value=1, max_value=40)


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(texts, widths)
    def test_the_ranges_and_the_newlines_between_them_are_the_text(self, text: str, width: int) -> None:
        lines = WrappedText(text, width).all()
        assert lines[0][0] == 0 and lines[-1][1] == len(text)
        pieces = [text[lines[0][0] : lines[0][1]]]
        for (_, previous_end), (start, end) in itertools.pairwise(lines):
            gap = text[previous_end:start]
            assert gap in ("", "\n")  # a soft break loses nothing; a hard one only its newline
            pieces += [gap, text[start:end]]
        assert "".join(pieces) == text
        assert all("\n" not in text[start:end] for start, end in lines)

    @settings(max_examples=300, deadline=None)
    @given(lines_of_text)
    def test_cells_are_what_rich_measures_as_drawn(self, text: str) -> None:
        assert cells(text) == cell_len(display_text(text))

    @settings(max_examples=300, deadline=None)
    @given(texts, widths)
    def test_lines_fit_the_width(self, text: str, width: int) -> None:
        for start, end in WrappedText(text, width).all():
            letters = text[start:end].rstrip()  # spaces after the last word may run past the edge
            assert cells(letters) <= width or cells(letters[1:]) == 0  # or one glyph wider than the line

    @settings(max_examples=500, deadline=None)
    @given(texts, widths)
    def test_the_lazy_wrapper_follows_the_plain_rule(self, text: str, width: int) -> None:
        assert WrappedText(text, width).all() == reference(text, width)

    @settings(max_examples=100, deadline=None)
    @given(st.text(alphabet="abcdefg  \t", min_size=200, max_size=2000), st.integers(min_value=5, max_value=90))
    def test_long_ascii_lines_follow_the_plain_rule(self, text: str, width: int) -> None:
        assert WrappedText(text, width).all() == reference(text, width)


@pytest.mark.parametrize("width", [1, 2, 7, 80])
def test_line_of_finds_the_line_that_holds_an_offset(width: int) -> None:
    text = "alpha beta\ngamma delta epsilon\n\nzeta"
    wrapped = WrappedText(text, width)
    for offset in range(len(text) + 1):
        start, end = wrapped.lines[wrapped.line_of(offset)]
        assert start <= offset and (offset <= end or text[end:offset] == "\n")
