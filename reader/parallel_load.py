"""Reading, decoding and parsing many files, and indexing them, in worker processes.

Workers run `reader.library.load_file` on batches of files, exactly as the serial loader
does, and send each result back as compact marshal data (`pack`), not pickled objects:
pickling Article objects back cost as much as parsing them. The main process rebuilds the
objects (`unpack`) while the workers parse the next batches.

Process start-up costs about a tenth of a second, so callers use this only above
`MIN_FILES` files. Processes come from a 'forkserver' context (or 'spawn' where there is
none), never 'fork': the loader may run in a thread (the TUI loads from a worker thread).
If the pool cannot start or a worker dies, the batches it did not deliver are loaded in
this process: a load never loses files because of the pool.

`build_index` likewise has workers make the postings of each 4,096-document chunk while
this process prepares the next chunk's documents (`reader.index.doc_data`), from
`MIN_INDEX` articles on.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import pairwise
from typing import TYPE_CHECKING

from reader.article import (
    Article,
    ArticleDate,
    Block,
    BlockKind,
    CompactMetadata,
    Metadata,
    PackedArticle,
    pack_blocks,
)
from reader.files import FoundFile, Problem
from reader.index import DocData, Field, chunk_postings

if TYPE_CHECKING:
    from reader.index import InvertedIndex
    from reader.search import SearchIndex

__all__ = [
    "MIN_FILES",
    "MIN_INDEX",
    "build_index",
    "load_files",
    "pack",
    "pack_rows",
    "prepare",
    "unpack",
    "unpack_rows",
    "worker_count",
]

MIN_FILES = 2000  # fewer files load faster serially than a pool starts (measured: even at ~2,000)
MIN_INDEX = 4 * 4096  # fewer articles (chunks) leave too short a pipeline to gain
BATCH = 128  # files a worker loads per task
_AHEAD = 4  # batches in flight per worker (bounds memory when the main process lags)
_KINDS = tuple(BlockKind)

Result = Article | Problem


def worker_count() -> int:
    """How many worker processes to use: the CPUs this process may run on, at most 8; 1
    (no pool) in a process that is itself a multiprocessing child, so pools never nest."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # A new worker re-running a main script that has no `if __name__ == "__main__":`
        # guard: fail it, as multiprocessing would (the parent then loads serially).
        raise RuntimeError("Library.load at the top level of an unguarded main script")
    if multiprocessing.parent_process() is not None:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, 8)


# -- the wire format (the only place that knows the model's fields) ---------------------------


#: The metadata's fields, shipped in this order (its blocks go as offsets or texts).
_META = tuple(name for name in Metadata.__slots__ if name != "blocks")
#: The article's own fields, shipped in this order (its text goes as stored bytes).
_OWN = ("encoding", "encoding_uncertain", "size", "mtime", "mtime_ns")


def pack(result: Result) -> tuple:
    """`result` as a tuple of marshal-able values; `unpack` rebuilds it.

    A compact article (`reader.article.compact`, what `load_file` returns) goes as its stored
    text bytes and block offsets; blocks that are not slices of the text go as texts."""
    if isinstance(result, Problem):
        return (0, result.path, result.reason, result.skipped)
    meta = result.meta
    texts: list[str] | None = None
    if isinstance(result, PackedArticle):
        raw, narrow = result._raw, result._narrow
    else:
        raw, narrow = result.text.encode("utf-8", "surrogatepass"), False
    if isinstance(meta, CompactMetadata):
        spans = meta.packed
    else:
        spans = pack_blocks(meta.blocks)
        texts = [block.text for block in meta.blocks]
    fields = [getattr(meta, name) for name in _META]
    d = meta.date
    fields[_META.index("date")] = (d.year, d.month, d.day) if d is not None else None
    own = tuple(getattr(result, name) for name in _OWN)
    return (1, raw, narrow, own, tuple(fields), spans, texts)


def unpack(row: tuple, found: FoundFile) -> Result:
    """The Article or Problem that `pack` made `row` from, for the file `found`."""
    if row[0] == 0:
        return Problem(row[1], row[2], row[3])
    _, raw, narrow, own, fields, spans, texts = row
    article = PackedArticle.__new__(PackedArticle)
    meta = (
        Metadata.__new__(Metadata)
        if texts is not None
        else CompactMetadata.__new__(CompactMetadata)
    )
    for name, value in zip(_META, fields, strict=True):
        setattr(meta, name, value)
    if meta.date is not None:
        meta.date = ArticleDate(*meta.date)
    if isinstance(meta, CompactMetadata):
        meta._spans = spans
        meta._article = article
    else:
        offsets = memoryview(spans).cast("I")
        meta.blocks = [
            Block(_KINDS[offsets[3 * j]], block_text, offsets[3 * j + 1])
            for j, block_text in enumerate(texts)
        ]
    article.id = found.id
    article.path = found.path
    article.meta = meta
    article._raw = raw
    article._narrow = narrow
    for name, value in zip(_OWN, own, strict=True):
        setattr(article, name, value)
    return article


# -- workers ---------------------------------------------------------------------------------


def load_batch(files: Sequence[FoundFile]) -> bytes:
    """Run in a worker: load each file (`reader.library.load_file`), packed and marshalled."""
    from reader.cache import no_gc
    from reader.library import load_file

    with no_gc():
        return marshal.dumps([pack(load_file(item)) for item in files])


_TASK = load_batch  # what workers run (a test swaps in one that crashes)


def load_files(found: Sequence[FoundFile], workers: int | None = None) -> Iterator[Result]:
    """Load `found` (none of them already loaded) in worker processes, the first batch in
    this one: yields each file's Article or Problem in the order of `found`, as soon as its
    batch is back."""
    from reader.library import load_file

    batches = [found[i : i + BATCH] for i in range(0, len(found), BATCH)]
    count = workers or worker_count()
    try:
        pool = _start(count)
    except Exception:  # no processes here (a sandbox, no /dev/shm …): load serially
        pool = None
    pending: deque[Future[bytes]] = deque()
    ahead = 1  # the next batch to hand to a worker: the first is loaded here meanwhile,
    # so the first articles come while the workers start (a tenth of a second or more)
    try:
        for number, batch in enumerate(batches):
            if pool is not None:
                try:
                    while len(pending) < _AHEAD * count and ahead < len(batches):
                        pending.append(pool.submit(_TASK, batches[ahead]))
                        ahead += 1
                    if number > 0:
                        rows = marshal.loads(pending.popleft().result())
                        if len(rows) != len(batch):
                            raise ValueError("a worker lost files")
                except Exception:  # a worker died or failed: the rest is loaded here
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = None
                    pending.clear()
                else:
                    if number > 0:
                        for item, row in zip(batch, rows, strict=True):
                            yield unpack(row, item)
                        continue
            for item in batch:
                yield load_file(item)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# -- indexing --------------------------------------------------------------------------------


def build_index(articles: Sequence[Article]) -> SearchIndex:
    """The search index over `articles`, the same as `SearchIndex(articles)` builds. With
    many articles and more than one CPU, workers make each 4,096-document chunk's postings
    (`reader.index.chunk_postings`) while this process prepares the next chunk's documents."""
    from reader.search import SearchIndex

    count = worker_count()
    ids = {a.id for a in articles}
    if len(articles) < MIN_INDEX or count < 2 or len(ids) != len(articles):
        return SearchIndex(articles)  # (a repeated id replaces the earlier article)
    from reader.cache import no_gc

    with no_gc():
        return SearchIndex.restored(_build_inverted(articles, count))


def _build_inverted(articles: Sequence[Article], count: int) -> InvertedIndex:
    from reader.index import CHUNK, InvertedIndex, doc_data, posting_row, share_buffer

    try:
        pool: ProcessPoolExecutor | None = _start(count)
    except Exception:  # no processes here: the postings are made in this process
        pool = None
    docs: list[DocData | None] = []
    pieces: list[dict[bytes, dict[int, int]]] = [{} for _ in Field]
    pending: deque[tuple[int, list[DocData], Future[bytes] | None]] = deque()
    buffers: dict[int, tuple[bytes, list[int]]] = {}

    def merge(chunk: int, part: list[DocData], future: Future[bytes] | None) -> None:
        nonlocal pool
        postings = None
        if future is not None:
            try:
                postings = marshal.loads(future.result())
            except Exception:  # a worker died or failed: make the rest here
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = None
        if postings is None:
            postings = chunk_postings([posting_row(d) for d in part])
        for field, tokens in zip(pieces, postings, strict=True):
            for token, bits in tokens.items():
                entry = field.get(token)
                if entry is None:
                    field[token] = {chunk: bits}
                else:
                    entry[chunk] = bits

    chunks = range(0, len(articles), CHUNK)
    try:
        for chunk, start in enumerate(chunks):
            part = [doc_data(a) for a in articles[start : start + CHUNK]]
            docs.extend(part)
            future = None
            if pool is not None:
                try:  # (the rows are not kept: they would hold the folded texts twice)
                    future = pool.submit(_POSTINGS, pack_rows([posting_row(d) for d in part]))
                except Exception:  # a broken pool: the postings are made here
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = None
            pending.append((chunk, part, future))
            if start + CHUNK < len(articles):  # complete: as InvertedIndex.add does, so the
                buffers[chunk] = share_buffer(part)  # folded texts are held once, not twice
            while len(pending) > 2 * count:
                merge(*pending.popleft())
        keys = [d.key for d in docs if d is not None]
        # The postings are filled in below: the index takes `pieces` as they are.
        inverted = InvertedIndex.restored(
            docs, pieces, all(a <= b for a, b in pairwise(keys)), buffers
        )
        while pending:
            merge(*pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return inverted


#: Rows per marshal blob sent to the index workers. One pickle of a chunk's 4,096 rows
#: (10 MB) held the GIL in the pool's feeder thread for 17-25 ms (stalls of 43-107 ms while
#: a 100,000-article index was built), and keys typed into the UI waited for it; one
#: marshal of 512 rows takes 1-2 ms, and pickling a list of such blobs is one copy of each.
SLICE = 512


def pack_rows(rows: list[tuple]) -> list[bytes]:
    """A chunk's `posting_row`s as marshal blobs of `SLICE` rows (see `unpack_rows`)."""
    return [marshal.dumps(rows[i : i + SLICE]) for i in range(0, len(rows), SLICE)]


def unpack_rows(blobs: list[bytes]) -> list[tuple]:
    """The rows that `pack_rows` made `blobs` from."""
    return [row for blob in blobs for row in marshal.loads(blob)]


def chunk_postings_packed(blobs: list[bytes]) -> bytes:
    """Run in a worker: `reader.index.chunk_postings` of the rows in `blobs`, marshalled
    (loading a chunk's postings back takes ~3 ms: one blob is fine that way)."""
    return marshal.dumps(chunk_postings(unpack_rows(blobs)))


_POSTINGS = chunk_postings_packed  # what index workers run (a test swaps in a broken one)


def prepare() -> None:
    """Start multiprocessing's resource tracker now, while sys.stderr is still this
    process's own. Its first pool starts it, passing sys.stderr.fileno() on; under a UI that
    captures stderr (Textual's capture says -1) that spawn fails, and every pool with it:
    the reader then loaded 100,000 files on one core (42 s instead of 15). Never raises."""
    from multiprocessing import resource_tracker

    with contextlib.suppress(Exception):  # no processes here: loading is serial anyway
        resource_tracker.ensure_running()


def _start(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["reader.library", "reader.parallel_load"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_yield_cpu)


#: How much lower than this process's the workers' CPU priority is (`os.nice`).
WORKER_NICENESS = 10


def _yield_cpu() -> None:
    """Run in each worker as it starts: give way to the process that started it. As many
    workers as cores kept the UI's event loop off the CPU for 90-150 ms at a time while a
    first load of 100,000 files was typed into; they now take only the CPU it leaves."""
    with contextlib.suppress(AttributeError, OSError):  # (no os.nice on Windows)
        os.nice(WORKER_NICENESS)
