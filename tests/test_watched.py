"""Watched ranges: playing extends them, a forward seek does not count as watching."""

from __future__ import annotations

import pytest

from core.watched import WatchTracker


def play(tracker, start, end, step=0.25):
    t = start
    while t <= end + 1e-9:
        tracker.update(t, playing=True)
        t += step


def test_playing_extends_and_seeking_skips():
    tracker = WatchTracker()
    play(tracker, 0, 10)
    tracker.seeked()
    play(tracker, 60, 65)  # jumped ahead: 10-60 was not watched
    assert tracker.ranges == [(0.0, 10.0), (60.0, 65.0)]
    play(tracker, 65.25, 70)  # carries on without a seek notice: small steps still extend
    assert tracker.ranges[-1] == (60.0, 70.0)
    tracker.update(200.0, playing=True)  # a jump the player did not announce is not watching either
    assert tracker.ranges[-1] == (60.0, 70.0)
    assert tracker.window().contains(5) and not tracker.window().contains(30)
    assert tracker.watched_s == pytest.approx(20.0)


def test_paused_time_is_not_watching():
    tracker = WatchTracker()
    tracker.update(5.0, playing=False)
    tracker.update(5.2, playing=False)
    assert tracker.ranges == []


def test_ranges_and_position_persist(store, make_film):
    from core.media.probe import probe

    film = store.ensure_film("v1:x", probe(make_film()))
    store.add_watched(film.id, [(0, 10), (20, 30)])
    store.add_watched(film.id, [(9, 21)])  # only adds
    assert store.watched(film.id) == [(0.0, 30.0)]
    assert store.position(film.id) is None
    store.save_position(film.id, 42.5)
    store.save_position(film.id, 43.0)
    assert store.position(film.id) == 43.0
