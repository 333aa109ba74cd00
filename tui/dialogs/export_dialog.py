"""Export annotations from the TUI: `ExportDialog` asks for a format and a file, and answers with an
`ExportChoice` (or None when cancelled); `tui.exporting.perform_export` then runs in a worker thread.

The dialog only asks. The App runs `tui.exporting.perform_export` in a thread worker (on a Database
of its own, so no file cache is shared between threads) and tells the analyst where
the file went in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from store.export import FOLDER_FORMATS, FORMATS, default_file_name
from store.text import clean_line


@dataclass(frozen=True)
class ExportChoice:
    format: str  # a key of store.export.FORMATS
    path: Path  # absolute: a file, or a folder for brat
    report_id: str | None  # None: every report


class ExportDialog(ModalScreen[ExportChoice | None]):
    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > #export-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportDialog #export-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    ExportDialog Label {
        color: $text-muted;
    }
    ExportDialog #export-error {
        color: $error;
        height: auto;
    }
    ExportDialog #export-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ExportDialog #export-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.confirm"),
    ]

    def __init__(self, report_id: str | None = None, report_title: str | None = None,
                 folder: Path | None = None, fmt: str = "jsonl") -> None:
        super().__init__()
        self.report_id = report_id
        self.report_title = report_title or report_id or ""
        self.folder = folder if folder is not None else Path.cwd()
        self.initial_format = fmt if fmt in FORMATS else "jsonl"

    def default_path(self, fmt: str) -> str:
        only_this = self.report_id is not None and self._only_this_report()
        return str(self.folder / default_file_name(fmt, self.report_id if only_this else None))

    def _only_this_report(self) -> bool:
        boxes = self.query("#export-this-report")
        return bool(boxes) and boxes.first(Checkbox).value

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static("Export annotations", id="export-heading")
            yield Label("Format")
            yield Select(
                [(description, key) for key, description in FORMATS.items()],
                value=self.initial_format, allow_blank=False, id="export-format",
            )
            yield Label("Folder" if self.initial_format in FOLDER_FORMATS else "File", id="export-path-label")
            report = self.report_id
            yield Input(
                str(self.folder / default_file_name(self.initial_format, report)), id="export-path", select_on_focus=False,
            )
            if report is not None:
                # The title is untrusted text: a Content, never markup.
                yield Checkbox(Content(f"Only this report: {clean_line(self.report_title)}"), True, id="export-this-report")
            yield Static("", id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        """Keep the suggested name in step with the format, unless the analyst typed one."""
        fmt = str(event.value)
        path_input = self.query_one("#export-path", Input)
        defaults = {self.default_path(key) for key in FORMATS}
        if path_input.value in defaults:
            path_input.value = self.default_path(fmt)
        self.query_one("#export-path-label", Label).update("Folder" if fmt in FOLDER_FORMATS else "File")

    @on(Checkbox.Changed, "#export-this-report")
    def scope_changed(self, event: Checkbox.Changed) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        path_input = self.query_one("#export-path", Input)
        report_default = str(self.folder / default_file_name(fmt, self.report_id))
        all_default = str(self.folder / default_file_name(fmt, None))
        if path_input.value in (report_default, all_default):
            path_input.value = report_default if event.value else all_default

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def action_export(self) -> None:
        typed = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Static)
        if not typed:
            error.update("Give a file name.")
            return
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        fmt = str(self.query_one("#export-format", Select).value)
        if fmt not in FOLDER_FORMATS and path.is_dir():
            error.update(Text(f"{clean_line(str(path))} is a folder; give a file name."))
            return
        report_id = self.report_id if self._only_this_report() else None
        self.dismiss(ExportChoice(fmt, path, report_id))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
