"""The claims ledger: every claim of the database as rows, filtered and sorted within a keystroke.

What it holds. One row per claim (of every report, every revision): report,
report date, paragraph, claimant, reported-by, type, grade, reviewer, text, and
what its links say (independent sources for and against, the suggested
credibility digit: store/corroboration.py). Rows are columns of `array`s and
lists, not objects: 100,000 claims take some 40 MB, most of it their text.

How it is built. Report by report (`build`): a report's annotation shards are
read, its claims become rows and its actor mentions become the set of actors
named in each paragraph, and the documents are dropped before the next report
is read, so building holds one report's documents at a time. Reports are read
newest first, each in reading order, which is the ledger's default order: the
first report read gives the first screen of the table (`build(first=...)`).

How a filter stays within a keystroke at 100,000 rows. Every criterion becomes
a *mask*, one byte per row (1: the row passes), built once and kept (`_masks`):
a claim type, a grade threshold, an actor, a report range. A word of the text
filter is looked up in a word index built with the rows (each word of every
claim's folded text → the rows that hold it): the word's mask is the union of
the rows of every indexed word it begins, plus words within a typo of it
(rapidfuzz, only when the word has four letters or more). Masks are combined
as Python integers (`int.from_bytes`, `&`), one C loop over 100 KB; the rows to
show are then read off the sort's permutation with `itertools.compress` — a C
loop too, and lazy: the first screen costs a few hundred rows, not 100,000.
So no Python loop over every row runs on a keystroke once a word's mask is
known; a new word costs the size of its postings.

How it stays current. Rows are never changed in place: a claim that changes is
*retired* (its row masked out) and appended again, so every index (words,
actors, postings) only grows, and a mask built before stays right for the rows
it covers. `LedgerKeeper` applies the session's own changes at once
(`apply(change)`) and, on request, reads what other processes changed
(`look`, off the UI thread: a stat of every shard, then only the changed
reports) and applies it (`apply_refresh`). When too many rows are retired, the
keeper says so and the ledger is built again.

Link ranking (`Ledger.rank`): the claims most like one claim, across every
report — shared informative words (rare ones weigh more) and shared actors
pick a few hundred candidates from the postings, then rapidfuzz scores their
text. Never a pass comparing every claim with every other.

Plain Python: no Textual. The TUI's claims screen, the link picker and
`claimdesk claims` all read it.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
import os
import re
import time
import unicodedata
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, islice, repeat
from pathlib import Path
from typing import Any

from store.corroboration import CANNOT_JUDGE, Affiliations, Corroboration, Source, corroboration, disagrees, suggest
from store.errors import NotFound, StoreError
from store.model import CLAIM_TYPES, RELIABILITY, Actor, Link, Report

TYPES = tuple(CLAIM_TYPES)
TYPE_INDEX = {name: i for i, name in enumerate(TYPES)}
OTHER_TYPE = TYPES.index("other")
RELIABILITY_LETTERS = tuple(RELIABILITY)  # A-F; a row stores 1-6 (0: not graded)
LETTER_INDEX = {letter: i + 1 for i, letter in enumerate(RELIABILITY_LETTERS)}
DIGITS = {digit: digit for digit in range(1, 7)}
FIRST_ROWS = 200  # rows enough for the first screen: `build` shows them before reading the rest
RETIRED_LIMIT = 0.3  # beyond this share of retired rows the keeper asks for a new build

# ------------------------------------------------------------------ text folding

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼʽʿʾˈ′"), None)
_COMBINING = re.compile("[\u0300-\u036f\u064b-\u065f\u0670]")  # Latin accents, Arabic harakat and dagger alif
_DIGIT_GROUP = re.compile(r"(?<=\d)[,\u00a0\u202f](?=\d{3})")  # "5,000" is the word 5000
WORD = re.compile(r"\w+")
# Words in nearly every claim: not indexed (a filter word that is one of them filters nothing).
UNINDEXED = frozenset("a an and are as at be by for from in into is it of on or that the to was were with".split())
STOPWORDS = frozenset(
    "a an and are as at be been by for from had has have he her his in into is it its of on or said says "
    "that the their them they this to was were which will with would".split()
)


def fold(text: str) -> str:
    """Text as the filter compares it: casefolded, no accents or harakat, no apostrophes, 5,000 → 5000."""
    folded = text.casefold().translate(_APOSTROPHES)
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    if "," in folded or not folded.isascii():
        folded = _DIGIT_GROUP.sub("", folded)
    return folded


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (what the word index and the query both use)."""
    return WORD.findall(fold(text))


# ----------------------------------------------------------------------- masks


def _ones(n: int, rows: Iterable[int], into: bytearray | None = None) -> bytearray:
    """A mask of `n` rows with 1 at each of `rows` (a C loop: map over the row ids)."""
    mask = into if into is not None else bytearray(n)
    deque(map(mask.__setitem__, rows, repeat(1)), maxlen=0)
    return mask


def _and(a: bytes, b: bytes) -> bytes:
    n = len(a)
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(n, "little")


def _or(a: bytes, b: bytes) -> bytes:
    n = len(a)
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(n, "little")


# -------------------------------------------------------------------- criteria

ROLES = {"actor": "any", "claimant": "claimant", "outlet": "reported_by", "reported-by": "reported_by", "mentions": "mentioned"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TERM = re.compile(r'(?P<key>[a-z-]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>\S*))|"(?P<phrase>[^"]*)"?|(?P<word>\S+)')


@dataclass(frozen=True)
class Criteria:
    """What a ledger shows: each field narrows it; several values of one field widen it (any of them).

    `words` is the fuzzy text filter (every word must match). Actors are (role, name) with role
    "any", "claimant", "reported_by" or "mentioned" (named by an actor mention in the claim's
    paragraph). Grades are thresholds: reliability "B" keeps A and B, credibility 3 keeps 1-3;
    an ungraded half fails a threshold. Dates are the report's date (YYYY, YYYY-MM or YYYY-MM-DD),
    inclusive. `linked`: True only linked claims, False only unlinked ones. `disagrees`: only claims
    whose own credibility digit differs from the one their links suggest (store/corroboration.py).
    """

    words: tuple[str, ...] = ()
    actors: tuple[tuple[str, str], ...] = ()
    min_reliability: str | None = None
    min_credibility: int | None = None
    types: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    reviewers: tuple[str, ...] = ()
    linked: bool | None = None
    disagrees: bool = False
    problems: tuple[str, ...] = ()  # what a typed query held that is not understood (shown, then ignored)

    @property
    def is_empty(self) -> bool:
        return self == Criteria(problems=self.problems)


QUERY_HELP = (
    "words (fuzzy) · actor:NAME claimant: outlet: mentions: · type:figure · grade:B3 (or B, or 3) · "
    "report:ID · since:2023-10 until: · reviewer:NAME · is:linked is:unlinked is:disagreeing"
)


def parse_query(query: str) -> Criteria:
    """The ledger's filter line → Criteria. `key:value` terms are criteria, `key:"two words"` quotes;
    anything else is a word of the text filter (an unknown `key:` too, so "10:30" still searches)."""
    found: dict[str, Any] = {"words": [], "actors": [], "types": [], "reports": [], "reviewers": [], "problems": []}
    for match in _TERM.finditer(query):
        key = match["key"]
        value = match["quoted"] if match["quoted"] is not None else match["value"]
        if key is None or (key not in ROLES and key not in ("type", "grade", "report", "since", "until", "reviewer", "is")):
            text = match["phrase"] if match["phrase"] is not None else match.group()
            found["words"] += words(text)
            continue
        value = (value or "").strip()
        if not value:
            found["problems"].append(f"{key}: needs a value")
        elif key in ROLES:
            found["actors"].append((ROLES[key], value))
        elif key == "type":
            claim_type = claim_type_named(value)
            if claim_type is None:
                found["problems"].append(f"type:{value} is not a claim type ({', '.join(TYPES)})")
            else:
                found["types"].append(claim_type)
        elif key == "grade":
            try:
                found["min_reliability"], found["min_credibility"] = parse_grade(value)
            except ValueError as error:
                found["problems"].append(str(error))
        elif key in ("since", "until"):
            if DATE.match(value):
                found[key] = value
            else:
                found["problems"].append(f"{key}:{value} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        elif key == "report":
            found["reports"].append(value)
        elif key == "reviewer":
            found["reviewers"].append(value)
        elif key == "is":
            flag = value.casefold()
            if flag in ("linked", "unlinked"):
                found["linked"] = flag == "linked"
            elif flag in ("disagreeing", "disagrees", "disagree"):
                found["disagrees"] = True
            else:
                found["problems"].append(f"is:{value}: say is:linked, is:unlinked or is:disagreeing")
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in found.items()}
    return Criteria(**fields)


def claim_type_named(value: str) -> str | None:
    """A claim type by its key, its label or the start of either ("fig" → "figure")."""
    wanted = value.strip().casefold()
    for key, label in CLAIM_TYPES.items():
        if wanted in (key, label.casefold()) or key.startswith(wanted) or label.casefold().startswith(wanted):
            return key
    return None


def parse_grade(value: str) -> tuple[str | None, int | None]:
    """`B3` → ("B", 3); `B` → ("B", None); `3` → (None, 3)."""
    text = value.strip().upper()
    letter = text[:1] if text[:1] in RELIABILITY else None
    rest = text[1:] if letter else text
    digit = int(rest) if rest.isdigit() and 1 <= int(rest) <= 6 else None
    if (letter is None and digit is None) or (rest and digit is None):
        raise ValueError(f"grade:{value} is not a grade (a letter A-F, a digit 1-6, or both, like B3)")
    return letter, digit


# ------------------------------------------------------------------ the ledger


@dataclass(frozen=True)
class ReportFacts:
    id: str
    title: str
    date: str | None
    revision: str  # its current revision
    rank: int  # its place in the default order (newest first)


@dataclass(frozen=True)
class Sort:
    column: str = "paragraph"  # see COLUMNS
    descending: bool = False


# What each column sorts by, and which way first (a second press of `s` on it reverses it).
COLUMNS = {
    "report": "report title",
    "date": "report date",
    "paragraph": "report (newest first), then paragraph",
    "claimant": "claimant",
    "reported_by": "reported by",
    "type": "claim type",
    "grade": "grade (best first)",
    "suggested": "suggested credibility",
    "links": "links",
    "text": "claim text",
    "reviewer": "reviewer",
}
DESCENDING_FIRST = frozenset({"date", "links"})


@dataclass
class Candidate:
    """A claim the link picker offers, with why it ranks where it does."""

    row: int
    score: float
    text_score: float
    shared_words: tuple[str, ...]
    shared_actors: tuple[str, ...]  # actor ids


@dataclass
class Shown:
    """The rows a filter and a sort leave, materialised only as far as the screen has looked."""

    count: int
    _source: Iterator[int] | None = None
    _rows: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, position: int) -> int:
        if position < 0:
            position += self.count
        if not 0 <= position < self.count:
            raise IndexError(position)
        rows = self._rows
        if position >= len(rows) and self._source is not None:
            rows.extend(islice(self._source, max(position + 1 - len(rows), 256)))
        return rows[position]

    def rows(self, start: int = 0, stop: int | None = None) -> list[int]:
        stop = self.count if stop is None else min(stop, self.count)
        if stop > start:
            self[stop - 1]
        return self._rows[start:stop]


class Ledger:
    """Every claim as a row; see the module docstring for how it is kept and filtered."""

    def __init__(self, reports: Sequence[Report], actors: Iterable[Actor]) -> None:
        # caches (see _invalidate) and what each file looked like when read (LedgerKeeper)
        self._masks: dict[Any, bytes] = {}
        self._perms: dict[Any, array] = {}
        self.signatures: dict[str, Any] = {}
        self.problems: list[str] = []
        self.building = False  # set by `build`: rows come in bulk, caches and counts are made once at the end
        self.ordered = True  # rows are in the default order (built newest report first, each in reading order)
        self.partial = False  # a preview of the first reports, shown while the rest (and the links) are read
        # reports, newest first
        self.reports: list[ReportFacts] = []
        self.report_index: dict[str, int] = {}
        self.report_rows: list[list[int]] = []  # the rows of each report
        for report in reports:
            self._add_report(report)
        # actors (an index per actor id; names come from the registry when shown or sorted)
        self.actor_ids: list[str] = []
        self.actor_index: dict[str, int] = {}
        self.actors: dict[str, Actor] = {}
        self.affiliations = Affiliations({})
        self.set_actors(actors)
        self.reviewers: list[str] = []
        self.reviewer_index: dict[str, int] = {}
        self.revisions: list[str] = []
        self.revision_index: dict[str, int] = {}
        # rows
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.row_report = array("i")
        self.row_revision = array("i")
        self.paragraph = array("i")
        self.start = array("i")  # the span's start (-1: the whole paragraph)
        self.claimant = array("i")  # actor index, -1: none
        self.reported_by = array("i")
        self.type = array("b")
        self.reliability = array("b")  # 1-6 for A-F, 0 not graded
        self.credibility = array("b")  # 1-6, 0 not graded
        self.reviewer = array("i")
        self.version = array("i")  # the stored document's rev
        self.row_paragraph = array("i")  # index into self.paragraphs
        self.live = bytearray()
        self.orphaned: set[int] = set()  # rows of claims a new revision could not place (store.reanchor)
        self.row_of: dict[str, int] = {}  # claim id → its live row
        self.retired = 0
        # paragraphs: (report, revision, number) → the actors mentioned in it (mention id → actor index)
        self.paragraphs: list[dict[str, int]] = []
        self.paragraph_index: dict[tuple[int, int, int], int] = {}
        self.paragraph_rows: list[list[int]] = []  # claim rows of each paragraph
        # indexes
        self.postings: dict[str, array] = {}  # folded word → rows holding it
        self.actor_rows: dict[int, array] = {}  # actor index → rows naming it in any role
        self.mention_rows: dict[int, array] = {}  # actor index → rows of paragraphs that mention it
        self._vocabulary: list[str] | None = None
        # links, and what they say of each row
        self.links: dict[str, Link] = {}
        self.links_of: dict[str, list[str]] = {}  # claim id → link ids
        self.confirming = array("H")  # independent outlets confirming
        self.contradicting = array("H")
        self.link_count = array("H")  # links of any relation
        self.suggested = array("b")
        self.disagree = bytearray()

    # ------------------------------------------------------------- tables

    def _add_report(self, report: Report) -> int:
        index = len(self.reports)
        self.reports.append(ReportFacts(report.id, report.title, report.date, report.revision, index))
        self.report_index[report.id] = index
        self.report_rows.append([])
        return index

    def set_reports(self, reports: Sequence[Report]) -> None:
        """The library's reports in their default order (newest first); new ones are added, ranks follow the order."""
        for report in reports:
            if report.id not in self.report_index:
                self._add_report(report)
        order = {report.id: rank for rank, report in enumerate(reports)}
        by_id: dict[str, Report] = {report.id: report for report in reports}
        missing = len(order)
        for i, facts in enumerate(self.reports):
            found = by_id.get(facts.id)
            self.reports[i] = replace(
                facts,
                title=found.title if found else facts.title,
                date=found.date if found else facts.date,
                revision=found.revision if found else facts.revision,
                rank=order.get(facts.id, missing + i),
            )
            if found is None:  # gone from the library: its claims go too
                for row in self.report_rows[i]:
                    self.retire(row)
        self.ordered = False
        self._invalidate(rows=True)

    def set_actors(self, actors: Iterable[Actor]) -> None:
        self.actors = {actor.id: actor for actor in actors}
        for actor_id in self.actors:
            self._actor(actor_id)
        self.affiliations = Affiliations({a.id: a.affiliation for a in self.actors.values()})
        self._invalidate(names=True)

    def _actor(self, actor_id: Any) -> int:
        if not isinstance(actor_id, str):
            return -1
        index = self.actor_index.get(actor_id)
        if index is None:
            index = self.actor_index[actor_id] = len(self.actor_ids)
            self.actor_ids.append(actor_id)
        return index

    def _intern(self, value: str, table: list[str], index: dict[str, int]) -> int:
        found = index.get(value)
        if found is None:
            found = index[value] = len(table)
            table.append(value)
        return found

    def actor_name(self, actor_index: int) -> str:
        if actor_index < 0:
            return ""
        actor = self.actors.get(self.actor_ids[actor_index])
        return actor.name if actor is not None else "(removed actor)"

    # --------------------------------------------------------------- rows

    def __len__(self) -> int:
        """How many claims (live rows)."""
        return len(self.ids) - self.retired

    @property
    def size(self) -> int:
        """How many rows, retired ones included (the length of every mask)."""
        return len(self.ids)

    def add_documents(self, report_id: str, docs: Iterable[dict[str, Any]]) -> None:
        """One report's stored annotations (a report read, or read again): mentions first, then claims in reading order."""
        index = self.report_index.get(report_id)
        if index is None:
            return
        claims: list[dict[str, Any]] = []
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                continue
            if doc.get("kind") == "actor":
                self._mention(index, doc)
            elif doc.get("kind") == "claim" and isinstance(doc.get("claim"), dict):
                claims.append(doc)
        claims.sort(key=_reading_order)
        for doc in claims:
            self._append(index, doc)

    def _paragraph_of(self, report: int, doc: dict[str, Any]) -> int:
        number: int = doc["paragraph"] if isinstance(doc.get("paragraph"), int) else 0
        revision = self._intern(str(doc.get("revision", "")), self.revisions, self.revision_index)
        key = (report, revision, number)
        found = self.paragraph_index.get(key)
        if found is None:
            found = self.paragraph_index[key] = len(self.paragraphs)
            self.paragraphs.append({})
            self.paragraph_rows.append([])
        return found

    def _mention(self, report: int, doc: dict[str, Any]) -> None:
        """An actor mention: its actor is named in its paragraph (claims already there get rows again)."""
        paragraph = self._paragraph_of(report, doc)
        actor = self._actor(doc.get("actor_id"))
        named = self.paragraphs[paragraph]
        if named.get(doc["id"], -2) == actor:
            return
        if actor < 0:
            named.pop(doc["id"], None)
        else:
            named[doc["id"]] = actor
        self._renew_paragraph(paragraph)

    def _unmention(self, mention_id: str) -> None:
        for paragraph, named in enumerate(self.paragraphs):
            if mention_id in named:
                del named[mention_id]
                self._renew_paragraph(paragraph)
                return

    def _renew_paragraph(self, paragraph: int) -> None:
        """The paragraph's mentions changed: its claims are appended again, indexed with the new actors."""
        rows = [row for row in self.paragraph_rows[paragraph] if self.live[row]]
        for row in rows:
            self._reappend(row)

    def _reappend(self, row: int) -> int:
        claim_id = self.ids[row]
        self.retire(row)
        new = len(self.ids)
        self.ids.append(claim_id)
        self.texts.append(self.texts[row])
        for column in (self.row_report, self.row_revision, self.paragraph, self.start, self.claimant, self.reported_by,
                       self.type, self.reliability, self.credibility, self.reviewer, self.version, self.row_paragraph):
            column.append(column[row])
        self.paragraph_rows[self.row_paragraph[new]].append(new)
        self.report_rows[self.row_report[new]].append(new)
        if row in self.orphaned:
            self.orphaned.add(new)
        self._index_row(new, words_of=self.texts[row])
        return new

    def _append(self, report: int, doc: dict[str, Any]) -> int | None:
        try:
            claim = doc["claim"]
            text = claim.get("text") if isinstance(claim.get("text"), str) else ""
            span = doc.get("span")
            start: int = span["start"] if isinstance(span, dict) and type(span.get("start")) is int else -1
            grade: dict[str, Any] = doc["credibility"] if isinstance(doc.get("credibility"), dict) else {}
            letter = grade.get("reliability")
            digit = grade.get("credibility")
            claim_type = claim.get("type")
            paragraph = self._paragraph_of(report, doc)
            number = doc["paragraph"] if isinstance(doc.get("paragraph"), int) else 0
        except (AttributeError, TypeError) as error:
            self.problems.append(f"report {self.reports[report].id}: claim {doc.get('id')!s:.40} is malformed ({error}); left out")
            return None
        old = self.row_of.get(doc["id"])
        if old is not None:
            self.retire(old)
        row = len(self.ids)
        self.ids.append(doc["id"])
        self.texts.append(text)
        self.row_report.append(report)
        self.row_revision.append(self._intern(str(doc.get("revision", "")), self.revisions, self.revision_index))
        self.paragraph.append(number)
        self.start.append(start)
        self.claimant.append(self._actor(claim.get("claimant")))
        self.reported_by.append(self._actor(claim.get("reported_by")))
        self.type.append(TYPE_INDEX.get(claim_type, OTHER_TYPE) if isinstance(claim_type, str) else OTHER_TYPE)
        self.reliability.append(LETTER_INDEX.get(letter, 0) if isinstance(letter, str) else 0)
        self.credibility.append(DIGITS.get(digit, 0) if type(digit) is int else 0)
        reviewer: str = doc["reviewer"] if isinstance(doc.get("reviewer"), str) else ""
        self.reviewer.append(self._intern(reviewer, self.reviewers, self.reviewer_index))
        self.version.append(doc["rev"] if type(doc.get("rev")) is int else 0)
        self.row_paragraph.append(paragraph)
        self.paragraph_rows[paragraph].append(row)
        self.report_rows[report].append(row)
        if isinstance(doc.get("orphaned"), dict):
            self.orphaned.add(row)
        self._index_row(row, words_of=text)
        return row

    def _index_row(self, row: int, words_of: str) -> None:
        """Word and actor postings of a new row, its link counts, its place in the live set."""
        if not self.building:
            self.ordered = False  # appended after the build: the default order must be sorted again
        self.live.append(1)
        self.row_of[self.ids[row]] = row
        postings = self.postings
        new_words = False
        for word in set(WORD.findall(fold(words_of))).difference(UNINDEXED):
            found = postings.get(word)
            if found is None:
                found = postings[word] = array("I")
                new_words = True
            found.append(row)
        if new_words:
            self._vocabulary = None
        mentioned = self.paragraphs[self.row_paragraph[row]]
        if mentioned:
            for actor in set(mentioned.values()):
                self.mention_rows.setdefault(actor, array("I")).append(row)
        for actor in self.row_actors(row):
            self.actor_rows.setdefault(actor, array("I")).append(row)
        self.confirming.append(0)
        self.contradicting.append(0)
        self.link_count.append(0)
        self.suggested.append(CANNOT_JUDGE)
        self.disagree.append(0)
        if self.building:
            return
        if self.ids[row] in self.links_of:
            self.recount([self.ids[row]])
        self._invalidate(rows=True)

    def retire(self, row: int) -> None:
        if self.live[row]:
            self.live[row] = 0
            self.retired += 1
            if self.row_of.get(self.ids[row]) == row:
                del self.row_of[self.ids[row]]
            self._invalidate(rows=True)

    def remove(self, annotation_id: str) -> None:
        """An annotation deleted: a claim's row is retired; a mention leaves its paragraph."""
        row = self.row_of.get(annotation_id)
        if row is not None:
            self.retire(row)
        else:
            self._unmention(annotation_id)

    def upsert(self, report_id: str, doc: dict[str, Any]) -> None:
        """One stored annotation, new or changed (a version already shown is left as it is)."""
        report = self.report_index.get(report_id)
        if report is None or not isinstance(doc.get("id"), str):
            return
        if doc.get("kind") == "actor":
            self._mention(report, doc)
            return
        if doc.get("kind") != "claim" or not isinstance(doc.get("claim"), dict):
            return
        row = self.row_of.get(doc["id"])
        if row is not None and self.version[row] == doc.get("rev") and self.texts[row] == doc["claim"].get("text"):
            return
        self._append(report, doc)

    def row_actors(self, row: int) -> set[int]:
        """The actors a claim names (claimant, reported-by) and those mentioned in its paragraph."""
        found = set(self.paragraphs[self.row_paragraph[row]].values())
        found.update(a for a in (self.claimant[row], self.reported_by[row]) if a >= 0)
        return found

    def _invalidate(self, rows: bool = False, names: bool = False, links: bool = False) -> None:
        if rows:
            self._masks.clear()
            self._perms.clear()
            return
        if names:
            self._perms = {k: v for k, v in self._perms.items() if k[0] not in ("claimant", "reported_by")}
            self._masks = {k: v for k, v in self._masks.items() if k[0] not in ("actor",)}
        if links:
            self._perms = {k: v for k, v in self._perms.items() if k[0] not in ("links", "suggested")}
            self._masks = {k: v for k, v in self._masks.items() if k[0] not in ("linked", "disagree")}

    # ------------------------------------------------------------ reading a row

    def report_of(self, row: int) -> ReportFacts:
        return self.reports[self.row_report[row]]

    def grade_code(self, row: int) -> str:
        letter, digit = self.reliability[row], self.credibility[row]
        if not letter and not digit:
            return ""
        return f"{RELIABILITY_LETTERS[letter - 1] if letter else '?'}{digit or '?'}"

    def type_name(self, row: int) -> str:
        return TYPES[self.type[row]]

    def is_current(self, row: int) -> bool:
        """Is the claim on its report's current revision (else the report has changed since)?"""
        return self.revisions[self.row_revision[row]] == self.report_of(row).revision

    def source(self, row: int) -> Source:
        claimant, reported_by = self.claimant[row], self.reported_by[row]
        return Source(
            self.ids[row], self.report_of(row).id, self.paragraph[row], self.revisions[self.row_revision[row]],
            self.actor_ids[claimant] if claimant >= 0 else None, self.actor_ids[reported_by] if reported_by >= 0 else None,
        )

    def source_of(self, claim_id: str) -> Source | None:
        row = self.row_of.get(claim_id)
        return self.source(row) if row is not None else None

    def outlet_name(self, outlet: str) -> str:
        """An outlet key (store.corroboration.Source.outlet) in words."""
        kind, _, key = outlet.partition(":")
        if kind == "actor":
            actor = self.actors.get(key)
            return actor.name if actor else "(removed actor)"
        index = self.report_index.get(key)
        return f"report “{self.reports[index].title}”" if index is not None else f"report {key}"

    def corroboration(self, row: int) -> Corroboration:
        """The full account of a row's links (the arrays keep only the counts)."""
        return corroboration(self.source(row), (self.links[i] for i in self.links_of.get(self.ids[row], ())),
                             self.source_of, self.affiliations)

    def links_of_claim(self, claim_id: str) -> list[Link]:
        return [self.links[i] for i in self.links_of.get(claim_id, ())]

    # ------------------------------------------------------------------ links

    def set_links(self, links: Iterable[Link]) -> None:
        """Every link between claims (replacing what was there); the counts of every touched claim follow."""
        before = set(self.links_of)
        self.links = {link.id: link for link in links}
        self.links_of = {}
        for link in self.links.values():
            self.links_of.setdefault(link.from_claim, []).append(link.id)
            self.links_of.setdefault(link.to_claim, []).append(link.id)
        self.recount(before | set(self.links_of))

    def put_link(self, link: Link | None, link_id: str) -> None:
        """One link added, changed (None: deleted)."""
        old = self.links.pop(link_id, None)
        touched: set[str] = set()
        if old is not None:
            for end in (old.from_claim, old.to_claim):
                ids = self.links_of.get(end, [])
                if link_id in ids:
                    ids.remove(link_id)
                if not ids:
                    self.links_of.pop(end, None)
                touched.add(end)
        if link is not None:
            self.links[link.id] = link
            for end in (link.from_claim, link.to_claim):
                self.links_of.setdefault(end, []).append(link.id)
                touched.add(end)
        self.recount(touched)

    def recount(self, claim_ids: Iterable[str]) -> None:
        """Recount the links of these claims, and of the claims linked to them (their sources may have changed)."""
        wanted = set(claim_ids)
        for claim_id in list(wanted):
            for link_id in self.links_of.get(claim_id, ()):
                wanted.add(self.links[link_id].other(claim_id)[1])
        for claim_id in wanted:
            row = self.row_of.get(claim_id)
            if row is None:
                continue
            link_ids = self.links_of.get(claim_id, ())
            if link_ids:
                counted = self.corroboration(row)
                confirming, contradicting = len(counted.confirming), len(counted.contradicting)
            else:
                confirming = contradicting = 0
            digit = suggest(confirming, contradicting)
            self.confirming[row], self.contradicting[row] = min(confirming, 65535), min(contradicting, 65535)
            self.link_count[row] = min(len(link_ids), 65535)
            self.suggested[row] = digit
            self.disagree[row] = disagrees(self.credibility[row] or None, digit)
        self._invalidate(links=True)

    # --------------------------------------------------------------- filtering

    def _cached(self, key: Any, make: Callable[[], bytes]) -> bytes:
        found = self._masks.get(key)
        if found is None:
            if len(self._masks) > 512:
                self._masks.clear()
            found = self._masks[key] = make()
        return found

    def mask(self, criteria: Criteria) -> bytes | None:
        """A byte per row: 1 where the row is live and passes every criterion (None: no criterion, every live row)."""
        masks: list[bytes] = [bytes(self.live)] if self.retired else []
        for word in dict.fromkeys(w for w in criteria.words if w not in UNINDEXED):
            masks.append(self._cached(("word", word), functools.partial(self._word_mask, word)))
        by_role: dict[str, list[str]] = {}
        for role, name in criteria.actors:
            by_role.setdefault(role, []).append(name)
        for role, names in by_role.items():
            masks.append(self._cached(("actor", role, tuple(names)), functools.partial(self._actor_mask, role, names)))
        if criteria.min_reliability:
            limit = RELIABILITY_LETTERS.index(criteria.min_reliability) + 1
            reliable = range(1, limit + 1)
            masks.append(self._cached(("reliability", limit), lambda: bytes(map(reliable.__contains__, self.reliability))))
        if criteria.min_credibility:
            top = criteria.min_credibility
            credible = range(1, top + 1)
            masks.append(self._cached(("credibility", top), lambda: bytes(map(credible.__contains__, self.credibility))))
        if criteria.types:
            wanted = {TYPES.index(t) for t in criteria.types if t in CLAIM_TYPES}
            masks.append(self._cached(("type", frozenset(wanted)), lambda: bytes(map(wanted.__contains__, self.type))))
        if criteria.reports or criteria.since or criteria.until:
            chosen = self._reports_chosen(criteria.reports, criteria.since, criteria.until)
            key = ("reports", criteria.reports, criteria.since, criteria.until)
            masks.append(self._cached(key, lambda: bytes(map(chosen.__getitem__, self.row_report))))
        if criteria.reviewers:
            folded = {r.casefold() for r in criteria.reviewers}
            wanted_reviewers = {i for i, r in enumerate(self.reviewers) if r.casefold() in folded}
            masks.append(self._cached(("reviewer", frozenset(folded)),
                                      lambda: bytes(map(wanted_reviewers.__contains__, self.reviewer))))
        if criteria.linked is not None:
            if criteria.linked:
                masks.append(self._cached(("linked", True), lambda: bytes(map(bool, self.link_count))))
            else:
                masks.append(self._cached(("linked", False), lambda: bytes(map(operator.not_, self.link_count))))
        if criteria.disagrees:
            masks.append(bytes(self.disagree))
        if not masks:
            return None
        result = masks[0]
        for other in masks[1:]:
            result = _and(result, other)
        return result

    def _reports_chosen(self, keys: tuple[str, ...], since: str | None, until: str | None) -> bytes:
        """A byte per report: 1 when it is one of `keys` (id, id prefix or words of the title) and dated within the range."""
        chosen = bytearray(len(self.reports))
        for i, facts in enumerate(self.reports):
            if keys and not any(_report_matches(facts, key) for key in keys):
                continue
            date = facts.date or ""
            if since and (not date or date[: len(since)] < since):
                continue
            if until and (not date or date[: len(until)] > until):
                continue
            chosen[i] = 1
        return bytes(chosen)

    def _actor_mask(self, role: str, names: list[str]) -> bytes:
        wanted: set[int] = set()
        for name in names:
            wanted |= {self.actor_index[a.id] for a in actors_named(name, self.actors.values()) if a.id in self.actor_index}
        n = self.size
        if role == "claimant":
            return bytes(map(wanted.__contains__, self.claimant))
        if role == "reported_by":
            return bytes(map(wanted.__contains__, self.reported_by))
        source = self.mention_rows if role == "mentioned" else self.actor_rows
        mask = bytearray(n)
        for actor in wanted:
            _ones(n, source.get(actor, ()), mask)
        return bytes(mask)

    def warm(self) -> None:
        """Build the masks the first keystrokes need, before the ledger is shown (off the UI thread): every
        first letter of a word, every type, every grade threshold, linked and unlinked. About 2 MB at 100,000."""
        from rapidfuzz import fuzz, process  # noqa: F401 - imported now, not at the first word of four letters

        initials = sorted({word[0] for word in self.postings})
        for initial in initials:
            self.mask(Criteria(words=(initial,)))
        for claim_type in TYPES:
            self.mask(Criteria(types=(claim_type,)))
        for letter in RELIABILITY_LETTERS:
            self.mask(Criteria(min_reliability=letter))
        for digit in range(1, 7):
            self.mask(Criteria(min_credibility=digit))
        self.mask(Criteria(linked=True))
        self.mask(Criteria(linked=False))
        self.permutation(Sort())
        self.rank_of(Sort())

    @property
    def vocabulary(self) -> list[str]:
        if self._vocabulary is None:
            self._vocabulary = sorted(self.postings)
        return self._vocabulary

    def matching_words(self, word: str) -> list[str]:
        """Indexed words that `word` begins, and (from four letters on) those within a typo of it."""
        vocabulary = self.vocabulary
        low = _bisect(vocabulary, word)
        high = _bisect(vocabulary, word + "\U0010ffff")
        found = vocabulary[low:high]
        if len(word) >= 4:
            from rapidfuzz import fuzz, process

            # Within a typo: the word against the start of each indexed word of the same first letter, one
            # letter longer (a letter left out, swapped or mistyped), by rapidfuzz's normalised Indel ratio.
            first = _bisect(vocabulary, word[0])
            last = _bisect(vocabulary, word[0] + "\U0010ffff")
            near = [w for w in vocabulary[first:low] + vocabulary[high:last] if len(w) >= len(word) - 1]
            starts = [w[: len(word) + 1] for w in near]
            cutoff = 80 if len(word) >= 6 else 85
            found += [near[i] for _, _score, i in process.extract(word, starts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)]
        return found

    def _word_mask(self, word: str) -> bytes:
        n = self.size
        postings = self.postings
        matched = self.matching_words(word)
        mask = bytearray(n)
        for other in matched:
            _ones(n, postings[other], mask)
        return bytes(mask)

    def shown(self, mask: bytes | None, sort: Sort = Sort()) -> Shown:
        """The rows `mask` leaves (None: every live row), in `sort` order, materialised lazily."""
        perm = self.permutation(sort)
        if mask is None:
            mask = bytes(self.live) if self.retired else None
        if mask is None:
            return Shown(len(perm), iter(perm))
        count = mask.count(1)
        if count * 16 < len(mask):  # few rows: find them, then order them by their place in the sort
            rank = self.rank_of(sort)
            rows = [m.start() for m in re.finditer(b"\x01", mask)]
            rows.sort(key=rank.__getitem__)
            return Shown(count, None, rows)
        return Shown(count, compress(perm, map(mask.__getitem__, perm)))

    def position(self, shown: Shown, row: int, sort: Sort) -> int | None:
        """Where `row` is among `shown` (None: not there)."""
        if shown._source is None or len(shown._rows) == shown.count:
            try:
                return shown._rows.index(row)
            except ValueError:
                return None
        rank = self.rank_of(sort)[row]
        found = shown.rows(0, shown.count)
        position = _bisect_by(found, rank, self.rank_of(sort))
        return position if position < len(found) and found[position] == row else None

    # ----------------------------------------------------------------- sorting

    def permutation(self, sort: Sort) -> array:
        """Every row (retired ones too: masks leave them out) in `sort` order; kept until the rows change.

        Ties keep the default order. Rows with nothing in the column (no claimant, not graded,
        undated, no links) come last whichever way the column is sorted."""
        key = (sort.column, sort.descending)
        perm = self._perms.get(key)
        if perm is None:
            default = self._default_order()
            if sort.column == "paragraph":
                perm = array("I", reversed(default)) if sort.descending else default
            else:
                blank = self._blank(sort.column)
                present = [r for r in default if not blank(r)] if blank is not None else list(default)
                absent = [r for r in default if blank(r)] if blank is not None else []
                perm = array("I", sorted(present, key=self._sort_key(sort.column), reverse=sort.descending))
                perm.extend(absent)
            self._perms[key] = perm
        return perm

    def _blank(self, column: str) -> Callable[[int], bool] | None:
        if column in ("claimant", "reported_by"):
            values = self.claimant if column == "claimant" else self.reported_by
            return lambda r: values[r] < 0
        if column == "grade":
            return lambda r: not self.reliability[r] and not self.credibility[r]
        if column == "date":
            undated = {i for i, facts in enumerate(self.reports) if not facts.date}
            return (lambda r: self.row_report[r] in undated) if undated else None
        if column in ("links", "suggested"):
            return lambda r: not self.link_count[r]
        return None

    def rank_of(self, sort: Sort) -> array:
        """Each row's place in `sort` order (the inverse of its permutation)."""
        key = ("rank", sort.column, sort.descending)
        rank = self._perms.get(key)
        if rank is None and self.ordered and sort == Sort():
            rank = self._perms[key] = self._default_order()  # the identity: rows are in that order
        if rank is None:
            perm = self.permutation(sort)
            rank = array("I", bytes(4 * len(perm)))
            deque(map(rank.__setitem__, perm, range(len(perm))), maxlen=0)
            self._perms[key] = rank
        return rank

    def _default_order(self) -> array:
        perm = self._perms.get(("paragraph", False))
        if perm is None and self.ordered:
            perm = self._perms[("paragraph", False)] = array("I", range(self.size))
        if perm is None:
            ranks = [facts.rank for facts in self.reports]
            report, paragraph, start = self.row_report, self.paragraph, self.start
            perm = array("I", sorted(range(self.size), key=lambda r: (ranks[report[r]], paragraph[r], start[r], r)))
            self._perms[("paragraph", False)] = perm
        return perm

    def _sort_key(self, column: str) -> Callable[[int], Any]:
        if column == "report":
            titles = [(fold(f.title), f.rank) for f in self.reports]
            return lambda r: titles[self.row_report[r]]
        if column == "date":
            dates = [f.date or "" for f in self.reports]
            return lambda r: dates[self.row_report[r]]
        if column in ("claimant", "reported_by"):
            names = [fold(self.actor_name(i)) for i in range(len(self.actor_ids))]
            values = self.claimant if column == "claimant" else self.reported_by
            return lambda r: names[values[r]]
        if column == "type":
            return self.type.__getitem__
        if column == "grade":
            return lambda r: (self.reliability[r] or 9, self.credibility[r] or 9)
        if column == "suggested":
            return self.suggested.__getitem__
        if column == "links":
            return self.link_count.__getitem__
        if column == "text":
            return lambda r: self.texts[r].casefold()
        if column == "reviewer":
            folded = [fold(r) for r in self.reviewers]
            return lambda r: folded[self.reviewer[r]]
        raise StoreError(f"cannot sort by {column!r} ({', '.join(COLUMNS)})")

    # ------------------------------------------------------------------ ranking

    def rank(self, claim_id: str, limit: int = 50, within: bytes | None = None, pool: int = 400) -> list[Candidate]:
        """The claims most like `claim_id` (text and actors), best first, itself and retired rows left out.

        A prefilter scores rows by the informative words and the actors they share with the claim
        (each word weighs its inverse document frequency; words in over a tenth of the rows and
        stop words are skipped), the best `pool` are scored by rapidfuzz (token set ratio of the
        folded texts), and the final score adds both. `within` limits the candidates to a mask.
        """
        row = self.row_of.get(claim_id)
        if row is None:
            return []
        n = max(len(self), 1)
        common = max(50, n // 10)
        own = [w for w in set(words(self.texts[row])) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
        weights: dict[str, float] = {}
        for word in own:
            postings = self.postings.get(word)
            if postings is not None and 1 < len(postings) <= common:
                weights[word] = math.log(n / len(postings))
        scores: dict[int, float] = {}
        get = scores.get
        for word, weight in weights.items():
            for other in self.postings[word]:
                scores[other] = get(other, 0.0) + weight
        actors = self.row_actors(row)
        for actor in actors:
            postings = self.actor_rows.get(actor, array("I"))
            if 0 < len(postings) <= common:
                weight = math.log(n / len(postings))
                for other in postings:
                    scores[other] = get(other, 0.0) + weight
        scores.pop(row, None)
        live = self.live
        picked = [(s, r) for r, s in scores.items() if live[r] and (within is None or within[r])]
        if len(picked) < limit:  # too few share anything: the others follow in reading order (any claim may be linked)
            seen = {r for _, r in picked}
            rest = (r for r in self.shown(within).rows(0, pool + len(seen) + 1) if r != row and r not in seen)
            picked += [(0.0, r) for r in islice(rest, pool - len(picked))]
        best = heapq.nlargest(pool, picked)
        if not best:
            return []
        from rapidfuzz import fuzz, process

        def idf(word: str) -> float:
            """Rare words weigh more; a figure twice as much (the same figure is the surest sign of the same claim)."""
            postings = self.postings.get(word)
            weight = math.log(n / len(postings)) if postings else math.log(n)
            return 2 * weight if is_figure(word) else weight

        own_vector = {w: idf(w) for w in own}
        own_norm = math.sqrt(sum(v * v for v in own_vector.values())) or 1.0
        folded = fold(self.texts[row])
        choices = {r: fold(self.texts[r]) for _, r in best}
        text_scores = {r: s for _, s, r in process.extract(folded, choices, scorer=fuzz.token_sort_ratio, limit=None)}
        found: list[Candidate] = []
        for _prefilter, other in best:
            other_words = {w for w in set(words(self.texts[other])) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}
            other_norm = math.sqrt(sum(idf(w) ** 2 for w in other_words)) or 1.0
            shared = own_vector.keys() & other_words
            overlap = sum(own_vector[w] ** 2 for w in shared)
            cosine = overlap / (own_norm * other_norm)
            containment = overlap / (own_norm * own_norm)  # how much of this claim the other one holds
            shared_actors = actors & self.row_actors(other)
            actor_share = len(shared_actors) / len(actors) if actors else 0.0
            text_score = text_scores.get(other, 0.0)
            score = 30.0 * cosine + 30.0 * containment + 0.25 * text_score + 15.0 * actor_share
            found.append(Candidate(other, round(score, 2), text_score, tuple(sorted(shared, key=lambda w: -own_vector[w])),
                                   tuple(self.actor_ids[a] for a in sorted(shared_actors))))
        found.sort(key=lambda c: (-c.score, c.row))
        return found[:limit]


def is_figure(word: str) -> bool:
    """A number of three digits or more that is not a year: 300, 5000 (not 17, not 2023)."""
    return len(word) >= 3 and word.isdigit() and not (len(word) == 4 and word[:2] in ("19", "20"))


def _bisect(words: list[str], value: str) -> int:
    low, high = 0, len(words)
    while low < high:
        middle = (low + high) // 2
        if words[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


def _bisect_by(rows: list[int], rank: int, ranks: array) -> int:
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high) // 2
        if ranks[rows[middle]] < rank:
            low = middle + 1
        else:
            high = middle
    return low


def _reading_order(doc: dict[str, Any]) -> tuple[Any, ...]:
    span = doc.get("span")
    start = span.get("start") if isinstance(span, dict) and isinstance(span.get("start"), int) else -1
    number = doc.get("paragraph") if isinstance(doc.get("paragraph"), int) else 0
    return (str(doc.get("revision", "")), number, start, str(doc.get("created_at", "")), doc["id"])


def _report_matches(facts: ReportFacts, key: str) -> bool:
    wanted = key.casefold()
    return facts.id == wanted or facts.id.startswith(wanted) or fold(key) in fold(facts.title)


def actors_named(name: str, actors: Iterable[Actor]) -> list[Actor]:
    """The actors a filter's NAME means: those with that name or alias (any case, accents, "al-"), else every
    actor a word of whose name or alias begins with each typed word ("hizb" → Hizbullah, Kata'ib Hizbullah)."""
    from store.matching import normalise

    wanted = normalise(name)
    if not wanted:
        return []
    actors = list(actors)
    exact = [a for a in actors if any(normalise(n) == wanted for n in a.names)]
    if exact:
        return exact
    typed = wanted.split()
    return [a for a in actors if any(all(any(w.startswith(t) for w in normalise(n).split()) for t in typed) for n in a.names)]


# ---------------------------------------------------------- streaming (the CLI)


class DocumentTest:
    """Criteria applied to stored claim documents one report at a time, for `claimdesk claims` (no ledger built).

    `prepare(docs)` learns which actors each paragraph of the report mentions; `wants(doc, report)` then
    says whether a claim passes. Words, links and disagreement are the ledger's (they need every claim).
    """

    def __init__(self, criteria: Criteria, actors: Iterable[Actor]) -> None:
        self.criteria = criteria
        registry = list(actors)
        self.roles: dict[str, set[str]] = {}
        for role, name in criteria.actors:
            named = actors_named(name, registry)
            if not named:
                raise NotFound(f"no actor is named {name!r} (nor has it as an alias)")
            self.roles.setdefault(role, set()).update(a.id for a in named)
        self.reliable = set(RELIABILITY_LETTERS[: RELIABILITY_LETTERS.index(criteria.min_reliability) + 1]) \
            if criteria.min_reliability else None
        self.credible = set(range(1, criteria.min_credibility + 1)) if criteria.min_credibility else None
        self.mentioned: dict[tuple[str, int], set[str]] = {}

    def prepare(self, docs: Iterable[dict[str, Any]]) -> None:
        self.mentioned = {}
        if not self.roles:
            return
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "actor" and isinstance(doc.get("actor_id"), str):
                self.mentioned.setdefault((str(doc.get("revision")), _number(doc)), set()).add(doc["actor_id"])

    def wants_report(self, report: Report) -> bool:
        since, until, date = self.criteria.since, self.criteria.until, report.date or ""
        if since and (not date or date[: len(since)] < since):
            return False
        return not (until and (not date or date[: len(until)] > until))

    def wants(self, doc: dict[str, Any]) -> bool:
        claim = doc.get("claim")
        if doc.get("kind") != "claim" or not isinstance(claim, dict):
            return False
        criteria = self.criteria
        if criteria.types and (claim.get("type") if claim.get("type") in CLAIM_TYPES else "other") not in criteria.types:
            return False
        grade: dict[str, Any] = doc["credibility"] if isinstance(doc.get("credibility"), dict) else {}
        if self.reliable is not None and grade.get("reliability") not in self.reliable:
            return False
        if self.credible is not None and grade.get("credibility") not in self.credible:
            return False
        if criteria.reviewers and str(doc.get("reviewer", "")).casefold() not in {r.casefold() for r in criteria.reviewers}:
            return False
        for role, wanted in self.roles.items():
            named: set[str] = set()
            if role in ("claimant", "any"):
                named.add(str(claim.get("claimant")))
            if role in ("reported_by", "any"):
                named.add(str(claim.get("reported_by")))
            if role in ("mentioned", "any"):
                named |= self.mentioned.get((str(doc.get("revision")), _number(doc)), set())
            if not named & wanted:
                return False
        return True


def _number(doc: dict[str, Any]) -> int:
    number = doc.get("paragraph")
    return number if type(number) is int else 0


# ------------------------------------------------------------------ building


def shard_signature(paths: Iterable[Path]) -> tuple[tuple[str, int, int, int], ...]:
    """What a set of files looks like on disk now: (name, inode, size, mtime in ns); a write changes it."""
    found = []
    for path in paths:
        try:
            stat = os.stat(path, follow_symlinks=False)
        except OSError:
            continue
        found.append((path.name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


STAMP_TRUSTED_AFTER = 2.0  # seconds: a folder stamp younger than this may hide a write in the same clock tick


def _report_signature(db: Any, report_id: str) -> Any:
    """(the report folder's stamp, its annotation shards' signature): a save replaces a shard by renaming a
    file into the folder, which changes the folder's mtime, so an unchanged stamp means no shard changed —
    one stat instead of a listing and a stat a shard (`look` runs every few seconds over every report)."""
    try:
        stat = os.stat(db.layout.report_folder(report_id), follow_symlinks=False)
        stamp: Any = (stat.st_ino, stat.st_mtime_ns)
        if time.time() - stat.st_mtime < STAMP_TRUSTED_AFTER:
            stamp = None  # too fresh to vouch for a write in the same tick: compare the shards
    except OSError:
        stamp = None
    return stamp, shard_signature(p for _, p in db.layout.shards(report_id, "annotations"))


def _report_unchanged(db: Any, report_id: str, known: Any) -> bool:
    if not isinstance(known, tuple) or len(known) != 2 or known[0] is None:
        return False
    try:
        stat = os.stat(db.layout.report_folder(report_id), follow_symlinks=False)
    except OSError:
        return False
    return bool((stat.st_ino, stat.st_mtime_ns) == known[0])


def _shared_signature(db: Any) -> dict[str, Any]:
    return {
        "(links)": shard_signature(p for _, p in db.layout.link_shards()),
        "(actors)": shard_signature([db.layout.actors]),
        "(library)": shard_signature([db.layout.library]),
    }


def build(db: Any, first: Callable[[Ledger], None] | None = None, progress: Callable[[int, int], None] | None = None,
          first_rows: int = FIRST_ROWS) -> Ledger:
    """Read every claim of `db` into a new Ledger, report by report (one report's documents in memory at a time).

    `first(ledger)` gets a small ledger of the first reports (newest first) as soon as they hold
    `first_rows` claims, to show while the rest is read; `progress(done, total)` is told after each report.
    """
    signatures = _shared_signature(db)
    reports = db.reports()
    actors = db.actors()
    ledger = Ledger(reports, actors)
    ledger.building = True
    ledger.signatures.update(signatures)
    preview: Ledger | None = None if first is not None else ledger
    early: list[tuple[str, list[dict[str, Any]]]] = []
    for done, report in enumerate(reports, start=1):
        ledger.signatures[report.id] = _report_signature(db, report.id)
        try:
            docs = db.annotation_documents(report.id)
        except StoreError as error:
            ledger.problems.append(f"report {report.id}: {error}")
            docs = []
        ledger.add_documents(report.id, docs)
        if preview is None:
            early.append((report.id, docs))
            if len(ledger) >= first_rows or done == len(reports):
                preview = Ledger(reports, actors)
                preview.building = True
                for report_id, held in early:
                    preview.add_documents(report_id, held)
                preview.building = False
                preview.partial = True  # its links are not read yet
                early.clear()
                assert first is not None
                first(preview)
        del docs
        if progress is not None:
            progress(done, len(reports))
    ledger.building = False
    ledger.set_links(db.links())
    if preview is None and first is not None:
        first(ledger)
    ledger.warm()
    return ledger


@dataclass
class Refresh:
    """What changed on disk since a ledger was read: read off the UI thread, applied on it."""

    reports: list[Report] | None = None  # the library, when it changed
    actors: list[Actor] | None = None
    links: list[Link] | None = None
    changed: dict[str, tuple[Any, list[dict[str, Any]]]] = field(default_factory=dict)  # report id → (signature, documents)
    signatures: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.reports is None and self.actors is None and self.links is None and not self.changed


class LedgerKeeper:
    """The ledger of one database, kept current for every screen that shows claims.

    `build` (off the UI thread) reads it; `adopt` makes a built ledger the current one;
    `apply(change)` shows the session's own changes at once; `look` (off the UI thread)
    reads what others changed and `apply_refresh` (on the UI thread) applies it.
    """

    def __init__(self, db: Any) -> None:
        self.db = db
        self.ledger: Ledger | None = None

    def build(self, first: Callable[[Ledger], None] | None = None, progress: Callable[[int, int], None] | None = None) -> Ledger:
        return build(self.db, first, progress)

    def adopt(self, ledger: Ledger) -> None:
        self.ledger = ledger

    @property
    def needs_rebuild(self) -> bool:
        ledger = self.ledger
        return ledger is not None and ledger.size > 1000 and ledger.retired > RETIRED_LIMIT * ledger.size

    def apply(self, change: Any) -> None:
        """A change the session wrote (store.db.Change): its annotations, links and actors, into the ledger."""
        ledger = self.ledger
        if ledger is None:
            return
        actors_changed = False
        for edit in change.edits:
            if edit.entity == "annotation" and edit.report_id is not None:
                if edit.after is None:
                    ledger.remove(edit.key)
                else:
                    ledger.upsert(edit.report_id, edit.after)
            elif edit.entity == "link":
                ledger.put_link(Link.from_dict(edit.after) if edit.after else None, edit.key)
            elif edit.entity == "actor":
                actors_changed = True
                if edit.after is None:
                    ledger.actors.pop(edit.key, None)
                else:
                    ledger.actors[edit.key] = Actor.from_dict(edit.after)
        if actors_changed:
            ledger.set_actors(list(ledger.actors.values()))
            ledger.recount(list(ledger.links_of))

    def look(self) -> Refresh:
        """What other processes changed since the ledger was read (a stat of every shard; changed reports read again)."""
        ledger = self.ledger
        refresh = Refresh()
        if ledger is None:
            return refresh
        db = self.db
        shared = _shared_signature(db)
        known = ledger.signatures
        if shared["(library)"] != known.get("(library)"):
            refresh.reports = db.reports()
        if shared["(actors)"] != known.get("(actors)"):
            refresh.actors = db.actors()
        if shared["(links)"] != known.get("(links)"):
            refresh.links = db.links()
        refresh.signatures.update(shared)
        for report in refresh.reports if refresh.reports is not None else db.reports():
            if _report_unchanged(db, report.id, known.get(report.id)):
                continue
            signature = _report_signature(db, report.id)
            if signature[1] != (known.get(report.id) or (None, None))[1]:
                try:
                    docs = db.annotation_documents(report.id)
                except StoreError as error:
                    ledger.problems.append(f"report {report.id}: {error}")
                    continue
                refresh.changed[report.id] = (signature, docs)
            else:
                refresh.signatures[report.id] = signature  # the same shards: keep the newer stamp
        return refresh

    def apply_refresh(self, refresh: Refresh) -> None:
        ledger = self.ledger
        if ledger is None or refresh.is_empty:
            if ledger is not None:
                ledger.signatures.update(refresh.signatures)
            return
        if refresh.reports is not None:
            ledger.set_reports(refresh.reports)
        if refresh.actors is not None:
            ledger.set_actors(refresh.actors)
        for report_id, (signature, docs) in refresh.changed.items():
            index = ledger.report_index.get(report_id)
            if index is None:
                continue
            present = {doc.get("id") for doc in docs if isinstance(doc, dict)}
            for row in list(ledger.report_rows[index]):
                if ledger.live[row] and ledger.ids[row] not in present:
                    ledger.retire(row)
            mentions = [m for m in list(_mentions_of_report(ledger, index)) if m not in present]
            for mention_id in mentions:
                ledger._unmention(mention_id)
            for doc in sorted((d for d in docs if isinstance(d, dict) and isinstance(d.get("id"), str)),
                              key=lambda d: (d.get("kind") != "actor", _reading_order(d))):
                ledger.upsert(report_id, doc)
            ledger.signatures[report_id] = signature
        if refresh.links is not None:
            ledger.set_links(refresh.links)
        elif refresh.actors is not None:
            ledger.recount(list(ledger.links_of))
        ledger.signatures.update(refresh.signatures)


def _mentions_of_report(ledger: Ledger, report: int) -> Iterator[str]:
    for (owner, _revision, _number), paragraph in ledger.paragraph_index.items():
        if owner == report:
            yield from ledger.paragraphs[paragraph]


__all__ = [
    "COLUMNS", "DESCENDING_FIRST", "QUERY_HELP", "TYPES", "Candidate", "Criteria", "DocumentTest", "Ledger", "LedgerKeeper",
    "Refresh", "ReportFacts", "Shown", "Sort", "actors_named", "build", "claim_type_named", "fold",
    "parse_grade", "parse_query", "words",
]
