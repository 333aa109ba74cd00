"""`claimdesk export`: what each format holds, the filters, and the command's behaviour."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from store import export
from store.model import Claim, Credibility, Kind, Span
from tests.conftest import ROOT, SHARED
from tests.unit.test_export_support import (
    add_report,
    annotate,
    annotation_records,
    check_offsets_everywhere,
    cli,
    csv_rows,
    export_text,
    jsonl,
    sample_db,
    valid_records,
)

W3C_VALIDATOR = SHARED / "tools" / "w3c_validate.py"


@pytest.fixture
def sample(db):
    return sample_db(db)


def by_id(records):
    return {r["id"]: r for r in records}


class TestNativeJsonl:
    def test_a_claim_record_is_self_contained(self, db, sample) -> None:
        a1 = sample["annotations"][0]
        record = by_id(valid_records(export_text(db, "jsonl")))[a1.id]
        assert record == {
            "schema": "claimdesk/2",
            "record": "annotation",
            "id": a1.id,
            "kind": "claim",
            "report": {
                "id": "first", "title": "First report", "date": "2024-05-12", "source": "first.txt",
                "revision": "rev0000000000001", "outlet": "Open-source desk",
            },
            "paragraph": {
                "number": 1, "section": "Claims",
                "text": "Hezbollah said on Tuesday that its fighters “repelled an advance” near the border.",
            },
            "span": {"start": 35, "end": 65, "quote": "fighters “repelled an advance”"},
            "claim": {"text": "fighters repelled an advance", "type": "event", "claimant": "Hezbollah", "reported_by": "Al-Manar"},
            "actor": None,
            "credibility": {"reliability": "B", "credibility": 2, "code": "B2"},
            "note": "=HYPERLINK(\"x\")\nsecond line",
            "reviewer": "alice",
            "created_at": a1.created_at,
            "updated_at": a1.updated_at,
            "updated_by": "alice",
        }
        assert a1.created_at.endswith("Z") and "T" in a1.created_at

    def test_an_actor_record_names_actors_not_ids(self, db, sample) -> None:
        a2 = sample["annotations"][1]
        record = by_id(valid_records(export_text(db, "jsonl")))[a2.id]
        assert record["kind"] == "actor" and record["claim"] is None
        assert record["actor"] == {"name": "Hezbollah", "type": "armed_group", "aliases": ["Hizballah", "Hizbullah"], "affiliation": "Iran"}
        assert record["credibility"] is None
        assert record["span"] == {"start": 0, "end": 9, "quote": "Hezbollah"}

    def test_half_graded_credibility_and_whole_paragraph_claim(self, db, sample) -> None:
        _, _, a3, a4, _ = sample["annotations"]
        records = by_id(valid_records(export_text(db, "jsonl")))
        assert records[a3.id]["credibility"] == {"reliability": "C", "credibility": None, "code": "C?"}
        assert records[a4.id]["span"] is None
        assert records[a4.id]["paragraph"]["text"].startswith("=SUM(A1:A9)")

    def test_one_line_per_annotation_grouped_by_report(self, db, sample) -> None:
        text = export_text(db, "jsonl")
        assert text.endswith("\n") and len(annotation_records(text)) == 5
        # each report's new actors come first (an affiliation before the actor affiliated with it), then its annotations
        assert [(r["record"], r.get("name") or r["report"]["id"]) for r in jsonl(text)] == [
            ("actor", "Iran"), ("annotation", "second"),
            ("actor", "Al-Manar"), ("actor", "Hezbollah"), ("annotation", "first"), ("annotation", "first"),
            ("annotation", "first"), ("annotation", "first"),
        ]
        # the library's order (newest date first, then title), and within a report by paragraph and offset
        assert [(r["report"]["id"], r["paragraph"]["number"]) for r in annotation_records(text)] == [
            ("second", 1), ("first", 1), ("first", 1), ("first", 2), ("first", 3),
        ]

    def test_fast_lines_are_exactly_json_of_the_record(self, db, sample) -> None:
        reader = export.Reader(db)
        for batch in reader.batches():
            for entry in batch.entries:
                assert export.record_line(entry) == json.dumps(entry.record, ensure_ascii=False, separators=(",", ":")) + "\n"

    def test_paragraph_text_is_that_of_the_annotations_own_revision(self, db) -> None:
        old = add_report(db, "rev", ["The old wording of the claim.", "Untouched."], revision="aaaaaaaaaaaaaaaa")
        before = annotate(db, old, 1, 4, 7)
        new = add_report(db, "rev", ["The new wording, longer, of the claim.", "Untouched."], revision="bbbbbbbbbbbbbbbb")
        after = annotate(db, new, 1, 4, 7)
        records = by_id(valid_records(export_text(db, "jsonl")))
        assert records[before.id]["paragraph"]["text"] == "The old wording of the claim."
        assert records[before.id]["report"]["revision"] == "aaaaaaaaaaaaaaaa"
        assert records[after.id]["paragraph"]["text"] == "The new wording, longer, of the claim."
        assert records[after.id]["report"]["revision"] == "bbbbbbbbbbbbbbbb"

    def test_report_source_is_the_file_name_and_outlet_the_front_matter(self, db, tmp_path) -> None:
        path = tmp_path / "weekly.md"
        path.write_text("---\ntitle: Weekly\nsource: Sabereen News\n---\n\nA first paragraph.\n", encoding="utf-8")
        report = db.add_report(path).report
        annotate(db, report, 1, 0, 7)
        [record] = valid_records(export_text(db, "jsonl"))
        assert record["report"]["source"] == "weekly.md"
        assert record["report"]["outlet"] == "Sabereen News"
        assert db.find_report(record["report"]["source"]).id == record["report"]["id"]

    def test_a_stored_annotation_that_no_longer_fits_is_skipped_and_reported(self, db, sample) -> None:
        a1 = sample["annotations"][0]
        broken = a1.evolve(span=Span(0, 3, "not the text"))
        db.save_annotation(broken, keep_timestamps=True)
        out = io.StringIO()
        result = export.write_stream(db, "jsonl", out)
        assert a1.id not in {r["id"] for r in annotation_records(out.getvalue())}
        assert result.annotations == 4
        assert any(a1.id in p and "skipped" in p for p in result.problems)

    def test_offsets_hold_in_every_format(self, db, sample, tmp_path) -> None:
        assert check_offsets_everywhere(db, tmp_path / "brat") >= 15


class TestSelection:
    def test_by_report_id_or_file_name(self, db, sample) -> None:
        assert {r["report"]["id"] for r in annotation_records(export_text(db, "jsonl", reports=("second",)))} == {"second"}
        both = annotation_records(export_text(db, "jsonl", reports=("first.txt", "second")))
        assert {r["report"]["id"] for r in both} == {"first", "second"}

    def test_unknown_report_is_a_one_line_error(self, db, sample) -> None:
        result = cli("export", "--db", str(db.root), "--report", "nope\x1b[2J")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and "no report" in result.stderr and "\x1b" not in result.stderr

    def test_by_kind_and_reviewer(self, db, sample) -> None:
        records = annotation_records(export_text(db, "jsonl", reviewers=frozenset({"alice"}), kind=Kind.CLAIM))
        assert {r["reviewer"] for r in records} == {"alice"} and {r["kind"] for r in records} == {"claim"}
        assert len(records) == 2

    def test_by_filters_and_reviewer_says_who_i_am(self, db, sample) -> None:
        result = cli("--reviewer", "carol", "export", "--db", str(db.root), "--by", "bob")
        assert result.exit_code == 0, result.stderr
        assert {r["reviewer"] for r in annotation_records(result.stdout)} == {"bob"} and len(annotation_records(result.stdout)) == 2
        both = cli("export", "--db", str(db.root), "--reviewer", "carol", "--by", "bob", "--by", "alice")
        assert len(annotation_records(both.stdout)) == 5

    def test_since(self, db, sample) -> None:
        a5 = sample["annotations"][4]
        records = annotation_records(export_text(db, "jsonl", since=export.parse_time(a5.updated_at)))
        assert [r["id"] for r in records] == [a5.id]
        assert annotation_records(export_text(db, "jsonl", since=export.parse_time("2999-01-01"))) == []
        result = cli("export", "--db", str(db.root), "--since", "2000-01-01")
        assert len(annotation_records(result.stdout)) == 5

    @pytest.mark.parametrize(("given", "stamp"), [
        ("2024-05-01", "2024-05-01T00:00:00.000000Z"),
        ("2024-05-01T12:30:00Z", "2024-05-01T12:30:00.000000Z"),
        ("2024-05-01T14:30:00+02:00", "2024-05-01T12:30:00.000000Z"),
    ])
    def test_since_dates(self, given, stamp) -> None:
        assert export.parse_time(given) == stamp

    def test_bad_since_is_a_usage_error(self, db) -> None:
        result = cli("export", "--db", str(db.root), "--since", "last tuesday")
        assert result.exit_code == 2 and "--since" in result.stderr and result.stdout == ""


class TestCommand:
    def test_stdout_holds_only_the_records(self, db, sample) -> None:
        result = cli("export", "--db", str(db.root))
        assert result.exit_code == 0 and result.stderr == ""
        assert len(valid_records(result.stdout)) == 5

    def test_output_file_and_summary(self, db, sample, tmp_path) -> None:
        target = tmp_path / "out" / "all.jsonl"
        target.parent.mkdir()
        result = cli("export", "--db", str(db.root), "-o", str(target))
        assert result.exit_code == 0, result.stderr
        assert "exported 5 annotations from 2 reports" in result.stdout and str(target) in result.stdout
        assert len(valid_records(target.read_text(encoding="utf-8"))) == 5
        assert [p.name for p in target.parent.iterdir()] == ["all.jsonl"]

    def test_a_failed_export_leaves_the_old_file_whole(self, db, sample, tmp_path) -> None:
        target = tmp_path / "all.jsonl"
        target.write_text("previous export\n", encoding="utf-8")
        with pytest.raises(export.ClaimdeskError):
            export.export_to_path(db, "jsonl", target, export.Selection(reports=("nope",)))
        assert target.read_text(encoding="utf-8") == "previous export\n"
        assert sorted(p.name for p in tmp_path.iterdir() if p.name != "db") == ["all.jsonl"]

    def test_brat_needs_a_folder(self, db, sample, tmp_path) -> None:
        result = cli("export", "--db", str(db.root), "--format", "brat")
        assert result.exit_code == 2 and "-o FOLDER" in result.stderr and result.stdout == ""
        (tmp_path / "a-file").write_text("x")
        result = cli("export", "--db", str(db.root), "--format", "brat", "-o", str(tmp_path / "a-file"))
        assert result.exit_code == 1 and "is a file" in result.stderr

    def test_no_progress_bar_when_piped(self, db, sample) -> None:
        result = cli("export", "--db", str(db.root), "--format", "csv")
        assert result.stderr == ""

    def test_progress_bar_only_on_a_terminal(self, monkeypatch) -> None:
        from tui.commands.exchange import progress

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        for tty, shown in ((True, True), (False, False)):
            stream = Terminal() if tty else io.StringIO()
            monkeypatch.setattr(sys, "stderr", stream)
            with progress(3, "exporting") as step:
                for _ in range(3):
                    step(1)
            assert ("exporting" in stream.getvalue()) is shown

    def test_schema_command_prints_the_shipped_schema(self) -> None:
        result = cli("schema")
        assert result.exit_code == 0
        assert json.loads(result.stdout) == export.schema()
        kinds = json.loads(result.stdout)["$defs"]
        assert [kinds[k]["properties"]["record"] for k in ("annotation", "actor_record", "mark")] == [
            {"const": "annotation"}, {"const": "actor"}, {"const": "mark"},
        ]
        assert kinds["annotation"]["properties"]["schema"] == {"const": "claimdesk/2"}
        old = cli("schema", "--version", "1")
        assert json.loads(old.stdout)["properties"]["schema"] == {"const": "claimdesk/1"}

    def test_schema_file_is_package_data(self) -> None:
        pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        assert '"schema/*.json"' in pyproject
        assert (ROOT / "store" / export.SCHEMA_RESOURCE).is_file()


class TestDoccanoAndProdigy:
    def test_doccano_one_line_per_paragraph_with_spans(self, db, sample) -> None:
        _a1, _a2, *_ = sample["annotations"]
        lines = jsonl(export_text(db, "doccano", reports=("first",)))
        assert [line["paragraph"] for line in lines] == [1, 2, 3]
        first = lines[0]
        assert set(first) >= {"id", "text", "label"}
        assert first["id"] == "first:rev0000000000001:1"
        assert first["label"] == [[0, 9, "ACTOR_ARMED_GROUP"], [35, 65, "CLAIM_EVENT"]]
        whole = lines[2]
        assert whole["label"] == [] and whole["cats"] == ["CLAIM_STATEMENT"]  # never a span over the whole paragraph

    def test_prodigy_tasks(self, db, sample) -> None:
        tasks = jsonl(export_text(db, "prodigy", reports=("first",)))
        first = tasks[0]
        assert first["answer"] == "accept"
        assert [(s["start"], s["end"], s["label"]) for s in first["spans"]] == [(0, 9, "ACTOR_ARMED_GROUP"), (35, 65, "CLAIM_EVENT")]
        # Prodigy computes its own hashes on db-in: none of ours that would not match its function
        assert not any("_input_hash" in t or "_task_hash" in t for t in tasks)
        assert jsonl(export_text(db, "prodigy", reports=("first",))) == tasks


class TestW3C:
    def test_shape(self, db, sample) -> None:
        a1 = sample["annotations"][0]
        annotation = next(a for a in jsonl(export_text(db, "w3c")) if a["id"].endswith(a1.id))
        assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert annotation["type"] == "Annotation" and annotation["id"] == f"urn:claimdesk:annotation:{a1.id}"
        assert annotation["created"] == a1.created_at
        assert annotation["creator"] == {"type": "Person", "name": "alice", "nickname": "alice"}
        bodies = {(b["purpose"], b["value"]) for b in annotation["body"] if b["type"] == "TextualBody"}
        assert ("describing", "fighters repelled an advance") in bodies
        assert ("assessing", "credibility: B2") in bodies
        assert ("commenting", "=HYPERLINK(\"x\")\nsecond line") in bodies
        actors = {b["schema:roleName"]: b for b in annotation["body"] if b["type"] == "SpecificResource"}
        assert actors["claimant"] == {
            "type": "SpecificResource", "purpose": "describing", "schema:roleName": "claimant",
            "source": {
                "id": "urn:claimdesk:actor:Hezbollah", "name": "Hezbollah", "type": "Organization", "dcterms:type": "armed_group",
                "schema:alternateName": ["Hizballah", "Hizbullah"],
                "schema:affiliation": {"id": "urn:claimdesk:actor:Iran", "name": "Iran"},
            },
        }
        assert actors["reported_by"]["source"]["name"] == "Al-Manar" and actors["reported_by"]["source"]["dcterms:type"] == "media"
        target = annotation["target"]
        assert target["source"] == "urn:claimdesk:report:first:rev0000000000001"
        assert (target["dcterms:title"], target["dcterms:date"], target["dcterms:publisher"], target["dcterms:source"]) == (
            "First report", "2024-05-12", "Open-source desk", "first.txt",
        )
        paragraph, quote = target["selector"]
        assert paragraph == {
            "type": "FragmentSelector", "conformsTo": "urn:claimdesk:fragment:paragraph", "value": "paragraph=1",
            "refinedBy": {"type": "TextPositionSelector", "start": 35, "end": 65},
        }
        assert quote == {
            "type": "TextQuoteSelector", "exact": "fighters “repelled an advance”",
            "prefix": "bollah said on Tuesday that its ", "suffix": " near the border.",
        }

    @pytest.mark.parametrize("which", ["sample", "annotated"])
    def test_passes_the_w3c_test_suite_musts(self, db, sample, annotated, tmp_path, which) -> None:
        if not W3C_VALIDATOR.exists():
            pytest.skip(f"the W3C validator is read from ../shared, which is absent here ({W3C_VALIDATOR})")
        pytest.importorskip("jsonschema")
        target = tmp_path / "w3c.jsonl"
        source = db if which == "sample" else annotated
        result = export.export_to_path(source, "w3c", target)
        run = subprocess.run([sys.executable, str(W3C_VALIDATOR), str(target)], capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"{result.annotations} annotations checked" in run.stdout and " 0 failures" in run.stdout

    def test_an_actor_mention_identifies_its_actor(self, db, sample) -> None:
        a2 = sample["annotations"][1]
        annotation = next(a for a in jsonl(export_text(db, "w3c")) if a["id"].endswith(a2.id))
        [body] = [b for b in annotation["body"] if b["type"] == "SpecificResource"]
        assert body["purpose"] == "identifying" and body["schema:roleName"] == "mentioned"
        assert body["source"]["name"] == "Hezbollah" and body["source"]["schema:affiliation"]["name"] == "Iran"


class TestBrat:
    def test_txt_and_ann_per_report(self, db, sample, tmp_path) -> None:
        _a1, _a2, _, _a4, _ = sample["annotations"]
        folder = tmp_path / "brat"
        result = cli("export", "--db", str(db.root), "--format", "brat", "-o", str(folder))
        assert result.exit_code == 0, result.stderr
        assert sorted(p.name for p in folder.iterdir()) == [
            "annotation.conf", "first.ann", "first.txt", "second.ann", "second.txt", "visual.conf",
        ]
        document = (folder / "first.txt").read_text(encoding="utf-8")
        assert document.startswith("First report\n\nClaims\n\nHezbollah said")
        ann = (folder / "first.ann").read_text(encoding="utf-8").splitlines()
        base = document.index("Hezbollah said")
        assert f"T1\tArmed_group {base} {base + 9}\tHezbollah" in ann
        assert f"T2\tClaim {base + 35} {base + 65}\tfighters “repelled an advance”" in ann
        assert {"A1\tClaimType T2 event", "A2\tReliability T2 B", "A3\tCredibility T2 2"} <= set(ann)
        assert "R1\tClaimant Arg1:T2 Arg2:T1" in ann  # Hezbollah is tagged in the report; Al-Manar is not
        note = next(line for line in ann if line.startswith("#") and "T2\t" in line)
        assert note.startswith("#2\tAnnotatorNotes T2\t") and "claimant: Hezbollah" in note and "second line" in note
        assert "reported by: Al-Manar" in note
        tab_claim = next(line for line in ann if line.endswith("the tab stays."))
        start = document.index("=SUM")
        middle = document.index("the tab stays.")
        end = middle + len("the tab stays.")
        assert tab_claim.split("\t")[1] == f"Claim {start} {middle - 1};{middle} {end}"
        conf = (folder / "annotation.conf").read_text(encoding="utf-8")
        assert "Claim\n" in conf and "Credibility\tArg:<ENTITY>, Value:1|2|3|4|5|6\n" in conf

    def test_an_older_revision_gets_its_own_text(self, db, tmp_path) -> None:
        old = add_report(db, "rev", ["Old text here."], revision="aaaaaaaaaaaaaaaa")
        annotate(db, old, 1, 0, 3)
        new = add_report(db, "rev", ["New text, now longer."], revision="bbbbbbbbbbbbbbbb")
        annotate(db, new, 1, 0, 3)
        export.write_brat(db, tmp_path / "b")
        names = sorted(p.name for p in (tmp_path / "b").iterdir())
        assert names == ["annotation.conf", "rev.ann", "rev.txt", "rev@aaaaaaaaaaaaaaaa.ann", "rev@aaaaaaaaaaaaaaaa.txt", "visual.conf"]
        assert "Old text here." in (tmp_path / "b" / "rev@aaaaaaaaaaaaaaaa.txt").read_text(encoding="utf-8")


class TestCsv:
    def test_one_row_per_annotation_with_every_field(self, db, sample) -> None:
        a1 = sample["annotations"][0]
        rows = csv_rows(export_text(db, "csv"))
        assert len(rows) == 5 and list(rows[0]) == list(export.CSV_COLUMNS)
        row = next(r for r in rows if r["id"] == a1.id)
        assert row["quote"] == "fighters “repelled an advance”"
        assert (row["start"], row["end"], row["claimant"], row["reported_by"], row["credibility"]) == (
            "35",
            "65",
            "Hezbollah",
            "Al-Manar",
            "B2",
        )
        assert row["note"] == "'=HYPERLINK(\"x\")\nsecond line"

    def test_formula_injection_is_neutralised(self, db, sample) -> None:
        first = sample["reports"][0]
        annotate(db, first, 3, 0, 11, claim=Claim("-2 dead", "figure"), note="@SUM(1)", credibility=Credibility("A", 1))
        rows = csv_rows(export_text(db, "csv"))
        row = next(r for r in rows if r["claim_text"] == "'-2 dead")
        assert row["quote"] == "'=SUM(A1:A9)" and row["note"] == "'@SUM(1)"
        assert next(r for r in rows if r["actor"] == "Iran")["note"] == "'+1 -1 @x"
        for value in (r[c] for r in rows for c in export.CSV_COLUMNS):
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))

    @pytest.mark.parametrize(("cell", "shown"), [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "\u240dx"),
        ("a=b", "a=b"), ("", ""), (None, ""), (3, "3"), ("'=x", "'=x"), ("a\x1b[2Jb\x07", "a\u241b[2Jb\u2407"),
        ("two\nlines", "two\nlines"), ("\x1b=x", "\u241b=x"), ("c1\x9b31m", "c1\ufffd31m"),
    ])
    def test_cell(self, cell, shown) -> None:
        assert export.csv_cell(cell) == shown

    def test_a_file_starts_with_a_bom_for_spreadsheets_stdout_does_not(self, db, sample, tmp_path) -> None:
        export.export_to_path(db, "csv", tmp_path / "a.csv")
        raw = (tmp_path / "a.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfid,kind,") and b"\r\n" in raw
        assert len(csv_rows(raw.decode("utf-8"))) == 5
        result = cli("export", "--db", str(db.root), "--format", "csv")
        assert result.stdout.startswith("id,kind,")


def test_export_streams_one_report_at_a_time(tmp_path) -> None:
    """Memory does not grow with the number of reports: 4× the reports, about the same peak."""
    import tracemalloc

    from bench.bench_export import build_database
    from store.db import Database

    def peak(reports: int) -> int:
        root = tmp_path / f"db{reports}"
        build_database(root, reports=reports, paragraphs=20, per_report=200)
        db = Database(root, reviewer="x")
        tracemalloc.start()
        export.write_stream(db, "jsonl", _Discard())
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(5), peak(20)
    assert large < small * 1.6, (small, large)


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def test_untrusted_text_never_reaches_output_as_control_characters(db, sample) -> None:
    first = sample["reports"][0]
    annotate(db, first, 2, 0, 3, note="\x1b]52;c;ZXZpbA==\x07 and \x1b[2J", claim=Claim("\x1b[31mred", "other"))
    for fmt in ("jsonl", "doccano", "doccano-rel", "prodigy", "w3c", "csv"):
        assert "\x1b" not in export_text(db, fmt) and "\x07" not in export_text(db, fmt)


def test_export_and_formats_lists_agree() -> None:
    assert set(export.FORMATS) == {"jsonl", "doccano", "doccano-rel", "prodigy", "w3c", "brat", "csv"}
    assert Path(export.default_file_name("csv", "first")).name == "first.csv"


def test_hand_edited_documents_are_skipped_with_a_reason_never_a_traceback(db, sample) -> None:
    """A database file edited by hand or by another program: what cannot be exported is named, the rest goes out."""
    from store.storage import atomic_write_bytes, encode

    path = db.layout.annotation_shard("second", 1)
    tables = json.loads(path.read_text(encoding="utf-8"))
    docs = tables["annotations"]
    good = next(iter(docs.values()))
    docs["90"] = dict(good, id="bad-paragraph", paragraph="one")
    docs["91"] = dict(good, id="bad-kind", kind="rumour")
    docs["92"] = dict(good, id="bad-span", span={"start": "0", "end": 4, "quote": "Iran"})
    docs["93"] = dict(good, id="no-such-revision", revision=["x"])
    atomic_write_bytes(path, encode(tables))
    out = io.StringIO()
    result = export.write_stream(db, "jsonl", out)
    assert result.annotations == 5 and len(valid_records(out.getvalue())) == 5
    skipped = sorted(p.split(" annotation ")[1].split(" ")[0] for p in result.problems)
    assert skipped == ["bad-kind", "bad-paragraph", "bad-span", "no-such-revision"]


def test_who_changed_an_annotation_or_a_mark_last_is_exported(db, sample) -> None:
    from store.session import Session

    a5 = sample["annotations"][4]  # bob's
    db.reviewer = "carol"
    session = Session(db)
    session.set_note(db.annotation("second", a5.id), "checked by carol")
    session.set_reviewed("second", 2, True)
    lines = jsonl(export_text(db, "jsonl", reports=("second",)))
    valid_records(export_text(db, "jsonl"))
    record = next(r for r in lines if r.get("id") == a5.id)
    assert (record["reviewer"], record["updated_by"], record["note"]) == ("bob", "carol", "checked by carol")
    mark = next(r for r in lines if r["record"] == "mark")
    assert (mark["reviewed_by"], mark["updated_by"]) == ("carol", "carol")
