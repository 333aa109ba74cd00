"""Write the web page, PDF and Word samples of `sample_reports/` from its own text reports.

    python tools/make_samples.py          # rewrites the three files in sample_reports/
    python tools/make_samples.py --check  # exit 1 if a committed sample differs from a fresh one

(The script lives outside `sample_reports/` so that `claimdesk add sample_reports/*` adds reports only.)

* `dispatch_harbour_drones.html` — `dispatch_harbour_drones.txt` as a dispatch's web
  page: site navigation, a script, a style sheet, share buttons and a footer around an
  `<article>` with the header line, the title, the date and region tags, `<h3>` headings,
  superscript footnote markers linked to the notes list.
* `militia_statements_review.pdf` — `militia_statements_review.md` typeset on A5 pages:
  a running header, "Page N of M" footers, superscript markers with their notes at the
  bottom of the page that cites them, words hyphenated at line ends, paragraphs that run
  over a page break.
* `militia_statements_review.docx` — the same review as a Word file: the Title and
  Heading styles, real footnotes in the package's footnotes part, an endnote, and the
  title and date in the document properties.

Needs fpdf2 (the `test` extra) and python-docx. The files are generated once and
committed; the tests read them, and `--check` says whether they are still what this
script writes (the PDF and DOCX carry fixed dates so the bytes are reproducible).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "sample_reports"
sys.path.insert(0, str(ROOT))

from store.ingest import parse_file  # noqa: E402 - after the path is set, so the script runs from a checkout

DISPATCH = HERE / "dispatch_harbour_drones.txt"
REVIEW = HERE / "militia_statements_review.md"
FIXED = dt.datetime(2024, 5, 12, 9, 0, tzinfo=dt.UTC)
_MD_MARKER = re.compile(r"\[\^(\d+)\]")
_MARKER = re.compile(r"\[(\d+)\]")


# ----------------------------------------------------------------------------- the web page


def dispatch_page() -> bytes:
    report, _ = parse_file(DISPATCH)
    esc = html.escape
    regions = ", ".join(f'<a href="/regions/{esc(r.lower().replace(" ", "-"))}">{esc(r)}</a>' for r in report.regions)
    day = dt.date.fromisoformat(report.date or "2024-03-04")
    shown_date = f"{day:%B} {day.day}, {day.year}"

    def linked(text: str) -> str:
        return _MARKER.sub(
            lambda m: f'<sup><a href="#_edn{m.group(1)}" id="_ednref{m.group(1)}">[{m.group(1)}]</a></sup>',
            esc(text, quote=False),
        )

    body: list[str] = []
    section = None
    for paragraph in report.paragraphs:
        if paragraph.section != section and paragraph.section:
            body.append(f"<h3>{esc(paragraph.section)}</h3>")
        section = paragraph.section
        body.append(f"<p>{linked(paragraph.text)}</p>")
    notes: list[str] = []
    for note in report.footnotes:
        first, *more = note.text.split("\n\n")
        notes.append(f'<p><a href="#_ednref{note.number}" id="_edn{note.number}">[{note.number}]</a> {esc(first)}</p>')
        notes.extend(f"<p>{esc(block)}</p>" for block in more)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(report.title)} | Sample Media Research Desk</title>
<meta property="og:title" content="{esc(report.title)}">
<meta property="og:site_name" content="Sample Media Research Desk">
<meta property="article:published_time" content="{report.date}T09:00:00+00:00">
<link rel="stylesheet" href="https://cdn.example/site.css">
<style>body {{ font-family: serif; }} .share a {{ margin: 0 4px; }}</style>
<script src="https://cdn.example/tracker.js"></script>
<script>document.write("<p>PWNED by a script</p>");</script>
</head>
<body onload="alert('PWNED')">
<header class="site-header">
  <a class="logo" href="/">Sample Media Research Desk</a>
  <nav><ul><li><a href="/reports">Reports</a></li><li><a href="/regions">Regions</a></li><li><a href="/about">About</a></li></ul></nav>
  <form action="/search"><input name="q" placeholder="Search"><button>Go</button></form>
</header>
<main>
<article class="dispatch">
<div class="dispatch-header"><span class="date">{shown_date}</span>
<span class="number">Special Dispatch No. {report.dispatch_number}</span></div>
<h1>{esc(report.title)}</h1>
<div class="meta"><time datetime="{report.date}">{shown_date}</time><br>
<span class="regions">{regions}</span> | <span class="number">Special Dispatch No. {report.dispatch_number}</span></div>
<div class="ad" aria-hidden="true">Advertisement</div>
<div class="body">
{chr(10).join(body)}
</div>
<div class="notes">
{chr(10).join(notes)}
</div>
<div class="share">Share this Report: <a href="https://social.example/share">Facebook</a> <a href="https://x.example/share">X</a></div>
<iframe src="https://ads.example/frame"></iframe>
</article>
</main>
<footer><p>© Sample Media Research Desk. All rights reserved.</p></footer>
</body>
</html>
"""
    return page.encode("utf-8")


# ----------------------------------------------------------------------------- the review: PDF


class Review:
    """The Markdown review as a title, a date, sections of paragraphs and notes (markers `[^n]` kept)."""

    def __init__(self) -> None:
        report, _ = parse_file(REVIEW)
        self.report = report
        self.title = report.title
        self.date = dt.date.fromisoformat(report.date or "2024-05-12")
        self.source = report.source or ""
        self.notes = {note.number: note.text for note in report.footnotes}
        raw = REVIEW.read_text(encoding="utf-8")
        # Paragraphs with their "[^n]" markers as written (the parse keeps them in the text too).
        self.sections: list[tuple[str | None, list[str]]] = []
        for paragraph in report.paragraphs:
            assert paragraph.text in raw
            if not self.sections or self.sections[-1][0] != paragraph.section:
                self.sections.append((paragraph.section, []))
            self.sections[-1][1].append(paragraph.text)


PAGE_W, PAGE_H = 148.0, 210.0
LEFT, RIGHT = 18.0, 18.0
TOP, BOTTOM = 22.0, 182.0
BODY_SIZE, BODY_LEAD = 10.0, 4.6
NOTE_SIZE, NOTE_LEAD = 7.5, 3.4
SUP_SIZE, SUP_RISE = 6.5, 1.5


def review_pdf() -> bytes:
    from fpdf import FPDF

    review = Review()
    pdf = FPDF(unit="mm", format=(PAGE_W, PAGE_H))
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(FIXED)
    pdf.set_title(review.title)
    pdf.set_author(review.source)
    pdf.set_subject(f"Weekly review, {review.date.isoformat()}")
    width = PAGE_W - LEFT - RIGHT
    state = {"y": TOP, "notes": [], "page": 0}

    def new_page() -> None:
        if state["page"]:
            finish_page()
        pdf.add_page()
        state["page"] += 1
        state["y"] = TOP
        state["notes"] = []
        pdf.set_font("Helvetica", "", 7.5)
        pdf.set_text_color(110)
        pdf.text(LEFT, 12, "Open-source desk \u2013 weekly review")
        pdf.text(PAGE_W - RIGHT - pdf.get_string_width("May 2024"), 12, "May 2024")
        pdf.set_text_color(0)

    def note_lines(number: int) -> list[str]:
        pdf.set_font("Helvetica", "", NOTE_SIZE)
        lines: list[str] = []
        for block in review.notes[number].split("\n\n"):
            lines += wrap(block.replace("\n", " "), width - 4, lambda s: pdf.get_string_width(s))
        return lines

    def notes_height(numbers: list[int]) -> float:
        if not numbers:
            return 0.0
        return 4.0 + sum(len(note_lines(n)) * NOTE_LEAD for n in numbers)

    def finish_page() -> None:
        numbers = state["notes"]
        if numbers:
            y = BOTTOM - notes_height(numbers) + 4.0
            pdf.set_draw_color(120)
            pdf.line(LEFT, y - 3.0, LEFT + 30, y - 3.0)
            for number in numbers:
                pdf.set_font("Helvetica", "", SUP_SIZE)
                pdf.text(LEFT, y - SUP_RISE + 0.4, str(number))
                pdf.set_font("Helvetica", "", NOTE_SIZE)
                for line in note_lines(number):
                    pdf.text(LEFT + 4, y, line)
                    y += NOTE_LEAD

    def fits(height: float, markers: list[int]) -> bool:
        return state["y"] + height <= BOTTOM - notes_height(state["notes"] + markers)

    def heading(text: str, size: float, gap: float) -> None:
        pdf.set_font("Helvetica", "B", size)
        lines = wrap(text, width, lambda s: pdf.get_string_width(s))
        lead = size * 0.5
        if not fits(gap + lead * (len(lines) + 2), []):  # keep a heading with two lines of its section
            new_page()
        state["y"] += gap
        for line in lines:
            state["y"] += lead
            pdf.set_font("Helvetica", "B", size)
            pdf.text(LEFT, state["y"], line)

    def paragraph(text: str) -> None:
        pdf.set_font("Helvetica", "", BODY_SIZE)
        lines = wrap(text, width, body_width)
        state["y"] += 2.4
        for line in lines:
            markers = [int(m) for m in _MD_MARKER.findall(line) if int(m) in review.notes]
            if not fits(BODY_LEAD, markers):
                new_page()
            state["y"] += BODY_LEAD
            draw(line)
            state["notes"].extend(n for n in markers if n not in state["notes"])

    def body_width(text: str) -> float:
        total = 0.0
        for i, part in enumerate(_MD_MARKER.split(text)):
            pdf.set_font("Helvetica", "", SUP_SIZE if i % 2 else BODY_SIZE)
            total += pdf.get_string_width(part)
        pdf.set_font("Helvetica", "", BODY_SIZE)
        return total

    def draw(line: str) -> None:
        x = LEFT
        for i, part in enumerate(_MD_MARKER.split(line)):
            if not part:
                continue
            sup = i % 2 == 1
            pdf.set_font("Helvetica", "", SUP_SIZE if sup else BODY_SIZE)
            pdf.text(x, state["y"] - (SUP_RISE if sup else 0), part)
            x += pdf.get_string_width(part)
        pdf.set_font("Helvetica", "", BODY_SIZE)

    new_page()
    heading(review.title, 15, 0)
    pdf.set_font("Helvetica", "", 9)
    state["y"] += 6
    pdf.text(LEFT, state["y"], f"{review.date.day} {review.date:%B %Y}")
    state["y"] += 2
    for section, paragraphs in review.sections:
        if section:
            heading(section, 12, 5)
        for text in paragraphs:
            paragraph(text)
    finish_page()
    pages = state["page"]
    for number in range(1, pages + 1):  # the footers, once the page count is known
        pdf.page = number
        pdf.set_font("Helvetica", "", 7.5)
        pdf.text(PAGE_W / 2 - 8, PAGE_H - 10, f"Page {number} of {pages}")
    return bytes(pdf.output())


def wrap(text: str, width: float, measure) -> list[str]:  # type: ignore[no-untyped-def]
    """Greedy line filling; a long lowercase word that does not fit is hyphenated (both parts of
    three letters or more), a compound breaks after its own hyphen."""
    lines: list[str] = []
    line = ""
    words = text.split(" ")
    i = 0
    while i < len(words):
        word = words[i]
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width:
            line = candidate
            i += 1
            continue
        head, tail = split_word(word, lambda part, line=line: measure(f"{line} {part}" if line else part) <= width)
        if head:
            lines.append(f"{line} {head}" if line else head)
            words[i] = tail
        else:
            lines.append(line)
        line = ""
    if line:
        lines.append(line)
    return lines


def split_word(word: str, fits) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    if "-" in word.strip("-"):
        cut = word.index("-", 1) + 1
        if fits(word[:cut]):
            return word[:cut], word[cut:]
        return "", word
    letters = re.match(r"[a-z]+", word)
    if not letters or len(letters.group()) < 7:
        return "", word
    for cut in range(len(letters.group()) - 3, 2, -1):
        if fits(word[:cut] + "-"):
            return word[:cut] + "-", word[cut:]
    return "", word


# ----------------------------------------------------------------------------- the review: Word

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def review_docx() -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    review = Review()
    document = docx.Document()
    properties = document.core_properties
    properties.title = review.title
    properties.author = review.source
    properties.created = FIXED.replace(tzinfo=None)
    properties.modified = FIXED.replace(tzinfo=None)
    properties.last_modified_by = "claimdesk samples"
    properties.revision = 1
    document.add_paragraph(review.title, style="Title")
    # A note the desk adds as an endnote: Word numbers endnotes on their own (i, ii… shown; 1 stored).
    endnote = "Weekly reviews are written by the open-source desk from public sources only."
    intro = True
    for section, paragraphs in review.sections:
        if section:
            document.add_heading(section, level=1)
        for text in paragraphs:
            paragraph = document.add_paragraph()
            for i, part in enumerate(_MD_MARKER.split(text)):
                if i % 2 and int(part) in review.notes:
                    paragraph.add_run()._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W}" w:id="{part}"/>'))
                elif i % 2:  # a marker whose note is missing: a typed superscript number, as people do
                    paragraph.add_run(part).font.superscript = True
                elif part:
                    paragraph.add_run(part)
            if intro:
                paragraph.add_run()._r.append(parse_xml(f'<w:endnoteReference xmlns:w="{W}" w:id="1"/>'))
                intro = False
    notes = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:footnoteRef/></w:r>'
        + "".join(
            f'<w:r><w:t xml:space="preserve"> {html.escape(block.replace(chr(10), " "))}</w:t></w:r></w:p><w:p>'
            for block in text.split("\n\n")
        )[: -len("<w:p>")]
        + "</w:footnote>"
        for n, text in review.notes.items()
    )
    separators = '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    footnotes = f'<w:footnotes xmlns:w="{W}">{separators}{notes}</w:footnotes>'
    endnotes = (
        f'<w:endnotes xmlns:w="{W}"><w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
        f'<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {html.escape(endnote)}</w:t></w:r></w:p></w:endnote></w:endnotes>'
    )
    package = document.part.package
    for name, kind, blob in (("footnotes", RT.FOOTNOTES, footnotes), ("endnotes", RT.ENDNOTES, endnotes)):
        content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{name}+xml"
        part = Part(PackURI(f"/word/{name}.xml"), content_type, blob.encode("utf-8"), package)
        document.part.relate_to(part, kind)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(raw: bytes) -> bytes:
    """The same bytes on every run: each member's time stamp set to FIXED."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


SAMPLES = {
    "dispatch_harbour_drones.html": dispatch_page,
    "militia_statements_review.pdf": review_pdf,
    "militia_statements_review.docx": review_docx,
}


def main(argv: list[str]) -> int:
    stale = []
    for name, make in SAMPLES.items():
        data = make()
        path = HERE / name
        if "--check" in argv:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    if stale:
        print("not what make_samples.py writes: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
