"""What the screen looks like: SVG snapshots of the main screen (see tests/__snapshots__).

After an intended change of the look, refresh them with `pytest --snapshot-update` and look
at the SVGs before committing.
"""

from __future__ import annotations

import pytest

from reader.ui.app import ReaderApp

from conftest import REPO, settle


async def _settle(pilot) -> None:
    app = pilot.app
    await settle(pilot)
    await pilot.pause()
    app.clear_notifications()  # the load toast carries a timing
    await pilot.pause()


@pytest.fixture
def app(monkeypatch) -> ReaderApp:
    monkeypatch.chdir(REPO)
    return ReaderApp(["articles"])


def test_main_screen_120x40(snap_compare, app):
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_main_screen_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_reading_at_80x24_shows_only_the_article(snap_compare, app):
    async def read(pilot) -> None:
        await _settle(pilot)
        await pilot.press("j", "enter")

    assert snap_compare(app, terminal_size=(80, 24), run_before=read)


def test_filter_with_hits_120x40(snap_compare, app):
    async def filtered(pilot) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"tan son hoa")
        await settle(pilot)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=filtered)
