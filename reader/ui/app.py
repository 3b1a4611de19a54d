"""The reader application: routes messages between the list, the reader pane and the bars.

Loading and searching run in thread workers; the UI only ever receives finished results,
and drops search results for a query that is no longer the one typed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Key, Resize
from textual.message import Message
from textual.widgets import Footer, Header, Input, ProgressBar
from textual.worker import get_current_worker

from reader.article import Article
from reader.files import Problem, discover
from reader.library import Library, load_file
from reader.query import QUERY_HELP
from reader.search import Hit, match_spans
from reader.ui.article_list import ArticleList, Row
from reader.ui.article_view import ArticleView
from reader.ui.commands import ArticleCommands
from reader.ui.filter_bar import QueryBar, QueryInput
from reader.ui.help_screen import HelpScreen

NARROW = 100  # below this many columns, one pane at a time
SEARCH_LIMIT = 500  # hits listed by the filter
POST_EVERY = 0.25  # seconds between list updates while loading


class LoadProgress(Message):
    """Loading went on: `done` of `total` files; `rows` is the list so far, sorted."""

    def __init__(self, done: int, total: int, rows: list[Row] | None) -> None:
        self.done = done
        self.total = total
        self.rows = rows
        super().__init__()


class LoadFinished(Message):
    """The library is loaded and indexed."""

    def __init__(self, library: Library, seconds: float) -> None:
        self.library = library
        self.seconds = seconds
        super().__init__()


class SearchDone(Message):
    """Results for the query of generation `generation`."""

    def __init__(self, generation: int, query: str, hits: list[Hit]) -> None:
        self.generation = generation
        self.query = query
        self.hits = hits
        super().__init__()


class ReaderApp(App[None]):
    """A keyboard-driven reader for a folder of articles."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {ArticleCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self, paths: Sequence[str | os.PathLike[str]], label: str | None = None) -> None:
        super().__init__()
        self.paths = [Path(p) for p in paths]
        self.label = label or ", ".join(str(p) for p in self.paths)
        self.library = Library([], [])
        self.loading = True
        self._search_generation = 0
        self._query = ""
        self._before_filter: Article | None = None

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="list-pane"):
                yield ProgressBar(id="progress", show_eta=False)
                yield QueryBar(
                    "/", "filter: words, abbreviations, 'exact, !not, title:…", id="filter"
                )
                yield ArticleList(id="articles")
            with Vertical(id="reader-pane"):
                yield ArticleView(id="article")
                yield QueryBar("find", "find in this article", id="find")
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def filter_bar(self) -> QueryBar:
        return self.query_one("#filter", QueryBar)

    @property
    def find_bar(self) -> QueryBar:
        return self.query_one("#find", QueryBar)

    def on_mount(self) -> None:
        self.article_list.empty_message = "Loading…"
        self.article_list.focus()
        self._update_layout(self.size.width)
        self.sub_title = self.label
        self.load_library()

    def on_resize(self, event: Resize) -> None:
        self._update_layout(event.size.width)

    def _update_layout(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "-narrow")

    async def _on_key(self, event: Key) -> None:
        # Keys typed right after "/" were already routed to the list before focus moved to
        # the query input; they reach the app unhandled. They are text, not commands
        # ("/quy" must not quit on "q"), so they go into the input.
        # (Textual calls App._on_key after this one unless the default is prevented.)
        focused = self.focused
        if isinstance(focused, QueryInput) and event.is_printable and event.character:
            focused.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        reading = self.article_view.has_focus or self.find_bar.input.has_focus
        self.screen.set_class(reading, "-reading")

    # --- loading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load_library(self) -> None:
        """Find, read and parse the files, posting the list as it fills, then index it."""
        worker = get_current_worker()
        started = time.perf_counter()
        found = []
        problems: list[Problem] = []
        for item in discover(self.paths):
            (problems if isinstance(item, Problem) else found).append(item)
        articles: list[Article] = []
        total = len(found)
        last_post = 0.0
        for done, item in enumerate(found, 1):
            if worker.is_cancelled:
                return
            result = load_file(item)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                articles.append(result)
            now = time.perf_counter()
            if now - last_post >= POST_EVERY:
                last_post = now
                rows = [Row(a) for a in sorted(articles, key=Article.sort_key)]
                self.post_message(LoadProgress(done, total, rows))
        library = Library.from_articles(articles, problems)
        self.post_message(LoadProgress(total, total, None))
        library.index  # noqa: B018 - build the search index here, off the event loop
        self.post_message(LoadFinished(library, time.perf_counter() - started))

    def on_load_progress(self, message: LoadProgress) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, message.total), progress=message.done)
        if message.rows is not None and not self._query:
            self._list_loaded(message.rows)
        if message.done >= message.total:
            self.article_list.empty_message = "Indexing…"

    def on_load_finished(self, message: LoadFinished) -> None:
        self.library = message.library
        self.loading = False
        self.query_one("#progress", ProgressBar).display = False
        lst = self.article_list
        lst.empty_message = "No articles found." if not self.library.articles else "No match."
        if self._query:
            self._start_search(self._query)
        else:
            self._list_loaded([Row(a) for a in self.library.articles])
        n, p = len(self.library.articles), len(self.library.problems)
        self.notify(
            f"{n:,} articles in {message.seconds:.1f} s"
            + (f"; {p} files skipped or doubtful" if p else ""),
            severity="warning" if p else "information",
            timeout=4,
        )

    def _list_loaded(self, rows: list[Row]) -> None:
        """Show the rows loaded so far: the cursor stays on top until the user moves it."""
        lst = self.article_list
        top = rows[0].article if rows else None
        lst.set_rows(rows, select=lst.current if lst.user_moved else top)

    # --- list and reader --------------------------------------------------------------

    @on(ArticleList.Highlighted)
    def _follow_cursor(self, message: ArticleList.Highlighted) -> None:
        self._show(message.article)

    def _show(self, article: Article | None) -> None:
        highlights: list[tuple[int, int]] = []
        title_spans: list[tuple[int, int]] = []
        if article is not None and self._query:
            highlights = match_spans(article.text, self._query)
            title_spans = match_spans(article.title, self._query)
        self.find_bar.close()
        self.article_view.show(article, highlights, title_spans)

    @on(ArticleList.Opened)
    def _open(self, message: ArticleList.Opened) -> None:
        self.article_view.focus()

    @on(ArticleView.Back)
    def _back(self) -> None:
        if self.find_bar.is_open:  # Esc leaves find mode first
            self._leave_find()
        else:
            self.article_list.focus()

    @on(ArticleView.Step)
    def _step(self, message: ArticleView.Step) -> None:
        lst = self.article_list
        lst.cursor = lst.cursor + message.delta

    def open_article(self, article: Article) -> None:
        """Select `article` in the list (clearing a filter that hides it) and read it."""
        if self.article_list.index_of(article) is None:
            self._close_filter(restore=False)
            self.article_list.set_rows([Row(a) for a in self.library.articles], select=article)
        self.article_list.select(article)
        self._show(article)
        # After the command palette has closed and given focus back to the list.
        self.call_after_refresh(self.article_view.focus)

    # --- filter -----------------------------------------------------------------------

    def action_filter(self) -> None:
        if not self.filter_bar.is_open:
            self._before_filter = self.article_list.current
        self.filter_bar.open()

    def action_clear_filter(self) -> None:
        if self.filter_bar.is_open:
            self._close_filter(restore=True)

    @on(Input.Changed, "#filter QueryInput")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._query = event.value.strip()
        if not self._query:
            self._search_generation += 1
            self._list_all(select=self.article_list.current)
            return
        if not self.loading:
            self._start_search(self._query)
        else:
            self.filter_bar.set_count("indexing…")

    def _list_all(self, select: Article | None = None) -> None:
        self.article_list.set_rows([Row(a) for a in self.library.articles], select=select)
        total = len(self.library.articles)
        self.filter_bar.set_count(f"{total:,}/{total:,}")

    def _start_search(self, query: str) -> None:
        self._search_generation += 1
        self._search(self._search_generation, query)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, generation: int, query: str) -> None:
        hits = self.library.search(query, limit=SEARCH_LIMIT)
        self.post_message(SearchDone(generation, query, hits))

    def on_search_done(self, message: SearchDone) -> None:
        if message.generation != self._search_generation:
            return  # a newer query was typed meanwhile
        rows = [Row(h.article, h.title_spans, h.snippet, h.snippet_spans) for h in message.hits]
        lst = self.article_list
        lst.set_rows(rows, snippets=True, select=rows[0].article if rows else None)
        more = "+" if len(rows) >= SEARCH_LIMIT else ""
        self.filter_bar.set_count(f"{len(rows):,}{more}/{len(self.library.articles):,}")

    @on(QueryInput.Move, "#filter QueryInput")
    def _filter_move(self, message: QueryInput.Move) -> None:
        self.article_list.cursor += message.delta

    @on(Input.Submitted, "#filter QueryInput")
    def _filter_submit(self) -> None:
        if self.article_list.current is not None:
            self.article_view.focus()

    @on(QueryInput.Cancelled, "#filter QueryInput")
    def _filter_cancel(self) -> None:
        self._close_filter(restore=True)

    def _close_filter(self, restore: bool) -> None:
        was_open = self.filter_bar.is_open
        self._query = ""
        self._search_generation += 1
        with self.filter_bar.input.prevent(Input.Changed):
            self.filter_bar.close()
        if was_open:
            select = self._before_filter if restore else self.article_list.current
            self.article_list.set_rows([Row(a) for a in self.library.articles], select=select)
        self.article_list.focus()

    # --- find in article --------------------------------------------------------------

    @on(ArticleView.FindRequested)
    def _find_open(self) -> None:
        if self.article_view.article is not None:
            self.find_bar.open()

    @on(Input.Changed, "#find QueryInput")
    def _find_changed(self, event: Input.Changed) -> None:
        article = self.article_view.article
        spans = match_spans(article.text, event.value) if article and event.value.strip() else []
        self.article_view.set_matches(spans)

    @on(ArticleView.MatchMoved)
    def _find_count(self, message: ArticleView.MatchMoved) -> None:
        if self.find_bar.is_open:
            text = f"{message.index + 1}/{message.total}" if message.total else "0/0"
            self.find_bar.set_count(text)

    @on(Input.Submitted, "#find QueryInput")
    def _find_submit(self) -> None:
        self.article_view.focus()

    @on(QueryInput.Move, "#find QueryInput")
    def _find_move(self, message: QueryInput.Move) -> None:
        if message.delta > 0:
            self.article_view.action_next_match()
        else:
            self.article_view.action_prev_match()

    @on(QueryInput.Cancelled, "#find QueryInput")
    def _find_cancel(self) -> None:
        self._leave_find()

    def _leave_find(self) -> None:
        """Close the find bar; the filter's highlights come back, the scroll stays."""
        self.find_bar.close()
        article = self.article_view.article
        spans = match_spans(article.text, self._query) if article and self._query else []
        self.article_view.set_matches(spans, step=False)
        self.article_view.focus()

    # --- help -------------------------------------------------------------------------

    def action_help(self) -> None:
        sections = [
            ("Article list", [*ArticleList.BINDINGS, *self._app_bindings()]),
            ("Reader pane", ArticleView.BINDINGS),
            (
                "Filter and find bars",
                [
                    *QueryInput.BINDINGS,
                    Binding("enter", "open", "Open the selected hit / back to the article"),
                ],
            ),
            (
                "Anywhere",
                [Binding("ctrl+p", "command_palette", "Jump to an article by title; commands")],
            ),
        ]
        self.push_screen(HelpScreen(sections, QUERY_HELP))

    def _app_bindings(self) -> list[Binding]:
        return [b for b in self.BINDINGS if isinstance(b, Binding)]
