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
import heapq
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
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


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: spans index the article's NFC title and the snippet."""

    article: Article
    score: float
    title_spans: list[Span] = field(default_factory=list)
    snippet: str = ""
    snippet_spans: list[Span] = field(default_factory=list)
    tier: Tier = Tier.PHRASE
    field: MatchField = MatchField.BODY


# -- patterns ---------------------------------------------------------------------------------

# Patterns start with a literal so the regex engine can scan for it quickly (a look-behind
# first is 20x slower); the left word boundary is checked on each match instead.
_BOUND_R = rb"(?![^ \n])"
_GAP = b" "  # words of a phrase are separated by one space or punctuation mark
_PROX_UNKNOWN = 99
#: At most this many typo windows per unit, closest first.
_MAX_TYPO_WINDOWS = 16
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


# -- the engine -------------------------------------------------------------------------------


class SearchIndex:
    """An index over articles that answers queries, best first.

    Build it at once (`SearchIndex(articles)`) or in pieces (`add`) while loading; `add`
    replaces an article with the same id (live reload), `remove` drops one.
    """

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self._index = InvertedIndex()
        self._glossary = load_glossary()
        self._adjacency: dict[tuple[_Pos, _Pos], int] = {}
        self._adjacency_generation = -1
        self.add(articles)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, articles: Iterable[Article]) -> None:
        """Index (or re-index, by id) these articles."""
        for article in articles:
            self._index.add(article)
        self._index.flush()

    def remove(self, article_id: str) -> bool:
        """Drop the article with this id; return whether it was indexed."""
        return self._index.remove(article_id)

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Hits for `query`, best first (see reader.query for the syntax). Never raises on a
        malformed query; an empty or operator-only query has no hits."""
        if limit <= 0 or not isinstance(query, str) or not query.strip():
            return []
        parsed = parse_query(query)
        if parsed.empty:
            return []
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
        return _Unit(patterns, scattered, size=len(terms))

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
        out.append(_Pattern(Tier.PHRASE, literal, True))
        if exact_only:
            return out, None
        if last_prefix:
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
        # TYPO: one word replaced by a vocabulary neighbour, kept when the whole window is
        # within the cutoff (ratios are of the folded query and window, computed here once).
        query_text = " ".join(syllables)
        cutoff = typo_cutoff(query_text)
        windows: list[tuple[float, tuple[str, ...]]] = []
        for i, syllable in enumerate(syllables):
            for near in typo_neighbours(syllable, vocab):
                window = (*syllables[:i], near, *syllables[i + 1 :])
                score = window_ratio(query_text, " ".join(window))
                if score >= cutoff:
                    windows.append((score, window))
        ranked = []
        for score, window in windows:
            present = self._index.alive
            for word in window:
                present &= self._index.bits(Field.ALL, word.encode("ascii"))
                if not present:
                    break
            if present:
                ranked.append((-score, -present.bit_count(), window))
        ranked.sort()
        for _, _, window in ranked[:_MAX_TYPO_WINDOWS]:
            positions = tuple(_Pos((w.encode("ascii"),)) for w in window)
            out.append(_Pattern(Tier.TYPO, positions, True))
        scattered = None
        if multi and not required_phrase:
            scattered = _Pattern(Tier.SCATTERED, prefixed, phrase=False)
        return out, scattered

    # -- classes and candidates ---------------------------------------------------------------

    def _pos_bits(self, postings: int, pos: _Pos) -> int:
        ix = self._index
        bits = ix.any_bits(postings, pos.tokens)
        if pos.stem is not None:
            bits |= ix.prefix_bits(postings, pos.stem.decode("ascii"))
        return bits

    def _pattern_bits(self, pattern: _Pattern, where: MatchField) -> int:
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
            # Only documents where each pair of neighbouring words occurs side by side.
            for a, b in itertools.pairwise(positions):
                bits &= self._adjacent(a, b)
                if not bits:
                    return 0
        return max(bits, 0)

    def _adjacent(self, a: _Pos, b: _Pos) -> int:
        """The documents where a word of `a` is directly followed by a word of `b`.

        Computed once per pair by scanning the documents that hold both words (narrowed by
        the cached result for a shorter prefix while the user types), then cached until the
        index changes.
        """
        ix = self._index
        cache = self._adjacency
        if self._adjacency_generation != ix.generation or len(cache) > 4096:
            cache.clear()
            self._adjacency_generation = ix.generation
        key = (a, b)
        cached = cache.get(key)
        if cached is not None:
            return cached
        candidates = self._pos_bits(Field.ALL, a) & self._pos_bits(Field.ALL, b) & ix.alive
        for wider in _wider(a, b):
            known = cache.get(wider)
            if known is not None:
                candidates &= known
                break
        bits = self._scan_adjacent(a, b, candidates)
        cache[key] = bits
        return bits

    def _scan_adjacent(self, a: _Pos, b: _Pos, candidates: int) -> int:
        docs = self._index.docs
        found = bytearray((candidates.bit_length() + 7) // 8)
        simple = (
            len(a.tokens) == 1
            and a.stem is None
            and ((len(b.tokens) == 1 and b.stem is None) or (not b.tokens and b.stem is not None))
        )
        if simple:
            needle = a.tokens[0] + _GAP + (b.tokens[0] if b.tokens else b.stem or b"")
            whole = b.stem is None
            for slot in iter_bits(candidates):
                doc = docs[slot]
                if doc is not None and _contains(doc.folded, needle, whole):
                    found[slot >> 3] |= 1 << (slot & 7)
        else:
            rx = re.compile(a.regex() + _GAP + b.regex() + _BOUND_R)
            for slot in iter_bits(candidates):
                doc = docs[slot]
                if doc is None:
                    continue
                for _ in _matches(rx, doc.folded, 0, len(doc.folded)):
                    found[slot >> 3] |= 1 << (slot & 7)
                    break
        return int.from_bytes(found, "little")

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
        for pattern in unit.patterns:
            for where in _SEARCH_FIELDS:
                out.append(_Class(pattern.tier, where, None, pattern))
        if unit.scattered is not None:
            for where in _SEARCH_FIELDS:
                out.append(_Class(Tier.SCATTERED, where, None, unit.scattered, scattered=True))
        out.sort(key=lambda c: (c.tier, c.where))
        return out

    def _bits(self, cls: _Class) -> int:
        """The documents of a class (computed on first use)."""
        if cls.bits is None:
            assert cls.pattern is not None
            cls.bits = self._pattern_bits(cls.pattern, cls.where)
        return cls.bits

    def _check(self, cls: _Class, doc: DocData) -> bool:
        """Does the document (already in cls.bits) really match the class?"""
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
        for cls in unit.classes:
            if self._bits(cls) >> slot & 1 and self._check(cls, doc):
                prox = _proximity(cls.pattern, doc, cls.where) if cls.scattered else 0
                return int(cls.tier), int(cls.where), prox
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
        """The best `limit` (score, slot) pairs; score = (tier, field, proximity, rank)."""
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
        heap: list[tuple[tuple, int]] = []  # (negated score, slot): heap[0] is the worst
        done: set[int] = set()
        for cls in primary.classes:
            if len(heap) >= limit and (cls.tier, cls.where) >= _neg(heap[0][0])[:2]:
                break
            bits = candidates & self._bits(cls)
            if not bits:
                continue
            seen = 0
            for slot in ix.newest_first(bits):
                if slot in done:
                    continue
                rank = ix.rank(slot)
                if len(heap) >= limit and (cls.tier, cls.where, 0, rank) >= _neg(heap[0][0]):
                    break
                doc = ix.docs[slot]
                if doc is None or not self._check(cls, doc):
                    continue
                done.add(slot)
                prox = 0
                if cls.scattered:
                    seen += 1
                    prox = _proximity(cls.pattern, doc, cls.where) if seen <= 2 * limit else 99
                score: tuple[int, int, int] | None = (int(cls.tier), int(cls.where), prox)
                if excluded_phrases and any(_phrase_in(p, doc) for p in excluded_phrases):
                    continue
                for other in others:
                    sub = self._unit_score(other, doc, slot)
                    if sub is None or score is None:
                        score = None
                        break
                    score = (max(score[0], sub[0]), max(score[1], sub[1]), score[2] + sub[2])
                if score is None:
                    continue
                full = (*score, rank)
                if len(heap) < limit:
                    heapq.heappush(heap, (_neg(full), slot))
                elif full < _neg(heap[0][0]):
                    heapq.heapreplace(heap, (_neg(full), slot))
        return sorted((_neg(key), slot) for key, slot in heap)

    # -- hits ---------------------------------------------------------------------------------

    def _hit(self, slot: int, score: tuple, query: Query, units: list[_Unit]) -> Hit:
        doc = self._index.docs[slot]
        assert doc is not None
        article = doc.article
        tier, where, prox, _ = score
        title_spans = match_spans(article.title, query)
        if not title_spans and where == MatchField.TITLE:
            found = self._locate(doc, units, doc.title, doc.title_exact, 0)
            if found is not None:
                title_spans = [found]
        location = self._locate(doc, units, doc.folded, doc.exact, _body_start(article))
        snippet, snippet_spans = snippet_around(article, location, query)
        value = 1000.0 - 100 * tier - 20 * where - min(prox, 19)
        return Hit(
            article, value, title_spans, snippet, snippet_spans, Tier(tier), MatchField(where)
        )

    def _locate(
        self, doc: DocData, units: list[_Unit], folded: bytes, exact: bytes, start: int
    ) -> Span | None:
        """The first place, from `start`, where the strongest pattern of the query matches."""
        for unit in units:
            patterns = [*unit.patterns, *([unit.scattered] if unit.scattered else [])]
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


def _contains(data: bytes, needle: bytes, whole: bool) -> bool:
    """Does `needle` occur in `data` starting a word (and ending one if `whole`)?"""
    find = data.find
    size = len(needle)
    i = find(needle)
    while i != -1:
        if (i == 0 or data[i - 1] in (32, 10)) and (
            not whole or i + size == len(data) or data[i + size] in (32, 10)
        ):
            return True
        i = find(needle, i + 1)
    return False


def _wider(a: _Pos, b: _Pos) -> Iterator[tuple[_Pos, _Pos]]:
    """Pairs whose adjacency is a superset of (a, b)'s: a shorter prefix of the last word."""
    if b.stem is not None and not b.tokens and len(b.stem) > 1:
        yield a, _Pos((), b.stem[:-1])
    elif b.stem is None and len(b.tokens) == 1:
        yield a, _Pos((), b.tokens[0])
        if len(b.tokens[0]) > 1:
            yield a, _Pos((), b.tokens[0][:-1])


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
