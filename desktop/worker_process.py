"""A QThread that owns a worker process speaking core.protocol's messages as JSON lines
(core.index_worker, core.answer_worker).

The heavy work runs in its own process so that it never holds the Python lock the window needs to draw
the film's frames. The thread starts the process, turns each line it prints into a call of
:meth:`report` (which emits signals), and lets the GUI thread send it lines and signals. The process's
log goes to the data folder's ``logs/``."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from core import protocol
from core.config import default_home
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
GRACE_S = 30.0  # how long a worker gets to finish after it was told to stop
MAX_LOG_BYTES = 5 * 1024 * 1024


class WorkerProcessThread(TrackedThread):
    log_name = "worker.log"

    def __init__(self, home: Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self.home = Path(home) if home else default_home()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._early: list[str] = []  # lines sent before the process started

    # to be defined by each worker -----------------------------------------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def report(self, message) -> bool:
        """Handle one message (a core.protocol type); True when it was the worker's last word."""
        raise NotImplementedError

    def ended_silently(self, returncode: int, log_path: Path) -> None:
        """The process ended without its last word (it crashed or was killed)."""

    # from the GUI thread ----------------------------------------------------------------------------------
    def send(self, message) -> bool:
        """Write one core.protocol message to the worker (kept until it starts). False once it has ended."""
        return self._write(protocol.encode(message))

    def _write(self, text: str) -> bool:
        with self._lock:
            proc = self._proc
            if proc is None:
                self._early.append(text)
                return True
            if proc.poll() is not None or proc.stdin is None:
                return False
            try:
                proc.stdin.write(text + "\n")
                proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def kill_signal(self, name: str) -> None:
        """Send the worker a signal by name ("SIGSTOP", "SIGCONT", "SIGTERM"); where the platform has
        no such signal (SIGSTOP on Windows) nothing happens."""
        sig = getattr(signal, name, None)
        if sig is None:
            return
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None:
                try:
                    os.kill(proc.pid, sig)
                except ProcessLookupError:
                    pass

    def close_input(self) -> None:
        """End the worker's input: it finishes what it is doing and exits."""
        with self._lock:
            proc = self._proc
            if proc is None:
                self._early.append("")  # closed before it started
                return
            if proc.stdin is not None and not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
        self.kill_signal("SIGCONT")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # on this thread -----------------------------------------------------------------------------------------
    def run(self) -> None:
        logs = self.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / self.log_name
        if log_path.exists() and log_path.stat().st_size > MAX_LOG_BYTES:
            log_path.replace(log_path.with_suffix(".old.log"))  # keep one older log, never grow without end
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        last_word = False
        try:
            with open(logs / self.log_name, "a", encoding="utf-8") as log_file:
                proc = subprocess.Popen(
                    [sys.executable, *self.command()],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log_file,
                    text=True,
                    bufsize=1,
                    env=env,
                )
                with self._lock:
                    self._proc = proc
                    early, self._early = self._early, []
                for text in early:
                    if text == "":
                        self.close_input()
                    else:
                        self._write(text)
                self.started_process()
                assert proc.stdout is not None  # stdout=PIPE
                for line in proc.stdout:
                    message = protocol.decode(line)
                    if message is None:
                        log.warning("%s said: %s", self.log_name, line.strip())
                        continue
                    last_word = self.report(message) or last_word
                try:
                    proc.wait(timeout=GRACE_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                with self._lock:
                    if proc.stdin is not None and not proc.stdin.closed:
                        try:
                            proc.stdin.close()
                        except OSError:
                            pass
        except OSError as exc:
            self.ended_silently(-1, logs / self.log_name)
            log.error("could not start %s: %s", self.log_name, exc)
            return
        finally:
            self.stopped_process()
        if not last_word:
            self.ended_silently(proc.returncode, logs / self.log_name)

    def started_process(self) -> None:
        """Called on this thread once the process runs."""

    def stopped_process(self) -> None:
        """Called on this thread when the process has ended (or could not start)."""
