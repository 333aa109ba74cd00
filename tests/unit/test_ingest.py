"""Ingestion: how report files are decoded and understood (store.ingest).

The seed dispatch expectations were written by reading the seed file itself;
full paragraph texts are also compared with blocks sliced out of the seed at
test time, so every body paragraph is checked character for character.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from store.errors import IngestError
from store.ingest import (
    decode_report_bytes,
    parse_file,
    parse_text,
    read_report_file,
    report_id_for,
)
from store.text import normalise_newlines

NBSP = "\u00a0"

SEED_TITLE = (
    "Arab News Sites: Iran Running Joint Resistance Axis Operations Room; Plans To Open Up "
    "Syrian Front Against Israel; Shi'ite Militias In Iraq Threaten To Escalate Attacks On "
    "U.S. Targets In Iraq, Syria"
)

SEED_HEADINGS = [
    "Senior Members Of Iran-Backed Shi\u2019ite Militias In Iraq: We Have A Joint Operation Room; "
    "We Are Acting Against U.S. Targets In The Region",
    "Leader Of Iraqi Militia: We Have Recruited Many Volunteers Who Are Ready To Carry Out "
    "Suicide Attacks; We Will Open A Front In The Golan",
    "Leader Of Iraqi Militia: We Have 5,000 Fighters On The Border With Israel",
    "Attacks On U.S. Bases In Iraq, Syria; Hizbullah Brigades: We Are Joining The War",
    "Reports In Arab Media: Iran Is Running A Joint Operations Room Shared By Its Militias And Hamas",
    "Arab News Website: Iran Is Planning A Military Ground Operation Against Israel On The Syrian Front",
    "Iraqi Militias Will Attack American Targets In Iraq",
    "Coordination With The Houthis",
    "Hizbullah-Affiliated Daily: The Joint Operations Room Is Working In A Coordinated Fashion; "
    "Hizbullah Has Changed Its Methods Against Israel",
    "Reports In Arab Media On Forces Headed For Israeli Border",
]

# How many body paragraphs each section holds, in order (the first 5 come before any heading).
SEED_SECTION_SIZES = [3, 3, 1, 5, 8, 5, 2, 1, 2, 3]

# Paragraph number -> the footnote markers it carries, in order. Every other paragraph has none.
SEED_MARKERS = {
    3: (1,), 4: (2,), 6: (3,), 7: (4,), 8: (5, 6), 9: (7,), 10: (8, 9), 11: (10,), 12: (11,),
    13: (12, 13), 14: (14,), 16: (15, 16), 17: (17,), 25: (18,), 28: (19,), 33: (20,),
    35: (21, 22), 36: (23, 24, 25), 38: (26,),
}

NOTE_15 = (
    "It should be noted that, in early October 2023, the Iran-backed Iraqi militia Uli Al-Ba's "
    "Al-Shadid announced that it and 11 other local factions were joining forces in the struggle "
    "against the \u201coccupiers.\u201d It is unclear whether this alliance is part of \u201cthe "
    "Operations Room in Support of Al-Aqsa Flood,\u201d or is a different body. See MEMRI JTTM report:"
    "\n\n"
    "Iran-Backed Iraqi Militia Announces Uniting Of Forces Among 11 Local Factions In Struggle "
    "Against \u2018Occupiers,\u2019 Vows To Perpetrate \u2018High-Quality Operation To Avenge Martyrs "
    "Who Fell Defending Jerusalem\u2019, October 17, 2023."
)

# Every note of the footnotes block, as the text after its "[n]" (links were stripped at the source,
# which is why many begin with a comma; they are kept as written).
SEED_NOTES = {
    7: ", October 16, 2023.",
    8: ", October 19, 2023.",
    9: ", October 19, 2023.",
    13: ", October 18, 2023",
    14: ", October 18, 2023.",
    15: NOTE_15,
    16: ", October 18, 2023",
    17: ", October 18, 2023",
    19: "In the framework of Iran's efforts to assist its ally Syrian President Bashar Al-Assad, in "
    "the civil war that broke out in 2011, Iran established several Shi\u2019ite militias, among them "
    "the Fatemiyoun Brigade, comprised of Afghan Shi\u2019ites and Pakistani Zeinabiyoun Brigade.",
    20: ", 18.10.2023.",
    21: "On October 18, this group took responsibility for an attack against Israel., October 18, 2023.",
    22: "Al-Akhbar (Lebanon), October 19, 2023.",
    24: ", October 17, 2023..",
    25: ", October 18, 2023.",
    26: ", October 17, 2023.",
}


def seed_body_blocks(seed: Path) -> list[str]:
    """The seed's body paragraphs, sliced out of the file independently of the parser:
    blocks after the date/regions block, before the footnotes, that are not headings."""
    text = seed.read_bytes().decode("utf-8")
    blocks = re.split(r"\n{2,}", text.strip("\n"))
    assert blocks[2] == "October 19, 2023\nIran, Iraq, Syria, Palestinians | Special Dispatch No. 10888"
    notes_start = next(i for i, block in enumerate(blocks) if block.startswith("[7]"))
    # A paragraph is its block less the whitespace at its edges (three end in runs of U+00A0).
    return [block.strip() for block in blocks[3:notes_start] if block not in SEED_HEADINGS]


@pytest.fixture
def seed(seed_path):
    report, _ = parse_file(seed_path)
    return report


class TestSeedDispatch:
    def test_headline_facts(self, seed) -> None:
        assert seed.format == "dispatch"
        assert seed.title == SEED_TITLE
        assert seed.date == "2023-10-19"
        assert seed.dispatch_number == "10888"
        assert seed.regions == ("Iran", "Iraq", "Syria", "Palestinians")

    def test_all_ten_headings_in_order(self, seed) -> None:
        assert list(seed.headings) == SEED_HEADINGS

    def test_headings_are_not_paragraphs(self, seed) -> None:
        texts = {p.text for p in seed.paragraphs}
        assert not texts & set(SEED_HEADINGS)
        assert SEED_TITLE not in texts

    def test_38_body_paragraphs_numbered_from_one(self, seed) -> None:
        assert len(seed.paragraphs) == 38
        assert [p.number for p in seed.paragraphs] == list(range(1, 39))

    def test_every_paragraph_is_exactly_its_block_of_the_seed(self, seed, seed_path) -> None:
        assert [p.text for p in seed.paragraphs] == seed_body_blocks(seed_path)

    def test_first_paragraph_loses_its_trailing_spaces(self, seed) -> None:
        first = seed.paragraphs[0].text
        assert first.startswith("Against the backdrop of the fighting between Israel and the Palestinian factions")
        assert first.endswith("after a period of about a year in which these attacks declined considerably.")
        assert "Iraqi Shi\u2019ite militia Sayyid Al-Shuhada Brigades" in first
        assert len(first) == 1604

    def test_exact_short_paragraphs(self, seed) -> None:
        assert seed.paragraphs[4].text == (
            "The following is a review of recent reports about joint military activity of the "
            "Iran-backed militias in advance of a possible attack against Israel:"
        )
        assert seed.paragraphs[14].text == (
            "On the following day, October 19, the channel reported that the \u201cIslamic resistance in "
            "Iraq\u201d had carried out two additional strikes against American bases, this time in Syria: "
            "a rocket attack on Al-Tanf Airbase and a drone attack against the Kuniko oilfield."
        )
        assert seed.paragraphs[28].text == (
            "In addition, General Qaani met with Syrian President Bashar Al-Assad and notified him of "
            "Iran's intentions to open the Syrian front against Israel. According to the source, "
            "President Al-Assad expressed his reservations in light of the situation in Syria, but "
            "nonetheless could not refuse Iran's requests."
        )

    def test_paragraph_with_typographic_quotes_and_spaced_marker(self, seed) -> None:
        assert seed.paragraphs[6].text == (
            "For instance, in an interview with the Hizbullah-affiliated Al-Mayadeen television channel, "
            "Abu Alaa Al-Walai, secretary-general of the Sayyid Al-Shuhada Brigades, stated, \u201cFrom the "
            "first hours [of the Hamas attack on Israel which started in the early morning hours of "
            "October 7], we were in direct and indirect contact with the Palestinian resistance. We have "
            "a joint operations room in Iraq, and outside of Iraq, and we will be present wherever "
            "necessary, in accordance with our religious obligation.\u201d [4]"
        )
        assert seed.paragraphs[6].footnotes == (4,)

    def test_paragraph_with_an_inner_non_breaking_space(self, seed) -> None:
        text = seed.paragraphs[9].text
        assert "where a Palestinian flag is visible." + NBSP + " The video was posted" in text
        assert text.endswith("posted another video titled \u201cThe Front Not Yet Opened (The Golan Brigade).\u201d[9]")

    def test_paragraph_that_ended_in_five_non_breaking_spaces_is_trimmed(self, seed) -> None:
        text = seed.paragraphs[36].text
        assert text.startswith("The same day, the Syrian opposition website reported that")
        assert text.endswith("mostly Shi'ites, to their ranks.")
        assert [p.number for p in seed.paragraphs if p.text != p.text.strip()] == []

    def test_ellipsis_and_en_dashes_survive(self, seed) -> None:
        assert "discussed with Iran\u2026 We are in a state of high readiness" in seed.paragraphs[31].text
        assert "Arabic media outlets \u2013 including outlets that support" in seed.paragraphs[17].text

    def test_last_paragraph(self, seed) -> None:
        assert seed.paragraphs[-1].text == (
            "By contrast, the Syrian opposition website Orient News reported on October 17 that according "
            "to opposition operatives in Dar'a in southern Syria, the Iran-backed militias, Hizbullah, and "
            "the Palestinian factions affiliated with it have been decreasing their presence in their bases "
            "in Rif Dimashq, Quneitrah, and Dar'a. The website reported that this activity exposes Iran's "
            "lies that its militias intend to open another front against Israel in order to assist the "
            "Palestinian factions in the Gaza Strip.[26] However, this activity may be an indication that "
            "the groups in question are actually reorganizing their forces in order to avoid the "
            "possibility of Israeli strikes and are redeploying them elsewhere in southern Syria."
        )

    def test_every_non_ascii_character_of_the_seed_survives(self, seed, seed_path) -> None:
        """Quotes, apostrophes, dashes, the ellipsis and the inner non-breaking space: none lost or added;
        the seven at paragraph edges (¶1, ¶12, ¶37) are trimmed."""
        source = Counter(ch for ch in seed_path.read_text(encoding="utf-8") if ord(ch) > 127)
        parsed_text = [seed.title, *seed.headings, *(p.text for p in seed.paragraphs), *(n.text for n in seed.footnotes)]
        parsed = Counter(ch for text in parsed_text for ch in text if ord(ch) > 127)
        assert source[NBSP] == 8 and source["\u201c"] == 40
        assert parsed[NBSP] == 1
        del source[NBSP], parsed[NBSP]
        assert parsed == source

    def test_footnote_markers_per_paragraph(self, seed) -> None:
        assert {p.number: p.footnotes for p in seed.paragraphs if p.footnotes} == SEED_MARKERS

    def test_every_footnote_number_and_text(self, seed) -> None:
        assert {note.number: note.text for note in seed.footnotes} == SEED_NOTES
        assert [note.number for note in seed.footnotes] == sorted(SEED_NOTES)

    def test_note_15_runs_over_two_blocks(self, seed) -> None:
        note = next(n for n in seed.footnotes if n.number == 15)
        first, second = note.text.split("\n\n")
        assert first.endswith("See MEMRI JTTM report:")
        assert second.startswith("Iran-Backed Iraqi Militia Announces Uniting Of Forces")

    def test_markers_without_notes_are_reported(self, seed) -> None:
        assert seed.warnings == (
            "footnote markers without a note: [1], [2], [3], [4], [5], [6], [10], [11], [12], [18], [23]",
        )

    def test_boilerplate_is_dropped(self, seed) -> None:
        everything = [p.text for p in seed.paragraphs] + [n.text for n in seed.footnotes] + list(seed.headings)
        assert not any("Share this Report" in text for text in everything)
        assert seed.footnotes[-1].text == ", October 17, 2023."

    def test_sections_are_assigned(self, seed) -> None:
        sections = [p.section for p in seed.paragraphs]
        assert sections[:5] == [None] * 5
        expected: list[str | None] = [None] * 5
        for heading, size in zip(SEED_HEADINGS, SEED_SECTION_SIZES, strict=False):
            expected += [heading] * size
        assert sections == expected
        assert seed.paragraphs[5].section == SEED_HEADINGS[0]
        assert seed.paragraphs[32].section == "Coordination With The Houthis"

    def test_text_survives_the_database(self, db, seed_path, seed) -> None:
        result = db.add_report(seed_path)
        opened = db.open_report(result.report.id)
        assert opened.paragraphs == seed.paragraphs
        assert opened.paragraphs[36].text.endswith("to their ranks.")
        assert result.report.paragraph_count == 38 and result.report.dispatch_number == "10888"

    def test_same_parse_from_crlf_and_bom_copies(self, seed, seed_path, tmp_path) -> None:
        raw = seed_path.read_bytes()
        crlf = tmp_path / "crlf.txt"
        crlf.write_bytes(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"))
        again, _ = parse_file(crlf)
        assert again == seed


class TestMarkdown:
    def write(self, tmp_path: Path, text: str, name: str = "report.md") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    def test_front_matter_headings_paragraphs_and_footnotes(self, tmp_path) -> None:
        path = self.write(
            tmp_path,
            "---\n"
            'title: "Border deployments \u2014 weekly review"\n'
            "date: 2024-05-12\n"
            "source: Open-source desk\n"
            "regions: Iraq, Syria\n"
            "---\n"
            "\n"
            "# Border deployments \u2014 weekly review\n"
            "\n"
            "The spokesman said \u201c3,000 fighters\u201d arrived.[^1]\n"
            "A second line of the same paragraph.\n"
            "\n"
            "## Claims\n"
            "\n"
            "Border Watch saw \u201cno unusual movement.\u201d[^2] Again.[^1]\n"
            "\n"
            "## Assessment\n"
            "\n"
            "Unconfirmed.\n"
            "\n"
            "[^1]: Telegram, May 9, 2024.\n"
            "[^2]: Border Watch bulletin,\n"
            "    May 10, 2024.\n"
            "\n"
            "    A second block of note 2.\n",
        )
        report, _ = parse_file(path)
        assert report.format == "markdown"
        assert report.title == "Border deployments \u2014 weekly review"
        assert report.date == "2024-05-12"
        assert report.source == "Open-source desk"
        assert report.regions == ("Iraq", "Syria")
        assert report.dispatch_number is None
        assert report.headings == ("Claims", "Assessment")
        assert [(p.number, p.text, p.section, p.footnotes) for p in report.paragraphs] == [
            (1, "The spokesman said \u201c3,000 fighters\u201d arrived.[^1]\nA second line of the same paragraph.", None, (1,)),
            (2, "Border Watch saw \u201cno unusual movement.\u201d[^2] Again.[^1]", "Claims", (2, 1)),
            (3, "Unconfirmed.", "Assessment", ()),
        ]
        assert [(n.number, n.text) for n in report.footnotes] == [
            (1, "Telegram, May 9, 2024."),
            (2, "Border Watch bulletin,\nMay 10, 2024.\n\nA second block of note 2."),
        ]
        assert report.warnings == ()

    def test_title_from_first_heading_without_front_matter(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "# The Title\n\nBody one.\n\n## Part\n\nBody two.\n"))
        assert report.title == "The Title"
        assert report.headings == ("Part",)
        assert [p.text for p in report.paragraphs] == ["Body one.", "Body two."]

    def test_heading_directly_followed_by_text(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "# T\n\n## Part one\nFirst line.\nSecond line.\n"))
        assert report.headings == ("Part one",)
        assert [(p.text, p.section) for p in report.paragraphs] == [("First line.\nSecond line.", "Part one")]

    def test_setext_headings_and_rules_are_not_paragraphs(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "Title\n=====\n\nIntro.\n\n---\n\nSection\n-------\n\nBody.\n"))
        assert report.title == "Title"
        assert report.headings == ("Section",)
        assert [(p.text, p.section) for p in report.paragraphs] == [("Intro.", None), ("Body.", "Section")]

    def test_named_notes_never_take_a_numbered_note_s_number(self, tmp_path) -> None:
        report, _ = parse_file(
            self.write(tmp_path, "# T\n\nA.[^src] B.[^2]\n\n[^src]: Named.\n[^2]: Two.\n[^1]: One, uncited.\n")
        )
        assert report.paragraphs[0].footnotes == (3, 2)
        assert {n.number: n.text for n in report.footnotes} == {3: "Named.", 2: "Two.", 1: "One, uncited."}
        assert report.warnings == ("notes that no paragraph cites: [^1]",)

    def test_named_marker_without_note_is_named_in_the_warning(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "# T\n\nA.[^src] B.[^1]\n\n[^1]: One.\n"))
        assert report.warnings == ("footnote markers without a note: [^src]",)

    def test_marker_without_note_is_a_warning_not_an_error(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "# T\n\nDangling.[^9]\n"))
        assert report.paragraphs[0].footnotes == (9,)
        assert report.footnotes == ()
        assert report.warnings == ("footnote markers without a note: [^9]",)

    def test_markdown_detected_by_content_in_a_txt_file(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "# A heading\n\nA paragraph.\n", name="notes.txt"))
        assert report.format == "markdown" and report.title == "A heading"

    def test_unreadable_front_matter_date_is_a_warning(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "---\ntitle: T\ndate: sometime in May\n---\n\nBody.\n"))
        assert report.date is None
        assert report.warnings == ("front matter date 'sometime in May' is not a date I understand",)

    def test_front_matter_timestamp_and_inline_list(self, tmp_path) -> None:
        report, _ = parse_file(
            self.write(tmp_path, '---\ntitle: T\ndate: 2024-05-12T08:30:00+03:00\nregions: [Iraq, "Syria"]\n---\n\nBody.\n')
        )
        assert (report.date, report.regions, report.warnings) == ("2024-05-12", ("Iraq", "Syria"), ())

    def test_title_from_first_paragraph_when_nothing_else(self, tmp_path) -> None:
        report, _ = parse_file(self.write(tmp_path, "## Only a section\n\nThe body.\n"))
        assert report.title == "The body."
        assert report.headings == ("Only a section",)


class TestPlainText:
    def test_title_from_first_line_then_paragraphs(self, tmp_path) -> None:
        path = tmp_path / "field.txt"
        path.write_text(
            "Field notes: a river crossing\n\nResidents said \u201cforty men\u201d crossed.\nAt night.\n\nThe group denied it.\n",
            encoding="utf-8",
        )
        report, _ = parse_file(path)
        assert report.format == "text"
        assert report.title == "Field notes: a river crossing"
        assert [p.text for p in report.paragraphs] == [
            "Residents said \u201cforty men\u201d crossed.\nAt night.",
            "The group denied it.",
        ]
        assert report.headings == () and report.footnotes == () and report.date is None
        assert all(p.section is None and p.footnotes == () for p in report.paragraphs)

    def test_date_line_after_the_title(self) -> None:
        report = parse_text("A Title\n\n3 June 2024\n\nBody.\n", "x.txt")
        assert (report.title, report.date, [p.text for p in report.paragraphs]) == ("A Title", "2024-06-03", ["Body."])

    def test_first_block_that_is_a_sentence_stays_a_paragraph(self) -> None:
        report = parse_text("Residents said men crossed the river.\n\nThe group denied it.\n", "x.txt")
        assert [p.text for p in report.paragraphs] == ["Residents said men crossed the river.", "The group denied it."]
        assert report.title == "Residents said men crossed the river."

    def test_long_first_paragraph_gives_a_short_title(self) -> None:
        first = "word " * 60 + "end."
        report = parse_text(first + "\n\nSecond.\n", "x.txt")
        assert len(report.title) <= 80 and report.title.endswith("\u2026")
        assert report.paragraphs[0].text == first

    def test_blank_lines_of_spaces_separate_paragraphs(self) -> None:
        report = parse_text("Title\n\nOne.\n   \t\nTwo.\n", "x.txt")
        assert [p.text for p in report.paragraphs] == ["One.", "Two."]


class TestBadInput:
    def assert_one_line_error(self, path: Path, *fragments: str) -> str:
        with pytest.raises(IngestError) as caught:
            parse_file(path)
        message = str(caught.value)
        assert "\n" not in message and message.strip() == message
        for fragment in fragments:
            assert fragment in message
        return message

    def test_missing_file(self, tmp_path) -> None:
        self.assert_one_line_error(tmp_path / "nope.txt", "nope.txt", "no such file")

    def test_directory(self, tmp_path) -> None:
        self.assert_one_line_error(tmp_path, "is a directory")

    def test_binary_file(self, tmp_path) -> None:
        path = tmp_path / "image.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
        self.assert_one_line_error(path, "image.png: is a binary file (not text, a web page, a PDF or a Word document)")

    def test_binary_without_nul_bytes(self, tmp_path) -> None:
        path = tmp_path / "noise.bin"
        path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50)
        self.assert_one_line_error(path, "binary")

    def test_office_document(self, tmp_path) -> None:
        import zipfile

        path = tmp_path / "report.docx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w:document>" + "text " * 200 + "</w:document>")
        self.assert_one_line_error(path, "report.docx", "not a Word file")

    def test_utf16_without_bom(self, tmp_path) -> None:
        path = tmp_path / "u16.txt"
        path.write_bytes("A Title\n\nA paragraph.\n".encode("utf-16-le"))
        self.assert_one_line_error(path, "UTF-16 without a byte order mark")

    @pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
    def test_arabic_utf16_without_bom(self, tmp_path, codec) -> None:
        # Arabic code units have no zero byte; only the spaces and digits do.
        path = tmp_path / "arabic.txt"
        path.write_bytes("تقرير خاص رقم 11\n\nأعلنت كتائب حزب الله أنها تنضم إلى الحرب.\n".encode(codec) * 20)
        message = self.assert_one_line_error(path, "arabic.txt", "UTF-16 without a byte order mark")
        assert "binary" not in message

    def test_a_program_is_binary_not_utf16(self, tmp_path) -> None:
        # An executable's tables are small integers: zero bytes at even and odd offsets alike.
        import struct

        tables = b"".join(struct.pack("<QQ", n * 24, n % 7) for n in range(600))
        path = tmp_path / "program"
        path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHIQ", 3, 62, 1, 0x1040) + tables)
        message = self.assert_one_line_error(path, "program: is a binary file (not text, a web page, a PDF or a Word document)")
        assert "UTF-16" not in message

    def test_the_python_interpreter_is_binary(self, tmp_path) -> None:
        import sys

        path = tmp_path / "python"
        path.write_bytes(Path(sys.executable).resolve().read_bytes()[:65536])
        message = self.assert_one_line_error(path, "is a binary file")
        assert "UTF-16" not in message

    def test_empty_file(self, tmp_path) -> None:
        path = tmp_path / "empty.txt"
        path.write_bytes(b"")
        self.assert_one_line_error(path, "empty.txt", "is empty")

    def test_whitespace_only_file(self, tmp_path) -> None:
        path = tmp_path / "blank.txt"
        path.write_bytes(b" \n\t\r\n  \n")
        self.assert_one_line_error(path, "blank.txt", "empty", "whitespace")

    def test_bom_only_is_empty(self, tmp_path) -> None:
        path = tmp_path / "bom.txt"
        path.write_bytes(b"\xef\xbb\xbf")
        self.assert_one_line_error(path, "is empty")

    def test_no_body_paragraphs(self, tmp_path) -> None:
        path = tmp_path / "headings.md"
        path.write_text("---\ntitle: T\n---\n\n# T\n\n## Only headings\n", encoding="utf-8")
        self.assert_one_line_error(path, "headings.md", "no body paragraphs")

    def test_too_large(self, tmp_path, monkeypatch) -> None:
        import store.ingest

        monkeypatch.setattr(store.ingest, "MAX_BYTES", 10)
        path = tmp_path / "big.txt"
        path.write_text("Title\n\nA paragraph longer than ten bytes.\n", encoding="utf-8")
        self.assert_one_line_error(path, "larger than")

    def test_file_name_with_control_characters_is_shown_inert(self, tmp_path) -> None:
        message = self.assert_one_line_error(tmp_path / "evil\x1b]52;c;x\x07.txt", "no such file")
        assert "\x1b" not in message and "\x07" not in message and "\u241b" in message

    def test_invalid_utf16_after_bom(self, tmp_path) -> None:
        path = tmp_path / "broken16.txt"
        path.write_bytes(b"\xff\xfe\x00\xd8")  # a lone surrogate
        self.assert_one_line_error(path, "UTF-16")

    def test_invalid_utf8_after_bom(self, tmp_path) -> None:
        path = tmp_path / "broken8.txt"
        path.write_bytes(b"\xef\xbb\xbfTitle\n\nCaf\xe9.\n")
        self.assert_one_line_error(path, "UTF-8")


class TestEncodings:
    TEXT = "A Title\n\nHe said \u201cyes\u201d \u2014 caf\u00e9\u00a0bar.\n"

    def paragraph(self, path: Path) -> tuple[str, tuple[str, ...]]:
        report, decoded = parse_file(path)
        assert report.title == "A Title"
        return report.paragraphs[0].text, decoded.warnings

    def test_utf8(self, tmp_path) -> None:
        path = tmp_path / "u8.txt"
        path.write_bytes(self.TEXT.encode("utf-8"))
        assert self.paragraph(path) == ("He said \u201cyes\u201d \u2014 caf\u00e9\u00a0bar.", ())

    def test_utf8_bom_is_removed_and_offsets_start_at_the_text(self, tmp_path) -> None:
        path = tmp_path / "bom8.txt"
        path.write_bytes(b"\xef\xbb\xbf" + self.TEXT.encode("utf-8"))
        decoded = read_report_file(path)
        assert not decoded.text.startswith("\ufeff")
        assert decoded.text == self.TEXT
        assert self.paragraph(path) == ("He said \u201cyes\u201d \u2014 caf\u00e9\u00a0bar.", ())

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
    def test_utf16_with_bom(self, tmp_path, encoding) -> None:
        raw = self.TEXT.encode(encoding)
        if encoding == "utf-16-le":
            raw = b"\xff\xfe" + raw
        elif encoding == "utf-16-be":
            raw = b"\xfe\xff" + raw
        path = tmp_path / "u16.txt"
        path.write_bytes(raw)
        assert self.paragraph(path) == ("He said \u201cyes\u201d \u2014 caf\u00e9\u00a0bar.", ())

    def test_cp1252_fallback_with_a_warning(self, tmp_path) -> None:
        path = tmp_path / "win.txt"
        path.write_bytes(self.TEXT.encode("cp1252"))
        text, warnings = self.paragraph(path)
        assert text == "He said \u201cyes\u201d \u2014 caf\u00e9\u00a0bar."
        assert len(warnings) == 1 and "cp1252" in warnings[0] and "UTF-8" in warnings[0]

    def test_cp1252_warning_reaches_the_parse(self, tmp_path) -> None:
        path = tmp_path / "win.txt"
        path.write_bytes(self.TEXT.encode("cp1252"))
        report, _ = parse_file(path)
        assert any("cp1252" in warning for warning in report.warnings)

    def test_crlf_and_lone_cr_become_lf(self, tmp_path) -> None:
        path = tmp_path / "dos.txt"
        path.write_bytes(b"A Title\r\n\r\nLine one\r\nline two\r\rLast.\r\n")
        report, decoded = parse_file(path)
        assert "\r" not in decoded.text
        assert [p.text for p in report.paragraphs] == ["Line one\nline two", "Last."]

    def test_control_characters_are_replaced_one_for_one(self, tmp_path) -> None:
        body = "Esc \x1b]52;c;aGk=\x07 bell, \x00nul, \x7fdel, \x85nel, tab\tkept."
        path = tmp_path / "ctl.txt"
        path.write_bytes(("A Title\n\n" + body + "\n").encode("utf-8"))
        report, decoded = parse_file(path)
        text = report.paragraphs[0].text
        assert text == "Esc \u241b]52;c;aGk=\u2407 bell, \u2400nul, \u2421del, \ufffdnel, tab\tkept."
        assert len(text) == len(body)  # one code point for one: offsets mean the same thing
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", decoded.text)

    def test_offsets_into_cleaned_text_match_the_newline_normalised_source(self) -> None:
        source = "T\r\n\r\nA\x1bB \u201cq\u201d\r\nC\x07D\n"
        decoded = decode_report_bytes(source.encode("utf-8"))
        expected = normalise_newlines(source)
        assert len(decoded.text) == len(expected)
        for offset, char in enumerate(expected):
            if char not in "\x1b\x07":
                assert decoded.text[offset] == char

    def test_revision_hash_ignores_encoding_and_line_endings(self, tmp_path) -> None:
        one, two = tmp_path / "a.txt", tmp_path / "b.txt"
        one.write_bytes(self.TEXT.encode("utf-8"))
        two.write_bytes(b"\xef\xbb\xbf" + self.TEXT.replace("\n", "\r\n").encode("utf-8"))
        assert read_report_file(one).sha256 == read_report_file(two).sha256


class TestReportIdentity:
    def test_same_file_same_id(self, tmp_path) -> None:
        path = tmp_path / "Harbour Drones.txt"
        assert report_id_for(path) == report_id_for(path) == "harbour-drones"

    def test_same_name_in_another_folder_agrees(self, tmp_path) -> None:
        assert report_id_for(tmp_path / "a" / "dispatch_1.txt") == report_id_for("/elsewhere/dispatch_1.txt")

    def test_extension_and_case(self) -> None:
        assert report_id_for("Review.MD") == "review"
        assert report_id_for("notes.markdown") == "notes"
        assert report_id_for("archive.tar.txt") == "archive.tar"
        assert report_id_for("Report (1).TXT") == "report-1"

    def test_names_without_ascii_letters_get_a_stable_hash(self) -> None:
        first = report_id_for("\u062a\u0642\u0631\u064a\u0631.txt")
        assert first == report_id_for("/other/\u062a\u0642\u0631\u064a\u0631.txt")
        assert re.fullmatch(r"report-[0-9a-f]{12}", first)
        assert first != report_id_for("\u062a\u0642\u0631\u064a\u0631\u0627\u062a.txt")

    def test_ids_are_safe_file_names_of_bounded_length(self) -> None:
        for name in ("../../etc/passwd", "a/b\\c.txt", "x" * 300 + ".txt", ".hidden.txt", "-dash-.txt"):
            report_id = report_id_for(name)
            assert re.fullmatch(r"[a-z0-9_][a-z0-9_.-]*", report_id), report_id
            assert len(report_id) <= 80
            assert "/" not in report_id and "\\" not in report_id

    def test_database_gives_the_same_file_the_same_report(self, db, tmp_path) -> None:
        path = tmp_path / "note.txt"
        path.write_text("A title\n\nFirst paragraph.\n", encoding="utf-8")
        first = db.add_report(path)
        again = db.add_report(path)
        assert first.created and not again.created and not again.new_revision
        assert again.report.id == first.report.id == "note"
        assert again.report.revision == first.report.revision


class TestSampleReports:
    """The bundled sample reports parse as a new user would expect (one per layout)."""

    def parse(self, name: str):
        from tests.conftest import SAMPLES

        report, decoded = parse_file(SAMPLES / name)
        assert decoded.warnings == ()  # UTF-8, nothing to fall back on
        return report

    def test_every_sample_parses_with_paragraphs_and_a_title(self, sample_paths) -> None:
        assert len(sample_paths) >= 3
        layouts = set()
        for path in sample_paths:
            report, _ = parse_file(path)
            layouts.add(report.format)
            assert report.title and len(report.paragraphs) >= 5
            assert report.date is not None
        assert layouts == {"dispatch", "markdown", "text", "html-dispatch", "pdf", "docx"}

    def test_dispatch_sample(self) -> None:
        report = self.parse("dispatch_harbour_drones.txt")
        assert report.format == "dispatch"
        assert (report.date, report.dispatch_number, report.regions) == ("2024-03-04", "4127", ("Yemen", "Red Sea", "Iran"))
        assert report.headings == (
            "Claims By The Coastal Resistance Front",
            "Casualty Figures And Competing Accounts",
            "Denials And Regional Reactions",
        )
        assert len(report.paragraphs) == 10
        note_5 = next(n for n in report.footnotes if n.number == 5)
        assert note_5.text.count("\n\n") == 1 and note_5.text.endswith("January 14, 2024.")
        assert report.warnings == ("footnote markers without a note: [4], [6], [9]",)
        text = "\n".join(p.text for p in report.paragraphs)
        for spelling in ("Abu Hamza Al-Kathiri", "Abu Hamzah Al-Kathiri", "Coastal Resistence Front", "Al-Sharq Al-Awsat"):
            assert spelling in text
        assert report.paragraphs[4].text.endswith("\u201d[5]")
        assert not any("Share this Report" in p.text for p in report.paragraphs)

    def test_markdown_sample(self) -> None:
        report = self.parse("militia_statements_review.md")
        assert report.format == "markdown"
        assert report.title == "Militia statements on border deployments \u2014 weekly review"
        assert (report.date, report.source, report.regions) == ("2024-05-12", "Open-source desk, weekly review", ("Iraq", "Syria"))
        assert report.headings == ("Claims of deployment", "Statements by officials", "Assessment notes")
        note_2 = next(n for n in report.footnotes if n.number == 2)
        assert note_2.text.endswith("\n\nAn archived copy of the first version is held by the desk.")
        assert report.warnings == ("footnote markers without a note: [^3]",)
        text = "\n".join(p.text for p in report.paragraphs)
        assert "Hadi Al-Saadi" in text and "Hadi Al-Sa'adi" in text

    def test_plain_text_sample(self) -> None:
        report = self.parse("field_notes_river_crossing.txt")
        assert report.format == "text"
        assert report.title == "Field notes: reports of a river crossing near Deir Hafer"
        assert report.date == "2024-06-03"
        assert report.paragraphs[-1].text.startswith("To follow up:\n- ask the Furat Post journalist")
        text = "\n".join(p.text for p in report.paragraphs)
        assert "Euphrates Defence Units" in text and "Euphrates Defense Units" in text and "EDU" in text
