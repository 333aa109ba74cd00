"""What a report offers one analyst, paragraph by paragraph: registry suggestions and claim candidates.

`OfferBook` answers `offers(index)` for a paragraph (0-based) and keeps the
answer until something it depends on changes: the analyst's own annotations of
that paragraph (a tagged span is no longer suggested, a claimed candidate no
longer offered), the registry (`set_actors`), or a rejection. It computes only
what it is asked for — the report screen asks for the paragraphs it draws — so
a 10,000-paragraph report costs what its visible paragraphs cost.

* A suggestion is a registry name found in the text (store/suggest.py), not
  overlapping an actor mention of this analyst, not rejected.
* A candidate is a sentence with a reporting cue (store/candidates.py) whose
  proposed span does not overlap a claim of this analyst, not rejected. Its
  claimant and reported-by come from the analyst's actor mentions in the
  paragraph and the suggestions (rejected ones included: rejecting a
  suggestion says "do not tag this", not "this is not that actor").

Rejections are keyed by revision, paragraph, span and actor ("claim" for a
candidate), so they hold as long as the text they were made on. Plain Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.model import Actor, Annotation, Kind, Paragraph

if TYPE_CHECKING:
    from store.candidates import Candidate
    from store.suggest import ActorMatcher, Suggestion
# The matcher and the cue rules are imported with the first paragraph asked for, not when a report opens.

CACHED = 2048  # paragraphs whose offers are kept
CLAIM = "claim"  # the "actor" of a rejected candidate

Rejection = tuple[str, int, int, int, str]  # (revision, paragraph number, start, end, actor id or CLAIM)


@dataclass(frozen=True)
class Offers:
    suggestions: tuple[Suggestion, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    named: tuple[str, ...] = ()  # actor ids named in the paragraph (mentions, then suggestions), in text order


NOTHING = Offers()


class OfferBook:
    def __init__(
        self,
        paragraphs: Sequence[Paragraph],
        revision: str,
        reviewer: str,
        actors: Iterable[Actor],
        annotations: Iterable[Annotation],
        rejected: Iterable[Rejection] = (),
        outlet: str | None = None,
    ) -> None:
        self.paragraphs = paragraphs
        self.revision = revision
        self.reviewer = reviewer
        self.outlet_name = outlet
        self.rejected: set[Rejection] = set(rejected)
        self._cache: OrderedDict[int, Offers] = OrderedDict()
        self._mine: dict[int, list[Annotation]] = {}
        self.set_actors(actors)
        self.set_annotations(annotations)

    # ----------------------------------------------------------- inputs

    def set_actors(self, actors: Iterable[Actor]) -> None:
        self.actors = {actor.id: actor for actor in actors}
        self._matcher: ActorMatcher | None = None  # built when first needed
        self._outlet: tuple[str | None] | None = None
        self._cache.clear()

    @property
    def matcher(self) -> ActorMatcher:
        if self._matcher is None:
            from store.suggest import ActorMatcher

            self._matcher = ActorMatcher(self.actors.values())
        return self._matcher

    @property
    def outlet(self) -> str | None:
        """The registry actor that is the report's outlet (its front matter `source:`), by name or alias."""
        if self._outlet is None:
            from store.suggest import fold_name

            found = None
            if self.outlet_name:
                wanted = fold_name(self.outlet_name)
                found = next((a.id for a in self.actors.values() if any(fold_name(n) == wanted for n in a.names)), None)
            self._outlet = (found,)
        return self._outlet[0]

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        """This revision's annotations (only this analyst's count)."""
        mine: dict[int, list[Annotation]] = {}
        for annotation in annotations:
            if annotation.reviewer == self.reviewer and annotation.revision == self.revision:
                mine.setdefault(annotation.paragraph - 1, []).append(annotation)
        changed = {i for i in set(mine) | set(self._mine) if mine.get(i) != self._mine.get(i)}
        self._mine = mine
        for index in changed:
            self._cache.pop(index, None)

    def forget(self, index: int) -> None:
        self._cache.pop(index, None)

    def reject(self, key: Rejection) -> None:
        self.rejected.add(key)
        self._cache.pop(key[1] - 1, None)

    def unreject(self, key: Rejection) -> None:
        self.rejected.discard(key)
        self._cache.pop(key[1] - 1, None)

    def rejection(self, index: int, start: int, end: int, actor_id: str) -> Rejection:
        return (self.revision, index + 1, start, end, actor_id)

    # ---------------------------------------------------------- answers

    def offers(self, index: int) -> Offers:
        if not 0 <= index < len(self.paragraphs):
            return NOTHING
        found = self._cache.get(index)
        if found is not None:
            self._cache.move_to_end(index)
            return found
        found = self._compute(index)
        self._cache[index] = found
        if len(self._cache) > CACHED:
            self._cache.popitem(last=False)
        return found

    def _compute(self, index: int) -> Offers:
        from store.candidates import Named, find_candidates

        text = self.paragraphs[index].text
        mine = self._mine.get(index, ())
        mentions = [a for a in mine if a.kind is Kind.ACTOR and a.span is not None and a.actor_id]
        claims = [a.span for a in mine if a.kind is Kind.CLAIM and a.span is not None]
        taken = [(a.span.start, a.span.end) for a in mentions if a.span is not None]
        found = self.matcher.find(text) if self.matcher else []
        suggestions = tuple(
            s for s in found
            if not any(start < s.end and s.start < end for start, end in taken)
            and self.rejection(index, s.start, s.end, s.actor_id) not in self.rejected
        )
        named = sorted(
            [Named(a.span.start, a.span.end, a.actor_id, self._type(a.actor_id)) for a in mentions if a.span and a.actor_id]
            + [Named(s.start, s.end, s.actor_id, self._type(s.actor_id)) for s in found
               if not any(start < s.end and s.start < end for start, end in taken)],
            key=lambda n: n.start,
        )
        candidates = tuple(
            c for c in find_candidates(text, named, self.outlet)
            if not any(span.start < c.span_end and c.span_start < span.end for span in claims)
            and self.rejection(index, c.span_start, c.span_end, CLAIM) not in self.rejected
        )
        return Offers(suggestions, candidates, tuple(dict.fromkeys(n.actor_id for n in named)))

    def _type(self, actor_id: str | None) -> str:
        actor = self.actors.get(actor_id or "")
        return actor.type if actor else "other"

    def occurrences(self, actor_id: str) -> list[tuple[int, Suggestion]]:
        """Every pending suggestion of `actor_id` in the report: (paragraph index, suggestion)."""
        found: list[tuple[int, Suggestion]] = []
        for index in range(len(self.paragraphs)):
            found.extend((index, s) for s in self.offers(index).suggestions if s.actor_id == actor_id)
        return found


__all__ = ["CLAIM", "NOTHING", "OfferBook", "Offers", "Rejection"]
