"""Everything else a user or a file supplies is inert too: actor names, claims, notes, imports, file names,
config values, what the CLI prints, and a database file edited behind claimdesk's back."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from store.config import load_settings
from store.db import Database
from store.importer import import_lines
from store.model import Claim, Kind, Span
from store.text import has_control
from tests.hostile.corpus import CASES
from tests.hostile.screen import screen_lines
from tui.app import make_app
from tui.screens.report import ReportScreen

CLAIMDESK = Path(sys.executable).with_name("claimdesk")
SIZE = (100, 50)  # narrow layout: the annotation panel is below the text, 100 columns wide

NAME = "[bold]Evil[/bold] \x1b]0;PWNED\x07 [@click=app.quit]Militia[/]"
NAME_SHOWN = "[bold]Evil[/bold] ␛]0;PWNED␇ [@click=app.quit]Militia[/]"
CLAIM = "[link=https://pwned.example]claim[/link] \x1b[6n\x9b"
CLAIM_SHOWN = "[link=https://pwned.example]claim[/link] ␛[6n�"
NOTE = "see [red]x[/red]\x1b]52;c;UFdORUQ=\x07\r\nline two"
NOTE_SHOWN = "see [red]x[/red]␛]52;c;UFdORUQ=␇"
REPORT = "Harbour report\n\nResidents said that armed men crossed the river.\n\nThe group denied it.\n"

# What a terminal must never receive: C0 controls but TAB, LF and CR; DEL; C1 controls.
UNSAFE_OUTPUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strings(value: Any) -> list[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def assert_inert(output: bytes) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in UNSAFE_OUTPUT.findall(output.decode("utf-8"))})
    assert not found, f"control characters written: {found}"


def claimdesk(*args: str, config: Path) -> subprocess.CompletedProcess[bytes]:
    """Run the installed CLI with only the given config file (none of the user's settings or database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK", "XDG_"))}
    env.update(CLAIMDESK_CONFIG=str(config), HOME=str(config.parent))
    return subprocess.run([str(CLAIMDESK), *args], capture_output=True, timeout=60, env=env)


@pytest.fixture
def report_id(db: Database, tmp_path: Path) -> str:
    path = tmp_path / "harbour.txt"
    path.write_text(REPORT, encoding="utf-8")
    return db.add_report(path).report.id


@pytest.fixture
def annotated(db: Database, report_id: str) -> str:
    """A claim whose claimant, text and note are all hostile, saved through the store as the forms do."""
    actor, _ = db.save_actor(db.new_actor(NAME, aliases=(NAME + " alias",), note=NOTE))
    report = db.report(report_id)
    text = db.open_report(report_id).paragraphs[0].text
    claim = db.new_annotation(
        Kind.CLAIM, report, 1, span=Span.of(text, 0, 9), claim=Claim(CLAIM, "event", claimant=actor.id), note=NOTE
    )
    db.save_annotation(claim)
    return report_id


def screens(db: Database, report_id: str, *keys: str) -> list[str]:
    """The report's screen, then the screen after each key."""

    async def run() -> list[str]:
        app = make_app(db, report_id=report_id)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen)
            lines = screen_lines(app)
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                lines += screen_lines(app)
            assert app.return_code is None, "the app exited"
            return lines

    return asyncio.run(run())


def test_names_claims_and_notes_are_stored_clean(annotated: str, db: Database) -> None:
    fresh = Database(db.root, reviewer="check")
    docs = [a.to_dict() for a in fresh.annotations(annotated)] + [a.to_dict() for a in fresh.actors()]
    assert not [s for s in strings(docs) if has_control(s)]
    assert fresh.actors()[0].name == NAME_SHOWN  # one visible code point per control; markup untouched
    assert fresh.annotations(annotated)[0].claim.text == CLAIM_SHOWN


def test_names_claims_and_notes_are_shown_literally(annotated: str, db: Database) -> None:
    lines = screens(db, annotated, "A")  # the report (annotation panel), then the actors screen
    for needle in (CLAIM_SHOWN, "claimant: " + NAME_SHOWN, "note: " + NOTE_SHOWN):
        assert any(needle in line for line in lines), f"{needle!r} not on screen:\n" + "\n".join(lines)
    assert sum(NAME_SHOWN in line for line in lines) >= 2, "the actors screen does not show the name literally"
    assert not [line for line in lines if UNSAFE_OUTPUT.search(line)]


def test_imported_jsonl_is_cleaned(report_id: str, db: Database) -> None:
    lines = [
        {"report": report_id, "quote": "Residents", "kind": "claim", "claimant": NAME, "note": NOTE},
        {"report": report_id, "quote": "The group", "kind": "actor", "actor": NAME + " 2", "actor_type": "armed_group"},
        {"report": "\x1b]0;PWNED\x07", "quote": "x", "kind": "claim"},  # unknown report: reported, not shown raw
        {"report": report_id, "quote": "\x1b[6n", "kind": "claim"},  # a quote not in the text
    ]
    result = import_lines(db, [json.dumps(line).encode() + b"\n" for line in lines])
    assert result.added == 2 and len(result.errors) == 2
    assert not [p for p in result.errors if has_control(str(p))]
    docs = [a.to_dict() for a in db.annotations(report_id)] + [a.to_dict() for a in db.actors()]
    assert not [s for s in strings(docs) if has_control(s)]
    assert {a.name for a in db.actors()} == {NAME_SHOWN, NAME_SHOWN + " 2"}


def test_config_values_are_cleaned(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('reviewer = "\\u001b]0;PWNED\\u0007[bold]amira"\n[keys]\n"\\u001b[31m" = "j"\nquit = "\\u009b"\n')
    settings = load_settings(config)
    assert settings.reviewer == "␛]0;PWNED␇[bold]amira"
    assert len(settings.warnings) == 2 and not [w for w in settings.warnings if has_control(w)]
    result = claimdesk("--db", str(tmp_path / "db"), "stats", config=config)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr)


def test_cli_output_is_inert(annotated: str, db: Database, tmp_path: Path) -> None:
    """A hostile file with a hostile name, hostile annotations: add, parse, stats, export print no control character."""
    case = next(c for c in CASES if c.name == "controls.txt")
    path = tmp_path / "evil \x1b]0;PWNED\x07 [bold]\x9b.txt"
    path.write_bytes(case.build())
    db = str(db.root)  # holds the hostile claim, note and actor of `annotated`
    none = tmp_path / "no-config.toml"
    runs = [
        claimdesk("--db", db, "add", str(path), config=none),
        claimdesk("parse", str(path), config=none),
        claimdesk("parse", "--json", str(path), config=none),
        claimdesk("--db", db, "stats", config=none),
        claimdesk("--db", db, "export", config=none),
        claimdesk("--db", db, "export", "-f", "csv", config=none),
        claimdesk("--db", db, "add", str(tmp_path / "missing \x1b[6n.txt"), config=none),
    ]
    assert [r.returncode for r in runs] == [0, 0, 0, 0, 0, 0, 1]
    for run in runs:
        assert_inert(run.stdout + run.stderr)
    assert "␛]0;PWNED-TITLE␇" in runs[1].stdout.decode()  # the title, shown as pictures
    assert CLAIM_SHOWN in runs[4].stdout.decode() and NAME_SHOWN in runs[5].stdout.decode()


def test_a_database_edited_behind_claimdesks_back_draws_no_control_character(
    annotated: str, db: Database, tmp_path: Path
) -> None:
    """Raw escape sequences written straight into the database files never reach the screen."""
    for path in db.files():
        raw = path.read_text(encoding="utf-8")
        # ␛ and ␇ as stored become real ESC and BEL again; "Residents" gains an OSC 52 clipboard write.
        raw = raw.replace("\\u241b", "\\u001b").replace("\\u2407", "\\u0007").replace("␛", "\\u001b").replace("␇", "\\u0007")
        raw = raw.replace("Residents", "Residents\\u001b]52;c;UFdORUQ=\\u0007\\u009b6n")
        path.write_text(raw, encoding="utf-8")
    tampered = Database(db.root, reviewer="check")
    assert "\x1b]52;c;" in tampered.open_report(annotated).paragraphs[0].text
    assert "\x1b" in tampered.actors()[0].name
    lines = screens(tampered, annotated, "A")
    assert any("Residents]52;c;UFdORUQ=6n said" in line for line in lines), "\n".join(lines)
    assert not [line for line in lines if UNSAFE_OUTPUT.search(line)]
