"""A ScrollView whose content changing size repaints it instead of laying out the screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView


class RepaintingScrollView(ScrollView):
    """Widget.virtual_size asks for a layout of the whole screen whenever it changes: every
    new list of hits, every article shown. A layout redraws every widget (the list, the
    article, the bars), 5-15 ms while the user types. Here a new virtual size only updates
    the scrollbars and repaints this widget; a scrollbar that appears or goes away still
    lays the screen out (its visibility is a reactive that does).
    """

    virtual_size: reactive[Size] = reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # scrollbar sizes, visibility and scroll offsets
