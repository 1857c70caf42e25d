"""The indexing part of the status bar: what is indexed, a progress bar, pause/resume and cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from core.events import Progress
from core.timefmt import clock

# the slow dialogue sources, which run once the picture is indexed (core.dialogue.sources)
STAGE_WORDS = {
    "speech": "Recognising speech",
    "image subtitles": "Reading subtitles",
    "screen text": "Reading on-screen text",
    "keyframes": "A first look at the whole film",
}


def progress_text(event: Progress) -> str:
    if event.stage == "dialogue":
        return "Reading the dialogue…" if "reading" in event.message else "Understanding the dialogue…"
    if event.stage == "scenes":
        return "Finding the scenes…"
    words = STAGE_WORDS.get(event.stage)
    if words is not None:
        return f"{words}: {clock(event.done)} of {clock(event.total)}"
    return f"Indexing the picture: {clock(event.done)} of {clock(event.total)}"


class IndexStatus(QWidget):
    pause_toggled = Signal(bool)  # True: pause
    cancel_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel("No film open")
        self.label.setObjectName("indexLabel")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.bar.setToolTip("How much of the film is indexed; questions use what is indexed so far")
        self.pause_button = QToolButton(text="Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause indexing (playback never waits for it)")
        self.pause_button.toggled.connect(self._on_pause)
        self.cancel_button = QToolButton(text="Stop")
        self.cancel_button.setToolTip("Stop indexing this film; it continues from here next time")
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.pause_button, self.cancel_button):
            layout.addWidget(widget)
        self.set_idle("No film open")

    def _on_pause(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_toggled.emit(paused)

    def set_running(self) -> None:
        for widget in (self.bar, self.pause_button, self.cancel_button):
            widget.setVisible(True)
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)

    def show_progress(self, event: Progress) -> None:
        self.bar.setValue(int(event.fraction * 1000))
        text = progress_text(event)
        if self.pause_button.isChecked():
            text += " (paused)"
        self.label.setText(text)

    def set_idle(self, text: str, fraction: float | None = None) -> None:
        self.label.setText(text)
        self.pause_button.setVisible(False)
        self.cancel_button.setVisible(False)
        self.bar.setVisible(fraction is not None)
        if fraction is not None:
            self.bar.setValue(int(fraction * 1000))
