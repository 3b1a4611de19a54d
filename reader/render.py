"""How an article looks on screen: styled paragraphs for the reader pane and `reader show`.

Everything here builds `rich.text.Text` from plain strings, never from markup, so article
text cannot inject Rich markup. Paragraphs remember where they start in the article text, so
search spans (offsets into `Article.text`) become highlights, and wrapped lines can be mapped
back to text offsets for find-in-article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from reader.article import Article, BlockKind

Span = tuple[int, int]

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
    """One paragraph to show: `offset` is where `text.plain` starts in the article text.

    `offset` is None for lines the reader makes up (the meta line, a title that was
    derived). `indent` cells are added before every wrapped line.
    """

    text: Text
    offset: int | None
    indent: int = 0
    kind: str = "body"
    title: bool = False


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


def _styled(
    text: str, base: Style | str, spans: Sequence[Span], styles: Styles, current: Span | None
) -> Text:
    out = Text(text, style=base, end="")
    for start, end in spans:
        if end <= 0 or start >= len(text):
            continue
        style = styles.current if current == (start, end) else styles.match
        out.stylize(style, max(0, start), min(len(text), end))
    return out


def _shift(spans: Sequence[Span], offset: int, length: int) -> list[Span]:
    return [(s - offset, e - offset) for s, e in spans if e > offset and s < offset + length]


def article_paragraphs(
    article: Article,
    styles: Styles | None = None,
    highlights: Sequence[Span] = (),
    current: Span | None = None,
    title_spans: Sequence[Span] = (),
) -> list[Para]:
    """The article as paragraphs: heading, meta line, then its blocks in reading order.

    `highlights` and `current` are spans into `article.text`; `title_spans` index the title.
    """
    styles = styles or Styles()
    paras = [
        Para(
            _styled(article.title or "(untitled)", styles.heading, title_spans, styles, None),
            None,
            kind="heading",
            title=True,
        ),
        Para(Text(meta_line(article), style=styles.meta, end=""), None, kind="meta"),
    ]
    for block in article.blocks:
        if block.kind in _SHOWN_AS_META:
            continue
        spans = _shift(highlights, block.start, len(block.text))
        cur = None
        if current is not None:
            cur = (current[0] - block.start, current[1] - block.start)
        base: Style | str = styles.body
        indent = 0
        if block.kind is BlockKind.LEAD:
            base = styles.lead
        elif block.kind is BlockKind.CAPTION:
            base, indent = styles.caption, 4
        elif block.kind is BlockKind.BYLINE:
            base = styles.byline
        elif block.kind is BlockKind.BOILERPLATE:
            base = styles.boilerplate
        paras.append(
            Para(
                _styled(block.text, base, spans, styles, cur),
                block.start,
                indent,
                kind=str(block.kind),
            )
        )
    return paras


def wrap_offsets(text: str, width: int) -> list[int]:
    """Offsets at which to break `text` so no line is wider than `width` cells.

    Breaks after runs of spaces; a word wider than the line is folded by characters. The
    offsets are indexes into `text`, so wrapped lines still map to article offsets.
    """
    width = max(1, width)
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
        lines.append(prefix + para.text.plain)
        if para.title:
            lines.append("=" * min(cell_len(para.text.plain), 80))
        else:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
