"""`claimdesk claims`, `link` and `unlink`: the claims ledger and the links between claims, from the shell.

`claims` streams: one report's annotations in memory at a time, a line written
as soon as it is made (links, far fewer than claims, are read once). With
`--json` each line is the very record `claimdesk export` writes for the claim
(`claimdesk/2`, `"record": "annotation"`), with a `links` list: each link's fields as
its own export line has them. `link` and
`unlink` go through a Session, like every change the TUI makes.

A claim or link id may be given in full or by its first characters (as the
table prints them), when they name only one.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import click

from store.errors import ClaimdeskError, NotFound
from store.model import RELATIONS, Report
from store.text import clean_line
from tui.commands.common import Context, common_options

ID_SHOWN = 8  # characters of an id the table prints (enough to name it in `link`)
MIN_PREFIX = 4


def _criteria(actors: tuple[str, ...], types: tuple[str, ...], min_reliability: str | None, min_credibility: int | None,
              since: str | None, until: str | None) -> Any:
    from store.ledger import DATE, Criteria, claim_type_named

    found_types = []
    for value in types:
        claim_type = claim_type_named(value)
        if claim_type is None:
            from store.model import CLAIM_TYPES

            raise click.BadParameter(f"{clean_line(value)!r} is not a claim type ({', '.join(CLAIM_TYPES)})", param_hint="--type")
        found_types.append(claim_type)
    if min_reliability is not None and (len(min_reliability) != 1 or min_reliability.upper() not in "ABCDEF"):
        raise click.BadParameter(f"{clean_line(min_reliability)!r} is not a reliability (A-F)", param_hint="--min-reliability")
    for option, date in (("--since", since), ("--until", until)):
        if date is not None and not DATE.match(date):
            raise click.BadParameter(f"{clean_line(date)!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", param_hint=option)
    return Criteria(
        actors=tuple(("any", clean_line(a)) for a in actors), types=tuple(found_types),
        min_reliability=min_reliability.upper() if min_reliability else None, min_credibility=min_credibility,
        since=since, until=until,
    )


class _ReadOnce:
    """The database as the exporter's Reader sees it, serving the report this command has just read (one read a report)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._held: tuple[str, list[dict[str, Any]]] | None = None

    def hold(self, report_id: str, docs: list[dict[str, Any]]) -> None:
        self._held = (report_id, docs)

    def annotation_documents(self, report_id: str) -> list[dict[str, Any]]:
        if self._held is not None and self._held[0] == report_id:
            return self._held[1]
        docs: list[dict[str, Any]] = self._db.annotation_documents(report_id)
        return docs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


class _Wanted:
    """An export Selection of the claim ids this command picked (the Reader asks `wants` of each document)."""

    def __init__(self) -> None:
        self.reports: tuple[str, ...] = ()
        self.ids: set[str] = set()

    def wants(self, doc: dict[str, Any]) -> bool:
        return doc.get("id") in self.ids


def _reports(db: Any, keys: tuple[str, ...]) -> list[Report]:
    if not keys:
        return list(db.reports())
    found: dict[str, Report] = {}
    for key in keys:
        report = db.find_report(key)
        if report is None:
            raise NotFound(f"no report {clean_line(key)!r} in {db.root}")
        found.setdefault(report.id, report)
    return list(found.values())


def _compact(doc: dict[str, Any]) -> tuple[Any, ...]:
    """A stored link as a tuple of its export fields (store.records.LINK_FIELDS), the ends as (report, claim);
    the strings links share (report ids, relations, reviewers) held once."""
    intern = sys.intern
    return (
        str(doc["id"]), (intern(str(doc["from"]["report_id"])), str(doc["from"]["annotation_id"])),
        (intern(str(doc["to"]["report_id"])), str(doc["to"]["annotation_id"])), intern(str(doc["relation"])),
        str(doc.get("note", "")), intern(str(doc.get("reviewer", ""))), str(doc.get("created_at", "")),
        str(doc.get("updated_at", "")), intern(str(doc.get("updated_by", "") or doc.get("reviewer", ""))),
    )


def link_view(view: tuple[Any, ...]) -> dict[str, Any]:
    """A link as `claims --json` lists it beside its claim: the fields of its own export line (store.records.link_record)."""
    link_id, (from_report, from_claim), (to_report, to_claim), relation, note, reviewer, created, updated, updated_by = view
    return {
        "id": link_id, "from": {"report_id": from_report, "annotation_id": from_claim},
        "to": {"report_id": to_report, "annotation_id": to_claim}, "relation": relation, "note": note,
        "reviewer": reviewer, "created_at": created, "updated_at": updated, "updated_by": updated_by,
    }


@click.command("claims")
@common_options
@click.option("--actor", "actors", multiple=True, metavar="NAME",
              help="Claims naming this actor (name or alias) as claimant or reported-by, or with a mention of it in the "
                   "same paragraph. Repeatable: any of them.")
@click.option("--type", "types", multiple=True, metavar="TYPE", help="Only claims of this type (event, figure, …). Repeatable.")
@click.option("--min-reliability", metavar="LETTER", help="Source reliability at least this (B keeps A and B).")
@click.option("--min-credibility", type=click.IntRange(1, 6), metavar="DIGIT",
              help="Information credibility at least this (3 keeps 1, 2 and 3).")
@click.option("--report", "reports", multiple=True, metavar="ID", help="Only this report (id or file name). Repeatable.")
@click.option("--since", metavar="DATE", help="Only reports dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only reports dated on or before DATE.")
@click.option("--json", "as_json", is_flag=True, help="One JSON record a line: the claim as `claimdesk export` writes it, with its links.")
@click.pass_obj
def claims_command(context: Context, actors: tuple[str, ...], types: tuple[str, ...], min_reliability: str | None,
                   min_credibility: int | None, reports: tuple[str, ...], since: str | None, until: str | None,
                   as_json: bool) -> None:
    """Every claim of every report (newest report first), or those the options choose: a table, or JSONL.

    The table's first column is the start of each claim's id: enough for 'claimdesk link'.
    Dates are the report's date. Ungraded claims fail a grade threshold.
    """
    from store.ledger import DocumentTest

    criteria = _criteria(actors, types, min_reliability, min_credibility, since, until)
    db = context.database()
    test = DocumentTest(criteria, db.actors())
    chosen = [r for r in _reports(db, reports) if test.wants_report(r)]
    links: dict[str, list[tuple[Any, ...]]] = {}  # claim id → its links, compact (links are read once, then forgotten)
    for doc in db.link_documents():
        try:
            view = _compact(doc)
        except (KeyError, TypeError):
            click.echo(f"claimdesk: warning: a link cannot be read ({clean_line(str(doc.get('id')))!s:.40}); left out", err=True)
            continue
        links.setdefault(view[1][1], []).append(view)
        links.setdefault(view[2][1], []).append(view)
    out = sys.stdout
    if as_json:
        count = _write_records(db, chosen, test, links, out)
    else:
        count = _write_table(db, chosen, test, links, out)
        click.echo(f"{count:,} claim{'s' if count != 1 else ''}")


def _picked(db: Any, reports: list[Report], test: Any) -> Iterator[tuple[Report, list[dict[str, Any]], set[str]]]:
    """Each report, its documents and the ids of the claims that pass (one report read at a time)."""
    for report in reports:
        docs = db.annotation_documents(report.id)
        test.prepare(docs)
        yield report, docs, {doc["id"] for doc in docs if isinstance(doc, dict) and isinstance(doc.get("id"), str) and test.wants(doc)}


def _write_records(db: Any, reports: list[Report], test: Any, links: dict[str, list[tuple[Any, ...]]], out: Any) -> int:
    from store.records import Reader

    wanted = _Wanted()
    once = _ReadOnce(db)
    reader = Reader(once, wanted)  # type: ignore[arg-type]
    count = 0
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for report, docs, ids in _picked(db, reports, test):
        if not ids:
            continue
        once.hold(report.id, docs)
        wanted.ids = ids
        batch = reader.batch(report)
        lines = []
        for entry in batch.entries:
            record = dict(entry.record)
            record["links"] = [link_view(link) for link in links.get(entry.id, ())]
            lines.append(encode(record).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
        out.write("".join(lines))
        count += len(lines)
    for problem in reader.problems:
        click.echo(f"claimdesk: warning: {clean_line(problem)}", err=True)
    return count


def _write_table(db: Any, reports: list[Report], test: Any, links: dict[str, list[tuple[Any, ...]]], out: Any) -> int:
    actors = {actor.id: actor.name for actor in db.actors()}
    width = max(80, shutil.get_terminal_size((120, 24)).columns) if out.isatty() else 160
    text_width = max(20, width - (ID_SHOWN + 10 + 4 + 14 + 14 + 5 + 5 + 7 * 2))
    click.echo(f"{'id':<{ID_SHOWN}}  {'date':<10}  {'¶':>4}  {'claimant':<14}  {'reported by':<14}  {'grade':<5}  {'links':>5}  claim")
    count = 0
    for report, docs, ids in _picked(db, reports, test):
        rows = [doc for doc in docs if doc.get("id") in ids]
        rows.sort(key=lambda d: (str(d.get("revision")), d.get("paragraph") if type(d.get("paragraph")) is int else 0,
                                 (d.get("span") or {}).get("start", -1) if isinstance(d.get("span"), dict) else -1))
        lines = []
        for doc in rows:
            claim = doc["claim"]
            grade = doc.get("credibility") if isinstance(doc.get("credibility"), dict) else {}
            code = f"{grade.get('reliability') or '?'}{grade.get('credibility') or '?'}" if grade else "—"
            lines.append(
                f"{doc['id'][:ID_SHOWN]:<{ID_SHOWN}}  {_fit(report.date or 'undated', 10):<10}  {doc.get('paragraph', '?')!s:>4}  "
                f"{_fit(actors.get(claim.get('claimant'), '—'), 14):<14}  {_fit(actors.get(claim.get('reported_by'), '—'), 14):<14}  "
                f"{code:<5}  {len(links.get(doc['id'], ())) or '':>5}  {_fit(str(claim.get('text', '')), text_width)}\n"
            )
        out.write("".join(lines))
        count += len(lines)
    return count


def _fit(text: str, width: int) -> str:
    text = clean_line(" ".join(str(text).split()))
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------- link / unlink


def find_claim(db: Any, key: str) -> Any:
    """The claim whose id is `key` or begins with it (at least MIN_PREFIX characters, naming only one)."""
    from store.model import Annotation, Kind

    key = clean_line(key)
    if len(key) < MIN_PREFIX:
        raise ClaimdeskError(f"{key!r} is too short to name a claim: give at least {MIN_PREFIX} characters of its id")
    found: list[tuple[str, dict[str, Any]]] = []
    for report in db.reports():
        for doc in db.annotation_documents(report.id):
            if isinstance(doc, dict) and isinstance(doc.get("id"), str) and doc["id"].startswith(key):
                found.append((report.id, doc))
        if any(doc["id"] == key for _, doc in found):
            found = [(r, d) for r, d in found if d["id"] == key]
            break
    if not found:
        raise NotFound(f"no claim has an id beginning {key!r}")
    if len(found) > 1:
        shown = ", ".join(doc["id"][:12] for _, doc in found[:4])
        raise ClaimdeskError(f"{key!r} names {len(found)} annotations ({shown}…): give more of the id")
    _report_id, doc = found[0]
    annotation = Annotation.from_dict(doc)
    if annotation.kind is not Kind.CLAIM:
        raise ClaimdeskError(f"{doc['id']} is an actor mention, not a claim: only claims are linked")
    return annotation


@click.command("link")
@common_options
@click.argument("claim_id")
@click.argument("other_id")
@click.option("--as", "relation", required=True, type=click.Choice(list(RELATIONS)),
              help="How CLAIM_ID stands to OTHER_ID.")
@click.option("--note", default="", metavar="TEXT", help="Why (kept with the link).")
@click.pass_obj
def link_command(context: Context, claim_id: str, other_id: str, relation: str, note: str) -> None:
    """Say that claim CLAIM_ID corroborates, contradicts, repeats or updates claim OTHER_ID (ids or their first characters)."""
    from store.session import Session

    db = context.database(read_only_ok=False)
    source, target = find_claim(db, claim_id), find_claim(db, other_id)
    saved = Session(db).link(source, target, relation, note)
    click.echo(f"linked: {saved.value.id}  {source.id[:ID_SHOWN]} {relation} {target.id[:ID_SHOWN]}")


@click.command("unlink")
@common_options
@click.argument("link_id")
@click.pass_obj
def unlink_command(context: Context, link_id: str) -> None:
    """Remove the link LINK_ID (its id or first characters, as 'claimdesk link' printed it)."""
    from store.session import Session

    db = context.database(read_only_ok=False)
    key = clean_line(link_id)
    if len(key) < MIN_PREFIX:
        raise ClaimdeskError(f"{key!r} is too short to name a link: give at least {MIN_PREFIX} characters of its id")
    found = [link for link in db.links() if link.id.startswith(key)]
    exact = [link for link in found if link.id == key]
    found = exact or found
    if not found:
        raise NotFound(f"no link has an id beginning {key!r}")
    if len(found) > 1:
        raise ClaimdeskError(f"{key!r} names {len(found)} links: give more of the id")
    link = found[0]
    Session(db).unlink(link)
    click.echo(f"unlinked: {link.id}  {link.from_claim[:ID_SHOWN]} {link.relation} {link.to_claim[:ID_SHOWN]}")
