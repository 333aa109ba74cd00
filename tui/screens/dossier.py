"""An actor's dossier (from the actors screen): its claims and mentions across every report, oldest first.

The heading counts its claims by grade, their links by relation, and its roles;
the table (a `VirtualTable`: a dossier of Hizbullah may run to thousands of
rows) lists each place it is named. `enter` opens the report at that paragraph
with the annotation highlighted; `esc` comes back.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from store.dossier import ROLE_WORDS, Dossier, build_dossier
from store.errors import ClaimdeskError
from store.model import ACTOR_TYPES, RELATIONS
from store.session import Session
from tui.navigation import navigator
from tui.widgets.footer import Footer
from tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = (
    Column("date", "Date", 10),
    Column("report", "Report", 22),
    Column("paragraph", "¶", 4, "right", 3),
    Column("role", "As", 11),
    Column("grade", "Grade", 5),
    Column("text", "Claim or quote", 0, min_width=20),
)


class DossierScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="dossier.back"),
    ]

    class Read(Message):
        def __init__(self, dossier: Dossier | None, error: str | None = None) -> None:
            self.dossier = dossier
            self.error = error
            super().__init__()

    def __init__(self, session: Session, actor_id: str) -> None:
        super().__init__()
        self.session = session
        self.actor_id = actor_id
        self.dossier: Dossier | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="dossier-heading")
        yield Static(id="dossier-status")
        yield VirtualTable(id="dossier-table")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "claimdesk — dossier"
        table = self.query_one(VirtualTable)
        table.set_columns(COLUMNS)
        table.empty_text = "Reading every report…"
        table.focus()
        self.query_one("#dossier-heading", Static).update(Text("Reading every report…", style="dim"))
        self.read()

    @work(thread=True, exclusive=True, group="dossier")
    def read(self) -> None:
        try:
            self.post_message(self.Read(build_dossier(self.session.db, self.actor_id)))
        except ClaimdeskError as error:
            self.post_message(self.Read(None, str(error)))

    def on_dossier_screen_read(self, message: Read) -> None:
        if message.dossier is None:
            self.notify(f"The dossier could not be read: {message.error}", title="Dossier", severity="error", markup=False)
            self.query_one("#dossier-heading", Static).update(Text(str(message.error), style="bold"))
            return
        self.dossier = dossier = message.dossier
        for problem in dossier.problems[:3]:
            self.notify(problem, title="Dossier", severity="warning", markup=False)
        self.sub_title = dossier.actor.name
        self.query_one("#dossier-heading", Static).update(self.heading(dossier))
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append(f" {len(dossier.entries):,} place{'s' if len(dossier.entries) != 1 else ''} in {dossier.reports:,} "
                      f"report{'s' if dossier.reports != 1 else ''}", style="bold")
        status.append(" · oldest report first · enter opens it", style="dim")
        self.query_one("#dossier-status", Static).update(status)
        table = self.query_one(VirtualTable)
        table.empty_text = "Not named in any report yet"
        table.set_rows(len(dossier.entries), self.cells, lambda position: position)

    @staticmethod
    def heading(dossier: Dossier) -> Text:
        actor = dossier.actor
        text = Text()
        text.append(actor.name, style="bold")
        text.append(f" · {ACTOR_TYPES.get(actor.type, actor.type)}")
        if actor.aliases:
            text.append(" · also " + ", ".join(actor.aliases), style="dim")
        roles = ", ".join(f"{ROLE_WORDS[r]} {n}" for r, n in sorted(dossier.by_role.items()))
        text.append(f"\nnamed as: {roles or 'nothing yet'}")
        grades = ", ".join(f"{g} {n}" for g, n in sorted(dossier.by_grade.items(), key=lambda kv: (kv[0] == "ungraded", kv[0])))
        text.append(f"\nits {dossier.claims} claim{'s' if dossier.claims != 1 else ''} by grade: {grades or '—'}")
        relations = ", ".join(f"{r} {dossier.by_relation[r]}" for r in RELATIONS if dossier.by_relation[r])
        text.append(f"\ntheir links: {relations or 'none'}")
        return text

    def cells(self, position: int) -> list[str]:
        assert self.dossier is not None
        entry = self.dossier.entries[position]
        return [entry.report_date or "undated", entry.report_title, str(entry.paragraph), ROLE_WORDS[entry.role],
                entry.grade or ("—" if entry.role != "mention" else ""), entry.text]

    @on(VirtualTable.Chosen, "#dossier-table")
    def open_entry(self, event: VirtualTable.Chosen) -> None:
        if self.dossier is None or not self.dossier.entries:
            return
        entry = self.dossier.entries[event.position]
        navigator(self).open_report(entry.report_id, entry.paragraph, entry.annotation_id)

    def action_back(self) -> None:
        self.dismiss()


__all__ = ["DossierScreen"]
