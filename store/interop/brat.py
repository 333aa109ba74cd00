"""brat standoff: a `.txt` and an `.ann` per report revision, and the `annotation.conf` and
`visual.conf` that brat's own configuration parser reads without falling back to its default.

The rules followed (brat's documentation and `server/src/projectconfig.py`):

* a type's name (the first term of a line) matches `^[a-zA-Z0-9_-]+$`; anything else is
  rewritten by brat with a warning, so ours are written that way;
* an argument is `Key:Value` with no space in it (brat reads it with `^(\\S*?):(\\S*)$`):
  value lists are `A|B|C`, never `A | B | C`;
* spans of configured types may overlap only where a `<OVERLAP>` relation allows it: ours
  allow any overlap between any two entity types (a claim holds the actors it names; two
  reviewers tag the same words);
* `.ann` lines: `T1<TAB>Type START END[;START END]<TAB>text`, `R1<TAB>Type Arg1:T1 Arg2:T2`,
  `A1<TAB>Attribute T1 Value`, `#1<TAB>AnnotatorNotes T1<TAB>note`. A span is cut into
  fragments at line breaks and tabs (brat reads one annotation per line, fields split on tabs).

Claims are `Claim` spans with a `ClaimType` attribute; actor mentions are spans of their actor's
type. Credibility is two attributes, `Reliability` (A–F) and `Credibility` (1–6). A claim's
claimant and reported-by, and an actor's affiliation, are relations when that actor is tagged in
the report (see `store.interop.relations`), and are named in the note in any case.
"""

from __future__ import annotations

import re

from store.interop.relations import RELATION_TYPES, relations
from store.model import ACTOR_TYPES, CLAIM_TYPES, CREDIBILITY, RELIABILITY
from store.records import Actors, Entry, Revision
from store.text import clean_line

CLAIM_TYPE = "Claim"
ACTOR_ENTITY_TYPES = {
    "person": "Person",
    "armed_group": "Armed_group",
    "state": "State",
    "state_body": "State_body",
    "party": "Political_party",
    "media": "Media_outlet",
    "international_org": "International_organisation",
    "other": "Other_actor",
}
ENTITY_TYPES = (CLAIM_TYPE, *ACTOR_ENTITY_TYPES.values())
STORAGE_FORM = re.compile(r"^[a-zA-Z0-9_-]+$")  # what brat accepts as a type name unchanged

# brat reads one annotation per line and splits fields on tabs: a span is cut
# into fragments at these characters, and notes have them replaced by spaces.
_BRAT_BREAK = re.compile("[\n\t\u2028\u2029]+")


def entity_type(entry: Entry) -> str:
    if entry.kind == "claim":
        return CLAIM_TYPE
    actor = entry.record["actor"]
    return ACTOR_ENTITY_TYPES.get(actor["type"] if actor else "other", ACTOR_ENTITY_TYPES["other"])


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at line breaks and tabs, with empty pieces dropped."""
    pieces: list[tuple[int, int]] = []
    position = start
    for match in _BRAT_BREAK.finditer(text, start, end):
        if match.start() > position:
            pieces.append((position, match.start()))
        position = match.end()
    if end > position:
        pieces.append((position, end))
    return pieces


def document(revision: Revision) -> tuple[str, dict[int, int]]:
    """The .txt of one revision (title, then paragraphs with their headings, blank lines between)
    and where each paragraph starts in it."""
    title = clean_line(revision.parsed.title)
    parts = [title]
    offset = len(title) + 2
    starts: dict[int, int] = {}
    section = None
    for paragraph in revision.parsed.paragraphs:
        if paragraph.section and paragraph.section != section:
            heading = clean_line(paragraph.section)
            parts.append(heading)
            offset += len(heading) + 2
        section = paragraph.section
        starts[paragraph.number] = offset
        parts.append(paragraph.text)
        offset += len(paragraph.text) + 2
    return "\n\n".join(parts) + "\n", starts


def file_name(report_id: str, revision: Revision) -> str:
    current = revision.revision == revision.report.revision
    return report_id if current else f"{report_id}@{revision.revision}"


def _one_line(text: str) -> str:
    return _BRAT_BREAK.sub(" ", clean_line(text))


def ann(revision: Revision, entries: list[Entry], starts: dict[int, int], text: str, actors: Actors,
        problems: list[str]) -> tuple[str, int]:
    """The .ann of one revision and the number of spans in it."""
    spans: list[str] = []
    others: list[str] = []
    placed: list[tuple[str, Entry, int]] = []
    attributes = notes = 0
    for entry in entries:
        start, end, _ = entry.offsets
        base = starts[entry.paragraph.number]
        pieces = fragments(text, base + start, base + end)
        if not pieces:
            problems.append(f"report {revision.report.id}: annotation {entry.id} spans only line breaks; not in brat")
            continue
        tag = f"T{len(spans) + 1}"
        offsets = ";".join(f"{s} {e}" for s, e in pieces)
        spans.append(f"{tag}\t{entity_type(entry)} {offsets}\t{' '.join(text[s:e] for s, e in pieces)}")
        placed.append((tag, entry, base + start))
        record = entry.record
        values = []
        if record["claim"]:
            values.append(("ClaimType", record["claim"]["type"]))
        if record["credibility"]:
            values += [(name, record["credibility"][key]) for name, key in (("Reliability", "reliability"), ("Credibility", "credibility"))]
        for name, value in values:
            if value is not None:
                attributes += 1
                others.append(f"A{attributes}\t{name} {tag} {value}")
        notes += 1
        others.append(f"#{notes}\tAnnotatorNotes {tag}\t{_one_line(' | '.join(_facts(record)))}")
    links = [f"R{n}\t{r.type} Arg1:{r.source} Arg2:{r.target}" for n, r in enumerate(relations(placed, actors), start=1)]
    return "".join(line + "\n" for line in (*spans, *links, *others)), len(spans)


def _facts(record: dict) -> list[str]:
    facts = [f"id: {record['id']}"]
    if record["claim"]:
        claim = record["claim"]
        facts.append(f"claim: {claim['text']}")
        if claim["claimant"]:
            facts.append(f"claimant: {claim['claimant']}")
        if claim["reported_by"]:
            facts.append(f"reported by: {claim['reported_by']}")
    if record["actor"]:
        facts.append(f"actor: {record['actor']['name']}")
        if record["actor"]["affiliation"]:
            facts.append(f"affiliation: {record['actor']['affiliation']}")
    if record["credibility"]:
        facts.append(f"credibility: {record['credibility']['code']}")
    if record["note"]:
        facts.append(f"note: {record['note']}")
    facts.append(f"reviewer: {record['reviewer']}")
    return facts


def annotation_conf() -> str:
    """The whole type system, whatever the export holds (brat needs every type it meets declared)."""
    actors = "|".join(ACTOR_ENTITY_TYPES.values())
    return (
        "# written by claimdesk export --format brat: brat's annotation configuration\n"
        "[entities]\n"
        + "".join(f"{name}\n" for name in ENTITY_TYPES)
        + "\n[relations]\n"
        f"Claimant\tArg1:{CLAIM_TYPE}, Arg2:{actors}\n"
        f"ReportedBy\tArg1:{CLAIM_TYPE}, Arg2:{actors}\n"
        f"Affiliation\tArg1:{actors}, Arg2:{actors}\n"
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
        "\n[events]\n"
        "\n[attributes]\n"
        f"Reliability\tArg:<ENTITY>, Value:{'|'.join(RELIABILITY)}\n"
        f"Credibility\tArg:<ENTITY>, Value:{'|'.join(str(c) for c in CREDIBILITY)}\n"
        f"ClaimType\tArg:{CLAIM_TYPE}, Value:{'|'.join(CLAIM_TYPES)}\n"
    )


_COLOURS = {
    CLAIM_TYPE: "#ffd27f", "Person": "#7fa2ff", "Armed_group": "#ff7f7f", "State": "#a3d9a5", "State_body": "#c9e7b0",
    "Political_party": "#d9b3ff", "Media_outlet": "#8fd8e0", "International_organisation": "#e0c68f", "Other_actor": "#d0d0d0",
}


def visual_conf() -> str:
    labels = {CLAIM_TYPE: "Claim", **{brat: ACTOR_TYPES[key] for key, brat in ACTOR_ENTITY_TYPES.items()}}
    labels["Other_actor"] = "Other actor"
    names = {
        "Claimant": "Claimant", "ReportedBy": "Reported by", "Affiliation": "Affiliated with",
        "Reliability": "Source reliability", "Credibility": "Information credibility", "ClaimType": "Claim type",
    }
    assert set(names) >= set(RELATION_TYPES)
    return (
        "# written by claimdesk export --format brat: how brat draws the types of annotation.conf\n"
        "[labels]\n"
        + "".join(f"{name} | {label[:1].upper() + label[1:]}\n" for name, label in {**labels, **names}.items())
        + "\n[drawing]\n"
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n"
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n"
        "ATTRIBUTE_DEFAULT\tglyph:*\n"
        + "".join(f"{name}\tbgColor:{colour}\n" for name, colour in _COLOURS.items())
        + f"Reliability\tglyph:{'|'.join(RELIABILITY)}\n"
        f"Credibility\tglyph:{'|'.join(str(c) for c in CREDIBILITY)}\n"
        "ClaimType\tglyph:ev|cap|int|stm|fig|oth\n"
    )


__all__ = [
    "ACTOR_ENTITY_TYPES", "CLAIM_TYPE", "ENTITY_TYPES", "STORAGE_FORM", "ann", "annotation_conf", "document",
    "entity_type", "file_name", "fragments", "visual_conf",
]
