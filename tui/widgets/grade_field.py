"""A credibility grade typed as two keys inside a form: a letter A–F (source), a digit 1–6 (information).

Shows `C3  fairly reliable; possibly true` or "not graded". Once a letter and a
digit have both been pressed it posts `Graded` (the form moves on); x, backspace
or delete clear it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from store.model import CREDIBILITY, RELIABILITY, Credibility
from tui.keys import NUMBER_WORDS


class GradeField(Widget, can_focus=True):
    DEFAULT_CSS = """
    GradeField {
        height: 1;
        width: 1fr;
    }
    GradeField:focus {
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(f"{letter.lower()},{letter}", f"reliability('{letter}')", f"{letter} {meaning}", show=False,
                    id=f"grade.reliability_{letter.lower()}")
            for letter, meaning in RELIABILITY.items()
        ),
        *(
            Binding(
                str(number), f"credibility({number})", f"{number} {meaning}", show=False, id=f"grade.credibility_{NUMBER_WORDS[number]}"
            )
            for number, meaning in CREDIBILITY.items()
        ),
        Binding("x,backspace,delete", "clear", "Not graded", show=False, id="grade.clear"),
    ]

    grade: reactive[Credibility] = reactive(Credibility, init=False)

    class Changed(Message):
        """The grade changed (either half, or cleared)."""

        def __init__(self, field: GradeField) -> None:
            self.field = field
            super().__init__()

        @property
        def control(self) -> GradeField:
            return self.field

    class Graded(Message):
        """Both halves of the grade were typed."""

        def __init__(self, field: GradeField) -> None:
            self.field = field
            super().__init__()

        @property
        def control(self) -> GradeField:
            return self.field

    def __init__(self, grade: Credibility | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(GradeField.grade, grade or Credibility())
        self._letter = self._digit = False

    def action_reliability(self, letter: str) -> None:
        self.grade = Credibility(letter, self.grade.credibility)
        self._letter = True
        self._done()

    def action_credibility(self, number: int) -> None:
        self.grade = Credibility(self.grade.reliability, int(number))
        self._digit = True
        self._done()

    def _done(self) -> None:
        if self._letter and self._digit:
            self._letter = self._digit = False
            self.post_message(self.Graded(self))

    def action_clear(self) -> None:
        self.grade = Credibility()
        self._letter = self._digit = False

    def watch_grade(self) -> None:
        self.refresh()
        self.post_message(self.Changed(self))

    def render(self) -> Text:
        grade = self.grade
        if not grade.is_set:
            return Text("not graded — a letter A–F, then a digit 1–6", style="italic")
        line = Text()
        line.append(f" {grade.code} ", style="reverse bold")
        line.append(f"  {grade.meaning}")
        return line
