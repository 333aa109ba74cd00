"""Which tagged actor mention a claim's claimant, reported-by, or an actor's affiliation points at,
for the formats that draw relations between spans (brat, doccano's relation layout).

A relation needs a span at each end, so it is drawn only when the actor is tagged in the same
document (brat: the report; doccano: the paragraph): from the claim (or the affiliated actor's
mention) to the nearest mention of that actor, preferring one in the same paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from store.records import Actors, Entry

Key = TypeVar("Key")

CLAIMANT, REPORTED_BY, AFFILIATION = "Claimant", "ReportedBy", "Affiliation"
RELATION_TYPES = (CLAIMANT, REPORTED_BY, AFFILIATION)


@dataclass(frozen=True)
class Relation(Generic[Key]):
    type: str
    source: Key  # the claim, or the affiliated actor's mention
    target: Key  # the actor's mention


def relations(placed: Iterable[tuple[Key, Entry, int]], actors: Actors) -> list[Relation[Key]]:
    """`placed`: each exported span's key (brat's T id, doccano's entity id), its entry, and where it
    starts in the document. Returns Claimant, ReportedBy and Affiliation relations, in span order."""
    spans = list(placed)
    mentions: dict[str, list[tuple[Key, int, int]]] = {}
    for key, entry, start in spans:
        if entry.kind == "actor" and "actor" in entry.named:
            mentions.setdefault(entry.named["actor"], []).append((key, entry.paragraph.number, start))

    def nearest(actor_id: str | None, paragraph: int, start: int, not_key: Any = None) -> Key | None:
        candidates = [m for m in mentions.get(actor_id or "", ()) if m[0] != not_key]
        if not candidates:
            return None
        return min(candidates, key=lambda m: (m[1] != paragraph, abs(m[2] - start)))[0]

    found: list[Relation[Key]] = []
    for key, entry, start in spans:
        number = entry.paragraph.number
        if entry.kind == "claim":
            for role, kind in (("claimant", CLAIMANT), ("reported_by", REPORTED_BY)):
                target = nearest(entry.named.get(role), number, start)
                if target is not None:
                    found.append(Relation(kind, key, target))
        elif "actor" in entry.named:
            actor = actors.by_id.get(entry.named["actor"])
            if actor is not None and actor.affiliation and actor.affiliation != actor.id:
                target = nearest(actor.affiliation, number, start, not_key=key)
                if target is not None:
                    found.append(Relation(AFFILIATION, key, target))
    return found


__all__ = ["AFFILIATION", "CLAIMANT", "RELATION_TYPES", "REPORTED_BY", "Relation", "relations"]
