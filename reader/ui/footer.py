"""The key bar at the bottom: the focused widget's bindings on one line, drawn as text."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyFooter(Widget, can_focus=False):
    """What Textual's Footer shows (each action's first binding, the palette key on the
    right, a click runs the key), as one widget that repaints.

    Footer rebuilds a widget per key on every bindings signal, and a focus change sends two:
    each rebuild mounted new widgets and laid the screen out twice, 10-25 ms a pass at
    100,000 articles, so the first key typed after "/" or Escape waited 40-100 ms behind
    them. Now a focus change repaints one line (1.3 ms at most in a tmux trace).
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--separator",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--separator { color: $foreground 20%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._targets: list[tuple[int, int, str, bool]] = []  # start, end, key, enabled

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def _key(self, display: str, description: str, enabled: bool) -> Text:
        """key description , dimmed when disabled."""
        dim = Style(dim=True) if not enabled else Style()
        text = Text(end="", no_wrap=True)
        text.append(f" {display} ", self._style("key", dim))
        if description:
            text.append(f"{description} ", self._style("description", dim))
        return text

    def _style(self, part: str, extra: Style) -> Style:
        return self.get_component_rich_style(f"key-footer--{part}") + extra

    def on_click(self, event: events.Click) -> None:
        """Press the key under the pointer, as Footer does (a disabled one rings the bell)."""
        for start, end, key, enabled in self._targets:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return

    def render(self) -> Text:
        active = self.screen.active_bindings
        palette_key = self.app.COMMAND_PALETTE_BINDING
        targets: list[tuple[int, int, str, bool]] = []
        left = Text(end="", no_wrap=True)
        actions: set[str] = set()  # each action's first binding only, as Footer shows it
        for key, (_, binding, enabled, _tooltip) in active.items():
            if binding.show and key != palette_key and binding.action not in actions:
                actions.add(binding.action)
                display = self.app.get_key_display(binding)
                start = left.cell_len
                left.append_text(self._key(display, binding.description, enabled))
                targets.append((start, left.cell_len, key, enabled))
        right = Text(end="", no_wrap=True)
        palette = active.get(palette_key)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            _, binding, enabled, _tooltip = palette
            right.append("▏", self.get_component_rich_style("key-footer--separator"))
            dim = Style(dim=True) if not enabled else Style()
            right.append(self.app.get_key_display(binding), self._style("key", dim))
            right.append(f" {binding.description}", self._style("description", dim))
            right.append(" ")
        width = self.size.width
        room = max(0, width - right.cell_len)
        left.truncate(room, overflow="crop", pad=True)
        self._targets = [(a, min(b, room), k, e) for a, b, k, e in targets if a < room]
        if palette is not None and right:
            self._targets.append((room + 1, width, palette_key, palette.enabled))
        return Text.assemble(left, right, end="", no_wrap=True)
