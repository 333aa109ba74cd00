"""Caps on what reading one report file may cost, so a hostile file is refused, not obeyed.

The file size is capped before anything is read (`store.ingest.MAX_BYTES`); the
caps here bound what a format can expand into: pages of a PDF, the unpacked size
and compression ratio of a Word file (a zip: a few kilobytes can unpack to
gigabytes), the elements of a web page, and the time spent extracting. Time is
checked between pages, paragraphs and text runs (`Deadline.check`), so a file
that would take too long stops with one line instead of holding the terminal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from store.errors import IngestError


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0  # extraction time of one file
    pdf_pages: int = 5_000
    unzipped_bytes: int = 256 * 1024 * 1024  # a .docx unpacked, all parts together
    zip_ratio: int = 100  # unpacked / packed size of any one part of a .docx
    zip_members: int = 10_000
    html_bytes: int = 32 * 1024 * 1024  # a web page (before its tags are dropped)


class Deadline:
    """The time cap of one file's extraction, checked as the reader goes."""

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise IngestError(f"{self.name}: took longer than {self.seconds:g} s to read; not added")
