"""`claimdesk stats`: progress and annotation counts per report."""

from __future__ import annotations
