"""Word files (`.docx`), read with python-docx.

A `.docx` is a zip of XML parts, so before python-docx opens it the archive is
checked against `Limits`: the number of parts, their unpacked size together,
and the ratio of any large part's unpacked to packed size (a zip bomb unpacks a
few kilobytes into gigabytes). python-docx parses every part with entity
resolution off, and never loads what a relationship points to outside the
package (a remote template, a linked image or file): those stay unfetched.

* Paragraphs in document order, table rows as one paragraph each (cells joined
  by tabs); deleted text of tracked changes, field codes, text boxes and
  alternative content are left out; a line break is a newline, a tab a tab.
* Headings from the heading styles ("Heading 1"…, or any paragraph with an
  outline level); a "Title" paragraph is the title.
* Footnotes and endnotes from the package's footnotes and endnotes parts, cited
  where their references stand as `[n]` markers (as in the text layouts): a
  footnote keeps its number, endnotes are numbered after the last footnote. A
  number typed in superscript is a marker too.
* Title and date from the document properties (`title`, `created`), the title
  otherwise from a Title paragraph or the first heading; the author as source.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from store.errors import IngestError
from store.model import Footnote, Paragraph, ParsedReport
from store.parsing import markers, title_from, warn_unmatched
from store.readers.limits import Deadline, Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIPPED = {f"{W}del", f"{W}moveFrom", f"{W}instrText", f"{W}delText", f"{W}txbxContent", f"{MC}Fallback", f"{W}footnoteRef",
            f"{W}endnoteRef", f"{W}rPr", f"{W}pPr"}
_MIN_BOMB = 1024 * 1024  # a part smaller than this unpacked is never called a bomb, whatever its ratio


def read_docx(raw: bytes, name: str, limits: Limits, deadline: Deadline) -> ParsedReport:
    _check_archive(raw, name, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise IngestError(f"{name}: is not a Word file that can be opened ({detail})") from None
    deadline.check()
    notes, endnote_offset = _notes(document)
    properties = document.core_properties
    title = (properties.title or "").strip()
    created = properties.created
    headings: list[str] = []
    paragraphs: list[Paragraph] = []
    section: str | None = None
    # Style names by id, read once: python-docx looks a paragraph's style up by walking every style.
    style_names = {style.style_id: style.name or "" for style in document.styles}
    for count, (kind, element) in enumerate(_blocks(document.element.body)):
        if count % 200 == 0:
            deadline.check()
        if kind == "row":
            cells = element.iterchildren(f"{W}tc")
            text = "\t".join(" ".join(_text(p, endnote_offset) for p in cell.iter(f"{W}p")).strip() for cell in cells)
            if text.strip():
                paragraphs.append(Paragraph(len(paragraphs) + 1, text, section, markers(text)))
            continue
        text = _text(element, endnote_offset)
        if not text.strip():
            continue
        style_id = element.find(f"{W}pPr/{W}pStyle")
        style = style_names.get(style_id.get(f"{W}val") if style_id is not None else "", "")
        if style == "Title":
            title = title or text.strip()
            continue
        if style.startswith("Heading") or _outline_level(element) is not None:
            if not title and not paragraphs and not headings:
                title = text.strip()
                continue
            section = text.strip()
            headings.append(section)
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, section, markers(text)))
    if not paragraphs:
        raise IngestError(f"{name}: has no body paragraphs to review (docx)")
    footnotes = tuple(Footnote(n, notes[n]) for n in sorted(notes))
    warnings: list[str] = []
    warn_unmatched(paragraphs, footnotes, warnings)
    return ParsedReport(
        title=title or title_from(paragraphs[0].text),
        date=created.date().isoformat() if created else None,
        dispatch_number=None,
        regions=(),
        headings=tuple(headings),
        paragraphs=tuple(paragraphs),
        footnotes=footnotes,
        warnings=tuple(warnings),
        format="docx",
        source=(properties.author or "").strip() or None,
    )


def _blocks(body: Any) -> Iterator[tuple[str, Any]]:
    """The body's paragraphs and table rows in document order, into content controls too."""
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            yield "paragraph", child
        elif child.tag == f"{W}tbl":
            for row in child.iter(f"{W}tr"):
                yield "row", row
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _check_archive(raw: bytes, name: str, limits: Limits) -> None:
    """Refuse a zip bomb before anything is unpacked: sizes as the archive declares them, which
    zipfile then holds each part to (it stops reading a part at its declared size)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError) as error:
        raise IngestError(f"{name}: is not a valid .docx (a broken zip archive: {error})") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.zip_members:
            raise IngestError(f"{name}: has {len(parts)} parts, more than the {limits.zip_members} a Word file may have")
        total = sum(part.file_size for part in parts)
        if total > limits.unzipped_bytes:
            raise IngestError(
                f"{name}: unpacks to {total} bytes, more than the {limits.unzipped_bytes // 2**20} MiB limit (a zip bomb?)"
            )
        for part in parts:
            if part.file_size > _MIN_BOMB and part.file_size > limits.zip_ratio * max(part.compress_size, 1):
                raise IngestError(
                    f"{name}: part {part.filename[:60]!r} unpacks {part.file_size // max(part.compress_size, 1)}:1, "
                    f"more than {limits.zip_ratio}:1 (a zip bomb?)"
                )
        if "word/document.xml" not in archive.namelist() and not any(n.endswith("document.xml") for n in archive.namelist()):
            raise IngestError(f"{name}: is a zip archive without a Word document in it")


def _outline_level(p: Any) -> int | None:
    level = p.find(f"{W}pPr/{W}outlineLvl")
    if level is None:
        return None
    value = level.get(f"{W}val")
    return int(value) if value and value.isdigit() and int(value) < 9 else None


def _text(element: Any, endnote_offset: int) -> str:
    """A paragraph's text as Word shows it (see the module docstring)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == f"{W}t":
                if child.text:
                    parts.append(_superscript_marker(child) or child.text)
            elif tag == f"{W}tab":
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                if child.get(f"{W}type") in (None, "textWrapping"):
                    parts.append("\n")
            elif tag == f"{W}noBreakHyphen":
                parts.append("\u2011")
            elif tag == f"{W}softHyphen":
                parts.append("\u00ad")
            elif tag == f"{W}footnoteReference":
                parts.append(f"[{child.get(f'{W}id')}]")
            elif tag == f"{W}endnoteReference":
                number = child.get(f"{W}id") or "0"
                parts.append(f"[{int(number) + endnote_offset}]" if number.isdigit() else "")
            elif tag == f"{W}p" and parts:
                parts.append("\n\n")
                walk(child)
            else:
                walk(child)

    walk(element)
    return "".join(parts)


def _superscript_marker(t: Any) -> str | None:
    """A number typed in superscript (`<w:vertAlign w:val="superscript"/>`) is a footnote marker."""
    text = (t.text or "").strip()
    run = t.getparent()
    if not text.isdigit() or len(text) > 4 or run is None:
        return None
    align = run.find(f"{W}rPr/{W}vertAlign")
    return f"[{text}]" if align is not None and align.get(f"{W}val") == "superscript" else None


def _notes(document: Any) -> tuple[dict[int, str], int]:
    """Footnotes and endnotes from their parts: number → text; and the endnotes' offset."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    found: dict[str, dict[int, str]] = {"footnote": {}, "endnote": {}}
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.FOOTNOTES, RT.ENDNOTES):
            continue
        kind = "footnote" if rel.reltype == RT.FOOTNOTES else "endnote"
        root = parse_xml(rel.target_part.blob)
        for note in root.iter(f"{W}{kind}"):
            number = note.get(f"{W}id") or ""
            if note.get(f"{W}type") not in (None, "normal") or not number.isdigit() or int(number) < 1:
                continue  # separators
            text = "\n\n".join(t for t in (_text(p, 0).strip() for p in note.iter(f"{W}p")) if t)
            found[kind][int(number)] = text
    offset = max(found["footnote"], default=0)
    notes = dict(found["footnote"])
    notes.update({number + offset: text for number, text in found["endnote"].items()})
    return notes, offset
