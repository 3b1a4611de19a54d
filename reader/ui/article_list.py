"""The article list: a line-API widget that renders only the rows on screen.

Mounting Textual's OptionList with 100,000 options took 14 s; this widget keeps rows as plain
data and draws the visible ones on demand, so its cost does not grow with the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from reader.article import Article
from reader.search import Hit
from reader.ui.scroll_view import RepaintingScrollView

Span = tuple[int, int]

DATE_CELLS = 10
WHO_CELLS = 18

# Rich measures text outside a few ranges it knows to be one cell wide (Vietnamese letters
# with a tone mark, U+1EA0-U+1EF9, are outside) by splitting it into graphemes in Python:
# about 40 µs for each title or snippet cut to width, most of the list's drawing time. Text
# made only of characters Rich itself measures as one cell is cut by slicing instead.
_ONE_CELL = frozenset(
    ch
    for lo, hi in ((0x20, 0x7E), (0xA0, 0x2FF), (0x370, 0x52F), (0x1E00, 0x1EFF), (0x2010, 0x2027))
    for ch in map(chr, range(lo, hi + 1))
    if get_character_cell_size(ch) == 1
)


def _fit(text: Text, cells: int, *, pad: bool = True) -> None:
    """`text.truncate(cells, overflow="ellipsis", pad=pad)`, by slicing when every character
    is one cell wide."""
    plain = text.plain
    if not _ONE_CELL.issuperset(plain):
        text.truncate(cells, overflow="ellipsis", pad=pad)
    elif len(plain) > cells:
        text.plain = plain[: cells - 1] + "…"  # as Rich cuts it: spans end at the new end
    elif pad and len(plain) < cells:
        text.pad_right(cells - len(plain))


def _fitted(
    pieces: Sequence[tuple[str, Style]],
    spans: Sequence[Span],
    lit: Style,
    cells: int,
    pad: Style | None,
) -> list[Segment] | None:
    """The segments that `_fit` and Text.render make of the pieces' text (each in its
    style, the `spans` of the whole also in `lit`), cut to `cells` and padded in `pad` unless
    None; None when a character is not surely one cell wide (then build the Text).

    A hit list drew in 5.6 ms through Rich's Text (assembling, stylizing, rendering each
    line), this way in a fraction of it; the snapshots and a test check they draw the same.
    """
    plain = "".join(text for text, _ in pieces)
    if not _ONE_CELL.issuperset(plain):
        return None
    size = len(plain)
    if size > cells:  # the ellipsis takes the styles of the character it replaces
        plain = plain[: cells - 1] + "…"
        size = cells
    cuts = {0, size}
    at = 0
    for text, _ in pieces:
        at += len(text)
        if at < size:
            cuts.add(at)
    kept = [(max(0, a), min(b, size)) for a, b in spans if a < size and b > 0 and a < b]
    for a, b in kept:
        cuts.update((a, b))
    edges = sorted(cuts)
    segments: list[Segment] = []
    piece, piece_end = 0, len(pieces[0][0]) if pieces else 0
    for start, end in pairwise(edges):
        while start >= piece_end and piece + 1 < len(pieces):
            piece += 1
            piece_end += len(pieces[piece][0])
        style = pieces[piece][1]
        if any(a <= start < b for a, b in kept):
            style = style + lit
        segments.append(Segment(plain[start:end], style))
    if pad is not None and size < cells:
        segments.append(Segment(" " * (cells - size), pad))
    return segments


def _snippet_cut(row: Row, cells: int) -> int:
    """Where a snippet line starts (0: at its start; else "… " goes first): at a word a
    little before the first match when that would be past the middle of the line."""
    first = row.snippet_spans[0][0] if row.snippet_spans else 0
    if first > cells // 2:
        return row.snippet.rfind(" ", 0, first - cells // 4) + 1
    return 0


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the list: an article, and the search hit that listed it, if any.

    A hit's spans and snippet are computed when first read, so only drawn rows pay for them.
    """

    article: Article
    hit: Hit | None = None

    @property
    def title_spans(self) -> Sequence[Span]:
        return self.hit.title_spans if self.hit is not None else ()

    @property
    def snippet(self) -> str:
        return self.hit.snippet if self.hit is not None else ""

    @property
    def snippet_spans(self) -> Sequence[Span]:
        return self.hit.snippet_spans if self.hit is not None else ()


class ArticleList(RepaintingScrollView, can_focus=True):
    """A scrolling list of articles with a cursor; posts Highlighted and Opened."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown,space", "page_down", "Page", show=False),
        Binding("pageup,b", "page_up", "Page up", show=False),
        Binding("home,g", "first", "Top", show=False),
        Binding("end,G", "last", "Bottom", show=False),
        Binding("enter,tab", "open", "Read", priority=False),
    ]

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--date",
        "article-list--who",
        "article-list--match",
        "article-list--snippet",
        "article-list--empty",
    }

    DEFAULT_CSS = """
    ArticleList { background: $surface; overflow-x: hidden; }
    ArticleList > .article-list--cursor { background: $block-cursor-blurred-background; }
    ArticleList:focus > .article-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    ArticleList > .article-list--date { color: $text-muted; }
    ArticleList > .article-list--who { color: $text-secondary; }
    ArticleList > .article-list--match { color: $text-warning; text-style: bold underline; }
    ArticleList > .article-list--snippet { color: $text-muted; }
    ArticleList > .article-list--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to an article (None when the list is empty)."""

        def __init__(self, article: Article | None) -> None:
            self.article = article
            super().__init__()

    class Opened(Message):
        """The user asked to read the article under the cursor."""

        def __init__(self, article: Article) -> None:
            self.article = article
            super().__init__()

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: list[Row] = []
        self._snippets = False
        self.empty_message = "No articles."
        self.user_moved = False  # set once the user moves the cursor
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._base_styles: dict[tuple[bool, bool], Style] = {}  # (focused, cursor) -> style
        self._part_styles: dict[str, Style] | None = None  # see _styles

    # --- data -------------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        """The rows currently listed."""
        return self._rows

    @property
    def row_height(self) -> int:
        """Lines per row: two when search snippets are shown under titles."""
        return 2 if self._snippets else 1

    @property
    def current(self) -> Article | None:
        """The article under the cursor."""
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor].article
        return None

    def set_rows(
        self, rows: list[Row], *, snippets: bool = False, select: Article | None = None
    ) -> None:
        """Replace the rows; keep the cursor on `select` (or the current article) if listed."""
        keep = select if select is not None else self.current
        self._rows = rows
        self._snippets = snippets
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(rows) * self.row_height)
        index = 0
        if keep is not None:
            found = self.index_of(keep)
            if found is None:  # a reloaded copy of the same file
                found = next((i for i, r in enumerate(rows) if r.article.path == keep.path), None)
            index = found if found is not None else min(self.cursor, len(rows) - 1)
        self.cursor = max(0, index)
        self.refresh()

    def index_of(self, article: Article) -> int | None:
        """The row index of `article`, or None if it is not listed."""
        for i, row in enumerate(self._rows):
            if row.article is article:
                return i
        return None

    def select(self, article: Article) -> bool:
        """Move the cursor to `article` if it is listed."""
        index = self.index_of(article)
        if index is None:
            return False
        self.cursor = index
        return True

    # --- cursor -----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._cache.clear()
        self.refresh()
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self.current))

    def _scroll_cursor_into_view(self) -> None:
        h = self.row_height
        top = self.cursor * h
        height = self.scrollable_content_region.height or 1
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + h > self.scroll_y + height:
            self.scroll_to(y=top + h - height, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, (self.scrollable_content_region.height or 1) // self.row_height - 1)

    def action_cursor_down(self) -> None:
        self.user_moved = True
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.user_moved = True
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.user_moved = True
        self.cursor += self._page()

    def action_page_up(self) -> None:
        self.user_moved = True
        self.cursor -= self._page()

    def action_first(self) -> None:
        self.user_moved = True
        self.cursor = 0

    def action_last(self) -> None:
        self.user_moved = True
        self.cursor = len(self._rows) - 1

    def action_open(self) -> None:
        if (article := self.current) is not None:
            self.post_message(self.Opened(article))

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y + event.y) // self.row_height
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.user_moved = True
            self.cursor = index

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, len(self._rows) * self.row_height)

    # --- rendering --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_y) + y
        index, part = divmod(line, self.row_height)
        if not self._rows:
            if y == 0:
                style = self.get_component_rich_style("article-list--empty")
                return Strip([Segment(f" {self.empty_message}", style)]).crop_extend(
                    0, width, self._base_style(False)
                )
            return Strip.blank(width, self._base_style(False))
        if index >= len(self._rows):
            return Strip.blank(width, self._base_style(False))
        is_cursor = index == self.cursor
        key = (index, part, width, is_cursor, self.has_focus)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        row = self._rows[index]
        base = self._base_style(is_cursor)
        fast = self._title_segments(row, width) if part == 0 else self._snippet_segments(row, width)
        if fast is not None:
            segments = [Segment(text, base + style) for text, style, _ in fast]
            strip = Strip(segments, sum(len(text) for text, _, _ in fast))
        else:
            text = self._title_line(row, width) if part == 0 else self._snippet_line(row, width)
            text.stylize_before(base)
            strip = Strip(list(text.render(self.app.console)), text.cell_len)
        strip = strip.crop_extend(0, width, base)
        self._cache[key] = strip
        return strip

    def _base_style(self, is_cursor: bool) -> Style:
        """The row's background style; computing it walks the DOM, so it is kept until the
        styles change (`notify_style_update`) and looked up by focus."""
        key = (self.has_focus, is_cursor)
        style = self._base_styles.get(key)
        if style is None:
            style = self.rich_style
            if is_cursor:
                style = style + self.get_component_rich_style("article-list--cursor")
            self._base_styles[key] = style
        return style

    def notify_style_update(self) -> None:
        self._base_styles.clear()
        self._part_styles = None
        super().notify_style_update()

    def _lit(self, text: str, spans: Sequence[Span], base: Style | str = "") -> Text:
        # U+FE0F asks for the emoji form of a symbol (❤️): Rich counts two cells, most
        # terminals draw one, and the row's columns would shift. The text form has one width
        # everywhere, and the swap keeps offsets (one code point for one).
        out = Text(text.replace("\ufe0f", "\ufe0e"), style=base, end="", no_wrap=True)
        match = self._styles()["match"]
        for start, end in spans:
            if 0 <= start < end <= len(text):
                out.stylize(match, start, end)
        return out

    def _styles(self) -> dict[str, Style]:
        """The component styles the rows use (looked up once per style update)."""
        styles = self._part_styles
        if styles is None:
            get = self.get_component_rich_style
            names = ("match", "date", "who", "snippet")
            styles = {name: get(f"article-list--{name}", partial=True) for name in names}
            self._part_styles = styles
        return styles

    def _title_segments(self, row: Row, width: int) -> list[Segment] | None:
        """What `_title_line` draws, as segments (None: draw it with `_title_line`)."""
        article = row.article
        styles = self._styles()
        none = Style()
        title_cells, date_cells, who_cells = self._columns(width)
        title_style = Style(italic=True) if article.title_derived else none
        text = article.title or "(untitled)"
        title = _fitted(
            [(text, title_style)],
            [(a, b) for a, b in row.title_spans if 0 <= a < b <= len(text)],
            styles["match"],
            title_cells,
            title_style,
        )
        if title is None:
            return None
        out = [Segment(" ", none), *title]
        if date_cells:
            date = article.date.display() if article.date else ""
            fitted = _fitted([(date, styles["date"])], (), none, date_cells, styles["date"])
            if fitted is None:
                return None
            out += [Segment(" ", none), *fitted]
        if who_cells:
            who = article.author or article.section or ""
            fitted = _fitted([(who, styles["who"])], (), none, who_cells, styles["who"])
            if fitted is None:
                return None
            out += [Segment(" ", none), *fitted]
        return out

    def _snippet_segments(self, row: Row, width: int) -> list[Segment] | None:
        """What `_snippet_line` draws, as segments (None: draw it with `_snippet_line`)."""
        style = self._styles()["snippet"]
        text = row.snippet
        spans = [(a, b) for a, b in row.snippet_spans if 0 <= a < b <= len(text)]
        avail = max(1, width - 3)
        pieces = [(text, style)]
        cut = _snippet_cut(row, avail)
        if cut:
            pieces = [("… ", Style()), (text[cut:], style)]
            spans = [(max(a, cut) - cut + 2, b - cut + 2) for a, b in spans if b > cut]
        fitted = _fitted(pieces, spans, self._styles()["match"], avail, None)
        return None if fitted is None else [Segment("   ", Style()), *fitted]

    @staticmethod
    def _columns(width: int) -> tuple[int, int, int]:
        """Cells for the title, the date and the author (0: not shown) at this width."""
        right = 0
        if width >= 40:
            right += DATE_CELLS + 1
        if width >= 70:
            right += WHO_CELLS + 1
        return (
            max(1, width - right - 1),
            DATE_CELLS if width >= 40 else 0,
            WHO_CELLS if width >= 70 else 0,
        )

    def _title_line(self, row: Row, width: int) -> Text:
        article = row.article
        date = article.date.display() if article.date else ""
        who = article.author or article.section or ""
        right = Text(no_wrap=True, end="")
        title_cells, date_cells, who_cells = self._columns(width)
        # A title the parser made up from the lead is shown in italics.
        title = self._lit(
            article.title or "(untitled)",
            row.title_spans,
            "italic" if article.title_derived else "",
        )
        _fit(title, title_cells)
        if date_cells:
            d = Text(date, style=self._styles()["date"])
            _fit(d, date_cells)
            right.append(" ")
            right.append(d)
        if who_cells:
            w = Text(who, style=self._styles()["who"])
            _fit(w, who_cells)
            right.append(" ")
            right.append(w)
        return Text.assemble(" ", title, right, no_wrap=True, end="")

    def _snippet_line(self, row: Row, width: int) -> Text:
        snippet = self._lit(row.snippet, row.snippet_spans, self._styles()["snippet"])
        avail = max(1, width - 3)
        cut = _snippet_cut(row, avail)
        if cut:
            snippet = Text("… ", end="", no_wrap=True) + snippet[cut:]
        _fit(snippet, avail, pad=False)
        return Text.assemble("   ", snippet, no_wrap=True, end="")
