"""Who can read a database: private to its owner (the default), or shared with one group on purpose.

A new database is private: folders 0700, files 0600, whatever the umask, so no
other user on a shared server can read an annotation or open a lock file (an
openable lock file is a lock anyone can take, blocking every save).

`make_shared(root, group)` is what `claimdesk init --group NAME` runs: every
folder goes to the group with the setgid bit (2770), so whatever is created in it
later belongs to the group too, and every file to 0660. From then on every write
keeps those modes (`store.storage.modes_of` reads them off the folder).
`make_private(root)` undoes it. Neither ever follows a symlink.
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from store.errors import StoreError
from store.storage import GROUP_SHARED, PRIVATE, Modes, make_folder


def _group_id(name: str) -> int:
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        raise StoreError(f"there is no group {name!r} on this machine (see 'getent group')") from None
    if os.geteuid() != 0 and gid not in os.getgroups() and gid != os.getegid():
        raise StoreError(f"you are not a member of the group {name!r}, so you cannot share a database with it")
    return gid


def _entries(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Every folder and file of the database, links left out (never followed, never changed)."""
    found: list[tuple[Path, os.stat_result]] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        st = os.lstat(folder)
        found.append((folder, st))
        for entry in os.scandir(folder):
            est = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(est.st_mode):
                pending.append(Path(entry.path))
            elif stat.S_ISREG(est.st_mode):
                found.append((Path(entry.path), est))
    return found


@dataclass(frozen=True)
class Changed:
    """How many folders and files had their group or mode changed (each counted once)."""

    folders: int = 0
    files: int = 0


def _apply(root: Path, modes: Modes, gid: int | None) -> Changed:
    folders = files = 0
    for path, st in _entries(root):
        if st.st_uid != os.geteuid() and os.geteuid() != 0:
            continue  # another member's file: theirs to change
        changed = False
        if gid is not None and st.st_gid != gid:
            os.chown(path, -1, gid, follow_symlinks=False)
            changed = True
        want = modes.folder if stat.S_ISDIR(st.st_mode) else modes.file
        if stat.S_IMODE(st.st_mode) != want:
            os.chmod(path, want, follow_symlinks=False)
            changed = True
        if changed and stat.S_ISDIR(st.st_mode):
            folders += 1
        elif changed:
            files += 1
    return Changed(folders, files)


def make_shared(root: Path, group: str) -> Changed:
    """Share the database at `root` (created if missing) with `group`; how many folders and files changed."""
    gid = _group_id(group)
    make_folder(root, PRIVATE)
    try:
        return _apply(root, GROUP_SHARED, gid)
    except OSError as error:
        raise StoreError(f"could not share {root} with {group!r}: {error.strerror}") from None


def make_private(root: Path) -> Changed:
    """Make the database at `root` (created if missing) readable by its owner only; how many folders and files changed."""
    make_folder(root, PRIVATE)
    try:
        return _apply(root, PRIVATE, None)
    except OSError as error:
        raise StoreError(f"could not make {root} private: {error.strerror}") from None
