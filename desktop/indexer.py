"""The resident indexer: a QThread that owns the indexing of the open film.

It runs the core's indexing generator on its own thread with its own database connection and model,
at low priority and on one torch thread so that playback keeps the other core; it can be paused,
resumed and cancelled between batches, and reports events through one Signal(object)."""

from __future__ import annotations

import logging
import threading
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
        try:
            with open_store(self.home) as store:
                for event in index_film(store, self.movie, vision=self.vision, fps=self.fps, cancel=self._cancel):
                    if isinstance(event, Progress):
                        self.progress.emit(event)
                    elif isinstance(event, Done):
                        self.finished_index.emit(event)
                    while not self._running.wait(0.2):  # paused: hold between batches
                        if self._cancel.cancelled:
                            break
        except MovieBuddyError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # never let a worker die silently
            log.exception("indexing failed")
            self.failed.emit(f"indexing stopped: {exc}")
