"""The panel beside (or below) the text: the current paragraph's annotations, who made each, and its mark.

Every entry says who made it: yours plainly, another analyst's dimmed and
signed "— by NAME". Long entries wrap with their continuation lines indented
under the first word, so each entry reads as one block. The screen chooses
what is listed (everyone's, or yours only: `m`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message

from store.model import Actor, Annotation, Kind, Mark
from tui.keys import hint
from tui.widgets.entry_list import Entry, EntryList
from tui.widgets.text_line import TextLine

if TYPE_CHECKING:
    from rich.console import Console

LINK_PREFIX = "link:"  # option ids of the link lines under a claim (issue 15)
ClaimLinks = dict[str, tuple[Text, list[tuple[str, Text]]]]  # claim id → (what its links suggest, [(link id, line)])

CLAIM_PREVIEW = 160  # characters of a claim's text shown in the list (enter opens all of it)
ENTRIES_KEPT = 512  # annotations' wrapped entries kept for moving back and forth
INDENT = 2  # continuation lines of an entry's line start this much further in


def describe(annotation: Annotation, actors: dict[str, Actor], reviewer: str = "") -> Text:
    """One annotation as plain text for the list (never markup: every field is untrusted)."""
    return Text("\n").join(describe_lines(annotation, actors, reviewer))


def describe_lines(annotation: Annotation, actors: dict[str, Actor], reviewer: str = "") -> list[Text]:
    """`describe`, line by line: the panel wraps each line, and splitting a built text costs more than building lines."""

    def name(actor_id: str | None) -> str:
        return actors[actor_id].name if actor_id in actors else "?"

    lines = _Lines()
    if annotation.kind is Kind.CLAIM and annotation.claim:
        lines.add("CLAIM ", "bold")
        lines.add(f"[{annotation.claim.type}] ")
        if annotation.span is None:
            lines.add("(whole ¶) ", "italic")
        claim_text = annotation.claim.text
        lines.add(claim_text if len(claim_text) <= CLAIM_PREVIEW else claim_text[:CLAIM_PREVIEW].rstrip() + " …")
        if annotation.claim.claimant:
            lines.add(f"\n  claimant: {name(annotation.claim.claimant)}")
        if annotation.claim.reported_by:
            lines.add(f"\n  reported by: {name(annotation.claim.reported_by)}")
    else:
        lines.add("ACTOR ", "bold")
        lines.add(name(annotation.actor_id))
        if annotation.span:
            lines.add(f" ← “{annotation.span.quote}”")
        else:
            lines.add(" (whole ¶)", "italic")
    cred = annotation.credibility
    if annotation.kind is Kind.CLAIM or (cred and cred.is_set):  # a mention is graded only on purpose
        lines.add("\n  credibility: ")
        lines.add(f"{cred.code} ({cred.meaning})" if cred and cred.is_set else "not yet graded")
    if annotation.note:
        lines.add(f"\n  note: {annotation.note}")
    who = annotation.reviewer or "?"
    if reviewer and who != reviewer:
        for line in lines.lines:
            line.stylize("dim")
        lines.add(f"\n  — by {who}", "italic")
    return lines.lines


class _Lines:
    """Text added piece by piece, a new line at each newline in a piece."""

    def __init__(self) -> None:
        self.lines = [Text()]

    def add(self, text: str, style: str = "") -> None:
        first, *rest = text.split("\n")
        self.lines[-1].append(first, style=style or None)
        for piece in rest:
            self.lines.append(Text(piece, style=style))


def indented(lines: list[Text], width: int) -> tuple[Text, ...]:
    """`lines` wrapped to `width`, each line's continuation indented under it (hanging indent)."""
    if width <= INDENT * 3:
        return tuple(lines)
    console = _measuring_console(width)
    out: list[Text] = []
    for line in lines:
        if line.cell_len <= width and "\t" not in line.plain:  # most lines of an entry (claimant, credibility…) fit
            line.rstrip()
            out.append(line)
            continue
        lead = len(line.plain) - len(line.plain.lstrip(" "))
        pad = lead + INDENT
        first, *rest = line.wrap(console, width, overflow="fold") or [Text()]
        first.rstrip()
        out.append(first)
        if rest:
            for piece in rest:
                piece.rstrip()
            remainder = Text(" ").join(rest) if len(rest) > 1 else rest[0]
            out.extend(Text(" " * pad).append_text(piece) for piece in remainder.wrap(console, width - pad, overflow="fold"))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _measuring_console(width: int) -> Console:
    """A console only to wrap text at `width` (made once per width: making one costs more than the wrapping)."""
    from rich.console import Console

    return Console(width=width, legacy_windows=False, color_system=None)


def mark_words(mark: Mark | None) -> str:
    """"reviewed · flagged: odd figure", "changed since review", "unreviewed"."""
    if mark is None or mark.is_blank:
        return "unreviewed"
    words = []
    if mark.reviewed:
        words.append("reviewed")
    elif mark.changed_since_review:
        words.append("changed since review")
    else:
        words.append("unreviewed")
    if mark.flagged:
        words.append(f"flagged: {mark.flag_reason}" if mark.flag_reason else "flagged")
    return " · ".join(words)


class AnnotationPanel(Vertical, can_focus=False):
    """Lists the current paragraph's annotations; posts what the analyst wants done with one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit", "Edit", id="panel.edit"),
        Binding("d", "delete", "Delete", id="panel.delete"),
    ]

    class EditRequested(Message):
        def __init__(self, annotation_id: str) -> None:
            self.annotation_id = annotation_id
            super().__init__()

    class DeleteRequested(Message):
        def __init__(self, annotation_id: str) -> None:
            self.annotation_id = annotation_id
            super().__init__()

    class LinkEditRequested(Message):
        def __init__(self, link_id: str) -> None:
            self.link_id = link_id
            super().__init__()

    class LinkDeleteRequested(Message):
        def __init__(self, link_id: str) -> None:
            self.link_id = link_id
            super().__init__()

    _shown: tuple[object, ...] | None = None  # what the list shows now

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: LRUCache[tuple[object, ...], tuple[Text, ...]] = LRUCache(ENTRIES_KEPT)

    def compose(self) -> ComposeResult:
        yield TextLine(id="panel-heading")
        yield EntryList(id="annotation-list")

    def show(
        self,
        paragraph_number: int,
        mark: Mark | None,
        annotations: list[Annotation],
        actors: dict[str, Actor],
        links: ClaimLinks | None = None,
        reviewer: str = "",
        mine_only: bool = False,
    ) -> None:
        heading = Text(no_wrap=True, overflow="ellipsis")  # always one line: a new heading needs no re-layout
        heading.append(f"¶ {paragraph_number}", style="bold")
        heading.append(f"  {mark_words(mark)}")
        count = len(annotations)
        heading.append(f"  ·  {count} {'of yours' if mine_only else 'annotation' + ('s' if count != 1 else '')}")
        self.query_one("#panel-heading", TextLine).update(heading)
        options = self.query_one("#annotation-list", EntryList)
        # Moving through paragraphs calls this on every key: rebuild the list only when what it shows changed
        # (nothing to show, twice in a row, is the common case and costs a comparison).
        shown: tuple[object, ...] = (tuple(annotations), reviewer, mine_only)
        if annotations:
            width = max(0, options.scrollable_content_region.width)
            links_shown = {k: (str(v[0]), [(i, str(t)) for i, t in v[1]]) for k, v in (links or {}).items()}
            shown = (*shown, dict(actors), links_shown, width)
        if shown == self._shown:
            return
        self._shown = shown
        highlighted = options.highlighted
        if annotations:
            options.set_options(self._items(annotations, actors, links, reviewer, width))
            options.highlighted = min(highlighted or 0, options.option_count - 1)
        else:
            empty = "No annotations of yours here" if mine_only else "No annotations yet"
            keys = hint(self, ("claim", "claim"), ("actor", "actor"))
            options.set_options([Entry.of(Text(f"{empty} — {keys}", style="dim"), disabled=True)])

    def prepare(self, annotations: list[Annotation], actors: dict[str, Actor], links: ClaimLinks | None = None, reviewer: str = "") -> None:
        """Wrap and draw these annotations' entries now, so that showing them later costs neither.

        The screen asks for the paragraphs the analyst is likely to go to next, once a frame has been drawn:
        nothing on screen changes.
        """
        options = self.query_one("#annotation-list", EntryList)
        width = max(0, options.scrollable_content_region.width)
        if annotations and width:
            items = self._items(annotations, actors, links, reviewer, width)
            options.prepare(items, min(options.highlighted or 0, sum(item is not None for item in items) - 1))

    def _items(
        self, annotations: list[Annotation], actors: dict[str, Actor], links: ClaimLinks | None, reviewer: str, width: int
    ) -> list[Entry | None]:
        items: list[Entry | None] = []
        for annotation in annotations:
            if items:
                items.append(None)  # a separator line between annotations
            summary, lines = (links or {}).get(annotation.id, (None, []))
            items.append(Entry(self._entry(annotation, actors, reviewer, summary, width), id=annotation.id))
            for link_id, line in lines:
                items.append(Entry(self._link_entry(link_id, line, width), id=LINK_PREFIX + link_id))
        return items

    def _link_entry(self, link_id: str, line: Text, width: int) -> tuple[Text, ...]:
        """A link's line under its claim, wrapped to `width`; kept like an annotation's, so its rows are drawn once."""
        key = ("link", link_id, line.plain, tuple(line.spans), str(line.style), width)
        entry = self._entries.get(key)
        if entry is None:
            entry = indented(list(Text("  ").append_text(line).split("\n", allow_blank=True)), width)
            self._entries.set(key, entry)
        return entry

    def _entry(self, annotation: Annotation, actors: dict[str, Actor], reviewer: str, summary: Text | None, width: int) -> tuple[Text, ...]:
        """An annotation's entry lines, wrapped to `width`; kept, since moving back and forth shows the same ones again."""
        refs = (annotation.actor_id, *((annotation.claim.claimant, annotation.claim.reported_by) if annotation.claim else ()))
        names = tuple(actors[ref].name if ref in actors else None for ref in refs)
        key = (annotation.id, annotation.rev, annotation.updated_at, names, reviewer, str(summary) if summary is not None else None, width)
        entry = self._entries.get(key)
        if entry is None:
            lines = describe_lines(annotation, actors, reviewer)
            if summary is not None:
                lines += Text("  ").append_text(summary).split("\n", allow_blank=True)
            entry = indented(lines, width)
            self._entries.set(key, entry)
        return entry  # the same lines when shown again: the list does not draw them again (never changed after this)

    def on_resize(self, event: Resize) -> None:
        self._shown = None  # wrapped to the old width: drawn again on the next show

    def select(self, annotation_id: str) -> None:
        """Highlight one annotation of the list (one a rule pointed at, say)."""
        options = self.query_one("#annotation-list", EntryList)
        for index in range(options.option_count):
            if options.get_option_at_index(index).id == annotation_id:
                options.highlighted = index
                return

    @property
    def selected_id(self) -> str | None:
        options = self.query_one("#annotation-list", EntryList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return None if option.disabled else option.id

    def on_entry_list_selected(self, event: EntryList.Selected) -> None:
        """The list's own enter (or a double click) on an annotation: edit it."""
        event.stop()
        if event.entry.id is not None and not event.entry.disabled:
            self._post_edit(event.entry.id)

    def _post_edit(self, option_id: str) -> None:
        if option_id.startswith(LINK_PREFIX):
            self.post_message(self.LinkEditRequested(option_id.removeprefix(LINK_PREFIX)))
        else:
            self.post_message(self.EditRequested(option_id))

    def action_edit(self) -> None:
        if (selected := self.selected_id) is not None:
            self._post_edit(selected)

    def action_delete(self) -> None:
        if (selected := self.selected_id) is not None:
            if selected.startswith(LINK_PREFIX):
                self.post_message(self.LinkDeleteRequested(selected.removeprefix(LINK_PREFIX)))
            else:
                self.post_message(self.DeleteRequested(selected))
