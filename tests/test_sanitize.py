"""Untrusted text and file names must not be able to drive the terminal, and lose nothing."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reader.sanitize import clean, clean_name, is_clean


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


def _unsafe(text: str, keep: str = "\n\t") -> list[str]:
    return [c for c in text if _is_control(c) and c not in keep]


def test_clear_screen_sequence_is_made_visible() -> None:
    out = clean("Tin mới\x1b[2J\x1b[HĐảng ủy")
    assert out == "Tin mới␛[2J␛[HĐảng ủy"


def test_osc52_clipboard_write_is_made_visible() -> None:
    attack = "Đọc tiếp\x1b]52;c;cm0gLXJmIH4K\x07 hết."
    out = clean(attack)
    assert "\x1b" not in out and "\x07" not in out
    assert out == "Đọc tiếp␛]52;c;cm0gLXJmIH4K␇ hết."


def test_dcs_apc_pm_sos_and_title_sequences_are_made_visible() -> None:
    for attack, seen in [
        ("\x1bP1$qm\x1b\\", "␛P1$qm␛\\"),  # DCS ... ST
        ("\x1b_payload\x1b\\", "␛_payload␛\\"),  # APC
        ("\x1b^privacy\x1b\\", "␛^privacy␛\\"),  # PM
        ("\x1bXstring\x1b\\", "␛Xstring␛\\"),  # SOS
        ("\x1b]0;pwned\x07", "␛]0;pwned␇"),  # OSC window title
    ]:
        assert clean(attack) == seen


def test_c1_controls_are_replaced() -> None:
    # U+009B is a one-character CSI, U+009D an OSC, U+0090 a DCS.
    out = clean("a\x9b2Jb\x9d52;c;QQ==\x9cc\x90x")
    assert _unsafe(out) == []
    assert out == "a\ufffd2Jb\ufffd52;c;QQ==\ufffdc\ufffdx"


def test_del_backspace_cr_and_nul_become_control_pictures() -> None:
    assert clean("a\x7fb\x08c\rd\x00") == "a␡b␈c␍d␀"


def test_newline_and_tab_are_kept_in_text() -> None:
    text = "Dòng một\n\tDòng hai"
    assert clean(text) is text
    assert is_clean(text)


def test_lone_surrogates_become_replacement_characters() -> None:
    assert clean("a\udcffb\ud800") == "a\ufffdb\ufffd"


def test_clean_text_is_returned_unchanged() -> None:
    text = "Chiều 22-10, Đảng ủy các phường: Tân Sơn Hòa « » “ ” – … \u00a0"
    assert clean(text) is text


def test_name_newline_tab_and_escape_are_visible_on_one_line() -> None:
    assert clean_name("tin\n\x1b[31mđỏ\t.txt") == "tin␊␛[31mđỏ␉.txt"


def test_name_undecodable_bytes_are_shown_as_hex() -> None:
    # os.fsdecode(b"caf\xe9.txt") == "caf\udce9.txt"
    assert clean_name("caf\udce9.txt") == "caf\\xe9.txt"
    assert clean_name("a\udcff") != clean_name("a\udcfe")
    assert clean_name("tin tức/bài 1.txt") == "tin tức/bài 1.txt"


_ANY_CHAR = st.one_of(
    st.characters(max_codepoint=0xA0),  # dense in C0, DEL and C1
    st.characters(exclude_categories=()),  # everything, surrogates included
)


@given(st.text(alphabet=_ANY_CHAR))
def test_clean_removes_every_control_and_keeps_every_other_character(text: str) -> None:
    out = clean(text)
    assert _unsafe(out) == []
    assert len(out) == len(text)  # one visible stand-in per control: nothing lost, in order
    for before, after in zip(text, out, strict=True):
        if not _is_control(before) or before in "\n\t":
            assert after == before
        else:
            assert unicodedata.category(after) == "So" or after == "\ufffd"
    assert is_clean(out)
    assert is_clean(text) == (out == text)


@given(st.text(alphabet=_ANY_CHAR))
def test_clean_name_is_printable_and_keeps_every_other_character(name: str) -> None:
    out = clean_name(name)
    assert _unsafe(out, keep="") == []
    kept = iter(out)
    for char in name:
        if not _is_control(char):
            assert char in kept  # consumes `kept` up to the match: an in-order subsequence
