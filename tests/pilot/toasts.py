"""What the analyst reads in notifications: the text of every toast on screen (the app runs with notifications=True)."""

from __future__ import annotations

from typing import Any


def toasts(app: Any) -> str:
    return "\n".join(str(toast.render()) for toast in app.screen.query("Toast"))
