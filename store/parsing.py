"""Parsing a report's text by its layout: how cleaned text becomes a `ParsedReport`.

Three layouts of plain text are understood, chosen by content (`parse_text`):

* the dispatch plain-text layout (a header line with "Special Dispatch No. N",
  the title, a date/regions block, body paragraphs broken by one-line headings,
  inline `[n]` footnote markers, a footnotes block, trailing site boilerplate);
* Markdown (`#` headings, `[^n]` footnotes, optional `---` front matter);
* any other plain text (paragraphs split on blank lines).

(Not to be confused with `store/layout.py`, where a database's files live.)
The readers of other formats (`store/readers/`) build on the same pieces: a
web page of a dispatch goes through `dispatch_body` like the text layout, so
both give the same paragraphs. Every parse ends in `finish`, which trims each
paragraph's edges and nothing inside it, so offsets inside a paragraph are
offsets into the cleaned text it was cut from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime

from store.errors import IngestError
from store.model import Footnote, Paragraph, ParsedReport
from store.text import clean_line, clean_text

DISPATCH_HEADER = re.compile(r"^(?P<date>.*?)\s*Special Dispatch No\.\s*(?P<number>\d+)\s*$")
REGIONS_LINE = re.compile(r"^(?P<regions>.*?)\s*\|\s*Special Dispatch No\.\s*(?P<number>\d+)\s*$")
MARKER = re.compile(r"\[(\d{1,4})\]")
_NOTE_START = re.compile(r"^\[(\d{1,4})\]\s*")
_MD_MARKER = re.compile(r"\[\^([^\]\s]+)\]")
_MD_NOTE = re.compile(r"^\[\^([^\]\s]+)\]:\s?")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")  # a thematic break: not a paragraph
BOILERPLATE = ("Share this Report:",)
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on",
    "or", "the", "to", "vs", "via", "with", "aka",
}
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d.%m.%Y")


def parse_text(text: str, name: str = "", warnings: tuple[str, ...] = ()) -> ParsedReport:
    """Understand already-cleaned text. The layout is chosen by content, then by file name."""
    blocks = split_blocks(text)
    if not blocks:
        raise IngestError(f"{name or 'input'}: is empty")
    if DISPATCH_HEADER.match(blocks[0].splitlines()[0]):
        report = parse_dispatch(blocks, list(warnings))
    elif name.lower().endswith((".md", ".markdown")) or text.startswith("---\n") or any(
        _MD_HEADING.match(block.split("\n", 1)[0]) for block in blocks[:20]
    ):
        report = _parse_markdown(text, list(warnings))
    else:
        report = _parse_plain(blocks, list(warnings))
    return finish(report, name)


def finish(report: ParsedReport, name: str = "") -> ParsedReport:
    """The last step of every parse, whatever the format: the one place text is cleaned and trimmed.

    Each string is passed through `clean_text` (a no-op on text that was cleaned
    already; readers of PDF, HTML and Word files get their control characters
    made visible here). A paragraph loses the whitespace at its edges — spaces,
    tabs, newlines, U+00A0 and every other Unicode space (`str.isspace`) — and
    nothing inside, so an offset inside it is an offset into the text it was cut
    from; a paragraph left empty is dropped and the others renumbered.
    """
    paragraphs: list[Paragraph] = []
    for paragraph in report.paragraphs:
        text = clean_text(paragraph.text).strip()
        if text:
            section = clean_line(paragraph.section) if paragraph.section is not None else None
            paragraphs.append(Paragraph(len(paragraphs) + 1, text, section, paragraph.footnotes))
    if not paragraphs:
        raise IngestError(f"{name or 'input'}: has no body paragraphs to review ({report.format} layout)")
    return replace(
        report,
        title=clean_line(report.title),
        headings=tuple(h for h in (clean_line(h) for h in report.headings) if h),
        paragraphs=tuple(paragraphs),
        footnotes=tuple(Footnote(n.number, clean_text(n.text).strip()) for n in report.footnotes),
        regions=tuple(r for r in (clean_line(r) for r in report.regions) if r),
        warnings=tuple(clean_line(w) for w in report.warnings),
        dispatch_number=clean_line(report.dispatch_number) if report.dispatch_number else None,
        source=clean_line(report.source) if report.source else None,
    )


def split_blocks(text: str) -> list[str]:
    """Blocks separated by blank (whitespace-only) lines, each kept exactly."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip() == "":
            if current:
                blocks.append("\n".join(current))
                current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def parse_date(value: str) -> str | None:
    """`"October 19, 2023"` → `"2023-10-19"`; None when it is not a date."""
    value = value.strip().rstrip(".")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", value):  # an ISO 8601 timestamp: its day
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def looks_like_heading(block: str) -> bool:
    """One line, title case, no final full stop: a section heading of the dispatch layout."""
    if "\n" in block or len(block) > 200:
        return False
    line = block.strip()
    if not line or line[-1] in ".:!?,;\"”’)" or MARKER.search(line):
        return False
    words = [w for w in re.split(r"[\s\-–—/]+", line) if w and w[0].isalpha()]
    if not words:
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or w.lower() in _SMALL_WORDS)
    return capitalised / len(words) >= 0.85 and words[0][0].isupper()


def markers(text: str) -> tuple[int, ...]:
    seen: list[int] = []
    for match in MARKER.finditer(text):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return tuple(seen)


def parse_dispatch(blocks: list[str], warnings: list[str], known_headings: Iterable[str] = ()) -> ParsedReport:
    """The dispatch layout: header line, title, date/regions block, then `dispatch_body`."""
    header = DISPATCH_HEADER.match(blocks[0].splitlines()[0])
    assert header is not None
    dispatch_number = header.group("number")
    report_date = parse_date(header.group("date"))
    index = 1
    title = ""
    if index < len(blocks):
        title = blocks[index].replace("\n", " ")
        index += 1
    regions: tuple[str, ...] = ()
    if index < len(blocks):
        lines = blocks[index].splitlines()
        meta = [line for line in lines if REGIONS_LINE.match(line) or parse_date(line)]
        if meta and len(meta) == len(lines):
            for line in lines:
                if match := REGIONS_LINE.match(line):
                    regions = tuple(r.strip() for r in match.group("regions").split(",") if r.strip())
                elif parsed := parse_date(line):
                    report_date = report_date or parsed
            index += 1
    headings, paragraphs, footnotes = dispatch_body(blocks[index:], warnings, known_headings)
    return ParsedReport(
        title=title,
        date=report_date,
        dispatch_number=dispatch_number,
        regions=regions,
        headings=headings,
        paragraphs=paragraphs,
        footnotes=footnotes,
        warnings=tuple(warnings),
        format="dispatch",
    )


def dispatch_body(
    body: list[str], warnings: list[str], known_headings: Iterable[str] = ()
) -> tuple[tuple[str, ...], tuple[Paragraph, ...], tuple[Footnote, ...]]:
    """Headings, paragraphs and footnotes of a dispatch's blocks after its date/regions block.

    A heading is a block that looks like one (`looks_like_heading`) or one of
    `known_headings` (a web page marks its headings up; a text rendering cannot).
    """
    known = set(known_headings)
    # The footnotes block: from the last run of blocks that start with "[n]" (and
    # their continuations) to the boilerplate; body paragraphs never start with "[n]".
    end = len(body)
    for i, block in enumerate(body):
        if block.strip().startswith(BOILERPLATE):
            end = i
            break
    body = body[:end]
    notes_start = end
    for i, block in enumerate(body):
        if _NOTE_START.match(block) and all(
            _NOTE_START.match(b) or not (looks_like_heading(b) or b in known) for b in body[i:]
        ):
            notes_start = i
            break
    footnotes = _collect_notes(body[notes_start:], _NOTE_START)
    headings: list[str] = []
    paragraphs: list[Paragraph] = []
    section: str | None = None
    for block in body[:notes_start]:
        if block in known or looks_like_heading(block):
            section = block.strip()
            headings.append(section)
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, block, section, markers(block)))
    warn_unmatched(paragraphs, footnotes, warnings)
    return tuple(headings), tuple(paragraphs), footnotes


def _collect_notes(blocks: list[str], start: re.Pattern[str]) -> tuple[Footnote, ...]:
    """Notes start with a marker; a block without one continues the note before it."""
    notes: list[list] = []
    for block in blocks:
        match = start.match(block)
        if match:
            notes.append([match.group(1), block[match.end():]])
        elif notes:
            notes[-1][1] += "\n\n" + block
    result: list[Footnote] = []
    for key, text in notes:
        number = int(key) if str(key).isdigit() else len(result) + 1
        result.append(Footnote(number, text.strip()))
    return tuple(result)


def warn_unmatched(
    paragraphs: list[Paragraph],
    footnotes: tuple[Footnote, ...],
    warnings: list[str],
    marker: Callable[[int], str] = "[{}]".format,
) -> None:
    """Warn about markers without a note and notes nothing cites, written as in the file."""
    noted = {note.number for note in footnotes}
    cited = [n for p in paragraphs for n in p.footnotes]
    missing = sorted(set(cited) - noted)
    if missing:
        warnings.append("footnote markers without a note: " + ", ".join(marker(n) for n in missing))
    orphans = sorted(noted - set(cited))
    if orphans:
        warnings.append("notes that no paragraph cites: " + ", ".join(marker(n) for n in orphans))


def _parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        return {}, text
    after = text.find("\n", end + 4)
    meta: dict[str, str] = {}
    for line in text[4:end].split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    body = "" if after == -1 else text[after + 1:]
    # Keep offsets honest: the body is used only for block splitting; paragraphs keep their text.
    return meta, body


def _footnote_numbers(body: str) -> dict[str, int]:
    """Every `[^label]` of a Markdown body, numbered: `[^3]` is note 3, named labels follow
    the highest numeric one in order of first appearance (so they never collide)."""
    labels = list(dict.fromkeys(match.group(1) for match in _MD_MARKER.finditer(body)))
    numbers = {label: int(label) for label in labels if label.isdigit()}
    following = max(numbers.values(), default=0)
    for label in labels:
        if label not in numbers:
            following += 1
            numbers[label] = following
    return numbers


def _leading_heading(block: str) -> tuple[int, str, str] | None:
    """`(level, name, rest of the block)` when the block opens with an ATX or setext heading."""
    first, _, rest = block.partition("\n")
    if heading := _MD_HEADING.match(first):
        return len(heading.group(1)), heading.group(2), rest
    underline, _, after = rest.partition("\n")
    if first.strip() and not after and re.fullmatch(r" {0,3}(=+|-+) *", underline):
        return (1 if "=" in underline else 2), first.strip(), ""
    return None


def _parse_markdown(text: str, warnings: list[str]) -> ParsedReport:
    meta, body = _parse_front_matter(text)
    blocks = split_blocks(body)
    numbers = _footnote_numbers(body)
    title = clean_line(meta.get("title", ""))
    report_date = parse_date(meta["date"]) if meta.get("date") else None
    if meta.get("date") and report_date is None:
        warnings.append(f"front matter date {clean_line(meta['date'])!r} is not a date I understand")
    headings: list[str] = []
    paragraphs: list[Paragraph] = []
    note_blocks: list[str] = []
    section: str | None = None
    in_notes = False
    for block in blocks:
        first = block.split("\n", 1)[0]
        if _MD_NOTE.match(first):
            in_notes = True
            note_blocks.append(block)
            continue
        if in_notes and block.startswith(("    ", "\t")):
            note_blocks.append(block)
            continue
        in_notes = False
        if _MD_RULE.match(block):
            continue
        # Heading lines at the top of a block are headings; the lines after them are a paragraph.
        while found := _leading_heading(block):
            level, name, block = found
            if level == 1 and not headings and not paragraphs and (not title or name == title):
                title = name
            elif name:
                section = name
                headings.append(name)
        if block.strip():
            cited = tuple(dict.fromkeys(numbers[m.group(1)] for m in _MD_MARKER.finditer(block)))
            paragraphs.append(Paragraph(len(paragraphs) + 1, block, section, cited))
    # A note block may hold several definitions, one after another.
    footnotes: list[Footnote] = []
    for block in note_blocks:
        for part in re.split(r"\n(?=\[\^[^\]\s]+\]:)", block):
            match = _MD_NOTE.match(part)
            if match:
                text_of_note = re.sub(r"\n[ \t]+", "\n", part[match.end():]).strip()
                footnotes.append(Footnote(numbers[match.group(1)], text_of_note))
            elif footnotes:
                last = footnotes.pop()
                footnotes.append(Footnote(last.number, last.text + "\n\n" + re.sub(r"\n[ \t]+", "\n", part).strip()))
    if not title and paragraphs:
        title = title_from(paragraphs[0].text)
    notes = tuple(footnotes)
    labels = {number: label for label, number in numbers.items()}
    warn_unmatched(paragraphs, notes, warnings, lambda n: f"[^{labels.get(n, n)}]")
    return ParsedReport(
        title=title,
        date=report_date,
        dispatch_number=clean_line(meta["dispatch"]) if meta.get("dispatch") else None,
        regions=tuple(r.strip().strip("\"'") for r in meta.get("regions", "").strip("[]").split(",") if r.strip()),
        headings=tuple(headings),
        paragraphs=tuple(paragraphs),
        footnotes=notes,
        warnings=tuple(warnings),
        format="markdown",
        source=clean_line(meta["source"]) if meta.get("source") else None,
    )


def title_from(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= 80 else line[:77].rstrip() + "…"


def _looks_like_title(block: str) -> bool:
    return "\n" not in block and len(block) <= 150 and block.strip()[-1:] not in ".,;:!?"


def _parse_plain(blocks: list[str], warnings: list[str]) -> ParsedReport:
    title = ""
    report_date: str | None = None
    index = 0
    if len(blocks) > 1 and _looks_like_title(blocks[0]):
        title = blocks[0].strip()
        index = 1
    if index < len(blocks) and "\n" not in blocks[index] and (parsed := parse_date(blocks[index])):
        report_date = parsed
        index += 1
    paragraphs = tuple(
        Paragraph(n, block, None, ()) for n, block in enumerate(blocks[index:], start=1)
    )
    if not title:
        title = title_from(blocks[0])
    return ParsedReport(
        title=title,
        date=report_date,
        dispatch_number=None,
        regions=(),
        headings=(),
        paragraphs=paragraphs,
        footnotes=(),
        warnings=tuple(warnings),
        format="text",
    )


