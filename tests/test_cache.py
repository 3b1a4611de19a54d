"""The persistent warm-start cache: same articles and hits as a cold load, never stale."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from reader import cache
from reader import library as library_module
from reader.article import (
    Article,
    Block,
    BlockKind,
    CompactMetadata,
    Metadata,
    PackedArticle,
    block_spans,
    compact,
)
from reader.bytefold import fold_bytes
from reader.decode import decode_bytes
from reader.index import InvertedIndex
from reader.library import Library
from reader.parse import parse

from conftest import ARTICLES

QUERIES = ("tan son hoa", "hdnd", "long xuyen", "'Đức Xuân", "title:phuong", "antt")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the sample articles that the tests may change."""
    target = tmp_path / "news"
    shutil.copytree(ARTICLES, target)
    return target


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder (also as $READER_CACHE_DIR, so nothing reaches the user's)."""
    where = tmp_path / "cache"
    monkeypatch.setenv("READER_CACHE_DIR", str(where))
    return where


def _files(where: Path) -> list[Path]:
    return sorted(p for p in where.rglob("*") if p.is_file())


def _summary(library: Library) -> list[tuple]:
    return [
        (
            a.id,
            str(a.path),
            a.text,
            a.title,
            a.title_derived,
            a.date,
            a.time,
            a.author,
            a.section,
            a.views,
            a.words,
            a.captions,
            a.meta.credits,
            [(b.kind, b.text, b.start) for b in a.blocks],
            a.encoding,
            a.encoding_uncertain,
            a.size,
            a.mtime,
        )
        for a in library.articles
    ]


def _hits(library: Library) -> list[list[tuple]]:
    return [
        [(h.article.id, h.score, h.title_spans, h.snippet, h.snippet_spans) for h in hits]
        for hits in (library.search(q) for q in QUERIES)
    ]


def _touch(path: Path, text: str | None = None) -> None:
    if text is not None:
        path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.mark.parametrize("slice_items", [None, 2])
def test_warm_start_matches_a_cold_load(
    folder: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, slice_items: int | None
) -> None:
    if slice_items is not None:  # columns and postings written in many small blobs
        monkeypatch.setattr(cache, "_SLICE", slice_items)
    cold = Library.load([folder])
    first = Library.load([folder], cache=cache_dir)
    assert len(_files(cache_dir)) == 1
    warm = Library.load([folder], cache=cache_dir)
    assert all(isinstance(a, cache.CachedArticle) for a in warm.articles)
    assert _summary(warm) == _summary(cold) == _summary(first)
    assert _hits(warm) == _hits(cold)
    assert warm.problems == cold.problems


def test_changed_new_and_deleted_files(folder: Path, cache_dir: Path) -> None:
    Library.load([folder], cache=True)  # the env var points at cache_dir
    assert _files(cache_dir)
    changed = folder / "002_9e5efd48ea74ce59.txt"
    _touch(changed, "Tiêu đề đã sửa\n\nChiều 14/4, nội dung mới về Long Xuyên.")
    same_size = folder / "000_a0a02f5c6af17f43.txt"
    data = same_size.read_bytes()
    same_size.write_bytes(data.replace("Tân Sơn Hòa".encode(), "Tân Sơn Nhì".encode(), 1))
    _touch(same_size)  # same size, later mtime: read again
    (folder / "003_862b920d59e7bab9.txt").unlink()
    (folder / "005_new.txt").write_text("Bài mới về phường Đức Xuân\n\nNội dung.", "utf-8")
    warm = Library.load([folder], cache=True)
    assert _summary(warm) == _summary(Library.load([folder]))
    ids = {a.id[:3] for a in warm.articles}
    assert ids == {"000", "001", "002", "004", "005"}
    assert warm.get("002_9e5efd48ea74ce59.txt").title == "Tiêu đề đã sửa"
    assert warm.search("bai moi duc xuan")[0].article.id == "005_new.txt"
    assert warm.search("tieu de da sua")[0].article.id.startswith("002")
    assert not any(h.article.id.startswith("003") for h in warm.search("long xuyen", 100))
    assert "Tân Sơn Nhì" in warm.get("000_a0a02f5c6af17f43.txt").text
    # The cache was brought up to date: the next start takes everything from it.
    again = Library.load([folder], cache=True)
    assert all(isinstance(a, cache.CachedArticle) for a in again.articles)
    assert _hits(again) == _hits(warm)
    assert _summary(again) == _summary(warm)  # rewritten from cached articles, blocks intact


def test_reload_keeps_using_the_cache(folder: Path, cache_dir: Path) -> None:
    library = Library.load([folder], cache=cache_dir)
    (folder / "004_13aee6488348c583.txt").unlink()
    reloaded = library.reload()
    assert len(reloaded.articles) == 4
    warm = Library.load([folder], cache=cache_dir)
    assert len(warm.articles) == 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1],
        lambda data: b"",
        lambda data: os.urandom(len(data)),  # garbage
        lambda data: b"not a cache at all\n" * 100,
        lambda data: data[:100] + bytes(200) + data[300:],  # damaged inside
        lambda data: data.replace(cache.MAGIC, b"RDRCACH0", 1),  # another format
    ],
)
def test_damaged_cache_is_ignored_and_rebuilt(
    folder: Path, cache_dir: Path, damage, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = Library.load([folder])
    Library.load([folder], cache=cache_dir)
    (path,) = _files(cache_dir)
    path.write_bytes(damage(path.read_bytes()))
    library = Library.load([folder], cache=cache_dir)
    assert _summary(library) == _summary(cold)
    assert _hits(library) == _hits(cold)
    assert capsys.readouterr().err == ""
    warm = Library.load([folder], cache=cache_dir)  # rebuilt
    assert all(isinstance(a, cache.CachedArticle) for a in warm.articles)


def test_other_version_is_ignored(
    folder: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Library.load([folder], cache=cache_dir)
    monkeypatch.setattr(cache, "VERSION", cache.VERSION + 1)
    library = Library.load([folder], cache=cache_dir)
    assert not any(isinstance(a, cache.CachedArticle) for a in library.articles)
    assert len(_files(cache_dir)) == 1


def test_cache_is_never_written_inside_the_article_folders(folder: Path, cache_dir: Path) -> None:
    before = _files(folder)
    Library.load([folder], cache=cache_dir)
    Library.load([folder], cache=cache_dir)
    assert _files(folder) == before
    assert all(cache_dir in p.parents for p in _files(cache_dir))


def test_default_cache_folder_honours_the_env_var(cache_dir: Path) -> None:
    assert cache.cache_dir() == cache_dir
    assert cache.cache_file([Path("x")]).parent == cache_dir
    assert cache.cache_file([Path("x")]) != cache.cache_file([Path("y")])


def test_unwritable_cache_folder_still_loads(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    library = Library.load([folder], cache=blocker / "cache")
    assert len(library.articles) == 5
    assert not library.save_cache()


# -- compact storage ---------------------------------------------------------------------------


def _parsed_blocks(article) -> list[tuple]:
    return [(b.kind, b.text, b.start) for b in parse(article.text).blocks]


def test_loaded_blocks_are_the_parsers_blocks_kept_as_offsets(folder: Path) -> None:
    library = Library.load([folder])
    for article in library.articles:
        assert isinstance(article, PackedArticle) and isinstance(article.meta, CompactMetadata)
        assert article.text == decode_bytes(article.path.read_bytes()).text
        assert [(b.kind, b.text, b.start) for b in article.blocks] == _parsed_blocks(article)
        assert list(block_spans(article.meta)) == [(b.kind, b.start, b.end) for b in article.blocks]


def test_compact_metadata_survives_pickle_and_keeps_its_article(folder: Path) -> None:
    articles = Library.load([folder]).articles
    again = pickle.loads(pickle.dumps(articles))
    for before, after in zip(articles, again, strict=True):
        assert after.meta._article is after
        assert [(b.kind, b.text, b.start) for b in after.blocks] == _parsed_blocks(before)
        assert after.title == before.title and after.meta.credits == before.meta.credits


def test_blocks_that_are_not_slices_of_the_text_are_kept_as_they_are() -> None:
    text = "Tiêu đề\n\nNội dung."
    blocks = [Block(BlockKind.TITLE, "Tiêu đề", 0), Block(BlockKind.BODY, "khác", 9)]
    article = Article("a.txt", Path("a.txt"), text, Metadata(title="Tiêu đề", blocks=blocks))
    packed = compact(article)
    assert packed.meta.blocks == blocks
    assert not isinstance(packed.meta, CompactMetadata)
    assert packed.text == text and packed.raw_text() == text.encode()


def test_warm_blocks_are_the_parsers_and_an_edited_file_is_read_again(
    folder: Path, cache_dir: Path
) -> None:
    Library.load([folder], cache=cache_dir)
    edited = folder / "001_165e3169df3c54be.txt"
    _touch(edited, edited.read_text("utf-8").replace("\n", "\n\nĐoạn chen vào.\n", 3))
    warm = Library.load([folder], cache=cache_dir)
    for article in warm.articles:
        assert [(b.kind, b.text, b.start) for b in article.blocks] == _parsed_blocks(article)
    fresh = warm.get(edited.name)
    assert not isinstance(fresh, cache.CachedArticle)
    assert "Đoạn chen vào." in fresh.text
    assert any(b.text == "Đoạn chen vào." for b in fresh.blocks)


def test_folded_texts_live_in_the_chunk_buffer_and_stay_right(folder: Path) -> None:
    articles = Library.load([folder]).articles
    ix = InvertedIndex()
    for article in articles:
        ix.add(article)
    buffer, starts = ix.chunk_buffer(0)
    for slot, article in enumerate(articles):
        doc = ix.docs[slot]
        assert doc.folded == fold_bytes(article.text)
        assert buffer[starts[slot] : starts[slot + 1] - 2] == doc.folded
    ix.remove(articles[1].id)
    ix.add(articles[1])  # a new slot in the same chunk: the buffer is built again
    buffer, starts = ix.chunk_buffer(0)
    assert buffer[starts[1] : starts[2] - 2] == b""
    for doc in filter(None, ix.docs):
        assert doc.folded == fold_bytes(doc.article.text)


def test_warm_index_restores_chunk_buffers_and_sort_keys(folder: Path, cache_dir: Path) -> None:
    cold = Library.load([folder])
    Library.load([folder], cache=cache_dir)
    warm = Library.load([folder], cache=cache_dir)
    ix = warm.index.inverted
    assert 0 in ix._buffers  # made while restoring, not on the first search
    fresh = InvertedIndex()
    for article in warm.articles:
        fresh.add(article)
    assert ix.chunk_buffer(0) == fresh.chunk_buffer(0)
    for doc, again in zip(ix.docs, fresh.docs, strict=True):
        assert doc.folded == again.folded and doc.exact == again.exact and doc.key == again.key
    assert [a.sort_key() for a in warm.articles] == [a.sort_key() for a in cold.articles]
    assert [a.sort_key() for a in warm.articles] == [Article.sort_key(a) for a in warm.articles]


def test_no_gc_pauses_the_collector_and_keeps_what_was_frozen() -> None:
    import gc

    gc.unfreeze()  # what other tests' apps froze
    with cache.no_gc():
        assert not gc.isenabled()
        made = [[i] for i in range(20_000)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()  # as the TUI does once its library is loaded
    try:
        frozen = gc.get_freeze_count()
        with cache.no_gc():
            more = [[i] for i in range(1_000)]
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    assert len(made) == 20_000 and len(more) == 1_000


def test_compact_blocks_can_only_be_set_to_slices_of_the_text(folder: Path) -> None:
    article = Library.load([folder]).articles[0]
    first = article.blocks[0]
    article.meta.blocks = [first]
    assert article.blocks == [first]
    with pytest.raises(ValueError):
        article.meta.blocks = [Block(first.kind, first.text + "x", first.start + 1)]


def test_warm_articles_share_equal_dates_and_read_their_own_texts(
    folder: Path, cache_dir: Path
) -> None:
    (folder / "005_same_day.txt").write_text(
        (folder / "000_a0a02f5c6af17f43.txt").read_text("utf-8") + "\nThêm một dòng.", "utf-8"
    )
    cold = Library.load([folder])
    Library.load([folder], cache=cache_dir)
    warm = Library.load([folder], cache=cache_dir)
    dates = [a.date for a in warm.articles]
    assert all(d is e for d in dates for e in dates if d == e)
    assert [a.text for a in warm.articles] == [a.text for a in cold.articles]
    assert [a.date for a in warm.articles] == [a.date for a in cold.articles]


def test_a_warm_start_lists_cached_articles_before_reading_any_file(
    folder: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Library.load([folder], cache=True)
    (folder / "00.txt").write_text("Bài mới\n\nNội dung.", "utf-8")  # first by name
    reads: list[str] = []
    read = library_module.load_file

    def counting(found, previous=None):
        reads.append(found.id)
        return read(found, previous)

    monkeypatch.setattr(library_module, "load_file", counting)
    seen: list[int] = []  # files read when each article was listed
    warm = Library.load([folder], cache=True, progress=lambda done, total: seen.append(len(reads)))
    assert seen[:5] == [0, 0, 0, 0, 0]  # the five cached ones, before the new file is read
    assert reads == ["00.txt"]
    assert len(warm.articles) == 6
    # The problems are in the same order whatever was cached.
    assert warm.problems == Library.load([folder]).problems


def test_half_written_files_of_a_stopped_reader_are_cleared(folder: Path, cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    old, fresh = cache_dir / ".tmp-old.cache", cache_dir / ".tmp-fresh.cache"
    for leftover in (old, fresh):
        leftover.write_bytes(b"half written")
    hours_ago = old.stat().st_mtime - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    Library.load([folder], cache=cache_dir)
    assert not old.exists()  # killed mid-write hours ago: removed
    assert fresh.exists()  # maybe another reader writing it right now: kept
    assert len([p for p in _files(cache_dir) if not p.name.startswith(".tmp-")]) == 1
