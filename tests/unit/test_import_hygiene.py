"""store/ is plain Python: importing all of it must not import Textual."""

import subprocess
import sys

from tests.conftest import ROOT


def test_store_never_imports_textual() -> None:
    code = (
        "import pkgutil, importlib, sys, store\n"
        "for m in pkgutil.iter_modules(store.__path__): importlib.import_module('store.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_does_not_import_textual() -> None:
    """Every command starts fast: loading the CLI pulls in neither Textual nor the exporter, importer or agreement code."""
    code = (
        "import sys\n"
        "from tui import cli\n"
        "print(','.join(n for n in sys.modules if n.startswith('textual') or n in ('store.export', 'store.importer', 'store.agreement')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
