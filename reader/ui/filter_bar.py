"""The bars that take a query: the list's live filter and the reader pane's find."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label


class Counter(Widget):
    """A fixed-width counter ("N/M", "i/n"): updating it repaints it, never the layout."""

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis", justify="right")


class _FromInput(Message):
    """A message about one QueryInput (its `control`, for @on selectors)."""

    def __init__(self, input: QueryInput) -> None:
        self.input = input
        super().__init__()

    @property
    def control(self) -> QueryInput:
        return self.input


class QueryInput(Input):
    """An Input whose ↑/↓, Enter and Esc are posted up instead of being handled here."""

    # Input sets its virtual size (the text's width) on every keystroke, and Widget's
    # virtual_size asks for a layout of the whole screen when it changes: 4 ms before the
    # query could be searched. A repaint will do, as in RepaintingScrollView (which Input,
    # a ScrollView of its own, cannot also derive from: its rendering breaks).
    virtual_size: reactive[Size] = reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # what the layout did: keep the scroll offset in bounds

    BINDINGS = [
        Binding("down", "move(1)", "Next hit (filter), next match (find)", show=False),
        Binding("up", "move(-1)", "Previous hit or match", show=False),
        Binding("pagedown", "move(10)", "Ten hits down", show=False),
        Binding("pageup", "move(-10)", "Ten hits up", show=False),
        Binding("escape", "cancel", "Clear"),
    ]

    class Edited(_FromInput):
        """The query is now `value`. Posted straight to the app: Input.Changed bubbles up
        through five containers, one message queue each, and a frame was drawn on the way,
        so the search began 15-20 ms after the key at 100,000 articles."""

        def __init__(self, input: QueryInput, value: str) -> None:
            self.value = value
            super().__init__(input)

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self.app.post_message(self.Edited(self, value))

    class Move(_FromInput):
        """Move the selection by `delta` without leaving the input."""

        def __init__(self, input: QueryInput, delta: int) -> None:
            self.delta = delta
            super().__init__(input)

    class Cancelled(_FromInput):
        """Esc: drop the query."""

    def action_move(self, delta: int) -> None:
        self.post_message(self.Move(self, delta))

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled(self))


class QueryBar(Horizontal):
    """A one-line bar: a prompt, a query input and a counter ("N/M" or "i/n")."""

    DEFAULT_CSS = """
    QueryBar { height: 1; display: none; background: $boost; }
    QueryBar.-active { display: block; }
    QueryBar > Label.prompt { width: auto; padding: 0 1; color: $accent; text-style: bold; }
    QueryBar > QueryInput { border: none; height: 1; padding: 0; width: 1fr;
        background: $boost; overflow: hidden hidden; }
    QueryBar > QueryInput:focus { border: none; }
    QueryBar > Counter { width: 18; height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, prompt: str, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._prompt = prompt
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Label(self._prompt, classes="prompt", markup=False)
        yield QueryInput(placeholder=self._placeholder, compact=True)
        yield Counter(classes="count")

    @property
    def input(self) -> QueryInput:
        """The query input."""
        return self.query_one(QueryInput)

    @property
    def value(self) -> str:
        """The query typed so far."""
        return self.input.value

    def open(self) -> None:
        """Show the bar and focus its input."""
        self.add_class("-active")
        # Focus now, not after a refresh: keys typed right after "/" belong to the query.
        self.screen.set_focus(self.input)

    def close(self) -> None:
        """Hide the bar and forget its query."""
        self.remove_class("-active")
        self.input.value = ""
        self.set_count("")

    @property
    def is_open(self) -> bool:
        """Whether the bar is showing."""
        return self.has_class("-active")

    def set_count(self, text: str) -> None:
        """Show `text` in the counter."""
        self.query_one(Counter).text = text
