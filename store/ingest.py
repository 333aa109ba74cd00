"""Reading report files: the file, its format, its decoding, then its layout.

`read_report_file` reads the bytes (size-capped), recognises the format by
content (`store.readers.detect.sniff`: plain text, a web page, a PDF, a Word
file) and, for text, decodes and cleans it. `parse_decoded` turns that into a
`ParsedReport`: text through the layouts of `store.parsing` (dispatch,
Markdown, plain), other formats through their reader in `store/readers/`,
whose libraries are imported only when such a file is read.

Paragraph text is kept exactly as it comes out of `store.text.clean_text`
(newline normalisation; control characters made visible one-for-one), less the
whitespace at its two edges, so a character offset inside a paragraph means the
same thing everywhere.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import IngestError
from store.model import ParsedReport
from store.parsing import looks_like_heading, parse_date, parse_text, split_blocks
from store.readers.detect import TEXT, decode, sniff
from store.text import clean_line, clean_text

if TYPE_CHECKING:
    from store.readers.limits import Limits

__all__ = [
    "MAX_BYTES",
    "DecodedFile",
    "decode_report_bytes",
    "looks_like_heading",
    "parse_date",
    "parse_decoded",
    "parse_file",
    "parse_text",
    "read_report_file",
    "report_id_for",
    "split_blocks",
]

MAX_BYTES = 64 * 1024 * 1024
# Bumped when a reader of PDF, HTML or Word files changes what it makes of a file, so the
# same file read again becomes a new revision instead of keeping the old reading.
READERS_VERSION = 1


@dataclass(frozen=True)
class DecodedFile:
    text: str  # the cleaned text of a text file; empty for other formats (their reader extracts it)
    warnings: tuple[str, ...]
    sha256: str  # the revision's identity: of the cleaned text, or of the file's bytes for other formats
    format: str = TEXT  # "text", "html", "pdf" or "docx"
    raw: bytes = b""  # the file's bytes, for formats other than text


def read_report_file(path: str | os.PathLike[str]) -> DecodedFile:
    """Read a report file and recognise its format. Raises IngestError with a one-line message."""
    path = Path(path)
    shown = clean_line(str(path))
    from store.errors import StoreError
    from store.storage import open_input

    try:
        if path.is_dir():
            raise IngestError(f"{shown}: is a directory, not a report file")
        fd = open_input(path, MAX_BYTES)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # a file growing while it is read stops at the limit too
        if len(raw) > MAX_BYTES:
            raise IngestError(f"{shown}: larger than the {MAX_BYTES // 2**20} MiB limit")
    except StoreError as error:
        raise IngestError(clean_line(str(error))) from None
    except OSError as error:
        raise IngestError(f"{shown}: cannot be read ({error.strerror or error})") from None
    fmt = sniff(raw, shown)
    if fmt != TEXT:
        if not raw.strip():
            raise IngestError(f"{shown}: is empty")
        # The bytes, not an extraction, name the revision: opening an unchanged PDF again
        # is then a hash, not a second extraction.
        tag = f"claimdesk-{fmt}-reader/{READERS_VERSION}\n".encode()
        return DecodedFile("", (), hashlib.sha256(tag + raw).hexdigest(), fmt, raw)
    return decode_report_bytes(raw, shown)


def decode_report_bytes(raw: bytes, name: str = "<input>") -> DecodedFile:
    text, warnings = decode(raw, name)
    text = clean_text(text)
    if not text:
        raise IngestError(f"{name}: is empty")
    if not text.strip():
        raise IngestError(f"{name}: is empty (it holds only whitespace)")
    return DecodedFile(text, tuple(warnings), hashlib.sha256(text.encode("utf-8")).hexdigest())


def parse_decoded(decoded: DecodedFile, name: str, limits: Limits | None = None) -> ParsedReport:
    """How a read file is understood: text by its layout, other formats by their reader."""
    if decoded.format == TEXT:
        return parse_text(decoded.text, name=name, warnings=decoded.warnings)
    from store.readers import read

    return read(decoded.format, decoded.raw, name, limits)


def parse_file(path: str | Path, limits: Limits | None = None) -> tuple[ParsedReport, DecodedFile]:
    decoded = read_report_file(path)
    return parse_decoded(decoded, Path(path).name, limits), decoded


def report_id_for(path: str | os.PathLike[str]) -> str:
    """A report's identity: its file name without extension, as a slug.

    The same file always gives the same id (a changed file becomes a new revision
    of it), and colleagues who add the same file from other folders agree on it.
    """
    stem = Path(path).name
    for suffix in (".txt", ".md", ".markdown", ".text"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    slug = re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-.")
    if not slug:
        slug = "report-" + hashlib.sha256(Path(path).name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return slug[:80]


def today() -> str:
    return date.today().isoformat()
