"""Tokens for Prodigy tasks, cut the way spaCy's blank English tokenizer cuts text, without spaCy.

Prodigy takes a task's `tokens` as given and expects every span to start and end on a token
boundary (spaCy's `Doc.char_span` returns None otherwise). We follow the algorithm spaCy
documents ("How spaCy's tokenizer works"): split on whitespace (one plain space after a token is
that token's `ws`; any other run of whitespace is a token of its own); then, for each
whitespace-free chunk, look for a special case; else strip prefixes and suffixes one at a time
(checking for a special case after each), and split what remains at infixes. The character
classes below are ours, written from the behaviour spaCy documents for English: opening and
closing punctuation and quotes, currency, symbols, clitics (`'s`, `n't`), units after numbers, a
final full stop unless the word is an abbreviation, hyphens and slashes between letters. The
tests measure agreement with spaCy itself on real reports.

`tokenize(text, spans)` also splits any token that a span's edge falls inside (and makes a token
of a space a span starts on or ends after), so every span stays exact.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

_QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉⟦⟧"
_PUNCT = "…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪"
_CURRENCY = ("US$", "C$", "A$", "$", "£", "€", "¥", "฿", "₽", "﷼", "₴", "₠", "₡", "₢", "₣", "₤", "₥", "₦", "₧", "₨", "₩", "₪", "₫",
             "₭", "₮", "₯", "₰", "₱", "₲", "₳", "₵", "₶", "₷", "₸", "₹", "₺", "₼", "₾", "₿")
_PREFIX_ONLY = "§%=—–"
_HYPHENS = ("---", "--", "——", "—", "–", "-", "~")
_UNITS = (
    "km³", "km²", "km", "m³", "m²", "cm³", "cm²", "cm", "mm²", "mm", "dm", "µm", "nm", "yd", "in", "ft", "kg", "g", "mg", "µg",
    "t", "lb", "oz", "m/s", "km/h", "kmh", "mph", "hPa", "Pa", "mbar", "mb", "MB", "kb", "KB", "gb", "GB", "tb", "TB", "T", "G",
    "M", "K", "%", "m", "a.m.", "p.m.", "am", "pm",
)
_CLITICS = ("'s", "'S", "’s", "’S")
_AFTER_NUMBER = re.compile(
    r"(?<=[0-9])(?:" + "|".join(re.escape(u) for u in sorted({*_UNITS, *_CURRENCY}, key=len, reverse=True)) + r")\Z"
)
_CURRENCY_FIRST = re.compile("|".join(re.escape(c) for c in _CURRENCY))
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)[^\s]+$")
_SPACE = re.compile(r"\s+")


def _is_icon(char: str) -> bool:
    return char != "°" and unicodedata.category(char) == "So"


def _lower(char: str) -> bool:
    """A lower-case letter, or a letter of a script without case (Arabic, Hebrew, CJK…)."""
    return char.islower() or (char.isalpha() and not char.isupper())


def _closing(char: str) -> bool:
    return char in _QUOTES or char in _PUNCT or _is_icon(char) or char in "—–"


@cache
def _exceptions() -> dict[str, tuple[str, ...]]:
    """Words spaCy's English rules keep whole or cut in a fixed way (abbreviations, clitics)."""
    found: dict[str, tuple[str, ...]] = {}
    abbreviations = (
        "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.", "Messrs.", "Mt.", "vs.", "v.", "e.g.", "i.e.", "a.m.", "p.m.",
        "Inc.", "Ltd.", "Co.", "Corp.", "Bros.", "Gov.", "Gen.", "Sen.", "Rep.", "Rev.", "Prof.", "Capt.", "Col.", "Lt.", "Sgt.",
        "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.",
        "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ill.", "Ind.", "Kan.", "Ky.", "La.", "Md.",
        "Mass.", "Mich.", "Minn.", "Miss.", "Mo.", "Neb.", "Nev.", "N.H.", "N.J.", "N.M.", "N.Y.", "N.C.", "N.D.", "Okla.",
        "Ore.", "Pa.", "Tenn.", "Va.", "Wash.", "Wis.", "D.C.", "Mont.", "Ok.", "Tex.",
    )
    for word in abbreviations:
        found[word] = (word,)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        found[f"{letter}."] = (f"{letter}.",)
        found[f"{letter.upper()}."] = (f"{letter.upper()}.",)
    subjects = ("i", "you", "he", "she", "it", "we", "they", "there", "that", "what", "who", "where", "how", "when", "why", "this")
    clitics = {"'m": ("i",), "'re": ("you", "we", "they", "who", "what"), "'ve": ("i", "you", "we", "they", "who", "could",
               "would", "should", "might", "must"), "'ll": subjects, "'d": subjects, "'s": ()}
    negatives = ("do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "could", "would", "should", "must",
                 "need", "might", "ai", "ca", "wo", "sha")
    for apostrophe in ("'", "’"):
        for clitic, words in clitics.items():
            for word in words:
                for form in (word, word.capitalize()):
                    tail = clitic.replace("'", apostrophe)
                    found[form + tail] = (form, tail)
        for word in negatives:
            for form in (word, word.capitalize()):
                tail = "n't".replace("'", apostrophe)
                found[form + tail] = (form, tail)
    return found


def _prefix(text: str) -> int:
    """How long the prefix to split off `text` is (0: none)."""
    if text.startswith(".."):
        return len(text) - len(text.lstrip("."))
    currency = _CURRENCY_FIRST.match(text)
    if currency:
        return currency.end()
    first = text[0]
    if first == "+":
        return 0 if text[1:2].isdigit() else 1
    if first in _PREFIX_ONLY or first in _QUOTES or first in _PUNCT or _is_icon(first):
        return 1
    return 0


def _suffix(text: str) -> int:
    """How long the suffix to split off the end of `text` is (0: none)."""
    if text.endswith(".."):
        return len(text) - len(text.rstrip("."))
    for clitic in _CLITICS:
        if text.endswith(clitic) and len(text) > len(clitic):
            return len(clitic)
    last = text[-1]
    before = text[-2] if len(text) > 1 else ""
    if _closing(last):
        return 1
    if last == "+" and before.isdigit():
        return 1
    unit = _AFTER_NUMBER.search(text)
    if unit:
        return len(unit.group())
    if last == ".":
        if len(text) > 2 and text[-3] == "°" and before in "FfCcKk":
            return 1
        if before.isdigit() or _lower(before) or before in "%²-+" or before in _QUOTES or before in _PUNCT:
            return 1
        if len(text) > 2 and before.isupper() and text[-3].isupper():
            return 1
    return 0


def _infixes(text: str) -> list[tuple[int, int]]:
    """Where `text` splits inside (non-overlapping, left to right)."""
    found: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        prev = text[i - 1] if i else ""
        if char == "." and text[i:i + 2] == "..":
            j = i
            while j < n and text[j] == ".":
                j += 1
            found.append((i, j))
            i = j
            continue
        if char == "…" or _is_icon(char):
            found.append((i, i + 1))
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if i and char in "+-*^" and prev.isdigit() and (nxt.isdigit() or nxt == "-"):
            found.append((i, i + 1))
            i += 1
            continue
        if i and char == "." and (prev.islower() or prev in _QUOTES) and (nxt.isupper() or (nxt and nxt in _QUOTES)):
            found.append((i, i + 1))
            i += 1
            continue
        if i and char == "," and prev.isalpha() and nxt.isalpha():
            found.append((i, i + 1))
            i += 1
            continue
        if i and (prev.isalpha() or prev.isdigit()):
            hyphen = next((h for h in _HYPHENS if text.startswith(h, i)), None)
            if hyphen is not None and text[i + len(hyphen):i + len(hyphen) + 1].isalpha():
                found.append((i, i + len(hyphen)))
                i += len(hyphen)
                continue
            if char in ":<>=/" and nxt.isalpha():
                found.append((i, i + 1))
                i += 1
                continue
        i += 1
    return found


def _split_chunk(chunk: str) -> list[str]:
    """One whitespace-free chunk cut into tokens (the affix loop spaCy documents)."""
    special = _exceptions()
    if chunk.isalpha():  # most words: no prefix, suffix or infix can apply
        return list(special.get(chunk, (chunk,)))
    tokens: list[str] = []
    suffixes: list[str] = []
    rest = chunk
    while rest:
        if rest in special:
            tokens.extend(special[rest])
            rest = ""
            break
        while rest and (_prefix(rest) or _suffix(rest)):
            if rest in special:
                break
            prefix = _prefix(rest)
            if prefix:
                tokens.append(rest[:prefix])
                rest = rest[prefix:]
                if rest in special:
                    continue
            suffix = _suffix(rest) if rest else 0
            if suffix:
                suffixes.append(rest[-suffix:])
                rest = rest[:-suffix]
        if not rest:
            break
        if rest in special:
            tokens.extend(special[rest])
        elif _URL.match(rest):
            tokens.append(rest)
        else:
            offset = 0
            for start, end in _infixes(rest):
                if offset == 0 and start == 0:
                    continue
                if start > offset:
                    tokens.append(rest[offset:start])
                tokens.append(rest[start:end])
                offset = end
            if rest[offset:]:
                tokens.append(rest[offset:])
        rest = ""
    tokens.extend(reversed(suffixes))
    return _merge_specials(tokens)


def _merge_specials(tokens: list[str]) -> list[str]:
    """spaCy's last pass: adjacent pieces that together spell a special case become that case."""
    special = _exceptions()
    merged: list[str] = []
    for token in tokens:
        if merged and token == "." and (merged[-1] + ".") in special and len(special[merged[-1] + "."]) == 1:
            merged[-1] += "."
        else:
            merged.append(token)
    return merged


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    ws: bool  # followed by one plain space, which is not a token


def tokenize(text: str, spans: Iterable[tuple[int, int]] = ()) -> list[Token]:
    """`text` as tokens, with every (start, end) of `spans` on token boundaries."""
    tokens: list[Token] = []
    position = 0
    for match in _SPACE.finditer(text):
        _chunk_tokens(text, position, match.start(), tokens)
        space_start = match.start()
        if tokens and tokens[-1].end == space_start and text[space_start] == " ":
            tokens[-1] = Token(tokens[-1].start, tokens[-1].end, True)
            space_start += 1
        if space_start < match.end():
            tokens.append(Token(space_start, match.end(), False))
        position = match.end()
    _chunk_tokens(text, position, len(text), tokens)
    edges = list(spans)
    return _cut(tokens, {s for s, _ in edges}, {e for _, e in edges}) if edges else tokens


def _chunk_tokens(text: str, start: int, end: int, tokens: list[Token]) -> None:
    if start >= end:
        return
    position = start
    for piece in _split_chunk(text[start:end]):
        tokens.append(Token(position, position + len(piece), False))
        position += len(piece)


def _cut(tokens: list[Token], starts: set[int], ends: set[int]) -> list[Token]:
    """Split each token at the span edges that fall strictly inside it; a token's trailing space that
    a span starts on, or ends after, becomes a token of its own."""
    cuts = sorted(starts | ends)
    spaced: list[Token] = []
    for token in tokens:
        if token.ws and (token.end in starts or token.end + 1 in ends):
            spaced += [Token(token.start, token.end, False), Token(token.end, token.end + 1, False)]
        else:
            spaced.append(token)
    found: list[Token] = []
    index = 0
    for token in spaced:
        while index < len(cuts) and cuts[index] <= token.start:
            index += 1
        start = token.start
        while index < len(cuts) and cuts[index] < token.end:
            found.append(Token(start, cuts[index], False))
            start = cuts[index]
            index += 1
        found.append(Token(start, token.end, token.ws))
    return found


__all__ = ["Token", "tokenize"]
