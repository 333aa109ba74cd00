"""Fuzzy matching of what an analyst typed (or selected) against the actor registry.

Reports spell one actor many ways: "Sayyid" / "Sayyed Al-Shuhada Brigades",
"Arabic Post" / "Trabic Post", "Al-Ka’abi" / "Kaabi". Names and the query are
first normalised (diacritics, apostrophes and ayns, hyphens, the article "al-"),
then scored with rapidfuzz against the canonical name and every alias. Plain
Python: no Textual here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from store.model import Actor, Report
from store.suggest import fold_name

# Apostrophes, ayn/hamza signs and backticks that transliterations sprinkle into names.
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼʽʿʾˈ′"), None)
# Hyphens, dashes and other joiners count as spaces ("Al-Shuhada" is "al shuhada").
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_/\\.,;:()\[\]{}\"“”«»]+")
# Articles that come and go between spellings ("Al-Ka’abi" and "Kaabi").
_ARTICLES = frozenset({"al", "el", "the"})
# Ignored when building initials ("Islamic Republic of Iran" is "IRI").
_MINOR_WORDS = frozenset({"of", "and", "for", "in", "on", "de", "du", "la", "le"})

EXACT = 100.0
PREFIX_BONUS = 5.0  # every typed word starts a word of the name: "ka" → "Kaabi", not "Harakat"
START_BONUS = 2.0  # ...and the name itself starts with it: "hez" → "Hezbollah" before "Kata'ib Hezbollah"
ACRONYM = 90.0
MIN_SCORE = 70.0  # below this a candidate is noise (WRatio gives ~60 to two random short words)
# A match this good is what the analyst meant: enter takes it. Below, it is only offered and enter creates
# the name as typed ("Muhammad Al-Tamimi" scores 72 against "Hamas": listed, never taken by enter).
CONFIDENT_SCORE = 85.0
WHOLE_NAME_RATIO = 75.0
WORD_RATIO = 80.0
SHORT_QUERY = 3  # queries shorter than this only match at the start of a word


@dataclass(frozen=True)
class ActorMatch:
    actor: Actor
    name_matched: str  # the canonical name or the alias that scored best
    score: float  # 0-100; 100 means the normalised names are equal


def normalise(name: str) -> str:
    """A comparison key: casefolded, no diacritics, apostrophes, hyphens or "al-" articles."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold().translate(_APOSTROPHES)
    words = [w for w in _SEPARATORS.split(folded) if w]
    kept = [w for w in words if w not in _ARTICLES]
    return " ".join(kept or words)  # a name that is only "Al" stays "al"


def _initials(words: list[str]) -> set[str]:
    full = "".join(w[0] for w in words)
    major = "".join(w[0] for w in words if w not in _MINOR_WORDS)
    return {full, major} if len(words) > 1 else set()


def _is_word_prefix(query_words: list[str], name_words: list[str]) -> bool:
    """Every typed word begins some word of the name (each name word used once)."""
    free = list(name_words)
    for typed in query_words:
        for i, word in enumerate(free):
            if word.startswith(typed):
                del free[i]
                break
        else:
            return False
    return True


def score_name(query: str, name: str) -> float:
    """How well the normalised `query` matches the normalised `name` (0-100)."""
    if not query or not name:
        return 0.0
    if query == name:
        return EXACT
    query_words, name_words = query.split(), name.split()
    prefix = _is_word_prefix(query_words, name_words)
    bonus = (PREFIX_BONUS if prefix else 0.0) + (START_BONUS if name.startswith(query) else 0.0)
    if len(query) < SHORT_QUERY:
        return 90.0 + bonus if prefix else 0.0
    score = fuzz.WRatio(query, name) + bonus
    if " " not in query and query in _initials(name_words):
        score = max(score, ACRONYM)
    return min(score, EXACT - 1)  # only equal names score 100


def confident(query: str, matches: list[ActorMatch]) -> bool:
    """Whether the best of `matches` is surely the actor meant (then enter takes it, else enter creates the name).

    Surely: it scores CONFIDENT_SCORE (a prefix, an acronym, a near spelling), or the
    whole of what was typed is as close to the whole name as a variant spelling is
    (Hezbollah / Hizbullah); not a long new name that merely contains a short one.
    """
    if not matches:
        return False
    best = matches[0]
    if best.score >= CONFIDENT_SCORE:
        return True
    if best.score < MIN_SCORE:
        return False
    typed, name = normalise(query), normalise(best.name_matched)
    if fuzz.ratio(typed, name) >= WHOLE_NAME_RATIO:
        return True
    # Every typed word a variant of a word of the name ("sayyed" for Sayyid Al-Shuhada Brigades).
    return all(any(fuzz.ratio(word, part) >= WORD_RATIO for part in name.split()) for word in typed.split())


def match_actors(query: str, actors: Iterable[Actor], limit: int | None = 8) -> list[ActorMatch]:
    """The actors whose name or an alias matches `query`, best first (at most `limit`; None: all).

    An empty query lists every actor alphabetically.
    """
    actors = list(actors)
    wanted = normalise(query)
    if not wanted:
        ordered = sorted(actors, key=lambda a: (a.name.casefold(), a.id))
        return [ActorMatch(a, a.name, EXACT) for a in ordered[:limit]]
    found: list[ActorMatch] = []
    for actor in actors:
        best_name, best = actor.name, 0.0
        for name in actor.names:  # the canonical name first: it wins ties
            score = score_name(wanted, normalise(name))
            if score > best:
                best_name, best = name, score
        if best >= MIN_SCORE:
            found.append(ActorMatch(actor, best_name, best))
    found.sort(key=lambda m: (-m.score, m.actor.name.casefold(), m.actor.id))
    return found[:limit]


REPORT_MIN_SCORE = 80.0  # a report matches when every typed word is this close to a word of its facts


def report_haystack(report: Report) -> str:
    """What the library's filter searches: title, source file, regions, date and dispatch number."""
    return fold_name(" ".join([report.title, report.source.rsplit("/", 1)[-1], *report.regions, report.date or "",
                                report.dispatch_number or ""]))


def match_reports(query: str, reports: Iterable[Report]) -> list[Report]:
    """The reports whose facts match `query` (fuzzy: "sayed harbor 2023-10" finds "Sayyid … Harbour", October 2023).

    Each typed word must be close to some part of the report's facts (rapidfuzz's
    partial ratio: a typo or another transliteration still matches); the order is kept.
    """
    words = fold_name(query).split()  # folded as registry suggestions are: Sayyed is Sayyid, harbor is harbour
    if not words:
        return list(reports)
    found = []
    for report in reports:
        haystack = report_haystack(report)
        if all(word in haystack or fuzz.partial_ratio(word, haystack) >= REPORT_MIN_SCORE for word in words):
            found.append(report)
    return found


__all__ = ["CONFIDENT_SCORE", "ActorMatch", "confident", "match_actors", "match_reports", "normalise", "report_haystack", "score_name"]
