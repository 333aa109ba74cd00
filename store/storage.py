"""Durable TinyDB files: atomic replace + fsync, inter-process locks, change detection, no path tricks.

Stock `tinydb.JSONStorage` rewrites a file in place (seek, write, truncate): a
crash can leave half a file. `atomic_write_bytes` writes a temporary file in
the same folder, fsyncs it, `os.replace`s it over the old one and fsyncs the
folder, so a file is always either the old or the new version, whole. The files
stay plain TinyDB JSON (`{"table": {"1": {...}}}`, ASCII so that stock
`tinydb.TinyDB(path)` reads them the same under any locale).

`TinyFile` is one such file as several analysts on one server need it. Reads
are cached and re-read when another process replaced the file. Writes go through
`transact(change)`: it takes the file's inter-process lock (`store.locking`),
re-reads the file, hands `change` a `tinydb.TinyDB` whose storage is that fresh
copy, and writes the result atomically — so every read-modify-write goes through
TinyDB's own `Table`, `Query` and document-id API, and no other process can slip
a change in between the read and the write. A file that did not parse is never
overwritten.

Belt and braces against a lock that was lost (someone deleted the lock file while
it was held, so another process could take a new one): the replace happens only
if the file is still the version that was read (compared just before the rename,
after the slow fsync); otherwise the whole change is made again on the new
version. Two writers would have to pass that check within the same few
microseconds to lose an update.

Change detection: a file is never modified in place, so (inode, size, mtime)
identifies one version of it. Inode numbers are reused and file-system clocks
tick coarsely, so every write stamps its file with a nanosecond mtime, and a
transaction compares the file's bytes with the bytes we last saw rather than
trusting the stat alone.

On a shared server nothing here follows a symlink or trusts a file it did not
make: every file is opened with `O_NOFOLLOW` and must be a regular file (a FIFO,
a device or a directory in its place is refused, never read or waited on), reads
are capped in size, temporary files are created exclusively with an unguessable
name, and every file and folder gets the database's mode (0600/0700 private,
0660/2770 group-shared) whatever the umask. See docs/security.md.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from store import locking
from store.errors import CorruptFileError, ReadOnlyError, StoreError, UnsafePathError, WriteError
from store.locking import LOCK_TIMEOUT

Tables = dict[str, dict[str, dict[str, Any]]]
Signature = tuple[int, int, int]
T = TypeVar("T")

MAX_FILE_BYTES = 512 * 1024 * 1024  # no database file is read whole beyond this (a shard is ~0.2 MB)
TEMP_SUFFIX = ".tmp"
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
    errno.ELOOP: "it is a symbolic link",
}


def reason(error: OSError) -> str:
    """A short phrase for an OSError, fit for a user."""
    return _REASONS.get(error.errno or 0) or error.strerror or str(error)


# ---------------------------------------------------------------- file modes


@dataclass(frozen=True)
class Modes:
    """The permissions of a database's folders and files (never left to the umask)."""

    folder: int
    file: int

    @property
    def shared(self) -> bool:
        return bool(self.file & 0o070)


PRIVATE = Modes(folder=0o700, file=0o600)
GROUP_SHARED = Modes(folder=0o2770, file=0o660)


def modes_of(root: Path) -> Modes:
    """A database folder made group-shared on purpose (setgid, group rwx) keeps that; anything else is private."""
    try:
        st = os.stat(root)
    except OSError:
        return PRIVATE
    shared = st.st_mode & stat.S_ISGID and stat.S_IMODE(st.st_mode) & 0o070 == 0o070
    return GROUP_SHARED if shared else PRIVATE


def make_folder(path: Path, modes: Modes) -> None:
    """Create a folder (and missing parents inside an existing one) with `modes.folder`; refuse a symlink."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        make_folder(path.parent, modes) if not path.parent.exists() else None
        try:
            os.mkdir(path, modes.folder & 0o777)
        except FileExistsError:
            pass
        else:
            os.chmod(path, modes.folder)  # exact, whatever the umask (and the setgid bit of a shared folder)
            return
        st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(f"{path} is a symbolic link where claimdesk expects a folder; it is never followed")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{path} is not a folder")


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading


def kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a regular file"


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, never through a symlink, never more than `limit`.

    Raises FileNotFoundError when it does not exist, UnsafePathError when it is a
    symlink, FIFO, device or folder, StoreError when it is too large or unreadable.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafePathError(f"{path} is a symbolic link; claimdesk never reads through one") from None
        raise StoreError(f"cannot read {path}: {reason(error)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePathError(f"{path} is {kind_of(st.st_mode)}, not a regular file; claimdesk never reads it")
        if st.st_size > limit:
            raise StoreError(f"{path} is {st.st_size:,} bytes, over the {limit:,}-byte limit for one file; not read")
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        raw = b"".join(chunks)
        if len(raw) > limit:
            raise StoreError(f"{path} grew over the {limit:,}-byte limit for one file while being read; not read")
        return raw, st
    except OSError as error:
        raise StoreError(f"cannot read {path}: {reason(error)}") from None
    finally:
        os.close(fd)


def open_input(path: Path, limit: int) -> int:
    """Open a file a user named (links followed: they chose it) for reading: a regular file of at most
    `limit` bytes, else StoreError in one line. A FIFO or device is never waited on or read without end.
    Returns the descriptor (the caller closes it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise StoreError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise StoreError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot be read ({reason(error)})") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise StoreError(f"{path}: is {kind_of(st.st_mode)}, not a regular file; claimdesk reads only files")
    if st.st_size > limit:
        os.close(fd)
        raise StoreError(f"{path}: {st.st_size:,} bytes is larger than the {limit:,}-byte limit")
    return fd


def read_file(path: Path) -> tuple[bytes | None, Signature | None]:
    """A file's bytes and the signature of exactly that version (None, None if it does not exist)."""
    try:
        raw, st = read_regular(path)
    except FileNotFoundError:
        return None, None
    return raw, (st.st_ino, st.st_size, st.st_mtime_ns)


def signature(path: Path) -> Signature | None:
    """What changes whenever the file is replaced: inode, size and mtime (None if it does not exist)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def encode(data: Any) -> bytes:
    """Compact JSON in ASCII, non-ASCII characters as `\\uXXXX` escapes, as `json.dumps` writes it (but DEL, left as it is).

    A save rewrites its whole shard (up to 256 annotations, ~150 kB): `json.dumps` took a
    millisecond of every grade on a dense report, orjson a fraction of that. orjson
    writes UTF-8, so the few non-ASCII characters are escaped after it (Python's
    `backslashreplace`, then its `\\xNN` and `\\UNNNNNNNN` forms put in JSON's
    `\\u00NN` and surrogate-pair forms). What orjson refuses (a lone surrogate, an
    integer over 64 bits) is written by the standard library, as before.
    """
    try:
        payload = orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is one: also a key that is not a string
        return json.dumps(data, separators=(",", ":")).encode("ascii")
    return _ascii(payload)


def _ascii(payload: bytes) -> bytes:
    """orjson's UTF-8 output with every non-ASCII character escaped as `json.dumps` escapes it."""
    if payload.isascii():
        return payload
    escaped = payload.decode("utf-8").encode("ascii", "backslashreplace")
    if _PYTHON_FORM.search(escaped) is None:
        return escaped
    return _PYTHON_ESCAPE.sub(_json_escape, escaped)


# A backslash sequence, read left to right so an escaped backslash (`\\\\`) is passed over as a pair:
# Python's `\\xNN` (Latin-1) and `\\UNNNNNNNN` (beyond the BMP) are not JSON; its `\\uNNNN` already is.
_PYTHON_ESCAPE = re.compile(rb"\\(?:\\|x([0-9a-f]{2})|U([0-9a-f]{8}))")
_PYTHON_FORM = re.compile(rb"\\[xU]")  # whether there may be one (a text's own `\\x` is checked by the above)


Fragments = dict[tuple[str, str], tuple[Any, bytes]]  # (table, document id) → (the document, `"id":` and its encoding)


def encode_reusing(data: Tables, kept: Fragments | None) -> tuple[bytes, Fragments]:
    """`encode(data)`, byte for byte, re-encoding only the documents that are not the very objects encoded before.

    A save changes one document of a shard; the others are the same objects as in the version written last
    (`Transaction.put` copies the table, not its documents), so their encodings (in ASCII, as they go in the
    file) are kept and joined. Returns the file's bytes and the encodings to keep for the next write.
    `kept` None: a file not written here since it was read, encoded whole (one orjson call, and one pass to
    ASCII, beat one a document) and nothing kept — a save that touches a shard once pays nothing for the next
    one that may never come.
    """
    if kept is None:
        return encode(data), {}
    if not all(isinstance(documents, dict) and all(isinstance(key, str) for key in documents) for documents in data.values()):
        return encode(data), {}  # not TinyDB's shape (a repair's odd key): encoded whole, as before
    fresh: Fragments = {}
    tables = []
    for name, documents in data.items():
        parts = []
        for key, document in documents.items():
            got = kept.get((name, key))
            if got is None or got[0] is not document:
                got = (document, _encoded_key(key) + encode(document))
            fresh[(name, key)] = got
            parts.append(got[1])
        tables.append(_encoded_key(name) + b"{" + b",".join(parts) + b"}")
    return b"{" + b",".join(tables) + b"}", fresh


def _encoded_key(key: str) -> bytes:
    """`"key":` as `encode` writes an object's key."""
    if key.isascii() and key.isalnum():
        return b'"' + key.encode("ascii") + b'":'
    return encode(key) + b":"


def _json_escape(match: re.Match[bytes]) -> bytes:
    latin, astral = match.groups()
    if latin:
        return b"\\u00" + latin
    if astral:
        code = int(astral, 16) - 0x10000
        return b"\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    return match.group(0)


def _load_json(raw: bytes) -> Any:
    """orjson where it can (twice as fast), else the standard library — which also says precisely what is wrong."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # bad JSON, or what only json takes (a lone surrogate escape, a huge integer, NaN)
        return json.loads(raw, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(raw: bytes | None, path: Path) -> Tables:
    """The tables of a TinyDB file's bytes; an empty or missing file has none. Raises CorruptFileError."""
    if raw is None or not raw.strip():
        return {}
    try:
        data = _load_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptFileError(str(path), _describe(error)) from None
    except RecursionError:
        raise CorruptFileError(str(path), "it nests too deeply to be a claimdesk file") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise CorruptFileError(str(path), str(error).split(";")[0]) from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptFileError(str(path), "it is JSON but not a TinyDB database")
    if not all(isinstance(doc, dict) for table in data.values() for doc in table.values()):
        raise CorruptFileError(str(path), "a table holds something that is not a document")
    return data


def _describe(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{json_problem(error)} at line {error.lineno} column {error.colno}"
    return "it is not UTF-8 text"


def json_problem(error: json.JSONDecodeError) -> str:
    """What is wrong, without the "at" some of json's messages end with ("Invalid control character at")."""
    return error.msg.removesuffix(" at")


# ---------------------------------------------------------------- writing


def temp_path(path: Path) -> Path:
    """Where a new version of `path` is written before it replaces `path`: unguessable, in the same folder."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}{TEMP_SUFFIX}")


def temp_target(name: str) -> str | None:
    """The file a temporary file named `name` was meant to replace, or None if it is not one of ours."""
    if not name.startswith(".") or not name.endswith(TEMP_SUFFIX):
        return None
    parts = name[1 : -len(TEMP_SUFFIX)].rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isalnum():
        return None
    return parts[0]


def not_a_regular_file(path: Path) -> str | None:
    """What stands at `path` (without following it) if it is neither absent nor a regular file, e.g. "a symbolic link"."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return None if stat.S_ISREG(st.st_mode) else kind_of(st.st_mode)


def check_destination(path: Path) -> None:
    """A file about to be replaced must be a regular file or absent: a symlink, FIFO or folder there is refused."""
    if kind := not_a_regular_file(path):
        raise UnsafePathError(f"{path} is {kind}, not a regular file; claimdesk never writes through it")


class Raced(StoreError):
    """The file changed between the read and the replace: the change must be made again on the new version."""


_ANY: Any = ("any",)


def atomic_write_bytes(path: Path, payload: bytes, mode: int = PRIVATE.file, expect: Signature | None = _ANY) -> Signature:
    """Replace `path` with `payload` so that a crash leaves the old or the new file, whole.

    With `expect`, the replace happens only if the file is still that version (None:
    still absent); else Raced is raised and nothing changes. Returns the new file's
    signature. On any OSError the old file is untouched, the temporary file is removed
    and WriteError is raised.
    """
    check_destination(path)
    with WRITE_GATE:
        return _replace(path, payload, mode, expect)


def _replace(path: Path, payload: bytes, mode: int, expect: Signature | None = _ANY) -> Signature:
    tmp = temp_path(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode & 0o777)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        try:
            os.fchmod(fd, mode & 0o777)  # exact: the umask never decides who can read annotations
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
        if expect is not _ANY and signature(path) != expect:
            os.unlink(tmp)
            raise Raced(f"{path} changed while it was being saved")
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _write_error(path, error) from error
    try:
        fsync_directory(path.parent)
    except OSError as error:
        raise WriteError(f"could not make sure {path} reached the disk: {reason(error)}; try again") from error
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _write_error(path: Path, error: OSError) -> WriteError:
    return WriteError(f"could not save {path}: {reason(error)}; nothing on disk was changed — try again once that is fixed")


# ---------------------------------------------------------------- TinyDB storages


class _Snapshot(Storage):
    """A TinyDB storage over one in-memory copy of a file's tables (what a transaction works on)."""

    def __init__(self, owner: Transaction) -> None:
        self.owner = owner

    def read(self) -> Tables:
        return self.owner.own_tables()

    def write(self, data: Tables) -> None:
        self.owner.tables = data
        self.owner.dirty = True
        self.owner.changed_by_tinydb()

    def close(self) -> None:
        """Nothing is held open."""


class _Cached(Storage):
    """A read-only TinyDB storage over a TinyFile's cached tables (re-read when the file changed)."""

    def __init__(self, tiny: TinyFile) -> None:
        self.tiny = tiny

    def read(self) -> Tables:
        return self.tiny.read()

    def write(self, data: Tables) -> None:
        raise ReadOnlyError(f"{self.tiny.path}: changes are made in a transaction, never through a read view")

    def close(self) -> None:
        """Nothing is held open."""


class Transaction:
    """What one try of a `TinyFile.transact` change works on: the file's tables, copied before anything changes them.

    Two ways to change them. `table(name)` is a TinyDB table: TinyDB changes
    documents in place, one level deep (`doc.update(fields)`), so its first read
    copies each document's top level — not the whole file's JSON again — and the
    cached version stays as it was if the change fails or conflicts. `put` replaces
    or removes one document by id (or adds one under TinyDB's next id, one more than
    the largest), copying only the table it changes and never a document: what a
    save of one annotation or mark needs, without TinyDB rebuilding the table's
    dict twice and copying every document of the shard. `tables` itself is for
    reading; `private_tables()` is a deep copy to change freely.
    """

    def __init__(
        self, tables: Tables, raw: bytes | None = None, path: Path | None = None, keys: dict[tuple[str, str], dict[Any, int]] | None = None
    ) -> None:
        self.tables = tables
        self.dirty = False
        self._owned = False
        self.private = False  # handed out as private_tables(): a deep copy
        self.untracked = False  # changed in ways no key index follows: none is handed on
        self._raw, self._path = raw, path
        self._inherited = keys or {}
        self._put_tables: set[str] = set()  # tables `put` has copied already
        self._next_ids: dict[str, int] = {}  # the id `put` gives the next document it adds to a table
        self.keys: dict[tuple[str, str], dict[Any, int]] = {}  # the indexes this change asked for and kept up to date
        self.db = TinyDB(self, storage=_Snapshot)

    def put(self, table: str, doc_id: int | None, document: dict[str, Any] | None) -> int:
        """Make document `doc_id` of `table` exactly `document` (None: remove it); with no id, add it. Returns its id."""
        if not self._put_tables:
            self.tables = dict(self.tables)  # the cached tables stay as they were read
        if table not in self._put_tables:
            self.tables[table] = dict(self.tables.get(table, {}))
            self._put_tables.add(table)
        documents = self.tables[table]
        if doc_id is None:
            if table not in self._next_ids:
                self._next_ids[table] = max((int(key) for key in documents), default=0) + 1
            doc_id = self._next_ids[table]
            self._next_ids[table] += 1
        if document is None:
            documents.pop(str(doc_id), None)
        else:
            documents[str(doc_id)] = dict(document)  # its own copy, as TinyDB keeps: the caller's dict stays the caller's
        self.dirty = True
        return doc_id

    def key_index(self, table: str, field: str) -> dict[Any, int]:
        """`field` → document id over `table` as read, which the caller keeps up to date as it inserts and removes.

        Building it walks every document (a tenth of a mark's save), so the file keeps the indexes of the version a
        change wrote for the next change — only those asked for here: a change made any other way drops them. A
        table where two documents share a key is indexed afresh every time.
        """
        if (table, field) in self.keys:
            return self.keys[(table, field)]
        kept = self._inherited.get((table, field)) if table not in self._put_tables and not self.untracked else None
        if kept is not None:
            index = dict(kept)
        else:
            documents = self.tables.get(table, {})
            index = {doc.get(field): int(doc_id) for doc_id, doc in documents.items()}
            if len(index) != len(documents):
                return index
        self.keys[(table, field)] = index
        return index

    def changed_by_tinydb(self) -> None:
        """TinyDB's own Table wrote: no key index or next id of ours follows what it did."""
        self.untracked = True
        self.keys.clear()
        self._next_ids.clear()

    def own_tables(self) -> Tables:
        if not self._owned:
            self.tables = {name: {key: dict(doc) for key, doc in table.items()} for name, table in self.tables.items()}
            self._owned = True
        return self.tables

    def private_tables(self) -> Tables:
        """A deep copy of the tables, to change in place (a repair, a migration); written when the change returns."""
        if not self.private:  # deep: `own_tables` copies documents one level down only
            if self._raw and self._path is not None and not self._owned and not self._put_tables:
                self.tables = parse(self._raw, self._path)
            else:
                self.tables = json.loads(json.dumps(self.tables))
            self._owned = True
        self.dirty = self.private = self.untracked = True
        self.keys.clear()  # changed in ways no index follows
        return self.tables

    def table(self, name: str) -> Table:
        # No query cache: another process may change the file between two transactions.
        return self.db.table(name, cache_size=0)


class AtomicJSONStorage(Storage):
    """A stock-TinyDB storage that never leaves a half-written file and never overwrites one it could not parse.

    `TinyDB(path, storage=AtomicJSONStorage)` works (for scripts); claimdesk itself goes through `TinyFile`.
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


_UNREAD: Any = ("unread",)


class TinyFile:
    """One TinyDB file of the database, cached in memory and re-read when another process changed it."""

    def __init__(self, path: Path, lock_dir: Path, lock_timeout: float = LOCK_TIMEOUT, modes: Modes = PRIVATE) -> None:
        self.path = path
        self.lock_dir = lock_dir
        self.lock_path = lock_dir / lock_name(path)
        self.lock_timeout = lock_timeout
        self.modes = modes
        self._data: Tables = {}
        self._keys: dict[tuple[str, str], dict[Any, int]] = {}  # key indexes of `_data` (Transaction.key_index)
        self._fragments: Fragments = {}  # each document's encoding as last written (`encode_reusing`)
        self._ours = False  # `_data` is what this process wrote last (not read since): the next write keeps encodings
        self._raw: bytes | None = None
        self._signature: Signature | None = _UNREAD
        self.corrupt: CorruptFileError | None = None

    def _load(self, verify: bool = False) -> Tables:
        """The current tables; re-read if the file changed (or, with `verify`, if its bytes differ)."""
        if not verify and self._signature is not _UNREAD and signature(self.path) == self._signature:
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
            self.corrupt = CorruptFileError(error.path, error.detail, keep_aside(self.path, self.modes))
            self._signature = current
            raise self.corrupt from None
        self.corrupt = None
        self._data, self._raw, self._signature, self._keys, self._fragments, self._ours = data, raw, current, {}, {}, False
        return data

    def read(self) -> Tables:
        """The file's tables (do not mutate them). Raises CorruptFileError if it does not parse."""
        return self._load()

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.read().get(name, {})

    def view(self, name: str) -> Table:
        """A read-only TinyDB table over the cached file (`all()`, `get(Query()...)`, `search`…)."""
        return TinyDB(self, storage=_Cached).table(name, cache_size=0)

    def changed(self) -> bool:
        """Has the file been replaced since we last read or wrote it? One stat."""
        return signature(self.path) != self._signature

    @property
    def seen(self) -> Signature | None:
        """The signature of the version last read or written (None: absent; unread: a sentinel)."""
        return self._signature

    def forget(self) -> None:
        """Drop the cached tables (the next read re-reads the file)."""
        self._data, self._raw, self._signature, self._keys, self._fragments, self._ours = {}, None, _UNREAD, {}, {}, False

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this file's inter-process lock, or raise LockTimeout after `lock_timeout` seconds."""
        for folder in (self.lock_dir, self.path.parent):
            try:
                make_folder(folder, self.modes)
            except OSError as error:
                raise WriteError(f"could not save {self.path}: cannot create {folder}: {reason(error)}") from None
        guards = str(self.path)
        with (
            locking.hold_folder(self.path.parent, self.lock_timeout, guards),
            locking.hold(self.lock_path, self.lock_timeout, self.modes.file & 0o777, guards),
        ):
            yield

    def transact(self, change: Callable[[Transaction], T]) -> T:
        """Lock, re-read, let `change` work on a TinyDB over a fresh copy of the tables, write it atomically, unlock.

        `change` may run more than once (see the module docstring), each time on a
        fresh copy, so it must not have other effects. If it raises, nothing is
        written. If the write fails, memory and disk keep the old state and
        WriteError is raised; a file that does not parse raises ReadOnlyError and is
        left alone.
        """
        deadline = time.monotonic() + self.lock_timeout
        while True:
            with self.locked():
                try:
                    self._load(verify=True)
                except CorruptFileError as error:
                    raise ReadOnlyError(f"{error}; the change was not saved") from None
                expected = self._signature  # the version read: another thread may read a newer one while `change` runs
                draft = Transaction(self._data, self._raw, self.path, self._keys)
                result = change(draft)
                if not draft.dirty:
                    return result
                payload, fragments = encode_reusing(draft.tables, self._fragments if self._ours else None)
                try:
                    written = atomic_write_bytes(self.path, payload, self.modes.file, expect=expected)
                except Raced:
                    if time.monotonic() > deadline:
                        raise WriteError(f"could not save {self.path}: it kept changing under a lost lock; try again") from None
                    continue
                self._data, self._raw, self._signature = draft.tables, payload, written
                self._keys = {} if draft.untracked else draft.keys  # a bulk rewrite or TinyDB's own writes may have moved anything
                self._fragments, self._ours = fragments, True
                return result

    def update(self, mutate: Callable[[Tables], Any]) -> Any:
        """A transaction that applies `mutate` to the raw tables (for bulk rewrites: repair, migration)."""

        def change(draft: Transaction) -> Any:
            return mutate(draft.private_tables())

        return self.transact(change)


def lock_name(path: Path) -> str:
    """The lock file's name for a database file: its path inside the database, flattened (`reports/x/a.json` → `x.a.json.lock`)."""
    parent = path.parent.name
    if path.parent.parent.name == "reports":
        return f"{parent}.{path.name}.lock"
    return f"{path.name}.lock"


# ---------------------------------------------------------------- setting aside and backing up


def kept_aside_path(path: Path) -> Path | None:
    """Where `keep_aside` keeps the current version of `path`: its name, `.corrupt-`, its mtime (UTC)."""
    try:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(os.lstat(path).st_mtime))
    except OSError:
        return None
    return path.with_name(f"{path.name}{CORRUPT_MARK}{stamp}")


def keep_aside(path: Path, modes: Modes = PRIVATE) -> str | None:
    """Copy an unparsable regular file to a timestamped name beside it, once per version; return that name.

    Never through a symlink (a link planted in place of a database file is not ours
    to copy), with the database's private mode, created exclusively.
    """
    first = kept_aside_path(path)
    if first is None:
        return None
    try:
        raw, _ = read_regular(path)
    except (OSError, StoreError):
        return None
    aside, n = first, 1
    while True:
        try:
            fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, modes.file & 0o777)
        except FileExistsError:
            try:
                if read_regular(aside)[0] == raw:
                    return str(aside)  # this version is already kept
            except (OSError, StoreError):
                pass
            n += 1
            aside = first.with_name(f"{first.name}-{n}")
            continue
        except OSError:
            return None
        try:
            os.fchmod(fd, modes.file & 0o777)
            os.write(fd, raw)
            os.fsync(fd)
        except OSError:
            return None
        finally:
            os.close(fd)
        return str(aside)


def backup_folder(root: Path, label: str = "backup") -> tuple[Path, list[str]]:
    """Copy a database folder's regular files (lock files aside) to `<root>.<label>-<UTC time>` beside it.

    Symlinks, FIFOs and devices are never followed or copied: each is listed in the
    second value, one line each. Returns the backup's path and those lines.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = root.with_name(f"{root.name}.{label}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = root.with_name(f"{root.name}.{label}-{stamp}-{n}")
    modes = modes_of(root)
    skipped: list[str] = []
    try:
        make_folder(target, modes)
        _copy_tree(root, target, modes, skipped, root)
    except (OSError, StoreError) as error:
        _remove_tree(target)
        detail = reason(error) if isinstance(error, OSError) else str(error)
        raise WriteError(f"could not back up {root} to {target}: {detail}") from None
    return target, skipped


def _copy_tree(source: Path, target: Path, modes: Modes, skipped: list[str], root: Path) -> None:
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.name == ".locks":
                continue
            where = Path(entry.path)
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                make_folder(target / entry.name, modes)
                _copy_tree(where, target / entry.name, modes, skipped, root)
            elif stat.S_ISREG(st.st_mode):
                raw, _ = read_regular(where)
                fd = os.open(target / entry.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
                try:
                    os.fchmod(fd, modes.file & 0o777)
                    os.write(fd, raw)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            else:
                skipped.append(f"{where.relative_to(root).as_posix()} is {kind_of(st.st_mode)}; not copied")


def _remove_tree(path: Path) -> None:
    """Remove a folder this process made (a failed backup), never following a link out of it."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False):
                _remove_tree(Path(entry.path))
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        os.rmdir(path)
