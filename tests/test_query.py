"""The query parser: operators, scopes, dates, and malformed input that must not raise."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.query import QUERY_HELP, DateSpec, Scope, parse_date, parse_query


def words(query: str) -> list[list[str]]:
    return [[t.folded for t in c.terms] for c in parse_query(query).clauses]


def test_plain_words_are_folded_syllables() -> None:
    assert words("Tân Sơn HÒA") == [["tan"], ["son"], ["hoa"]]


def test_nfd_input_is_normalized() -> None:
    nfd = unicodedata.normalize("NFD", "Tân Sơn Hoà")
    q = parse_query(nfd)
    assert [c.terms[0].text for c in q.clauses] == ["Tân", "Sơn", "Hoà"]
    assert all(c.terms[0].marked for c in q.clauses)


def test_last_word_is_a_prefix_only_while_typing() -> None:
    assert parse_query("tan son h").clauses[-1].terms[0].prefix
    assert not parse_query("tan son h ").clauses[-1].terms[0].prefix
    assert not parse_query("tan son h").clauses[0].terms[0].prefix


def test_exact_and_quoted_phrase() -> None:
    q = parse_query('\'Hòa "tan son" x')
    exact, phrase, _ = (c.terms[0] for c in q.clauses)
    assert exact.exact and exact.marked and exact.folded == "hoa" and not exact.prefix
    assert phrase.quoted and phrase.syllables == ("tan", "son")


def test_punctuated_word_is_a_phrase() -> None:
    term = parse_query("TP.HCM ").clauses[0].terms[0]
    assert term.syllables == ("tp", "hcm") and term.quoted


def test_negation_and_or() -> None:
    q = parse_query("!covid hdnd | ubnd")
    assert [t.folded for t in q.excluded] == ["covid"]
    assert words("!covid hdnd | ubnd") == [["hdnd", "ubnd"]]
    assert words("a|b c") == [["a", "b"], ["c"]]


def test_anchor_and_scopes() -> None:
    q = parse_query("^thanh title:long author:cuong tieude:xuyen ")
    terms = [c.terms[0] for c in q.clauses]
    assert terms[0].anchored and terms[0].folded == "thanh"
    assert [t.scope for t in terms[1:]] == [Scope.TITLE, Scope.AUTHOR, Scope.TITLE]


def test_scoped_quoted_phrase() -> None:
    term = parse_query('title:"tan son" x').clauses[0].terms[0]
    assert term.scope is Scope.TITLE and term.syllables == ("tan", "son")


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        ("2025", DateSpec(2025, None, None)),
        ("10/2025", DateSpec(2025, 10, None)),
        ("22/10", DateSpec(None, 10, 22)),
        ("22/10/2025", DateSpec(2025, 10, 22)),
        ("2025-10-22", DateSpec(2025, 10, 22)),
        ("2025-10", DateSpec(2025, 10, None)),
        ("10", DateSpec(None, 10, None)),
        ("32/10", None),
        ("1/13", None),
        ("abc", None),
    ],
)
def test_parse_date(value: str, spec: DateSpec | None) -> None:
    assert parse_date(value) == spec


def test_date_scope() -> None:
    term = parse_query("date:22/10 ").clauses[0].terms[0]
    assert term.scope is Scope.DATE and term.date == DateSpec(None, 10, 22)
    # Not a date: searched as text.
    assert words("date:hom ") == [["hom"]]


@pytest.mark.parametrize(
    "query",
    ["", "   ", '"', "!", "^", "'", "|", "| |", "title:", "date:", "(( ))", "!^'", "\x00\x1b"],
)
def test_operator_only_queries_are_empty(query: str) -> None:
    assert parse_query(query).empty


def test_malformed_quotes_degrade_to_text() -> None:
    assert words('"tan son') == [["tan"], ["son"]]
    assert words('tan" son') == [["tan"], ["son"]]


def test_control_characters_are_spaces() -> None:
    assert words("tan\x00son\x1b") == [["tan"], ["son"]]


def test_help_mentions_every_operator() -> None:
    for operator in ("'", '"', "!", "^", "|", "title:", "author:", "date:"):
        assert operator in QUERY_HELP


@given(st.text())
def test_parser_never_raises(query: str) -> None:
    q = parse_query(query)
    for clause in q.clauses:
        assert clause.terms
        for term in clause.terms:
            assert term.syllables or term.date is not None
            assert all(s.isascii() and s.isalnum() for s in term.syllables)
