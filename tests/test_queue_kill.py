"""`moviebuddy analyze` killed (SIGKILL) in the middle of its queue: run again, it goes on with the film
it was analysing and the ones after it, and ends with the index of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _analyze(home: Path, folder: Path) -> subprocess.Popen:
    env = dict(os.environ, MOVIEBUDDY_HOME=str(home), PYTHONPATH=str(Path.cwd()))
    return subprocess.Popen(
        [sys.executable, "-m", "core", "analyze", str(folder)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _frames(home: Path) -> dict[str, list[float]]:
    with sqlite3.connect(home / "moviebuddy.db") as db:
        rows = db.execute(
            "SELECT f.title, fr.t FROM frames fr JOIN films f ON f.id = fr.film_id ORDER BY f.title, fr.t"
        )
        found: dict[str, list[float]] = {}
        for title, t in rows:
            found.setdefault(title, []).append(round(t, 3))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = sorted(r[0] for r in db.execute("SELECT state FROM analysis_queue"))
    return {"states": states, **found}  # type: ignore[dict-item]


def test_a_killed_queue_goes_on_where_it_stopped(make_film, tmp_path):
    folder = tmp_path / "films"
    folder.mkdir()
    for name in ("First Film (2001).mkv", "Second Film (2002).mkv", "Third Film (2003).mkv"):
        make_film(name, seconds_per_shot=8).rename(folder / name)
    reference = tmp_path / "reference"
    whole = _analyze(reference, folder)
    assert whole.wait(600) == 0, whole.stderr.read() if whole.stderr else ""
    expected = _frames(reference)
    assert expected["states"] == ["done"] * 3 and len(expected) == 4

    home = tmp_path / "home"
    proc = _analyze(home, folder)
    deadline = time.time() + 600
    landed = None
    while time.time() < deadline and proc.poll() is None:
        if (home / "moviebuddy.db").exists():
            try:
                with sqlite3.connect(home / "moviebuddy.db", timeout=5) as db:
                    done = db.execute("SELECT count(*) FROM analysis_queue WHERE state = 'done'").fetchone()[0]
                    frames = db.execute("SELECT count(*) FROM frames").fetchone()[0]
            except sqlite3.OperationalError:
                done, frames = 0, 0  # the tables are being made
            if done >= 1 and frames > 24:  # the first film is done, the second under way
                landed = (done, frames)
                break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert landed is not None, "the kill should land while the second film is analysed"
    left = _frames(home)
    assert "analysing" in left["states"] or "queued" in left["states"]
    again = _analyze(home, folder)
    assert again.wait(600) == 0, again.stderr.read() if again.stderr else ""
    assert _frames(home) == expected
