"""The reader pane: one article, wrapped to the pane, highlighted, wrapped lazily.

Lines are wrapped only as far as the reader has scrolled (plus a screen), so a 25 MB article
opens at once; the scrollbar uses an estimate for the part not wrapped yet.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Iterator, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from reader.article import Article
from reader.render import Para, Styles, article_paragraphs, wrap_offsets
from reader.ui.scroll_view import RepaintingScrollView

Span = tuple[int, int]
CHUNK = 4096  # huge paragraphs are wrapped this many characters at a time
BOTTOM_SLICE = 0.03  # seconds of wrapping between two looks at the keyboard, on G
EAGER_CHARS = 65_536  # articles up to this size are wrapped whole: an exact scrollbar


class ArticleView(RepaintingScrollView, can_focus=True):
    """Shows one article; posts Back, Step and FindRequested for the app to route."""

    BINDINGS = [
        Binding("escape", "back", "List"),
        Binding("tab", "back", "List", show=False),
        Binding("space,pagedown", "page_down", "Page"),
        Binding("b,pageup", "page_up", "Page up", show=False),
        Binding("j,down", "line_down", "Down", show=False),
        Binding("k,up", "line_up", "Up", show=False),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "bottom", "Bottom", show=False),
        Binding("left_square_bracket", "step(-1)", "Prev"),
        Binding("right_square_bracket", "step(1)", "Next"),
        Binding("slash", "find", "Find"),
        Binding("n", "next_match", "Next match", show=False),
        Binding("N", "prev_match", "Prev match", show=False),
    ]

    COMPONENT_CLASSES = {
        "article-view--heading",
        "article-view--meta",
        "article-view--lead",
        "article-view--caption",
        "article-view--byline",
        "article-view--boilerplate",
        "article-view--match",
        "article-view--current",
        "article-view--empty",
    }

    DEFAULT_CSS = """
    ArticleView { background: $surface; padding: 0 1 0 2; overflow-x: hidden;
        scrollbar-gutter: stable; }
    ArticleView > .article-view--heading { color: $text-primary; text-style: bold; }
    ArticleView > .article-view--meta { color: $text-muted; }
    ArticleView > .article-view--lead { text-style: bold; }
    ArticleView > .article-view--caption { color: $text-secondary; text-style: italic; }
    ArticleView > .article-view--byline { text-style: bold; }
    ArticleView > .article-view--boilerplate { color: $text-muted; }
    ArticleView > .article-view--match { background: $warning 40%; }
    ArticleView > .article-view--current { background: $warning; color: $background;
        text-style: bold; }
    ArticleView > .article-view--empty { color: $text-muted; text-style: italic; }
    """

    class Back(Message):
        """Leave the reader pane for the list."""

    class Step(Message):
        """Open the previous (-1) or next (+1) article of the list."""

        def __init__(self, delta: int) -> None:
            self.delta = delta
            super().__init__()

    class FindRequested(Message):
        """The user pressed / in the reader pane."""

    class MatchMoved(Message):
        """The current find match changed: `index` of `total` (index -1 when none)."""

        def __init__(self, index: int, total: int) -> None:
            self.index = index
            self.total = total
            super().__init__()

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article: Article | None = None
        self._set_highlights(())
        self._to_bottom = False
        self._style_set = Styles()
        self._base: Style | None = None  # the widget's own style, see _base_style
        self._title_spans: list[Span] = []
        self._match_index = -1
        self._paras: list[Para] = []
        self._reset_lines()
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)

    # --- content ----------------------------------------------------------------------

    def show(
        self,
        article: Article | None,
        highlights: Sequence[Span] = (),
        title_spans: Sequence[Span] = (),
    ) -> None:
        """Show `article` from its top, lighting `highlights` (spans into its text)."""
        self.article = article
        self._to_bottom = False
        self._set_highlights(highlights)
        self._title_spans = list(title_spans)
        self._match_index = -1
        self._rebuild()
        self.scroll_to(y=0, animate=False, immediate=True)

    def set_matches(
        self, spans: Sequence[Span], *, step: bool = True, title_spans: Sequence[Span] | None = None
    ) -> None:
        """Light `spans`, keeping the scroll position.

        With `step`, they are find matches: the first one at or below the top of the view
        becomes current and is scrolled into view, and n/N step through them. Highlights are
        applied as lines are drawn, so this neither rebuilds nor rewraps the article.
        """
        self._set_highlights(spans)
        if title_spans is not None:
            self._title_spans = list(title_spans)
        self._match_index = -1
        if self._highlights and step:
            top = self._offset_at_line(int(self.scroll_y))
            index = bisect.bisect_left(self._starts, top)
            self._match_index = min(index, len(self._starts) - 1)
            self._scroll_to_match()
        self._repaint()
        self.post_message(self.MatchMoved(self._match_index, len(self._highlights)))

    def _set_highlights(self, spans: Sequence[Span]) -> None:
        self._highlights = sorted(spans)
        self._starts = [start for start, _ in self._highlights]
        # the furthest end of any span starting at or before each one, for overlap lookups
        self._reach: list[int] = []
        reach = 0
        for _, end in self._highlights:
            reach = max(reach, end)
            self._reach.append(reach)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        base, self._base = self._base, None
        if base is not None and self.is_mounted and self._base_style() != base:
            self._repaint()  # the drawn lines carry the old background
        # Focus changes land here too; only a real change (a new theme) needs a new layout.
        if self.is_mounted and self._styles() != self._style_set:
            self._rebuild()

    def _repaint(self) -> None:
        self._cache.clear()
        self.refresh()

    @property
    def matches(self) -> list[Span]:
        """The spans currently lit."""
        return self._highlights

    def _styles(self) -> Styles:
        get = self.get_component_rich_style
        return Styles(
            heading=get("article-view--heading"),
            meta=get("article-view--meta"),
            lead=get("article-view--lead"),
            body=Style(),
            caption=get("article-view--caption"),
            byline=get("article-view--byline"),
            boilerplate=get("article-view--boilerplate"),
            match=get("article-view--match"),
            current=get("article-view--current"),
        )

    def _rebuild(self) -> None:
        """Lay the article out again (new article or new styles); highlights are separate."""
        self._style_set = self._styles()
        article = self.article
        self._paras = [] if article is None else article_paragraphs(article, self._style_set)
        self._reset_lines()
        self._cache.clear()
        self._update_virtual_size()
        self.refresh()

    # --- lazy wrapping ----------------------------------------------------------------

    def _reset_lines(self) -> None:
        # each line: (para index or -1 for a blank, start, end) within the paragraph text
        self._lines: list[tuple[int, int, int]] = []
        self._line_offsets: list[int] = []  # article offset of each line, non-decreasing
        self._wrap_width = 0
        self._pending: Iterator[tuple[int, int, int]] | None = None
        self._remaining_chars = 0

    def _line_source(self, width: int) -> Iterator[tuple[int, int, int]]:
        for index, para in enumerate(self._paras):
            if index:
                yield (-1, 0, 0)
            text = para.plain
            usable = max(1, width - para.indent)
            pos = 0
            while pos < len(text):
                end = min(len(text), pos + CHUNK)
                if end < len(text):
                    space = text.rfind(" ", pos, end)
                    if space > pos:
                        end = space + 1
                breaks = [pos + b for b in wrap_offsets(text[pos:end], usable)]
                starts = [pos, *breaks]
                ends = [*breaks, end]
                for s, e in zip(starts, ends, strict=True):
                    self._remaining_chars -= e - s
                    yield (index, s, e)
                pos = end
            if not text:
                yield (index, 0, 0)

    def _ensure(self, line: int) -> None:
        """Wrap until line `line` exists (or the article ends)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if width != self._wrap_width:
            self._lines.clear()
            self._line_offsets.clear()
            self._wrap_width = width
            self._remaining_chars = sum(len(p.plain) for p in self._paras)
            self._pending = self._line_source(width)
        if self._pending is None:
            return
        last = self._line_offsets[-1] if self._line_offsets else 0
        while len(self._lines) <= line:
            item = next(self._pending, None)
            if item is None:
                self._pending = None
                break
            index, start, _ = item
            if index >= 0 and self._paras[index].offset is not None:
                last = max(last, self._paras[index].offset + start)
            self._lines.append(item)
            self._line_offsets.append(last)

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        if self.article is not None and len(self.article.text) <= EAGER_CHARS:
            self._ensure(10**9)
        else:
            self._ensure(int(self.scroll_y) + self.size.height * 2)
        estimate = 0
        if self._pending is not None and width:
            estimate = max(0, self._remaining_chars) // max(1, width - 4) + 1
        self.virtual_size = Size(width, len(self._lines) + estimate)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._update_virtual_size()

    def watch_scroll_y(self, old: float, new: float) -> None:
        if self._pending is not None and int(new) + self.size.height * 2 > len(self._lines):
            self._update_virtual_size()
        super().watch_scroll_y(old, new)

    def _offset_at_line(self, line: int) -> int:
        self._ensure(line)
        if not self._line_offsets:
            return 0
        return self._line_offsets[min(line, len(self._line_offsets) - 1)]

    def _line_of_offset(self, offset: int) -> int:
        while self._pending is not None and (
            not self._line_offsets or self._line_offsets[-1] <= offset
        ):
            self._ensure(len(self._lines) + 256)
        return max(0, bisect.bisect_right(self._line_offsets, offset) - 1)

    # --- rendering --------------------------------------------------------------------

    def _base_style(self) -> Style:
        """The widget's own style (`rich_style`), kept until the styles change: computing it
        walks the DOM, 0.35 ms a time here, and every drawn line needs it."""
        style = self._base
        if style is None:
            style = self._base = self.rich_style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style()
        line = int(self.scroll_y) + y
        if self.article is None:
            if y == 0:
                style = self.get_component_rich_style("article-view--empty")
                return Strip([Segment("No article selected.", style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        self._ensure(line)
        if line >= len(self._lines):
            return Strip.blank(width, base)
        key = (line, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        index, start, end = self._lines[line]
        if index < 0:
            strip = Strip.blank(width, base)
        else:
            para = self._paras[index]
            text = para.rich(start, end)
            self._light_line(text, para, start, end)
            text.rstrip()
            text.stylize_before(base)
            segments = list(text.render(self.app.console))
            if para.indent:
                segments.insert(0, Segment(" " * para.indent, base))
            strip = Strip(segments).crop_extend(0, width, base)
        self._cache[key] = strip
        return strip

    def _light_line(self, text: Text, para: Para, start: int, end: int) -> None:
        """Style the highlights that fall on one drawn line (`start:end` of `para`)."""
        if para.title:
            spans: Iterable[Span] = self._title_spans
            base = 0
            current = None
        elif para.offset is not None and self._highlights:
            base = para.offset
            lo = bisect.bisect_right(self._reach, base + start)  # first span ending after start
            hi = bisect.bisect_left(self._starts, base + end)  # spans starting before end
            spans = self._highlights[lo:hi]
            current = None
            if 0 <= self._match_index < len(self._highlights):
                current = self._highlights[self._match_index]
        else:
            return
        styles = self._style_set
        for s, e in spans:
            s, e = max(s - base, start), min(e - base, end)
            if s < e:
                style = styles.current if current == (s + base, e + base) else styles.match
                text.stylize(style, s - start, e - start)

    # --- actions ----------------------------------------------------------------------

    def action_back(self) -> None:
        self._cancel_bottom()
        self.post_message(self.Back())

    def action_step(self, delta: int) -> None:
        self._cancel_bottom()
        self.post_message(self.Step(delta))

    def action_find(self) -> None:
        self.post_message(self.FindRequested())

    def action_line_down(self) -> None:
        self._cancel_bottom()
        self.scroll_down(animate=False)

    def action_line_up(self) -> None:
        self._cancel_bottom()
        self.scroll_up(animate=False)

    def action_top(self) -> None:
        self._cancel_bottom()
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        """Go to the end. A huge article is wrapped towards it a slice at a time, giving
        the event loop back in between, so keys are still answered (another move cancels)."""
        self._to_bottom = True
        self._bottom_step()

    def _bottom_step(self) -> None:
        if not self._to_bottom:
            return
        deadline = time.perf_counter() + BOTTOM_SLICE
        while self._pending is not None and time.perf_counter() < deadline:
            self._ensure(len(self._lines) + 2000)
        if self._pending is not None:
            self.set_timer(0.001, self._bottom_step)
            return
        self._to_bottom = False
        self._update_virtual_size()
        self.scroll_end(animate=False, immediate=True)

    def _cancel_bottom(self) -> None:
        self._to_bottom = False

    def action_next_match(self) -> None:
        self._step_match(1)

    def action_prev_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, delta: int) -> None:
        if not self._highlights:
            return
        self._match_index = (self._match_index + delta) % len(self._highlights)
        self._scroll_to_match()
        self._repaint()
        self.post_message(self.MatchMoved(self._match_index, len(self._highlights)))

    def _scroll_to_match(self) -> None:
        if not 0 <= self._match_index < len(self._highlights):
            return
        line = self._line_of_offset(self._highlights[self._match_index][0])
        self._update_virtual_size()
        height = self.scrollable_content_region.height or 1
        if not self.scroll_y <= line < self.scroll_y + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)
