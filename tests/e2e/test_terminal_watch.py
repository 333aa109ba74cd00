"""`tui.lifecycle.TerminalWatch` in-process, on a real pty pair and a real event loop.

The end-to-end tests show claimdesk ends promptly; these show the order of
events that makes it safe: the exit waits for a save in progress, a hang-up is
seen with or without a signal, SIGTERM lets the app exit normally first.
The process is not really ended: `exit_process` records the code instead.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from store.storage import WRITE_GATE
from tui import lifecycle
from tui.lifecycle import HANGUP_EXIT, TERMINATE_EXIT, TerminalWatch

GRACE = 0.3


class FakeApp:
    """Stands in for ClaimdeskApp: records `exit()` (a real app would end `run()`)."""

    def __init__(self) -> None:
        self.exits: list[int | None] = []

    def exit(self, return_code: int | None = None) -> None:
        self.exits.append(return_code)


class Exits:
    """`exit_process` for the watch: records codes; releases the gate a real exit would never give back."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.ended = threading.Event()

    def __call__(self, code: int) -> None:
        self.codes.append(code)
        self.ended.set()
        WRITE_GATE.release()


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


@pytest.fixture
def pty_pair() -> Iterator[list[int]]:
    master, slave = os.openpty()
    fds = [master, slave]
    yield fds
    for fd in fds:
        if fd >= 0:
            os.close(fd)


@pytest.fixture
def watch(loop, pty_pair, monkeypatch) -> Iterator[tuple[TerminalWatch, FakeApp, Exits]]:
    monkeypatch.setattr(lifecycle, "GRACE", GRACE)
    app, exits = FakeApp(), Exits()
    watch = TerminalWatch(app, loop, fds=(pty_pair[1],), exit_process=exits)  # type: ignore[arg-type]
    watch.start()
    yield watch, app, exits
    watch.stop()


def close_terminal(pty_pair: list[int]) -> None:
    os.close(pty_pair[0])
    pty_pair[0] = -1


def test_a_closed_terminal_is_seen_without_any_signal(watch, pty_pair) -> None:
    _, app, exits = watch
    close_terminal(pty_pair)
    assert exits.ended.wait(5)
    assert exits.codes[0] == HANGUP_EXIT and app.exits == []


def test_sighup_ends_the_process(watch) -> None:
    _, _, exits = watch
    os.kill(os.getpid(), signal.SIGHUP)
    assert exits.ended.wait(5)
    assert exits.codes[0] == HANGUP_EXIT


def test_the_exit_waits_for_a_save_in_progress(watch, pty_pair, tmp_path) -> None:
    _, _, exits = watch
    saved = tmp_path / "saved"
    WRITE_GATE.acquire()  # a save is being written, in some thread

    def finish_saving() -> None:
        time.sleep(GRACE * 2)  # longer than the watch's own patience with the event loop
        saved.write_text("done")
        WRITE_GATE.release()

    saver = threading.Thread(target=finish_saving)
    saver.start()
    close_terminal(pty_pair)
    assert exits.ended.wait(10)
    assert saved.exists(), "the process ended before the save in progress was on disk"
    saver.join()


def test_sigterm_asks_the_app_to_exit_normally_first(watch) -> None:
    _, app, exits = watch
    os.kill(os.getpid(), signal.SIGTERM)
    deadline = time.monotonic() + 5
    while not app.exits and time.monotonic() < deadline:
        time.sleep(0.01)
    assert app.exits == [TERMINATE_EXIT]  # restore the terminal, leave run() …
    assert exits.codes == []
    assert exits.ended.wait(5)  # … and had it not ended within GRACE, the process is ended anyway
    assert exits.codes[0] == TERMINATE_EXIT


def test_stop_puts_the_previous_signal_handlers_back(loop, pty_pair) -> None:
    before = signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM)
    watch = TerminalWatch(FakeApp(), loop, fds=(pty_pair[1],), exit_process=Exits())  # type: ignore[arg-type]
    watch.start()
    assert signal.getsignal(signal.SIGHUP) != before[0]
    watch.stop()
    assert (signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM)) == before
