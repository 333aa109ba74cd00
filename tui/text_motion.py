"""Caret motions over a paragraph's text, for selecting a span by keyboard (plain Python).

A caret is a code point offset between characters (0 … len(text)); a span is
`text[start:end]`, end-exclusive. Motions never stop inside a character cluster:
a base character and the combining marks, variation selectors, emoji modifiers
and zero-width joiners that follow it move as one, so a selection can never cut
"é" (e + U+0301) or an Arabic letter from its vowel mark. Offsets stay plain
code points: what is stored is exactly `text[start:end]`.
"""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"
ZWNJ = "\u200c"
# Characters that join two word characters into one word: "Al-Shuhada", "Ka’abi", "3.5", "1,200".
WORD_JOINERS = frozenset("-'’.,·\u00ad\u2010\u2011")
SENTENCE_ENDS = frozenset(".!?…؟。！？")
CLOSERS = frozenset("\"'”’»›)]}")

SPACE, WORD, OTHER = 0, 1, 2


def _attaches(char: str) -> bool:
    """Does `char` belong to the cluster of the character before it?"""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in (ZWJ, ZWNJ)
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag characters
    )


def is_boundary(text: str, offset: int) -> bool:
    """May a caret stand at `offset` (not inside a base + mark, emoji sequence or flag)?"""
    if offset <= 0 or offset >= len(text):
        return True
    char, before = text[offset], text[offset - 1]
    if "\n" in (char, before):
        return True  # nothing joins across a line break
    if _attaches(char) or before == ZWJ:
        return False
    if _is_regional(char) and _is_regional(before):
        # Flags are pairs of regional indicators: a boundary only after an even run.
        run = 0
        index = offset - 1
        while index >= 0 and _is_regional(text[index]):
            run += 1
            index -= 1
        return run % 2 == 0
    return True


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def next_char(text: str, offset: int) -> int:
    """The caret one character cluster to the right."""
    offset = min(len(text), offset + 1)
    while not is_boundary(text, offset):
        offset += 1
    return offset


def previous_char(text: str, offset: int) -> int:
    offset = max(0, offset - 1)
    while not is_boundary(text, offset):
        offset -= 1
    return offset


def snap(text: str, offset: int) -> int:
    """The nearest boundary at or before `offset`, clamped to the text."""
    offset = max(0, min(offset, len(text)))
    while not is_boundary(text, offset):
        offset -= 1
    return offset


def _raw_class(char: str) -> int:
    if char.isspace():
        return SPACE
    if char.isalnum() or char == "_":
        return WORD
    return OTHER


def char_class(text: str, offset: int) -> int:
    """SPACE, WORD or OTHER for the cluster at `offset` (marks take their base's class)."""
    while offset > 0 and not is_boundary(text, offset):
        offset -= 1
    char = text[offset]
    kind = _raw_class(char)
    if kind == OTHER and char in WORD_JOINERS:
        before = offset - 1
        after = next_char(text, offset)
        if before >= 0 and after < len(text) and _raw_class(text[snap(text, before)]) == WORD and _raw_class(text[after]) == WORD:
            return WORD
    return kind


def _run_end(text: str, offset: int) -> int:
    """The end of the run of same-class clusters that starts at `offset`."""
    kind = char_class(text, offset)
    while offset < len(text) and char_class(text, offset) == kind:
        offset = next_char(text, offset)
    return offset


def _run_start(text: str, offset: int) -> int:
    """The start of the run of same-class clusters that ends just before `offset`."""
    kind = char_class(text, previous_char(text, offset))
    while offset > 0 and char_class(text, previous_char(text, offset)) == kind:
        offset = previous_char(text, offset)
    return offset


def _skip_space_forward(text: str, offset: int) -> int:
    while offset < len(text) and char_class(text, offset) == SPACE:
        offset = next_char(text, offset)
    return offset


def _skip_space_backward(text: str, offset: int) -> int:
    while offset > 0 and char_class(text, previous_char(text, offset)) == SPACE:
        offset = previous_char(text, offset)
    return offset


def word_forward(text: str, offset: int) -> int:
    """`w`: the start of the next word (punctuation runs count as words, as in vi)."""
    if offset >= len(text):
        return len(text)
    if char_class(text, offset) != SPACE:
        offset = _run_end(text, offset)
    return _skip_space_forward(text, offset)


def word_end(text: str, offset: int) -> int:
    """`e`: just after the end of this word, or of the next one if the caret is already at an end."""
    offset = _skip_space_forward(text, offset)
    if offset >= len(text):
        return len(text)
    return _run_end(text, offset)


def word_backward(text: str, offset: int) -> int:
    """`b`: the start of this word, or of the previous one if the caret is already at a start."""
    offset = _skip_space_backward(text, offset)
    if offset <= 0:
        return 0
    return _run_start(text, offset)


def _sentence_ends(text: str, start: int) -> int | None:
    """The first sentence end after `start`: past the terminator and any closing quotes."""
    index = start
    while index < len(text):
        if text[index] in SENTENCE_ENDS:
            end = index + 1
            while end < len(text) and (text[end] in SENTENCE_ENDS or text[end] in CLOSERS):
                end += 1
            if end >= len(text) or text[end].isspace():
                return end
            index = end
            continue
        index += 1
    return None


def sentence_end(text: str, offset: int) -> int:
    """`)`: just after the end of this sentence (or the next one, from an end)."""
    start = _skip_space_forward(text, offset)
    found = _sentence_ends(text, start)
    if found is None:
        return _skip_space_backward(text, len(text)) if start < len(text) else len(text)
    return found


def _is_sentence_end(text: str, offset: int) -> bool:
    """Does a sentence end just before `offset` (a terminator, closing quotes, then a space or the end)?"""
    if offset <= 0 or (offset < len(text) and not text[offset].isspace()):
        return False
    index = offset
    while index > 0 and text[index - 1] in CLOSERS:
        index -= 1
    return index > 0 and text[index - 1] in SENTENCE_ENDS


def sentence_start(text: str, offset: int) -> int:
    """`(`: the start of this sentence, or of the previous one if the caret is already at a start."""
    index = _skip_space_backward(text, offset) - 1
    while index > 0:
        if _is_sentence_end(text, index):
            return _skip_space_forward(text, index)
        index -= 1
    return 0


def line_start(text: str, offset: int) -> int:
    """`0`: the start of the (hard) line; a paragraph without newlines is one line."""
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """`$`: the end of the (hard) line."""
    found = text.find("\n", offset)
    return len(text) if found == -1 else found


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading or trailing whitespace (possibly empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --------------------------------------------------------------- text objects
# What `q`, `s` and `t` select in selection mode: a range around the caret,
# trimmed of spaces. None when there is nothing of that kind there.

QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("‘", "’"), ('"', '"'))


def quotation_around(text: str, offset: int) -> tuple[int, int] | None:
    """The quoted words around `offset` (inside the marks, without a stop or comma before the closing mark).

    The innermost pair that holds the caret; else the first quotation after it.
    """
    best: tuple[int, int] | None = None
    after: tuple[int, int] | None = None
    for opening, closing in QUOTE_PAIRS:
        if opening == closing:
            marks = [i for i, char in enumerate(text) if char == opening]
            pairs = list(zip(marks[::2], marks[1::2], strict=False))
        else:
            pairs, stack = [], []
            for i, char in enumerate(text):
                if char == opening:
                    stack.append(i)
                elif char == closing and stack:
                    pairs.append((stack.pop(), i))
        for left, right in pairs:
            if right - left <= 1:
                continue
            if left <= offset <= right and (best is None or right - left < best[1] - best[0]):
                best = (left + 1, right)
            elif left > offset and (after is None or left < after[0] - 1):
                after = (left + 1, right)
    chosen = best or after
    if chosen is None:
        return None
    start, end = trim(text, *chosen)
    while end > start and text[end - 1] in ",.;:":
        end -= 1  # “Golan Liberation Army,” is the name without its comma
    return start, end


def sentence_around(text: str, offset: int) -> tuple[int, int]:
    """The sentence that holds `offset`, from its first word to its stop (closing quotes included)."""
    start = sentence_start(text, min(len(text), next_char(text, offset)))
    end = sentence_end(text, start)
    return trim(text, start, end)


CLAUSE_STOPS = frozenset(",;:")


def _stops_clause(text: str, index: int) -> bool:
    """Does a clause end at `text[index]` (a , ; or :, but not the comma of "5,000")?"""
    if text[index] not in CLAUSE_STOPS:
        return False
    between_digits = 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()
    return not between_digits


def clause_around(text: str, offset: int) -> tuple[int, int]:
    """The clause that holds `offset`: from the previous , ; or : (or the sentence's start) to the next one (or its stop)."""
    sentence_start_at, sentence_end_at = sentence_around(text, offset)
    start = offset
    while start > sentence_start_at and not _stops_clause(text, start - 1):
        start -= 1
    end = offset
    while end < sentence_end_at and not _stops_clause(text, end):
        end += 1
    if end == sentence_end_at:
        while end > start and text[end - 1] in SENTENCE_ENDS | CLOSERS:
            end -= 1
    start, end = trim(text, start, end)
    while start < end and text[start] in "“«‘\"(":
        start += 1
    return start, end


MOTIONS = {
    "next_char": next_char,
    "previous_char": previous_char,
    "word_forward": word_forward,
    "word_backward": word_backward,
    "word_end": word_end,
    "sentence_end": sentence_end,
    "sentence_start": sentence_start,
    "line_start": line_start,
    "line_end": line_end,
}
