"""The resident indexer: a QThread that owns the indexing of the open film.

The work itself runs in a worker process (core.index_worker) at the lowest CPU priority, one torch
thread and one decoding thread: in this process it would share Python's lock with the window, and
every import or model load would hold up the drawing of mpv's frames. The thread starts the worker,
tells it where the viewer is (it indexes from there first and follows seeks), turns its JSON lines into
signals, and pauses it (SIGSTOP), resumes it, holds it back for a while when playback drops frames, or
cancels it. Every batch is committed as it is made, so a stop at any moment loses nothing."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import Signal

from core.config import default_home
from core.events import Done, Progress
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
PLAYHEAD_STEP_S = 2.0  # tell the worker about the viewer's position when it moved this much
CANCEL_GRACE_S = 30.0


class IndexSummary:
    """What the worker reported at the end (the fields of core.indexing.IndexResult it sends)."""

    def __init__(self, data: dict) -> None:
        self.frames = int(data.get("frames", 0))
        self.added = int(data.get("added", 0))
        self.dialogue_lines = int(data.get("dialogue_lines", 0))
        self.complete = bool(data.get("complete", False))
        self.seconds = float(data.get("seconds", 0.0))


class IndexerThread(TrackedThread):
    progress = Signal(object)  # core.events.Progress
    finished_index = Signal(object)  # core.events.Done with an IndexSummary
    failed = Signal(str)  # one line for the viewer

    def __init__(self, movie: Path, home: Path | None = None, vision: str | None = None, fps: float = 1.0,
                 parent=None) -> None:
        super().__init__(parent)
        self.movie, self.vision, self.fps = Path(movie), vision, fps
        self.home = Path(home) if home else default_home()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._playhead: float | None = None
        self._sent_playhead: float | None = None
        self._paused = False
        self._hold: threading.Timer | None = None
        self._cancelled = False

    # control, from the GUI thread -------------------------------------------------------------------
    def set_playhead(self, seconds: float | None) -> None:
        """Where the viewer is: the index covers this part first."""
        self._playhead = seconds
        if seconds is None or (self._sent_playhead is not None and abs(seconds - self._sent_playhead) < PLAYHEAD_STEP_S):
            return
        if self._send(f"playhead {seconds:.3f}"):
            self._sent_playhead = seconds

    def pause(self) -> None:
        self._paused = True
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._paused = False
        if not self.holding:
            self._signal(signal.SIGCONT)

    @property
    def paused(self) -> bool:
        return self._paused

    def hold(self, seconds: float) -> None:
        """Step aside for ``seconds`` (playback is struggling); indexing goes on by itself after."""
        with self._lock:
            if self._hold is not None:
                self._hold.cancel()
            self._hold = threading.Timer(seconds, self._end_hold)
            self._hold.daemon = True
            self._hold.start()
        self._signal(signal.SIGSTOP)

    @property
    def holding(self) -> bool:
        timer = self._hold
        return timer is not None and timer.is_alive()

    def _end_hold(self) -> None:
        with self._lock:
            self._hold = None
        if not self._paused:
            self._signal(signal.SIGCONT)

    def cancel(self) -> None:
        """Stop after the batch being made (it is kept); the next run continues from there."""
        self._cancelled = True
        with self._lock:
            if self._hold is not None:
                self._hold.cancel()
                self._hold = None
        self._send("cancel")
        self._signal(signal.SIGCONT)

    def _send(self, line: str) -> bool:
        with self._lock:
            proc = self._proc
            if proc is None or proc.poll() is not None or proc.stdin is None:
                return False
            try:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def _signal(self, sig) -> None:
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None:
                try:
                    os.kill(proc.pid, sig)
                except ProcessLookupError:
                    pass

    # the worker, on this thread ---------------------------------------------------------------------
    def _command(self) -> list[str]:
        command = [sys.executable, "-m", "core.index_worker", str(self.movie), "--home", str(self.home),
                   "--fps", str(self.fps)]
        if self.vision:
            command += ["--vision", self.vision]
        if self._playhead is not None:
            command += ["--playhead", f"{self._playhead:.3f}"]
        return command

    def run(self) -> None:
        logs = self.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        reported = False
        try:
            with open(logs / "indexer.log", "a", encoding="utf-8") as log_file:
                proc = subprocess.Popen(self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=log_file, text=True, bufsize=1, env=env)
                with self._lock:
                    self._proc = proc
                if self._cancelled:
                    self._send("cancel")
                if self._paused:
                    self._signal(signal.SIGSTOP)
                for line in proc.stdout:
                    reported |= self._report(line)
                self._wait(proc)
        except OSError as exc:
            self.failed.emit(f"the indexer could not start: {exc}")
            return
        finally:
            with self._lock:
                if self._hold is not None:
                    self._hold.cancel()
                    self._hold = None
        if not reported:
            self.failed.emit(f"the indexer stopped unexpectedly (exit code {proc.returncode}); "
                             f"what it stored is kept (details in {logs / 'indexer.log'})")

    def _wait(self, proc: subprocess.Popen) -> None:
        try:
            proc.wait(timeout=CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with self._lock:
            if proc.stdin is not None:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

    def _report(self, line: str) -> bool:
        """Turns one line of the worker into a signal; True when it was the last word (done or failed)."""
        try:
            data = json.loads(line)
        except ValueError:
            log.warning("indexer said: %s", line.strip())
            return False
        kind = data.get("event")
        if kind == "progress":
            self.progress.emit(Progress(data["stage"], float(data["done"]), float(data["total"]),
                                        message=data.get("message", ""),
                                        covered=tuple(tuple(r) for r in data.get("covered", []))))
        elif kind == "done":
            self.finished_index.emit(Done(IndexSummary(data), complete=bool(data.get("complete"))))
            return True
        elif kind == "failed":
            self.failed.emit(str(data.get("message", "indexing failed")))
            return True
        return False
