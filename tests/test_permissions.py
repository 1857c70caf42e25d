"""Files and folders the viewer may not read or write, and a database from a newer Movie Buddy: one line
each, nothing stored is harmed. The permission cases run the CLI as an unprivileged user (root reads and
writes whatever the modes say), so they need root to switch users and skip elsewhere."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from core.cli import main

NOBODY = 65534


def _as_nobody(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MOVIEBUDDY_HOME=str(home), HOME=str(home), PYTHONPATH=str(Path.cwd()))
    env["MOVIEBUDDY_CONFIG"] = str(home / "settings.json")
    command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable, "-m", "core"]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def nobody():
    """A folder an unprivileged user can reach (pytest's own temporary folders are root's only), with a
    data folder in it; the CLI is run as that user with ``_as_nobody``."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("switching to an unprivileged user needs root and setpriv")
    place = Path(tempfile.mkdtemp(prefix="moviebuddy-nobody-"))
    place.chmod(0o777)
    home = place / "home"
    home.mkdir()
    home.chmod(0o777)
    if _as_nobody(home, "--version").returncode != 0:
        shutil.rmtree(place)
        pytest.skip("an unprivileged user cannot run this checkout's Python")
    yield home
    for path in [place, *place.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o777)
    shutil.rmtree(place)


def _film_for(home: Path, film: Path) -> Path:
    """A copy of ``film`` beside the data folder, readable by everyone."""
    copy = home.parent / film.name
    shutil.copy(film, copy)
    copy.chmod(0o644)
    return copy


def _one_line(done: subprocess.CompletedProcess) -> str:
    """The one error line (progress lines may come before it)."""
    lines = [line for line in done.stderr.splitlines() if line.startswith("moviebuddy: ")]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_a_film_in_a_folder_the_viewer_may_not_read(nobody, make_film):
    locked = nobody.parent / "locked"
    locked.mkdir()
    moved = _film_for(nobody, make_film()).rename(locked / "film.mkv")
    locked.chmod(0o700)  # root's only
    done = _as_nobody(nobody, "index", str(moved))
    assert done.returncode == 3 and "Permission denied" in _one_line(done)
    scanned = _as_nobody(nobody, "analyze", str(locked))
    assert scanned.returncode in (2, 3) and "Traceback" not in scanned.stderr, scanned.stderr


def test_a_subtitle_file_the_viewer_may_not_read(nobody, make_film):
    film = _film_for(nobody, make_film())
    subs = nobody.parent / "secret.srt"
    subs.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello.\n", encoding="utf-8")
    subs.chmod(0o600)
    done = _as_nobody(nobody, "index", str(film), "--subs", str(subs))
    assert done.returncode == 3 and "secret.srt" in _one_line(done)


def test_a_database_the_viewer_may_not_write(nobody, make_film):
    film = _film_for(nobody, make_film())
    assert _as_nobody(nobody, "index", str(film), "--fps", "0.5").returncode == 0
    before = {p.name: p.read_bytes() for p in nobody.iterdir() if p.is_file()}
    for path in nobody.iterdir():
        path.chmod(0o444 if path.is_file() else 0o555)
    nobody.chmod(0o555)
    try:
        done = _as_nobody(nobody, "ask", str(film), "What does the painter say?", "--new")
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert "read-only" in _one_line(done) or "readonly" in _one_line(done)
    finally:
        nobody.chmod(0o777)
    after = {p.name: p.read_bytes() for p in nobody.iterdir() if p.is_file() and p.name in before}
    assert after == before
    with sqlite3.connect(nobody / "moviebuddy.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_database_from_a_newer_movie_buddy_is_left_alone(make_film, isolated_home, capsys):
    film = make_film()
    assert main(["index", str(film), "--fps", "0.5"]) == 0
    with sqlite3.connect(isolated_home / "moviebuddy.db") as db:
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('moviebuddy', '0099_x', 'later')"
        )
    capsys.readouterr()
    assert main(["status", str(film)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "written by a newer Movie Buddy" in err and "0099_x" in err
    with sqlite3.connect(isolated_home / "moviebuddy.db") as db:
        assert db.execute("SELECT count(*) FROM frames").fetchone()[0] == 6


def test_the_app_says_why_it_cannot_open_a_newer_database(make_film, isolated_home):
    film = make_film()
    assert main(["index", str(film), "--fps", "0.5"]) == 0
    with sqlite3.connect(isolated_home / "moviebuddy.db") as db:
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('moviebuddy', '0099_x', 'later')"
        )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path.cwd()))
    done = subprocess.run(
        [sys.executable, "-m", "desktop.launch", str(film)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "moviebuddy: " in done.stderr and "written by a newer Movie Buddy" in done.stderr
