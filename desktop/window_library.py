"""The library in the main window: the library view docked beside the picture, its analysis queue (held
while a film plays), and what its context menu asks of the window: open a film (at a moment), ask about
a film, export a film's summary."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from desktop.layout import dock_beside
from desktop.library_queue import LibraryQueue
from desktop.library_view import LibraryView
from desktop.settings import always_also

START_AFTER_MS = 3_000  # the window and its film start first


class LibraryPanel(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._closed = False
        settings = window.settings
        also = always_also(settings)
        self.queue = LibraryQueue(window.store, settings.vision, settings.fps, parent=self, also=also)
        self.view = LibraryView(window.store, self.queue, spoiler_free=window.chat.spoiler_free.isChecked)
        self.dock = dock_beside(window, self.view, "Library", "libraryDock")
        window.tabifyDockWidget(self.dock, window.chat_dock)  # a tab beside the chat: the picture keeps its room
        window.film_opened.connect(lambda _film: window.chat_dock.raise_())
        self.dock.raise_()  # no film yet: the library first
        self.view.open_requested.connect(self.open_at)
        self.view.ask_requested.connect(self.ask_about)
        self.view.export_requested.connect(self.export)
        window.player.pause_changed.connect(self._on_pause)
        QTimer.singleShot(START_AFTER_MS, self._resume_queue)  # a queue left by the last session goes on

    def open_at(self, path: str, seconds: float | None) -> bool:
        """Open the film (where the viewer left it, or at ``seconds``: a search result)."""
        if not self.window.open_film(path):
            return False
        if seconds is not None:
            self.window.seek_to_moment(float(seconds))
        return True

    def ask_about(self, path: str) -> None:
        """Open the film and put the cursor in the question box."""
        if self.open_at(path, None):
            self.window.chat_dock.show()
            self.window.chat.input.setFocus()

    def export(self, path: str) -> None:
        from desktop.export_dialog import ExportDialog

        ExportDialog(self.window.store, path, self.window).open()

    def _resume_queue(self) -> None:
        if not self._closed:
            self.queue.start_next()

    def _on_pause(self, paused: bool) -> None:
        self.queue.set_held(self.window.film is not None and not paused)

    def shutdown(self) -> None:
        self._closed = True
        self.view.shutdown()
        self.queue.shutdown()
