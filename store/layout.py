"""Where each thing lives in a database folder: the one place paths are made from ids.

    library.json                          meta (schema version) and the reports index
    actors.json                           the actor registry shared by all reports
    links/links-NNNN.json                 links between claims (corroborates, contradicts…), in shards
    reports/<id>/text.json                every revision of one report's text
    reports/<id>/annotations-NNNN.json    that report's annotations, in shards of about 128
    reports/<id>/marks-NNNN.json          reviewed / flagged marks of paragraphs 256·(N-1)+1 … 256·N
    reports/<id>/decisions-NNNN.json      adjudication decisions on paragraphs 256·(N-1)+1 … 256·N
    .locks/                               one lock file per database file (flock: never stale)

Every `*.json` is a plain TinyDB database. Why shards: a save rewrites one file,
so its cost must not grow with the report (docs/storage.md). An annotation stays
in the shard it was first written to; new annotations go to the newest shard
until it holds ANNOTATIONS_PER_SHARD, then a new one starts — so a report of 100
annotations is one small file, and one of 25,000 is two hundred, each as cheap to
rewrite as the first. Marks and adjudication decisions are kept by paragraph, so
their shards are ranges.

Ids that become paths are checked against one pattern wherever they are read
(from library.json, an import, the command line), never only where they are
made: `../x` or `a/b` is refused before any path is built from it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from store.errors import UnsafePathError

ANNOTATIONS_PER_SHARD = 128  # a grade rewrites ~70 kB: half the encoding and copying of 256 (docs/storage.md)
PARAGRAPHS_PER_MARK_SHARD = 256

REPORT_ID = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,79}$")
SHARD = re.compile(r"^(?P<kind>annotations|marks|decisions)-(?P<number>\d{4,6})\.json$")
LINK_SHARD = re.compile(r"^links-(?P<number>\d{4,6})\.json$")
SHARED_FILES = ("library.json", "actors.json")


def is_report_id(value: object) -> bool:
    return isinstance(value, str) and REPORT_ID.match(value) is not None


def checked_report_id(value: object) -> str:
    """`value` if it is a report id that is safe as a folder name, else UnsafePathError."""
    if not is_report_id(value):
        shown = value if isinstance(value, str) else type(value).__name__
        raise UnsafePathError(f"{str(shown)[:80]!r} is not a valid report id (lower-case letters, digits, . _ -); refused")
    assert isinstance(value, str)
    return value


class Layout:
    """The paths of one database folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.library = root / "library.json"
        self.actors = root / "actors.json"
        self.reports = root / "reports"
        self.links = root / "links"
        self.locks = root / ".locks"
        self._children: dict[Path, dict[str, Path]] = {}  # paths made once: a 400-shard listing parses none

    def _children_of(self, folder: Path) -> dict[str, Path]:
        children = self._children.get(folder)
        if children is None:
            children = self._children[folder] = {}
        return children

    def _child(self, folder: Path, name: str) -> Path:
        children = self._children_of(folder)
        path = children.get(name)
        if path is None:
            path = children[name] = folder / name
        return path

    def report_folder(self, report_id: str) -> Path:
        return self._child(self.reports, checked_report_id(report_id))

    def text(self, report_id: str) -> Path:
        return self.report_folder(report_id) / "text.json"

    def annotation_shard(self, report_id: str, number: int) -> Path:
        return self._child(self.report_folder(report_id), f"annotations-{number:04d}.json")

    def link_shard(self, number: int) -> Path:
        return self._child(self.links, f"links-{number:04d}.json")

    def link_shards(self) -> list[tuple[int, Path]]:
        """(number, path) of every link shard on disk, in order (listed whatever they are, as `shards`)."""
        try:
            entries = list(os.scandir(self.links))
        except FileNotFoundError:
            return []
        return sorted((int(m["number"]), self._child(self.links, e.name)) for e in entries if (m := LINK_SHARD.match(e.name)))

    def mark_shard(self, report_id: str, paragraph: int) -> Path:
        return self._child(self.report_folder(report_id), f"marks-{mark_shard_number(paragraph):04d}.json")

    def decision_shard(self, report_id: str, paragraph: int) -> Path:
        """Where the adjudication decisions of a paragraph are (the same ranges as marks)."""
        return self._child(self.report_folder(report_id), f"decisions-{mark_shard_number(paragraph):04d}.json")

    def shards(self, report_id: str, kind: str) -> list[tuple[int, Path]]:
        """(number, path) of every `kind` shard on disk ("annotations", "marks" or "decisions"), in order.

        Listed whatever they are: reading one that is a symlink, a FIFO or a device is
        refused (store.storage.read_regular), so the report says so instead of looking empty.
        """
        folder = self.report_folder(report_id)
        found: list[tuple[int, Path]] = []
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            raise UnsafePathError(f"{folder} is not a folder") from None
        prefix = f"{kind}-"
        children = self._children_of(folder)
        for entry in entries:
            name = entry.name
            if name.startswith(prefix) and (match := SHARD.match(name)):
                path = children.get(name)
                if path is None:
                    path = children[name] = folder / name
                found.append((int(match["number"]), path))
        found.sort()
        return found

    def report_ids_on_disk(self) -> list[str]:
        """Every report folder that holds a text file (what a lost library.json is rebuilt from)."""
        try:
            entries = list(os.scandir(self.reports))
        except FileNotFoundError:
            return []
        return sorted(
            entry.name
            for entry in entries
            if is_report_id(entry.name) and entry.is_dir(follow_symlinks=False) and (Path(entry.path) / "text.json").is_file()
        )

    # Schema 1 (before shards): what a migration reads.
    def v1_text(self, report_id: str) -> Path:
        return self.reports / f"{checked_report_id(report_id)}.text.json"

    def v1_annotations(self, report_id: str) -> Path:
        return self.reports / f"{checked_report_id(report_id)}.annotations.json"


def mark_shard_number(paragraph: int) -> int:
    return (max(1, paragraph) - 1) // PARAGRAPHS_PER_MARK_SHARD + 1
