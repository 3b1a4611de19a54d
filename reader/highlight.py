"""Highlight spans and one-line snippets for display: where a query's words are in a text.

Works on any text without an index (reader pane highlighting, find-in-article): the text is
folded once with `reader.bytefold` (one byte per character, so match offsets are offsets in
the original NFC text) and searched with a single compiled regex, linear in the text size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from reader.article import Article, BlockKind, block_spans
from reader.bytefold import decode_exact, encode_lower, exact_bytes, fold_encoded
from reader.expand import tone_variants
from reader.glossary import load_glossary
from reader.query import Query, Term, parse_query

__all__ = ["Span", "match_spans", "one_line", "snippet_around", "spans_in"]

Span = tuple[int, int]

# Folded text has only [a-z0-9] and spaces (punctuation and line breaks are spaces), so a
# word starts after a space and ends before one. Each alternative is its own regex that
# starts with a literal, which the regex engine scans for quickly.
_R = rb"(?![^ ])"
_GAP = b" "
_ANY_END = rb"[^ ]*"  # an unfinished word's rest
_LINE_BREAKS = re.compile(r"[\n\r\t\v\f\x85\u2028\u2029]")
SNIPPET_WIDTH = 160


def one_line(text: str) -> str:
    """`text` with every line or paragraph break made a space (length kept)."""
    return _LINE_BREAKS.sub(" ", text)


def _phrase(words: list[bytes], prefix: bool) -> bytes:
    parts = [re.escape(w) for w in words]
    if prefix:
        parts[-1] += _ANY_END
    return _GAP.join(parts)


def _exact_words(text: str) -> list[str]:
    return [decode_exact(t) for t in exact_bytes(encode_lower(text)).split()]


Compiled = tuple[tuple[re.Pattern[bytes], re.Pattern[bytes]], ...]


@lru_cache(maxsize=256)
def _compile(query: Query) -> tuple[Compiled, Compiled]:
    """(folded, exact) regexes for the positive terms of `query`: for each alternative,
    one for a word after a space and one for a word at the very start."""
    folded: list[bytes] = []
    exact: list[bytes] = []
    glossary = load_glossary()
    run: list[Term] = []

    def add_run() -> None:
        if len(run) > 1:
            words = [t.syllables[0].encode("ascii") for t in run]
            folded.append(_phrase(words, run[-1].prefix))
            for rewrite in glossary.rewrites(tuple(t.syllables[0] for t in run), limit=8):
                folded.append(_phrase([s.encode("ascii") for s in rewrite], False))
        run.clear()

    for clause in query.clauses:
        plain = len(clause.terms) == 1 and len(clause.terms[0].syllables) == 1
        for term in clause.terms:
            if not term.syllables or term.date is not None:
                continue
            if term.exact and term.marked:
                words = _exact_words(term.text)
                if words:
                    variants = [
                        b"(?:"
                        + b"|".join(
                            re.escape(exact_bytes(encode_lower(v))) for v in tone_variants(w)
                        )
                        + b")"
                        for w in words
                    ]
                    exact.append(_GAP.join(variants))
                continue
            words = [s.encode("ascii") for s in term.syllables]
            folded.append(_phrase(words, term.prefix))
            for rewrite in glossary.rewrites(term.syllables, limit=8):
                folded.append(_phrase([s.encode("ascii") for s in rewrite], False))
        if plain and not clause.terms[0].exact and not clause.terms[0].quoted:
            run.append(clause.terms[0])
        else:
            add_run()
    add_run()

    def build(parts: list[bytes]) -> Compiled:
        # A one-word alternative matches a whole word, so two of them match the same span
        # or none in common: they can share one regex. Phrases overlap words and each
        # other, so each keeps its own.
        unique = set(parts)
        words = sorted(p for p in unique if not _is_phrase(p))
        phrases = sorted((p for p in unique if _is_phrase(p)), key=len, reverse=True)
        if len(words) > 1:
            phrases.append(b"(?:" + b"|".join(words) + b")")
        else:
            phrases.extend(words)
        return tuple(_compile_part(p) for p in phrases)

    return build(folded), build(exact)


def _is_phrase(part: bytes) -> bool:
    """Does this alternative span more than one word?"""
    return _GAP in part.replace(_ANY_END, b"")


@lru_cache(maxsize=1024)
def _compile_part(part: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """One alternative's regexes (a word after a space, at the very start), kept apart
    from `re`'s own cache, which the engine's many one-off patterns keep emptying: a query
    typed a character at a time shares all but its last word with the one before."""
    return re.compile(_GAP + part + _R), re.compile(part + _R)


_last: tuple[Query | None, tuple[Compiled, Compiled] | None] = (None, None)


def _compiled(query: Query) -> tuple[Compiled, Compiled]:
    """`_compile`, skipping the cache's hash of the whole query when it is the same object
    as last time (the hits of one search all highlight the same parsed query)."""
    global _last
    last_query, last_value = _last
    if last_query is query and last_value is not None:
        return last_value
    value = _compile(query)
    _last = (query, value)
    return value


def match_spans(text: str, query: str | Query) -> list[Span]:
    """Every place in `text` that a positive term of `query` matches, for highlighting.

    Accent-, case- and tone-placement-insensitive like search (diacritic-sensitive for
    'exact terms typed with diacritics); phrases, unfinished last words and glossary
    abbreviations are lit as one span. No typo tolerance. Sorted, non-overlapping
    (start, end) offsets into `text`. Never raises on a malformed query.
    """
    if not text:
        return []
    parsed = query if isinstance(query, Query) else parse_query(query)
    if parsed.empty:
        return []
    folded_rx, exact_rx = _compiled(parsed)
    if not folded_rx and not exact_rx:
        return []
    encoded = encode_lower(text)
    return spans_in((fold_encoded(encoded), 0), lambda: exact_bytes(encoded), parsed)


def spans_in(
    folded: tuple[bytes, int],
    exact: Callable[[], bytes],
    query: Query,
    start: int = 0,
    end: int | None = None,
) -> list[Span]:
    """`match_spans` of text[start:end] from the text's `fold_bytes` already made (as
    data[base:], `folded` being (data, base)) and a function returning its exact bytes
    (called only for 'exact terms): for texts the index holds folded. Offsets in the text;
    `end` defaults to the end of `data`."""
    if query.empty:
        return []
    folded_rx, exact_rx = _compiled(query)
    data, base = folded
    end = len(data) - base if end is None else end
    spans: list[Span] = []
    if folded_rx:
        _find_all(folded_rx, data, base + start, base + end, spans)
        if base:
            spans = [(s - base, e - base) for s, e in spans]
    if exact_rx:
        _find_all(exact_rx, exact(), start, end, spans)
    return _merge(spans)


def _find_all(compiled: Compiled, data: bytes, start: int, end: int, spans: list[Span]) -> None:
    for after_space, at_start in compiled:
        first = at_start.match(data, start, end)
        if first is not None:
            spans.append(first.span())
        spans.extend([(m.start() + 1, m.end()) for m in after_space.finditer(data, start, end)])


def _merge(spans: list[Span]) -> list[Span]:
    spans.sort()
    out: list[Span] = []
    for start, end in spans:
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


_SNIPPET_KINDS = frozenset((BlockKind.LEAD, BlockKind.BODY, BlockKind.CAPTION))


def _snippet_block(article: Article, offset: int | None) -> tuple[int, int] | None:
    """The lead, body or caption block holding `offset` (None: the first such block; the
    whole text when there is none), or None when no such block holds it."""
    found = False
    for kind, start, end in block_spans(article.meta):  # no blocks cut from the text
        if kind not in _SNIPPET_KINDS:
            continue
        found = True
        if offset is None or start <= offset < end:
            return start, end
    if found or (offset is not None and not 0 <= offset < len(article.text)):
        return None
    return 0, len(article.text)


def snippet_around(
    article: Article,
    location: Span | None,
    query: str | Query,
    width: int = SNIPPET_WIDTH,
    folded: tuple[bytes, int, int, Callable[[], bytes]] | None = None,
) -> tuple[str, list[Span]]:
    """One line of about `width` characters of the article's body around `location` (offsets
    in article.text; None: the start of the lead), and the highlight spans inside it
    (found in the text's folded bytes when given: data, base, stop and the exact bytes'
    function, as for `spans_in`)."""
    text = article.text
    if location is None:
        block = _snippet_block(article, None)
        assert block is not None
        match_start = match_end = block[0]
    else:
        match_start, match_end = location
        block = _snippet_block(article, match_start) or _line_around(text, match_start)
    block_start, block_end = block
    # Leave about a third of the width before the match, on a word boundary.
    start = max(block_start, min(match_start - width // 3, block_end - width))
    if start > block_start:
        space = text.find(" ", start, match_start)
        start = space + 1 if space != -1 else start
    end = min(block_end, max(start + width, match_end))
    if end < block_end:
        space = text.rfind(" ", max(match_end, start + 1), end)
        end = space if space > start else end
    body = text[start:end]
    stripped = body.lstrip()
    start += len(body) - len(stripped)
    body = stripped.rstrip()
    lead_in = "… " if start > block_start else ""
    tail = " …" if start + len(body) < block_end else ""
    snippet = one_line(lead_in + body + tail)
    shift = len(lead_in) - start
    if folded is not None and isinstance(query, Query):
        data, base, _, exact = folded
        found = spans_in((data, base), exact, query, start, start + len(body))
        spans = [(s + shift, e + shift) for s, e in found]
    else:
        spans = [(s + len(lead_in), e + len(lead_in)) for s, e in match_spans(body, query)]
    if location is not None and start <= match_start and match_end <= start + len(body):
        spans.append((match_start + shift, match_end + shift))
    return snippet, _merge(spans)


def _line_around(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end
