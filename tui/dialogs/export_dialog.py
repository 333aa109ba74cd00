"""Export annotations from the TUI: `ExportDialog` asks for a format and a file, and answers with an
`ExportChoice` (or None when cancelled); `tui.exporting.perform_export` then runs in a worker thread.

The dialog only asks, the way every form does (`tui/dialogs/form.py`): a digit
picks the format, enter moves on and, on the file (the last field), exports.
The file starts in the folder of the last export (else the home folder); the
last path itself comes back when the last export failed, or was of the same
reports. A file in a folder that does not exist asks first whether to create
it (the worker creates it). The App runs the export in a thread worker (on a
Database of its own, so no file cache is shared between threads) and tells the
analyst where the file went in a notification.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Static

from store.export import FOLDER_FORMATS, FORMATS, default_file_name
from store.text import clean_line
from tui.dialogs.form import FormCheckbox, FormScreen
from tui.widgets.choice import DigitChoice

ALL_REPORTS = "*"


@dataclass(frozen=True)
class ExportChoice:
    format: str  # a key of store.export.FORMATS
    path: Path  # absolute: a file, or a folder for brat
    report_id: str | None  # None: every report
    create_folder: bool = False  # the folder the file goes in does not exist yet: the analyst said to create it


class ExportDialog(FormScreen[ExportChoice | None]):
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
    ExportDialog #export-format-about {
        color: $text-muted;
        height: auto;
        margin-bottom: 1;
    }
    ExportDialog #export-error {
        color: $error;
        height: auto;
    }
    ExportDialog #export-hint {
        color: $text-muted;
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

    FIELDS = ("export-format", "export-this-report", "export-path")

    def __init__(
        self,
        report_id: str | None = None,
        report_title: str | None = None,
        folder: Path | None = None,
        fmt: str | None = None,
        last: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.report_id = report_id
        self.report_title = report_title or report_id or ""
        last = dict(last or {})
        remembered = Path(last["folder"]) if last.get("folder") else None
        self.folder = folder or (remembered if remembered is not None and remembered.is_dir() else Path.home())
        chosen = fmt or last.get("format") or "jsonl"
        self.initial_format = chosen if chosen in FORMATS else "jsonl"
        scope = report_id or ALL_REPORTS
        # The last path typed comes back when that export failed, or when it was of the same reports.
        self.initial_path = (
            last["path"] if last.get("path") and (last.get("failed") == "yes" or last.get("scope") == scope) else None
        )
        self._confirmed_folder: Path | None = None

    def default_path(self, fmt: str, only_this: bool | None = None) -> str:
        if only_this is None:
            only_this = self.report_id is not None and self._only_this_report()
        return str(self.folder / default_file_name(fmt, self.report_id if only_this else None))

    def _only_this_report(self) -> bool:
        boxes = self.query("#export-this-report")
        return bool(boxes) and boxes.first(Checkbox).value

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static("Export annotations", id="export-heading")
            yield Label("Format (a digit)")
            yield DigitChoice([(key, key) for key in FORMATS], self.initial_format, id="export-format")
            yield Static(Text(FORMATS[self.initial_format]), id="export-format-about")
            report = self.report_id
            if report is not None:
                # The title is untrusted text: a Content, never markup.
                yield FormCheckbox(Content(f"Only this report: {clean_line(self.report_title)}"), True, id="export-this-report")
            yield Label("Folder" if self.initial_format in FOLDER_FORMATS else "File", id="export-path-label")
            path = self.initial_path or str(self.folder / default_file_name(self.initial_format, report))
            yield Input(path, id="export-path", select_on_focus=False)
            yield Static("", id="export-error")
            yield Static(Text(self.form_hint()), id="export-hint")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#export-path", Input).focus()

    def values(self) -> tuple[str, str, bool]:
        return (self.query_one("#export-format", DigitChoice).value, self.query_one("#export-path", Input).value, self._only_this_report())

    @on(DigitChoice.Changed, "#export-format")
    def format_changed(self) -> None:
        """Keep the suggested name in step with the format, unless the analyst typed one."""
        fmt = self.query_one("#export-format", DigitChoice).value
        path_input = self.query_one("#export-path", Input)
        defaults = {self.default_path(key) for key in FORMATS}
        if path_input.value in defaults:
            path_input.value = self.default_path(fmt)
        self.query_one("#export-path-label", Label).update("Folder" if fmt in FOLDER_FORMATS else "File")
        self.query_one("#export-format-about", Static).update(Text(FORMATS[fmt]))

    @on(Checkbox.Changed, "#export-this-report")
    def scope_changed(self, event: Checkbox.Changed) -> None:
        fmt = self.query_one("#export-format", DigitChoice).value
        path_input = self.query_one("#export-path", Input)
        report_default, all_default = self.default_path(fmt, True), self.default_path(fmt, False)
        if path_input.value in (report_default, all_default):
            path_input.value = report_default if event.value else all_default

    def _error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Text(message))

    @on(Button.Pressed, "#export-go")
    def save(self) -> None:
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self._error("Give a file name.")
            return
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        fmt = self.query_one("#export-format", DigitChoice).value
        if fmt not in FOLDER_FORMATS and path.is_dir():
            self._error(f"{clean_line(str(path))} is a folder; give a file name.")
            return
        report_id = self.report_id if self._only_this_report() else None
        folder = path.parent  # where the file (or brat's folder) goes
        missing = next((p for p in (folder, *folder.parents) if p.exists()), None) != folder
        if missing and self._confirmed_folder != folder:
            from tui.dialogs.confirm import ConfirmDialog

            def answered(create: bool | None) -> None:
                if create:
                    self._confirmed_folder = folder
                    self.dismiss(ExportChoice(fmt, path, report_id, create_folder=True))
                else:
                    self._error(f"{clean_line(str(folder))} does not exist: choose another folder.")
                    self.query_one("#export-path", Input).focus()

            self.app.push_screen(ConfirmDialog(f"The folder {clean_line(str(folder))} does not exist.\n\nCreate it?", yes="Create it",
                                               no="Choose another"), answered)
            return
        self.dismiss(ExportChoice(fmt, path, report_id))

    @on(Button.Pressed, "#export-cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()
