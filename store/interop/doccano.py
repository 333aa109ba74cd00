"""doccano JSONL, one line (an "example") per paragraph, written to doccano's own import rules
(doccano 1.8, `backend/data_import`) and read back from doccano's JSONL export.

What doccano's importer does with a line:

* `text` is the example; every other key but the label columns is kept as its metadata, and
  doccano's export writes the metadata back as top-level keys (our `id` too, over doccano's own);
* sequence labelling reads `label`: `[start, end, "LABEL"]` lists (or objects with
  `start_offset`, `end_offset`, `label`); relation extraction reads `entities` (objects with an
  integer `id`, `label`, `start_offset`, `end_offset`) and `relations` (`from_id`, `to_id` naming
  entity ids of the same line, `type`); "intent detection and slot filling" reads `cats`
  (document labels) and `entities`;
* unless the project has "Allow overlapping spans" ticked, a span that starts before the end of
  an earlier one is dropped silently.

So: spans are offsets into the paragraph; an annotation on the whole paragraph is a document
category in `cats`, never a span over the whole text; every annotation's claimdesk record
(id, credibility, claimant, reported-by, note, reviewer, times) travels in the `claimdesk`
metadata, so the work comes back with `claimdesk import --format doccano`.
"""

from __future__ import annotations

from typing import Any

from store.interop.relations import relations
from store.interop.returned import (
    META_KEY,
    ReturnedSpan,
    ReturnedTask,
    ReturnError,
    metadata,
    parse_label,
    whole_number,
)
from store.records import SCHEMA, Actors, Entry, encode, paragraph_key, span_label

ANNOTATION_FIELDS = ("claim", "actor", "credibility", "note", "reviewer", "created_at", "updated_at", "updated_by")


def annotation_metadata(entry: Entry) -> dict[str, Any]:
    """What the `claimdesk` metadata says of one annotation (its record, without the paragraph)."""
    record = entry.record
    start, end = (None, None) if entry.whole_paragraph else entry.offsets[:2]
    meta = {"id": entry.id, "kind": entry.kind, "label": span_label(record), "start": start, "end": end}
    meta.update((key, record[key]) for key in ANNOTATION_FIELDS if key in record)
    return meta


def overlapping(entries: list[Entry]) -> bool:
    """Would doccano, without "Allow overlapping spans", drop one of these spans?"""
    last_end = -1
    for start, end in sorted(entry.offsets[:2] for entry in entries if not entry.whole_paragraph):
        if start < last_end:
            return True
        last_end = max(last_end, end)
    return False


def line(group: list[Entry], actors: Actors, relation_layout: bool) -> str:
    """One paragraph's example: `label` (or `entities` and `relations`), `cats` and the metadata."""
    first = group[0]
    spans = [entry for entry in group if not entry.whole_paragraph]
    example: dict[str, Any] = {"id": paragraph_key(first), "text": first.paragraph.text}
    if relation_layout:
        example["entities"] = [
            {"id": n, "label": span_label(entry.record), "start_offset": entry.offsets[0], "end_offset": entry.offsets[1]}
            for n, entry in enumerate(spans, start=1)
        ]
        links = relations(((n, entry, entry.offsets[0]) for n, entry in enumerate(spans, start=1)), actors)
        example["relations"] = [
            {"id": n, "from_id": link.source, "to_id": link.target, "type": link.type} for n, link in enumerate(links, start=1)
        ]
    else:
        example["label"] = [[entry.offsets[0], entry.offsets[1], span_label(entry.record)] for entry in spans]
    example["cats"] = [span_label(entry.record) for entry in group if entry.whole_paragraph]
    example.update({
        "report": first.revision.report.id,
        "revision": first.revision.revision,
        "paragraph": first.paragraph.number,
        META_KEY: {"schema": SCHEMA, "annotations": [annotation_metadata(entry) for entry in group]},
    })
    return encode(example) + "\n"


def read_line(task: dict[str, Any]) -> ReturnedTask:
    """One line of doccano's JSONL export (sequence labelling, relation extraction, or intent
    detection), or of our own doccano export, as spans to match with their metadata."""
    text = task.get("text", task.get("data"))
    if not isinstance(text, str) or not text:
        raise ReturnError('no "text" (is this a doccano export?)')
    report, revision, number = _place(task)
    returned = ReturnedTask(text, report, revision, number, records=metadata(task))
    raw_spans = task.get("entities") if task.get("entities") is not None else task.get("label")
    if raw_spans is None:
        raw_spans = []
    if not isinstance(raw_spans, list):
        raise ReturnError('"label" / "entities" must be a list of spans')
    for position, raw in enumerate(raw_spans, start=1):
        returned.spans.append(_span(raw, position, len(text)))
    cats = task.get("cats")
    if isinstance(cats, list):
        for cat in cats:
            kind, type_ = parse_label(cat)
            returned.spans.append(ReturnedSpan(None, None, kind, type_, str(cat).strip()))
    links = task.get("relations")
    # Relations name entity ids; when the spans come as [start, end, label] lists (an intent detection
    # project keeps our `relations` as metadata), those ids name nothing any more.
    by_id = all(isinstance(raw, dict) and "id" in raw for raw in raw_spans)
    if isinstance(links, list) and by_id:
        for raw in links:
            if not isinstance(raw, dict):
                raise ReturnError("a relation must be an object with from_id, to_id and type")
            returned.relations.append((str(raw.get("type", "")), raw.get("from_id"), raw.get("to_id")))
    return returned


def _span(raw: Any, position: int, length: int) -> ReturnedSpan:
    if isinstance(raw, list | tuple) and len(raw) == 3:
        start, end, label, key = raw[0], raw[1], raw[2], position
    elif isinstance(raw, dict):
        start, end, label = raw.get("start_offset"), raw.get("end_offset"), raw.get("label")
        key = raw.get("id", position)
    else:
        raise ReturnError(f"span {position} is neither [start, end, label] nor an object with start_offset, end_offset, label")
    begin = whole_number(start, f"span {position}'s start")
    finish = whole_number(end, f"span {position}'s end")
    assert begin is not None and finish is not None
    if not 0 <= begin < finish <= length:
        raise ReturnError(f"span {position} ({begin}-{finish}) is outside a text of {length} characters")
    kind, type_ = parse_label(label)
    return ReturnedSpan(begin, finish, kind, type_, str(label).strip(), key)


def _place(task: dict[str, Any]) -> tuple[str | None, str | None, int | None]:
    """The report, revision and paragraph an example came from: our keys, else our `id`."""
    report, revision = task.get("report"), task.get("revision")
    number = whole_number(task.get("paragraph"), "paragraph", required=False)
    key = task.get("id")
    if (not isinstance(report, str) or number is None) and isinstance(key, str) and key.count(":") >= 2:
        head, rev, tail = key.rsplit(":", 2)
        report = report if isinstance(report, str) else head
        revision = revision if isinstance(revision, str) else rev
        number = number if number is not None else whole_number(int(tail) if tail.isdigit() else None, "paragraph", False)
    return (report if isinstance(report, str) else None, revision if isinstance(revision, str) else None, number)


__all__ = ["annotation_metadata", "line", "overlapping", "read_line"]
