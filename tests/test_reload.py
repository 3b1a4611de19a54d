"""Reloading: new, changed and deleted files, by hand (r) and by watching the folder."""

from __future__ import annotations

import asyncio
import os
import shutil

from reader.library import Library
from reader.ui.app import ReaderApp
from reader.ui.problems_screen import ProblemsScreen

from conftest import ARTICLES, settle


def _copy_samples(tmp_path):
    folder = tmp_path / "news"
    shutil.copytree(ARTICLES, folder)
    return folder


def _touch_later(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_reload_reuses_unchanged_articles_and_sees_changes(tmp_path):
    folder = _copy_samples(tmp_path)
    before = Library.load([folder])
    (folder / "005_new.txt").write_text("Bài mới về phường Đức Xuân\n\nNội dung.", "utf-8")
    (folder / "003_862b920d59e7bab9.txt").unlink()
    changed = folder / "002_9e5efd48ea74ce59.txt"
    _touch_later(changed, "Tiêu đề đã sửa\n\nChiều 14/4, nội dung mới.")
    after = before.reload()
    ids = {a.id[:3] for a in after.articles}
    assert ids == {"000", "001", "002", "004", "005"}
    old = {a.id: a for a in before.articles}
    for article in after.articles:
        if article.id[:3] in ("000", "001", "004"):
            assert article is old[article.id]  # not read again
    assert next(a for a in after.articles if a.id.startswith("002")).title == "Tiêu đề đã sửa"
    assert after.search("bai moi duc xuan")[0].article.id.startswith("005")


def test_a_reload_reindexes_only_what_changed(tmp_path):
    folder = _copy_samples(tmp_path)
    before = Library.load([folder])
    assert before.search("duc xuan")[0].article.id.startswith("002")
    (folder / "002_9e5efd48ea74ce59.txt").unlink()
    (folder / "005_new.txt").write_text("Phường Đức Xuân có tin mới\n\nNội dung.", "utf-8")
    after = before.reload()
    index = before.index
    after.adopt_index(before)
    assert after.index is index  # taken over, not rebuilt
    hits = after.search("duc xuan")
    assert [h.article.id for h in hits] == ["005_new.txt"]
    assert all(h.article in after.articles for h in after.search("tan son hoa"))


async def test_r_reloads_keeping_selection_and_filter(tmp_path):
    folder = _copy_samples(tmp_path)
    app = ReaderApp([folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"phuong", "down")
        await settle(pilot)
        selected = app.article_list.current
        query = app.filter_bar.value
        (folder / "009_extra.txt").write_text("Phường mới thành lập\n\nNội dung.", "utf-8")
        app.action_reload()
        await settle(pilot)
        assert app.filter_bar.value == query
        assert app.article_list.current.path == selected.path
        assert any(r.article.id == "009_extra.txt" for r in app.article_list.rows)


async def test_watched_folder_shows_new_and_deleted_files(tmp_path):
    folder = _copy_samples(tmp_path)
    app = ReaderApp([folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        selected = app.article_list.current
        (folder / "010_watched.txt").write_text("Tin nóng về an ninh trật tự\n\nNội dung.", "utf-8")
        (folder / "003_862b920d59e7bab9.txt").unlink()

        def ids() -> set[str]:
            return {r.article.id[:3] for r in app.article_list.rows}

        for _ in range(100):  # the watcher reacts on its own; give it up to 10 s here
            await asyncio.sleep(0.1)
            await settle(pilot)
            if "010" in ids() and "003" not in ids():
                break
        assert "010" in ids() and "003" not in ids()
        assert app.article_list.current is selected


async def test_problems_view_lists_skipped_files(tmp_path):
    folder = _copy_samples(tmp_path)
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "empty.txt").write_bytes(b"")
    app = ReaderApp([folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.article_list.rows) == 5
        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        table = app.screen.query_one("DataTable")
        files = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert any("binary.txt" in f for f in files) and any("empty.txt" in f for f in files)
        await pilot.press("escape")
        assert not isinstance(app.screen, ProblemsScreen)


async def test_a_folder_added_later_is_watched_too(tmp_path):
    # Folders are watched one by one (a recursive watch froze the UI while it walked the
    # tree), so a new folder, and the files that appear in it afterwards, must be seen.
    folder = _copy_samples(tmp_path)
    app = ReaderApp([folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        def ids() -> set[str]:
            return {r.article.id for r in app.article_list.rows}

        async def until(check) -> bool:
            for _ in range(100):  # the watcher reacts on its own; give it up to 10 s
                await asyncio.sleep(0.1)
                await settle(pilot)
                if check():
                    return True
            return False

        (folder / "2026" / "12").mkdir(parents=True)
        (folder / "2026" / "12" / "first.txt").write_text("Bài trong thư mục mới\n\nA.", "utf-8")
        assert await until(lambda: "2026/12/first.txt" in ids())
        await asyncio.sleep(0.5)  # the watcher now follows the new folders
        (folder / "2026" / "12" / "second.txt").write_text("Bài thứ hai\n\nB.", "utf-8")
        assert await until(lambda: "2026/12/second.txt" in ids())
        shutil.rmtree(folder / "2026")
        assert await until(lambda: not any(i.startswith("2026/") for i in ids()))


def test_watched_paths_are_the_folders_the_scan_searches(tmp_path):
    from reader.files import watched_paths

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path)  # a link back up: each folder once
    (tmp_path / "one.txt").write_text("x", "utf-8")
    paths = watched_paths([tmp_path, tmp_path / "one.txt", tmp_path / "missing"])
    assert paths == [str(tmp_path), str(tmp_path / "a"), str(tmp_path / "a" / "b"),
                     str(tmp_path / "one.txt")]  # fmt: skip
