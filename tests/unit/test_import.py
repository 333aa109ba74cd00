"""`claimdesk import`: native round trip and merge, the minimal pre-annotation form, bad lines, failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from store import export, importer
from store.db import Database
from store.errors import WriteError
from store.importer import import_lines, minimal_id
from store.model import Claim, Credibility, Kind
from tests.unit.test_export_support import annotation_records, cli, export_text, jsonl, sample_db, sample_reports, valid_records


def lines_of(*objects: object) -> list[bytes]:
    return [(o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)).encode("utf-8") + b"\n" for o in objects]


def run(db: Database, text: str | list[bytes], dry_run: bool = False) -> importer.ImportResult:
    raw = text if isinstance(text, list) else text.encode("utf-8").splitlines(keepends=True)
    return import_lines(db, raw, dry_run=dry_run)


def files_of(db: Database) -> dict[str, bytes]:
    return {str(p.relative_to(db.root)): p.read_bytes() for p in sorted(db.root.rglob("*.json"))}


@pytest.fixture
def sample(db):
    return sample_db(db)


@pytest.fixture
def colleague(tmp_path) -> Database:
    """Another analyst's database holding the same reports and nothing else."""
    other = Database(tmp_path / "colleague", reviewer="colleague")
    sample_reports(other)
    return other


def record_of(db: Database, annotation_id: str) -> dict:
    return next(r for r in annotation_records(export_text(db, "jsonl")) if r["id"] == annotation_id)


class TestNativeRoundTrip:
    def test_export_import_export_gives_the_same_records(self, db, sample, colleague) -> None:
        exported = export_text(db, "jsonl")
        result = run(colleague, exported)
        assert result.complete and (result.added, result.updated, result.unchanged) == (5, 0, 0)
        assert sorted(result.actors_created) == ["Al-Manar", "Hezbollah", "Iran"]
        assert export_text(colleague, "jsonl") == exported
        hezbollah = colleague.find_actor("Hizbullah")
        assert hezbollah.name == "Hezbollah" and hezbollah.type == "armed_group"
        assert colleague.actor(hezbollah.affiliation).name == "Iran"

    def test_importing_again_changes_nothing(self, db, sample, colleague) -> None:
        exported = export_text(db, "jsonl")
        run(colleague, exported)
        before = files_of(colleague)
        again = run(colleague, exported)
        assert again.complete and (again.added, again.updated, again.unchanged) == (0, 0, 5)
        assert files_of(colleague) == before
        assert len(list(colleague.iter_annotations())) == 5

    def test_into_the_database_it_came_from(self, db, sample) -> None:
        before = files_of(db)
        result = run(db, export_text(db, "jsonl"))
        assert result.complete and result.unchanged == 5 and result.added == 0
        assert files_of(db) == before

    def test_by_the_command(self, db, sample, colleague, tmp_path) -> None:
        path = tmp_path / "all.jsonl"
        path.write_text(export_text(db, "jsonl"), encoding="utf-8")
        result = cli("import", "--db", str(colleague.root), str(path))
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        # 5 annotations and the 3 actors they name
        assert "all.jsonl: 8 lines: added 5, updated 0, unchanged 0, kept 0, conflicts 0, rejected 0" in result.stdout
        assert "; created actors: " in result.stdout
        again = cli("import", "--db", str(colleague.root), str(path))
        assert again.exit_code == 0 and "added 0, updated 0, unchanged 5" in again.stdout

    def test_from_standard_input(self, db, sample, colleague) -> None:
        result = cli("import", "--db", str(colleague.root), "-", input=export_text(db, "jsonl").encode("utf-8"))
        assert result.exit_code == 0, result.stderr
        assert len(list(colleague.iter_annotations())) == 5


class TestMergingReviewers:
    def test_newer_wins_and_each_reviewers_work_is_kept(self, db, sample, colleague, tmp_path) -> None:
        a1, _, a3, *_ = sample["annotations"]
        base = export_text(db, "jsonl")
        alice = Database(tmp_path / "alice", reviewer="alice")
        bob = Database(tmp_path / "bob", reviewer="bob")
        for other in (alice, bob, colleague):
            sample_reports(other)
            assert run(other, base).complete
        alice.save_annotation(alice.annotation("first", a1.id).evolve(credibility=Credibility("A", 1)))
        bob.save_annotation(bob.annotation("first", a3.id).evolve(note="checked"))
        report = bob.find_report("second")
        new, _ = bob.save_annotation(bob.new_annotation(Kind.CLAIM, report, 2, span=None, claim=Claim("nothing happened")))
        from_alice, from_bob = export_text(alice, "jsonl"), export_text(bob, "jsonl")

        first = run(colleague, from_alice + from_bob)
        assert first.complete, (first.errors, first.conflicts)
        assert (first.added, first.updated) == (1, 2)
        assert record_of(colleague, a1.id)["credibility"]["code"] == "A1"
        assert record_of(colleague, a3.id)["note"] == "checked"
        assert record_of(colleague, new.id)["claim"]["text"] == "nothing happened"
        merged = export_text(colleague, "jsonl")

        for order in ((from_bob, from_alice), (from_alice, from_bob), (base,)):
            again = run(colleague, "".join(order))
            assert again.complete and again.added == 0 and again.updated == 0
            assert export_text(colleague, "jsonl") == merged
        assert len(list(colleague.iter_annotations())) == 6

    def test_an_older_version_is_kept_out(self, db, sample, colleague) -> None:
        a1 = sample["annotations"][0]
        old = export_text(db, "jsonl")
        db.save_annotation(db.annotation("first", a1.id).evolve(note="newer note"))
        newer = export_text(db, "jsonl")
        run(colleague, newer)
        result = run(colleague, old)
        assert result.complete and result.kept == 1 and result.unchanged == 4
        assert record_of(colleague, a1.id)["note"] == "newer note"

    def test_same_time_different_content_is_a_conflict(self, db, sample, colleague, tmp_path) -> None:
        a1 = sample["annotations"][0]
        exported = export_text(db, "jsonl")
        run(colleague, exported)
        records = jsonl(exported)
        line = next(i for i, r in enumerate(records, start=1) if r.get("id") == a1.id)
        records[line - 1]["note"] = "edited elsewhere, same second"
        records[line - 1]["reviewer"] = "mallory\x1b[2J"
        path = tmp_path / "conflict.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        result = cli("import", "--db", str(colleague.root), str(path))
        assert result.exit_code == 1
        conflict_lines = [ln for ln in result.stderr.splitlines() if "conflict" in ln]
        assert conflict_lines == [conflict_lines[0]] and f"conflict.jsonl:{line}:" in conflict_lines[0]
        assert a1.id in conflict_lines[0] and "kept" in conflict_lines[0] and "\x1b" not in result.stderr
        assert "conflicts 1" in result.stdout
        assert record_of(colleague, a1.id)["note"] == "=HYPERLINK(\"x\")\nsecond line"


class TestAnchoring:
    def test_a_moved_paragraph_is_found_by_its_text(self, db, sample, tmp_path) -> None:
        a5 = sample["annotations"][4]
        [record] = [r for r in annotation_records(export_text(db, "jsonl")) if r["id"] == a5.id]
        other = Database(tmp_path / "moved", reviewer="x")
        from tests.unit.test_export_support import add_report

        add_report(other, "second", ["A new first paragraph.", "Iran denied any role.", "A second paragraph, about nothing."],
                   revision="ffffffffffffffff")
        result = run(other, lines_of(record))
        assert result.complete, result.errors
        [moved] = other.annotations("second")
        assert (moved.revision, moved.paragraph, moved.span.start, moved.span.quote) == ("ffffffffffffffff", 2, 0, "Iran")

    def test_wrong_offsets_with_a_unique_quote_are_corrected(self, db, sample, colleague) -> None:
        a1 = sample["annotations"][0]
        record = record_of(db, a1.id)
        record["span"]["start"] += 2
        record["span"]["end"] += 2
        result = run(colleague, lines_of(record))
        assert result.complete
        assert colleague.annotation("first", a1.id).span.start == 35

    def test_text_that_is_not_in_the_database(self, db, sample, colleague) -> None:
        record = record_of(db, sample["annotations"][0].id)
        record["paragraph"]["text"] = "Some other text entirely."
        result = run(colleague, lines_of(record))
        assert not result.complete
        [error] = result.errors
        assert error.line == 1 and "does not have this text" in error.message


class TestBadLines:
    def test_each_bad_line_is_reported_and_the_good_ones_go_in(self, db, sample, colleague, tmp_path) -> None:
        a1, a2, a3, a4, a5 = (record_of(db, a.id) for a in sample["annotations"])
        good = [a2, a1, a3, a4, a5]
        wrong_type = json.loads(json.dumps(good[1]))
        wrong_type["span"]["start"] = "0"
        boolean = json.loads(json.dumps(good[2]))
        boolean["paragraph"]["number"] = True
        unknown_report = json.loads(json.dumps(good[3]))
        unknown_report["report"]["id"] = "missing\x1b]0;x\x07"
        unknown_report["report"]["source"] = None
        future = dict(good[4], schema="claimdesk/3")
        no_id = {k: v for k, v in good[4].items() if k != "id"}
        bad_code = json.loads(json.dumps(a1))
        bad_code["credibility"]["code"] = "A1"
        body = (
            json.dumps(good[0], ensure_ascii=False) + "\n"
            + "not json at all\n"
            + "\n"
            + json.dumps(wrong_type) + "\n"
            + "[1, 2, 3]\n"
            + json.dumps(boolean) + "\n"
            + json.dumps(unknown_report) + "\n"
            + json.dumps(future) + "\n"
            + json.dumps(no_id) + "\n"
            + json.dumps(bad_code) + "\n"
        )
        path = tmp_path / "mixed.jsonl"
        path.write_bytes(body.encode("utf-8") + b"\xff\xfe broken bytes\n" + json.dumps(good[4]).encode() + b"\n")
        result = cli("import", "--db", str(colleague.root), str(path))
        assert result.exit_code == 1
        assert "Traceback" not in result.stderr and "\x1b" not in result.stderr and "\x07" not in result.stderr
        errors = [ln for ln in result.stderr.splitlines() if ln.startswith("claimdesk: error: ")]
        assert [ln.split(":")[3] for ln in errors] == ["2", "4", "5", "6", "7", "8", "9", "10", "11"]
        messages = "\n".join(errors)
        for fragment in ("is not JSON", "span.start must be a whole number", "not an object", "paragraph.number must be",
                         "is not in this database",
                         "is not 'claimdesk/1' or 'claimdesk/2'", "id is missing", "does not match", "is not UTF-8"):
            assert fragment in messages
        assert "added 2" in result.stdout and "rejected 9" in result.stdout
        assert {a.id for a in colleague.iter_annotations()} == {good[0]["id"], good[4]["id"]}

    def test_a_bom_crlf_and_blank_lines_are_fine(self, db, sample, colleague) -> None:
        text = export_text(db, "jsonl").replace("\n", "\r\n\r\n")
        result = run(colleague, [b"\xef\xbb\xbf" + line for line in text.encode("utf-8").splitlines(keepends=True)][:1]
                     + text.encode("utf-8").splitlines(keepends=True)[1:])
        assert result.complete and result.added == 5 and result.lines == 8

    def test_missing_file_is_one_line(self, db, tmp_path) -> None:
        result = cli("import", "--db", str(db.root), str(tmp_path / "nope.jsonl"))
        assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "no such file" in result.stderr


class TestMinimalForm:
    def test_claim_with_names_resolved_by_alias_and_unknown_actors_created(self, db, sample) -> None:
        result = run(db, lines_of({
            "report": "first.txt", "quote": "repelled an advance", "kind": "claim", "claim_type": "event",
            "claimant": "hizballah", "reported_by": "Sabereen News", "credibility": "b2", "note": "from the pipeline",
        }))
        assert result.complete and result.added == 1 and result.actors_created == ["Sabereen News"]
        claim = next(a for a in db.annotations("first") if a.note == "from the pipeline")
        text = db.open_report("first").paragraphs[0].text
        assert text[claim.span.start:claim.span.end] == "repelled an advance" == claim.claim.text
        assert claim.claim.claimant == sample["actors"]["hezbollah"].id
        assert db.actor(claim.claim.reported_by).name == "Sabereen News"
        assert claim.credibility == Credibility("B", 2) and claim.reviewer == "tester"
        assert claim.id == minimal_id("first", claim.revision, 1, claim.span.start, claim.span.end, "claim", "tester")

    def test_actor_mentions(self, db, sample) -> None:
        result = run(
            db,
            lines_of(
                {
                    "report": "second",
                    "quote": "role",
                    "kind": "actor",
                    "actor": "Islamic Revolutionary Guard Corps",
                    "actor_type": "state_body",
                },
                {"report": "second", "quote": "Iran", "kind": "actor"},
            ),
        )
        assert result.complete and result.added == 2
        irgc = db.find_actor("Islamic Revolutionary Guard Corps")
        assert irgc.type == "state_body"
        ids = {a.actor_id for a in db.annotations("second") if a.reviewer == "tester"}
        assert ids == {irgc.id, sample["actors"]["iran"].id}

    def test_not_found_and_ambiguous_quotes_are_reported_the_rest_imported(self, db, sample, tmp_path) -> None:
        path = tmp_path / "pre.jsonl"
        path.write_bytes(b"".join(lines_of(
            {"report": "first", "quote": "the", "kind": "claim"},
            {"report": "first", "quote": "no such words", "kind": "claim"},
            {"report": "first", "quote": "the border", "kind": "claim"},
            {"report": "first", "quote": "the", "kind": "claim", "paragraph": 3},
            {"report": "first", "quote": "a", "kind": "claim", "paragraph": 3},
            {"report": "first", "quote": "a", "kind": "claim", "paragraph": 3, "start": 19},
            {"report": "first", "quote": "x", "kind": "claim", "paragraph": 9},
        )))
        result = cli("import", "--db", str(db.root), str(path))
        assert result.exit_code == 1
        errors = [ln for ln in result.stderr.splitlines() if "error" in ln]
        assert len(errors) == 4
        assert "pre.jsonl:1: quote 'the' occurs 2 times (paragraph 1, 3); give \"paragraph\"" in errors[0]
        assert "pre.jsonl:2: quote 'no such words' is not in report first" in errors[1]
        assert "pre.jsonl:5: quote 'a' occurs" in errors[2] and '"start"' in errors[2]
        assert "pre.jsonl:7: paragraph 9 is not in report first (it has 3)" in errors[3]
        assert "added 3" in result.stdout and "rejected 4" in result.stdout

    def test_pre_annotations_are_idempotent_and_never_overwrite_an_analyst(self, db, sample) -> None:
        line = {"report": "second", "quote": "denied any role", "kind": "claim", "claim_type": "statement"}
        assert run(db, lines_of(line)).added == 1
        again = run(db, lines_of(line))
        assert again.complete and again.unchanged == 1 and again.added == 0
        [pre] = [a for a in db.annotations("second") if a.kind is Kind.CLAIM]
        db.save_annotation(pre.evolve(credibility=Credibility("A", 1), claim=Claim("Iran denies a role", "statement")))
        third = run(db, lines_of(line))
        assert third.complete and third.kept == 1
        [kept] = [a for a in db.annotations("second") if a.kind is Kind.CLAIM]
        assert kept.claim.text == "Iran denies a role" and kept.credibility.code == "A1"

    def test_a_line_already_imported_is_kept_and_the_summary_says_why(self, db, sample, tmp_path) -> None:
        first = tmp_path / "first.jsonl"
        first.write_text(json.dumps({"report": "second", "quote": "denied any role", "kind": "claim"}) + "\n", encoding="utf-8")
        richer = tmp_path / "richer.jsonl"
        richer.write_text(json.dumps({
            "report": "second", "quote": "denied any role", "kind": "claim",
            "claim_type": "statement", "claimant": "Iran", "credibility": "B2",
        }) + "\n", encoding="utf-8")
        assert cli("import", "--db", str(db.root), "--reviewer", "carol", str(first)).exit_code == 0
        again = cli("import", "--db", str(db.root), "--reviewer", "carol", str(richer))
        assert again.exit_code == 0, again.stderr
        summary, why = again.stdout.splitlines()
        assert summary == "richer.jsonl: 1 line: added 0, updated 0, unchanged 0, kept 1, conflicts 0, rejected 0"
        assert why == (
            "kept 1: its annotation was already imported (the same quote, place and kind, imported by carol); "
            "an import of the minimal form only adds annotations, it never changes one — change it in the app, "
            "or import its `claimdesk export` line, changed, with a later updated_at"
        )
        [claim] = [a for a in db.annotations("second") if a.kind is Kind.CLAIM and a.reviewer == "carol"]
        assert claim.claim.type == "other" and claim.claim.claimant is None and claim.credibility is None

    def test_a_newer_annotation_in_the_database_is_kept_and_the_summary_says_why(self, db, sample, colleague, tmp_path) -> None:
        a1 = sample["annotations"][0]
        path = tmp_path / "old.jsonl"
        path.write_text(export_text(db, "jsonl"), encoding="utf-8")
        db.save_annotation(db.annotations(a1.report_id)[0].evolve(note="changed since"))
        result = cli("import", "--db", str(db.root), str(path))
        assert result.exit_code == 0, result.stderr
        assert "kept 1: the database holds a newer version of its annotation (a later updated_at) than the file" in result.stdout

    @pytest.mark.parametrize(("kind", "meant"), [("claim", "claim_type"), ("actor", "actor_type")])
    def test_a_misspelt_field_is_named_with_the_one_meant(self, db, sample, kind, meant) -> None:
        result = run(db, lines_of({"report": "second", "quote": "Iran", "kind": kind, "type": "statement"}))
        assert result.complete and result.added == 1
        assert [w.message for w in result.warnings] == [f"unknown field ignored: 'type' (did you mean '{meant}'?)"]
        other = run(db, lines_of({"report": "second", "quote": "denied any role", "kind": "claim", "reportedby": "Iran"}))
        assert [w.message for w in other.warnings] == ["unknown field ignored: 'reportedby' (did you mean 'reported_by'?)"]

    def test_the_readme_example_lines_import_as_documented(self, db, tmp_path) -> None:
        """The README's example of the minimal form: every field it shows is read, none is ignored."""
        from tests.conftest import ROOT, SAMPLES

        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        section = readme[readme.index("the minimal form.**"):readme.index("### Agreement")]
        example = section.split("```")[1].strip().splitlines()
        documented = {cell.strip("` ") for cell in re.findall(r"^\| (`\w+`) \|", section, flags=re.MULTILINE)}
        assert documented == set(importer.MINIMAL_FIELDS)
        db.add_report(SAMPLES / "field_notes_river_crossing.txt")
        path = tmp_path / "example.jsonl"
        path.write_text("\n".join(example) + "\n", encoding="utf-8")
        result = cli("import", "--db", str(db.root), str(path))
        assert result.exit_code == 0 and result.stderr == "", result.stderr
        assert result.stdout.startswith("example.jsonl: 2 lines: added 2, updated 0")
        claim, mention = sorted(db.annotations("field_notes_river_crossing"), key=lambda a: a.kind.value)[::-1]
        assert (claim.claim.type, claim.credibility.code, claim.note) == ("event", "C3", "phone interviews, unnamed")
        assert db.actor(claim.claim.claimant).name == "Residents of Deir Hafer"
        assert (mention.paragraph, db.actor(mention.actor_id).type) == (2, "armed_group")

    def test_field_checks(self, db, sample) -> None:
        result = run(db, lines_of(
            {"report": "second", "quote": "Iran", "kind": "event"},
            {"report": "second", "quote": "Iran", "kind": "claim", "claim_type": "rumour"},
            {"report": "second", "quote": "Iran", "kind": "actor", "actor_type": "alien"},
            {"report": "second", "quote": "Iran", "kind": "claim", "credibility": "G7"},
            {"report": "second", "quote": "", "kind": "claim"},
            {"quote": "Iran", "kind": "claim"},
            {"report": "second", "quote": 5, "kind": "claim"},
            {"report": "second", "quote": "Iran", "kind": "claim", "claimant": ["x"]},
            {"report": "second", "quote": "Iran", "kind": "claim", "paragraph": "1"},
        ))
        assert result.added == 0
        assert [e.line for e in result.errors] == list(range(1, 10))
        assert result.errors[1].message == (
            "claim_type 'rumour' is not a claim type: use one of event, capability, intent or threat, statement or position, "
            "figure or casualty count, other (or the ids event, capability, intent, statement, figure, other)"
        )
        assert "'alien' is not an actor type: use one of person, armed group or militia, state, state body" in result.errors[2].message
        assert "report is missing" in result.errors[5].message

    def test_unknown_and_misplaced_fields_are_warnings(self, db, sample) -> None:
        result = run(db, lines_of({"report": "second", "quote": "Iran", "kind": "claim", "score": 0.9, "actor_type": "state"}))
        assert result.complete and result.added == 1
        assert {w.line for w in result.warnings} == {1}
        assert any("'score'" in w.message for w in result.warnings)
        assert any("actor_type ignored" in w.message for w in result.warnings)

    def test_crlf_in_a_quote_matches_the_stored_text(self, db) -> None:
        from tests.unit.test_export_support import add_report

        add_report(db, "lines", ["first line\nsecond line"])
        result = run(db, lines_of({"report": "lines", "quote": "line\r\nsecond", "kind": "claim"}))
        assert result.complete and db.annotations("lines")[0].span.quote == "line\nsecond"


class TestDryRunAndFailures:
    def test_dry_run_writes_nothing(self, db, sample, colleague) -> None:
        before = files_of(colleague)
        result = run(colleague, export_text(db, "jsonl"), dry_run=True)
        assert result.complete and result.added == 5 and sorted(result.actors_created) == ["Al-Manar", "Hezbollah", "Iran"]
        assert files_of(colleague) == before
        shown = cli("import", "--db", str(colleague.root), "--dry-run", "-", input=export_text(db, "jsonl"))
        assert shown.exit_code == 0 and shown.stdout.startswith("dry run, nothing written") and "would add 5" in shown.stdout
        assert files_of(colleague) == before

    def test_a_dry_run_says_what_it_would_do_in_one_tense(self, db, sample, colleague) -> None:
        exported = export_text(db, "jsonl")
        shown = cli("import", "--db", str(colleague.root), "--dry-run", "-", input=exported)
        assert shown.stdout.splitlines()[0].startswith(
            "dry run, nothing written — -: 8 lines: would add 5, would update 0, would leave 0 unchanged, would keep 0, "
            "conflicts 0, would reject 0; would create actors: "
        )
        assert cli("import", "--db", str(colleague.root), "-", input=exported).exit_code == 0
        again = cli("import", "--db", str(colleague.root), "--dry-run", "-", input=exported)
        assert again.stdout == (
            "dry run, nothing written — -: 8 lines: would add 0, would update 0, would leave 5 unchanged, would keep 0, "
            "conflicts 0, would reject 0\n"
        )

    def test_a_write_failure_stops_with_whole_reports_only(self, db, sample, colleague, monkeypatch) -> None:
        exported = export_text(db, "jsonl")  # report "second" first, then "first"
        real = colleague.save_annotations

        def failing(report_id, annotations):
            if report_id == "first":
                raise WriteError("could not save first.annotations.json: the disk is full; nothing was changed on disk")
            return real(report_id, annotations)

        monkeypatch.setattr(colleague, "save_annotations", failing)
        result = run(colleague, exported)
        assert not result.complete and "disk is full" in result.stopped and "run the same import again" in result.stopped
        assert [a.report_id for a in colleague.iter_annotations()] == ["second"]
        assert [a.name for a in colleague.actors()] == ["Iran"]  # the actors created for "first" were removed
        monkeypatch.setattr(colleague, "save_annotations", real)
        finish = run(colleague, exported)
        assert finish.complete and (finish.added, finish.unchanged) == (4, 1)
        assert export_text(colleague, "jsonl") == exported

    def test_one_large_report_is_written_in_batches(self, db, sample, colleague, monkeypatch) -> None:
        monkeypatch.setattr(importer, "BATCH_LIMIT", 2)
        result = run(colleague, export_text(db, "jsonl"))
        assert result.complete and result.added == 5
        assert export_text(colleague, "jsonl") == export_text(db, "jsonl")

    def test_every_record_written_by_import_exports_valid(self, db, sample) -> None:
        run(db, lines_of({"report": "second", "quote": "paragraph", "kind": "actor", "actor": "Nobody", "credibility": "F6"}))
        assert len(valid_records(export_text(db, "jsonl"))) == 6


def test_import_and_export_of_a_real_file(tmp_path, sample_paths) -> None:
    """From report files on disk, as a user does it: add, pre-annotate, export, import elsewhere."""
    first = Database(tmp_path / "a", reviewer="amira")
    for path in sample_paths:
        first.add_report(path)
    report = first.reports()[0]
    quote = first.open_report(report.id).paragraphs[0].text[:25]
    result = run(first, lines_of({"report": Path(report.source).name, "quote": quote, "kind": "claim", "paragraph": 1}))
    assert result.complete, result.errors
    second = Database(tmp_path / "b", reviewer="bob")
    for path in sample_paths:
        second.add_report(path)
    assert run(second, export_text(first, "jsonl")).complete
    assert export_text(second, "jsonl") == export_text(first, "jsonl")


def test_an_actor_affiliated_with_itself_is_created_once(db, sample, colleague) -> None:
    record = record_of(db, sample["annotations"][1].id)
    record["actor"] = {"name": "Lone Wolf", "type": "person", "aliases": [], "affiliation": "lone wolf"}
    result = run(colleague, lines_of(record))
    assert result.complete and result.actors_created == ["Lone Wolf"]
    [actor] = colleague.actors()
    assert actor.type == "person" and actor.affiliation is None


class TestLosslessRoundTrip:
    """A database → export → import into an empty database holding the same report files → the same database."""

    def test_stats_and_export_are_identical(self, annotated, tmp_path) -> None:
        from tests.unit.conftest import report_files

        exported = tmp_path / "all.jsonl"
        assert cli("export", "--db", str(annotated.root), "-o", str(exported)).exit_code == 0
        fresh = tmp_path / "fresh"
        for path in report_files(with_seed=True):
            assert cli("add", "--db", str(fresh), str(path)).exit_code == 0
        result = cli("--reviewer", "someone-else", "import", "--db", str(fresh), str(exported))
        assert result.exit_code == 0, result.stderr
        assert "paragraph marks: added " in result.stdout
        again = tmp_path / "again.jsonl"
        assert cli("export", "--db", str(fresh), "-o", str(again)).exit_code == 0
        assert again.read_text(encoding="utf-8").splitlines() == exported.read_text(encoding="utf-8").splitlines()
        before = cli("stats", "--db", str(annotated.root), "--json").stdout
        after = cli("stats", "--db", str(fresh), "--json").stdout
        assert json.loads(after) == json.loads(before) and json.loads(before)["paragraphs"]["reviewed"] > 0
        assert valid_records(exported.read_text(encoding="utf-8"))

    def test_actors_named_only_as_claimant_reported_by_or_affiliation_come_back_whole(self, db, colleague) -> None:
        first, _ = sample_reports(db)
        patron, _ = db.save_actor(db.new_actor("Islamic Republic", "state", aliases=("IRI",), note="the patron"))
        militia, _ = db.save_actor(db.new_actor("Popular Mobilization Units", "armed_group", aliases=("PMU", "Hashd"),
                                                affiliation=patron.id))
        outlet, _ = db.save_actor(db.new_actor("MEMRI", "media", aliases=("Middle East Media Research Institute",)))
        db.reviewer = "alice"
        from tests.unit.test_export_support import annotate

        annotate(db, first, 1, 35, 65, claim=Claim("an advance was repelled", "event", militia.id, outlet.id))
        result = run(colleague, export_text(db, "jsonl"))
        assert result.complete, result.errors
        for name in ("Islamic Republic", "Popular Mobilization Units", "MEMRI"):
            theirs, ours = colleague.find_actor(name), db.find_actor(name)
            assert (theirs.type, theirs.aliases, theirs.note, theirs.reviewer) == (ours.type, ours.aliases, ours.note, ours.reviewer)
        assert colleague.actor(colleague.find_actor("PMU").affiliation).name == "Islamic Republic"

    def test_marks_merge_by_time(self, db, colleague) -> None:
        from store.session import Session

        sample_reports(db)
        db.reviewer = "alice"
        Session(db).set_reviewed("first", 1, True)
        Session(db).set_flagged("first", 2, True, "which outlet?")
        Session(db).set_reviewed("first", 2, True)
        exported = export_text(db, "jsonl")
        marks = [r for r in jsonl(exported) if r["record"] == "mark"]
        assert [(m["paragraph"]["number"], m["reviewed"], m["flagged"], m["flag_reason"]) for m in marks] == [
            (1, True, False, ""), (2, True, True, "which outlet?"),
        ]
        assert marks[0]["reviewed_by"] == "alice" and marks[0]["reviewed_at"] == marks[0]["updated_at"]
        Session(colleague).set_reviewed("first", 3, True)
        result = run(colleague, exported)
        assert result.complete and result.marks == {"added": 2, "updated": 0, "unchanged": 0, "kept": 0}
        theirs = colleague.marks("first")
        assert (theirs[2].flagged, theirs[2].flag_reason, theirs[2].reviewed_by) == (True, "which outlet?", "alice")
        assert theirs[3].reviewed_by == "colleague"
        assert run(colleague, exported).marks == {"added": 0, "updated": 0, "unchanged": 2, "kept": 0}
        colleague.reviewer = "bob"
        Session(colleague).set_flagged("first", 1, True)  # later than alice's mark: kept
        assert run(colleague, exported).marks["kept"] == 1
        assert colleague.marks("first")[1].flagged_by == "bob"

    def test_claimdesk_1_lines_still_import(self, db, sample, colleague) -> None:
        old = []
        for record in annotation_records(export_text(db, "jsonl")):
            record = dict(record, schema="claimdesk/1")
            del record["record"]
            old.append(record)
        result = run(colleague, lines_of(*old))
        assert result.complete and result.added == 5
        assert annotation_records(export_text(colleague, "jsonl")) == annotation_records(export_text(db, "jsonl"))


class TestLabels:
    @pytest.mark.parametrize(("given", "stored"), [
        ("armed group", "armed_group"), ("Armed Group or Militia", "armed_group"), ("militia", "armed_group"),
        ("ARMED_GROUP", "armed_group"), ("media outlet", "media"), ("Media", "media"),
        ("international organization", "international_org"), ("International Organisation", "international_org"),
        ("political party", "party"), ("state body", "state_body"), ("state-body", "state_body"), ("Person", "person"),
    ])
    def test_actor_types_by_label_or_variant(self, db, sample, given, stored) -> None:
        result = run(db, lines_of({"report": "second", "quote": "role", "kind": "actor", "actor": "Somebody", "actor_type": given}))
        assert result.complete, result.errors
        assert db.find_actor("Somebody").type == stored

    @pytest.mark.parametrize(("given", "stored"), [
        ("Figure or casualty count", "figure"), ("casualty count", "figure"), ("threat", "intent"),
        ("Statement", "statement"), ("position", "statement"), ("EVENT", "event"),
    ])
    def test_claim_types_by_label_or_variant(self, db, sample, given, stored) -> None:
        result = run(db, lines_of({"report": "second", "quote": "denied", "kind": "claim", "claim_type": given}))
        assert result.complete, result.errors
        assert next(a for a in db.annotations("second") if a.kind is Kind.CLAIM).claim.type == stored

    def test_native_records_accept_labels_too(self, db, sample, colleague) -> None:
        records = annotation_records(export_text(db, "jsonl"))
        for record in records:
            if record["claim"]:
                record["claim"]["type"] = {"event": "Event", "statement": "statement or position"}[record["claim"]["type"]]
            if record["actor"]:
                record["actor"]["type"] = {"armed_group": "Armed group", "state": "STATE"}[record["actor"]["type"]]
        result = run(colleague, lines_of(*records))
        assert result.complete, result.errors
        assert colleague.find_actor("Hezbollah").type == "armed_group"


class TestNotJsonl:
    """A file in another format gets one line saying what import reads, and nothing is written."""

    @pytest.mark.parametrize(("fmt", "said"), [
        ("csv", "looks like CSV"), ("doccano", "looks like a doccano export: import it with --format doccano"),
        ("prodigy", "looks like Prodigy tasks: import it with --format prodigy"),
        ("w3c", "is W3C Web Annotation, which claimdesk exports but does not read back"),
    ])
    def test_other_formats(self, db, sample, colleague, tmp_path, fmt, said) -> None:
        path = tmp_path / f"export.{fmt}"
        export.export_to_path(db, fmt, path)
        before = files_of(colleague)
        result = cli("import", "--db", str(colleague.root), str(path))
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and said in result.stderr, result.stderr
        assert files_of(colleague) == before

    def test_a_brat_folder_and_a_brat_file(self, db, sample, colleague, tmp_path) -> None:
        export.write_brat(db, tmp_path / "brat")
        for target, said in ((tmp_path / "brat", "is a folder of brat files"), (tmp_path / "brat" / "first.ann", "looks like brat")):
            result = cli("import", "--db", str(colleague.root), str(target))
            assert result.exit_code == 1 and result.stderr.count("\n") == 1 and said in result.stderr, result.stderr
            assert "claimdesk import reads JSON Lines" in result.stderr

    @pytest.mark.parametrize("body", [b"[{\"a\": 1}]\n", b"{\n  \"report\": \"x\"\n}\n", b"\x89PNG\r\n\x1a\n\x00\x00", b"just words\n"])
    def test_not_json_lines(self, db, tmp_path, body) -> None:
        path = tmp_path / "input.jsonl"
        path.write_bytes(body)
        result = cli("import", "--db", str(db.root), str(path))
        assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "claimdesk import reads JSON Lines" in result.stderr

    def test_our_own_export_given_another_format(self, db, sample, colleague, tmp_path) -> None:
        path = tmp_path / "all.jsonl"
        path.write_text(export_text(db, "jsonl"), encoding="utf-8")
        result = cli("import", "--db", str(colleague.root), "--format", "doccano", str(path))
        assert result.exit_code == 1 and "import it without --format" in result.stderr


class TestReviewersOwnPreAnnotations:
    def test_two_reviewers_importing_the_same_span_get_two_annotations(self, db, sample, tmp_path) -> None:
        path = tmp_path / "pre.jsonl"
        path.write_bytes(b"".join(lines_of({"report": "second", "quote": "denied any role", "kind": "claim"})))
        assert cli("--reviewer", "alice", "import", "--db", str(db.root), str(path)).exit_code == 0
        bob = cli("--reviewer", "bob", "import", "--db", str(db.root), str(path))
        assert bob.exit_code == 0 and "added 1" in bob.stdout
        claims = [a for a in Database(db.root).annotations("second") if a.kind is Kind.CLAIM]
        assert sorted(a.reviewer for a in claims) == ["alice", "bob"] and len({a.id for a in claims}) == 2
        again = cli("--reviewer", "bob", "import", "--db", str(db.root), str(path))
        assert "added 0" in again.stdout and "unchanged 1" in again.stdout

    def test_an_earlier_versions_id_is_still_recognised(self, db, sample) -> None:
        from store.importer import legacy_minimal_id
        from store.model import Span

        report = db.find_report("second")
        start = "Iran denied any role.".index("denied any role")
        old = db.new_annotation(Kind.CLAIM, report, 1, span=Span(start, start + 15, "denied any role"),
                                claim=Claim("denied any role", "other"))
        old = old.evolve(id=legacy_minimal_id("second", report.revision, 1, start, start + 15, "claim"))
        db.save_annotation(old)
        result = run(db, lines_of({"report": "second", "quote": "denied any role", "kind": "claim"}))
        assert result.complete and result.added == 0 and result.unchanged == 1
