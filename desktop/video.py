"""The picture: mpv renders into a QOpenGLWidget through its render API.

Embedding mpv by window id shows black under software OpenGL (Xvfb, Mesa); the render API draws into
Qt's own framebuffer, so it works there and Qt's grab captures the film. mpv asks for a redraw from its
render thread; the request is queued to the GUI thread, which calls ``update()``. Without an OpenGL
player (tests with ``vo=null``) the picture area is a plain dark widget."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QOpenGLContext
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget


class VideoView(QOpenGLWidget):
    """Draws the player's frames; the mpv player must have been made with ``vo="libmpv"``."""

    _frame_ready = Signal()  # emitted on mpv's render thread
    double_clicked = Signal()
    ready = Signal()  # mpv can draw here now: a film may be loaded

    def __init__(self, player, parent=None) -> None:
        super().__init__(parent)
        self.player = player
        self._render: Any = None  # mpv's render context once OpenGL is ready
        self._get_proc_address = None
        self._frame_ready.connect(self.update, Qt.ConnectionType.QueuedConnection)
        self.setMinimumSize(320, 180)
        self.setToolTip("")

    def initializeGL(self) -> None:
        import mpv

        context = QOpenGLContext.currentContext()

        def get_proc_address(_ctx, name):
            return context.getProcAddress(name) or 0

        self._get_proc_address = mpv.MpvGlGetProcAddressFn(get_proc_address)  # kept: mpv holds a pointer
        self._render = mpv.MpvRenderContext(
            self.player.mpv, "opengl", opengl_init_params={"get_proc_address": self._get_proc_address}
        )
        self._render.update_cb = self._frame_ready.emit
        self.ready.emit()

    @property
    def is_ready(self) -> bool:
        """mpv's renderer exists; a film loaded before would fail to open its video output."""
        return self._render is not None

    def paintGL(self) -> None:
        if self._render is None:
            return
        ratio = self.devicePixelRatioF()
        width, height = int(self.width() * ratio), int(self.height() * ratio)
        self._render.render(flip_y=True, opengl_fbo={"w": width, "h": height, "fbo": self.defaultFramebufferObject()})

    def mouseDoubleClickEvent(self, event) -> None:
        self.double_clicked.emit()

    def release(self) -> None:
        """Free mpv's renderer (with this widget's GL context current) before the player goes."""
        if self._render is not None:
            self.makeCurrent()
            self._render.free()  # after this mpv calls no update callback (whose wrapper stays alive)
            self._render = None
            self.doneCurrent()


class BlankView(QWidget):
    """The picture area when mpv has no video output to draw (headless tests)."""

    double_clicked = Signal()
    ready = Signal()
    is_ready = True

    def __init__(self, player=None, parent=None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setMinimumSize(320, 180)
        self.setStyleSheet("background: #000;")

    def mouseDoubleClickEvent(self, event) -> None:
        self.double_clicked.emit()

    def release(self) -> None:
        pass


def make_view(player, parent=None):
    return VideoView(player, parent) if player.vo == "libmpv" else BlankView(player, parent)
