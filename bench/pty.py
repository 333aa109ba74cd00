"""A pseudo-terminal driver for the TUI benchmarks: start an app on a pty, watch what it draws, type keys.

The child gets a real terminal (a pty of a fixed size as its stdin, stdout and
stderr, and as its controlling terminal), so it runs exactly as it does for a
user: Textual's Linux driver, its escape sequences and its frame timer. The
parent reads everything the child writes, with the arrival time of each read.

"On screen" means: the text has been written to the terminal. What the child
writes is searched with escape sequences removed, so a needle is found whatever
styles surround it; choose a needle that lies within one screen line.

Stdlib only; the module is named after what it drives and never imports the
stdlib `pty` (it uses `os.openpty`).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# CSI (`ESC [ … final`), OSC (`ESC ] … BEL/ST`), DCS/APC/PM/SOS strings, and two-byte escapes.
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|\x1b[PX^_].*?\x1b\\"
    rb"|\x1b[@-Z\\-_]",
    re.DOTALL,
)

COLUMNS = 160
ROWS = 48


class TerminalTimeout(RuntimeError):
    """What was awaited did not appear on the terminal in time."""


def screen_text(raw: bytes) -> str:
    """What `raw` terminal output shows, with every escape sequence removed (cursor moves included)."""
    return _ESCAPES.sub(b"", raw).decode("utf-8", errors="replace")


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a user's terminal, without anything of ours or Textual's that changes how it runs.

    PYTHONDONTWRITEBYTECODE is dropped too: a user's installation has its bytecode
    caches, and without them every start would time compiling our modules.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEXTUAL", "CLAIMDESK", "XDG_", "PYTHONPROFILE", "PYTHONBREAKPOINT"))
        and k not in ("NO_COLOR", "COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
    }
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8")
    env.update(extra or {})
    return env


@dataclass
class Burst:
    """The output that answered one key: when its first and last bytes arrived, and what it drew."""

    first: float  # seconds from the key to the first byte
    last: float  # seconds from the key to the last byte of the update
    text: str  # what it showed (escape sequences removed)
    size: int = 0  # bytes written to the terminal for it, escape sequences included
    shown: float = 0.0  # seconds from the key to the bytes that completed what was expected (a later frame may follow)
    then: float = 0.0  # seconds from the key to the bytes that completed what `press(then=...)` expected after it


class Terminal:
    """One child process on its own pseudo-terminal."""

    def __init__(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        columns: int = COLUMNS,
        rows: int = ROWS,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        self.argv = [str(a) for a in argv]
        self.columns = columns
        self.rows = rows
        self.env = child_environment(env)
        self.cwd = cwd
        self.raw = bytearray()
        self.process: subprocess.Popen[bytes] | None = None
        self.master = -1
        self.started = 0.0

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Terminal:
        """Start the child; `self.started` is taken just before the fork."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.columns, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                preexec_fn=_take_controlling_terminal,
                close_fds=True,
            )
        finally:
            os.close(slave)
        return self

    def __enter__(self) -> Terminal:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def close(self, quit_key: bytes | None = b"q", grace: float = 5.0) -> int | None:
        """Quit the child (its quit key, then SIGTERM, then SIGKILL), reap it and close the pty."""
        process = self.process
        if process is None:
            return None
        try:
            if process.poll() is None and quit_key:
                self._write(quit_key)
                self._drain_until_exit(grace)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if process.poll() is not None:
                    break
                process.send_signal(sig)
                self._drain_until_exit(grace)
            return process.wait(timeout=grace)
        finally:
            os.close(self.master)
            self.master = -1
            self.process = None

    def _drain_until_exit(self, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        assert self.process is not None
        while self.process.poll() is None and time.perf_counter() < deadline:
            self._read(0.05)

    # -------------------------------------------------------------- reading

    def _read(self, timeout: float) -> float | None:
        """Read what is available within `timeout`; return its arrival time (None when nothing came)."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the child closed its side of the pty
            return None
        now = time.perf_counter()
        if not chunk:
            return None
        self.raw += chunk
        return now

    def _alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_for(self, needle: str, timeout: float = 30.0) -> float:
        """Read until `needle` is on screen; return the seconds from process start to the read that showed it."""
        deadline = time.perf_counter() + timeout
        while True:
            arrived = self._read(deadline - time.perf_counter())
            if arrived is not None and needle in screen_text(bytes(self.raw)):
                return arrived - self.started
            if time.perf_counter() >= deadline or (arrived is None and not self._alive()):
                raise TerminalTimeout(self._explain(f"{needle!r} did not appear within {timeout:g} s"))

    def settle(self, quiet: float = 0.25, timeout: float = 30.0) -> None:
        """Read until nothing has come for `quiet` seconds (the app is idle), then forget the output."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self._read(quiet) is None:
                break
        else:
            raise TerminalTimeout(self._explain(f"the terminal never went quiet for {quiet:g} s"))
        self.raw.clear()

    def press(
        self,
        key: bytes,
        expect: str | Callable[[str], bool],
        quiet: float = 0.1,
        timeout: float = 30.0,
        then: str | Callable[[str], bool] | None = None,
    ) -> Burst:
        """Type `key` into an idle app; time the screen update that answers it.

        The update is the burst of output that follows the key: it is complete
        when `expect` has been drawn (a string on screen, or a test of the text
        drawn since the key) — and `then` too, when given (what a later frame
        draws: a change shown as saved after the frame that answered the key) —
        and then nothing more has come for `quiet` seconds.
        `last` is the arrival of the burst's last byte (the quiet wait after it
        is not counted); `first` is the arrival of its first byte.
        """
        shown = _test(expect)
        later = _test(then) if then is not None else None
        self.raw.clear()
        sent = time.perf_counter()
        self._write(key)
        first = last = shown_at = then_at = None
        seen = False
        deadline = sent + timeout
        while True:
            now = time.perf_counter()
            if now >= deadline:
                raise TerminalTimeout(self._explain(f"{expect!r} did not appear within {timeout:g} s of {key!r}"))
            wait = deadline - now if not seen else min(quiet, deadline - now)
            arrived = self._read(wait)
            if arrived is None:
                if seen:
                    break
                if not self._alive():
                    raise TerminalTimeout(self._explain(f"the app exited after {key!r}"))
                continue
            first = arrived if first is None else first
            last = arrived
            if not seen:
                text = screen_text(bytes(self.raw))
                if shown_at is None and shown(text):
                    shown_at = arrived
                if then_at is None and later is not None and later(text):
                    then_at = arrived
                seen = shown_at is not None and (later is None or then_at is not None)
        assert first is not None and last is not None and shown_at is not None
        text = screen_text(bytes(self.raw))
        size = len(self.raw)
        self.raw.clear()
        return Burst(first - sent, last - sent, text, size, shown_at - sent, (then_at or shown_at) - sent)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view):]

    def _explain(self, problem: str) -> str:
        shown = screen_text(bytes(self.raw))[-600:]
        status = "running" if self._alive() else f"exited with {self.process.returncode if self.process else '?'}"
        return f"{' '.join(self.argv)}: {problem} (child {status}); last output: {shown!r}"

    # --------------------------------------------------------------- memory

    def peak_rss(self) -> int:
        """The child's peak resident set size in bytes (VmHWM), read while it runs."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"/proc/{self.pid}/status has no VmHWM line")


def _take_controlling_terminal() -> None:
    """In the child, after setsid: make the pty on fd 0 its controlling terminal (as a login shell has)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


KEYS = {
    "j": b"j",
    "k": b"k",
    "g": b"g",
    "G": b"G",
    "q": b"q",
    "ctrl+d": b"\x04",
    "ctrl+u": b"\x15",
    "pagedown": b"\x1b[6~",
    "pageup": b"\x1b[5~",
}


# ------------------------------------------------------- the TUI benchmarks' shared steps

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seeds" / "000_d468c9227d68e3d5.txt"


def claimdesk_command() -> list[str]:
    """The installed console script beside this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("claimdesk")
    if not script.exists():
        raise RuntimeError(f"no installed claimdesk beside {sys.executable}: run `make install` (or pip install -e .) first")
    return [str(script)]


def minimal_command() -> list[str]:
    """The baseline app, run as a module so no benchmark file can shadow a library module."""
    return [sys.executable, "-m", "bench.minimal_app"]


class Lab:
    """A throw-away home for the children: its own HOME, XDG dirs and config, so no real database is touched."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="claimdesk-bench-")
        self.root = Path(self._tmp.name)
        home = self.root / "home"
        home.mkdir()
        self.env = {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "CLAIMDESK_CONFIG": str(home / "no-config.toml"),
            "PYTHONPATH": str(REPO),  # for `-m bench.minimal_app`; claimdesk is installed
        }

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()

    def terminal(self, argv: Sequence[str | os.PathLike[str]]) -> Terminal:
        return Terminal(argv, env=self.env, cwd=REPO)

    def add(self, report: Path, db: Path) -> None:
        """Register `report` in `db` with `claimdesk add`, outside any timing."""
        done = subprocess.run(
            [*claimdesk_command(), "add", str(report), "--db", str(db)],
            env=child_environment(self.env), cwd=REPO, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"claimdesk add {report} failed: {done.stderr.strip()}")

    def time_to_screen(self, argv: Sequence[str | os.PathLike[str]], needle: str) -> float:
        """Seconds from process start until `needle` is on screen (then the app is quit)."""
        with self.terminal(argv) as term:
            return term.wait_for(needle)


def first_words(text: str, at_least: int = 24) -> str:
    """The first whole words of `text` making at least `at_least` characters: a needle for its first line."""
    end = text.find(" ", at_least)
    return text[: end if end != -1 else len(text)].strip()


def _test(expect: str | Callable[[str], bool]) -> Callable[[str], bool]:
    return (lambda text: expect in text) if isinstance(expect, str) else expect


def current_paragraph_is(number: int) -> Callable[[str], bool]:
    """A test of drawn text: the annotation panel's heading names paragraph `number` (`¶ 12`)."""
    pattern = re.compile(rf"¶\s*{number}(?!\d)")
    return lambda text: pattern.search(text) is not None
