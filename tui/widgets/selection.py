"""Selection mode: a caret and an anchor in one paragraph, moved by keys; the span between them.

The widget is the `SELECT` status line and holds the selection; the keys that
move it (`SELECTION_BINDINGS`) are the report screen's, enabled only while a
span is being selected. It draws nothing in the paragraph: it posts `Changed`
and the screen draws the selection in the paragraph view.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from tui import text_motion
from tui.keys import hint, key_for

QUOTE_PREVIEW = 60


@dataclass(frozen=True)
class SpanState:
    """Where the selection stands: `text[start:end]` is selected, the caret is at `caret`."""

    paragraph: int  # 0-based index
    anchor: int
    caret: int

    @property
    def start(self) -> int:
        return min(self.anchor, self.caret)

    @property
    def end(self) -> int:
        return max(self.anchor, self.caret)

    def cursor_cell(self, text: str) -> tuple[int, int]:
        """The character drawn as the cursor: the last selected one when extending forward."""
        if not text:
            return 0, 0
        if self.caret > self.anchor or self.caret >= len(text):
            left = text_motion.previous_char(text, self.caret)
            return left, self.caret
        return self.caret, text_motion.next_char(text, self.caret)


# The keys of selection mode. They are the report screen's bindings (enabled only while a span is
# being selected) rather than this widget's: focus never moves, so keys typed ahead of the screen
# (a burst over SSH) all land in the same place, in order.
SELECTION_BINDINGS = [
    Binding("w", "move('word_forward')", "Next word", id="selection.next_word"),
    Binding("b", "move('word_backward')", "Word back", id="selection.previous_word"),
    Binding("e", "move('word_end')", "Word end", id="selection.word_end"),
    Binding("l,right,shift+right", "move('next_char')", "Char right", show=False, id="selection.next_char"),
    Binding("h,left,shift+left", "move('previous_char')", "Char left", show=False, id="selection.previous_char"),
    Binding("right_parenthesis", "move('sentence_end')", "Sentence end", show=False, id="selection.sentence_end"),
    Binding("left_parenthesis", "move('sentence_start')", "Sentence start", show=False, id="selection.sentence_start"),
    Binding("0", "move('line_start')", "Line start", show=False, id="selection.line_start"),
    Binding("dollar_sign", "move('line_end')", "Line end", show=False, id="selection.line_end"),
    Binding("o", "swap_ends", "Other end", show=False, id="selection.swap_ends"),
    Binding("enter", "confirm_claim", "Claim it", id="selection.claim"),
    Binding("enter", "confirm_place", "Place it", id="selection.place"),  # placing an orphan: the same key, its own words
]
SELECTION_ACTIONS = {"move", "swap_ends", "confirm_claim", "confirm_place"}


class SpanSelector(Widget):
    """The status line of selection mode, and the selection itself (moved by the screen's keys)."""

    class Changed(Message):
        """The caret or anchor moved."""

        def __init__(self, state: SpanState) -> None:
            self.state = state
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.state: SpanState | None = None
        self.placing = ""  # the quote of an orphan being placed (set by the screen): enter places it instead

    def begin(self, paragraph: int, text: str, anchor: int, caret: int | None = None) -> None:
        """Start (or restart) a selection in paragraph `paragraph` whose text is `text`."""
        self.text = text
        anchor = text_motion.snap(text, anchor)
        caret = anchor if caret is None else text_motion.snap(text, caret)
        self._set(SpanState(paragraph, anchor, caret))

    def clear(self) -> None:
        self.state = None
        self.refresh()

    def _set(self, state: SpanState) -> None:
        self.state = state
        self.refresh()
        self.post_message(self.Changed(state))

    def move(self, motion: str) -> bool:
        """Move the caret by a motion of `text_motion.MOTIONS`; False if it could not move."""
        if self.state is None:
            return False
        caret = text_motion.MOTIONS[motion](self.text, self.state.caret)
        if caret == self.state.caret:
            return False
        self._set(SpanState(self.state.paragraph, self.state.anchor, caret))
        return True

    def restart(self) -> None:
        """Drop the anchor at the caret: the span starts again here."""
        if self.state is not None:
            self._set(SpanState(self.state.paragraph, self.state.caret, self.state.caret))

    def select(self, start: int, end: int) -> None:
        """Select `text[start:end]` (the caret at its end)."""
        if self.state is not None:
            self._set(SpanState(self.state.paragraph, text_motion.snap(self.text, start), text_motion.snap(self.text, end)))

    def swap_ends(self) -> None:
        if self.state is not None:
            self._set(SpanState(self.state.paragraph, self.state.caret, self.state.anchor))

    def span(self) -> tuple[int, int] | None:
        """The selected range without surrounding whitespace, or None if nothing is selected."""
        if self.state is None:
            return None
        start, end = text_motion.trim(self.text, self.state.start, self.state.end)
        return (start, end) if start < end else None

    # --------------------------------------------------------------- render

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" PLACE " if self.placing else " SELECT ", style="reverse bold")
        if self.state is None:
            return line
        start, end = self.state.start, self.state.end
        line.append(f" ¶{self.state.paragraph + 1} ")
        if self.placing:
            line.append(f"{start}–{end} “{self.text[start:end].strip()}”  " if start < end else "select its words: ")
            line.append(hint(self, ("selection.place", "places it here (nothing selected: the whole ¶)"), ("back_to_library", "cancel")),
                        style="dim")
            return line
        if start == end:
            motions = " ".join(
                key_for(self, f"selection.{name}")
                for name in ("next_word", "word_end", "previous_word", "next_char", "previous_char", "sentence_end",
                             "sentence_start", "line_end", "line_start")
            )
            objects = hint(self, ("selection.sentence", "sentence"), ("selection.clause", "clause"), ("selection.quotation", "quote"))
            line.append(
                f"at {self.state.caret} · extend with {motions} (a count first: 3e) · {objects} · "
                + hint(self, ("select_span", "restarts here"), ("claim", "claim"), ("actor", "actor"), ("back_to_library", "cancel"))
            )
            return line
        keys = "  " + hint(self, ("selection.claim", "claim"), ("actor", "actor"), ("suggestion.accept", "tag suggestion"),
                           ("back_to_library", "cancel"))
        line.append(f"{start}–{end} ")
        room = max(12, self.size.width - line.cell_len - len(keys) - 2)
        quote = self.text[start:end].replace("\n", " ").replace("\t", " ")
        if len(quote) > room:
            half = (room - 3) // 2
            quote = quote[:half] + " … " + quote[-half:]
        line.append("“")
        line.append(quote)
        line.append("”")
        line.append(keys, style="dim")
        return line
