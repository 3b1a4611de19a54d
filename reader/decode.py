"""Turning a file's raw bytes into NFC text that is safe to show.

Order of attempts (see shared/reference/vietnamese-text.md, "Encodings"):

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. NUL bytes without a BOM: UTF-16/UTF-32 if charset-normalizer finds it, else binary;
3. strict UTF-8 (the fast path: nothing else is tried when it succeeds);
4. UTF-8 with a few damaged bytes (a truncated last character, a stray byte);
5. the Vietnamese legacy encodings Windows-1258, VISCII and TCVN3, scored by how many of the
   accented words they produce are well-formed Vietnamese syllables (charset-normalizer gets
   VISCII and TCVN3 wrong, so it does not decide between them);
6. Windows-1252 when it reads as Western European text (French, German, ...);
7. charset-normalizer's best guess (Cyrillic, Greek, CJK, ...), then Windows-1252/Latin-1.

The result has "\\n" line endings, each tab becomes one space (a terminal moves the cursor to
the next tab stop, while the cell-based layout counts a tab as zero cells: it would shift the
rest of the line and break column alignment), it is NFC, and has gone through
`reader.sanitize.clean`. Control bytes are never stripped before decoding: VISCII and TCVN3
put capitals on C0 bytes.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from reader.fold import nfc
from reader.sanitize import clean, is_clean, is_clean_utf8

__all__ = ["DecodeError", "Decoded", "decode_bytes"]


class DecodeError(ValueError):
    """The bytes are not text the reader can show (binary, empty, unknown encoding)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and how it was read; `uncertain` is True when the guess may be wrong."""

    text: str
    encoding: str
    uncertain: bool = False


# ---------------------------------------------------------------------------------------------
# Byte-to-character tables for the encodings Python has no codec for. Checked byte by byte
# against glibc iconv (VISCII, TCVN5712-1) in tests/test_decode.py.


def _table(low: dict[int, str], high: str) -> str:
    """A 256-character decoding table: ASCII with `low` substitutions, then `high` for 0x80+."""
    chars = [chr(code) for code in range(128)]
    for code, char in low.items():
        chars[code] = char
    table = "".join(chars) + high
    if len(table) != 256:  # pragma: no cover - a typo in a table literal
        raise AssertionError("decoding table must have 256 entries")
    return table


#: VISCII (RFC 1456): six capitals sit on C0 bytes.
VISCII_TABLE = _table(
    dict(zip(b"\x02\x05\x06\x14\x19\x1e", "ẲẴẪỶỸỴ", strict=True)),
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"  # 0x80
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"  # 0x90
    "Õắằặấầẩậẽẹếềểễệố"  # 0xa0
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"  # 0xb0
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"  # 0xc0
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"  # 0xd0
    "àáâãảăữẫèéêẻìíĩỉ"  # 0xe0
    "đựòóôõỏọụùúũủýợỮ",  # 0xf0
)

#: TCVN 5712:1993 VN1, the superset of TCVN3 ("ABC"); 0xb0-0xb4 are combining tone marks.
TCVN3_TABLE = _table(
    dict(zip(b"\x01\x02\x04\x05\x06\x11\x12\x13\x14\x15\x16\x17", "ÚỤỪỬỮỨỰỲỶỸÝỴ", strict=True)),
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xa0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xb0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xc0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xd0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xe0
    "ỖủũúụừửữứựỳỷỹýỵỐ",  # 0xf0
)


def _charmap(table: str) -> Callable[[bytes], str]:
    def decode(data: bytes) -> str:
        return codecs.charmap_decode(data, "strict", table)[0]

    return decode


def _codec(name: str) -> Callable[[bytes], str]:
    def decode(data: bytes) -> str:
        return data.decode(name)

    return decode


_VIETNAMESE: tuple[tuple[str, Callable[[bytes], str]], ...] = (
    ("cp1258", _codec("cp1258")),
    ("viscii", _charmap(VISCII_TABLE)),
    ("tcvn3", _charmap(TCVN3_TABLE)),
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_WIDE = ["utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be"]

# ---------------------------------------------------------------------------------------------
# Plausibility scores.

#: Only this much (bytes or characters) is scored: enough evidence, bounded time.
_SAMPLE = 65_536
_WORD = re.compile(r"[^\W\d_]+")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: Vowel clusters of Vietnamese rhymes, longest first so the regex tries them first.
_RHYME_VOWELS = (
    *("iêu", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu"),
    *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe"),
    *("oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê"),
    *("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
)
#: A toneless, lower-case Vietnamese syllable: onset, vowel cluster, final consonant.
_SYLLABLE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    f"(?:{'|'.join(_RHYME_VOWELS)})"
    "(?:ch|ng|nh|[cmnpt])?"
)
#: Non-ASCII punctuation that is ordinary in text of any Latin-script language.
_COMMON_PUNCTUATION = frozenset("\u00a0“”‘’‚„–—…•·°«»‹›€£¥©®™±×÷¡¿")
_WESTERN_LETTERS = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšžßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒŠŽ")


@dataclass(frozen=True, slots=True)
class Score:
    """How plausible a decoding is: counts of accented words that fit the language or not."""

    good: int  # words that look right
    bad: int  # words that do not
    odd: int  # stray symbols a wrong decoding produces

    @property
    def value(self) -> int:
        return self.good - self.bad - self.odd

    @property
    def ratio(self) -> float:
        total = self.good + self.bad + self.odd
        return self.good / total if total else 0.0


def _odd_symbols(text: str) -> int:
    return sum(
        1
        for char in text
        if char > "\x7f"
        and not char.isalpha()
        and char not in _COMMON_PUNCTUATION
        and not unicodedata.combining(char)
    )


@functools.lru_cache(maxsize=16384)
def _is_vietnamese_word(word: str) -> bool:
    parts = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for char in parts if char in _TONE_MARKS)
    if tones > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(base) is not None


def vietnamese_score(text: str) -> Score:
    """Count accented words that are (good) or are not (bad) well-formed Vietnamese syllables."""
    sample = text[:_SAMPLE]  # bounded time on huge files
    good = bad = 0
    for match in _WORD.finditer(sample):
        word = match.group()
        if word.isascii():
            continue
        if _is_vietnamese_word(word):
            good += 1
        else:
            bad += 1
    return Score(good, bad, _odd_symbols(sample))


def western_score(text: str) -> Score:
    """Count accented words that look like Western European words (é, ü, ß mixed with ASCII)."""
    sample = text[:_SAMPLE]  # bounded time on huge files
    good = bad = 0
    for match in _WORD.finditer(sample):
        word = match.group()
        if word.isascii():
            continue
        letters_ok = all(c.isascii() or c in _WESTERN_LETTERS for c in word)
        mixed = len(word) <= 3 or any(c.isascii() for c in word)
        if letters_ok and mixed:
            good += 1
        else:
            bad += 1
    return Score(good, bad, _odd_symbols(sample))


def _clear_cut(best: Score, runner_up: int | None) -> bool:
    """Enough evidence, few misfits, and no close second: then the guess is not flagged."""
    if best.good < 20 or best.ratio < 0.9:
        return False
    return runner_up is None or runner_up <= best.value // 2


# ---------------------------------------------------------------------------------------------
# Decoding.

_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_FFFD = "\ufffd".encode()
#: Control characters that make text look binary; \t \n \v \f \r, BS and ESC occur in text.
_BINARY_CONTROLS = "".join(chr(c) for c in range(0x20) if c not in (8, 9, 10, 11, 12, 13, 27))
_BINARY_CONTROLS += "\x7f"


def _from_bom(data: bytes) -> tuple[str, str, bool] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if codec == "utf-8-sig":
                try:
                    return body.decode("utf-8"), codec, False
                except UnicodeDecodeError:  # an editor put a BOM on a legacy file
                    return _damaged_utf8(body) or _legacy(body)
            try:
                return body.decode(codec), codec, False
            except UnicodeDecodeError:
                return body.decode(codec, "replace"), codec, True
    return None


def _utf16_order(data: bytes, guess: str) -> str:
    """The UTF-16 byte order whose high bytes vary least (text keeps to a few Unicode blocks).

    On a tie, the order that puts the NUL bytes in high bytes (ASCII in UTF-16); then `guess`.
    charset-normalizer alone read short files backwards ("Tin" in UTF-16 LE as "吀渀椀").
    """
    even, odd = data[0::2], data[1::2]
    for e, o in ((len(set(even)), len(set(odd))), (-even.count(0), -odd.count(0))):
        if e != o:
            return "utf-16-le" if o < e else "utf-16-be"
    return guess


def _wide_without_bom(data: bytes) -> tuple[str, str, bool]:
    """UTF-16/32 without a BOM (NUL bytes are its high bytes), or a binary file."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_WIDE).best()
    if best is not None:
        name = codecs.lookup(best.encoding).name
        if name in ("utf-16-le", "utf-16-be"):
            name = _utf16_order(data, name)
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            pass
        else:
            return text, name, len(text) < 20
    raise DecodeError("binary file (NUL bytes)")


def _damaged_utf8(data: bytes) -> tuple[str, str, bool] | None:
    """UTF-8 with a few invalid bytes (e.g. cut off mid-character): replace just those."""

    def mostly_valid(chunk: bytes) -> bool:
        errors = chunk.decode("utf-8", "replace").count("\ufffd") - chunk.count(_FFFD)
        return len(_UTF8_SEQUENCE.findall(chunk)) >= 10 * errors

    # The sample (start and end, where a cut happens) rejects legacy files cheaply.
    if not mostly_valid(data[:_SAMPLE] + data[-16:]) or not mostly_valid(data):
        return None
    return data.decode("utf-8", "replace"), "utf-8", True


def _legacy(data: bytes) -> tuple[str, str, bool]:
    """Choose among single-byte encodings by how plausible the decoded text is.

    Candidates are scored on the first `_SAMPLE` bytes; only the chosen one decodes it all.
    """
    sample = data[:_SAMPLE]
    candidates: list[tuple[Score, str, str, Callable[[bytes], str]]] = []
    for name, decode in _VIETNAMESE:
        try:
            text = nfc(decode(sample))
        except UnicodeDecodeError:
            continue
        candidates.append((vietnamese_score(text), name, text, decode))
    candidates.sort(key=lambda c: c[0].value, reverse=True)
    for score, name, text, decode in candidates:
        if not score.good or score.ratio < 0.7:
            break
        try:
            full = decode(data)
        except UnicodeDecodeError:  # an undefined byte after the sample
            continue
        rivals = [s.value for s, n, t, _ in candidates if n != name and t != text]
        return full, name, not _clear_cut(score, max(rivals, default=None))

    western = "cp1252"
    try:
        text = data.decode(western)
    except UnicodeDecodeError:
        western, text = "iso8859-1", data.decode("latin-1")
    score = western_score(text[:_SAMPLE])
    if score.good and score.ratio >= 0.7:
        return text, western, not _clear_cut(score, None)
    if score == Score(0, 0, 0):  # English with curly quotes or dashes, no accented word
        return text, western, True

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        name = codecs.lookup(best.encoding).name
        try:
            return data.decode(name), name, True
        except (UnicodeDecodeError, LookupError):
            pass
    return text, western, True


def _decode(data: bytes) -> tuple[str, str, bool]:
    found = _from_bom(data)
    if found is not None:
        return found
    if b"\x00" in data:
        return _wide_without_bom(data)
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    return _damaged_utf8(data) or _legacy(data)


def _looks_binary(text: str) -> bool:
    """More than 5% of the characters are controls that plain text does not use."""
    controls = sum(text.count(char) for char in _BINARY_CONTROLS)
    return controls * 20 > len(text)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes to NFC text with "\\n" line endings and no tab, safe to show.

    Raises DecodeError with a short reason for an empty, whitespace-only or binary file.
    """
    if not data:
        raise DecodeError("empty file")
    text, encoding, uncertain = _decode(data)
    decoded = text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", " ")
    text = nfc(text)  # (the same object when it already is NFC)
    if not text:
        raise DecodeError("empty file")
    if text.isspace():
        raise DecodeError("whitespace only")
    # Text that is the file's own UTF-8 is checked in those bytes, not encoded again.
    as_read = text is decoded and encoding == "utf-8" and not uncertain
    if not (is_clean_utf8(data) if as_read else is_clean(text)):
        if _looks_binary(text):
            raise DecodeError("binary file (control characters)")
        text = clean(text)
    return Decoded(text, encoding, uncertain)
