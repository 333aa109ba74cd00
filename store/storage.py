"""Durable TinyDB files: atomic replace + fsync, inter-process locks, change detection.

Stock `tinydb.JSONStorage` rewrites a file in place (seek, write, truncate): a
crash can leave half a file. `AtomicJSONStorage` writes a temporary file in the
same folder, fsyncs it, `os.replace`s it over the old one and fsyncs the folder,
so a file is always either the old or the new version. The files stay plain
TinyDB JSON (`{"table": {"1": {...}}}`) that stock `tinydb.TinyDB(path)` opens.

`TinyFile` adds what several analysts on one server need: a `filelock` lock
around every read-modify-write, a re-read when another process replaced the
file, and a refusal to ever overwrite a file that did not parse.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb.storages import Storage

from store.errors import CorruptFileError, LockTimeout, ReadOnlyError, WriteError

Tables = dict[str, dict[str, dict[str, Any]]]
Signature = tuple[int, int, int] | None

LOCK_TIMEOUT = 10.0

# Held while a file is being replaced. A hang-up exit (tui.lifecycle) takes it
# first, so a save running in any thread finishes before the process ends.
WRITE_GATE = threading.Lock()


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` so that a crash leaves the old or the new file, whole."""
    with WRITE_GATE:
        _replace(path, payload)


def _replace(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_directory(path.parent)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
        raise WriteError(f"could not save {path.name}: {reason}; nothing was changed on disk") from error


def encode(data: Tables) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never leaves a half-written file and never overwrites one it could not parse."""

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = True) -> None:
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._unparsable = False

    def read(self) -> Tables | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            self._unparsable = True
            raise CorruptFileError(str(self.path), _describe(error)) from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            self._unparsable = True
            raise CorruptFileError(str(self.path), "it is JSON but not a TinyDB database")
        return data

    def write(self, data: Tables) -> None:
        if self._unparsable:
            raise ReadOnlyError(f"{self.path} did not parse; refusing to overwrite it")
        atomic_write_bytes(self.path, encode(data))

    def close(self) -> None:
        """Nothing is held open between calls."""


def _describe(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return "it is not UTF-8 text"


def signature(path: Path) -> Signature:
    """What changes whenever the file is replaced: inode, size and mtime."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class TinyFile:
    """One TinyDB file of the database, cached in memory and re-read when another process changed it."""

    def __init__(self, path: Path, lock_dir: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.storage = AtomicJSONStorage(path)
        self.lock_path = lock_dir / (path.name + ".lock")
        self.lock_timeout = lock_timeout
        self._data: Tables = {}
        self._signature: Signature = ("unread",)  # type: ignore[assignment]
        self.corrupt: CorruptFileError | None = None

    def _load(self) -> Tables:
        current = signature(self.path)
        if current != self._signature:
            try:
                data = self.storage.read() or {}
            except CorruptFileError as error:
                error.kept_aside = keep_aside(self.path)
                self.corrupt = CorruptFileError(error.path, error.detail, error.kept_aside)
                raise self.corrupt from None
            self._data = data
            self._signature = current
        return self._data

    def read(self) -> Tables:
        """The file's tables (do not mutate them). Raises CorruptFileError if it does not parse."""
        if self.corrupt:
            raise self.corrupt
        return self._load()

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.read().get(name, {})

    def changed(self) -> bool:
        """Has another process replaced the file since we last read it?"""
        return signature(self.path) != self._signature

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout:
            raise LockTimeout(
                f"another claimdesk process has held {self.path.name} for over "
                f"{self.lock_timeout:g} s; your change was not saved — try again"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def update(self, mutate: Callable[[Tables], Any]) -> Any:
        """Lock, re-read, apply `mutate` to a copy of the tables, write atomically, unlock.

        `mutate` may add, replace or remove documents in the table dicts it is
        given (each is a fresh copy) but must not change a document in place.
        If the write fails, memory and disk keep the old state and WriteError is raised.
        """
        if self.corrupt:
            raise ReadOnlyError(str(self.corrupt))
        with self.locked():
            current = self._load()
            draft: Tables = {name: dict(docs) for name, docs in current.items()}
            result = mutate(draft)
            self.storage.write(draft)
            self._data = draft
            self._signature = signature(self.path)
        return result


def keep_aside(path: Path) -> str | None:
    """Copy an unparsable file to a timestamped name beside it, once; return that name."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(os.stat(path).st_mtime))
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    if not aside.exists():
        try:
            shutil.copy2(path, aside)
        except OSError:
            return None
    return str(aside)


def next_doc_id(table: dict[str, Any]) -> str:
    return str(max((int(k) for k in table), default=0) + 1)
