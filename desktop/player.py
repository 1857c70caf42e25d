"""mpv as the film's player, with its events marshalled onto the GUI thread.

mpv calls its observers on its own thread; :class:`MpvPlayer` re-emits them through Qt signals (queued
to the thread that owns the player) and drops repeated values before the hop, so nothing off the GUI
thread ever touches a widget. It also records what is actually watched (core.watched): seeks made
through :meth:`seek` end the current range, and any other jump of the clock is not counted as watching."""

from __future__ import annotations

import locale
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core.watched import WatchTracker


class MpvPlayer(QObject):
    time_changed = Signal(float)
    duration_changed = Signal(float)
    pause_changed = Signal(bool)
    watched_changed = Signal(object)  # list of (start, end)
    _from_mpv = Signal(str, object)  # (property, value), emitted on mpv's thread

    def __init__(self, vo: str = "null", ao: str = "null", parent=None, **options) -> None:
        super().__init__(parent)
        os.environ["LC_NUMERIC"] = "C"  # libmpv refuses to start under a locale with a decimal comma
        locale.setlocale(locale.LC_NUMERIC, "C")
        import mpv

        self._mpv = mpv.MPV(vo=vo, ao=ao, idle=True, pause=True, keep_open="yes", **options)
        self.tracker = WatchTracker()
        self._last: dict[str, object] = {}
        self._paused = True
        self._from_mpv.connect(self._on_property)  # queued: the receiver lives on the GUI thread
        for name in ("time-pos", "duration", "pause"):
            self._mpv.observe_property(name, self._observer)

    def _observer(self, name: str, value) -> None:
        if self._last.get(name, object()) == value:
            return  # drop repeats before the thread hop
        self._last[name] = value
        self._from_mpv.emit(name, value)

    @Slot(str, object)
    def _on_property(self, name: str, value) -> None:
        if name == "time-pos" and value is not None:
            if self.tracker.update(float(value), playing=not self._paused):
                self.watched_changed.emit(list(self.tracker.ranges))
            self.time_changed.emit(float(value))
        elif name == "duration" and value is not None:
            self.duration_changed.emit(float(value))
        elif name == "pause":
            self._paused = bool(value)
            self.tracker.update(None, playing=False)
            self.pause_changed.emit(self._paused)

    def open(self, path: Path, start: float | None = None, watched=()) -> None:
        self.tracker = WatchTracker(watched)
        self._last.clear()
        options = {"start": str(start)} if start else {}
        self._mpv.loadfile(str(path), **options)

    def play(self) -> None:
        self._mpv.pause = False

    def pause(self) -> None:
        self._mpv.pause = True

    def toggle_pause(self) -> None:
        self._mpv.pause = not self._mpv.pause

    def seek(self, seconds: float) -> None:
        self.tracker.seeked()
        self._mpv.seek(max(0.0, seconds), reference="absolute", precision="exact")

    @property
    def position(self) -> float | None:
        return self._mpv.time_pos

    def close(self) -> None:
        if self._mpv is not None:
            self._mpv.terminate()
            self._mpv = None
