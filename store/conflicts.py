"""What differs between my version of a document and the one stored now: the rows of a conflict dialog.

Plain Python, so the TUI's dialog only shows rows and the CLI could print them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from store.errors import ConflictError
from store.model import ACTOR_TYPES, CLAIM_TYPES, credibility_code

ActorName = Callable[[str | None], str]


@dataclass(frozen=True)
class Difference:
    field: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class ConflictView:
    """One conflicting document, in the analyst's words."""

    title: str  # "Claim in ¶3", "Actor “Hamas”"
    changed_by: str  # "bob at 2026-11-29 10:42" or "deleted by someone else"
    differences: tuple[Difference, ...]


def _claim(doc: dict[str, Any], field: str) -> Any:
    claim = doc.get("claim")
    return claim.get(field) if isinstance(claim, dict) else None


def _annotation_fields(name: ActorName) -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    return [
        ("claim text", lambda d: str(_claim(d, "text") or "")),
        ("type", lambda d: CLAIM_TYPES.get(str(_claim(d, "type")), "") if d.get("kind") == "claim" else ""),
        ("claimant", lambda d: name(_claim(d, "claimant")) if _claim(d, "claimant") else "—"),
        ("reported by", lambda d: name(_claim(d, "reported_by")) if _claim(d, "reported_by") else "—"),
        ("actor", lambda d: name(d.get("actor_id")) if d.get("actor_id") else ""),
        ("grade", lambda d: credibility_code(d)),
        ("note", lambda d: str(d.get("note") or "")),
        ("span", lambda d: _span(d)),
    ]


def _span(doc: dict[str, Any]) -> str:
    span = doc.get("span")
    if not isinstance(span, dict):
        return "whole paragraph"
    return f"{span.get('start')}–{span.get('end')} “{' '.join(str(span.get('quote', '')).split())[:60]}”"


def _actor_fields(name: ActorName) -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    return [
        ("name", lambda d: str(d.get("name", ""))),
        ("type", lambda d: ACTOR_TYPES.get(str(d.get("type")), str(d.get("type", "")))),
        ("affiliation", lambda d: name(d.get("affiliation")) if d.get("affiliation") else "—"),
        ("aliases", lambda d: ", ".join(d.get("aliases") or []) or "—"),
        ("note", lambda d: str(d.get("note") or "")),
    ]


def describe(error: ConflictError, actor_name: ActorName) -> list[ConflictView]:
    """Each conflicting document with the fields where mine and theirs differ."""
    views: list[ConflictView] = []
    for entity, _key, mine, theirs in error.conflicts:
        sample = mine or theirs or {}
        if entity == "annotation":
            kind = "Claim" if sample.get("kind") == "claim" else "Actor mention"
            title = f"{kind} in ¶{sample.get('paragraph', '?')}"
            fields = _annotation_fields(actor_name)
        elif entity == "actor":
            title = f"Actor “{sample.get('name', '?')}”"
            fields = _actor_fields(actor_name)
        else:
            title = f"Mark of ¶{sample.get('paragraph', '?')}"
            fields = [
                ("reviewed", lambda d: "yes" if d.get("reviewed") else "no"),
                ("flagged", lambda d: "yes" if d.get("flagged") else "no"),
            ]
        if theirs is None:
            changed_by = "deleted by someone else"
            rows = [Difference("(all)", "your version", "deleted")]
        else:
            who = theirs.get("updated_by") or theirs.get("reviewer") or "someone else"
            when = str(theirs.get("updated_at", ""))[:16].replace("T", " ")
            changed_by = f"{who} at {when}" if when else str(who)
            if mine is None:
                rows = [Difference("(all)", "deleted (your change)", "changed by them")]
            else:
                rows = [Difference(label, get(mine), get(theirs)) for label, get in fields if get(mine) != get(theirs)]
        views.append(ConflictView(title, changed_by, tuple(rows)))
    return views
