"""The one way the TUI handles a change the session could not save. Every screen goes through `attempt`.

A change is never dropped silently and the analyst's input is never lost:

* saved → `done(saved)` (the screen shows the new state);
* someone else changed it (`ConflictError`) → their version and mine side by side:
  keep mine writes mine over theirs, take theirs reloads what is stored, cancel
  writes nothing (a form reopens with what was typed);
* a rule refuses it (`IntegrityError`) or an undo is stale (`StaleUndo`) → one line saying why;
* anything else (disk full, a lock held too long, read-only) → a form reopens with
  what was typed and the error (ctrl+s tries again); any other change offers Retry.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from textual.message_pump import MessagePump
from textual.screen import Screen

from store.errors import ConflictError, IntegrityError, ReadOnlyError, StaleUndo, StoreError
from store.session import Session

T = TypeVar("T")


def attempt(
    screen: Screen[Any],
    session: Session,
    what: str,
    operation: Callable[[], T],
    done: Callable[[T], None],
    *,
    reopen: Callable[[str], None] | None = None,
    reload: Callable[[], None] | None = None,
    refused: Callable[[IntegrityError], None] | None = None,
    actor_name: Callable[[str | None], str] | None = None,
) -> None:
    """Run `operation` (a session call); handle every way it can fail as the module docstring says.

    `reopen(error)` reopens the form the input came from; `reload()` re-reads the stored
    state (after "take theirs"); `refused(error)` shows what a rule pointed at.
    """
    try:
        result = operation()
    except ConflictError as error:
        _conflict(screen, session, what, error, done, reopen, reload, actor_name)
        return
    except (IntegrityError, StaleUndo) as error:
        screen.notify(str(error), title=what, severity="warning", markup=False, timeout=8)
        if isinstance(error, IntegrityError) and reopen is not None:
            reopen(f"Not saved: {error}")  # a form: what was typed comes back, to be put right
        elif isinstance(error, IntegrityError) and refused is not None:
            refused(error)
        return
    except StoreError as error:
        screen.notify(f"Not saved — {error}", title=what, severity="error", markup=False, timeout=15)
        if reopen is not None:
            retry = "" if isinstance(error, ReadOnlyError) else " — ctrl+s tries again"
            reopen(f"Not saved: {error}{retry}")
            return
        if isinstance(error, ReadOnlyError):
            return

        def answered(again: bool | None) -> None:
            if again:
                attempt(screen, session, what, operation, done, reopen=reopen, reload=reload, refused=refused, actor_name=actor_name)

        from tui.dialogs.confirm import ConfirmDialog

        question = f"{what} was not saved:\n{error}\n\nTry again?"
        screen.app.push_screen(ConfirmDialog(question, yes="Retry", no="Give up", unasked=True), answered)
        return
    done(result)


def _conflict(
    screen: Screen[Any],
    session: Session,
    what: str,
    error: ConflictError,
    done: Callable[[Any], None],
    reopen: Callable[[str], None] | None,
    reload: Callable[[], None] | None,
    actor_name: Callable[[str | None], str] | None,
) -> None:
    from store.conflicts import describe
    from tui.dialogs.conflict import ConflictDialog

    def name(actor_id: str | None) -> str:
        if actor_id is None:
            return "—"
        if actor_name is not None:
            return actor_name(actor_id)
        try:
            return session.actor(actor_id).name
        except StoreError:
            return "(removed actor)"

    def answered(choice: str | None) -> None:
        if choice == "mine":
            attempt(screen, session, what, lambda: session.keep_mine(error), done, reopen=reopen, reload=reload, actor_name=actor_name)
        elif choice == "theirs":
            if reload is not None:
                reload()
            screen.notify("Kept the stored version; yours was not written", title=what, markup=False, timeout=6)
        elif reopen is not None:
            reopen(f"Not saved: {error}")

    screen.app.push_screen(ConflictDialog(what, describe(error, name)), answered)


class Answered:
    """Changes whose answer is already on screen: each saved just after that frame, and before the next input.

    `space` moves on to the next paragraph and a grade closes its GRADE line in the frame that answers the
    key; the save (a durable replace of one shard: create, write, fsync, rename, fsync the folder — one to
    two milliseconds) follows that frame, and what says the change is saved (the ✓, the reviewed count,
    "Graded B2") is drawn only once it is on disk (issue 18). The app calls `save_now` before it handles the
    next key, click or paste and before it exits, so no change waits behind a later one and none is lost:
    `u` right after `space` undoes that mark. A save that fails is handled as any other (`attempt`).
    """

    def __init__(self) -> None:
        self._waiting: deque[Callable[[], None]] = deque()

    def add(self, node: MessagePump, save: Callable[[], None]) -> None:
        """Save with `save()` once the frame now being drawn is on screen (or sooner: see `save_now`)."""
        self._waiting.append(save)
        node.call_after_refresh(self.save_now)

    def save_now(self) -> None:
        """Run every save still waiting, in the order they were asked for."""
        while self._waiting:
            self._waiting.popleft()()
