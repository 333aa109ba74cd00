"""`O` on a report: the annotations a new revision could not place ("needs a look"), to place or delete.

A corrected report keeps every annotation: re-anchoring (store/reanchor.py)
moves what it finds with confidence and *orphans* the rest — they keep their
last known paragraph and quote and wait here. `NeedsALook(entries)` lists them,
each with what it was, where it was, where to look first and why it was not
placed, and answers `(action, annotation id)`:

* enter — "place": the screen goes to the paragraph to look at and the analyst
  selects the words (or takes the whole paragraph) to attach it there;
* d — "delete" (one undoable step, as every delete);
* esc — None.

Like every dialog it only answers: the screen asks the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.keys import hint
from tui.widgets.lists import NavOptionList


@dataclass(frozen=True)
class OrphanEntry:
    """One orphaned annotation as the list shows it (the screen writes the words; all plain text)."""

    annotation_id: str
    what: Text  # the annotation, as the panel describes it
    was: int  # its paragraph in the revision it was made on
    near: int | None  # a paragraph of this revision to look at first
    reason: str


class NeedsALook(ModalScreen[tuple[str, str] | None]):
    DEFAULT_CSS = """
    NeedsALook {
        align: center middle;
    }
    NeedsALook > #look-box {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    NeedsALook #look-title {
        text-style: bold;
    }
    NeedsALook #look-list {
        height: auto;
        max-height: 24;
    }
    NeedsALook #look-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer('place')", "Place it", id="look.place"),
        Binding("d", "answer('delete')", "Delete it", id="look.delete"),
        Binding("escape", "close", "Close", id="look.close"),
    ]

    def __init__(self, entries: Sequence[OrphanEntry], paragraphs: int) -> None:
        super().__init__()
        self.entries = list(entries)
        self.paragraphs = paragraphs

    def compose(self) -> ComposeResult:
        count = len(self.entries)
        title = f"Needs a look: {count} annotation{'s' if count != 1 else ''} the new revision could not place"
        with Vertical(id="look-box"):
            yield Static(Text(title), id="look-title")
            yield NavOptionList(*[Option(self.line(entry), id=entry.annotation_id) for entry in self.entries], id="look-list", markup=False)
            words = hint(
                self, ("look.place", "place it (go there, select its words)"), ("look.delete", "delete it"), ("look.close", "close")
            )
            yield Static(Text(words), id="look-hint")

    def line(self, entry: OrphanEntry) -> Text:
        text = entry.what.copy()
        where = f"\n  was ¶{entry.was} of the earlier revision"
        if entry.near is not None and 1 <= entry.near <= self.paragraphs:
            where += f" · look near ¶{entry.near}"
        text.append(where, style="bold")
        if entry.reason:
            text.append(f"\n  {entry.reason}", style="italic")
        return text

    def on_mount(self) -> None:
        self.query_one("#look-list", OptionList).focus()

    def action_answer(self, action: str) -> None:
        options = self.query_one("#look-list", OptionList)
        if options.highlighted is None:
            return
        option_id = options.get_option_at_index(options.highlighted).id
        if option_id is not None:
            self.dismiss((action, option_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_answer("place")

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["NeedsALook", "OrphanEntry"]
