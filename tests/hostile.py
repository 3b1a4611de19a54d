"""A folder of every kind of file a user's archive may hold, hostile ones included.

`build_hostile_folder(root)` writes it and returns {relative name: what it is}. Names are
`os.fsdecode`d relative paths (an undecodable byte shows as a surrogate escape); the reader's
id for a name is `reader.sanitize.clean_name(name)`.

`TITLES` gives the title each readable article must show, `PROBLEMS` the start of the reason
each bad file must be reported with. The 25 MB article and the 1.3 MB single line are
generated here (in well under a second), never committed.

Also runnable: `python tests/hostile.py /tmp/hostile` builds the folder for manual testing.
"""

from __future__ import annotations

import codecs
import itertools
import os
import sys
import unicodedata
from pathlib import Path

__all__ = [
    "BIG_BYTES",
    "BIG_NAMES",
    "DEEP_LEVELS",
    "ESCAPE_NAMES",
    "LINE_BYTES",
    "MARKUP",
    "PROBLEMS",
    "TAB",
    "TITLES",
    "UNDATED",
    "WIDE_TITLES",
    "build_hostile_folder",
    "cp1258",
    "legacy_bytes",
]

BIG_BYTES = 25 * 2**20  # the big article, at least this many bytes
LINE_BYTES = 1_300_000  # the single-line file, at least this many bytes
DEEP_LEVELS = 300

# --- text ------------------------------------------------------------------------------------

LEAD = (
    "Chiều 22-10, Đảng ủy các phường: Tân Sơn Hòa, Tân Sơn Nhất, Hạnh Thông, An Nhơn tổ chức "
    "hội nghị ký kết quy chế phối hợp về đảm bảo an ninh trật tự (ANTT) địa bàn giáp ranh."
)
BODY = (
    "Tại chương trình, 4 phường cùng ký kết quy chế phối hợp về đảm bảo ANTT khu vực giáp "
    "ranh. Quy chế hướng đến các mục tiêu thiết thực, như: không để phát sinh khoảng trống "
    "trong quản lý địa bàn giáp ranh; chủ động phòng ngừa, phát hiện, đấu tranh và xử lý kịp "
    "thời các vụ việc phức tạp, không để hình thành tụ điểm tội phạm, tệ nạn xã hội."
)
FRENCH = (
    "L’été dernier, nous étions à la plage près de Saint-Malo ; c’était « formidable ». "
    "Où êtes-vous allés ? Déjà les enfants étaient fatigués, mais ils ont mangé une crème "
    "brûlée au café, près de la forêt — avec leur grand-mère Françoise et leur sœur Hélène."
)
GERMAN = (
    "Grüße aus München! Die schöne Straße führt über die Brücke zum Bahnhof, wo täglich "
    "Züge nach Köln, Düsseldorf und Nürnberg abfahren. Später gehen wir in den großen Park."
)

#: Rich markup that must show literally, never style, link or run an action.
MARKUP = ("[bold red]x[/]", "[link=https://evil.example]click[/link]", "[@click=app.quit]q[/]")

#: Terminal escape sequences, each of which must never reach the terminal.
ESC_CLEAR = "\x1b[2J\x1b[H"
OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # writes "rm -rf ~" to the clipboard
OSC8 = "\x1b]8;;https://evil.example/\x1b\\bấm vào đây\x1b]8;;\x1b\\"
DCS = "\x1bP1$qm\x1b\\"
OSC_TITLE = "\x1b]0;pwned\x07"
C1_CSI = "\u009b2J"  # the one-character CSI: clears the screen on 8-bit terminals
ESCAPES = (ESC_CLEAR, OSC52, OSC8, DCS, OSC_TITLE, C1_CSI)

#: Titles of the column-alignment articles: wide, zero-width and combining characters.
WIDE_TITLES = {
    "wide/cjk.txt": "北京新闻 東京ニュース 서울 소식 tin tức",
    "wide/emoji.txt": "Tin 🇻🇳 vui 🎉👨‍👩‍👧 ❤️ lễ hội 🏮 cuối tuần",
    # Marks on a letter with no precomposed form (NFC turns k + dot below into "ḳ").
    "wide/combining.txt": unicodedata.normalize(
        "NFC", "Z\u0337a\u0338l\u0336g\u0335o\u0334 và dấu k\u0303\u0323ết hợp"
    ),
    "wide/vietnamese.txt": "Đảng ủy phường Tân Sơn Hòa tổ chức hội nghị",
    "wide/zero_width.txt": "Tin\u200b ngắn\u200d có ký tự\u2060 vô hình",
    "wide/ascii.txt": "Plain ASCII title",
}


def _date(n: int) -> str:
    """The `n`th distinct date of 2020 (n >= 1), as `DD/MM/2020`."""
    return f"{(n - 1) % 28 + 1:02d}/{(n - 1) // 28 + 1:02d}/2020"


def _article(title: str, n: int, body: str = BODY, lead: str = LEAD) -> str:
    """An article with a title line, a dateline (the `n`th date) and two paragraphs."""
    return f"{title}\nNgày đăng {_date(n)} | 08:00\n\n{lead}\n\n{body}\n\nCẨM TUYẾT\n"


# --- legacy encoders (inverse of reader.decode's tables) -------------------------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: a base letter plus a combining tone mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in parts if c in _TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def legacy_bytes(text: str, encoding: str) -> bytes:
    """`text` in "cp1258", "viscii" or "tcvn3" (TCVN3 composes letter + tone mark)."""
    if encoding == "cp1258":
        return cp1258(text)
    from reader.decode import TCVN3_TABLE, VISCII_TABLE

    table = {"viscii": VISCII_TABLE, "tcvn3": TCVN3_TABLE}[encoding]
    inverse = {char: bytes([code]) for code, char in enumerate(table)}
    out = bytearray()
    for char in text:
        if char in inverse:
            out += inverse[char]
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        out += inverse[unicodedata.normalize("NFC", base)] + b"".join(inverse[m] for m in marks)
    return bytes(out)


# --- the folder ------------------------------------------------------------------------------

BIG_NAMES = ("big/25mb.txt", "big/one_line.txt")
#: An article with no date and no author: the command palette shows its id as help text.
UNDATED = "names/[Video] undated.txt"
TAB = "wide/tab.txt"

#: Readable articles: name -> the title the reader must show.
TITLES: dict[str, str] = {
    "enc/utf8.txt": "Bài UTF-8 chuẩn NFC",
    "enc/utf8_bom.txt": "Bài UTF-8 có BOM",
    "enc/utf16le_bom.txt": "Bài UTF-16 LE có BOM",
    "enc/utf16be_bom.txt": "Bài UTF-16 BE có BOM",
    "enc/cp1258.txt": "Bài Windows-1258 tổ hợp dấu",
    "enc/nfd.txt": "Bài NFD tách dấu",
    "enc/crlf.txt": "Bài xuống dòng CRLF",
    "enc/cr.txt": "Bài xuống dòng CR",
    "enc/viscii.txt": "Bài VISCII: HƯỚNG DẪN KỶ NIỆM MỸ THO",
    "enc/tcvn3.txt": "Bài TCVN3: HƯỚNG DẪN KỶ NIỆM MỸ THO",
    "enc/french_cp1252.txt": "Un article français",
    "enc/german_latin1.txt": "Ein deutscher Artikel",
    "enc/notes.md": "Ghi chú dạng Markdown",
    "hostile/markup.txt": f"{MARKUP[0]} Tin có markup {MARKUP[1]}",
    "hostile/escapes.txt": "Tin nóng ␛]0;pwned␇ tiêu đề ␛[31mđỏ",
    "names/\x1b[2Jclear.txt": "Tên tệp xóa màn hình",
    "names/\x1b]0;pwned\x07title.txt": "Tên tệp đổi tiêu đề cửa sổ",
    "names/c1_\u009b2J.txt": "Tên tệp có CSI C1",
    "names/[bold red]x[-]markup.txt": "Tên tệp có markup",
    "names/[@click=app.quit]q.txt": "Tên tệp có hành động",
    "names/new\nline.txt": "Tên tệp có xuống dòng",
    "names/latin1_t\udce9n.txt": "Tên tệp không phải UTF-8",
    "deep/" + "d/" * DEEP_LEVELS + "sâu.txt": "Bài ở thư mục rất sâu",
    "big/25mb.txt": "Bài rất dài 25 MB",
    "big/one_line.txt": "Một dòng duy nhất rất dài",
    UNDATED: "Tin không ghi ngày tháng",
    TAB: "Tiêu đề có tab",
    **WIDE_TITLES,
}

#: Files that cannot be read: name -> the start of the reason given.
PROBLEMS: dict[str, str] = {
    "bad/empty.txt": "empty file",
    "bad/whitespace.txt": "whitespace only",
    "bad/bom_only.txt": "empty file",
    "bad/image.txt": "binary file",
    "bad/controls.txt": "binary file",
    "bad/dangling.txt": "broken symbolic link",
    "bad/link_loop_a.txt": "symbolic link loop",
    "bad/link_loop_b.txt": "symbolic link loop",
    "bad/pipe.txt": "not a regular file (named pipe)",
    "bad/folder_loop": "symbolic link loop",
}

#: Root reads a file without permissions; anyone else gets a problem.
UNREADABLE_TITLE = "Tệp không có quyền đọc"
if os.geteuid() == 0:
    TITLES["bad/unreadable.txt"] = UNREADABLE_TITLE
else:
    PROBLEMS["bad/unreadable.txt"] = "cannot read: Permission denied"

#: Names holding escape sequences or markup (their ids must print harmlessly).
ESCAPE_NAMES = [name for name in TITLES if name.startswith("names/")]

_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    + bytes(range(256)) * 8
)


def _write(root: Path, name: str, data: bytes) -> Path:
    path = os.path.join(os.fsencode(root), os.fsencode(name))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return Path(os.fsdecode(path))


def _big_article(title: str) -> bytes:
    """A dated article of at least `BIG_BYTES` bytes, in numbered paragraphs."""
    head = f"{title}\nNgày đăng 31/12/2019 | 08:00\n\n{LEAD}\n\n".encode()
    paragraph = f"{BODY} {LEAD}\n\n".encode()
    count = BIG_BYTES // len(paragraph) + 1
    tail = "\nĐoạn cuối cùng của bài rất dài.\n\nCẨM TUYẾT\n".encode()
    return head + paragraph * count + tail


def _one_line(title: str) -> bytes:
    """A single line of at least `LINE_BYTES` bytes (no newline at all)."""
    words = f" {BODY}".encode()
    return title.encode() + b". " + words * (LINE_BYTES // len(words) + 1)


def build_hostile_folder(root: Path, *, big: bool = True) -> dict[str, str]:
    """Write the hostile folder under `root` (created if needed); return {name: what it is}.

    With `big=False` the two large files (`BIG_NAMES`) are left out.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, str] = {}

    def put(name: str, data: bytes, what: str) -> Path:
        kinds[name] = what
        return _write(root, name, data)

    day = itertools.count(1)

    def art(name: str) -> str:
        return _article(TITLES[name], next(day))

    # Unicode and legacy encodings, line endings, normalization.
    put("enc/utf8.txt", art("enc/utf8.txt").encode(), "UTF-8, NFC")
    put("enc/utf8_bom.txt", codecs.BOM_UTF8 + art("enc/utf8_bom.txt").encode(), "UTF-8 + BOM")
    put(
        "enc/utf16le_bom.txt",
        codecs.BOM_UTF16_LE + art("enc/utf16le_bom.txt").encode("utf-16-le"),
        "UTF-16 LE with BOM",
    )
    put(
        "enc/utf16be_bom.txt",
        codecs.BOM_UTF16_BE + art("enc/utf16be_bom.txt").encode("utf-16-be"),
        "UTF-16 BE with BOM",
    )
    put("enc/cp1258.txt", cp1258(art("enc/cp1258.txt")), "Windows-1258 (letter + tone mark)")
    put(
        "enc/nfd.txt",
        unicodedata.normalize("NFD", art("enc/nfd.txt")).encode(),
        "UTF-8, NFD (decomposed)",
    )
    put("enc/crlf.txt", art("enc/crlf.txt").replace("\n", "\r\n").encode(), "CRLF line ends")
    put("enc/cr.txt", art("enc/cr.txt").replace("\n", "\r").encode(), "CR line ends (old Mac)")
    put("enc/viscii.txt", legacy_bytes(art("enc/viscii.txt"), "viscii"), "VISCII")
    put("enc/tcvn3.txt", legacy_bytes(art("enc/tcvn3.txt"), "tcvn3"), "TCVN3 (ABC)")
    french = f"{TITLES['enc/french_cp1252.txt']}\n{_date(next(day))} 08:00\n\n{FRENCH}\n"
    put("enc/french_cp1252.txt", french.encode("cp1252"), "French in Windows-1252")
    german = f"{TITLES['enc/german_latin1.txt']}\n{_date(next(day))} 08:00\n\n{GERMAN}\n"
    put("enc/german_latin1.txt", german.encode("latin-1"), "German in Latin-1")
    put("enc/notes.md", art("enc/notes.md").encode(), "Markdown file")

    # Markup and escape sequences in article text.
    markup_body = (
        f"Đoạn có markup: {MARKUP[0]} rồi {MARKUP[1]} rồi {MARKUP[2]}; "
        "cả :smile: và \\[escaped] lẫn [reverse]đảo[/reverse]."
    )
    put(
        "hostile/markup.txt",
        _article(TITLES["hostile/markup.txt"], next(day), markup_body).encode(),
        "Rich markup in title and text",
    )
    escape_title = "Tin nóng \x1b]0;pwned\x07 tiêu đề \x1b[31mđỏ"
    escape_body = (
        f"Xóa màn hình {ESC_CLEAR} rồi ghi clipboard {OSC52} rồi liên kết {OSC8} "
        f"rồi DCS {DCS} rồi CSI C1 {C1_CSI} rồi chuông \x07\x07 và xóa lùi \x08\x08\x7f hết."
    )
    put(
        "hostile/escapes.txt",
        _article(escape_title, next(day), escape_body).encode(),
        "ESC/CSI/OSC 52/OSC 8/DCS/C1 in title and text",
    )

    # Hostile file names.
    for name, what in [
        ("names/\x1b[2Jclear.txt", "ESC[2J in the file name"),
        ("names/\x1b]0;pwned\x07title.txt", "OSC title sequence in the file name"),
        ("names/c1_\u009b2J.txt", "C1 CSI (U+009B) in the file name"),
        ("names/[bold red]x[-]markup.txt", "Rich markup in the file name"),
        ("names/[@click=app.quit]q.txt", "a Rich action in the file name"),
        ("names/new\nline.txt", "a newline in the file name"),
        ("names/latin1_t\udce9n.txt", "a Latin-1 (non-UTF-8) byte in the file name"),
    ]:
        put(name, art(name).encode(), what)
    undated = f"{TITLES[UNDATED]}\n\n{BODY}\n\n{BODY}\n"  # no date in the lead either
    put(UNDATED, undated.encode(), "markup-like name, no date or author (id shown as help)")

    # Odd places and sizes.
    deep = "deep/" + "d/" * DEEP_LEVELS + "sâu.txt"
    put(deep, art(deep).encode(), f"{DEEP_LEVELS} folders deep")
    if big:
        put("big/25mb.txt", _big_article(TITLES["big/25mb.txt"]), "25 MB article")
        put("big/one_line.txt", _one_line(TITLES["big/one_line.txt"]), "1.3 MB on a single line")
    for name, title in WIDE_TITLES.items():
        put(name, _article(title, next(day)).encode(), "alignment: " + title)
    put(TAB, _article("Tiêu đề\tcó tab", next(day), "Đoạn\tcó\ttab.").encode(), "tabs")

    # Files that cannot be read.
    put("bad/empty.txt", b"", "empty file")
    put("bad/whitespace.txt", b" \r\n\t\n\xc2\xa0\n", "whitespace only")
    put("bad/bom_only.txt", codecs.BOM_UTF8, "only a UTF-8 BOM")
    put("bad/image.txt", _PNG, "a PNG named .txt")
    put("bad/controls.txt", bytes(range(1, 32)) * 64, "control bytes named .txt")
    bad = root / "bad"
    os.symlink("missing.txt", bad / "dangling.txt")
    kinds["bad/dangling.txt"] = "dangling symbolic link"
    os.symlink("link_loop_b.txt", bad / "link_loop_a.txt")
    os.symlink("link_loop_a.txt", bad / "link_loop_b.txt")
    kinds["bad/link_loop_a.txt"] = kinds["bad/link_loop_b.txt"] = "symbolic link loop (files)"
    unreadable = put(
        "bad/unreadable.txt", _article(UNREADABLE_TITLE, next(day)).encode(), "no read permission"
    )
    unreadable.chmod(0)
    os.mkfifo(bad / "pipe.txt")
    kinds["bad/pipe.txt"] = "named pipe (FIFO) named .txt"
    os.symlink("..", bad / "folder_loop")
    kinds["bad/folder_loop"] = "symbolic link loop (folder)"

    # Not articles: must be ignored silently.
    put("bad/.hidden.txt", b"hidden", "hidden file (ignored)")
    put("bad/picture.jpg", _PNG, "not .txt/.md (ignored)")
    return kinds


if __name__ == "__main__":  # pragma: no cover - manual testing
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hostile")
    for name, what in build_hostile_folder(target).items():
        print(f"{name!a}: {what}")
