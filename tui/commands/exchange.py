"""`claimdesk export`, `import` and `schema`: annotations in and out of the database."""

from __future__ import annotations
