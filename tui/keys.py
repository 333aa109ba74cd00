"""Key hints built from the bindings themselves, so a remapped key shows where it is mentioned.

Every hint line, footer note or message that names a key asks here: the key a
binding id has now (the user's `[keys]` table, else the binding's default).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def keys_for(node: DOMNode, binding_id: str) -> list[str]:
    """The keys (as displayed) that run binding `binding_id` of `node` or its classes' bindings."""
    default = ""
    for cls in type(node).__mro__:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id == binding_id:
                default = binding.key
                break
        if default:
            break
    keymap: dict[str, str] = getattr(node.app, "user_keymap", None) or {}
    chosen = keymap.get(binding_id, default)
    return [node.app.get_key_display(Binding(key.strip(), "")) for key in chosen.split(",") if key.strip()]


def key_for(node: DOMNode, binding_id: str) -> str:
    """The first key of a binding, as displayed ("?" if it has none)."""
    keys = keys_for(node, binding_id)
    return keys[0] if keys else "?"


def hint(node: DOMNode, *items: tuple[str, str]) -> str:
    """"m keep mine · t take theirs" from (binding id, words) pairs."""
    return " · ".join(f"{key_for(node, binding_id)} {words}" for binding_id, words in items)
