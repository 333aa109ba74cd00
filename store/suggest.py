"""Registry suggestions: where the names and aliases of known actors occur in a paragraph.

Reports spell one actor many ways, so the registry's names and the paragraph
are compared in a *folded* form, one character of the paragraph at a time:

* case is folded and diacritics are dropped ("Ḥizbullah" is "hizbullah");
* apostrophes, ayn and hamza signs are dropped, straight or curly ("Ka'abi",
  "Ka’abi", "Kaʿabi" and "Kaabi" are one name);
* hyphens, dashes and runs of spaces are one space ("Al-Sharq" is "al sharq");
* the article "el" is "al" ("el-Shuhada", "al-Shuhada", "Al-Shuhada");
* the vowels e and o are i and u, the commonest transliteration swaps
  ("Sayyed" is "Sayyid", "Hezbollah" is "Hizbullah").

Every folded name goes into one Aho–Corasick automaton (pyahocorasick, imported
when the first paragraph is searched), so a paragraph is searched for the whole
registry in one pass. A match counts only on word boundaries of the original
text (a possessive "’s" after a name is a boundary), and a name that stands
after an article the registry left out takes the article in ("Al-Nujaba" for
the alias "Nujaba"). Overlapping matches are resolved leftmost, then longest.
Names shorter than three folded characters are not searched (too many false
hits), and an all-capitals name of up to six letters ("PMU", "IRGC") must be in
capitals in the text too.

Plain Python: no Textual here. The report screen asks only for the paragraphs
it shows, and keeps what it was told.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from store.model import Actor

MIN_FOLDED = 3  # shorter names ("US", "KH") would be found inside too many words
ACRONYM_MAX = 6  # an all-capitals name this long or shorter must be in capitals in the text

_DROP = "'’‘`´ʼʽʿʾˈ′"  # apostrophes and transliteration marks: dropped
_SPACES = "-‐‑‒–—―_\u00ad"  # hyphens, dashes and the soft hyphen: a space
_VOWELS = {"e": "i", "o": "u"}
_ARTICLE_EL = re.compile(r"(?<![^\W\d_])il(?= )")  # the article "el" once its e is folded, as a whole word


@dataclass(frozen=True)
class Suggestion:
    """A registry name found in a paragraph: `text[start:end]` names actor `actor_id`."""

    start: int
    end: int
    actor_id: str
    name: str  # the registry's name or alias that matched
    others: tuple[str, ...] = ()  # other actors with the same folded name (the analyst decides)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character as compared: "" (dropped), " " (a separator) or one folded character."""
    if char in _DROP:
        return ""
    if char in _SPACES or char.isspace():
        return " "
    if unicodedata.combining(char):
        return ""
    lower = char.lower()
    if len(lower) != 1:  # "İ" lowers to two characters: keep the first
        lower = lower[0]
    base = unicodedata.normalize("NFKD", lower)
    if base and base[0] != lower and all(unicodedata.combining(c) for c in base[1:]):
        lower = base[0]  # a letter with a diacritic: its letter
    return _VOWELS.get(lower, lower)


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the offset in `text` it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = True  # leading separators are dropped
    for offset, char in enumerate(text):
        folded = _fold_char(char) if not ("a" <= char <= "z") else _VOWELS.get(char, char)
        if not folded:
            continue
        if folded == " ":
            if previous_space:
                continue
            previous_space = True
        else:
            previous_space = False
        chars.append(folded)
        origin.append(offset)
    folded_text = "".join(chars)
    if " il " in f" {folded_text}":
        folded_text = _ARTICLE_EL.sub("al", folded_text)  # same length: offsets unchanged
    return folded_text, origin


def fold_name(name: str) -> str:
    return fold(name)[0].strip()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.combining(char) != 0


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or not _is_word_char(text[start - 1])


def _ends_word(text: str, end: int) -> bool:
    if end >= len(text) or not _is_word_char(text[end]):
        return True
    return False


def _extend_end(text: str, end: int) -> int:
    """Past the combining marks that belong to the last character of a match."""
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return end


def _possessive_end(text: str, end: int) -> bool:
    """Does a possessive "’s" follow at `end` ("Hizbullah’s")? Then the name still ends there."""
    return (
        end + 1 < len(text)
        and text[end] in "'’"
        and text[end + 1] in "sS"
        and (end + 2 >= len(text) or not _is_word_char(text[end + 2]))
    )


def _article_before(text: str, start: int) -> bool:
    """Is `text[start - 3:start]` an article and its joiner ("Al-", "al ", "el-")?"""
    if start < 3 or text[start - 3 : start - 1].casefold() not in ("al", "el"):
        return False
    joiner = text[start - 1]
    return (joiner in _SPACES or joiner == " ") and _starts_word(text, start - 3)


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return 0 < len(letters) <= ACRONYM_MAX and all(c.isupper() for c in letters) and " " not in name.strip()


class ActorMatcher:
    """Finds the registry's names in paragraph text. Build one per registry; it is cheap to ask."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        # folded name → [(actor id, name as written, is an acronym)], the canonical name first
        self._names: dict[str, list[tuple[str, str, bool]]] = {}
        for actor in sorted(actors, key=lambda a: (a.name.casefold(), a.id)):
            for name in actor.names:
                folded = fold_name(name)
                # A name with its article is also found without it ("Sharq Al-Awsat" for "Al-Sharq Al-Awsat").
                keys = [folded, folded[3:]] if folded.startswith("al ") and len(folded) > 3 + MIN_FOLDED else [folded]
                for key in keys:
                    if len(key) < MIN_FOLDED:
                        continue
                    entries = self._names.setdefault(key, [])
                    if all(actor_id != actor.id for actor_id, _n, _a in entries):
                        entries.append((actor.id, name, _is_acronym(name)))
        self._automaton: Any = None

    def __bool__(self) -> bool:
        return bool(self._names)

    def _built(self) -> Any:
        if self._automaton is None:
            import ahocorasick  # here: opening a report must not pay for it before the first frame

            automaton = ahocorasick.Automaton()
            for key in self._names:
                automaton.add_word(key, key)
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def find(self, text: str, taken: Sequence[tuple[int, int]] = ()) -> list[Suggestion]:
        """Every registry name in `text`, leftmost-longest, none overlapping each other or a range in `taken`."""
        if not self._names or not text:
            return []
        folded, origin = fold(text)
        found: list[tuple[int, int, str]] = []
        for last, key in self._built().iter(folded):
            first = last - len(key) + 1
            start, end = origin[first], _extend_end(text, origin[last] + 1)
            if not _starts_word(text, start) or not (_ends_word(text, end) or _possessive_end(text, end)):
                continue
            if not key.startswith("al ") and _article_before(text, start):
                start -= 3
            found.append((start, end, key))
        found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
        chosen: list[Suggestion] = []
        reach = 0
        for start, end, key in found:
            if start < reach or any(s < end and start < e for s, e in taken):
                continue
            quote = text[start:end]
            entries = [e for e in self._names[key] if not e[2] or _capitals(quote)]
            if not entries:
                continue
            exact = next((e for e in entries if e[1].casefold() == quote.casefold()), entries[0])
            others = tuple(actor_id for actor_id, _n, _a in entries if actor_id != exact[0])
            chosen.append(Suggestion(start, end, exact[0], exact[1], others))
            reach = end
        return chosen


def _capitals(quote: str) -> bool:
    letters = [c for c in quote if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


__all__ = ["ActorMatcher", "Suggestion", "fold", "fold_name"]
