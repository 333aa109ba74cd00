"""Fixtures of the unit tests: real reports (the seed dispatch, the sample reports) annotated by rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES, SEED


def report_files(with_seed: bool) -> list[Path]:
    return ([SEED] if with_seed and SEED.exists() else []) + sorted(SAMPLES.iterdir())


@pytest.fixture(scope="session")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A database holding the seed (when ../shared has it) and the sample reports, annotated by rule
    (`annotate_by_rule`): overlapping, crossing and identical spans, whole-paragraph claims, actors of
    every type with aliases and affiliations, two reviewers, marks. Read it; never change it."""
    from store.db import Database
    from tests.unit.test_export_support import annotate_by_rule

    db = Database(tmp_path_factory.mktemp("annotated") / "db", reviewer="tester")
    for path in report_files(with_seed=True):
        annotate_by_rule(db, db.add_report(path).report)
    return db


@pytest.fixture
def seed_annotated(annotated: Any) -> Any:
    if not SEED.exists():
        pytest.skip(f"the seed dispatch is read from ../shared, which is absent here ({SEED})")
    return annotated
