"""PDF files (store/readers/pdf.py): paragraphs rebuilt across lines and pages, notes, headers, refusals."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from store.errors import IngestError
from store.ingest import parse_file
from tests.conftest import SAMPLES

fpdf = pytest.importorskip("fpdf", reason="the PDF tests write their PDFs with fpdf2 (the test extra)")

SAMPLE = SAMPLES / "militia_statements_review.pdf"


def write_pdf(path: Path, pages: list[list[str]], header: str | None = None, numbers: bool = False, **options: str) -> Path:
    """Each page's lines at 10 pt, 13 pt apart; an empty string is a paragraph gap (another 9 pt)."""
    pdf = fpdf.FPDF(unit="pt", format=(420, 595))
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    if options.get("user_password") is not None or options.get("owner_password"):
        pdf.set_encryption(owner_password=options.get("owner_password", "owner"), user_password=options.get("user_password", ""))
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        if header:
            pdf.set_font("Helvetica", "", 7)
            pdf.text(50, 30, header)
        if numbers:
            pdf.set_font("Helvetica", "", 7)
            pdf.text(200, 570, f"- {number} -")
        pdf.set_font("Helvetica", "", 10)
        y = 70.0
        for line in lines:
            if not line:
                y += 9
                continue
            y += 13
            pdf.text(50, y, line)
    path.write_bytes(bytes(pdf.output()))
    return path


def md_expectations() -> tuple[list[str], dict[int, str]]:
    """The Markdown review's paragraphs with `[^n]` written `[n]`, and its notes with their line breaks as spaces."""
    report, _ = parse_file(SAMPLES / "militia_statements_review.md")
    paragraphs = [re.sub(r"\[\^(\d+)\]", r"[\1]", p.text) for p in report.paragraphs]
    notes = {n.number: "\n\n".join(" ".join(block.split()) for block in n.text.split("\n\n")) for n in report.footnotes}
    return paragraphs, notes


class TestSample:
    def test_every_paragraph_heading_and_note_of_the_review(self) -> None:
        report, _ = parse_file(SAMPLE)
        paragraphs, notes = md_expectations()
        assert report.format == "pdf"
        assert [p.text for p in report.paragraphs] == paragraphs
        assert report.headings == ("Claims of deployment", "Statements by officials", "Assessment notes")
        assert {n.number: n.text for n in report.footnotes} == notes
        assert [p.footnotes for p in report.paragraphs] == [(), (1, 2), (3,), (4,), (), (5,), (6,), ()]
        assert report.warnings == ("footnote markers without a note: [3]",)

    def test_title_date_and_author(self) -> None:
        report, _ = parse_file(SAMPLE)
        assert report.title == "Militia statements on border deployments \u2014 weekly review"
        assert report.date == "2024-05-12"
        assert report.source == "Open-source desk, weekly review"

    def test_a_paragraph_over_the_page_break_is_one_paragraph(self) -> None:
        report, _ = parse_file(SAMPLE)
        assert report.paragraphs[4].text == (
            "An adviser to the Interior Ministry, speaking to the state broadcaster Al-Iraqiya, said that \u201cno armed "
            "group may move to the border without orders from the Commander-in-Chief,\u201d and that the ministry would "
            "\u201cverify these reports.\u201d"
        )
        assert report.paragraphs[4].section == "Statements by officials"

    def test_line_end_hyphens_joined_only_where_the_word_needs_it(self) -> None:
        text = "\n".join(p.text for p in parse_file(SAMPLE)[0].paragraphs)
        for joined in ("statements \u2014 said", "resistance\u201d", "reported as", "independent confirmation", "photographed reports"):
            assert joined in text
        assert "border at Al-Qaim." in text and "broadcaster Al-Iraqiya" in text

    def test_running_header_and_page_numbers_are_gone(self) -> None:
        report, _ = parse_file(SAMPLE)
        everything = "\n".join([*report.headings, *(p.text for p in report.paragraphs), *(n.text for n in report.footnotes)])
        assert "Open-source desk \u2013 weekly review" not in everything
        assert "May 2024" not in everything and "Page 1 of 2" not in everything


class TestLayout:
    def test_hyphenation_by_the_document_s_own_words(self, tmp_path: Path) -> None:
        lines = [
            "The pro-",
            "militia outlet said the deploy-",
            "ment was over. A well-known channel said so and a well-",
            "known one agreed with the Al-",
            "Qaim office, which self-",
            "identifies as neutral.",
        ]
        report, _ = parse_file(write_pdf(tmp_path / "h.pdf", [lines]))
        assert [p.text for p in report.paragraphs] == [
            "The pro-militia outlet said the deployment was over. A well-known channel said so and a well-known one "
            "agreed with the Al-Qaim office, which self-identifies as neutral."
        ]

    def test_paragraphs_by_gaps_and_across_pages_headers_and_numbers_dropped(self, tmp_path: Path) -> None:
        first = ["First paragraph, its first line that runs to the edge of the text", "and its second line.", "",
                 "Second paragraph that the page break cuts in the middle of a"]
        second = ["sentence, and it goes on here on the next page until it ends.", "", "Third paragraph."]
        third = ["Fourth paragraph on the last page."]
        path = write_pdf(tmp_path / "p.pdf", [first, second, third], header="Desk bulletin \u2013 restricted", numbers=True)
        report, _ = parse_file(path)
        assert [p.text for p in report.paragraphs] == [
            "First paragraph, its first line that runs to the edge of the text and its second line.",
            "Second paragraph that the page break cuts in the middle of a sentence, and it goes on here on the next page "
            "until it ends.",
            "Third paragraph.",
            "Fourth paragraph on the last page.",
        ]

    def test_bracketed_endnotes_of_a_printed_dispatch(self, tmp_path: Path) -> None:
        lines = ["A claim was made.[1] Another one.[2]", "", "[1] Telegram, May 1, 2024.", "", "[2] Radio, May 2, 2024."]
        report, _ = parse_file(write_pdf(tmp_path / "n.pdf", [lines]))
        assert [p.text for p in report.paragraphs] == ["A claim was made.[1] Another one.[2]"]
        assert [(n.number, n.text) for n in report.footnotes] == [(1, "Telegram, May 1, 2024."), (2, "Radio, May 2, 2024.")]


class TestRefused:
    def one_line(self, path: Path, fragment: str) -> None:
        with pytest.raises(IngestError) as raised:
            parse_file(path)
        message = str(raised.value)
        assert fragment in message and "\n" not in message and path.name in message

    def test_a_scan_without_a_text_layer(self, tmp_path: Path) -> None:
        from PIL import Image

        image = io.BytesIO()
        Image.new("L", (60, 80), 200).save(image, format="PNG")
        pdf = fpdf.FPDF()
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=100)
        path = tmp_path / "scan.pdf"
        path.write_bytes(bytes(pdf.output()))
        self.one_line(path, "no text layer")

    def test_encrypted_with_a_password(self, tmp_path: Path) -> None:
        path = write_pdf(tmp_path / "locked.pdf", [["Secret paragraph."]], user_password="secret")
        self.one_line(path, "needs a password")

    def test_encrypted_with_an_empty_password_opens(self, tmp_path: Path) -> None:
        path = write_pdf(tmp_path / "owner.pdf", [["An owner password only, so it opens."]], owner_password="owner")
        report, _ = parse_file(path)
        assert [p.text for p in report.paragraphs] == ["An owner password only, so it opens."]

    def test_too_many_pages_and_too_slow(self, tmp_path: Path) -> None:
        from store.readers.limits import Limits

        path = write_pdf(tmp_path / "long.pdf", [[f"Page {n} text."] for n in range(1, 6)])
        with pytest.raises(IngestError, match="more than 3 pages"):
            parse_file(path, limits=Limits(pdf_pages=3))
        with pytest.raises(IngestError, match="took longer than 0 s"):
            parse_file(path, limits=Limits(seconds=0))


class TestPages:
    def test_two_columns_are_read_column_by_column(self, tmp_path: Path) -> None:
        pdf = fpdf.FPDF(unit="pt", format=(595, 842))
        pdf.add_page()
        pdf.set_font("Helvetica", "", 10)
        left = ["Left column, first paragraph that", "continues on this line.", "", "Left column, second paragraph", "ends here."]
        right = ["Right column paragraph, which", "also runs over two lines."]
        for x, lines in ((50, left), (320, right)):
            y = 100.0
            for line in lines:
                y += 9 if not line else 13
                if line:
                    pdf.text(x, y, line)
        path = tmp_path / "columns.pdf"
        path.write_bytes(bytes(pdf.output()))
        report, _ = parse_file(path)
        assert [p.text for p in report.paragraphs] == [
            "Left column, first paragraph that continues on this line.",
            "Left column, second paragraph ends here.",
            "Right column paragraph, which also runs over two lines.",
        ]

    def test_a_footnote_continued_on_the_next_page(self, tmp_path: Path) -> None:
        pdf = fpdf.FPDF(unit="pt", format=(420, 595))
        pdf.set_auto_page_break(False)
        for page, (body, notes) in enumerate(
            [
                (
                    ["A claim about the convoy that the brigades said had crossed", "the river before dawn on Sunday.", "",
                     "Another paragraph cites it.¹"],
                    [("1", "The first part of a long note that"), ("", "runs to the page end and")],
                ),
                (
                    ["The second page has its own text, a paragraph of some", "length that is set in the body size."],
                    [("", "goes on at the foot of the next page.")],
                ),
            ]
        ):
            pdf.add_page()
            y = 80.0
            for line in body:
                y += 9 if not line else 13
                if line.endswith("¹"):
                    pdf.set_font("Helvetica", "", 10)
                    pdf.text(50, y, line[:-1])
                    pdf.set_font("Helvetica", "", 6)
                    pdf.text(50 + pdf.get_string_width(line[:-1]) * 10 / 6, y - 4, "1")
                elif line:
                    pdf.set_font("Helvetica", "", 10)
                    pdf.text(50, y, line)
            y = 500.0
            for number, text in notes:
                pdf.set_font("Helvetica", "", 6)
                if number:
                    pdf.text(50, y - 3, number)
                pdf.set_font("Helvetica", "", 8)
                pdf.text(56, y, text)
                y += 10
            assert page in (0, 1)
        path = tmp_path / "notes.pdf"
        path.write_bytes(bytes(pdf.output()))
        report, _ = parse_file(path)
        assert [p.text for p in report.paragraphs] == [
            "A claim about the convoy that the brigades said had crossed the river before dawn on Sunday.",
            "Another paragraph cites it.[1]",
            "The second page has its own text, a paragraph of some length that is set in the body size.",
        ]
        assert [(n.number, n.text) for n in report.footnotes] == [
            (1, "The first part of a long note that runs to the page end and goes on at the foot of the next page.")
        ]


class TestRecognised:
    def test_by_content_not_by_name(self, tmp_path: Path) -> None:
        path = tmp_path / "report.txt"
        path.write_bytes(SAMPLE.read_bytes())
        assert parse_file(path)[0].format == "pdf"

    def test_a_text_report_that_mentions_the_pdf_header_is_text(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.txt"
        path.write_text("Notes on a file\n\nThe leaked file began with %PDF-1.4 and was 3 MB.\n", encoding="utf-8")
        report, _ = parse_file(path)
        assert report.format == "text" and report.paragraphs[0].text.startswith("The leaked file began with %PDF-1.4")

    def test_a_file_title_is_not_the_report_s_title(self, tmp_path: Path) -> None:
        pdf = fpdf.FPDF()
        pdf.set_title("Microsoft Word - draft_v2.docx")
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.text(20, 30, "Convoy Sightings Near The Border")
        pdf.set_font("Helvetica", "", 10)
        pdf.text(20, 45, "Residents reported a convoy of trucks on the border road.")
        path = tmp_path / "draft.pdf"
        path.write_bytes(bytes(pdf.output()))
        report, _ = parse_file(path)
        assert report.title == "Convoy Sightings Near The Border" and report.headings == ()
