"""No key sequence crashes the app: random keys, in bursts, through every screen and dialog; the database stays healthy.

Hypothesis draws bursts of keys — letters, digits, punctuation, arrows, page keys,
enter, esc, tab, ctrl keys — and posts each burst to the app at once, without
waiting for a frame between its keys (as a fast typist or an SSH link delivers
them), so keys reach lists, dialogs and palettes before their first layout. Starting
on a report with actors and suggestions, the keys wander into the library, the actor
registry, help, the command palette, every form and picker. Any exception in the
app fails the test (Pilot re-raises it); at the end the app must still be running
and `doctor` must find the database healthy.

`CLAIMDESK_HYPOTHESIS_EXAMPLES` runs more examples (default 8).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from bench.seed_registry import add_seed_registry
from store import doctor
from store.db import Database
from store.session import Session
from tests.pilot.test_annotate import FIRST, SECOND, THIRD, sync, write_report
from tui.app import ClaimdeskApp, make_app

NAMED = [
    "enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown", "home", "end",
    "backspace", "delete", "space", "ctrl+s", "ctrl+r", "ctrl+p", "ctrl+n", "ctrl+o", "ctrl+d", "ctrl+u", "ctrl+j",
]
# `q` quits (not a crash) and would end the example early; ctrl+q and ctrl+c too.
PRINTABLE = [chr(c) for c in range(33, 127) if chr(c) not in "q"]
KEY = st.sampled_from(NAMED + PRINTABLE + ["v", "e", "c", "a", "y", "j", "k", "A", "!", "/", ":", "?"])
BURSTS = st.lists(st.lists(KEY, min_size=1, max_size=12), min_size=5, max_size=30)
EXAMPLES = int(os.environ.get("CLAIMDESK_HYPOTHESIS_EXAMPLES", "8"))


def key_event(key: str) -> events.Key:
    if len(key) == 1:
        return events.Key(key, key)
    character = {"enter": "\r", "tab": "\t", "space": " ", "escape": "\x1b", "backspace": "\x7f"}.get(key)
    return events.Key(key, character)


@pytest.fixture
def no_export(monkeypatch):
    """Exports are answered but not written: random keys would otherwise write files wherever a typed path says."""
    asked: list[object] = []
    monkeypatch.setattr(ClaimdeskApp, "export_annotations", lambda self, choice: asked.append(choice))
    return asked


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(bursts=BURSTS)
def test_random_keys_in_bursts_never_crash_and_leave_the_database_healthy(bursts, tmp_path_factory, no_export, monkeypatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAIMDESK_STATE", str(home / "state"))
    root = home / "db"
    db = Database(root, reviewer="tester")
    report_id = db.add_report(write_report(home, FIRST, SECOND, THIRD)).report.id
    add_seed_registry(Session(db))
    run_keys(make_app(db, report_id), bursts)
    findings = [f.line() for f in doctor.check(root) if f.severity == doctor.PROBLEM]
    assert findings == []


@sync
async def _run(app, bursts: list[list[str]]) -> None:
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for burst in bursts:
            for key in burst:
                app.post_message(key_event(key))  # a burst: no frame in between
            await pilot.pause()
        await pilot.pause()
        assert app.is_running


def run_keys(app, bursts: list[list[str]]) -> None:
    _run(app, bursts)


def test_page_keys_before_the_first_layout_of_every_list(tmp_path: Path, no_export) -> None:
    """The crash the issue found: PageDown within a few ms of opening the command palette (and every other list)."""
    db = Database(tmp_path / "db", reviewer="tester")
    report_id = db.add_report(write_report(tmp_path, FIRST, SECOND, THIRD)).report.id
    add_seed_registry(Session(db))
    openers = [["ctrl+p"], ["a"], ["A"], ["escape"], ["c"], ["e"], ["tab"], ["?"]]
    bursts = [[*opener, "pagedown", "pageup", "pagedown", "end", "home", "escape", "escape"] for opener in openers]
    run_keys(make_app(db, report_id), bursts)
    assert [f.line() for f in doctor.check(tmp_path / "db") if f.severity == doctor.PROBLEM] == []
