"""The resident answerer: one QThread for the window's life that owns the answering worker process
(core.answer_worker) and turns its events into signals carrying each request's number.

The worker keeps one Retriever per film, so the frames read for one question stay in memory for the
next, and its models warm; it starts with the window and loads them at a priority below playback's.
Indexing never blocks it: SQLite's WAL lets it read what the indexer has committed, and answers made on
a partial index say so."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage

from core.protocol import Answered, AnswerToken, Ask, Failed, Ready, StopAnswers, Thumbnails, UseModel
from core.spoiler_window import Window
from desktop.worker_process import WorkerProcessThread


class AnswerService(WorkerProcessThread):
    token = Signal(int, str)
    answered = Signal(int, object)  # core.protocol.Turn
    thumbnails = Signal(int, object)  # {seconds: QImage} for the evidence frames
    failed = Signal(int, str)
    ready = Signal()
    log_name = "answerer.log"

    def __init__(self, home: Path | None = None, llm: str | None = None, parent=None) -> None:
        super().__init__(home, parent)
        self.llm = llm
        self._next_id = 0
        self._waiting: set[int] = set()  # asked, not yet answered (the GUI thread adds, this one removes)
        self._waiting_lock = threading.Lock()
        self.is_ready = False

    def command(self) -> list[str]:
        return ["-m", "core.answer_worker", "--home", str(self.home), *(["--llm", self.llm] if self.llm else [])]

    def ask(self, fingerprint: str, question: str, window: Window, kind: str = "ask", now: float | None = None) -> int:
        """Queue a question (or, with ``kind="recap"``, a recap); returns its number."""
        self._next_id += 1
        with self._waiting_lock:
            self._waiting.add(self._next_id)
        if not self.send(Ask.about(self._next_id, fingerprint, question, window, kind, now)):
            self._answered(self._next_id)
            self.failed.emit(self._next_id, "Answers are unavailable: the answering process has stopped.")
        return self._next_id

    def stop_answer(self) -> None:
        """Stop the answer being made and those waiting; each reports "Stopped."."""
        self.send(StopAnswers())

    def set_llm(self, llm: str | None) -> None:
        self.llm = llm
        self.send(UseModel(llm))

    def shutdown(self) -> None:
        self.stop_answer()
        self.close_input()
        if not self.is_ready:  # still loading its models: nothing to finish
            self.kill_signal("SIGTERM")

    def report(self, message) -> bool:
        if isinstance(message, AnswerToken):
            self.token.emit(message.id, message.text)
        elif isinstance(message, Answered):
            self._answered(message.id)
            self.answered.emit(message.id, message.turn)
        elif isinstance(message, Thumbnails):
            images = {float(t): QImage(path) for t, path in message.files.items()}
            self.thumbnails.emit(message.id, {t: image for t, image in images.items() if not image.isNull()})
        elif isinstance(message, Failed):
            self._answered(message.id)
            self.failed.emit(message.id, message.message)
        elif isinstance(message, Ready):
            self.is_ready = True
            self.ready.emit()
        return False

    def _answered(self, rid: int) -> None:
        with self._waiting_lock:
            self._waiting.discard(rid)

    def ended_silently(self, returncode: int, log_path: Path) -> None:
        with self._waiting_lock:
            unanswered, self._waiting = sorted(self._waiting), set()
        for rid in unanswered:
            self.failed.emit(rid, f"The answering process stopped (exit code {returncode}); details in {log_path}.")
