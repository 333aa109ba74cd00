"""Work that comes back from another tool (doccano, Prodigy): one paragraph's spans as the tool
exported them, matched with the claimdesk metadata our export put beside them.

The tools keep a task's extra fields but not each span's, and give spans their own ids, so our
export writes each annotation's record (id, credibility, claimant, reviewer…) in a `claimdesk`
field of the task. Coming back, each span finds its record: by its id when the tool kept one on
the span (Prodigy does), else by the same offsets and label, else by the same offsets and kind,
else by overlapping a record of its kind that no other span took (its edges were moved). A span
left without a record was added in the tool; a record left without a span was deleted there
(an import never deletes: it is reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from store import vocabulary

META_KEY = "claimdesk"


@dataclass
class ReturnedSpan:
    start: int | None  # None: the whole paragraph (a document-level category)
    end: int | None
    kind: str  # "claim" | "actor"
    type: str  # claim type or actor type id
    label: str  # as the tool has it
    key: Any = None  # the tool's id of the span (relations point at it)
    annotation_id: str | None = None  # our id, when the tool kept it on the span


@dataclass
class ReturnedTask:
    text: str
    report: str | None
    revision: str | None
    paragraph: int | None
    spans: list[ReturnedSpan] = field(default_factory=list)
    relations: list[tuple[str, Any, Any]] = field(default_factory=list)  # (type, from key, to key)
    records: list[dict[str, Any]] = field(default_factory=list)  # our metadata, one per exported annotation


class ReturnError(ValueError):
    """This line cannot be read back; the message says why."""


def parse_label(label: Any) -> tuple[str, str]:
    """`CLAIM_FIGURE` → ("claim", "figure"); `ACTOR_ARMED_GROUP` → ("actor", "armed_group"). Labels named
    as the UI does ("Claim: casualty count", "actor armed group or militia") are read too."""
    if not isinstance(label, str) or not label.strip():
        raise ReturnError(f"a span label must be a non-empty string, not {label!r}")
    text = label.strip()
    head, _, rest = text.replace(":", "_").replace(" ", "_").partition("_")
    kind = head.casefold()
    if kind not in ("claim", "actor"):
        raise ReturnError(f"span label {text[:40]!r} is neither CLAIM_<type> nor ACTOR_<type>")
    rest = rest.strip("_ ")
    if not rest:
        return kind, "other"
    try:
        found = vocabulary.claim_type(rest) if kind == "claim" else vocabulary.actor_type(rest)
    except ValueError as error:
        raise ReturnError(f"span label {text[:40]!r}: {error}") from None
    return kind, found


def whole_number(value: Any, name: str, required: bool = True) -> int | None:
    """An offset or number as a tool writes it: an int, or a float with no fraction (pandas writes
    a column with a missing value as floats)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if required:
            raise ReturnError(f"{name} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (isinstance(value, float) and not value.is_integer()):
        raise ReturnError(f"{name} must be a whole number, not {str(value)[:30]!r}")
    return int(value)


def metadata(task: dict[str, Any]) -> list[dict[str, Any]]:
    meta = task.get(META_KEY)
    if not isinstance(meta, dict):
        return []
    records = meta.get("annotations")
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def match(task: ReturnedTask) -> list[tuple[ReturnedSpan, dict[str, Any] | None]]:
    """Each span with the metadata record it came from (None: added in the tool)."""
    free = {id(r): r for r in task.records}
    found: dict[int, dict[str, Any]] = {}

    def take(index: int, record: dict[str, Any]) -> None:
        found[index] = record
        free.pop(id(record), None)

    by_id = {r.get("id"): r for r in task.records if isinstance(r.get("id"), str)}
    for index, span in enumerate(task.spans):
        record = by_id.get(span.annotation_id)
        if record is not None and id(record) in free:
            take(index, record)
    tests = (
        lambda s, r: (r.get("start"), r.get("end"), r.get("label")) == (s.start, s.end, s.label),
        lambda s, r: (r.get("start"), r.get("end"), r.get("kind")) == (s.start, s.end, s.kind),
        lambda s, r: r.get("kind") == s.kind and _overlap(s, r),
    )
    for test in tests:
        for index, span in enumerate(task.spans):
            if index in found:
                continue
            candidates = [r for r in free.values() if test(span, r)]
            if candidates:
                take(index, candidates[0])
    return [(span, found.get(index)) for index, span in enumerate(task.spans)]


def _overlap(span: ReturnedSpan, record: dict[str, Any]) -> bool:
    start, end = record.get("start"), record.get("end")
    if span.start is None or not isinstance(start, int) or not isinstance(end, int) or span.end is None:
        return False
    return span.start < end and start < span.end


def unmatched(task: ReturnedTask, pairs: list[tuple[ReturnedSpan, dict[str, Any] | None]]) -> list[dict[str, Any]]:
    """The metadata records no span came back for (deleted in the tool)."""
    taken = {id(r) for _, r in pairs if r is not None}
    return [r for r in task.records if id(r) not in taken]


__all__ = ["META_KEY", "ReturnError", "ReturnedSpan", "ReturnedTask", "match", "metadata", "parse_label", "unmatched", "whole_number"]
