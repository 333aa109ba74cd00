"""Web pages (store/readers/html.py): a dispatch page reads like its text layout; other articles through trafilatura."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.errors import IngestError
from store.ingest import parse_file
from tests.conftest import SAMPLES

NBSP = "\u00a0"


def page(tmp_path: Path, body: str, head: str = "", name: str = "page.html", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode(encoding))
    return path


class TestDispatchPage:
    def test_the_sample_page_gives_the_same_report_as_the_text_dispatch(self) -> None:
        from_page, _ = parse_file(SAMPLES / "dispatch_harbour_drones.html")
        from_text, _ = parse_file(SAMPLES / "dispatch_harbour_drones.txt")
        assert from_page.format == "html-dispatch" and from_text.format == "dispatch"
        assert from_page.paragraphs == from_text.paragraphs
        assert from_page.headings == from_text.headings
        assert from_page.footnotes == from_text.footnotes
        assert (from_page.title, from_page.date, from_page.dispatch_number, from_page.regions) == (
            from_text.title,
            from_text.date,
            from_text.dispatch_number,
            from_text.regions,
        )
        assert from_page.warnings == from_text.warnings == ("footnote markers without a note: [4], [6], [9]",)

    def test_scripts_navigation_and_share_buttons_are_not_text(self) -> None:
        report, _ = parse_file(SAMPLES / "dispatch_harbour_drones.html")
        everything = "\n".join([report.title, *report.headings, *(p.text for p in report.paragraphs), *(n.text for n in report.footnotes)])
        for furniture in ("PWNED", "Reports", "Search", "Advertisement", "Share this Report", "Facebook", "All rights reserved"):
            assert furniture not in everything

    def test_the_seed_as_a_web_page_gives_the_seed_parse(self, seed_path: Path, tmp_path: Path) -> None:
        """The seed's blocks written as a page the way a site would (paragraph elements, notes
        list, <br> between the date and the regions) read back as the seed's own parse."""
        import html

        from store.parsing import split_blocks

        text = seed_path.read_text(encoding="utf-8")
        seed, _ = parse_file(seed_path)
        blocks = split_blocks(text)
        parts = [f'<div class="top">{html.escape(blocks[0])}</div>', f"<h1>{html.escape(blocks[1])}</h1>"]
        parts.append("<div>" + "<br>\n".join(html.escape(line) for line in blocks[2].split("\n")) + "</div>")
        for block in blocks[3:]:
            tag = "h3" if block in seed.headings else "p"
            parts.append(f"<{tag}>{html.escape(block)}</{tag}>")
        path = page(tmp_path, "<nav>Home</nav><article>" + "\n".join(parts) + "</article><footer>x</footer>")
        report, _ = parse_file(path)
        assert report.paragraphs == seed.paragraphs
        assert report.footnotes == seed.footnotes and report.headings == seed.headings
        assert (report.title, report.date, report.dispatch_number, report.regions) == (
            seed.title,
            seed.date,
            seed.dispatch_number,
            seed.regions,
        )

    def test_title_first_page_with_linked_superscript_markers_and_a_notes_list(self, tmp_path: Path) -> None:
        body = (
            "<article><h1>Militias Claim A Crossing</h1>"
            '<p class="meta">March 4, 2024<br>Syria, Iraq | Special Dispatch No. 77</p>'
            '<p>The group said it crossed the river.<a href="#fn1"><sup>1</sup></a> Residents denied it.<sup>2</sup></p>'
            "<h2>reactions from the region</h2>"
            "<p>The ministry said nothing.</p>"
            '<ol class="footnotes"><li id="fn1">Telegram, March 3, 2024.</li><li id="fn2">Local radio.</li></ol>'
            "</article>"
        )
        report, _ = parse_file(page(tmp_path, body))
        assert report.format == "html-dispatch"
        assert (report.title, report.date, report.dispatch_number, report.regions) == (
            "Militias Claim A Crossing",
            "2024-03-04",
            "77",
            ("Syria", "Iraq"),
        )
        assert [(p.text, p.section, p.footnotes) for p in report.paragraphs] == [
            ("The group said it crossed the river.[1] Residents denied it.[2]", None, (1, 2)),
            ("The ministry said nothing.", "reactions from the region", ()),
        ]
        assert [(n.number, n.text) for n in report.footnotes] == [(1, "Telegram, March 3, 2024."), (2, "Local radio.")]


class TestArticle:
    HEAD = (
        '<meta charset="utf-8"><title>Ignored | Site</title>'
        '<meta property="og:title" content="Drones Over The Port">'
        '<meta property="article:published_time" content="2024-06-02T08:30:00+03:00">'
        '<meta property="og:site_name" content="Coast Monitor">'
        "<script>var tracking = 1;</script><style>.x{color:red}</style>"
    )
    BODY = (
        "<header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        "<main><article><h1>Drones Over The Port</h1>"
        "<p>Residents of the port said that four drones flew over the fuel depots before dawn on Sunday, "
        "and that two explosions were heard near the northern quay.</p>"
        "<h2>What the authorities said</h2>"
        f"<p>The port authority said operations were normal and that no installation had been hit;{NBSP}its "
        "spokesman &ldquo;denied any damage&rdquo; &amp; called the reports rumours.</p>"
        "<h3>Claims online</h3>"
        "<p>A channel close to the group published a forty-second video that, it said, showed the launch, "
        "though the footage shows no impact and could not be dated.</p>"
        "<div class='share'><button>Share</button><a href='https://social.example'>Tweet</a></div>"
        "</article></main><aside>Most read: celebrity news</aside><footer>© Coast Monitor</footer>"
    )

    def test_headings_paragraphs_title_date_and_outlet(self, tmp_path: Path) -> None:
        report, _ = parse_file(page(tmp_path, self.BODY, self.HEAD))
        assert report.format == "html"
        assert (report.title, report.date, report.source) == ("Drones Over The Port", "2024-06-02", "Coast Monitor")
        assert report.headings == ("What the authorities said", "Claims online")
        assert [p.section for p in report.paragraphs] == [None, "What the authorities said", "Claims online"]
        assert report.paragraphs[0].text.startswith("Residents of the port said that four drones")
        assert report.paragraphs[1].text == (
            f"The port authority said operations were normal and that no installation had been hit;{NBSP}its "
            "spokesman \u201cdenied any damage\u201d & called the reports rumours."
        )

    def test_navigation_adverts_scripts_and_styles_are_dropped(self, tmp_path: Path) -> None:
        report, _ = parse_file(page(tmp_path, self.BODY, self.HEAD))
        everything = " ".join(p.text for p in report.paragraphs)
        for furniture in ("Home", "World", "tracking", "color:red", "Tweet", "Most read", "©"):
            assert furniture not in everything

    def test_date_from_a_time_element(self, tmp_path: Path) -> None:
        body = self.BODY.replace("<h1>", '<time datetime="2024-05-30">30 May</time><h1>')
        report, _ = parse_file(page(tmp_path, body, "<title>Drones Over The Port</title>"))
        assert (report.title, report.date) == ("Drones Over The Port", "2024-05-30")

    def test_declared_windows_1252_is_honoured(self, tmp_path: Path) -> None:
        head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Caf\u00e9 \u201cnews\u201d</title>'
        body = self.BODY.replace("Residents", "Caf\u00e9 owners and residents")
        report, _ = parse_file(page(tmp_path, body, head, encoding="cp1252"))
        assert report.title == "Caf\u00e9 \u201cnews\u201d"
        assert report.paragraphs[0].text.startswith("Caf\u00e9 owners and residents")
        assert report.warnings == ()

    def test_recognised_by_content_whatever_the_name(self, tmp_path: Path) -> None:
        report, _ = parse_file(page(tmp_path, self.BODY, self.HEAD, name="saved-page.txt"))
        assert report.format == "html"
        fragment = tmp_path / "fragment.htm"
        fragment.write_text("<div><p>A fragment saved without a head, long enough to count as the article's text "
                            "for the extractor, which wants a sentence or two.</p></div>", encoding="utf-8")
        assert parse_file(fragment)[0].format == "html"

    def test_a_page_with_no_text_is_refused_in_one_line(self, tmp_path: Path) -> None:
        with pytest.raises(IngestError) as raised:
            parse_file(page(tmp_path, "<script>alert(1)</script><img src='x.png'>"))
        assert "no article text" in str(raised.value) and "\n" not in str(raised.value)

    def test_paragraph_edges_are_trimmed_inside_kept(self, tmp_path: Path) -> None:
        body = self.BODY.replace("<p>Residents", f"<p>{NBSP}{NBSP}\u2003Residents").replace(
            "northern quay.</p>", f"northern quay.{NBSP}\u3000</p>"
        )
        report, _ = parse_file(page(tmp_path, body, self.HEAD))
        first = report.paragraphs[0].text
        assert first.startswith("Residents") and first.endswith("northern quay.")
