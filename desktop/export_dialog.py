"""Export a film's review summary: format, scope (the whole film or what was watched so far), whether to
include the viewer's conversation, and where; made on a thread with progress and cancel, then the file
or its folder can be opened."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from core.spoiler_window import Window
from core.store import Store, open_store
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)
FORMATS = {"HTML page": "html", "PDF": "pdf", "Markdown": "md", "Chapters (mpv, Matroska)": "chapters"}
SUFFIXES = {"html": ".html", "pdf": ".pdf", "md": ".md", "chapters": ".ffmetadata"}


class ExportJob(TrackedThread):
    progress = Signal(float, str)
    written = Signal(str)
    failed = Signal(str)

    def __init__(
        self, home: Path, film_path: str, fmt: str, out: Path, watched_only: bool, conversation: bool, parent=None
    ) -> None:
        super().__init__(parent)
        self.home, self.film_path, self.fmt, self.out = home, film_path, fmt, out
        self.watched_only, self.conversation = watched_only, conversation
        self.cancel = CancelToken()

    def run(self) -> None:
        from core import session

        try:
            with open_store(self.home) as store:
                film = session.indexed_film(store, self.film_path)
                window = Window.watched(store.watched(film.id)) if self.watched_only else Window.whole()
                # extractive here: a generating model would load into the window's own process, beside the
                # answering worker's copy (`moviebuddy export --llm` writes a synopsis with one)
                jobs = export_job(store, film, self.fmt, self.out, window, self.conversation, self.cancel)
                for event in jobs:
                    if isinstance(event, Progress):
                        self.progress.emit(event.fraction, event.message)
                    elif isinstance(event, Done) and not self.cancel.cancelled:
                        self.written.emit(str(event.result or self.out))
        except MovieBuddyError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # shown in the dialog, never only in a log
            log.exception("export failed")
            self.failed.emit(f"Could not export: {exc}")


def export_job(store, film, fmt: str, out: Path, window: Window, conversation: bool, cancel: CancelToken, model=None):
    """The export generator for a format: PDF is drawn by Qt (desktop.pdf), the rest by core.export."""
    if fmt == "pdf":
        from desktop.pdf import export_pdf

        return export_pdf(store, film, out, window, include_conversation=conversation, cancel=cancel, model=model)
    from core.export import export_summary

    return export_summary(store, film, fmt, out, window, include_conversation=conversation, cancel=cancel, model=model)


class ExportDialog(QDialog):
    def __init__(self, store: Store, film_path: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a summary")
        self.store, self.film_path = store, film_path
        self.job: ExportJob | None = None
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.format.currentIndexChanged.connect(self._suggest_name)
        self.watched_only = QCheckBox("Only what I have watched so far (no spoilers)")
        self.conversation = QCheckBox("Include my questions and their answers")
        self.destination = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.destination, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.watched_only)
        form.addRow("", self.conversation)
        form.addRow("Save as", where)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button = self.buttons.addButton("Open", QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = self.buttons.addButton("Open its folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()
        self.folder_button.hide()
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.stop_or_close)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(self.destination.text())))
        self.folder_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.destination.text()).parent)))
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._suggest_name()

    def fmt(self) -> str:
        return FORMATS[self.format.currentText()]

    def _suggest_name(self) -> None:
        current = Path(self.destination.text()) if self.destination.text() else Path(self.film_path)
        folder = current.parent if self.destination.text() else Path.home()
        self.destination.setText(str(folder / (Path(self.film_path).stem + " summary" + SUFFIXES[self.fmt()])))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the summary as", self.destination.text())
        if chosen:
            self.destination.setText(chosen)

    def start(self) -> None:
        if self.job is not None and self.job.isRunning():
            return
        out = Path(self.destination.text()).expanduser()
        self.job = ExportJob(
            self.store.home,
            self.film_path,
            self.fmt(),
            out,
            self.watched_only.isChecked(),
            self.conversation.isChecked(),
            parent=self,
        )
        self.job.progress.connect(self._on_progress)
        self.job.written.connect(self._on_written)
        self.job.failed.connect(self._on_failed)
        self.job.finished.connect(lambda: self.export_button.setEnabled(True))
        self.export_button.setEnabled(False)
        self.bar.setValue(0)
        self.bar.show()
        self.message.setText("Writing the summary…")
        self.job.start()

    def stop_or_close(self) -> None:
        """Cancel: stops an export being written (nothing half-written is kept), or closes the dialog."""
        if self.job is not None and self.job.isRunning():
            self.job.cancel.cancel()  # it stops at its next step; the window is not held up meanwhile
            self.job.finished.connect(lambda: self.message.setText("Stopped."))
            self.message.setText("Stopping…")
            return
        self.reject()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message:
            self.message.setText(message)

    def _on_written(self, path: str) -> None:
        self.bar.setValue(1000)
        self.destination.setText(path)
        self.message.setText(f"Written: {path}")
        self.open_button.show()
        self.folder_button.show()

    def _on_failed(self, message: str) -> None:
        self.bar.hide()
        self.message.setText(message)

    def done(self, result: int) -> None:
        """Closing while an export runs stops it and closes once it has (without holding the window)."""
        if self.job is not None and self.job.isRunning():
            self.job.cancel.cancel()
            self.hide()
            self.job.finished.connect(lambda: QDialog.done(self, result))
            return
        super().done(result)
