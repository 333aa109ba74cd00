"""Linking claims, from whichever screen the analyst is on (the claims ledger, a report's panel).

The screen says which claim; this module finds the candidates (the keeper's
ledger, read in a worker the first time and brought up to date before the
picker opens), opens `LinkPicker`, and asks the session to link, edit or
remove — always through `tui.saving.attempt`, so a conflict or a refused rule
is handled the one way. It also says how a link reads beside a claim
(`link_text`) and what a claim's links suggest beside its grade (`suggestion`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.screen import Screen

from store.corroboration import DIGIT_WORDS, Affiliations, Corroboration, Source, corroboration, disagrees
from store.errors import ClaimdeskError
from store.ledger import Candidate, Ledger, LedgerKeeper, parse_query
from store.model import Actor, Annotation, Link
from store.session import Saved, Session
from tui.dialogs.link_picker import LinkChoice, LinkForm, LinkPicker, LinkRequest
from tui.saving import attempt

PREVIEW = 90  # characters of the other claim's text shown beside a link


@dataclass(frozen=True)
class ClaimFacts:
    """What a link line shows of the claim at its other end."""

    text: str
    title: str  # of its report
    source: Source

    def where(self, from_report: str) -> str:
        """"¶12" in the same report, else "Report title ¶12"."""
        here = f"¶{self.source.paragraph}"
        return here if self.source.report_id == from_report else f"{_short(self.title)} {here}"


class ClaimLookup:
    """Claims of any report by id: from the keeper's ledger when it holds them, else read once and kept."""

    def __init__(self, session: Session, keeper: LedgerKeeper | None) -> None:
        self.session = session
        self.keeper = keeper
        self._found: dict[str, ClaimFacts | None] = {}

    def forget(self) -> None:
        self._found.clear()

    def facts(self, report_id: str, claim_id: str) -> ClaimFacts | None:
        ledger = self.keeper.ledger if self.keeper is not None else None
        if ledger is not None and claim_id in ledger.row_of:
            row = ledger.row_of[claim_id]
            return ClaimFacts(ledger.texts[row], ledger.report_of(row).title, ledger.source(row))
        if claim_id not in self._found:
            try:
                annotation = self.session.annotation(report_id, claim_id)
                title = self.session.db.report(report_id).title
            except ClaimdeskError:
                self._found[claim_id] = None
            else:
                self._found[claim_id] = ClaimFacts(annotation.claim.text if annotation.claim else "", title, source_of(annotation))
        return self._found[claim_id]

    def source(self, claim_id: str, report_of: dict[str, str]) -> Source | None:
        report_id = report_of.get(claim_id)
        found = self.facts(report_id, claim_id) if report_id is not None else None
        return found.source if found is not None else None


def source_of(annotation: Annotation) -> Source:
    claim = annotation.claim
    return Source(annotation.id, annotation.report_id, annotation.paragraph, annotation.revision,
                  claim.claimant if claim else None, claim.reported_by if claim else None)


def account(annotation: Annotation, links: list[Link], lookup: ClaimLookup, actors: dict[str, Actor]) -> Corroboration:
    """What `annotation`'s links say (store.corroboration), its other ends looked up in any report."""
    report_of = {}
    for link in links:
        other_report, other_claim = link.other(annotation.id)
        report_of[other_claim] = other_report
    affiliations = Affiliations({a.id: a.affiliation for a in actors.values()})
    return corroboration(source_of(annotation), links, lambda claim_id: lookup.source(claim_id, report_of), affiliations)


def outlet_words(outlet: str, actors: dict[str, Actor], lookup_title: Callable[[str], str]) -> str:
    kind, _, key = outlet.partition(":")
    if kind == "actor":
        return actors[key].name if key in actors else "(removed actor)"
    return f"report “{lookup_title(key)}”"


def suggestion(annotation: Annotation, counted: Corroboration, actors: dict[str, Actor],
               lookup_title: Callable[[str], str]) -> Text:
    """"links suggest 1 — confirmed by 2 independent sources (A, B)", marked when the grade differs."""
    digit = counted.suggested
    grade = annotation.credibility.credibility if annotation.credibility else None
    text = Text()
    text.append(f"links suggest {digit}", style="bold")
    text.append(f" ({DIGIT_WORDS[digit]}) — ")
    text.append(counted.reason(lambda outlet: outlet_words(outlet, actors, lookup_title)))
    if disagrees(grade, digit):
        text.append(f"  ≠ graded {grade}", style="bold reverse")
    return text


def link_text(link: Link, claim_id: str, lookup: ClaimLookup, counted: Corroboration | None = None) -> Text:
    """"↔ contradicts “…” (Report ¶38)", and why it does not count when it does not."""
    other_report, other_claim = link.other(claim_id)
    facts = lookup.facts(other_report, other_claim)
    arrow = "→" if link.from_claim == claim_id else "←"
    text = Text()
    text.append(f"{arrow} {link.relation} ", style="bold")
    if facts is None:
        text.append("(a claim no longer there)", style="italic")
    else:
        preview = " ".join(facts.text.split())
        text.append("“" + (preview if len(preview) <= PREVIEW else preview[:PREVIEW].rstrip() + "…") + "”")
        text.append(f" ({facts.where(link.from_report if link.from_claim == claim_id else link.to_report)})", style="dim")
    view = next((v for v in counted.links if v.link.id == link.id), None) if counted is not None else None
    if view is not None and view.why_not:
        text.append(f" · not counted: {view.why_not}", style="dim italic")
    if link.note:
        text.append(f" · note: {' '.join(link.note.split())}", style="italic")
    return text


# ------------------------------------------------------------------ choices


def choices(ledger: Ledger, claim_id: str, candidates: list[Candidate]) -> list[LinkChoice]:
    """The picker's rows: each candidate claim, where it is, who says it, why it ranks."""
    existing: dict[str, list[str]] = {}
    for link in ledger.links_of_claim(claim_id):
        existing.setdefault(link.other(claim_id)[1], []).append(link.relation)
    found = []
    for candidate in candidates:
        row = candidate.row
        facts = ledger.report_of(row)
        who = " / ".join(n for n in (ledger.actor_name(ledger.claimant[row]), ledger.actor_name(ledger.reported_by[row])) if n)
        grade = ledger.grade_code(row)
        why = []
        if candidate.shared_words:
            why.append("shares " + ", ".join(candidate.shared_words[:6]))
        if candidate.shared_actors:
            why.append("actors: " + ", ".join(ledger.actors[a].name for a in candidate.shared_actors if a in ledger.actors))
        found.append(LinkChoice(
            claim_id=ledger.ids[row], report_id=facts.id, text=ledger.texts[row],
            where=f"{_short(facts.title)} · {facts.date or 'undated'} · ¶{ledger.paragraph[row]}",
            who=" · ".join(p for p in (who, grade) if p), why=" · ".join(why),
            linked=", ".join(existing.get(ledger.ids[row], ())),
        ))
    return found


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------- flows


def with_current_ledger(screen: Screen[Any], keeper: LedgerKeeper, then: Callable[[Ledger], None]) -> None:
    """Call `then(ledger)` with the keeper's ledger brought up to date (read in a worker if it is not yet)."""
    app = screen.app

    def work() -> None:
        try:
            if keeper.ledger is None:
                built = keeper.build()
                app.call_from_thread(_adopt_then, keeper, built, None, then)
            else:
                refresh = keeper.look()
                app.call_from_thread(_adopt_then, keeper, None, refresh, then)
        except ClaimdeskError as error:
            app.call_from_thread(screen.notify, str(error), title="Claims", severity="error", markup=False)

    if keeper.ledger is None:
        screen.notify("Reading every claim to rank the candidates…", title="Link", markup=False, timeout=3)
    screen.run_worker(work, thread=True, group="ledger-update", exclusive=True)


def _adopt_then(keeper: LedgerKeeper, built: Ledger | None, refresh: Any, then: Callable[[Ledger], None]) -> None:
    if built is not None and keeper.ledger is None:
        keeper.adopt(built)
    if refresh is not None:
        keeper.apply_refresh(refresh)
    if keeper.ledger is not None:
        then(keeper.ledger)


def start_link(screen: Screen[Any], session: Session, keeper: LedgerKeeper, source: Annotation,
               saved: Callable[[Saved[Link]], None]) -> None:
    """`L`: pick a claim to link `source` to, then link them (the dialog answers; the session writes)."""

    def ranked(ledger: Ledger) -> None:
        if source.id not in ledger.row_of:  # made a moment ago and not yet on disk when the ledger was read
            ledger.upsert(source.report_id, source.to_dict())
        initial = choices(ledger, source.id, ledger.rank(source.id))

        def search(query: str) -> list[LinkChoice]:
            mask = ledger.mask(parse_query(query))
            return initial if mask is None else choices(ledger, source.id, ledger.rank(source.id, within=mask))

        where = f"¶{source.paragraph}"
        text = source.claim.text if source.claim else ""
        screen.app.push_screen(LinkPicker(f"{text} ({where})", initial, search), lambda answer: _link(answer))

    def _link(answer: LinkRequest | None) -> None:
        if answer is None:
            return
        try:
            target = session.annotation(answer.report_id, answer.claim_id)
        except ClaimdeskError as error:
            screen.notify(f"Not linked: {error}", title="Link", severity="warning", markup=False)
            return

        def done(result: Saved[Link]) -> None:
            keeper.apply(result.change)
            saved(result)

        attempt(screen, session, "The link", lambda: session.link(source, target, answer.relation, answer.note), done)

    with_current_ledger(screen, keeper, ranked)


def edit_link(screen: Screen[Any], session: Session, keeper: LedgerKeeper | None, link: Link, about: str,
              saved: Callable[[Saved[Link]], None]) -> None:
    def answered(answer: tuple[str, str] | None) -> None:
        if answer is None or answer == (link.relation, link.note):
            return
        relation, note = answer

        def done(result: Saved[Link]) -> None:
            if keeper is not None:
                keeper.apply(result.change)
            saved(result)

        attempt(screen, session, "The link", lambda: session.edit_link(link, relation, note), done)

    screen.app.push_screen(LinkForm(link.relation, link.note, about), answered)


def remove_link(screen: Screen[Any], session: Session, keeper: LedgerKeeper | None, link: Link,
                removed: Callable[[Saved[None]], None]) -> None:
    def done(result: Saved[None]) -> None:
        if keeper is not None:
            keeper.apply(result.change)
        removed(result)

    attempt(screen, session, "Removing the link", lambda: session.unlink(link), done)


__all__ = [
    "ClaimFacts", "ClaimLookup", "account", "choices", "edit_link", "link_text", "remove_link", "source_of",
    "start_link", "suggestion", "with_current_ledger",
]
