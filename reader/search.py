"""Search over a library: matching tiers, ranking, and the hits the UI shows.

A query (see `reader.query`) becomes *units* (clauses that must all match). Each unit has
*patterns*, one per matching tier, strongest first:

    EXACT        the words with the diacritics as typed (only when some were typed)
    PHRASE       the folded words, together and in order
    PREFIX       the same with the last word unfinished ("tan son h")
    ABBREVIATION glossary rewrites both ways ("hdnd" <-> "hội đồng nhân dân")
    SPACELESS    a word typed without spaces ("tansonhoa")
    ACRONYM      an unknown word read as the initials of consecutive syllables ("tsnh")
    TYPO         one word replaced by a vocabulary neighbour, the window of as many syllables
                 within a fuzz.ratio cutoff of the query ("tan son hao" -> "tan son hoa")
    SCATTERED    every word somewhere, not together

Hits are ranked by (tier, field, proximity, recency); fields are title > author/section/date
> lead > body. Candidate documents come from bitset postings (`reader.index`); they are
visited class by class, (tier, field) best first and newest first inside a class, and only
those that can still reach the top `limit` are verified with a regex on their folded text.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from reader.article import Article, BlockKind, block_spans
from reader.bytefold import encode_lower, exact_bytes, fold_bytes
from reader.glossary import load_glossary
from reader.highlight import Span, match_spans, snippet_around, spans_in
from reader.index import CHUNK_SHIFT, DocData, Field, InvertedIndex
from reader.phrase import (
    BOUND_R,
    GAP,
    PROX_UNKNOWN,
    Pattern,
    Pos,
    Tier,
    contains_words,
    find_words,
    literal_phrase,
    proximity,
    search_docs,
    wider_phrases,
    word_matches,
)
from reader.plan import Planner, Unit
from reader.query import Query, Scope, parse_query

__all__ = ["Hit", "Hits", "MatchField", "SearchIndex", "Span", "Tier", "match_spans"]


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


class Hits(list[Hit]):
    """The hits of one search, best first, and how many documents match in all.

    `total` is the number of matching documents, never below `len(self)`. When the list was
    cut at the limit it comes from the candidate bitsets without verifying every document:
    `exact` then tells whether it is the true count or an upper bound (a phrase, say, whose
    words are in more documents than the phrase itself).
    """

    __slots__ = ("exact", "total")

    def __init__(self, hits: Iterable[Hit] = (), total: int = 0, exact: bool = True) -> None:
        super().__init__(hits)
        self.total = max(total, len(self))
        self.exact = exact


# -- patterns ---------------------------------------------------------------------------------

#: Documents verified one by one in a lead or body class before a full scan.
_LAZY_CHECKS = 1000
#: Typo windows are a best-effort "did you mean": at most this many documents are verified
#: for them per search (newest first) and per 50 hits asked for, and they never trigger a
#: full scan. When the budget runs out the count is only an upper bound.
_TYPO_CHECKS = 600
#: Documents whose typo windows a typo pattern remembers, at most.
_SEEN_AT_MOST = 50_000
#: Below this many candidates a phrase is looked for document by document.
_PER_DOCUMENT_SCAN = 1500
#: Above this share of all documents, a phrase is looked for in whole chunk buffers.
_DENSE_POOL = 2 / 3
_CHUNK_MASK = (1 << (1 << CHUNK_SHIFT)) - 1  # the bits of one chunk
_SEARCH_FIELDS = (MatchField.TITLE, MatchField.META, MatchField.LEAD, MatchField.BODY)
_POSTINGS = {
    MatchField.TITLE: Field.TITLE,
    MatchField.META: Field.META,
    MatchField.LEAD: Field.LEAD,
    MatchField.BODY: Field.ALL,
}


@dataclass(slots=True)
class _Class:
    """Documents that can match a unit at (tier, field): `bits` from the postings, `check`
    (if any) verifies one document; `proximity` (scattered classes) orders within it."""

    tier: int
    where: MatchField
    bits: int | None  # None: not computed yet (see SearchIndex._bits)
    pattern: Pattern | None = None  # verified with pattern.find when it needs it
    anchored: bytes | None = None  # ^term: the folded title starts with this
    anchored_prefix: bool = False
    scattered: bool = False
    any_field: bool = False  # typo windows: found in the whole text, field worked out after
    verify: Callable[[DocData], bool] | None = None  # made on first use (see _verifier)


# -- the engine -------------------------------------------------------------------------------


class SearchIndex:
    """An index over articles that answers queries, best first.

    Build it at once (`SearchIndex(articles)`) or in pieces (`add`) while loading; `add`
    replaces an article with the same id (live reload), `remove` drops one.
    """

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self._index = InvertedIndex()
        self._lock = threading.RLock()
        self._planner = Planner(self._index, load_glossary())
        self._phrases: dict[tuple[Pos, ...], int] = {}  # phrase -> documents (BODY)
        self._phrases_generation = -1
        # (field, phrase) -> documents that may hold it there (title, metadata, lead): what a
        # complete visit of that class verified, to narrow the phrases typed after it
        self._field_phrases: dict[tuple[int, tuple[Pos, ...]], int] = {}
        self.add(articles)

    @classmethod
    def restored(cls, index: InvertedIndex) -> SearchIndex:
        """A search index over an already built InvertedIndex (see `reader.cache`)."""
        new = cls()
        new._index = index
        new._planner = Planner(index, load_glossary())
        index.prepare()
        return new

    @property
    def inverted(self) -> InvertedIndex:
        """The underlying inverted index (hold `lock` while reading it)."""
        return self._index

    @property
    def lock(self) -> threading.RLock:
        """The lock that `add`, `remove` and `search` take."""
        return self._lock

    def __len__(self) -> int:
        return len(self._index)

    def warm(self) -> None:
        """Work out now what the first keystrokes of most queries need: the documents of
        every one-letter prefix (16 ms and 1.3 MB at 100,000 articles, where each took
        0.03-0.4 ms on first use, a few of them on every new query)."""
        with self._lock:
            self._index.flush()
            self._index.warm_prefixes()

    def add(self, articles: Iterable[Article]) -> None:
        """Index (or re-index, by id) these articles. Safe to call from a loader thread
        while another thread searches (each article is added under the index lock)."""
        from reader.cache import no_gc

        lock = self._lock
        added = 0
        with no_gc():  # millions of small objects: see no_gc
            for article in articles:
                with lock:
                    self._index.add(article)
                added += 1
            with lock:
                self._index.flush()
                if added:
                    self._index.prepare()

    def remove(self, article_id: str) -> bool:
        """Drop the article with this id; return whether it was indexed."""
        with self._lock:
            return self._index.remove(article_id)

    def search(self, query: str, limit: int = 50) -> Hits:
        """Hits for `query`, best first (see reader.query for the syntax), with the total
        number of matching documents (see `Hits`). Never raises on a malformed query; an
        empty or operator-only query has no hits."""
        if limit <= 0 or not isinstance(query, str) or not query.strip():
            return Hits()
        parsed = parse_query(query)
        if parsed.empty:
            return Hits()
        with self._lock:
            self._index.flush()
            units = self._planner.units(parsed)
            for unit in units:
                unit.classes = self._classes(unit)
            ranked, cut = self._rank(units, parsed, limit)
            hits = [self._hit(slot, score, parsed, units) for score, slot in ranked]
            if len(hits) < limit and not cut:  # every match was found and verified
                return Hits(hits, len(hits), True)
            typos = cut or any(h.tier is Tier.TYPO for h in hits)
            total, exact = self._total(units, parsed, typos)
            # Typo windows checked in only some documents: more may match than were found.
            return Hits(hits, max(total, len(hits)), exact and not cut)

    def count(self, query: str) -> tuple[int, bool]:
        """How many documents match `query`, and whether that is exact (else an upper
        bound); as cheap as one search for a single hit."""
        hits = self.search(query, limit=1)
        return hits.total, hits.exact

    def _total(self, units: list[Unit], query: Query, typos: bool) -> tuple[int, bool]:
        """The documents that can match every unit, from the class bitsets without
        verification (no scans), and whether no document in that count could fail it."""
        ix = self._index
        candidates = ix.alive
        exact = True
        primary = max(units, key=lambda u: (not u.scoped, u.size))
        for unit in units:
            classes = list(unit.classes)
            if unit is primary and typos:
                classes += self._typo_classes(unit)
            sure = maybe = 0
            for cls in classes:
                bits, known = self._class_bound(cls)
                if known:
                    sure |= bits
                else:
                    maybe |= bits
            candidates &= sure | maybe
            if maybe & ~sure & candidates:
                exact = False
        excluded_bits, excluded_phrases = self._excluded(query)
        candidates &= ~excluded_bits
        if excluded_phrases:
            exact = False
        return candidates.bit_count(), exact

    def _class_bound(self, cls: _Class) -> tuple[int, bool]:
        """A class's documents without verifying any, and whether each of them matches."""
        pattern = cls.pattern
        if cls.anchored is not None:
            assert cls.bits is not None
            return cls.bits, b" " not in cls.anchored
        if pattern is None:
            return cls.bits or 0, True
        if cls.any_field:
            bits = self._pattern_bits(pattern, MatchField.BODY, scan=False)
            return bits | self._pattern_bits(pattern, MatchField.META, scan=False), False
        bits = cls.bits
        if bits is None:
            bits = self._pattern_bits(pattern, cls.where, scan=False)
        if not pattern.needs_verify:
            return bits, True
        # A body phrase whose documents were found by a complete scan is exact.
        known = self._streams(cls) and self._phrase_bits(pattern.positions, scan=False) is not None
        return bits, known

    # -- query compilation --------------------------------------------------------------------

    # -- classes and candidates ---------------------------------------------------------------

    def _pos_bits(self, postings: int, pos: Pos) -> int:
        ix = self._index
        bits = ix.any_bits(postings, pos.tokens)
        if pos.stem is not None:
            bits |= ix.prefix_bits(postings, pos.stem.decode("ascii"))
        return bits

    def _pattern_bits(self, pattern: Pattern, where: MatchField, *, scan: bool = True) -> int:
        """The documents where `pattern` can match in `where`.

        For phrases in the lead or body the set is narrowed to the documents whose text holds
        the phrase; with `scan=False` only what is cached is used (the set may then be larger:
        verify each document).
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
        # What is cached of this phrase or the phrases inside it first: it often settles the
        # class before a one-letter last word's postings are unioned ("tan son hoa quy c"
        # after "tan son hoa q" was found nowhere).
        positions = pattern.positions
        narrowed = None
        if _field_cached(pattern, where):
            narrowed = self._field_superset(int(where), positions)
        in_text = pattern.phrase and len(positions) > 1 and where >= MatchField.LEAD
        phrase = None
        if in_text:
            phrase = self._phrase_bits(positions, scan=False)
            if phrase is None:
                phrase = self._phrase_superset(positions)
        if narrowed == 0 or phrase == 0:
            return 0
        bits = -1
        for pos in positions:
            bits &= self._pos_bits(postings, pos)
            if not bits:
                return 0
        if narrowed is not None:
            bits &= narrowed
        if in_text and scan and self._phrases.get(positions) is None:
            phrase = self._phrase_bits(positions)  # one scan, over `bits` at most
        if phrase is not None:
            bits &= phrase
        return max(bits, 0)

    def _sync_phrases(self) -> None:
        if (
            self._phrases_generation != self._index.generation
            or len(self._phrases) > 4096
            or len(self._field_phrases) > 1024
        ):
            self._phrases.clear()
            self._field_phrases.clear()
            self._phrases_generation = self._index.generation

    def _phrase_bits(self, positions: tuple[Pos, ...], *, scan: bool = True) -> int | None:
        """The documents whose folded text holds the phrase: cached, else found by one scan
        (when `scan`), else None."""
        self._sync_phrases()
        cached = self._phrases.get(positions)
        if cached is not None or not scan:
            return cached
        ix = self._index
        pool = ix.alive
        for pos in positions:
            pool &= self._pos_bits(Field.ALL, pos)
        wider = self._phrase_superset(positions)
        if wider is not None:
            pool &= wider
        bits = _bits_of(self._scan_phrase(positions, pool))
        self._phrases[positions] = bits
        return bits

    def _phrase_superset(self, positions: tuple[Pos, ...]) -> int | None:
        """What the cached phrases inside this one (see `wider_phrases`) leave of its
        documents, or None when none is cached: "hoi do" found nowhere settles "hoi dong nhan
        dan" without a scan, whatever order they were typed in."""
        self._sync_phrases()
        phrases = self._phrases
        if not phrases:
            return None
        out = None
        for wider in wider_phrases(positions):
            cached = phrases.get(wider)
            if cached is not None:
                out = cached if out is None else out & cached
                if not out:
                    return 0
        return out

    def _field_superset(self, where: int, positions: tuple[Pos, ...]) -> int | None:
        """What the visits cached for this phrase in this field, or for the phrases inside it,
        leave of its documents there; None when none is cached."""
        self._sync_phrases()
        cache = self._field_phrases
        if not cache:
            return None
        out = cache.get((where, positions))
        for wider in wider_phrases(positions):
            cached = cache.get((where, wider))
            if cached is not None:
                out = cached if out is None else out & cached
        return out

    def _scan_phrase(self, positions: tuple[Pos, ...], pool: int) -> Iterator[int]:
        """The documents of `pool` whose folded text holds the phrase, newest first.

        When most documents are in the pool (and were added newest first), each chunk's
        concatenated text is searched as one, skipping non-matching documents at C speed;
        otherwise each document of the pool is searched. A phrase of plain words (the last
        maybe unfinished) is found with bytes.find, others with a regex.
        """
        ix = self._index
        needle, whole = literal_phrase(positions)
        body = GAP.join(p.regex() for p in positions) + BOUND_R
        dense = pool.bit_count() > ix.alive.bit_count() * _DENSE_POOL
        if ix.in_order and dense and pool.bit_count() > _PER_DOCUMENT_SCAN:
            search = re.compile(GAP + body).search
            last_chunk = (pool.bit_length() - 1) >> CHUNK_SHIFT
            for chunk in range(last_chunk + 1):
                local = (pool >> (chunk << CHUNK_SHIFT)) & _CHUNK_MASK
                if not local:
                    continue
                buffer, starts = ix.chunk_buffer(chunk)
                base = chunk << CHUNK_SHIFT
                if needle is not None:
                    found = find_words(buffer, GAP + needle, whole, starts)
                else:
                    found = search_docs(search, buffer, starts)
                for i in found:
                    if local >> i & 1:
                        yield base + i
            return
        docs = ix.docs
        if needle is not None:
            for slot in ix.newest_first(pool):
                doc = docs[slot]
                if doc is not None and contains_words(*doc.folded_span, needle, whole):
                    yield slot
            return
        rx = re.compile(body)
        for slot in ix.newest_first(pool):
            doc = docs[slot]
            if doc is not None:
                for _ in word_matches(rx, *doc.folded_span):
                    yield slot
                    break

    def _classes(self, unit: Unit) -> list[_Class]:
        """Where and how well `unit` can match, best first."""
        out: list[_Class] = []
        if unit.date_bits is not None:
            out.append(_Class(Tier.PHRASE, MatchField.META, unit.date_bits))
        for stem, prefix in unit.anchors:
            first = stem.split()[0]
            pos = Pos((), first) if prefix and b" " not in stem else Pos((first,))
            bits = self._pos_bits(Field.FIRST, pos)
            out.append(_Class(Tier.PHRASE, MatchField.TITLE, bits, None, stem, prefix))
        # Pattern classes compute their documents only when ranking reaches them.
        out.extend(self._pattern_classes(unit.patterns))
        if unit.scattered is not None:
            for where in _SEARCH_FIELDS:
                out.append(_Class(Tier.SCATTERED, where, None, unit.scattered, scattered=True))
        out.sort(key=lambda c: (c.tier, c.where))
        return out

    def _typo_classes(self, unit: Unit) -> list[_Class]:
        """One class per typo pattern, bounded by the title field; each document found in
        the text is placed in its best field afterwards."""
        return [
            _Class(Tier.TYPO, MatchField.TITLE, None, p, any_field=True)
            for p in self._planner.typo_patterns(unit)
        ]

    @staticmethod
    def _pattern_classes(patterns: Iterable[Pattern]) -> list[_Class]:
        return [_Class(p.tier, where, None, p) for p in patterns for where in _SEARCH_FIELDS]

    def _bits(self, cls: _Class) -> int:
        """The documents of a class (computed on first use, scanning if needed)."""
        if cls.bits is None:
            assert cls.pattern is not None
            cls.bits = self._pattern_bits(cls.pattern, cls.where)
        return cls.bits

    @staticmethod
    def _check(cls: _Class, doc: DocData) -> bool:
        """Does the document (already in the class's bits) really match the class?"""
        verify = cls.verify
        if verify is None:
            verify = cls.verify = _verifier(cls)
        return verify(doc)

    def _unit_score(self, unit: Unit, doc: DocData, slot: int) -> tuple[int, int, int] | None:
        """The best (tier, field, proximity) of `unit` in one document, or None."""
        for cls in unit.classes:
            if cls.tier >= Tier.TYPO and unit.typo_syllables:
                break
            if self._bits(cls) >> slot & 1 and self._check(cls, doc):
                prox = _proximity(cls.pattern, doc, cls.where) if cls.scattered else 0
                return int(cls.tier), int(cls.where), prox
        if unit.typo_syllables:
            for cls in self._typo_classes(unit):
                where = self._typo_field(cls, doc, slot)
                if where is not None:
                    return int(Tier.TYPO), int(where), 0
            for cls in unit.classes:
                if cls.scattered and self._bits(cls) >> slot & 1:
                    return int(cls.tier), int(cls.where), _proximity(cls.pattern, doc, cls.where)
        return None

    def _typo_field(self, cls: _Class, doc: DocData, slot: int) -> MatchField | None:
        """The best field where a typo window of an any-field class occurs, or None (kept
        per document with the pattern, which lives as long as the index does not change: a
        query retyped or with a space added checks the same windows in the same documents,
        and one typed on skips the documents where a window it starts with was not found)."""
        pattern = cls.pattern
        assert pattern is not None
        seen = pattern.seen
        if slot in seen:
            return seen[slot]
        for wider in pattern.wider:  # not in an earlier query's window: not in this one
            if slot in wider.seen and wider.seen[slot] is None:
                where = None
                break
        else:
            where = self._typo_field_of(pattern, doc)
        if len(seen) >= _SEEN_AT_MOST:  # bounded: the pattern may live as long as the index
            seen.clear()
        seen[slot] = where
        return where

    @staticmethod
    def _typo_field_of(pattern: Pattern, doc: DocData) -> MatchField | None:
        data, at, stop = doc.folded_span
        in_text = pattern.find(data, at, stop)
        in_meta = pattern.find(doc.meta) is not None
        if in_text is None and not in_meta:
            return None
        if pattern.find(doc.title) is not None:
            return MatchField.TITLE
        if in_meta:
            return MatchField.META
        if in_text is None:
            return None
        start, end = doc.lead
        start, end = at + start, at + end
        if start <= in_text[0] and in_text[1] <= end:  # the first one is in the lead
            return MatchField.LEAD
        if pattern.find(data, start, end) is not None:
            return MatchField.LEAD
        return MatchField.BODY

    def _excluded(self, query: Query) -> tuple[int, list[Pattern]]:
        """Bits of documents excluded outright, and phrase patterns to check per document."""
        bits = 0
        phrases: list[Pattern] = []
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
                positions = tuple(Pos((t,)) for t in tokens)
                phrases.append(Pattern(Tier.PHRASE, positions, True, scope=term.scope))
        return bits, phrases

    # -- ranking ------------------------------------------------------------------------------

    def _rank(
        self, units: list[Unit], query: Query, limit: int
    ) -> tuple[list[tuple[tuple, int]], bool]:
        """The best `limit` (score, slot) pairs; score = (tier, field, proximity, rank), and
        whether the typo budget ran out (typo windows went unchecked in some documents).

        Classes of the primary unit are visited best first and their documents newest first;
        a class stops as soon as no later document can beat the `limit`-th hit. A phrase in
        the body is found by a scan that stops there too, so a common phrase is found among
        the newest documents without reading the others; a scan that runs to the end is
        cached per phrase and narrows the scans of the phrases typed after it.
        """
        ix = self._index
        candidates = ix.alive
        # The primary unit orders the visit: the longest one that is not a filter.
        primary = max(units, key=lambda u: (not u.scoped, u.size))
        others = [u for u in units if u is not primary]
        for unit in others:
            possible = 0
            for cls in unit.classes:
                possible |= self._bits(cls)
            candidates &= possible
            if not candidates:
                return [], False
        excluded_bits, excluded_phrases = self._excluded(query)
        candidates &= ~excluded_bits
        if not candidates:
            return [], False
        ranking = _Ranking(limit, _OthersBound(self, [u for u in others if not u.scoped]))
        done: set[int] = set()
        classes = list(primary.classes)
        typo_added = not primary.typo_syllables
        i = 0
        while i < len(classes):
            cls = classes[i]
            if not typo_added and cls.tier >= Tier.TYPO:
                typo_added = True
                if not ranking.heap:  # typos only when nothing matched better
                    classes[i:i] = self._typo_classes(primary)
                    continue
            i += 1
            if ranking.full and (cls.tier, cls.where) > ranking.worst[:2]:
                break
            self._visit(cls, candidates, others, excluded_phrases, ranking, done)
        ranked = sorted((_neg(key), slot) for key, slot in ranking.heap)
        return ranked, ranking.typo_checks > ranking.typo_budget

    def _visit(
        self,
        cls: _Class,
        candidates: int,
        others: list[Unit],
        excluded_phrases: list[Pattern],
        ranking: _Ranking,
        done: set[int],
    ) -> None:
        """Offer the documents of one class to the ranking, newest first, stopping when no
        later document can enter it."""
        ix = self._index
        pattern = cls.pattern
        tier, where = int(cls.tier), int(cls.where)
        typo = tier == Tier.TYPO
        if typo and ranking.typo_checks > ranking.typo_budget:
            return  # spent: its first document would end the visit, and nothing else
        lazy = False  # verify one by one, and scan for the exact set if that takes long
        skipped: list[int] = []  # ranks of typo candidates known not to hold the window
        bits = None  # the documents visited, when known before the visit (not streamed)
        if cls.bits is not None or pattern is None:
            bits = candidates & self._bits(cls)
            order: Iterator[int] = ix.newest_first(bits)
            verified = False
        elif self._streams(cls):
            # A phrase in the body, not known yet: find it with a scan that stops when the
            # list is full (and is cached when it ran to the end over every candidate).
            assert pattern is not None
            pool = self._pattern_bits(pattern, cls.where, scan=False)
            if self._phrase_bits(pattern.positions, scan=False) is None:
                order = self._scan_cached(pattern.positions, candidates & pool, pool)
                verified = True
            else:
                order = ix.newest_first(candidates & pool)
                verified = False
        elif cls.any_field:
            assert pattern is not None
            bits = candidates & (
                self._pattern_bits(pattern, MatchField.BODY, scan=False)
                | self._pattern_bits(pattern, MatchField.META, scan=False)
            )
            # Documents where a window of an earlier query that this one's windows start
            # with was not found are left out of the visit, but counted as checked where
            # the visit would have met them: the budget runs out where it would have.
            ruled = _ruled_out(pattern) & bits & ~_bits_of(done) if pattern.wider else 0
            if ruled:
                bits &= ~ruled
                skipped = ix.ranks(ruled)
            order = ix.newest_first(bits)
            verified = False
        else:
            assert pattern is not None
            bits = candidates & self._pattern_bits(pattern, cls.where, scan=False)
            order = ix.newest_first(bits)
            verified = False
            # Verified one by one at first (a lead is short, a common phrase fills the list
            # soon); after _LAZY_CHECKS documents, one scan finds the phrase's documents
            # (cached: the body class after this one then needs none). Leads verified one by
            # one took 25 ms at 100k to find that "tan son hoa q" is in none of 11,849.
            lazy = not typo and pattern.needs_verify and cls.where >= MatchField.LEAD
        # A title, metadata or lead phrase verified over every document is remembered (with
        # those an earlier class took, unverified here) for the phrases typed after it.
        record = (
            pattern is not None
            and not typo
            and cls.bits is None
            and not cls.any_field
            and _field_cached(pattern, cls.where)
            and pattern.needs_verify
            and not ranking.bound.units
            and candidates == ix.alive
        )
        recorded: list[int] = []
        met = 0  # the skipped documents the visit has passed
        checked = 0
        scattered_seen = 0
        # With other units, a document's score is at best what they allow it (see
        # _OthersBound): once the list is full, only documents that can still beat its worst
        # hit are visited, re-narrowing the remaining ones whenever that worst hit changes.
        bound = ranking.bound if ranking.bound.units and not typo else None
        allowed, allowed_key = -1, None
        order = iter(order)
        while (slot := next(order, -1)) >= 0:
            if slot in done:
                if record:
                    recorded.append(slot)
                continue
            rank = ix.rank(slot)
            if met < len(skipped) and skipped[met] < rank:
                met = _pass_skipped(skipped, met, rank, tier, where, ranking)
                if met < 0:
                    return
            prox_bound = PROX_UNKNOWN if scattered_seen >= ranking.limit else 0
            if ranking.full and (tier, where, prox_bound, rank) >= ranking.worst:
                return
            if bound is not None and ranking.full:
                key = bound.key(ranking.worst, rank)
                if key != allowed_key:
                    allowed_key = key
                    allowed = bound.allowed(tier, where, key, candidates)
                    if bits is not None:  # visit only those, from this one on
                        bits &= allowed
                        order = ix.newest_first_from(bits, slot)
                        continue
                if not allowed >> slot & 1:
                    continue
            if typo:
                ranking.typo_checks += 1
                if ranking.typo_checks > ranking.typo_budget:
                    return
            elif lazy:
                checked += 1
                if checked > _LAZY_CHECKS:
                    # Verifying one by one takes long: get the exact set (one scan, cached)
                    # and go on with its documents not seen yet.
                    bits = candidates & self._bits(cls)
                    remaining = (s for s in ix.newest_first(bits) if ix.rank(s) >= rank)
                    self._visit_rest(cls, remaining, others, excluded_phrases, ranking, done)
                    return
            doc = ix.docs[slot]
            if doc is None:
                continue
            doc_where = where
            if cls.any_field:
                found_in = self._typo_field(cls, doc, slot)
                if found_in is None:
                    continue
                doc_where = int(found_in)
            elif not (verified or self._check(cls, doc)):
                continue
            if record:
                recorded.append(slot)
            done.add(slot)
            prox = 0
            if cls.scattered:
                scattered_seen += 1
                prox = prox_bound or _proximity(pattern, doc, cls.where)
            if excluded_phrases and any(_phrase_in(p, doc) for p in excluded_phrases):
                continue
            score: tuple[int, int, int] | None = (tier, doc_where, prox)
            if others:
                score = self._combine(score, others, doc, slot)
            if score is not None:
                ranking.offer((*score, rank), slot)
        if met < len(skipped):
            _pass_skipped(skipped, met, len(self._index.docs), tier, where, ranking)
        if record:  # every candidate was seen
            assert pattern is not None
            self._sync_phrases()
            self._field_phrases[(where, pattern.positions)] = _bits_of(recorded)

    def _visit_rest(
        self,
        cls: _Class,
        order: Iterator[int],
        others: list[Unit],
        excluded_phrases: list[Pattern],
        ranking: _Ranking,
        done: set[int],
    ) -> None:
        """Go on with a class from its exact documents (after a long lazy verification)."""
        ix = self._index
        tier, where = int(cls.tier), int(cls.where)
        for slot in order:
            if slot in done:
                continue
            rank = ix.rank(slot)
            if ranking.full and (tier, where, 0, rank) >= ranking.worst:
                return
            doc = ix.docs[slot]
            if doc is None or not self._check(cls, doc):
                continue
            done.add(slot)
            if excluded_phrases and any(_phrase_in(p, doc) for p in excluded_phrases):
                continue
            score: tuple[int, int, int] | None = (tier, where, 0)
            if others:
                score = self._combine(score, others, doc, slot)
            if score is not None:
                ranking.offer((*score, rank), slot)

    def _combine(
        self, score: tuple[int, int, int] | None, others: list[Unit], doc: DocData, slot: int
    ) -> tuple[int, int, int] | None:
        """The score with the other units': the worst tier and field of the plain ones, summed
        proximity; scoped units (title:, author:, date:, ^) only filter. None: no match."""
        for other in others:
            sub = self._unit_score(other, doc, slot)
            if sub is None or score is None:
                return None
            if not other.scoped:
                score = (max(score[0], sub[0]), max(score[1], sub[1]), score[2] + sub[2])
        return score

    @staticmethod
    def _streams(cls: _Class) -> bool:
        """Is this a body phrase class that a streaming scan can answer?"""
        pattern = cls.pattern
        return (
            pattern is not None
            and cls.where is MatchField.BODY
            and pattern.phrase
            and len(pattern.positions) > 1
            and pattern.exact is None
            and pattern.scope is Scope.ANY
            and pattern.tier is not Tier.TYPO
        )

    def _scan_cached(self, positions: tuple[Pos, ...], pool: int, full: int) -> Iterator[int]:
        """`_scan_phrase` over `pool`; when it runs to the end and `pool` held every candidate
        (`full`, alive ones), its documents are cached for the phrase."""
        found: list[int] = []
        for slot in self._scan_phrase(positions, pool):
            found.append(slot)
            yield slot
        if pool == full & self._index.alive:
            self._sync_phrases()
            self._phrases[positions] = _bits_of(found)

    # -- hits ---------------------------------------------------------------------------------

    def _hit(self, slot: int, score: tuple, query: Query, units: list[Unit]) -> Hit:
        doc = self._index.docs[slot]
        assert doc is not None
        tier, where, prox, _ = score
        value = 1000.0 - 100 * tier - 20 * where - min(prox, 19)

        def details() -> tuple[list[Span], str, list[Span]]:
            # From the folded bytes the index holds (no folding again), the exact ones
            # only for patterns that need them.
            article = doc.article
            title = doc.title, 0, len(doc.title), lambda: doc.title_exact
            title_spans = spans_in((doc.title, 0), title[3], query)
            if not title_spans and where == MatchField.TITLE:
                found = self._locate(doc, units, title, 0)
                if found is not None:
                    title_spans = [found]
            start = _body_start(article)
            # One unit: no pattern of a stronger tier than the hit's matches the document
            # (it would have ranked it there), so none need be searched for.
            strongest = Tier(tier) if len(units) == 1 else Tier.EXACT
            text = (*doc.folded_span, lambda: doc.exact)
            location = self._locate(doc, units, text, start, slot, strongest)
            snippet, snippet_spans = snippet_around(article, location, query, folded=text)
            return title_spans, snippet, snippet_spans

        return Hit(doc.article, value, tier=Tier(tier), field=MatchField(where), make=details)

    def _locate(
        self,
        doc: DocData,
        units: list[Unit],
        text: tuple[bytes, int, int, Callable[[], bytes]],
        start: int,
        slot: int | None = None,
        strongest: Tier = Tier.EXACT,
    ) -> Span | None:
        """The first place, from `start`, where the strongest pattern of the query (of tier
        `strongest` or weaker) matches a text given as its folded bytes (data[base:stop])
        and a function returning its exact ones; `slot` given: the text is the document's,
        and typo windows already found absent from it are not searched again."""
        data, base, stop, exact = text
        for unit in units:
            patterns = [
                *unit.patterns,
                *(unit.typo_patterns or ()),
                *([unit.scattered] if unit.scattered else []),
            ]
            for pattern in patterns:
                if pattern.scope is not Scope.ANY or pattern.tier < strongest:
                    continue
                known = pattern.seen if pattern.tier is Tier.TYPO and slot is not None else {}
                if slot in known and known[slot] is None:
                    continue
                if pattern.exact is not None:
                    found = pattern.find(exact(), start)
                else:
                    found = pattern.find(data, base + start, stop)
                    if found is not None:
                        found = found[0] - base, found[1] - base
                if found is not None:
                    return found
        return None


# -- helpers ------------------------------------------------------------------------------------


def _bits_of(slots: Iterable[int]) -> int:
    """A bitset of these slots."""
    found = bytearray()
    for slot in slots:
        byte = slot >> 3
        if byte >= len(found):
            found.extend(bytes(byte + 1 - len(found)))
        found[byte] |= 1 << (slot & 7)
    return int.from_bytes(found, "little")


class _OthersBound:
    """Which documents the units other than the primary one let beat a given worst hit.

    A combined score takes the worst tier and the worst field of the units (see
    SearchIndex._combine), so a document beats a worst hit (t, w, …) only if every other
    unit can match it with a tier below t, or with a tier up to t in a field before w, or
    (a tie on both, decided by proximity and recency) up to t and up to w. The sets come from
    the classes' bitsets (supersets where a class verifies), one union per threshold.
    """

    __slots__ = ("_engine", "_sets", "units")

    def __init__(self, engine: SearchIndex, units: list[Unit]) -> None:
        self._engine = engine
        self.units = units
        self._sets: dict[tuple[int, int], tuple[int, int, int]] = {}

    @staticmethod
    def key(worst: tuple, rank: int) -> tuple[int, int, bool]:
        """(tier, field, whether a tie can still win) for the worst hit, at this rank."""
        t, w, p, r = worst
        return t, w, p > 0 or rank < r

    def allowed(self, tier: int, where: int, key: tuple[int, int, bool], candidates: int) -> int:
        """The documents of a primary class at (tier, where) that may beat the worst hit."""
        t, w, tie = key
        sets = self._sets.get((t, w))
        if sets is None:
            sets = self._sets[(t, w)] = self._thresholds(t, w, candidates)
        below, before, upto = sets
        out = 0
        if tier < t:
            out |= below
        if tier <= t and where < w:
            out |= before
        if tie and tier <= t and where <= w:
            out |= upto
        return out

    def _thresholds(self, t: int, w: int, candidates: int) -> tuple[int, int, int]:
        below = before = upto = candidates
        for unit in self.units:
            u_below = u_before = u_upto = 0
            for cls in unit.classes:
                if cls.tier > t:
                    continue
                bits = self._engine._bits(cls)
                if cls.tier < t:
                    u_below |= bits
                if cls.where < w:
                    u_before |= bits
                if cls.where <= w:
                    u_upto |= bits
            if unit.typo_syllables and t >= Tier.TYPO:  # typo windows: any document, any field
                u_upto = candidates
                if t > Tier.TYPO:
                    u_below = candidates
                if w > MatchField.TITLE:
                    u_before = candidates
            below &= u_below
            before &= u_before
            upto &= u_upto
        return below, before, upto


class _Ranking:
    """The best `limit` hits so far: a heap of (negated score, slot), worst on top."""

    __slots__ = ("bound", "full", "heap", "limit", "typo_budget", "typo_checks", "worst")

    def __init__(self, limit: int, bound: _OthersBound) -> None:
        self.limit = limit
        self.bound = bound
        self.typo_checks = 0
        self.typo_budget = _TYPO_CHECKS * -(-limit // 50)  # a longer list may find more
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


def _ruled_out(pattern: Pattern) -> int:
    """The documents where a wider pattern of `pattern` was looked for and not found."""
    out = 0
    for wider in pattern.wider:
        seen = wider.seen
        size, bits = wider.absent
        if size != len(seen):  # seen only grows (or is cleared): worked out again
            bits = _bits_of(slot for slot, where in seen.items() if where is None)
            wider.absent = (len(seen), bits)
        out |= bits
    return out


def _pass_skipped(
    skipped: list[int], met: int, rank: int, tier: int, where: int, ranking: _Ranking
) -> int:
    """Count the skipped documents of ranks below `rank` as typo checks, as a visit of
    each would have (stopping where it would); the new count passed, or -1: stop."""
    while met < len(skipped) and skipped[met] < rank:
        if ranking.full and (tier, where, 0, skipped[met]) >= ranking.worst:
            return -1
        ranking.typo_checks += 1
        if ranking.typo_checks > ranking.typo_budget:
            return -1
        met += 1
    return met


def _neg(key: tuple) -> tuple:
    return tuple(-k for k in key)


def _field_cached(pattern: Pattern, where: MatchField) -> bool:
    """Are the documents of this pattern in this field kept per phrase (see _visit)?"""
    return (
        where is not MatchField.BODY
        and pattern.phrase
        and len(pattern.positions) > 1
        and pattern.exact is None
        and pattern.scope is not Scope.AUTHOR
        and pattern.tier is not Tier.TYPO
    )


def _always(doc: DocData) -> bool:
    return True


def _verifier(cls: _Class) -> Callable[[DocData], bool]:
    """A check of one document for a class, with the field and pattern worked out once
    (it runs on thousands of candidates in one search)."""
    stem = cls.anchored
    if stem is not None:
        prefix = cls.anchored_prefix

        def anchored(doc: DocData) -> bool:
            title = b" ".join(doc.title.split())
            if not title.startswith(stem):
                return False
            return prefix or len(title) == len(stem) or title[len(stem)] == 32

        return anchored
    pattern = cls.pattern
    if pattern is None or cls.scattered or not pattern.needs_verify:
        return _always
    find = pattern.find
    exact = pattern.exact is not None
    if pattern.scope is Scope.AUTHOR:

        def author(doc: DocData) -> bool:
            text = doc.article.author or ""
            data = exact_bytes(encode_lower(text)) if exact else fold_bytes(text)
            return find(data) is not None

        return author
    where = cls.where
    if where is MatchField.TITLE:
        if exact:
            return lambda doc: find(doc.title_exact) is not None
        return lambda doc: find(doc.title) is not None
    if where is MatchField.META:
        if exact:  # no marks are kept for the metadata
            return lambda doc: False
        return lambda doc: find(doc.meta) is not None
    if where is MatchField.LEAD:
        if exact:
            return lambda doc: find(doc.exact, *doc.lead) is not None

        def in_lead(doc: DocData) -> bool:
            data, at, _ = doc.folded_span
            start, end = doc.lead
            return find(data, at + start, at + end) is not None

        return in_lead
    if exact:
        return lambda doc: find(doc.exact) is not None
    return lambda doc: find(*doc.folded_span) is not None


def _field_data(doc: DocData, where: MatchField, *, exact: bool) -> tuple[bytes | None, int, int]:
    if where is MatchField.TITLE:
        data = doc.title_exact if exact else doc.title
        return data, 0, len(data)
    if where is MatchField.META:
        return (None, 0, 0) if exact else (doc.meta, 0, len(doc.meta))
    if exact:
        data, at, end = doc.exact, 0, len(doc.exact)
    else:
        data, at, end = doc.folded_span
    if where is MatchField.LEAD:
        return data, at + doc.lead[0], at + doc.lead[1]
    return data, at, end


def _phrase_in(pattern: Pattern, doc: DocData) -> bool:
    if pattern.scope is Scope.TITLE:
        return pattern.find(doc.title) is not None
    return pattern.find(*doc.folded_span) is not None or pattern.find(doc.meta) is not None


def _proximity(pattern: Pattern | None, doc: DocData, where: MatchField) -> int:
    """How far apart the words of a scattered match are in one field (see phrase.proximity)."""
    data, start, end = _field_data(doc, where, exact=False)
    if pattern is None or data is None:
        return PROX_UNKNOWN
    return proximity(pattern.positions, data, start, end)


def _body_start(article: Article) -> int:
    for kind, start, _ in block_spans(article.meta):  # no blocks cut from the text
        if kind in (BlockKind.LEAD, BlockKind.BODY, BlockKind.CAPTION):
            return start
    return 0
