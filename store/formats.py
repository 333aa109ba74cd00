"""The export formats by name: a light table the CLI reads at start-up (the exporter itself loads on use)."""

from __future__ import annotations

FORMATS: dict[str, str] = {
    "jsonl": "claimdesk JSONL (one self-contained annotation per line; re-importable)",
    "doccano": "doccano sequence labelling JSONL (one line per paragraph with spans)",
    "prodigy": "Prodigy spans JSONL (one task per paragraph with spans)",
    "w3c": "W3C Web Annotation JSON-LD (one annotation per line)",
    "brat": "brat standoff (.txt and .ann per report, into a folder)",
    "csv": "CSV for spreadsheets (one row per annotation)",
}
SUFFIXES = {"jsonl": ".jsonl", "doccano": ".doccano.jsonl", "prodigy": ".prodigy.jsonl", "w3c": ".w3c.jsonl", "brat": "", "csv": ".csv"}
FOLDER_FORMATS = frozenset({"brat"})
