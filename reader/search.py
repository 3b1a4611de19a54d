"""Search over a library. (Placeholder: being replaced by the real engine.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reader.article import Article
from reader.fold import fold, nfc

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: spans index the article's NFC title and the snippet."""

    article: Article
    score: float
    title_spans: list[Span] = field(default_factory=list)
    snippet: str = ""
    snippet_spans: list[Span] = field(default_factory=list)


def match_spans(text: str, query: str) -> list[Span]:
    """Every place in `text` that a term of `query` matches, for highlighting."""
    spans: list[Span] = []
    folded = fold(text)
    for term in fold(nfc(query)).split():
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    return sorted(spans)


class SearchIndex:
    """An index over articles that answers queries, best first."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = list(articles)
        self._folded = [fold(a.text) for a in self.articles]

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        terms = fold(nfc(query)).split()
        hits = []
        for article, folded in zip(self.articles, self._folded, strict=True):
            if terms and all(t in folded for t in terms):
                hits.append(Hit(article, 1.0, match_spans(article.title, query)))
        return hits[:limit]
