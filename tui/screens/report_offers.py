"""The report screen's offers: registry suggestions and claim candidates, drawn and accepted by key.

Mixed into `ReportScreen` (tui/screens/report.py), which owns the data; kept
apart so the screen module stays readable. What is offered is decided in
`store/offers.py`; here it is drawn (a `Decoration` per paragraph, asked only
when a paragraph is drawn) and acted on:

* suggestions: `;` / `,` move the suggestion cursor (the reverse-italic one),
  `y` tags it, `Y` tags every suggestion of the paragraph, `*` every
  occurrence of its actor in the report (each one undoable step), `x` rejects it;
  in selection mode `y` takes the suggestion at or after the caret;
* candidates: `)` / `(` move the candidate cursor (`┃` in the gutter), enter
  opens the claim form prefilled from it, `X` rejects it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from store.errors import StoreError
from store.model import Span
from store.offers import CLAIM, OfferBook, Offers
from store.workstate import WorkState
from tui.keys import hint
from tui.screens.report_part import ReportPart
from tui.widgets.paragraph_view import Decoration, Highlight, ParagraphView
from tui.widgets.selection import SpanSelector

if TYPE_CHECKING:
    from store.candidates import Candidate
    from store.suggest import Suggestion

SCAN_SECONDS = 0.25  # `;` or `)` looking past the paragraph gives up after this long (a long report with few offers)


class OfferActions(ReportPart):
    """Suggestion and candidate cursors and keys (see the module docstring); the ReportScreen is one."""

    # What the report screen provides besides ReportPart's:
    workstate: WorkState
    book: OfferBook
    cursors: dict[int, list[int]]  # paragraph index → [suggestion cursor, candidate cursor]

    @property
    def current_index(self) -> int:
        raise NotImplementedError

    def paragraph_text(self, index: int) -> str:
        raise NotImplementedError

    def actor_name(self, actor_id: str | None) -> str:
        raise NotImplementedError

    def end_selection(self) -> None:
        raise NotImplementedError

    def claim_from_candidate(self, index: int, candidate: Candidate) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------- drawing

    def offers_of(self, index: int) -> Offers:
        return self.book.offers(index)

    def decorate(self, index: int) -> Decoration:
        offers = self.offers_of(index)
        if not offers.suggestions and not offers.candidates:
            return Decoration()
        highlights = [Highlight(index, s.start, s.end, "paragraph-view--suggestion") for s in offers.suggestions]
        offer = None
        suggestion = self._cursor_suggestion(index, offers)
        if suggestion is not None:
            offer = Highlight(index, suggestion.start, suggestion.end, "paragraph-view--offer")
        candidate = self._cursor_candidate(index, offers)
        return Decoration(
            tuple(highlights),
            tuple(c.start for c in offers.candidates),
            (candidate.span_start, candidate.span_end) if candidate else None,
            offer,
        )

    def _cursor(self, index: int) -> list[int]:
        return self.cursors.setdefault(index, [0, 0])

    def _cursor_suggestion(self, index: int, offers: Offers | None = None) -> Suggestion | None:
        offers = offers or self.offers_of(index)
        if not offers.suggestions:
            return None
        at = min(self._cursor(index)[0], len(offers.suggestions) - 1)
        return offers.suggestions[at]

    def _cursor_candidate(self, index: int, offers: Offers | None = None) -> Candidate | None:
        offers = offers or self.offers_of(index)
        if not offers.candidates:
            return None
        at = min(self._cursor(index)[1], len(offers.candidates) - 1)
        return offers.candidates[at]

    def redraw_offers(self, index: int | None = None) -> None:
        view = self.query_one(ParagraphView)
        if index is None:
            view.redraw_decorations()
        else:
            view.redraw_paragraph(index)

    # ------------------------------------------------------------- cursors

    def action_next_suggestion(self) -> None:
        self._step_cursor(0, 1)

    def action_previous_suggestion(self) -> None:
        self._step_cursor(0, -1)

    def action_next_candidate(self) -> None:
        self._step_cursor(1, 1)

    def action_previous_candidate(self) -> None:
        self._step_cursor(1, -1)

    def _step_cursor(self, which: int, step: int) -> None:
        """Move a cursor within the paragraph, or on to the nearest paragraph with something to offer."""
        view = self.query_one(ParagraphView)
        for _ in range(view.take_count()):
            index = self.current_index
            count = self._count(index, which)
            cursor = self._cursor(index)
            at = min(cursor[which], max(0, count - 1))
            if 0 <= at + step < count:
                cursor[which] = at + step
                self.redraw_offers(index)
                continue
            found = self._scan(index, which, step)
            if found is None:
                self.app.bell()
                what = "suggestion" if which == 0 else "claim candidate"
                self.notify(f"No {what} {'after' if step > 0 else 'before'} this one", markup=False, timeout=3)
                return
            self._cursor(found)[which] = 0 if step > 0 else self._count(found, which) - 1
            self.redraw_offers(found)
            view.move_to(found)

    def _count(self, index: int, which: int) -> int:
        offers = self.offers_of(index)
        return len(offers.suggestions) if which == 0 else len(offers.candidates)

    def _scan(self, index: int, which: int, step: int) -> int | None:
        deadline = time.monotonic() + SCAN_SECONDS
        other = index + step
        while 0 <= other < len(self.opened.paragraphs):
            if self._count(other, which):
                return other
            if time.monotonic() > deadline:
                return None
            other += step
        return None

    # ------------------------------------------------------------ accepting

    def action_accept_suggestion(self) -> None:
        """`y`: tag the suggestion under the cursor (in selection mode: at or after the caret)."""
        if self.selecting:
            state = self.query_one(SpanSelector).state
            if state is None:
                return
            index = state.paragraph
            suggestion = next((s for s in self.offers_of(index).suggestions if s.end > state.caret), None)
            if suggestion is not None:
                self.end_selection()
        else:
            index = self.current_index
            suggestion = self._cursor_suggestion(index)
        if suggestion is None:
            self.app.bell()
            self.notify("No suggestion here: names from the actor registry are offered in italics", markup=False, timeout=3)
            return
        self._tag(index, [suggestion])

    def action_accept_paragraph(self) -> None:
        """`Y`: tag every suggestion of this paragraph, in one step."""
        index = self.current_index
        suggestions = list(self.offers_of(index).suggestions)
        if not suggestions:
            self.app.bell()
            self.notify("No suggestion in this paragraph", markup=False, timeout=3)
            return
        self._tag(index, suggestions)

    def action_accept_everywhere(self) -> None:
        """`*`: tag every occurrence in the report of the actor under the suggestion cursor, in one step."""
        suggestion = self._cursor_suggestion(self.current_index)
        if suggestion is None:
            self.app.bell()
            self.notify("No suggestion here: move to one with ; first", markup=False, timeout=3)
            return
        found = self.book.occurrences(suggestion.actor_id)
        mentions = [(index + 1, Span.of(self.paragraph_text(index), s.start, s.end), s.actor_id) for index, s in found]
        name = self.actor_name(suggestion.actor_id)
        report = self.opened.report
        self.attempt(
            "Tagging every occurrence",
            lambda: self.session.add_mentions(report, mentions),
            lambda saved: f"Tagged {name} {len(saved.value)} time{'s' if len(saved.value) != 1 else ''} in this report — "
            + hint(self, ("undo", "undoes")),
        )

    def _tag(self, index: int, suggestions: list[Suggestion]) -> None:
        text = self.paragraph_text(index)
        report = self.opened.report
        if len(suggestions) == 1:
            suggestion = suggestions[0]
            span = Span.of(text, suggestion.start, suggestion.end)
            self.attempt(
                "The actor mention",
                lambda: self.session.add_mention(report, index + 1, span, suggestion.actor_id),
                lambda saved: f"Actor tagged: {self.actor_name(suggestion.actor_id)}"
                + (" (another actor has that name too: enter in the panel changes it)" if suggestion.others else "")
                + " — " + hint(self, ("undo", "undoes")),
            )
            return
        mentions = [(index + 1, Span.of(text, s.start, s.end), s.actor_id) for s in suggestions]
        self.attempt(
            "The actor mentions",
            lambda: self.session.add_mentions(report, mentions),
            lambda saved: f"Tagged {len(saved.value)} actor mentions in ¶{index + 1} — " + hint(self, ("undo", "undoes")),
        )

    # ------------------------------------------------------------ rejecting

    def action_reject_suggestion(self) -> None:
        """`x`: not this one (remembered for this report)."""
        index = self.current_index
        suggestion = self._cursor_suggestion(index)
        if suggestion is None:
            self.app.bell()
            return
        self._reject(index, self.book.rejection(index, suggestion.start, suggestion.end, suggestion.actor_id), "suggestion")

    def action_reject_candidate(self) -> None:
        """`X`: this sentence is not a claim to make (remembered for this report)."""
        index = self.current_index
        candidate = self._cursor_candidate(index)
        if candidate is None:
            self.app.bell()
            return
        self._reject(index, self.book.rejection(index, candidate.span_start, candidate.span_end, CLAIM), "claim candidate")

    def _reject(self, index: int, key: Any, what: str) -> None:
        self.book.reject(key)
        try:
            self.workstate.set_rejected(self.report_id, self.book.rejected)
        except StoreError as error:
            self.notify(f"Rejected for now, but not remembered: {error}", severity="warning", markup=False)
        self.redraw_offers(index)
        self.notify(f"Rejected the {what} — it will not be offered again in this report", markup=False, timeout=3)

    # ---------------------------------------------------------- candidates

    def action_claim_candidate(self) -> None:
        """enter: a claim on the candidate under the cursor, its form prefilled."""
        index = self.current_index
        candidate = self._cursor_candidate(index)
        if candidate is None:
            self.app.bell()
            self.notify(
                "No claim candidate here: " + hint(self, ("select_span", "selects a span"), ("claim", "claims the paragraph")),
                markup=False,
                timeout=4,
            )
            return
        self.claim_from_candidate(index, candidate)
