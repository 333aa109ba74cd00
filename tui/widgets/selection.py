"""Selection mode: a caret and an anchor in one paragraph, moved by keys; the span between them.

While it has focus, its keys are the only text keys that work (so `e` is "word
end", not anything else). It owns no paragraph drawing: it posts `Changed` and
the screen draws the selection in the paragraph view.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from tui import text_motion

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


class SpanSelector(Widget, can_focus=True):
    """The status line of selection mode; its bindings move the caret and confirm the span."""

    BINDINGS = [
        Binding("w", "move('word_forward')", "Next word", id="selection.next_word"),
        Binding("b", "move('word_backward')", "Word back", id="selection.previous_word"),
        Binding("e", "move('word_end')", "Word end", id="selection.word_end"),
        Binding("l,right,shift+right", "move('next_char')", "Char right", show=False, id="selection.next_char"),
        Binding("h,left,shift+left", "move('previous_char')", "Char left", show=False, id="selection.previous_char"),
        Binding("right_parenthesis", "move('sentence_end')", "Sentence end", show=False, id="selection.sentence_end"),
        Binding("left_parenthesis", "move('sentence_start')", "Sentence start", show=False, id="selection.sentence_start"),
        Binding("0,home", "move('line_start')", "Line start", show=False, id="selection.line_start"),
        Binding("dollar_sign,end", "move('line_end')", "Line end", show=False, id="selection.line_end"),
        Binding("v", "restart", "Start span here", show=False, id="selection.restart"),
        Binding("o", "swap", "Other end", show=False, id="selection.swap_ends"),
        Binding("enter,c", "confirm('claim')", "Claim", id="selection.claim"),
        Binding("a", "confirm('actor')", "Actor", id="selection.actor"),
        Binding("escape", "cancel", "Cancel", id="selection.cancel"),
    ]

    class Changed(Message):
        """The caret or anchor moved."""

        def __init__(self, state: SpanState) -> None:
            self.state = state
            super().__init__()

    class Confirmed(Message):
        """The analyst wants the span annotated as `kind` ("claim" or "actor")."""

        def __init__(self, kind: str, paragraph: int, start: int, end: int) -> None:
            self.kind = kind
            self.paragraph = paragraph
            self.start = start
            self.end = end
            super().__init__()

    class Cancelled(Message):
        """Selection mode ended without a span."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.state: SpanState | None = None

    # ------------------------------------------------------------ data down

    def begin(self, paragraph: int, text: str, anchor: int, caret: int | None = None) -> None:
        """Start (or restart) a selection in paragraph `paragraph` whose text is `text`."""
        self.text = text
        anchor = text_motion.snap(text, anchor)
        caret = anchor if caret is None else text_motion.snap(text, caret)
        self._set(SpanState(paragraph, anchor, caret))

    def _set(self, state: SpanState) -> None:
        self.state = state
        self.refresh()
        self.post_message(self.Changed(state))

    # -------------------------------------------------------------- actions

    def action_move(self, motion: str) -> None:
        if self.state is None:
            return
        caret = text_motion.MOTIONS[motion](self.text, self.state.caret)
        if caret == self.state.caret:
            self.app.bell()
            return
        self._set(SpanState(self.state.paragraph, self.state.anchor, caret))

    def action_restart(self) -> None:
        if self.state is not None:
            self._set(SpanState(self.state.paragraph, self.state.caret, self.state.caret))

    def action_swap(self) -> None:
        if self.state is not None:
            self._set(SpanState(self.state.paragraph, self.state.caret, self.state.anchor))

    def action_confirm(self, kind: str) -> None:
        if self.state is None:
            return
        start, end = text_motion.trim(self.text, self.state.start, self.state.end)
        if start == end:
            self.app.bell()
            self.notify("Nothing selected yet: move with w, e, l or ) — esc cancels", severity="warning", markup=False)
            return
        self.post_message(self.Confirmed(kind, self.state.paragraph, start, end))

    def action_cancel(self) -> None:
        self.state = None
        self.post_message(self.Cancelled())

    # --------------------------------------------------------------- render

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" SELECT ", style="reverse bold")
        if self.state is None:
            return line
        start, end = self.state.start, self.state.end
        line.append(f" ¶{self.state.paragraph + 1} ")
        if start == end:
            line.append(f"at {self.state.caret} · move with w b e h l ( ) 0 $ · v starts here · enter claim · a actor", style="dim")
            return line
        quote = self.text[start:end]
        if len(quote) > QUOTE_PREVIEW:
            quote = quote[: QUOTE_PREVIEW // 2] + " … " + quote[-QUOTE_PREVIEW // 2 :]
        line.append(f"{start}–{end} ({end - start}) ")
        line.append("“")
        line.append(quote.replace("\n", " ").replace("\t", " "))
        line.append("”")
        return line
