"""Word files (store/readers/docx.py): styles, footnotes and endnotes parts, properties."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
from docx.oxml import parse_xml

from store.ingest import parse_file
from tests.conftest import SAMPLES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SAMPLE = SAMPLES / "militia_statements_review.docx"


def xml(fragment: str):  # type: ignore[no-untyped-def]
    """A WordprocessingML element from its text, the w: namespace declared on its first tag."""
    return parse_xml(re.sub(r"^<(w:\w+)", rf'<\1 xmlns:w="{W}"', fragment, count=1))


class TestSample:
    def test_paragraphs_headings_notes_and_properties(self) -> None:
        report, _ = parse_file(SAMPLE)
        md, _ = parse_file(SAMPLES / "militia_statements_review.md")
        expected = [re.sub(r"\[\^(\d+)\]", r"[\1]", p.text) for p in md.paragraphs]
        expected[0] += "[7]"  # the endnote, numbered after the last footnote (6)
        assert report.format == "docx"
        assert [p.text for p in report.paragraphs] == expected
        assert report.headings == md.headings
        assert [p.section for p in report.paragraphs] == [p.section for p in md.paragraphs]
        assert (report.title, report.date, report.source) == (md.title, "2024-05-12", "Open-source desk, weekly review")
        notes = {n.number: n.text for n in report.footnotes}
        assert notes[2] == (
            "Sabereen News (Telegram), May 9, 2024. The post was edited twice; the figure of 120 vehicles appears only "
            "in the second version.\n\nAn archived copy of the first version is held by the desk."
        )
        assert notes[7] == "Weekly reviews are written by the open-source desk from public sources only."
        assert sorted(notes) == [1, 2, 4, 5, 6, 7]
        assert report.paragraphs[2].footnotes == (3,)  # typed in superscript: a marker without a note
        assert report.warnings == ("footnote markers without a note: [3]",)


class TestWordFeatures:
    def test_tracked_changes_fields_breaks_tables_and_outline_levels(self, tmp_path: Path) -> None:
        document = docx.Document()
        document.add_paragraph("Unit report", style="Title")
        paragraph = document.add_paragraph("Kept ")
        paragraph._p.append(xml("<w:del><w:r><w:delText>deleted words </w:delText></w:r></w:del>"))
        paragraph._p.append(xml("<w:ins><w:r><w:t>inserted words</w:t></w:r></w:ins>"))
        for run in (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
            '<w:r><w:instrText xml:space="preserve"> HYPERLINK "http://127.0.0.1:9/x" </w:instrText></w:r>',
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
            '<w:r><w:t xml:space="preserve"> and a link</w:t></w:r>',
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
            "<w:r><w:tab/><w:t>after a tab</w:t><w:br/><w:t>next line</w:t></w:r>",
        ):
            paragraph._p.append(xml(run))
        outline = document.add_paragraph("A heading by outline level")
        outline._p.get_or_add_pPr().append(xml('<w:outlineLvl w:val="1"/>'))
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Cell one"
        table.rows[0].cells[1].text = "Cell two"
        document.add_paragraph("Last.\u00a0\u00a0")
        document.core_properties.created = dt.datetime(2024, 1, 2, 3, 4)
        path = tmp_path / "features.docx"
        document.save(path)
        report, _ = parse_file(path)
        assert report.title == "Unit report" and report.date == "2024-01-02"
        assert report.headings == ("A heading by outline level",)
        assert [(p.text, p.section) for p in report.paragraphs] == [
            ("Kept inserted words and a link\tafter a tab\nnext line", None),
            ("Cell one\tCell two", "A heading by outline level"),
            ("Last.", "A heading by outline level"),
        ]

    def test_no_footnotes_part_and_no_title(self, tmp_path: Path) -> None:
        document = docx.Document()
        document.core_properties.title = ""
        document.add_paragraph("Only a paragraph of text.")
        path = tmp_path / "plain.docx"
        document.save(path)
        report, _ = parse_file(path)
        assert report.title == "Only a paragraph of text." and report.footnotes == ()
