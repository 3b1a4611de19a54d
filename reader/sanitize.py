"""Making untrusted text (article bodies, file names) safe to print in a terminal.

A terminal acts on control characters: ESC starts CSI/OSC/DCS/APC/PM/SOS sequences that can
clear the screen, move the cursor, retitle the window or write the clipboard (OSC 52), and the
C1 controls U+0080–U+009F are 8-bit forms of the same introducers (U+009B is CSI). Nothing is
deleted here: every control character is *replaced* by a visible stand-in, so an escape
sequence loses its introducer and its payload stays on screen as harmless text, and every
other character of the input is kept, in order.

- C0 controls become their Unicode Control Picture (ESC -> "␛", BEL -> "␇", NUL -> "␀");
  `clean` keeps "\\n" and "\\t", `clean_name` replaces them too (a name is one line).
- DEL becomes "␡"; C1 controls become U+FFFD.
- Lone surrogates (which cannot be printed or encoded) become U+FFFD in text; in names the
  surrogate escapes of undecodable bytes (U+DC80–U+DCFF, from `os.fsdecode`) become "\\xNN",
  so two names differing in one raw byte still read differently.
"""

from __future__ import annotations

import re

__all__ = ["clean", "clean_name", "is_clean", "is_clean_utf8"]

REPLACEMENT = "\ufffd"

# Everything a terminal might act on, plus code points that cannot be encoded.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _build_map() -> dict[str, str]:
    table = {chr(code): chr(0x2400 + code) for code in range(0x20)}
    table["\x7f"] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[chr(code)] = REPLACEMENT
    return table


_MAP = _build_map()


def _replace_text(match: re.Match[str]) -> str:
    return _MAP.get(match.group(), REPLACEMENT)


def _replace_name(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a raw byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return _MAP.get(char, REPLACEMENT)


# A byte-level check is several times faster than a regex over non-ASCII text: in UTF-8, C0
# controls and DEL are single bytes, C1 controls are C2 80..C2 9F, surrogates cannot be encoded.
_ALL_BUT_CONTROLS = bytes(b for b in range(256) if not (b < 0x20 or b == 0x7F) or b in (9, 10))
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


def is_clean(text: str) -> bool:
    """True when `clean(text)` would return `text` unchanged."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return is_clean_utf8(data)


def is_clean_utf8(data: bytes) -> bool:
    """`is_clean` of the text whose (valid) UTF-8 encoding is `data`."""
    if data.translate(None, _ALL_BUT_CONTROLS):
        return False
    return b"\xc2" not in data or _C1_UTF8.search(data) is None


def clean(text: str) -> str:
    """Make text safe to show: controls (except "\\n", "\\t") become visible stand-ins.

    `clean("a\\x1b[2Jb") == "a␛[2Jb"`. Returns `text` itself when there is nothing to replace.
    """
    if is_clean(text):
        return text
    return _UNSAFE_TEXT.sub(_replace_text, text)


def clean_name(name: str) -> str:
    """Make a file name or path printable on one line.

    Like `clean`, but "\\n" and "\\t" become "␊" and "␉", and raw undecodable bytes
    (surrogate escapes) become "\\xNN": `clean_name("caf\\udce9.txt") == "caf\\\\xe9.txt"`.
    """
    if _UNSAFE_NAME.search(name) is None:
        return name
    return _UNSAFE_NAME.sub(_replace_name, name)
