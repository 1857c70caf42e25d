"""The main window's ways of looking at the picture and of taking files: fullscreen, screenshots, and films
or subtitle files dropped on it. A mixin of MainWindow."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from core.store import Film

SUBTITLE_SUFFIXES = {".srt", ".ass", ".ssa", ".vtt", ".sub"}


class _Window(Protocol):
    """What these views need of the main window."""

    qsettings: Any
    home: Path
    player: Any
    chat_dock: Any
    library: Any

    @property
    def film(self) -> Film | None: ...

    def show_problem(self, message: str) -> None: ...

    def set_fullscreen(self, on: bool) -> None: ...

    def open_film(self, path: Path) -> bool: ...

    def add_subtitles(self, path: Path | None = None) -> None: ...

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
        for widget in (self.menuBar(), self.statusBar(), self.chat_dock, self.library.dock):
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

    # drag and drop ----------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self: _Window, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        subtitles = [p for p in paths if p.suffix.lower() in SUBTITLE_SUFFIXES]
        films = [p for p in paths if p.suffix.lower() not in SUBTITLE_SUFFIXES]
        if films:
            self.open_film(films[0])
        for path in subtitles:
            if self.film is not None:
                self.add_subtitles(path)
        event.acceptProposedAction()
