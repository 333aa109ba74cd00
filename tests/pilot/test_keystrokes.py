"""The keystroke benchmark's four tasks (bench/keystrokes.py) still do what they say, within their key budgets."""

from __future__ import annotations

import pytest

from bench.keystrokes import TASKS, Task, run_task


@pytest.mark.parametrize("task", TASKS, ids=[task.name for task in TASKS])
def test_each_task_produces_its_annotation_within_its_keys(task: Task, seed_path) -> None:
    assert run_task(task) <= task.limit
