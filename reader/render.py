"""How an article looks on screen: styled paragraphs for the reader pane and `reader show`.

Everything here builds `rich.text.Text` from plain strings, never from markup, so article
text cannot inject Rich markup. Paragraphs remember where they start in the article text, so
search spans (offsets into `Article.text`) become highlights, and wrapped lines can be mapped
back to text offsets for find-in-article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from reader.article import Article, BlockKind

__all__ = ["Para", "Styles", "article_paragraphs", "meta_line", "plain_article", "wrap_offsets"]


@dataclass(frozen=True, slots=True)
class Styles:
    """Styles of the parts of an article; the TUI passes theme-aware ones."""

    heading: Style | str = "bold"
    meta: Style | str = "dim"
    lead: Style | str = "bold"
    body: Style | str = ""
    caption: Style | str = "italic dim"
    byline: Style | str = "bold"
    boilerplate: Style | str = "dim"
    match: Style | str = "reverse"
    current: Style | str = "reverse bold underline"


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph to show: `offset` is where `plain` starts in the article text.

    `offset` is None for lines the reader makes up (the heading, the meta line). `indent`
    cells are added before every wrapped line. The paragraph is kept as a plain string and
    styled when drawn, line by line: building a Text of a 25 MB article up front took seconds.
    """

    plain: str
    style: Style | str
    offset: int | None
    indent: int = 0
    kind: str = "body"
    title: bool = False

    def rich(self, start: int = 0, end: int | None = None) -> Text:
        """The paragraph, or its `start:end` part, as styled text (never parsed as markup)."""
        return Text(self.plain[start:end], style=self.style, end="")

    @property
    def text(self) -> Text:
        """The whole paragraph as styled text."""
        return self.rich()


_SHOWN_AS_META = {BlockKind.TITLE, BlockKind.SECTION, BlockKind.DATELINE}


def meta_line(article: Article) -> str:
    """One line of metadata: date and time, author, section, views, length, encoding."""
    parts: list[str] = []
    if article.date is not None:
        when = article.date.display()
        if article.time:
            when += f" {article.time}"
        if article.date.year is None:
            when += " (year unknown)"
        parts.append(when)
    if article.author:
        parts.append(f"by {article.author}")
    if article.section:
        parts.append(article.section)
    if article.views is not None:
        parts.append(f"{article.views:,} views")
    parts.append(f"{article.words:,} words · {article.reading_minutes} min read")
    if article.title_derived:
        parts.append("title taken from the lead")
    if article.encoding not in ("utf-8", "ascii"):
        note = " (uncertain)" if article.encoding_uncertain else ""
        parts.append(f"{article.encoding}{note}")
    return " · ".join(parts)


def article_paragraphs(article: Article, styles: Styles | None = None) -> list[Para]:
    """The article as paragraphs: heading, meta line, then its blocks in reading order."""
    styles = styles or Styles()
    paras = [
        Para(article.title or "(untitled)", styles.heading, None, kind="heading", title=True),
        Para(meta_line(article), styles.meta, None, kind="meta"),
    ]
    for block in article.blocks:
        if block.kind in _SHOWN_AS_META:
            continue
        style: Style | str = styles.body
        indent = 0
        if block.kind is BlockKind.LEAD:
            style = styles.lead
        elif block.kind is BlockKind.CAPTION:
            style, indent = styles.caption, 4
        elif block.kind is BlockKind.BYLINE:
            style = styles.byline
        elif block.kind is BlockKind.BOILERPLATE:
            style = styles.boilerplate
        paras.append(Para(block.text, style, block.start, indent, kind=str(block.kind)))
    return paras


# Characters that are certainly one cell wide: ASCII, Latin (Vietnamese NFC included), Greek,
# Cyrillic, Vietnamese's Latin Extended Additional, general punctuation (“ ” – …).
_NOT_ONE_CELL = re.compile(
    "[^\x20-\x7e\xa0-\u02ff\u0370-\u0482\u1e00-\u1eff\u2010-\u2027\u2030-\u205e]"
)


def wrap_offsets(text: str, width: int) -> list[int]:
    """Offsets at which to break `text` so no line is wider than `width` cells.

    Breaks after runs of spaces; a word wider than the line is folded by characters. The
    offsets are indexes into `text`, so wrapped lines still map to article offsets.
    """
    width = max(1, width)
    if not text.startswith(" ") and _NOT_ONE_CELL.search(text) is None:
        return _wrap_one_cell(text, width)
    return _wrap_cells(text, width)


def _wrap_one_cell(text: str, width: int) -> list[int]:
    """`wrap_offsets` for text whose every character is one cell: one rfind per line."""
    breaks: list[int] = []
    pos, n = 0, len(text)
    while n - pos > width:
        cut = text.rfind(" ", pos, pos + width + 1)
        if cut < pos:  # no space on this line: fold the word (pos is never a space here)
            nxt = pos + width
        else:
            nxt = cut + 1
            while nxt < n and text[nxt] == " ":
                nxt += 1
        if nxt >= n:
            break
        breaks.append(nxt)
        pos = nxt
    return breaks


def _wrap_cells(text: str, width: int) -> list[int]:
    """`wrap_offsets` for any text, measuring each word in terminal cells."""
    if cell_len(text) <= width:
        return []
    breaks: list[int] = []
    line_cells = 0
    pos = 0
    n = len(text)
    while pos < n:
        # the next word and the spaces after it
        end = pos
        while end < n and text[end] != " ":
            end += 1
        word_cells = cell_len(text[pos:end])
        space_end = end
        while space_end < n and text[space_end] == " ":
            space_end += 1
        if line_cells and line_cells + word_cells > width:
            breaks.append(pos)
            line_cells = 0
        if word_cells > width:  # fold a long word by characters
            i = pos
            while i < end:
                c = cell_len(text[i])
                if line_cells + c > width and line_cells:
                    breaks.append(i)
                    line_cells = 0
                line_cells += c
                i += 1
        else:
            line_cells += word_cells
        line_cells += space_end - end
        pos = space_end
    return breaks


def plain_article(article: Article) -> str:
    """The article as plain text, laid out like the reader pane (for pipes and scripts)."""
    lines: list[str] = []
    for para in article_paragraphs(article):
        prefix = " " * para.indent
        lines.append(prefix + para.plain)
        if para.title:
            lines.append("=" * min(cell_len(para.plain), 80))
        else:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
