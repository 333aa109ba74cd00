"""The cleaning rule (store/text.py): one visible code point per control, so offsets survive."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from store.text import clean_line, clean_text, has_control, normalise_newlines

# Text with plenty of what the rule is about: controls, CR/LF, surrogates, and ordinary characters.
hostile_text = st.lists(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x9F),
        st.sampled_from(["\r\n", "\r", "\n", "\t", "\ud800", "\udfff", "\u202e", "\u200b", "\u0301", "👩\u200d👧", "[bold]", "[/"]),
        st.characters(),
    ),
    max_size=100,
).map("".join)


@given(hostile_text)
def test_one_code_point_for_one(text: str) -> None:
    source = normalise_newlines(text)
    cleaned = clean_text(text)
    assert len(cleaned) == len(source)
    for offset, (before, after) in enumerate(zip(source, cleaned, strict=False)):
        if before != after:  # only controls change, each into one visible character
            assert unicodedata.category(before) in ("Cc", "Cs"), (offset, before)
            assert after == "\ufffd" or unicodedata.name(after).startswith("SYMBOL FOR"), (offset, after)


@given(hostile_text)
def test_nothing_is_left_to_clean_and_cleaning_again_changes_nothing(text: str) -> None:
    cleaned = clean_text(text)
    assert not has_control(cleaned)
    assert clean_text(cleaned) == cleaned
    assert "\r" not in cleaned


@given(hostile_text)
def test_one_line_values_have_no_newline_or_tab(text: str) -> None:
    line = clean_line(text)
    assert "\n" not in line and "\t" not in line and not has_control(line)


def test_the_pictures() -> None:
    assert clean_text("\x1b]52;c;eA==\x07") == "␛]52;c;eA==␇"
    assert clean_text("\x00\x08\x0b\x0c\x7f") == "␀␈␋␌␡"
    assert clean_text("\x9b6n\x85\ud800") == "�6n��"
    assert clean_text("a\r\nb\rc\td") == "a\nb\nc\td"
    assert clean_text("[bold]\u202e\u200b") == "[bold]\u202e\u200b"  # markup and bidi/zero-width are text


def test_offsets_into_the_normalised_source_hold() -> None:
    source = "Line one\r\nThe \x1b[31mmilitia\x1b[0m said\r\n"
    cleaned = clean_text(source)
    start = normalise_newlines(source).index("militia")
    assert cleaned[start : start + len("militia")] == "militia"
