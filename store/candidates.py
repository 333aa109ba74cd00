"""Claim candidates: sentences with a reporting cue, and what a claim on each would most likely be.

Plain, documented rules — no model, nothing downloaded — so an analyst can
predict what is offered and the tests can pin each rule on real sentences.

1. **Sentences.** A sentence ends at `.`, `!`, `?` or `…` (with any closing
   quotes, brackets or footnote markers such as `[4]` after it) followed by a
   space and a capital letter, a digit or an opening quote, or by the end of
   the paragraph. "U.S. targets" does not end a sentence: a lower-case word follows.
   Nor does a stop inside quoted speech (“…. …”): the quotation stays whole.
2. **Cues.** A sentence is a candidate when it holds a reporting verb as a whole
   word — said, says, stated, claimed, announced, reported, told, added,
   threatened, denied, confirmed, declared, warned, stressed, asserted, vowed,
   hinted, noted, explained, affirmed, insisted, revealed, accused (and their
   present forms) — or "according to". The first cue of the sentence counts.
3. **Span** (what the claim is about, the quote the form shows):
   * the quoted speech — the first “…” or "…" after the cue with at least
     three words inside — without its quotation marks;
   * else, for a passive "… was confirmed by X", what was confirmed (the
     sentence up to "was");
   * else, for "according to X, …", what follows the comma after X;
   * else, when the cue ends the sentence ("…, he added."), what comes before
     the comma that introduces the speaker;
   * else the clause after the cue, without a leading "that", ":" or ",", up
     to the end of the sentence (its final stop left out).
4. **Claimant** (who makes the claim), the first rule that names someone:
   for "according to X" and a passive "confirmed by X", X; an actor named in
   the cue's own clause ("the Saudi Al-Sharq Al-Awsat daily has reported");
   when the subject is a pronoun or "the official / the movement / the daily…",
   the previous candidate's claimant in the paragraph ("He added"), else the
   nearest actor named before the sentence (a person for "he" and "she"); the
   first actor that opens a comma-separated part before the cue ("X,
   secretary-general of Y, said": X); any actor named before the cue; else the
   nearest actor named in the paragraph, the reporting outlet aside.
   A cue after "as" ("As stated, …") refers back: it is not a cue.
5. **Reported by**: a media actor named in the sentence; else the claimant
   when it is a media actor (an outlet's own report); else the report's outlet
   (an actor id the caller resolved from the report's source), else nobody.
6. **Type** (a first guess, shown for the analyst to confirm): "intent" for
   threatened, warned, vowed; "figure" when the span holds a number of at least
   two digits followed by a word ("5,000 fighters"); else "statement".

Actors named means the paragraph's actor mentions and registry suggestions,
both given by the caller as `Named(start, end, actor_id, type)`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Present forms that are mostly nouns ("recent reports", "claims of", "the notes") are left out.
CUES = (
    "said", "says", "stated", "claimed", "announced", "announces", "reported", "told", "tells", "added", "adds",
    "threatened", "threatens", "denied", "denies", "confirmed", "confirms", "declared", "declares", "warned",
    "warns", "stressed", "stresses", "asserted", "asserts", "vowed", "hinted", "noted", "explained", "explains",
    "affirmed", "affirms", "insisted", "insists", "revealed", "reveals", "accused", "accuses",
)
INTENT_CUES = frozenset({"threatened", "threatens", "warned", "warns", "vowed"})
_CUE = re.compile(r"\b(?:according to|" + "|".join(CUES) + r")\b", re.IGNORECASE)
_PRONOUN = re.compile(r"^\W*(?:he|she|they|it|the (?:movement|group|militia|official|source|report|website|daily|statement))\b", re.I)
_PERSONAL = re.compile(r"^\W*(?:he|she)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]+(?:[\"'”’»)\]]|\[\d+\])*(?=\s+[\"“‘«(\[]?[A-Z0-9]|\s*$)")
_QUOTE = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
_FIGURE = re.compile(r"\b\d[\d,.]*\d\s+[A-Za-z]")
_LEAD = re.compile(r"[\s,:;–—-]*(?:that\b)?[\s,:;]*", re.IGNORECASE)  # used with match(): anchored where asked
_TRAIL = re.compile(r"[\s,;:.!?…”\"]+$")
_FOOTNOTE_TAIL = re.compile(r"(?:\[\d+\])+$")
_PASSIVE = re.compile(r"\s(?:was|were|is|are|has been|have been|had been)(?:\s+\w+ly|\s+also)?\s*$", re.IGNORECASE)
MIN_QUOTE_WORDS = 3


@dataclass(frozen=True)
class Named:
    """An actor named in the paragraph (a mention or a registry suggestion)."""

    start: int
    end: int
    actor_id: str
    actor_type: str


@dataclass(frozen=True)
class Candidate:
    """A sentence offered as a claim: `text[start:end]` is the sentence, `text[span_start:span_end]` the claim."""

    start: int
    end: int
    cue: str
    cue_start: int
    span_start: int
    span_end: int
    claimant: str | None
    reported_by: str | None
    claim_type: str


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of a paragraph as (start, end) offsets, spaces between them left out."""
    found: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if text.count("“", start, end) > text.count("”", start, end):
            continue  # inside quoted speech: the quotation is one sentence with what introduces it
        if text[start:end].strip():
            found.append(_strip(text, start, end))
        start = end
    if text[start:].strip():
        found.append(_strip(text, start, len(text)))
    return found


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Leading "that" and punctuation, trailing punctuation and footnote markers, left out."""
    lead = _LEAD.match(text, start, end)
    if lead:
        start = lead.end()
    full = end
    while True:
        piece = text[start:end]
        tail = _FOOTNOTE_TAIL.search(piece) or _TRAIL.search(piece)
        if not tail or tail.start() == 0:
            break
        end = start + tail.start()
    if text.count("“", start, end) > text.count("”", start, end):
        closing = text.find("”", end, full)  # a quotation the span opens is closed, stop and all
        if closing != -1:
            end = closing + 1
    return _strip(text, start, end)


def find_candidates(text: str, named: Sequence[Named] = (), outlet: str | None = None) -> list[Candidate]:
    """Every sentence of `text` with a reporting cue, with its proposed span, claimant, reported-by and type."""
    named = sorted(named, key=lambda n: n.start)
    found: list[Candidate] = []
    speaker: str | None = None  # the previous candidate's claimant: who "he added" continues
    for start, end in sentences(text):
        cue = _first_cue(text, start, end)
        if cue is None:
            continue
        span = _span(text, start, end, cue)
        if span is None:
            continue
        inside = [n for n in named if start <= n.start and n.end <= end]
        media = next((n for n in inside if n.actor_type == "media"), None)
        claimant = _claimant(text, start, cue, named, inside, speaker, media)
        reported_by = media.actor_id if media else None
        if reported_by is None and claimant is not None:
            if any(n.actor_id == claimant and n.actor_type == "media" for n in named):
                reported_by = claimant  # an outlet's own report
        word = cue.group(0).casefold()
        claim_type = "intent" if word in INTENT_CUES else "figure" if _FIGURE.search(text, span[0], span[1]) else "statement"
        found.append(Candidate(start, end, word, cue.start(), span[0], span[1], claimant, reported_by or outlet, claim_type))
        speaker = claimant
    return found


def _first_cue(text: str, start: int, end: int) -> re.Match[str] | None:
    """The sentence's first cue, "as stated" / "as reported" (a reference back, not a report) aside."""
    for cue in _CUE.finditer(text, start, end):
        if not re.search(r"\bas\s+$", text[max(start, cue.start() - 4) : cue.start()], re.IGNORECASE):
            return cue
    return None


def _span(text: str, start: int, end: int, cue: re.Match[str]) -> tuple[int, int] | None:
    lead = _LEAD.match(text, cue.end(), end)
    opening = lead.end() if lead else cue.end()
    quote = _QUOTE.match(text, opening, end)
    if quote is not None:
        group = 1 if quote.group(1) is not None else 2
        if len(quote.group(group).split()) >= MIN_QUOTE_WORDS:
            return _trim(text, quote.start(group), quote.end(group))
    auxiliary = _PASSIVE.search(text, start, cue.start())
    if auxiliary is not None and re.match(r"\s+by\b", text[cue.end() : cue.end() + 4]):
        subject = _trim(text, start, auxiliary.start())  # "This report … was also confirmed by X": what was confirmed
        if subject[0] < subject[1]:
            return subject
    if cue.group(0).casefold() == "according to":
        comma = text.find(",", cue.end(), end)
        if comma != -1:
            span = _trim(text, comma + 1, end)
            if span[0] < span[1]:
                return span
    after = _trim(text, cue.end(), end)
    if after[1] - after[0] < 3 or not re.search(r"\w", text[after[0] : after[1]]):
        # The cue ends the sentence ("…, he added."): the claim is what comes before the speaker.
        comma = text.rfind(",", start, cue.start())
        if comma == -1:
            return None
        before = _trim(text, start, comma)
        return before if before[0] < before[1] else None
    return after


def _claimant(
    text: str,
    start: int,
    cue: re.Match[str],
    named: Sequence[Named],
    inside: Sequence[Named],
    speaker: str | None,
    media: Named | None,
) -> str | None:
    """Who makes the claim (rule 4 of the module docstring)."""
    if cue.group(0).casefold() == "according to":
        source = next((n for n in inside if n.start >= cue.end()), None)
        if source is not None and text.find(",", cue.end(), source.start) == -1:
            return source.actor_id
    passive = re.match(r"\s+by\b", text[cue.end() : cue.end() + 4])
    if passive:  # "was confirmed by X": X (an outlet among the agents first: "by the pro-H daily Al-Akhbar")
        agents = [n for n in inside if n.start >= cue.end()]
        agent = next((n for n in agents if n.actor_type == "media"), agents[0] if agents else None)
        if agent is not None:
            return agent.actor_id
    before_cue = [n for n in inside if n.end <= cue.start()]
    clause_start = max(start, text.rfind(",", start, cue.start()) + 1)
    subject = text[clause_start : cue.start()]
    # The cue's own clause names someone: "the Saudi Al-Sharq Al-Awsat daily has reported".
    in_clause = [n for n in before_cue if n.start >= clause_start]
    if in_clause:
        return in_clause[0].actor_id
    if _PRONOUN.match(subject) or _PRONOUN.match(text[start : cue.start()]):
        if speaker is not None:
            return speaker  # "He added": the previous speaker goes on
        earlier = [n for n in named if n.end <= start]
        if _PERSONAL.match(subject) or _PERSONAL.match(text[start : cue.start()]):
            earlier = [n for n in earlier if n.actor_type == "person"] or earlier
        return earlier[-1].actor_id if earlier else None
    # "X, secretary-general of Y, said": the subject opens a comma-separated part before the cue.
    opening = [n for n in before_cue if _opens_clause(text, start, n.start)]
    if opening:
        return opening[0].actor_id
    if before_cue:
        return before_cue[0].actor_id
    # Nobody named before the cue: the nearest actor named, the outlet that reported it aside.
    others = [n for n in named if media is None or n.actor_id != media.actor_id]
    if not others:
        return None
    nearest = min(others, key=lambda n: min(abs(n.start - cue.start()), abs(n.end - cue.start())))
    return nearest.actor_id


def _opens_clause(text: str, sentence_start: int, at: int) -> bool:
    """Does a comma-separated part of the sentence begin at `at` (the sentence's start, or after a comma)?"""
    before = text[sentence_start:at].rstrip()
    return not before or before[-1] in ",;:"


__all__ = ["CUES", "Candidate", "Named", "find_candidates", "sentences"]
