"""The export and import formats by name: a light table the CLI reads at start-up (the exporter and
importer themselves load on use)."""

from __future__ import annotations

FORMATS: dict[str, str] = {
    "jsonl": "claimdesk JSONL (annotations, the actors they name and paragraph marks; re-importable)",
    "doccano": "doccano sequence labelling JSONL (one line per paragraph: spans, whole-paragraph categories)",
    "doccano-rel": "doccano relation extraction JSONL (entities and relations: claimant, reported by, affiliation)",
    "prodigy": "Prodigy spans JSONL (one task per paragraph and reviewer, with spaCy-compatible tokens)",
    "w3c": "W3C Web Annotation JSON-LD (one annotation per line)",
    "brat": "brat standoff (.txt and .ann per report, annotation.conf and visual.conf, into a folder)",
    "csv": "CSV for spreadsheets (one row per annotation)",
}
SUFFIXES = {
    "jsonl": ".jsonl", "doccano": ".doccano.jsonl", "doccano-rel": ".doccano-rel.jsonl", "prodigy": ".prodigy.jsonl",
    "w3c": ".w3c.jsonl", "brat": "", "csv": ".csv",
}
FOLDER_FORMATS = frozenset({"brat"})

IMPORT_FORMATS: dict[str, str] = {
    "jsonl": "claimdesk export lines (claimdesk/1 or claimdesk/2), or the minimal form {report, quote, kind}",
    "doccano": "doccano's JSONL export (sequence labelling, relation extraction, or intent detection)",
    "prodigy": "prodigy db-out JSONL of span tasks",
}
