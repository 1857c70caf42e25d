"""The window's menus: File (open, recent, sample, subtitles), Playback, Index (with the film's dialogue
sources: desktop.dialogue_menu), View, Help."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from core import __version__
from desktop.dialogue_menu import DialogueActions
from desktop.keys import shortcuts_html


class RecentMenu(QMenu):
    """The recent films of a desktop.film_session.FilmSession; choosing one calls ``open_film(path)``."""

    def __init__(self, session, open_film, parent=None) -> None:
        super().__init__("Open &recent", parent)
        self.session, self.open_film = session, open_film
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        films = self.session.recent()
        for path in films:
            action = self.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_film(Path(p)))
        if not films:
            self.addAction("No films yet").setEnabled(False)
        else:
            self.addSeparator()
            self.addAction("Clear the list").triggered.connect(self._clear)

    def _clear(self) -> None:
        self.session.clear_recent()
        self.rebuild()


def build_menus(window, player_actions) -> RecentMenu:
    """The window's menu bar; returns the recent-films menu (rebuilt when a film opens)."""
    bar = window.menuBar()
    files = bar.addMenu("&File")
    files.addAction("&Open a film…", QKeySequence.StandardKey.Open, window.choose_film)
    recent_menu = RecentMenu(window.session, window.open_film, window)
    files.addMenu(recent_menu)
    files.addAction("Watch the &sample film", window.open_sample)
    files.addSeparator()
    files.addAction("Add a &subtitle file…", lambda: window.add_subtitles())
    files.addSeparator()
    files.addAction("Se&ttings…", QKeySequence.StandardKey.Preferences, window.edit_settings)
    files.addSeparator()
    files.addAction("&Quit", QKeySequence.StandardKey.Quit, window.close)

    playback = bar.addMenu("&Playback")
    for action in player_actions:
        playback.addAction(action)

    index = bar.addMenu("&Index")
    index.addAction("&Index this film now", lambda: window.start_indexing(window.player.position))
    index.addAction("&Pause / resume indexing", lambda: window.index_status.pause_button.toggle())
    index.addAction("&Stop indexing", window.stop_indexing)
    index.addSeparator()
    window.dialogue_actions = DialogueActions(window, index)

    view = bar.addMenu("&View")
    view.addAction(window.chat_dock.toggleViewAction())
    window.chat_dock.toggleViewAction().setText("&Chat panel")
    library = window.library.dock.toggleViewAction()
    library.setText("&Library")
    library.setShortcut(QKeySequence("Ctrl+L"))
    view.addAction(library)
    view.addAction("&Fullscreen", window.toggle_fullscreen)

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(
        "&Keyboard shortcuts", lambda: QMessageBox.information(window, "Keyboard shortcuts", shortcuts_html())
    )
    help_menu.addAction(
        "&About Movie Buddy",
        lambda: QMessageBox.about(
            window,
            "About Movie Buddy",
            f"<b>Movie Buddy {__version__}</b><p>Plays a film, learns it while you watch and answers questions "
            "about it, citing the moments it rests on, without spoilers.</p>",
        ),
    )
    return recent_menu
