"""Key hints built from the bindings themselves, and the keymap's conflicts found before they bite.

Every hint line, footer note or message that names a key asks here: the key a
binding id has now (the user's `[keys]` table, else the binding's default),
looked up on the node, its ancestors (a widget's hint may name its screen's
keys) and the app. (Conflicts in the user's keymap are found in `tui/keymap_check.py`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.binding import Binding, BindingType
from textual.dom import DOMNode


def in_arrival_order(bindings: Iterable[BindingType]) -> list[BindingType]:
    """The bindings as priority bindings: each runs as its key arrives, in the order keys were typed.

    Textual runs an ordinary binding only once its key has been handed to the focused
    widget and bubbled back up, while a priority binding runs at once. Keys that come in
    one burst (a fast typist, an SSH link) would otherwise run out of order — `12G` then
    enter claimed the old paragraph's candidate — and what is typed right after a key
    that opens a form would go to the text behind it, not to the form. The report's
    text and screen bind every key this way; an Input's own characters still reach it
    (Textual leaves out bindings for keys a focused Input consumes), and the screen's
    `check_action` turns its keys off while the search line has focus.
    """
    return [replace(b, priority=True) if isinstance(b, Binding) else b for b in bindings]


# Binding ids take letters, dots and underscores only (the config file's rule): digits are spelt out.
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def bindings_of(cls: type) -> list[Binding]:
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding):
                found.append(binding)
    return found


def _default_keys(node: DOMNode, binding_id: str) -> str:
    for owner in (node, *node.ancestors):
        for binding in bindings_of(type(owner)):
            if binding.id == binding_id:
                return binding.key
    return ""


def keys_for(node: DOMNode, binding_id: str) -> list[str]:
    """The keys (as displayed) that run binding `binding_id` of `node`, its ancestors or the app."""
    keymap: dict[str, str] = getattr(node.app, "user_keymap", None) or {}
    chosen = keymap.get(binding_id) or _default_keys(node, binding_id)
    return [node.app.get_key_display(Binding(key.strip(), "")) for key in chosen.split(",") if key.strip()]


def key_for(node: DOMNode, binding_id: str) -> str:
    """The first key of a binding, as displayed ("?" if it has none)."""
    keys = keys_for(node, binding_id)
    return keys[0] if keys else "?"


def hint(node: DOMNode, *items: tuple[str, str]) -> str:
    """"m keep mine · t take theirs" from (binding id, words) pairs."""
    return " · ".join(f"{key_for(node, binding_id)} {words}" for binding_id, words in items)
