"""The resident answerer: one QThread for the window's life that answers questions about the open film.

It opens its own database connection and keeps one Retriever per film, so the frames read for one
question stay in memory for the next (core.frame_cache) and the models load once. Requests queue up;
each result comes back as a signal carrying the request's number. Indexing never blocks it: SQLite's
WAL lets it read what the indexer has committed, and answers made on a partial index say so."""

from __future__ import annotations

import logging
import queue
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage

from core.errors import MovieBuddyError
from core.events import CancelToken
from core.window import Window
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)
THUMB_WIDTH = 160


@dataclass(frozen=True)
class Request:
    id: int
    fingerprint: str
    question: str
    window: Window
    kind: str = "ask"  # "ask" | "recap"
    now: float | None = None  # the player's position when asked


def turn_of(answer) -> dict:
    """An answer as the chat panel shows and the history stores it."""
    data = answer.as_json()
    return {"question": answer.question, "answer": answer.text, "citations": data["citations"],
            "evidence": data["evidence"], "window": data["window"], "note": answer.note}


class AnswerService(TrackedThread):
    token = Signal(int, str)
    answered = Signal(int, object)  # turn dict (see turn_of)
    thumbnails = Signal(int, object)  # {seconds: QImage} for the evidence frames
    failed = Signal(int, str)

    def __init__(self, home: Path | None = None, llm: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.home, self.llm = home, llm
        self._requests: queue.Queue[Request | None] = queue.Queue()
        self._stops: dict[int, CancelToken] = {}  # one per request not yet answered
        self._cancel = CancelToken()
        self._next_id = 0
        self._retrievers: dict[int, object] = {}
        self._model = None

    def ask(self, fingerprint: str, question: str, window: Window, kind: str = "ask",
            now: float | None = None) -> int:
        self._next_id += 1
        self._stops[self._next_id] = CancelToken()
        self._requests.put(Request(self._next_id, fingerprint, question, window, kind, now))
        return self._next_id

    def stop_answer(self) -> None:
        """Stop the answers asked for so far: the one being made ends with what it has, those waiting
        are dropped; each reports "Stopped."."""
        for stop in list(self._stops.values()):
            stop.cancel()

    def set_llm(self, llm: str | None) -> None:
        self._requests.put(Request(0, "", llm or "", Window.whole(), kind="model"))

    def shutdown(self) -> None:
        self.stop_answer()
        self._requests.put(None)

    def run(self) -> None:
        from core.store import open_store

        try:
            with open_store(self.home) as store:
                while (request := self._requests.get()) is not None:
                    if request.kind == "model":
                        self.llm, self._model = request.question or None, None
                        continue
                    self._cancel = self._stops.get(request.id) or CancelToken()
                    try:
                        self._serve(store, request)
                    finally:
                        self._stops.pop(request.id, None)
        except Exception as exc:  # the store could not be opened: every later question fails visibly
            log.exception("the answering thread stopped")
            self.failed.emit(0, f"Answers are unavailable: {exc}")

    def _serve(self, store, request: Request) -> None:
        if self._cancel.cancelled:
            self.failed.emit(request.id, "Stopped.")
            return
        try:
            film = store.film_by_fingerprint(request.fingerprint)
            if film is None:
                self.failed.emit(request.id, "This film is not in the library yet: it is added when it plays.")
                return
            turn = self._recap(store, film, request) if request.kind == "recap" else self._answer(store, film, request)
            if turn is None:
                return
            self.answered.emit(request.id, turn)
            frames = sorted({e["t"] for e in turn["evidence"] if e["kind"] == "frame"} | set(turn["citations"]))
            if frames and not self._cancel.cancelled:
                self.thumbnails.emit(request.id, self._thumbnails(film.path, frames[:8]))
        except MovieBuddyError as exc:
            self.failed.emit(request.id, str(exc))
        except Exception as exc:  # shown in the window, never only in a terminal
            log.exception("answering failed")
            self.failed.emit(request.id, f"Could not answer: {exc}")

    def _answer(self, store, film, request: Request) -> dict | None:
        from core import conversations
        from core.answering import Answer, Token, answer_question

        conversation = conversations.latest(store, film.id) or conversations.start(store, film.id)
        history = conversations.history(store, conversation)
        retriever = self._retriever(store, film)
        for event in answer_question(retriever, film, request.question, request.window, self._answering_model(store),
                                     cancel=self._cancel, history=history, with_quotes=True, now=request.now):
            if isinstance(event, Token):
                self.token.emit(request.id, event.text)
            elif isinstance(event, Answer):
                if self._cancel.cancelled:
                    self.failed.emit(request.id, "Stopped.")
                    return None
                conversations.add_turn(store, conversation, event)
                return turn_of(event)
        return None

    def _recap(self, store, film, request: Request) -> dict:
        from core.recap import recap
        from core.text_embed import default_embedder

        progress = store.latest_progress(film.id)
        if progress is None:
            raise MovieBuddyError("Nothing is indexed yet: the recap needs the film's scenes.")
        made = recap(store, film, progress["encoder_id"], request.window, default_embedder())
        return {"question": request.question, "answer": made.text, "citations": made.citations, "evidence": [],
                "window": request.window.as_json(film.duration_s), "note": ""}

    def _retriever(self, store, film):
        from core import encoders
        from core.retrieval import Retriever
        from core.text_embed import default_embedder

        progress = store.latest_progress(film.id)
        name = encoders.name_of(progress["encoder_id"]) if progress else None
        key = (film.id, name)
        if key not in self._retrievers:
            encoder = encoders.create(name, cache_dir=store.home / "cache")
            self._retrievers = {key: Retriever(store, encoder, default_embedder())}  # one film at a time
        return self._retrievers[key]

    def _answering_model(self, store):
        from core.answering import create_model

        if self._model is None and self.llm:
            self._model = create_model(self.llm, store.home)
        return self._model

    def _thumbnails(self, path: str, times) -> dict:
        from core.media.thumbnail import thumbnails

        try:
            pictures = thumbnails(path, times, THUMB_WIDTH)
        except MovieBuddyError:
            return {}
        images = {}
        for t, rgb in pictures.items():
            h, w, _ = rgb.shape
            images[t] = QImage(rgb.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        return images
