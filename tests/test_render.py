"""Laying articles out: wrapping keeps offsets, never overflows, and both wrappers agree."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.render import _wrap_cells, _wrap_one_cell, wrap_offsets

WORDS = ["a", "ab", "đảng", "ủy", "phường", "Tân", "Sơn", "Hòa", "x" * 25, "“khoảng", "trống”", "…"]
texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(["", " ", " ", "  ", "   "])),
    max_size=30,
).map(lambda parts: "".join(w + s for w, s in parts))


@given(texts, st.integers(min_value=1, max_value=40))
def test_fast_wrap_breaks_exactly_like_the_cell_measuring_one(text: str, width: int) -> None:
    assert _wrap_one_cell(text, width) == _wrap_cells(text, width)


@given(st.text(max_size=200), st.integers(min_value=1, max_value=40))
@example("\x1f⼀", 1)
def test_lines_fit_and_cover_the_text(text: str, width: int) -> None:
    breaks = wrap_offsets(text, width)
    assert breaks == sorted(set(breaks)) and all(0 < b < len(text) for b in breaks)
    for start, end in zip([0, *breaks], [*breaks, len(text)], strict=True):
        line = text[start:end].rstrip(" ")
        # a line holding one character wider than the width (a wide glyph) may exceed it,
        # with zero-width characters (a control character, a joiner) beside it
        assert cell_len(line) <= width or sum(cell_len(c) > 0 for c in line) == 1


def test_a_long_paragraph_wraps_on_word_boundaries() -> None:
    text = "Đảng ủy phường Tân Sơn Hòa tổ chức hội nghị. " * 20_000
    breaks = wrap_offsets(text, 80)
    assert len(breaks) > 10_000
    assert all(text[b - 1] == " " and text[b] != " " for b in breaks)


@given(
    st.text(st.sampled_from("aBđảngủyphườngTânSơnHòa “”… 中🙂\u0301x"), max_size=60),
    st.integers(min_value=1, max_value=50),
    st.booleans(),
)
@example("Tân Sơn Hòa ký quy chế phối hợp", 12, True)
def test_list_rows_are_cut_to_width_exactly_as_rich_cuts_them(
    text: str, cells: int, pad: bool
) -> None:
    from rich.text import Text

    from reader.ui.article_list import _fit

    ours, rich = Text(text, end=""), Text(text, end="")
    for t in (ours, rich):
        t.stylize("bold", 0, len(text) // 2 + 1)
    _fit(ours, cells, pad=pad)
    rich.truncate(cells, overflow="ellipsis", pad=pad)
    assert (ours.plain, ours.spans) == (rich.plain, rich.spans)
    assert cell_len(ours.plain) <= cells


_STYLES = st.sampled_from(["", "italic", "bold red", "#888888"])


@given(
    st.lists(
        st.tuples(st.text(st.sampled_from("aBđảngủyTânSơn “”…  x1"), max_size=30), _STYLES),
        min_size=1,
        max_size=2,
    ),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=3),
    st.integers(min_value=1, max_value=40),
    st.booleans(),
)
@example([("Tân Sơn Hòa ký quy chế phối hợp", "italic")], [(0, 3), (8, 4)], 12, True)
@example([("… ", ""), ("Hòa ký quy chế", "#888888")], [(2, 3), (11, 9)], 9, False)
def test_list_rows_drawn_as_segments_match_rich_text(
    pieces: list[tuple[str, str]], spans: list[tuple[int, int]], cells: int, pad: bool
) -> None:
    """The list's fast path (_fitted) draws what its Rich Text path draws."""
    from rich.console import Console
    from rich.style import Style
    from rich.text import Text

    from reader.ui.article_list import _fit, _fitted

    pad = pad and len(pieces) == 1  # (rows pad only one-piece fields)
    if len(pieces) == 2:  # as in a row: an unstyled "… " before a cut snippet
        pieces[0] = (pieces[0][0], "")
    plain = "".join(t for t, _ in pieces)
    spans = sorted({(a, min(a + n, len(plain))) for a, n in spans if a < len(plain)})
    lit = Style.parse("bold underline")
    text = Text(pieces[0][0], style=pieces[0][1], end="", no_wrap=True)
    for t, style in pieces[1:]:
        text = text + Text(t, style=style, end="", no_wrap=True)
    for a, b in spans:
        text.stylize(lit, a, b)
    _fit(text, cells, pad=pad)
    line = Text.assemble(text, end="", no_wrap=True)  # as the rows are assembled
    want = [(ch, seg.style) for seg in line.render(Console(width=200)) for ch in seg.text]
    styled = [(t, Style.parse(s)) for t, s in pieces]
    got = _fitted(styled, spans, lit, cells, styled[0][1] if pad else None)
    assert got is not None
    assert [(ch, seg.style or Style()) for seg in got for ch in seg.text] == [
        (ch, style or Style()) for ch, style in want
    ]
