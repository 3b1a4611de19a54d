"""The search engine: the issue's table on the five samples, tiers, syntax, spans, snippets."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import search
from reader.article import Article, ArticleDate, Block, BlockKind, Metadata
from reader.fold import fold
from reader.glossary import load_glossary
from reader.library import Library
from reader.search import Hit, MatchField, SearchIndex, Tier, match_spans

ARTICLES = Path(__file__).resolve().parents[1] / "articles"


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load([ARTICLES])


def prefixes(hits: list[Hit]) -> list[str]:
    return [Path(h.article.id).name[:3] for h in hits]


def assert_first(library: Library, query: str, expected: set[str]) -> list[Hit]:
    hits = library.search(query)
    got = prefixes(hits)
    assert set(got[: len(expected)]) == expected, (query, got)
    best_of_rest = [h.score for h in hits[len(expected) :]]
    assert all(s < min(h.score for h in hits[: len(expected)]) for s in best_of_rest) or not (
        best_of_rest
    ), (query, [(p, h.score) for p, h in zip(got, hits, strict=True)])
    return hits


# -- the issue's table ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tan son hoa", {"000", "001"}),
        ("TÂN SƠN HÒA", {"000", "001"}),
        ("Tân Sơn Hoà", {"000", "001"}),
        ("tansonhoa", {"000", "001"}),
        ("antt", {"000", "001"}),
        ("hdnd", {"000", "001", "002", "003", "004"}),
        ("uy ban nhan dan", {"002", "004"}),
        ("long xuyen", {"003"}),
        ("duc xuan", {"002"}),
        ("tan son hao", {"000", "001"}),
        ("cu ngoc cuong", {"002"}),
        ("!covid hdnd", {"000", "001", "002", "003"}),
    ],
)
def test_issue_table(library: Library, query: str, expected: set[str]) -> None:
    assert_first(library, query, expected)


def test_long_xuyen_is_not_thuong_xuyen(library: Library) -> None:
    # 000, 001 and 002 say "thường xuyên" but never "long": they must not match at all.
    assert prefixes(library.search("long xuyen")) == ["003"]


def test_excluded_article_is_absent(library: Library) -> None:
    assert "004" not in prefixes(library.search("!covid hdnd"))
    assert "004" in prefixes(library.search("hdnd"))


def test_typo_needs_a_window_and_short_words_are_exact(library: Library) -> None:
    hits = library.search("truong le my ngc")
    assert set(prefixes(hits)[:2]) == {"000", "001"}
    assert all(h.tier is Tier.TYPO for h in hits[:2])
    # "hao" alone is 67 % like "hoa": not a typo match for a lone short word.
    assert library.search("hao ") == []


# -- tiers ------------------------------------------------------------------------------------


def test_tiers_on_the_samples(library: Library) -> None:
    assert library.search("tan son hoa ")[0].tier is Tier.PHRASE
    # Without the final space the last word may be unfinished: "hoa" or "hoang" alike.
    assert library.search("tan son hoa")[0].tier is Tier.PREFIX
    assert library.search("Tân Sơn Hòa")[0].tier is Tier.EXACT
    assert library.search("tan son ho")[0].tier is Tier.PREFIX
    assert library.search("tansonhoa")[0].tier is Tier.SPACELESS
    assert library.search("tan son hao")[0].tier is Tier.TYPO
    hits = library.search("antt")
    assert [h.tier for h in hits[:2]] == [Tier.PHRASE, Tier.ABBREVIATION]  # 000 says ANTT


def test_phrase_ranks_above_scattered(library: Library) -> None:
    hits = library.search("cu ngoc cuong")
    assert prefixes(hits)[0] == "002"
    assert all(h.tier is Tier.SCATTERED for h in hits[1:])


def test_automatic_acronym(library: Library) -> None:
    # Not in the glossary: read as the initials of consecutive syllables.
    for query, name in (("tsh ", "Tân Sơn Hòa"), ("tsn ", "Tân Sơn Nhất")):
        hits = library.search(query)
        assert set(prefixes(hits)[:2]) == {"000", "001"}, query
        assert hits[0].tier is Tier.ACRONYM
        assert name in [hits[0].snippet[s:e] for s, e in hits[0].snippet_spans]
    assert library.search("tsh") == []  # still being typed: not read as initials


def test_acronym_of_an_abbreviation_with_a_dot(library: Library) -> None:
    # 002 writes "UB.MTTQ", 004 writes "Ủy ban MTTQ".
    assert set(prefixes(library.search("ubmttq"))) == {"002", "004"}


def test_glossary_both_ways(library: Library) -> None:
    by_expansion = library.search("hoi dong nhan dan")
    assert len(by_expansion) == 5 and {h.tier for h in by_expansion} == {Tier.ABBREVIATION}
    assert any(h.snippet[s:e] == "HĐND" for h in by_expansion for s, e in h.snippet_spans)


# -- normalization ----------------------------------------------------------------------------


def test_nfd_query(library: Library) -> None:
    nfd = unicodedata.normalize("NFD", "Tân Sơn Hoà")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert prefixes(library.search(nfd)) == prefixes(library.search("Tân Sơn Hoà"))
    assert library.search(nfd)[0].tier is Tier.EXACT


def test_both_tone_placements_are_equal(library: Library) -> None:
    old = library.search("Hòa ")
    new = library.search("Hoà ")
    assert prefixes(old) == prefixes(new)
    assert [h.tier for h in old] == [h.tier for h in new]
    # 002 writes both "Văn hoá" and "văn hóa".
    for query in ("'văn hoá", "'văn hóa"):
        assert "002" in prefixes(library.search(query))


def test_exact_term_honours_diacritics(library: Library) -> None:
    # 003 has "Hoa" (Đặng Thị Hoa Rây) but no "Hòa"; 000 and 001 have "Tân Sơn Hòa".
    exact = set(prefixes(library.search("'Hòa")))
    assert {"000", "001"} <= exact and "003" not in exact
    assert "003" in prefixes(library.search("'hoa"))


# -- syntax -----------------------------------------------------------------------------------


def test_quoted_phrase_is_required(library: Library) -> None:
    assert set(prefixes(library.search('"son hoa"'))) == {"000", "001"}
    assert library.search('"hoa son"') == []


def test_negation(library: Library) -> None:
    assert "003" not in prefixes(library.search("hdnd !xuyen"))
    assert library.search("!hdnd") == []  # nothing positive asked


def test_anchor(library: Library) -> None:
    assert prefixes(library.search("^thanh uy ")) == ["003"]
    assert prefixes(library.search("^tha")) == ["003"]
    assert "002" in prefixes(library.search("^ban "))


def test_or(library: Library) -> None:
    assert set(prefixes(library.search("xuyen | covid"))) >= {"003", "004"}
    assert set(prefixes(library.search("long xuyen | covid"))) == {"003", "004"}


def test_scopes(library: Library) -> None:
    assert prefixes(library.search("title:long ")) == ["003"]
    assert prefixes(library.search("title:xuan ")) == ["002"]
    assert prefixes(library.search("author:cuong ")) == ["002"]
    assert prefixes(library.search("author:tuyet ")) == ["000"]
    assert prefixes(library.search("date:2025 ")) == ["001"]
    assert prefixes(library.search("date:5/2022 ")) == ["004"]
    assert set(prefixes(library.search("date:22/10 "))) == {"000", "001"}
    assert prefixes(library.search("date:13/4 hdnd")) == ["002"]


@pytest.mark.parametrize(
    "query", ["", "   ", '"', "!", "^", "|", "'", "title:", "date:", "(( ))", "[]{}", "\x00\x07"]
)
def test_degenerate_queries_have_no_hits(library: Library, query: str) -> None:
    assert library.search(query) == []


@pytest.mark.parametrize("query", ['"tan son', 'tan" son', "tan (son) hoa", "[tan] son hoa"])
def test_malformed_queries_degrade_to_text(library: Library, query: str) -> None:
    assert set(prefixes(library.search(query))[:2]) == {"000", "001"}


# -- spans and snippets -----------------------------------------------------------------------


def test_title_spans(library: Library) -> None:
    hit = library.search("long xuyen")[0]
    assert [hit.article.title[s:e] for s, e in hit.title_spans] == ["LONG XUYÊN"]
    hit = library.search("duc xuan")[0]
    assert [hit.article.title[s:e] for s, e in hit.title_spans] == ["Đức Xuân"]


def test_snippet_spans(library: Library) -> None:
    for query, lit in [
        ("tansonhoa", "Tân Sơn Hòa"),
        ("cu ngoc cuong", "Cù Ngọc Cường"),
        ("tan son hao", "Tân Sơn Hòa"),
        ("ubmttq", None),
    ]:
        hit = library.search(query)[0]
        shown = [hit.snippet[s:e] for s, e in hit.snippet_spans]
        assert shown, query
        if lit:
            assert lit in shown, (query, shown)


def test_snippets_are_one_line(library: Library) -> None:
    for query in ("hdnd", "dang", "a", "tan son h", "long xuyen", "date:2025"):
        for hit in library.search(query):
            assert "\n" not in hit.snippet and "\r" not in hit.snippet
            assert len(hit.snippet) <= 200
            for s, e in hit.snippet_spans:
                assert 0 <= s < e <= len(hit.snippet)


def test_match_spans_phrase_and_prefix() -> None:
    text = "Đảng ủy phường Tân Sơn Hòa và Tân Sơn Nhất; hoà bình."
    spans = match_spans(text, "tan son hoa")
    shown = [text[s:e] for s, e in spans]
    assert "Tân Sơn Hòa" in shown and "hoà" in shown
    assert [text[s:e] for s, e in match_spans(text, "nha ")] == []
    assert [text[s:e] for s, e in match_spans(text, "nha")] == ["Nhất"]
    assert "Tân Sơn Nhất" in [text[s:e] for s, e in match_spans(text, "tan son nha")]
    assert [text[s:e] for s, e in match_spans(text, "'hoà")] == ["Hòa", "hoà"]
    assert match_spans(text, "!hoa") == []
    assert match_spans(text, "") == []


def test_match_spans_lights_every_word_of_a_query_and_its_phrase() -> None:
    text = "Sơn ca hát; quy chế Tân Sơn Hòa chế độ mới, Hòa Chế, Tân, Sơnla."
    shown = [text[s:e] for s, e in match_spans(text, "tan son hoa che")]
    # The phrase as one span, each word where it stands alone, the last one by prefix
    # ("che" lights "chế" and "Chế"), the others only as whole words (not "Sơnla").
    assert shown == ["Sơn", "chế", "Tân Sơn Hòa chế", "Hòa", "Chế", "Tân"]
    assert [text[s:e] for s, e in match_spans(text, "ch")] == ["chế", "chế", "Chế"]
    assert [text[s:e] for s, e in match_spans(text, "ch ")] == []


@pytest.mark.parametrize(
    "query", ["tan son hoa", "tan son h", "'Hòa", "hdnd", "ubnd phuong", "hoa -tan", '"son hoa"']
)
def test_spans_from_folded_bytes_are_those_of_the_text(query: str) -> None:
    # The index's folded bytes (in a buffer with other texts around them) give the spans
    # the text itself gives, over the whole text or a part of it.
    from reader.bytefold import encode_lower, exact_bytes, fold_bytes
    from reader.highlight import spans_in
    from reader.query import parse_query

    text = "Tân Sơn Hòa: HĐND phường Tân Sơn Hoà họp, UBND phường và Sơn Hòa; hòa."
    parsed = parse_query(query)
    data = b"other text \n " + fold_bytes(text) + b" \n more"
    base = data.index(fold_bytes(text))
    exact = exact_bytes(encode_lower(text))
    assert spans_in((data, base), lambda: exact, parsed, 0, len(text)) == match_spans(text, query)
    for start, end in ((0, 20), (15, 40), (31, len(text))):
        part = [(s + start, e + start) for s, e in match_spans(text[start:end], query)]
        assert spans_in((data, base), lambda: exact, parsed, start, end) == part, (start, end)


def test_match_spans_on_a_large_text() -> None:
    text = ("Đảng ủy phường Tân Sơn Hòa họp. " * 20000) + "Long Xuyên"
    spans = match_spans(text, "long xuyen")
    assert spans == [(len(text) - 10, len(text))]
    assert len(match_spans(text, "tan son hoa")) == 20000


# -- properties -------------------------------------------------------------------------------

_pieces = st.sampled_from(
    [*"tanshoTÂNƠHÒàáảãạđĐ \"'!^|:()-./\n\t\x00", "title:", "date:", "author:", "hoà", "22/10"]
)
_queries = st.one_of(st.text(), st.lists(_pieces, max_size=12).map("".join))


@functools.cache
def samples() -> Library:
    """The samples, for hypothesis tests (a fixture's repr would flood failure reports)."""
    return Library.load([ARTICLES])


@settings(max_examples=150)
@given(_queries)
def test_search_never_raises_and_spans_index_the_text(query: str) -> None:
    for hit in samples().search(query, limit=10):
        for s, e in hit.title_spans:
            assert 0 <= s < e <= len(hit.article.title)
        for s, e in hit.snippet_spans:
            assert 0 <= s < e <= len(hit.snippet)


_words = st.sampled_from(
    ["tan", "son", "hoa", "Hòa", "hoà", "đảng", "uy", "phuong", "hdnd", "long", "xuyen", "an"]
)


@settings(max_examples=100)
@given(st.lists(_words, min_size=1, max_size=4), st.booleans())
def test_highlighted_text_folds_to_the_query(words: list[str], open_: bool) -> None:
    query = " ".join(words) + ("" if open_ else " ")
    syllables = [fold(w) for w in words]
    glossary = load_glossary()
    allowed = set(syllables)
    for rewrite in glossary.rewrites(tuple(syllables)):
        allowed.update(rewrite)
    for w in syllables:
        for rewrite in glossary.rewrites((w,)):
            allowed.update(rewrite)
    for article in samples().articles:
        for s, e in match_spans(article.text, query):
            assert 0 <= s < e <= len(article.text)
            for token in re.findall(r"[^\W_]+", fold(article.text[s:e])):
                assert token in allowed or (open_ and token.startswith(syllables[-1])), (
                    query,
                    article.text[s:e],
                )


# -- synthetic articles: ranking, incremental indexing ----------------------------------------


def make(
    ident: str,
    title: str,
    lead: str,
    body: str = "",
    *,
    date: ArticleDate | None = None,
    author: str | None = None,
) -> Article:
    parts = [title, lead, body]
    text = "\n\n".join(p for p in parts if p)
    blocks = [Block(BlockKind.TITLE, title, 0)]
    offset = len(title) + 2
    blocks.append(Block(BlockKind.LEAD, lead, offset))
    if body:
        blocks.append(Block(BlockKind.BODY, body, offset + len(lead) + 2))
    meta = Metadata(title=title, date=date, author=author, blocks=blocks, words=len(text.split()))
    return Article(ident, Path(ident), text, meta)


def test_field_order_title_meta_lead_body() -> None:
    arts = [
        make("body", "Tin", "Mở đầu.", "Thân bài nói về Long Xuyên."),
        make("lead", "Tin", "Mở đầu về Long Xuyên.", "Thân bài."),
        make("title", "Long Xuyên hôm nay", "Mở đầu.", "Thân bài."),
        make("author", "Tin", "Mở đầu.", "Thân bài.", author="Long Xuyên"),
    ]
    hits = SearchIndex(arts).search("long xuyen")
    assert [h.article.id for h in hits] == ["title", "author", "lead", "body"]
    assert [h.field for h in hits] == list(MatchField)


def test_recency_breaks_ties() -> None:
    arts = [make(f"a{i}", "Tin", "Long Xuyên.", date=ArticleDate(2020 + i, 1, 1)) for i in range(5)]
    hits = SearchIndex(arts).search("long xuyen")
    assert [h.article.id for h in hits] == ["a4", "a3", "a2", "a1", "a0"]
    assert [h.article.id for h in SearchIndex(arts).search("long xuyen", limit=2)] == ["a4", "a3"]


def test_proximity_orders_scattered_hits() -> None:
    arts = [
        make("far", "Tin", "Long an " + "chữ " * 30 + "Xuyên."),
        make("near", "Tin", "Xuyên và long."),
    ]
    hits = SearchIndex(arts).search("long xuyen")
    assert [h.article.id for h in hits] == ["near", "far"]
    assert {h.tier for h in hits} == {Tier.SCATTERED}


def test_add_replace_remove() -> None:
    index = SearchIndex([make("x", "Tin", "Tân Sơn Hòa.")])
    assert len(index.search("tan son hoa")) == 1
    index.add([make("y", "Tin", "Long Xuyên.")])
    assert [h.article.id for h in index.search("long xuyen")] == ["y"]
    index.add([make("x", "Tin", "Long Xuyên nữa.")])  # live reload replaces by id
    assert index.search("tan son hoa") == []
    assert {h.article.id for h in index.search("long xuyen")} == {"x", "y"}
    assert index.remove("y") and not index.remove("y")
    assert [h.article.id for h in index.search("long xuyen")] == ["x"]
    assert len(index) == 1


def test_out_of_order_adds_still_rank_by_recency() -> None:
    index = SearchIndex()
    for year in (2021, 2025, 2019, 2023):
        index.add([make(str(year), "Tin", "Long Xuyên.", date=ArticleDate(year, 1, 1))])
    assert [h.article.id for h in index.search("long xuyen")] == ["2025", "2023", "2021", "2019"]


def test_typing_one_character_at_a_time() -> None:
    index = SearchIndex(
        [make("a", "Tân Sơn Hòa", "Phường Tân Sơn Hòa."), make("b", "Tin", "Tân Sơn Nhất.")]
    )
    query = "tan son hoa"
    for n in range(1, len(query) + 1):
        hits = index.search(query[:n])
        assert hits, query[:n]
        assert hits[0].article.id in ("a", "b")
    assert [h.article.id for h in index.search("tan son h")] == ["a"]
    assert [h.article.id for h in index.search("tan son n")] == ["b"]


def test_empty_index() -> None:
    assert SearchIndex().search("tan") == []


def test_reduplicated_words_keep_their_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "_LAZY_CHECKS", 0)  # scan for adjacency at once
    index = SearchIndex([make("x", "Tin", "Đi từ từ phát triển."), make("y", "Tin", "Từ phát.")])
    for _ in range(3):  # the adjacency cache answers the later searches
        hits = index.search("tu tu phat ")
        assert [h.article.id for h in hits][:1] == ["x"] and hits[0].tier is Tier.PHRASE


def test_phrase_in_hard_wrapped_text() -> None:
    index = SearchIndex([make("x", "Tin", "Bí thư phường Tân Sơn\nHòa phát biểu.")])
    assert index.search("tan son hoa ")[0].tier is Tier.PHRASE


@pytest.mark.parametrize(
    "query",
    ["tan son hoa ", "tan son h", "an ninh trat tu", "hoi dong nhan dan", "son hoa tan", "'Hòa"],
)
def test_chunk_scan_agrees_with_per_document_scan(
    library: Library, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    def ranked(index: SearchIndex) -> list[tuple[str, Tier, MatchField]]:
        return [(h.article.id, h.tier, h.field) for h in index.search(query)]

    expected = ranked(SearchIndex(library.articles))
    monkeypatch.setattr(search, "_PER_DOCUMENT_SCAN", 0)
    monkeypatch.setattr(search, "_DENSE_POOL", 0)
    monkeypatch.setattr(search, "_LAZY_CHECKS", 0)
    assert ranked(SearchIndex(library.articles)) == expected


def test_chunk_scan_respects_document_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "_PER_DOCUMENT_SCAN", 0)
    monkeypatch.setattr(search, "_DENSE_POOL", 0)
    arts = [
        make("a", "Tin", "Mở đầu.", "Kết thúc bằng Tân", date=ArticleDate(2025, 1, 3)),
        make("b", "Sơn Hòa", "Sơn Hòa ở đầu.", date=ArticleDate(2025, 1, 2)),
        make("c", "Tin", "Từ từ phát triển.", date=ArticleDate(2025, 1, 1)),
    ]
    index = SearchIndex(arts)
    assert [h.article.id for h in index.search('"tan son"')] == []
    assert [h.article.id for h in index.search("son hoa o ")] == ["b"]
    assert [h.article.id for h in index.search('"tu phat"')] == ["c"]


def test_typo_in_the_first_word(library: Library) -> None:
    hits = library.search("tam son hoa ")
    assert set(prefixes(hits)[:2]) == {"000", "001"} and hits[0].tier is Tier.TYPO
    assert "Tân Sơn Hòa" in [hits[0].snippet[s:e] for s, e in hits[0].snippet_spans]


def test_chunk_scan_across_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # More documents than one 4,096-document chunk, phrases in every chunk.
    words = ["Tân Sơn Hòa", "Sơn Hòa Tân", "Long Xuyên", "thường xuyên", "Đức Xuân"]
    arts = [
        make(
            f"a{i:05d}",
            "Tin",
            "Mở đầu.",
            f"Bài {i}: {words[i % 5]} và {words[(i * 7) % 5]}.",
            date=ArticleDate(2100 - i // 336, 12 - i // 28 % 12, 28 - i % 28),
        )
        for i in range(9000)  # newest first, as a Library adds them
    ]

    def ranked(index: SearchIndex, query: str) -> list[tuple[str, Tier, MatchField]]:
        return [(h.article.id, h.tier, h.field) for h in index.search(query, 200)]

    queries = ["tan son hoa ", "son hoa t", "long xuyen ", "xuyen va ", "hoa tan ", "duc xuan v"]
    monkeypatch.setattr(search, "_DENSE_POOL", 2.0)  # one search per document
    per_document = SearchIndex(arts)
    expected = {q: ranked(per_document, q) for q in queries}
    monkeypatch.setattr(search, "_DENSE_POOL", 0.0)  # whole chunk buffers
    monkeypatch.setattr(search, "_PER_DOCUMENT_SCAN", 0)
    chunked = SearchIndex(arts)
    assert chunked._index.in_order
    for q in queries:
        assert len(expected[q]) == 200, q
        assert ranked(chunked, q) == expected[q], q


# -- total match count (the filter's "N/M" counter) -------------------------------------------


def _counting_index() -> SearchIndex:
    arts = [make(f"p{i}", "Tin", "Phường Tân Sơn Hòa họp.") for i in range(30)]
    arts += [make(f"s{i}", "Tin", "Tân và Hòa, Sơn ở xa.") for i in range(20)]
    arts += [make(f"o{i}", "Tin", "Long Xuyên.") for i in range(10)]
    return SearchIndex(arts)


@pytest.mark.parametrize(
    ("query", "matches"),
    [("tan son hoa", 50), ("long xuyen", 10), ("phuong", 30), ("!phuong tan", 20), ("hue", 0)],
)
def test_total_counts_every_match_beyond_the_limit(query: str, matches: int) -> None:
    index = _counting_index()
    everything = index.search(query, limit=1000)
    assert len(everything) == everything.total == matches and everything.exact
    capped = index.search(query, limit=5)
    assert len(capped) == min(5, matches)
    assert capped.total == matches and capped.exact
    assert index.count(query) == (matches, True)


def test_total_of_a_phrase_is_exact_or_an_upper_bound() -> None:
    index = _counting_index()
    capped = index.search('"tan son hoa"', limit=5)
    assert len(capped) == 5
    assert capped.total >= 30
    assert capped.exact == (capped.total == 30)
    # Once the phrase was scanned to the end its documents are known: the count is exact.
    assert len(index.search('"tan son hoa"', limit=1000)) == 30
    assert index.count('"tan son hoa"') == (30, True)


def test_library_search_carries_the_total(library: Library) -> None:
    hits = library.search("hdnd", limit=2)
    assert len(hits) == 2 and hits.total >= 5
    total, _ = library.count("hdnd")
    assert total == hits.total
    assert library.count("") == (0, True)


# -- what one search remembers for the next (typed a character at a time) ---------------------

_HISTORY_QUERIES = [
    "tan son hoa quy che",
    "hoi dong nhan dan",
    "'duc xuan",
    "xay dung dang o co so",
    "long xuyen !covid",
    "title:long xuyen hdnd",
    "duc xuan tan",
    "tan son hao",
    "hoi 'duc x",
    '"long xuyen" tan s',
    "'Đức xuân hội",
    "tan son | hdnd hoi",
]


@functools.cache
def _history_articles() -> tuple[Article, ...]:
    phrases = [
        "Tân Sơn Hòa",
        "quy chế phối hợp",
        "Hội đồng nhân dân",
        "Đức Xuân",
        "xây dựng Đảng ở cơ sở",
        "Long Xuyên",
        "covid",
        "HĐND",
        "Tân Sơn Nhất",
        "hội nghị",
    ]
    out = []
    for i in range(240):  # newest first, as a Library adds them
        pick = [phrases[(i * k + k) % len(phrases)] for k in (1, 3, 7)]
        out.append(
            make(
                f"h{i:03d}",
                f"{pick[0]} {'và ' + pick[1] if i % 3 else ''}",
                f"Tin {pick[1]}, {pick[2]}." if i % 4 else f"Mở đầu {pick[2]} {pick[0]}.",
                f"Thân bài: {pick[2]} rồi {pick[0]}. Sau đó {pick[1]}.",
                date=ArticleDate(2025, 12 - i // 28 % 12, 28 - i % 28),
            )
        )
    return tuple(out)


def _ranked(hits: list[Hit]) -> list[tuple[str, float, Tier, MatchField]]:
    return [(h.article.id, h.score, h.tier, h.field) for h in hits]


@pytest.mark.parametrize("limit", [3, 50])
def test_what_earlier_searches_left_does_not_change_results(limit: int) -> None:
    # Typing every query one character at a time, in one index (its phrase, lead and typo
    # caches fill up), gives each prefix the hits a fresh index gives it.
    arts = _history_articles()
    typed = SearchIndex(arts)
    calls = [q[:n] for q in _HISTORY_QUERIES for n in range(1, len(q) + 1)]
    calls += calls[::-1]  # and again, from the longest prefixes back
    for prefix in calls:
        hits = typed.search(prefix, limit=limit)
        fresh = SearchIndex(arts).search(prefix, limit=limit)
        assert _ranked(hits) == _ranked(fresh), prefix
        assert hits.total >= len(hits)


@pytest.mark.parametrize("query", _HISTORY_QUERIES)
def test_a_limited_search_is_the_top_of_the_full_ranking(query: str) -> None:
    # Visits stop as soon as nothing can enter the list (also with several units, whose
    # combined score caps what a document can reach): the few hits are the best few.
    index = SearchIndex(_history_articles())
    everything = index.search(query, limit=10_000)
    for limit in (1, 4, 20):
        assert _ranked(SearchIndex(_history_articles()).search(query, limit)) == _ranked(
            everything[:limit]
        ), limit


def test_wider_phrases_are_its_runs_and_shorter_last_words() -> None:
    from reader.phrase import Pos, wider_phrases

    hoi, dong, da = Pos((b"hoi",)), Pos((b"dong",)), Pos((), b"da")
    wider = set(wider_phrases((hoi, dong, da)))
    assert (hoi, dong) in wider and (dong, Pos((), b"d")) in wider
    assert (hoi, Pos((), b"dong")) in wider and (hoi, Pos((), b"d")) in wider
    assert (hoi, dong, Pos((), b"d")) in wider and (hoi, dong, da) not in wider
    assert all(len(p) >= 2 for p in wider)


def test_newest_first_from_a_slot() -> None:
    days = (3, 1, 2, 0)
    arts = [make(f"n{i}", "Tin", "Tân Sơn Hòa.", date=ArticleDate(2025, 1, 1 + i)) for i in days]
    index = SearchIndex(arts)  # out of order: slot order is not recency order
    ix = index.inverted
    every = list(ix.newest_first(ix.alive))
    for at in every:
        assert list(ix.newest_first_from(ix.alive, at)) == every[every.index(at) :]


def test_a_remembered_lead_phrase_keeps_the_documents_the_title_took() -> None:
    # "long xuyen" takes x by its title, so its lead is not verified for that phrase; what
    # is remembered of the lead must still let "long xuyen mo" find x there.
    arts = [
        make("x", "Long Xuyên", "Tin Long Xuyên mở rộng."),
        make("y", "Tin", "Long Xuyên họp."),
    ]
    index = SearchIndex(arts)
    assert [(h.article.id, h.field) for h in index.search("long xuyen")] == [
        ("x", MatchField.TITLE),
        ("y", MatchField.LEAD),
    ]
    assert [(h.article.id, h.field) for h in index.search("long xuyen mo")] == [
        ("x", MatchField.LEAD)
    ]


_SYLLABLES = st.sampled_from([b"a", b"ab", b"hoa", b"hao", b"ho", b"son", b"so", b"tan", b"t"])


@settings(max_examples=300)
@given(
    st.lists(_SYLLABLES, max_size=12),
    st.lists(_SYLLABLES, min_size=1, max_size=2),
    st.lists(_SYLLABLES, min_size=2, max_size=3, unique=True),
    st.lists(_SYLLABLES, max_size=2),
    st.booleans(),
    st.integers(0, 60),
)
def test_a_typo_window_inside_a_phrase_is_found_as_the_regex_finds_it(
    text: list[bytes],
    head: list[bytes],
    window: list[bytes],
    tail: list[bytes],
    unfinished: bool,
    start: int,
) -> None:
    from reader.phrase import Pattern, Pos, word_matches

    positions = [Pos((w,)) for w in head] + [Pos(tuple(window))] + [Pos((w,)) for w in tail]
    if unfinished and tail:
        positions[-1] = Pos((), tail[-1][:1])
    pattern = Pattern(Tier.TYPO, tuple(positions), True)
    data = b" ".join(text)
    start = min(start, len(data))
    expected = next((m.span() for m in word_matches(pattern.regex(), data, start, len(data))), None)
    assert pattern.find(data, start) == expected


def test_a_typo_window_may_end_in_the_word_being_typed(library: Library) -> None:
    # "hao" for "hòa", then the next word typed a letter at a time: the typo match stays on
    # screen all along instead of vanishing until "phoi" is complete.
    for typed in ("tan son hao p", "tan son hao ph", "tan son hao phoi", "tan son hao phoi h"):
        hits = library.search(typed)
        assert prefixes(hits)[:1] == ["001"] and hits[0].tier is Tier.TYPO, typed


def _count_typo_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets one item each time a document is read for a typo window."""
    checked: list[int] = []
    real = SearchIndex._typo_field_of

    def counting(pattern, doc):  # type: ignore[no-untyped-def]
        checked.append(1)
        return real(pattern, doc)

    monkeypatch.setattr(SearchIndex, "_typo_field_of", staticmethod(counting))
    return checked


def test_a_query_typed_on_checks_no_document_again_where_its_typo_window_was_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Many documents hold the words apart (each is a typo-window candidate), one in order.
    apart = "Tân và Sơn, Hòa phối hợp với phường."
    arts = [make(f"w{i:03d}", "Tin", apart, date=ArticleDate(2025, 1, 1)) for i in range(40)]
    arts.append(make("hit", "Tin", "Tân Sơn Hòa phối hợp.", date=ArticleDate(2024, 1, 1)))
    checked = _count_typo_checks(monkeypatch)
    fresh = SearchIndex(arts).search("tan son hao phoi")
    fresh_checks = len(checked)
    typed = SearchIndex(arts)
    typed.search("tan son hao p")
    checked.clear()
    again = typed.search("tan son hao phoi")
    assert _ranked(again) == _ranked(fresh) and again[0].article.id == "hit"
    assert fresh_checks >= 40 and len(checked) <= 2


@pytest.mark.parametrize("apart", [550, 599, 600, 601, 700])
def test_documents_skipped_for_a_wider_window_still_spend_the_typo_budget(
    apart: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Newer documents hold the words apart, older ones in order. Typed on from "tan son hao
    # h", the apart ones are known to hold no window and are not checked again, yet the
    # list, its count and whether the count is exact are those of a fresh index, on both
    # sides of the point where the 600 checks run out.
    arts = [
        make(f"a{i:03d}", "Tin", "Tân và Sơn, Hòa họp.", date=ArticleDate(2025, 6, 1))
        for i in range(apart)
    ]
    arts += [
        make(f"n{i:03d}", "Tin", "Tân Sơn Hòa họp.", date=ArticleDate(2024, 1, 1))
        for i in range(30)
    ]
    checked = _count_typo_checks(monkeypatch)
    typed = SearchIndex(arts)
    typed.search("tan son hao h")
    for query in ("tan son hao ho", "tan son hao hop"):
        checked.clear()
        again = typed.search(query)
        assert len(checked) <= 30, query  # the apart documents were not read again
        fresh = SearchIndex(arts).search(query)
        assert _ranked(again) == _ranked(fresh), query
        assert (again.total, again.exact) == (fresh.total, fresh.exact), query
    if apart == 550:  # found within the budget
        assert len(fresh) == 30 and fresh.exact
    if apart == 700:  # the budget spent on the apart ones
        assert len(fresh) == 0 and not fresh.exact


@settings(max_examples=300)
@given(
    st.lists(st.tuples(_SYLLABLES, st.sampled_from([b" ", b"  "])), max_size=12),
    st.lists(_SYLLABLES, min_size=1, max_size=3),
    st.booleans(),
    st.booleans(),
    st.integers(0, 60),
)
def test_a_phrase_of_plain_words_is_found_as_the_regex_finds_it(
    text: list[tuple[bytes, bytes]], words: list[bytes], unfinished: bool, lead: bool, start: int
) -> None:
    from reader.phrase import Pattern, Pos, word_matches

    positions = [Pos((w,)) for w in words]
    if unfinished:
        positions[-1] = Pos((), words[-1][:1])
    pattern = Pattern(Tier.PHRASE, tuple(positions), True)
    data = (b" " if lead else b"") + b"".join(w + gap for w, gap in text)
    start %= len(data) + 1  # anywhere, mid-word too
    expected = next((m.span() for m in word_matches(pattern.regex(), data, start, len(data))), None)
    assert pattern.find(data, start) == expected


@settings(max_examples=300)
@given(
    st.lists(st.tuples(_SYLLABLES, st.sampled_from([b" ", b"  ", b"\n"])), max_size=40),
    st.lists(st.tuples(_SYLLABLES, st.booleans()), min_size=1, max_size=4),
    st.integers(0, 30),
    st.integers(0, 30),
)
def test_proximity_finds_one_word_positions_as_their_regexes_do(
    text: list[tuple[bytes, bytes]], words: list[tuple[bytes, bool]], start: int, cut: int
) -> None:
    # A position of one word (or one stem) is found with bytes.find, any other with its
    # regex: a never-occurring extra word forces the regex, and must change nothing.
    from reader.phrase import Pos, proximity

    data = b"".join(w + gap for w, gap in text)
    start = min(start, len(data))
    end = max(start, len(data) - cut)
    plain = tuple(Pos((), w) if stem else Pos((w,)) for w, stem in words)
    forced = tuple(Pos((b"qqqq",), w) if stem else Pos((w, b"qqqq")) for w, stem in words)
    assert proximity(plain, data, start, end) == proximity(forced, data, start, end)


@settings(max_examples=200)
@given(
    st.lists(st.text("abhnot1", min_size=1, max_size=8), min_size=1, max_size=60),
    st.text("abhnot1", min_size=0, max_size=8),
    st.integers(1, 8),
)
def test_the_neighbour_index_finds_what_scoring_every_word_finds(
    words: list[str], term: str, limit: int
) -> None:
    # Only the words sharing the term's first or last letter are scored: the same
    # neighbours, in the same order (closest first, then alphabetical), for any term.
    from reader.expand import NeighbourIndex, typo_neighbours

    vocabulary = sorted(set(words))
    assert NeighbourIndex(vocabulary).near(term, limit) == typo_neighbours(term, vocabulary, limit)


def test_typo_neighbours_are_one_edit_away_anywhere_in_the_word() -> None:
    from reader.expand import NeighbourIndex

    vocabulary = sorted(["hoa", "toa", "hoai", "ho", "oa", "oha", "hao", "hob", "khoa", "xyz"])
    near = NeighbourIndex(vocabulary).near("hoa")
    assert set(near) == {"toa", "hoai", "ho", "oa", "oha", "hao", "hob", "khoa"}


def test_overlap_counts_a_token_with_a_set_chunk_by_chunk() -> None:
    arts = [
        make(f"o{i:05d}", "Tin", "Tân Sơn Hòa." if i % 3 else "Long Xuyên.") for i in range(9000)
    ]
    ix = SearchIndex(arts).inverted
    others = ix.bits(0, b"tin") & ~(1 << 5) & ~(1 << 8500)
    chunks = ix.chunks_of(others)
    assert len(chunks) == 3
    for token in (b"tan", b"long", b"nowhere"):
        expected = (others & ix.bits(0, token)).bit_count()
        assert ix.overlap(0, token, others, chunks) == expected  # the bitset built, or not:
        ix._cache.clear()
        assert ix.overlap(0, token, others, chunks) == expected
        assert ix.overlaps(0, token, chunks) is (expected > 0)
    assert not ix.overlaps(0, b"tan", ix.chunks_of(ix.bits(0, b"long")))


def test_typo_windows_cut_by_their_budget_give_an_upper_bound_and_more_on_request() -> None:
    # 700 newer articles hold the words apart, 30 older ones in order: the first 600
    # checked hold no window, so the count must not claim the few found are all there is.
    apart = [
        make(f"a{i:03d}", "Tin", "Tân và Sơn, Hòa họp.", date=ArticleDate(2025, 6, 1))
        for i in range(700)
    ]
    near = [
        make(f"n{i:03d}", "Tin", "Tân Sơn Hòa họp.", date=ArticleDate(2024, 1, 1))
        for i in range(30)
    ]
    index = SearchIndex(apart + near)
    hits = index.search("tan son hao", limit=50)
    assert not hits.exact and hits.total >= 30 and len(hits) < 30
    more = index.search("tan son hao", limit=200)  # the list asks for more as it scrolls
    assert [h.article.id[0] for h in more] == ["n"] * 30
    assert all(h.tier is Tier.TYPO for h in more)


def test_warm_makes_the_one_letter_prefixes_a_query_starts_with() -> None:
    from reader.index import Field

    library = Library.load([ARTICLES])
    ix = library.index.inverted  # Library.index warms its index
    library.search("tan son")  # and searching keeps them (the index did not change)
    letters = {token[0] for token in ix.vocabulary}
    assert "t" in letters and "d" in letters
    for field in (Field.ALL, Field.TITLE, Field.LEAD, Field.META):
        for letter in letters:
            assert ix._prefix_cache[field, letter] == ix._prefix_union(field, letter)
    assert prefixes(library.search("t")) == prefixes(SearchIndex(library.articles).search("t"))
