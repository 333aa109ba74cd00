"""What a report file is, from its bytes: its format, and for text its encoding.

The format is recognised by content, so a PDF saved as `report.txt` or a web
page saved without an extension is still read as what it is; the file name only
settles a page that is a bare HTML fragment. This is the one place a format is
chosen (`store.readers.read` then calls that format's reader).
"""

from __future__ import annotations

import codecs
import re

from store.errors import IngestError

TEXT, HTML, PDF, DOCX = "text", "html", "pdf", "docx"

_HTML_START = re.compile(
    rb"^(?:\s|<\?xml[^>]{0,200}>|<!--.{0,2000}?-->)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(rb"<(?:p|div|h[1-6]|article|section|span|a|br)\b[^>]{0,500}>", re.IGNORECASE)
_HTML_NAMES = (".html", ".htm", ".xhtml")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, Excel, Outlook: the compound file format


def sniff(raw: bytes, name: str = "") -> str:
    """`"pdf"`, `"docx"`, `"html"` or `"text"`; a file that is none of them (an image, an
    old .doc, another zip) is refused with one line, as are odd encodings of text."""
    head = raw[:1024]
    start = head.find(b"%PDF-")
    # At the start, or after a few bytes of binary junk (some mailers and Mac tools prefix one);
    # a text report that merely mentions "%PDF-" is text.
    if start == 0 or (start > 0 and (head[:start].lstrip(b"\xef\xbb\xbf \t\r\n") == b"" or looks_binary(head[:start]))):
        return PDF
    if raw.startswith(b"PK\x03\x04"):
        if b"word/" in raw[:65536] or b"word/document.xml" in raw[-65536:]:
            return DOCX
        raise IngestError(f"{name}: is a zip archive, not a report (Word files must be .docx)")
    if raw.startswith(_OLE):
        raise IngestError(f"{name}: is an old Office file (Word 97-2003 .doc?); save it as .docx")
    text_head = _ascii_head(raw)
    if _HTML_START.match(text_head):
        return HTML
    if name.lower().endswith(_HTML_NAMES) and _HTML_TAG.search(text_head):
        return HTML
    return TEXT


def _ascii_head(raw: bytes) -> bytes:
    """The first 4 KiB as ASCII-compatible bytes (UTF-16 with a byte order mark decoded), BOM dropped."""
    head = raw[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    return head.removeprefix(b"\xef\xbb\xbf")


def decode(raw: bytes, name: str, declared: str | None = None) -> tuple[str, list[str]]:
    """Text from bytes: a byte order mark wins, then a `declared` encoding (an HTML page's
    `<meta charset>`), then UTF-8, else Windows-1252 with a warning. Binary is refused."""
    warnings: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), warnings
        except UnicodeDecodeError:
            raise IngestError(f"{name}: has a UTF-8 byte order mark but is not valid UTF-8") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), warnings
        except UnicodeDecodeError:
            raise IngestError(f"{name}: has a UTF-16 byte order mark but is not valid UTF-16") from None
    if looks_binary(raw):
        if looks_utf16(raw):
            raise IngestError(f"{name}: looks like UTF-16 without a byte order mark; save it as UTF-8")
        raise IngestError(f"{name}: is a binary file (not text, a web page, a PDF or a Word document)")
    encoding = _known_codec(declared)
    if encoding in ("ascii", "latin-1", "iso8859-1"):
        encoding = "cp1252"  # as browsers read them (the WHATWG Encoding Standard)
    if encoding and encoding not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        try:
            return raw.decode(encoding), warnings
        except UnicodeDecodeError as error:
            warnings.append(f"not valid {encoding} as declared (byte {error.start}); read as UTF-8 or Windows-1252")
    try:
        return raw.decode("utf-8"), warnings
    except UnicodeDecodeError as error:
        warnings.append(f"not valid UTF-8 (byte {error.start}); decoded as Windows-1252 (cp1252)")
        return raw.decode("cp1252", errors="replace"), warnings


def _known_codec(declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        return codecs.lookup(declared.strip().lower()).name
    except LookupError:
        return None


def looks_binary(raw: bytes) -> bool:
    """Many NUL bytes, or many other control bytes, in the first 8 KiB.

    One stray NUL in a text report does not make it binary (it is shown as "␀");
    images, archives, office files and UTF-16 without a byte order mark have many.
    """
    head = raw[:8192]
    if not head:
        return False
    if head.count(0) > max(1, len(head) // 1000):
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.10


def looks_utf16(raw: bytes) -> bool:
    """Text saved as UTF-16 without a byte order mark.

    Read as little- or big-endian code units, the first 8 KiB are nearly all printable
    characters, with no NUL among them, and the zero bytes are the high halves of code
    units (the spaces, newlines, digits and Latin letters of any language).

    Zero bytes alone do not tell: a program's or an image's tables of small integers have
    them at even and odd offsets alike and read as UTF-16 give NULs; nor does printability
    alone, as two ASCII bytes read as one code unit are a CJK character (an archive of
    mostly-text members would pass); Arabic or Chinese text has few zero bytes at all.
    """
    head = raw[:8192]
    head = head[: len(head) - len(head) % 2]
    zeros = head.count(0)
    if len(head) < 4 or not zeros:
        return False
    for high in (1, 0):  # little-endian: the high byte second
        if head[high::2].count(0) < 0.75 * zeros:
            continue
        text = head.decode("utf-16-le" if high else "utf-16-be", errors="replace")
        if text.count("\0") > len(text) // 1000:
            continue
        printable = sum(1 for char in text if (char.isprintable() and char != "\ufffd") or char in "\t\n\r\f")
        if printable >= 0.95 * len(text):
            return True
    return False
