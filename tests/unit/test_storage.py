"""The storage layer: plain TinyDB files, written atomically, re-read when another process changed them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tinydb
from hypothesis import given
from hypothesis import strategies as st

from store import storage
from store.db import Database
from store.errors import CorruptFileError
from store.model import SCHEMA_VERSION, Claim, Kind, Span
from store.storage import AtomicJSONStorage, TinyFile, atomic_write_bytes


def _claim(db: Database, report, note: str = "", paragraph: int = 1):
    return db.new_annotation(Kind.CLAIM, report, paragraph, span=None, claim=Claim("x"), note=note)


def test_layout_is_one_folder_of_tinydb_files(db, sample_paths) -> None:
    report = db.add_report(sample_paths[0]).report
    db.save_annotation(_claim(db, report))
    db.save_actor(db.new_actor("Kata'ib Hezbollah", "armed_group"))
    names = sorted(p.relative_to(db.root).as_posix() for p in db.files())
    assert names == [
        "actors.json",
        "library.json",
        f"reports/{report.id}/annotations-0001.json",
        f"reports/{report.id}/text.json",
    ]
    with tinydb.TinyDB(db.root / "library.json") as stock:
        assert stock.table("meta").all()[0]["schema_version"] == SCHEMA_VERSION
        assert [doc["id"] for doc in stock.table("reports").all()] == [report.id]
    with tinydb.TinyDB(db.root / "actors.json") as stock:
        assert stock.table("actors").all()[0]["name"] == "Kata'ib Hezbollah"


def test_non_ascii_text_is_stored_as_ascii_json_and_reads_back(db, tmp_path) -> None:
    """ASCII files read the same with stock TinyDB under any locale's default encoding."""
    source = tmp_path / "arabic.txt"
    source.write_text("كتائب حزب الله\n\n«Quote» — it’s here, with a non-breaking\u00a0space.\n", encoding="utf-8")
    report = db.add_report(source).report
    text = db.open_report(report.id).paragraphs[0].text
    db.save_annotation(db.new_annotation(Kind.CLAIM, report, 1, span=Span.of(text, 0, 7), claim=Claim(text[:7]), note="ملاحظة"))
    for path in db.files():
        path.read_bytes().decode("ascii")
    fresh = Database(db.root)
    [annotation] = fresh.annotations(report.id)
    assert annotation.note == "ملاحظة" and annotation.span.quote == text[:7]
    assert "\u00a0" in fresh.open_report(report.id).paragraphs[0].text


def test_stock_tinydb_can_use_our_storage_class(tmp_path) -> None:
    path = tmp_path / "plain.json"
    with tinydb.TinyDB(path, storage=AtomicJSONStorage) as ours:
        ours.insert({"a": 1})
        ours.table("other").insert({"b": 2})
    with tinydb.TinyDB(path) as stock:
        assert stock.all() == [{"a": 1}] and stock.table("other").all() == [{"b": 2}]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_an_atomic_write_leaves_the_old_file_or_the_new_one(tmp_path) -> None:
    path = tmp_path / "f.json"
    atomic_write_bytes(path, b'{"t":{"1":{"v":1}}}')
    old_inode = path.stat().st_ino
    atomic_write_bytes(path, b'{"t":{"1":{"v":2}}}')
    assert json.loads(path.read_bytes()) == {"t": {"1": {"v": 2}}}
    assert path.stat().st_ino != old_inode  # replaced, never rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_update_rereads_under_the_lock_even_when_the_stat_looks_unchanged(tmp_path, monkeypatch) -> None:
    """Inode numbers are reused and clocks tick coarsely: a stale stat must not lose another process's write."""
    path, locks = tmp_path / "f.json", tmp_path / ".locks"
    mine, theirs = TinyFile(path, locks), TinyFile(path, locks)
    mine.update(lambda t: t.setdefault("docs", {}).update({"1": {"who": "me"}}))
    constant = (1, 1, 1)
    real_read = storage.read_file
    monkeypatch.setattr(storage, "signature", lambda p: constant)
    monkeypatch.setattr(storage, "read_file", lambda p: (real_read(p)[0], constant))
    mine.read()
    theirs.update(lambda t: t.setdefault("docs", {}).update({"2": {"who": "them"}}))
    mine.update(lambda t: t["docs"].update({"3": {"who": "me again"}}))
    assert sorted(json.loads(path.read_bytes())["docs"]) == ["1", "2", "3"]


def test_a_save_touches_one_report_file_only(db, sample_paths) -> None:
    reports = [db.add_report(p).report for p in sample_paths]
    for report in reports:
        db.save_annotation(_claim(db, report))
    before = {p: p.stat().st_mtime_ns for p in db.files()}
    db.save_annotation(_claim(db, reports[1], "one more"))
    changed = [p.relative_to(db.root).as_posix() for p in db.files() if p.stat().st_mtime_ns != before.get(p)]
    assert changed == [f"reports/{reports[1].id}/annotations-0001.json"]


def test_opening_a_report_reads_only_its_own_files(db, sample_paths, monkeypatch) -> None:
    reports = [db.add_report(p).report for p in sample_paths]
    for report in reports:
        db.save_annotation(_claim(db, report))
    fresh = Database(db.root)
    read: list[str] = []
    real_read = storage.read_file
    monkeypatch.setattr(storage, "read_file", lambda p: read.append(Path(p).parent.name) or real_read(p))
    fresh.open_report(reports[0].id)
    fresh.annotations(reports[0].id)
    fresh.marks(reports[0].id)
    fresh.actors()
    assert read and all(folder == reports[0].id for folder in read), read


def test_iterating_every_annotation_keeps_one_report_in_memory_at_a_time(db, sample_paths, monkeypatch) -> None:
    reports = [db.add_report(p).report for p in sample_paths]
    for report in reports:
        db.save_annotation(_claim(db, report))
    fresh = Database(db.root)
    fresh.annotations(reports[0].id)  # the one the analyst has open stays cached
    read: list[str] = []
    real_read = storage.read_file
    monkeypatch.setattr(storage, "read_file", lambda p: read.append(Path(p).parent.name) or real_read(p))
    for _ in range(2):
        assert len(list(fresh.iter_annotations())) == len(reports)
    # The open report is never read again; every other one is read afresh each time (nothing of it was kept).
    assert sorted(read) == sorted(r.id for r in reports[1:] for _ in range(2))


def test_another_database_sees_a_change_without_reopening(db, sample_paths) -> None:
    report = db.add_report(sample_paths[0]).report
    other = Database(db.root, reviewer="other")
    assert other.annotations(report.id) == []
    saved, _ = db.save_annotation(_claim(db, report, "fresh"))
    assert other.annotations(report.id) == [saved]


# ---------------------------------------------------------------- encoding (orjson, kept in ASCII)

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_encode_writes_what_json_dumps_writes_in_ascii(value: object) -> None:
    """Any text (Latin-1, beyond the BMP, lone surrogates, backslashes before an x or a U) and huge integers:
    the bytes are ASCII, read back the same, and are what the standard library writes (but that orjson
    leaves DEL as it is where json escapes it)."""
    written = storage.encode({"t": {"1": {"v": value}}})
    assert written.isascii()
    assert json.loads(written) == {"t": {"1": {"v": value}}}
    if "\x7f" not in json.dumps(value, ensure_ascii=False):  # DEL, in a text or a key
        assert written == json.dumps({"t": {"1": {"v": value}}}, separators=(",", ":")).encode("ascii")


_TABLES = st.dictionaries(
    st.text(max_size=6),
    st.dictionaries(st.text(max_size=4), st.dictionaries(st.text(max_size=6), _JSON, max_size=3), max_size=5),
    max_size=3,
)


@given(_TABLES, _TABLES)
def test_a_file_encoded_from_kept_document_encodings_is_what_encode_writes(before: dict, after: dict) -> None:
    """Documents kept from the last write (the same objects) are joined, changed ones encoded: the same bytes."""
    _, kept = storage.encode_reusing(before, {})  # {}: keep encodings (None: a file just read, encoded whole)
    changed = {name: {**before.get(name, {}), **documents} for name, documents in after.items()} | {
        name: documents for name, documents in before.items() if name not in after
    }
    written, _ = storage.encode_reusing(changed, kept)
    assert json.loads(written) == changed
    if "\x7f" not in json.dumps(changed, ensure_ascii=False):  # DEL: see encode (the standard library escapes it)
        assert written == storage.encode(changed)


def test_a_kept_encoding_is_used_only_for_the_very_document_it_was_made_from() -> None:
    document = {"n": 1}
    _, kept = storage.encode_reusing({"t": {"1": document}}, {})
    assert storage.encode_reusing({"t": {"1": {"n": 2}}}, kept)[0] == b'{"t":{"1":{"n":2}}}'  # an equal key, another object


def test_encode_escapes_as_json_does_next_to_a_texts_own_backslashes() -> None:
    text = "café \\xe9 \\\\U0001f600 😀 “quoted” \\ é"
    written = storage.encode({"t": {"1": {"note": text}}})
    assert written == json.dumps({"t": {"1": {"note": text}}}, separators=(",", ":")).encode("ascii")
    assert b"\\u00e9" in written and b"\\ud83d\\ude00" in written
    for text in ("café “quoted” \"q\"\n\té ÿ\x80", "naïve ÿ 😀"):  # Latin-1 and beyond the BMP, no backslash of its own
        written = storage.encode({"t": {"1": {"note": text}}})
        assert written == json.dumps({"t": {"1": {"note": text}}}, separators=(",", ":")).encode("ascii")


def test_a_file_with_nan_does_not_parse(tmp_path: Path) -> None:
    """NaN is not JSON: such a file is reported, never read and then written back as null."""
    path = tmp_path / "x.json"
    path.write_bytes(b'{"t": {"1": {"v": NaN}}}')
    with pytest.raises(CorruptFileError, match="NaN is not JSON"):
        storage.parse(path.read_bytes(), path)


def _index_then_insert(key: str):
    """A change that finds documents through the key index and inserts `key` there, keeping the index up to date."""

    def change(txn: storage.Transaction) -> dict[object, int]:
        index = txn.key_index("t", "id")
        if key not in index:
            index[key] = txn.table("t").insert({"id": key})
        return dict(index)

    return change


def test_a_key_index_follows_a_change_made_without_it(tmp_path: Path) -> None:
    tiny = TinyFile(tmp_path / "t.json", tmp_path / ".locks")
    tiny.transact(_index_then_insert("a"))
    tiny.transact(lambda txn: txn.table("t").insert({"id": "b"}))  # TinyDB's own insert: no index kept up to date
    seen = tiny.transact(_index_then_insert("b"))
    assert set(seen) == {"a", "b"}
    assert sorted(doc["id"] for doc in tinydb.TinyDB(tmp_path / "t.json").table("t").all()) == ["a", "b"]  # not inserted twice


def test_a_key_index_over_a_conflicting_change_is_not_kept(tmp_path: Path) -> None:
    tiny = TinyFile(tmp_path / "t.json", tmp_path / ".locks")
    tiny.transact(_index_then_insert("a"))

    def refused(txn: storage.Transaction) -> None:
        txn.key_index("t", "id")["ghost"] = 99  # as a change would before it finds a conflict
        raise RuntimeError("conflict")

    with pytest.raises(RuntimeError):
        tiny.transact(refused)
    assert "ghost" not in tiny.transact(_index_then_insert("c"))


def test_documents_sharing_a_key_are_indexed_afresh_each_time(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"t": {"1": {"id": "a", "n": 1}, "2": {"id": "a", "n": 2}}}))
    tiny = TinyFile(path, tmp_path / ".locks")

    def remove_a(txn: storage.Transaction) -> None:
        index = txn.key_index("t", "id")
        txn.table("t").remove(doc_ids=[index.pop("a")])

    tiny.transact(remove_a)
    tiny.transact(remove_a)  # the other document keyed "a" is found, not hidden by an index kept from before
    assert tinydb.TinyDB(path).table("t").all() == []


def test_put_adds_replaces_and_removes_documents_as_tinydb_numbers_them(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    stock = tinydb.TinyDB(path)
    stock.table("t").insert_multiple([{"n": 1}, {"n": 2}, {"n": 3}])
    stock.close()
    tiny = TinyFile(path, tmp_path / ".locks")

    def change(txn: storage.Transaction) -> list[int]:
        added = [txn.put("t", None, {"n": 4}), txn.put("t", None, {"n": 5})]
        txn.put("t", 1, {"m": 1})  # replaced whole: its old field goes
        txn.put("t", 2, None)
        return added

    assert tiny.transact(change) == [4, 5]  # what TinyDB's own insert would have given
    table = tinydb.TinyDB(path).table("t")
    assert {doc.doc_id: dict(doc) for doc in table.all()} == {1: {"m": 1}, 3: {"n": 3}, 4: {"n": 4}, 5: {"n": 5}}
    assert table.insert({"n": 6}) == 6  # and stock TinyDB goes on from there


def test_a_change_by_put_that_fails_leaves_the_file_and_what_was_read_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    tiny = TinyFile(path, tmp_path / ".locks")
    tiny.transact(lambda txn: txn.put("t", None, {"n": 1}))
    before = path.read_bytes()

    def refused(txn: storage.Transaction) -> None:
        txn.put("t", 1, {"n": "changed"})
        txn.put("t", None, {"n": 2})
        raise RuntimeError("a conflict found after the first changes")

    with pytest.raises(RuntimeError):
        tiny.transact(refused)
    assert path.read_bytes() == before
    assert tiny.read() == {"t": {"1": {"n": 1}}}


def test_a_transaction_that_also_writes_through_tinydb_hands_on_no_key_index_or_next_id(tmp_path: Path) -> None:
    tiny = TinyFile(tmp_path / "t.json", tmp_path / ".locks")
    tiny.transact(_index_then_insert("a"))

    def mixed(txn: storage.Transaction) -> None:
        txn.key_index("t", "id")
        txn.table("t").insert({"id": "b"})  # TinyDB's own write, in the same change
        txn.put("t", None, {"id": "c"})  # numbered after what TinyDB inserted, not over it

    tiny.transact(mixed)
    assert set(tiny.transact(_index_then_insert("b"))) == {"a", "b", "c"}
    assert sorted(doc["id"] for doc in tinydb.TinyDB(tmp_path / "t.json").table("t").all()) == ["a", "b", "c"]
