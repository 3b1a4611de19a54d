"""Fast Vietnamese folding to bytes, one byte per character, for indexing and find.

`reader.fold.fold` is exact for every script but runs a Python dict lookup per character
(about 13 M chars/s here). Indexing 300 MB and highlighting a 25 MB article need more. This
module encodes lower-cased NFC text with a private 8-bit charmap (ASCII, the Vietnamese
vowels with their marks, đ, the other Latin-1 letters and common Unicode punctuation; about
100 M chars/s in C) and then folds with `bytes.translate` (GB/s).

Output keeps `len(text)` (byte `i` is character `i`) whenever lower-casing keeps the length,
which holds for all Vietnamese text; the rare text for which it does not is folded with the
exact `fold()` first. Letters outside the charmap (Greek, Cyrillic, CJK …) become spaces:
they separate syllables but cannot be searched through these functions.
"""

from __future__ import annotations

import codecs
import unicodedata

from reader.fold import fold

__all__ = [
    "decode_exact",
    "encode_lower",
    "exact_bytes",
    "fold_bytes",
    "fold_encoded",
    "fold_query_bytes",
]

# Vowels that take Vietnamese marks, and the marks (shape marks + the five tones).
_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_PUNCT = (
    "\u00a0\u00ab\u00bb\u00b7\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c"
    "\u201d\u201e\u2022\u2026\u2032\u2033\u2039\u203a\u200b\u200c\u200d\u2060\ufeff\u3000"
    "\u00b0\u00a9\u00ae\u00d7\u00f7\u00a7\u00b6"
)


def _build_table() -> str:
    chars: list[str] = [chr(i) for i in range(128)]
    seen = set(chars)
    extra: list[str] = []
    for base in _BASES:
        for tone in _TONES:
            ch = unicodedata.normalize("NFC", base + tone)
            if len(ch) == 1 and ch not in seen:
                seen.add(ch)
                extra.append(ch)
    for cp in [0x111, 0xF0, *range(0xDF, 0x100)]:
        ch = chr(cp)
        if ch not in seen and ch.isalpha():
            seen.add(ch)
            extra.append(ch)
    for ch in _PUNCT:
        if ch not in seen:
            seen.add(ch)
            extra.append(ch)
    table = chars + extra
    if len(table) > 256:  # pragma: no cover - guarded by construction
        raise RuntimeError("byte fold table overflow")
    # Unused byte values decode to U+FFFE, which never occurs in text.
    return "".join(table) + "\ufffe" * (256 - len(table))


_DECODING = _build_table()
_ENCODING = codecs.charmap_build(_DECODING)


def _translate_table(keep_marks: bool) -> bytes:
    out = bytearray(256)
    for i, ch in enumerate(_DECODING):
        if ch == "\ufffe" or not ch.isalnum():
            out[i] = 32
            continue
        if keep_marks:
            out[i] = i if i >= 128 else ord(ch.lower())
            continue
        folded = fold(ch)
        out[i] = ord(folded) if len(folded) == 1 and folded.isascii() and folded.isalnum() else 32
    return bytes(out)


_FOLD = _translate_table(keep_marks=False)
_EXACT = _translate_table(keep_marks=True)


def encode_lower(text: str) -> bytes:
    """Lower-case `text` and encode it one byte per character with the private charmap.

    Characters outside the charmap become b"?" (a separator after folding).
    """
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ": fold exactly instead, keeping offsets
        low = fold(text)
    return codecs.charmap_encode(low, "replace", _ENCODING)[0]


def fold_bytes(text: str) -> bytes:
    """Fold NFC `text` to ASCII bytes: letters and digits lower-cased without marks, every
    other character (newlines too) a space. `fold_bytes(t)[i]` corresponds to `t[i]`.

    Words of a phrase are then separated by exactly one space when one character (a space,
    a line break of hard-wrapped text, "." in "TP.HCM") separates them in the text, and by
    more across ", " or a paragraph break."""
    return encode_lower(text).translate(_FOLD)


def fold_encoded(encoded: bytes) -> bytes:
    """From `encode_lower` output, the same as `fold_bytes` of the text."""
    return encoded.translate(_FOLD)


def exact_bytes(encoded: bytes) -> bytes:
    """From `encode_lower` output, keep letters with their marks and blank punctuation."""
    return encoded.translate(_EXACT)


def decode_exact(data: bytes) -> str:
    """Decode bytes of the private charmap (e.g. an `exact_bytes` token) back to text."""
    return codecs.charmap_decode(data, "strict", _DECODING)[0]


def fold_query_bytes(text: str) -> bytes:
    """`fold_bytes` for a query string (any normalization form)."""
    return fold_bytes(unicodedata.normalize("NFC", text))
