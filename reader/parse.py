"""Article metadata from raw text, by heuristics that generalize across news sites.

The input is an article's NFC text with "\\n" line endings. Every paragraph becomes one
`Block` (its text without surrounding whitespace, at its offset in the text), so the blocks
partition the text: no non-whitespace character is lost, blocks are in text order, and
`block.text == text[block.start:block.end]`. Each block gets a `BlockKind`:

    [SECTION] [DATELINE…] TITLE [DATELINE…]          the header (first lines only)
    LEAD, then BODY | CAPTION | BOILERPLATE…          the body (a caption may precede the lead)
    [BOILERPLATE | DATELINE | BYLINE…]                the footer (last lines only)

When the file opens with the lead paragraph instead of a title, there is no TITLE block: the
first block is the LEAD and `Metadata.title` is derived from it (`title_derived=True`).

Conventions:

- `title` is the title line without an appended date/time ("… trật tự 22/10/2025 21:06"
  gives the title "… trật tự", the date and the time). An empty or blank text gives
  `title=""` with `title_derived=True` (the UI shows a placeholder or the file name).
- `date` comes, in this order, from a dateline line around the title ("Ngày đăng 05/05/2022
  | 13:45"), from a date appended to the title, from a dateline line at the end, or from the
  opening of the lead ("Chiều 22-10, …", "Sáng ngày 3/4, …"). Dates elsewhere in the body
  are never used. Dates are day-month; a missing year stays None (never guessed).
- `author` comes from the last line when it looks like a name ("Minh Cường", "CẨM TUYẾT",
  "Bài và ảnh: Thu Hà"), or from a dateline ("Tác giả: Minh Cường | 05/05/2022"). A source
  ("Theo TTXVN") is not an author: that line is BOILERPLATE.
- `captions` holds caption texts without their photo credit; `credits[i]` is the credit of
  `captions[i]` ("BP" for "… Ảnh: BP") or None.
- `words` counts the words of the reading text: LEAD, BODY and CAPTION blocks (not the title,
  section, datelines, byline or site furniture). A word is a whitespace-separated token; lone
  dashes and bars between spaces ("a – b") are not words.
- Every non-blank line is a block (saved web articles put one paragraph on a line, and a title
  or a lead may be followed directly by the next paragraph). Only when the body is
  hard-wrapped (short lines in runs, paragraphs separated by blank lines) is a body paragraph
  a run of lines.

Only the first and last few blocks are examined for title, section, dateline and byline, every
regular expression runs on a bounded slice (or is linear), so parsing is linear in the text
length and cannot backtrack catastrophically on hostile input.

Speed (a library load parses every file): exact cheap tests (length, last character, a digit,
a label word) run before any folding or regular expression, folding uses a faster exact path
and a small cache, and the body loop creates each Block directly.
tests/benchmarks/bench_parse.py measures it and checks it against the earlier parser.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from reader.article import ArticleDate, Block, BlockKind, Metadata
from reader.fold import fold

__all__ = ["parse"]

# How many lines at the end the footer heuristics look at.
_FOOTER_BLOCKS = 6
# Longest line that can be a section, dateline, byline, caption or furniture line.
_META_MAX_CHARS = 200
_CAPTION_MAX_CHARS = 300
_CAPTION_MAX_WORDS = 35
_CREDITED_CAPTION_MAX_CHARS = 700
# A derived title keeps at most this many words.
_DERIVED_TITLE_WORDS = 12

_SENTENCE_END = ".!?…"
_NOT_CAPTION_END = ".!?…:;,"

# --- dates and times (all patterns run on folded text: lower case, no diacritics) ----------

# A day-month date with optional year; the whole match is re-read by _date_from().
_DATE_SRC = r"""
(?<![\w/.\-])
(?:
    (?:ngay\s+)?\d{1,2}\s+thang\s+\d{1,2}(?:\s*,?\s*nam\s+\d{4})?
  | \d{1,2}/\d{1,2}(?:/\d{4})?
  | \d{1,2}-\d{1,2}(?:-\d{4})?
  | \d{1,2}\.\d{1,2}\.\d{4}
)
(?![\w/]|[.\-]\d)
"""
_DATE = re.compile(_DATE_SRC, re.VERBOSE)
_DATE_PARTS = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")
_TIME = re.compile(r"(?<![\w:.])([01]?\d|2[0-3])(?::|h|\s?gio\s?)([0-5]\d)(?::[0-5]\d)?(?![\w:])")

# Words of the time of day, weekdays and place/source tags that may open a lead's dateline.
_OPENER = re.compile(
    r"""
    ^[\s"'“‘(\[*•\-–—]{0,3}
    (?:[^\W\d_][\w.]*(?:\s[^\W\d_][\w.]*){0,3}\s*\(\s*(?P<pdate>"""
    + _DATE_SRC
    + r""")\s*\)
       \s*[-–—:,]\s*
    |
    (?:\(?[^\W\d_][\w.]*(?:\s[^\W\d_][\w.]*){0,3}\)?\s*[-–—]\s*)?
    (?:[^\W\d_]+(?:\s[^\W\d_]+){0,3}\s*,\s*(?=ngay\s))?
    (?:(?:rang\s+)?(?:sang|chieu|toi|trua|dem|khuya)(?:\s+(?:som|muon|nay|qua|hom\s+qua))?\s+)?
    (?:hom\s+(?:nay|qua)\s+)?
    (?:(?:thu\s+(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s+nhat)\s*,?\s*)?
    (?:ngay\s+)?
    \(?(?P<date>"""
    + _DATE_SRC
    + r""")\)?
    \s*(?:[,:\-–—]|\((?!\d)|$)\s*
    )
    """,
    re.VERBOSE,
)

# A date (and maybe a time) appended to the title line, either order.
_TITLE_TAIL = re.compile(
    r"(?:^|[\s|,(\-–—]+)(?:(?P<d1>" + _DATE_SRC + r")(?:[\s,|\-–—]+(?P<t1>\d{1,2}(?::|h)\d{2}))?"
    r"|(?P<t2>\d{1,2}(?::|h)\d{2})[\s,|\-–—]+(?P<d2>" + _DATE_SRC + r"))[\s)]*$",
    re.VERBOSE,
)

# Words that make a short line a dateline ("Ngày đăng", "Cập nhật", "Lượt xem", "Published").
_META_KEY = re.compile(
    r"\b(?:ngay\s+dang|dang\s+ngay|dang\s+luc|dang\s+tai|cap\s+nhat|luot\s+xem|luot\s+doc"
    r"|so\s+lan\s+xem|views?|published|updated|posted)\b"
)
# Everything a dateline may consist of besides dates, times and numbers.
_META_FILLER = re.compile(
    r"\b(?:ngay\s+dang|dang\s+ngay|ngay\s+cap\s+nhat|cap\s+nhat|dang\s+luc|dang\s+tai|luc|ngay"
    r"|gio|thoi\s+gian|luot\s+xem|luot\s+doc|so\s+lan\s+xem|views?|published|updated|posted"
    r"|last|on|at|gmt|utc|am|pm|sang|chieu|toi|trua"
    r"|thu\s+(?:hai|ba|tu|nam|sau|bay)|chu\s+nhat|thu"
    r"|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
# "Tác giả: Minh Cường | 05/05/2022": a name inside a dateline.
_META_AUTHOR = re.compile(r"\b(?:tac\s+gia|bai\s*(?:va|,|&)?\s*anh|by|author)\s*[:\-–—]?\s*")
_META_AUTHOR_END = re.compile(r"\s*(?:[|;•·(]|\s[-–—]\s|\d)")
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = r"(\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+)(?![\d.,]\d)"
_VIEWS = re.compile(r"(?:luot\s*xem|luot\s*doc|so\s*lan\s*xem|views?)\s*[:：]?\s*" + _NUMBER)
_VIEWS_AFTER = re.compile(r"(?<![\d.,])" + _NUMBER + r"\s*(?:luot\s*xem|luot\s*doc|views?)\b")

# --- captions, bylines, furniture ---------------------------------------------------------

# A photo credit ending a caption: "… Ảnh: BP", "(Ảnh: TTXVN)", "Photo: AP".
_CREDIT = re.compile(
    r"(?:^|(?<=[\s.,;(\[–—\-]))[(\[]?\s*(?:anh|nguon\s+anh|anh\s+tu\s+lieu|photos?|credit)"
    r"\s*:\s*(?P<credit>[^\s:()\[\]][^:()\[\]]{0,59}?)\s*[)\]]?\s*$"
)
_CREDIT_LABEL_ENDS = ("anh", "lieu", "photo", "photos", "credit")
_LIST_MARKER = re.compile(r"^(?:[-–—•*+>·]|\d{1,3}[.)]|[ivx]{1,4}[.)]|[a-z][.)])(?:\s|$)")
_BYLINE_PREFIX = re.compile(
    r"^(?:bai\s*(?:va|,|&)?\s*anh|tin\s*(?:va|,|&)?\s*anh|bai|tin|tac\s+gia|by|author|pv)"
    r"\s*[:\-–—]\s*"
)
_SOURCE_LINE = re.compile(r"^(?:theo|nguon)\b")
_NAME_SEPARATORS = frozenset({"-", "–", "—", "&", ",", "và", "and", "/"})
_FURNITURE = frozenset(
    fold(word)
    for word in (
        "xem thêm",
        "tin liên quan",
        "bài liên quan",
        "tin cùng chuyên mục",
        "tin khác",
        "chia sẻ",
        "chia sẻ bài viết",
        "in bài",
        "in bài viết",
        "bản in",
        "gửi email",
        "gửi bài",
        "gửi",
        "email",
        "in",
        "lưu",
        "lưu bài",
        "bình luận",
        "ý kiến",
        "ý kiến bạn đọc",
        "quay lại",
        "về đầu trang",
        "lên đầu trang",
        "trở về",
        "từ khóa",
        "từ khoá",
        "tags",
        "tag",
        "theo dõi",
        "facebook",
        "twitter",
        "zalo",
        "copy link",
        "sao chép liên kết",
        "share",
        "print",
        "tweet",
        "like",
        "related",
        "related articles",
        "read more",
        "see also",
        "back to top",
        "top",
        "comments",
        "subscribe",
        "advertisement",
        "quảng cáo",
        "đọc thêm",
        "nguồn",
        "source",
        "còn nữa",
        "hết",
        "end",
        "the end",
    )
)
_FURNITURE_HEADS = frozenset(w[:2] for w in _FURNITURE) | frozenset(
    ("xe", "ti", "ba", "do", "tu", "ta", "re", "se", "ng", "so", "th")
)
_FURNITURE_PREFIX = re.compile(
    r"^(?:xem\s+them|tin\s+lien\s+quan|bai\s+lien\s+quan|doc\s+them|tu\s+khoa|tags?"
    r"|read\s+more|see\s+also|related|nguon|source)\s*[:>»\-–—]"
)
_FURNITURE_OPEN = re.compile(_FURNITURE_PREFIX.pattern.split(r"\s*[")[0] + r"\s*\Z")
_FURNITURE_STRIP = " :.!()[]"
_FURNITURE_HEAD_OK: dict[str, bool] = {}  # the first two characters (after "([") by line
_FURNITURE_LONGEST = max(map(len, _FURNITURE))
_FURNITURE_SPLIT = re.compile(r"\s*(?:[|/•·»>]|\s-\s)\s*")
_BREADCRUMB = re.compile(r"\s[-–—>»|/›]\s|\s?[>»›]\s?")


def parse(text: str) -> Metadata:
    """Read title, date, byline, section, views, captions and kind-tagged blocks from `text`.

    Never raises: should a heuristic fail on some unforeseen input, the text is still
    returned as blocks (first line the title) rather than stopping a library load.
    """
    try:
        return _parse(text)
    except Exception:  # pragma: no cover - a safety net; _parse is tested on arbitrary text
        return _fallback(text)


def _fallback(text: str) -> Metadata:
    blocks = [Block(BlockKind.BODY, m.group().rstrip(), m.start()) for m in _LINE.finditer(text)]
    if blocks:
        blocks[0] = Block(BlockKind.TITLE, blocks[0].text, blocks[0].start)
    title = blocks[0].text[:200] if blocks else ""
    return Metadata(title=title, title_derived=not blocks, blocks=blocks)


# --- the parser ---------------------------------------------------------------------------


class _Lines:
    """The non-blank lines of a text: offsets, stripped texts, and blank lines before them."""

    __slots__ = ("blank", "starts", "texts")

    def __init__(self, text: str) -> None:
        starts: list[int] = []
        texts: list[str] = []
        blank: list[bool] = []
        prev = pos = 0
        for index, raw in enumerate(text.split("\n")):
            if raw:
                s = raw.strip()
                if s is raw:  # nothing stripped (the common case)
                    starts.append(pos)
                elif s:
                    starts.append(pos + len(raw) - len(raw.lstrip()))
                else:
                    pos += len(raw) + 1
                    continue
                texts.append(s)
                blank.append(index - prev >= 2)
                prev = index
            pos += len(raw) + 1
        self.starts = starts
        self.texts = texts
        self.blank = blank  # blank[i]: a blank line separates line i from line i - 1

    def end(self, i: int) -> int:
        """Offset just past stripped line `i`."""
        return self.starts[i] + len(self.texts[i])

    def alone(self, i: int) -> bool:
        """Whether line `i` is a paragraph of its own (blank lines around it)."""
        before = i == 0 or self.blank[i]
        after = i + 1 >= len(self.texts) or self.blank[i + 1]
        return before and after


_LINE = re.compile(r"\S[^\n]*")

# Whitespace other than " " and "\n" (what str.split() and the regular expressions' \s see).
_ODD_SPACES = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n")
_DASHES = (" - ", " – ", " — ", " | ")
_SPACES_AND_PAREN = "".join(_ODD_SPACES) + " \n)"
_FOLD_CACHE: dict[str, str] = {}
_FOLD_CACHE_SIZE = 4096
_FOLD_CACHE_CHARS = 200


def _fold(s: str) -> str:
    """`fold(s)`, about five times faster on ASCII and Vietnamese text; short ones cached.

    Decomposing to NFD and dropping what is not ASCII gives, per character, either nothing or
    the lower-case fold of that character (checked over all of Unicode, đ/Đ aside), so when
    no character was dropped the result is exactly `fold(s)`; otherwise `fold` does the work.
    """
    f = _FOLD_CACHE.get(s)
    if f is not None:
        return f
    if len(s) > 8:
        b = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
        b = b.encode("ascii", "ignore")
        f = b.lower().decode("ascii") if len(b) == len(s) else fold(s)
    else:
        f = fold(s)
    if len(s) <= _FOLD_CACHE_CHARS:
        if len(_FOLD_CACHE) >= _FOLD_CACHE_SIZE:
            _FOLD_CACHE.clear()
        _FOLD_CACHE[s] = f
    return f


def _fold_head(s: str, n: int) -> str:
    """`fold(s[:n])`, from the cached fold of `s` when it is short."""
    return _fold(s)[:n] if len(s) <= _FOLD_CACHE_CHARS else _fold(s[:n])


def _parse(text: str) -> Metadata:
    if not isinstance(text, str):
        text = str(text)
    lines = _Lines(text)
    texts = lines.texts
    n = len(texts)
    meta = Metadata(title="", title_derived=True)
    if n == 0:
        return meta
    kinds: dict[int, BlockKind] = {}  # header and footer lines

    # ---- header: [junk…] [DATELINE…] [SECTION] [DATELINE…] TITLE [DATELINE…]
    i = 0
    while i < min(n - 1, 2) and _is_junk(texts[i]) and not _is_dateline(texts[i]):
        kinds[i] = BlockKind.BOILERPLATE
        i += 1
    i = _take_datelines(texts, kinds, i, meta, limit=2)
    if i + 1 < n and _is_section(lines, i):
        kinds[i] = BlockKind.SECTION
        meta.section = texts[i]
        i = _take_datelines(texts, kinds, i + 1, meta, limit=2)
    lead_index = n
    if i < n:
        first = texts[i]
        if _looks_like_lead(first):
            lead_index = i
            meta.title = _derive_title(first)
        else:
            kinds[i] = BlockKind.TITLE
            meta.title, tail_date, tail_time = _split_title(first)
            meta.title_derived = False
            if meta.date is None and tail_date is not None:
                meta.date, meta.time = tail_date, tail_time
            elif meta.time is None and tail_time is not None and meta.date == tail_date:
                meta.time = tail_time
            lead_index = _take_datelines(texts, kinds, i + 1, meta, limit=3)

    wrapped = _hard_wrapped(lines, lead_index, n)

    # ---- footer: back from the end over furniture, datelines and one byline
    body_end = n
    j = n - 1
    while j > lead_index and n - j <= _FOOTER_BLOCKS and (not wrapped or lines.alone(j)):
        s = texts[j]
        if _is_furniture(s) or _is_trailing_intro(s):
            kinds[j] = BlockKind.BOILERPLATE
        elif _is_dateline(s):
            kinds[j] = BlockKind.DATELINE
            _read_dateline(s, meta)
        elif meta.author is None and (name := _byline(s)) is not None:
            kinds[j] = BlockKind.BYLINE
            meta.author = name
        else:
            break
        body_end = j
        j -= 1

    # ---- body paragraphs: a line each, or runs of lines when the text is hard-wrapped
    starts = lines.starts
    blocks: list[Block] = [_block(kinds[k], texts[k], starts[k]) for k in range(lead_index)]
    words = 0
    lead_done = False
    lead_text: str | None = None
    open_caption = False  # the previous block is a caption listed in meta.captions
    captions, credits, blank = meta.captions, meta.credits, lines.blank
    body, lead, caption_kind = BlockKind.BODY, BlockKind.LEAD, BlockKind.CAPTION
    append = blocks.append
    k = lead_index
    while k < body_end:
        last = k
        if wrapped:
            while last + 1 < body_end and not blank[last + 1]:
                last += 1
        start = starts[k]
        s = texts[k] if last == k else text[start : lines.end(last)]
        size = len(s)
        count = _count_words(s)  # needed by the caption test and for all but furniture
        kind = body
        opened = False
        # cheap tests first: most paragraphs are too long to be anything but BODY
        if k == lead_index and meta.title_derived:
            kind = lead
        elif (
            size <= _CREDITED_CAPTION_MAX_CHARS
            and ":" in s[-80:]
            and (credit := _credit(s)) is not None
        ):
            kind = caption_kind
            caption = " ".join(s[: credit[0]].split()).rstrip(" -–—|,")
            if caption:
                captions.append(caption)
                credits.append(credit[1])
                opened = True
            elif open_caption and credits[-1] is None:
                credits[-1] = credit[1]  # a credit on its own line below its caption
        elif last == k and size <= _META_MAX_CHARS and _is_furniture(s):
            kind = BlockKind.BOILERPLATE
        elif (
            last == k
            and size <= _CAPTION_MAX_CHARS
            and last + 1 < body_end
            and s[-1] not in _NOT_CAPTION_END
            and _is_caption(s, count)
        ):
            kind = caption_kind
            captions.append(s)
            credits.append(None)
            opened = True
        if kind is body and not lead_done:
            kind = lead
        if kind is lead:
            lead_done = True
            if lead_text is None:
                lead_text = s
        if kind is not BlockKind.BOILERPLATE:
            words += count
        open_caption = opened
        append(_block(kind, s, start))
        k = last + 1
    blocks.extend(_block(kinds[k], texts[k], starts[k]) for k in range(body_end, n))

    if meta.date is None and lead_text is not None:
        m = _opener(lead_text)
        if m is not None:
            meta.date = _date_from(m.group("date") or m.group("pdate"))
    meta.blocks = blocks
    meta.words = words
    return meta


def _new_block(kind: BlockKind, text: str, start: int) -> Block:
    """`Block(kind, text, start)` in half the time: a frozen dataclass's __init__ goes through
    object.__setattr__ for each field, this sets the three slots directly."""
    block = _BLOCK_NEW(Block)
    _SET_KIND(block, kind)
    _SET_TEXT(block, text)
    _SET_START(block, start)
    return block


_BLOCK_NEW = object.__new__
_SET_KIND = Block.kind.__set__  # type: ignore[attr-defined]
_SET_TEXT = Block.text.__set__  # type: ignore[attr-defined]
_SET_START = Block.start.__set__  # type: ignore[attr-defined]
# Should Block ever validate or derive fields in __post_init__, use its constructor.
_block = (
    _new_block
    if not hasattr(Block, "__post_init__")
    and Block.__slots__ == ("kind", "text", "start")
    and _new_block(BlockKind.BODY, "x", 1) == Block(BlockKind.BODY, "x", 1)
    else Block
)


def _hard_wrapped(lines: _Lines, first: int, end: int) -> bool:
    """Whether the body is hard-wrapped: short lines in runs, paragraphs between blank lines.

    Then a paragraph is a run of lines; otherwise (as in most saved web articles) every line
    is a paragraph, even with no blank line between two of them.
    """
    count = end - first
    if count < 4:
        return False
    joined = lines.blank[first + 1 : end].count(False)  # lines right below another
    if joined * 2 < count:
        return False
    long_lines = sum(len(s) > 120 for s in lines.texts[first:end])
    return long_lines * 10 <= count


# --- header helpers -----------------------------------------------------------------------


def _take_datelines(
    texts: list[str], kinds: dict[int, BlockKind], i: int, meta: Metadata, limit: int
) -> int:
    """Mark up to `limit` dateline lines from line `i` on; return the next line's index."""
    taken = 0
    while i < len(texts) and taken < limit and _is_dateline(texts[i]):
        kinds[i] = BlockKind.DATELINE
        _read_dateline(texts[i], meta)
        i += 1
        taken += 1
    return i


def _is_section(lines: _Lines, i: int) -> bool:
    """A short line above the title, like "Tin tức - Sự kiện nổi bật" (not the title)."""
    texts = lines.texts
    s = texts[i]
    if len(s) > 60 or s[-1] in _NOT_CAPTION_END:
        return False
    nwords = _count_words(s)
    if not 1 <= nwords <= 8:
        return False
    nxt = texts[i + 1]
    if not lines.blank[i + 1] or not _is_title_like(nxt) or _count_words(nxt) <= nwords:
        return False
    f = _fold(s)
    if _DATE.search(f) or _TIME.search(f):
        return False
    after = texts[i + 2] if i + 2 < len(texts) else None
    if after is not None and _is_dateline(after):
        return True
    if _BREADCRUMB.search(s):
        return True
    return nwords <= 4 and after is not None and _looks_like_lead(after)


def _is_junk(s: str) -> bool:
    """A line that cannot be a title: no letters at all ("* * *"), or a bare web address."""
    if len(s) > _META_MAX_CHARS:
        return False
    if _URL.match(s):
        return " " not in s
    return _LETTER.search(s) is None


_URL = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


def _is_title_like(s: str) -> bool:
    return len(s) <= 300 and s[-1] not in ".,;:" and _count_words(s) <= 40 and not _is_dateline(s)


def _looks_like_lead(s: str) -> bool:
    """Whether a first line is a body paragraph rather than a title."""
    if len(s) > 320:
        return True
    nwords = _count_words(s)
    if nwords > 40:
        return True
    if s[-1] in ".…" and nwords >= 20:
        return True
    return nwords >= 12 and _opener(s) is not None


def _opener(s: str) -> re.Match[str] | None:
    """The dateline opening a lead ("Chiều 22-10, ", "Sáng ngày 3/4, "), if any."""
    if _DIGIT.search(s, 0, 160) is None:  # no date to find (folding keeps digits digits)
        return None
    m = _OPENER.match(_fold_head(s, 160))
    if m is None or _date_from(m.group("date") or m.group("pdate")) is None:
        return None
    return m


def _split_title(s: str) -> tuple[str, ArticleDate | None, str | None]:
    """The title without an appended date/time, and that date and time."""
    tail = s.rstrip(_SPACES_AND_PAREN)  # the tail pattern ends with a digit, then [\s)]*$
    if not tail or not tail[-1].isdecimal():
        return s, None, None
    cut = max(0, len(s) - 60)
    m = _TITLE_TAIL.search(_fold(s)[cut:] if len(s) <= _FOLD_CACHE_CHARS else _fold(s[cut:]))
    if m is not None:
        date_src = m.group("d1") or m.group("d2")
        time_src = m.group("t1") or m.group("t2")
        date = _date_from(date_src)
        time = _time_from(time_src) if time_src else None
        title = s[: cut + m.start()].rstrip(" \t\u00a0|,-–—(")
        if date is not None and (date.year is not None or time is not None) and title:
            return title, date, time
    return s, None, None


def _derive_title(lead: str) -> str:
    """A short title from a lead paragraph: its first clause, without the dateline."""
    s = lead[:400]
    m = _opener(s)
    if m is not None and m.end() < len(s):
        s = s[m.end() :]
    s = s.strip(" \t\u00a0,:;-–—")
    words = s.split()
    if not words:
        words = lead[:400].split()
    # cut at the first strong boundary that leaves at least three words
    out: list[str] = []
    for w in words:
        out.append(w)
        if len(out) >= _DERIVED_TITLE_WORDS:
            break
        if len(out) >= 3 and w[-1] in ".;:!?…" and not _is_abbreviation(w):
            break
    if len(out) >= _DERIVED_TITLE_WORDS and len(words) > len(out):
        # no clause boundary within the limit: prefer ending after a comma
        commas = [k for k, w in enumerate(out) if w.endswith(",") and k >= 5]
        if commas:
            out = out[: commas[-1] + 1]
    title = " ".join(out)
    if title.count("(") > title.count(")"):
        title = title[: title.rfind("(")]
    title = title.rstrip(" \t\u00a0,.;:!?…-–—(\"'“‘")
    if title.count("“") > title.count("”"):
        title = title.replace("“", "")
    return title[:1].upper() + title[1:]


def _is_abbreviation(word: str) -> bool:
    """ "TS.", "TP.", "Mr." end with a period that does not end a sentence."""
    core = word.rstrip(".")
    return (
        word.endswith(".")
        and 0 < len(core) <= 3
        and core[:1].isupper()
        and (core.isupper() or len(core) <= 2)
    )


# --- datelines ----------------------------------------------------------------------------


def _is_dateline(s: str) -> bool:
    """A short line made of dates, times, view counts and their labels."""
    if len(s) > _META_MAX_CHARS:
        return False
    f = _fold(s)
    if _kept_words(f) > 6:
        return False
    if not (_DATE.search(f) or _TIME.search(f) or _META_KEY.search(f)):
        return False
    rest = _VIEWS.sub(" ", f)
    rest = _DATE.sub(" ", rest)
    rest = _TIME.sub(" ", rest)
    rest = _META_FILLER.sub(" ", rest)
    if _META_AUTHOR.search(rest):
        return len(_LETTER_WORD.findall(_META_AUTHOR.sub(" ", rest))) <= 6
    return len(_LETTER_WORD.findall(rest)) <= 2


def _kept_words(f: str) -> int:
    """How many words of folded `f` surely survive the substitutions of `_is_dateline`.

    Counts (up to 7) the all-letter tokens that none of those patterns can remove in full:
    not one of their words, not starting with an author label, and not ending with the start
    of a view label ("…luot xem 5") unless what precedes it is itself one of their words.
    """
    kept = 0
    for token in f.split():
        if not token.isalpha() or token in _DATELINE_WORDS or token.startswith(_AUTHOR_WORDS):
            continue
        if token.endswith(_VIEWS_HEADS) and any(
            token.endswith(h) and token[: -len(h)] in _DATELINE_WORDS for h in _VIEWS_HEADS
        ):
            continue
        kept += 1
        if kept > 6:
            break
    return kept


# Every word the dateline patterns (_DATE, _TIME, _VIEWS, _META_FILLER) can remove, the ways
# _VIEWS can begin inside a token, and the labels _META_AUTHOR removes from a token's start.
_VIEWS_HEADS = ("luot", "luotxem", "luotdoc", "so", "solan", "solanxem", "view", "views")
_DATELINE_WORDS = frozenset(
    (
        *_VIEWS_HEADS, "xem", "doc", "lan", "lanxem", "", "ngay", "thang", "nam", "gio",
        "dang", "cap", "nhat", "luc", "tai", "thoi", "gian", "published", "updated", "posted",
        "last", "on", "at", "gmt", "utc", "am", "pm", "sang", "chieu", "toi", "trua", "thu",
        "hai", "ba", "tu", "sau", "bay", "chu", "mon", "tue", "wed", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    )
)  # fmt: skip
_AUTHOR_WORDS = ("tac", "gia", "bai", "va", "anh", "by", "author")


def _read_dateline(s: str, meta: Metadata) -> None:
    """Fill date, time, views and author from a dateline line (the first one found wins)."""
    f = _fold(s)
    if meta.author is None and (m := _META_AUTHOR.search(f)) is not None:
        end = _META_AUTHOR_END.search(f, m.end())
        meta.author = _byline(s[m.end() : end.start() if end else len(s)].strip(" ,-–—"))
    if meta.views is None:
        m = _VIEWS.search(f) or _VIEWS_AFTER.search(f)
        if m is not None:
            meta.views = int(re.sub(r"\D", "", m.group(1)))
    if meta.date is None:
        for m in _DATE.finditer(_VIEWS.sub(lambda v: " " * len(v.group()), f)):
            date = _date_from(m.group())
            if date is not None:
                meta.date = date
                break
    if meta.time is None:
        m = _TIME.search(f)
        if m is not None:
            meta.time = _time_from(m.group())


def _date_from(src: str | None) -> ArticleDate | None:
    """The validated date in a matched date string (day, month, optional year)."""
    if not src:
        return None
    parts = [int(p) for p in _DATE_PARTS.findall(src)]
    if len(parts) < 2:
        return None
    day, month = parts[0], parts[1]
    year = parts[2] if len(parts) > 2 else None
    if not 1 <= month <= 12:
        return None
    if year is not None and not 1800 <= year <= 2200:
        return None
    last = _MONTH_DAYS[month]  # a date without a year may be 29/2
    if month == 2 and year is not None and not calendar.isleap(year):
        last = 28
    if not 1 <= day <= last:
        return None
    return ArticleDate(year, month, day)


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _time_from(src: str) -> str | None:
    m = _TIME.search(src)
    if m is None:
        return None
    return f"{int(m.group(1)):02d}:{m.group(2)}"


# --- body and footer helpers --------------------------------------------------------------


def _credit(s: str) -> tuple[int, str] | None:
    """(offset, credit) of a photo credit ending a caption ("… Ảnh: BP"), if any."""
    cut = max(0, len(s) - 80)
    if len(s) > _CREDITED_CAPTION_MAX_CHARS or s.find(":", cut) < 0:
        return None
    # the credit holds no ":", so its label ("Ảnh", "Photo"…) ends just before the last one
    label = s[: s.rfind(":")].rstrip()[-6:]
    if not _fold(label).endswith(_CREDIT_LABEL_ENDS):
        return None
    m = _CREDIT.search(_fold(s[cut:]))
    if m is None:
        return None
    credit = s[cut + m.start("credit") : cut + m.end("credit")].strip()
    if not credit or _count_words(credit) > 6:
        return None
    return cut + m.start(), credit


def _is_caption(s: str, nwords: int) -> bool:
    """A short line between paragraphs without sentence punctuation ("Quang cảnh hội nghị").

    `nwords` is `_count_words(s)`.
    """
    if len(s) > _CAPTION_MAX_CHARS or s[-1] in _NOT_CAPTION_END or " " not in s:
        return False
    if not 2 <= nwords <= _CAPTION_MAX_WORDS:
        return False
    # a numbered or bulleted line is a list item or a heading; an ALL-CAPS one a subheading
    return not (_LIST_MARKER.match(s[:8].lower()) or s.isupper())


def _is_furniture(s: str) -> bool:
    """Share/print/"Xem thêm" site furniture."""
    if len(s) > _META_MAX_CHARS:
        return False
    head = s.lstrip("([")[:2]
    ok = _FURNITURE_HEAD_OK.get(head)
    if ok is None:
        if len(_FURNITURE_HEAD_OK) >= _FOLD_CACHE_SIZE:
            _FURNITURE_HEAD_OK.clear()
        ok = _FURNITURE_HEAD_OK[head] = _fold(head) in _FURNITURE_HEADS
    if not ok:
        return False
    if len(s) > 80:  # only a bare furniture phrase or a "Xem thêm:" prefix is left to check
        bare = s.strip(_FURNITURE_STRIP)  # these characters fold only from themselves
        if len(bare) <= _FURNITURE_LONGEST and _fold(bare) in _FURNITURE:
            return True
        head = _fold(s[:48])
        if _FURNITURE_PREFIX.match(head):
            return True
        # a match running past the head would need the head to be a prefix word and spaces
        return _FURNITURE_OPEN.match(head) is not None and bool(_FURNITURE_PREFIX.match(_fold(s)))
    f = _fold(s)
    if f.strip(_FURNITURE_STRIP) in _FURNITURE or _FURNITURE_PREFIX.match(f):
        return True
    if len(s) <= 60 and _SOURCE_LINE.match(f) and " " in s:
        # "Theo TTXVN", "Nguồn: Báo Nhân Dân": the source, named like a byline
        return _byline(s.split(" ", 1)[1].lstrip(": ")) is not None
    if len(s) > 80 or not _FURNITURE_SPLIT.search(f):
        return False
    parts = [p.strip(" :.!|»>") for p in _FURNITURE_SPLIT.split(f)]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in _FURNITURE for p in parts)


def _is_trailing_intro(s: str) -> bool:
    """A short line ending with ":" that introduces nothing ("Một số hình ảnh tại Hội nghị:")."""
    return len(s) <= 150 and s.endswith(":") and _count_words(s) <= 15


def _byline(s: str) -> str | None:
    """The author's name if `s` is a byline ("Minh Cường", "CẨM TUYẾT", "Bài, ảnh: X")."""
    if len(s) > 80:
        return None
    f = _fold(s)
    if _SOURCE_LINE.match(f):  # "Theo TTXVN" names a source, not an author
        return None
    m = _BYLINE_PREFIX.match(f)
    name = s[m.end() :].strip() if m is not None else s
    if not name or name[-1] in _SENTENCE_END + ":;,":
        return None
    body = name
    if body.endswith(")") and "(" in body:  # "Minh Cường (TTXVN)"
        body = body[: body.rfind("(")].rstrip()
    tokens = body.split()
    names = [t for t in tokens if t.lower() not in _NAME_SEPARATORS]
    if not 1 <= len(names) <= 5:
        return None
    for t in names:
        core = t.rstrip(".,")
        if not core or not core[0].isupper() or not all(c.isalpha() or c in ".-'’" for c in core):
            return None
    if len(names) == 1 and m is None and len(names[0]) < 2:
        return None
    return name


def _count_words(s: str) -> int:
    """Whitespace-separated tokens, not counting lone dashes and bars ("a – b" is 2 words)."""
    if not s:
        return 0
    if "  " not in s and s.isprintable():  # single spaces only: count without splitting
        n = s.count(" ") + 1 - (s[0] == " ") - (s[-1] == " ")
    else:
        n = len(s.split())
    for dash in _DASHES:
        if dash[1] in s:  # a one-character search is much cheaper than counting " – "
            n -= s.count(dash)
    if n <= 1 and not _WORD_CHAR.search(s):
        return 0
    return max(n, 0)


_WORD_CHAR = re.compile(r"[^\W_]")
