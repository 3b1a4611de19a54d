"""Finding article files: a hostile folder tree yields files and reasons, never a crash or hang."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest

from reader.files import FoundFile, Problem, discover


def _split(results: list[FoundFile | Problem]) -> tuple[list[FoundFile], list[Problem]]:
    found = [r for r in results if isinstance(r, FoundFile)]
    problems = [r for r in results if isinstance(r, Problem)]
    return found, problems


def _write(path: Path, text: str = "Đảng ủy phường\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _forbid_open(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, fail if any file is opened (opening a FIFO would hang forever)."""
    opened: list[str] = []

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        opened.append(os.fsdecode(path) if isinstance(path, bytes | str | os.PathLike) else "?")
        raise AssertionError(f"discover opened {path!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    return opened


def test_folder_search_is_recursive_sorted_and_case_insensitive(tmp_path: Path) -> None:
    _write(tmp_path / "b.TXT")
    _write(tmp_path / "a.txt")
    _write(tmp_path / "notes.Md")
    _write(tmp_path / "photo.jpg")
    _write(tmp_path / "2025" / "10" / "tin.txt")
    _write(tmp_path / "2025" / "ảnh" / "bài viết.md")
    found, problems = _split(list(discover([tmp_path])))
    assert problems == []
    assert [f.id for f in found] == [
        "2025/10/tin.txt",
        "2025/ảnh/bài viết.md",
        "a.txt",
        "b.TXT",
        "notes.Md",
    ]
    assert found[1].path == tmp_path / "2025" / "ảnh" / "bài viết.md"
    assert found[1].display == str(found[1].path)
    assert found[1].path.read_text(encoding="utf-8") == "Đảng ủy phường\n"


@pytest.mark.parametrize("spelling", [".", "./", "tree", "tree/", "./tree//sub/..", "ABS"])
def test_path_strings_are_the_paths_as_opened_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    # The cache finds saved articles by str(path): the string the scan carries must be it,
    # however the folder was spelled on the command line.
    _write(tmp_path / "tree" / "a.txt")
    _write(tmp_path / "tree" / "sub" / "deeper" / "b.md")
    monkeypatch.chdir(tmp_path / "tree" if spelling in (".", "./") else tmp_path)
    root = str(tmp_path / "tree") if spelling == "ABS" else spelling
    found, problems = _split(list(discover([root])))
    assert not problems and len(found) == 2
    for item in found:
        assert item.path_str() == str(item.path)
        assert os.path.samefile(item.path_str(), item.path)


def test_hidden_folders_and_files_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path / ".git" / "description.txt")
    _write(tmp_path / ".cache" / "x" / "y.md")
    _write(tmp_path / "._tin.txt")  # macOS resource fork: binary
    _write(tmp_path / "tin.txt")
    assert [f.id for f in discover([tmp_path]) if isinstance(f, FoundFile)] == ["tin.txt"]


def test_a_file_given_directly_is_used_whatever_its_suffix(tmp_path: Path) -> None:
    article = _write(tmp_path / "sub" / "bai.text")
    [found] = list(discover([article]))
    assert isinstance(found, FoundFile)
    assert (found.id, found.path, found.display) == ("bai.text", article, str(article))


def test_str_and_bytes_paths_are_accepted(tmp_path: Path) -> None:
    _write(tmp_path / "tin.txt")
    for root in (str(tmp_path), os.fsencode(tmp_path)):
        [found] = list(discover([root]))
        assert isinstance(found, FoundFile) and found.id == "tin.txt"


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "không có"
    assert list(discover([missing])) == [Problem(str(missing), "no such file or folder")]


def test_dangling_symlinks(tmp_path: Path) -> None:
    folder = tmp_path / "tin"
    _write(folder / "ok.txt")
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (tmp_path / "link-root").symlink_to(tmp_path / "nowhere")
    found, problems = _split(list(discover([folder, tmp_path / "link-root"])))
    assert [f.id for f in found] == ["ok.txt"]
    assert problems == [
        Problem(str(folder / "gone.txt"), "broken symbolic link"),
        Problem(str(tmp_path / "link-root"), "broken symbolic link"),
    ]


def test_symlink_loops_are_detected_and_searched_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _write(root / "a" / "tin.txt")
    (root / "a" / "back").symlink_to(root)  # a/back -> root: a cycle
    (root / "self.txt").symlink_to(root / "self.txt")  # ELOOP on stat
    (root / "z").symlink_to(root / "a")  # the same folder a second time, not a cycle
    found, problems = _split(list(discover([root])))
    assert [f.id for f in found] == ["a/tin.txt"]
    assert problems == [
        Problem(str(root / "a" / "back"), f"symbolic link loop (back to {root})"),
        Problem(str(root / "self.txt"), "symbolic link loop"),
        Problem(str(root / "z"), f"same folder as {root / 'a'} (already searched)"),
    ]


def test_symlinked_folder_and_file_are_followed(tmp_path: Path) -> None:
    elsewhere = _write(tmp_path / "elsewhere" / "xa.txt")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(elsewhere.parent)
    (root / "alias.txt").symlink_to(elsewhere)
    found = [f for f in discover([root]) if isinstance(f, FoundFile)]
    assert [f.id for f in found] == ["alias.txt", "linked/xa.txt"]
    assert all(f.path.read_text(encoding="utf-8") for f in found)


def test_overlapping_paths_are_searched_once(tmp_path: Path) -> None:
    _write(tmp_path / "sub" / "tin.txt")
    results = list(discover([tmp_path, tmp_path / "sub"]))
    assert [r.id for r in results if isinstance(r, FoundFile)] == ["sub/tin.txt"]
    assert results[-1] == Problem(
        str(tmp_path / "sub"), f"same folder as {tmp_path / 'sub'} (already searched)"
    )


def test_fifo_is_reported_and_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe-no-suffix")
    (tmp_path / "tin.txt").touch()
    os.mkfifo(tmp_path / "given.txt")
    never_open = _forbid_open(monkeypatch)
    results = list(discover([tmp_path, tmp_path / "given.txt"]))
    assert never_open == []
    assert results == [
        Problem(str(tmp_path / "given.txt"), "not a regular file (named pipe)"),
        Problem(str(tmp_path / "pipe.txt"), "not a regular file (named pipe)"),
        FoundFile(tmp_path / "tin.txt", "tin.txt", str(tmp_path / "tin.txt")),
        Problem(str(tmp_path / "given.txt"), "not a regular file (named pipe)"),
    ]


def test_non_utf8_and_control_character_names_are_printable(tmp_path: Path) -> None:
    base = os.fsencode(tmp_path)
    for raw in (b"/caf\xe9.txt", b"/tin\n\x1b[2J\x9b\xc2\x9b.txt"):
        fd = os.open(base + raw, os.O_CREAT | os.O_WRONLY, 0o644)
        os.write(fd, "Đảng ủy\n".encode())
        os.close(fd)
    found, problems = _split(list(discover([tmp_path])))
    assert problems == []
    assert sorted(f.id for f in found) == ["caf\\xe9.txt", "tin␊␛[2J\\x9b\ufffd.txt"]
    for item in found:
        assert item.id.isprintable() and item.display.isprintable()
        assert item.display.endswith(item.id)
        assert item.path.read_bytes() == "Đảng ủy\n".encode()  # the real file, still readable


def test_undecodable_root_name(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path) + b"/th\xf4ng tin"
    os.mkdir(root)
    with open(root + b"/a.txt", "w", encoding="utf-8") as handle:
        handle.write("x")
    [found] = list(discover([root]))
    assert isinstance(found, FoundFile)
    assert found.display == f"{tmp_path}/th\\xf4ng tin/a.txt"
    assert found.path.read_text(encoding="utf-8") == "x"


def test_very_deep_folders_do_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / "sâu.txt").touch()
    [found] = list(discover([tmp_path]))
    assert isinstance(found, FoundFile)
    assert found.id == "d/" * 300 + "sâu.txt"
    assert found.path == deep / "sâu.txt"


def test_unreadable_folder_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "closed" / "secret.txt")
    _write(tmp_path / "open" / "tin.txt")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.fspath(path).endswith("closed"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, problems = _split(list(discover([tmp_path])))
    assert [f.id for f in found] == ["open/tin.txt"]
    assert problems == [Problem(str(tmp_path / "closed"), "cannot open folder: permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a folder without permissions")
def test_unreadable_folder_for_real(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    _write(closed / "secret.txt")
    closed.chmod(0)
    try:
        assert list(discover([tmp_path])) == [
            Problem(str(closed), "cannot open folder: permission denied")
        ]
    finally:
        closed.chmod(0o755)


def test_hostile_tree_all_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tin tức"
    _write(root / "000.txt")
    _write(root / "sub" / "001.md")
    (root / "sub" / "loop").symlink_to(root)
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    os.mkfifo(root / "fifo.txt")
    deep = root.joinpath(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / "002.txt").touch()
    never_open = _forbid_open(monkeypatch)
    results = list(discover([root, tmp_path / "absent"]))
    found, problems = _split(results)
    assert [f.id for f in found] == ["000.txt", "d/" * 300 + "002.txt", "sub/001.md"]
    assert {(p.path.removeprefix(str(root)), p.reason) for p in problems} == {
        ("/dangling.txt", "broken symbolic link"),
        ("/fifo.txt", "not a regular file (named pipe)"),
        ("/sub/loop", f"symbolic link loop (back to {root})"),
        (str(tmp_path / "absent"), "no such file or folder"),
    }
    assert all(p.skipped for p in problems)
    assert never_open == []


def test_first_articles_reads_the_first_readable_files_found(tmp_path: Path) -> None:
    from reader.library import first_articles

    (tmp_path / "a.txt").write_bytes(b"")  # empty: passed over
    for name in ("b", "c", "d"):
        (tmp_path / f"{name}.txt").write_text(f"Tin {name}\n\nNội dung {name}.", "utf-8")
    assert [a.id for a in first_articles([tmp_path], 2)] == ["b.txt", "c.txt"]
    assert [a.title for a in first_articles([tmp_path], 10)] == ["Tin b", "Tin c", "Tin d"]
    assert first_articles([tmp_path], 0) == []
