"""Helpers for the limits benchmark and tests (bench/limits.py, tests/test_limits.py): long generated films
at low resolution, the peak memory of a command, and a store filled with hundreds of analysed films."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from tests.testkit.pictures import picture
from tests.testkit.synthetic_index import WORDS

ROOT = Path(__file__).resolve().parents[2]
COLOURS = ((200, 30, 30), (30, 160, 40), (30, 40, 200), (220, 200, 40), (120, 40, 160), (40, 180, 200))
SHAPES = ("circle", "square", "stripes", "none", "circle", "square")
# Answerable lines planted near the end of a long film: a question about them must reach that far.
FACT = "The ruby necklace is hidden inside the grandfather clock."
FACT_QUESTION = "Where is the ruby necklace hidden?"


def long_film_lines(seconds: float, lines_per_hour: int, fact_at: float | None = None) -> list[tuple[float, str]]:
    """Evenly spaced made-up lines (three words of tests.testkit.synthetic_index.WORDS each, so questions
    find many candidates), with FACT at ``fact_at`` (default: 95% into the film)."""
    step = 3600.0 / lines_per_hour
    fact_at = seconds * 0.95 if fact_at is None else fact_at
    rng = np.random.default_rng(1)
    lines = []
    for k in range(int((seconds - 5) / step)):
        at = 1.0 + k * step
        if abs(at - fact_at) < step / 2:
            lines.append((at, FACT))
            continue
        a, b, c = rng.choice(WORDS, 3, replace=False)
        lines.append((at, f"The {a} went to the {b} because of the {c}."))
    return lines


def write_long_film(
    path: Path,
    hours: float,
    size: tuple[int, int] = (128, 72),
    fps: int = 24,
    lines_per_hour: int = 400,
) -> Path:
    """A film of ``hours`` at ``size`` and ``fps``: six pictures repeated in shots of 40-90 s with a slow
    camera move, H.264 at the writer's quality (very few bits at this size), an embedded subtitle track
    of ``lines_per_hour`` lines an hour and no sound. Written once: an existing ``path`` is kept (10 hours
    at 128x72, 24 fps take about 3 minutes on 2 cores)."""
    from core.media.writer import FilmSpec, Line, Shot, write_film

    path = Path(path)
    if path.exists():
        return path
    seconds = hours * 3600.0
    pictures = [picture(c, s, size, stripe=8) for c, s in zip(COLOURS, SHAPES)]
    shots, total, i = [], 0.0, 0
    while total < seconds - 1e-6:
        length = min(40.0 + (i * 17) % 51, seconds - total)
        shots.append(Shot(pictures[i % len(pictures)], length, (0, 0, 1, 1), (0.1, 0.1, 0.8, 0.8)))
        total, i = total + length, i + 1
    lines = [Line(at, text) for at, text in long_film_lines(seconds, lines_per_hour)]
    return write_film(path, FilmSpec(shots=shots, lines=lines, size=size, fps=fps, speech=False))


# Runs a Python command (``-m module`` or a script) and, as it exits, writes its own peak RSS (VmHWM: the
# high-water mark of its memory since exec) to the file named by MB_PEAK_FILE. The kernel's count for a
# child (wait4, RUSAGE_CHILDREN) cannot be used: it includes the parent's RSS when it forked, so a child
# of a process that loaded torch would seem to use as much.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys
def _peak():
    hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    with open(os.environ["MB_PEAK_FILE"], "w") as out:
        out.write(hwm.split()[1])
atexit.register(_peak)
if sys.argv[1] == "-m":
    sys.argv = sys.argv[2:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_measured(args: list[str], env: dict | None = None, timeout: float = 1800) -> dict:
    """Run a Python command (``[python, "-m", module, ...]`` or ``[python, script, ...]``); returns its
    stdout, stderr, return code, wall seconds, its peak RSS in MB (its own, reported as it exits) and the
    peak RSS it had reached a quarter of the way through its run (sampled from /proc every 0.1 s): close
    to the final peak when memory stays flat."""
    with tempfile.NamedTemporaryFile(prefix="mb-peak-") as peak_file:
        env = {**(env if env is not None else os.environ), "MB_PEAK_FILE": peak_file.name}
        started = time.perf_counter()
        proc = subprocess.Popen(
            [args[0], "-c", _PEAK_WRAPPER, *args[1:]],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        samples: list[tuple[float, float]] = []
        done = threading.Event()

        def sample() -> None:
            status = Path(f"/proc/{proc.pid}/status")
            while not done.wait(0.1):
                try:
                    hwm = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM"))
                    samples.append((time.perf_counter() - started, int(hwm.split()[1]) / 1024))
                except (OSError, StopIteration):
                    return

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        reported = Path(peak_file.name).read_text().strip()
    early = [mb for t, mb in samples if t <= seconds / 4]
    values = [mb for _, mb in samples] + ([int(reported) / 1024] if reported else [])
    peak = max(values, default=0.0)
    return {
        "rc": proc.returncode,
        "stdout": out,
        "stderr": err,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "quarter_rss_mb": max(early) if early else None,
    }


def moviebuddy(home: Path, *args: str) -> list[str]:
    """The ``moviebuddy`` command line with this data folder (for run_measured)."""
    return [sys.executable, "-m", "core", "--home", str(home), *args]


def cli_env(home: Path) -> dict:
    return dict(
        os.environ,
        MOVIEBUDDY_HOME=str(home),
        MOVIEBUDDY_CONFIG=str(home / "settings.json"),
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
    )


class Shape:
    """The stored shape of a filler film's frames (an encoder's id, vector size and grid)."""

    def __init__(self, encoder_id: str, dim: int, grid: int) -> None:
        self.id, self.dim, self.grid = encoder_id, dim, grid


def add_films(
    store,
    count: int,
    shape: Shape,
    *,
    duration_s: float = 7200.0,
    lines: int = 1200,
    frame_step: float = 60.0,
    first: int = 0,
) -> list[int]:
    """``count`` analysed films written straight into the store (no decoding): dialogue of the same words
    as long_film_lines (so every film matches the same questions), random unit moment vectors, frames
    every ``frame_step`` seconds of the given shape, scenes, and a library entry each. Returns their ids."""
    from core.spoiler_window import Window
    from core.store.library import LibraryFile
    from core.text_embed import MiniLM
    from tests.testkit.synthetic_index import dialogue, synthetic_film

    rng = np.random.default_rng(first)
    ids, files = [], []
    for n in range(first, first + count):
        film = synthetic_film(
            store,
            shape,
            duration_s,
            dialogue(lines, duration_s, seed=n),
            seed=n,
            fingerprint=f"v1:filler{n}",
            frame_step=frame_step,
        )
        line_ids = [line.id for line in store.lines_in_window(film.id, Window.whole())]
        vectors = rng.normal(size=(len(line_ids), MiniLM.dim)).astype(np.float32)
        store.store_line_vectors(MiniLM.id, line_ids, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        files.append(
            LibraryFile(f"/films/Filler {n}.mkv", "/films", 1, 0.0, "film", film.id, f"Filler {n}", 1990, duration_s)
        )
        ids.append(film.id)
    store.save_library_files(files)
    return ids


def synthetic_long_index(home: Path, hours: float, fps: float = 1.0, lines_per_hour: int = 400) -> None:
    """What indexing ``hours`` of film at ``fps`` leaves in a store at ``home``, written without decoding:
    random tokens of EfficientNet-Lite0's shape, long_film_lines' dialogue with its moment vectors, and
    the classifier rows cached beside the index. For what questions read on a film too long to index here."""
    from core.dialogue import embed_moments
    from core.encoders.efficientnet import EfficientNetLite0
    from core.store import open_store
    from tests.testkit.synthetic_index import synthetic_film

    encoder = EfficientNetLite0(cache_dir=home / "cache")
    seconds = hours * 3600.0
    with open_store(home) as store:
        film = synthetic_film(
            store,
            encoder,
            seconds,
            long_film_lines(seconds, lines_per_hour),
            fingerprint=f"v1:long{hours:g}h",
            frame_step=1.0 / fps,
        )
        embed_moments(store, film.id)
    encoder.question_queries(FACT_QUESTION)  # caches the classifier rows, as indexing does


def build_library(src_home: Path, home: Path, film: Path, count: int, lines: int, frame_step: float) -> float:
    """A copy of ``src_home`` (``film`` indexed) with ``count - 1`` more films; returns seconds taken."""
    from core import session
    from core.store import open_store
    from core.store.library import LibraryFile

    started = time.perf_counter()
    shutil.copytree(src_home, home)
    with open_store(home) as store:
        info, indexed = session.known_film(store, film)
        progress = store.latest_progress(indexed.id)
        dim, grid = store.encoder_shape(progress["encoder_id"])
        store.save_library_files(
            [
                LibraryFile(
                    str(film), str(film.parent), info.size, 0.0, "film", indexed.id, info.title, None, info.duration_s
                )
            ]
        )
        add_films(store, count - 1, Shape(progress["encoder_id"], dim, grid), lines=lines, frame_step=frame_step)
    return time.perf_counter() - started


def stored_frames(home: Path, columns: str = "t, content, patches, rough") -> list[tuple]:
    """The frames of the database in ``home``, in time order, straight from SQLite."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(home / "moviebuddy.db")) as conn:
        return conn.execute(f"SELECT {columns} FROM frames ORDER BY t").fetchall()
