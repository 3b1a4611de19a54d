"""Vietnamese-aware text folding that keeps offsets aligned.

Every function here maps a string to a string of the *same length*, one code point to one
code point, so an index found in the folded text is a valid index into the original NFC text.
That is what lets search spans highlight the original article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "canonical_tones",
    "fold",
    "lower_exact",
    "nfc",
    "syllables",
]

# Marks that carry the tone in Vietnamese (grave, acute, tilde, hook above, dot below).
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Letters that have no decomposition but must fold: đ Đ and Ð (often typed for Đ).
_SPECIAL = {"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"}


class _FoldTable(dict[int, str]):
    """A lazily filled `str.translate` table: each code point to one lower-case base letter."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        out = _SPECIAL.get(ch)
        if out is None:
            base = "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            )
            low = base.lower()
            if len(low) == 1:
                out = low
            elif len(ch.lower()) == 1:
                out = ch.lower()
            else:
                out = ch
        self[cp] = out
        return out


class _LowerTable(dict[int, str]):
    """A `str.translate` table that lower-cases one code point to exactly one code point."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        low = ch.lower()
        out = low if len(low) == 1 else ch
        self[cp] = out
        return out


_FOLD = _FoldTable()
_LOWER = _LowerTable()


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC (the form every article and query is kept in)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold NFC text for accent- and case-insensitive matching, keeping its length.

    "Đảng ủy Tân Sơn Hòa" -> "dang uy tan son hoa". `fold(t)[i]` corresponds to `t[i]`.
    """
    return text.translate(_FOLD)


def canonical_tones(text: str) -> str:
    """Put tone marks in the older placement ("hoà" -> "hòa", "thuý" -> "thúy").

    Both placements are correct Vietnamese and both occur, even in one article; exact
    (diacritic-sensitive) matching compares text in this canonical form. Length is kept.
    """
    return _TONE_RE.sub(_canonical_syllable, text)


_TONE_RE = re.compile(r"[^\W\d_]+")


def _canonical_syllable(match: re.Match[str]) -> str:
    word = match.group(0)
    if len(word) < 2:
        return word
    last = word[-1]
    first = word[-2]
    pair = fold(first + last)
    if pair not in ("oa", "oe", "uy"):
        return word
    if pair == "uy" and len(word) >= 3 and fold(word[-3]) == "q":
        return word
    last_parts = unicodedata.normalize("NFD", last)
    tone = [c for c in last_parts if c in _TONE_MARKS]
    if not tone:
        return word
    first_parts = unicodedata.normalize("NFD", first)
    if any(c in _TONE_MARKS for c in first_parts):
        return word
    new_last = unicodedata.normalize("NFC", "".join(c for c in last_parts if c not in _TONE_MARKS))
    new_first = unicodedata.normalize("NFC", first_parts + tone[0])
    if len(new_first) != 1 or len(new_last) != 1:
        return word
    return word[:-2] + new_first + new_last


def lower_exact(text: str) -> str:
    """Lower-case NFC text and canonicalize tone placement, keeping its length.

    This is the form for exact, diacritic-sensitive matching ("'Hòa" matches "hoà").
    """
    return canonical_tones(text.translate(_LOWER))


_SYLLABLE = re.compile(r"[^\W_]+")


def syllables(folded: str) -> Iterator[re.Match[str]]:
    """Yield the syllables (runs of letters and digits) of folded text, with their offsets."""
    return _SYLLABLE.finditer(folded)
