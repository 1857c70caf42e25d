"""The app's side of the analysis queue (core.library.analysis): one film at a time in the indexing worker
process (lowest priority), the next one when it ends; held while a film plays, so that playback keeps
the machine; a failing film is marked with its reason and the queue goes on. Scans of the library's
folders run on a thread of their own."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.events import CancelToken, Done, Progress
from core.library import analysis
from core.store import Store, open_store
from desktop.indexer import IndexerThread
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)


class LibraryQueue(QObject):
    changed = Signal()  # the queue or a film's status changed: views read the store again
    progress = Signal(str, float)  # the film being analysed, the share of it indexed

    def __init__(
        self, store: Store, vision: str | None = None, fps: float = 1.0, parent=None, also: tuple[str, ...] = ()
    ) -> None:
        super().__init__(parent)
        self.store, self.vision, self.fps = store, vision, fps
        self.also = also  # slow dialogue sources every film's indexing runs too (the settings' speech)
        self.current: str | None = None
        self._thread: IndexerThread | None = None
        self._held = False  # a film is playing
        self._closed = False

    def analyze(self, paths: Sequence[str | Path]) -> list[tuple[str, str]]:
        """Queue films (or folders of films) and start if idle; returns what was skipped and why."""
        _, skipped = analysis.analyze(self.store, paths)
        self.changed.emit()
        self.start_next()
        return skipped

    def start_next(self) -> None:
        if self._closed or self._held or (self._thread is not None and self._thread.isRunning()):
            return
        path = analysis.next_film(self.store)
        self.current = path
        if path is None:
            self.changed.emit()
            return
        self.store.set_queue_state(path, "analysing")
        # paused while a film plays (set_held), so it may take every core while it runs
        thread = IndexerThread(
            Path(path),
            self.store.home,
            vision=self.vision,
            fps=self.fps,
            parent=self,
            also=self.also,
            whole_machine=True,
        )
        thread.progress.connect(self._on_progress)
        thread.finished_index.connect(self._on_done)
        thread.failed.connect(self._on_failed)
        self._thread = thread
        self.changed.emit()
        thread.start()

    def set_held(self, held: bool) -> None:
        """Hold the queue while a film plays (the worker stops where it is; nothing is lost)."""
        if held == self._held:
            return
        self._held = held
        if self._thread is not None and self._thread.isRunning():
            self._thread.pause() if held else self._thread.resume()
        elif not held:
            self.start_next()

    def set_paused(self, paused: bool) -> None:
        """Pause before the next film (the one being analysed finishes its batch and waits again)."""
        analysis.set_paused(self.store, paused)
        if paused and self._thread is not None:
            self._thread.cancel()
        elif not paused:
            self.start_next()
        self.changed.emit()

    def cancel(self, path: str) -> None:
        """Take a film out of the queue (stopping it if it is being analysed; what was indexed is kept)."""
        self.store.set_queue_state(path, "cancelled")
        if path == self.current and self._thread is not None:
            self._thread.cancel()
        self.changed.emit()

    def move(self, path: str, index: int) -> None:
        self.store.move_in_queue(path, index)
        self.changed.emit()

    def shutdown(self) -> None:
        self._closed = True
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.cancel()
            if not thread.wait(3_000):
                thread.kill_signal("SIGTERM")
                thread.wait()

    # the worker's signals ----------------------------------------------------------------------------------
    def _on_progress(self, event: Progress) -> None:
        if self.current is not None:
            self.progress.emit(self.current, event.fraction)

    def _on_done(self, done) -> None:
        path, self.current, self._thread = self.current, None, None
        state = self._state(path) if path is not None else None
        if path is not None and state == "analysing":
            self.store.set_queue_state(path, "done" if done.complete else "queued")  # stopped: waits again
        self.changed.emit()
        self.start_next()  # it waits by itself when the queue is paused or held

    def _on_failed(self, message: str) -> None:
        path, self.current, self._thread = self.current, None, None
        if path is not None:
            self.store.set_queue_state(path, "failed", message)
        self.changed.emit()
        self.start_next()

    def _state(self, path: str) -> str | None:
        return next((i.state for i in self.store.queue_items() if i.path == path), None)


class Scanner(TrackedThread):
    """Scans the library's folders off the GUI thread, with a connection of its own."""

    progress = Signal(str)
    scanned = Signal(object)  # core.library.scan.ScanReport

    def __init__(self, home: Path, folders: list[str] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.home, self.folders = home, folders
        self._cancel = CancelToken()

    def cancel(self) -> None:
        self._cancel.cancel()

    def run(self) -> None:
        from core.library.scan import scan

        try:
            with open_store(self.home) as store:
                for event in scan(store, self.folders, self._cancel):
                    if isinstance(event, Progress):
                        self.progress.emit(event.message)
                    elif isinstance(event, Done):
                        self.scanned.emit(event.result)
        except Exception:  # a scan that fails must not take the app down; the next one tries again
            log.exception("the library scan failed")


class SearchJob(TrackedThread):
    """One library search off the GUI thread (the first one loads the sentence model), with a store
    connection and a searcher that only search jobs use, one at a time."""

    found = Signal(object)  # list of core.library.search.Hit

    def __init__(self, searcher, query: str, spoiler_free: bool, parent=None) -> None:
        super().__init__(parent)
        self.searcher, self.query, self.spoiler_free = searcher, query, spoiler_free

    def run(self) -> None:
        try:
            self.found.emit(self.searcher.search(self.query, limit=20, spoiler_free=self.spoiler_free))
        except Exception:  # shown as no result; the reason is in the log
            log.exception("the library search failed")
            self.found.emit([])


class HitPictures(TrackedThread):
    """Pictures of search results (the frame at each moment), made off the GUI thread; a film that cannot
    be read gives no picture."""

    picture = Signal(int, object)  # the result's row, a QImage

    def __init__(self, hits: list[tuple[int, str, float]], width: int = 96, parent=None) -> None:
        super().__init__(parent)
        self.hits, self.width = hits, width
        self._cancel = CancelToken()

    def cancel(self) -> None:
        self._cancel.cancel()

    def run(self) -> None:
        from PySide6.QtGui import QImage

        from core.errors import MovieBuddyError
        from core.media.probe import probe
        from core.media.thumbnail import thumbnails

        by_film: dict[str, list[tuple[int, float]]] = {}
        for row, path, t in self.hits:
            by_film.setdefault(path, []).append((row, t))
        for path, wanted in by_film.items():  # each film probed once, its pictures taken in one pass
            if self._cancel.cancelled:
                return
            try:
                found = thumbnails(probe(Path(path)), [t for _, t in wanted], self.width)
            except (MovieBuddyError, OSError):
                continue
            for row, t in wanted:
                rgb = found.get(t)
                if rgb is not None and not self._cancel.cancelled:
                    h, w, _ = rgb.shape
                    image = QImage(rgb.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888).copy()
                    self.picture.emit(row, image)
