"""Terminals claimdesk meets over SSH: each TERM starts and works at 80x24; NO_COLOR keeps the spans' cues.

What each TERM changes is the colour system Rich detects (xterm/screen/tmux-256color:
256 colours, linux: the 16 standard colours); Textual needs no terminfo entry.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from store.db import Database
from store.model import Claim, Kind, Span
from tests.e2e.conftest import FIRST_WORDS
from tests.e2e.terminal import CLAIMDESK, child_environment, escape_sequences

pytestmark = pytest.mark.slow  # each test starts claimdesk in a pty

SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colour_parameters(raw: bytes) -> list[list[str]]:
    """The parameter lists of every SGR sequence that sets a colour."""
    found = []
    for sequence in escape_sequences(raw):
        match = SGR.fullmatch(sequence)
        if match:
            params = match[1].split(";")
            if any(p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107) for p in params):
                found.append(params)
    return found


def _grey_256(n: int) -> bool:
    if 232 <= n <= 255 or n in (0, 7, 8, 15):
        return True
    if 16 <= n <= 231:
        r, g, b = (n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6
        return r == g == b
    return False


def only_greys(params: list[str]) -> bool:
    """Does an SGR parameter list set only black, white or grey colours?"""
    index = 0
    while index < len(params):
        p = params[index]
        if p in ("38", "48") and params[index + 1 : index + 2] == ["5"]:
            if not _grey_256(int(params[index + 2])):
                return False
            index += 3
        elif p in ("38", "48") and params[index + 1 : index + 2] == ["2"]:
            if len(set(params[index + 2 : index + 5])) != 1:
                return False
            index += 5
        else:
            if p.isdigit() and int(p) in (
                31,
                32,
                33,
                34,
                35,
                36,
                41,
                42,
                43,
                44,
                45,
                46,
                91,
                92,
                93,
                94,
                95,
                96,
                101,
                102,
                103,
                104,
                105,
                106,
            ):
                return False
            index += 1
    return True


@pytest.mark.parametrize("term_name", ["xterm-256color", "screen-256color", "tmux-256color", "linux"])
def test_starts_and_works_at_80x24(term_name, terminal, report_file) -> None:
    term = terminal("open", str(report_file), env={"TERM": term_name}, columns=80, rows=24)
    term.wait_for(FIRST_WORDS)
    term.wait_for("¶ 1/3")  # the status line, above the footer
    term.wait_for("Help")  # the footer keeps `? Help` visible at 80 columns
    since = term.press(b"j")
    term.wait_for("¶ 2/3", since=since)
    raw = bytes(term.raw)
    assert term.quit() == 0
    if term_name == "linux":  # a 16-colour console: only the standard colour codes
        wide = [p for p in colour_parameters(raw) if "38" in p or "48" in p]
        assert not wide, f"256-colour or true-colour codes sent to TERM=linux: {wide[:3]}"


def test_no_color_keeps_a_cue_that_is_not_colour(terminal, report_file, db_path) -> None:
    db = Database(db_path, reviewer="tester")
    report = db.add_report(report_file).report
    text = db.open_report(report.id).paragraphs[0].text
    actor, _ = db.save_actor(db.new_actor("Armed men", type="armed_group"))
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=Span.of(text, 0, 9), claim=Claim("crossing", "event")))
    start = text.index("armed men")
    db.save_annotation(db.new_annotation(Kind.ACTOR, report, 1, span=Span.of(text, start, start + 9), actor_id=actor.id))

    term = terminal("open", str(report_file), env={"NO_COLOR": "1"})
    term.wait_for("Residents")
    term.settle()
    raw = bytes(term.raw).decode("utf-8", errors="replace")
    assert term.quit() == 0
    coloured = [params for params in colour_parameters(raw.encode()) if not only_greys(params)]
    assert not coloured, f"colours under NO_COLOR: {coloured[:3]}"  # Textual's monochrome filter leaves greys
    claim = re.search(r"\x1b\[([0-9;]*)mResidents", raw)
    actor_span = re.search(r"\x1b\[([0-9;]*)marmed men", raw)
    assert claim and "4" in claim[1].split(";"), "the claim span is not underlined"
    assert actor_span and "1" in actor_span[1].split(";"), "the actor span is not bold"


def test_without_a_terminal_the_tui_refuses_in_one_line(home, db_path) -> None:
    """Textual reads stdin and draws on stderr: with either not a terminal, claimdesk says so and stops."""
    result = subprocess.run(
        [str(CLAIMDESK), "--db", str(db_path)], stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        env=child_environment(home),
    )
    assert result.returncode == 1
    assert result.stderr.decode().count("\n") == 1 and "needs a terminal" in result.stderr.decode()
