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


HEAVY_PARSERS = ("lxml", "trafilatura", "pdfminer", "docx", "htmldate", "justext", "charset_normalizer")


def modules_after(*argv: str) -> set[str]:
    """The top-level modules loaded by `claimdesk ARGV` (run in-process, then listed)."""
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"sys.argv = ['claimdesk', *{list(argv)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ','.join(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("MODULES "))
    return set(line.removeprefix("MODULES ").split(","))


def test_report_format_parsers_load_only_for_their_format(tmp_path) -> None:
    """Adding a text report, or `--help`, loads no HTML, PDF or Word library; a PDF loads pdfminer only."""
    from tests.conftest import SAMPLES

    db = str(tmp_path / "db")
    for argv in (("--help",), ("--db", db, "add", str(SAMPLES / "field_notes_river_crossing.txt"))):
        assert not modules_after(*argv) & set(HEAVY_PARSERS), argv
    loaded = modules_after("--db", db, "add", str(SAMPLES / "militia_statements_review.pdf"))
    assert "pdfminer" in loaded and not loaded & {"lxml", "trafilatura", "docx"}
    # An unchanged PDF opened again is recognised by its bytes: nothing is extracted a second time.
    assert "pdfminer" not in modules_after("--db", db, "add", str(SAMPLES / "militia_statements_review.pdf"))
