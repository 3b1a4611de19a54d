"""The help screen: every key binding, read from the widgets themselves, and the query syntax."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: (section title, bindings) pairs, given by the app.
Sections = list[tuple[str, list[Binding]]]


class HelpScreen(ModalScreen[None]):
    """A modal listing the bindings of each part of the reader and the query syntax."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
        Binding("j,down", "scroll(1)", show=False),
        Binding("k,up", "scroll(-1)", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: 90%;
        border: thick $accent; background: $surface; padding: 0 1; }
    HelpScreen Static { width: 1fr; }
    """

    def __init__(self, sections: Sections, query_help: str) -> None:
        super().__init__()
        self._sections = sections
        self._query_help = query_help

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
        table.add_column("keys", style="bold", width=20, no_wrap=True)
        table.add_column("action", ratio=1)
        for title, bindings in self._sections:
            table.add_row(Text(title, style="bold underline"), "")
            seen: set[str] = set()
            for binding in bindings:
                keys = " ".join(
                    self.app.get_key_display(Binding(key.strip(), binding.action))
                    for key in binding.key.split(",")
                )
                if keys in seen:
                    continue
                seen.add(keys)
                table.add_row(Text(keys), Text(binding.description or binding.action))
            table.add_row("", "")
        with VerticalScroll():
            yield Static(table)
            yield Static(Text("Search syntax", style="bold underline"))
            yield Static(Text(self._query_help))
            yield Static(Text("\nEsc, q or ? closes this screen.", style="dim"))

    def action_scroll(self, delta: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=delta, animate=False)
