"""The indexing of the open film: starting and stopping the resident indexer, showing its progress in the
status bar and on the seek bar, and stepping it aside when it makes playback drop frames."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from core.film_state import film_state
from core.media.probe import MediaInfo
from core.store import Film, Store
from desktop.index_status import IndexStatus
from desktop.indexer import IndexerThread
from desktop.playback_guard import PlaybackGuard

STOP_WAIT_MS = 3_000  # closing waits this long for the indexer to finish its batch, then stops it
DROP_CHECK_MS = 2_000


class IndexingController(QObject):
    """Owns the IndexerThread of the open film. ``say(text)`` shows a passing message, ``problem(text)``
    a problem the viewer should see."""

    def __init__(
        self,
        store: Store,
        player,
        seekbar,
        status: IndexStatus,
        say: Callable[[str], None],
        problem: Callable[[str], None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.store, self.player, self.seekbar, self.status = store, player, seekbar, status
        self.say, self.problem = say, problem
        self.indexer: IndexerThread | None = None
        self.guard = PlaybackGuard()  # whether indexing makes playback drop frames
        self.film: Film | None = None
        self.info: MediaInfo | None = None
        self._closed = False
        self._restart: tuple[str | None, float, tuple[str, ...]] | None = None  # vision, fps, also
        status.pause_toggled.connect(self.pause)
        status.cancel_requested.connect(self.stop)
        player.time_changed.connect(self._on_time)
        self._timer = QTimer(self, interval=DROP_CHECK_MS, timeout=self.check_playback)
        self._timer.start()

    def set_film(self, film: Film | None, info: MediaInfo | None) -> None:
        self.film, self.info = film, info
        self.guard.reset()  # mpv's counters start again with the new film

    def start(self, vision: str | None, fps: float, playhead: float | None = None, also: tuple[str, ...] = ()) -> None:
        """Index the open film from ``playhead``; ``also``: slow dialogue sources to run although the film
        does not need them (core.protocol.ALSO_SOURCES). An indexer running without one of them (that it
        would not run anyway) stops after its batch and starts again with them."""
        if self.info is None or self.film is None:
            return
        from core.dialogue.sources import slow_pending
        from desktop.dialogue_work import can_run, left_half_done, runs_anyway

        also = tuple(dict.fromkeys((*also, *left_half_done(self.store, self.film, self.info))))
        running = self.indexer
        if running is not None and running.isRunning():
            missing = [n for n in also if n not in running.also]
            if any(not runs_anyway(self.store, self.film, self.info, n) for n in missing):
                self._restart = (vision, fps, also)  # once this one has stopped (_on_thread_finished)
                running.cancel()
            return
        film, info = self.film, self.info
        extra = any(can_run(self.store, film, info, name) for name in also)
        if film_state(self.store, film).complete and not extra and not slow_pending(self.store, film, info):
            self.show_state()
            return  # nothing left: the picture is indexed and no dialogue source has work left
        indexer = IndexerThread(self.info.path, self.store.home, vision=vision, fps=fps, parent=self, also=also)
        indexer.set_playhead(playhead)
        indexer.progress.connect(self._on_progress)
        indexer.finished_index.connect(self._on_done)
        indexer.failed.connect(self._on_failed)
        indexer.finished.connect(self._on_thread_finished)
        self.indexer = indexer
        self.status.set_running()
        self.status.label.setText("Starting to index…")
        indexer.start()

    def running_also(self) -> tuple[str, ...]:
        """The extra dialogue sources the running indexer runs (or will run once it starts again)."""
        if self._restart is not None:
            return self._restart[2]
        indexer = self.indexer
        return indexer.also if indexer is not None and indexer.isRunning() else ()

    def pause(self, paused: bool) -> None:
        if self.indexer is not None:
            self.indexer.pause() if paused else self.indexer.resume()

    def stop(self, wait: bool = False) -> None:
        self._restart = None
        indexer, self.indexer = self.indexer, None
        if indexer is not None:
            indexer.cancel()
            if wait and not indexer.wait(STOP_WAIT_MS):
                indexer.kill_signal("SIGTERM")  # still loading its models: every batch is committed
                indexer.wait()
        if not self._closed:
            self.show_state()

    def shutdown(self) -> None:
        """The window closes: stop indexing (what was indexed is kept) and show nothing more."""
        self._closed = True
        self._timer.stop()
        self.stop(wait=True)

    def show_state(self) -> None:
        if self.film is None:
            self.status.set_idle("No film open")
            return
        state = film_state(self.store, self.film)
        self.seekbar.set_indexed(list(state.indexed), list(state.indexed_roughly))
        if state.complete:
            self.status.set_idle(state.summary())
        elif not state.indexed_s:
            self.status.set_idle(f"{state.summary()}: Index ▸ Index this film now")
        else:
            self.status.set_idle(
                f"{state.summary()} (stopped)", state.indexed_s / state.duration_s if state.duration_s else 0.0
            )

    def check_playback(self) -> None:
        """Playback has priority: when mpv starts dropping frames, indexing steps aside for a while."""
        if self.film is None or self.player.paused:
            self.guard.reset()
            return
        indexer = self.indexer
        running = indexer is not None and indexer.isRunning() and not indexer.paused and not indexer.holding
        hold = self.guard.observe(time.monotonic(), sum(self.player.dropped_frames), running)
        if hold and indexer is not None and running:
            indexer.hold(hold)
            self.say("Playback is busy: indexing steps aside for a moment")

    # the indexer's signals ----------------------------------------------------------------------------------
    def _current(self) -> bool:
        """Whether a signal comes from the open film's indexer (not a stopped one reporting late)."""
        return self.indexer is not None and self.sender() is self.indexer

    def _on_progress(self, event) -> None:
        if self._current():
            self.status.show_progress(event)
            if event.covered:
                self.seekbar.set_indexed(event.covered, event.rough)

    def _on_done(self, done) -> None:
        if self._current():
            self.show_state()

    def _on_failed(self, message: str) -> None:
        if not self._current():
            return  # a stopped film's indexer: not this film's problem
        self.status.set_idle("Indexing stopped")
        self.problem(f"Indexing stopped: {message}. What was indexed is kept; questions use it.")

    def _on_thread_finished(self) -> None:
        """An indexer's thread ended: when it was stopped to start again with more sources, start."""
        if self._restart is None or not self._current():
            return
        (vision, fps, also), self._restart, self.indexer = self._restart, None, None
        self.start(vision, fps, self.player.position, also)

    def _on_time(self, seconds: float) -> None:
        if self.indexer is not None:
            self.indexer.set_playhead(seconds)
