"""The search query language (fzf-like) and its parser.

`parse_query` never raises: unbalanced quotes, lone operators, brackets and control characters
degrade to literal text (which folds to nothing when it is only punctuation) or are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from reader.bytefold import fold_bytes

__all__ = ["QUERY_HELP", "Clause", "DateSpec", "Query", "Scope", "Term", "parse_query"]

QUERY_HELP = (
    "Type words in any case, with or without diacritics (Tan Son Hoa, tân sơn hoà and "
    "TÂN SƠN HÒA are the same); every word must occur, and words found together, in order, "
    "rank first, then title before author, section or date, lead, body, and newer first. "
    "The last word may be unfinished (tan son h); end with a space to rank it as a whole "
    "word. Abbreviations work both ways (hdnd = Hội đồng nhân dân), so do finished initials "
    '("tsh " = Tân Sơn Hòa), words typed without spaces (tansonhoa) and small typos '
    "(tan son hao). "
    "Operators: 'word = exactly this word (no typos or prefixes; with diacritics typed, "
    'exactly those), "a phrase" = these words together, !word = exclude, ^word = the title '
    "starts with it, a | b = either, title:word, author:word (also tieude:, tacgia:), "
    "date:2025, date:10/2025, date:22/10 or date:22/10/2025 (also ngay:)."
)


class Scope(StrEnum):
    """Where a term must match."""

    ANY = "any"
    TITLE = "title"
    AUTHOR = "author"
    DATE = "date"


_SCOPES = {
    "title": Scope.TITLE,
    "tieude": Scope.TITLE,
    "author": Scope.AUTHOR,
    "tacgia": Scope.AUTHOR,
    "date": Scope.DATE,
    "ngay": Scope.DATE,
}


@dataclass(frozen=True, slots=True)
class DateSpec:
    """A date filter; None parts match anything. Articles whose year is unknown never
    match a filter that names a year."""

    year: int | None = None
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: folded syllables plus the operators written on it."""

    text: str  # as typed (NFC), operators removed
    syllables: tuple[str, ...]  # folded syllables ("tp.hcm" -> ("tp", "hcm"))
    exact: bool = False  # 'term: no prefix, typo, acronym or spaceless matching
    quoted: bool = False  # its syllables must be adjacent ("a phrase", or "TP.HCM")
    prefix: bool = False  # the last word may be unfinished
    scope: Scope = Scope.ANY
    anchored: bool = False  # ^term: the title starts with it
    marked: bool = False  # typed with diacritics: the exact-diacritic tier applies
    date: DateSpec | None = None

    @property
    def folded(self) -> str:
        """The syllables joined by single spaces."""
        return " ".join(self.syllables)


@dataclass(frozen=True, slots=True)
class Clause:
    """Terms joined by `|`: a document matches the clause if it matches any of them."""

    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Query:
    """All clauses must match; no excluded term may."""

    clauses: tuple[Clause, ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing positive is asked (such a query returns no hits)."""
        return not self.clauses


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TOKEN = re.compile(r'[^\s"]*"[^"]*"|\S+')
_DATE_PARTS = re.compile(r"\d+")


def _has_marks(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(c) for c in decomposed) or any(c in "đĐ" for c in text)


def parse_date(value: str) -> DateSpec | None:
    """`2025`, `10/2025`, `22/10`, `22/10/2025`, `2025-10`, `2025-10-22`, `10` (a month)."""
    parts = [int(p) for p in _DATE_PARTS.findall(value)]
    if not parts or len(parts) > 3 or any(p > 9999 for p in parts):
        return None
    year = month = day = None
    if len(parts) == 1:
        if parts[0] >= 1000:
            year = parts[0]
        else:
            month = parts[0]
    elif len(parts) == 2:
        a, b = parts
        if a >= 1000:
            year, month = a, b
        elif b >= 1000:
            month, year = a, b
        else:
            day, month = a, b
    else:
        if parts[0] >= 1000:
            year, month, day = parts
        else:
            day, month, year = parts
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return DateSpec(year, month, day)


def _split_word(word: str) -> tuple[str, bool]:
    """Strip a balanced pair of double quotes; return (text, quoted)."""
    if len(word) >= 2 and word[0] == '"' and word[-1] == '"':
        return word[1:-1], True
    return word.replace('"', " "), False


def _make_term(raw: str, *, is_last: bool) -> tuple[Term | None, bool]:
    """Build a term from one query word; return (term or None, negated)."""
    negated = exact = anchored = False
    scope = Scope.ANY
    word = raw
    # Operators may come in any order before the text: !, ', ^ and one scope.
    for _ in range(6):
        if word.startswith("!"):
            negated, word = True, word[1:]
        elif word.startswith("'"):
            exact, word = True, word[1:]
        elif word.startswith("^"):
            anchored, word = True, word[1:]
        else:
            head, sep, tail = word.partition(":")
            key = fold_bytes(head).decode("ascii").strip()
            if sep and scope is Scope.ANY and key in _SCOPES and head.isalpha():
                scope, word = _SCOPES[key], tail
            else:
                break
    text, quoted = _split_word(word)
    if scope is Scope.DATE:
        spec = parse_date(text)
        if spec is not None:
            return Term(text, (), scope=scope, date=spec), negated
        scope = Scope.ANY  # not a date: search the text itself
    syllables = tuple(fold_bytes(text).decode("ascii").split())
    if not syllables:
        return None, negated
    prefix = is_last and not (exact or quoted or negated or raw.endswith('"'))
    return (
        Term(
            text=text,
            syllables=syllables,
            exact=exact,
            quoted=quoted or len(syllables) > 1,
            prefix=prefix,
            scope=scope,
            anchored=anchored,
            marked=_has_marks(text),
        ),
        negated,
    )


def parse_query(query: str) -> Query:
    """Parse a query string (any Unicode normalization form); never raises."""
    if not isinstance(query, str):
        return Query()
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", query))
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if word.count('"') == 2 and word.endswith('"'):
            words.append(word)
            continue
        # A bare word may carry `|` inside ("a|b"): split it out as its own word.
        for piece in re.split(r"(\|)", word):
            if piece:
                words.append(piece)
    ends_open = bool(text) and not text[-1].isspace()
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for n, word in enumerate(words):
        if word == "|":
            join_next = bool(clauses)
            continue
        term, negated = _make_term(word, is_last=ends_open and n == len(words) - 1)
        if term is None:
            continue
        if negated:
            excluded.append(term)
            join_next = False
            continue
        if join_next and clauses:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    return Query(tuple(Clause(tuple(c)) for c in clauses), tuple(excluded))
