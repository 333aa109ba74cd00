"""Readers of report formats other than plain text: web pages, PDF and Word files.

`detect.sniff` chooses the format from a file's bytes; `read` hands the bytes to
that format's module, imported only then, so the libraries a format needs
(lxml and trafilatura, pypdf, python-docx) cost nothing to a session that never
reads such a file. Every reader returns the same `ParsedReport` as the text
layouts (`store.parsing`), finished by `parsing.finish`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.errors import IngestError
from store.model import ParsedReport
from store.parsing import finish
from store.readers.detect import DOCX, HTML, PDF

if TYPE_CHECKING:  # imported when a file is read: adding a text report never needs the caps
    from store.readers.limits import Limits


def read(fmt: str, raw: bytes, name: str, limits: Limits | None = None) -> ParsedReport:
    """Understand the bytes of a file of format `fmt` (from `detect.sniff`)."""
    import warnings

    from store.readers.limits import Limits

    limits = limits or Limits()
    _quiet_libraries()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a library's complaint about a malformed file is not for the terminal
            report = _read(fmt, raw, name, limits)
    except IngestError:
        raise
    except ImportError as error:
        raise IngestError(f"{name}: reading {fmt.upper()} files needs the {error.name or 'missing'} package") from None
    except (Exception, RecursionError, MemoryError) as error:
        # A parser library tripped over a malformed file: say so in one line, never a traceback.
        detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise IngestError(f"{name}: could not be read as a {fmt.upper()} file ({detail})") from None
    return finish(report, name)


def _quiet_libraries() -> None:
    """The parsing libraries log every oddity of a malformed file (pdfminer at length); Python would
    print those on stderr. The user gets one line from us instead: an error, or the parse's warnings."""
    import logging

    for name in ("pdfminer", "trafilatura", "htmldate", "courlan", "justext", "readability", "docx"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False


def _read(fmt: str, raw: bytes, name: str, limits: Limits) -> ParsedReport:
    from store.readers.limits import Deadline

    deadline = Deadline(name, limits.seconds)
    if fmt == HTML:
        from store.readers.html import read_html

        report = read_html(raw, name, limits, deadline)
    elif fmt == PDF:
        from store.readers.pdf import read_pdf

        report = read_pdf(raw, name, limits, deadline)
    elif fmt == DOCX:
        from store.readers.docx import read_docx

        report = read_docx(raw, name, limits, deadline)
    else:
        raise IngestError(f"{name}: no reader for {fmt!r} files")
    return report
