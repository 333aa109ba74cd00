"""The `[keys]` table of config.toml, checked: where it gives one key two jobs in one place.

Textual would silently run only one of two bindings that share a key in the same
place (the text of a report, a dialog…), and the other would vanish from `?`.
The app reports each conflict at start (`keymap_conflicts`), in one line naming
both bindings. The defaults share some keys on purpose where modes keep them
apart (`e` exports, but moves to a word end while a span is selected), so only a
key the user's table sets is checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations

from textual.keys import key_to_character

from tui.keys import bindings_of


def canonical(key: str) -> str:
    """One spelling per key: "?" and "question_mark" are both "?"; "ctrl+s" stays "ctrl+s"."""
    key = key.strip()
    return key_to_character(key) or key if len(key) > 1 else key


def _scopes(app_class: type) -> list[tuple[str, list[type]]]:
    """Where bindings are active together: (what the analyst sees, classes whose bindings share its keys)."""
    from tui.dialogs.actor_form import ActorForm
    from tui.dialogs.actor_picker import ActorPicker
    from tui.dialogs.claim_form import ClaimForm, ClaimText
    from tui.dialogs.confirm import ConfirmDialog
    from tui.dialogs.conflict import ConflictDialog
    from tui.dialogs.credibility_picker import CredibilityPicker
    from tui.dialogs.export_dialog import ExportDialog
    from tui.dialogs.flag_dialog import FlagDialog
    from tui.screens.actors import ActorsScreen
    from tui.screens.adjudication import AdjudicationScreen
    from tui.screens.agreement import AgreementScreen
    from tui.screens.library import LibraryScreen
    from tui.screens.report import ReportScreen
    from tui.widgets.actor_field import ActorInput
    from tui.widgets.annotation_panel import AnnotationPanel
    from tui.widgets.choice import DigitChoice
    from tui.widgets.grade_field import GradeField
    from tui.widgets.line_list import LineList
    from tui.widgets.lists import NavOptionList
    from tui.widgets.paragraph_view import ParagraphView
    from tui.widgets.tables import NavTable

    return [
        ("the report's text", [ParagraphView, ReportScreen, app_class]),
        ("the annotation panel", [NavOptionList, AnnotationPanel, ReportScreen, app_class]),
        ("the library", [NavTable, LibraryScreen, app_class]),
        ("the actor registry", [NavTable, ActorsScreen, app_class]),
        ("the agreement screen", [LineList, AgreementScreen, app_class]),
        ("the adjudication screen", [LineList, AdjudicationScreen, app_class]),
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


def keymap_conflicts(keymap: Mapping[str, str], app_class: type) -> list[str]:
    """One line per key the keymap gives to two bindings in one place, naming both (and where)."""
    if not keymap:
        return []
    lines: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for place, classes in _scopes(app_class):
        bound: dict[str, list[tuple[str, str, bool]]] = {}  # key → (binding id, description, set by the keymap)
        ids_seen: set[str] = set()
        for cls in classes:
            for binding in bindings_of(cls):
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
