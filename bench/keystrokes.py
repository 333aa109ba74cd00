"""How many keys the analyst's loop takes (issue 13): four scripted tasks on the seed dispatch, typed through Pilot.

Each task starts from the seed just opened (at its first paragraph, with the
registry of `bench/seed_registry.py` and nothing annotated), presses its keys
through Textual's Pilot, then checks what the store holds — a task that did not
produce the right annotation is an error, not a figure. The count is every key
pressed, navigation included. Before issue 13 (measured by hand on the seed):

* a claim with type, claimant, reported-by and grade took 36 keys
  (`/5,000⏎`, `v`, `e`×8, `c`, type, claimant, reported-by, ctrl+s, `r c 3`);
* an actor mention of a known actor 10; a new actor 17;
* every occurrence of one actor had no shortcut: 4 mentions × 10 keys = 40.

Targets: ≤ 15, ≤ 3, ≤ 8, ≤ 4. The figure is keys now ÷ keys before, its target
the issue's limit ÷ keys before, so "ok" means the limit is met.

Run alone: `python -m bench keystrokes` (registered as `bench/bench_keystrokes.py`).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import Figure
from bench.pty import SEED


@dataclass(frozen=True)
class Task:
    name: str
    keys: tuple[str, ...]
    before: int  # keys it took before issue 13
    limit: int  # the target
    check: Callable[[object, str, dict[str, str]], None]  # (Database, report id, actor ids by name) → raises if wrong


def _annotations(db, report_id: str) -> list:
    from store.db import Database

    return Database(db.root, reviewer="reader").annotations(report_id)


def check_claim(db, report_id: str, ids: dict[str, str]) -> None:
    from store.model import Credibility, Kind

    [claim] = [a for a in _annotations(db, report_id) if a.kind is Kind.CLAIM]
    assert claim.paragraph == 12 and claim.span is not None, claim
    assert claim.span.quote.startswith("5,000 fighters have already amassed"), claim.span.quote
    assert claim.claim is not None and claim.claim.claimant == ids["Muhammad Al-Tamimi"], claim.claim
    assert claim.claim.reported_by == ids["MEMRI"], claim.claim
    assert claim.credibility == Credibility("C", 3), claim.credibility


def check_known_actor(db, report_id: str, ids: dict[str, str]) -> None:
    [mention] = _annotations(db, report_id)
    assert mention.paragraph == 9 and mention.actor_id == ids["Akram Al-Ka'abi"], mention
    assert mention.span is not None and mention.span.quote == "Akram Al-Ka’abi", mention.span


def check_new_actor(db, report_id: str, ids: dict[str, str]) -> None:
    [mention] = _annotations(db, report_id)
    actor = db.actor(mention.actor_id)
    assert actor.id not in ids.values() and actor.name == "Golan Liberation Army" and actor.type == "armed_group", actor
    assert mention.paragraph == 11 and mention.span is not None and mention.span.quote == "Golan Liberation Army", mention


def check_everywhere(db, report_id: str, ids: dict[str, str]) -> None:
    found = sorted((a.paragraph, a.span.quote) for a in _annotations(db, report_id) if a.actor_id == ids["Al-Sharq Al-Awsat"])
    assert [quote for _, quote in found] == ["Al-Sharq Al-Awsat"] * 4 and len(_annotations(db, report_id)) == 4, found


TASKS = (
    # ¶12; `)` to its second candidate ("He added that 5,000 fighters…"), enter: the form comes prefilled with
    # the span, the type (figure) and the claimant (Al-Tamimi, whom "He" continues); reported-by is the
    # dispatch's publisher, not named in the text: "mem" and enter; the grade C3; ctrl+s.
    Task("a claim with claimant, reported-by and grade", ("1", "2", "G", ")", "enter", "m", "e", "m", "enter", "c", "3", "ctrl+s"),
         36, 15, check_claim),
    # ¶9 opens with Akram Al-Ka’abi: the first suggestion there (the registry spells it Ka'abi); y tags it.
    Task("an actor mention of a known actor", ("9", "G", "y"), 10, 3, check_known_actor),
    # ¶11: select, q takes the quotation (“Golan Liberation Army,”), a: the picker finds nobody,
    # ctrl+n and 2 (armed group) create it.
    Task("an actor mention of a new actor", ("1", "1", "G", "v", "q", "a", "ctrl+n", "2"), 17, 8, check_new_actor),
    # ¶2's first suggestion is Al-Sharq Al-Awsat; * tags all four occurrences in the report.
    Task("every occurrence of an actor in the report", ("j", "asterisk"), 40, 4, check_everywhere),
)


async def _type(db, report_id: str, keys: Sequence[str]) -> None:
    from tui.app import make_app

    app = make_app(db, report_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        await pilot.pause()


def run_task(task: Task) -> int:
    """Type the task's keys on a fresh database; check the result; the number of keys."""
    from bench.seed_registry import add_seed_registry
    from store.db import Database
    from store.session import Session

    previous = os.environ.get("CLAIMDESK_STATE")
    with tempfile.TemporaryDirectory(prefix="claimdesk-keystrokes-") as folder:
        root = Path(folder)
        os.environ["CLAIMDESK_STATE"] = str(root / "state")  # no working state from elsewhere (drafts, positions)
        try:
            db = Database(root / "db", reviewer="bench")
            report_id = db.add_report(SEED).report.id
            ids = add_seed_registry(Session(db))
            asyncio.run(_type(db, report_id, task.keys))
            task.check(db, report_id, ids)
        finally:
            if previous is None:
                os.environ.pop("CLAIMDESK_STATE", None)
            else:
                os.environ["CLAIMDESK_STATE"] = previous
    return len(task.keys)


def run(quick: bool) -> list[Figure]:
    if not SEED.exists():
        print(f"  skipped: the seed dispatch is absent ({SEED})", flush=True)
        return []
    figures = []
    for task in TASKS:
        keys = run_task(task)
        figures.append(
            Figure(f"keystrokes: {task.name} (before: {task.before}; target ≤ {task.limit})", keys, task.before,
                   "keys before issue 13", target=task.limit / task.before, unit="keys")
        )
    return figures


if __name__ == "__main__":
    for figure in run(quick=False):
        print(figure.line())
