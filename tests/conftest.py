"""Shared fixtures: the sample articles and a loaded library over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "articles"


@pytest.fixture(scope="session")
def samples() -> Library:
    """The five sample articles, loaded once."""
    return Library.load([ARTICLES])


def by_prefix(library: Library, prefix: str):
    """The sample article whose file name starts with `prefix` ("000" … "004")."""
    for article in library.articles:
        if article.id.startswith(prefix):
            return article
    raise LookupError(prefix)
