"""The article model shared by the loader, the parser, the search engine and the UI."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

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

    def sort_key(self) -> tuple:
        """Newest first: known years by date and time, then unknown years, then undated."""
        d = self.meta.date
        if d is None:
            return (2, 0, 0, 0, "", self.id)
        if d.year is None:
            return (1, 0, -d.month, -d.day, _neg_time(self.meta.time), self.id)
        return (0, -d.year, -d.month, -d.day, _neg_time(self.meta.time), self.id)


def _neg_time(time: str | None) -> str:
    """A key that sorts later times first (and unknown times last)."""
    if not time:
        return "~"
    return time.translate(_NEG_DIGITS)


_NEG_DIGITS = str.maketrans("0123456789", "9876543210")
