"""Probing, frame sampling and decoding strategies on small real films made with PyAV."""

from __future__ import annotations

import itertools

import av
import numpy as np
import pytest

from core.errors import UnusableMedia
from core.media.frames import DecodeStrategy, choose_strategy, sample_frames
from core.media.probe import probe, title_from_path
from tests.conftest import shared_clip


def test_probe_describes_the_film(make_film):
    info = probe(make_film("The.Red.Room.1999.mkv", title=None))
    assert info.duration_s == pytest.approx(12.0, abs=0.2)
    assert (info.width, info.height) == (320, 180)
    assert info.fps == pytest.approx(24.0)
    assert info.video_codec == "h264"
    assert [s.kind for s in info.streams] == ["video", "subtitle"]
    assert info.subtitle_streams[0].is_text_subtitle
    assert info.title == "The Red Room 1999"


def test_title_prefers_the_films_own_tag(make_film):
    assert probe(make_film(title="A Tagged Title")).title == "A Tagged Title"
    assert title_from_path("movie_name_here.mkv") == "movie name here"


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "empty"),
        (b"this is not a film at all\n" * 50, "not a film"),
    ],
)
def test_unplayable_files_give_one_clear_line(tmp_path, content, expected):
    path = tmp_path / "film.mp4"
    path.write_bytes(content)
    with pytest.raises(UnusableMedia, match=expected) as err:
        probe(path)
    assert "\n" not in str(err.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnusableMedia, match="no such file"):
        probe(tmp_path / "nope.mkv")
    with pytest.raises(UnusableMedia, match="folder"):
        probe(tmp_path)


def test_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "song.m4a"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=22050, layout="mono")
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 22050, i * 1024
            for p in stream.encode(frame):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    with pytest.raises(UnusableMedia, match="no video stream"):
        probe(path)


def test_samples_one_frame_per_second_with_exact_times(make_film):
    info = probe(make_film())
    frames = list(sample_frames(info, 1.0))
    times = [f.t for f in frames]
    assert len(frames) == 12
    assert times == sorted(times)
    for k, t in enumerate(times):  # the first decoded frame at or after each grid time
        assert k - 1e-3 <= t < k + 0.2
    assert frames[0].rgb.shape == (224, 224, 3) and frames[0].rgb.dtype == np.uint8


def test_the_sampled_pictures_show_the_film(make_film):
    info = probe(make_film())
    frames = {round(f.t): f.rgb for f in sample_frames(info, 1.0)}
    red, green, blue = frames[1].mean(axis=(0, 1)), frames[5].mean(axis=(0, 1)), frames[9].mean(axis=(0, 1))
    assert red[0] > red[1] + 50 and green[1] > green[0] + 50 and blue[2] > blue[0] + 30


def test_resume_picks_the_same_frames(make_film):
    info = probe(make_film(seconds_per_shot=5))
    full = [f.t for f in sample_frames(info, 1.0)]
    resumed = [f.t for f in sample_frames(info, 1.0, after=full[6])]
    assert resumed == full[7:]


@pytest.mark.parametrize(
    "strategy",
    [
        DecodeStrategy("NONE", False),
        DecodeStrategy("AUTO", True),
        DecodeStrategy("AUTO", False),
        DecodeStrategy("NONE", True),
        DecodeStrategy("NONE", True, True),
        DecodeStrategy("AUTO", True, True, True),
    ],
)
def test_every_decoding_strategy_samples_the_same_grid(make_film, strategy):
    info = probe(make_film())
    times = [f.t for f in sample_frames(info, 1.0, strategy=strategy)]
    assert len(times) == 12
    assert all(abs(t - round(t)) < 0.2 for t in times)


def test_strategy_choice():
    from tests.test_media import _info

    small = _info(bit_rate=1_000_000, width=640, height=360, fps=24)
    heavy_small = _info(bit_rate=20_000_000, width=640, height=360, fps=24)
    full_hd = _info(bit_rate=9_000_000, width=1920, height=1080, fps=24)
    assert choose_strategy(small, 1.0) == DecodeStrategy("NONE", True, True, skip_b=True)
    assert not choose_strategy(_info(video_codec="hevc"), 1.0).skip_b
    assert choose_strategy(heavy_small, 1.0).threading == "AUTO"
    assert choose_strategy(full_hd, 1.0).threading == "AUTO"
    assert not choose_strategy(small, 24.0).skip_nonref  # every frame is wanted: skip nothing


def write_ramp(path, codec: str, size, frames: int, rate: int, pix_fmt: str = "yuv420p", step: int = 3, options=None):
    """A film of flat grey frames getting brighter, encoded with ``codec``: for decoder edge cases."""
    width, height = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if options:
            stream.options = options
        for i in range(frames):
            img = np.full((height, width, 3), (i * step) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format=pix_fmt)
            frame.pts = i
            for p in stream.encode(frame):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return path


def _info(**kw):
    from pathlib import Path

    from core.media.probe import MediaInfo

    base = {
        "path": Path("x.mkv"),
        "size": 1,
        "duration_s": 10,
        "start_s": 0,
        "fps": 24,
        "width": 320,
        "height": 180,
        "video_codec": "h264",
        "pix_fmt": "yuv420p",
        "bit_rate": 1,
    }
    base.update(kw)
    return MediaInfo(**base)


def test_truncated_film_yields_what_it_has_then_says_so(make_film, tmp_path):
    whole = make_film(seconds_per_shot=10)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    info = probe(cut)
    got = []
    with pytest.raises(UnusableMedia, match="truncated"):
        for frame in sample_frames(info, 1.0):
            got.append(frame.t)
    assert 5 <= len(got) < 30


def test_rotated_phone_video_is_turned_upright(make_film):
    import dataclasses

    info = probe(make_film(seconds_per_shot=1))
    upright = next(iter(sample_frames(info, 1.0))).rgb
    turned = next(iter(sample_frames(dataclasses.replace(info, rotation=90), 1.0))).rgb
    assert np.array_equal(turned, np.rot90(upright, 1))


@pytest.mark.parametrize(
    "codec, pix_fmt, container",
    [
        ("libx265", "yuv420p10le", "mkv"),  # 10-bit HEVC
        ("libvpx-vp9", "yuv420p", "webm"),
        ("libsvtav1", "yuv420p", "mkv"),
        ("mpeg2video", "yuv420p", "ts"),
    ],
)
def test_odd_codecs_decode(tmp_path, codec, pix_fmt, container):
    if codec not in av.codecs_available:
        pytest.skip(f"{codec} encoder is not in this PyAV build")
    path = write_ramp(tmp_path / f"odd.{container}", codec, (352, 288), frames=72, rate=24, pix_fmt=pix_fmt)
    info = probe(path)
    times = [f.t for f in sample_frames(info, 1.0)]
    assert len(times) == 3, (codec, times)


def test_variable_frame_rate_uses_real_timestamps(tmp_path):
    path = tmp_path / "vfr.mkv"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=1000)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        t_ms = 0
        for i in range(200):  # bursts of fast frames and long held frames
            frame = av.VideoFrame.from_ndarray(np.full((96, 160, 3), i % 255, np.uint8), format="rgb24")
            frame.pts = t_ms
            from fractions import Fraction

            frame.time_base = Fraction(1, 1000)
            for p in stream.encode(frame):
                out.mux(p)
            t_ms += 10 if (i // 20) % 2 == 0 else 90
        for p in stream.encode():
            out.mux(p)
    info = probe(path)
    times = [f.t for f in sample_frames(info, 1.0, check_truncation=False)]
    assert len(times) >= int(info.duration_s) - 1
    assert all(b > a for a, b in itertools.pairwise(times))
    for k, t in enumerate(times):
        assert t >= k - 1e-3


@pytest.mark.media
def test_real_clip_hevc_popeye():
    info = probe(shared_clip("popeye_1.mkv"))
    assert info.video_codec == "hevc"
    assert info.subtitle_streams[0].is_image_subtitle
    times = [f.t for f in sample_frames(info, 1.0)]
    assert len(times) == 60  # the picture lasts 60 s; the subtitles make the file 63 s long
    assert times[13] == pytest.approx(13.0, abs=0.1)


def test_skipping_deblocking_leaves_the_tokens_unchanged(make_film, encoder):
    info = probe(make_film(size=(640, 360)))
    exact = np.stack([f.rgb for f in sample_frames(info, 1.0, strategy=DecodeStrategy("NONE", True, False))])
    fast = np.stack([f.rgb for f in sample_frames(info, 1.0, strategy=DecodeStrategy("NONE", True, True))])
    a, b = encoder.encode(exact).content, encoder.encode(fast).content
    cos = np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    # measured on 1080p: mean 0.993, about the change of one second of camera motion within a shot
    assert cos.mean() > 0.98 and cos.min() > 0.95


def test_a_stream_of_b_frames_only_falls_back_to_decoding_them(tmp_path):
    """Long runs of B-frames (16 between P-frames at 4 fps) leave reference frames further apart than
    the sampling interval: sampling must notice and decode the B-frames after all."""
    path = write_ramp(
        tmp_path / "bframes.mkv",
        "libx264",
        (160, 96),
        frames=240,
        rate=4,
        step=5,
        options={"bf": "16", "b-adapt": "0", "g": "1000", "b-pyramid": "normal"},
    )
    info = probe(path)
    strategy = DecodeStrategy("NONE", True, False, skip_b=True)
    times = [f.t for f in sample_frames(info, 1.0, strategy=strategy)]
    assert len(times) == 60
    assert all(b - a < 1.5 for a, b in itertools.pairwise(times))


def test_thumbnails_keep_the_aspect_and_the_rotation(make_film):
    import dataclasses

    from core.media.thumbnail import thumbnails

    info = probe(make_film(seconds_per_shot=2))  # 320x180
    pictures = thumbnails(info, [0.0, 3.0, 99.0], width=160)
    assert sorted(pictures) == [0.0, 3.0] and pictures[3.0].shape == (90, 160, 3)  # past the end: left out
    turned = thumbnails(dataclasses.replace(info, rotation=90), [3.0], width=160)[3.0]
    assert turned.shape == (284, 160, 3)  # seen upright: 160 wide, taller than wide
