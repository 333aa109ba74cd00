"""Generated reports for the benchmarks and the large-report tests: the same bytes on every run.

* `large_dispatch`: a dispatch-layout report of 10,000 paragraphs (about 1 MB),
  with a section heading every 100 paragraphs and footnote markers, built from
  a fixed vocabulary that includes curly quotes, accents, wide CJK characters
  and combining marks.
* `one_paragraph`: a plain-text report whose body is a single paragraph of
  about 1 MB with no line breaks, numbered every few words (`§000123`) so a
  benchmark can tell how far into it the screen shows.

`python -m bench.generate DIR` writes both into DIR (to try them by hand).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

LARGE_PARAGRAPHS = 10_000
SECTION_EVERY = 100
ONE_PARAGRAPH_BYTES = 1_000_000

# What the first line of each report's first paragraph starts with: benchmarks wait for it.
LARGE_FIRST_WORDS = "Paragraph one of the generated dispatch"
ONE_PARAGRAPH_FIRST_WORDS = "This single paragraph is one megabyte long"
MARK_EVERY = 12  # words between two `§` marks in the one-paragraph report

_WORDS = (
    "the militia said on Tuesday that its fighters had reached the border crossing near the river "
    "officials in the capital denied any involvement and called the reports fabricated "
    "according to local sources several convoys were seen moving toward the northern districts "
    "a spokesman for the ministry stated that the operation would continue until its goals are met "
    "analysts cautioned that the figures could not be independently verified "
    "résumé café naïve coöperation déjà-vu Zürich São Paulo Kraków "
    "“quoted” ‘single’ — – … "
    "北京 東京 서울 "
    "e\u0301 a\u0300 o\u0308 n\u0303"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 10))]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + "."


def _paragraph(rng: random.Random, number: int, notes: int) -> str:
    target = rng.randint(30, 100)  # characters: 10,000 paragraphs make about 1 MB
    parts = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(_sentence(rng))
    text = " ".join(parts)
    if notes and number % 25 == 0:
        text = text[:-1] + f".[{(number // 25 - 1) % notes + 1}]"
    return f"({number}) {text}"


def large_dispatch_text(paragraphs: int = LARGE_PARAGRAPHS, seed: int = 7) -> str:
    """A dispatch-layout report of `paragraphs` paragraphs, sections and footnotes."""
    rng = random.Random(seed)
    notes = 40
    lines = [
        "March 3, 2024 Special Dispatch No. 99999",
        "",
        "A Generated Dispatch Of Ten Thousand Paragraphs For Benchmarks",
        "",
        "March 3, 2024",
        "Generated, Benchmark | Special Dispatch No. 99999",
        "",
        f"{LARGE_FIRST_WORDS}, written so the benchmarks can tell when it is on screen.",
        "",
    ]
    for number in range(2, paragraphs + 1):
        if number % SECTION_EVERY == 1:
            lines += [f"Section {number // SECTION_EVERY + 1} Of The Generated Dispatch", ""]
        lines += [_paragraph(rng, number, notes), ""]
    for note in range(1, notes + 1):
        lines += [f"[{note}] Generated note number {note}, cited by every 25th paragraph.", ""]
    return "\n".join(lines)


def one_paragraph_text(size: int = ONE_PARAGRAPH_BYTES, seed: int = 11) -> str:
    """A title, then one paragraph of about `size` bytes without a line break, with `§` marks."""
    rng = random.Random(seed)
    words = ONE_PARAGRAPH_FIRST_WORDS.split()
    total = 0
    mark = 0
    while total < size:
        if len(words) % MARK_EVERY == 0:
            mark += 1
            word = f"§{mark:06d}"
        else:
            word = rng.choice(_WORDS)
        words.append(word)
        total += len(word.encode("utf-8")) + 1
    return "One Paragraph Of One Megabyte\n\n" + " ".join(words) + ".\n"


def write_large_dispatch(folder: Path, paragraphs: int = LARGE_PARAGRAPHS) -> Path:
    path = Path(folder) / f"generated_{paragraphs}_paragraphs.txt"
    path.write_text(large_dispatch_text(paragraphs), encoding="utf-8")
    return path


def write_one_paragraph(folder: Path, size: int = ONE_PARAGRAPH_BYTES) -> Path:
    path = Path(folder) / f"generated_one_paragraph_{size}_bytes.txt"
    path.write_text(one_paragraph_text(size), encoding="utf-8")
    return path


def marks_in(text: str) -> list[int]:
    """The `§` mark numbers in `text` (what a screen of the one-paragraph report shows)."""
    found = []
    for piece in text.split("§")[1:]:
        digits = piece[:6]
        if len(digits) == 6 and digits.isdigit():
            found.append(int(digits))
    return found


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for written in (write_large_dispatch(out), write_one_paragraph(out)):
        print(f"{written}  {written.stat().st_size:,} bytes")
