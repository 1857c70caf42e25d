"""Indexing always ends: for films of many durations, frame rates and containers, ``index`` returns
within a time limit, calls the film complete, and a second run adds nothing.

Each index call runs under a watchdog (:func:`index_within`): a run that loops fails the test instead of
hanging CI. The films are generated with PyAV: constant rates of 23.976, 24, 25, 29.97 and 2997/125 fps,
variable frame rates, durations with long decimals, MPEG-4 Part 2 in AVI and H.264 in MP4/Matroska, and
containers whose stated duration is longer than their picture (an audio track that runs on)."""

from __future__ import annotations

import math
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import coverage
from core.events import CancelToken, Done
from core.indexing import index_film
from core.media.frames import choose_strategy
from core.media.probe import probe
from core.store import open_store

LIMIT_S = 120.0  # a few seconds of tiny film index in well under this, even on a loaded machine


def index_within(store, path, limit_s: float = LIMIT_S, **kwargs):
    """Run ``index_film`` to its end on a thread; fail (and cancel it) if it takes longer than ``limit_s``."""
    cancel = CancelToken()
    outcome: dict = {}

    def work() -> None:
        try:
            for event in index_film(store, path, cancel=cancel, **kwargs):
                if isinstance(event, Done):
                    outcome["done"] = event
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="index-within", daemon=True)
    thread.start()
    thread.join(limit_s)
    if thread.is_alive():
        cancel.cancel()
        thread.join(30)
        pytest.fail(f"indexing {Path(path).name} did not end within {limit_s:.0f} s (covered: {store_covered(store)})")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["done"]


def store_covered(store) -> list:
    return [row["covered"] for row in store.conn.execute("SELECT covered FROM index_progress")]


def write_test_film(
    path: Path,
    rate: Fraction,
    frames: int,
    codec: str = "mpeg4",
    vfr: bool = False,
    audio_extra_s: float = 0.0,
    size=(96, 64),
    seed: int = 0,
) -> Path:
    """A small film of ``frames`` pictures at ``rate`` (or at irregular times around it with ``vfr``),
    optionally with a silent audio track that runs ``audio_extra_s`` past the picture."""
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if vfr:
            stream.time_base = stream.codec_context.time_base = Fraction(1, 1000)
        audio = container.add_stream("aac", rate=22050) if audio_extra_s > 0 else None
        t = 0.0
        last_t = 0.0
        for i in range(frames):
            picture = np.full((size[1], size[0], 3), (i * 7) % 256, np.uint8)
            picture[:, (i * 3) % size[0]] = 255
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            if vfr:
                frame.pts, frame.time_base = int(round(t * 1000)), Fraction(1, 1000)
                last_t = t
                t += float(1 / rate) * float(rng.uniform(0.3, 2.5))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio is not None:
            picture_end = (last_t if vfr else frames / float(rate)) + audio_extra_s
            samples = 1024
            for n in range(int(picture_end * 22050 / samples) + 1):
                chunk = av.AudioFrame.from_ndarray(np.zeros((1, samples), np.float32), format="fltp", layout="mono")
                chunk.sample_rate, chunk.pts = 22050, n * samples
                for packet in audio.encode(chunk):
                    container.mux(packet)
            for packet in audio.encode():
                container.mux(packet)
    return path


def expected_frames(path: Path, fps: float) -> int:
    """How many frames the sampling rule picks (first frame at or after each grid time k / fps) from the
    frames the indexer's decoding strategy decodes: when it skips B-frames for speed, a grid time whose
    frames until the next grid time are all B-frames has no frame of its own (rare in real films, common
    in the irregular test streams)."""
    info = probe(path)
    strategy = choose_strategy(info, fps)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if strategy.skip_b:
            stream.codec_context.skip_frame = "BIDIR"
        elif strategy.skip_nonref:
            stream.codec_context.skip_frame = "NONREF"
        times = sorted(float(f.time) - info.start_s for f in container.decode(stream) if f.time is not None)
    picked, next_k = 0, 0
    for t in times:
        if t + 1e-3 >= next_k / fps:
            picked += 1
            next_k = math.floor(t * fps + 1e-3) + 1
    return picked


RATES = [
    Fraction(24000, 1001),
    Fraction(30000, 1001),
    Fraction(25),
    Fraction(24),
    Fraction(2997, 125),
    Fraction(15),
    Fraction(60),
]
CONTAINERS = [("avi", "mpeg4"), ("mp4", "libx264"), ("mkv", "libx264"), ("mkv", "mpeg4")]


@settings(max_examples=14, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rate=st.sampled_from(RATES),
    seconds=st.floats(0.4, 9.0),
    box=st.sampled_from(CONTAINERS),
    vfr=st.booleans(),
    audio_extra_s=st.sampled_from([0.0, 0.0, 0.37, 2.9]),
    fps=st.sampled_from([1.0, 1.0, 2.0, 0.5]),
)
def test_indexing_ends_complete_for_any_duration_and_rate(
    tmp_path_factory, encoder, rate, seconds, box, vfr, audio_extra_s, fps
):
    folder = tmp_path_factory.mktemp("film")
    extension, codec = box
    if vfr and extension == "avi":
        extension = "mkv"  # AVI has no timestamps of its own: its frames are evenly spaced
    frames = max(2, int(seconds * float(rate)))
    path = write_test_film(
        folder / f"film.{extension}", rate, frames, codec, vfr=vfr, audio_extra_s=audio_extra_s, seed=frames
    )
    with open_store(folder / "home") as store:
        first = index_within(store, path, encoder=encoder, fps=fps, embed_dialogue=False, batch_size=4)
        assert first.complete and first.result.complete
        assert first.result.frames == expected_frames(path, fps)
        film_id = first.result.film.id
        covered = store.covered(film_id, encoder.id, fps)
        assert coverage.complete(covered, probe(path).duration_s, fps)
        again = index_within(store, path, encoder=encoder, fps=fps, embed_dialogue=False)
        assert again.complete and again.result.added == 0 and again.result.frames == first.result.frames


def test_divx_style_avi_at_2997_125_fps_ends(store, encoder, tmp_path):
    """The film that used to stop at "90% 12 frames" for ever: MPEG-4 Part 2 in AVI, 270 frames at
    2997/125 fps (11.26 s), 720x528; its end was stored rounded below the probed duration."""
    path = write_test_film(tmp_path / "divx.avi", Fraction(2997, 125), 270, "mpeg4", size=(720, 528))
    assert probe(path).duration_s == pytest.approx(11.261261, abs=1e-6)
    done = index_within(store, path, encoder=encoder, embed_dialogue=False)
    assert done.complete and done.result.frames == 12
    assert index_within(store, path, encoder=encoder, embed_dialogue=False).result.added == 0


def test_a_film_whose_stored_end_was_rounded_is_complete(store, encoder, tmp_path):
    """An index left by the earlier release (coverage rounded to 150.976 of a 150.976009 s film) is
    recognised as complete instead of planning the last sliver again and again."""
    path = write_test_film(tmp_path / "film.avi", Fraction(2997, 125), 50, "mpeg4")
    first = index_within(store, path, encoder=encoder, embed_dialogue=False)
    duration = probe(path).duration_s
    film_id = first.result.film.id
    store.conn.execute("UPDATE index_progress SET complete = 0, covered = ?", (f"[[-1.0, {round(duration, 3)}]]",))
    store.conn.commit()
    again = index_within(store, path, encoder=encoder, embed_dialogue=False)
    assert again.complete and again.result.added == 0
    assert store.progress(film_id, encoder.id, 1.0)["complete"] == 1


def test_a_stretch_that_adds_nothing_ends_the_run(store, encoder, tmp_path, monkeypatch):
    """If a stretch covered no sampling time (a decoder that yields nothing and a store that records
    nothing), the run still ends instead of planning the same stretch for ever."""
    from core import indexing

    path = write_test_film(tmp_path / "film.mkv", Fraction(25), 100, "mpeg4")

    def covers_nothing(*args, **kwargs):
        yield 0, []

    monkeypatch.setattr(indexing, "_index_segment", covers_nothing)
    done = index_within(store, path, encoder=encoder, embed_dialogue=False, limit_s=60)  # fails if it loops
    assert done.result.added == 0 and done.result.frames == 0  # it ended having stored nothing


@pytest.mark.slow
def test_the_sample_film_indexes_to_complete(store, encoder, tmp_path):
    from core.sample import ensure_sample

    path = ensure_sample(tmp_path / "sample.mp4")
    done = index_within(store, path, encoder=encoder, limit_s=600)
    assert done.complete and done.result.frames == expected_frames(path, 1.0)
