"""The one facade the UI and scripts use: load articles from paths, search them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from reader.article import Article, compact
from reader.decode import DecodeError, decode_bytes
from reader.files import FoundFile, Problem, discover
from reader.parse import parse

if TYPE_CHECKING:
    from reader.cache import Snapshot
    from reader.search import Hit, Hits, SearchIndex

__all__ = [
    "Library",
    "Problem",
    "first_articles",
    "load_all",
    "load_file",
    "open_cache",
    "scan",
    "scan_with_cache",
]

#: Called as progress(done, total) while loading.
Progress = Callable[[int, int], None]
#: Where the persistent cache lives: True for the user cache folder, or a folder.
CacheOption = bool | str | os.PathLike[str] | None

MAX_BYTES = 64 * 1024 * 1024  # larger files are skipped with a reason, not read into memory


def scan(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[FoundFile], list[Problem]]:
    """The article files under `paths`, and a Problem for each path that cannot be used."""
    found: list[FoundFile] = []
    problems: list[Problem] = []
    for item in discover([Path(p) for p in paths]):
        (problems if isinstance(item, Problem) else found).append(item)
    return found, problems


def first_articles(paths: Iterable[str | os.PathLike[str]], count: int) -> list[Article]:
    """The first `count` articles found under `paths`, read at once: something to show
    while the whole of a large folder is scanned and loaded (scanning 100,000 files alone
    takes half a second). Files that cannot be read are passed over."""
    articles: list[Article] = []
    if count <= 0:
        return articles
    for item in discover([Path(p) for p in paths]):
        if isinstance(item, FoundFile):
            result = load_file(item)
            if isinstance(result, Article):
                articles.append(result)
                if len(articles) >= count:
                    break
    return articles


def _read_all(fd: int, size: int) -> bytes:
    """The rest of the file: one read when it still has the `size` fstat gave (no buffered
    file object, a few microseconds an article at 100,000), more if it grew meanwhile."""
    data = os.read(fd, size + 1)
    if len(data) <= size:
        return data
    parts = [data]
    while chunk := os.read(fd, 1 << 20):
        parts.append(chunk)
    return b"".join(parts)


def load_file(found: FoundFile, previous: Article | None = None) -> Article | Problem:
    """Read, decode and parse one file; a file that cannot be read becomes a Problem.

    If `previous` was loaded from the same file and its size and mtime are unchanged, it is
    returned as it is (that is how a reload skips unchanged files).
    """
    try:
        # O_NONBLOCK: a FIFO swapped in after the scan must not hang the reader.
        fd = os.open(found.path_str(), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return Problem(found.display, f"cannot read: {exc.strerror or exc}")
    try:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            return Problem(found.display, "not a regular file")
        if (
            previous is not None
            and previous.size == stat.st_size
            and previous.mtime == stat.st_mtime
        ):
            return previous
        if stat.st_size > MAX_BYTES:
            mib = stat.st_size / 2**20
            return Problem(found.display, f"too large to open ({mib:,.0f} MiB; limit 64 MiB)")
        try:
            data = _read_all(fd, stat.st_size)
        except OSError as exc:
            return Problem(found.display, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        return Problem(found.display, str(exc))
    return compact(
        Article(  # blocks kept as offsets into the text, not copies
            id=found.id,
            path=found.path,
            text=decoded.text,
            meta=parse(decoded.text),
            encoding=decoded.encoding,
            encoding_uncertain=decoded.uncertain,
            size=stat.st_size,
            mtime=stat.st_mtime,
            mtime_ns=stat.st_mtime_ns,
        )
    )


def open_cache(
    paths: Iterable[str | os.PathLike[str]], cache: CacheOption = True
) -> tuple[Path, Snapshot | None]:
    """The cache file for these paths (in `cache`, a folder, or the user cache folder when
    True) and what it holds, if it is a valid cache (see `reader.cache`)."""
    from reader import cache as store

    roots = [Path(p) for p in paths]
    folder = None if cache is True or not cache else Path(cache)
    path = store.cache_file(roots, folder)
    return path, store.read(path, roots)


def scan_with_cache(
    paths: Iterable[str | os.PathLike[str]], cache: CacheOption
) -> tuple[list[FoundFile], list[Problem], Path | None, Snapshot | None]:
    """`scan(paths)`, and `open_cache(paths, cache)` unless `cache` is None or False. The
    cache file is read (mostly pread and crc32, which let go of the GIL) while the folders
    are scanned (mostly stat calls): a warm start overlaps the two."""
    if not cache:
        return (*scan(paths), None, None)
    roots = [Path(p) for p in paths]
    with ThreadPoolExecutor(1) as reader:
        cached = reader.submit(open_cache, roots, cache)
        found, problems = scan(roots)
        path, snapshot = cached.result()
    return found, problems, path, snapshot


def load_all(
    found: Sequence[FoundFile],
    previous: dict[Path, Article] | None = None,
    cached: Snapshot | None = None,
) -> Iterator[tuple[Article | None, list[Problem]]]:
    """Load each file in turn: yields its article (or None) and the problems it raised.

    Files unchanged since `cached` was saved come from it, without being read. The cyclic
    garbage collector is paused meanwhile (loading makes millions of objects and almost no cycles;
    the collector rescanning them took a third of the time at 10,000 files).
    """
    from reader.cache import no_gc

    with no_gc():
        yield from _load_each(found, previous or {}, cached)


def _load_each(
    found: Sequence[FoundFile], previous: dict[Path, Article], cached: Snapshot | None
) -> Iterator[tuple[Article | None, list[Problem]]]:
    for item, result in _results(found, previous, cached):
        if isinstance(result, Problem):
            yield None, [result]
        elif result.encoding_uncertain:
            note = f"encoding uncertain: read as {result.encoding}"
            yield result, [Problem(item.display, note, skipped=False)]
        else:
            yield result, []


def _results(
    found: Sequence[FoundFile], previous: dict[Path, Article], cached: Snapshot | None
) -> Iterator[tuple[FoundFile, Article | Problem]]:
    """Each file with its article or problem: first those taken from `cached`, as they are
    taken (a warm start lists articles at once), then the rest in the order of `found`.
    Files compared with `previous` are read here; the others, when there are many and more
    than one CPU, in worker processes (see `reader.parallel_load`)."""
    from reader import parallel_load

    rest: list[FoundFile] = []
    for item in found:
        result = cached.take(item) if cached is not None else None
        if result is not None:
            yield item, result
        else:
            rest.append(item)
    # (a Path is hashed from its parts the first time: a first load, with no `previous`,
    # skips those 100,000 hashes and the second lookups)
    fresh = [item for item in rest if item.path not in previous] if previous else rest
    if len(fresh) >= parallel_load.MIN_FILES and parallel_load.worker_count() > 1:
        loaded = parallel_load.load_files(fresh)
    else:
        loaded = map(load_file, fresh)
    try:
        for item in rest:
            if previous and item.path in previous:
                yield item, load_file(item, previous[item.path])
            else:
                yield item, next(loaded)
    finally:
        close = getattr(loaded, "close", None)
        if close is not None:
            close()  # stops the workers of a load that was abandoned


@dataclass(slots=True)
class Library:
    """Articles loaded from files and folders, newest first, plus the files that were skipped."""

    articles: list[Article]
    problems: list[Problem]
    paths: list[Path] = field(default_factory=list)
    _index: SearchIndex | None = None
    _cache_path: Path | None = None
    _snapshot: Snapshot | None = None
    _cache_current: bool = False

    @classmethod
    def load(
        cls,
        paths: Iterable[str | os.PathLike[str]],
        progress: Progress | None = None,
        previous: Library | None = None,
        cache: CacheOption = None,
    ) -> Library:
        """Load every .txt/.md file under `paths` (files or folders, searched recursively).

        With `previous`, files whose size and mtime did not change are not read again. With
        `cache` (True: the user cache folder, or a folder), unchanged files come from the
        persistent cache with their search index, and the cache is brought up to date
        before returning (see `reader.cache`).
        """
        from reader.cache import no_gc

        with no_gc():  # see load_all
            return cls._load(paths, progress, previous, cache or None)

    @classmethod
    def _load(
        cls,
        paths: Iterable[str | os.PathLike[str]],
        progress: Progress | None,
        previous: Library | None,
        cache: CacheOption,
    ) -> Library:
        roots = [Path(p) for p in paths]
        found, problems, path, snapshot = scan_with_cache(roots, cache)
        before = {a.path: a for a in previous.articles} if previous else None
        articles: list[Article] = []
        for done, (article, issues) in enumerate(load_all(found, before, snapshot), 1):
            if article is not None:
                articles.append(article)
            problems.extend(issues)
            if progress is not None:
                progress(done, len(found))
        library = cls.from_articles(articles, problems, roots)
        if path is not None:
            library.use_cache(path, snapshot)
            library.index  # noqa: B018 - restoring it checks the rest of the cache file
            library.save_cache()
        return library

    def reload(self) -> Library:
        """The library as the files are now: new, changed and deleted files accounted for."""
        cache = self._cache_path.parent if self._cache_path is not None else None
        return Library.load(self.paths, previous=self, cache=cache)

    def adopt_index(self, previous: Library) -> None:
        """Take over `previous`'s search index for this reload of it, re-indexing only the
        articles that are new or changed and dropping the deleted ones (a full rebuild of
        100,000 articles takes a quarter of a minute)."""
        index = previous._index
        if index is None or self._index is not None:
            return
        before = {a.id: a for a in previous.articles}
        now = {a.id for a in self.articles}
        for gone in before.keys() - now:
            index.remove(gone)
        fresh = [a for a in self.articles if before.get(a.id) is not a]
        if fresh:
            index.add(fresh)
        self._index = index

    def use_cache(self, path: Path, snapshot: Snapshot | None) -> None:
        """Tie the library to its cache file: `snapshot` (what `load_all` took its unchanged
        articles from) restores the index, and `save_cache` writes to `path`."""
        self._cache_path = path
        self._snapshot = snapshot
        self._cache_current = snapshot is not None and snapshot.unchanged(self.articles)

    def save_cache(self) -> bool:
        """Write the library and its index to its cache file unless the file is up to date
        (building the index if needed); whether the file is now up to date."""
        if self._cache_path is None:
            return False
        if self._cache_current:
            return True
        from reader.cache import no_gc, write

        index = self.index
        inverted = index.inverted
        if len(inverted.docs) > 2 * len(inverted) + 64:  # mostly removed slots: start afresh
            from reader.search import SearchIndex

            index = SearchIndex(self.articles)
        # Writing makes a few million short-lived objects: left to the collector, its full
        # collections of them held the GIL 140-180 ms at a time while keys were typed.
        with no_gc():
            self._cache_current = write(self._cache_path, self.paths, index)
        return self._cache_current

    @classmethod
    def from_articles(
        cls,
        articles: Sequence[Article],
        problems: Sequence[Problem] = (),
        paths: Sequence[Path] = (),
    ) -> Library:
        """A library over already-loaded articles, sorted newest first; the problems by file
        (whatever order the files were read in: a warm start reads cached ones first)."""
        ordered = sorted(articles, key=lambda a: a.sort_key())  # a cached article saved its key
        return cls(ordered, sorted(problems, key=lambda p: p.path), list(paths))

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        for article in self.articles:
            if article.id == article_id:
                return article
        return None

    @property
    def index(self) -> SearchIndex:
        """The search index, built on first use."""
        if self._index is None:
            snapshot, self._snapshot = self._snapshot, None
            index = None
            if snapshot is not None:
                try:
                    index = snapshot.search_index(self.articles)
                except Exception:  # a damaged cache: index the articles instead
                    self._cache_current = False
            if index is None:
                from reader.parallel_load import build_index

                index = build_index(self.articles)
            index.warm()
            self._index = index
        return self._index

    def search(self, query: str, limit: int = 50) -> Hits:
        """Hits for `query`, best first (see reader.search for the query syntax); the
        result's `total` counts every match (an upper bound when `exact` is False)."""
        return self.index.search(query, limit=limit)

    def count(self, query: str) -> tuple[int, bool]:
        """How many articles match `query`, and whether that count is exact (else it is an
        upper bound: see `reader.search.Hits`)."""
        return self.index.count(query)

    def search_titles(self, query: str, limit: int = 30) -> list[Hit]:
        """Hits whose title matches `query`, best first (the quick switcher's list)."""
        hits = self.index.search(query, limit=limit * 4)
        return [h for h in hits if h.title_spans][:limit]
