"""New revisions of a report made by known edits, so a test knows where every old span should land.

A `Draft` starts as a copy of an old revision's paragraphs and is edited the
way reports get corrected: words replaced (typos, figures, footnote markers),
paragraphs inserted, deleted, split, merged and moved. Each new paragraph is a
list of `Piece`s that remember which old text they keep or replace, so
`Draft.where` says where an old span belongs in the new revision (the truth a
re-anchoring is checked against), and `Draft.file_text` writes the new
revision as a file in the old file's layout.

`seed_annotations` makes annotations on a parsed report programmatically
(every sentence, every run of capitalised words, every figure, some whole
paragraphs), and `SCENARIOS` edits a report in each way issue 12 lists. No
report text is written here: every edit is found by a pattern in the text.

Conventions, the ones a careful human would use: a span around a replaced
stretch covers its replacement; an insertion at a span's start goes before it
and at its end after it; a span whose first or last character was deleted,
or whose ends fall in two different paragraphs, has no true place (None).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from store.ingest import parse_file
from store.model import Annotation, Kind, ParagraphStatus, ParsedReport, Span
from store.reanchor import Reanchoring, reanchor

_SENTENCE_END = re.compile(r"[.!?][”\"’)]*(?:\s?\[\d+\])*(?=\s+[“\"‘(]?[A-Z0-9])")
_NAME = re.compile(r"\b[A-Z][\w’'\-]+(?:\s+(?:[A-Z][\w’'\-]+|of|the|al|bin)\b)*")
_FIGURE = re.compile(r"(?<![\[\w])\d(?:[\d,.]*\d)?(?![\]\w])")
_MARKER = re.compile(r"\[(\d{1,4})\]")
_WORD = re.compile(r"[A-Za-z]{6,}")


@dataclass(frozen=True)
class Piece:
    """Part of a new paragraph: `text`, standing where old paragraph `old` held [start, end)."""

    text: str
    old: int | None = None  # 0-based old paragraph; None for text that replaces nothing
    start: int = 0
    end: int = 0
    kept: bool = False  # the old text itself, unchanged


@dataclass
class Draft:
    old: ParsedReport
    paragraphs: list[list[Piece]] = field(default_factory=list)
    notes: Callable[[str], str] | None = None  # an edit of the text after the last paragraph

    def __post_init__(self) -> None:
        if not self.paragraphs:
            self.paragraphs = [[Piece(p.text, i, 0, len(p.text), True)] for i, p in enumerate(self.old.paragraphs)]

    # ------------------------------------------------------------- edits

    def _holding(self, old: int, at: int) -> tuple[int, int]:
        """(new paragraph, piece) of the kept piece holding old paragraph `old`'s character `at`."""
        for k, pieces in enumerate(self.paragraphs):
            for n, piece in enumerate(pieces):
                if piece.kept and piece.old == old and piece.start <= at < piece.end:
                    return k, n
        raise ValueError(f"old paragraph {old} offset {at} is not kept any more")

    def replace(self, old: int, start: int, end: int, text: str) -> None:
        """Old paragraph `old`'s [start, end) becomes `text` (end == start: an insertion)."""
        k, n = self._holding(old, start if end > start else max(start - 1, 0))
        piece = self.paragraphs[k][n]
        if end > piece.end:
            raise ValueError("a replacement must stay inside one kept piece")
        source = self.old.paragraphs[old].text
        parts = []
        if start > piece.start:
            parts.append(Piece(source[piece.start:start], old, piece.start, start, True))
        parts.append(Piece(text, old, start, end))
        if end < piece.end:
            parts.append(Piece(source[end:piece.end], old, end, piece.end, True))
        self.paragraphs[k][n:n + 1] = parts

    def split(self, old: int, at: int, resume: int) -> None:
        """Old paragraph `old` breaks at `at`; the text from `resume` on is a new paragraph ([at, resume) goes)."""
        self.replace(old, at, resume, "")
        k, n = next(
            (k, n) for k, ps in enumerate(self.paragraphs) for n, p in enumerate(ps) if p.old == old and p.start == at and not p.kept
        )
        pieces = self.paragraphs[k]
        self.paragraphs[k:k + 1] = [pieces[:n + 1], pieces[n + 1:]]

    def index_of(self, old: int) -> int:
        """The new paragraph holding old paragraph `old`'s first character."""
        return next(k for k, pieces in enumerate(self.paragraphs) for p in pieces if p.old == old and p.start == 0)

    def merge(self, k: int, joint: str = " ") -> None:
        """New paragraph k and the one after it become one, joined by `joint`."""
        self.paragraphs[k:k + 2] = [[*self.paragraphs[k], Piece(joint), *self.paragraphs[k + 1]]]

    def move(self, k: int, to: int) -> None:
        self.paragraphs.insert(to, self.paragraphs.pop(k))

    def delete(self, k: int) -> None:
        del self.paragraphs[k]

    def insert(self, k: int, text: str) -> None:
        self.paragraphs.insert(k, [Piece(text)])

    # ------------------------------------------------------------- results

    def texts(self) -> list[str]:
        return ["".join(piece.text for piece in pieces) for pieces in self.paragraphs]

    def where(self, old: int, start: int, end: int) -> tuple[int, int, int] | None:
        """(new paragraph number, start, end) where old paragraph `old`'s [start, end) belongs, or None.

        An end that fell in a deleted paragraph (a part of a split, say) moves in to the nearest text of
        the span that is left, as it would had that text been deleted inside the paragraph.
        """
        first = last = None
        live = []
        for k, pieces in enumerate(self.paragraphs):
            at = 0
            for piece in pieces:
                if piece.old == old:
                    live.append((k, at, piece))
                    if first is None and piece.start <= start < piece.end:
                        first = (k, at + (start - piece.start if piece.kept else 0))
                    if last is None and piece.start < end <= piece.end:
                        last = (k, at + (end - piece.start if piece.kept else len(piece.text)))
                at += len(piece.text)
        if first is None:
            after = [(piece.start, k, at) for k, at, piece in live if piece.kept and piece.start >= start]
            first = min(after)[1:] if after else None
        if last is None:
            before = [(piece.end, k, at + len(piece.text)) for k, at, piece in live if piece.kept and piece.end <= end]
            last = max(before)[1:] if before else None
        if first is None or last is None or first[0] != last[0] or first[1] >= last[1]:
            return None
        return first[0] + 1, first[1], last[1]

    def same_words(self, place: tuple[int, int | None, int | None] | None, truth: tuple[int, int | None, int | None] | None) -> bool:
        """Is `place` (paragraph, start, end) on the words of `truth`? Whitespace at either edge does not count."""
        if place is None or truth is None:
            return place == truth
        if place[1] is None or truth[1] is None or place[2] is None or truth[2] is None:
            return place == truth
        text = self.texts()[place[0] - 1]
        return place[0] == truth[0] and _trim(text, place[1], place[2]) == _trim(text, truth[1], truth[2])

    def within(self, old: int, start: int, end: int, place: tuple[int, int, int]) -> bool:
        """Is `place` (paragraph, start, end) on what is left of old paragraph `old`'s [start, end), and on no
        other old words? It holds some of the span's own text, and besides it only new text (inserted or
        replacing): a deletion beside an insertion reads as well as a replacement. Edges' whitespace aside."""
        number, first, last = place
        first, last = _trim(self.texts()[number - 1], first, last)
        at, own = 0, False
        for piece in self.paragraphs[number - 1]:
            low, high = max(first, at), min(last, at + len(piece.text))
            if low < high and piece.kept:
                if piece.old != old or not (start <= piece.start + (low - at) and piece.start + (high - at) <= end):
                    return False
                own = True
            at += len(piece.text)
        return first < last and own

    def holders(self, old: int) -> tuple[int, ...]:
        """New paragraph numbers holding any of old paragraph `old` (kept or replaced)."""
        return tuple(k + 1 for k, pieces in enumerate(self.paragraphs) if any(p.old == old for p in pieces))

    def file_text(self, old_file: str) -> str:
        """The new revision as a file: the old file's text around and between the paragraphs."""
        spans = []
        at = 0
        for paragraph in self.old.paragraphs:
            at = old_file.index(paragraph.text, at)
            spans.append((at, at + len(paragraph.text)))
            at += len(paragraph.text)
        gaps = [old_file[spans[n][1]:spans[n + 1][0]] for n in range(len(spans) - 1)]
        head, tail = old_file[:spans[0][0]], old_file[spans[-1][1]:]
        if self.notes is not None:
            tail = self.notes(tail)
        texts = self.texts()
        body = texts[0] if texts else ""
        for n, text in enumerate(texts[1:]):
            body += (gaps[n] if n < len(gaps) else "\n\n") + text
        return head + body + tail


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ----------------------------------------------------------------- annotations


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (ends after the full stop, closing quotes and footnote markers)."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        found.append((start, match.end()))
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    end = len(text.rstrip())
    if start < end:
        found.append((start, end))
    return found


def seed_annotations(report: ParsedReport, report_id: str = "seed", revision: str = "old") -> list[Annotation]:
    """Every sentence, every run of capitalised words, every figure, and every fifth paragraph as a whole."""
    made: list[Annotation] = []
    seen: set[tuple[int, int, int]] = set()
    for paragraph in report.paragraphs:
        text = paragraph.text
        spans: list[tuple[Kind, int, int]] = [(Kind.CLAIM, s, e) for s, e in sentences(text)]
        spans += [(Kind.ACTOR, m.start(), m.end()) for m in _NAME.finditer(text)]
        spans += [(Kind.CLAIM, m.start(), m.end()) for m in _FIGURE.finditer(text)]
        for kind, start, end in spans:
            if (paragraph.number, start, end) in seen or start >= end:
                continue
            seen.add((paragraph.number, start, end))
            made.append(Annotation(
                id=f"a{len(made):05d}", kind=kind, report_id=report_id, revision=revision,
                paragraph=paragraph.number, span=Span.of(text, start, end),
            ))
        if paragraph.number % 5 == 0:
            made.append(Annotation(f"a{len(made):05d}", Kind.CLAIM, report_id, revision, paragraph.number, None))
    return made


def seed_marks(report: ParsedReport) -> dict[int, ParagraphStatus]:
    """Every paragraph marked: two in three reviewed, the rest flagged."""
    return {p.number: ParagraphStatus.FLAGGED if p.number % 3 == 0 else ParagraphStatus.REVIEWED for p in report.paragraphs}


# ----------------------------------------------------------------- edits of each kind


def _typo_positions(report: ParsedReport, every: int = 7) -> list[tuple[int, int]]:
    """(paragraph, offset) of two letters to swap in every `every`-th long word."""
    found = []
    for i, paragraph in enumerate(report.paragraphs):
        for n, match in enumerate(_WORD.finditer(paragraph.text)):
            word = match.group()
            middle = len(word) // 2
            if n % every == 3 and word[middle - 1] != word[middle]:
                found.append((i, match.start() + middle - 1))
    return found


def _swap(draft: Draft, positions: list[tuple[int, int]]) -> Draft:
    for i, at in positions:
        pair = draft.old.paragraphs[i].text[at:at + 2]
        draft.replace(i, at, at + 2, pair[::-1])
    return draft


def with_typos(report: ParsedReport) -> Draft:
    """The report with letters swapped in every seventh long word: the revision before a typo fix."""
    return _swap(Draft(report), _typo_positions(report))


def typo_fixes(report: ParsedReport) -> Draft:
    """Undo `with_typos` (apply it to a report made by `with_typos`: the positions are the same)."""
    return _swap(Draft(report), _typo_positions(report))


def changed_figures(report: ParsedReport) -> Draft:
    """Every figure's first digit goes up by one (5,000 → 6,000); a year keeps its length (2023 → 3023)."""
    draft = Draft(report)
    for i, paragraph in enumerate(report.paragraphs):
        for match in _FIGURE.finditer(paragraph.text):
            digit = match.group()[0]
            draft.replace(i, match.start(), match.start() + 1, str((int(digit) + 1) % 10))
    return draft


def _filler(report: ParsedReport, rng: random.Random, words: int = 40) -> str:
    """A paragraph of the report's own words in a new order: names and figures it also holds elsewhere."""
    vocabulary = [w for p in report.paragraphs for w in p.text.split() if not _MARKER.search(w)]
    text = " ".join(rng.choice(vocabulary) for _ in range(words)).rstrip(".,;:") + "."
    return text[0].upper() + text[1:]


def inserted_paragraphs(report: ParsedReport) -> Draft:
    draft = Draft(report)
    rng = random.Random(12)
    count = len(report.paragraphs)
    for k in (count, (2 * count) // 3, count // 3, 0):
        draft.insert(k, _filler(report, rng))
    return draft


def _spread(report: ParsedReport, count: int, offset: int = 0) -> list[int]:
    total = len(report.paragraphs)
    return sorted({(offset + n * total // count) % total for n in range(count)})


def deleted_paragraphs(report: ParsedReport) -> Draft:
    draft = Draft(report)
    for i in reversed(_spread(report, 4, offset=2)):
        draft.delete(draft.index_of(i))
    return draft


def split_paragraphs(report: ParsedReport) -> Draft:
    """Six paragraphs of several sentences split at the sentence boundary nearest their middle."""
    draft = Draft(report)
    done = 0
    for i, paragraph in enumerate(report.paragraphs):
        bounds = sentences(paragraph.text)
        if len(bounds) < 2 or i % 3:
            continue
        middle = len(paragraph.text) // 2
        end, resume = min(((e, s2) for (_, e), (s2, _) in pairwise(bounds)), key=lambda es: abs(es[0] - middle))
        draft.split(i, end, resume)
        done += 1
        if done == 6:
            break
    return draft


def merged_paragraphs(report: ParsedReport) -> Draft:
    draft = Draft(report)
    for i in reversed(_spread(report, 4, offset=1)):
        if i + 1 < len(report.paragraphs):
            draft.merge(draft.index_of(i))
    return draft


def reordered_paragraphs(report: ParsedReport) -> Draft:
    """A run of five paragraphs reversed, and two distant ones swapped."""
    draft = Draft(report)
    count = len(report.paragraphs)
    start = count // 4
    draft.paragraphs[start:start + 5] = draft.paragraphs[start:start + 5][::-1]
    a, b = count // 2, count - 2
    draft.paragraphs[a], draft.paragraphs[b] = draft.paragraphs[b], draft.paragraphs[a]
    return draft


def _renumber_notes(tail: str) -> str:
    return re.sub(r"(?m)^\[(\d{1,4})\]", lambda m: f"[{int(m.group(1)) + 1}]", tail)


def renumbered_footnotes(report: ParsedReport) -> Draft:
    """A note added before the first: every marker [n] becomes [n+1], in the text and in the notes."""
    draft = Draft(report, notes=_renumber_notes)
    for i, paragraph in enumerate(report.paragraphs):
        for match in _MARKER.finditer(paragraph.text):
            draft.replace(i, match.start(1), match.end(1), str(int(match.group(1)) + 1))
    return draft


def unchanged(report: ParsedReport) -> Draft:
    return Draft(report)


def everything(report: ParsedReport) -> Draft:
    """Figures, footnotes, a split, a merge, a move, an insertion and a deletion in one revision."""
    draft = Draft(report, notes=_renumber_notes)
    for i, paragraph in enumerate(report.paragraphs):
        for match in _FIGURE.finditer(paragraph.text):
            if i % 2:
                draft.replace(i, match.start(), match.start() + 1, str((int(match.group()[0]) + 1) % 10))
        for match in _MARKER.finditer(paragraph.text):
            draft.replace(i, match.start(1), match.end(1), str(int(match.group(1)) + 1))
    count = len(report.paragraphs)
    bounds = sentences(report.paragraphs[count // 2].text)
    if len(bounds) >= 2:
        draft.split(count // 2, bounds[0][1], bounds[1][0])
    draft.merge(draft.index_of(count // 4))
    draft.move(draft.index_of(1), draft.index_of(count - 3))
    draft.delete(draft.index_of(count - 5))
    draft.insert(draft.index_of(count // 3), _filler(report, random.Random(3)))
    return draft


@dataclass(frozen=True)
class Scenario:
    name: str
    edit: Callable[[ParsedReport], Draft]
    before: Callable[[ParsedReport], Draft] | None = None  # makes the old revision from the seed
    encoding: str = "utf-8"
    newline: str = "\n"


SCENARIOS = (
    Scenario("typo fixes", typo_fixes, before=with_typos),
    Scenario("changed figures", changed_figures),
    Scenario("inserted paragraphs", inserted_paragraphs),
    Scenario("deleted paragraphs", deleted_paragraphs),
    Scenario("split paragraphs", split_paragraphs),
    Scenario("merged paragraphs", merged_paragraphs),
    Scenario("reordered paragraphs", reordered_paragraphs),
    Scenario("footnotes renumbered", renumbered_footnotes),
    Scenario("re-saved as cp1252", unchanged, encoding="cp1252"),
    Scenario("re-saved with CRLF", unchanged, newline="\r\n"),
    Scenario("all at once, CRLF", everything, newline="\r\n"),
)


# ----------------------------------------------------------------- checking a scenario


@dataclass
class Tally:
    """How a re-anchoring did against the truth of one scenario."""

    name: str
    annotations: int = 0
    with_place: int = 0  # annotations whose words are still in the new revision
    landed: int = 0  # ...and were placed on exactly them
    orphaned: int = 0
    returned: int = 0  # outcomes given back (must equal annotations: nothing is lost)
    wrong: list[str] = field(default_factory=list)  # placed somewhere else than their words (must stay empty)
    marks_wrong: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.landed / self.with_place if self.with_place else 1.0

    def line(self) -> str:
        return (
            f"{self.name}: {self.landed}/{self.with_place} landed ({self.rate:.1%}), {self.orphaned} orphaned, "
            f"{len(self.wrong)} on wrong words, {self.annotations - self.returned} lost"
        )


def _write(path: Path, text: str, scenario: Scenario) -> None:
    path.write_bytes(text.replace("\n", scenario.newline).encode(scenario.encoding))


def run_scenario(scenario: Scenario, seed: Path, folder: Path) -> tuple[Tally, Reanchoring]:
    """Edit the seed as `scenario` says, re-anchor its annotations and marks, and count against the truth."""
    old, decoded = parse_file(seed)
    if scenario.before is not None:
        first = scenario.before(old)
        path = folder / "old.txt"
        path.write_text(first.file_text(decoded.text), encoding="utf-8")
        old, decoded = parse_file(path)
    draft = scenario.edit(old)
    path = folder / "new.txt"
    _write(path, draft.file_text(decoded.text), scenario)
    new, _ = parse_file(path)
    if [p.text for p in new.paragraphs] != draft.texts():
        raise AssertionError(f"{scenario.name}: the edited file does not parse into the intended paragraphs")
    annotations = seed_annotations(old)
    marks = seed_marks(old)
    result = reanchor(old, new, annotations, marks)
    tally = Tally(scenario.name, annotations=len(annotations), returned=len(result.annotations))
    if [o.annotation.id for o in result.annotations] != [a.id for a in annotations]:
        tally.returned = 0
    for outcome in result.annotations:
        annotation = outcome.annotation
        i = annotation.paragraph - 1
        if annotation.span is None:
            holders = draft.holders(i)
            truth = (holders[0], None, None) if len(holders) == 1 else None
        else:
            truth = draft.where(i, annotation.span.start, annotation.span.end)
        placed = (outcome.paragraph, outcome.start, outcome.end) if outcome.placed else None
        tally.with_place += truth is not None
        tally.orphaned += outcome.orphaned
        if placed is not None and draft.same_words(placed, truth):
            tally.landed += 1
        elif placed is not None:
            quote = annotation.span.quote if annotation.span else "(whole paragraph)"
            tally.wrong.append(f"¶{annotation.paragraph} {quote!r} → {placed} by {outcome.method}, truth {truth}")
    for mark in result.marks:
        i = mark.paragraph - 1
        holders = draft.holders(i)
        changed = any(draft.texts()[k - 1].strip() != old.paragraphs[i].text.strip() for k in holders)
        if mark.paragraphs != holders or (holders and mark.text_changed != changed):
            tally.marks_wrong.append(f"¶{mark.paragraph}: {mark.paragraphs} changed={mark.text_changed}; truth {holders} changed={changed}")
    return tally, result
