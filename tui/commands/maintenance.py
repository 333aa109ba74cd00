"""`claimdesk stats` and `doctor`: looking at and repairing a database."""

from __future__ import annotations
