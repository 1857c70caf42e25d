"""The main window: the picture with its transport bar, the chat panel docked beside it, indexing in the
status bar. It lays these out and connects them; the open film's session (desktop.film_session), its
indexing (desktop.indexing_controller) and the resident answerer (desktop.answers) do the work. It holds
a GUI-thread database connection for the small things (where the viewer is, what they watched, history)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QStackedWidget

from core.config import load_settings, save_settings
from core.errors import MovieBuddyError
from core.media.probe import MediaInfo
from core.spoiler_window import Window
from core.store import Film, Store, open_store
from core.timefmt import clock
from desktop.answers import AnswerService
from desktop.chat import ChatPanel
from desktop.controls import ControlBar
from desktop.empty_state import empty_page
from desktop.film_session import FilmSession
from desktop.index_status import IndexStatus
from desktop.indexing_controller import IndexingController
from desktop.keys import install_player_keys
from desktop.layout import dock_beside, pages, problem_bar
from desktop.player import MpvPlayer
from desktop.settings import always_also
from desktop.video import make_view
from desktop.window_library import LibraryPanel
from desktop.window_view import ViewMixin

log = logging.getLogger(__name__)
FILM_FILTER = "Films (*.mkv *.mp4 *.m4v *.mov *.avi *.webm *.ts *.mpg *.mpeg *.wmv *.flv *.ogv);;All files (*)"
SAVE_EVERY_MS = 5_000


class MainWindow(ViewMixin, QMainWindow):
    film_opened = Signal(object)  # core.store.Film

    def __init__(
        self,
        home: Path | None = None,
        vo: str = "libmpv",
        ao: str = "auto",
        qsettings=None,
        index_automatically: bool = True,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Movie Buddy")
        self.setAcceptDrops(True)
        self.resize(1280, 760)
        self.qsettings = qsettings or QSettings("MovieBuddy", "Movie Buddy")
        self.settings = load_settings()
        self.store: Store = open_store(home)
        self.home = self.store.home
        self.index_automatically = index_automatically
        self.session = FilmSession(self.store, self.qsettings)
        self._closed = False
        self._pending_load: Callable[[], None] | None = None  # the film to load once the picture can show it

        self.player = MpvPlayer(vo=vo, ao=ao, parent=self, hwdec="no")
        self.video = make_view(self.player)
        self.controls = ControlBar(self.player)
        self.controls.fullscreen_button.clicked.connect(self.toggle_fullscreen)
        self.controls.add_subtitles_wanted.connect(self.add_subtitles)
        self.video.double_clicked.connect(self.toggle_fullscreen)
        self.player.fullscreen_requested.connect(self.set_fullscreen)
        self.player.failed.connect(self.show_problem)
        self.player.watched_changed.connect(self._on_watched)
        self.player.volume_changed.connect(lambda v: self.qsettings.setValue("volume", v))

        self.stack = QStackedWidget()
        empty, self.empty_progress = empty_page(self.choose_film, lambda: self.open_sample())
        self.problem = problem_bar()
        self.setCentralWidget(pages(self.problem, self.stack, empty, self.video, self.controls))
        self.chat = ChatPanel()
        self.chat_dock = dock_beside(self, self.chat, "Ask about the film", "chatDock")
        self.chat.spoiler_free.setChecked(bool(self.qsettings.value("spoiler_free", True, type=bool)))
        self.chat.question_asked.connect(self.ask)
        self.chat.recap_wanted.connect(self.recap)
        self.chat.seek_requested.connect(self.seek_to_moment)
        self.chat.spoiler_free_changed.connect(lambda on: self.qsettings.setValue("spoiler_free", on))

        self.index_status = IndexStatus()
        self.statusBar().addPermanentWidget(self.index_status)
        self.indexing = IndexingController(
            self.store,
            self.player,
            self.controls.seekbar,
            self.index_status,
            lambda text: self.statusBar().showMessage(text, 5_000),
            self.show_problem,
            parent=self,
        )

        self.answers = AnswerService(self.home, llm=self.settings.llm, parent=self)
        self.answers.token.connect(self.chat.add_token)
        self.answers.answered.connect(self.chat.finish)
        self.answers.thumbnails.connect(self.chat.add_thumbnails)
        self.answers.failed.connect(self.chat.fail)
        self.chat.stop_wanted.connect(self.answers.stop_answer)
        self.answers.start()
        self.library = LibraryPanel(self)

        from desktop.menus import build_menus

        self.player_key_actions = install_player_keys(self)
        self.recent_menu = build_menus(self, self.player_key_actions)
        self._restore_ui()
        volume = self.qsettings.value("volume", 100.0, type=float)
        self.player.set_volume(volume if isinstance(volume, (int, float)) else 100.0)

        self._save_timer = QTimer(self, interval=SAVE_EVERY_MS, timeout=self.save_viewing)
        self._save_timer.start()

    # the open film ----------------------------------------------------------------------------------
    @property
    def film(self) -> Film | None:
        return self.session.film

    @property
    def info(self) -> MediaInfo | None:
        return self.session.info

    @property
    def indexer(self):
        """The open film's IndexerThread while it runs."""
        return self.indexing.indexer

    def start_indexing(self, playhead: float | None = None, also: tuple[str, ...] = ()) -> None:
        """``also``: slow dialogue sources to run too (Index ▸ Recognise Speech), besides the settings'."""
        self.indexing.start(self.settings.vision, self.settings.fps, playhead, (*also, *always_also(self.settings)))

    def stop_indexing(self, wait: bool = False) -> None:
        self.indexing.stop(wait)

    # opening films --------------------------------------------------------------------------------
    def choose_film(self) -> None:
        start = str(self.qsettings.value("last_folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open a film", start, FILM_FILTER)
        if path:
            self.open_film(Path(path))

    def open_sample(self) -> None:
        from desktop.sample import SampleMaker

        self.empty_progress.setText("Making the sample film…")
        self.stack.setCurrentIndex(0)
        maker = SampleMaker(self.home, parent=self)
        maker.progress.connect(lambda f: self.empty_progress.setText(f"Making the sample film… {f:.0%}"))
        maker.made.connect(self.open_film)
        maker.failed.connect(self.show_problem)
        self._sample_maker = maker  # kept (not deleteLater'd) so that closing can wait for it
        maker.start()

    def open_film(self, path: Path) -> bool:
        """Play ``path`` from where the viewer left it, and index it in the background."""
        self.close_film()
        try:
            opened = self.session.open(Path(path))
        except MovieBuddyError as exc:
            self.show_problem(str(exc))
            return False
        self.problem.hide()
        self.indexing.set_film(opened.film, opened.info)
        self.stack.setCurrentIndex(1)
        self._play(opened.info.path, opened.resume_at, opened.watched)
        self.controls.seekbar.set_duration(opened.info.duration_s)
        self.controls.seekbar.set_watched(opened.watched)
        self.controls.seekbar.set_indexed(opened.indexed, opened.indexed_roughly)
        self.chat.set_boundary(opened.watched)
        self.chat.set_history(self.store.film_turns(opened.film.id))
        self.setWindowTitle(f"{opened.info.title} — Movie Buddy")
        self.recent_menu.rebuild()
        if opened.resume_at:
            self.statusBar().showMessage(f"Resuming at {clock(opened.resume_at)}", 5_000)
        if self.index_automatically:
            self.start_indexing(opened.resume_at)
        else:
            self.indexing.show_state()
        self.film_opened.emit(opened.film)
        return True

    def _play(self, path: Path, position: float | None, watched) -> None:
        """Load the film once the picture area can show it (its OpenGL renderer starts when first shown)."""

        def load():
            self.player.open(path, start=position, watched=watched)
            self.player.play()

        if self.video.is_ready:
            load()
        else:
            self._pending_load = load
            self.video.ready.connect(self._load_pending, Qt.ConnectionType.SingleShotConnection)

    def _load_pending(self) -> None:
        load, self._pending_load = self._pending_load, None
        if load is not None:
            load()

    def close_film(self) -> None:
        """Save where the viewer is and stop indexing the current film (it resumes next time)."""
        if self.film is None:
            return
        self.save_viewing()
        self.indexing.stop(wait=True)
        self.indexing.set_film(None, None)
        self.session.close()

    def recent_films(self) -> list[str]:
        return self.session.recent()

    def add_subtitles(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self,
                "Add a subtitle file",
                str(self.info.path.parent) if self.info else "",
                "Subtitles (*.srt *.ass *.ssa *.vtt)",
            )
            if not chosen:
                return
            path = Path(chosen)
        self.player.add_subtitles(path)
        self.statusBar().showMessage(f"Subtitles added: {path.name}", 5_000)

    # playback ---------------------------------------------------------------------------------------
    def _on_watched(self, ranges) -> None:
        self.chat.set_boundary(ranges)

    def seek_to_moment(self, seconds: float) -> None:
        self.player.seek(seconds)
        self.statusBar().showMessage(f"Jumped to {clock(seconds)}", 3_000)

    def save_viewing(self) -> None:
        self.session.save(self.player.position, self.player.tracker.ranges)

    # questions --------------------------------------------------------------------------------------
    def question_window(self) -> Window:
        if self.chat.spoiler_free.isChecked():
            return Window.watched(self.player.tracker.ranges)
        return Window.whole()

    def ask(self, question: str) -> int | None:
        if self.film is None:
            self.show_problem("Open a film first: questions are about the film that is playing.")
            return None
        self.save_viewing()
        request = self.answers.ask(self.film.fingerprint, question, self.question_window(), now=self.player.position)
        self.chat.begin(request, question)
        return request

    def recap(self) -> int | None:
        if self.film is None:
            return None
        request = self.answers.ask(self.film.fingerprint, "Recap so far", self.question_window(), kind="recap")
        self.chat.begin(request, "Recap so far")
        return request

    # settings and errors ------------------------------------------------------------------------------
    def edit_settings(self) -> None:
        from core import encoders
        from desktop.settings import SettingsDialog

        dialog = SettingsDialog(self.settings, encoders.names(), self)
        if dialog.exec():
            self.apply_settings(dialog.settings())

    def apply_settings(self, settings) -> None:
        save_settings(settings)
        if settings.llm != self.settings.llm:
            self.answers.set_llm(settings.llm)
        self.settings = settings
        self.statusBar().showMessage("Settings saved", 4_000)

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        QTimer.singleShot(15_000, self.problem.hide)
        log.warning("%s", message)

    # state ------------------------------------------------------------------------------------------
    def _restore_ui(self) -> None:
        geometry = self.qsettings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.qsettings.value("window_state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        if self._closed:
            event.accept()
            return
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("window_state", self.saveState())
        self.close_film()
        self._closed = True
        self._save_timer.stop()
        self.indexing.shutdown()
        self.library.shutdown()
        self.answers.shutdown()
        self.answers.wait()
        maker = getattr(self, "_sample_maker", None)
        if maker is not None and maker.isRunning():
            maker.cancel()
            maker.wait()
        self.video.release()
        self.player.close()
        self.store.close()
        event.accept()
