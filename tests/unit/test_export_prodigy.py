"""Prodigy: tasks read with Prodigy's documented task rules (tokens cover the text; every span starts
and ends on a token, `token_end` inclusive; one task per paragraph and reviewer), checked against
spaCy itself (a test extra: claimdesk never imports it), and `prodigy db-out` read back."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.db import Database
from store.interop.tokens import tokenize
from tests.unit.conftest import report_files
from tests.unit.test_export_support import annotation_records, cli, export_text, jsonl


@pytest.fixture(scope="module")
def tasks(annotated) -> list[dict[str, Any]]:
    return jsonl(export_text(annotated, "prodigy"))


def test_tokens_cover_the_text_and_spans_sit_on_them(tasks) -> None:
    spans = 0
    for task in tasks:
        tokens, text = task["tokens"], task["text"]
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
        assert all(text[t["start"]:t["end"]] == t["text"] and t["start"] < t["end"] for t in tokens)
        for span in task["spans"]:
            first, last = tokens[span["token_start"]], tokens[span["token_end"]]
            assert (first["start"], last["end"]) == (span["start"], span["end"])
            assert text[span["start"]:span["end"]] == span["text"]
            spans += 1
    assert spans > 250


def test_one_task_per_paragraph_and_reviewer_with_every_field(annotated, tasks) -> None:
    records = {r["id"]: r for r in annotation_records(export_text(annotated, "jsonl"))}
    seen = set()
    for task in tasks:
        key = (task["meta"]["report"], task["meta"]["paragraph"], task["_annotator_id"])
        assert key not in seen and task["answer"] == "accept" and task["_session_id"] == f"claimdesk-{task['_annotator_id']}"
        seen.add(key)
        for span in task["spans"]:
            record = records[span["id"]]
            assert record["reviewer"] == task["_annotator_id"]
            assert span["credibility"] == (record["credibility"]["code"] if record["credibility"] else None)
            if record["claim"]:
                assert (span["claimant"], span["reported_by"]) == (record["claim"]["claimant"], record["claim"]["reported_by"])
    assert {r for _, _, r in seen} == {"alice", "bob"}
    assert len(seen) > len({k[:2] for k in seen})  # some paragraphs have a task from each reviewer


def test_every_span_is_a_spacy_char_span(tasks) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Doc

    vocab = spacy.blank("en").vocab
    for task in tasks:
        doc = Doc(vocab, words=[t["text"] for t in task["tokens"]], spaces=[t["ws"] for t in task["tokens"]])
        assert doc.text == task["text"]
        for span in task["spans"]:
            found = doc.char_span(span["start"], span["end"])
            assert found is not None and (found.start, found.end - 1) == (span["token_start"], span["token_end"])


def test_tokens_are_spacys_blank_english_tokens(annotated) -> None:
    """Where no span cuts a token, our tokens are the tokens of spacy.blank("en")."""
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    same = total = 0
    for report in annotated.reports():
        for paragraph in annotated.open_report(report.id).paragraphs:
            ours = [(t.start, t.end, t.ws) for t in tokenize(paragraph.text)]
            theirs = [(t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in nlp(paragraph.text)]
            same += len(set(ours) & set(theirs))
            total += len(theirs)
    assert total > 5000 and same == total


@pytest.mark.parametrize("text", [
    "He said: “we repelled it”[2] and left.", "Mr. Smith isn't in the U.S. today; it's 5km away (10%).",
    "al-Nujaba, Kata’ib-Hizbullah, and the IRGC’s Quds Force…", "$5,000 for 3pm on 2023-10-19 — see http://example.org/x.",
    "الحزب أعلن أن مقاتليه صدّوا الهجوم قرب الحدود.", "Two  spaces,\ta tab\nand a line.", "e.g. a.m. vs. etc. Don't DON'T",
])
def test_tokens_of_awkward_text_match_spacy(text) -> None:
    spacy = pytest.importorskip("spacy")
    theirs = [(t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in spacy.blank("en")(text)]
    assert [(t.start, t.end, t.ws) for t in tokenize(text)] == theirs


def test_a_span_edge_inside_a_token_splits_it() -> None:
    text = "They said “no”[2] then."
    quote_end = text.index("[")
    tokens = tokenize(text, [(text.index("“"), quote_end)])
    assert any(t.end == quote_end for t in tokens) and any(t.start == quote_end for t in tokens)
    assert "".join(text[t.start:t.end] + (" " if t.ws else "") for t in tokens) == text


def test_no_spacy_at_run_time() -> None:
    import subprocess
    import sys

    code = (
        "import sys, io\n"
        "from store.interop import tokens, prodigy\n"
        "tokens.tokenize('It\\'s fine.')\n"
        "print('spacy' in sys.modules)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def db_out(lines: list[dict[str, Any]], edit: Any = None) -> str:
    """What `prodigy db-out` gives for tasks that went in with `db-in`: the tasks as saved, with Prodigy's
    hashes and view id added; spans edited in its UI lose the fields Prodigy does not know."""
    out = []
    for n, task in enumerate(lines):
        task = dict(task, _input_hash=1000 + n, _task_hash=2000 + n, _view_id="spans_manual", _timestamp=1700000000)
        if edit is not None:
            task["spans"] = edit(n, task)
        out.append(json.dumps(task, ensure_ascii=False))
    return "\n".join(out) + "\n"


@pytest.fixture
def fresh(tmp_path) -> Database:
    db = Database(tmp_path / "fresh", reviewer="pat")
    for path in report_files(with_seed=True):
        db.add_report(path)
    return db


def test_round_trip_through_prodigy(annotated, fresh, tasks, tmp_path) -> None:
    path = tmp_path / "db-out.jsonl"
    path.write_text(db_out(tasks), encoding="utf-8")
    result = cli("import", "--db", str(fresh.root), "--format", "prodigy", str(path))
    assert result.exit_code == 0, result.stderr
    ours = {r["id"]: r for r in annotation_records(export_text(annotated, "jsonl"))}
    assert {r["id"]: r for r in annotation_records(export_text(Database(fresh.root), "jsonl"))} == ours


def test_work_done_in_prodigy_comes_back(annotated, fresh, tmp_path) -> None:
    tasks = jsonl(export_text(annotated, "prodigy", reports=("militia_statements_review",)))
    changed: dict[str, Any] = {}

    target = next(n for n, task in enumerate(tasks) if any(s["label"].startswith("CLAIM") for s in task["spans"]))

    def edit(n: int, task: dict[str, Any]) -> list[dict[str, Any]]:
        spans = task["spans"]
        if n == target:
            index = next(i for i, s in enumerate(spans) if s["label"].startswith("CLAIM"))
            span = spans.pop(index)
            changed["relabelled"] = span["id"]
            new_label = "CLAIM_FIGURE" if span["label"] != "CLAIM_FIGURE" else "CLAIM_EVENT"
            changed["label"] = new_label
            spans = [{"start": span["start"], "end": span["end"], "token_start": span["token_start"],
                      "token_end": span["token_end"], "label": new_label}, *spans]
        return spans

    path = tmp_path / "db-out.jsonl"
    rejected = dict(tasks[-1], answer="reject")
    path.write_text(db_out([*tasks[:-1], rejected], edit), encoding="utf-8")
    seeded = cli("import", "--db", str(fresh.root), "-", input=export_text(annotated, "jsonl", reports=("militia_statements_review",)))
    assert seeded.exit_code == 0
    result = cli("--reviewer", "pat", "import", "--db", str(fresh.root), "--format", "prodigy", str(path))
    assert result.exit_code == 0, result.stderr
    assert "answered 'reject' in Prodigy; not imported" in result.stderr and "updated 1" in result.stdout
    record = next(r for r in annotation_records(export_text(Database(fresh.root), "jsonl")) if r["id"] == changed["relabelled"])
    assert (record["kind"], record["updated_by"]) == ("claim", "pat")
    assert record["claim"]["type"] == changed["label"].removeprefix("CLAIM_").lower()


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    pieces = st.one_of(st.sampled_from([" ", "  ", "\n", "\t", "“", "”", "[2]", "'s", "n't", ".", ",", "-", "U.S.", "5km", "😀"]),
                       st.text(min_size=1, max_size=6))
    text = "".join(draw(st.lists(pieces, min_size=1, max_size=25)))
    spans = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text) - 1))
        spans.append((start, draw(st.integers(start + 1, len(text)))))
    return text, spans


@settings(max_examples=int(os.environ.get("CLAIMDESK_HYPOTHESIS_EXAMPLES", "60")), deadline=None)
@given(text_and_spans())
def test_any_text_and_spans_give_exact_tokens(case) -> None:
    text, spans = case
    tokens = tokenize(text, spans)
    assert "".join(text[t.start:t.end] + (" " if t.ws else "") for t in tokens) == text
    assert all(t.start < t.end for t in tokens)
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    assert all(s in starts and e in ends for s, e in spans)
