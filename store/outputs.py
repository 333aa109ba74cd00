"""Writing export files where other users may have planted things: never through a link, never half a file.

An export folder is often shared (`shared_exports/`), so anyone who can write
there can plant a symlink named like the file claimdesk is about to write, or
like its temporary file, to make claimdesk overwrite a file of theirs choosing.
So every export file is written the way the database's own files are:

* into a temporary file created exclusively (`O_EXCL | O_NOFOLLOW`) with an
  unguessable name in the destination's folder: a planted link catches nothing;
* fsynced, then renamed over the destination — which must be a regular file or
  absent: a symlink, FIFO or folder there is refused, never written through;
* never inside the database folder (an export named `<db>/actors.json` would
  replace the actor registry with JSONL);
* temporary files left by an earlier run that was killed (its process is gone)
  are removed, so `kill -9` during an export leaves nothing behind for long.

A failure (disk full…) leaves the destination as it was and removes the
temporary file: an `.ann` is never left truncated mid-record.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from store.errors import ClaimdeskError
from store.storage import fsync_directory, not_a_regular_file, reason
from store.text import clean_line

PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<token>[0-9a-f]{16})\.part$")


class OutputError(ClaimdeskError):
    """An export file could not be written where it was asked to go."""


def _shown(path: Path) -> str:
    return clean_line(str(path))


def refuse_database_folder(destination: Path, database: Path | None) -> None:
    """An export may not land inside the database folder (it would replace the store's own files)."""
    if database is None:
        return
    try:
        inside = destination.resolve().is_relative_to(database.resolve())
    except OSError:
        return
    if inside:
        raise OutputError(f"{_shown(destination)} is inside the database folder {_shown(database)}; export somewhere else")


def check_destination(path: Path) -> None:
    """The file an export replaces must be a regular file or absent."""
    if kind := not_a_regular_file(path):
        raise OutputError(f"{_shown(path)} is {kind}; claimdesk never writes through it (remove it or choose another name)")


def remove_stale_parts(folder: Path, name: str) -> None:
    """Temporary files of earlier exports to `name` whose process is gone (a kill -9), and that are ours."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = PART.match(entry.name)
            if not match or match["name"] != name:
                continue
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or _alive(int(match["pid"])):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def replacing(path: Path, database: Path | None = None, newline: str = "\n") -> Iterator[IO[str]]:
    """A text stream whose content replaces `path` only once the block ends without error."""
    path = Path(path)
    folder = path.parent
    refuse_database_folder(path, database)
    check_destination(path)
    remove_stale_parts(folder, path.name)
    tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.part"
    umask = os.umask(0)
    os.umask(umask)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise OutputError(f"cannot write {_shown(path)}: {reason(error)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), 0o666 & ~umask)  # an export is an ordinary file of its owner's
            os.fsync(handle.fileno())
        check_destination(path)  # again: something may have been planted while we wrote
        os.replace(tmp, path)
        with contextlib.suppress(OSError):
            fsync_directory(folder)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {_shown(path)}: {reason(error)}; it was left as it was") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, payload: str, database: Path | None = None) -> None:
    """Replace `path` with `payload` as `replacing` does."""
    with replacing(path, database) as handle:
        handle.write(payload)
