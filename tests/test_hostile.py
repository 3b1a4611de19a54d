"""End to end on a hostile folder (tests/hostile.py): the loader, the CLI and the TUI.

Every readable file is listed with its decoded title, every bad one is a problem with a
reason, and nothing an article or a file name holds ever reaches the terminal as a control
character or as markup: not in `reader list`/`show`/`search` output (checked on the raw
bytes), not on the TUI's screen, not in the problems view.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Awaitable, Iterable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.article import Article, BlockKind
from reader.decode import DecodeError, decode_bytes
from reader.files import Problem
from reader.fold import nfc
from reader.library import Library, load_file, scan
from reader.render import article_paragraphs, plain_article
from reader.sanitize import clean_name
from reader.ui.app import ReaderApp
from reader.ui.problems_screen import ProblemsScreen

from conftest import settle
from hostile import (
    BIG_NAMES,
    BODY,
    ESCAPE_NAMES,
    LEAD,
    MARKUP,
    OSC52,
    PROBLEMS,
    TAB,
    TITLES,
    UNDATED,
    WIDE_TITLES,
    build_hostile_folder,
    cp1258,
    legacy_bytes,
)

T = TypeVar("T")

HANG = 60.0  # seconds: only a hang guard, never a performance assertion
ESCAPES = "hostile/escapes.txt"
MARKUPS = "hostile/markup.txt"

#: Vietnamese articles in every encoding and form: all must read and search like NFC UTF-8.
VIETNAMESE = {
    "enc/utf8.txt": "utf-8",
    "enc/utf8_bom.txt": "utf-8-sig",
    "enc/utf16le_bom.txt": "utf-16-le",
    "enc/utf16be_bom.txt": "utf-16-be",
    "enc/cp1258.txt": "cp1258",
    "enc/nfd.txt": "utf-8",
    "enc/crlf.txt": "utf-8",
    "enc/cr.txt": "utf-8",
    "enc/viscii.txt": "viscii",
    "enc/tcvn3.txt": "tcvn3",
}

#: What a terminal acts on: C0 but newline, DEL, C1, and lone surrogates (unencodable).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same in raw output bytes (where a tab separates fields): C0 but LF and tab, DEL, C1.
UNSAFE_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def unsafe(text: str) -> list[str]:
    """The characters of `text` a terminal would act on."""
    return UNSAFE.findall(text)


def assert_safe_bytes(data: bytes) -> str:
    """Raw output is valid UTF-8 with no ESC, BEL, C1 or other control: return it decoded."""
    assert UNSAFE_BYTES.search(data) is None, UNSAFE_BYTES.search(data)
    return data.decode("utf-8")  # strict: no raw undecodable byte of a file name either


def by_id(library: Library) -> dict[str, Article]:
    return {a.id: a for a in library.articles}


async def guard(step: Awaitable[T]) -> T:
    """Await `step`, failing instead of hanging forever."""
    return await asyncio.wait_for(step, HANG)


# --- the folders ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterable[Path]:
    """The whole hostile folder, 25 MB article included (deleted at the end)."""
    root = tmp_path_factory.mktemp("full") / "tin tức"
    build_hostile_folder(root)
    yield root
    for name in BIG_NAMES:
        (root / name).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile folder without its two large files (for the many TUI runs)."""
    root = tmp_path_factory.mktemp("small") / "hostile"
    build_hostile_folder(root, big=False)
    return root


@pytest.fixture(scope="module")
def library(full: Path) -> Library:
    return Library.load([full])


# --- the library ------------------------------------------------------------------------------


def test_the_folder_holds_every_kind(full: Path) -> None:
    assert (full / "big/25mb.txt").stat().st_size >= 25 * 2**20
    data = (full / "big/one_line.txt").read_bytes()
    assert len(data) >= 1_300_000 and b"\n" not in data
    assert os.path.islink(full / "bad/dangling.txt") and not (full / "bad/dangling.txt").exists()
    names = {os.fsdecode(n) for n in os.listdir(os.fsencode(full / "names"))}
    assert "latin1_t\udce9n.txt" in names and "\x1b[2Jclear.txt" in names


def test_every_readable_article_is_listed_with_its_decoded_title(library: Library) -> None:
    articles = by_id(library)
    assert set(articles) == {clean_name(name) for name in TITLES}
    for name, title in TITLES.items():
        assert articles[clean_name(name)].title == title, name
    for name, encoding in VIETNAMESE.items():
        article = articles[name]
        assert (article.encoding, article.encoding_uncertain) == (encoding, False), name
        assert LEAD in article.text and BODY in article.text
    assert articles["enc/french_cp1252.txt"].encoding == "cp1252"
    assert "crème brûlée au café" in articles["enc/french_cp1252.txt"].text
    assert "Grüße aus München" in articles["enc/german_latin1.txt"].text


def test_every_bad_file_is_a_problem_with_a_reason(full: Path, library: Library) -> None:
    prefix = clean_name(os.path.join(full, ""))
    skipped = {p.path.removeprefix(prefix): p.reason for p in library.problems if p.skipped}
    assert set(skipped) == set(PROBLEMS)
    for name, reason in PROBLEMS.items():
        assert skipped[name].startswith(reason), (name, skipped[name])
    doubtful = {p.path.removeprefix(prefix) for p in library.problems if not p.skipped}
    assert doubtful <= {"enc/german_latin1.txt"}  # a short Latin-1 text: read, but flagged
    listed = {p.path for p in library.problems} | {a.id for a in library.articles}
    assert not any(".hidden" in path or "picture.jpg" in path for path in listed)


def test_nothing_a_terminal_acts_on_reaches_the_model(library: Library) -> None:
    for article in library.articles:
        fields = [article.id, article.title, article.author or "", article.section or ""]
        assert not unsafe("".join(fields) + article.text), article.id
        assert "\n" not in article.title + article.id
    for problem in library.problems:
        assert not unsafe(problem.path + problem.reason)


@pytest.mark.parametrize("name", [ESCAPES, MARKUPS, TAB, *ESCAPE_NAMES])
def test_rendered_paragraphs_are_plain_data(library: Library, name: str) -> None:
    article = by_id(library)[clean_name(name)]
    for para in article_paragraphs(article):
        assert not unsafe(para.text.plain)
        assert "\n" not in para.text.plain
        # Styles come from the reader only: never a link or an action from the text.
        for span in para.text.spans:
            style = span.style if not isinstance(span.style, str) else None
            assert style is None or (style.link is None and not style.meta)
    shown = plain_article(article)
    assert not unsafe(shown)
    if name == MARKUPS:
        assert all(markup in shown for markup in MARKUP)


def test_every_encoding_reads_and_searches_like_nfc_utf8(library: Library) -> None:
    articles = by_id(library)

    def body(article: Article) -> list[str]:
        skip = (BlockKind.TITLE, BlockKind.DATELINE)
        return [b.text for b in article.blocks if b.kind not in skip]

    reference = body(articles["enc/utf8.txt"])
    for name in VIETNAMESE:
        assert body(articles[name]) == reference, name
    for query in ("tan son hoa", "Tân Sơn Hòa", "'Tân Sơn Hoà", '"giap ranh"', "antt"):
        found = {hit.article.id for hit in library.search(query, limit=500)}
        assert set(VIETNAMESE) <= found, (query, set(VIETNAMESE) - found)


def test_a_file_that_vanishes_or_changes_after_the_scan(tmp_path: Path) -> None:
    for name in ("gone.txt", "pipe.txt", "binary.txt", "edited.txt"):
        (tmp_path / name).write_text(f"Tin {name}\n\n{LEAD}\n", "utf-8")
    found, problems = scan([tmp_path])
    assert problems == [] and len(found) == 4
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "pipe.txt").unlink()
    os.mkfifo(tmp_path / "pipe.txt")  # opening it must not block
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "edited.txt").write_text("Tiêu đề mới\n\nNội dung.\n", "utf-8")
    results = {f.id: load_file(f) for f in found}
    assert isinstance(results["gone.txt"], Problem)
    assert results["gone.txt"].reason.startswith("cannot read")
    assert results["pipe.txt"] == Problem(str(tmp_path / "pipe.txt"), "not a regular file")
    assert results["binary.txt"] == Problem(str(tmp_path / "binary.txt"), "binary file (NUL bytes)")
    edited = results["edited.txt"]
    assert isinstance(edited, Article) and edited.title == "Tiêu đề mới"


def test_a_file_read_while_it_grows_or_failing_mid_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grows, fails = tmp_path / "grows.txt", tmp_path / "fails.txt"
    grows.write_text(f"Tin mới\n\n{LEAD}\n", "utf-8")
    fails.write_text(f"Tin lỗi\n\n{LEAD}\n", "utf-8")
    found, _ = scan([tmp_path])
    real_fstat, real_read = os.fstat, os.read

    def opened(fd: int) -> str:
        return os.readlink(f"/proc/self/fd/{fd}")

    def fstat(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        if opened(fd) == str(grows) and st.st_size == grows.stat().st_size:
            with open(grows, "a", encoding="utf-8") as more:  # more text after the fstat
                more.write(BODY + "\n")
        return st

    def read(fd: int, size: int) -> bytes:
        if opened(fd) == str(fails):
            raise OSError(5, "Input/output error")
        return real_read(fd, size)

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(os, "read", read)
    open_before = len(os.listdir("/proc/self/fd"))
    results = {f.id: load_file(f) for f in found}
    monkeypatch.undo()
    assert len(os.listdir("/proc/self/fd")) == open_before  # every file was closed
    grown = results["grows.txt"]
    assert isinstance(grown, Article) and grown.text.endswith(BODY + "\n")
    assert results["fails.txt"] == Problem(str(fails), "cannot read: Input/output error")


def test_an_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "closed.txt").write_text("Tin\n\nNội dung.\n", "utf-8")
    real_open = os.open

    def deny(path: str | os.PathLike[str], *args: int) -> int:
        if os.fspath(path).endswith("closed.txt"):  # root would read a chmod 000 file
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", deny)
    library = Library.load([tmp_path])
    assert library.articles == []
    assert library.problems == [
        Problem(str(tmp_path / "closed.txt"), "cannot read: Permission denied")
    ]


# --- properties: bytes on disk -> Article.blocks -----------------------------------------------

_CONTROLS = st.characters(max_codepoint=0xA0)  # dense in C0, DEL and C1
_TEXT = st.text(st.one_of(_CONTROLS, st.characters(codec="utf-8")), max_size=300)
_LINES = [LEAD, BODY, "HƯỚNG DẪN KỶ NIỆM NGÀY THÀNH LẬP TỈNH MỸ THO", "Đảng ủy", "\n", "\n\n"]
_VIETNAMESE = st.lists(st.sampled_from(_LINES), max_size=6)
_FILES = st.one_of(
    st.binary(max_size=2000),
    _TEXT.map(str.encode),
    _TEXT.map(lambda t: "\ufeff".encode() + unicodedata.normalize("NFD", t).encode()),
    _TEXT.map(lambda t: "\ufeff".encode("utf-16-le") + t.encode("utf-16-le", "surrogatepass")),
    st.builds(
        lambda parts, enc, junk: legacy_bytes("".join(parts), enc) + junk,
        _VIETNAMESE,
        st.sampled_from(["viscii", "tcvn3"]),
        st.binary(max_size=8),
    ),
    st.builds(lambda parts, t: cp1258("".join(parts)) + t.encode(), _VIETNAMESE, _TEXT),
    st.builds(
        lambda t, esc: (t + esc + t).replace("\n", "\r\n").encode(),
        _TEXT,
        st.sampled_from([OSC52, "\x1b[2J", "\x9b2J", "\x1bP1$qm\x1b\\", "\t\x07\x08"]),
    ),
)


def _kept(text: str) -> str:
    """The characters that must survive: everything but controls and whitespace."""
    return "".join(c for c in text if not unsafe(c) and not c.isspace())


def _subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(char in it for char in needle)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_FILES)
def test_any_file_loads_or_is_a_problem_and_no_text_is_lost(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "tin.txt")
        path.write_bytes(data)
        [found], problems = scan([folder])
        assert problems == []
        result = load_file(found)
    if isinstance(result, Problem):
        with pytest.raises(DecodeError) as info:
            decode_bytes(data)
        assert result.reason == str(info.value) != ""
        return
    assert result.text == decode_bytes(data).text
    blocks = "".join(block.text for block in result.blocks)
    assert _kept(blocks) == _kept(result.text)  # blocks partition the text, in order
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:  # every non-control character of a UTF-8 file is in the paragraphs, in order
        if b"\x00" not in data:  # (with NUL bytes it may be UTF-16: b"4\x00" is "4")
            assert _subsequence(_kept(nfc(raw)), blocks)
    assert not unsafe(result.text + result.title) and "\n" not in result.title
    assert not unsafe(plain_article(result))


_NAME_BYTES = st.binary(min_size=1, max_size=60).filter(
    lambda b: b"/" not in b and b"\x00" not in b and not b.startswith(b".")
)


@settings(max_examples=100, deadline=None)
@given(_NAME_BYTES)
def test_any_file_name_gives_a_printable_id(name: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        raw = os.fsencode(folder) + b"/" + name + b".txt"
        with open(raw, "wb") as handle:
            handle.write("Tin ngắn\n\nNội dung.\n".encode())
        library = Library.load([os.fsdecode(folder)])
    [article] = library.articles
    assert article.id == clean_name(os.fsdecode(name + b".txt"))
    assert not unsafe(article.id) and "\n" not in article.id
    assert article.id.encode("utf-8")  # printable and encodable, whatever the name held


# --- the command line, as subprocesses ---------------------------------------------------------

#: A real user's UTF-8 locale: printing an unencodable character raises, it is not escaped.
STRICT = {"PYTHONIOENCODING": "utf-8:strict", "COLUMNS": "100", "NO_COLOR": ""}


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m reader ARGS` with this interpreter (the venv's)."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *map(str, args)],
        capture_output=True,
        timeout=HANG,
        env={**os.environ, **(STRICT if env is None else env)},
        check=False,
    )


def test_cli_list(full: Path) -> None:
    result = cli("list", full)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    out = assert_safe_bytes(result.stdout)
    rows = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert set(rows) == {clean_name(name) for name in TITLES}
    for name, title in TITLES.items():
        assert rows[clean_name(name)][2] == title
    for markup in MARKUP[:2]:
        assert markup in rows[MARKUPS][2]
    err = assert_safe_bytes(result.stderr)
    for name, reason in PROBLEMS.items():
        assert f"{clean_name(os.path.join(full, name))}: {reason}" in err


def test_cli_list_json_fields(small: Path) -> None:
    result = cli("list", small, "--json", env={})
    assert result.returncode == 0
    lines = result.stdout.decode("utf-8", "surrogateescape").splitlines()
    rows = [json.loads(line) for line in lines]
    titles = {row["id"]: row["title"] for row in rows}
    expected = {clean_name(n): t for n, t in TITLES.items() if n not in BIG_NAMES}
    assert titles == expected
    for row in rows:
        assert not unsafe(row["id"] + row["title"] + (row["author"] or ""))


def test_cli_list_json_output_is_safe_utf8(small: Path) -> None:
    result = cli("list", small / "names", "--json")
    assert result.returncode == 0, result.stderr[-300:]
    assert_safe_bytes(result.stdout)


@pytest.mark.parametrize("name", [ESCAPES, MARKUPS, "names/\x1b[2Jclear.txt"])
def test_cli_show_prints_escapes_and_markup_as_text(small: Path, name: str) -> None:
    result = cli("show", clean_name(name), small)
    assert result.returncode == 0, result.stderr
    out = assert_safe_bytes(result.stdout)
    assert out.startswith(TITLES[name] + "\n")
    if name == ESCAPES:
        assert "␛]52;c;cm0gLXJmIH4K␇" in out and "␛]8;;https://evil.example/" in out
        assert "\ufffd2J" in out and "␛P1$qm" in out
    if name == MARKUPS:
        assert all(markup in out for markup in MARKUP)


def _run_in_pty(*args: str | Path) -> bytes:
    """Run the CLI with stdout on a terminal (Rich output); return what it wrote."""
    master, slave = pty.openpty()
    env = {**os.environ, **STRICT, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while select.select([master], [], [], HANG)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        assert proc.wait(timeout=HANG) == 0
    return b"".join(chunks)


@pytest.mark.parametrize("name", [ESCAPES, MARKUPS])
def test_cli_show_on_a_terminal_sends_only_colours(small: Path, name: str) -> None:
    out = _run_in_pty("show", name, small)
    sgr = re.compile(rb"\x1b\[[0-9;]*m")
    assert b"\x1b]" not in out  # no OSC: no title, clipboard or hyperlink
    rest = sgr.sub(b"", out).replace(b"\r\n", b"\n")
    text = assert_safe_bytes(rest)
    assert TITLES[name] in text
    if name == MARKUPS:
        words = " ".join(text.split())  # Rich wraps lines at spaces
        assert all(markup in words for markup in MARKUP)


def test_cli_search_and_exit_codes(small: Path) -> None:
    result = cli("search", "pwned", small)
    assert result.returncode == 0
    assert clean_name(ESCAPES) in assert_safe_bytes(result.stdout)
    for query in (MARKUP[1], "\x1b[2J"):
        result = cli("search", query, small, "--json")
        assert result.returncode in (0, 1), result.stderr
        assert_safe_bytes(result.stdout)
    assert cli("search", "zzqqxxw", small).returncode == 1
    assert cli("search", "x", small, "--limit", "0").returncode == 2
    missing = cli("show", "no/such.txt", small)
    assert missing.returncode == 1 and b"no article with id" in missing.stderr
    bad = cli("list", *(small / "bad" / n for n in ("empty.txt", "image.txt", "dangling.txt")))
    assert bad.returncode == 1 and bad.stdout == b""
    assert b"broken symbolic link" in bad.stderr and b"binary file" in bad.stderr


def test_cli_missing_folder_message_is_safe(tmp_path: Path) -> None:
    result = cli(tmp_path / "gone\x1b]0;pwned\x07\x1b[2J")
    assert result.returncode == 2
    assert_safe_bytes(result.stderr)


# --- the TUI ------------------------------------------------------------------------------------


def test_the_header_shows_a_hostile_folder_name_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "tin\x1b]0;pwned\x07\x1b[2J"
    folder.mkdir()
    assert not unsafe(ReaderApp([folder]).label)


def screen_text(app: ReaderApp) -> str:
    """What the terminal shows, as plain text; asserts no control character is on screen."""
    svg = app.export_screenshot()
    assert not UNSAFE.search(svg.replace("\n", "")), "a control character reached the screen"
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def row_of(app: ReaderApp, name: str) -> int:
    ids = [row.article.id for row in app.article_list.rows]
    return ids.index(clean_name(name))


async def open_row(pilot, index: int) -> None:
    """Put the list cursor on `index` and read that article."""
    app: ReaderApp = pilot.app
    app.article_list.focus()
    app.article_list.cursor = index
    await pilot.press("enter")
    await pilot.pause()
    assert app.article_view.article is app.article_list.rows[index].article


async def at_bottom(pilot, view) -> None:
    """Wait until G has wrapped a huge article to its end (a slice at a time) and got there."""
    while view._to_bottom:
        await pilot.pause(0.05)
    await pilot.pause()


async def test_tui_big_files_escapes_markup_and_problems(full: Path) -> None:
    app = ReaderApp([full])
    async with app.run_test(size=(120, 40)) as pilot:
        await guard(settle(pilot))
        assert len(app.library.articles) == len(TITLES)
        text = screen_text(app)
        assert "Tin nóng ␛]0;pwned␇ tiêu đề ␛[31mđỏ" in text
        assert "[bold red]x[/] Tin có markup" in text

        await open_row(pilot, row_of(app, MARKUPS))
        assert all(markup in screen_text(app) for markup in MARKUP)
        await open_row(pilot, row_of(app, ESCAPES))
        assert OSC52.replace("\x1b", "␛").replace("\x07", "␇") in screen_text(app)

        view = app.article_view
        await guard(open_row(pilot, row_of(app, "big/25mb.txt")))
        assert "Bài rất dài 25 MB" in screen_text(app)
        await pilot.press("space")
        await guard(pilot.press("G"))
        await guard(at_bottom(pilot, view))
        assert view.scroll_y == view.max_scroll_y > 1000
        assert "Đoạn cuối cùng của bài rất dài." in screen_text(app)
        await pilot.press("g")
        assert view.scroll_y == 0

        await guard(open_row(pilot, row_of(app, "big/one_line.txt")))
        await guard(pilot.press("G"))
        await guard(at_bottom(pilot, view))
        assert view.scroll_y == view.max_scroll_y > 100
        await pilot.press("escape")

        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        table = app.screen.query_one("DataTable")
        files = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        prefix = clean_name(os.path.join(full, ""))
        assert {f.removeprefix(prefix) for f in files} >= set(PROBLEMS)
        assert "symbolic link loop" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, ProblemsScreen)

        await pilot.press("ctrl+p")
        await pilot.press(*"Problems")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)


#: The rows opened at every size, and those scrolled with keys there too.
HOSTILE = {clean_name(n) for n in [ESCAPES, MARKUPS, *ESCAPE_NAMES, UNDATED, TAB, *WIDE_TITLES]}
SCROLLED = {clean_name(n) for n in [ESCAPES, MARKUPS, TAB, "wide/emoji.txt"]}


@pytest.mark.parametrize("size", [(40, 10), (120, 40), (300, 80)])
async def test_tui_every_hostile_article_at_every_size(small: Path, size: tuple[int, int]) -> None:
    app = ReaderApp([small])
    async with app.run_test(size=size) as pilot:
        await guard(settle(pilot))
        lst, view = app.article_list, app.article_view
        assert len(lst.rows) == len(TITLES) - len(BIG_NAMES)
        screen_text(app)
        await pilot.press("enter")  # read; the reader pane keeps the focus from now on
        seen = set()
        for index, row in enumerate(lst.rows):
            if row.article.id not in HOSTILE:
                continue
            lst.cursor = index  # what `]` does: the reader pane follows the list
            await pilot.pause()
            assert view.article is row.article and view.has_focus
            if row.article.id in SCROLLED:
                await pilot.press("space", "G", "k", "g")
            text = screen_text(app)
            if row.article.id == MARKUPS:
                assert MARKUP[0] in text
            seen.add(row.article.id)
        assert seen == HOSTILE
        await pilot.press("right_square_bracket", "escape", "slash", *"markup")
        await guard(settle(pilot))
        assert clean_name(MARKUPS) in {row.article.id for row in lst.rows}
        assert "[bold red]x[/]" in screen_text(app)
        await pilot.press("escape", "p")
        assert isinstance(app.screen, ProblemsScreen)
        screen_text(app)
        await pilot.press("escape")


def _date_cells(app: ReaderApp) -> dict[str, int]:
    """Where each visible row's date starts, in cells, as the list draws it."""
    lst = app.article_list
    width = lst.scrollable_content_region.width
    cells: dict[str, int] = {}
    for y in range(lst.scrollable_content_region.height):
        if y >= len(lst.rows):
            break
        article = lst.rows[y].article
        strip = lst.render_line(y)
        assert strip.cell_length == width
        line = "".join(segment.text for segment in strip)
        if article.date is not None:
            cells[article.id] = cell_len(line[: line.index(article.date.display())])
    return cells


@pytest.mark.parametrize("size", [(50, 40), (120, 40), (300, 80)])
async def test_wide_and_emoji_titles_keep_the_date_column(
    small: Path, size: tuple[int, int]
) -> None:
    app = ReaderApp([small])
    async with app.run_test(size=size) as pilot:
        await guard(settle(pilot))
        cells = _date_cells(app)
        assert {clean_name(name) for name in WIDE_TITLES} <= set(cells)
        assert clean_name(TAB) in cells
        assert len(set(cells.values())) == 1, cells


async def test_list_sends_no_emoji_sequence_of_disputed_width(small: Path) -> None:
    app = ReaderApp([small])
    async with app.run_test(size=(120, 40)) as pilot:
        await guard(settle(pilot))
        lst = app.article_list
        for y in range(min(len(lst.rows), lst.scrollable_content_region.height)):
            line = "".join(segment.text for segment in lst.render_line(y))
            for base, selector in itertools.pairwise(line):
                if selector == "\ufe0f":
                    assert unicodedata.east_asian_width(base) in ("W", "F"), line


async def test_files_that_appear_change_and_vanish_while_running(tmp_path: Path) -> None:
    root = tmp_path / "live"
    build_hostile_folder(root, big=False)
    app = ReaderApp([root])
    async with app.run_test(size=(120, 40)) as pilot:
        await guard(settle(pilot))
        before = len(app.article_list.rows)
        (root / "new.txt").write_text(f"Bài mới xuất hiện\n\n{LEAD}\n", "utf-8")
        (root / "enc/utf8.txt").unlink()
        changed = root / "enc/crlf.txt"
        changed.write_text(f"Tiêu đề đã sửa\n\n{LEAD}\n", "utf-8")
        stat = changed.stat()
        os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        (root / "enc/nfd.txt").write_bytes(bytes(range(256)) * 4)
        await pilot.press("r")
        await guard(settle(pilot))
        for _ in range(50):  # a reload the watcher started may still be running
            if not app.loading:
                break
            await guard(settle(pilot))
        titles = {row.article.id: row.article.title for row in app.article_list.rows}
        assert len(titles) == before - 1
        assert titles["new.txt"] == "Bài mới xuất hiện"
        assert titles["enc/crlf.txt"] == "Tiêu đề đã sửa"
        assert "enc/utf8.txt" not in titles and "enc/nfd.txt" not in titles
        reasons = {p.path.rsplit("/", 1)[-1]: p.reason for p in app.library.problems}
        assert reasons["nfd.txt"].startswith("binary file")
        screen_text(app)


async def test_files_appear_and_vanish_by_themselves_despite_a_non_utf8_name(
    tmp_path: Path,
) -> None:
    # watchfiles cannot represent a non-UTF-8 name; the reader must notice changes anyway.
    root = tmp_path / "live"
    build_hostile_folder(root, big=False)
    app = ReaderApp([root])
    async with app.run_test(size=(120, 40)) as pilot:
        await guard(settle(pilot))

        async def listed() -> bool:
            await pilot.pause(0.2)
            return "new.txt" in {row.article.id for row in app.article_list.rows}

        (root / "new.txt").write_text(f"Bài mới tự xuất hiện\n\n{LEAD}\n", "utf-8")
        for _ in range(60):  # 12 s: several rescans (a dead watcher fails, never hangs)
            if await listed():
                break
        assert await listed()
        (root / "new.txt").unlink()
        for _ in range(60):
            if not await listed():
                break
        assert not await listed()
        messages = [n.message for n in app._notifications]
        assert not [m for m in messages if "Not watching" in m]


async def test_command_palette_shows_file_names_as_text(tmp_path: Path) -> None:
    (tmp_path / "x[").mkdir()
    (tmp_path / "x[" / "red]y.txt").write_text("Không ngày tháng\n\nNội dung.\n", "utf-8")
    (tmp_path / "[Video] z.txt").write_text("Cũng không ngày\n\nNội dung.\n", "utf-8")
    app = ReaderApp([tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await guard(settle(pilot))
        await pilot.press("ctrl+p")
        for _ in range(10):
            await pilot.pause(0.05)
        text = screen_text(app)
        assert "[Video] z.txt" in text and "x[/red]y.txt" in text


def test_undated_article_with_markup_like_name_is_listed(library: Library) -> None:
    article = by_id(library)[clean_name(UNDATED)]
    assert article.date is None and article.author is None and article.section is None
