"""Library scale: scanning a tree of 5,000 entries and searching 50 analysed films.

    python bench/library_scan.py [--entries 5000] [--films 50] [--queries 40]

The tree holds placeholder files named like films (a few bytes each: each is probed once and listed as
"not a film"), folders of extras, and a few real films (copies of the sample-style generated film). The
first scan probes every file; the rescan with nothing changed only lists the folders (target: under 2 s).
Search latency is measured over 50 analysed films written straight into the store (300 dialogue lines
each with moment vectors, 40 scenes with tags), every query through the same LibrarySearch as the app's
search box (target: p95 under 200 ms); the baseline in the same run searches the films one by one with
the question retriever's dialogue scoring (what searching every film with today's per-film code costs)."""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "storm harbour letter captain island treasure lighthouse garden train station doctor church soldier "
    "winter horse bridge river castle mother brother knife money song dance"
).split()
TAGS = ("seashore", "school bus", "tabby cat", "castle", "snowmobile", "sports car", "church", "horse cart")
QUERIES = [
    "the captain talks about the storm",
    "snow",
    "a red car at night",
    "who has the treasure map",
    "a cat",
    "the song at the church",
    "the doctor's letter",
    "a horse by the river",
]


def make_tree(root: Path, entries: int, real_film: Path) -> int:
    """Folders of placeholder "films" with extras; returns how many files were written."""
    written = 0
    for i in range(entries):
        folder = root / f"Shelf {i // 100:02d}" / f"Film {i} ({1950 + i % 70})"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Film.{i}.{1950 + i % 70}.1080p.BluRay.x264-GRP.mkv").write_bytes(b"placeholder %d" % i)
        written += 1
    for k in range(5):
        shutil.copy(real_film, root / "Shelf 00" / f"Real.Film.{k}.2001.mkv")
    return written + 5


def scan_rows(entries: int) -> list[tuple[str, float, str]]:
    from core.events import Done
    from core.library.scan import add_folder, scan
    from core.sample import ensure_sample
    from core.store import open_store

    home = Path(tempfile.mkdtemp(prefix="mb-library-"))
    try:
        film = ensure_sample(home / "sample.mp4")
        written = make_tree(home / "films", entries, Path(film))
        rows = []
        with open_store(home) as store:
            add_folder(store, home / "films")
            for label in ("first scan", "rescan, nothing changed"):
                started = time.perf_counter()
                report = next(e.result for e in scan(store) if isinstance(e, Done))
                seconds = time.perf_counter() - started
                rows.append(
                    (
                        f"{label} ({written:,} files)",
                        seconds,
                        f"{report.films} films, {len(report.skipped):,} not films, {report.unchanged:,} unchanged",
                    )
                )
        return rows
    finally:
        shutil.rmtree(home, ignore_errors=True)


def fill_library(store, films: int, lines_per_film: int = 300, scenes: int = 40) -> None:
    """``films`` analysed films written straight into the store (random moment vectors: the latency of
    search does not depend on what the vectors mean)."""
    import numpy as np

    from core.media.subtitles import DialogueLine, DialogueSource
    from core.spoiler_window import Window
    from core.store.library import LibraryFile
    from core.text_embed import MiniLM
    from tests.testkit.synthetic_index import synthetic_film

    class Shape:  # the stored shape of frames: only two frames per film are written
        id, dim, grid = "bench@1/grid2", 8, 2

    rng = np.random.default_rng(0)
    for f in range(films):
        film = synthetic_film(store, Shape(), 7200.0, [], seed=f, fingerprint=f"v1:bench{f}", frame_step=3600.0)
        texts = [" ".join(rng.choice(WORDS, 8)) for _ in range(lines_per_film)]
        starts = np.sort(rng.uniform(0, 7000, lines_per_film))
        store.replace_dialogue(
            film.id,
            DialogueSource(f"sidecar:{f}.srt", "sidecar", "en"),
            [DialogueLine(float(t), float(t) + 2, x) for t, x in zip(starts, texts)],
        )
        ids = [line.id for line in store.lines_in_window(film.id, Window.whole())]
        vectors = rng.normal(size=(len(ids), MiniLM.dim)).astype(np.float32)
        store.store_line_vectors(MiniLM.id, ids, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        cuts = np.linspace(0, 7200, scenes + 1)
        store.replace_scenes(
            film.id,
            Shape.id,
            [
                {"start": float(a), "end": float(b), "tags": list(rng.choice(TAGS, 2))}
                for a, b in itertools.pairwise(cuts)
            ],
        )
        store.save_library_files(
            [LibraryFile(f"/films/bench{f}.mkv", "/films", 1, 0.0, "film", film.id, f"Film {f}", 2000, 7200.0)]
        )


def search_rows(films: int, queries: int) -> list[tuple[str, float, str]]:
    from core.library.search import LibrarySearch
    from core.retrieval import Retriever
    from core.spoiler_window import Window
    from core.store import open_store
    from core.text_embed import default_embedder

    home = Path(tempfile.mkdtemp(prefix="mb-search-"))
    try:
        with open_store(home) as store:
            fill_library(store, films)
            embedder = default_embedder()
            search = LibrarySearch(store, embedder)
            search.search("warm up")  # the moment vectors are read once and kept
            asked = [QUERIES[k % len(QUERIES)] for k in range(queries)]
            now = timed(lambda q: search.search(q, limit=20), asked)
            retriever = Retriever(store, None, embedder)  # dialogue scoring only: no picture
            per_film = timed(
                lambda q: [
                    retriever._score_lines(f, q, store.lines_in_window(f.id, Window.whole()), Window.whole())
                    for f in store.films()
                ],
                asked[: max(3, queries // 8)],
            )
        return [
            (f"library search, {films} films (p50 / p95)", statistics.median(now), f"p95 {pct(now, 95) * 1000:.0f} ms"),
            (
                f"baseline: per-film dialogue scoring, {films} films",
                statistics.median(per_film),
                f"p95 {pct(per_film, 95) * 1000:.0f} ms; "
                f"{statistics.median(per_film) / statistics.median(now):.1f}x the library search's p50",
            ),
        ]
    finally:
        shutil.rmtree(home, ignore_errors=True)


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - started)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--films", type=int, default=50)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("MOVIEBUDDY_HOME", tempfile.mkdtemp(prefix="mb-home-"))
    rows = scan_rows(args.entries) + search_rows(args.films, args.queries)
    print("| measurement | seconds | notes |\n|---|---:|---|")
    for label, seconds, note in rows:
        print(f"| {label} | {seconds:.3f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
