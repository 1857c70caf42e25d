"""The frames kept between questions always equal a fresh windowed read of the current window."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.colours import FrameColours
from core.frame_cache import WindowedFrames, contains, difference
from core.spoiler_window import Window
from tests.testkit.synthetic_index import synthetic_film


def test_contains_and_difference():
    assert contains(Window.whole(), Window.until(10))
    assert not contains(Window.until(10), Window.whole())
    assert contains(Window.watched([(0, 20), (30, 40)]), Window.watched([(5, 10), (31, 32)]))
    assert not contains(Window.until(10), Window.until(11))
    assert difference(Window.watched([(0, 20), (30, 40)]), Window.watched([(5, 10)])).ranges == (
        (0, 5),
        (10, 20),
        (30, 40),
    )
    assert difference(Window.until(10), Window.until(10)).ranges == ()


windows = st.one_of(
    st.just(None),
    st.floats(0, 700).map(lambda t: ("until", t)),
    st.lists(st.tuples(st.floats(0, 600), st.floats(1, 200)), min_size=1, max_size=3).map(
        lambda rs: ("watched", [(a, a + d) for a, d in rs])
    ),
)


def _window(spec):
    if spec is None:
        return Window.whole()
    return Window.until(spec[1]) if spec[0] == "until" else Window.watched(spec[1])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(windows, min_size=1, max_size=6), grow=st.booleans())
def test_kept_frames_equal_a_fresh_read(film_store, encoder, specs, grow):
    store, film = film_store
    cache = WindowedFrames(store, film.id, encoder.id)
    as_logits = WindowedFrames(store, film.id, encoder.id, encoder.query_basis)  # kept as classifier logits
    watched = []
    for spec in specs:
        if grow and spec is not None and spec[0] == "watched":  # a viewer's window only grows
            watched += spec[1]
            spec = ("watched", list(watched))
        window = _window(spec)
        kept = cache.get(window)
        fresh = store.frames_in_window(film.id, encoder.id, window)
        assert kept.times.tolist() == fresh.times.tolist()
        assert all(window.contains(t) for t in kept.times)
        np.testing.assert_array_equal(kept.patches, fresh.patches.astype(np.float32))
        logits = as_logits.get(window)
        assert logits.times.tolist() == fresh.times.tolist() and len(logits.content_logits) == len(fresh.times)


def test_frames_indexed_after_a_read_are_picked_up(tmp_path, encoder):
    from core.store import open_store

    with open_store(tmp_path) as store:
        film = synthetic_film(store, encoder, 100.0, [(1.0, "hi")])
        cache = WindowedFrames(store, film.id, encoder.id)
        assert len(cache.get(Window.until(200)).times) == 100
        col = FrameColours(0.5, (("red", 1.0),))
        store.add_frames(
            film.id,
            encoder.id,
            1.0,
            [150.0],
            np.ones((1, encoder.dim)),
            np.ones((1, encoder.grid**2, encoder.dim)),
            [col],
            0.0,
        )
        again = cache.get(Window.until(200))
        assert len(again.times) == 101 and again.times[-1] == 150.0
