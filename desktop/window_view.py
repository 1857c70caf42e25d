"""The main window's ways of looking at the picture: fullscreen and screenshots. A mixin of MainWindow."""

from __future__ import annotations

from pathlib import Path


class ViewMixin:
    def toggle_fullscreen(self) -> None:
        self.set_fullscreen(not self.isFullScreen())

    def set_fullscreen(self, on: bool) -> None:
        if on == self.isFullScreen():
            return
        for widget in (self.menuBar(), self.statusBar(), self.chat_dock):
            widget.setVisible(not on)
        self.showFullScreen() if on else self.showNormal()

    def take_screenshot(self) -> None:
        if self.film is None:
            return
        folder = Path(self.qsettings.value("screenshots", str(self.home / "screenshots")))
        try:
            path = self.player.screenshot(folder)
        except Exception as exc:  # mpv refuses when no picture is shown yet
            self.show_problem(f"Could not take a screenshot: {exc}")
            return
        self.statusBar().showMessage(f"Screenshot saved: {path}", 5_000)
