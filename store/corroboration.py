"""Corroboration beside the Admiralty grade: what a claim's links say about its information credibility.

The analyst grades a claim (`B2`); this module never changes that grade. It
counts the claim's links to other claims that come from *independent* sources
and suggests the information-credibility digit the Admiralty definitions give
for what the links show, with the reason in words. The rules, and why, are in
docs/claims.md; in short:

* **Where a claim comes from.** Its *outlet* is its reported-by actor, else the
  report it was read in; its *speaker* is its claimant, else its outlet.
* **Independent.** Two claims are independent when they are in different
  places (another report, or another paragraph of the same report) and share
  neither outlet nor speaker. Two actors are the same source when they are one
  actor or one is affiliated with the other, directly or up the chain (an
  outlet and the party it belongs to); two militias of one patron state are
  not the same source.
* **What counts.** `corroborates` and `contradicts` links to independent
  claims, each *outlet* counted once (the same outlet twice is one source).
  `repeats` (the same claim passed on) and `updates` (a later figure) are shown
  but never count: a repetition is not a confirmation.
* **The digit.** No independent source either way: 6 (cannot be judged from
  the links). Confirmed only: 1. Contradicted only: 5. Both: 2 when more
  confirm than contradict, 3 when as many, 4 when fewer.

Plain Python, no I/O: the ledger, the report panel, the dossier and the CLI all
ask here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from store.model import Link

COUNTED = {"corroborates": "for", "contradicts": "against"}  # relations that speak to credibility
CANNOT_JUDGE = 6

DIGIT_WORDS = {
    1: "confirmed by independent sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}


@dataclass(frozen=True)
class Source:
    """What independence is judged on: where a claim is, and who said and who carried it."""

    claim_id: str
    report_id: str
    paragraph: int
    revision: str = ""
    claimant: str | None = None  # actor id
    reported_by: str | None = None  # actor id

    @property
    def outlet(self) -> str:
        """The reported-by actor, else the report itself (what the analyst read it in)."""
        return f"actor:{self.reported_by}" if self.reported_by else f"report:{self.report_id}"

    @property
    def speaker(self) -> str:
        return f"actor:{self.claimant}" if self.claimant else self.outlet

    @property
    def place(self) -> tuple[str, str, int]:
        return (self.report_id, self.revision, self.paragraph)


class Affiliations:
    """Which actors count as one source: an actor and those it is affiliated with, up the chain."""

    def __init__(self, patrons: Mapping[str, str | None]) -> None:
        self._patrons = dict(patrons)
        self._chains: dict[str, frozenset[str]] = {}

    def chain(self, actor_id: str) -> frozenset[str]:
        """The actor and every actor above it (a cycle, which the session refuses, is cut where it closes)."""
        found = self._chains.get(actor_id)
        if found is None:
            seen: list[str] = []
            current: str | None = actor_id
            while current is not None and current not in seen:
                seen.append(current)
                current = self._patrons.get(current)
            found = self._chains[actor_id] = frozenset(seen)
        return found

    def same_source(self, a: str, b: str) -> bool:
        """`a` and `b` (outlet or speaker keys) are one source: equal, or one actor affiliated with the other."""
        if a == b:
            return True
        if not (a.startswith("actor:") and b.startswith("actor:")):
            return False
        first, second = a[6:], b[6:]
        return first in self.chain(second) or second in self.chain(first)


NO_AFFILIATIONS = Affiliations({})


def independence(a: Source, b: Source, affiliations: Affiliations = NO_AFFILIATIONS) -> str | None:
    """None when `a` and `b` are independent sources, else why not (a few words)."""
    if a.place == b.place:
        return "the same paragraph"
    if affiliations.same_source(a.outlet, b.outlet):
        if a.outlet == b.outlet:
            return "the same report, no outlet named" if a.outlet.startswith("report:") else "the same outlet"
        return "affiliated outlets"
    if affiliations.same_source(a.speaker, b.speaker):
        return "the same claimant" if a.speaker == b.speaker else "affiliated claimants"
    if affiliations.same_source(a.outlet, b.speaker) or affiliations.same_source(a.speaker, b.outlet):
        return "one carries the other's words"
    return None


@dataclass(frozen=True)
class LinkView:
    """One link as seen from one claim: the relation, the claim at the other end, and whether it counts."""

    link: Link
    other: Source | None  # None: the other claim is not in the database any more
    counted: str | None  # "for" | "against" | None
    why_not: str | None  # why a corroborating or contradicting link does not count


@dataclass(frozen=True)
class Corroboration:
    """What a claim's links say: independent outlets for and against, and the digit that suggests."""

    confirming: tuple[str, ...] = ()  # outlet keys, each once
    contradicting: tuple[str, ...] = ()
    links: tuple[LinkView, ...] = field(default=())

    @property
    def suggested(self) -> int:
        return suggest(len(self.confirming), len(self.contradicting))

    def reason(self, name: Callable[[str], str] = str) -> str:
        """The suggestion in words, naming the outlets (`name` turns an outlet key into a name)."""
        return reason(len(self.confirming), len(self.contradicting), [name(o) for o in self.confirming],
                      [name(o) for o in self.contradicting], sum(1 for v in self.links if v.why_not))


def suggest(confirming: int, contradicting: int) -> int:
    """The Admiralty information-credibility digit for this many independent sources for and against."""
    if confirming == 0 and contradicting == 0:
        return CANNOT_JUDGE
    if contradicting == 0:
        return 1
    if confirming == 0:
        return 5
    if confirming > contradicting:
        return 2
    return 3 if confirming == contradicting else 4


def _sources(count: int, names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{count} independent source{'s' if count != 1 else ''}" + (f" ({shown})" if shown else "")


def reason(confirming: int, contradicting: int, confirming_names: list[str] | None = None,
           contradicting_names: list[str] | None = None, not_independent: int = 0) -> str:
    """Why the digit is what it is, in one line."""
    digit = suggest(confirming, contradicting)
    for_them = _sources(confirming, confirming_names or [])
    against = _sources(contradicting, contradicting_names or [])
    if digit == CANNOT_JUDGE:
        text = "no independent source confirms or contradicts it"
    elif digit == 1:
        text = f"confirmed by {for_them}, contradicted by none"
    elif digit == 5:
        text = f"contradicted by {against}, confirmed by none"
    else:
        text = f"confirmed by {for_them}, contradicted by {against}"
    if not_independent:
        text += f" ({not_independent} link{'s' if not_independent != 1 else ''} not independent)"
    return text


def disagrees(grade: int | None, suggested: int) -> bool:
    """Does the analyst's credibility digit disagree with the links?

    An ungraded claim disagrees with nothing. When the links cannot judge (6),
    only a claim graded 1 (confirmed) disagrees: nothing independent confirms it.
    Otherwise any other digit than the suggested one disagrees.
    """
    if grade is None:
        return False
    if suggested == CANNOT_JUDGE:
        return grade == 1
    return grade != suggested


def corroboration(claim: Source, links: Iterable[Link], source_of: Callable[[str], Source | None],
                  affiliations: Affiliations = NO_AFFILIATIONS) -> Corroboration:
    """Count `claim`'s links (those that touch it) by the rules above."""
    confirming: dict[str, None] = {}
    contradicting: dict[str, None] = {}
    views: list[LinkView] = []
    for link in links:
        if not link.touches(claim.claim_id):
            continue
        _report, other_id = link.other(claim.claim_id)
        other = source_of(other_id)
        side = COUNTED.get(link.relation)
        why_not: str | None = None
        if side is not None:
            why_not = "the other claim is gone" if other is None else independence(claim, other, affiliations)
            if why_not is None and other is not None:
                (confirming if side == "for" else contradicting)[other.outlet] = None
        views.append(LinkView(link, other, side if why_not is None else None, why_not))
    return Corroboration(tuple(confirming), tuple(contradicting), tuple(views))


__all__ = [
    "CANNOT_JUDGE", "COUNTED", "DIGIT_WORDS", "Affiliations", "Corroboration", "LinkView", "Source",
    "corroboration", "disagrees", "independence", "reason", "suggest",
]
