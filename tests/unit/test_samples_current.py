"""The web page, PDF and Word samples are what tools/make_samples.py writes from the text samples."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_generated_samples_are_current() -> None:
    pytest.importorskip("fpdf", reason="tools/make_samples.py writes the PDF with fpdf2 (the test extra)")
    result = subprocess.run(
        [sys.executable, "-W", "ignore", str(ROOT / "tools" / "make_samples.py"), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr + "  (run: python tools/make_samples.py)"
