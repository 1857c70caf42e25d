"""Answering in a process of its own, for the desktop app: ``python -m core.answer_worker``.

Like the indexer (core.index_worker), the answerer loads torch and its models; in the app's process that
would hold Python's lock that drawing the film's frames needs, and playback would stutter the first
time a question is asked. So it runs here, for the window's life, and keeps one Retriever per film (the
frames read for one question stay in memory for the next) and its models warm.

Both directions speak core.protocol's messages, one JSON line each: in, ``Ask`` (a question or a recap),
``StopAnswers`` (stop the answer being made and those waiting) and ``UseModel``; out, ``AnswerToken``,
``Answered`` (the Turn), ``Thumbnails`` (PNG files of the evidence frames, in the data folder's cache),
``Failed``, and ``Ready`` once the models are loaded."""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import threading
from pathlib import Path

from core import protocol, session
from core.errors import MovieBuddyError
from core.events import CancelToken
from core.protocol import Answered, AnswerToken, Ask, Failed, Ready, StopAnswers, Thumbnails, UseModel
from core.turn import Turn
from core.worker_io import emit, start_worker

log = logging.getLogger(__name__)
THUMB_WIDTH = 160
MAX_THUMBNAILS = 8
WARM_UP_AFTER_S = 8.0  # load the models this long after starting (or at the first question): a film is
# starting to play when the window opens, and mpv needs the machine most in its first seconds


class Answerer:
    """Serves questions one at a time with one store connection, one retriever per film, warm models."""

    def __init__(self, store, llm: str | None, emit) -> None:
        self.store, self.llm, self.emit = store, llm, emit
        self._retrievers: dict = {}
        self._model = None

    def warm_up(self) -> None:
        from core import encoders
        from core.text_embed import default_embedder

        default_embedder().embed(["warming up"])
        encoders.create(None, cache_dir=self.store.home / "cache")

    def set_llm(self, llm: str | None) -> None:
        self.llm, self._model = llm or None, None

    def serve(self, request: Ask, cancel: CancelToken) -> None:
        rid = request.id
        if cancel.cancelled:
            self.emit(Failed("Stopped.", rid))
            return
        try:
            film = self.store.film_by_fingerprint(request.fingerprint)
            if film is None:
                raise MovieBuddyError("This film is not in the library yet: it is added when it plays.")
            window = request.spoiler_window()
            if request.task == "recap":
                turn: Turn | None = session.recap_turn(self.store, film, window, request.question)
            else:
                turn = self._answer(film, request, window, cancel)
            if turn is None:
                self.emit(Failed("Stopped.", rid))
                return
            self.emit(Answered(rid, turn))
            times = turn.frame_times()
            if times and not cancel.cancelled:
                self.emit(Thumbnails(rid, self._thumbnails(film, times[:MAX_THUMBNAILS])))
        except MovieBuddyError as exc:
            self.emit(Failed(str(exc), rid))
        except Exception as exc:  # shown in the window, never only in a terminal
            log.exception("answering failed")
            self.emit(Failed(f"Could not answer: {exc}", rid))

    def _answer(self, film, request: Ask, window, cancel) -> Turn | None:
        from core.answering import Token

        for event in session.ask(
            self.store,
            self._retriever(film),
            film,
            request.question,
            window,
            self._answering_model(),
            now=request.now,
            cancel=cancel,
        ):
            if isinstance(event, Token):
                self.emit(AnswerToken(request.id, event.text))
            elif isinstance(event, Turn):
                return event
        return None

    def _retriever(self, film):
        progress = self.store.latest_progress(film.id)
        key = (film.id, progress["encoder_id"] if progress else None)
        if key not in self._retrievers:
            self._retrievers = {key: session.retriever_for(self.store, film)}  # one film at a time
        return self._retrievers[key]

    def _answering_model(self):
        from core.answering import create_model

        if self._model is None and self.llm:
            self._model = create_model(self.llm, self.store.home)
        return self._model

    def _thumbnails(self, film, times) -> dict[str, str]:
        """PNG files of the film at ``times`` (made once, then kept in the cache), by time."""
        from PIL import Image

        from core.media.probe import probe
        from core.media.thumbnail import thumbnails

        folder = self.store.home / "cache" / "thumbnails" / str(film.id)
        folder.mkdir(parents=True, exist_ok=True)
        files = {f"{t:.3f}": folder / f"{t:.3f}.png" for t in times}
        missing = [t for t in times if not files[f"{t:.3f}"].exists()]
        try:
            made = thumbnails(probe(film.path), missing, THUMB_WIDTH) if missing else {}
        except MovieBuddyError:
            made = {}
        for t, rgb in made.items():
            Image.fromarray(rgb).save(files[f"{t:.3f}"])
        return {key: str(path) for key, path in files.items() if path.exists()}


class Requests:
    """Reads stdin on a thread: questions queue up; a stop cancels the current one and those waiting."""

    def __init__(self, stream) -> None:
        self.queue: queue.Queue[Ask | UseModel | None] = queue.Queue()
        self.current = CancelToken()
        self._stopped_through = 0
        self._stream = stream
        threading.Thread(target=self._read, name="requests", daemon=True).start()

    def stopped(self, rid: int) -> bool:
        return rid <= self._stopped_through

    def _read(self) -> None:
        latest = 0
        for line in self._stream:
            message = protocol.decode(line)
            if isinstance(message, Ask):
                latest = max(latest, message.id)
                self.queue.put(message)
            elif isinstance(message, StopAnswers):
                self._stopped_through = latest
                self.current.cancel()
            elif isinstance(message, UseModel):
                self.queue.put(message)
        self.current.cancel()
        self.queue.put(None)  # the app went away


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.answer_worker")
    parser.add_argument("--home")
    parser.add_argument("--llm")
    parser.add_argument("--nice", type=int, default=10, help="below playback, above indexing")
    args = parser.parse_args(argv)
    try:
        start_worker(args.nice)
        requests = Requests(sys.stdin)
        from core.store import open_store

        with open_store(Path(args.home) if args.home else None) as store:
            answerer = Answerer(store, args.llm, emit)
            try:
                pending = [requests.queue.get(timeout=WARM_UP_AFTER_S)]
            except queue.Empty:
                pending = []
            if pending == [None]:
                return 0  # closed before anything was asked
            answerer.warm_up()
            emit(Ready())
            while (message := pending.pop(0) if pending else requests.queue.get()) is not None:
                if isinstance(message, UseModel):
                    answerer.set_llm(message.llm)
                    continue
                requests.current = CancelToken()
                if requests.stopped(message.id):
                    requests.current.cancel()
                answerer.serve(message, requests.current)
    except Exception as exc:  # the store could not be opened, or a model could not load
        log.exception("the answerer stopped")
        emit(Failed(f"Answers are unavailable: {exc}"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
