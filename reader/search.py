"""Search over a library: matching tiers, ranking, and the hits the UI shows.

A query (see `reader.query`) becomes *units* (clauses that must all match). Each unit has
*patterns*, one per matching tier, strongest first:

    EXACT        the words with the diacritics as typed (only when some were typed)
    PHRASE       the folded words, together and in order
    PREFIX       the same with the last word unfinished ("tan son h")
    ABBREVIATION glossary rewrites both ways ("hdnd" <-> "hội đồng nhân dân") and initials
    SPACELESS    a word typed without spaces ("tansonhoa")
    TYPO         one word replaced by a vocabulary neighbour, the window of as many syllables
                 within a fuzz.ratio cutoff of the query ("tan son hao" -> "tan son hoa")
    SCATTERED    every word somewhere, not together

Hits are ranked by (tier, field, proximity, recency); fields are title > author/section/date
> lead > body. Candidate documents come from bitset postings (`reader.index`); they are
visited class by class, (tier, field) best first and newest first inside a class, and only
those that can still reach the top `limit` are verified with a regex on their folded text.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from reader.article import Article, BlockKind
from reader.bytefold import decode_exact, encode_lower, exact_bytes, fold_bytes
from reader.expand import (
    segmentations,
    tone_variants,
    typo_cutoff,
    typo_neighbours,
    window_ratio,
)
from reader.glossary import load_glossary
from reader.highlight import Span, match_spans, snippet_around
from reader.index import DocData, Field, InvertedIndex, iter_bits
from reader.query import Query, Scope, Term, parse_query

__all__ = ["Hit", "MatchField", "SearchIndex", "Span", "Tier", "match_spans"]


class Tier(IntEnum):
    """How a hit matched, strongest first."""

    EXACT = 0
    PHRASE = 1
    PREFIX = 2
    ABBREVIATION = 3
    SPACELESS = 4
    TYPO = 5
    SCATTERED = 6


class MatchField(IntEnum):
    """Where a hit matched, best first."""

    TITLE = 0
    META = 1  # author, section, date
    LEAD = 2
    BODY = 3


class Hit:
    """One search result: spans index the article's NFC title and the snippet.

    `title_spans`, `snippet` and `snippet_spans` are computed on first access (a list may
    ask for hundreds of hits and draw twenty), then kept.
    """

    __slots__ = ("_details", "_make", "article", "field", "score", "tier")

    def __init__(
        self,
        article: Article,
        score: float,
        title_spans: list[Span] | None = None,
        snippet: str = "",
        snippet_spans: list[Span] | None = None,
        tier: Tier = Tier.PHRASE,
        field: MatchField = MatchField.BODY,
        *,
        make: Callable[[], tuple[list[Span], str, list[Span]]] | None = None,
    ) -> None:
        self.article = article
        self.score = score
        self.tier = tier
        self.field = field
        self._make = make
        self._details: tuple[list[Span], str, list[Span]] | None = (
            None if make is not None else (title_spans or [], snippet, snippet_spans or [])
        )

    def _get(self) -> tuple[list[Span], str, list[Span]]:
        if self._details is None:
            assert self._make is not None
            self._details = self._make()
            self._make = None
        return self._details

    @property
    def title_spans(self) -> list[Span]:
        """Where the query matches the title: (start, end) offsets into article.title."""
        return self._get()[0]

    @property
    def snippet(self) -> str:
        """One line of the body around the best match (the lead's start if none)."""
        return self._get()[1]

    @property
    def snippet_spans(self) -> list[Span]:
        """Where the query matches the snippet: (start, end) offsets into `snippet`."""
        return self._get()[2]

    def __repr__(self) -> str:
        return (
            f"Hit({self.article.id!r}, score={self.score:g}, tier={self.tier.name}, "
            f"field={self.field.name})"
        )


# -- patterns ---------------------------------------------------------------------------------

# Patterns start with a literal so the regex engine can scan for it quickly (a look-behind
# first is 20x slower); the left word boundary is checked on each match instead.
_BOUND_R = rb"(?![^ \n])"
_GAP = b" "  # words of a phrase are separated by one space or punctuation mark
_PROX_UNKNOWN = 99
#: At most this many typo windows per unit, closest first.
_MAX_TYPO_WINDOWS = 8
#: Documents verified one by one in a phrase class before scanning for word adjacency.
_LAZY_CHECKS = 1000
#: Typo windows are a best-effort "did you mean": at most this many documents are verified
#: for them per search (newest first), and they never trigger an adjacency scan.
_TYPO_CHECKS = 1500
#: Successor maps kept (one per word that starts a phrase pair).
_MAX_SUCCESSOR_MAPS = 256
_SEARCH_FIELDS = (MatchField.TITLE, MatchField.META, MatchField.LEAD, MatchField.BODY)
_POSTINGS = {
    MatchField.TITLE: Field.TITLE,
    MatchField.META: Field.META,
    MatchField.LEAD: Field.LEAD,
    MatchField.BODY: Field.ALL,
}


@dataclass(frozen=True, slots=True)
class _Pos:
    """One syllable position of a pattern: any of `tokens`, or a token starting with `stem`."""

    tokens: tuple[bytes, ...]
    stem: bytes | None = None

    def regex(self) -> bytes:
        parts = [re.escape(t) for t in sorted(self.tokens, key=len, reverse=True)]
        if self.stem is not None:
            parts.append(re.escape(self.stem) + rb"[^ \n]*")
        return parts[0] if len(parts) == 1 else b"(?:" + b"|".join(parts) + b")"


@dataclass(slots=True)
class _Pattern:
    """A way a unit can match: positions that must all occur (adjacent if `phrase`)."""

    tier: Tier
    positions: tuple[_Pos, ...]  # folded tokens, for the postings
    phrase: bool
    exact: tuple[_Pos, ...] | None = None  # tier EXACT: positions in exact bytes
    scope: Scope = Scope.ANY
    _regex: re.Pattern[bytes] | None = None

    @property
    def needs_verify(self) -> bool:
        return (self.phrase and len(self.positions) > 1) or self.exact is not None

    def regex(self) -> re.Pattern[bytes]:
        if self._regex is None:
            positions = self.exact if self.exact is not None else self.positions
            if self.phrase:
                body = _GAP.join(p.regex() for p in positions)
            else:  # scattered: any one of the positions (for proximity and spans)
                body = b"(?:" + b"|".join(p.regex() for p in positions) + b")"
            self._regex = re.compile(body + _BOUND_R)
        return self._regex

    def find(self, data: bytes, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        """Where this pattern matches `data[start:end]` (verified), or None."""
        end = len(data) if end is None else end
        for m in _matches(self.regex(), data, start, end):
            return m.span()
        return None


def _matches(rx: re.Pattern[bytes], data: bytes, start: int, end: int) -> Iterator[re.Match[bytes]]:
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


@dataclass(slots=True)
class _Class:
    """Documents that can match a unit at (tier, field): `bits` from the postings, `check`
    (if any) verifies one document; `proximity` (scattered classes) orders within it."""

    tier: int
    where: MatchField
    bits: int | None  # None: not computed yet (see SearchIndex._bits)
    pattern: _Pattern | None = None  # verified with pattern.find when it needs it
    anchored: bytes | None = None  # ^term: the folded title starts with this
    anchored_prefix: bool = False
    scattered: bool = False


@dataclass(slots=True)
class _Unit:
    """A clause of the query: it matches if any of its patterns does."""

    patterns: list[_Pattern]
    scattered: _Pattern | None = None  # every word somewhere (plain runs of 2+ words)
    date_bits: int | None = None  # date: filters (no text to match)
    anchors: list[tuple[bytes, bool]] = field(default_factory=list)  # ^term: (stem, prefix)
    size: int = 1  # number of syllables, to pick the primary unit
    classes: list[_Class] = field(default_factory=list)
    typo_syllables: list[str] = field(default_factory=list)  # a run: typo windows on demand
    typo_patterns: list[_Pattern] | None = None


# -- the engine -------------------------------------------------------------------------------


class SearchIndex:
    """An index over articles that answers queries, best first.

    Build it at once (`SearchIndex(articles)`) or in pieces (`add`) while loading; `add`
    replaces an article with the same id (live reload), `remove` drops one.
    """

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self._index = InvertedIndex()
        self._lock = threading.RLock()
        self._glossary = load_glossary()
        self._successors: dict[bytes, dict[bytes, int]] = {}
        self._pairs: dict[tuple[_Pos, _Pos], int] = {}
        self._adjacency_generation = -1
        self.add(articles)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, articles: Iterable[Article]) -> None:
        """Index (or re-index, by id) these articles. Safe to call from a loader thread
        while another thread searches (each article is added under the index lock)."""
        lock = self._lock
        # Indexing makes millions of small objects and no cycles: the cyclic collector
        # would only rescan the growing heap over and over (a fifth of the build time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for article in articles:
                with lock:
                    self._index.add(article)
            with lock:
                self._index.flush()
        finally:
            if collecting:
                gc.enable()

    def remove(self, article_id: str) -> bool:
        """Drop the article with this id; return whether it was indexed."""
        with self._lock:
            return self._index.remove(article_id)

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Hits for `query`, best first (see reader.query for the syntax). Never raises on a
        malformed query; an empty or operator-only query has no hits."""
        if limit <= 0 or not isinstance(query, str) or not query.strip():
            return []
        parsed = parse_query(query)
        if parsed.empty:
            return []
        with self._lock:
            self._index.flush()
            units = self._units(parsed)
            ranked = self._rank(units, parsed, limit)
            return [self._hit(slot, score, parsed, units) for score, slot in ranked]

    # -- query compilation --------------------------------------------------------------------

    def _units(self, query: Query) -> list[_Unit]:
        units: list[_Unit] = []
        run: list[Term] = []

        def close_run() -> None:
            if run:
                units.append(self._run_unit(list(run)))
                run.clear()

        for clause in query.clauses:
            term = clause.terms[0]
            plain = (
                len(clause.terms) == 1
                and term.scope is Scope.ANY
                and not term.anchored
                and not term.quoted
                and not term.exact
                and len(term.syllables) == 1
            )
            if plain:
                run.append(term)
            else:
                close_run()
                units.append(self._clause_unit(clause.terms))
        close_run()
        for unit in units:
            unit.classes = self._classes(unit)
        return units

    def _run_unit(self, terms: list[Term]) -> _Unit:
        words = []
        for term in terms:
            exact = _exact_words(term.text)
            words.append(exact[0] if len(exact) == 1 else term.syllables[0])
        patterns, scattered = self._patterns(
            [t.syllables[0] for t in terms],
            words,
            marked=any(t.marked for t in terms),
            last_prefix=terms[-1].prefix,
            required_phrase=False,
        )
        return _Unit(
            patterns, scattered, size=len(terms), typo_syllables=[t.syllables[0] for t in terms]
        )

    def _clause_unit(self, terms: Sequence[Term]) -> _Unit:
        unit = _Unit([], size=max(len(t.syllables) for t in terms))
        for term in terms:
            if term.scope is Scope.DATE and term.date is not None:
                unit.date_bits = (unit.date_bits or 0) | self._date_bits(term)
                continue
            if term.anchored:
                unit.anchors.append((term.folded.encode("ascii"), term.prefix))
                continue
            words = _exact_words(term.text)
            if len(words) != len(term.syllables):
                words = list(term.syllables)
            patterns, _ = self._patterns(
                list(term.syllables),
                words,
                marked=term.marked,
                last_prefix=term.prefix,
                required_phrase=True,
                exact_only=term.exact,
            )
            for p in patterns:
                p.scope = term.scope
            unit.patterns.extend(patterns)
        unit.patterns.sort(key=lambda p: p.tier)
        return unit

    def _date_bits(self, term: Term) -> int:
        spec = term.date
        assert spec is not None
        bits = self._index.alive
        for key, value in ((b"y", spec.year), (b"m", spec.month), (b"d", spec.day)):
            if value is not None:
                bits &= self._index.bits(Field.DATE, key + str(value).encode("ascii"))
        return bits

    def _patterns(
        self,
        syllables: list[str],
        words: list[str],
        *,
        marked: bool,
        last_prefix: bool,
        required_phrase: bool,
        exact_only: bool = False,
    ) -> tuple[list[_Pattern], _Pattern | None]:
        """The patterns of consecutive syllables, strongest tier first.

        `words` are the same syllables lower-cased with their diacritics as typed."""
        last_prefix = last_prefix and not exact_only
        encoded = tuple(s.encode("ascii") for s in syllables)
        multi = len(syllables) > 1
        literal = tuple(_Pos((e,)) for e in encoded)
        prefixed = (*literal[:-1], _Pos((), encoded[-1])) if last_prefix else literal
        out: list[_Pattern] = []
        if marked:
            exact_positions = []
            for i, word in enumerate(words):
                variants = tuple(exact_bytes(encode_lower(v)) for v in tone_variants(word))
                if i == len(words) - 1 and last_prefix:
                    exact_positions.append(_Pos(variants[:0], variants[0]))
                else:
                    exact_positions.append(_Pos(variants))
            out.append(_Pattern(Tier.EXACT, prefixed, True, exact=tuple(exact_positions)))
            if exact_only:
                return out, None
        if not (last_prefix and multi):
            out.append(_Pattern(Tier.PHRASE, literal, True))
        if exact_only:
            return out, None
        if last_prefix:
            # While the last word is being typed, a phrase ending in it as a whole word is not
            # ranked apart from one ending in a longer word (a single word still is): proving
            # that "uy ba" occurs nowhere would cost a scan on nearly every keystroke.
            out.append(_Pattern(Tier.PREFIX, prefixed, True))
        vocab = self._index.vocabulary
        known = _VocabSet(vocab)
        for rewrite in self._glossary.rewrites(tuple(syllables)):
            positions = tuple(_Pos((s.encode("ascii"),)) for s in rewrite)
            out.append(_Pattern(Tier.ABBREVIATION, positions, True))
        for i, syllable in enumerate(syllables):
            if syllable in known:
                continue
            prefix_here = last_prefix and i == len(syllables) - 1
            for pieces in segmentations(syllable, known, prefix_last=prefix_here, prefixes=vocab):
                positions = [_Pos((p.encode("ascii"),)) for p in pieces]
                if prefix_here and pieces[-1] not in known:
                    positions[-1] = _Pos((), pieces[-1].encode("ascii"))
                spaced = (*literal[:i], *positions, *literal[i + 1 :])
                out.append(_Pattern(Tier.SPACELESS, spaced, True))
        scattered = None
        if multi and not required_phrase:
            scattered = _Pattern(Tier.SCATTERED, prefixed, phrase=False)
        return out, scattered

    def _typo_patterns(self, unit: _Unit) -> list[_Pattern]:
        """TYPO patterns of a run (made when ranking needs them): one word replaced by a
        vocabulary neighbour, kept when the window of as many syllables is within the cutoff
        of the query and its words occur together in some document."""
        if unit.typo_patterns is not None:
            return unit.typo_patterns
        syllables = unit.typo_syllables
        vocab = self._index.vocabulary
        query_text = " ".join(syllables)
        cutoff = typo_cutoff(query_text)
        ranked: list[tuple[float, int, tuple[str, ...]]] = []
        for i, syllable in enumerate(syllables):
            for near in typo_neighbours(syllable, vocab):
                window = (*syllables[:i], near, *syllables[i + 1 :])
                score = window_ratio(query_text, " ".join(window))
                if score < cutoff:
                    continue
                present = self._index.alive
                for word in window:
                    present &= self._index.bits(Field.ALL, word.encode("ascii"))
                    if not present:
                        break
                if present:
                    ranked.append((-score, -present.bit_count(), window))
        ranked.sort()
        unit.typo_patterns = [
            _Pattern(Tier.TYPO, tuple(_Pos((w.encode("ascii"),)) for w in window), True)
            for _, _, window in ranked[:_MAX_TYPO_WINDOWS]
        ]
        return unit.typo_patterns

    # -- classes and candidates ---------------------------------------------------------------

    def _pos_bits(self, postings: int, pos: _Pos) -> int:
        ix = self._index
        bits = ix.any_bits(postings, pos.tokens)
        if pos.stem is not None:
            bits |= ix.prefix_bits(postings, pos.stem.decode("ascii"))
        return bits

    def _pattern_bits(self, pattern: _Pattern, where: MatchField, *, scan: bool = True) -> int:
        """The documents where `pattern` can match in `where`.

        For phrases in the lead or body the set is narrowed to documents where each pair of
        neighbouring words occurs side by side; with `scan=False` only adjacency known without
        scanning documents is used (the set may then be larger: verify each document).
        """
        if pattern.scope is Scope.TITLE:
            if where is not MatchField.TITLE:
                return 0
            postings = Field.TITLE
        elif pattern.scope is Scope.AUTHOR:
            if where is not MatchField.META:
                return 0
            postings = Field.AUTHOR
        else:
            postings = _POSTINGS[where]
        bits = -1
        for pos in pattern.positions:
            bits &= self._pos_bits(postings, pos)
            if not bits:
                return 0
        positions = pattern.positions
        if pattern.phrase and len(positions) > 1 and where >= MatchField.LEAD:
            for a, b in itertools.pairwise(positions):
                pair = self._adjacent(a, b, scan=scan)
                if pair is not None:
                    bits &= pair
                if not bits:
                    return 0
        return max(bits, 0)

    def _adjacent(self, a: _Pos, b: _Pos, *, scan: bool = True) -> int | None:
        """The documents where the word `a` is directly followed by a word of `b`, or None
        when that needs a scan and `scan` is False.

        Answered from the successor map of `a`'s word (every word that follows it, with the
        documents where it does), built once by scanning the documents that hold it and kept
        until the index changes.
        """
        ix = self._index
        if self._adjacency_generation != ix.generation:
            self._successors.clear()
            self._pairs.clear()
            self._adjacency_generation = ix.generation
        key = (a, b)
        cached = self._pairs.get(key)
        if cached is not None:
            return cached
        if len(a.tokens) != 1 or a.stem is not None:
            return None  # not produced by the pattern builders
        successors = self._successors.get(a.tokens[0])
        if successors is None:
            if not scan:
                return None
            successors = self._successor_map(a.tokens[0])
        bits = 0
        for token in b.tokens:
            bits |= successors.get(token, 0)
        if b.stem is not None:
            stem = b.stem
            for token, docs in successors.items():
                if token.startswith(stem):
                    bits |= docs
        if len(self._pairs) > 4096:
            self._pairs.clear()
        self._pairs[key] = bits
        return bits

    def _successor_map(self, word: bytes) -> dict[bytes, int]:
        """Every word that directly follows `word` (one space or punctuation mark between),
        with the documents where it does."""
        ix = self._index
        # A leading space keeps a literal prefix for the regex engine ("an" alone would also
        # stop in every "toan ", "quan " …); a word at the very start is checked apart.
        rx = re.compile(_GAP + re.escape(word) + _GAP + rb"([a-z0-9]+)")
        start = re.compile(re.escape(word) + _GAP + rb"([a-z0-9]+)")
        search = rx.search
        slots: dict[bytes, list[int]] = {}
        docs = ix.docs
        for slot in iter_bits(ix.bits(Field.ALL, word) & ix.alive):
            doc = docs[slot]
            if doc is None:
                continue
            data = doc.folded
            following: set[bytes] = set()
            m = start.match(data)
            if m is not None:
                following.add(m.group(1))
            m = search(data)
            while m is not None:
                following.add(m.group(1))
                # Go on from the space before the follower: in "tu tu phat" it starts a pair.
                m = search(data, m.start(1) - 1)
            for token in following:
                found = slots.get(token)
                if found is None:
                    slots[token] = [slot]
                else:
                    found.append(slot)
        size = (len(docs) + 7) // 8
        out: dict[bytes, int] = {}
        for following, found in slots.items():
            if len(found) == 1:
                out[following] = 1 << found[0]
                continue
            buf = bytearray(size)
            for slot in found:
                buf[slot >> 3] |= 1 << (slot & 7)
            out[following] = int.from_bytes(buf, "little")
        if len(self._successors) >= _MAX_SUCCESSOR_MAPS:
            self._successors.pop(next(iter(self._successors)))
        self._successors[word] = out
        return out

    def _classes(self, unit: _Unit) -> list[_Class]:
        """Where and how well `unit` can match, best first."""
        out: list[_Class] = []
        if unit.date_bits is not None:
            out.append(_Class(Tier.PHRASE, MatchField.META, unit.date_bits))
        for stem, prefix in unit.anchors:
            first = stem.split()[0]
            pos = _Pos((), first) if prefix and b" " not in stem else _Pos((first,))
            bits = self._pos_bits(Field.FIRST, pos)
            out.append(_Class(Tier.PHRASE, MatchField.TITLE, bits, None, stem, prefix))
        # Pattern classes compute their documents only when ranking reaches them.
        out.extend(self._pattern_classes(unit.patterns))
        if unit.scattered is not None:
            for where in _SEARCH_FIELDS:
                out.append(_Class(Tier.SCATTERED, where, None, unit.scattered, scattered=True))
        out.sort(key=lambda c: (c.tier, c.where))
        return out

    @staticmethod
    def _pattern_classes(patterns: Iterable[_Pattern]) -> list[_Class]:
        return [_Class(p.tier, where, None, p) for p in patterns for where in _SEARCH_FIELDS]

    def _bits(self, cls: _Class) -> int:
        """The documents of a class (computed on first use, scanning if needed)."""
        if cls.bits is None:
            assert cls.pattern is not None
            cls.bits = self._pattern_bits(cls.pattern, cls.where)
        return cls.bits

    def _check(self, cls: _Class, doc: DocData) -> bool:
        """Does the document (already in the class's bits) really match the class?"""
        if cls.anchored is not None:
            title = b" ".join(doc.title.split())
            stem = cls.anchored
            if not title.startswith(stem):
                return False
            return cls.anchored_prefix or len(title) == len(stem) or title[len(stem)] == 32
        pattern = cls.pattern
        if pattern is None or cls.scattered or not pattern.needs_verify:
            return True
        exact = pattern.exact is not None
        if pattern.scope is Scope.AUTHOR:
            author = doc.article.author or ""
            data = exact_bytes(encode_lower(author)) if exact else fold_bytes(author)
            return pattern.find(data) is not None
        data, start, end = _field_data(doc, cls.where, exact=exact)
        return data is not None and pattern.find(data, start, end) is not None

    def _unit_score(self, unit: _Unit, doc: DocData, slot: int) -> tuple[int, int, int] | None:
        """The best (tier, field, proximity) of `unit` in one document, or None."""
        classes = unit.classes
        if unit.typo_syllables and not any(c.tier < Tier.TYPO for c in classes):
            classes = [*classes, *self._pattern_classes(self._typo_patterns(unit))]
        for cls in classes:
            if self._bits(cls) >> slot & 1 and self._check(cls, doc):
                prox = _proximity(cls.pattern, doc, cls.where) if cls.scattered else 0
                return int(cls.tier), int(cls.where), prox
        if unit.typo_syllables:
            for cls in self._pattern_classes(self._typo_patterns(unit)):
                if self._bits(cls) >> slot & 1 and self._check(cls, doc):
                    return int(cls.tier), int(cls.where), 0
        return None

    def _excluded(self, query: Query) -> tuple[int, list[_Pattern]]:
        """Bits of documents excluded outright, and phrase patterns to check per document."""
        bits = 0
        phrases: list[_Pattern] = []
        for term in query.excluded:
            tokens = tuple(s.encode("ascii") for s in term.syllables)
            if not tokens:
                continue
            postings = {Scope.TITLE: Field.TITLE, Scope.AUTHOR: Field.AUTHOR}.get(
                term.scope, Field.ALL
            )
            if len(tokens) == 1:
                bits |= self._index.bits(postings, tokens[0])
            else:
                positions = tuple(_Pos((t,)) for t in tokens)
                phrases.append(_Pattern(Tier.PHRASE, positions, True, scope=term.scope))
        return bits, phrases

    # -- ranking ------------------------------------------------------------------------------

    def _rank(self, units: list[_Unit], query: Query, limit: int) -> list[tuple[tuple, int]]:
        """The best `limit` (score, slot) pairs; score = (tier, field, proximity, rank).

        Classes of the primary unit are visited best first and their documents newest first;
        a class stops as soon as no later document can beat the `limit`-th hit. Phrase classes
        whose word adjacency is not known yet verify documents one by one and only scan for
        adjacency (once, cached) when that takes long, so a common phrase is found among the
        newest documents without reading the others.
        """
        ix = self._index
        candidates = ix.alive
        primary = max(units, key=lambda u: u.size)
        others = [u for u in units if u is not primary]
        for unit in others:
            possible = 0
            for cls in unit.classes:
                possible |= self._bits(cls)
            candidates &= possible
            if not candidates:
                return []
        excluded_bits, excluded_phrases = self._excluded(query)
        candidates &= ~excluded_bits
        if not candidates:
            return []
        ranking = _Ranking(limit)
        done: set[int] = set()
        classes = list(primary.classes)
        typo_added = not primary.typo_syllables
        i = 0
        while i < len(classes):
            cls = classes[i]
            if not typo_added and cls.tier >= Tier.TYPO:
                typo_added = True
                if not ranking.heap:  # typos only when nothing matched better
                    classes[i:i] = self._pattern_classes(self._typo_patterns(primary))
                    continue
            i += 1
            if ranking.full and (cls.tier, cls.where) >= ranking.worst[:2]:
                break
            self._visit(cls, candidates, others, excluded_phrases, ranking, done)
        return sorted((_neg(key), slot) for key, slot in ranking.heap)

    def _visit(
        self,
        cls: _Class,
        candidates: int,
        others: list[_Unit],
        excluded_phrases: list[_Pattern],
        ranking: _Ranking,
        done: set[int],
    ) -> None:
        """Offer the documents of one class to the ranking, newest first."""
        ix = self._index
        exact = cls.bits is not None or cls.pattern is None
        if exact:
            bits = candidates & self._bits(cls)
        else:
            assert cls.pattern is not None
            bits = candidates & self._pattern_bits(cls.pattern, cls.where, scan=False)
            if cls.pattern.tier >= Tier.TYPO or not cls.pattern.needs_verify:
                exact = True
        if not bits:
            return
        tier, where = int(cls.tier), int(cls.where)
        typo = tier == Tier.TYPO
        checked = 0
        scattered_seen = 0
        order = ix.newest_first(bits)
        while True:
            slot = next(order, None)
            if slot is None:
                return
            if slot in done:
                continue
            rank = ix.rank(slot)
            prox_bound = _PROX_UNKNOWN if scattered_seen >= 2 * ranking.limit else 0
            if ranking.full and (tier, where, prox_bound, rank) >= ranking.worst:
                return
            if typo:
                ranking.typo_checks += 1
                if ranking.typo_checks > _TYPO_CHECKS:
                    return
            elif not exact:
                checked += 1
                if checked > _LAZY_CHECKS:
                    # Verifying one by one is taking long: get the exact set (scan once, cached)
                    # and go on with its documents not seen yet.
                    exact = True
                    bits = candidates & self._bits(cls)
                    order = (s for s in ix.newest_first(bits) if ix.rank(s) >= rank)
                    continue
            doc = ix.docs[slot]
            if doc is None or not self._check(cls, doc):
                continue
            done.add(slot)
            prox = 0
            if cls.scattered:
                scattered_seen += 1
                prox = prox_bound or _proximity(cls.pattern, doc, cls.where)
            if excluded_phrases and any(_phrase_in(p, doc) for p in excluded_phrases):
                continue
            score: tuple[int, int, int] | None = (tier, where, prox)
            for other in others:
                sub = self._unit_score(other, doc, slot)
                if sub is None or score is None:
                    score = None
                    break
                score = (max(score[0], sub[0]), max(score[1], sub[1]), score[2] + sub[2])
            if score is not None:
                ranking.offer((*score, rank), slot)

    # -- hits ---------------------------------------------------------------------------------

    def _hit(self, slot: int, score: tuple, query: Query, units: list[_Unit]) -> Hit:
        doc = self._index.docs[slot]
        assert doc is not None
        tier, where, prox, _ = score
        value = 1000.0 - 100 * tier - 20 * where - min(prox, 19)

        def details() -> tuple[list[Span], str, list[Span]]:
            article = doc.article
            title_spans = match_spans(article.title, query)
            if not title_spans and where == MatchField.TITLE:
                found = self._locate(doc, units, doc.title, doc.title_exact, 0)
                if found is not None:
                    title_spans = [found]
            location = self._locate(doc, units, doc.folded, doc.exact, _body_start(article))
            snippet, snippet_spans = snippet_around(article, location, query)
            return title_spans, snippet, snippet_spans

        return Hit(doc.article, value, tier=Tier(tier), field=MatchField(where), make=details)

    def _locate(
        self, doc: DocData, units: list[_Unit], folded: bytes, exact: bytes, start: int
    ) -> Span | None:
        """The first place, from `start`, where the strongest pattern of the query matches."""
        for unit in units:
            patterns = [
                *unit.patterns,
                *(unit.typo_patterns or ()),
                *([unit.scattered] if unit.scattered else []),
            ]
            for pattern in patterns:
                if pattern.scope is not Scope.ANY:
                    continue
                data = exact if pattern.exact is not None else folded
                found = pattern.find(data, start)
                if found is not None:
                    return found
        return None


# -- helpers ------------------------------------------------------------------------------------


class _VocabSet:
    """`in` over the sorted vocabulary list, without building a set per query."""

    __slots__ = ("_vocab",)

    def __init__(self, vocab: list[str]) -> None:
        self._vocab = vocab

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        i = bisect.bisect_left(self._vocab, word)
        return i < len(self._vocab) and self._vocab[i] == word


class _Ranking:
    """The best `limit` hits so far: a heap of (negated score, slot), worst on top."""

    __slots__ = ("full", "heap", "limit", "typo_checks", "worst")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.typo_checks = 0
        self.heap: list[tuple[tuple, int]] = []
        self.full = False
        self.worst: tuple = ()

    def offer(self, score: tuple, slot: int) -> None:
        if not self.full:
            heapq.heappush(self.heap, (_neg(score), slot))
            self.full = len(self.heap) >= self.limit
        elif score < self.worst:
            heapq.heapreplace(self.heap, (_neg(score), slot))
        else:
            return
        if self.full:
            self.worst = _neg(self.heap[0][0])


def _neg(key: tuple) -> tuple:
    return tuple(-k for k in key)


def _exact_words(text: str) -> list[str]:
    """The words of `text` lower-cased with their diacritics."""
    return [decode_exact(t) for t in exact_bytes(encode_lower(text)).split()]


def _field_data(doc: DocData, where: MatchField, *, exact: bool) -> tuple[bytes | None, int, int]:
    if where is MatchField.TITLE:
        data = doc.title_exact if exact else doc.title
        return data, 0, len(data)
    if where is MatchField.META:
        return (None, 0, 0) if exact else (doc.meta, 0, len(doc.meta))
    data = doc.exact if exact else doc.folded
    if where is MatchField.LEAD:
        return data, doc.lead[0], doc.lead[1]
    return data, 0, len(data)


def _phrase_in(pattern: _Pattern, doc: DocData) -> bool:
    if pattern.scope is Scope.TITLE:
        return pattern.find(doc.title) is not None
    return pattern.find(doc.folded) is not None or pattern.find(doc.meta) is not None


def _proximity(pattern: _Pattern | None, doc: DocData, where: MatchField) -> int:
    """How far apart the words of a scattered match are: the fewest extra syllables in a
    window holding every word (0 = adjacent), capped at 99."""
    data, start, end = _field_data(doc, where, exact=False)
    if pattern is None or data is None:
        return 99
    singles = [re.compile(p.regex() + _BOUND_R) for p in pattern.positions]
    n = len(singles)
    last = [-1] * n
    best = 99
    spaces = 0
    previous = start
    for m in _matches(pattern.regex(), data, start, end):
        spaces += data.count(b" ", previous, m.start())
        previous = m.start()
        word = m.group()
        for i, single in enumerate(singles):
            if single.fullmatch(word):
                last[i] = spaces
        if min(last) >= 0:
            best = min(best, max(last) - min(last) + 1 - n)
            if best <= 0:
                return 0
    return max(best, 0)


def _body_start(article: Article) -> int:
    for block in article.blocks:
        if block.kind in (BlockKind.LEAD, BlockKind.BODY, BlockKind.CAPTION):
            return block.start
    return 0
