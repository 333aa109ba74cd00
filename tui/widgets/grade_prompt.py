"""The GRADE line of a report: `r`, then a letter and a digit, graded in place (no dialog).

A dialog over the report cost a whole-screen repaint to open and another to
close (about 60 KB to the terminal and 70 ms on a long report); the grade
needs two keys and one line. While grading, the report's status line shows
`grade_line(...)`: what is being graded, the code so far, the scale of the key
still to press. The keys (`reliability_bindings`, `credibility_bindings`, also
the grade picker's, so one remap serves both) are the report screen's, on only
while grading.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.dom import DOMNode

from store.model import CREDIBILITY, RELIABILITY, Credibility
from tui.keys import hint

# Short enough for 120 columns with the keys after them (`?` and the grade picker have the full words).
RELIABILITY_WORDS = "a completely · b usually · c fairly · d not usually reliable · e unreliable · f can't tell"
CREDIBILITY_WORDS = "1 confirmed · 2 probably · 3 possibly true · 4 doubtful · 5 improbable · 6 can't tell"


def reliability_bindings() -> list[Binding]:
    return [
        Binding(
            f"{letter.lower()},{letter}",
            f"reliability('{letter}')",
            f"{letter} {meaning}",
            show=False,
            id=f"credibility.reliability_{letter.lower()}",
        )
        for letter, meaning in RELIABILITY.items()
    ]


_DIGIT_NAMES = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def credibility_bindings() -> list[Binding]:
    # Binding ids allow letters, dots and underscores only (the config file's rule), hence "one" … "six".
    return [
        Binding(
            str(number), f"credibility({number})", f"{number} {meaning}", show=False, id=f"credibility.credibility_{_DIGIT_NAMES[number]}"
        )
        for number, meaning in CREDIBILITY.items()
    ]


def grade_line(node: DOMNode, subject: str, grade: Credibility, letter_pressed: bool, digit_pressed: bool) -> Text:
    """GRADE, the code so far, the scale of the next key, the keys (from `node`'s keymap), what is graded.

    `subject` is untrusted (a claim's text, an actor's name): drawn as plain text.
    """
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(" GRADE ", style="reverse bold")
    code = (grade.reliability or "·") + (str(grade.credibility) if grade.credibility else "·")
    line.append(f" {code}  ", style="bold")
    if not letter_pressed:
        line.append("reliability: " + RELIABILITY_WORDS)
    elif not digit_pressed:
        line.append("credibility: " + CREDIBILITY_WORDS)
    else:
        line.append(grade.meaning if grade.is_set else "not yet graded")
    keys = hint(node, ("grading.clear", "none"), ("grading.save", "save"), ("back_to_library", "cancel"))
    line.append(f"  ·  {keys}", style="dim")
    subject = " ".join(subject.split())
    if subject:
        line.append("  ·  “" + subject[:80] + "”", style="dim italic")
    return line


__all__ = ["credibility_bindings", "grade_line", "reliability_bindings"]
