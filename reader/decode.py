"""Turning raw file bytes into NFC text. (Placeholder: being replaced.)"""

from __future__ import annotations

from dataclasses import dataclass

from reader.fold import nfc


class DecodeError(ValueError):
    """The bytes are not text the reader can show (binary, empty, unknown encoding)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    uncertain: bool = False


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes to NFC text with "\\n" line endings."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecodeError("not UTF-8") from exc
    if not text.strip():
        raise DecodeError("empty file")
    return Decoded(nfc(text.replace("\r\n", "\n").replace("\r", "\n")), "utf-8")
