"""A real pseudo-terminal for end-to-end tests: run the installed `claimdesk`, type keys, read every byte.

The child gets a pty as stdin, stdout and stderr (Textual draws on stderr) and,
unless told otherwise, as its controlling terminal, like a login shell's child
over SSH. The parent keeps every byte the child wrote (`raw`), so tests can both
look for what the user sees (`screen`, escape sequences removed) and inspect the
exact escape sequences that reached the terminal.

Every wait polls for a condition with a generous deadline: the machine is shared.
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
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

CLAIMDESK = Path(sys.executable).with_name("claimdesk")  # the installed console script
WAIT = 30.0  # seconds: starting Textual on a loaded machine can be slow

# CSI (ESC [ … final, with the 8-bit form), OSC (ESC ] … BEL/ST), DCS/SOS/PM/APC strings, two-byte escapes.
ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_].*?(?:\x1b\\|$)"
    r"|\x1b[ -/]*[0-~]",
    re.DOTALL,
)


def screen_text(raw: bytes) -> str:
    """What `raw` shows, with every escape sequence removed (a needle must lie within one screen line)."""
    return ESCAPE_SEQUENCE.sub("", raw.decode("utf-8", errors="replace"))


def escape_sequences(raw: bytes) -> list[str]:
    return ESCAPE_SEQUENCE.findall(raw.decode("utf-8", errors="replace"))


def sequence_kind(sequence: str) -> str:
    """A sequence's function without its parameters: `CSI ? h`, `CSI m`, `OSC 52`, `ESC c`, …"""
    if sequence.startswith(("\x1b[", "\x9b")):
        body = sequence[2:] if sequence.startswith("\x1b[") else sequence[1:]
        private = "".join(c for c in body[:1] if c in "<=>?")
        intermediates = "".join(c for c in body[:-1] if " " <= c <= "/")
        return f"CSI {private}{intermediates}{body[-1]}".replace("  ", " ")
    if sequence.startswith("\x1b]"):
        return "OSC " + re.split(r"[;\x07\x1b]", sequence[2:], maxsplit=1)[0]
    if sequence[1:2] in ("P", "X", "^", "_"):
        return "string " + sequence[1]
    return "ESC " + sequence[1:]


def child_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A user's environment: nothing of ours or Textual's leaks in, and no real config or database is touched."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEXTUAL", "CLAIMDESK", "XDG_")) and k not in ("NO_COLOR", "COLUMNS", "LINES", "COLORTERM")
    }
    env.update(
        TERM="xterm-256color",
        LANG="C.UTF-8",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
    )
    env.update(extra or {})
    return env


def _take_controlling_terminal() -> None:
    """In the child, after setsid: make the pty on fd 0 its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class TerminalError(AssertionError):
    """The terminal did not show what was awaited in time."""


class Terminal:
    """One `claimdesk` process on its own pseudo-terminal."""

    def __init__(
        self,
        args: Sequence[str],
        env: dict[str, str],
        *,
        columns: int = 80,
        rows: int = 24,
        controlling: bool = True,
    ) -> None:
        self.argv = [str(CLAIMDESK), *args]
        self.env = env
        self.columns, self.rows = columns, rows
        self.controlling = controlling
        self.raw = bytearray()
        self.process: subprocess.Popen[bytes] | None = None
        self.master = -1

    def start(self) -> Terminal:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.columns, 0, 0))
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
                start_new_session=True,
                preexec_fn=_take_controlling_terminal if self.controlling else None,
                close_fds=True,
            )
        finally:
            os.close(slave)
        self.master = master
        return self

    def __enter__(self) -> Terminal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    # ------------------------------------------------------------ output

    def read(self, timeout: float) -> bool:
        """Read what the child wrote within `timeout`; False when nothing came (or the pty is closed)."""
        if self.master < 0:
            time.sleep(timeout)
            return False
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: every slave descriptor is closed (the child has exited)
            return False
        self.raw += chunk
        return bool(chunk)

    @property
    def screen(self) -> str:
        return screen_text(bytes(self.raw))

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
        """Read output until `condition()` holds; fail with the last screen if it does not within `timeout`."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() >= deadline:
                raise TerminalError(self.explain(f"{what}: not within {timeout:g} s"))
            if not self.read(0.05) and not self.alive:
                if condition():
                    return
                raise TerminalError(self.explain(f"{what}: the app exited first"))

    def wait_for(self, needle: str, timeout: float = WAIT, since: int = 0) -> None:
        """Wait until `needle` has been drawn (in output after byte `since`)."""
        self.wait_until(lambda: needle in screen_text(bytes(self.raw[since:])), f"{needle!r} on screen", timeout)

    def settle(self, quiet: float = 0.3, timeout: float = WAIT) -> None:
        """Read until nothing has come for `quiet` seconds: the app is idle."""
        deadline = time.monotonic() + timeout
        while self.read(quiet):
            if time.monotonic() >= deadline:
                raise TerminalError(self.explain(f"never quiet for {quiet:g} s"))

    def explain(self, problem: str) -> str:
        status = "running" if self.alive else f"exited with {self.process.returncode if self.process else '?'}"
        return f"{' '.join(self.argv)}: {problem} (child {status}); last output: {self.screen[-800:]!r}"

    # ------------------------------------------------------------- input

    def press(self, *keys: bytes) -> int:
        """Type keys; returns the output position before them (for `wait_for(since=…)`)."""
        since = len(self.raw)
        for key in keys:
            os.write(self.master, key)
        return since

    # --------------------------------------------------------- lifecycle

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send_signal(self, signum: int) -> float:
        assert self.process is not None
        self.process.send_signal(signum)
        return time.monotonic()

    def close_master(self) -> float:
        """Close our side of the pty, as sshd does when the connection drops."""
        os.close(self.master)
        self.master = -1
        return time.monotonic()

    def wait_exit(self, since: float, timeout: float = WAIT) -> tuple[int, float]:
        """Wait for the child to end (reading its output meanwhile); its exit code and seconds since `since`."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() >= deadline:
                raise TerminalError(self.explain(f"still running {timeout:g} s later"))
            self.read(0.02)
        return self.process.returncode, time.monotonic() - since

    def quit(self) -> int:
        """Quit with `q` as a user does; the exit code."""
        start = time.monotonic()
        self.press(b"q")
        code, _ = self.wait_exit(start)
        return code

    def kill(self) -> None:
        """Make sure the child is gone and the pty closed (test clean-up)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=WAIT)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


def controlling_terminal(pid: int) -> int:
    """The tty_nr of a process (0: it has no controlling terminal)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[4])
