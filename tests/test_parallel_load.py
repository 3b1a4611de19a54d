"""Loading in worker processes gives exactly the library the serial loader gives."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import shutil
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from reader import parallel_load
from reader.article import Article, Block, BlockKind, Metadata
from reader.files import FoundFile
from reader.library import Library, load_file, scan
from reader.search import SearchIndex

from conftest import ARTICLES
from hostile import build_hostile_folder

QUERIES = ["tan son hoa", "antt", "'Hòa", '"quy che"', "title:tin", "date:2025", "!xa hoi"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile folder (bad files, every encoding) plus the samples, twice over."""
    return _build(tmp_path_factory.mktemp("parallel"))


def _build(root: Path) -> Path:
    build_hostile_folder(root / "hostile", big=False)
    for copy in ("a", "b"):
        shutil.copytree(ARTICLES, root / "samples" / copy)
    return root


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every load through two workers, four files per batch."""
    monkeypatch.setattr(parallel_load, "MIN_FILES", 0)
    monkeypatch.setattr(parallel_load, "MIN_INDEX", 0)
    monkeypatch.setattr(parallel_load, "BATCH", 4)
    monkeypatch.setattr(parallel_load, "worker_count", lambda: 2)


def _serial(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The library loaded and indexed without workers."""
    with monkeypatch.context() as patch:
        patch.setattr(parallel_load, "MIN_FILES", 10**9)
        patch.setattr(parallel_load, "MIN_INDEX", 10**9)
        library = Library.load([folder])
        library.index  # noqa: B018
        return library


def _assert_same(got: Library, want: Library) -> None:
    assert [a.id for a in got.articles] == [a.id for a in want.articles]
    assert list(map(_fields, got.articles)) == list(map(_fields, want.articles))
    assert got.problems == want.problems
    for query in QUERIES:
        got_hits, want_hits = got.search(query), want.search(query)
        assert [h.article.id for h in got_hits] == [h.article.id for h in want_hits], query
        assert [h.title_spans for h in got_hits] == [h.title_spans for h in want_hits], query
        assert [h.snippet_spans for h in got_hits] == [h.snippet_spans for h in want_hits]
        assert [h.snippet for h in got_hits] == [h.snippet for h in want_hits], query


def _fields(article: Article) -> tuple:
    """Every field of an article and its metadata, blocks included (a cached article is
    another class, so it never == a loaded one)."""
    meta = tuple(getattr(article.meta, f.name) for f in dataclasses.fields(Metadata))
    own = (getattr(article, f.name) for f in dataclasses.fields(Article) if f.name != "meta")
    return (*own, meta)


def _crash_on_second(files: Sequence[FoundFile]) -> bytes:
    """A worker task whose process dies on the batches of one copy of the samples."""
    if any(f.id.startswith("samples/b/") for f in files):
        os._exit(3)
    return parallel_load.load_batch(files)


def _fail(files: Sequence[object]) -> bytes:
    raise RuntimeError("a broken worker")


def _crash_postings(blobs: list[bytes]) -> bytes:
    """An index worker task whose process dies on the last (partial) chunk."""
    if len(parallel_load.unpack_rows(blobs)) != 4096:
        os._exit(3)
    return parallel_load.chunk_postings_packed(blobs)


def test_parallel_load_is_the_serial_load(folder, parallel, monkeypatch) -> None:
    progress: list[tuple[int, int]] = []
    got = Library.load([folder], progress=lambda done, total: progress.append((done, total)))
    want = _serial(folder, monkeypatch)
    assert len(want.articles) > 20 and any(p.skipped for p in want.problems)
    _assert_same(got, want)
    total = progress[-1][1]
    assert progress == [(i, total) for i in range(1, total + 1)]


def test_load_files_yields_every_file_in_order(folder, parallel) -> None:
    found, _ = scan([folder])
    assert list(parallel_load.load_files(found, workers=2)) == [load_file(f) for f in found]


@pytest.mark.parametrize("task", [_crash_on_second, _fail])
def test_a_broken_worker_falls_back_to_loading_here(folder, parallel, monkeypatch, task) -> None:
    want = _serial(folder, monkeypatch)
    monkeypatch.setattr(parallel_load, "_TASK", task)
    _assert_same(Library.load([folder]), want)


def test_a_pool_that_cannot_start_loads_serially(folder, parallel, monkeypatch) -> None:
    want = _serial(folder, monkeypatch)

    def no_processes(workers: int) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(parallel_load, "_start", no_processes)
    _assert_same(Library.load([folder]), want)


def test_parallel_load_from_a_thread(folder, parallel, monkeypatch) -> None:
    want = _serial(folder, monkeypatch)
    out: list[Library] = []

    def load_and_index() -> None:  # what the TUI's thread worker does
        library = Library.load([folder])
        library.index  # noqa: B018
        out.append(library)

    worker = threading.Thread(target=load_and_index)
    worker.start()
    worker.join(timeout=120)
    assert out, "the load in a thread did not finish"
    _assert_same(out[0], want)


def test_a_small_folder_starts_no_processes(monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for five files")

    monkeypatch.setattr(parallel_load, "load_files", refuse)
    assert len(Library.load([ARTICLES]).articles) == 5


def test_pack_round_trip(folder) -> None:
    found, _ = scan([folder])
    for item in found:
        result = load_file(item)
        assert parallel_load.unpack(parallel_load.pack(result), item) == result


def test_pack_keeps_blocks_that_are_not_slices_of_the_text() -> None:
    item = FoundFile(Path("x.txt"), "x.txt", "x.txt")
    article = load_file(FoundFile(ARTICLES / sorted(os.listdir(ARTICLES))[0], "a", "a"))
    assert isinstance(article, Article)
    article.meta.blocks.append(Block(BlockKind.BODY, "not in the text", 3))
    back = parallel_load.unpack(parallel_load.pack(article), item)
    assert back.blocks == article.blocks


def test_a_multiprocessing_child_loads_serially() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(parallel_load.worker_count).result(timeout=60) == 1


def test_parallel_load_with_a_cache_and_a_reload(parallel, monkeypatch, tmp_path) -> None:
    root = _build(tmp_path / "articles")
    cold = Library.load([root], cache=tmp_path / "cache")
    _assert_same(cold, _serial(root, monkeypatch))
    warm = Library.load([root], cache=tmp_path / "cache")
    _assert_same(warm, cold)
    shutil.copy(root / "samples" / "a" / sorted(os.listdir(ARTICLES))[0], root / "new.txt")
    _assert_same(cold.reload(), _serial(root, monkeypatch))


def _postings(index: SearchIndex) -> list:
    """The postings in a canonical order (workers hash, so insertion orders differ)."""
    pieces = index.inverted.pieces
    return [sorted((token, sorted(chunks.items())) for token, chunks in f.items()) for f in pieces]


def _docs(index: SearchIndex) -> list:
    """What the index keeps per slot: every field, the article by id."""
    names = ["folded", "title", "title_exact", "meta", "lead", "key", "exact"]
    return [
        (d.article.id, *(getattr(d, n) for n in names)) if d is not None else None
        for d in index.inverted.docs
    ]


@pytest.fixture(scope="module")
def many(folder: Path) -> list[Article]:
    """About 9,000 articles (three index chunks): the folder's, again and again."""
    articles = Library.load([folder]).articles
    rounds = range(9000 // len(articles))
    copies = [dataclasses.replace(a, id=f"{i}/{a.id}") for i in rounds for a in articles]
    return sorted(copies, key=Article.sort_key)


@pytest.mark.parametrize("task", [None, _fail, _crash_postings])
def test_parallel_index_is_the_serial_index(many, parallel, monkeypatch, task) -> None:
    if task is not None:
        monkeypatch.setattr(parallel_load, "_POSTINGS", task)
    got, want = parallel_load.build_index(many), SearchIndex(many)
    assert _postings(got) == _postings(want)
    assert _docs(got) == _docs(want)
    ix, iw = got.inverted, want.inverted
    assert (ix.alive, ix.slot_of, ix.in_order) == (iw.alive, iw.slot_of, iw.in_order)
    assert ix.vocabulary == iw.vocabulary
    assert sorted(ix._buffers) == sorted(iw._buffers) == [0, 1]
    for query in QUERIES:
        assert [h.article.id for h in got.search(query)] == [
            h.article.id for h in want.search(query)
        ], query


def test_parallel_index_out_of_order_and_with_a_repeated_id(many, parallel) -> None:
    shuffled = many[1::2] + many[::2]
    got, want = parallel_load.build_index(shuffled), SearchIndex(shuffled)
    assert not got.inverted.in_order
    assert _postings(got) == _postings(want) and _docs(got) == _docs(want)
    repeated = [*many[:5000], many[0]]
    got, want = parallel_load.build_index(repeated), SearchIndex(repeated)
    assert _postings(got) == _postings(want) and _docs(got) == _docs(want)


def test_the_first_batch_is_loaded_here_while_the_workers_start(
    folder, parallel, monkeypatch
) -> None:
    found, _ = scan([folder])
    here: list[FoundFile] = []

    def counting(item: FoundFile, previous: Article | None = None):
        here.append(item)
        return load_file(item, previous)

    monkeypatch.setattr("reader.library.load_file", counting)
    results = list(parallel_load.load_files(found, workers=2))
    assert results == [load_file(f) for f in found]
    assert here == found[: parallel_load.BATCH]  # the rest came from the workers


def test_the_parallel_index_is_made_by_the_workers(many, parallel, monkeypatch) -> None:
    want = SearchIndex(many)

    def not_here(rows):
        raise AssertionError("postings made in this process, not by a worker")

    monkeypatch.setattr(parallel_load, "chunk_postings", not_here)  # workers import their own
    got = parallel_load.build_index(many)
    assert _postings(got) == _postings(want)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_workers_run_at_a_lower_priority_than_the_reader() -> None:
    """As many workers as cores must not keep the UI's event loop off the CPU."""
    pool = parallel_load._start(1)
    try:
        worker = pool.submit(os.nice, 0).result()
    finally:
        pool.shutdown()
    assert worker == min(19, os.nice(0) + parallel_load.WORKER_NICENESS)
