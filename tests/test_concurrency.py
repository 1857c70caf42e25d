"""Several processes on one data folder at once: questions (the command line's and the answering worker's)
and a library rescan while a film is indexed, two indexers of one film, and the answering worker killed in
the middle of an answer. None may fail with "database is locked", store anything twice or half."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core import protocol
from core.protocol import Answered, AnswerToken, Ask, Failed
from tests.test_crash_safety import contents, write_card_film

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "What is in the red room?|What does the green garden hide?|What did the painter say about the stripes?|"
    "Where is the white ball?|What colour is the square?"
).split("|")
# the answering worker, stopping itself (SIGSTOP) inside the transaction that stores a turn asked "[killed]"
HOOKED_ANSWERER = r"""
import contextlib, os, signal, sys
from core.store.connection import Connection
from core.store.viewing import ViewingTables
transaction, add_turn, adding = Connection.transaction, ViewingTables.add_turn, []
def add(self, conversation, turn):
    adding.append("[killed]" in turn.question)
    try: return add_turn(self, conversation, turn)
    finally: adding.pop()
@contextlib.contextmanager
def inside(self):
    with transaction(self) as conn:
        yield conn
        if adding and adding[-1]: os.kill(os.getpid(), signal.SIGSTOP)  # the row is written, not committed
ViewingTables.add_turn, Connection.transaction = add, inside
from core.answer_worker import main
sys.exit(main(sys.argv[1:]))
"""


def cli(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, MOVIEBUDDY_HOME=str(home))
    cmd = [sys.executable, "-m", "core", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def no_lock_error(stderr: str) -> bool:
    return "locked" not in stderr.lower() and "busy" not in stderr.lower()


def db_rows(home: Path, sql: str) -> list:
    with contextlib.closing(sqlite3.connect(home / "moviebuddy.db", timeout=30)) as conn:
        return conn.execute(sql).fetchall()


def frame_count(home: Path) -> int:
    """The frames stored so far (0 while the database is being made)."""
    with contextlib.suppress(sqlite3.OperationalError):
        return db_rows(home, "SELECT count(*) FROM frames")[0][0] if (home / "moviebuddy.db").exists() else 0
    return 0


def wait_for(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"waited {limit} s for {what}"
        time.sleep(0.1)


class Indexing:
    """`moviebuddy index FILM` again and again, each run at another rate (so each writes new frames), until
    stopped: a writer that never rests for long. Stopping interrupts the run going on (Ctrl+C: exit 130)."""

    def __init__(self, film: Path, home: Path) -> None:
        self.film, self.home = film, home
        self.runs: list[tuple[float, float, int, str]] = []  # started, ended, exit code, stderr
        self._stopping, self._proc, self._working = threading.Event(), None, threading.Event()
        self._starting = threading.Lock()  # a run is started, or stopping is decided, never both at once
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        wait_for(lambda: frame_count(home) > 0, "the first frames")

    def _loop(self) -> None:
        env = dict(os.environ, MOVIEBUDDY_HOME=str(self.home))
        for fps in ("2", "3", "1.5", "2.5", "4", "3.5", "5"):
            started, err = time.monotonic(), []
            cmd = [sys.executable, "-m", "core", "index", str(self.film), "--fps", fps]
            with self._starting:
                if self._stopping.is_set():
                    return
                self._working.clear()
                pipes = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
                self._proc = subprocess.Popen(cmd, env=env, **pipes)
            for line in self._proc.stderr:  # its progress lines: it is at work once the first comes
                err.append(line)
                self._working.set()
            self.runs.append((started, time.monotonic(), self._proc.wait(), "".join(err)))

    def stop(self) -> None:
        with self._starting:
            self._stopping.set()
        self._working.wait(timeout=120)  # Ctrl+C before its store is open would be a plain traceback
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
        self._thread.join(timeout=120)
        assert not self._thread.is_alive()

    def check(self) -> None:
        for i, (_, _, code, err) in enumerate(self.runs):
            assert no_lock_error(err), err[-3000:]
            assert code == 0 or (code == 130 and i == len(self.runs) - 1), err[-3000:]

    def running(self, start: float, end: float) -> bool:  # during the time from start to end
        return any(a < end and start < b for a, b, _, _ in self.runs)


def start_answer_worker(home: Path, code: str | None = None) -> subprocess.Popen:
    """The answering worker, started the way the app starts it (desktop.worker_process)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    what = ["-c", code] if code else ["-m", "core.answer_worker"]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True, "bufsize": 1, "env": env}
    with open(home / "answerer.log", "a") as log:  # the process has its own copy
        return subprocess.Popen([sys.executable, *what, "--home", str(home)], stderr=log, **pipes)


def send(worker: subprocess.Popen, *messages) -> None:
    worker.stdin.write("".join(protocol.encode(m) + "\n" for m in messages))
    worker.stdin.flush()


def answered_within(turn_json: dict, until: float) -> bool:
    times = [*turn_json["citations"], *(e["t"] for e in turn_json["evidence"] if e.get("t") is not None)]
    return all(t <= until + 1e-6 for t in times)


def test_fifty_questions_while_a_film_is_indexed(isolated_home, make_film, capsys):
    """25 questions from `moviebuddy ask` (3 at a time) and 25 to one answering worker while `index` writes:
    none fails, none says "database is locked", each asked with --until T cites only times up to T."""
    film = make_film("long.mkv", seconds_per_shot=40)  # 2 minutes
    indexing = Indexing(film, isolated_home)
    (fingerprint,) = db_rows(isolated_home, "SELECT fingerprint FROM films")[0]
    frames_before = frame_count(isolated_home)
    asks = [(QUESTIONS[i % len(QUESTIONS)], float(5 + 4 * i)) for i in range(25)]  # until 0:05 .. 1:41

    worker = start_answer_worker(isolated_home)
    worker_asked = time.monotonic()
    send(worker, *(Ask(i + 1, fingerprint, q, ((0.0, t),), now=t) for i, (q, t) in enumerate(asks)))
    replies: dict[int, tuple[object, float]] = {}

    def read_replies() -> None:
        for line in worker.stdout:
            message = protocol.decode(line)
            if isinstance(message, (Answered, Failed)):
                replies[message.id] = (message, time.monotonic())
                if len(replies) == len(asks):
                    return

    reader = threading.Thread(target=read_replies, daemon=True)
    reader.start()

    def ask(item) -> tuple[subprocess.CompletedProcess, float, float]:
        started = time.monotonic()
        done = cli(isolated_home, "ask", str(film), item[0], "--until", str(item[1]), "--json")
        return done, started, time.monotonic()

    with ThreadPoolExecutor(max_workers=3) as pool:
        by_cli = list(pool.map(ask, asks))
    reader.join(timeout=300)
    frames_after = frame_count(isolated_home)
    indexing.stop()
    worker.stdin.close()
    assert worker.wait(timeout=60) == 0
    indexing.check()

    for (question, until), (done, _, _) in zip(asks, by_cli):
        assert done.returncode == 0 and no_lock_error(done.stderr), done.stderr[-3000:]
        turn = json.loads(done.stdout)
        assert turn["question"] == question and answered_within(turn, until), (until, turn)
    assert sorted(replies) == list(range(1, 26))
    for rid, (message, _) in replies.items():
        assert isinstance(message, Answered), message
        assert answered_within(message.turn.as_json(), asks[rid - 1][1]), (asks[rid - 1], message.turn)
    assert no_lock_error((isolated_home / "answerer.log").read_text())
    assert db_rows(isolated_home, "SELECT count(*) FROM turns") == [(50,)]
    assert db_rows(isolated_home, "PRAGMA integrity_check") == [("ok",)]
    # the index was writing the whole time
    overlapped = sum(indexing.running(a, b) for _, a, b in by_cli)
    overlapped += sum(indexing.running(worker_asked, at) for _, at in replies.values())
    with capsys.disabled():
        print(f"\n{len(indexing.runs)} index runs; {frames_before} -> {frames_after} frames while 50 were asked")
    assert overlapped == 50 and frames_after > frames_before


def test_two_indexers_of_one_film_at_once_store_one_run(tmp_path):
    """Two `moviebuddy index` of one film started together (in a new data folder, so that both also make
    the database): both run to the end (there is no lock: each does all the work; the store keeps each
    frame, line and scene once) and leave exactly what one run leaves."""
    film = write_card_film(tmp_path / "card.mkv")
    assert cli(tmp_path / "reference", "index", str(film), "--fps", "2").returncode == 0
    expected = contents(tmp_path / "reference" / "moviebuddy.db")
    for round_ in range(2):
        env = dict(os.environ, MOVIEBUDDY_HOME=str(tmp_path / f"both{round_}"))
        cmd = [sys.executable, "-m", "core", "index", str(film), "--fps", "2", "--json"]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        procs = [subprocess.Popen(cmd, env=env, **pipes) for _ in "ab"]
        outputs = [p.communicate(timeout=300) for p in procs]
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0 and no_lock_error(err), err[-3000:]
            assert json.loads(out)["complete"]
        got = contents(tmp_path / f"both{round_}" / "moviebuddy.db")  # checks nothing is stored twice
        for key in ("frame times", "lines", "sources", "scenes", "progress", "dialogue progress"):
            assert got[key] == expected[key], (round_, key)


def test_processes_making_a_new_data_folder_at_once_all_succeed(tmp_path):
    """8 processes open each of 10 new data folders at one instant, then record a new encoder at one instant
    (the app's workers and a command starting together). Before migrations and a new encoder took the write
    lock most failed: "table films already exists", "duplicate column name", "UNIQUE ... encoders.id"."""
    code = """import sys, time
from core.store import open_store
at = float(sys.argv[2])
for i in range(10):
    time.sleep(max(0.0, at + 0.5 * i - time.time()))  # together, whenever each process started
    store = open_store(f"{sys.argv[1]}/home{i}")
    time.sleep(max(0.0, at + 0.5 * i + 0.25 - time.time()))
    store.ensure_encoder("an encoder", 4, 2)"""
    cmd = [sys.executable, "-c", code, str(tmp_path), str(time.time() + 2.0)]
    procs = [subprocess.Popen(cmd, stderr=subprocess.PIPE) for _ in range(8)]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e.strip().splitlines()[-1:] for e in errors]
    assert all(db_rows(tmp_path / f"home{i}", "SELECT count(*) FROM encoders") == [(1,)] for i in range(10))


def test_a_library_rescan_while_a_film_is_indexed(isolated_home, make_film, tmp_path):
    """`library add` and repeated `library scan` (each finding every file changed) while `index` writes."""
    folder = tmp_path / "library"
    folder.mkdir()
    make_film("library/Garden (2001).mkv", seconds_per_shot=2)
    make_film("library/Stripes (2002).mkv", seconds_per_shot=3, shots=(((30, 40, 200), "stripes"),))
    (folder / "notes.mkv").write_text("not a film")
    film = make_film("long.mkv", seconds_per_shot=30)
    indexing = Indexing(film, isolated_home)
    spans, results = [], [cli(isolated_home, "library", "add", str(folder))]
    for i in range(4):
        for path in folder.iterdir():
            os.utime(path, (time.time(), time.time() + i + 1))  # changed: looked at again, written again
        started = time.monotonic()
        results.append(cli(isolated_home, "library", "scan"))
        spans.append((started, time.monotonic()))
    indexing.stop()
    indexing.check()
    for done in results:
        assert done.returncode == 0 and no_lock_error(done.stderr), done.stderr[-3000:]
        assert "2 films" in done.stderr and "not a film" in done.stderr, done.stderr
    assert "(3 new, 0 changed" in results[0].stderr and all("(0 new, 3 changed" in d.stderr for d in results[1:])
    assert all(indexing.running(a, b) for a, b in spans)
    assert db_rows(isolated_home, "PRAGMA integrity_check") == [("ok",)]


def replies(worker: subprocess.Popen, until):
    """The worker's messages up to the first for which ``until(message)`` holds."""
    for line in worker.stdout:
        message = protocol.decode(line)
        yield message
        if until(message):
            return
    raise AssertionError("the worker stopped talking")


def test_the_answering_worker_killed_mid_answer_leaves_only_whole_turns(isolated_home, make_film, encoder, capsys):
    """The worker (started as the app starts it) answers a question, then is killed (SIGKILL) while it
    answers the next: right after it was sent, at its first streamed word, inside the transaction storing
    it. Each time the film's conversation holds whole turns only, and a new worker goes on with it."""
    from core.indexing import index_film, run
    from core.store import open_store

    with open_store(isolated_home) as store:
        film = run(index_film(store, make_film(), encoder=encoder)).film
    landed, asked = {}, []
    for moment in ("right after it was sent", "at its first word", "inside the turn's transaction"):
        worker = start_answer_worker(isolated_home, HOOKED_ANSWERER if moment.startswith("inside") else None)
        question = QUESTIONS[len(asked) % len(QUESTIONS)]
        send(worker, Ask(1, film.fingerprint, question))
        assert isinstance(list(replies(worker, lambda m: isinstance(m, (Answered, Failed))))[-1], Answered)
        asked.append(question)
        send(worker, Ask(2, film.fingerprint, f"[killed] {question}"))
        if moment == "at its first word":
            list(replies(worker, lambda m: isinstance(m, AnswerToken)))
        elif moment.startswith("inside"):
            wait_for(lambda pid=worker.pid: os.WIFSTOPPED(os.waitpid(pid, os.WNOHANG | os.WUNTRACED)[1]), "its hook")
        os.kill(worker.pid, signal.SIGSTOP)
        stored = [q for (q,) in db_rows(isolated_home, "SELECT question FROM turns ORDER BY id")]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=60)
        landed[moment] = "stored before the kill" if stored[-1].startswith("[killed]") else "not stored"
        if landed[moment] != "not stored":
            asked.append(stored[-1])
        assert stored == asked and db_rows(isolated_home, "PRAGMA integrity_check") == [("ok",)], moment
    assert landed["inside the turn's transaction"] == "not stored"  # the uncommitted row is gone

    worker = start_answer_worker(isolated_home)
    send(worker, *(Ask(i, film.fingerprint, q) for i, q in ((1, QUESTIONS[0]), (2, QUESTIONS[2]))))
    answers = [m for m in replies(worker, lambda m: isinstance(m, Answered) and m.id == 2) if isinstance(m, Answered)]
    worker.stdin.close()
    assert worker.wait(timeout=60) == 0
    assert [m.id for m in answers] == [1, 2] and db_rows(isolated_home, "SELECT count(*) FROM conversations") == [(1,)]
    with open_store(isolated_home) as store:
        turns = store.film_turns(film.id)  # every stored turn reads back whole
        assert [t.question for t in turns] == [*asked, QUESTIONS[0], QUESTIONS[2]]
        assert all(t.answer and t.window for t in turns)
        assert [t.answer for t in turns[-2:]] == [m.turn.answer for m in answers]
    with capsys.disabled():
        print("\nthe answering worker killed " + "; ".join(f"{m}: {w}" for m, w in landed.items()))
