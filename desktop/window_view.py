"""The main window's ways of looking at the picture: fullscreen and screenshots. A mixin of MainWindow."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from core.store import Film


class _Window(Protocol):
    """What these views need of the main window."""

    qsettings: Any
    home: Path
    player: Any
    chat_dock: Any

    @property
    def film(self) -> Film | None: ...

    def show_problem(self, message: str) -> None: ...

    def set_fullscreen(self: _Window, on: bool) -> None: ...

    def isFullScreen(self) -> bool: ...  # Qt's names

    def showFullScreen(self) -> None: ...

    def showNormal(self) -> None: ...

    def menuBar(self) -> Any: ...

    def statusBar(self) -> Any: ...


class ViewMixin:
    def toggle_fullscreen(self: _Window) -> None:
        self.set_fullscreen(not self.isFullScreen())

    def set_fullscreen(self: _Window, on: bool) -> None:
        if on == self.isFullScreen():
            return
        for widget in (self.menuBar(), self.statusBar(), self.chat_dock):
            widget.setVisible(not on)
        self.showFullScreen() if on else self.showNormal()

    def take_screenshot(self: _Window) -> None:
        if self.film is None:
            return
        folder = Path(self.qsettings.value("screenshots", str(self.home / "screenshots")))
        try:
            path = self.player.screenshot(folder)
        except Exception as exc:  # mpv refuses when no picture is shown yet
            self.show_problem(f"Could not take a screenshot: {exc}")
            return
        self.statusBar().showMessage(f"Screenshot saved: {path}", 5_000)
