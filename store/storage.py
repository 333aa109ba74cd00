"""Durable TinyDB files: atomic replace + fsync, inter-process locks, change detection.

Stock `tinydb.JSONStorage` rewrites a file in place (seek, write, truncate): a
crash can leave half a file. `atomic_write_bytes` writes a temporary file in
the same folder, fsyncs it, `os.replace`s it over the old one and fsyncs the
folder, so a file is always either the old or the new version, whole. The files
stay plain TinyDB JSON (`{"table": {"1": {...}}}`, ASCII so that stock
`tinydb.TinyDB(path)` reads them the same under any locale).

`TinyFile` adds what several analysts on one server need: a `filelock` lock
around every read-modify-write, a re-read of what another process wrote, and a
refusal to ever overwrite a file that did not parse.

Change detection: a file is never modified in place, so (inode, size, mtime)
identifies one version of it. Inode numbers are reused and file-system clocks
tick coarsely, so every write stamps its file with a nanosecond mtime, and a
read-modify-write (under the lock) compares the file's bytes with the bytes we
last saw rather than trusting the stat alone.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

if TYPE_CHECKING:
    from filelock import FileLock

from store.errors import CorruptFileError, LockTimeout, ReadOnlyError, StoreError, WriteError

Tables = dict[str, dict[str, dict[str, Any]]]
Signature = tuple[int, int, int]

LOCK_TIMEOUT = 10.0
LOCK_POLL = 0.005  # seconds between attempts while another process holds a lock
TEMP_NAME = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.(?P<ns>\d+)\.tmp$")
CORRUPT_MARK = ".corrupt-"

# Held while a file is being replaced. A hang-up exit (tui.lifecycle) takes it
# first, so a save running in any thread finishes before the process ends.
WRITE_GATE = threading.Lock()

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "an input/output error (the disk may be failing)",
}


def reason(error: OSError) -> str:
    """A short phrase for an OSError, fit for a user."""
    return _REASONS.get(error.errno or 0) or error.strerror or str(error)


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path(path: Path) -> Path:
    """Where a new version of `path` is written before it replaces `path` (see TEMP_NAME)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")


def atomic_write_bytes(path: Path, payload: bytes) -> Signature:
    """Replace `path` with `payload` so that a crash leaves the old or the new file, whole.

    Returns the new file's signature. On any OSError the old file is untouched,
    the temporary file is removed and WriteError is raised.
    """
    with WRITE_GATE:
        return _replace(path, payload)


def _replace(path: Path, payload: bytes) -> Signature:
    tmp = temp_path(path)
    try:
        # 0o666 less the umask, like lock files: a shared folder with umask 002 lets a group of analysts share it.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            stamp = time.time_ns()  # finer than the file system's clock: see the module docstring
            os.utime(fd, ns=(stamp, stamp))
            os.fsync(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _write_error(path, error) from error
    try:
        fsync_directory(path.parent)
    except OSError as error:
        raise WriteError(
            f"could not make sure {path} reached the disk: {reason(error)}; try again"
        ) from error
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _write_error(path: Path, error: OSError) -> WriteError:
    return WriteError(f"could not save {path}: {reason(error)}; nothing on disk was changed — try again once that is fixed")


def encode(data: Tables) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("ascii")


def parse(raw: bytes | None, path: Path) -> Tables:
    """The tables of a TinyDB file's bytes; an empty or missing file has none. Raises CorruptFileError."""
    if raw is None or not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptFileError(str(path), _describe(error)) from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptFileError(str(path), "it is JSON but not a TinyDB database")
    if not all(isinstance(doc, dict) for table in data.values() for doc in table.values()):
        raise CorruptFileError(str(path), "a table holds something that is not a document")
    return data


def read_file(path: Path) -> tuple[bytes | None, Signature | None]:
    """A file's bytes and the signature of exactly that version (None, None if it does not exist)."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            raw = handle.read()
    except FileNotFoundError:
        return None, None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {reason(error)}") from None
    return raw, (st.st_ino, st.st_size, st.st_mtime_ns)


def _describe(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return "it is not UTF-8 text"


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never leaves a half-written file and never overwrites one it could not parse.

    `TinyDB(path, storage=AtomicJSONStorage)` works; claimdesk itself goes through `TinyFile`.
    """

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = True) -> None:
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._unparsable = False

    def read(self) -> Tables | None:
        raw, _ = read_file(self.path)
        try:
            data = parse(raw, self.path)
        except CorruptFileError:
            self._unparsable = True
            raise
        self._unparsable = False
        return data or None

    def write(self, data: Tables) -> None:
        if self._unparsable:
            raise ReadOnlyError(f"{self.path} did not parse; refusing to overwrite it")
        atomic_write_bytes(self.path, encode(data))

    def close(self) -> None:
        """Nothing is held open between calls."""


def signature(path: Path) -> Signature | None:
    """What changes whenever the file is replaced: inode, size and mtime (None if it does not exist)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


_UNREAD: Any = ("unread",)


class TinyFile:
    """One TinyDB file of the database, cached in memory and re-read when another process changed it."""

    def __init__(self, path: Path, lock_dir: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.lock_path = lock_dir / (path.name + ".lock")
        self.lock_timeout = lock_timeout
        self._lock: FileLock | None = None
        self._data: Tables = {}
        self._raw: bytes | None = None
        self._signature: Signature | None = _UNREAD
        self.corrupt: CorruptFileError | None = None

    def _load(self, verify: bool = False) -> Tables:
        """The current tables; re-read if the file changed (or, with `verify`, if its bytes differ)."""
        if not verify and signature(self.path) == self._signature:
            if self.corrupt:
                raise self.corrupt
            return self._data
        raw, current = read_file(self.path)
        if raw == self._raw and self._signature is not _UNREAD and not self.corrupt:
            self._signature = current
            return self._data
        try:
            data = parse(raw, self.path)
        except CorruptFileError as error:
            self.corrupt = CorruptFileError(error.path, error.detail, keep_aside(self.path))
            self._signature = current
            raise self.corrupt from None
        self.corrupt = None
        self._data, self._raw, self._signature = data, raw, current
        return data

    def read(self) -> Tables:
        """The file's tables (do not mutate them). Raises CorruptFileError if it does not parse."""
        return self._load()

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.read().get(name, {})

    def changed(self) -> bool:
        """Has the file been replaced since we last read or wrote it? One stat."""
        return signature(self.path) != self._signature

    def forget(self) -> None:
        """Drop the cached tables (the next read re-reads the file)."""
        self._data, self._raw, self._signature = {}, None, _UNREAD

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this file's inter-process lock, or raise LockTimeout after `lock_timeout` seconds."""
        lock = self._lock  # one object per file; filelock keeps each thread's hold apart
        if lock is None:
            try:
                self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise WriteError(f"could not save {self.path}: cannot create {self.lock_path.parent}: {reason(error)}") from None
            lock_class = sys.modules[__name__].FileLock  # through the module: see __getattr__ below
            lock = self._lock = lock_class(str(self.lock_path), timeout=self.lock_timeout, poll_interval=LOCK_POLL)
        from filelock import Timeout

        try:
            lock.acquire(timeout=self.lock_timeout)
        except Timeout:
            raise LockTimeout(
                f"{self.path} stayed locked by another claimdesk process for over {self.lock_timeout:g} s "
                f"(lock file {self.lock_path}); your change was not saved — try again"
            ) from None
        except OSError as error:
            raise WriteError(f"could not save {self.path}: cannot lock {self.lock_path}: {reason(error)}") from None
        try:
            yield
        finally:
            lock.release()

    def update(self, mutate: Callable[[Tables], Any]) -> Any:
        """Lock, re-read, apply `mutate` to a copy of the tables, write atomically, unlock.

        `mutate` may add, replace or remove documents in the table dicts it is
        given (each is a fresh copy) but must not change a document in place.
        If the write fails, memory and disk keep the old state and WriteError is
        raised; a file that does not parse raises ReadOnlyError and is left alone.
        """
        with self.locked():
            try:
                current = self._load(verify=True)
            except CorruptFileError as error:
                raise ReadOnlyError(f"{error}; the change was not saved") from None
            draft: Tables = {name: dict(docs) for name, docs in current.items()}
            result = mutate(draft)
            payload = encode(draft)
            written = atomic_write_bytes(self.path, payload)
            self._data, self._raw, self._signature = draft, payload, written
        return result


def kept_aside_path(path: Path) -> Path | None:
    """Where `keep_aside` keeps the current version of `path`: its name, `.corrupt-`, its mtime (UTC)."""
    try:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(os.stat(path).st_mtime))
    except OSError:
        return None
    return path.with_name(f"{path.name}{CORRUPT_MARK}{stamp}")


def keep_aside(path: Path) -> str | None:
    """Copy an unparsable file to a timestamped name beside it, once per version; return that name."""
    aside = kept_aside_path(path)
    if aside is None:
        return None
    try:
        n = 1
        while aside.exists():
            if filecmp.cmp(path, aside, shallow=False):
                return str(aside)  # this version is already kept
            n += 1
            aside = aside.with_name(f"{kept_aside_path(path).name}-{n}")  # type: ignore[union-attr]
        shutil.copy2(path, aside)
    except OSError:
        return None
    return str(aside)


def backup_folder(root: Path, label: str = "backup") -> Path:
    """Copy a database folder, lock files aside, to `<root>.<label>-<UTC time>` beside it; return that path."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = root.with_name(f"{root.name}.{label}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = root.with_name(f"{root.name}.{label}-{stamp}-{n}")
    try:
        shutil.copytree(root, target, ignore=shutil.ignore_patterns(".locks"))
    except (OSError, shutil.Error) as error:
        shutil.rmtree(target, ignore_errors=True)
        detail = reason(error) if isinstance(error, OSError) and error.errno else str(error)
        raise WriteError(f"could not back up {root} to {target}: {detail}") from None
    return target


def next_doc_id(table: dict[str, Any]) -> str:
    return str(max((int(k) for k in table), default=0) + 1)


def __getattr__(name: str) -> Any:
    """`FileLock` is imported on the first save, not at start-up: filelock takes ~10 ms to import."""
    if name == "FileLock":
        from filelock import FileLock

        return FileLock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
