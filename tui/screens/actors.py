"""The actor registry: list, filter, edit, merge, delete, and every mention across reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from store.db import Change
from store.errors import ClaimdeskError
from store.matching import match_actors
from store.model import ACTOR_TYPES, Actor, Annotation, Kind
from store.session import Saved, Session
from tui.dialogs.actor_form import ActorDraft, ActorForm
from tui.dialogs.confirm import ConfirmDialog
from tui.keys import hint, key_for
from tui.navigation import navigator
from tui.saving import attempt
from tui.widgets.footer import Footer
from tui.widgets.tables import NavTable

WIDE = 120
# Below WIDE columns the type column is narrow: these fit it without an ellipsis.
SHORT_TYPES = {
    "armed_group": "armed group",
    "party": "party",
    "media": "media",
    "international_org": "intl org",
}
QUOTE_WIDTH = 200  # longer quotes are cut; the cell ellipsises what does not fit the column anyway


@dataclass(frozen=True)
class Mention:
    """One place an actor is named: a mention span, or a claim's claimant or reported-by."""

    report_id: str
    report_title: str
    paragraph: int
    role: str  # "mention" | "claimant" | "reported by"
    quote: str
    annotation_id: str

    @property
    def key(self) -> str:
        return f"{self.report_id}/{self.annotation_id}/{self.role}"


def mentions_of(annotation: Annotation, report_title: str) -> list[tuple[str, Mention]]:
    """(actor id, mention) for every actor an annotation names."""
    quote = annotation.span.quote if annotation.span else ""
    if annotation.kind is Kind.CLAIM and annotation.claim is not None:
        quote = quote or annotation.claim.text
    quote = " ".join(quote.split())[:QUOTE_WIDTH] or "(whole paragraph)"
    named: list[tuple[str, str]] = []
    if annotation.actor_id:
        named.append((annotation.actor_id, "mention"))
    if annotation.claim is not None:
        if annotation.claim.claimant:
            named.append((annotation.claim.claimant, "claimant"))
        if annotation.claim.reported_by:
            named.append((annotation.claim.reported_by, "reported by"))
    return [
        (actor_id, Mention(annotation.report_id, report_title, annotation.paragraph, role, quote, annotation.id))
        for actor_id, role in named
    ]


def merge_question(loser: Actor, survivor: Actor, mentions: int | None, actors: dict[str, Actor], undo_key: str = "u") -> str:
    """What a merge does, in the analyst's words, before anything moves."""
    lose, keep = f"“{loser.name}”", f"“{survivor.name}”"
    named = "Every annotation" if mentions is None else f"{mentions} annotation{'s' if mentions != 1 else ''}"
    lines = [
        f"Merge {lose} into {keep}?",
        "",
        f"• {named} naming {lose} (mentions, claimants, reported-by) will name {keep}.",
        f"• {lose} and its aliases become aliases of {keep}." if loser.aliases else f"• {lose} becomes an alias of {keep}.",
    ]
    if loser.note:
        lines.append(f"• Its note is added to the note of {keep}.")
    if any(a.affiliation == loser.id for a in actors.values() if a.id != loser.id):
        lines.append(f"• Actors affiliated with {lose} become affiliated with {keep}.")
    if loser.affiliation and loser.affiliation != survivor.affiliation and loser.affiliation != survivor.id:
        patron = actors.get(loser.affiliation)
        patron_name = patron.name if patron else "a removed actor"
        if survivor.affiliation:
            own = actors.get(survivor.affiliation)
            lines.append(
                f"• Its affiliation ({patron_name}) is not kept: {keep} keeps its own ({own.name if own else 'a removed actor'})."
            )
        else:
            lines.append(f"• {keep} takes its affiliation ({patron_name}).")
    lines += ["", f"{lose} then leaves the registry. {undo_key} undoes the merge."]
    return "\n".join(lines)


def cell(text: str, style: str = "", justify: str = "left") -> Text:
    return Text(" ".join(text.split()), style=style, overflow="ellipsis", no_wrap=True, justify=justify)  # type: ignore[arg-type]


class ActorsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="actors.filter"),
        Binding("e", "edit", "Edit", id="actors.edit"),
        Binding("n", "new_actor", "New", id="actors.new"),
        Binding("m", "merge", "Merge", id="actors.merge"),
        Binding("d", "delete", "Delete", id="actors.delete"),
        Binding("o", "dossier", "Dossier", show=False, id="actors.dossier"),
        Binding("tab", "toggle_focus", "Actors/mentions", show=False, id="actors.toggle_focus"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        # esc clears a filter before it leaves; the footer and `?` show which of the two it does now.
        Binding("escape", "clear_filter", "Clear filter", id="actors.clear_filter"),
        Binding("escape", "back", "Back", id="actors.back"),
        # While typing a filter, the arrows move through the actors it leaves.
        Binding("down", "move(1)", "Next actor", show=False, id="actors.filter_down"),
        Binding("up", "move(-1)", "Previous actor", show=False, id="actors.filter_up"),
    ]

    merge_loser: reactive[str | None] = reactive(None)

    class MentionsLoaded(Message):
        """A worker read every report's annotations and indexed who is named where."""

        def __init__(self, generation: int, index: dict[str, list[Mention]], error: str | None = None) -> None:
            self.generation = generation
            self.index = index
            self.error = error  # the reports could not all be read: the index is partial
            super().__init__()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.actors: dict[str, Actor] = {}
        self.shown: list[str] = []  # actor ids in table order
        self.index: dict[str, list[Mention]] | None = None  # None while the worker reads
        self.generation = 0
        self.shown_mentions: dict[str, Mention] = {}
        self.reload_on_resume = False  # set when a report screen goes on top of this one

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="actors-filter-row"):
            yield Label("Filter /", id="actors-filter-label")
            yield Input(placeholder="name or alias (fuzzy)", id="actors-filter", compact=True)
        yield Static(id="actors-status")
        yield NavTable(id="actors-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="actors-mentions-heading")
        yield NavTable(id="actors-mentions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "claimdesk — actors"
        self.add_columns()
        self.reload()
        self.query_one("#actors-table", DataTable).focus()

    def column_widths(self) -> dict[str, int]:
        width = self.app.size.width
        type_width = 22 if width >= WIDE else 11
        mentions_width = 8
        free = max(30, width - type_width - mentions_width - 2 * 5 - 2)
        name = free * 2 // 5
        affiliation = free // 4
        return {
            "name": name,
            "type": type_width,
            "affiliation": affiliation,
            "aliases": free - name - affiliation,
            "mentions": mentions_width,
        }

    def mention_widths(self) -> dict[str, int]:
        report = max(16, self.column_widths()["name"])
        return {"report": report, "paragraph": 4, "role": 11, "quote": max(20, self.app.size.width - report - 4 - 11 - 10)}

    def add_columns(self) -> None:
        widths = self.column_widths()
        table = self.query_one("#actors-table", DataTable)
        for key, label in (("name", "Name"), ("type", "Type"), ("affiliation", "Affiliation"), ("aliases", "Aliases")):
            table.add_column(label, key=key, width=widths[key])
        table.add_column(Text("Mentions", justify="right"), key="mentions", width=widths["mentions"])
        widths = self.mention_widths()
        mentions = self.query_one("#actors-mentions", DataTable)
        mentions.add_column("Report", key="report", width=widths["report"])
        mentions.add_column(Text("¶", justify="right"), key="paragraph", width=widths["paragraph"])
        mentions.add_column("As", key="role", width=widths["role"])
        mentions.add_column("Quote", key="quote", width=widths["quote"])

    def on_resize(self) -> None:
        for table_id, widths in (("#actors-table", self.column_widths()), ("#actors-mentions", self.mention_widths())):
            table = self.query_one(table_id, DataTable)
            for key, width in widths.items():
                column = table.columns.get(key)  # type: ignore[call-overload]
                if column is not None:
                    column.width = width
            table.refresh()
        if self.actors:
            self.fill_table(self.highlighted_id)  # type labels are shorter below WIDE columns

    # ------------------------------------------------------------------ data

    @property
    def filter_text(self) -> str:
        return self.query_one("#actors-filter", Input).value

    @property
    def highlighted_id(self) -> str | None:
        table = self.query_one("#actors-table", DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def reload(self, select: str | None = None) -> None:
        """Read the registry again; re-index mentions in the background; keep (or move) the cursor."""
        try:
            self.actors = {actor.id: actor for actor in self.session.db.actors()}
        except ClaimdeskError as error:
            self.notify(str(error), title="Actors", severity="error", markup=False)
            return
        if self.merge_loser not in self.actors:
            self.merge_loser = None
        count = len(self.actors)
        self.sub_title = f"{count} actor{'s' if count != 1 else ''} shared by every report"
        self.fill_table(select or self.highlighted_id)
        self.index = None
        self.generation += 1
        self.load_mentions(self.generation)

    def fill_table(self, select: str | None = None) -> None:
        table = self.query_one("#actors-table", DataTable)
        matches = match_actors(self.filter_text, list(self.actors.values()), limit=None)
        self.shown = [m.actor.id for m in matches]
        table.clear()
        for actor_id in self.shown:
            table.add_row(*self.row_cells(self.actors[actor_id]), key=actor_id)
        if select in self.shown:
            table.move_cursor(row=self.shown.index(select), animate=False)
        self.show_mentions()

    def row_cells(self, actor: Actor) -> list[Text]:
        patron = self.actors.get(actor.affiliation or "")
        if actor.affiliation and patron is None:
            affiliation = cell("(removed actor)", "dim italic")
        else:
            affiliation = cell(patron.name if patron else "—", "" if patron else "dim")
        name = cell(actor.name, "bold")
        if actor.id == self.merge_loser:
            name = Text.assemble(("✕ merge: ", "bold reverse"), name, overflow="ellipsis", no_wrap=True)
        # Every place the actor is named, as the mentions below list them: a claim whose claimant
        # is also its outlet names it twice (the merge question counts annotations instead).
        count = "…" if self.index is None else str(len(self.index.get(actor.id, [])))
        return [
            name,
            cell(self.type_label(actor.type)),
            affiliation,
            cell(", ".join(actor.aliases) or "—", "" if actor.aliases else "dim"),
            cell(count, justify="right"),
        ]

    def type_label(self, actor_type: str) -> str:
        label = ACTOR_TYPES.get(actor_type, actor_type)
        return label if self.app.size.width >= WIDE else SHORT_TYPES.get(actor_type, label)

    def refresh_row(self, actor_id: str | None) -> None:
        table = self.query_one("#actors-table", DataTable)
        if actor_id is None or actor_id not in self.actors or actor_id not in table.rows:
            return
        for key, value in zip(("name", "type", "affiliation", "aliases", "mentions"), self.row_cells(self.actors[actor_id]), strict=False):
            table.update_cell(actor_id, key, value)

    @work(thread=True, exclusive=True, group="actor-mentions")
    def load_mentions(self, generation: int) -> None:
        """One pass over every report's annotations, off the UI thread; reported back by message."""
        index: dict[str, list[Mention]] = {}
        problems: list[str] = []
        try:
            reports = self.session.db.reports()
        except ClaimdeskError as error:
            self.post_message(self.MentionsLoaded(generation, index, str(error)))
            return
        for report in reports:
            try:
                annotations = self.session.db.annotations(report.id, keep=False)
            except ClaimdeskError as error:  # one unreadable report: count the others
                problems.append(str(error))
                continue
            for annotation in annotations:
                for actor_id, mention in mentions_of(annotation, report.title):
                    index.setdefault(actor_id, []).append(mention)
        self.post_message(self.MentionsLoaded(generation, index, "; ".join(problems) or None))

    def on_actors_screen_mentions_loaded(self, message: MentionsLoaded) -> None:
        if message.generation != self.generation:
            return  # a newer reload is on its way
        if message.error is not None:
            self.notify(f"Mentions are incomplete: {message.error}", title="Mentions", severity="error", markup=False)
        self.index = message.index
        table = self.query_one("#actors-table", DataTable)
        for actor_id in self.shown:
            if actor_id in table.rows:
                table.update_cell(actor_id, "mentions", self.row_cells(self.actors[actor_id])[-1])
        self.show_mentions()

    def show_mentions(self) -> None:
        """The lower table: where the highlighted actor is named, report by report."""
        heading = self.query_one("#actors-mentions-heading", Static)
        mentions_table = self.query_one("#actors-mentions", DataTable)
        mentions_table.clear()
        self.shown_mentions = {}
        actor = self.actors.get(self.highlighted_id or "")
        if actor is None:
            empty = "No actors yet: n creates one; a in a report tags a span as an actor."
            heading.update(Text(empty if not self.actors else "No actor matches the filter.", style="dim"))
            return
        text = Text("Mentions of ")
        text.append(actor.name, style="bold")
        if self.index is None:
            text.append("  reading reports…", style="dim")
            heading.update(text)
            return
        found = sorted(self.index.get(actor.id, []), key=lambda m: (m.report_title.casefold(), m.report_id, m.paragraph))
        reports = len({m.report_id for m in found})
        if found:
            summary = f"  {len(found)} in {reports} report{'s' if reports != 1 else ''}"
            annotations = len({(m.report_id, m.annotation_id) for m in found})
            if annotations != len(found):  # one claim names it as claimant and as reported-by
                summary += f" ({annotations} annotation{'s' if annotations != 1 else ''})"
            text.append(summary, style="dim")
        else:
            text.append("  not named in any report yet", style="dim")
        if actor.note:
            text.append("  · note: ", style="dim")
            text.append(" ".join(actor.note.split()), style="italic")
        heading.update(text)
        for mention in found:
            self.shown_mentions[mention.key] = mention
            mentions_table.add_row(
                cell(mention.report_title),
                cell(str(mention.paragraph), justify="right"),
                cell(mention.role, "dim"),
                cell(mention.quote),
                key=mention.key,
            )

    @on(DataTable.RowHighlighted, "#actors-table")
    def actor_highlighted(self) -> None:
        self.show_mentions()

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        self.query_one("#actors-filter", Input).focus()

    @on(Input.Changed, "#actors-filter")
    def filter_changed(self) -> None:
        self.fill_table(None)
        table = self.query_one("#actors-table", DataTable)
        if self.shown:
            table.move_cursor(row=0, animate=False)
        self.show_mentions()
        self.refresh_bindings()  # esc clears the filter now, or goes back: the footer says which

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("move", "clear_filter"):
            return True
        # Asked by the footer too, also while the screen is being built or taken down: no filter line, no such key.
        filter_input = next(iter(self.query("#actors-filter").results(Input)), None)
        if filter_input is None:
            return False
        if action == "move":
            return filter_input.has_focus
        if action == "clear_filter":  # a merge being chosen is cancelled first (action_back)
            return self.merge_loser is None and (filter_input.has_focus or bool(filter_input.value))
        return True

    def action_clear_filter(self) -> None:
        """esc with a filter (or in the filter line): every actor again, and the table to move in."""
        self.query_one("#actors-filter", Input).value = ""
        self.query_one("#actors-table", DataTable).focus()
        self.refresh_bindings()

    def action_move(self, step: int) -> None:
        table = self.query_one("#actors-table", DataTable)
        if self.shown:
            table.move_cursor(row=max(0, min(len(self.shown) - 1, table.cursor_row + step)), animate=False)

    @on(Input.Submitted, "#actors-filter")
    def filter_done(self) -> None:
        self.query_one("#actors-table", DataTable).focus()

    def action_toggle_focus(self) -> None:
        table = self.query_one("#actors-table", DataTable)
        mentions = self.query_one("#actors-mentions", DataTable)
        if table.has_focus and mentions.row_count:
            mentions.focus()
        else:
            table.focus()

    def action_back(self) -> None:
        if self.merge_loser is not None:
            self.merge_loser = None
            self.refresh_bindings()  # a filter left in place is what esc clears next
        elif self.query_one("#actors-mentions", DataTable).has_focus:
            self.query_one("#actors-table", DataTable).focus()
        else:
            self.dismiss()

    # ------------------------------------------------------------ edit / new

    @on(DataTable.RowSelected, "#actors-table")
    def row_selected(self) -> None:
        if self.merge_loser is not None:
            self.action_merge()
        else:
            self.action_edit()

    def action_edit(self) -> None:
        actor = self.actors.get(self.highlighted_id or "")
        if actor is not None:
            self.app.push_screen(ActorForm(self.actors, actor), lambda draft: self.save_from_form(actor, draft))

    def action_new_actor(self) -> None:
        self.app.push_screen(ActorForm(self.actors, name=self.filter_text.strip()), lambda draft: self.save_from_form(None, draft))

    def save_from_form(self, actor: Actor | None, draft: ActorDraft | None) -> None:
        if draft is None:
            return
        session = self.session
        if actor is None:
            def operation() -> Saved[Actor]:
                return session.create_actor(draft.name, draft.type, draft.aliases, draft.affiliation, draft.note)
        else:
            unchanged = (actor.name, actor.type, actor.aliases, actor.affiliation, actor.note)
            if (draft.name, draft.type, draft.aliases, draft.affiliation, draft.note) == unchanged:
                return

            def operation() -> Saved[Actor]:
                return session.edit_actor(actor, draft.name, draft.type, draft.aliases, draft.affiliation, draft.note)

        attempt(self, session, "Actor", operation, self.saved_actor, reload=self.reload)

    def saved_actor(self, result: Saved[Actor]) -> None:
        saved = result.value
        namesakes = [
            other.name
            for other in self.actors.values()
            if other.id != saved.id and any(n.casefold() == saved.name.casefold() for n in other.names)
        ]
        if namesakes:
            self.notify(
                f"“{saved.name}” is also a name of “{namesakes[0]}”: press m to merge them if they are one actor.",
                title="Same name",
                severity="warning",
                markup=False,
            )
        if self.filter_text and saved.id not in {m.actor.id for m in match_actors(self.filter_text, [saved], limit=None)}:
            self.query_one("#actors-filter", Input).value = ""  # else the actor just saved would be hidden
        self.reload(select=saved.id)

    # ----------------------------------------------------------------- merge

    def action_merge(self) -> None:
        highlighted = self.highlighted_id
        if highlighted is None:
            return
        if self.merge_loser is None:
            if len(self.actors) < 2:
                self.notify("Merging needs two actors.", title="Merge", severity="warning")
                return
            self.merge_loser = highlighted
            self.query_one("#actors-table", DataTable).focus()
            return
        if highlighted == self.merge_loser:
            self.notify("Move to the actor to keep (not the one being merged away).", title="Merge", severity="warning")
            return
        loser, survivor = self.actors[self.merge_loser], self.actors[highlighted]
        count = None if self.index is None else len({m.annotation_id for m in self.index.get(loser.id, [])})
        self.app.push_screen(
            ConfirmDialog(merge_question(loser, survivor, count, self.actors, key_for(self, "undo")), yes="Merge", no="Cancel"),
            lambda yes: self.merge(loser, survivor, yes),
        )

    def merge(self, loser: Actor, survivor: Actor, confirmed: bool | None) -> None:
        if not confirmed:
            return
        self.merge_loser = None

        def merged(result: Saved[Actor]) -> None:
            self.notify(f"{result.change.description} ({hint(self, ('undo', 'undoes'))})", title="Merge", markup=False)
            self.reload(select=survivor.id)

        attempt(self, self.session, "Merge", lambda: self.session.merge_actors(survivor, loser), merged, reload=self.reload)

    def watch_merge_loser(self, old: str | None, loser: str | None) -> None:
        self.set_class(loser is not None, "-merging")
        if not self.is_mounted:
            return
        status = self.query_one("#actors-status", Static)
        if loser is not None and loser in self.actors:
            text = Text("Merging ")
            text.append(f"“{self.actors[loser].name}”", style="bold")
            keep, cancel = key_for(self, "actors.merge"), key_for(self, "actors.back")
            text.append(f" away: go to the actor to keep, press {keep} · {cancel} cancels")
            status.update(text)
        for actor_id in (old, loser):
            self.refresh_row(actor_id)

    # ---------------------------------------------------------------- delete

    def action_delete(self) -> None:
        actor = self.actors.get(self.highlighted_id or "")
        if actor is None:
            return

        def deleted(_result: Saved[None]) -> None:
            undoes = hint(self, ("undo", "undoes"))
            self.notify(f"Deleted the actor “{actor.name}” from the registry ({undoes})", title="Actor", markup=False)
            self.reload()

        attempt(self, self.session, "Delete", lambda: self.session.delete_actor(actor), deleted, reload=self.reload)

    # ------------------------------------------------------------ undo/redo

    def action_undo(self) -> None:
        self.step(self.session.undo, "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self.step(self.session.redo, "Redone", "Nothing to redo.")

    def step(self, move: Callable[[], Change | None], verb: str, nothing: str) -> None:
        def done(change: Change | None) -> None:
            if change is None:
                self.notify(nothing, title=verb)
                return
            self.notify(change.description, title=verb, markup=False)
            self.reload()

        attempt(self, self.session, verb, move, done, reload=self.reload)

    # --------------------------------------------------------------- mentions

    @on(DataTable.RowSelected, "#actors-mentions")
    def open_mention(self, event: DataTable.RowSelected) -> None:
        mention = self.shown_mentions.get(str(event.row_key.value))
        if mention is not None:
            self.open_report_at(mention.report_id, mention.paragraph)

    def action_dossier(self) -> None:
        """`o`: the highlighted actor's claims and mentions across every report, in report-date order."""
        actor_id = self.highlighted_id
        if actor_id is not None:
            self.reload_on_resume = True
            navigator(self).show_dossier(actor_id)

    def open_report_at(self, report_id: str, paragraph: int) -> None:
        self.reload_on_resume = True
        navigator(self).open_report(report_id, paragraph)

    def on_screen_resume(self) -> None:
        if self.reload_on_resume:
            self.reload_on_resume = False
            self.reload()  # the report screen may have added, named or merged actors meanwhile
