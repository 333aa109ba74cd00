"""A claim form's draft as kept on disk (store/workstate.py) and read back: plain JSON, checked on the way in.

A draft says what the form held (text, type, claimant, reported-by, note,
grade) and what it was for (the paragraph, the span, the claim being edited),
so the report screen can reopen the same form next time. What is read back is
untrusted: a draft whose paragraph or span no longer fits the report, or whose
fields are not what they should be, is dropped; an actor that no longer exists
is left out (the analyst picks again).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.model import ACTOR_TYPES, CLAIM_TYPES, Actor, ActorChoice, Annotation, Credibility, NewActor, Paragraph, Span
from store.text import clean_line
from tui.dialogs.claim_form import ClaimDraft


def draft_key(paragraph: int, span: Span | None, existing: Annotation | None) -> str:
    """What a form is for: a new claim on a place, or the edit of one claim."""
    if existing is not None:
        return f"claim:edit:{existing.id}"
    where = f"{span.start}-{span.end}" if span else "whole"
    return f"claim:new:{paragraph}:{where}"


def _choice_to_json(choice: ActorChoice | None) -> Any:
    if isinstance(choice, NewActor):
        return {"new": choice.name, "type": choice.type}
    return choice


def _choice_from_json(value: Any, actors: dict[str, Actor]) -> ActorChoice | None:
    if isinstance(value, str):
        return value if value in actors else None
    if isinstance(value, dict) and isinstance(value.get("new"), str) and value.get("type") in ACTOR_TYPES:
        name = clean_line(value["new"])[:200]
        return NewActor(name, value["type"]) if name else None
    return None


def to_dict(draft: ClaimDraft, paragraph: int, span: Span | None, existing: Annotation | None) -> dict[str, Any]:
    return {
        "kind": "claim",
        "paragraph": paragraph,
        "span": [span.start, span.end] if span else None,
        "annotation": existing.id if existing else None,
        "text": draft.text,
        "type": draft.type,
        "claimant": _choice_to_json(draft.claimant),
        "reported_by": _choice_to_json(draft.reported_by),
        "note": draft.note,
        "credibility": draft.credibility.code if draft.credibility and draft.credibility.is_set else None,
        "heading": draft.heading,
        "offered": list(draft.offered),
    }


def from_dict(
    data: dict[str, Any],
    paragraphs: Sequence[Paragraph],
    annotations: dict[str, Annotation],
    actors: dict[str, Actor],
) -> tuple[ClaimDraft, int, Span | None, Annotation | None] | None:
    """(draft, paragraph, span, annotation being edited), or None if the draft no longer fits the report."""
    paragraph = data.get("paragraph")
    if data.get("kind") != "claim" or not isinstance(paragraph, int) or not 1 <= paragraph <= len(paragraphs):
        return None
    text_of_paragraph = paragraphs[paragraph - 1].text
    span: Span | None = None
    raw_span = data.get("span")
    if raw_span is not None:
        if not (isinstance(raw_span, list) and len(raw_span) == 2 and all(isinstance(n, int) for n in raw_span)):
            return None
        start, end = raw_span
        if not 0 <= start < end <= len(text_of_paragraph):
            return None
        span = Span.of(text_of_paragraph, start, end)
    existing = None
    if data.get("annotation") is not None:
        existing = annotations.get(str(data["annotation"]))
        if existing is None:
            return None  # the claim being edited is gone
    text = data.get("text")
    if not isinstance(text, str):
        return None
    claim_type = data.get("type") if data.get("type") in CLAIM_TYPES else "other"
    grade = None
    if isinstance(data.get("credibility"), str):
        code = data["credibility"]
        try:
            grade = Credibility(code[0] if code[:1] in "ABCDEF" else None, int(code[1]) if code[1:2] in "123456" else None)
        except (ValueError, IndexError):
            grade = None
    raw_offered = data.get("offered")
    offered = tuple(a for a in raw_offered if isinstance(a, str) and a in actors) if isinstance(raw_offered, list) else ()
    heading = data.get("heading") if isinstance(data.get("heading"), str) else f"Claim · ¶{paragraph}"
    draft = ClaimDraft(
        text=clean_line(text),
        type=str(claim_type),
        claimant=_choice_from_json(data.get("claimant"), actors),
        reported_by=_choice_from_json(data.get("reported_by"), actors),
        note=clean_line(data["note"]) if isinstance(data.get("note"), str) else "",
        credibility=grade if grade and grade.is_set else None,
        heading=clean_line(str(heading))[:200] + " (draft)",
        quote=span.quote if span else None,
        offered=offered,
    )
    return draft, paragraph, span, existing
