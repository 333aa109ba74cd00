"""Prodigy span tasks: one task per paragraph per reviewer, with `tokens` cut as spaCy's blank
English tokenizer cuts them (`store.interop.tokens`) and every span on token boundaries, and
read back from `prodigy db-out`.

The task format Prodigy documents: `text`; `tokens` (`text`, `start`, `end`, `id`, `ws`);
`spans` (`start`, `end`, `token_start`, `token_end` (inclusive), `label`); `answer`;
`_annotator_id` and `_session_id`. Spans may overlap: such tasks are span-categorisation data
(`prodigy train --spancat`, spans under `doc.spans["sc"]`), not NER data. No `_input_hash` or
`_task_hash`: Prodigy computes them with its own function when the file goes in (`prodigy db-in`).
"""

from __future__ import annotations

from typing import Any

from store.interop.returned import META_KEY, ReturnedSpan, ReturnedTask, ReturnError, metadata, parse_label, whole_number
from store.interop.tokens import tokenize
from store.records import SCHEMA, Entry, encode, span_label

META_FIELDS = ("claim", "actor", "credibility", "note", "reviewer", "created_at", "updated_at", "updated_by")


def _metadata(entry: Entry) -> dict[str, Any]:
    record = entry.record
    start, end = (None, None) if entry.whole_paragraph else entry.offsets[:2]
    meta = {"id": entry.id, "kind": entry.kind, "label": span_label(record), "start": start, "end": end}
    meta.update((key, record[key]) for key in META_FIELDS if key in record)
    return meta


def tasks(group: list[Entry]) -> list[str]:
    """One paragraph's tasks, one per reviewer (in the order of their first annotation)."""
    by_reviewer: dict[str, list[Entry]] = {}
    for entry in group:
        by_reviewer.setdefault(entry.record["reviewer"], []).append(entry)
    return [task(entries) for entries in by_reviewer.values()]


def task(entries: list[Entry]) -> str:
    first = entries[0]
    text = first.paragraph.text
    tokens = tokenize(text, [entry.offsets[:2] for entry in entries])
    index_of_start = {token.start: n for n, token in enumerate(tokens)}
    index_of_end = {token.end: n for n, token in enumerate(tokens)}
    spans = []
    for entry in sorted(entries, key=lambda e: e.offsets[:2]):
        start, end, quote = entry.offsets
        record = entry.record
        claim = record["claim"] or {}
        span = {
            "start": start, "end": end, "token_start": index_of_start[start], "token_end": index_of_end[end],
            "label": span_label(record), "text": quote, "id": entry.id,
            "credibility": record["credibility"]["code"] if record["credibility"] else None,
        }
        if entry.kind == "claim":
            span.update(claimant=claim.get("claimant"), reported_by=claim.get("reported_by"))
        else:
            span["actor"] = record["actor"]["name"] if record["actor"] else None
        if entry.whole_paragraph:
            span["whole_paragraph"] = True
        spans.append(span)
    reviewer = first.record["reviewer"]
    return encode({
        "text": text,
        "tokens": [
            {"text": text[t.start:t.end], "start": t.start, "end": t.end, "id": n, "ws": t.ws} for n, t in enumerate(tokens)
        ],
        "spans": spans,
        "answer": "accept",
        "_annotator_id": reviewer,
        "_session_id": f"claimdesk-{reviewer}",
        "meta": {"report": first.revision.report.id, "revision": first.revision.revision, "paragraph": first.paragraph.number},
        META_KEY: {"schema": SCHEMA, "annotations": [_metadata(entry) for entry in entries]},
    }) + "\n"


def read_line(task: dict[str, Any]) -> ReturnedTask:
    """One task of `prodigy db-out` (or of our own export) as spans to match with their metadata."""
    text = task.get("text")
    if not isinstance(text, str) or not text:
        raise ReturnError('no "text" (is this a Prodigy task?)')
    meta: dict[str, Any] = task["meta"] if isinstance(task.get("meta"), dict) else {}
    report, revision = meta.get("report"), meta.get("revision")
    number = whole_number(meta.get("paragraph"), "meta.paragraph", required=False)
    returned = ReturnedTask(
        text, report if isinstance(report, str) else None, revision if isinstance(revision, str) else None, number,
        records=metadata(task),
    )
    whole = {r.get("id") for r in returned.records if r.get("start") is None}
    raw_spans = task.get("spans") or []
    if not isinstance(raw_spans, list):
        raise ReturnError('"spans" must be a list')
    for position, raw in enumerate(raw_spans, start=1):
        if not isinstance(raw, dict):
            raise ReturnError(f"span {position} is not an object with start, end and label")
        start = whole_number(raw.get("start"), f"span {position}'s start")
        end = whole_number(raw.get("end"), f"span {position}'s end")
        assert start is not None and end is not None
        if not 0 <= start < end <= len(text):
            raise ReturnError(f"span {position} ({start}-{end}) is outside a text of {len(text)} characters")
        kind, type_ = parse_label(raw.get("label"))
        annotation_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        if (start, end) == (0, len(text)) and (raw.get("whole_paragraph") is True or annotation_id in whole):
            begin, finish = None, None
        else:
            begin, finish = start, end
        returned.spans.append(ReturnedSpan(begin, finish, kind, type_, str(raw.get("label")).strip(), position, annotation_id))
    return returned


__all__ = ["read_line", "task", "tasks"]
