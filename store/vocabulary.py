"""Actor and claim types as people write them: ids (`armed_group`), the labels the UI shows
("armed group or militia") and the common variants ("militia", "international organization").

Imports accept any of these, in any case and with `-`, `_` or spaces between words; the
store keeps the id. An unknown value is a ValueError whose message lists the labels.
"""

from __future__ import annotations

import re

from store.model import ACTOR_TYPES, CLAIM_TYPES

# Spellings beyond the id, the label and the label's "X or Y" halves (added below).
_ACTOR_VARIANTS = {
    "person": ("individual",),
    "armed_group": ("militia group", "militant group", "armed group militia"),
    "state": ("country",),
    "state_body": ("state agency", "government body", "government agency", "government", "military", "intelligence"),
    "party": ("political party", "party"),
    "media": ("media", "outlet", "news outlet", "news agency", "newspaper"),
    "international_org": (
        "international organization", "international org", "intl org", "intergovernmental organisation",
        "intergovernmental organization",
    ),
}
_CLAIM_VARIANTS = {
    "intent": ("intention",),
    "figure": ("casualties", "number", "count"),
}
_SEPARATORS = re.compile(r"[\s_\-/]+")


def _key(value: str) -> str:
    return _SEPARATORS.sub(" ", value.casefold()).strip()


def _index(labels: dict[str, str], variants: dict[str, tuple[str, ...]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for type_id, label in labels.items():
        names = [type_id, label, *label.split(" or "), *variants.get(type_id, ())]
        for name in names:
            found.setdefault(_key(name), type_id)
    return found


_ACTORS = _index(ACTOR_TYPES, _ACTOR_VARIANTS)
_CLAIMS = _index(CLAIM_TYPES, _CLAIM_VARIANTS)


def _lookup(value: str, index: dict[str, str], labels: dict[str, str], what: str) -> str:
    found = index.get(_key(value))
    if found is None:
        shown = value if len(value) <= 40 else value[:39] + "…"
        listing = ", ".join(labels.values())
        raise ValueError(f"{shown!r} is not {what}: use one of {listing} (or the ids {', '.join(labels)})")
    return found


def actor_type(value: str) -> str:
    """The actor type id that `value` names (`"Armed group"` → `armed_group`); ValueError if none."""
    return _lookup(value, _ACTORS, ACTOR_TYPES, "an actor type")


def claim_type(value: str) -> str:
    """The claim type id that `value` names (`"casualty count"` → `figure`); ValueError if none."""
    return _lookup(value, _CLAIMS, CLAIM_TYPES, "a claim type")


__all__ = ["actor_type", "claim_type"]
