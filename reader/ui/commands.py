"""Ctrl+P: jump to an article by title, with the reader's own search engine."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from reader.article import Article

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

PALETTE_HITS = 30
STILL_LOADING = "Still reading the folder: titles can be searched once it is loaded and indexed"


class ArticleCommands(Provider):
    """Articles whose title matches what is typed in the command palette."""

    @property
    def reader(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    def _display(self, title: str, spans: list[tuple[int, int]]) -> Text:
        text = Text(title or "(untitled)", no_wrap=True, overflow="ellipsis")
        for start, end in spans:
            text.stylize("bold underline", start, end)
        return text

    @property
    def _still_loading(self) -> bool:
        """A first load is running: there is no index to search yet (a reload keeps the
        previous library searchable)."""
        reader = self.reader
        return reader.loading and not reader.library.articles

    async def discover(self) -> Hits:
        if self._still_loading:
            yield DiscoveryHit(Text(STILL_LOADING), _nothing, text=STILL_LOADING)
            return
        for article in self.reader.library.articles[:PALETTE_HITS]:
            yield DiscoveryHit(
                self._display(article.title, []),
                partial(self.reader.open_article, article),
                text=article.title,
                help=_help(article),
            )

    async def search(self, query: str) -> Hits:
        if self._still_loading:
            yield Hit(1.0, Text(STILL_LOADING), _nothing, text=STILL_LOADING)
            return
        library = self.reader.library
        hits = await asyncio.to_thread(library.search_titles, query, PALETTE_HITS)
        for rank, hit in enumerate(hits):
            article = hit.article
            yield Hit(
                1.0 - rank / (PALETTE_HITS * 2),
                self._display(article.title, list(hit.title_spans)),
                partial(self.reader.open_article, article),
                text=article.title,
                help=_help(article),
            )


def _nothing() -> None:
    """The command of the still-loading notice: choosing it just closes the palette."""


def _help(article: Article) -> str:
    """The palette's second line: date, author, section or the file's id, as literal text."""
    parts = [
        article.date.display() if article.date else "",
        article.author or "",
        article.section or "",
    ]
    return _literal(" · ".join(p for p in parts if p) or article.id)


def _literal(text: str) -> str:
    """Markup that shows `text` as it is: the palette parses help as markup.

    textual.markup.escape leaves tags like "[Video]" alone, which the parser still eats;
    escaping every "[" keeps all of them.
    """
    return text.replace("[", "\\[")
