"""mpv as the film's player, with its events marshalled onto the GUI thread.

mpv calls its observers on its own thread; :class:`MpvPlayer` re-emits them through one queued signal
and drops repeated values before the hop, so nothing off the GUI thread ever touches a widget. It also
records what is actually watched (core.watched): seeks made through :meth:`seek` end the current
range, and any other jump of the clock is not counted as watching.

``vo="libmpv"`` renders into the window through mpv's render API (desktop.video); tests use
``vo="null"``."""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core.watched import WatchTracker

OBSERVED = (
    "time-pos",
    "duration",
    "pause",
    "volume",
    "mute",
    "speed",
    "track-list",
    "sid",
    "aid",
    "fullscreen",
    "eof-reached",
    "frame-drop-count",
    "vo-delayed-frame-count",
)
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


@dataclass(frozen=True)
class Track:
    """An audio or subtitle track as the viewer picks it from a menu."""

    kind: str  # "audio" | "sub"
    id: int
    label: str
    selected: bool


def tracks_from(track_list) -> list[Track]:
    tracks = []
    for t in track_list or []:
        if t.get("type") not in ("audio", "sub"):
            continue
        parts = [t.get("title"), t.get("lang"), t.get("codec")]
        label = " · ".join(str(p) for p in parts if p) or f"Track {t['id']}"
        if t.get("external"):
            label += " (file)"
        tracks.append(Track(t["type"], int(t["id"]), label, bool(t.get("selected"))))
    return tracks


class MpvPlayer(QObject):
    time_changed = Signal(float)
    duration_changed = Signal(float)
    pause_changed = Signal(bool)
    volume_changed = Signal(float)
    mute_changed = Signal(bool)
    speed_changed = Signal(float)
    tracks_changed = Signal(object)  # list[Track]
    fullscreen_requested = Signal(bool)
    ended = Signal()
    watched_changed = Signal(object)  # list of (start, end)
    failed = Signal(str)
    _from_mpv = Signal(str, object)  # (property, value), emitted on mpv's thread

    def __init__(self, vo: str = "null", ao: str = "null", parent=None, **options) -> None:
        super().__init__(parent)
        os.environ["LC_NUMERIC"] = "C"  # libmpv refuses to start under a locale with a decimal comma
        locale.setlocale(locale.LC_NUMERIC, "C")
        import mpv

        self.vo = vo
        self._mpv = mpv.MPV(
            vo=vo,
            ao=ao,
            idle=True,
            pause=True,
            keep_open="yes",
            osc=False,
            sub_auto="fuzzy",
            input_default_bindings=False,
            input_vo_keyboard=False,
            **options,
        )
        self.tracker = WatchTracker()
        self._last: dict[str, object] = {}
        self._paused = True
        self._pending_seek: float | None = None
        self._from_mpv.connect(self._on_property)  # queued: the receiver lives on the GUI thread
        for name in OBSERVED:
            self._mpv.observe_property(name, self._observer)
        self._mpv.register_event_callback(self._on_event)

    @property
    def mpv(self):
        return self._mpv

    def _observer(self, name: str, value) -> None:
        if self._last.get(name, object()) == value:
            return  # drop repeats before the thread hop
        self._last[name] = value
        self._from_mpv.emit(name, value)

    def _on_event(self, event) -> None:
        if event.event_id.value == 7:  # MPV_EVENT_END_FILE
            reason = getattr(event.data, "reason", None)
            if reason is not None and int(reason) == 4:  # MPV_END_FILE_REASON_ERROR
                self._from_mpv.emit("error", "mpv could not play this file")

    @Slot(str, object)
    def _on_property(self, name: str, value) -> None:
        if self._mpv is None:
            return  # closed while this was queued
        if name == "time-pos" and value is not None:
            if self.tracker.update(float(value), playing=not self._paused):
                self.watched_changed.emit(list(self.tracker.ranges))
            self.time_changed.emit(float(value))
        elif name == "duration" and value is not None:
            self.duration_changed.emit(float(value))
            if self._pending_seek is not None:
                self.seek(self._pending_seek)
        elif name == "pause":
            self._paused = bool(value)
            self.tracker.update(None, playing=False)
            self.pause_changed.emit(self._paused)
        elif name == "volume" and value is not None:
            self.volume_changed.emit(float(value))
        elif name == "mute" and value is not None:
            self.mute_changed.emit(bool(value))
        elif name == "speed" and value is not None:
            self.speed_changed.emit(float(value))
        elif name in ("track-list", "sid", "aid"):
            self.tracks_changed.emit(self.tracks())
        elif name == "fullscreen" and value is not None:
            self.fullscreen_requested.emit(bool(value))
        elif name == "eof-reached" and value:
            self.ended.emit()
        elif name == "error":
            self.failed.emit(str(value))

    # playback -------------------------------------------------------------------------------------
    def open(self, path: Path, start: float | None = None, watched=()) -> None:
        self.tracker = WatchTracker(watched)
        self._last.clear()
        options = {"start": f"{start:.3f}"} if start else {}
        self._mpv.loadfile(str(path), **options)

    def play(self) -> None:
        self._mpv.pause = False

    def pause(self) -> None:
        self._mpv.pause = True

    def toggle_pause(self) -> None:
        self._mpv.pause = not self._mpv.pause

    @property
    def paused(self) -> bool:
        return self._paused

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds``; before the film has loaded, the jump waits for it."""
        self.tracker.seeked()
        try:
            self._mpv.seek(max(0.0, seconds), reference="absolute", precision="exact")
            self._pending_seek = None
        except SystemError:  # mpv has no file loaded yet
            self._pending_seek = max(0.0, seconds)

    def seek_by(self, seconds: float) -> None:
        """Jump ``seconds`` forward or back from where the film is (mpv chains quick presses)."""
        self.tracker.seeked()
        try:
            self._mpv.seek(seconds, reference="relative", precision="exact")
        except SystemError:
            pass  # nothing loaded: nothing to move

    def frame_step(self, forward: bool = True) -> None:
        self._mpv.command("frame-step" if forward else "frame-back-step")

    @property
    def position(self) -> float | None:
        return self._mpv.time_pos

    @property
    def duration(self) -> float | None:
        return self._mpv.duration

    # sound and speed ------------------------------------------------------------------------------
    @property
    def volume(self) -> float:
        return float(self._mpv.volume or 0.0)

    def set_volume(self, volume: float) -> None:
        self._mpv.volume = max(0.0, min(130.0, float(volume)))

    def change_volume(self, step: float) -> None:
        self.set_volume(self.volume + step)

    def toggle_mute(self) -> None:
        self._mpv.mute = not self._mpv.mute

    @property
    def speed(self) -> float:
        return float(self._mpv.speed or 1.0)

    def set_speed(self, speed: float) -> None:
        self._mpv.speed = max(0.25, min(4.0, round(float(speed), 3)))

    # tracks ---------------------------------------------------------------------------------------
    def tracks(self, kind: str | None = None) -> list[Track]:
        found = tracks_from(self._mpv.track_list)
        return [t for t in found if kind is None or t.kind == kind]

    def select_track(self, kind: str, track_id: int | None) -> None:
        """Pick an audio or subtitle track by id (None: subtitles off)."""
        value = "no" if track_id is None else str(track_id)
        if kind == "sub":
            self._mpv.sid = value
        else:
            self._mpv.aid = value

    def cycle_subtitles(self) -> None:
        self._mpv.command("cycle", "sub")

    def cycle_audio(self) -> None:
        self._mpv.command("cycle", "audio")

    def add_subtitles(self, path: Path) -> None:
        self._mpv.command("sub-add", str(path), "select")

    # pictures -------------------------------------------------------------------------------------
    def screenshot(self, folder: Path) -> Path:
        """Save the current frame (with subtitles) as a PNG in ``folder``; returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        position = self.position or 0.0
        path = folder / f"moviebuddy-{int(position // 60):03d}m{position % 60:04.1f}s.png"
        self._mpv.command("screenshot-to-file", str(path), "subtitles")
        return path

    @property
    def dropped_frames(self) -> tuple[int, int]:
        """mpv's (dropped, delayed) frame counters for the film playing."""
        return int(self._mpv.frame_drop_count or 0), int(self._mpv.vo_delayed_frame_count or 0)

    def close(self) -> None:
        if self._mpv is not None:
            self._mpv.terminate()
            self._mpv = None
