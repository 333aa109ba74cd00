"""The report screen's "needs a look": annotations a new revision could not place, placed again by hand.

Mixed into `ReportScreen` (tui/screens/report.py), which owns the data. When a
report gets a new revision its annotations are carried over (store/reanchor.py);
one whose words were not found with confidence is *orphaned*: it keeps its old
revision, paragraph and quote. It is never hidden: the status line counts them
("2 need a look"), opening the report says so, and `O` lists them
(tui/dialogs/needs_a_look.py). From the list:

* enter places one: the screen goes to the paragraph to look at and starts a
  selection; the analyst moves to the right paragraph and selects the words as
  for a new annotation, and enter (or `c`/`a`) attaches it there — or enter
  with nothing selected attaches it to the whole current paragraph. esc stops.
  One undoable step through `Session.reattach`;
* `d` deletes it (undoable).
"""

from __future__ import annotations

from typing import Any

from store.model import Annotation, Span
from tui.keys import hint, key_for
from tui.screens.report_part import ReportPart
from tui.widgets.annotation_panel import describe
from tui.widgets.paragraph_view import ParagraphView
from tui.widgets.selection import SpanSelector


class OrphanActions(ReportPart):
    """`O` and placing an orphan (see the module docstring); the ReportScreen is one."""

    # What the report screen provides besides ReportPart's:
    actors: dict[str, Any]

    # What this part keeps:
    orphans: list[Annotation]  # annotations of this report not on its current revision, by old paragraph
    placing: Annotation | None  # the orphan being placed, while the analyst looks for its words

    @property
    def current_paragraph(self) -> int:
        raise NotImplementedError

    def begin_selection(self, index: int, anchor: int, caret: int | None = None) -> None:
        raise NotImplementedError

    def show_progress(self) -> None:
        raise NotImplementedError

    def placed_links(self, claim_id: str) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ data

    def set_orphans(self, annotations: list[Annotation]) -> None:
        """Every annotation of the report not on its current revision (read with the others)."""
        revision = self.opened.report.revision
        self.orphans = sorted((a for a in annotations if a.revision != revision), key=lambda a: (a.paragraph, a.id))
        if self.placing is not None and all(a.id != self.placing.id for a in self.orphans):
            self.set_placing(None)  # placed or deleted meanwhile (another analyst, an undo)

    def orphan_changed(self, annotation_id: str, after: dict[str, Any] | None) -> None:
        """A change of ours (or its undo) touched annotation `annotation_id`."""
        if any(a.id == annotation_id for a in self.orphans) and after is not None and after.get("revision") == self.opened.report.revision:
            self.placed_links(annotation_id)
        self.orphans = [a for a in self.orphans if a.id != annotation_id]
        if after is not None and after.get("revision") != self.opened.report.revision:
            self.orphans.append(Annotation.from_dict(after))
            self.orphans.sort(key=lambda a: (a.paragraph, a.id))
        if self.placing is not None and self.placing.id == annotation_id:
            self.set_placing(None)

    def set_placing(self, orphan: Annotation | None) -> None:
        """Start or stop placing `orphan`; the selection line says what enter does meanwhile."""
        self.placing = orphan
        quote = "" if orphan is None else orphan.span.quote if orphan.span else "the whole paragraph"
        self.query_one(SpanSelector).placing = " ".join(quote.split())[:40]

    def orphan_words(self) -> str:
        """"2 need a look (O)" for the status line, or ""."""
        if not self.orphans:
            return ""
        count = len(self.orphans)
        return f"{count} need{'s' if count == 1 else ''} a look ({key_for(self, 'needs_a_look')})"

    def placing_words(self) -> str:
        """What the status line says while an orphan is being placed."""
        if self.placing is None:
            return ""
        quote = self.placing.span.quote if self.placing.span else "the whole paragraph"
        return f"placing “{' '.join(quote.split())[:40]}” (was ¶{self.placing.paragraph})"

    # --------------------------------------------------------------- actions

    def tell_about_orphans(self) -> None:
        """Opening a report whose new revision left annotations unplaced: say so once."""
        if self.orphans:
            count = len(self.orphans)
            self.notify(
                f"{count} annotation{'s' if count != 1 else ''} of an earlier revision could not be placed in this one: "
                + hint(self, ("needs_a_look", "lists them")),
                title="Needs a look",
                severity="warning",
                markup=False,
                timeout=8,
            )

    def action_needs_a_look(self) -> None:
        if not self.orphans:
            self.notify("Nothing needs a look: every annotation is on this revision", markup=False, timeout=3)
            return
        from tui.dialogs.needs_a_look import NeedsALook, OrphanEntry

        entries = [
            OrphanEntry(a.id, describe(a, self.actors, self.session.reviewer), a.paragraph,
                        _near(a), str((a.orphaned or {}).get("reason", "")))
            for a in self.orphans
        ]

        def answered(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            action, annotation_id = answer
            orphan = next((a for a in self.orphans if a.id == annotation_id), None)
            if orphan is None:
                return
            if action == "delete":
                undoes = hint(self, ("undo", "undoes"))
                self.attempt("Deleting", lambda: self.session.delete_annotation(orphan), f"Deleted — {undoes}")
            else:
                self.start_placing(orphan)

        self.app.push_screen(NeedsALook(entries, len(self.opened.paragraphs)), answered)

    def start_placing(self, orphan: Annotation) -> None:
        """Go to where the orphan most likely belongs and let the analyst select its words there."""
        total = len(self.opened.paragraphs)
        number = _near(orphan) or orphan.paragraph
        index = max(0, min(number - 1, total - 1))
        self.set_placing(orphan)
        self.query_one(ParagraphView).move_to(index)
        if self.opened.paragraphs[index].text.strip():
            self.begin_selection(index, 0)
        self.show_progress()

    def place_orphan(self, paragraph_number: int, span: Span | None) -> bool:
        """Attach the orphan being placed here (True), or do nothing when none is (False)."""
        orphan = self.placing
        if orphan is None:
            return False
        self.set_placing(None)
        report = self.opened.report
        where = f"¶{paragraph_number}" if span is None else f"“{' '.join(span.quote.split())[:40]}” in ¶{paragraph_number}"
        undoes = hint(self, ("undo", "undoes"))
        self.attempt("Placing", lambda: self.session.reattach(orphan, report, paragraph_number, span), f"Placed on {where} — {undoes}")
        self.show_progress()
        return True

    def stop_placing(self) -> bool:
        """esc while placing (and not selecting): stop (True), or nothing was being placed (False)."""
        if self.placing is None:
            return False
        self.set_placing(None)
        self.show_progress()
        self.notify("Not placed: it still needs a look", markup=False, timeout=3)
        return True


def _near(orphan: Annotation) -> int | None:
    near = (orphan.orphaned or {}).get("near")
    return near if isinstance(near, int) else None


__all__ = ["OrphanActions"]
