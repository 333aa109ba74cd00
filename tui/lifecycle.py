"""Running the app on a real terminal: a hang-up, a termination or a vanished terminal ends it cleanly.

The terminal can go away in three ways while claimdesk runs:

* SIGHUP: the SSH connection dropped, the terminal window or tmux pane closed;
* SIGTERM: someone, or the system, asked the process to stop;
* the terminal closes and no SIGHUP reaches us (the process is not in the
  terminal's session: started by `setsid`, a supervisor, `nohup`…). Textual's
  input thread then reads EOF in a loop at 100% CPU. The tty reports the
  hang-up to `poll()` (POLLHUP), which is what `TerminalWatch` waits for.

Nothing in the database needs saving on the way out: the store writes
synchronously and the UI acknowledges a change only once it is on disk. What an
analyst holds unsaved — a claim form's draft, kept on disk a moment after each
change — is written at once before a hang-up ends the process
(`ClaimdeskApp.save_work_in_progress`), so a dropped SSH link loses no typing. The exit must only never cut a
save short, so it runs as a callback on the event loop (a save made by the UI,
which runs on the loop, has finished) and takes `store.storage.WRITE_GATE` (a
save in a worker thread has finished). Store locks are `flock` locks that the
kernel drops with the process: none is left stale.

After a hang-up the terminal is gone, and writing to it fails (EIO) or blocks,
so the process ends with `os._exit` without restoring it. After SIGTERM the
terminal may still be there, so the app exits normally and restores it, unless
that takes longer than `GRACE` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

from store.storage import LOCK_TIMEOUT, WRITE_GATE
from tui.app import ClaimdeskApp

HANGUP_EXIT = 128 + signal.SIGHUP
TERMINATE_EXIT = 128 + signal.SIGTERM
GRACE = 1.5  # seconds a normal exit (or the event loop) may take before the process is ended anyway

_STOP = 0  # the byte that tells the watch thread the app ended by itself
_HANG_UP_MASK = select.POLLHUP | select.POLLERR | select.POLLNVAL


def run_app(app: ClaimdeskApp) -> None:
    """Run the TUI on this process's terminal; never returns."""
    streams = (sys.stdin, sys.stdout, sys.stderr)
    if not all(stream is not None and stream.isatty() for stream in streams):
        raise SystemExit(
            "claimdesk: error: the TUI needs a terminal on stdin, stdout and stderr "
            "(use add/parse/export/stats for scripts)"
        )
    with asyncio.Runner() as runner:
        watch = TerminalWatch(app, runner.get_loop())
        watch.start()
        try:
            app.run(loop=runner.get_loop())
        finally:
            watch.stop()
    sys.exit(app.return_code or 0)


class TerminalWatch:
    """Turns SIGHUP, SIGTERM and a hung-up terminal into a prompt exit that never cuts a save short."""

    def __init__(
        self,
        app: ClaimdeskApp,
        loop: asyncio.AbstractEventLoop,
        fds: tuple[int, ...] | None = None,
        exit_process: Callable[[int], None] = os._exit,
    ) -> None:
        self.app = app
        self.loop = loop
        # Textual reads the keyboard from stdin and draws on stderr.
        wanted = fds if fds is not None else tuple(stream.fileno() for stream in (sys.__stdin__, sys.__stderr__) if stream is not None)
        self.fds = tuple(dict.fromkeys(fd for fd in wanted if os.isatty(fd)))
        self.exit_process = exit_process
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self._previous: dict[int, object] = {}
        self._thread = threading.Thread(target=self._watch, name="claimdesk-terminal-watch", daemon=True)

    def start(self) -> None:
        """Install the signal handlers (main thread only) and start watching the terminal."""
        for signum in (signal.SIGHUP, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._on_signal)
        self._thread.start()

    def stop(self) -> None:
        """The app has ended: stop watching and put the previous signal handlers back."""
        self._wake(_STOP)
        self._thread.join(timeout=GRACE * 2)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()
        if not self._thread.is_alive():  # else it is ending the process: leave it its pipe
            os.close(self._wake_read)
            os.close(self._wake_write)

    # ----------------------------------------------------------- signals

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # Python runs this on the main thread between two bytecodes, possibly in
        # the middle of a save: only hand the signal to the watch thread.
        self._wake(signum)

    def _wake(self, code: int) -> None:
        try:
            os.write(self._wake_write, bytes([code]))
        except BlockingIOError:
            pass  # the pipe is full of earlier wake-ups: the thread is awake already

    # ------------------------------------------------------- watch thread

    def _watch(self) -> None:
        poller = select.poll()
        for fd in self.fds:
            poller.register(fd, 0)  # no events asked: poll reports only hang-up, error and a closed fd
        poller.register(self._wake_read, select.POLLIN)
        deadline: float | None = None  # when a SIGTERM's normal exit has taken too long
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic()) * 1000
            events = poller.poll(timeout)
            if not events and deadline is not None:
                self._exit(TERMINATE_EXIT)
                return
            for fd, mask in events:
                if fd != self._wake_read:
                    if mask & _HANG_UP_MASK:
                        self._hang_up()
                        return
                    continue
                codes = os.read(self._wake_read, 64)
                if _STOP in codes:
                    return
                if signal.SIGHUP in codes:
                    self._hang_up()
                    return
                if signal.SIGTERM in codes and deadline is None:
                    deadline = time.monotonic() + GRACE
                    self._on_loop(lambda: self.app.exit(return_code=TERMINATE_EXIT))

    def _hang_up(self) -> None:
        """The terminal is gone: keep what is typed, then end the process from the event loop (or from here if it is stuck)."""
        self._on_loop(self._save_then_exit)
        time.sleep(GRACE)  # the loop normally ends the process long before this
        self._exit(HANGUP_EXIT)

    def _save_then_exit(self) -> None:
        try:
            self.app.save_work_in_progress()
        finally:  # whatever happened there, a dead terminal's process ends
            self._exit(HANGUP_EXIT)

    def _on_loop(self, callback: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the app has already ended
            self.loop.call_soon_threadsafe(callback)

    def _exit(self, code: int) -> None:
        """End the process at once, after any save in progress in another thread."""
        # A save cannot outlast its own lock timeout by much; past that, the file
        # on disk is still whole (saves replace files atomically).
        WRITE_GATE.acquire(timeout=LOCK_TIMEOUT)
        self.exit_process(code)
