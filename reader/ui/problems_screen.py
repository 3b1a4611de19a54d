"""The problems view: files that were skipped or read with doubts, each with its reason."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from reader.files import Problem


class ProblemsScreen(ModalScreen[None]):
    """A modal table of problems: file, what happened, why."""

    BINDINGS = [Binding("escape,q,p", "dismiss", "Close")]

    DEFAULT_CSS = """
    ProblemsScreen { align: center middle; }
    ProblemsScreen > Vertical { width: 90%; height: 80%; border: thick $warning;
        background: $surface; }
    ProblemsScreen Label { width: 1fr; padding: 0 1; color: $text-muted; }
    ProblemsScreen DataTable { height: 1fr; }
    """

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self._problems = problems

    def compose(self) -> ComposeResult:
        skipped = sum(p.skipped for p in self._problems)
        doubtful = len(self._problems) - skipped
        summary = f"{skipped} skipped, {doubtful} read with doubts · Esc closes"
        if not self._problems:
            summary = "No problems: every file was read. · Esc closes"
        with Vertical():
            yield Label(summary, markup=False)
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_column("file")
            table.add_column("status", width=8)
            table.add_column("reason")
            for problem in self._problems:
                table.add_row(
                    Text(problem.path),
                    Text("skipped" if problem.skipped else "doubtful"),
                    Text(problem.reason),
                )
            yield table
