"""Durability: a writer killed with SIGKILL at any moment never leaves a broken file or loses an acknowledged save.

A helper process (this file run as a script) imports the store once and, for
each round, forks a writer that saves through the store API: annotations
(added, edited, deleted), paragraph status, actors and new reports. The writer
prints `want …` before each change and `done …` once the API call returned,
flushed straight to the pipe. The test kills it with SIGKILL at a random moment
(while it starts, or after a random number of changes, part-way into the next
one) and then checks every file with stock TinyDB and with our Database: every
`done` change is there (or the one `want` still in flight replaced it).

Rounds: CLAIMDESK_CRASH_KILLS (default 150, a few seconds); seed: CLAIMDESK_CRASH_SEED. The same test runs
on one report of 25,000 annotations (issue 18), where every writer works: CLAIMDESK_CRASH_KILLS_DENSE rounds
(default 30; each reads the whole report again).
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

KILLS = int(os.environ.get("CLAIMDESK_CRASH_KILLS", "150"))
DENSE_KILLS = int(os.environ.get("CLAIMDESK_CRASH_KILLS_DENSE", "30"))
DENSE = 25_000  # annotations in the one report of the dense variant
SEED = int(os.environ.get("CLAIMDESK_CRASH_SEED", str(int(time.time()))))
WRITER_LIFE = 20.0  # seconds after which a writer nobody killed stops by itself
READ_TIMEOUT = 60.0  # seconds the test waits for a line from the helper before it fails

REPORT_TEXT = "Report {n}\n\nFirst paragraph of report {n}, with a claim in it.\n\nSecond paragraph, more text.\n"


# ------------------------------------------------------------------ the helper process


def serve(root: Path, sources: Path, only: str | None = None) -> None:
    """Read `go ROUND` lines; fork a writer for each; print `pid N`, then `dead N STATUS` once it died.

    With `only` (a report id), the writers change that report alone (and still add reports).
    """
    from store.db import Database  # noqa: F401 - imported once here, so each forked writer starts at once
    from store.session import Session  # noqa: F401 - likewise

    for line in sys.stdin:
        round_number = int(line.split()[1])
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(root, sources, round_number, only)
            finally:
                os._exit(3)
        os.write(1, f"pid {pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"dead {pid} {status}\n".encode())


def say(phase: str, key: list[str], value: object) -> None:
    os.write(1, (f"{phase} " + json.dumps([key, value]) + "\n").encode())


def write_forever(root: Path, sources: Path, round_number: int, only: str | None = None) -> None:
    from store.db import Database
    from store.errors import ClaimdeskError
    from store.ingest import report_id_for
    from store.model import Claim, Credibility, Kind, Span
    from store.session import Session

    rng = random.Random(round_number * 7919 + os.getpid())
    give_up = time.monotonic() + WRITER_LIFE
    try:
        db = Database(root, reviewer=f"writer{round_number}")
        session = Session(db)
        # In the one big report, read once before `ready` (as the TUI reads a report on open), so that a change
        # is a save and not a read of 25,000 annotations: kills then land inside changes as often as elsewhere.
        known = db.annotations(only) if only else None
        os.write(1, b"ready\n")
        step = 0
        while time.monotonic() < give_up:  # a writer the test forgot ends by itself (and the test fails)
            step += 1
            version = round_number * 1_000_000 + step  # grows across rounds: a later write has a larger one
            reports = db.reports()
            report = rng.choice([r for r in reports if r.id == only] or reports)
            roll = rng.random()
            existing = (known if known is not None else db.annotations(report.id)) if roll < 0.35 else []
            if roll < 0.2 and existing:
                annotation = rng.choice(existing).evolve(note=f"v{version}")
                say("want", ["annotation", report.id, annotation.id], version)
                db.save_annotation(annotation)
                say("done", ["annotation", report.id, annotation.id], version)
            elif roll < 0.3 and existing:
                annotation = rng.choice(existing)
                say("want", ["annotation", report.id, annotation.id], None)
                db.delete_annotation(report.id, annotation.id)
                say("done", ["annotation", report.id, annotation.id], None)
            elif roll < 0.4:
                paragraph = rng.randint(1, report.paragraph_count)
                reviewed = rng.random() < 0.5
                say("want", ["reviewed", report.id, str(paragraph)], reviewed)
                session.set_reviewed(report.id, paragraph, reviewed)
                say("done", ["reviewed", report.id, str(paragraph)], reviewed)
            elif roll < 0.47:
                actor = db.new_actor(f"Actor {version}", "armed_group")
                say("want", ["actor", actor.id], actor.name)
                db.save_actor(actor)
                say("done", ["actor", actor.id], actor.name)
            elif roll < 0.49:
                source = sources / f"r{version}.txt"
                source.write_text(REPORT_TEXT.format(n=version), encoding="utf-8")
                say("want", ["report", report_id_for(source)], version)
                added = db.add_report(source).report
                say("done", ["report", added.id], version)
            else:
                opened = db.open_report(report.id)
                paragraph = rng.randint(1, len(opened.paragraphs))
                text = opened.paragraphs[paragraph - 1].text
                start = rng.randrange(0, len(text) - 1)
                span = Span.of(text, start, rng.randint(start + 1, len(text)))
                annotation = db.new_annotation(
                    Kind.CLAIM, report, paragraph, span=span, claim=Claim(span.quote, "event"),
                    credibility=Credibility("B", 2), note=f"v{version}",
                )
                say("want", ["annotation", report.id, annotation.id], version)
                db.save_annotation(annotation)
                say("done", ["annotation", report.id, annotation.id], version)
    except ClaimdeskError as error:
        os.write(1, f"error {type(error).__name__}: {error}\n".encode())
        os._exit(4)


# ------------------------------------------------------------------ the test


class Ledger:
    """What the writers acknowledged: for each key the last `done` value, and the `want` in flight at a kill."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, ...], object] = {}
        self.pending: dict[tuple[str, ...], object] = {}
        self.acknowledged = 0

    def take(self, line: str) -> None:
        phase, payload = line.split(" ", 1)
        key, value = json.loads(payload)
        key = tuple(key)
        if phase == "want":
            self.pending[key] = value
        else:
            self.done[key] = value
            self.pending.pop(key, None)
            self.acknowledged += 1

    def allowed(self, key: tuple[str, ...]) -> list[object]:
        """What a key may hold on disk: the last acknowledged value (None: never written), or the one in flight."""
        values = [self.done.get(key)]
        if key in self.pending:
            values.append(self.pending[key])
        return values

    def settle(self, key: tuple[str, ...], actual: object) -> None:
        """After a check: what is on disk becomes the acknowledged state of a key that was in flight."""
        if self.pending.pop(key, _NOTHING) is not _NOTHING:
            self.done[key] = actual


_NOTHING = object()


def check_database(root: Path, ledger: Ledger) -> None:
    import tinydb

    from store.db import Database

    paths = [root / "library.json", root / "actors.json", *sorted((root / "reports").glob("*/*.json"))]
    for path in paths:
        with tinydb.TinyDB(path) as stock:  # stock TinyDB, default JSONStorage: must load every file
            for name in stock.tables():
                stock.table(name).all()
    db = Database(root, reviewer="checker")
    assert not db.read_only and db.problems == [], db.problems
    reports = {r.id: r for r in db.reports()}
    actors = {a.id: a.name for a in db.actors()}
    for report in reports.values():
        assert db.open_report(report.id).paragraphs, f"report {report.id} is indexed but its text is missing"
    annotations = {rid: {a.id: a for a in db.annotations(rid)} for rid in reports}
    marks = {rid: db.marks(rid) for rid in reports}
    for key in list(ledger.done.keys() | ledger.pending.keys()):
        kind, *rest = key
        actual: object
        if kind == "annotation":
            found = annotations.get(rest[0], {}).get(rest[1])
            actual = int(found.note[1:]) if found else None
        elif kind == "reviewed":
            mark = marks.get(rest[0], {}).get(int(rest[1]))
            actual = bool(mark and mark.reviewed)
            if not actual and ledger.done.get(key) is None:
                actual = None  # never set and never reviewed: the same thing
        elif kind == "actor":
            actual = actors.get(rest[0])
        else:  # a report: each key is one new file, added once
            actual = (ledger.pending.get(key) or ledger.done.get(key)) if rest[0] in reports else None
        allowed = ledger.allowed(key)
        assert actual in allowed, f"{' '.join(key)}: on disk {actual!r}, acknowledged {allowed[0]!r} (seed {SEED})"
        ledger.settle(key, actual)


def test_sigkill_at_random_moments_never_loses_an_acknowledged_save(tmp_path: Path, sample_paths) -> None:
    from store.db import Database

    root, sources = tmp_path / "db", tmp_path / "sources"
    sources.mkdir()
    db = Database(root, reviewer="setup")
    for path in sample_paths:
        db.add_report(path)
    kill_at_random(root, sources, KILLS)


def test_sigkill_in_a_report_of_25000_annotations_never_loses_an_acknowledged_save(tmp_path: Path) -> None:
    """Issue 18: the same, every writer working in one report of 25,000 annotations (some 200 shards)."""
    from store.db import Database
    from store.model import Claim, Kind, Span

    root, sources = tmp_path / "db", tmp_path / "sources"
    sources.mkdir()
    text = tmp_path / "long.txt"
    text.write_text("\n\n".join(f"Paragraph {n}: the convoy was hit near the crossing, the spokesman said." for n in range(1, 401)))
    db = Database(root, reviewer="setup")
    report = db.add_report(text).report
    paragraphs = db.open_report(report.id).paragraphs
    db.save_annotations(report.id, (
        db.new_annotation(
            Kind.CLAIM, report, 1 + n % 400, span=Span.of(paragraphs[n % 400].text, 0, 9), claim=Claim("Paragraph"), note="v0",
        )
        for n in range(DENSE)
    ))
    filled = Database(root).annotations(report.id)
    assert len(filled) == DENSE
    ledger = Ledger()  # what is there before any writer: each filled annotation, as version 0
    ledger.done.update({("annotation", report.id, annotation.id): 0 for annotation in filled})
    kill_at_random(root, sources, DENSE_KILLS, only=report.id, ledger=ledger)
    assert len(Database(root).annotations(report.id)) >= DENSE * 0.9  # the writers delete a few, never many


def kill_at_random(root: Path, sources: Path, kills: int, only: str | None = None, ledger: Ledger | None = None) -> None:
    """Start writers on the database at `root` and kill each at a random moment, `kills` times; check it after each."""
    rng = random.Random(SEED)
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", str(root), str(sources), *([only] if only else [])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
    )
    helper = Helper(server, ledger or Ledger())
    ledger = helper.ledger
    in_flight_kills = promised = 0
    try:
        for round_number in range(1, kills + 1):
            pid = helper.start(round_number)
            if rng.random() < 0.2:
                time.sleep(rng.uniform(0, 0.005))  # while the writer starts and opens the database
            else:
                # Let it finish a few changes, then kill it somewhere inside the next one. Counting
                # changes rather than milliseconds keeps the test meaningful on a busy machine.
                helper.wait_ready()
                wanted = rng.randint(0, 6)
                helper.wait_acknowledged(wanted)
                promised += wanted
                time.sleep(rng.uniform(0, 1.5 * helper.typical_change()))
            os.kill(pid, signal.SIGKILL)
            status = helper.wait_dead()
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"round {round_number} (seed {SEED}): the writer ended by itself with status {status}"
            )
            in_flight_kills += bool(ledger.pending)
            check_database(root, ledger)
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=WRITER_LIFE + 10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"{kills} kills, {ledger.acknowledged} acknowledged changes, {in_flight_kills} killed mid-change, seed {SEED}")
    # Not vacuous: writers got work done, and many died in the middle of a change.
    assert ledger.acknowledged >= promised and in_flight_kills >= kills // 3
    # A crash may leave a temporary file behind (never read as data), or a report's text saved but not yet
    # indexed (adding the file again finishes it); `doctor --repair` cleans both up.
    from store.doctor import check, repair

    leftovers = [f for f in check(root) if f.severity == "problem"]
    expected = ("leftover temporary file", "is not in the library index")
    assert all(any(e in f.message for e in expected) for f in leftovers), [f.line() for f in leftovers]
    outcome = repair(root)
    assert outcome.problems == [], [f.line() for f in outcome.problems]
    check_database(root, ledger)


class Helper:
    """Talks to the helper process: starts writers and reads their lines, never waiting forever."""

    def __init__(self, server: subprocess.Popen, ledger: Ledger) -> None:
        self.server, self.ledger = server, ledger
        self.buffer = b""
        self.ready = False
        self.gaps: list[float] = []
        self.last_done: float | None = None

    def start(self, round_number: int) -> int:
        self.ready, self.last_done = False, None
        self.server.stdin.write(f"go {round_number}\n".encode())
        self.server.stdin.flush()
        return int(self._until("pid").split()[1])

    def wait_ready(self) -> None:
        if not self.ready:
            self._until("ready")

    def wait_acknowledged(self, count: int) -> None:
        """Read until the current writer has acknowledged `count` more changes."""
        target = self.ledger.acknowledged + count
        while self.ledger.acknowledged < target:
            self._take(self._line(), "")

    def typical_change(self) -> float:
        """The median time between two acknowledgements lately (how long one change takes here, now)."""
        gaps = sorted(self.gaps[-50:])
        return gaps[len(gaps) // 2] if gaps else 0.005

    def wait_dead(self) -> int:
        return int(self._until("dead").split()[2])

    def _until(self, word: str) -> str:
        while True:
            line = self._line()
            if self._take(line, word):
                return line

    def _take(self, line: str, word: str) -> bool:
        """Record a line; True if it is the one awaited (`word ...`, or `ready`)."""
        if line.startswith(("want ", "done ")):
            self.ledger.take(line)
            if line.startswith("done "):
                now = time.monotonic()
                if self.last_done is not None:
                    self.gaps.append(now - self.last_done)
                self.last_done = now
            return False
        if line.startswith("error "):
            raise AssertionError(f"a writer failed (seed {SEED}): {line}")
        if line == "ready":
            self.ready = True
            return word == "ready"
        if word and line.startswith(word + " "):
            return True
        raise AssertionError(f"unexpected line from the writer helper: {line!r}")

    def _line(self) -> str:
        fd = self.server.stdout.fileno()
        while b"\n" not in self.buffer:
            readable, _, _ = select.select([fd], [], [], READ_TIMEOUT)
            chunk = os.read(fd, 65536) if readable else b""
            if not chunk:
                self.server.kill()
                raise AssertionError(f"no word from the writer helper (seed {SEED}): {self.server.stderr.read().decode()[-2000:]}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(Path(sys.argv[2]), Path(sys.argv[3]), *sys.argv[4:5])
