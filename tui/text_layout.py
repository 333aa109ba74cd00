"""Wrapping paragraph text into screen lines, lazily, as code point ranges.

A line is `(start, end)`: the code points `text[start:end]` of the paragraph.
Consecutive lines cover the text without gaps except the hard newlines between
them, so a screen cell maps back to an exact offset (for selection and mouse).
Wrapping is incremental: a 1 MB paragraph is wrapped only as far as it is shown.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from rich.cells import cell_len

_WORD = re.compile(r"[^\s]+\s*|\s+")
# Characters one cell wide that are not white space (but space and tab): ASCII, Latin, Greek,
# Cyrillic, the general punctuation of news text (dashes, curly quotes, ellipsis), box drawing.
# A run of them is measured by counting (tests check each is one cell for Rich).
_ONE_CELL_RANGES = ((0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0x2FF), (0x370, 0x482), (0x2010, 0x2027),
                    (0x2030, 0x205E), (0x2500, 0x25FC), (0x2800, 0x28FF))
_ONE_CELL = frozenset(chr(code) for low, high in _ONE_CELL_RANGES for code in range(low, high + 1)) | {"\t"}
_NOT_ONE_CELL = re.compile("[^\t" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _ONE_CELL_RANGES) + "]")
_OTHER_SPACE = re.compile(r"[^\S \t]")  # white space other than space and tab
# Rich measures a ZWJ sequence or a character with VS16 as a whole, not as the sum of its characters.
_JOINERS = ("\u200d", "\ufe0f")
_CHUNK = 4096  # characters scanned at a time when wrapping lazily


def display_text(text: str) -> str:
    """Text as drawn: one cell-preserving character per code point (a tab is drawn as a space)."""
    return text.replace("\t", " ")


def cells(text: str) -> int:
    """The terminal cells `text` takes as drawn (a tab is one cell, as its space is)."""
    if text.isascii():
        return len(text)
    if any(joiner in text for joiner in _JOINERS):
        return cell_len(display_text(text))
    others = _NOT_ONE_CELL.findall(text)  # measured one by one; the rest is one cell each
    return len(text) - len(others) + sum(cell_len(char) for char in others)


class WrappedText:
    """The line ranges of one paragraph at one width, computed on demand."""

    __slots__ = ("_pos", "done", "lines", "text", "width")

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.lines: list[tuple[int, int]] = []
        self._pos = 0
        self.done = not text
        if not text:
            self.lines.append((0, 0))

    def ensure(self, count: int) -> int:
        """Wrap until at least `count` lines exist (or the text ends); return how many exist."""
        while not self.done and len(self.lines) < count:
            self._wrap_line()
        return len(self.lines)

    def all(self) -> list[tuple[int, int]]:
        while not self.done:
            self._wrap_line()
        return self.lines

    def line_of(self, offset: int) -> int:
        """The index of the line that holds `offset` (wrapping as far as needed)."""
        self.ensure(1)
        while not self.done and self.lines[-1][1] < offset:
            self.ensure(len(self.lines) + 64)
        return max(0, bisect_right(self.lines, (offset, float("inf"))) - 1)

    def _wrap_line(self) -> None:
        text, width, pos = self.text, self.width, self._pos
        newline = text.find("\n", pos, pos + _CHUNK * 4)
        limit = newline if newline != -1 else min(len(text), pos + _CHUNK * 4)
        # Fast path: the rest of the hard line fits.
        if limit - pos <= width and (newline != -1 or limit == len(text)):
            segment = text[pos:limit]
            if segment.isascii() or cells(segment) <= width:
                self._emit(pos, limit, newline)
                return
        # Where the line's cells run out: the first character past the right edge. The line ends
        # before the word that holds it, or after the spaces that follow when it is a space: what
        # the word-by-word loop below decides, measuring runs of one-cell characters by counting.
        edge = self._edge(pos, limit)
        stop = limit if edge is None else edge + 1
        if all(text.find(joiner, pos, stop) == -1 for joiner in _JOINERS):
            if edge is None:
                self._emit_rest(pos, limit, newline)
                return
            if text[edge].isspace():
                end = edge + 1
                while end < limit and text[end].isspace():
                    end += 1
                if end == limit:  # only spaces to the end of the line: they stay on it
                    self._emit_rest(pos, limit, newline)
                else:
                    self._emit(pos, end, None)
                return
            space = max(text.rfind(" ", pos, edge), text.rfind("\t", pos, edge))
            for other in _OTHER_SPACE.finditer(text, space + 1 if space != -1 else pos, edge):
                space = other.start()
            if space != -1:
                end = space + 1
            else:  # one word longer than the line: as many characters as fit, at least one
                end = edge if edge > pos else pos + 1
            self._emit(pos, end, None if newline == -1 else newline)
            return
        used = 0
        end = pos
        for match in _WORD.finditer(text, pos, limit):
            word = match.group()
            if used + cells(word.rstrip()) <= width:
                used += cells(word)
                end = match.end()
                continue
            if end == pos:  # one word longer than the line: break it by characters
                end = _fit_characters(text, pos, match.end(), width)
            self._emit(pos, end, None if newline == -1 else newline)  # a break at the line's end takes its newline
            return
        self._emit_rest(pos, limit, newline)

    def _edge(self, pos: int, limit: int) -> int | None:
        """The first index from `pos` whose character takes the line past the width (None: the rest fits)."""
        text, width = self.text, self.width
        used, index = 0, pos
        while True:
            room = width - used
            bound = min(limit, index + room + 1)
            special = _NOT_ONE_CELL.search(text, index, bound)
            run_end = special.start() if special else bound
            if run_end - index > room:
                return index + room
            used += run_end - index
            if special is None:
                return None
            char_cells = cells(text[run_end])
            if used + char_cells > width:
                return run_end
            used += char_cells
            index = run_end + 1

    def _emit_rest(self, pos: int, limit: int, newline: int) -> None:
        """The rest of the hard line fits: a line to its end (or to the end of the chunk scanned)."""
        if newline == -1 and limit < len(self.text):  # chunk ended mid-line without overflowing
            self._emit(pos, limit, None)
            return
        self._emit(pos, limit, newline)

    def _emit(self, start: int, end: int, newline: int | None) -> None:
        self.lines.append((start, end))
        if newline is not None and end == newline:
            self._pos = end + 1
            if self._pos >= len(self.text):
                self.done = True
                if self._pos == len(self.text) and self.text.endswith("\n"):
                    self.lines.append((self._pos, self._pos))
        else:
            self._pos = end
            if end >= len(self.text):
                self.done = True


def _fit_characters(text: str, start: int, stop: int, width: int) -> int:
    """Where to break a word longer than the line: as many characters as fit (at least one).

    A zero-width character (a combining mark) never overflows, so it stays with its letter.
    With emoji joiners the prefix is measured whole, and a glyph that does not fit goes to the
    next line with its joiners and variation selectors.
    """
    if any(text.find(joiner, start, stop) != -1 for joiner in _JOINERS):
        for end in range(start + 1, stop + 1):
            if cells(text[start:end]) > width:
                end -= 1  # the character that made the prefix too wide starts the next line...
                while end > start + 1 and cells(text[end]) == 0:
                    end -= 1  # ...with the glyph it belongs to
                return max(end, start + 1)
        return stop
    used = 0
    for index in range(start, stop):
        char_cells = cells(text[index])
        if used + char_cells > width and index > start:
            return index
        used += char_cells
    return stop
