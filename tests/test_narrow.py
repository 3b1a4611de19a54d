"""Article texts kept one byte a character, and the index bytes derived from them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reader import narrow
from reader.article import Article, Metadata, PackedArticle, compact, lower_encoded
from reader.bytefold import encode_lower, exact_bytes
from reader.index import InvertedIndex
from reader.library import Library

from conftest import ARTICLES

_ALPHABET = "".join(ch for ch in narrow._DECODING if ch != narrow._UNUSED)


@given(st.text(alphabet=_ALPHABET))
def test_charmap_texts_round_trip_and_give_the_index_bytes(text: str) -> None:
    data = narrow.encode(text)
    assert data is not None and len(data) == len(text)
    assert narrow.decode(data) == text
    assert narrow.lower(data) == encode_lower(text)
    assert narrow.exact(data) == exact_bytes(encode_lower(text))


@given(st.text(), st.sampled_from("Ωж中€\x1b\ufffeİ"))
def test_other_characters_are_not_encoded(text: str, other: str) -> None:
    assert narrow.encode(text + other) is None


def _article(text: str) -> PackedArticle:
    packed = compact(Article("a.txt", Path("a.txt"), text, Metadata(title="t")))
    assert isinstance(packed, PackedArticle)
    return packed


def test_packed_articles_give_back_their_text_either_way() -> None:
    vietnamese = _article("Chiều 14/4, UBND phường Tân Sơn Hòa “họp” – ĐẠI HỘI…")
    greek = _article("Ωmega và Đức Xuân")
    assert vietnamese.narrow is not None and greek.narrow is None
    for article, text in ((vietnamese, "Chiều 14/4"), (greek, "Ωmega và")):
        assert article.text.startswith(text)
        assert article.raw_text() == article.text.encode()
        assert lower_encoded(article) == encode_lower(article.text)


def test_index_bytes_of_loaded_articles_are_those_of_their_texts() -> None:
    articles = [*Library.load([ARTICLES]).articles, _article("Ωmega và Đức Xuân")]
    ix = InvertedIndex()
    for article in articles:
        ix.add(article)
    for doc in ix.docs:
        assert doc.exact == exact_bytes(encode_lower(doc.article.text))
    assert sum(doc._exact is None for doc in ix.docs) == len(articles) - 1  # derived, not kept
