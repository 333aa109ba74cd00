"""Running the app on a real terminal: hang-ups, terminations and a closed stdin end it cleanly.

Textual installs no SIGHUP handler: an SSH drop would leave the process running
(and its input thread spinning on EOF). Every change is already on disk when the
UI acknowledges it, so on SIGHUP/SIGTERM we only need to exit promptly; locks are
flock-based and die with the process, so none is left stale.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tui.app import ClaimdeskApp

HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def install_signal_handlers(app: ClaimdeskApp) -> None:
    loop = asyncio.get_running_loop()
    for signum in HANGUP_SIGNALS:
        loop.add_signal_handler(signum, _hang_up, app, signum)


def _hang_up(app: ClaimdeskApp, signum: int) -> None:
    app.hung_up = True  # type: ignore[attr-defined]
    app.exit(return_code=128 + signum)


def run_app(app: ClaimdeskApp) -> None:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise SystemExit("claimdesk: error: the TUI needs a terminal (use add/parse/export/stats for scripts)")
    app.call_later(install_signal_handlers, app)
    app.run()
    code = app.return_code or 0
    if getattr(app, "hung_up", False):
        os._exit(code)  # the terminal is gone: do not try to restore it
    sys.exit(code)
