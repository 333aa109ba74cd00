"""What the report screen gives the parts mixed into it (tui/screens/report_offers.py, report_orphans.py).

`ReportScreen` (tui/screens/report.py) owns the data and the selection; each
part declares here, once, what of it it uses, so the parts type-check on their
own and the screen module stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from store.db import OpenReport
from store.session import Saved, Session


class ReportPart(Screen[None]):
    session: Session
    report_id: str
    opened: OpenReport

    @property
    def selecting(self) -> bool:
        raise NotImplementedError

    def attempt(
        self,
        what: str,
        operation: Callable[[], Saved[Any]],
        message: str | Callable[[Saved[Any]], str] | None = None,
        reopen: Callable[[str], None] | None = None,
        after: Callable[[Saved[Any]], None] | None = None,
    ) -> None:
        """Ask the session for a change and show it once saved (tui.saving.attempt handles every failure)."""
        raise NotImplementedError


__all__ = ["ReportPart"]
