"""Hostile and broken films given to ``moviebuddy index``: one line and exit 3 for what cannot be used,
exit 0 for what can, and never a loss of what the data folder already holds."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import sqlite3
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from core.cli import main
from core.media.frames import sample_frames
from core.media.probe import probe
from core.media.writer import FilmSpec, Line, Shot, write_film
from core.store import open_store
from core.timefmt import clock
from tests.conftest import DEFAULT_LINES, DEFAULT_SHOTS, picture

pytestmark = pytest.mark.timeout(180)


def _spec(seconds_per_shot: float, lines=(), size=(320, 180)) -> FilmSpec:
    """Three shots; no dialogue unless asked for (understanding dialogue takes seconds a film)."""
    shots = [Shot(picture(c, s, size), seconds_per_shot, (0, 0, 1, 1), (0.1, 0.1, 0.8, 0.8)) for c, s in DEFAULT_SHOTS]
    return FilmSpec(shots=shots, lines=list(lines), size=size, speech=False)


@pytest.fixture(scope="module")
def good_home(tmp_path_factory) -> Path:
    """A data folder holding the index of one good film, made once; each test works on a copy of it."""
    root = tmp_path_factory.mktemp("good")
    film = write_film(root / "good.mkv", _spec(4.0, DEFAULT_LINES))
    home = root / "home"
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"MOVIEBUDDY_HOME": home, "MOVIEBUDDY_CONFIG": home / "x.json", "HF_HUB_OFFLINE": 1}.items():
            env.setenv(name, str(value))
        assert main(["index", str(film)]) == 0
    return home


def _good_film(home: Path) -> tuple[int, int]:
    """(frames, dialogue lines) of the good film, after checking that the database is sound."""
    with sqlite3.connect(home / "moviebuddy.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(home) as store:
        film = next(f for f in store.films() if f.title.startswith("good"))
        return store.frame_count(film.id), store.dialogue_count(film.id)


@pytest.fixture
def home(good_home, isolated_home):
    """The data folder of this test, holding the good film's index; checks afterwards that it is intact."""
    shutil.copytree(good_home, isolated_home, dirs_exist_ok=True)
    before = _good_film(isolated_home)
    assert before[0] == 12 and before[1] == 3
    yield isolated_home
    assert _good_film(isolated_home) == before, "indexing a bad film changed what was stored of a good one"


def index(capfd, path) -> tuple[int, str, list[str]]:
    """Run ``moviebuddy index``: (exit code, stdout, the lines of stderr apart from the progress lines)."""
    rc = main(["index", str(path)])
    out, err = capfd.readouterr()
    return rc, out, [line for line in err.splitlines() if line.strip() and not line.startswith("Indexing ")]


def status(capfd, path) -> str:
    assert main(["status", str(path)]) == 0
    return capfd.readouterr().out


def assert_refused(rc: int, err: list[str], *words: str) -> None:
    assert rc == 3, err
    assert len(err) == 1 and err[0].startswith("moviebuddy: "), err  # one line, so no traceback either
    for word in words:
        assert word in err[0], err


def assert_indexed(rc: int, out: str, err: list[str], frames: int) -> None:
    assert (rc, err) == (0, []), err
    assert f": {frames} frames (" in out and ", complete," in out, out


def _encode(target, times, codec="libx264", rate=24, size=(160, 96), fmt=None, time_base=None) -> None:
    """A video stream with a frame at each of ``times`` (in ``time_base``, or frames at ``rate``), or with
    ``codec`` "aac" a silent sound of as many 1024-sample frames."""
    with av.open(target, "w", format=fmt) as out:
        if codec == "aac":
            stream = out.add_stream("aac", rate=22050, layout="mono")
            frames = [av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")]
            frames[0].sample_rate = 22050
        else:
            stream = out.add_stream(codec, rate=rate)
            stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
            colours = [DEFAULT_SHOTS[(i * 3) // len(times)][0] for i in range(len(times))]
            frames = [av.VideoFrame.from_ndarray(picture(c, size=size), format="rgb24") for c in colours]
        for i, pts in enumerate(times):
            frame = frames[i % len(frames)]
            frame.pts = pts * 1024 if codec == "aac" else pts
            if time_base is not None:
                frame.time_base = time_base
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _symlink_loop(path: Path) -> None:
    other = path.with_name("b.mkv")
    path.symlink_to(other)
    other.symlink_to(path)


NOT_FILMS = {
    "empty.mp4": (lambda p: p.write_bytes(b""), "empty"),
    "random.mp4": (lambda p: p.write_bytes(np.random.default_rng(13).bytes(200_000)), "random.mp4"),
    "notes.mkv": (lambda p: p.write_text("These are notes, not a film.\n" * 200), "not a film"),
    "song.m4a": (lambda p: _encode(str(p), range(20), codec="aac"), "no video stream"),
    "still.png": (lambda p: Image.fromarray(picture((200, 30, 30), "circle")).save(p), "still picture"),
    "still.jpg": (lambda p: Image.fromarray(picture((30, 160, 40), "square")).save(p), "still picture"),
    "a.mkv": (_symlink_loop, "a.mkv"),
    "folder.mkv": (lambda p: p.mkdir(), "folder"),
}


@pytest.mark.parametrize("name", NOT_FILMS)
def test_what_is_not_a_film_is_refused_in_one_line(home, tmp_path, capfd, name):
    make, word = NOT_FILMS[name]
    make(tmp_path / name)
    rc, out, err = index(capfd, tmp_path / name)
    assert_refused(rc, err, word)
    assert out == ""


def _raw_video_mkv(path: Path, declared: bytes) -> None:
    """A tiny uncompressed film whose header claims a frame size of ``declared`` (two bytes) each way:
    uncompressed pictures have no size of their own, so only the header says it."""
    _encode(str(path), range(4), codec="rawvideo", rate=4, size=(256, 256))
    data = path.read_bytes()
    width, height = b"\xb0\x82\x01\x00", b"\xba\x82\x01\x00"  # Matroska PixelWidth / PixelHeight: 256
    assert data.count(width) == 1 and data.count(height) == 1
    path.write_bytes(data.replace(width, width[:2] + declared).replace(height, height[:2] + declared))


@pytest.mark.parametrize(
    "declared, word", [(b"\x3e\x80", "absurd picture size (16000x16000)"), (b"\xff\xff", "cannot be decoded")]
)
def test_absurd_declared_frame_size_is_refused_before_decoding(home, tmp_path, capfd, declared, word):
    path = tmp_path / "huge.mkv"
    _raw_video_mkv(path, declared)
    rc, _, err = index(capfd, path)
    assert_refused(rc, err, word)


def _faststart(src: Path, dst: Path) -> Path:
    """The same film with its MP4 index (moov) before the pictures, as web players want it."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    return dst


@pytest.fixture(scope="module")
def whole_films(tmp_path_factory) -> dict[str, Path]:
    """30 s films: Matroska, MP4 with its index at the end (as written), MP4 with its index first."""
    root = tmp_path_factory.mktemp("whole")
    mp4 = write_film(root / "film.mp4", _spec(10.0))
    return {
        "mkv": write_film(root / "film.mkv", _spec(10.0)),
        "mp4": mp4,
        "mp4-faststart": _faststart(mp4, root / "fast.mp4"),
    }


# (kind, fraction of the bytes kept) -> (exit code, what the one line says)
TRUNCATED = {
    ("mkv", 0.1): (3, "truncated"),
    ("mkv", 0.5): (3, "truncated"),
    ("mkv", 0.99): (0, None),  # the last frames are lost, but they are within the sampling's slack
    ("mp4", 0.1): (3, "cut short"),  # no index: nothing can be read
    ("mp4", 0.5): (3, "cut short"),
    ("mp4", 0.99): (3, "cut short"),  # the index itself is cut
    ("mp4-faststart", 0.1): (3, "cut short"),  # the first picture is cut
    ("mp4-faststart", 0.5): (3, "truncated"),
    ("mp4-faststart", 0.99): (0, None),
}


def _cut(whole: Path, fraction: float, tmp_path: Path) -> Path:
    cut = tmp_path / f"cut {int(fraction * 100)}{whole.suffix}"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * fraction)])
    return cut


@pytest.mark.parametrize("kind, fraction", TRUNCATED, ids=[f"{k}-{int(f * 100)}%" for k, f in TRUNCATED])
def test_truncated_film(home, whole_films, tmp_path, capfd, kind, fraction):
    cut = _cut(whole_films[kind], fraction, tmp_path)
    rc, out, err = index(capfd, cut)
    code, word = TRUNCATED[kind, fraction]
    if code == 0:
        assert_indexed(rc, out, err, 30)
        assert "complete of 0:30, 30 frames" in status(capfd, cut)
    else:
        assert_refused(rc, err, word, cut.name)


@pytest.mark.parametrize("kind, fraction", [("mkv", 0.1), ("mkv", 0.5), ("mp4-faststart", 0.5)])
def test_truncated_film_keeps_and_shows_what_could_be_indexed(home, whole_films, tmp_path, capfd, kind, fraction):
    """A film cut short keeps every frame decoded before its picture stops, status says how far it got,
    and the partial index has its scenes (an MP4 cut at 1:13 once said 'indexed to 1:03' and 0 scenes)."""
    cut = _cut(whole_films[kind], fraction, tmp_path)
    decodable = [f.t for f in sample_frames(probe(cut), 1.0, check_truncation=False)]
    assert 2 <= len(decodable) < 25
    rc, _, err = index(capfd, cut)
    assert_refused(rc, err, f"the picture stops at {clock(decodable[-1])}")
    said = status(capfd, cut)
    match = re.search(r": (.+) of 0:30, (\d+) frames, \d+ dialogue lines, (\d+) scenes", said)
    assert match, said
    assert match.group(1) == f"indexed to {clock(decodable[-1])}"
    assert int(match.group(2)) == len(decodable)
    assert int(match.group(3)) >= 1
    assert "  stopped: " in said and "truncated" in said  # and why it stopped


class _NoSeeking(io.RawIOBase):
    """A file that can only be written forwards (a pipe, a recording): Matroska then states no duration."""

    def __init__(self, file) -> None:
        self.file = file

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return self.file.write(data)


@pytest.mark.parametrize("name, fmt", [("camera.h264", "h264"), ("recording.mkv", "matroska")])
def test_film_whose_container_states_no_duration(home, tmp_path, capfd, name, fmt):
    """A raw .h264 stream (no container, no frame times at all) and a Matroska file written forwards only."""
    path = tmp_path / name
    with open(path, "wb") as file:
        _encode(_NoSeeking(file), range(72), fmt=fmt)
    with av.open(str(path)) as film:
        assert film.duration is None and film.streams.video[0].duration is None
    rc, out, err = index(capfd, path)
    assert_indexed(rc, out, err, 3)
    assert "complete of 0:03" in status(capfd, path)


def test_variable_frame_rate(home, tmp_path, capfd):
    path = tmp_path / "vfr.mkv"
    gaps = [10 if (i // 20) % 2 == 0 else 90 for i in range(160)]  # 20 frames 10 ms apart, 20 held for 90 ms
    _encode(str(path), list(itertools.accumulate(gaps, initial=0))[:-1], rate=1000, time_base=Fraction(1, 1000))
    rc, out, err = index(capfd, path)
    assert_indexed(rc, out, err, 8)
    with open_store(home) as store:
        film = next(f for f in store.films() if f.title == "vfr")
        times = store.frame_times(film.id, store.latest_progress(film.id)["encoder_id"])
    assert times == sorted(times) and all(t >= k - 1e-3 for k, t in enumerate(times))


@pytest.mark.slow
def test_4k_film(home, make_film, capfd):
    path = make_film("uhd.mkv", seconds_per_shot=1, size=(3840, 2160), fps=2, lines=())
    assert (probe(path).width, probe(path).height) == (3840, 2160)
    rc, out, err = index(capfd, path)
    assert_indexed(rc, out, err, 3)


def test_corrupt_packets_mid_stream_are_skipped(home, make_film, capfd):
    path = make_film("damaged.mkv", seconds_per_shot=4, lines=())
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = np.random.default_rng(7).bytes(4000)
    path.write_bytes(bytes(data))
    rc, out, err = index(capfd, path)
    assert (rc, err) == (0, []) and ", complete," in out, err
    assert re.search(r": 1[0-2] frames \(", out), out  # of 12


@pytest.mark.parametrize("name", ["my film.mkv", 'it\'s a "quoted" film.mkv', "Amélie — 映画 ñ.mkv"])
def test_file_names_with_spaces_quotes_and_other_scripts(home, make_film, capfd, name):
    path = make_film(name, seconds_per_shot=1, lines=())
    rc, out, err = index(capfd, path)
    assert_indexed(rc, out, err, 3)
    assert "complete of 0:03, 3 frames" in status(capfd, path)


def test_subtitles_running_on_past_the_picture_are_no_truncation(home, make_film, capfd):
    path = make_film("short.mkv", seconds_per_shot=1, lines=[Line(8.0, "Said after the picture ended.")])
    assert probe(path).duration_s > 9  # 3 s of picture, a line until 9.8 s
    rc, out, err = index(capfd, path)
    assert_indexed(rc, out, err, 3)
