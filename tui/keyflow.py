"""Keys handled one at a time, in the order they were typed, however fast they come.

Over SSH, and from fast typists, keys arrive in bursts. Textual hands each key to
the focused widget at once and runs the bindings only when the key has bubbled
back up to the app, so within a burst a binding can run after the characters that
were typed after it (`mem` enter `c3` in a form typed `memc3` into the field before
enter took the highlighted actor), and keys typed just after the key that opens a
form reach the text behind it, or a form not yet built, and are lost.

`KeyFlow` makes the app take one key at a time: a key handed to a widget is
followed by a `KeyDone` message along the same path; until it has bubbled back to
the app (the key and every binding it ran are done) the next keys wait, as they do
while the screen on top is still being built. What the key set going on its way
(an input's `Submitted`, a field's `Accepted`, which moves the focus) travels the
same path just behind: while a widget on the path still has messages waiting,
the `KeyDone` goes round once more, behind them. A key that a priority binding
took needs no wait. A watchdog lets the keys go if a `KeyDone` never comes back
(its widget was removed by the key itself).
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

POLL = 0.005  # seconds between looks at a screen being built
WATCHDOG = 0.25  # a key whose KeyDone has not come back after this long is taken as done
HOLD_LIMIT = 2.0  # keys never wait longer than this for a screen to be built
MAX_ROUNDS = 8  # a KeyDone goes round at most this often behind what its key set going


class KeyDone(Message):
    """Follows a key to the widget it was handed to; back at the app, that key has been handled."""

    def __init__(self, key: int, target: DOMNode, rounds: int = 1) -> None:
        super().__init__()
        self.key = key  # which key it follows (a late one, after the watchdog, is ignored)
        self.target = target
        self.rounds = rounds


def _busy(node: DOMNode | None, app: App[None]) -> bool:
    """Has a widget between `node` and the app (the app left out) still messages waiting?"""
    while node is not None and node is not app:
        if node.message_queue_size:
            return True
        node = node.parent
    return False


class KeyFlow:
    def __init__(self, app: App[None]) -> None:
        self.app = app
        self.waiting: deque[events.Key] = deque()
        self.in_flight: float | None = None  # when the key being handled was handed on
        self.released: events.Key | None = None  # the waiting key handed back to the app, not yet taken
        self.since = 0.0
        self.key = 0  # counts the keys handed on

    def must_wait(self, event: events.Key) -> bool:
        """Should this key wait its turn? (A released key is the head of the line: it goes.)"""
        if event is self.released:
            self.released = None
            return False
        return bool(self.waiting) or self.released is not None or self.in_flight is not None or not self.app.screen.is_mounted

    def wait(self, event: events.Key) -> None:
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append(events.Key(event.key, event.character))
        if self.in_flight is None and self.released is None:
            self.app.set_timer(POLL, self.release)

    def handed(self, event: events.Key, target: DOMNode | None) -> None:
        """The app has handled `event`: handed to `target` (follow it), or taken by a priority binding (next)."""
        if event.is_forwarded and target is not None:
            self.key += 1
            self.follow(target, 1)
        else:
            self.release()

    def done(self, message: KeyDone) -> None:
        """A KeyDone is back: the key is handled, unless what it set going is still on its way."""
        if message.key != self.key or self.in_flight is None:
            return
        target = message.target
        if message.rounds < MAX_ROUNDS and target.is_attached and (_busy(target, self.app) or _busy(self.app.focused, self.app)):
            self.follow(target, message.rounds + 1)
            return
        self.in_flight = None
        self.release()

    def follow(self, target: DOMNode, rounds: int) -> None:
        self.in_flight = time.monotonic()
        target.post_message(KeyDone(self.key, target, rounds))
        self.app.set_timer(WATCHDOG, self.watchdog)

    def watchdog(self) -> None:
        if self.in_flight is not None and time.monotonic() - self.in_flight >= WATCHDOG:
            self.in_flight = None
            self.release()

    def release(self) -> None:
        """Hand the next waiting key back to the app, once the screen on top is built."""
        if self.in_flight is not None or self.released is not None or not self.waiting:
            return
        if not self.app.screen.is_mounted and time.monotonic() - self.since < HOLD_LIMIT:
            self.app.set_timer(POLL, self.release)
            return
        self.released = self.waiting.popleft()
        self.app.post_message(self.released)
