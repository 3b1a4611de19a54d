"""Every kind of file a user may have must read as the right NFC text, or fail with a reason."""

from __future__ import annotations

import codecs
import shutil
import subprocess
import unicodedata
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import decode as decode_module
from reader.decode import TCVN3_TABLE, VISCII_TABLE, DecodeError, decode_bytes

from hostile import cp1258, legacy_bytes

# Real sentences from the sample articles (000, 001, 004), NFC.
LEAD = (
    "Chiều 22-10, Đảng ủy các phường: Tân Sơn Hòa, Tân Sơn Nhất, Hạnh Thông, An Nhơn tổ chức "
    "hội nghị ký kết quy chế phối hợp về đảm bảo an ninh trật tự (ANTT) địa bàn giáp ranh; trao "
    "đổi kinh nghiệm và giải pháp nâng cao chất lượng công tác xây dựng Đảng."
)
BODY = (
    "Tại chương trình, 4 phường cùng ký kết quy chế phối hợp về đảm bảo ANTT khu vực giáp "
    "ranh. Quy chế hướng đến các mục tiêu thiết thực, như: không để phát sinh khoảng trống "
    "trong quản lý địa bàn giáp ranh; chủ động phòng ngừa, phát hiện, đấu tranh và xử lý kịp "
    "thời các vụ việc phức tạp, không để hình thành tụ điểm tội phạm, tệ nạn xã hội."
)
ARTICLE = f"{LEAD}\n\n{BODY}\n\nCẨM TUYẾT\n"
# Capitals that VISCII puts on C0 bytes (Ẫ 0x06, Ỷ 0x14, Ỹ 0x19) and TCVN3 on others.
CAPS = "HƯỚNG DẪN KỶ NIỆM NGÀY THÀNH LẬP TỈNH MỸ THO"
SHORT = "Đảng ủy phường"

FRENCH = (
    "L’été dernier, nous étions à la plage près de Saint-Malo ; c’était « formidable ». "
    "Où êtes-vous allés ? Déjà les enfants étaient fatigués, mais ils ont mangé une crème "
    "brûlée au café, près de la forêt — avec leur grand-mère Françoise et leur sœur Hélène."
)
GERMAN = "Grüße aus München! Die schöne Straße führt über die Brücke zum Bahnhof."
RUSSIAN = "Привет, как дела? Сегодня хорошая погода, и мы пошли гулять в парк."


LEGACY = {name: partial(legacy_bytes, encoding=name) for name in ("cp1258", "viscii", "tcvn3")}


# --- Unicode files -----------------------------------------------------------------------------


def test_utf8() -> None:
    decoded = decode_bytes(ARTICLE.encode())
    assert (decoded.text, decoded.encoding, decoded.uncertain) == (ARTICLE, "utf-8", False)


def test_utf8_with_bom_drops_the_bom() -> None:
    decoded = decode_bytes(codecs.BOM_UTF8 + ARTICLE.encode())
    assert (decoded.text, decoded.encoding, decoded.uncertain) == (ARTICLE, "utf-8-sig", False)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_with_bom(bom: bytes, codec: str) -> None:
    decoded = decode_bytes(bom + ARTICLE.encode(codec))
    assert (decoded.text, decoded.encoding, decoded.uncertain) == (ARTICLE, codec, False)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognized_not_called_binary(codec: str) -> None:
    decoded = decode_bytes(ARTICLE.encode(codec))
    assert (decoded.text, decoded.encoding) == (ARTICLE, codec)


@pytest.mark.parametrize("text", ["4", "Tin", "Đảng ủy", "Tin tức 24h", SHORT])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_short_utf16_without_bom_is_read_in_the_right_byte_order(text: str, codec: str) -> None:
    # charset-normalizer alone read b"4\x00" as U+3400 and "Tin" in UTF-16 LE backwards.
    decoded = decode_bytes(text.encode(codec))
    assert (decoded.text, decoded.encoding, decoded.uncertain) == (text, codec, True)


def test_nfd_text_is_normalized_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", ARTICLE)
    assert nfd != ARTICLE
    assert decode_bytes(nfd.encode()).text == ARTICLE


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings_become_newlines(newline: str) -> None:
    decoded = decode_bytes(ARTICLE.replace("\n", newline).encode())
    assert decoded.text == ARTICLE


def test_tabs_become_single_spaces() -> None:
    # A terminal jumps to the next tab stop while the layout counts a tab as no cell at all:
    # a tab left in a title shifted the list's date column and garbled the reader pane.
    decoded = decode_bytes("Tiêu đề\tcó tab\n\tĐoạn\tmột.\r\n".encode())
    assert decoded.text == "Tiêu đề có tab\n Đoạn một.\n"


def test_utf8_cut_off_mid_character_keeps_the_text_and_flags_it() -> None:
    data = LEAD.encode() + " Đả".encode()[:-1]  # the file ends inside the 3 bytes of "ả"
    decoded = decode_bytes(data)
    assert decoded.text == LEAD + " Đ\ufffd"
    assert (decoded.encoding, decoded.uncertain) == ("utf-8", True)


def test_utf8_fast_path_never_calls_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    import charset_normalizer

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("charset-normalizer called on valid UTF-8")

    monkeypatch.setattr(charset_normalizer, "from_bytes", boom)
    assert decode_bytes(ARTICLE.encode()).encoding == "utf-8"
    assert decode_bytes(b"plain ASCII\n").text == "plain ASCII\n"


# --- Vietnamese legacy encodings ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1258", "viscii", "tcvn3"])
def test_vietnamese_legacy_article(encoding: str) -> None:
    data = LEGACY[encoding](ARTICLE)
    assert data != ARTICLE.encode()
    decoded = decode_bytes(data)
    assert decoded.text == ARTICLE
    assert decoded.encoding == encoding
    assert decoded.uncertain is False  # a whole article leaves no doubt


@pytest.mark.parametrize("encoding", ["cp1258", "viscii", "tcvn3"])
def test_vietnamese_legacy_capitals(encoding: str) -> None:
    text = f"{CAPS}\n\n{ARTICLE}"
    decoded = decode_bytes(LEGACY[encoding](text))
    assert (decoded.text, decoded.encoding) == (text, encoding)


def test_viscii_capitals_on_control_bytes_are_letters_not_controls() -> None:
    data = LEGACY["viscii"](f"{CAPS}\n{LEAD}")
    assert b"\x06" in data and b"\x14" in data and b"\x19" in data  # Ẫ Ỷ Ỹ
    decoded = decode_bytes(data)
    assert decoded.text.startswith("HƯỚNG DẪN KỶ NIỆM")
    assert "MỸ THO" in decoded.text


def test_known_bytes_of_dang_uy() -> None:
    # Bytes as glibc iconv writes "Đảng ủy" in each encoding.
    assert decode_bytes(b"\xd0\xe4ng \xfcy " + LEGACY["viscii"](LEAD)).text.startswith("Đảng ủy")
    assert decode_bytes(b"\xa7\xb6ng \xf1y " + LEGACY["tcvn3"](LEAD)).text.startswith("Đảng ủy")
    assert decode_bytes(b"\xd0a\xd2ng u\xd2y " + cp1258(LEAD)).text.startswith("Đảng ủy")


def test_utf8_bom_on_a_legacy_file_is_not_trusted() -> None:
    decoded = decode_bytes(codecs.BOM_UTF8 + LEGACY["tcvn3"](ARTICLE))
    assert (decoded.text, decoded.encoding) == (ARTICLE, "tcvn3")


def test_windows_1258_output_is_nfc() -> None:
    raw = cp1258(LEAD).decode("cp1258")
    assert not unicodedata.is_normalized("NFC", raw)  # letters + combining tones
    text = decode_bytes(cp1258(LEAD)).text
    assert text == LEAD and unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("encoding", ["viscii", "tcvn3", "cp1258"])
def test_short_legacy_text_is_read_but_flagged_uncertain(encoding: str) -> None:
    decoded = decode_bytes(LEGACY[encoding](SHORT))
    assert decoded.uncertain is True
    assert decoded.encoding in ("cp1258", "viscii", "tcvn3")


# Cross-checks against glibc iconv, independent of the tables in reader.decode.

_ICONV = shutil.which("iconv")


def _iconv(data: bytes, source: str, target: str) -> bytes | None:
    if _ICONV is None:
        return None
    result = subprocess.run(
        [_ICONV, "-f", source, "-t", target], input=data, capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


@pytest.mark.parametrize(
    ("table", "charset"), [(VISCII_TABLE, "VISCII"), (TCVN3_TABLE, "TCVN5712-1")]
)
def test_tables_match_glibc_iconv(table: str, charset: str) -> None:
    if _iconv(b"a", charset, "UTF-8") is None:
        pytest.skip(f"iconv with {charset} not available")
    every_byte = bytes(range(256))
    expected = _iconv(every_byte, charset, "UTF-8")
    assert expected is not None
    assert codecs.charmap_decode(every_byte, "strict", table)[0] == expected.decode()


@pytest.mark.parametrize(
    ("charset", "encoding"), [("CP1258", "cp1258"), ("VISCII", "viscii"), ("TCVN5712-1", "tcvn3")]
)
def test_files_written_by_iconv(charset: str, encoding: str) -> None:
    data = _iconv(f"{CAPS}\n{ARTICLE}".encode(), "UTF-8", charset)
    if data is None:
        pytest.skip(f"iconv with {charset} not available")
    decoded = decode_bytes(data)
    assert (decoded.text, decoded.encoding) == (f"{CAPS}\n{ARTICLE}", encoding)


# --- Other languages ---------------------------------------------------------------------------


def test_french_windows_1252() -> None:
    decoded = decode_bytes(FRENCH.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (FRENCH, "cp1252")


def test_german_latin1() -> None:
    decoded = decode_bytes(GERMAN.encode("latin-1"))
    assert decoded.text == GERMAN
    assert decoded.encoding in ("cp1252", "iso8859-1")


def test_english_with_windows_1252_quotes() -> None:
    text = "It’s a “quoted” word – and that’s all…"
    decoded = decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_russian_windows_1251_is_left_to_charset_normalizer() -> None:
    decoded = decode_bytes(RUSSIAN.encode("cp1251"))
    assert (decoded.text, decoded.encoding, decoded.uncertain) == (RUSSIAN, "cp1251", True)


# --- Not text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (codecs.BOM_UTF8, "empty file"),
        (b"  \r\n\t\n \n", "whitespace only"),
        ("\u00a0\u3000\n".encode(), "whitespace only"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file (NUL bytes)"),
        (ARTICLE.encode() + b"\x00", "binary file (NUL bytes)"),
        (bytes(range(1, 32)) * 20, "binary file (control characters)"),
        (b"\x00\x01binary now", "binary file (control characters)"),
    ],
)
def test_not_text_is_a_decode_error_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    assert str(info.value) == reason


def test_escape_sequences_in_an_article_are_made_visible() -> None:
    data = f"{LEAD}\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\n{BODY}\x7f\n".encode()
    decoded = decode_bytes(data)
    assert "\x1b" not in decoded.text and "\x07" not in decoded.text
    assert decoded.text == f"{LEAD}␛]52;c;cm0gLXJmIH4K␇␛[2J\n{BODY}␡\n"


@pytest.mark.parametrize("control", ["\x9b", "\x85", "\x1b"])
def test_a_control_in_utf8_as_read_or_rewritten_is_made_visible(control: str) -> None:
    # C1 controls are two bytes in UTF-8 (the CSI U+009B is C2 9B); the text is checked in
    # the file's own bytes when decoding changed nothing, else after CRLF and NFC fixes.
    for data in (f"{LEAD}{control}31m\n{BODY}\n", f"{LEAD}{control}31m\r\n{BODY}\r\n"):
        text = decode_bytes(data.encode()).text
        assert control not in text and "31m" in text


def _has_controls(text: str) -> bool:
    return any(
        (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) < 0xE000
        for c in text
    )


_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=300).map(lambda t: t.encode("utf-16-le", "surrogatepass")),
    st.builds(lambda t, b: t.encode() + b, st.text(max_size=300), st.binary(max_size=20)),
    st.builds(lambda t, b: LEGACY["viscii"](t) + b, st.sampled_from([SHORT, LEAD]), st.binary()),
)


@settings(max_examples=300, deadline=None)
@given(_BYTES)
def test_arbitrary_bytes_give_clean_text_or_a_decode_error(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        assert str(exc)
        return
    assert decoded.text.strip()
    assert not _has_controls(decoded.text)
    assert "\r" not in decoded.text
    assert unicodedata.is_normalized("NFC", decoded.text)
    assert decoded.encoding


def test_vietnamese_scores_prefer_the_right_reading() -> None:
    right = decode_module.vietnamese_score(ARTICLE)
    wrong = decode_module.vietnamese_score(
        codecs.charmap_decode(LEGACY["tcvn3"](ARTICLE), "strict", VISCII_TABLE)[0]
    )
    assert right.bad <= 1 and right.good > 50
    assert wrong.value < right.value // 2
