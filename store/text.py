"""Where untrusted text is made inert: the one cleaning rule of claimdesk (see docs/security.md).

Rule (applied once, where text enters the store: ingestion, forms, imports,
settings):

* newlines are normalised: CRLF and lone CR become LF;
* every other C0 control character (U+0000-U+001F except TAB and LF) becomes
  its Unicode Control Picture (ESC becomes U+241B "␛", NUL "␀", BEL "␇"),
  DEL becomes U+2421 "␡";
* every C1 control character (U+0080-U+009F, among them the 8-bit CSI U+009B)
  and every lone surrogate (U+D800-U+DFFF, which no terminal or UTF-8 file can
  carry) becomes U+FFFD "�".

Each replaced code point becomes exactly one code point, so an offset into the
cleaned text is the same offset into the newline-normalised source. An escape
sequence from a report therefore reaches the screen as harmless characters such
as "␛]52;c;…", never as an instruction to the terminal.

Everything else is kept as it is, including bidirectional marks and overrides,
zero-width characters and combining marks: they are text, not terminal controls.

Rich/Textual markup is not touched here: the TUI never interprets stored text as
markup (it renders it through `rich.text.Text`, `Content` or plain segments).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(text: str) -> str:
    """Newline-normalise `text` and make every control character visible and inert."""
    return _CONTROL.sub(_picture, normalise_newlines(text))


def clean_line(text: str) -> str:
    """Like `clean_text`, for one-line values (names, types): newlines and tabs become spaces."""
    return clean_text(text).replace("\n", " ").replace("\t", " ").strip()


def inert_text(text: str) -> str:
    """Every control character but tab and LF made visible, one character for one (a CR too): for files
    written out of the store (CSV, brat) where offsets must not move and nothing may act on a terminal."""
    return _CONTROL.sub(_picture, text)


def counted(count: int, noun: str) -> str:
    """"1 file", "2 files": a count with its noun in the right number (nouns whose plural adds an s)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def has_control(text: str) -> bool:
    """Does `text` hold a character that `clean_text` replaces (a CR included)?"""
    return _CONTROL.search(text) is not None
