"""The article model shared by the loader, the parser, the search engine and the UI."""

from __future__ import annotations

import math
import weakref
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from reader import narrow as _narrow
from reader.bytefold import encode_lower

WORDS_PER_MINUTE = 200


class BlockKind(StrEnum):
    """What a block (a paragraph or a single line) of an article is."""

    SECTION = "section"  # the site section line ("Tin tức - Sự kiện nổi bật")
    TITLE = "title"  # the title line (its text may carry an appended date)
    DATELINE = "dateline"  # a metadata line ("Ngày đăng 05/05/2022 | 13:45 | Lượt xem: 1351")
    LEAD = "lead"  # the first body paragraph
    BODY = "body"
    CAPTION = "caption"  # a photo caption, possibly with a credit ("Ảnh: BP")
    BYLINE = "byline"  # the author's name on its own line
    BOILERPLATE = "boilerplate"  # site furniture ("Một số hình ảnh tại Hội nghị:")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of an article: `text == article.text[start:start + len(text)]`."""

    kind: BlockKind
    text: str
    start: int

    @property
    def end(self) -> int:
        """Offset just past the block in the article text."""
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True, order=True)
class ArticleDate:
    """A calendar date whose year may be unknown (datelines often omit it)."""

    year: int | None
    month: int
    day: int

    def iso(self) -> str:
        """`YYYY-MM-DD`, or `--MM-DD` when the year is unknown (ISO 8601 reduced form)."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """Day-month order as Vietnamese readers write it: `22/10/2025` or `22/10`."""
        if self.year is None:
            return f"{self.day:02d}/{self.month:02d}"
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"


@dataclass(slots=True)
class Metadata:
    """What the parser reads from an article's raw text."""

    title: str
    title_derived: bool = False
    date: ArticleDate | None = None
    time: str | None = None  # "HH:MM"
    author: str | None = None
    section: str | None = None
    views: int | None = None
    captions: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    words: int = 0
    credits: list[str | None] = field(default_factory=list)  # photo credit of captions[i]


@dataclass(slots=True)
class Article:
    """One loaded article: its identity, its decoded NFC text and its metadata."""

    id: str  # path relative to the folder it was found in; stable across runs
    path: Path
    text: str  # NFC, "\n" line endings, control characters made visible
    meta: Metadata
    encoding: str = "utf-8"
    encoding_uncertain: bool = False
    size: int = 0
    mtime: float = 0.0
    mtime_ns: int = 0  # what the persistent cache compares (a float loses nanoseconds)

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def title_derived(self) -> bool:
        return self.meta.title_derived

    @property
    def date(self) -> ArticleDate | None:
        return self.meta.date

    @property
    def time(self) -> str | None:
        return self.meta.time

    @property
    def author(self) -> str | None:
        return self.meta.author

    @property
    def section(self) -> str | None:
        return self.meta.section

    @property
    def views(self) -> int | None:
        return self.meta.views

    @property
    def captions(self) -> list[str]:
        return self.meta.captions

    @property
    def blocks(self) -> list[Block]:
        return self.meta.blocks

    @property
    def words(self) -> int:
        return self.meta.words

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time at 200 words a minute, at least one minute."""
        return max(1, math.ceil(self.meta.words / WORDS_PER_MINUTE))

    def sort_key(self) -> str:
        """Newest first: known years by date and time, then unknown years, then undated;
        then by id. One string, compared at C speed: as a tuple, sorting 100,000 articles
        held the GIL for 144 ms while keys were typed."""
        d = self.meta.date
        if d is None:
            return _order_key(2, 0, 0, 0, "", self.id)
        if d.year is None:
            return _order_key(1, 0, d.month, d.day, _neg_time(self.meta.time), self.id)
        return _order_key(0, d.year, d.month, d.day, _neg_time(self.meta.time), self.id)


_KINDS = tuple(BlockKind)
_KIND_INDEX = {kind: i for i, kind in enumerate(_KINDS)}
_STATE = tuple(name for name in Metadata.__slots__ if name != "blocks")


def pack_blocks(blocks: list[Block]) -> bytes:
    """Blocks as (kind, start, length) triples of native unsigned ints (see CompactMetadata)."""
    out = array("I")
    for block in blocks:
        out.extend((_KIND_INDEX[block.kind], block.start, len(block.text)))
    return out.tobytes()


class CompactMetadata(Metadata):
    """Metadata whose blocks are kept as offsets, not copies of paragraphs: `blocks` cuts them
    from the article's text each time it is read (12 bytes a block at rest, where a copy of
    the text cost twice the article). Made by `compact` and by `reader.cache`.

    Its article is held by a weak reference: the article holds its metadata, and a cycle
    would outlive the article once the TUI has frozen its library out of the collector."""

    __slots__ = ("_owner", "_spans")

    @property
    def _article(self) -> Article:
        article = self._owner()
        if article is None:
            raise ReferenceError("the article of these blocks is gone")
        return article

    @_article.setter
    def _article(self, article: Article) -> None:
        self._owner = weakref.ref(article)

    def _get_blocks(self) -> list[Block]:
        spans = memoryview(self._spans).cast("I")
        if not spans:
            return []
        text = self._article.text
        kinds = _KINDS
        return [
            Block(kinds[spans[i]], text[spans[i + 1] : spans[i + 1] + spans[i + 2]], spans[i + 1])
            for i in range(0, len(spans), 3)
        ]

    def _set_blocks(self, value: list[Block]) -> None:
        text = self._article.text
        if not all(text.startswith(b.text, b.start) for b in value):
            raise ValueError("compact blocks must be slices of the article text")
        self._spans = pack_blocks(value)

    blocks = property(_get_blocks, _set_blocks)  # type: ignore[assignment]

    @property
    def packed(self) -> bytes:
        """The blocks as `pack_blocks` gives them (what the cache saves)."""
        return self._spans

    def __getstate__(self) -> tuple:
        return (tuple(getattr(self, name) for name in _STATE), self._spans, self._article)

    def __setstate__(self, state: tuple) -> None:
        values, self._spans, self._article = state
        for name, value in zip(_STATE, values, strict=True):
            setattr(self, name, value)


def block_spans(meta: Metadata) -> Iterator[tuple[BlockKind, int, int]]:
    """(kind, start, end) of each block, without cutting the texts of compact blocks."""
    if isinstance(meta, CompactMetadata):
        spans = memoryview(meta._spans).cast("I")
        for i in range(0, len(spans), 3):
            start = spans[i + 1]
            yield _KINDS[spans[i]], start, start + spans[i + 2]
    else:
        for block in meta.blocks:
            yield block.kind, block.start, block.end


@lru_cache(maxsize=256)
def _decoded(raw: bytes, narrow: bool) -> str:
    return _narrow.decode(raw) if narrow else raw.decode("utf-8", "surrogatepass")


_ARTICLE_SLOTS = tuple(name for name in Article.__slots__ if name != "text")


class PackedArticle(Article):
    """An Article that keeps its text as bytes, decoded when read (the most recently read
    texts stay decoded): one byte a character (`reader.narrow`) when the charmap holds all
    of it, else UTF-8; a str of Vietnamese takes two. Made by `compact`."""

    __slots__ = ("__weakref__", "_narrow", "_raw")

    def _get_text(self) -> str:
        return _decoded(self._raw, self._narrow)

    def _set_text(self, value: str) -> None:
        raw = _narrow.encode(value)
        self._narrow = raw is not None
        self._raw = raw if raw is not None else value.encode("utf-8", "surrogatepass")

    text = property(_get_text, _set_text)  # type: ignore[assignment]

    @property
    def narrow(self) -> bytes | None:
        """The text in `reader.narrow`'s one-byte charmap, if it is stored so."""
        return self._raw if self._narrow else None

    def raw_text(self) -> bytes:
        """The text in UTF-8."""
        return self._raw if not self._narrow else self.text.encode("utf-8", "surrogatepass")


def lower_encoded(article: Article) -> bytes:
    """`reader.bytefold.encode_lower(article.text)`, without decoding a narrow text."""
    raw = article.narrow if isinstance(article, PackedArticle) else None
    return _narrow.lower(raw) if raw is not None else encode_lower(article.text)


def compact(article: Article) -> Article:
    """The same article stored compactly: a PackedArticle whose metadata is a
    CompactMetadata over its text (blocks as offsets, not copies). The blocks stay as they
    are if one is not a slice of the text."""
    if type(article) is not Article:
        return article
    packed = PackedArticle.__new__(PackedArticle)
    for name in _ARTICLE_SLOTS:
        setattr(packed, name, getattr(article, name))
    text = article.text
    packed.text = text
    meta = article.meta
    blocks = meta.blocks
    if all(text.startswith(b.text, b.start) for b in blocks):
        slim = CompactMetadata.__new__(CompactMetadata)
        for name in _STATE:
            setattr(slim, name, getattr(meta, name))
        slim._spans = pack_blocks(blocks)
        slim._article = packed
        packed.meta = slim
    return packed


def _order_key(group: int, year: int, month: int, day: int, time: str, article_id: str) -> str:
    """The tuple (group, -year, -month, -day, time, id) as one string that sorts the same:
    fixed-width descending numbers, then the time key ended by a NUL (below any character,
    so a shorter time sorts first, as in a tuple)."""
    year = min(max(year, 0), 9999)
    return _GROUPS[group] + _YEARS[year] + _DAYS[month] + _DAYS[day] + time + "\x00" + article_id


_GROUPS = ("0", "1", "2")
_YEARS = tuple(f"{9999 - y:04d}" for y in range(10000))
_DAYS = tuple(f"{99 - n:02d}" for n in range(100))  # months and days


def _neg_time(time: str | None) -> str:
    """A key that sorts later times first (and unknown times last)."""
    if not time:
        return "~"
    return time.translate(_NEG_DIGITS)


_NEG_DIGITS = str.maketrans("0123456789", "9876543210")
