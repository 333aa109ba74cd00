"""End-to-end fixtures: the installed `claimdesk`, a private home and database, a report to open."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import CLAIMDESK, Terminal, child_environment

REPORT_TEXT = """\
Harbour report for the end-to-end tests

Residents said that a group of armed men crossed the river at night in rubber boats.

The group denied the account in a statement on its website.

A local journalist reported that two houses were searched.
"""
FIRST_WORDS = "Residents said that a group"  # on screen once the report is open


@pytest.fixture(scope="session", autouse=True)
def installed_claimdesk() -> Path:
    if not CLAIMDESK.exists():
        pytest.fail(f"the end-to-end tests run the installed console script, and {CLAIMDESK} does not exist")
    return CLAIMDESK


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "harbour.txt"
    path.write_text(REPORT_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def terminal(home: Path, db_path: Path) -> Iterator[Callable[..., Terminal]]:
    """Start `claimdesk --db DB ARGS…` on a fresh pty; every one started is killed at the end."""
    started: list[Terminal] = []

    def start(*args: str, env: dict[str, str] | None = None, **options: object) -> Terminal:
        term = Terminal(["--db", str(db_path), *args], child_environment(home, env), **options)  # type: ignore[arg-type]
        started.append(term.start())
        return term

    yield start
    for term in started:
        term.kill()
