"""Web pages saved from a browser (`.html`, `.htm`): a dispatch page, or any other article.

The page is decoded (byte order mark, then `<meta charset>`, then UTF-8, else
Windows-1252 with a warning), cleaned like any text (`store.text.clean_text`),
and parsed by lxml's HTML parser with network access off. Nothing in it runs or
is fetched: scripts, styles, iframes, forms, objects and embedded media are
dropped as elements, never evaluated; links and images are never followed;
entities are decoded into text and the text is never read as markup again.

Two ways of reading the body:

* **A dispatch page** (its opening blocks carry "Special Dispatch No. N"): the
  page is drawn into blocks as a browser would show them — block elements
  separated, runs of HTML whitespace collapsed (a non-breaking space is text
  and stays), `<br>` a line break, `<sup>1</sup>` footnote markers written
  `[1]`, each note of a notes list starting with its `[n]` — and those blocks go
  through the same dispatch layout as a text file (`store.parsing`), so the page
  and a text rendering of it give the same paragraphs. Headings marked up as
  `<h2>`–`<h6>` are headings even when they do not look like one.
* **Any other article**: trafilatura finds the main text (navigation, adverts,
  share buttons and comments dropped); its headings become headings and its
  paragraphs, list items and quotes paragraphs. trafilatura folds every kind of
  whitespace into one space, so the Unicode spaces of the page are swapped for
  private-use characters absent from it before extraction and put back after:
  a non-breaking space in an article survives as it does in a text file.

Title, date and outlet come from the page's metadata (`og:title`,
`article:published_time`, `<time datetime>`, `og:site_name`) when the body does
not give them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from store.errors import IngestError
from store.model import Paragraph, ParsedReport
from store.parsing import DISPATCH_HEADER, REGIONS_LINE, parse_date, parse_dispatch, title_from
from store.readers.detect import decode
from store.readers.limits import Deadline, Limits
from store.text import clean_text

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; U+00A0 and other Unicode spaces are text
_EDGE = " \t\n\r\f"
_DISPATCH = re.compile(r"Special Dispatch No\.\s*\d+")
_MARKER_TEXT = re.compile(r"^\s*\[?(\d{1,4})\]?\s*$")
_NOTE_START = re.compile(r"\[\d{1,4}\]")
_NOTES_NAME = re.compile(r"foot|endnote|end-note|notes", re.IGNORECASE)
# Elements whose content is never text of the report: it would run, fetch, or is page furniture.
_DROPPED = frozenset(
    "script style noscript template iframe frame frameset object embed applet form input button select option "
    "textarea svg math canvas video audio picture source track img map area nav aside footer dialog menu head "
    "title meta link base".split()
)
_BLOCKS = frozenset(
    "p div section article main header h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table thead tbody "
    "tfoot tr td th caption figure figcaption address hr center details summary".split()
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Unicode spaces trafilatura would fold into " " (str.split); U+0020 and the HTML whitespace excluded.
_UNICODE_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


@dataclass
class _Block:
    kind: str  # "h1".."h6" or "p"
    text: str


def read_html(raw: bytes, name: str, limits: Limits, deadline: Deadline) -> ParsedReport:
    if len(raw) > limits.html_bytes:
        raise IngestError(f"{name}: a web page of {len(raw)} bytes is larger than the {limits.html_bytes // 2**20} MiB limit")
    declared = _CHARSET.search(raw[:4096])
    text, warnings = decode(raw, name, declared.group(1).decode("ascii") if declared else None)
    text = clean_text(text)
    root = _parse(text, name)
    deadline.check()
    meta = _metadata(root)
    body = root.find("body")
    if body is None or not _text_of(body).strip():
        raise IngestError(f"{name}: is a web page with no text")
    dispatch = _dispatch_root(body)
    if dispatch is not None:
        blocks = _render(dispatch, deadline)
        report = _as_dispatch(blocks, warnings)
        if report is not None:
            return report
    return _article(root, meta, warnings, name, deadline, text)


def _parse(text: str, name: str) -> HtmlElement:
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=parser)
    except Exception as error:  # lxml raises ParserError, ValueError... on pages it cannot make a tree of
        raise IngestError(f"{name}: is not a web page lxml can read ({str(error).splitlines()[0][:120]})") from None


def _text_of(element: HtmlElement) -> str:
    return "".join(element.itertext())


def _metadata(root: HtmlElement) -> dict[str, str]:
    """Title, date and outlet from `<meta>`, `<title>` and `<time>`: only attribute values and text, never markup."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    meta_title = found.get("og:title") or found.get("twitter:title")
    title_element = root.find(".//title")
    page_title = _HTML_SPACE.sub(" ", _text_of(title_element)).strip(_EDGE) if title_element is not None else ""
    when = found.get("article:published_time") or found.get("date") or found.get("dc.date") or found.get("datepublished")
    if not when:
        time_element = next(root.iter("time"), None)
        if time_element is not None:
            when = time_element.get("datetime") or _text_of(time_element)
    result = {"title": meta_title or page_title, "date": parse_date(when) if when else None}
    if found.get("og:site_name"):
        result["source"] = found["og:site_name"]
    return {k: v for k, v in result.items() if v}


# ------------------------------------------------------------------ dispatch pages


def _dispatch_root(body: HtmlElement) -> HtmlElement | None:
    """The element holding the dispatch: the first `<article>`, else `<main>`, else the body, that names one."""
    for candidate in [*body.iter("article"), *body.iter("main"), body]:
        # The number stands at the top of a dispatch: a page that only links to one is an article.
        if _DISPATCH.search(_start_of(candidate, 4000)):
            return candidate
    return None


def _start_of(element: HtmlElement, length: int) -> str:
    """The first `length` characters of an element's text (its scripts and styles included)."""
    parts: list[str] = []
    size = 0
    for text in element.itertext():
        parts.append(text)
        size += len(text)
        if size >= length:
            break
    return "".join(parts)


def _render(root: HtmlElement, deadline: Deadline) -> list[_Block]:
    """The element drawn into blocks, as a browser shows them (see the module docstring)."""
    blocks: list[_Block] = []
    current: list[str] = []
    kind = ["p"]

    def flush() -> None:
        text = "".join(current)
        current.clear()
        lines = [line.strip(_EDGE) for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(_Block(kind[-1], text))

    def inline(text: str | None, pre: bool) -> None:
        if text:
            current.append(text if pre else _HTML_SPACE.sub(" ", text))

    def walk(element: HtmlElement, pre: bool, notes: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _DROPPED or not tag or _hidden(element):
            inline(element.tail, pre)
            return
        if len(blocks) % 64 == 0:
            deadline.check()
        if tag == "br":
            current.append("\n")
            inline(element.tail, pre)
            return
        block = tag in _BLOCKS
        if block:
            flush()
            kind.append(tag if tag in _HEADINGS else "p")
        notes = notes or (tag in ("ol", "ul", "section", "div", "aside") and _is_notes(element))
        marker = _marker(element) if tag in ("sup", "a") else None
        if marker is not None:
            current.append(f"[{marker}]")
        else:
            if tag == "li" and notes:
                number = _item_number(element)
                if number is not None and not _NOTE_START.match(_text_of(element).lstrip(_EDGE)):
                    current.append(f"[{number}] ")
            inline(element.text, pre or tag == "pre")
            for child in element:
                walk(child, pre or tag == "pre", notes)
        if block:
            flush()
            kind.pop()
        inline(element.tail, pre)

    walk(root, False, False)
    flush()
    return blocks


def _hidden(element: HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _is_notes(element: HtmlElement) -> bool:
    label = " ".join(filter(None, (element.get("class"), element.get("id"), element.get("role"))))
    return bool(_NOTES_NAME.search(label))


def _marker(element: HtmlElement) -> int | None:
    """A footnote marker: `<sup>1</sup>`, `<sup>[1]</sup>`, or a link to `#…` whose whole text is a number."""
    if len(element) > 1:
        return None
    text = _text_of(element)
    match = _MARKER_TEXT.match(text)
    if not match:
        return None
    if element.tag == "a" and not (element.get("href") or "").startswith("#"):
        return None
    return int(match.group(1))


def _item_number(item: HtmlElement) -> int | None:
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return None
    value = item.get("value")
    if value and value.strip().isdigit():
        return int(value)
    start = parent.get("start")
    number = int(start) if start and start.strip().isdigit() else 1
    for sibling in parent:
        if sibling is item:
            return number
        if sibling.tag == "li":
            number = int(sibling.get("value")) + 1 if (sibling.get("value") or "").strip().isdigit() else number + 1
    return None


def _as_dispatch(blocks: list[_Block], warnings: list[str]) -> ParsedReport | None:
    """The blocks in the order of the text layout — header line, title, date/regions — then its parser."""
    head = blocks[:8]
    header = next((i for i, b in enumerate(head) if DISPATCH_HEADER.match(b.text.split("\n")[0])), None)
    regions = next((i for i, b in enumerate(head) if any(REGIONS_LINE.match(line) for line in b.text.split("\n"))), None)
    if header is None and regions is None:
        return None
    texts = [block.text for block in blocks]
    if header != 0:
        # The page opens with its title (or other furniture): rebuild the text layout's opening.
        title = next((i for i, b in enumerate(head) if b.kind == "h1"), None)
        if title is None:
            return None
        number = _DISPATCH.search("\n".join(texts[: len(head)]))
        when = next((b.text for b in head if parse_date(b.text.split("\n")[0])), "")
        assert number is not None
        opening = f"{when.split(chr(10))[0]} {number.group()}".strip()
        used = {i for i in (header, title, regions) if i is not None}
        rest = max(used) + 1
        meta = [texts[regions]] if regions is not None else []
        texts = [opening, texts[title], *meta, *texts[rest:]]
    known = [b.text for b in blocks if b.kind in _HEADINGS[1:]]
    return replace(parse_dispatch(texts, warnings, known_headings=known), format="html-dispatch")


# ------------------------------------------------------------------ other articles


def _article(root: HtmlElement, meta: dict[str, str], warnings: list[str], name: str, deadline: Deadline, text: str) -> ParsedReport:
    import trafilatura

    kept = _keep_spaces(root)
    document = trafilatura.bare_extraction(
        root,
        output_format="python",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=False,
    )
    deadline.check()
    body = getattr(document, "body", None)
    items: list[_Block] = []
    if body is not None:
        for element in body.iter("head", "p", "item", "quote", "row", "code"):
            if _inside(element, ("p", "item", "quote", "row", "code")):
                continue  # its text is its container's
            kind = (element.get("rend") or "h2").lower() if element.tag == "head" else "p"
            items.append(_Block(kind if kind in _HEADINGS else "h2", kept(_extracted_text(element))) if element.tag == "head"
                         else _Block("p", kept(_extracted_text(element))))
    if not any(item.kind == "p" and item.text.strip() for item in items):
        # trafilatura keeps nothing of a short page (it wants a few hundred characters of prose):
        # then the page's own blocks, as a browser draws its <article>, <main> or <body>.
        fresh = _parse(text, name)
        container = next(iter([*fresh.iter("article"), *fresh.iter("main"), *fresh.iter("body")]), fresh)
        items = _render(container, deadline)
    return _as_article(items, meta, warnings, name)


def _as_article(items: list[_Block], meta: dict[str, str], warnings: list[str], name: str) -> ParsedReport:
    title = meta.get("title", "")
    headings: list[str] = []
    paragraphs: list[Paragraph] = []
    section: str | None = None
    for item in items:
        text = item.text
        if not text.strip():
            continue
        if item.kind in _HEADINGS:
            if item.kind == "h1" and not paragraphs and (not title or text.strip() == title.strip()):
                title = title or text
                continue
            section = text.strip()
            headings.append(section)
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, section, ()))
    if not paragraphs:
        raise IngestError(f"{name}: no article text found in this web page")
    return ParsedReport(
        title=title or title_from(paragraphs[0].text),
        date=meta.get("date"),
        dispatch_number=None,
        regions=(),
        headings=tuple(headings),
        paragraphs=tuple(paragraphs),
        footnotes=(),
        warnings=tuple(warnings),
        format="html",
        source=meta.get("source"),
    )


def _inside(element: HtmlElement, tags: tuple[str, ...]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _extracted_text(element: HtmlElement) -> str:
    """An element of trafilatura's output as text: `<lb/>` a line break, cells of a row separated by tabs."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.tag == "cell" and parts:
            parts.append("\t")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def _keep_spaces(root: HtmlElement) -> Callable[[str], str]:
    """Swap the page's Unicode spaces for private-use characters it does not hold; return the way back."""
    everything = "".join(t for t in _texts(root) if t)
    present = [ch for ch in _UNICODE_SPACES if ch in everything]
    if not present:
        return lambda text: text
    free = (chr(code) for code in range(0xF0000, 0xFFFFE) if chr(code) not in everything)
    there = {ord(ch): next(free) for ch in present}
    back = str.maketrans({v: chr(k) for k, v in there.items()})
    for element in root.iter():
        if isinstance(element.text, str):
            element.text = element.text.translate(there)
        if isinstance(element.tail, str):
            element.tail = element.tail.translate(there)
    return lambda text: text.translate(back)


def _texts(root: HtmlElement) -> Iterator[str | None]:
    for element in root.iter():
        yield element.text
        yield element.tail
