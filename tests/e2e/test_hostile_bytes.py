"""The bytes claimdesk writes to a real terminal carry no escape sequence that came from a report.

A hostile report (tests/hostile/corpus.py: OSC 52 clipboard writes, OSC 8 links,
OSC 0/2 window titles, CSI queries, DCS, RIS, 8-bit CSI, SGR, raw C0/C1
controls, Rich markup) is opened and read paragraph by paragraph at 80x24 in a
pty; a benign report is read the same way. Then:

* no payload's bytes occur in the output, and every payload is on screen as its
  harmless picture ("␛]52;c;…");
* every escape sequence in the output is of a kind Textual also writes for the
  benign report (cursor moves, SGR, its own mode switches), and none holds a
  marker from the report;
* no 8-bit C1 control and no lone control character is written at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import FIRST_WORDS
from tests.e2e.terminal import ESCAPE_SEQUENCE, Terminal, escape_sequences, sequence_kind
from tests.hostile.corpus import CASES, PAYLOADS, PAYLOADS_SHOWN

pytestmark = pytest.mark.slow  # each test starts claimdesk in a pty


def read_through(term: Terminal, first_words: str, paragraphs: int) -> bytes:
    """Open, step through every paragraph, quit; every byte written."""
    term.wait_for(first_words)
    for number in range(2, paragraphs + 1):
        since = term.press(b"j")
        term.wait_for(f"¶ {number}/{paragraphs}", since=since)  # the status line: that paragraph is drawn
    term.settle(quiet=0.2)
    assert term.quit() == 0
    return bytes(term.raw)


def hostile(name: str, tmp_path: Path) -> Path:
    case = next(c for c in CASES if c.name == name)
    path = tmp_path / name
    path.write_bytes(case.build())
    return path


def test_no_escape_sequence_from_a_report_reaches_the_terminal(terminal, report_file, tmp_path) -> None:
    benign = read_through(terminal("open", str(report_file)), FIRST_WORDS, 3)
    controls = read_through(terminal("open", str(hostile("controls.txt", tmp_path))), "OSC 52 clipboard:", 11)
    markup = read_through(terminal("open", str(hostile("markup.md", tmp_path))), "Footnoted [link=", 5)

    allowed = {sequence_kind(s) for s in escape_sequences(benign)}
    for raw in (controls, markup):
        text = raw.decode("utf-8", errors="replace")
        for name, payload in PAYLOADS.items():
            assert payload.encode("utf-8") not in raw, f"{name} reached the terminal"
        sequences = escape_sequences(raw)
        assert not [s for s in sequences if "PWNED" in s], "an escape sequence carries text from the report"
        foreign = {sequence_kind(s) for s in sequences} - allowed
        assert not foreign, f"sequences Textual does not write for a benign report: {sorted(foreign)}"
        assert not {sequence_kind(s) for s in sequences} & {"OSC 0", "OSC 1", "OSC 2", "OSC 8", "OSC 52"}
        leftover = ESCAPE_SEQUENCE.sub("", text)
        stray = sorted({f"U+{ord(c):04X}" for c in leftover if (ord(c) < 0x20 and c not in "\r\n") or 0x7F <= ord(c) <= 0x9F})
        assert not stray, f"control characters written outside any escape sequence: {stray}"

    shown = ESCAPE_SEQUENCE.sub("", controls.decode("utf-8", errors="replace"))
    assert not [name for name, picture in PAYLOADS_SHOWN.items() if picture not in shown]


def test_a_tampered_database_sends_no_escape_sequence_either(terminal, report_file, db_path) -> None:
    """Escape sequences written straight into a database file (bypassing ingestion) are dropped when drawn."""
    from store.db import Database

    db = Database(db_path, reviewer="tester")
    report = db.add_report(report_file).report
    text_file = db_path / "reports" / report.id / "text.json"
    payload = PAYLOADS["OSC 52 clipboard"] + PAYLOADS["OSC 0 window title"] + PAYLOADS["8-bit CSI"]
    escaped = payload.encode("unicode_escape").decode("ascii").replace("\\x", "\\u00")
    text_file.write_text(text_file.read_text().replace("Residents said", "Residents" + escaped + " said"))
    assert payload in Database(db_path, reviewer="check").open_report(report.id).paragraphs[0].text

    raw = read_through(terminal("open", str(report_file)), "Residents]52;c;", 3)
    for name in ("OSC 52 clipboard", "OSC 0 window title", "8-bit CSI"):
        assert PAYLOADS[name].encode("utf-8") not in raw, f"{name} reached the terminal"
    assert not [s for s in escape_sequences(raw) if "PWNED" in s]
