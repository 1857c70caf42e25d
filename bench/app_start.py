"""App start and first answer: `moviebuddy FILM` started as a viewer starts it, timed from the command to
the film's first picture, then a question asked at once, timed to its answer (issue 14: within 2 s and
3 s on this machine).

    python bench/app_start.py [--film FILM] [--rounds 3] [--question "Is there a dog?"]

Each run is a new process under a virtual X display (Xvfb; the real libmpv picture), twice per round: with
a new data folder (the film not indexed yet: the app starts indexing it) and with the film indexed (a
viewer coming back to it). Prints a Markdown table of medians and worst runs."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def start_once(film: Path, home: Path, question: str, picture: Path) -> dict:
    """One start of the app: seconds from the command to the first picture, and from asking to the answer."""
    env = dict(os.environ, MOVIEBUDDY_HOME=str(home), MOVIEBUDDY_CONFIG=str(home / "settings.json"))
    env["QT_QPA_PLATFORM"] = "xcb"
    cmd = [sys.executable, "-m", "desktop.launch", str(film), "--quit-after", "240", "--ask", question]
    started = time.time()
    done = subprocess.run([*cmd, "--screenshot", str(picture)], env=env, cwd=ROOT, capture_output=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"the app failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    report = json.loads(picture.with_suffix(".json").read_text())
    first = report.get("first_picture_at")
    return {
        "picture_s": None if first is None else first - started,
        "answer_s": report.get("first_answer_s"),
        "answer": report.get("answer") or "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--film", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--question", default="Is there a dog?")
    args = parser.parse_args(argv)
    from bench.playback_while_indexing import film_to_play

    film = film_to_play(args.film)
    display = None
    if not os.environ.get("DISPLAY"):
        from pyvirtualdisplay import Display

        display = Display(visible=False, size=(1920, 1080), color_depth=24)
        display.start()
    rows: dict[str, list[dict]] = {"new data folder (film not indexed yet)": [], "film indexed": []}
    try:
        work = Path(tempfile.mkdtemp(prefix="app-start-"))
        for r in range(args.rounds):
            home = work / f"home{r}"
            fresh, indexed = rows.values()
            fresh.append(start_once(film, home, args.question, work / f"fresh{r}.png"))
            env = dict(os.environ, MOVIEBUDDY_HOME=str(home), MOVIEBUDDY_CONFIG=str(home / "settings.json"))
            subprocess.run([sys.executable, "-m", "core", "index", str(film)], env=env, cwd=ROOT, check=True)
            indexed.append(start_once(film, home, args.question, work / f"indexed{r}.png"))
    finally:
        if display is not None:
            display.stop()

    def cell(values) -> str:
        known = [v for v in values if v is not None]
        if not known:
            return "-"
        return f"{statistics.median(known):.2f} (worst {max(known):.2f})"

    print(f"film: {film.name}; question: {args.question!r}; {args.rounds} runs each, this machine\n")
    print("| start | command to first picture s | question to answer s | answer (last run) |")
    print("|---|---:|---:|---|")
    for label, runs in rows.items():
        answer = runs[-1]["answer"].replace("\n", " ").replace("|", "/")[:90]
        picture, answered = cell([x["picture_s"] for x in runs]), cell([x["answer_s"] for x in runs])
        print(f"| {label} | {picture} | {answered} | {answer} |")
    print("\ntargets: first picture within 2 s, first answer within 3 s of asking")
    return 0


if __name__ == "__main__":
    sys.exit(main())
