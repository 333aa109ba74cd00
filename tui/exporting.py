"""Running an export the export dialog asked for, off the UI thread (the dialog itself only answers)."""

from __future__ import annotations

from pathlib import Path

from store.errors import ClaimdeskError
from store.export import Selection, export_to_path
from store.text import clean_line, counted
from tui.dialogs.export_dialog import ExportChoice


def perform_export(db_root: Path, reviewer: str, choice: ExportChoice) -> tuple[str, str]:
    """Run one export (in a worker thread): the notification to show and its severity."""
    from store.db import Database

    try:
        if choice.create_folder:
            choice.path.parent.mkdir(parents=True, exist_ok=True)  # the analyst said yes to creating it
        db = Database(db_root, reviewer)
        selection = Selection(reports=(choice.report_id,) if choice.report_id else ())
        result = export_to_path(db, choice.format, choice.path, selection)
    except (ClaimdeskError, OSError) as error:
        return f"Export failed: {clean_line(str(error))}", "error"
    except Exception as error:  # a bug must not pass unseen in a worker thread: say so, like the CLI does
        return f"Export failed: internal error: {type(error).__name__}: {clean_line(str(error))[:200]}", "error"
    what = f"{counted(result.annotations, 'annotation')} from {counted(result.reports, 'report')}"
    message = f"Exported {what} as {choice.format} to {clean_line(result.destination)}"
    if result.problems:
        message += f" — {len(result.problems)} skipped: {clean_line(result.problems[0])}"
    return message, "warning" if result.problems else "information"
