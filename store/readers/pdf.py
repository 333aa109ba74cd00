"""PDF files with a text layer, read with pdfminer.six's layout analysis.

pdfminer lays each page out into text boxes and lines, with columns in reading
order as far as its analysis finds them (`LAParams` defaults, the same as its own
`extract_text`). From those lines, with their positions, sizes and fonts:

* **Running headers, footers and page numbers** go: among the two top and two
  bottom lines of each page, a line whose text (digits aside) recurs at the same
  height on at least half the pages, or that is only a page number ("7",
  "Page 7 of 12", "- 7 -").
* **Footnotes at the foot of a page**: lines in a smaller size than the body,
  below the last body line, that start with a number some body paragraph cites
  (a superscript marker); the lines after such a start continue the note, on the
  next page too. Superscript digits in the body become `[n]` markers, as in
  the text layouts.
* **Headings**: lines in a larger size, or bold where the body is not; the
  first such block of the first page is the title (or the document's /Title).
* **Paragraphs** are rebuilt across line and page breaks: a new one starts after
  a larger gap than the line spacing, a heading, or a short line that ends a
  sentence; a page break alone never ends a paragraph. A word hyphenated at a
  line end is joined (`deploy-` + `ment`) unless the hyphen belongs to it: the
  next part starts with a capital or a digit (`Al-` + `Qaim`), the document
  writes that compound with its hyphen elsewhere, or the first part is a prefix
  that takes one (`pro-`, `anti-`, `self-`…). A soft hyphen always joins.

A PDF without any text (a scan) is refused, and so is an encrypted one that does
not open with an empty password. JavaScript, forms, links and embedded files in
a PDF are never run, filled or followed: only page content is interpreted.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from store.errors import IngestError
from store.model import Footnote, Paragraph, ParsedReport
from store.parsing import markers, parse_date, title_from, warn_unmatched
from store.readers.limits import Deadline, Limits

_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–—]?\s*\d{1,5}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,5})?\s*$", re.IGNORECASE)
# A /Title that names the file or the program, not the report ("Microsoft Word - draft.docx", "untitled").
_PRODUCER_TITLE = re.compile(r"^\s*(microsoft \w+ - |untitled\b)|\.(docx?|pdf|odt|rtf|txt|html?)\s*$", re.IGNORECASE)
_NOTE_LEAD = re.compile(r"^\s*\[?(\d{1,4})[\].)]?\s+(?=\S)")
_BRACKET_NOTE = re.compile(r"^\[(\d{1,4})\]\s*")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_TERMINAL = tuple(".!?:;\"”’)]")
# Prefixes written with a hyphen: "pro-militia", "self-styled". A line-end hyphen after them stays.
_HYPHEN_PREFIXES = frozenset(
    "pro anti non self ex co counter cross semi multi post pre quasi well ill half all so de re inter intra "
    "mid neo pan sub super trans ultra vice".split()
)


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    bold: bool
    lead_note: int | None = None  # the number a note line starts with (plain or superscript)


@dataclass
class _Block:
    kind: str  # "paragraph", "heading", "note"
    lines: list[_Line] = field(default_factory=list)
    number: int | None = None  # a note's


def read_pdf(raw: bytes, name: str, limits: Limits, deadline: Deadline) -> ParsedReport:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSException

    try:
        document = PDFDocument(PDFParser(io.BytesIO(raw)), password="")
    except PDFPasswordIncorrect:
        raise IngestError(f"{name}: is an encrypted PDF that needs a password; save an unprotected copy") from None
    except PDFEncryptionError as error:
        raise IngestError(f"{name}: is an encrypted PDF that cannot be opened ({_first_line(error)})") from None
    except PSException as error:
        raise IngestError(f"{name}: is not a PDF that can be read ({_first_line(error) or type(error).__name__})") from None
    info = _info(document)
    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[list[_Line]] = []
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        if number > limits.pdf_pages:
            raise IngestError(f"{name}: has more than {limits.pdf_pages} pages; not added")
        deadline.check()
        interpreter.process_page(page)
        pages.append(_lines(device.get_result(), number))
    if not pages:
        raise IngestError(f"{name}: is a PDF with no pages")
    if not any(line.text.strip() for lines in pages for line in lines):
        raise IngestError(f"{name}: has no text layer (a scanned PDF?); run it through OCR first")
    return _understand(pages, info, name)


def _first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0][:120] if text else ""


def _info(document: Any) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    found: dict[str, str] = {}
    for entry in document.info or ():
        entry = resolve1(entry)
        if not isinstance(entry, dict):
            continue
        for key in ("Title", "Author", "Subject"):
            value = resolve1(entry.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip() and key not in found and not _PRODUCER_TITLE.search(value):
                found[key] = value.strip()
    return found


def _lines(layout: Any, page: int) -> list[_Line]:
    """The page's text lines in pdfminer's reading order, superscript digits written `[n]`."""
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    found: list[_Line] = []

    def visit(item: Any) -> None:
        if isinstance(item, LTTextLine):
            line = _line(item, page, LTChar)
            if line is not None:
                found.append(line)
        elif isinstance(item, LTTextContainer):
            for child in item:
                visit(child)

    for item in layout:
        visit(item)
    return found


def _line(item: Any, page: int, char_type: type) -> _Line | None:
    chars: list[Any] = [c for c in item if isinstance(c, char_type)]
    if not chars:
        return None
    if len({c.size for c in chars}) == 1:
        # One size: no superscript in it (the common line, read as pdfminer writes it).
        size = round(chars[0].size, 1)
        bold = "bold" in chars[0].fontname.lower() and "bold" in chars[-1].fontname.lower()
        text = item.get_text().rstrip("\n")
        match = _NOTE_LEAD.match(text)
        return _Line(page, text, item.x0, item.x1, item.y0, item.y1, size, bold, int(match.group(1)) if match else None)
    sizes = Counter(round(c.size, 1) for c in chars)
    size = sizes.most_common(1)[0][0]
    body = [c for c in chars if round(c.size, 1) == size]
    baseline = statistics.median(c.y0 for c in body)
    bold = sum(1 for c in body if "bold" in c.fontname.lower()) > len(body) / 2
    parts: list[str] = []
    lead_note: int | None = None
    digits: list[str] = []
    started = False  # has the line any text before this point?

    def close_digits() -> None:
        nonlocal lead_note, started
        if digits:
            number = "".join(digits)
            if not started:
                lead_note = int(number)
                parts.append(number)
            else:
                parts.append(f"[{number}]")
            digits.clear()
            started = True

    child: Any
    for child in item:
        text = child.get_text()
        char: Any = child if isinstance(child, char_type) else None
        if char is not None and text.isdigit() and char.size <= size * 0.9 and char.y0 - baseline >= 0.2 * size:
            digits.append(text)
            continue
        close_digits()
        started = started or not text.isspace()
        parts.append(text)
    close_digits()
    text = "".join(parts).rstrip("\n")
    if lead_note is None and (match := _NOTE_LEAD.match(text)):
        lead_note = int(match.group(1))
    return _Line(page, text, item.x0, item.x1, item.y0, item.y1, size, bold, lead_note)


def _understand(pages: list[list[_Line]], info: dict[str, str], name: str) -> ParsedReport:
    _drop_running_lines(pages)
    everything = [line for lines in pages for line in lines if line.text.strip()]
    if not everything:
        raise IngestError(f"{name}: has no text besides running headers and page numbers")
    weights: Counter[float] = Counter()
    for line in everything:
        weights[line.size] += len(line.text)
    body_size = weights.most_common(1)[0][0]
    body_bold = sum(len(x.text) for x in everything if x.bold and x.size == body_size) > weights[body_size] / 2
    body_lines = [x for x in everything if abs(x.size - body_size) < 0.6]
    width = max((x.x1 - x.x0 for x in body_lines), default=1.0) or 1.0
    pitches = [a.y0 - b.y0 for a, b in itertools.pairwise(body_lines) if a.page == b.page and 0 < a.y0 - b.y0 < 3 * body_size]
    # The line spacing: a low quantile, as paragraph gaps are wider; with few lines a wide value is a gap.
    pitch = sorted(pitches)[len(pitches) // 4] if pitches else body_size * 1.2
    if len(pitches) < 8:
        pitch = min(pitch, body_size * 1.5)
    cited = {int(n) for x in body_lines for n in re.findall(r"\[(\d{1,4})\]", x.text)}

    blocks: list[_Block] = []
    note: _Block | None = None
    for lines in pages:
        page_body = [x for x in lines if abs(x.size - body_size) < 0.6 or x.size > body_size]
        lowest_body = min((x.y0 for x in page_body), default=float("inf"))
        previous: _Line | None = None
        for line in lines:
            if not line.text.strip():
                continue
            if line.size < body_size - 0.5 and line.y1 <= lowest_body + 1:
                if line.lead_note is not None and line.lead_note in cited:
                    note = _Block("note", [line], line.lead_note)
                    blocks.append(note)
                elif note is not None:  # the note goes on (onto the next page, too)
                    note.lines.append(line)
                else:
                    blocks.append(_Block("paragraph", [line]))
                previous = line
                continue
            heading = line.size >= body_size * 1.1 or (line.bold and not body_bold)
            kind = "heading" if heading else "paragraph"
            last = _last_of(blocks, kind)
            if last is not None and _continues(last.lines[-1], line, previous, pitch, width):
                last.lines.append(line)
            else:
                blocks.append(_Block(kind, [line]))
            previous = line
    return _report(blocks, info, width, name)


def _last_of(blocks: list[_Block], kind: str) -> _Block | None:
    """The block a line may continue: the last block if it is of that kind, across the notes of a page end."""
    for block in reversed(blocks):
        if block.kind == "note":
            continue
        return block if block.kind == kind else None
    return None


def _continues(before: _Line, line: _Line, previous: _Line | None, pitch: float, width: float) -> bool:
    ended = before.text.rstrip().endswith(_TERMINAL) and (before.x1 - before.x0) < 0.8 * width
    if ended:
        return False
    if abs(line.size - before.size) > 0.5:
        return False
    if line.page != before.page:
        return True  # a page break alone does not end a paragraph
    gap = before.y0 - line.y0
    spacing = max(pitch, line.size * 1.25) if line.size > pitch else pitch  # a heading's own line spacing
    return 0 < gap <= spacing * 1.3 or (gap <= 0 and previous is before)


def _drop_running_lines(pages: list[list[_Line]]) -> None:
    """Remove running headers, footers and page numbers (see the module docstring)."""
    if not pages:
        return

    def edges(lines: list[_Line]) -> list[_Line]:
        ordered = sorted((x for x in lines if x.text.strip()), key=lambda x: -x.y1)
        return ordered[:2] + ordered[-2:]

    def key(line: _Line) -> tuple[str, int]:
        return re.sub(r"\d+", "#", line.text.strip().lower()), round(line.y0 / 6)

    counts: Counter[tuple[str, int]] = Counter()
    for lines in pages:
        counts.update({key(x) for x in edges(lines)})
    needed = max(2, (len(pages) + 1) // 2)
    for index, lines in enumerate(pages):
        dropped = {id(x) for x in edges(lines) if _PAGE_NUMBER.match(x.text) or (len(pages) > 1 and counts[key(x)] >= needed)}
        pages[index] = [x for x in lines if id(x) not in dropped]


def _report(blocks: list[_Block], info: dict[str, str], width: float, name: str) -> ParsedReport:
    vocabulary = _vocabulary(blocks)
    title = info.get("Title", "")
    report_date: str | None = None
    headings: list[str] = []
    paragraphs: list[Paragraph] = []
    notes: dict[int, str] = {}
    section: str | None = None
    for index, block in enumerate(blocks):
        text = _join(block.lines, vocabulary, _block_width(block, width))
        if block.kind == "note":
            assert block.number is not None
            notes[block.number] = _NOTE_LEAD.sub("", text, count=1)
            continue
        if block.kind == "heading":
            first_page = block.lines[0].page == 1 and not paragraphs and not headings
            if first_page and (not title or _same(text, title)) and block.lines[0].size >= max(b.lines[0].size for b in blocks):
                title = title or text
                continue
            section = text
            headings.append(text)
            continue
        if not paragraphs and report_date is None and len(block.lines) == 1 and index < 4 and (day := parse_date(text)):
            report_date = day
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, section, markers(text)))
    # Endnotes typed as "[n] …" paragraphs at the end (a dispatch printed to PDF) are notes too.
    while paragraphs and (match := _BRACKET_NOTE.match(paragraphs[-1].text)) and int(match.group(1)) not in notes:
        notes[int(match.group(1))] = paragraphs.pop().text[match.end():]
    footnotes = tuple(Footnote(n, notes[n]) for n in sorted(notes))
    warnings: list[str] = []
    warn_unmatched(paragraphs, footnotes, warnings)
    if not paragraphs:
        raise IngestError(f"{name}: has no body paragraphs to review (pdf)")
    return ParsedReport(
        title=title or title_from(paragraphs[0].text),
        date=report_date,
        dispatch_number=None,
        regions=(),
        headings=tuple(headings),
        paragraphs=tuple(paragraphs),
        footnotes=footnotes,
        warnings=tuple(warnings),
        format="pdf",
        source=info.get("Author"),
    )


def _block_width(block: _Block, width: float) -> float:
    """Notes are measured against the widest note line (they are set narrower than the body)."""
    if block.kind != "note":
        return width
    return max(x.x1 - block.lines[0].x0 for x in block.lines) if len(block.lines) > 1 else width


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _vocabulary(blocks: list[_Block]) -> set[str]:
    """Every word of the document written whole on one line (line-end fragments left out), lower-cased."""
    words: set[str] = set()
    for block in blocks:
        for i, line in enumerate(block.lines):
            found = _WORD.findall(line.text)
            if line.text.rstrip().endswith(("-", "\u00ad")) and found:
                found = found[:-1]
            if i and block.lines[i - 1].text.rstrip().endswith(("-", "\u00ad")) and found:
                found = found[1:]
            words.update(word.lower() for word in found)
    return words


def _join(lines: list[_Line], vocabulary: set[str], width: float) -> str:
    """The lines of one block as one text: hyphenation resolved, a short line ending a sentence inside
    a note (a note of two paragraphs) kept as a blank line."""
    text = ""
    before: _Line | None = None
    for line in lines:
        part = line.text.strip()
        short = before is not None and (before.x1 - before.x0) < 0.8 * width and text.endswith(_TERMINAL)
        before = line
        if not text:
            text = part
        elif short:
            text += "\n\n" + part
        elif text.endswith("\u00ad"):
            text = text[:-1] + part
        elif text.endswith("-") and len(text) > 1 and text[-2].isalpha():
            text = (text if _keeps_hyphen(text, part, vocabulary) else text[:-1]) + part
        else:
            text += " " + part
    return text


def _keeps_hyphen(before: str, after: str, vocabulary: set[str]) -> bool:
    """Is the hyphen at the end of `before` part of the word (see the module docstring)?"""
    left = _WORD.findall(before[:-1])
    right = _WORD.findall(after)
    if not left or not right or not after[:1].isalpha() or not after[:1].islower():
        return True
    head = left[-1].split("-")[-1].lower()
    tail = right[0].split("-")[0].lower()
    if f"{head}-{tail}" in vocabulary:
        return True
    if head + tail in vocabulary:
        return False
    return head in _HYPHEN_PREFIXES
