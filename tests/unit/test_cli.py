"""The installed `claimdesk` command, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from store.ingest import parse_file
from tests.conftest import SAMPLES


def claimdesk_executable() -> str:
    beside = Path(sys.executable).parent / "claimdesk"
    if beside.exists():
        return str(beside)
    found = shutil.which("claimdesk")
    if found is None:
        pytest.skip("the claimdesk console script is not installed (pip install -e .)")
    return found


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with no user config, no default database and a home of its own."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK_", "XDG_"))}
    home = tmp_path / "home"
    home.mkdir()
    environment.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        CLAIMDESK_CONFIG=str(home / "no-config.toml"),
        PYTHONIOENCODING="utf-8",
    )
    return environment


@pytest.fixture
def run(env, tmp_path):
    def run(*args: str, extra_env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [claimdesk_executable(), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**env, **(extra_env or {})},
            cwd=cwd or tmp_path,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )

    return run


def assert_user_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exactly one line on stderr, a non-zero exit, nothing on stdout, never a traceback."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("claimdesk: error: "), lines[0]
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


SAMPLE_DISPATCH = SAMPLES / "dispatch_harbour_drones.txt"
SAMPLE_MARKDOWN = SAMPLES / "militia_statements_review.md"
SAMPLE_TEXT = SAMPLES / "field_notes_river_crossing.txt"


class TestParse:
    def test_json_of_the_seed(self, run, seed_path) -> None:
        result = run("parse", str(seed_path), "--json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert {"title", "date", "dispatch_number", "regions", "headings", "paragraphs", "footnotes", "warnings"} <= set(data)
        assert data["title"].startswith("Arab News Sites: Iran Running Joint Resistance Axis Operations Room")
        assert data["date"] == "2023-10-19"
        assert data["dispatch_number"] == "10888"
        assert data["regions"] == ["Iran", "Iraq", "Syria", "Palestinians"]
        assert len(data["headings"]) == 10
        assert data["headings"][-1] == "Reports In Arab Media On Forces Headed For Israeli Border"
        assert len(data["paragraphs"]) == 38
        assert [p["number"] for p in data["paragraphs"]] == list(range(1, 39))
        assert all(set(p) == {"number", "text", "section", "footnotes"} for p in data["paragraphs"])
        assert data["paragraphs"][0]["section"] is None
        assert data["paragraphs"][5]["section"] == data["headings"][0]
        assert data["paragraphs"][7]["footnotes"] == [5, 6]
        # The five U+00A0 that ended ¶37 in the file are trimmed (issue 12); none is left at any edge.
        assert data["paragraphs"][36]["text"].endswith("to their ranks.")
        assert all(p["text"] == p["text"].strip() for p in data["paragraphs"])
        assert all(set(note) == {"number", "text"} for note in data["footnotes"])
        assert [note["number"] for note in data["footnotes"]] == [7, 8, 9, 13, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26]
        assert data["warnings"] == [
            "footnote markers without a note: [1], [2], [3], [4], [5], [6], [10], [11], [12], [18], [23]"
        ]

    def test_json_is_exactly_the_parse(self, run, seed_path) -> None:
        result = run("parse", "--json", str(seed_path))
        parsed, _ = parse_file(seed_path)
        assert json.loads(result.stdout) == parsed.to_dict()

    @pytest.mark.parametrize(
        ("path", "layout"),
        [
            (SAMPLE_DISPATCH, "dispatch"),
            (SAMPLE_MARKDOWN, "markdown"),
            (SAMPLE_TEXT, "text"),
            (SAMPLES / "dispatch_harbour_drones.html", "html-dispatch"),
            (SAMPLES / "militia_statements_review.pdf", "pdf"),
            (SAMPLES / "militia_statements_review.docx", "docx"),
        ],
        ids=["dispatch", "markdown", "text", "html", "pdf", "docx"],
    )
    def test_json_of_each_sample_layout(self, run, path, layout) -> None:
        result = run("parse", str(path), "--json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["format"] == layout
        assert data["title"] and data["paragraphs"]
        if data["date"] is not None:
            assert len(data["date"]) == 10 and data["date"][4] == "-"

    def test_markdown_front_matter_in_json(self, run, tmp_path) -> None:
        path = tmp_path / "r.md"
        path.write_text("---\ntitle: T\ndate: 12 May 2024\n---\n\n# T\n\n## S\n\nBody.[^1]\n\n[^1]: Note.\n", encoding="utf-8")
        data = json.loads(run("parse", str(path), "--json").stdout)
        assert (data["title"], data["date"], data["dispatch_number"], data["regions"]) == ("T", "2024-05-12", None, [])
        assert data["headings"] == ["S"]
        assert data["paragraphs"] == [{"number": 1, "text": "Body.[^1]", "section": "S", "footnotes": [1]}]
        assert data["footnotes"] == [{"number": 1, "text": "Note."}]
        assert data["warnings"] == []

    def test_cp1252_fallback_is_a_warning_in_json(self, run, tmp_path) -> None:
        path = tmp_path / "win.txt"
        path.write_bytes("Title\n\nHe said \u201cyes\u201d.\n".encode("cp1252"))
        result = run("parse", str(path), "--json")
        assert result.returncode == 0
        data = json.loads(result.stdout)
        assert data["paragraphs"][0]["text"] == "He said \u201cyes\u201d."
        assert any("cp1252" in warning for warning in data["warnings"])

    def test_human_summary(self, run, seed_path) -> None:
        result = run("parse", str(seed_path))
        assert result.returncode == 0
        lines = result.stdout.splitlines()
        assert "date:      2023-10-19" in lines
        assert "dispatch:  10888" in lines
        assert "headings:  10" in lines
        assert any(line.split() == ["paragraphs:", "38"] for line in lines)
        assert any(line.startswith("warning:") and "[23]" in line for line in lines)

    def test_parse_needs_no_database(self, run, seed_path, env) -> None:
        result = run("parse", str(seed_path), "--json")
        assert result.returncode == 0
        assert not (Path(env["XDG_DATA_HOME"]) / "claimdesk").exists()


class TestAdd:
    def test_add_registers_reports_in_the_db_folder(self, run, tmp_path) -> None:
        db = tmp_path / "db"
        result = run("--db", str(db), "add", str(SAMPLE_DISPATCH), str(SAMPLE_MARKDOWN))
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0].startswith("added: dispatch_harbour_drones  Coastal Militias Claim Drone Strikes")
        assert result.stdout.splitlines()[1].startswith("added: militia_statements_review  ")
        assert (db / "library.json").exists()
        assert (db / "reports" / "dispatch_harbour_drones" / "text.json").exists()
        library = json.loads((db / "library.json").read_text(encoding="utf-8"))
        assert {doc["id"] for doc in library["reports"].values()} == {"dispatch_harbour_drones", "militia_statements_review"}

    def test_adding_again_is_unchanged_and_a_changed_file_is_a_new_revision(self, run, tmp_path) -> None:
        db = tmp_path / "db"
        path = tmp_path / "note.txt"
        path.write_text("Title\n\nOne.\n", encoding="utf-8")
        assert run("add", str(path), "--db", str(db)).stdout.startswith("added: note  Title  (1 paragraphs)")
        assert run("add", str(path), "--db", str(db)).stdout.startswith("unchanged: note")
        path.write_text("Title\n\nOne.\n\nTwo.\n", encoding="utf-8")
        assert run("add", str(path), "--db", str(db)).stdout.startswith("new revision of: note  Title  (2 paragraphs)")

    def test_warnings_go_to_stderr_and_do_not_fail(self, run, tmp_path) -> None:
        result = run("--db", str(tmp_path / "db"), "add", str(SAMPLE_DISPATCH))
        assert result.returncode == 0
        assert result.stderr.startswith("claimdesk: warning: dispatch_harbour_drones.txt: footnote markers without a note")
        assert "Traceback" not in result.stderr

    def test_one_bad_file_among_good_ones(self, run, tmp_path) -> None:
        db = tmp_path / "db"
        result = run("--db", str(db), "add", str(SAMPLE_TEXT), str(tmp_path / "missing.txt"))
        assert result.returncode == 1
        assert result.stdout.startswith("added: field_notes_river_crossing")
        assert "claimdesk: error: " in result.stderr and "missing.txt: no such file" in result.stderr
        assert "Traceback" not in result.stderr
        again = run("--db", str(db), "add", str(SAMPLE_TEXT))
        assert again.stdout.startswith("unchanged: field_notes_river_crossing")


class TestDatabaseLocation:
    def test_db_option_after_the_command(self, run, tmp_path) -> None:
        run("add", str(SAMPLE_TEXT), "--db", str(tmp_path / "after"))
        assert (tmp_path / "after" / "library.json").exists()

    def test_environment_variable(self, run, tmp_path) -> None:
        result = run("add", str(SAMPLE_TEXT), extra_env={"CLAIMDESK_DB": str(tmp_path / "from-env")})
        assert result.returncode == 0
        assert (tmp_path / "from-env" / "reports" / "field_notes_river_crossing" / "text.json").exists()

    def test_option_wins_over_environment(self, run, tmp_path) -> None:
        run("--db", str(tmp_path / "opt"), "add", str(SAMPLE_TEXT), extra_env={"CLAIMDESK_DB": str(tmp_path / "env")})
        assert (tmp_path / "opt" / "library.json").exists()
        assert not (tmp_path / "env").exists()

    def test_default_is_the_user_data_dir(self, run, env) -> None:
        result = run("add", str(SAMPLE_TEXT))
        assert result.returncode == 0, result.stderr
        assert (Path(env["XDG_DATA_HOME"]) / "claimdesk" / "db" / "library.json").exists()


class TestUserErrors:
    def test_missing_file(self, run, tmp_path) -> None:
        assert_user_error(run("parse", str(tmp_path / "nope.txt")), "nope.txt: no such file")

    def test_directory(self, run, tmp_path) -> None:
        assert_user_error(run("parse", str(tmp_path)), "is a directory")

    def test_binary_file(self, run, tmp_path) -> None:
        path = tmp_path / "photo.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(200))
        assert_user_error(run("parse", str(path), "--json"), "photo.jpg", "binary")

    def test_a_program_is_refused_as_binary(self, run, tmp_path) -> None:
        program = tmp_path / "program"
        program.write_bytes(Path(sys.executable).resolve().read_bytes()[:65536])
        line = assert_user_error(run("parse", str(program)), "program: is a binary file (not text, a web page, a PDF or a Word document)")
        assert "UTF-16" not in line

    def test_empty_file(self, run, tmp_path) -> None:
        path = tmp_path / "empty.txt"
        path.write_bytes(b"")
        assert_user_error(run("parse", str(path)), "empty.txt: is empty")

    def test_whitespace_only_file(self, run, tmp_path) -> None:
        path = tmp_path / "blank.md"
        path.write_text("\n   \n\t\n", encoding="utf-8")
        assert_user_error(run("parse", str(path)), "blank.md: is empty")

    def test_add_of_a_bad_file(self, run, tmp_path) -> None:
        path = tmp_path / "empty.txt"
        path.write_bytes(b"")
        assert_user_error(run("--db", str(tmp_path / "db"), "add", str(path)), "empty.txt: is empty")

    def test_open_of_a_missing_file(self, run, tmp_path) -> None:
        assert_user_error(run("--db", str(tmp_path / "db"), "open", str(tmp_path / "gone.md")), "gone.md: no such file")

    def test_db_that_is_a_file(self, run, tmp_path) -> None:
        not_a_folder = tmp_path / "db.json"
        not_a_folder.write_text("{}", encoding="utf-8")
        assert_user_error(run("--db", str(not_a_folder), "add", str(SAMPLE_TEXT)), "--db takes a folder")

    def test_file_name_with_an_escape_sequence_is_printed_inert(self, run, tmp_path) -> None:
        line = assert_user_error(run("parse", str(tmp_path / "x\x1b]0;pwned\x07.txt")), "no such file")
        assert "\x1b" not in line and "\x07" not in line

    @pytest.mark.parametrize(
        "args",
        [["parse"], ["add"], ["open"], ["nonsense"], ["parse", "--bogus", "x"], ["--db"]],
        ids=["parse-no-file", "add-no-file", "open-no-file", "unknown-command", "unknown-option", "db-no-value"],
    )
    def test_usage_errors(self, run, args) -> None:
        result = run(*args)
        assert_user_error(result)
        assert result.returncode == 2

    def test_tui_without_a_terminal(self, run, tmp_path) -> None:
        assert_user_error(run("--db", str(tmp_path / "db")), "needs a terminal")


def command_names() -> list[str]:
    import click

    from tui.cli import main

    return main.list_commands(click.Context(main))


class TestInit:
    """`claimdesk init`: what it says it changed, counted in words (with your own group: no root needed)."""

    @staticmethod
    def own_group() -> str:
        import grp

        return grp.getgrgid(os.getegid()).gr_name

    @staticmethod
    def entries(root: Path) -> tuple[int, int]:
        paths = [root, *root.rglob("*")]
        return sum(p.is_dir() for p in paths), sum(p.is_file() for p in paths)

    def test_a_new_shared_database(self, run, tmp_path) -> None:
        db, group = tmp_path / "db", self.own_group()
        result = run("--db", str(db), "init", "--group", group)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"created {db}, shared with the group {group}\n"
        again = run("--db", str(db), "init", "--group", group)
        assert again.stdout == f"{db} is already shared with the group {group}: nothing to change\n"
        assert run("--db", str(db), "init").stdout == f"already there: {db} (shared with the group {group})\n"

    def test_counts_say_folders_and_files_in_words(self, run, tmp_path) -> None:
        db, group = tmp_path / "db", self.own_group()
        run("--db", str(db), "add", str(SAMPLE_TEXT))
        folders, files = self.entries(db)
        assert folders > 1 and files > 1
        shared = run("--db", str(db), "init", "--group", group)
        assert shared.stdout == f"shared {db} with the group {group}: {folders} folders and {files} files changed\n"
        private = run("--db", str(db), "init", "--private")
        assert private.stdout == f"made {db} private to you: {folders} folders and {files} files changed\n"
        (db / "library.json").chmod(0o640)
        one = run("--db", str(db), "init", "--private")
        assert one.stdout == f"made {db} private to you: 1 file changed\n"
        assert run("--db", str(db), "init", "--private").stdout == f"{db} is already private to you: nothing to change\n"


class TestHelp:
    def test_top_level_help_lists_the_commands(self, run) -> None:
        result = run("--help")
        assert result.returncode == 0 and result.stderr == ""
        assert result.stdout.startswith("Usage: claimdesk [OPTIONS] [COMMAND]")
        for name in ("add", "open", "parse"):
            assert f"\n  {name} " in result.stdout
        assert "--db PATH" in result.stdout and "--reviewer NAME" in result.stdout

    @pytest.mark.parametrize("name", command_names())
    def test_every_command_has_help(self, run, name) -> None:
        for flag in ("--help", "-h"):
            result = run(name, flag)
            assert result.returncode == 0, result.stderr
            assert result.stdout.startswith(f"Usage: claimdesk {name} ")
            assert "--db PATH" in result.stdout
            assert result.stderr == ""

    def test_version(self, run) -> None:
        result = run("--version")
        assert result.returncode == 0 and result.stdout.startswith("claimdesk, version ")


def test_a_reader_that_stops_early_is_not_an_error(env, tmp_path) -> None:
    """`claimdesk parse --json BIG | head -c 100`: exit 0 and nothing on stderr (no EPIPE traceback)."""
    big = tmp_path / "big.txt"
    big.write_text("Title\n\n" + "".join(f"Paragraph {i} has a few words.\n\n" for i in range(20000)), encoding="utf-8")
    producer = subprocess.Popen(
        [claimdesk_executable(), "parse", str(big), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert producer.stdout is not None
    producer.stdout.read(100)
    producer.stdout.close()  # the reader goes away, like `head`
    _, err = producer.communicate(timeout=60)
    assert producer.returncode == 0
    assert err.decode() == ""
