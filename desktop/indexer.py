"""The resident indexer: a QThread that owns the indexing of the open film.

The work itself runs in a worker process (core.index_worker) at the lowest CPU priority, one torch
thread and one decoding thread: in this process it would share Python's lock with the window, and
every import or model load would hold up the drawing of mpv's frames. The thread starts the worker,
tells it where the viewer is (it indexes from there first and follows seeks), turns its JSON lines into
signals, and pauses it (SIGSTOP), resumes it, holds it back for a while when playback drops frames, or
cancels it. Every batch is committed as it is made, so a stop at any moment loses nothing."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Signal

from core.protocol import ALSO_SOURCES, CancelIndexing, Failed, IndexDone, IndexProgress, Playhead
from desktop.worker_process import WorkerProcessThread

PLAYHEAD_STEP_S = 2.0  # tell the worker about the viewer's position when it moved this much


class IndexerThread(WorkerProcessThread):
    progress = Signal(object)  # core.events.Progress
    finished_index = Signal(object)  # core.protocol.IndexDone
    failed = Signal(str)  # one line for the viewer
    log_name = "indexer.log"

    def __init__(
        self,
        movie: Path,
        home: Path | None = None,
        vision: str | None = None,
        fps: float = 1.0,
        parent=None,
        also: tuple[str, ...] = (),
        whole_machine: bool = False,
    ) -> None:
        """``also``: slow dialogue sources to run although the film does not need them (ALSO_SOURCES:
        "asr" recognises speech in a film with subtitles). ``whole_machine``: no film plays while it
        runs (the library's queue, paused while one does): the worker decodes and encodes on every core."""
        super().__init__(home, parent)
        unknown = [name for name in also if name not in ALSO_SOURCES]
        if unknown:
            raise ValueError(f"not a dialogue source the indexer can run: {', '.join(unknown)}")
        self.movie, self.vision, self.fps = Path(movie), vision, fps
        self.also = tuple(dict.fromkeys(also))
        self.whole_machine = whole_machine
        self._playhead: float | None = None
        self._sent_playhead: float | None = None
        self._paused = False
        self._hold: threading.Timer | None = None
        self._hold_lock = threading.Lock()

    def command(self) -> list[str]:
        command = ["-m", "core.index_worker", str(self.movie), "--home", str(self.home), "--fps", str(self.fps)]
        if self.vision:
            command += ["--vision", self.vision]
        if self._playhead is not None:
            command += ["--playhead", f"{self._playhead:.3f}"]
        for name in self.also:
            command += ["--also", name]
        if self.whole_machine:
            command.append("--whole-machine")
        return command

    # control, from the GUI thread -------------------------------------------------------------------
    def set_playhead(self, seconds: float | None) -> None:
        """Where the viewer is: the index covers this part first."""
        self._playhead = seconds
        if seconds is None:
            return
        # Sent even before the worker runs (send() keeps early lines): a viewer who jumps and then pauses
        # while the worker starts gives no later position to send.
        if self._sent_playhead is None or abs(seconds - self._sent_playhead) >= PLAYHEAD_STEP_S:
            if self.send(Playhead(round(seconds, 3))):
                self._sent_playhead = seconds

    def pause(self) -> None:
        self._paused = True
        self.kill_signal("SIGSTOP")

    def resume(self) -> None:
        self._paused = False
        if not self.holding:
            self.kill_signal("SIGCONT")

    @property
    def paused(self) -> bool:
        return self._paused

    def hold(self, seconds: float) -> None:
        """Step aside for ``seconds`` (playback is struggling); indexing goes on by itself after."""
        with self._hold_lock:
            if self._hold is not None:
                self._hold.cancel()
            self._hold = threading.Timer(seconds, self._end_hold)
            self._hold.daemon = True
            self._hold.start()
        self.kill_signal("SIGSTOP")

    @property
    def holding(self) -> bool:
        timer = self._hold
        return timer is not None and timer.is_alive()

    def _end_hold(self) -> None:
        with self._hold_lock:
            self._hold = None
        if not self._paused:
            self.kill_signal("SIGCONT")

    def cancel(self) -> None:
        """Stop after the batch being made (it is kept); the next run continues from there."""
        self._drop_hold()
        self.send(CancelIndexing())
        self.kill_signal("SIGCONT")

    def _drop_hold(self) -> None:
        with self._hold_lock:
            if self._hold is not None:
                self._hold.cancel()
                self._hold = None

    # the worker's events, on this thread ------------------------------------------------------------------
    def started_process(self) -> None:
        if self._paused:
            self.kill_signal("SIGSTOP")

    def stopped_process(self) -> None:
        self._drop_hold()

    def report(self, message) -> bool:
        if isinstance(message, IndexProgress):
            self.progress.emit(message.progress)
        elif isinstance(message, IndexDone):
            self.finished_index.emit(message)
            return True
        elif isinstance(message, Failed):
            self.failed.emit(message.message)
            return True
        return False

    def ended_silently(self, returncode: int, log_path: Path) -> None:
        self.failed.emit(
            f"the indexer stopped unexpectedly (exit code {returncode}); what it stored is kept (details in {log_path})"
        )
