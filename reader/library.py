"""The one facade the UI and scripts use: load articles from paths, search them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.article import Article
from reader.decode import DecodeError, decode_bytes
from reader.files import FoundFile, Problem, discover
from reader.parse import parse

if TYPE_CHECKING:
    from reader.search import Hit, SearchIndex

__all__ = ["Library", "Problem", "load_file"]

#: Called as progress(done, total) while loading; total is None while files are still found.
Progress = Callable[[int, int | None], None]


def load_file(found: FoundFile) -> Article | Problem:
    """Read, decode and parse one file; a file that cannot be read becomes a Problem."""
    try:
        with open(found.path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as exc:
        return Problem(found.display, f"cannot read: {exc.strerror or exc}")
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        return Problem(found.display, str(exc))
    return Article(
        id=found.id,
        path=found.path,
        text=decoded.text,
        meta=parse(decoded.text),
        encoding=decoded.encoding,
        encoding_uncertain=decoded.uncertain,
        size=stat.st_size,
        mtime=stat.st_mtime,
    )


@dataclass(slots=True)
class Library:
    """Articles loaded from files and folders, newest first, plus the files that were skipped."""

    articles: list[Article]
    problems: list[Problem]
    _index: SearchIndex | None = None

    @classmethod
    def load(
        cls, paths: Iterable[str | os.PathLike[str]], progress: Progress | None = None
    ) -> Library:
        """Load every .txt/.md file under `paths` (files or folders, searched recursively)."""
        found: list[FoundFile] = []
        problems: list[Problem] = []
        for item in discover([Path(p) for p in paths]):
            if isinstance(item, Problem):
                problems.append(item)
            else:
                found.append(item)
        articles: list[Article] = []
        total = len(found)
        for n, item in enumerate(found, 1):
            result = load_file(item)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                articles.append(result)
                if result.encoding_uncertain:
                    problems.append(
                        Problem(
                            item.display,
                            f"encoding uncertain: read as {result.encoding}",
                            skipped=False,
                        )
                    )
            if progress is not None:
                progress(n, total)
        return cls.from_articles(articles, problems)

    @classmethod
    def from_articles(
        cls, articles: Sequence[Article], problems: Sequence[Problem] = ()
    ) -> Library:
        """A library over already-loaded articles, sorted newest first."""
        ordered = sorted(articles, key=Article.sort_key)
        return cls(ordered, list(problems))

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
            from reader.search import SearchIndex

            self._index = SearchIndex(self.articles)
        return self._index

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Hits for `query`, best first (see reader.search for the query syntax)."""
        return self.index.search(query, limit=limit)

    def search_titles(self, query: str, limit: int = 30) -> list[Hit]:
        """Hits whose title matches `query`, best first (the quick switcher's list)."""
        hits = self.index.search(query, limit=limit * 4)
        return [h for h in hits if h.title_spans][:limit]
