"""Report formats: adding a 200-page PDF and a 5 MB web page, against the libraries' own extraction.

* PDF: `Database.add_report` of a 200-page text PDF (read, sniff, pdfminer's layout
  analysis, paragraphs rebuilt, headers and notes sorted out, stored) against
  pdfminer.six's own `extract_text` of the same file (the same layout analysis,
  plain text out). Target ≤ 1.5×.
* HTML: `Database.add_report` of a 5 MB article page (decoded, parsed by lxml,
  trafilatura's extraction, headings and paragraphs, stored) against
  `trafilatura.extract` of the same page's text with its default options.
  Target ≤ 1.5×.
* Word, for information: adding a 200-page `.docx` against python-docx's own
  `Document(path)` and the text of its paragraphs.

The files are generated here (fpdf2, python-docx), in a temporary folder; each
add goes into a fresh database, so nothing is ever "unchanged". Libraries are
imported before timing, for both sides.
"""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

from bench.common import Figure, median_time

SENTENCES = (
    "The spokesman of the Northern Shield Brigades said that three thousand fighters had reached the crossing.",
    "A monitor reported that it had observed no unusual movement at the border, publishing photographs.",
    "The ministry said that no armed group may move without orders from the commander-in-chief.",
    "Residents contacted by telephone described a convoy of about forty vehicles moving before dawn.",
    "The channel later raised its figure, without giving names or any evidence for the new number.",
)


def paragraph(n: int, sentences: int = 5) -> str:
    return " ".join(SENTENCES[(n + i) % len(SENTENCES)] for i in range(sentences))


def write_pdf(path: Path, pages: int) -> int:
    """A review of `pages` pages (the last may be partly filled), with a running header and page numbers."""
    from fpdf import FPDF

    class Review(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, "Benchmark desk - weekly review", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-40)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = Review(unit="pt", format="A4")
    pdf.set_auto_page_break(True, margin=60)
    pdf.set_margins(60, 50, 60)
    pdf.set_title("Benchmark review")
    pdf.add_page()
    n = 0
    while True:
        if n % 6 == 0:
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(0, 18, f"Section {n // 6 + 1} of the review", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 13, paragraph(n), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        n += 1
        if pdf.page >= pages and pdf.get_y() > pdf.h - 200:
            break
    path.write_bytes(bytes(pdf.output()))
    return pdf.page


def write_html(path: Path, megabytes: float) -> None:
    import html

    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Benchmark page | Site</title>",
        "<meta property='og:title' content='Benchmark page'><meta property='article:published_time' content='2024-05-12'>",
        "<script>var analytics = 1;</script><style>body{font:serif}</style></head><body>",
        "<header><nav><a href='/'>Home</a><a href='/world'>World</a></nav></header><main><article><h1>Benchmark page</h1>",
    ]
    size, n = sum(map(len, parts)), 0
    while size < megabytes * 1_000_000:
        chunk = ""
        if n % 8 == 0:
            chunk += f"<h2>Section {n // 8 + 1}</h2>"
        chunk += f"<p>{html.escape(paragraph(n))}</p>"
        if n % 40 == 39:
            chunk += "<div class='ad'><a href='/ad'>Advertisement</a></div>"
        parts.append(chunk)
        size += len(chunk)
        n += 1
    parts.append("</article></main><aside>Most read</aside><footer>Site footer</footer></body></html>")
    path.write_text("".join(parts), encoding="utf-8")


def write_docx(path: Path, paragraphs: int) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Benchmark review"
    for n in range(paragraphs):
        if n % 6 == 0:
            document.add_heading(f"Section {n // 6 + 1}", level=1)
        document.add_paragraph(paragraph(n))
    document.save(path)


def time_add(path: Path, folder: Path) -> float:
    """Seconds for `add_report` of `path` into a fresh database (created before the clock starts)."""
    import time

    from store.db import Database

    db = Database(Path(tempfile.mkdtemp(dir=folder)) / "db", reviewer="bench")
    start = time.perf_counter()
    db.add_report(path)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[Figure]:
    import docx
    import trafilatura
    from pdfminer.high_level import extract_text

    import store.readers.docx
    import store.readers.html
    import store.readers.pdf  # noqa: F401 - imported before timing, as the libraries are

    pages, megabytes, repeat = (20, 0.5, 3) if quick else (200, 5.0, 3)
    light = repeat if quick else 7  # the page and the Word file take seconds, not minutes: more rounds
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        pdf, page, word = Path(folder) / "long.pdf", Path(folder) / "long.html", Path(folder) / "long.docx"
        pages = write_pdf(pdf, pages)
        write_html(page, megabytes)
        write_docx(word, pages * 9)
        text = page.read_text(encoding="utf-8")
        gc.collect()
        for _ in range(2):  # warm: imports, caches
            extract_text(pdf, maxpages=1)
            trafilatura.extract(text[:20000])
        baseline, ours = [], []
        for _ in range(repeat):  # alternate, so a busy moment hits both sides
            baseline.append(median_time(lambda: extract_text(pdf), 1)[0])
            ours.append(time_add(pdf, Path(folder)))
        figures.append(_figure(f"add a {pages}-page text PDF", ours, baseline, "pdfminer extract_text", 1.5))
        baseline, ours = [], []
        for _ in range(light):
            baseline.append(median_time(lambda: trafilatura.extract(text), 1)[0])
            ours.append(time_add(page, Path(folder)))
        size = page.stat().st_size / 1_000_000
        figures.append(_figure(f"add a {size:.1f} MB web page", ours, baseline, "trafilatura.extract", 1.5))
        baseline, ours = [], []
        for _ in range(light):
            baseline.append(median_time(lambda: [p.text for p in docx.Document(str(word)).paragraphs], 1)[0])
            ours.append(time_add(word, Path(folder)))
        figures.append(_figure(f"add a {pages * 9}-paragraph .docx", ours, baseline, "python-docx paragraph text", None))
    return figures


def _figure(name: str, ours: list[float], baseline: list[float], baseline_name: str, target: float | None) -> Figure:
    import statistics

    return Figure(name, statistics.median(ours), statistics.median(baseline), baseline_name, target, p95=max(ours))
