"""Inter-process locks for database files: `flock` on a lock file that no one else can plant, open or swap.

Why our own and not a library's: the lock must hold on a server shared with other
users (see docs/security.md), which asks for three things at once:

* the lock file is opened with `O_NOFOLLOW` and never through a symlink, and created
  with the database's own mode (0600, or 0660 in a group-shared database), so another
  user can neither redirect it nor open it to take the lock and block every save;
* after `flock` succeeds, the file we locked must still be the one at the path (same
  inode, still linked): if someone deleted or replaced the lock file while we waited,
  our lock guards nothing — another process may lock the new file at the same time —
  so we let go and start again. Without this check, deleting lock files in a loop
  lost about half of the saves of three concurrent writers, each reported as saved;
* a lock is `flock`, so the kernel releases it when a process dies: never stale.

The lock file alone cannot stop a third party who deletes it *while it is held*:
the next writer creates a new one and both go ahead. So a writer also takes an
`flock` on the folder that holds the data file (`hold_folder`): a folder cannot
be deleted while it holds files, so that lock cannot be lost. Where the file
system cannot lock a folder (NFS emulates flock with byte-range locks, which a
folder cannot take), the lock file is what remains, and `store.storage` still
refuses to replace a file that changed since it was read.

Each acquisition opens its own descriptor, so two threads of one process exclude each
other exactly as two processes do.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from store.errors import LockTimeout, StoreError, WriteError

LOCK_TIMEOUT = 10.0
LOCK_POLL = 0.005  # seconds between attempts while another process holds a lock
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def _open_lock_file(path: Path, mode: int) -> int:
    try:
        fd = os.open(path, _FLAGS, mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StoreError(f"{path} is a symbolic link; claimdesk never locks through one — remove it ('claimdesk doctor')") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise StoreError(f"{path} is not a regular file; claimdesk never locks through it — remove it ('claimdesk doctor')")
    if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != mode:
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)  # the umask took bits away, or an older claimdesk made it 0644
    return fd


def _wait_for(fd: int, deadline: float, held_too_long: str) -> None:
    """Take the exclusive flock on `fd`, polling until `deadline`; then LockTimeout saying `held_too_long`."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(f"{held_too_long}; your change was not saved — try again") from None
            time.sleep(LOCK_POLL)


def _still_ours(fd: int, path: Path) -> bool:
    """Is the file we hold locked still the one at `path` (not deleted, not replaced)?"""
    try:
        on_disk = os.lstat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return held.st_nlink > 0 and (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


@contextlib.contextmanager
def hold(path: Path, timeout: float = LOCK_TIMEOUT, mode: int = 0o600, guards: str = "") -> Iterator[None]:
    """Hold the exclusive lock on `path` (created if missing), or raise LockTimeout after `timeout` seconds.

    `guards` names what the lock protects, for the messages.
    """
    deadline = time.monotonic() + timeout
    what = guards or str(path)
    while True:
        try:
            fd = _open_lock_file(path, mode)
        except OSError as error:
            raise WriteError(f"could not save {what}: cannot open its lock {path}: {error.strerror}") from None
        try:
            _wait_for(fd, deadline, f"{what} stayed locked by another claimdesk process for over {timeout:g} s (lock file {path})")
            if _still_ours(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the lock file was deleted or replaced while we waited: lock the one there now
    try:
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def is_held(path: Path) -> bool:
    """Is someone holding this lock right now? (A non-blocking try; never creates the file.)"""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False
    finally:
        os.close(fd)


_NO_FOLDER_LOCKS = {errno.EBADF, errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EACCES}


@contextlib.contextmanager
def hold_folder(folder: Path, timeout: float = LOCK_TIMEOUT, guards: str = "") -> Iterator[None]:
    """Hold an exclusive flock on a folder (see the module docstring); a no-op where folders cannot be locked."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StoreError(f"{folder} is a symbolic link; claimdesk never writes through one") from None
        raise WriteError(f"could not save {guards or folder}: cannot open {folder}: {error.strerror}") from None
    try:
        try:
            _wait_for(
                fd,
                time.monotonic() + timeout,
                f"{guards or folder} stayed locked by another claimdesk process for over {timeout:g} s (folder {folder})",
            )
        except OSError as error:
            if error.errno not in _NO_FOLDER_LOCKS:
                raise WriteError(f"could not save {guards or folder}: cannot lock {folder}: {error.strerror}") from None
            # this file system cannot lock folders: the lock file and the version check remain
        yield
    finally:
        os.close(fd)
