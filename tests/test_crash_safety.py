"""Crash safety: ``moviebuddy index`` killed (SIGKILL) at 20 moments spread over a run, resumed after each
kill, ends with the index of an uninterrupted run: the same frames, lines, vectors and scenes, nothing
twice, a sound database file, progress complete.

Each kill first stops the process (SIGSTOP) and reads what the database holds while it cannot change, so
the stage a kill landed in is read from the database, never guessed from the time. The moments: stages
seen by polling the database, points in the code where the process stops itself (inside a transaction,
between two writes: too short to hit from outside), and fixed fractions of an uninterrupted run's time."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, namedtuple
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from core.media.writer import FilmSpec, Line, Shot, write_film
from core.sample import title_card
from tests.conftest import picture

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SHOT_S, FPS = 6.0, 2
DURATION, FRAMES = 4 * SHOT_S, int(4 * SHOT_S * FPS)  # 4 shots
SCREEN = "screen_text:ocr"
# `python -m core` with hooks: at the point named by $CRASH_AT the process stops itself (SIGSTOP) and the
# test kills it there. ``caller``: only calls from this function; ``nth``: the nth such call of the run.
HOOKED = r"""
import os, signal, sys
from core import indexing
from core.cli import main
from core.store import dialogue, films, frames

at = os.environ.get("CRASH_AT")

def hook(owner, name, after=False, caller=None, nth=1):
    original, calls = getattr(owner, name), []
    def hooked(*args, **kwargs):
        calls.append(caller is None or sys._getframe(1).f_code.co_name == caller)
        stop = calls[-1] and sum(calls) == nth
        if stop and not after:
            os.kill(os.getpid(), signal.SIGSTOP)
        result = original(*args, **kwargs)
        if stop and after:
            os.kill(os.getpid(), signal.SIGSTOP)
        return result
    setattr(owner, name, hooked)

HOOKS = {  # _record_progress and _choose_used run inside the transactions of add_frames, append_dialogue
    "inside a frames transaction": (films.FilmTables, "_record_progress", True, "add_frames"),
    "deriving scenes": (indexing, "derive_scenes"),
    "scenes stored, not marked complete": (frames.FrameTables, "replace_scenes", True),
    "inside an on-screen text transaction": (dialogue, "_choose_used", True, "append_dialogue"),
    "embedding on-screen text": (indexing, "embed_moments", False, None, 2),  # 1st: the subtitles
}
if at:
    hook(*HOOKS[at])
sys.exit(main(sys.argv[1:]))
"""


def write_card_film(path: Path) -> Path:
    """24 s at 320x180: a red room, a title card "Two Days Later" (on-screen text), a garden, stripes;
    three subtitled lines."""
    size = (320, 180)
    shots = [
        Shot(picture((200, 30, 30), "circle", size), SHOT_S),
        Shot(title_card("Two Days Later", "", size), SHOT_S),
        Shot(picture((30, 160, 40), "square", size), SHOT_S),
        Shot(picture((30, 40, 200), "stripes", size), SHOT_S),
    ]
    lines = [Line(0.5, "The red room has a white ball."), Line(12.5, "The green garden hides a box.")]
    lines.append(Line(18.5, "Blue stripes everywhere, said the painter."))
    return write_film(path, FilmSpec(shots, lines, size=size, speech=False))


STATE = f"""SELECT (SELECT count(*) FROM films),
    (SELECT count(*) FROM dialogue_sources WHERE kind != 'screen_text'), (SELECT count(*) FROM dialogue),
    (SELECT count(*) FROM dialogue_vectors), (SELECT count(*) FROM frames),
    coalesce((SELECT covered = '[[-1.0, {DURATION}]]' FROM index_progress), 0),
    coalesce((SELECT complete FROM index_progress), 0), (SELECT count(*) FROM scenes),
    (SELECT max(done_s) FROM dialogue_progress WHERE source = '{SCREEN}')"""


@dataclass(frozen=True)
class State:
    """What the database holds (committed), in terms of the indexer's stages."""

    films: int = 0
    sources: int = 0
    lines: int = 0
    vectors: int = 0
    frames: int = 0
    covered_all: bool = False
    complete: bool = False
    scenes: int = 0
    screen_done: float | None = None

    @property
    def stage(self) -> str:
        if not self.films:
            return "store made, no film yet"
        if not self.sources:
            return "reading dialogue"
        if not self.complete:
            if self.frames == 0 and self.vectors < self.lines:
                return "embedding dialogue"
            return "frames" if self.frames < FRAMES or not self.covered_all else "scenes"
        if self.screen_done is None or self.screen_done < DURATION:
            return "on-screen text"
        return "embedding on-screen text" if self.vectors < self.lines else "finished"


LOCKED = State(films=-1)  # a marker: the store could not be read, a run held it locked


def read_state(db: Path, when_locked: State = State()) -> State | None:
    """The committed state, read in one statement (one snapshot); None while there is no database file.
    ``when_locked``: what to say when the store cannot be read because a run holds it locked (SQLite's
    last checkpoint, as a run closes its store, locks readers out)."""
    if not db.exists() or not db.stat().st_size:
        return None
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=2)) as conn:
        try:
            return State(*conn.execute(STATE).fetchone())
        except sqlite3.OperationalError as exc:  # no tables yet, the file is being made, or it is locked
            return when_locked if "locked" in str(exc) else State()


def stage_of(state: State | None) -> str:
    return "before the first commit" if state is None else state.stage


Kill = namedtuple("Kill", "moment home after_s stage frames")


class Runs:
    """Index runs of one film, each killed at a moment or run to its end, in one data folder at a time."""

    def __init__(self, film: Path, root: Path, duration: float) -> None:
        self.film, self.root, self.duration, self.homes, self.runs = film, root, duration, 0, 0
        self.kills: list[Kill] = []
        self.new_home()

    def new_home(self) -> None:
        self.homes += 1
        self.home = self.root / f"home{self.homes}"
        self.home.mkdir(parents=True)
        self.db = self.home / "moviebuddy.db"

    def cmd(self, hooked: bool) -> list[str]:
        return [sys.executable, *(["-c", HOOKED] if hooked else ["-m", "core"]), "index", str(self.film), "--fps", "2"]

    def finish(self) -> None:
        env = dict(os.environ, MOVIEBUDDY_HOME=str(self.home))
        done = subprocess.run(self.cmd(False), env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]

    def kill_at(self, moment: str, *, after_s: float | None = None, when=None, hook: str | None = None) -> bool:
        """Start a run and kill it at the moment: ``after_s`` seconds after it started, once ``when(state)``
        holds, or where the hook stops it. False when the run ended first (nothing was killed)."""
        fresh, self.runs = not self.db.exists(), self.runs + 1
        env = dict(os.environ, MOVIEBUDDY_HOME=str(self.home), CRASH_AT=hook or "")
        log_path = self.root / f"run{self.runs}.log"
        with open(log_path, "w") as log:
            started = time.monotonic()
            proc = subprocess.Popen(self.cmd(hook is not None), env=env, stdout=subprocess.DEVNULL, stderr=log)
            try:
                status = self._stop(proc, started, after_s, when)
                if not os.WIFSTOPPED(status):  # it ended before its moment
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    assert proc.returncode == 0, (moment, log_path.read_text()[-3000:])
                    if fresh:
                        self.duration = time.monotonic() - started  # an uninterrupted run: the new measure
                    return False
                elapsed = time.monotonic() - started
                # the process is stopped: this is what it leaves when killed
                state = read_state(self.db, when_locked=LOCKED)
                fds = f"/proc/{proc.pid}/fd"
                opened = any(os.path.realpath(f"{fds}/{fd}") == os.path.realpath(self.db) for fd in os.listdir(fds))
                os.kill(proc.pid, signal.SIGKILL)
                proc.returncode = os.waitstatus_to_exitcode(os.waitpid(proc.pid, 0)[1])
            finally:
                if proc.returncode is None:
                    proc.kill()
                    proc.wait()
        assert proc.returncode == -signal.SIGKILL
        if state == LOCKED:  # stopped while closing its store: what it committed is what the kill leaves
            state = read_state(self.db)
        assert read_state(self.db) == state, f"{moment}: the kill changed what was committed"
        if self.db.exists():
            assert integrity(self.db) == "ok", moment
        if opened or state is None:
            stage = stage_of(state)
        elif "Indexing" in log_path.read_text():  # it printed progress: it had the store open, and closed it
            stage = "exiting (store closed)"
        else:
            stage = "starting (store not opened yet)"
        self.kills.append(Kill(moment, self.home.name, round(elapsed, 2), stage, state.frames if state else 0))
        return True

    def _stop(self, proc, started: float, after_s, when) -> int:
        """Wait for the moment and stop the process there; its wait status (stopped, or ended first)."""
        while time.monotonic() < started + 120:
            pid, status = os.waitpid(proc.pid, os.WNOHANG | os.WUNTRACED)
            if pid:
                return status  # stopped by its hook, or ended
            due = after_s is not None and time.monotonic() - started >= after_s
            if due or (when is not None and when(read_state(self.db))):
                os.kill(proc.pid, signal.SIGSTOP)
                return os.waitpid(proc.pid, os.WUNTRACED)[1]
            time.sleep(0.005)
        raise AssertionError("the run neither reached its moment nor ended in 120 s")


def integrity(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def contents(db: Path) -> dict:
    """What an index run leaves, comparable, after checking the file and that nothing is stored twice."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not conn.execute("PRAGMA foreign_key_check").fetchall()
        conn.execute("INSERT INTO dialogue_fts(dialogue_fts) VALUES ('integrity-check')")  # the text index too
        q = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
        assert q("SELECT count(*), count(DISTINCT film_id || encoder_id || t) FROM frames") == [(FRAMES, FRAMES)]
        lines = q('SELECT source, start, "end", text FROM dialogue ORDER BY source, start, id')
        assert len(lines) == len(set(lines)), f"a dialogue line is stored twice: {lines}"
        vectors = q(
            """SELECT d.source, d.start, d.text, v.vector FROM dialogue d JOIN dialogue_vectors v
               ON v.dialogue_id = d.id ORDER BY d.source, d.start, d.id"""
        )
        assert len(vectors) == len(lines), "every line has one vector"
        frames = q("SELECT t, content FROM frames ORDER BY t")
        return {
            "films": q("SELECT fingerprint, duration_s FROM films"),
            "frame times": [t for t, _ in frames],
            "frame tokens": np.stack([np.frombuffer(c, "<f2").astype(np.float32) for _, c in frames]),
            "lines": lines,
            "vectors": {(s, start, text): np.frombuffer(v, "<f2").astype(np.float32) for s, start, text, v in vectors},
            "sources": q("SELECT source, kind, lines, used FROM dialogue_sources ORDER BY source"),
            "scenes": q('SELECT start, "end", tags FROM scenes ORDER BY start'),
            "progress": q("SELECT fps, indexed_until_s, covered, complete FROM index_progress"),
            "dialogue progress": q("SELECT source, done_s FROM dialogue_progress ORDER BY source"),
        }


def assert_same(got: dict, expected: dict, where: str) -> None:
    for key in expected:
        if key == "frame tokens":
            assert np.allclose(got[key], expected[key], atol=2e-2), f"{where}: frame tokens differ"
        elif key == "vectors":
            assert got[key].keys() == expected[key].keys(), where
            assert all(np.allclose(got[key][k], v, atol=2e-3) for k, v in expected[key].items()), where
        else:
            assert got[key] == expected[key], f"{where}: {key} differ"


def test_index_killed_at_20_moments_ends_like_an_uninterrupted_run(tmp_path, capsys):
    film = write_card_film(tmp_path / "card.mkv")
    env = dict(os.environ, MOVIEBUDDY_HOME=str(tmp_path / "reference"))
    started = time.monotonic()
    cmd = [sys.executable, "-m", "core", "index", str(film), "--fps", "2"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = Runs(film, tmp_path / "runs", time.monotonic() - started)
    expected = contents(tmp_path / "reference" / "moviebuddy.db")
    assert expected["progress"][0][-1] == 1 and (SCREEN, DURATION) in expected["dialogue progress"]
    assert any(text == "Two Days Later" for *_, text in expected["lines"])  # the on-screen text stage ran

    # stages in order, in one data folder: each run resumes what the kill before left
    assert runs.kill_at("poll: dialogue stored", when=lambda s: s is not None and s.lines > 0)
    assert runs.kill_at("poll: frames, a batch stored", when=lambda s: s is not None and s.frames > 0)
    for hook in ("inside a frames transaction", "deriving scenes", "scenes stored, not marked complete"):
        assert runs.kill_at(f"hook: {hook}", hook=hook)
    assert runs.kill_at("poll: index marked complete", when=lambda s: s is not None and s.complete)
    for hook in ("inside an on-screen text transaction", "embedding on-screen text"):
        assert runs.kill_at(f"hook: {hook}", hook=hook)
    runs.finish()
    assert_same(contents(runs.db), expected, runs.home.name)
    hooked = {k.moment: k.stage for k in runs.kills if k.moment.startswith("hook")}
    assert hooked == {
        "hook: inside a frames transaction": "frames",
        "hook: deriving scenes": "scenes",
        "hook: scenes stored, not marked complete": "scenes",
        "hook: inside an on-screen text transaction": "on-screen text",
        "hook: embedding on-screen text": "embedding on-screen text",
    }

    # fixed fractions of an uninterrupted run, each run resuming the one before; a run that ends before its
    # moment is checked, and the moment tried again from scratch in a new data folder
    runs.new_home()
    for fraction in (0.1, 0.3, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        for _ in range(3):
            if runs.kill_at(f"time: {fraction:.2f} x {runs.duration:.1f} s", after_s=fraction * runs.duration):
                break
            assert_same(contents(runs.db), expected, runs.home.name)
            runs.new_home()
        else:
            raise AssertionError(f"no run lasted {fraction} of an uninterrupted one")
    runs.finish()
    assert_same(contents(runs.db), expected, runs.home.name)

    landed = Counter(k.stage for k in runs.kills)
    with capsys.disabled():
        print(f"\n{len(runs.kills)} kills in {runs.homes} data folders; an uninterrupted run: {runs.duration:.1f} s")
        for k in runs.kills:
            print(f"  {k.home:>6} {k.moment:<45} killed after {k.after_s:5.2f} s: {k.stage} ({k.frames} frames)")
        print("  landed: " + ", ".join(f"{stage} {n}" for stage, n in landed.items()))
    assert len(runs.kills) == 20
    assert {"before the first commit", "embedding dialogue", "frames", "scenes", "on-screen text"} <= set(landed)
