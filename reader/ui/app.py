"""The reader application: routes messages between the list, the reader pane and the bars.

Loading and searching run in thread workers; the UI only ever receives finished results,
and drops search results for a query that is no longer the one typed.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Event, Key, Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, ProgressBar
from textual.worker import get_current_worker

from reader.article import Article
from reader.cache import no_gc
from reader.files import SUFFIXES, watched_paths
from reader.library import Library, first_articles, load_all, scan, scan_with_cache
from reader.query import QUERY_HELP
from reader.sanitize import clean_name
from reader.search import Hit, match_spans
from reader.ui.article_list import ArticleList, Row
from reader.ui.article_view import ArticleView
from reader.ui.commands import ArticleCommands
from reader.ui.filter_bar import QueryBar, QueryInput
from reader.ui.footer import KeyFooter
from reader.ui.help_screen import HelpScreen
from reader.ui.problems_screen import ProblemsScreen

NARROW = 100  # below this many columns, one pane at a time
# Hits listed by the filter at first (two and a half screens of two-line rows), the limit the
# benchmarks time; four times as many each time the cursor nears the end. Ranking 500 at
# 100,000 articles cost 120 ms on a hard prefix, 100 cost 10 ms.
SEARCH_LIMIT = 50
POST_EVERY = 0.25  # seconds between list updates while loading, at least
LIST_SHARE = 20  # ... and at least this many times what making the last one took
BAR_EVERY = 0.1  # seconds between progress bar updates
INLINE_FIND_CHARS = 262_144  # bigger articles are searched for highlights in a worker
FOLLOW_DELAY = 0.08  # seconds the reader pane waits for typing in the filter to pause
POLL_EVERY = 2.0  # seconds between rescans when the OS cannot watch a folder
FIRST_ROWS = 60  # files read and listed at once, before the whole folder is scanned


def _fingerprint(paths: Sequence[Path]) -> int:
    """A hash of every article file's path, size and mtime: it changes when a file does."""
    found, problems = scan(paths)
    state = []
    for item in found:
        try:
            st = os.stat(item.path)
        except OSError:
            continue
        state.append((item.path, st.st_size, st.st_mtime_ns))
    return hash((tuple(state), len(problems)))


class LoadProgress(Message):
    """Loading went on: `done` of `total` files (total 0: not yet known); `rows` is the
    list so far, sorted."""

    def __init__(self, done: int, total: int, rows: list[Row] | None) -> None:
        self.done = done
        self.total = total
        self.rows = rows
        super().__init__()


class LoadFinished(Message):
    """The library is loaded and indexed (`reload`: it replaces one already shown); `rows`
    lists all of it."""

    def __init__(self, library: Library, rows: list[Row], seconds: float, reload: bool) -> None:
        self.library = library
        self.rows = rows
        self.seconds = seconds
        self.reload = reload
        super().__init__()


class FilesChanged(Message):
    """Files under the watched folders were added, changed or deleted."""


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
        Binding("r", "reload", "Reload"),
        Binding("p", "problems", "Problems"),
    ]

    def __init__(self, paths: Sequence[str | os.PathLike[str]], label: str | None = None) -> None:
        super().__init__()
        self.paths = [Path(p) for p in paths]
        # Folder names are untrusted: no control sequence reaches the header (whose Header
        # widget shows the subtitle as plain text, never as markup).
        self.label = label or ", ".join(clean_name(str(p)) for p in self.paths)
        self.library = Library([], [])
        self.loading = True
        self._search_generation = 0
        self._query = ""
        self._before_filter: Article | None = None
        self._reload_pending = False
        self._keep_after_search: Article | None = None  # a reload keeps the selected hit
        self._show_timer: Timer | None = None
        self._light_generation = 0
        self._search_limit = SEARCH_LIMIT
        # One search runs at a time; keys typed meanwhile leave only their newest query here
        # (generation, query, limit), which the running worker takes next (see _search).
        self._search_lock = threading.Lock()
        self._search_next: tuple[int, str, int] | None = None
        self._search_running = False
        self._more_hits = False  # the filter's list was cut at the search limit
        self._stop_watching = threading.Event()
        # A row for every article of the library, made (and frozen) with it by the loader:
        # clearing the filter would otherwise make 100,000 rows again (85 ms) each time.
        self._library_rows: list[Row] = []

    # --- layout -----------------------------------------------------------------------

    def check_message_enabled(self, message: Message) -> bool:
        """Drop widgets' messages once shutdown has begun: the widgets they route to are gone.

        A reload the file watcher started can finish while the app quits; its messages would
        otherwise reach handlers that query removed widgets. Events still flow.
        """
        if not self.is_running and not isinstance(message, Event):
            return False
        return super().check_message_enabled(message)

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
        yield KeyFooter()

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
        self.watch_folders()

    def on_unmount(self) -> None:
        self._stop_watching.set()
        if self._show_timer is not None:
            self._show_timer.stop()

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
    def load_library(self, previous: Library | None = None) -> None:
        """Find, read and parse the files, posting the list as it fills, then index it.

        With `previous` (a reload), unchanged files are reused and nothing is posted
        until the new library is ready.
        """
        worker = get_current_worker()
        started = time.perf_counter()
        first: list[Article] = []
        if previous is None:  # the first files at once, read again with the rest below
            first = sorted(first_articles(self.paths, FIRST_ROWS), key=lambda a: a.sort_key())
            if first:
                self.post_message(LoadProgress(0, 0, [Row(a) for a in first]))
        # The cyclic collector stays off until the library is indexed, then everything loaded
        # is frozen out of it: a full collection over the 2.1 million objects of 100,000
        # indexed articles holds the GIL for over a second while keys wait (and during the
        # scan alone, collections held it 45 ms at a time and made the scan take twice as long).
        with no_gc():
            # Unchanged files come from the persistent cache (reader.cache), with their index;
            # a reload reuses the articles on screen instead, so the selection stays the same.
            found, problems, cache_path, snapshot = scan_with_cache(self.paths, True)
            if previous is not None:
                snapshot = None
            before = {a.path: a for a in previous.articles} if previous else None
            articles: list[Article] = []
            # The list so far, newest first, as (sort key, number, row): what came since the
            # last post is sorted on its own and merged in (one pass: sorting everything
            # again held the GIL for 99 ms at a time at 100,000 files, merging 24 ms).
            ordered: list[tuple[str, int, Row]] = []
            next_post = next_bar = 0.0
            for done, (article, issues) in enumerate(load_all(found, before, snapshot), 1):
                if worker.is_cancelled:
                    return
                if article is not None:
                    articles.append(article)
                problems.extend(issues)
                if previous is not None:
                    continue
                now = time.perf_counter()
                if now >= next_post and len(articles) >= len(first):
                    ordered += sorted(
                        (a.sort_key(), n, Row(a))
                        for n, a in enumerate(articles[len(ordered) :], len(ordered))
                    )
                    ordered.sort()
                    self.post_message(LoadProgress(done, len(found), [r for *_, r in ordered]))
                    # A new list holds the GIL here and in the UI, and takes CPU from the
                    # worker processes: at most a twentieth of the time (a fifth made 100,000
                    # files load 1.4-3 s slower). The progress bar moves in between.
                    spent = time.perf_counter() - now
                    next_post = now + max(POST_EVERY, LIST_SHARE * spent)
                    next_bar = now + BAR_EVERY
                elif now >= next_bar:
                    self.post_message(LoadProgress(done, len(found), None))
                    next_bar = now + BAR_EVERY
            library = Library.from_articles(articles, problems, self.paths)
            library.use_cache(cache_path, snapshot)
            if previous is not None:
                library.adopt_index(previous)  # re-index only what changed
            if previous is None:
                self.post_message(LoadProgress(len(found), len(found), None))
            library.index  # noqa: B018 - build the search index here, off the event loop
            rows = [Row(a) for a in library.articles]  # frozen too: 100,000 rows scanned by
            # every full collection made it take 40 ms, in the middle of a keystroke's frame
        gc.freeze()
        seconds = time.perf_counter() - started
        self.post_message(LoadFinished(library, rows, seconds, reload=previous is not None))
        library.save_cache()  # once the list is usable; nothing to do when nothing changed

    @work(thread=True, exclusive=True, group="watch")
    def watch_folders(self) -> None:
        """Post FilesChanged when article files under the paths change (inotify & co)."""
        from watchfiles import watch

        roots = [str(p) for p in self.paths if p.exists()]
        if not roots:
            return
        failures: list[float] = []
        while not self._stop_watching.is_set():
            # Each folder on its own: a recursive watch walks the whole tree holding the GIL.
            paths = watched_paths(roots)
            folders = set(paths)

            def relevant(_change: object, path: str, folders: set[str] = folders) -> bool:
                return path.lower().endswith(SUFFIXES) or path in folders or os.path.isdir(path)

            try:
                for changes in watch(
                    *paths,
                    recursive=False,
                    watch_filter=relevant,
                    debounce=300,
                    stop_event=self._stop_watching,
                    raise_interrupt=False,
                ):
                    self.post_message(FilesChanged())
                    if any(p in folders or os.path.isdir(p) for _, p in changes):
                        break  # a folder came or went: watch the folders as they are now
                else:
                    return
            except Exception as exc:  # a watcher failure must not end the app
                # watchfiles gives up on some names (not UTF-8): watch again, and if it
                # keeps failing, rescan instead (after one reload for what may have changed).
                now = time.monotonic()
                failures = [t for t in failures if now - t < 10] + [now]
                if len(failures) > 3:
                    self.post_message(FilesChanged())
                    self._poll_folders(reason=str(exc))
                    return

    def _poll_folders(self, reason: str) -> None:
        """Watch by rescanning, for folders the OS watcher cannot follow (in the watch worker).

        The interval grows with the cost of a scan, so a huge archive is not rescanned
        back to back.
        """
        self.call_from_thread(
            self.notify,
            f"Watching for changes by rescanning ({reason}).",
            timeout=4,
            markup=False,  # the reason holds a file name
        )
        started = time.perf_counter()
        previous = _fingerprint(self.paths)  # the baseline now: a change from here is seen
        interval = max(POLL_EVERY, 10 * (time.perf_counter() - started))
        while not self._stop_watching.wait(interval):
            started = time.perf_counter()
            current = _fingerprint(self.paths)
            interval = max(POLL_EVERY, 10 * (time.perf_counter() - started))
            if current != previous:
                self.post_message(FilesChanged())
            previous = current

    def on_files_changed(self, _message: FilesChanged) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Reload changed files now (again once the current load ends, if one runs)."""
        if self.loading:
            self._reload_pending = True
            return
        self.loading = True
        self.load_library(previous=self.library)

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.total:
            bar = self.query_one("#progress", ProgressBar)
            bar.update(total=message.total, progress=message.done)
        if message.rows is not None and not self._query:
            self._list_loaded(message.rows)
        if message.total and message.done >= message.total:
            self.article_list.empty_message = "Indexing…"

    def on_load_finished(self, message: LoadFinished) -> None:
        old = self.library
        self.library = message.library
        self._library_rows = message.rows
        self.loading = False
        self.query_one("#progress", ProgressBar).display = False
        lst = self.article_list
        lst.empty_message = "No articles found." if not self.library.articles else "No match."
        if message.reload:
            self._after_reload(old)
        elif self._query:
            self._start_search(self._query)
        else:
            self._list_loaded(self._library_rows)
        if not message.reload:
            n, p = len(self.library.articles), len(self.library.problems)
            note = f"; {p} files skipped or doubtful (press p)" if p else ""
            self.notify(
                f"{n:,} articles in {message.seconds:.1f} s{note}",
                severity="warning" if p else "information",
                timeout=4,
            )
        if self._reload_pending:
            self._reload_pending = False
            self.action_reload()

    def _after_reload(self, old: Library) -> None:
        """Show the reloaded library keeping the selection, the scroll position and the filter."""
        if self._query:
            self._keep_after_search = self.article_list.current
            self._start_search(self._query)
        else:
            self.article_list.set_rows(self._library_rows)
        old_paths = {a.path for a in old.articles}
        new_paths = {a.path for a in self.library.articles}
        kept = set(map(id, old.articles))
        fresh = sum(id(a) not in kept for a in self.library.articles)
        added = len(new_paths - old_paths)
        removed = len(old_paths - new_paths)
        if fresh or removed:
            self.notify(
                f"Reloaded: {added} new, {fresh - added} changed, {removed} removed", timeout=3
            )

    def _list_loaded(self, rows: list[Row]) -> None:
        """Show the rows loaded so far: the cursor stays on top until the user moves it."""
        lst = self.article_list
        top = rows[0].article if rows else None
        lst.set_rows(rows, select=lst.current if lst.user_moved else top)

    # --- list and reader --------------------------------------------------------------

    @on(ArticleList.Highlighted)
    def _follow_cursor(self, message: ArticleList.Highlighted) -> None:
        if not self.is_running:  # a message that arrives while the app shuts down
            return
        if self._query:
            self._list_more_hits()
        # While a query is being typed the list is what the user watches: the reader pane
        # follows once typing pauses, so keystrokes never wait for it.
        if self._show_timer is not None:
            self._show_timer.stop()
            self._show_timer = None
        if self.filter_bar.input.has_focus:
            self._show_timer = self.set_timer(FOLLOW_DELAY, self._flush_follow)
        else:
            self._show(message.article)

    def _show(self, article: Article | None) -> None:
        """Show `article` in the reader pane with the filter's matches lit.

        The same article (or a reloaded copy of it) keeps its scroll position.
        """
        view = self.article_view
        if article is not None and article is view.article:
            if not self.find_bar.is_open:
                self._light(article, self._query, step=False)
            return
        same_file = (
            article is not None and view.article is not None and view.article.path == article.path
        )
        scroll = view.scroll_y
        self.find_bar.close()
        view.show(article)
        if same_file:
            view.scroll_to(y=scroll, animate=False, immediate=True)
        if article is not None and self._query:
            self._light(article, self._query, step=False)

    def _light(self, article: Article, query: str, *, step: bool) -> None:
        """Light `query`'s matches in the shown article; `step` makes them find matches.

        A big article is searched in a worker, so typing never waits for a 25 MB scan.
        """
        self._light_generation += 1
        title_spans = None if step else match_spans(article.title, query)
        if not query.strip():
            self._apply_light(self._light_generation, article, [], step, title_spans)
        elif len(article.text) <= INLINE_FIND_CHARS:
            spans = match_spans(article.text, query)
            self._apply_light(self._light_generation, article, spans, step, title_spans)
        else:
            self._light_worker(self._light_generation, article, query, step, title_spans)

    @work(thread=True, exclusive=True, group="light")
    def _light_worker(
        self,
        generation: int,
        article: Article,
        query: str,
        step: bool,
        title_spans: list[tuple[int, int]] | None,
    ) -> None:
        spans = match_spans(article.text, query)
        self.call_from_thread(self._apply_light, generation, article, spans, step, title_spans)

    def _apply_light(
        self,
        generation: int,
        article: Article,
        spans: list[tuple[int, int]],
        step: bool,
        title_spans: list[tuple[int, int]] | None,
    ) -> None:
        view = self.article_view
        if generation != self._light_generation or view.article is not article:
            return  # the query or the article changed meanwhile
        view.set_matches(spans, step=step, title_spans=title_spans)

    @on(ArticleList.Opened)
    def _open(self, message: ArticleList.Opened) -> None:
        self._flush_follow()
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
            self.article_list.set_rows(self._library_rows, select=article)
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

    @on(QueryInput.Edited, "#filter QueryInput")
    def _filter_changed(self, event: QueryInput.Edited) -> None:
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
        self.article_list.set_rows(self._library_rows, select=select)
        total = len(self.library.articles)
        self.filter_bar.set_count(f"{total:,}/{total:,}")

    def _start_search(self, query: str, limit: int = SEARCH_LIMIT) -> None:
        self._search_generation += 1
        self._search_limit = limit
        with self._search_lock:
            self._search_next = (self._search_generation, query, limit)
            if self._search_running:
                return  # the running worker takes it when its search is done
            self._search_running = True
        self._search()

    @work(thread=True, group="search")
    def _search(self) -> None:
        """Run the newest query until none is waiting. A thread cannot be stopped mid-search,
        so a worker started for each key ran beside the searches of the keys before it
        (three at once in the test's slow search), all taking the GIL from the event loop."""
        try:
            while True:
                with self._search_lock:
                    job, self._search_next = self._search_next, None
                    if job is None:
                        self._search_running = False
                        return
                generation, query, limit = job
                hits = self.library.search(query, limit=limit)
                if generation != self._search_generation:
                    continue  # a newer query was typed meanwhile: no snippets for this one
                # The spans and snippets of the rows the list shows first (two lines each),
                # here rather than while the list draws them on the event loop (3-7 ms at
                # 100,000).
                for hit in hits[: self.article_list.size.height // 2 + 1]:
                    _ = hit.snippet_spans
                self.post_message(SearchDone(generation, query, hits))
        except BaseException:
            with self._search_lock:
                self._search_running = False
            raise

    def _list_more_hits(self) -> None:
        """The cursor nears the end of a cut list of hits: ask for four times as many."""
        lst = self.article_list
        if self._more_hits and lst.cursor >= len(lst.rows) - 10:
            self._more_hits = False
            self._keep_after_search = lst.current
            self._start_search(self._query, limit=self._search_limit * 4)

    def on_search_done(self, message: SearchDone) -> None:
        if message.generation != self._search_generation:
            return  # a newer query was typed meanwhile
        rows = [Row(h.article, h) for h in message.hits]
        lst = self.article_list
        keep, self._keep_after_search = self._keep_after_search, None
        if keep is None and rows:
            keep = rows[0].article
        lst.set_rows(rows, snippets=True, select=keep)
        hits = message.hits
        total = getattr(hits, "total", len(rows))
        # When the list was cut, an unverified count is an upper bound: say so.
        shown = f"{total:,}" if getattr(hits, "exact", True) else f"≤{total:,}"
        self.filter_bar.set_count(f"{shown}/{len(self.library.articles):,}")
        self._more_hits = total > len(rows)

    @on(QueryInput.Move, "#filter QueryInput")
    def _filter_move(self, message: QueryInput.Move) -> None:
        self.article_list.cursor += message.delta

    @on(Input.Submitted, "#filter QueryInput")
    def _filter_submit(self) -> None:
        if self.article_list.current is not None:
            self._flush_follow()
            self.article_view.focus()

    def _flush_follow(self) -> None:
        """Show the list's article now if the reader pane was waiting to follow it."""
        if self._show_timer is not None and self.is_running:
            self._show_timer.stop()
            self._show_timer = None
            self._show(self.article_list.current)

    @on(QueryInput.Cancelled, "#filter QueryInput")
    def _filter_cancel(self) -> None:
        self._close_filter(restore=True)

    def _close_filter(self, restore: bool) -> None:
        was_open = self.filter_bar.is_open
        self._query = ""
        self._search_generation += 1
        with self.filter_bar.input.prevent(Input.Changed, QueryInput.Edited):
            self.filter_bar.close()
        if was_open:
            select = self._before_filter if restore else self.article_list.current
            self.article_list.set_rows(self._library_rows, select=select)
        self.article_list.focus()

    # --- find in article --------------------------------------------------------------

    @on(ArticleView.FindRequested)
    def _find_open(self) -> None:
        if self.article_view.article is not None:
            self.find_bar.open()

    @on(Input.Changed, "#find QueryInput")
    def _find_changed(self, event: Input.Changed) -> None:
        article = self.article_view.article
        if article is not None:
            self._light(article, event.value, step=True)

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
        if article is not None:
            self._light(article, self._query, step=False)
        self.article_view.focus()

    # --- problems and commands ---

    def action_problems(self) -> None:
        self.push_screen(ProblemsScreen(self.library.problems))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Problems", "Files that were skipped or read with doubts", self.action_problems
        )
        yield SystemCommand("Reload", "Read new, changed and deleted files now", self.action_reload)
        yield SystemCommand("Help", "Keys and search syntax", self.action_help)

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
