"""Word and phrase patterns over folded text (one byte per character, see reader.bytefold).

Folded text holds only [a-z0-9] and spaces, so a word starts after a space (or where the
text starts) and ends before one; the words of a phrase are one space apart (one space,
line break or punctuation mark in the original). Patterns start with a literal so the regex
engine can scan for it quickly (a look-behind first is 20x slower); the left word boundary
is checked on each match instead.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NamedTuple

from reader.query import Scope

__all__ = [
    "BOUND_R",
    "GAP",
    "PROX_UNKNOWN",
    "Pattern",
    "Pos",
    "Tier",
    "contains_words",
    "find_words",
    "literal_phrase",
    "proximity",
    "search_docs",
    "wider_phrases",
    "word_matches",
]

BOUND_R = rb"(?![^ \n])"  # a word ends here
GAP = b" "  # between the words of a phrase
PROX_UNKNOWN = 99
_PROXIMITY_OCCURRENCES = 12


class Tier(IntEnum):
    """How a hit matched, strongest first."""

    EXACT = 0  # the words with the diacritics as typed (only when some were typed)
    PHRASE = 1  # the folded words, together and in order
    PREFIX = 2  # the same, the last word unfinished ("tan son h")
    ABBREVIATION = 3  # glossary rewrites both ways ("hdnd" <-> "hội đồng nhân dân")
    SPACELESS = 4  # a word typed without spaces ("tansonhoa")
    ACRONYM = 5  # initials of consecutive syllables not in the glossary ("tsnh")
    TYPO = 6  # one word replaced by a close vocabulary word ("tan son hao")
    SCATTERED = 7  # every word somewhere, not together


class Pos(NamedTuple):
    """One syllable position of a pattern: any of `tokens`, or a token starting with `stem`.

    A named tuple rather than a frozen dataclass: phrases (tuples of these) key the search's
    caches, and a tuple hashes in C (a dict look-up of a five-word phrase: 0.9 -> 0.16 us)."""

    tokens: tuple[bytes, ...]
    stem: bytes | None = None

    def regex(self) -> bytes:
        parts = [re.escape(t) for t in sorted(self.tokens, key=len, reverse=True)]
        if self.stem is not None:
            parts.append(re.escape(self.stem) + rb"[^ \n]*")
        return parts[0] if len(parts) == 1 else b"(?:" + b"|".join(parts) + b")"


@dataclass(slots=True)
class Pattern:
    """A way a unit can match: positions that must all occur (adjacent if `phrase`)."""

    tier: Tier
    positions: tuple[Pos, ...]  # folded tokens, for the postings
    phrase: bool
    exact: tuple[Pos, ...] | None = None  # tier EXACT: positions in exact bytes
    scope: Scope = Scope.ANY
    _regex: re.Pattern[bytes] | None = None
    # How `find` looks for it, worked out once (see _find_plan); None: with the regex.
    _plan: Callable[[bytes, int, int], tuple[int, int] | None] | None = field(
        default=None, compare=False, repr=False
    )
    _planned: bool = field(default=False, compare=False, repr=False)
    # slot -> where a document holds it (see reader.search), for patterns kept across searches
    seen: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    # typo patterns of earlier queries that hold every match of this one (see reader.plan)
    wider: list[Pattern] = field(default_factory=list, compare=False, repr=False)
    # (len(seen), bits of the slots seen without a match) when last worked out
    absent: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    @property
    def needs_verify(self) -> bool:
        return (self.phrase and len(self.positions) > 1) or self.exact is not None

    def regex(self) -> re.Pattern[bytes]:
        if self._regex is None:
            positions = self.exact if self.exact is not None else self.positions
            if self.phrase:
                body = GAP.join(p.regex() for p in positions)
            else:  # scattered: any one of the positions (for proximity and spans)
                body = b"(?:" + b"|".join(p.regex() for p in positions) + b")"
            self._regex = re.compile(body + BOUND_R)
        return self._regex

    def find(self, data: bytes, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        """Where this pattern matches `data[start:end]` (verified), or None."""
        end = len(data) if end is None else end
        if not self._planned:
            self._plan = self._find_plan()
            self._planned = True
        plan = self._plan
        if plan is not None:
            return plan(data, start, end)
        for m in word_matches(self.regex(), data, start, end):
            return m.span()
        return None

    def _find_plan(self) -> Callable[[bytes, int, int], tuple[int, int] | None] | None:
        """A search with bytes.find (which beats the regex engine) for plain words, with at
        most one position of several words (a typo window), in folded text; else None."""
        if self.exact is not None or not self.phrase:
            return None
        positions = self.positions
        needle, whole = literal_phrase(positions)
        if needle is not None:
            return functools.partial(_find_literal, needle=needle, whole=whole)
        several = [i for i, p in enumerate(positions) if len(p.tokens) > 1 and p.stem is None]
        if len(several) != 1:
            return None
        at = several[0]
        words = frozenset(positions[at].tokens)
        head, _ = literal_phrase(positions[:at])
        tail, whole = literal_phrase(positions[at + 1 :])
        if head is None or tail is None or (at and not _plain(positions[:at])):
            return None
        if not at:  # a typo window on the first word: find the rest
            return functools.partial(_find_after, first=words, rest=GAP + tail, whole=whole)
        return functools.partial(_find_around, head=head, words=words, tail=tail, whole=whole)


def _plain(positions: tuple[Pos, ...]) -> bool:
    """Is every position one whole word?"""
    return all(len(p.tokens) == 1 and p.stem is None for p in positions)


def _find_around(
    data: bytes,
    start: int,
    end: int,
    head: bytes,
    words: frozenset[bytes],
    tail: bytes,
    whole: bool,
) -> tuple[int, int] | None:
    """`head` (plain words), then a word of `words`, then `tail` (plain words, the last
    unfinished unless `whole`; maybe none), where the phrase regex would find it first."""
    find = data.find
    lead = head + GAP
    size = len(lead)
    rest = GAP + tail
    spaced = b" " + lead
    i = _word_start(data, start, end, lead, spaced)
    while i != -1:
        j = i + size
        k = find(b" ", j, end)
        k = end if k == -1 else k
        if data[j:k] in words:
            if not tail:
                return i, k
            if data.startswith(rest, k, end):
                after = k + len(rest)
                if not whole:
                    return i, _word_end(data, after, end)
                if after >= end or data[after] in (32, 10):
                    return i, after
        i = _next_word_start(data, i, end, spaced)
    return None


def _find_literal(
    data: bytes, start: int, end: int, needle: bytes, whole: bool
) -> tuple[int, int] | None:
    """`needle` in data[start:end] starting a word (and ending one if `whole`)."""
    size = len(needle)
    spaced = b" " + needle
    i = _word_start(data, start, end, needle, spaced)
    while i != -1:
        after = i + size
        if not whole or after >= end or data[after] in (32, 10):
            return i, after if whole else _word_end(data, after, end)
        i = _next_word_start(data, i, end, spaced)
    return None


def _word_start(data: bytes, start: int, end: int, needle: bytes, spaced: bytes) -> int:
    """The first place in data[start:end] where a word starts with `needle` (`spaced`: the
    needle after a space), or -1.

    Folded bytes hold no newline inside a document (chunk buffers put one between
    documents, outside any range searched), so inside the range a word starts after a space:
    searching for the space too skips the many places where a short needle ends a word
    ("h" in "nhan", "thanh") at C speed."""
    if data.startswith(needle, start, end) and (start == 0 or data[start - 1] in (32, 10)):
        return start
    return _next_word_start(data, start, end, spaced)


def _next_word_start(data: bytes, i: int, end: int, spaced: bytes) -> int:
    """The next place after `i` (in data[:end]) where a word starts with the needle that
    `spaced` has after a space, or -1."""
    j = data.find(spaced, i, end)
    return j + 1 if j != -1 else -1


def _word_end(data: bytes, i: int, end: int) -> int:
    """Where the word running through `i` ends (for an unfinished last word)."""
    space = data.find(b" ", i, end)
    return end if space == -1 else space


def _find_after(
    data: bytes, start: int, end: int, first: frozenset[bytes], rest: bytes, whole: bool
) -> tuple[int, int] | None:
    """A word of `first` followed by `rest` (which starts with the space between them)."""
    find = data.find
    size = len(rest)
    i = find(rest, start, end)
    while i != -1:
        after = i + size
        if not whole or after >= end or data[after] in (32, 10):
            j = data.rfind(b" ", start, i)
            word_start = start if j == -1 else j + 1
            if data[word_start:i] in first:
                return word_start, after
        i = find(rest, i + 1, end)
    return None


def word_matches(
    rx: re.Pattern[bytes], data: bytes, start: int, end: int
) -> Iterator[re.Match[bytes]]:
    """Matches of `rx` in data[start:end] that begin a word (after a space, newline or start)."""
    pos = start
    search = rx.search
    while True:
        m = search(data, pos, end)
        if m is None:
            return
        s = m.start()
        if s == 0 or data[s - 1] in (32, 10):
            yield m
            pos = m.end() if m.end() > s else s + 1
        else:
            pos = s + 1


def wider_phrases(positions: tuple[Pos, ...]) -> Iterator[tuple[Pos, ...]]:
    """Phrases of two or more positions whose documents include those of `positions` (and
    differ from it): every run of its consecutive positions, each also with its last word cut
    to a shorter start ("hoi dong nhan da" -> "hoi do", "dong nhan", "nhan d" …)."""
    for end in range(len(positions), 1, -1):
        last = positions[end - 1]
        lasts = (last, *_shorter_starts(last))
        for start in range(end - 1):
            head = positions[start : end - 1]
            for pos in lasts:
                wider = (*head, pos)
                if wider != positions:
                    yield wider


def _shorter_starts(pos: Pos) -> tuple[Pos, ...]:
    """Unfinished-word positions that match every word `pos` matches, longest first."""
    if pos.stem is not None and not pos.tokens:
        word, longest = pos.stem, len(pos.stem) - 1
    elif pos.stem is None and len(pos.tokens) == 1:
        word, longest = pos.tokens[0], len(pos.tokens[0])
    else:
        return ()
    return tuple(Pos((), word[:size]) for size in range(longest, 0, -1))


def literal_phrase(positions: tuple[Pos, ...]) -> tuple[bytes | None, bool]:
    """(the phrase as plain bytes, whether its last word must end there) when every word is
    one literal (the last maybe only a start), else (None, True)."""
    words = []
    for i, pos in enumerate(positions):
        if len(pos.tokens) == 1 and pos.stem is None:
            words.append(pos.tokens[0])
        elif not pos.tokens and pos.stem is not None and i == len(positions) - 1:
            return GAP.join([*words, pos.stem]), False
        else:
            return None, True
    return GAP.join(words), True


def contains_words(data: bytes, start: int, end: int, needle: bytes, whole: bool) -> bool:
    """Does `needle` occur in data[start:end] starting a word (and ending one if `whole`)?"""
    return _find_literal(data, start, end, needle, whole) is not None


def find_words(buffer: bytes, needle: bytes, whole: bool, starts: list[int]) -> Iterator[int]:
    """Indexes of the documents of a chunk buffer that hold `needle` (which starts with the
    space before its first word), each once, in order."""
    find = buffer.find
    size = len(needle)
    end = len(buffer)
    i = find(needle)
    while i != -1:
        after = i + size
        if whole and after < end and buffer[after] not in (32, 10):
            i = find(needle, i + 1)
            continue
        doc = bisect.bisect_right(starts, i + 1) - 1
        yield doc
        i = find(needle, starts[doc + 1] - 1)


def search_docs(
    search: Callable[..., re.Match[bytes] | None], buffer: bytes, starts: list[int]
) -> Iterator[int]:
    """Indexes of the documents of a chunk buffer where `search` matches, each once."""
    m = search(buffer)
    while m is not None:
        doc = bisect.bisect_right(starts, m.start() + 1) - 1
        yield doc
        m = search(buffer, starts[doc + 1] - 1)


def proximity(positions: tuple[Pos, ...], data: bytes, start: int, end: int) -> int:
    """How far apart the words of a scattered match are in data[start:end], in steps of
    about six syllables: 0 when one window of 32 characters holds every word, up to 99."""
    # Occurrences of each word (character offsets), then the narrowest window holding one
    # of each: a k-way walk over the sorted lists.
    # Only the first occurrences of each word count: enough to rank, and common words
    # ("dang", "da…") occur dozens of times in an article.
    lists = []
    for word, whole, finders in _proximity_finders(positions):
        if word is not None:  # one word (or a word's start): found with bytes.find
            found = _word_offsets(data, start, end, word, whole)
        else:
            at_start, after_space = finders
            found = [start] if at_start(data, start, end) else []
            found.extend(
                m.start() + 1
                for m in itertools.islice(
                    after_space(data, start, end), _PROXIMITY_OCCURRENCES - len(found)
                )
            )
        if not found:
            return PROX_UNKNOWN
        lists.append(found)
    heap = [(offsets[0], i, 0) for i, offsets in enumerate(lists)]
    heapq.heapify(heap)
    right = max(offsets[0] for offsets in lists)
    best = right - heap[0][0]
    while True:
        left, i, j = heapq.heappop(heap)
        best = min(best, right - left)
        if j + 1 == len(lists[i]):
            break
        nxt = lists[i][j + 1]
        right = max(right, nxt)
        heapq.heappush(heap, (nxt, i, j + 1))
    return min(best // 32, PROX_UNKNOWN)


_WordFinders = tuple[
    Callable[..., re.Match[bytes] | None], Callable[..., Iterator[re.Match[bytes]]]
]


def _word_offsets(data: bytes, start: int, end: int, word: bytes, whole: bool) -> list[int]:
    """Where `word` starts a word in data[start:end] (and ends one, if `whole`), at most
    _PROXIMITY_OCCURRENCES times: what the position's regexes find, at C speed."""
    size = len(word)
    found = []
    if data.startswith(word, start, end):
        after = start + size
        if not whole or after >= end or data[after] in (32, 10):
            found.append(start)
    spaced = GAP + word
    i = _next_word_start(data, start, end, spaced)
    while i != -1 and len(found) < _PROXIMITY_OCCURRENCES:
        after = i + size
        if not whole or after >= end or data[after] in (32, 10):
            found.append(i)
        i = _next_word_start(data, i, end, spaced)
    return found


@functools.lru_cache(maxsize=256)
def _proximity_finders(
    positions: tuple[Pos, ...],
) -> tuple[tuple[bytes | None, bool, _WordFinders | None], ...]:
    """For each position: its one word (and whether it must be whole) when it has one,
    else a match of it where a field starts and its matches after a space."""
    out: list[tuple[bytes | None, bool, _WordFinders | None]] = []
    for pos in positions:
        if len(pos.tokens) == 1 and pos.stem is None:
            out.append((pos.tokens[0], True, None))
        elif not pos.tokens and pos.stem is not None:
            out.append((pos.stem, False, None))
        else:
            out.append((None, False, (_word_regex(pos).match, _single_regex(pos).finditer)))
    return tuple(out)


@functools.lru_cache(maxsize=512)
def _single_regex(pos: Pos) -> re.Pattern[bytes]:
    """One word of a pattern, after a space."""
    return re.compile(GAP + pos.regex() + BOUND_R)


@functools.lru_cache(maxsize=512)
def _word_regex(pos: Pos) -> re.Pattern[bytes]:
    """One word of a pattern (to match where a field starts)."""
    return re.compile(pos.regex() + BOUND_R)
