"""An actor registry for the seed dispatch, as an analyst would have built it: names, types, aliases.

Used by the keystroke benchmark, the key-latency benchmark (suggestions on) and
tests of registry suggestions and claim candidates. Only names: the seed's text
itself is read from ../shared. Some names are spelt as the registry would hold
them, not as the seed writes them (a straight apostrophe in "Al-Ka'abi",
"Hezbollah" for the seed's "Hizbullah"), which is what suggestions must bridge.
"""

from __future__ import annotations

from typing import Any

# (name, type, aliases)
SEED_ACTORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Sayyid Al-Shuhada Brigades", "armed_group", ("Kata'ib Sayyid al-Shuhada", "Sayyid Al-Shuhada Brigade")),
    ("Abu Alaa Al-Walai", "person", ()),
    ("Akram Al-Ka'abi", "person", ()),
    ("Al-Nujaba Movement", "armed_group", ("Harakat Hezbollah al-Nujaba", "Al-Nujaba")),
    ("Muhammad Al-Tamimi", "person", ()),
    ("Faylaq Al-Wa'ed Al-Sadiq", "armed_group", ("The Just Promise Force",)),
    ("Imam Ali Brigades", "armed_group", ()),
    ("Hezbollah", "armed_group", ()),
    ("Kata'ib Hezbollah", "armed_group", ("Hizbullah Brigades",)),
    ("Hamas", "armed_group", ()),
    ("Islamic Revolutionary Guard Corps", "state_body", ("IRGC",)),
    ("Esmail Qaani", "person", ("General Qaani", "Qaani")),
    ("Ja'affar Al-Husseini", "person", ()),
    ("Ismail Haniya", "person", ()),
    ("Bashar Al-Assad", "person", ()),
    ("Al-Sharq Al-Awsat", "media", ()),
    ("Al-Mayadeen", "media", ()),
    ("Al-Akhbar", "media", ()),
    ("Arabic Post", "media", ("Trabic Post",)),
    ("Euphrates Post", "media", ()),
    ("Orient News", "media", ()),
    ("Syrian Observatory for Human Rights", "other", ()),
    ("MEMRI", "media", ("Middle East Media Research Institute",)),
)


def add_seed_registry(session: Any) -> dict[str, str]:
    """Create the registry through `session` (a store.session.Session); name → actor id."""
    ids: dict[str, str] = {}
    for name, actor_type, aliases in SEED_ACTORS:
        ids[name] = session.create_actor(name, actor_type, aliases=aliases).value.id
    return ids
