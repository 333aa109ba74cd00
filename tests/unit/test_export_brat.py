"""brat: our folder read back with brat's own documented rules (its configuration grammar as
`server/src/projectconfig.py` parses it, the standoff line formats, the checks of
`verify_annotations.py`), written here from those rules; brat itself is not needed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from store import export
from tests.unit.test_export_support import annotation_records, export_text

STORAGE_FORM = re.compile(r"^[a-zA-Z0-9_-]+$")
ARGUMENT = re.compile(r"^(\S*?):(\S*)$")  # brat reads every argument of a configuration line with this
RESERVED = {f"<{n}>" for n in ("ANY", "ENTITY", "RELATION", "EVENT", "NONE", "EMPTY", "REL-TYPE", "URL", "URLBASE", "UNICODE",
                               "GLYPH-POS", "DEFAULT", "NORM", "OVERLAP", "OVL-TYPE", "INHERIT")}
T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t([^\t\n]*)$")
A_LINE = re.compile(r"^(A\d+)\t(\S+) (T\d+) (\S+)$")
R_LINE = re.compile(r"^(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)$")
NOTE_LINE = re.compile(r"^(#\d+)\tAnnotatorNotes (T\d+)\t([^\t\n]*)$")


def read_conf(text: str, tab_only: set[str] = frozenset()) -> dict[str, list[tuple[list[str], dict[str, list[str]]]]]:
    """A brat configuration file as projectconfig reads it: sections of (terms, arguments) lines.
    Fails on everything that would make brat warn or fall back to its default configuration."""
    sections: dict[str, list[tuple[list[str], dict[str, list[str]]]]] = {}
    section = None
    for line in text.split("\n"):
        if not line.strip() or re.match(r"^\s*#", line):
            continue
        heading = re.match(r"^\s*\[(.*)\]\s*$", line)
        if heading:
            section = heading.group(1)
            assert section not in sections, f"[{section}] twice"
            sections[section] = []
            continue
        assert section is not None, f"a line before any section: {line!r}"
        for macro in re.findall(r"(<.*?>)", line):
            assert macro in RESERVED, f"undefined macro {macro} in {line!r}"
        if section in tab_only:
            match = re.match(r"^(\s*)([^\t]+)(?:\t(.*))?$", line)
        else:
            match = re.match(r"^(\s*)(\S+)(?:\s+(.*))?$", line)
        assert match, f"brat cannot parse {line!r}"
        indent, terms_text, args_text = match.groups()
        assert indent == "", f"no hierarchy is written: {line!r}"
        terms = [t.strip() for t in terms_text.split("|") if t.strip()]
        assert terms and (STORAGE_FORM.match(terms[0]) or terms[0] in RESERVED), f"{terms[0]!r} is not a storage form"
        args: dict[str, list[str]] = {}
        for arg in (a.strip() for a in (args_text or "").split(",") if a.strip()):
            parsed = ARGUMENT.match(arg)
            assert parsed, f"brat fails to parse the argument {arg!r} and falls back to its default configuration"
            key, values = parsed.groups()
            assert key not in args, f"argument {key} twice in {line!r}"
            args[key] = values.split("|")
            assert all(v.strip() for v in args[key]), f"an empty value in {arg!r}"
        sections[section].append((terms, args))
    return sections


@pytest.fixture(scope="module")
def folder(annotated: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("brat")
    result = export.write_brat(annotated, target)
    assert result.problems == []
    return target


@pytest.fixture(scope="module")
def conf(folder: Path) -> dict[str, Any]:
    sections = read_conf((folder / "annotation.conf").read_text(encoding="utf-8"))
    assert set(sections) == {"entities", "relations", "events", "attributes"}
    entities = [terms[0] for terms, _ in sections["entities"]]
    relations = {terms[0]: args for terms, args in sections["relations"]}
    attributes = {terms[0]: args for terms, args in sections["attributes"]}
    return {"entities": entities, "relations": relations, "attributes": attributes}


def allows(types: list[str], entity: str, entities: list[str]) -> bool:
    return entity in types or "<ANY>" in types or ("<ENTITY>" in types and entity in entities)


class TestConfiguration:
    def test_parses_with_no_fallback(self, conf) -> None:
        assert conf["entities"][0] == "Claim" and len(conf["entities"]) == 9  # claims and every actor type
        assert set(conf["relations"]) == {"Claimant", "ReportedBy", "Affiliation", "<OVERLAP>"}
        assert set(conf["attributes"]) == {"Reliability", "Credibility", "ClaimType"}

    def test_relations_name_declared_types(self, conf) -> None:
        actors = [e for e in conf["entities"] if e != "Claim"]
        for name, args in conf["relations"].items():
            for key in ("Arg1", "Arg2"):
                assert all(t in conf["entities"] or t in RESERVED for t in args[key]), (name, key)
        assert conf["relations"]["Claimant"] == {"Arg1": ["Claim"], "Arg2": actors}
        assert conf["relations"]["Affiliation"] == {"Arg1": actors, "Arg2": actors}
        assert conf["relations"]["<OVERLAP>"]["<OVL-TYPE>"] == ["<ANY>"]

    def test_attribute_values_are_lists_without_spaces(self, conf) -> None:
        assert conf["attributes"]["Reliability"]["Value"] == list("ABCDEF")
        assert conf["attributes"]["Credibility"]["Value"] == ["1", "2", "3", "4", "5", "6"]
        claim_types = ["event", "capability", "intent", "statement", "figure", "other"]
        assert conf["attributes"]["ClaimType"] == {"Arg": ["Claim"], "Value": claim_types}

    def test_visual_conf_labels_every_type(self, folder, conf) -> None:
        visual = read_conf((folder / "visual.conf").read_text(encoding="utf-8"), tab_only={"labels"})
        assert set(visual) == {"labels", "drawing"}
        labelled = {terms[0] for terms, _ in visual["labels"]}
        declared = set(conf["entities"]) | {r for r in conf["relations"] if r not in RESERVED} | set(conf["attributes"])
        assert labelled == declared
        drawn = {terms[0]: args for terms, args in visual["drawing"]}
        assert {"SPAN_DEFAULT", "ARC_DEFAULT", "ATTRIBUTE_DEFAULT"} <= set(drawn)
        for attribute, args in conf["attributes"].items():  # one glyph per value of a multi-valued attribute
            assert len(drawn[attribute]["glyph"]) == len(args["Value"])


class TestStandoff:
    def test_every_line_follows_the_format_and_the_configuration(self, folder, conf) -> None:
        checked = 0
        for ann_path in sorted(folder.glob("*.ann")):
            text = ann_path.with_suffix(".txt").read_text(encoding="utf-8")
            spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
            ids: set[str] = set()
            for line in ann_path.read_text(encoding="utf-8").split("\n")[:-1]:
                tag = line.split("\t", 1)[0]
                assert tag not in ids, f"{ann_path.name}: {tag} twice"
                ids.add(tag)
                if line.startswith("T"):
                    match = T_LINE.match(line)
                    assert match, line
                    _, kind, offsets, shown = match.groups()
                    pieces = [(int(s), int(e)) for s, e in (o.split(" ") for o in offsets.split(";"))]
                    assert kind in conf["entities"]
                    assert all(s < e for s, e in pieces) and " ".join(text[s:e] for s, e in pieces) == shown
                    assert not any(re.search("[\n\t]", text[s:e]) for s, e in pieces)
                    spans[tag] = (kind, pieces)
                elif line.startswith("A"):
                    match = A_LINE.match(line)
                    assert match, line
                    _, name, target, value = match.groups()
                    args = conf["attributes"][name]
                    assert value in args["Value"] and allows(args["Arg"], spans[target][0], conf["entities"]), line
                elif line.startswith("R"):
                    match = R_LINE.match(line)
                    assert match, line
                    _, name, arg1, arg2 = match.groups()
                    args = conf["relations"][name]
                    assert arg1 != arg2
                    assert allows(args["Arg1"], spans[arg1][0], conf["entities"]), line
                    assert allows(args["Arg2"], spans[arg2][0], conf["entities"]), line
                else:
                    match = NOTE_LINE.match(line)
                    assert match and match.group(2) in spans, line
                checked += 1
        assert checked > 300

    def test_overlapping_spans_are_declared(self, folder, conf) -> None:
        kinds = {"contain": 0, "equal": 0, "cross": 0}
        for ann_path in folder.glob("*.ann"):
            found = [T_LINE.match(line) for line in ann_path.read_text(encoding="utf-8").split("\n") if line.startswith("T")]
            edges = [(int(m.group(3).split(" ")[0]), int(m.group(3).split(" ")[-1])) for m in found if m]
            for i, (s1, e1) in enumerate(edges):
                for s2, e2 in edges[i + 1:]:
                    if s1 < e2 and s2 < e1:
                        inside = (s1 <= s2 and e2 <= e1) or (s2 <= s1 and e1 <= e2)
                        kinds["equal" if (s1, e1) == (s2, e2) else "contain" if inside else "cross"] += 1
        assert all(kinds.values()), kinds  # the export holds every kind of overlap…
        overlap = conf["relations"]["<OVERLAP>"]  # …and brat is told each is allowed between any two entity types
        assert overlap["Arg1"] == overlap["Arg2"] == ["<ENTITY>"] and overlap["<OVL-TYPE>"] == ["<ANY>"]

    def test_relations_point_at_mentions_of_the_named_actor(self, annotated, folder) -> None:
        records = {r["id"]: r for r in annotation_records(export_text(annotated, "jsonl"))}
        relations = 0
        for ann_path in folder.glob("*.ann"):
            lines = ann_path.read_text(encoding="utf-8").split("\n")
            ids = {}
            for line in lines:
                note = NOTE_LINE.match(line)
                if note:
                    ids[note.group(2)] = note.group(3).split(" | ")[0].removeprefix("id: ")
            for line in lines:
                match = R_LINE.match(line)
                if not match:
                    continue
                kind, arg1, arg2 = match.group(2), records[ids[match.group(3)]], records[ids[match.group(4)]]
                if kind == "Affiliation":
                    assert arg1["actor"]["affiliation"] == arg2["actor"]["name"]
                else:
                    assert arg1["claim"]["claimant" if kind == "Claimant" else "reported_by"] == arg2["actor"]["name"]
                relations += 1
        assert relations > 20

    def test_a_claim_whose_actor_is_not_tagged_has_no_relation_but_keeps_its_name(self, db) -> None:
        from store.model import Claim
        from tests.unit.test_export_support import add_report, annotate

        report = add_report(db, "r", ["Somebody said it happened."])
        outlet, _ = db.save_actor(db.new_actor("Far Away News", "media"))
        annotate(db, report, 1, 9, 26, claim=Claim("it happened", "event", None, outlet.id))
        target = db.root.parent / "b"
        export.write_brat(db, target)
        ann = (target / "r.ann").read_text(encoding="utf-8")
        assert "\nR" not in ann and "reported by: Far Away News" in ann
