"""Cold `moviebuddy ask` from start to printed answer on an indexed film (target: p50 <= 3 s on 2 cores).

    python bench/cli_ask.py [--runs 10] [--film PATH]

Each run is a new process, as when a viewer types the command. The baseline, measured in the same run:
the same command while the ImageNet classifier is not cached beside the index yet, so that it loads
torch and EfficientNet as every question did before (now once per film indexed by an earlier release).
Also part of bench/ask_latency.py's report. Prints a Markdown table."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUESTIONS = [
    "What is the cat's name?",
    "Where does Eileen land?",
    "Who takes her picture?",
    "What does she drink in the morning?",
    "How many coins does Victor pay?",
]


def cold_ask_rows(runs: int = 10, film: Path | None = None) -> list[tuple[str, float, float]]:
    from core.indexing import index_film, run
    from core.sample import ensure_sample
    from core.store import open_store

    home = Path(tempfile.mkdtemp(prefix="cli-ask-"))
    film = film or ensure_sample(home / "sample.mkv")
    with open_store(home) as store:
        run(index_film(store, film))
    env = dict(os.environ, MOVIEBUDDY_HOME=str(home), MOVIEBUDDY_CONFIG=str(home / "settings.json"))

    def ask(question: str) -> float:
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "core", "ask", str(film), question, "--new"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-1000:])
        return time.perf_counter() - t

    now, before = [], []
    for i in range(runs):
        now.append(ask(QUESTIONS[i % len(QUESTIONS)]))
        for cached in (home / "cache").glob("*-classifier.npz"):
            cached.unlink()
        before.append(ask(QUESTIONS[i % len(QUESTIONS)]))  # loads torch and the network, caches again
    return [
        ("moviebuddy ask, classifier cached with the index (this release)", statistics.median(now), max(now)),
        ("baseline: classifier not cached (loads torch + EfficientNet)", statistics.median(before), max(before)),
    ]


def print_rows(rows, runs: int) -> None:
    print(f"cold `moviebuddy ask` on the indexed sample film, start to printed answer, {runs} runs each\n")
    print("| run | p50 s | max s |")
    print("|---|---:|---:|")
    for label, p50, worst in rows:
        print(f"| {label} | {p50:.2f} | {worst:.2f} |")
    print(
        f"\nbaseline / this release: {rows[1][1] / rows[0][1]:.1f}x at p50 (target p50 <= 3 s: "
        f"{'met' if rows[0][1] <= 3 else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--film", type=Path)
    args = parser.parse_args()
    print_rows(cold_ask_rows(args.runs, args.film), args.runs)


if __name__ == "__main__":
    main()
