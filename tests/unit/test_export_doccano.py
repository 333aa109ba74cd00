"""doccano: our lines read with doccano's own import rules (doccano 1.8, `backend/data_import`: which
columns it reads, what it keeps as metadata, which overlapping spans it drops), and doccano's JSONL
export of them read back by `claimdesk import --format doccano`. doccano itself is not needed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from store.db import Database
from store.importer import import_lines
from store.model import Credibility
from store.session import Session
from tests.unit.conftest import report_files
from tests.unit.test_export_support import annotation_records, cli, export_text, jsonl

LABEL_COLUMNS = {"doccano": ("label",), "doccano-rel": ("entities", "relations")}


def doccano_reads(line: dict[str, Any], layout: str, allow_overlapping: bool) -> dict[str, Any]:
    """What doccano's importer makes of one line: the example's text and metadata, its spans (after its
    overlap rule) and relations; asserts every rule its readers apply."""
    assert isinstance(line["text"], str) and line["text"]
    spans = []
    for position, raw in enumerate(line[LABEL_COLUMNS[layout][0]]):
        if isinstance(raw, list):
            start, end, label = raw  # SpanLabel.parse: [start_offset, end_offset, label]
            key = position
        else:
            assert set(raw) >= {"id", "label", "start_offset", "end_offset"} and isinstance(raw["id"], int)
            start, end, label, key = raw["start_offset"], raw["end_offset"], raw["label"], raw["id"]
        assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(line["text"])
        assert isinstance(label, str) and label
        spans.append((start, end, label, key))
    kept = spans
    if not allow_overlapping:  # Spans.clean: sorted by start, a span starting before the last kept end is dropped
        kept, last = [], -1
        for span in sorted(spans, key=lambda s: s[0]):
            if span[0] >= last:
                last = span[1]
                kept.append(span)
    relations = line.get("relations", []) if layout == "doccano-rel" else []
    keys = {s[3] for s in spans}
    for relation in relations:
        assert relation["from_id"] in keys and relation["to_id"] in keys and relation["type"]
    meta = {k: v for k, v in line.items() if k not in ("text", *LABEL_COLUMNS[layout])}
    return {"text": line["text"], "spans": kept, "dropped": len(spans) - len(kept), "relations": relations, "meta": meta}


def doccano_exports(lines: list[dict[str, Any]], layout: str, edit: Any = None) -> str:
    """What doccano's JSONL export gives for imported lines: {"id", "text", **metadata, label columns},
    doccano's own span ids, spans sorted as its formatter sorts them, and pandas' JSON (a number column
    with a missing value becomes floats; "/" is escaped)."""
    out = []
    next_id = 1000
    for n, line in enumerate(lines):
        read = doccano_reads(line, layout, allow_overlapping=True)
        spans = [list(s) for s in read["spans"]]
        if edit is not None:
            spans = edit(n, read["text"], spans)
        example: dict[str, Any] = {"id": 50 + n, "text": read["text"], **read["meta"]}
        if n % 2:
            example["paragraph"] = float(example["paragraph"])
        if layout == "doccano":
            example["label"] = sorted((s, e, label) for s, e, label, _ in spans)
        else:
            ids = {}
            entities = []
            for s, e, label, key in spans:
                ids[key] = next_id
                entities.append({"id": next_id, "label": label, "start_offset": s, "end_offset": e})
                next_id += 1
            example["entities"] = entities
            example["relations"] = [
                {"id": 90 + i, "from_id": ids[r["from_id"]], "to_id": ids[r["to_id"]], "type": r["type"]}
                for i, r in enumerate(read["relations"]) if r["from_id"] in ids and r["to_id"] in ids
            ]
        example["Comments"] = []
        out.append(json.dumps(example, ensure_ascii=False).replace("/", "\\/"))
    return "\n".join(out) + "\n"


@pytest.fixture
def fresh(tmp_path) -> Database:
    """A colleague's database: the same report files, no annotations."""
    db = Database(tmp_path / "fresh", reviewer="dora")
    for path in report_files(with_seed=True):
        db.add_report(path)
    return db


@pytest.mark.parametrize("layout", ["doccano", "doccano-rel"])
def test_every_line_is_read_by_doccanos_rules(annotated, layout) -> None:
    records = {r["id"]: r for r in annotation_records(export_text(annotated, "jsonl"))}
    lines = jsonl(export_text(annotated, layout))
    spans = cats = relations = 0
    for line in lines:
        read = doccano_reads(line, layout, allow_overlapping=True)
        metadata = {m["id"]: m for m in read["meta"]["claimdesk"]["annotations"]}
        whole = {i for i, m in metadata.items() if m["start"] is None}
        assert sorted(read["meta"]["cats"]) == sorted(metadata[i]["label"] for i in whole)
        for start, end, label, _ in read["spans"]:
            assert any((m["start"], m["end"], m["label"]) == (start, end, label) for m in metadata.values())
        for annotation_id, meta in metadata.items():  # every field doccano cannot hold travels in the metadata
            record = records[annotation_id]
            for key in ("credibility", "note", "reviewer", "created_at", "updated_at", "claim", "actor"):
                assert meta[key] == record[key]
        spans += len(read["spans"])
        cats += len(whole)
        relations += len(read["relations"])
    assert spans > 200 and cats > 0
    assert (relations > 0) == (layout == "doccano-rel")


def test_a_whole_paragraph_annotation_is_a_category_never_a_span(annotated) -> None:
    for line in jsonl(export_text(annotated, "doccano")):
        whole = [m for m in line["claimdesk"]["annotations"] if m["start"] is None]
        assert len(line["cats"]) == len(whole)
        assert all(not (s == 0 and e == len(line["text"])) for s, e, _ in line["label"]) or not whole


def test_overlaps_are_announced_in_one_line(annotated, tmp_path) -> None:
    lines = jsonl(export_text(annotated, "doccano"))
    dropping = sum(1 for line in lines if doccano_reads(line, "doccano", allow_overlapping=False)["dropped"])
    assert dropping > 0
    result = cli("export", "--db", str(annotated.root), "--format", "doccano", "-o", str(tmp_path / "d.jsonl"))
    warnings = [line for line in result.stderr.splitlines() if "overlapping" in line]
    assert result.exit_code == 0 and len(warnings) == 1
    said = f"{dropping} paragraphs hold" if dropping != 1 else "1 paragraph holds"
    assert f"{said} overlapping spans" in warnings[0] and '"Allow overlapping spans"' in warnings[0]
    with_overlap_off = jsonl(export_text(annotated, "doccano", reports=("field_notes_river_crossing",)))
    assert sum(doccano_reads(line, "doccano", True)["dropped"] for line in with_overlap_off) == 0


@pytest.mark.parametrize("layout", ["doccano", "doccano-rel"])
def test_round_trip_through_doccano_unchanged(annotated, fresh, layout, tmp_path) -> None:
    path = tmp_path / "from-doccano.jsonl"
    path.write_text(doccano_exports(jsonl(export_text(annotated, layout)), layout), encoding="utf-8")
    result = cli("--reviewer", "dora", "import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert result.exit_code == 0, result.stderr
    ours = {r["id"]: r for r in annotation_records(export_text(annotated, "jsonl"))}
    theirs = {r["id"]: r for r in annotation_records(export_text(Database(fresh.root), "jsonl"))}
    assert theirs == ours  # ids, credibility, claimants, notes, reviewers and times all came back
    again = cli("--reviewer", "dora", "import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert f"added 0, updated 0, unchanged {len(ours)}" in again.stdout


def test_work_done_in_doccano_comes_back(annotated, fresh, tmp_path) -> None:
    lines = jsonl(export_text(annotated, "doccano-rel", reports=("dispatch_harbour_drones",)))
    assert import_lines(fresh, [json.dumps(x).encode() for x in jsonl(export_text(annotated, "jsonl"))]).complete
    changed: dict[str, Any] = {}

    def edit(n: int, text: str, spans: list[list[Any]]) -> list[list[Any]]:
        if n == 0:  # relabel the first claim, move the end of the first mention, add a span, delete the last one
            claim = next(s for s in spans if s[2].startswith("CLAIM"))
            claim[2] = "CLAIM_INTENT" if claim[2] == "CLAIM_CAPABILITY" else "CLAIM_CAPABILITY"
            mention = next(s for s in spans if s[2].startswith("ACTOR"))
            mention[1] -= 1
            changed.update(claim=tuple(claim[:3]), mention=tuple(mention[:3]), deleted=tuple(spans[-1][:3]))
            spans = spans[:-1]
            word = text.index(" ", 5) + 1
            spans.append([word, text.index(" ", word), "ACTOR_MEDIA", "new"])
            changed["added"] = (word, text.index(" ", word))
        return spans

    path = tmp_path / "edited.jsonl"
    path.write_text(doccano_exports(lines, "doccano-rel", edit), encoding="utf-8")
    result = cli("--reviewer", "dora", "import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert result.exit_code == 0, result.stderr
    assert "added 1, updated 2," in result.stdout
    assert "did not come back" in result.stderr and "an import never deletes" in result.stderr
    after = {(r["span"]["start"], r["span"]["end"]): r for r in annotation_records(export_text(Database(fresh.root), "jsonl"))
             if r["span"] and r["paragraph"]["number"] == lines[0]["paragraph"] and r["report"]["id"] == "dispatch_harbour_drones"}
    relabelled = after[changed["claim"][:2]]
    assert relabelled["claim"]["type"] == changed["claim"][2].removeprefix("CLAIM_").lower()
    assert (relabelled["reviewer"], relabelled["updated_by"]) == ("alice", "dora")  # alice's annotation, changed by dora
    moved = after[changed["mention"][:2]]
    assert moved["updated_by"] == "dora" and moved["span"]["quote"] == moved["paragraph"]["text"][slice(*changed["mention"][:2])]
    added = after[changed["added"]]
    assert added["actor"]["type"] == "media" and added["reviewer"] == "dora"
    assert changed["deleted"][:2] in after  # deleted in doccano, kept here
    # dora grades the span she added in doccano, then imports the same file again: her grade is kept, and said why
    db = Database(fresh.root, reviewer="dora")
    [new] = [a for a in db.annotations("dispatch_harbour_drones") if a.span and (a.span.start, a.span.end) == changed["added"]]
    Session(db).grade(new, Credibility("B", 2))
    again = cli("--reviewer", "dora", "import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert "kept 1: its annotation was already imported" in again.stdout
    assert "an import of a doccano export only adds annotations" in again.stdout  # named as what was imported


def test_a_change_made_in_both_places_is_a_conflict(annotated, fresh, tmp_path) -> None:
    lines = jsonl(export_text(annotated, "doccano", reports=("dispatch_harbour_drones",)))
    assert import_lines(fresh, [json.dumps(x).encode() for x in jsonl(export_text(annotated, "jsonl"))]).complete
    first_claim = next(m for m in lines[0]["claimdesk"]["annotations"] if m["kind"] == "claim" and m["start"] is not None)
    stored = fresh.annotation("dispatch_harbour_drones", first_claim["id"])
    fresh.save_annotation(stored.evolve(note="edited here after the export"))

    def relabel(n: int, text: str, spans: list[list[Any]]) -> list[list[Any]]:
        for span in spans:
            if n == 0 and (span[0], span[1]) == (first_claim["start"], first_claim["end"]):
                span[2] = "CLAIM_INTENT"
        return spans

    path = tmp_path / "both.jsonl"
    path.write_text(doccano_exports(lines, "doccano", relabel), encoding="utf-8")
    result = cli("import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert result.exit_code == 1 and "conflicts 1" in result.stdout and "changed both in the database" in result.stderr
    assert Database(fresh.root).annotation("dispatch_harbour_drones", first_claim["id"]).note == "edited here after the export"


def test_labels_doccano_users_type(fresh, tmp_path) -> None:
    report = fresh.find_report("dispatch_harbour_drones")
    text = fresh.open_report(report.id).paragraphs[0].text
    line = {"text": text, "label": [[0, 4, "Claim: casualty count"], [5, 9, "actor_armed_group"], [10, 14, "RUMOUR"]],
            "report": report.id, "revision": report.revision, "paragraph": 1}
    path = tmp_path / "hand.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = cli("import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert result.exit_code == 1 and "'RUMOUR' is neither CLAIM_<type> nor ACTOR_<type>" in result.stderr
    line["label"] = line["label"][:2]
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = cli("import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert result.exit_code == 0, result.stderr
    kinds = sorted((a.kind.value, a.claim.type if a.claim else None) for a in Database(fresh.root).annotations(report.id))
    assert kinds == [("actor", None), ("claim", "figure")]


def test_an_intent_detection_project_gives_the_spans_back_without_stale_relations(annotated, fresh, tmp_path) -> None:
    """Read into doccano's "intent detection and slot filling" project, `cats` are real categories and
    `entities` come back as [start, end, label] lists; our `relations` stay metadata naming entity ids
    that no longer exist, and must not be applied to whichever spans now sit at those positions."""
    lines = jsonl(export_text(annotated, "doccano-rel"))
    out = []
    for n, line in enumerate(lines):
        read = doccano_reads(line, "doccano-rel", allow_overlapping=True)
        example = {"id": n, "text": read["text"], **read["meta"], "relations": line["relations"],
                   "entities": sorted([s, e, label] for s, e, label, _ in read["spans"])}
        out.append(json.dumps(example, ensure_ascii=False))
    path = tmp_path / "intent.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    result = cli("--reviewer", "dora", "import", "--db", str(fresh.root), "--format", "doccano", str(path))
    assert result.exit_code == 0, result.stderr
    ours = {r["id"]: r for r in annotation_records(export_text(annotated, "jsonl"))}
    assert {r["id"]: r for r in annotation_records(export_text(Database(fresh.root), "jsonl"))} == ours
