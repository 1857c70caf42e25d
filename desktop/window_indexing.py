"""The main window's indexing of the open film: starting and stopping the resident indexer, showing its
progress in the status bar and on the seek bar, and stepping it aside when it makes playback drop frames.
A mixin of MainWindow (it uses the window's store, film, player, controls and status bar)."""

from __future__ import annotations

import time

from core.film_state import film_state
from desktop.indexer import IndexerThread
from desktop.playback_guard import PlaybackGuard

STOP_WAIT_MS = 3_000  # closing waits this long for the indexer to finish its batch, then stops it


class IndexingMixin:
    def init_indexing(self) -> None:
        self.indexer: IndexerThread | None = None
        self.playback_guard = PlaybackGuard()  # whether indexing makes playback drop frames

    def start_indexing(self, playhead: float | None = None) -> None:
        if self.info is None or (self.indexer is not None and self.indexer.isRunning()):
            return
        progress = self.store.latest_progress(self.film.id)
        if progress is not None and progress["complete"]:
            self._show_index_state()
            return
        indexer = IndexerThread(self.info.path, self.home, vision=self.settings.vision, fps=self.settings.fps,
                                parent=self)
        indexer.set_playhead(playhead)
        indexer.progress.connect(self._on_index_progress)
        indexer.finished_index.connect(self._on_index_done)
        indexer.failed.connect(self._on_index_failed)
        self.indexer = indexer
        self.index_status.set_running()
        self.index_status.label.setText("Starting to index…")
        indexer.start()

    def _on_index_progress(self, event) -> None:
        if self.indexer is None or self.sender() is not self.indexer:
            return  # a stopped film's indexer reporting late
        self.index_status.show_progress(event)
        if event.covered:
            self.controls.seekbar.set_indexed(event.covered)

    def _on_index_done(self, done) -> None:
        if self.indexer is None or self.sender() is not self.indexer:
            return
        self._show_index_state()

    def _on_index_failed(self, message: str) -> None:
        self.index_status.set_idle("Indexing stopped")
        self.show_problem(f"Indexing stopped: {message}. What was indexed is kept; questions use it.")

    def _show_index_state(self) -> None:
        if self.film is None:
            self.index_status.set_idle("No film open")
            return
        state = film_state(self.store, self.film)
        self.controls.seekbar.set_indexed(list(state.indexed))
        if state.complete:
            self.index_status.set_idle(state.summary())
        elif not state.indexed_s:
            self.index_status.set_idle(f"{state.summary()}: Index ▸ Index this film now")
        else:
            self.index_status.set_idle(f"{state.summary()} (stopped)",
                                       state.indexed_s / state.duration_s if state.duration_s else 0.0)

    def _on_time(self, seconds: float) -> None:
        if self.indexer is not None:
            self.indexer.set_playhead(seconds)

    def _pause_indexing(self, paused: bool) -> None:
        if self.indexer is not None:
            self.indexer.pause() if paused else self.indexer.resume()

    def stop_indexing(self, wait: bool = False) -> None:
        indexer, self.indexer = self.indexer, None
        if indexer is not None:
            indexer.cancel()
            if wait and not indexer.wait(STOP_WAIT_MS):
                indexer.kill_signal("SIGTERM")  # still loading its models: every batch is committed
                indexer.wait()
        if not self._closed:
            self._show_index_state()

    def _check_playback(self) -> None:
        """Playback has priority: when mpv starts dropping frames, indexing steps aside for a while."""
        if self.film is None or self.player.paused:
            self.playback_guard.reset()
            return
        indexer = self.indexer
        running = indexer is not None and indexer.isRunning() and not indexer.paused and not indexer.holding
        hold = self.playback_guard.observe(time.monotonic(), sum(self.player.dropped_frames), running)
        if hold and running:
            indexer.hold(hold)
            self.statusBar().showMessage("Playback is busy: indexing steps aside for a moment", 5_000)
