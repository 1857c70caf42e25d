"""mpv with null outputs: load, play, the clock, seeking, and the watched ranges it records."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
mpv = pytest.importorskip("mpv")

from desktop.player import MpvPlayer  # noqa: E402


@pytest.fixture
def player(qtbot):
    p = MpvPlayer()
    yield p
    p.close()


def test_play_seek_and_watched_ranges(qtbot, player, make_film):
    film = make_film(seconds_per_shot=10)
    with qtbot.waitSignal(player.duration_changed, timeout=20_000) as duration:
        player.open(film)
    assert duration.args[0] == pytest.approx(30.0, abs=0.5)
    player.play()
    qtbot.waitUntil(lambda: (player.position or 0) > 1.5, timeout=20_000)
    player.seek(20.0)
    qtbot.waitUntil(lambda: (player.position or 0) > 21.0, timeout=20_000)
    player.pause()
    qtbot.wait(300)
    ranges = player.tracker.ranges
    assert ranges and ranges[0][0] < 0.5 and 1.0 < ranges[0][1] < 20.0  # watched from the start
    assert any(a >= 19.5 and b > 20.5 for a, b in ranges[1:])  # and again after the jump
    assert not player.tracker.window().contains(15.0)  # the skipped part was not watched
