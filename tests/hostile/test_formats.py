"""Hostile web pages, PDFs and Word files: nothing runs or is fetched, limits hold, errors are one line.

"Never fetched" is checked with a socket listening on 127.0.0.1 that every
remote reference of a hostile file points at: after reading the file, no
connection may be waiting on it.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from store.errors import IngestError
from store.ingest import parse_file
from store.readers.limits import Limits
from store.text import has_control


@contextmanager
def listener() -> Iterator[str]:
    """A URL on this machine; the test fails if anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return
        connection.close()
        raise AssertionError("reading the file fetched a remote reference")
    finally:
        server.close()


def add_with_the_cli(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    claimdesk = Path(sys.executable).with_name("claimdesk")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK", "XDG_"))}
    env.update(HOME=str(tmp_path), CLAIMDESK_CONFIG=str(tmp_path / "no-config.toml"))
    return subprocess.run(
        [str(claimdesk), "--db", str(tmp_path / "cli-db"), "add", str(path)], capture_output=True, text=True, timeout=120, env=env
    )


def assert_refused_in_one_line(path: Path, fragment: str, tmp_path: Path) -> None:
    with pytest.raises(IngestError) as raised:
        parse_file(path)
    assert fragment in str(raised.value) and "\n" not in str(raised.value)
    result = add_with_the_cli(path, tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and fragment in result.stderr and "Traceback" not in result.stderr


def all_text(report) -> str:  # type: ignore[no-untyped-def]
    return "\n".join([report.title, *report.headings, *(p.text for p in report.paragraphs), *(n.text for n in report.footnotes)])


# ------------------------------------------------------------------------------------------ HTML

HOSTILE_BODY = """
<meta http-equiv="refresh" content="0; url={url}/refresh">
<link rel="stylesheet" href="{url}/style.css"><link rel="preload" href="{url}/font.woff2">
<script src="{url}/script.js"></script>
<script>fetch("{url}/fetch"); document.body.innerHTML = "PWNED-SCRIPT";</script>
<style>@import url("{url}/import.css"); body {{ background: url("{url}/bg.png") }}</style>
<body onload="location='{url}/onload'">
<article>
<h1>Hostile page</h1>
<p onclick="alert('PWNED-HANDLER')">Escapes as entities: &#27;]52;c;UFdORUQ=&#7; and &#x1b;[31mred&#x1b;[0m
and &#x9b;6n end of the first paragraph here.</p>
<p>Markup stays text: [bold]not bold[/bold] [link=https://pwned.example]x[/link] &lt;script&gt;alert(1)&lt;/script&gt; and more words.</p>
<img src="{url}/img.png" onerror="alert('PWNED-IMG')"><picture><source srcset="{url}/a.webp"></picture>
<iframe src="{url}/frame">PWNED-IFRAME</iframe><object data="{url}/obj">PWNED-OBJECT</object><embed src="{url}/embed">
<form action="{url}/form"><input name="q" value="PWNED-FORM"><textarea>PWNED-TEXTAREA</textarea></form>
<svg><script>alert('PWNED-SVG')</script><text>PWNED-SVG-TEXT</text></svg>
<template><p>PWNED-TEMPLATE</p></template><noscript>PWNED-NOSCRIPT</noscript>
<p>A last paragraph of the hostile page with enough words in it for any extractor to keep it as text.</p>
</article></body>
"""


@pytest.mark.parametrize("dispatch", [False, True], ids=["article", "dispatch"])
def test_html_scripts_markup_and_remote_resources_stay_inert(dispatch: bool, tmp_path: Path) -> None:
    with listener() as url:
        body = HOSTILE_BODY.format(url=url)
        if dispatch:
            body = body.replace("<h1>", "<p>May 2, 2024 Special Dispatch No. 9</p><h1>")
        path = tmp_path / "hostile.html"
        path.write_text("<!DOCTYPE html><html><head><title>t</title></head>" + body + "</html>", encoding="utf-8")
        report, _ = parse_file(path)
    text = all_text(report)
    assert "PWNED" not in text.replace("UFdORUQ=", "")
    assert not has_control(text)
    assert "\u241b]52;c;UFdORUQ=\u2407" in text and "\u241b[31mred\u241b[0m" in text
    assert "\u203a6n" in text  # &#x9b; is "›" in HTML (the Windows-1252 reading the HTML standard gives it)
    assert "[bold]not bold[/bold] [link=https://pwned.example]x[/link] <script>alert(1)</script>" in text
    assert report.format == ("html-dispatch" if dispatch else "html")


def test_html_too_large_or_too_slow(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_text("<html><body>" + "<p>A paragraph of the page.</p>" * 100 + "</body></html>", encoding="utf-8")
    with pytest.raises(IngestError, match="larger than the 0 MiB limit"):
        parse_file(path, limits=Limits(html_bytes=1000))
    with pytest.raises(IngestError, match="took longer than 0 s"):
        parse_file(path, limits=Limits(seconds=0))


# ------------------------------------------------------------------------------------------- PDF

fpdf = pytest.importorskip("fpdf", reason="the hostile PDFs are written with fpdf2 (the test extra)")


def simple_pdf(text: str = "A report paragraph inside a hostile PDF.") -> bytes:
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(20, 30, text)
    return bytes(pdf.output())


def test_pdf_with_javascript_and_a_broken_xref_is_read_and_nothing_runs(tmp_path: Path) -> None:
    with listener() as url:
        raw = simple_pdf()
        action = (
            f"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.launchURL\\('{url}/js'\\); app.alert\\('PWNED'\\)) >> "
            f"/AA << /O << /S /URI /URI ({url}/uri) >> >> /Names << /EmbeddedFiles << >> >>"
        ).encode()
        assert b"/Type /Catalog" in raw
        # Inserting the action shifts every later object: the xref table's offsets are now wrong.
        raw = raw.replace(b"/Type /Catalog", action, 1)
        raw = raw.replace(b"startxref", b"startxref\n999999999\n%", 1)
        path = tmp_path / "javascript.pdf"
        path.write_bytes(raw)
        report, _ = parse_file(path)
        assert [p.text for p in report.paragraphs] == ["A report paragraph inside a hostile PDF."]
        result = add_with_the_cli(path, tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"%PDF-1.7\n" + b"\x00garbage " * 200, id="garbage"),
        pytest.param(simple_pdf()[:400], id="truncated"),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", id="self-loop"),
    ],
)
def test_broken_pdfs_are_refused_in_one_line(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(raw)
    assert_refused_in_one_line(path, "broken.pdf", tmp_path)


# ------------------------------------------------------------------------------------------ DOCX


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rewrite(raw: bytes, changes: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, changes.pop(name, None) or source.read(name))
        for name, data in changes.items():
            target.writestr(name, data)
    return out.getvalue()


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = rewrite(docx_bytes("A paragraph."), {"word/media/padding.bin": b"\0" * (24 * 1024 * 1024)})
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    assert path.stat().st_size < 200_000
    assert_refused_in_one_line(path, "a zip bomb?", tmp_path)


def test_docx_unpacked_size_and_part_count_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "normal.docx"
    path.write_bytes(docx_bytes("A paragraph."))
    with pytest.raises(IngestError, match=r"unpacks to \d+ bytes, more than the 0 MiB limit"):
        parse_file(path, limits=Limits(unzipped_bytes=1000))
    with pytest.raises(IngestError, match="parts, more than the 3 a Word file may have"):
        parse_file(path, limits=Limits(zip_members=3))


def test_docx_external_references_and_entities_are_never_loaded(tmp_path: Path) -> None:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    with listener() as url:
        document = docx.Document()
        paragraph = document.add_paragraph("Visible text with a link: ")
        link = document.part.relate_to(f"{url}/hyperlink", RT.HYPERLINK, is_external=True)
        document.part.relate_to(f"{url}/image.png", RT.IMAGE, is_external=True)
        template = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
        document.part.part_related_by(RT.SETTINGS).relate_to(f"{url}/template.dotm", template, is_external=True)
        document.part.relate_to(f"{url}/object.bin", RT.OLE_OBJECT, is_external=True)
        paragraph._p.append(
            docx.oxml.parse_xml(
                '<w:hyperlink xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{link}">'
                "<w:r><w:t>the link</w:t></w:r></w:hyperlink>"
            )
        )
        buffer = io.BytesIO()
        document.save(buffer)
        with zipfile.ZipFile(buffer) as archive:
            xml = archive.read("word/document.xml")
        # An external entity in the main part: must not be resolved (no file read, no fetch).
        xml = xml.replace(
            b"?>",
            b'?><!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "'
            + f"{url}/entity".encode()
            + b'">]>',
            1,
        ).replace(b"<w:t>the link</w:t>", b"<w:t>the link &secret;&remote;</w:t>")
        path = tmp_path / "external.docx"
        path.write_bytes(rewrite(buffer.getvalue(), {"word/document.xml": xml}))
        report, _ = parse_file(path)
    assert report.paragraphs[0].text == "Visible text with a link: the link"
    assert "root:" not in all_text(report)


def test_docx_that_is_not_a_word_file_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notword.docx"
    path.write_bytes(rewrite(docx_bytes("x"), {"word/document.xml": b"<not-closed"}))
    assert_refused_in_one_line(path, "notword.docx", tmp_path)
