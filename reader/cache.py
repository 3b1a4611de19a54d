"""The persistent warm-start cache: a loaded, indexed library in one file, read back fast.

One file per set of folders, in the user cache folder (`platformdirs.user_cache_dir("reader")`,
or $READER_CACHE_DIR), never next to the articles. Layout:

    MAGIC | u64 header offset | u64 header length
    | exact blob | text blob | table | postings | header

- exact blob: per index slot the lower-cased text with its marks, one byte per character
  (`reader.bytefold.exact_bytes`), each 4,096 slots' joined as their chunk buffer holds them
  (" " + "\\n ".join(texts)); the folded chunk buffer the index needs is one `bytes.translate`
  of that, so it is not stored, and restored documents are slices of the two;
- text blob: per slot the article text in UTF-8, decoded only when the article is read
  (`CachedArticle`; the file is memory-mapped, so untouched texts cost no memory);
- table: marshal of columns (path, id, size, mtime_ns, metadata, compact blocks, offsets,
  sort keys);
- postings: marshal of the inverted index's bitset pieces (`InvertedIndex.pieces`);
- header: marshal of (version, Python version, roots, slot count, section lengths (the
  table's per column: each column is marshalled on its own), in_order, crc32 of table and
  postings, crc32 of each 4,096 slots' exact and text bytes).

Every byte is checked: the texts when the file is read (in pieces, not through the map), the
exact texts as the index is restored.

A saved article is used only when its file's size and mtime_ns are the saved ones; any other
file is read again, a deleted one is dropped. A file that is not a valid cache (truncated,
garbage, another version) reads as None: the library is then loaded from the files and saved
again. Files are written to a temporary name and moved into place with `os.replace`.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import mmap
import os
import stat as stat_module
import struct
import sys
import tempfile
import time
import zlib
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reader.article import (
    Article,
    ArticleDate,
    CompactMetadata,
    Metadata,
    PackedArticle,
    pack_blocks,
)
from reader.bytefold import fold_encoded
from reader.index import CHUNK, CHUNK_SHIFT, DocData

if TYPE_CHECKING:
    from reader.files import FoundFile
    from reader.search import SearchIndex

__all__ = ["CachedArticle", "Snapshot", "cache_dir", "cache_file", "read", "write"]

MAGIC = b"RDRCACHE"
VERSION = 5
_PREFIX = struct.Struct("<8sQQ")
_PY = tuple(sys.version_info[:2])
_READ_SLOTS = CHUNK  # exact texts are read (and crc-checked) one index chunk at a time
# Items a marshal blob holds at most: one marshal.dumps of a 100,000-article column, or of the
# postings, holds the GIL for 30-75 ms, and keys typed as a first load ends waited for it.
_SLICE = 8192
# fold_encoded, but keeping newlines: exact bytes hold none, chunk buffers separate with them.
_FOLDED = fold_encoded(bytes(range(256)))
_FOLD_KEEPING_NEWLINES = _FOLDED[:10] + b"\n" + _FOLDED[11:]

_TEXT_SLOT = Article.__dict__["text"]
_META_SLOT = Article.__dict__["meta"]


def cache_dir() -> Path:
    """Where cache files go: $READER_CACHE_DIR, else the platform's user cache folder."""
    override = os.environ.get("READER_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("reader"))


def _root_key(roots: Sequence[Path]) -> list[str]:
    return [os.path.abspath(r) for r in roots]


def cache_file(roots: Sequence[Path], directory: Path | None = None) -> Path:
    """The cache file for this list of folders and files."""
    key = "\0".join(_root_key(roots)).encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(key).hexdigest()[:24]
    return (directory or cache_dir()) / f"library-{digest}.cache"


# -- lazy articles ---------------------------------------------------------------------------


class _Saved:
    """What the cache file holds for the articles taken from it: their UTF-8 texts in the
    mapped file (one map for all) and their metadata columns."""

    __slots__ = ("base", "dates", "ends", "map", "table")

    def __init__(self, mapped: mmap.mmap, base: int, ends: array, table: tuple) -> None:
        self.map = mapped
        self.base = base
        self.ends = ends
        self.table = table
        self.dates: dict[tuple, ArticleDate] = {}  # equal dates share one (frozen) object

    def raw(self, slot: int) -> bytes:
        """The text of this slot."""
        ends = self.ends
        start = self.base + (ends[slot - 1] if slot else 0)
        return self.map[start : self.base + ends[slot]]

    def meta(self, slot: int, article: Article) -> CompactMetadata:
        """The metadata of this slot, for `article`."""
        t = self.table
        date = t[8][slot]
        meta = CompactMetadata.__new__(CompactMetadata)
        meta.title = t[7][slot]
        meta.title_derived = bool(t[6][slot] & 2)
        if date is not None:
            shared = self.dates.get(date)
            if shared is None:
                shared = self.dates[date] = ArticleDate(*date)
            date = shared
        meta.date = date
        meta.time = t[9][slot]
        meta.author = t[10][slot]
        meta.section = t[11][slot]
        meta.views = t[12][slot]
        meta.words = t[13][slot]
        meta.captions = t[14][slot]
        meta.credits = t[15][slot]
        meta._spans = t[16][slot]
        meta._article = article
        return meta


class CachedArticle(Article):
    """An Article read from the cache: its metadata is made and its text decoded on first
    use (a warm start lists 100,000 articles, but shows a screenful), its sort key is the
    saved one."""

    __slots__ = ("__weakref__", "_key", "_slot", "_source")

    def sort_key(self) -> str:
        try:
            return self._key
        except AttributeError:  # a copy made with dataclasses.replace
            return Article.sort_key(self)

    def _get_text(self) -> str:
        try:
            return _TEXT_SLOT.__get__(self, CachedArticle)
        except AttributeError:
            text = self._source.raw(self._slot).decode("utf-8", "surrogatepass")
            _TEXT_SLOT.__set__(self, text)
            return text

    def _set_text(self, value: str) -> None:
        _TEXT_SLOT.__set__(self, value)

    text = property(_get_text, _set_text)  # type: ignore[assignment]

    def _get_meta(self) -> Metadata:
        try:
            return _META_SLOT.__get__(self, CachedArticle)
        except AttributeError:
            meta = self._source.meta(self._slot, self)
            _META_SLOT.__set__(self, meta)
            return meta

    def _set_meta(self, value: Metadata) -> None:
        _META_SLOT.__set__(self, value)

    meta = property(_get_meta, _set_meta)  # type: ignore[assignment]

    def raw_text(self) -> bytes:
        """The UTF-8 text, without decoding it if it was not yet."""
        try:
            return _TEXT_SLOT.__get__(self, CachedArticle).encode("utf-8", "surrogatepass")
        except AttributeError:
            return self._source.raw(self._slot)


def _article_spans(article: Article) -> bytes:
    """The compact blocks of an article (see `reader.article.CompactMetadata`)."""
    meta = article.meta
    return meta.packed if isinstance(meta, CompactMetadata) else pack_blocks(meta.blocks)


# -- reading ---------------------------------------------------------------------------------


class Snapshot:
    """A cache file that was read: articles are taken from it by path (`take`), then the
    search index is restored for the taken ones (`search_index`)."""

    def __init__(
        self, handle: BinaryIO, mapped: mmap.mmap, header: tuple, table: tuple, postings: list
    ) -> None:
        self._handle = handle
        text_ends = array("Q")
        text_ends.frombytes(table[17])
        self._saved = _Saved(mapped, _PREFIX.size + header[4], text_ends, table)
        self._header = header
        self._table = table
        self._postings = postings
        paths = table[0]
        self._slot_of = {p: i for i, p in enumerate(paths) if p}
        self._taken: dict[int, CachedArticle] = {}
        self.live = len(self._slot_of)

    def unchanged(self, articles: Sequence[Article]) -> bool:
        """Whether `articles` are exactly the saved ones (nothing new, changed or gone)."""
        return len(self._taken) == self.live == len(articles)

    def take(self, found: FoundFile) -> CachedArticle | None:
        """The saved article of this file if its size and mtime are unchanged, else None."""
        name = found.path_str()
        slot = self._slot_of.get(name)
        if slot is None:
            return None
        t = self._table
        if t[1][slot] != found.id:
            return None
        try:
            st = os.stat(name)
        except OSError:
            return None
        if (
            st.st_size != t[2][slot]
            or st.st_mtime_ns != t[3][slot]
            or not stat_module.S_ISREG(st.st_mode)
        ):
            return None
        article = self._article(slot, found)
        self._taken[slot] = article
        return article

    def _article(self, slot: int, found: FoundFile) -> CachedArticle:
        t = self._table
        article = CachedArticle.__new__(CachedArticle)
        article.id = found.id
        article.path = found.path
        article.encoding = t[5][slot]
        article.encoding_uncertain = bool(t[6][slot] & 1)
        article.size = t[2][slot]
        article.mtime_ns = t[3][slot]
        article.mtime = t[4][slot]
        article._source = self._saved
        article._slot = slot
        article._key = t[23][slot]
        return article

    def search_index(self, articles: Sequence[Article]) -> SearchIndex:
        """The saved index restored for the articles taken from it, with the rest of
        `articles` (new or changed files) indexed on top of it."""
        from reader.index import InvertedIndex
        from reader.search import SearchIndex

        t = self._table
        n = len(t[0])
        exact_ends = array("Q")
        exact_ends.frombytes(t[18])
        leads = array("I")
        leads.frombytes(t[22])
        docs: list[DocData | None] = [None] * n
        buffers: dict[int, tuple[bytes, list[int]]] = {}
        titles, titles_exact, metas = t[19], t[20], t[21]
        taken = self._taken
        with no_gc(), self._handle as handle:  # the file is not read after this
            fd = handle.fileno()
            for group, lo, hi in _group_ranges(exact_ends):
                first = group * _READ_SLOTS
                last = min(n, first + _READ_SLOTS)
                if not any(s in taken for s in range(first, last)):
                    continue
                # The group as the chunk's buffer holds it: " " + "\n ".join(exact texts).
                at = lo + 2 * first - group
                data = os.pread(fd, hi - lo + 2 * (last - first) - 1, _PREFIX.size + at)
                if zlib.crc32(data) != self._header[10][group]:
                    raise ValueError("damaged cache file")
                buffer = data.translate(_FOLD_KEEPING_NEWLINES)
                starts: list[int] = []
                position = 1
                end = lo
                for slot in range(first, last):
                    starts.append(position)
                    start, end = end, exact_ends[slot]
                    article = taken.get(slot)
                    stop = position + end - start
                    if article is not None:
                        docs[slot] = DocData.restored(
                            article,
                            titles[slot],
                            titles_exact[slot],
                            metas[slot],
                            (leads[2 * slot], leads[2 * slot + 1]),
                            article._key,
                            (data, position, stop),
                            (buffer, position, stop),
                        )
                    position = stop + 2
                starts.append(position)
                buffers[first >> CHUNK_SHIFT] = (buffer, starts)
        ix = InvertedIndex.restored(docs, self._postings, self._header[8], buffers)
        index = SearchIndex.restored(ix)
        self._postings = []  # now owned by the index
        index.add(a for a in articles if not _taken_from(a, taken))
        return index


def _taken_from(article: Article, taken: dict[int, CachedArticle]) -> bool:
    if not isinstance(article, CachedArticle):
        return False
    slot = article._slot
    return taken.get(slot) is article


def read(path: Path, roots: Sequence[Path]) -> Snapshot | None:
    """The cache file at `path` if it is a valid cache for `roots`, else None (never raises)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - kept by the Snapshot for its later reads
    except OSError:
        return None
    try:
        size = os.fstat(handle.fileno()).st_size
        if size < _PREFIX.size:
            handle.close()
            return None
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        handle.close()
        return None
    try:
        with no_gc():
            snapshot = _parse(handle, mapped, size, roots)
    except Exception:  # any damage: a cache is only ever a shortcut
        snapshot = None
    if snapshot is None:
        mapped.close()
        handle.close()
    return snapshot


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic collector: loading and indexing make millions of objects and the
    collector would rescan the growing heap over and over (most of the time at 100k).

    Unless something was frozen already (`gc.freeze`, which the TUI does once its library
    is loaded: that must stay), the objects made meanwhile are then moved to the oldest
    generation at once (freeze and unfreeze do that without looking at them): left in the
    youngest, the first collection after the pause would scan them all, then the middle
    one again (a third of a second each at 100,000 articles)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _parse(
    handle: BinaryIO, mapped: mmap.mmap, size: int, roots: Sequence[Path]
) -> Snapshot | None:
    """The snapshot in an open cache file, or None; raises on some kinds of damage."""
    magic, head_at, head_len = _PREFIX.unpack(mapped[: _PREFIX.size])
    if magic != MAGIC or head_at + head_len != size:
        return None
    header = marshal.loads(mapped[head_at:size])
    if not (isinstance(header, tuple) and len(header) == 12 and header[0] == VERSION):
        return None
    _, py, saved_roots, n, exact_len, text_len, table_lens, postings_len, _, crc, _, text_crcs = (
        header
    )
    if tuple(py) != _PY or saved_roots != _root_key(roots) or len(table_lens) != 24:
        return None
    if len(postings_len) != 7:
        return None
    table_at = _PREFIX.size + exact_len + text_len
    if table_at + sum(map(sum, table_lens)) + sum(map(sum, postings_len)) != head_at:
        return None
    # Read, not through the map: pages touched through it would stay in the process.
    fd = handle.fileno()
    check = 0
    at = table_at
    loaded: list[list] = []
    for lengths in (*table_lens, *postings_len):
        parts = []
        for length in lengths:
            raw = os.pread(fd, length, at)
            check = zlib.crc32(raw, check)
            parts.append(marshal.loads(raw))
            at += length
        loaded.append(parts)
    del raw
    if check != crc:
        return None
    table = tuple(_joined(parts) for parts in loaded[:24])
    postings = []
    for parts in loaded[24:]:
        field: dict = {}
        for part in parts:
            field.update(part)
        postings.append(field)
    del loaded
    if any(len(col) != n for col in (*table[:17], table[23])):
        return None
    ends = array("Q")
    ends.frombytes(table[17])
    if not _check_groups(fd, ends, _PREFIX.size + exact_len, text_crcs):
        return None
    return Snapshot(handle, mapped, header, table, postings)


def _joined(parts: list) -> object:
    """A column written in slices (`_blobs`), whole again."""
    if len(parts) == 1:
        return parts[0]
    whole: list = []
    for part in parts:
        whole.extend(part)
    return whole


def _blobs(value: object) -> list[bytes]:
    """`value` as marshal blobs: a list or dict in slices of `_SLICE` items, else whole."""
    if isinstance(value, dict):
        items = list(value.items())
        step = max(1, _SLICE // 32)  # a token's postings weigh far more than a column's item
        pieces = [dict(items[i : i + step]) for i in range(0, len(items), step)] or [{}]
    elif isinstance(value, list) and len(value) > _SLICE:
        pieces = [value[i : i + _SLICE] for i in range(0, len(value), _SLICE)]
    else:
        pieces = [value]
    return [marshal.dumps(piece) for piece in pieces]


def _write_blobs(out: BinaryIO, blobs: list[bytes], crc: int) -> tuple[list[int], int]:
    """Write the blobs; their lengths and the running crc."""
    for blob in blobs:
        out.write(blob)
        crc = zlib.crc32(blob, crc)
    return [len(blob) for blob in blobs], crc


def _group_ranges(ends: array) -> Iterator[tuple[int, int, int]]:
    """(group, first byte, end byte) of each 4,096 slots, from cumulative end offsets."""
    for group, first in enumerate(range(0, len(ends), _READ_SLOTS)):
        last = min(len(ends), first + _READ_SLOTS)
        yield group, ends[first - 1] if first else 0, ends[last - 1]


def _check_groups(fd: int, ends: array, base: int, crcs: list[int]) -> bool:
    """Whether each group of slots of a blob has its saved crc32."""
    for group, lo, hi in _group_ranges(ends):
        data = os.pread(fd, hi - lo, base + lo)
        if len(data) != hi - lo or zlib.crc32(data) != crcs[group]:
            return False
    return True


# -- writing ---------------------------------------------------------------------------------


#: A temporary cache file untouched for this long was left by a reader that was stopped
#: while writing it (a write takes seconds): it is removed.
STALE_TEMPORARY = 3600.0


def _remove_stale_temporaries(directory: Path) -> None:
    """Delete the half-written cache files that interrupted writers left (hundreds of MB
    each at 100,000 articles), never one that may still be written."""
    now = time.time()
    for leftover in directory.glob(".tmp-*.cache"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > STALE_TEMPORARY:
                leftover.unlink()


def write(path: Path, roots: Sequence[Path], index: SearchIndex) -> bool:
    """Save the indexed articles to `path` (atomically); False if it could not be written."""
    with index.lock:  # an add (a reload) changes the postings in place: dump them now
        ix = index.inverted
        postings = [_blobs(field) for field in ix.pieces]  # (the GIL is free in between)
        docs = list(ix.docs)
        in_order = ix.in_order
    columns: list[list] = [[] for _ in range(16)]
    spans: list[bytes] = []
    text_ends = array("Q")
    exact_ends = array("Q")
    titles: list[bytes] = []
    titles_exact: list[bytes] = []
    metas: list[bytes] = []
    leads = array("I")
    keys: list[str | None] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".cache", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(bytes(_PREFIX.size))
            exact_len = 0
            exact_crcs: list[int] = []
            text_crcs: list[int] = []
            texts = 0
            for first in range(0, len(docs), _READ_SLOTS):
                parts = [b"" if d is None else d.exact for d in docs[first : first + _READ_SLOTS]]
                for part in parts:
                    texts += len(part)
                    exact_ends.append(texts)
                group = b" " + b"\n ".join(parts)  # as the chunk's buffer will hold them
                out.write(group)
                exact_len += len(group)
                exact_crcs.append(zlib.crc32(group))
                del group, parts
            text_len = 0
            for slot, doc in enumerate(docs):
                if slot % _READ_SLOTS == 0:
                    text_crcs.append(0)
                if doc is None:
                    for column in columns:
                        column.append(None)
                    columns[0][-1] = ""
                    spans.append(b"")
                    titles.append(b"")
                    titles_exact.append(b"")
                    metas.append(b"")
                    leads.extend((0, 0))
                    keys.append(None)
                    text_ends.append(text_len)
                    continue
                a = doc.article
                raw = (
                    a.raw_text()
                    if isinstance(a, CachedArticle | PackedArticle)
                    else a.text.encode("utf-8", "surrogatepass")
                )
                out.write(raw)
                text_len += len(raw)
                text_crcs[-1] = zlib.crc32(raw, text_crcs[-1])
                text_ends.append(text_len)
                d = a.date
                row = (
                    str(a.path),
                    a.id,
                    a.size,
                    a.mtime_ns,
                    a.mtime,
                    a.encoding,
                    int(a.encoding_uncertain) | int(a.title_derived) << 1,
                    a.title,
                    (d.year, d.month, d.day) if d is not None else None,
                    a.time,
                    a.author,
                    a.section,
                    a.views,
                    a.words,
                    list(a.captions),
                    list(a.meta.credits),
                )
                for column, value in zip(columns, row, strict=True):
                    column.append(value)
                spans.append(_article_spans(a))
                titles.append(doc.title)
                titles_exact.append(doc.title_exact)
                metas.append(doc.meta)
                leads.extend(doc.lead)
                keys.append(doc.key)
            table = (
                *columns,
                spans,
                text_ends.tobytes(),
                exact_ends.tobytes(),
                titles,
                titles_exact,
                metas,
                leads.tobytes(),
                keys,
            )
            # Column by column: one marshal of the whole table held it twice over (the
            # growing output is reallocated) at the peak of a first, cold load.
            table_lens: list[list[int]] = []
            crc = 0
            for column in table:
                lengths, crc = _write_blobs(out, _blobs(column), crc)
                table_lens.append(lengths)
            del table
            postings_lens: list[list[int]] = []
            for blobs in postings:
                lengths, crc = _write_blobs(out, blobs, crc)
                postings_lens.append(lengths)
            del postings
            header = marshal.dumps(
                (
                    VERSION,
                    _PY,
                    _root_key(roots),
                    len(docs),
                    exact_len,
                    text_len,
                    table_lens,
                    postings_lens,
                    in_order,
                    crc,
                    exact_crcs,
                    text_crcs,
                )
            )
            head_at = out.tell()
            out.write(header)
            out.seek(0)
            out.write(_PREFIX.pack(MAGIC, head_at, len(header)))
        os.replace(tmp, path)
        return True
    except (OSError, ValueError, UnicodeError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
