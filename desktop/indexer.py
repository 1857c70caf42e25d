"""The resident indexer: a QThread that owns the indexing of the open film.

It runs the core's indexing generator on its own thread with its own database connection and model,
at the lowest CPU priority (its decoder threads inherit it) and on one torch thread so that playback
keeps the machine; it indexes from the playhead first, follows the viewer's seeks, can be paused,
resumed and cancelled between batches, and holds back for a while when playback drops frames."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import Signal

from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)


class IndexerThread(TrackedThread):
    progress = Signal(object)  # core.events.Progress
    finished_index = Signal(object)  # core.events.Done
    failed = Signal(str)  # one line for the viewer

    def __init__(self, movie: Path, home: Path | None = None, vision: str | None = None, fps: float = 1.0,
                 parent=None) -> None:
        super().__init__(parent)
        self.movie, self.home, self.vision, self.fps = Path(movie), home, vision, fps
        self._cancel = CancelToken()
        self._running = threading.Event()
        self._running.set()
        self._playhead: float | None = None
        self._hold_until = 0.0

    def set_playhead(self, seconds: float | None) -> None:
        """Where the viewer is: the index covers this part first."""
        self._playhead = seconds

    def hold(self, seconds: float) -> None:
        """Step aside for ``seconds`` (playback is struggling); indexing goes on by itself after."""
        self._hold_until = max(self._hold_until, time.monotonic() + seconds)

    @property
    def holding(self) -> bool:
        return time.monotonic() < self._hold_until

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def cancel(self) -> None:
        self._cancel.cancel()
        self._running.set()

    def run(self) -> None:
        import torch

        from core.indexing import index_film
        from core.store import open_store

        torch.set_num_threads(1)  # the other core plays the film
        lowest_priority()
        try:
            with open_store(self.home) as store:
                for event in index_film(store, self.movie, vision=self.vision, fps=self.fps, cancel=self._cancel,
                                        playhead=lambda: self._playhead):
                    if isinstance(event, Progress):
                        self.progress.emit(event)
                    elif isinstance(event, Done):
                        self.finished_index.emit(event)
                    while (not self._running.wait(0.2) or self.holding) and not self._cancel.cancelled:
                        time.sleep(0.05)  # paused or holding back: wait between batches
        except MovieBuddyError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # never let a worker die silently
            log.exception("indexing failed")
            self.failed.emit(f"indexing stopped: {exc}")


def lowest_priority() -> None:
    """Run the calling thread (and the threads it starts) at the lowest CPU priority the OS allows."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # Linux: per thread
    except (AttributeError, OSError):
        pass
