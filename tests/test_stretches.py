"""Several decoders on parts of a film (core/stretches.py, core/prefetch.merge): the same frames as one
decoder, every part resumed where it stopped, a damaged part does not cost the others, and it ends."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core import coverage, stretches
from core.errors import UnusableMedia
from core.events import CancelToken, Progress
from core.indexing import index_film, run
from core.prefetch import merge
from core.store import open_store
from tests.testkit.long_films import stored_frames

FPS = 0.2


def test_parts_meet_at_grid_times_and_are_long_enough():
    parts = stretches.split(coverage.Segment(None, None), 720.0, 0.2, 4)
    assert len(parts) == 4 and parts[0].after is None and parts[-1].until is None
    cuts = [p.until for p in parts[:-1]]
    assert cuts == [p.after for p in parts[1:]]
    assert all(abs(c * 0.2 - round(c * 0.2)) < 1e-9 for c in cuts)  # on the sampling grid
    assert len(stretches.split(coverage.Segment(100.0, 300.0), 720.0, 1.0, 8)) == 1  # 200 s: one part
    assert len(stretches.split(coverage.Segment(None, None), 720.0, 1.0, 8)) == 6  # parts of 120 s at least
    assert stretches.split(coverage.Segment(50.0, None), 720.0, 1.0, 1) == [coverage.Segment(50.0, None)]


def test_no_cut_far_from_a_key_frame(tmp_path):
    """A part decodes from the key frame before it: a film with a single key frame is not cut at all (each
    part would decode the film from its start), one with key frames every 7 s is."""
    from core.media.probe import probe
    from tests.test_keyframes import write_film

    whole = coverage.Segment(None, None)
    single = probe(write_film(tmp_path / "one key frame.mp4", 300, gop=10**4))
    parts = stretches.split(whole, single.duration_s, 1.0, 2)
    assert len(parts) == 2 and stretches.key_frame_before(single, 200.0) == 0.0
    assert stretches.at_key_frames(single, parts) == [whole]
    usual = probe(write_film(tmp_path / "key frames every 7 s.mkv", 300, gop=70))
    parts = stretches.split(whole, usual.duration_s, 1.0, 2)
    assert 143 <= stretches.key_frame_before(usual, parts[1].after) <= parts[1].after
    assert stretches.at_key_frames(usual, parts) == parts


def test_decoders_follow_the_cores_and_the_setting(monkeypatch):
    monkeypatch.delenv("MOVIEBUDDY_DECODERS", raising=False)
    assert [stretches.decoders_for(c) for c in (1, 2, 16, 64)] == [1, 2, 8, 8]
    monkeypatch.setenv("MOVIEBUDDY_DECODERS", "3")
    assert stretches.decoders_for(16) == 3


def test_merge_keeps_each_sources_order_and_raises_its_errors():
    def source(name, n, fail=False):
        for k in range(n):
            yield name, k
        if fail:
            raise ValueError(f"{name} broke")

    got = list(merge([source("a", 50), source("b", 70), source("c", 0)], maxsize=4))
    for i, name, n in ((0, "a", 50), (1, "b", 70)):
        assert [item for j, item in got if j == i] == [(name, k) for k in range(n)]
    with pytest.raises(ValueError, match="b broke"):
        list(merge([source("a", 1000), source("b", 3, fail=True)], maxsize=2))


def test_closing_a_merge_stops_its_producers():
    def endless():
        k = 0
        while True:
            yield k
            k += 1

    before = threading.active_count()
    merged = merge([endless(), endless()], maxsize=2, name="endless")
    assert next(merged)[1] == 0
    merged.close()
    assert threading.active_count() == before
    assert not [t for t in threading.enumerate() if t.name.startswith("endless")]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_parts_decoded_at_once_give_the_frames_of_one_decoder(long_film, encoder, tmp_path):
    for name, decoders in (("one", 1), ("three", 3)):
        with open_store(tmp_path / name) as store:
            result = run(index_film(store, long_film, encoder=encoder, fps=FPS, rough=False, decoders=decoders))
            assert result.complete
    one, three = (stored_frames(tmp_path / name, "t, content") for name in ("one", "three"))
    assert len(one) >= 140 and [r[0] for r in three] == [r[0] for r in one]
    tokens = [np.stack([np.frombuffer(r[1], "<f2").astype(np.float32) for r in rows]) for rows in (one, three)]
    np.testing.assert_allclose(*tokens, rtol=2e-2, atol=2e-2)  # (float sums vary with the batches)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_stopped_run_resumes_every_part(long_film, encoder, store):
    cancel = CancelToken()
    for event in index_film(
        store, long_film, encoder=encoder, fps=FPS, rough=False, decoders=3, cancel=cancel, batch_size=8
    ):
        if isinstance(event, Progress) and event.stage == "frames" and event.done > 150:
            cancel.cancel()
    (film,) = store.films()
    partial = store.covered(film.id, encoder.id, FPS)
    assert len(partial) >= 2  # several parts began
    assert not coverage.complete(partial, film.duration_s, FPS)
    run(index_film(store, long_film, encoder=encoder, fps=FPS, rough=False, decoders=3))
    times = store.frame_times(film.id, encoder.id)
    assert coverage.complete(store.covered(film.id, encoder.id, FPS), film.duration_s, FPS)
    assert len(times) == len(set(times)) and len(times) >= 140
    assert max(np.diff(times)) <= 1 / FPS + 1.0  # no hole where a part stopped


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_damaged_part_ends_there_and_the_others_finish(long_film, encoder, store, tmp_path):
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(long_film.read_bytes()[: long_film.stat().st_size // 2])
    with pytest.raises(UnusableMedia, match=r"^cut\.mkv: "):
        run(index_film(store, cut, encoder=encoder, fps=FPS, rough=False, decoders=4))
    (film,) = store.films()
    times = store.frame_times(film.id, encoder.id)
    # everything before the cut (about 6 minutes), though the last part met the damage first
    assert min(times) < 5 and max(times) > 300 and max(np.diff(times)) <= 1 / FPS + 1.0
