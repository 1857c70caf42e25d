"""The transport bar under the picture: play/pause, seek bar, time, volume, speed, tracks, fullscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSlider, QStyle, QToolButton, QWidget

from core.timefmt import clock
from desktop.player import SPEEDS, MpvPlayer
from desktop.seekbar import SeekBar


def time_text(position: float, duration: float) -> str:
    return f"{clock(max(0.0, position))} / {clock(max(0.0, duration))}"


class ControlBar(QWidget):
    add_subtitles_wanted = Signal()

    def __init__(self, player: MpvPlayer, parent=None) -> None:
        super().__init__(parent)
        self.player = player
        self.setObjectName("controls")
        style = self.style()
        self._icons = {
            "play": style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
            "pause": style.standardIcon(QStyle.StandardPixmap.SP_MediaPause),
            "sound": style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume),
            "muted": style.standardIcon(QStyle.StandardPixmap.SP_MediaVolumeMuted),
        }
        self.play_button = self._button(self._icons["play"], "Play / pause (Space)", player.toggle_pause)
        self.seekbar = SeekBar()
        self.seekbar.seek_requested.connect(player.seek)
        self.time_label = QLabel(time_text(0, 0))
        self.time_label.setObjectName("time")
        self.time_label.setToolTip("Position / length of the film")
        self.mute_button = self._button(self._icons["sound"], "Mute (m)", player.toggle_mute)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 130)
        self.volume.setValue(100)
        self.volume.setFixedWidth(90)
        self.volume.setToolTip("Volume (9 / 0)")
        self.volume.valueChanged.connect(player.set_volume)
        self.speed_button = QToolButton(text="1×")
        self.speed_button.setToolTip("Playback speed ([ and ])")
        self.speed_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.speed_button.setMenu(self._speed_menu())
        self.tracks_button = QToolButton(text="Tracks")
        self.tracks_button.setToolTip("Audio and subtitle tracks (j cycles subtitles)")
        self.tracks_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.tracks_menu = QMenu(self)
        self.tracks_button.setMenu(self.tracks_menu)
        self.fullscreen_button = QToolButton()
        self.fullscreen_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_TitleBarMaxButton))
        self.fullscreen_button.setAutoRaise(True)
        self.fullscreen_button.setToolTip("Fullscreen (f, or double-click the picture)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        for widget in (
            self.play_button,
            self.seekbar,
            self.time_label,
            self.mute_button,
            self.volume,
            self.speed_button,
            self.tracks_button,
            self.fullscreen_button,
        ):
            layout.addWidget(widget)

        player.time_changed.connect(self._on_time)
        player.duration_changed.connect(self._on_duration)
        player.pause_changed.connect(self._on_pause)
        player.volume_changed.connect(self._on_volume)
        player.mute_changed.connect(lambda muted: self.mute_button.setIcon(self._icons["muted" if muted else "sound"]))
        player.speed_changed.connect(lambda speed: self.speed_button.setText(f"{speed:g}×"))
        player.tracks_changed.connect(self._on_tracks)
        player.watched_changed.connect(self.seekbar.set_watched)

    def _button(self, icon, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _speed_menu(self) -> QMenu:
        menu = QMenu(self)
        for speed in SPEEDS:
            action = menu.addAction(f"{speed:g}×")
            action.triggered.connect(lambda _=False, s=speed: self.player.set_speed(s))
        return menu

    def _on_time(self, seconds: float) -> None:
        self.seekbar.set_position(seconds)
        self.time_label.setText(time_text(seconds, self.seekbar.duration))

    def _on_duration(self, seconds: float) -> None:
        self.seekbar.set_duration(seconds)
        self.time_label.setText(time_text(self.seekbar.position, seconds))

    def _on_pause(self, paused: bool) -> None:
        self.play_button.setIcon(self._icons["play" if paused else "pause"])

    def _on_volume(self, volume: float) -> None:
        self.volume.blockSignals(True)
        self.volume.setValue(int(round(volume)))
        self.volume.blockSignals(False)

    def _on_tracks(self, tracks) -> None:
        self.tracks_menu.clear()
        for kind, title in (("audio", "Audio"), ("sub", "Subtitles")):
            self.tracks_menu.addSection(title)
            group = QActionGroup(self.tracks_menu)
            choices = [(t.id, t.label, t.selected) for t in tracks if t.kind == kind]
            if kind == "sub":
                choices.insert(0, (None, "Off", not any(selected for _, _, selected in choices)))
            for track_id, label, selected in choices:
                action = QAction(label, self.tracks_menu, checkable=True, checked=selected)
                action.triggered.connect(lambda _=False, k=kind, i=track_id: self.player.select_track(k, i))
                group.addAction(action)
                self.tracks_menu.addAction(action)
        self.tracks_menu.addSeparator()
        self.tracks_menu.addAction("Add a subtitle file…", self.add_subtitles_wanted.emit)
