"""The reader driven as a user would: keys, focus, panes, filter, find, help, palette."""

from __future__ import annotations

import asyncio
import html
import re

import pytest
from textual import events

from reader.ui.app import SEARCH_LIMIT, ReaderApp
from reader.ui.article_view import ArticleView
from reader.ui.help_screen import HelpScreen

from conftest import ARTICLES, settle


async def ready(pilot) -> ReaderApp:
    """Wait until the library is loaded and indexed."""
    app: ReaderApp = pilot.app
    await settle(pilot)
    await pilot.pause()
    assert not app.loading
    return app


def screen_text(app: ReaderApp) -> str:
    """What the terminal shows, as plain text (from the app's own SVG export)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def listed(app: ReaderApp) -> list[str]:
    return [row.article.id[:3] for row in app.article_list.rows]


async def test_list_is_newest_first_and_pane_follows_cursor():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        # 001 (2025) and 004 (2022) have years; the others' years are unknown.
        assert listed(app)[:2] == ["001", "004"]
        assert app.article_view.article is app.article_list.current
        await pilot.press("j", "j")
        assert app.article_list.cursor == 2
        assert app.article_view.article is app.article_list.rows[2].article
        await pilot.press("k")
        assert app.article_view.article is app.article_list.rows[1].article
        await pilot.press("G")
        assert app.article_list.cursor == 4
        await pilot.press("g")
        assert app.article_list.cursor == 0
        await pilot.press("down", "up", "down")
        assert app.article_list.cursor == 1


async def test_enter_reads_and_escape_or_tab_goes_back():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        assert isinstance(app.focused, ArticleView)
        await pilot.press("escape")
        assert app.focused is app.article_list
        await pilot.press("tab")
        assert isinstance(app.focused, ArticleView)
        await pilot.press("tab")
        assert app.focused is app.article_list


async def test_paging_and_next_previous_article_from_the_reader():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        view = app.article_view
        first = view.article
        await pilot.press("space")
        assert view.scroll_y > 0
        await pilot.press("b")
        assert view.scroll_y == 0
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0
        await pilot.press("right_square_bracket")
        assert view.article is app.article_list.rows[1].article is not first
        assert isinstance(app.focused, ArticleView)  # still reading
        await pilot.press("left_square_bracket")
        assert view.article is first


async def test_narrow_terminal_shows_one_pane_at_a_time():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        list_pane = app.query_one("#list-pane")
        reader_pane = app.query_one("#reader-pane")
        assert list_pane.display and not reader_pane.display
        await pilot.press("enter")
        await pilot.pause()
        assert reader_pane.display and not list_pane.display
        await pilot.press("escape")
        await pilot.pause()
        assert list_pane.display and not reader_pane.display


async def test_wide_terminal_shows_both_panes():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#list-pane").display and app.query_one("#reader-pane").display


async def test_help_lists_bindings_and_closes():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for needle in ("Filter", "Find", "Next match", "Quit", "Page"):
            assert needle in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_filter_ranks_live_and_escape_restores_selection():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("j", "j")
        before = app.article_list.current
        await pilot.press("slash", *"duc xuan")
        await settle(pilot)
        await pilot.pause()
        assert listed(app)[0] == "002"
        count = app.filter_bar.query_one(".count").text
        assert count.endswith("/5") and not count.startswith("5/")
        # the matched letters are lit in the title
        assert app.article_list.rows[0].title_spans
        await pilot.press("escape")
        assert app.article_list.current is before
        assert len(app.article_list.rows) == 5
        assert app.focused is app.article_list


async def test_filter_enter_opens_hit_with_matches_highlighted():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"long xuyen")
        await settle(pilot)
        await pilot.pause()
        await pilot.press("down", "up", "enter")
        assert isinstance(app.focused, ArticleView)
        article = app.article_view.article
        assert article.id.startswith("003")
        lit = " ".join(article.text[s:e].lower() for s, e in app.article_view.matches)
        assert "long" in lit and "xuyên" in lit


async def test_keys_typed_right_after_slash_go_into_the_filter():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        # A burst, as a fast typist or a paste sends it: "q" must not quit.
        for key, ch in [("slash", "/"), ("q", "q"), ("u", "u"), ("y", "y")]:
            app.post_message(events.Key(key, ch))
        await pilot.pause()
        await settle(pilot)
        await pilot.pause()
        assert not app._exit
        assert app.filter_bar.value == "quy"


async def test_find_in_article_counts_and_steps():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter", "slash", *"dang uy")
        await pilot.pause()
        view = app.article_view
        total = len(view.matches)
        assert total >= 2
        count = lambda: app.find_bar.query_one(".count").text  # noqa: E731
        assert count() == f"1/{total}"
        await pilot.press("enter")  # back to the article, matches stay lit
        assert isinstance(app.focused, ArticleView)
        await pilot.press("n")
        assert count() == f"2/{total}"
        await pilot.press("N", "N")
        assert count() == f"{total}/{total}"
        await pilot.press("escape")  # leaves find mode, stays in the article
        assert not app.find_bar.is_open
        assert isinstance(app.focused, ArticleView)
        assert view.matches == []


async def test_command_palette_jumps_to_an_article():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"duc xuan")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.article_view.article.id.startswith("002")
        assert isinstance(app.focused, ArticleView)


@pytest.mark.parametrize("size", [(40, 10), (300, 80)])
async def test_odd_terminal_sizes_render(size):
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("enter", "space", "escape", "slash", *"hdnd")
        await settle(pilot)
        await pilot.pause()
        assert app.article_list.rows


async def test_find_in_a_big_article_runs_off_the_event_loop(tmp_path):
    para = "Đảng ủy phường Tân Sơn Hòa tổ chức hội nghị về an ninh trật tự. " * 20
    (tmp_path / "big.txt").write_text(
        "Bài rất dài\n\n" + "\n\n".join([para] * 1600) + "\n\nCuối bài có từ hiếm: Xuyên Mộc.",
        encoding="utf-8",
    )
    app = ReaderApp([tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert len(app.article_view.article.text) > 2_000_000
        await pilot.press("enter", "slash", *"xuyen moc")
        await settle(pilot)
        assert app.find_bar.query_one(".count").text == "1/1"
        view = app.article_view
        start, end = view.matches[0]
        assert view.article.text[start:end] == "Xuyên Mộc"
        assert view.scroll_y > 1000  # scrolled to the match near the end


async def test_filter_counts_every_match_and_lists_more_at_the_end(tmp_path):
    for i in range(700):
        (tmp_path / f"{i:03d}.txt").write_text(
            f"Phường số {i} họp bàn an ninh trật tự\n\nChiều 1/2, phường số {i} họp.",
            encoding="utf-8",
        )
    (tmp_path / "other.txt").write_text("Tin khác\n\nKhông liên quan.", encoding="utf-8")
    app = ReaderApp([tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"an ninh trat tu ")
        await settle(pilot)
        assert app.filter_bar.query_one(".count").text == "700/701"
        assert len(app.article_list.rows) == SEARCH_LIMIT  # the first page of hits
        app.article_list.action_last()  # the user reaches the end of the list
        await settle(pilot)
        assert len(app.article_list.rows) == min(700, 4 * SEARCH_LIMIT)
        assert app.article_list.cursor == SEARCH_LIMIT - 1  # still on the same hit


async def test_a_typo_search_cut_by_its_budget_looks_further_on_its_own(tmp_path):
    # 700 newer articles hold the words apart, 30 older ones "Tân Sơn Hòa": a search
    # checks typo windows in the newest 600 only and finds none of the 30 at first.
    for i in range(700):
        (tmp_path / f"a{i:03d}.txt").write_text(
            f"Tin số {i}\n\nChiều 1/6/2025, Tân và Sơn, Hòa họp.", encoding="utf-8"
        )
    for i in range(30):
        (tmp_path / f"n{i:03d}.txt").write_text(
            f"Tin cũ {i}\n\nChiều 1/6/2024, Tân Sơn Hòa họp.", encoding="utf-8"
        )
    app = ReaderApp([tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("slash")
        app.filter_bar.input.post_message(events.Paste("tan son hao "))  # no prefixes typed
        await settle(pilot)
        ids = [row.article.id for row in app.article_list.rows]
        assert len(ids) == 30 and all(i.startswith("n") for i in ids)
        assert app.filter_bar.query_one(".count").text == "30/730"


async def test_keys_typed_during_a_slow_search_run_one_search_for_the_newest_query(
    monkeypatch,
):
    # A search thread cannot be stopped: each key starting its own ran them side by side,
    # taking the GIL from the event loop. Now one runs, and only the newest query waits.
    import threading
    import time

    from reader.library import Library

    real = Library.search
    running, seen, most = 0, [], [0]
    lock = threading.Lock()

    def slow(self, query, **kwargs):
        nonlocal running
        with lock:
            running += 1
            most[0] = max(most[0], running)
            seen.append(query)
        time.sleep(0.15)
        try:
            return real(self, query, **kwargs)
        finally:
            with lock:
                running -= 1

    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        monkeypatch.setattr(Library, "search", slow)
        await pilot.press("slash", *"duc xuan")
        await settle(pilot)
        await pilot.pause(0.4)
        await settle(pilot)
        assert most[0] == 1
        assert seen[-1] == "duc xuan" and len(seen) < len("duc xuan")
        assert listed(app)[0] == "002"
        assert app.filter_bar.query_one(".count").text.endswith("/5")


async def test_the_first_files_are_listed_while_the_folder_is_still_scanned(monkeypatch):
    import threading

    from reader.ui import app as app_module

    scanned = threading.Event()
    scan = app_module.scan_with_cache

    def slow_scan(paths, cache):
        scanned.wait(10)  # a huge folder: the scan has not finished yet
        return scan(paths, cache)

    monkeypatch.setattr(app_module, "scan_with_cache", slow_scan)
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.01)
            if app.article_list.rows:
                break
        assert app.loading and not scanned.is_set()
        assert listed(app) == ["001", "004", "000", "002", "003"]  # newest first already
        assert app.article_view.article is app.article_list.current  # and it can be read
        scanned.set()
        await ready(pilot)
        assert listed(app) == ["001", "004", "000", "002", "003"]
        assert app.article_view.article is app.article_list.current


async def test_a_message_that_arrives_while_quitting_is_dropped_not_a_crash():
    # A reload the file watcher started can finish while the app shuts down; its messages
    # then reach an app whose widgets are gone. Quitting must stay clean.
    app = ReaderApp([ARTICLES])
    close_all = app._close_all

    async def close_then_message() -> None:
        await close_all()
        app.post_message(ArticleView.MatchMoved(0, 1))
        await asyncio.sleep(0.05)

    app._close_all = close_then_message  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
    assert app.return_code in (None, 0)


async def test_the_palette_says_it_is_still_loading_rather_than_no_matches(monkeypatch):
    import threading

    from textual.command import CommandPalette

    from reader.ui import app as app_module
    from reader.ui.commands import STILL_LOADING

    scanned = threading.Event()
    scan = app_module.scan_with_cache

    def slow_scan(paths, cache):
        scanned.wait(10)
        return scan(paths, cache)

    monkeypatch.setattr(app_module, "scan_with_cache", slow_scan)
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"hdnd")
        for _ in range(100):
            await pilot.pause(0.02)
            if STILL_LOADING[:40] in screen_text(app):
                break
        text = screen_text(app)
        assert app.loading and STILL_LOADING[:40] in text and "No matches" not in text
        while isinstance(app.screen, CommandPalette):
            await pilot.press("escape")
        scanned.set()
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"duc xuan")
        await pilot.pause(0.5)
        await pilot.press("enter")  # the titles are searched now: the hit opens
        await pilot.pause()
        assert app.article_view.article.id.startswith("002")


async def test_the_filter_bar_shows_the_whole_query_as_hits_come_and_go():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await pilot.press("j", "enter", "j", "escape")  # read an article, then back
        await settle(pilot)
        await pilot.resize_terminal(90, 25)  # one pane at a time from here
        await settle(pilot)
        await pilot.press("slash", *"hdnd")
        await settle(pilot)
        await pilot.press(*"zzz")  # no hits: the list empties
        await settle(pilot)
        await pilot.pause()
        assert "/hdndzzz0/5" in screen_text(app)  # (the SVG's text has no spaces)
        await pilot.press(*["backspace"] * 3)
        await settle(pilot)
        await pilot.pause()
        assert "/hdnd5/5" in screen_text(app)


def footer_text(app: ReaderApp) -> str:
    return screen_text(app).rstrip().splitlines()[-1]


async def test_the_footer_follows_focus_and_its_keys_can_be_clicked():
    app = ReaderApp([ARTICLES])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert "q Quit" in footer_text(app) and "^p palette" in footer_text(app)
        # "/ Filter" in the footer, clicked, opens the filter; its keys then show.
        x = footer_text(app).index("/ Filter")
        await pilot.click("KeyFooter", offset=(x + 1, 0))
        await pilot.pause()
        assert app.filter_bar.input.has_focus
        assert "esc Clear" in footer_text(app) and "q Quit" not in footer_text(app)
        x = footer_text(app).index("esc Clear")
        await pilot.click("KeyFooter", offset=(x + 1, 0))
        await pilot.pause()
        assert app.article_list.has_focus and "q Quit" in footer_text(app)
        # The palette key, drawn at the right edge, opens the palette.
        await pilot.click("KeyFooter", offset=(118, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
