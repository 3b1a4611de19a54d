"""A one-byte-per-character encoding for storing article texts in memory.

A str of Vietnamese takes two bytes a character and UTF-8 about 1.35; this charmap holds
tab, newline, printable ASCII, every precomposed Vietnamese letter in both cases and the
common typographic punctuation in one byte each, so 100,000 articles keep their texts in
a quarter of a gigabyte. Because it is one byte a character, the bytes the search index
reads (`reader.bytefold`'s lower-cased `encode_lower`, `exact_bytes` and folded forms) are
one `bytes.translate` of it away, and need not be stored beside it. A text with any other
character (Greek, CJK, a control-character placeholder …) does not encode: its article keeps
UTF-8 instead (see `reader.article.PackedArticle`).
"""

from __future__ import annotations

import codecs
import unicodedata

from reader.bytefold import encode_lower, exact_bytes

__all__ = ["decode", "encode", "exact", "lower"]

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_PUNCT = (
    "\u00a0\u00ab\u00bb\u00b7\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c"
    "\u201d\u201e\u2022\u2026\u2032\u2033\u00b0\u00a9\u00d7"
)
_UNUSED = "\ufffe"  # pads the table should it have room; a text holding it is not encoded


def _chars() -> str:
    # U+0000 first: only then does codecs.charmap_build make its fast C table.
    chars = ["\0", "\t", "\n", *map(chr, range(32, 127))]
    letters = [unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES]
    for letter in [*letters, "đ"]:
        for ch in (letter, letter.upper()):
            if ch not in chars:
                chars.append(ch)
    chars.extend(_PUNCT)
    if _UNUSED in chars or len(chars) > 256 or len(set(chars)) != len(chars):  # pragma: no cover
        raise RuntimeError("narrow charmap overflow")
    return "".join(chars) + _UNUSED * (256 - len(chars))


_DECODING = _chars()
_ENCODING = codecs.charmap_build(_DECODING)
# Byte -> encode_lower byte of its character, and -> exact_bytes of that.
_LOWER = b"".join(encode_lower(ch) if ch != _UNUSED else b"?" for ch in _DECODING)
_EXACT = exact_bytes(_LOWER)
if len(_LOWER) != 256:  # pragma: no cover - every character lower-cases to one byte
    raise RuntimeError("narrow charmap does not lower-case one to one")


def encode(text: str) -> bytes | None:
    """`text` one byte a character, or None if it holds a character outside the charmap."""
    if _UNUSED in text:
        return None
    try:
        return codecs.charmap_encode(text, "strict", _ENCODING)[0]
    except UnicodeEncodeError:
        return None


def decode(data: bytes) -> str:
    """The text `encode` made `data` from."""
    return codecs.charmap_decode(data, "strict", _DECODING)[0]


def lower(data: bytes) -> bytes:
    """`reader.bytefold.encode_lower` of the text, from its encoded bytes."""
    return data.translate(_LOWER)


def exact(data: bytes) -> bytes:
    """`reader.bytefold.exact_bytes(encode_lower(text))`, from its encoded bytes."""
    return data.translate(_EXACT)
