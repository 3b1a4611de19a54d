"""Term expansion over the index vocabulary: typos, words typed without spaces, tone placement.

The vocabulary is small (a few thousand folded syllables even for 100,000 articles), so
fuzzy work is done here, once per query term, never per document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from reader.fold import canonical_tones

__all__ = [
    "NeighbourIndex",
    "segmentations",
    "tone_variants",
    "typo_cutoff",
    "typo_neighbours",
    "window_ratio",
]

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def typo_neighbours(term: str, vocabulary: Sequence[str], limit: int = 64) -> list[str]:
    """Vocabulary syllables one edit (two for long terms) from `term`, closest first.

    Terms shorter than three letters get none: short words need exact matches.
    """
    if len(term) < 3 or not term.isalnum():
        return []
    max_edits = 1 if len(term) < 7 else 2
    found = process.extract(
        term,
        vocabulary,
        scorer=OSA.distance,
        score_cutoff=max_edits,
        limit=limit + 1,
    )
    return [word for word, _, _ in sorted(found, key=lambda f: f[1]) if word != term][:limit]


class NeighbourIndex:
    """`typo_neighbours` over one vocabulary, faster: a word one edit from a term of three
    letters or more starts with the term's first letter (the edit is further on) or ends
    with its last one (the edit is at the start), so only the vocabulary's words that do are
    scored. Terms of seven letters or more (two edits) are scored over all of it, as before.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self._vocabulary = vocabulary
        first: dict[str, list[str]] = {}
        last: dict[str, list[str]] = {}
        for word in vocabulary:  # sorted: each list stays sorted
            first.setdefault(word[:1], []).append(word)
            last.setdefault(word[-1:], []).append(word)
        self._first = first
        self._last = last

    def near(self, term: str, limit: int = 64) -> list[str]:
        """The same list as `typo_neighbours(term, vocabulary, limit)`."""
        if len(term) < 3 or not term.isalnum():
            return []
        if len(term) >= 7:
            return typo_neighbours(term, self._vocabulary, limit)
        found: dict[str, float] = {}
        for words in (self._first.get(term[0], ()), self._last.get(term[-1], ())):
            for word, distance, _ in process.extract(
                term, words, scorer=OSA.distance, score_cutoff=1, limit=limit + 1
            ):
                found[word] = distance
        # Closest first, then in vocabulary (alphabetical) order, as `process.extract`.
        best = sorted(found.items(), key=lambda item: (item[1], item[0]))[: limit + 1]
        return [word for word, _ in best if word != term][:limit]


def typo_cutoff(query: str) -> float:
    """The fuzz.ratio a window must reach to count as a typo of `query` (folded)."""
    return 90.0 if len(query) < 24 else 86.0


def window_ratio(query: str, window: str) -> float:
    """Similarity (0-100) of a folded query and a folded window of as many syllables."""
    return fuzz.ratio(query, window)


def segmentations(
    term: str,
    known: set[str] | frozenset[str],
    *,
    limit: int = 4,
    prefix_last: bool = False,
    prefixes: Sequence[str] = (),
) -> list[tuple[str, ...]]:
    """Ways to read `term` (six letters or more) as 2-6 vocabulary syllables typed without
    spaces, fewest first.

    "tansonhoa" -> [("tan", "son", "hoa")]. Pieces have at least two letters. With
    `prefix_last`, the last piece may be the start of a syllable, even one letter
    ("tansonh"; `prefixes` lists the vocabulary sorted, to test that).
    """
    n = len(term)
    if n < 6 or n > 40 or not term.isalnum():  # "date" is not "da te"
        return []
    out: list[tuple[str, ...]] = []

    def has_prefix(stem: str) -> bool:
        import bisect

        i = bisect.bisect_left(prefixes, stem)
        return i < len(prefixes) and prefixes[i].startswith(stem)

    def walk(start: int, pieces: list[str]) -> None:
        if len(out) >= limit * 4 or len(pieces) > 6:
            return
        if start == n:
            if len(pieces) >= 2:
                out.append(tuple(pieces))
            return
        for end in range(n, start, -1):
            piece = term[start:end]
            if len(piece) < 2 and not (prefix_last and end == n):
                continue
            if piece in known or (
                prefix_last and end == n and len(pieces) >= 1 and has_prefix(piece)
            ):
                pieces.append(piece)
                walk(end, pieces)
                pieces.pop()

    walk(0, [])
    out.sort(key=len)
    return out[:limit]


_WORD = re.compile(r"[^\W\d_]+")


def _modern(word: str) -> str:
    """Move the tone of a final oa/oe/uy to its second vowel ("hòa" -> "hoà")."""
    if len(word) < 2:
        return word
    first, last = word[-2], word[-1]
    base = unicodedata.normalize("NFD", first + last)
    letters = "".join(c for c in base if not unicodedata.combining(c)).lower()
    if letters not in ("oa", "oe", "uy") or (letters == "uy" and word[-3:-2].lower() == "q"):
        return word
    first_parts = unicodedata.normalize("NFD", first)
    tone = [c for c in first_parts if c in _TONES]
    if not tone:
        return word
    new_first = unicodedata.normalize("NFC", "".join(c for c in first_parts if c not in _TONES))
    new_last = unicodedata.normalize("NFC", unicodedata.normalize("NFD", last) + tone[0])
    if len(new_first) != 1 or len(new_last) != 1:
        return word
    return word[:-2] + new_first + new_last


def tone_variants(syllable: str) -> list[str]:
    """A lower-case NFC syllable in both tone placements ("hoà" -> ["hòa", "hoà"])."""
    old = canonical_tones(syllable.lower())
    new = _WORD.sub(lambda m: _modern(m.group()), old)
    return [old] if new == old else [old, new]
