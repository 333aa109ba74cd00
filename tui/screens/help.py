"""`?`: every key that works here, built from the live bindings (so it never drifts)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def bindings_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, expand=True)
    table.add_column("Key", no_wrap=True)
    table.add_column("Action")
    table.add_column("id (for the config file)", style="dim")
    for key, description, binding_id in rows:
        table.add_row(Text(key), Text(description), Text(binding_id))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help.up"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="help.top"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys  (esc closes · remap them in the config file's [keys] table)", style="bold"))
            yield Static(bindings_table(self.rows))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss()

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        {"down": body.scroll_down, "up": body.scroll_up, "home": body.scroll_home, "end": body.scroll_end}[where](animate=False)


def active_bindings_rows(app) -> list[tuple[str, str, str]]:
    """Every binding active on the current screen and focus chain, with all its current keys."""
    keys: dict[str, list[str]] = {}
    described: dict[str, Binding] = {}
    for key, active in app.active_bindings.items():
        binding: Binding = active.binding
        if not binding.description:
            continue
        ident = binding.id or binding.action
        if ident not in described or (binding.id and not described[ident].id):
            described[ident] = binding  # Textual's own ctrl+q "quit" has no id; show ours
        keys.setdefault(ident, []).append(app.get_key_display(Binding(key, "")))
    rows = [(", ".join(keys[i]), b.description, b.id or "") for i, b in described.items()]
    return sorted(rows, key=lambda row: row[1].lower())
