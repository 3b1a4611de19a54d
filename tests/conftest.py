"""Shared fixtures: the sample articles and a loaded library over them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.worker import WorkerCancelled

from reader.library import Library

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "articles"


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test (and CLI subprocess) caches in a temporary folder, never the user's."""
    folder = tmp_path_factory.mktemp("reader-cache")
    old = os.environ.get("READER_CACHE_DIR")
    os.environ["READER_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("READER_CACHE_DIR", None)
    else:
        os.environ["READER_CACHE_DIR"] = old


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


async def settle(pilot) -> None:
    """Wait until loading and searching are done (the folder watcher runs on forever)."""
    app = pilot.app
    for _ in range(3):
        for worker in [w for w in app.workers if w.group != "watch"]:
            with contextlib.suppress(WorkerCancelled):  # superseded by a newer one: fine
                await worker.wait()
        await pilot.pause()
