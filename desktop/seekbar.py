"""The seek bar: where the film is, which parts are indexed and which the viewer has watched.

Three layers on one track: indexed ranges (a thin band under the track, faint where only the rough first
pass has seen the film), watched ranges (the filled
part of the track; the spoiler-free window), and the playhead. Clicking or dragging seeks; hovering shows
the time under the pointer."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from core.coverage import subtract
from core.timefmt import clock

TRACK = QColor("#3a3f4b")
WATCHED = QColor("#7a8599")
INDEXED = QColor("#e0a84f")
INDEXED_ROUGHLY = QColor(224, 168, 79, 90)  # the same amber, faint: only the key frames are indexed there
PLAYHEAD = QColor("#f2f2f2")


class SeekBar(QWidget):
    seek_requested = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.duration = 0.0
        self.position = 0.0
        self.indexed: list[tuple[float, float]] = []
        self.indexed_roughly: list[tuple[float, float]] = []  # the parts of ``indexed`` seen roughly so far
        self.watched: list[tuple[float, float]] = []
        self._dragging = False
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(
            "Seek. The light band shows what you have watched (spoiler-free answers use it); "
            "the amber line under it shows what Movie Buddy has indexed."
        )
        self.setAccessibleName("Seek bar")

    def sizeHint(self) -> QSize:
        return QSize(400, 22)

    # state ----------------------------------------------------------------------------------------
    def set_duration(self, seconds: float) -> None:
        self.duration = max(0.0, float(seconds))
        self.update()

    def set_position(self, seconds: float) -> None:
        if not self._dragging:
            self.position = float(seconds)
            self.update()

    def set_indexed(self, ranges, roughly=()) -> None:
        """The indexed parts, and of those the parts the rough first pass alone has seen (drawn faint)."""
        self.indexed = [(float(a), float(b)) for a, b in ranges]
        self.indexed_roughly = [(float(a), float(b)) for a, b in roughly]
        self.update()

    def set_watched(self, ranges) -> None:
        self.watched = [(float(a), float(b)) for a, b in ranges]
        self.update()

    # geometry -------------------------------------------------------------------------------------
    def _track(self) -> QRectF:
        return QRectF(6, self.height() / 2 - 3, max(1.0, self.width() - 12), 6)

    def x_of(self, seconds: float) -> float:
        track = self._track()
        return track.left() + track.width() * (seconds / self.duration if self.duration else 0.0)

    def time_at(self, x: float) -> float:
        track = self._track()
        fraction = min(1.0, max(0.0, (x - track.left()) / track.width()))
        return fraction * self.duration

    # painting -------------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = self._track()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TRACK)
        painter.drawRoundedRect(track, 3, 3)
        self._ranges(painter, self.watched, WATCHED, track.top(), track.height())
        fully = subtract(self.indexed, self.indexed_roughly)
        self._ranges(painter, self.indexed_roughly, INDEXED_ROUGHLY, track.bottom() + 2, 2)
        self._ranges(painter, fully, INDEXED, track.bottom() + 2, 2)
        if self.duration:
            x = self.x_of(self.position)
            painter.setBrush(PLAYHEAD)
            painter.drawEllipse(QPointF(x, track.center().y()), 6, 6)
        painter.end()

    def _ranges(self, painter, ranges, colour, top, height) -> None:
        if not self.duration:
            return
        painter.setBrush(colour)
        for a, b in ranges:
            left, right = self.x_of(a), self.x_of(min(b, self.duration))
            painter.drawRect(QRectF(left, top, max(1.0, right - left), height))

    # mouse ----------------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.duration:
            self._dragging = True
            self.position = self.time_at(event.position().x())
            self.update()

    def mouseMoveEvent(self, event) -> None:
        if not self.duration:
            return
        t = self.time_at(event.position().x())
        if self._dragging:
            self.position = t
            self.update()
        QToolTip.showText(event.globalPosition().toPoint(), clock(t), self)

    def mouseReleaseEvent(self, event) -> None:
        if self._dragging:
            self._dragging = False
            self.seek_requested.emit(self.time_at(event.position().x()))
