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
