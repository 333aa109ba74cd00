"""A corpus of hostile and odd reports, built in code so every byte is visible here.

Each case is a file name, its bytes, and what must happen: the report parses
and its first screen shows `shows` literally, or it is rejected with a one-line
error containing `rejects`. Payloads carry "PWNED" markers so an end-to-end
test can search the bytes written to a real terminal for them.

Write the corpus out for trying it by hand (e.g. in tmux):

    python -m tests.hostile.corpus /tmp/hostile && claimdesk --db /tmp/hostile-db add /tmp/hostile/*
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

# Escape sequences a hostile report may carry, each with a marker that must never reach a terminal raw.
PAYLOADS = {
    "OSC 0 window title": f"{ESC}]0;PWNED-TITLE{BEL}",
    "OSC 2 window title": f"{ESC}]2;PWNED-TITLE2{ST}",
    "OSC 52 clipboard": f"{ESC}]52;c;UFdORUQtQ0xJUA=={BEL}",  # base64 of PWNED-CLIP
    "OSC 8 link": f"{ESC}]8;;https://pwned.example/{ST}PWNED-LINK{ESC}]8;;{ST}",
    "CSI 6n cursor query": f"{ESC}[6n",
    "CSI c device attributes": f"{ESC}[c",
    "CSI 21t title report": f"{ESC}[21t",
    "DCS": f"{ESC}P$qPWNED-DCS{ST}",
    "RIS reset": f"{ESC}c",
    "8-bit CSI": "\x9b31mPWNED-C1",
    "SGR colour": f"{ESC}[31mPWNED-RED{ESC}[0m",
}
# How each reaches the screen after cleaning (store/text.py): one visible code point per control.
PAYLOADS_SHOWN = {
    "OSC 0 window title": "␛]0;PWNED-TITLE␇",
    "OSC 2 window title": "␛]2;PWNED-TITLE2␛\\",
    "OSC 52 clipboard": "␛]52;c;UFdORUQtQ0xJUA==␇",
    "OSC 8 link": "␛]8;;https://pwned.example/␛\\PWNED-LINK␛]8;;␛\\",
    "CSI 6n cursor query": "␛[6n",
    "CSI c device attributes": "␛[c",
    "CSI 21t title report": "␛[21t",
    "DCS": "␛P$qPWNED-DCS␛\\",
    "RIS reset": "␛c",
    "8-bit CSI": "�31mPWNED-C1",
    "SGR colour": "␛[31mPWNED-RED␛[0m",
}

MARKUP = (
    "[bold]not bold[/bold] and [red]not red[/red]",
    "[link=https://pwned.example]PWNED-LINK2[/link] [@click=app.quit]quit[/]",
    "A lone [/ then [/] then [ then \\[escaped] :smile: :warning:",
    "[b]x[/i] mismatched [/bold] close [on red]bg[/] [$accent]var[/]",
)


@dataclass(frozen=True)
class Case:
    name: str  # the file name
    build: Callable[[], bytes]
    shows: tuple[str, ...] = ()  # on the report's first screen, literally
    rejects: str | None = None  # the one-line error, instead
    warns: str | None = None  # a parse warning
    paragraphs: int | None = None  # how many paragraphs it has
    tags: tuple[str, ...] = field(default=())

    @property
    def big(self) -> bool:
        return "big" in self.tags


def _text(*blocks: str, newline: str = "\n") -> bytes:
    return (newline * 2).join(blocks).encode("utf-8") + newline.encode()


def _controls() -> bytes:
    title = "Hostile " + PAYLOADS["OSC 0 window title"] + " report " + PAYLOADS["OSC 2 window title"]
    lines = [f"{name}: {payload} end." for name, payload in PAYLOADS.items() if "window title" not in name]
    lines.append(f"C0: NUL\x00 BEL{BEL} BS\x08 VT\x0b FF\x0c SI\x0f DEL\x7f end.")
    lines.append("C1: NEL\x85 IND\x84 OSC\x9d ST\x9c APC\x9f end.")
    return _text(title, *lines)


def _controls_shown() -> tuple[str, ...]:
    shown = [PAYLOADS_SHOWN["OSC 0 window title"]]  # in the header
    shown += [f"{name}: {PAYLOADS_SHOWN[name]} end." for name in PAYLOADS if "window title" not in name]
    shown.append("C0: NUL␀ BEL␇ BS␈ VT␋ FF␌ SI␏ DEL␡ end.")
    shown.append("C1: NEL� IND� OSC� ST� APC� end.")
    return tuple(shown)


def _markdown_markup() -> bytes:
    return _text(
        "# Markup in a [bold]Markdown[/bold] report",
        "## [red]Section[/red] [@click=app.quit]heading[/]",
        "Footnoted [link=https://pwned.example]text[/link].[^1]",
        *MARKUP,
        "[^1]: A note with [bold]markup[/bold] and " + PAYLOADS["OSC 52 clipboard"],
    )


def _bidi() -> bytes:
    return _text(
        "تقرير عن المدينة",
        "قال المتحدث باسم الجيش \u200fإن\u200f القوات سيطرت على المدينة.",
        "Override: \u202eRLO reversed PWNED\u202c back, \u202dLRO\u202c too.",
        "Embedding \u202bعربي\u202c isolate \u2067عربي\u2069 LRM\u200e ALM\u061c end.",
        "Mixed: the 3 منازل were searched (٣ منازل) on 12 June.",
    )


def _zero_width() -> bytes:
    return _text(
        "Zero width",
        "zero\u200bwidth non\u200cjoiner joiner\u200d word\u2060joiner soft\u00adhyphen bom\ufeffmid end.",
        "\u200b\u200b\u200b",
        "Variation selectors: ☃\ufe0f ☃\ufe0e and a tag sequence 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f end.",
    )


def _combining() -> bytes:
    zalgo = "Z" + "".join(chr(0x0300 + i) for i in range(40)) + "algo"
    return _text(
        "Combining marks",
        f"Stacked: {zalgo} end.",
        "Decomposed e\u0301 and composed é; Devanagari क्षि; Vietnamese Tiếng Việt end.",
    )


def _emoji() -> bytes:
    return _text(
        "Emoji",
        "Family 👩\u200d👩\u200d👧\u200d👦 flag 🇸🇾 thumbs 👍🏽 keycap 1\ufe0f\u20e3 rainbow 🏳\ufe0f\u200d🌈 end.",
        "Wide CJK 中文報告 and fullwidth ＡＢＣ end.",
    )


def _tabs() -> bytes:
    return _text("Tabs", "col1\tcol2\tcol3 end.", "\tindented\tparagraph end.")


def _crlf() -> bytes:
    return b"CRLF report\r\n\r\nFirst line\r\nsecond line end.\r\n\r\nOld Mac\rline end.\r\r"


def _big_paragraph() -> bytes:
    words = "the militia said the convoy crossed the bridge at dawn and the ministry denied it "
    body = "BIG-START " + words * (1_048_576 // len(words) + 1)
    return _text("One huge paragraph", body)


def _long_word() -> bytes:
    return _text("One long word", "LONGWORD" + "x" * 200_000)


def _many_paragraphs() -> bytes:
    return _text("Ten thousand paragraphs", *(f"Paragraph {n}." for n in range(1, 10_001)))


def _binary() -> bytes:
    junk = random.Random(6).randbytes(8192)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + junk


def _cp1252() -> bytes:
    return b"Windows report\r\n\r\nCaf\xe9 \x93quoted\x94 \x80 5 \x96 dash \x9b angle \x81 undefined end.\r\n"


def _utf16() -> bytes:
    return "UTF-16 report\n\nText with a BOM: \u00e9\u4e2d end.\n".encode("utf-16")


def _html_page() -> bytes:
    """A saved web page whose text carries markup, escapes (as entities and raw) and scripts."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Page [bold]title[/bold]</title>"
        "<script>document.title='PWNED-SCRIPT'</script></head><body onload=\"alert('PWNED-ONLOAD')\">"
        "<article><h1>Page [bold]title[/bold]</h1>"
        f"<p>{MARKUP[0]} and &#27;]0;PWNED-ENTITY&#7; end.</p>"
        f"<p>{MARKUP[1]} raw {PAYLOADS['OSC 52 clipboard']} end.</p>"
        "<p>&lt;b&gt;tags as text&lt;/b&gt; [red]x[/red] end.</p>"
        "<iframe src='https://pwned.example/'>PWNED-IFRAME</iframe></article></body></html>"
    ).encode()


CASES: tuple[Case, ...] = (
    Case("controls.txt", _controls, shows=_controls_shown(), paragraphs=len(PAYLOADS) - 2 + 2),
    Case(
        "markup.txt",
        lambda: _text("Markup [bold]title[/bold] [@click=app.quit]x[/]", *MARKUP),
        shows=("Markup [bold]title[/bold]", *MARKUP),
    ),
    Case(
        "markup.md",
        _markdown_markup,
        shows=(
            "[red]Section[/red] [@click=app.quit]heading[/]",
            "Footnoted [link=https://pwned.example]text[/link].[^1]",
            "[1] A note with [bold]markup[/bold] and ␛]52;c;",
            *MARKUP,
        ),
    ),
    Case(
        "page.html",
        _html_page,
        shows=(
            f"{MARKUP[0]} and \u241b]0;PWNED-ENTITY\u2407 end.",
            f"{MARKUP[1]} raw",
            f"{PAYLOADS_SHOWN['OSC 52 clipboard']} end.",
            "<b>tags as text</b> [red]x[/red] end.",
        ),
        paragraphs=3,
    ),
    Case("bidi_arabic.txt", _bidi, shows=("RLO reversed PWNED", "LRM", "end.")),
    Case("zero_width.txt", _zero_width, shows=("end.",)),
    Case("combining.txt", _combining, shows=("Stacked: Z", "Tiếng Việt end.")),
    Case("emoji.txt", _emoji, shows=("Family 👩", "Wide CJK 中文報告")),
    Case("tabs.txt", _tabs, shows=("col1 col2 col3 end.", "indented paragraph end.")),
    Case("crlf.txt", _crlf, shows=("First line", "second line end.", "Old Mac", "line end."), paragraphs=2),
    Case("big_paragraph.txt", _big_paragraph, shows=("BIG-START the militia",), paragraphs=1, tags=("big",)),
    Case("long_word.txt", _long_word, shows=("LONGWORDxxxx",), paragraphs=1, tags=("big",)),
    Case("many_paragraphs.txt", _many_paragraphs, shows=("Paragraph 1.", "Paragraph 2."), paragraphs=10_000, tags=("big",)),
    Case("binary.png", _binary, rejects="is a binary file"),
    Case("cp1252.txt", _cp1252, shows=("Café “quoted” € 5 – dash › angle � undefined end.",), warns="Windows-1252"),
    Case("utf16.txt", _utf16, shows=("Text with a BOM: é中 end.",)),
    Case("empty.txt", lambda: b"", rejects="is empty"),
    Case("blank.txt", lambda: b"\n \t\r\n\n", rejects="is empty"),
)


def write_corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for case in CASES:
        path = folder / case.name
        path.write_bytes(case.build())
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")):
        print(written)
