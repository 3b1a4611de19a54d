"""From a parsed query to units and patterns: what each clause may match, tier by tier.

Expansions (glossary rewrites, words typed without spaces, typo neighbours) are worked out
on the index vocabulary, never on documents.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reader.bytefold import decode_exact, encode_lower, exact_bytes
from reader.expand import (
    NeighbourIndex,
    segmentations,
    tone_variants,
    typo_cutoff,
    window_ratio,
)
from reader.glossary import Glossary
from reader.index import Field, InvertedIndex
from reader.phrase import Pattern, Pos, Tier
from reader.query import Query, Scope, Term

__all__ = ["Planner", "Unit"]

#: At most this many replacements for a mistyped word, the most frequent first.
MAX_TYPO_WORDS = 12


@dataclass(slots=True)
class Unit:
    """A clause of the query: it matches if any of its patterns does."""

    patterns: list[Pattern]
    scattered: Pattern | None = None  # every word somewhere (plain runs of 2+ words)
    date_bits: int | None = None  # date: filters (no text to match)
    anchors: list[tuple[bytes, bool]] = field(default_factory=list)  # ^term: (stem, prefix)
    size: int = 1  # number of syllables, to pick the primary unit
    classes: list[Any] = field(default_factory=list)  # filled by reader.search
    typo_syllables: list[str] = field(default_factory=list)  # a run: typo windows on demand
    typo_prefix: bool = False  # the run's last word may be unfinished
    scoped: bool = False  # only title:/author:/date:/^ terms: a filter, not a ranking
    typo_patterns: list[Pattern] | None = None


class Planner:
    """Turns parsed queries into units over one index (whose vocabulary it expands on)."""

    def __init__(self, index: InvertedIndex, glossary: Glossary) -> None:
        self._index = index
        self._glossary = glossary
        # (typo syllables, last unfinished) -> their TYPO patterns, until the index changes (a
        # query is retyped a character at a time: the same words come back on every keystroke)
        self._typos: dict[tuple[tuple[str, ...], bool], list[Pattern]] = {}
        self._typos_generation = -1
        self._near: dict[str, list[str]] = {}  # syllable -> typo neighbours, kept as _typos
        self._neighbour_index: tuple[list[str], NeighbourIndex] | None = None  # of a vocabulary

    def units(self, query: Query) -> list[Unit]:
        """The units of a query, in order (every one must match)."""
        units: list[Unit] = []
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
        return units

    def _run_unit(self, terms: list[Term]) -> Unit:
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
        return Unit(
            patterns,
            scattered,
            size=len(terms),
            typo_syllables=[t.syllables[0] for t in terms],
            typo_prefix=terms[-1].prefix,
        )

    def _clause_unit(self, terms: Sequence[Term]) -> Unit:
        unit = Unit([], size=max(len(t.syllables) for t in terms))
        unit.scoped = all(t.scope is not Scope.ANY or t.anchored for t in terms)
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
    ) -> tuple[list[Pattern], Pattern | None]:
        """The patterns of consecutive syllables, strongest tier first.

        `words` are the same syllables lower-cased with their diacritics as typed."""
        last_prefix = last_prefix and not exact_only
        encoded = tuple(s.encode("ascii") for s in syllables)
        multi = len(syllables) > 1
        literal = tuple(Pos((e,)) for e in encoded)
        prefixed = (*literal[:-1], Pos((), encoded[-1])) if last_prefix else literal
        out: list[Pattern] = []
        if marked:
            exact_positions = []
            for i, word in enumerate(words):
                variants = tuple(exact_bytes(encode_lower(v)) for v in tone_variants(word))
                if i == len(words) - 1 and last_prefix:
                    exact_positions.append(Pos(variants[:0], variants[0]))
                else:
                    exact_positions.append(Pos(variants))
            out.append(Pattern(Tier.EXACT, prefixed, True, exact=tuple(exact_positions)))
            if exact_only:
                return out, None
        if not (last_prefix and multi):
            out.append(Pattern(Tier.PHRASE, literal, True))
        if exact_only:
            return out, None
        if last_prefix:
            # While the last word is being typed, a phrase ending in it as a whole word is not
            # ranked apart from one ending in a longer word (a single word still is): proving
            # that "uy ba" occurs nowhere would cost a scan on nearly every keystroke.
            out.append(Pattern(Tier.PREFIX, prefixed, True))
        vocab = self._index.vocabulary
        known = _VocabSet(vocab)
        for rewrite in self._glossary.rewrites(tuple(syllables)):
            if last_prefix and multi and len(syllables[-1]) < 3 and rewrite[-1] != syllables[-1]:
                continue  # "… nhan da" being typed is not "… nhân đề án" (ĐA)
            positions = tuple(Pos((s.encode("ascii"),)) for s in rewrite)
            out.append(Pattern(Tier.ABBREVIATION, positions, True))
        for i, syllable in enumerate(syllables):
            if syllable in known:
                continue
            prefix_here = last_prefix and i == len(syllables) - 1
            for pieces in segmentations(syllable, known, prefix_last=prefix_here, prefixes=vocab):
                positions = [Pos((p.encode("ascii"),)) for p in pieces]
                if prefix_here:  # the last piece may be unfinished
                    positions[-1] = Pos((), pieces[-1].encode("ascii"))
                spaced = (*literal[:i], *positions, *literal[i + 1 :])
                out.append(Pattern(Tier.SPACELESS, spaced, True))
        # ACRONYM: an unknown, finished word of 3-6 letters read as the initials of as many
        # syllables (đ folds to d). Below spaceless: short initials hit unrelated phrases, and
        # a word still being typed ("nguye", "tans") would be read as initials on every key.
        for i, syllable in enumerate(syllables):
            if syllable in known or not (3 <= len(syllable) <= 6 and syllable.isalpha()):
                continue
            if last_prefix and i == len(syllables) - 1:
                continue
            initials = tuple(Pos((), letter.encode("ascii")) for letter in syllable)
            out.append(Pattern(Tier.ACRONYM, (*literal[:i], *initials, *literal[i + 1 :]), True))
        scattered = None
        if multi and not required_phrase:
            scattered = Pattern(Tier.SCATTERED, prefixed, phrase=False)
        return out, scattered

    def typo_patterns(self, unit: Unit) -> list[Pattern]:
        """TYPO patterns of a run (made when ranking needs them), one per mistyped position:
        the other words as typed (the last maybe unfinished), this one any vocabulary
        neighbour that keeps the window of as many syllables within the cutoff of the query
        and occurs with the other words in some document (most such documents first).

        Each pattern knows the patterns of earlier, shorter queries that hold it (`wider`):
        a query typed on checks no document again where one of those was not found."""
        if unit.typo_patterns is not None:
            return unit.typo_patterns
        ix = self._index
        if self._typos_generation != ix.generation or len(self._typos) > 256:
            self._typos.clear()
            self._near.clear()
            self._typos_generation = ix.generation
        key = (tuple(unit.typo_syllables), unit.typo_prefix)
        cached = self._typos.get(key)
        if cached is None:
            cached = self._typo_patterns(unit.typo_syllables, unit.typo_prefix)
            _link_wider(cached, key[0], self._typos)
            self._typos[key] = cached
        unit.typo_patterns = cached
        return cached

    def _neighbours(self, syllable: str, vocab: list[str]) -> list[str]:
        """`typo_neighbours` of a syllable, kept with the typo patterns (the words of a
        query come back on every keystroke)."""
        found = self._near.get(syllable)
        if found is None:
            if len(self._near) > 1024:
                self._near.clear()
            found = self._near[syllable] = self.neighbour_index(vocab).near(syllable)
        return found

    def neighbour_index(self, vocab: list[str]) -> NeighbourIndex:
        """The `NeighbourIndex` of this vocabulary (the index's, a new list whenever a
        new word was indexed), made on first use (about 1 ms for 4,000 syllables)."""
        made = self._neighbour_index
        if made is None or made[0] is not vocab:
            made = self._neighbour_index = vocab, NeighbourIndex(vocab)
        return made[1]

    def _typo_patterns(self, syllables: list[str], last_prefix: bool) -> list[Pattern]:
        ix = self._index
        vocab = ix.vocabulary
        query_text = " ".join(syllables)
        cutoff = typo_cutoff(query_text)
        literal = [Pos((s.encode("ascii"),)) for s in syllables]
        word_bits = [ix.bits(Field.ALL, p.tokens[0]) for p in literal]
        if last_prefix:  # as elsewhere, a window may end in a longer word
            literal[-1] = Pos((), literal[-1].tokens[0])
            word_bits[-1] = ix.prefix_bits(Field.ALL, syllables[-1])
        others_bits = []
        for i in range(len(syllables)):
            bits = ix.alive
            for j, word in enumerate(word_bits):
                if j != i:
                    bits &= word
            others_bits.append(bits)
        found: list[tuple[float, int, Pattern]] = []
        for i, syllable in enumerate(syllables):
            if not others_bits[i]:
                continue
            close: list[tuple[float, bytes]] = []
            for word in self._neighbours(syllable, vocab):
                window = " ".join((*syllables[:i], word, *syllables[i + 1 :]))
                score = window_ratio(query_text, window)
                if score >= cutoff:
                    close.append((score, word.encode("ascii")))
            if not close:
                continue
            others = ix.chunks_of(others_bits[i])
            near: list[tuple[int, float, bytes]] = []
            if len(close) <= MAX_TYPO_WORDS:  # all kept that occur: no need to count
                for score, token in close:
                    if ix.overlaps(Field.ALL, token, others):
                        near.append((0, -score, token))
            else:
                for score, token in close:
                    count = ix.overlap(Field.ALL, token, others_bits[i], others)
                    if count:
                        near.append((-count, -score, token))
            if near:
                near.sort()
                tokens = tuple(sorted(t for _, _, t in near[:MAX_TYPO_WORDS]))
                positions = (*literal[:i], Pos(tokens), *literal[i + 1 :])
                best = max(-score for _, score, _ in near)
                found.append((best, -i, Pattern(Tier.TYPO, positions, True)))
        found.sort(key=lambda f: (-f[0], f[1]))
        return [p for _, _, p in found]


def _link_wider(
    patterns: list[Pattern],
    syllables: tuple[str, ...],
    known: dict[tuple[tuple[str, ...], bool], list[Pattern]],
) -> None:
    """Give each new typo pattern (of a query of these syllables) the known patterns of
    earlier queries that hold it: those typed before this one ("tan son hoa q" before "tan
    son hoa quy c") whose windows every window of it starts with."""
    text = " ".join(syllables)
    for (earlier, _), wider in known.items():
        if not text.startswith(" ".join(earlier)):
            continue
        for pattern in patterns:
            pattern.wider.extend(w for w in wider if _holds(w, pattern))


def _holds(wider: Pattern, pattern: Pattern) -> bool:
    """Does every match of `pattern` start with a match of `wider` (both phrases)?"""
    if len(wider.positions) > len(pattern.positions):
        return False
    for w, p in zip(wider.positions, pattern.positions, strict=False):
        if w.stem is None:  # any of its words: so must the pattern be
            held = p.stem is None and set(p.tokens) <= set(w.tokens)
        else:  # a word starting with its stem: so must every word of the pattern
            stem = w.stem
            held = not w.tokens and all(t.startswith(stem) for t in p.tokens)
            held = held and (p.stem is None or p.stem.startswith(stem))
        if not held:
            return False
    return True


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


def _exact_words(text: str) -> list[str]:
    """The words of `text` lower-cased with their diacritics."""
    return [decode_exact(t) for t in exact_bytes(encode_lower(text)).split()]
