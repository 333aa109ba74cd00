"""Key hints built from the bindings themselves, and the keymap's conflicts found before they bite.

Every hint line, footer note or message that names a key asks here: the key a
binding id has now (the user's `[keys]` table, else the binding's default),
looked up on the node, its ancestors (a widget's hint may name its screen's
keys) and the app.

`keymap_conflicts(keymap)` says where the `[keys]` table of config.toml gives one
key two jobs in the same place (the text of a report, a dialog…): Textual would
silently run only one of them. The app reports each conflict at start, in one
line naming both bindings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import key_to_character


def _bindings_of(cls: type) -> list[Binding]:
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding):
                found.append(binding)
    return found


def _default_keys(node: DOMNode, binding_id: str) -> str:
    for owner in (node, *node.ancestors):
        for binding in _bindings_of(type(owner)):
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


# ------------------------------------------------------------------ conflicts


def canonical(key: str) -> str:
    """One spelling per key: "?" and "question_mark" are both "?"; "ctrl+s" stays "ctrl+s"."""
    key = key.strip()
    return key_to_character(key) or key if len(key) > 1 else key


def _scopes() -> list[tuple[str, list[type]]]:
    """Where bindings are active together: (what the analyst sees, classes whose bindings share its keys)."""
    from tui.app import ClaimdeskApp
    from tui.dialogs.actor_form import ActorForm
    from tui.dialogs.actor_picker import ActorPicker
    from tui.dialogs.claim_form import ClaimForm, ClaimText
    from tui.dialogs.confirm import ConfirmDialog
    from tui.dialogs.conflict import ConflictDialog
    from tui.dialogs.credibility_picker import CredibilityPicker
    from tui.dialogs.export_dialog import ExportDialog
    from tui.dialogs.flag_dialog import FlagDialog
    from tui.screens.actors import ActorsScreen
    from tui.screens.library import LibraryScreen
    from tui.screens.report import ReportScreen
    from tui.widgets.actor_field import ActorInput
    from tui.widgets.annotation_panel import AnnotationPanel
    from tui.widgets.choice import DigitChoice
    from tui.widgets.grade_field import GradeField
    from tui.widgets.lists import NavOptionList
    from tui.widgets.paragraph_view import ParagraphView
    from tui.widgets.tables import NavTable

    return [
        ("the report's text", [ParagraphView, ReportScreen, ClaimdeskApp]),
        ("the annotation panel", [NavOptionList, AnnotationPanel, ReportScreen, ClaimdeskApp]),
        ("the library", [NavTable, LibraryScreen, ClaimdeskApp]),
        ("the actor registry", [NavTable, ActorsScreen, ClaimdeskApp]),
        ("the claim form", [ClaimText, ClaimForm]),
        ("the claim form's type", [DigitChoice, ClaimForm]),
        ("the claim form's grade", [GradeField, ClaimForm]),
        ("the claim form's actors", [ActorInput, ClaimForm]),
        ("the actor form", [DigitChoice, ActorForm]),
        ("the export dialog", [DigitChoice, ExportDialog]),
        ("the flag dialog", [FlagDialog]),
        ("the actor picker", [NavOptionList, ActorPicker]),
        ("the grade picker", [CredibilityPicker]),
        ("a question", [ConfirmDialog]),
        ("the conflict dialog", [ConflictDialog]),
    ]


def keymap_conflicts(keymap: Mapping[str, str]) -> list[str]:
    """One line per key the keymap gives to two bindings in one place, naming both (and where)."""
    if not keymap:
        return []
    lines: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for place, classes in _scopes():
        bound: dict[str, list[tuple[str, str, bool]]] = {}  # key → (binding id, description, set by the keymap)
        ids_seen: set[str] = set()
        for cls in classes:
            for binding in _bindings_of(cls):
                ident = binding.id or binding.action
                if ident in ids_seen:
                    continue  # overridden further down the class tree
                ids_seen.add(ident)
                remapped = binding.id is not None and binding.id in keymap
                keys = keymap[binding.id] if remapped and binding.id else binding.key
                for key in _split(keys):
                    bound.setdefault(canonical(key), []).append((ident, binding.description or ident, remapped))
        for key, holders in bound.items():
            for (first, first_words, first_set), (second, second_words, second_set) in combinations(holders, 2):
                if first == second or not (first_set or second_set):
                    continue  # the defaults are made to share keys only where modes keep them apart
                pair = tuple(sorted((first, second)))
                if (key, *pair) in seen:
                    continue
                seen.add((key, pair[0], pair[1]))
                lines.append(
                    f"config.toml [keys]: {key} is bound to both {first} ({first_words}) and {second} ({second_words}) "
                    f"in {place}; only one of them will work"
                )
    return lines


def _split(keys: str) -> Iterable[str]:
    return [key for key in (part.strip() for part in keys.split(",")) if key]
