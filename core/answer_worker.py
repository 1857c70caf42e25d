"""Answering in a process of its own, for the desktop app: ``python -m core.answer_worker``.

Like the indexer (core.index_worker), the answerer loads torch and its models; in the app's process that
would hold Python's lock that drawing the film's frames needs, and playback would stutter the first
time a question is asked. So it runs here, for the window's life, and keeps one Retriever per film (the
frames read for one question stay in memory for the next) and its models warm.

- stdin, one JSON object a line: ``{"ask": {"id", "fingerprint", "question", "window", "kind", "now"}}``
  (``window``: a list of [start, end] or null for the whole film; ``kind``: "ask" or "recap"),
  ``{"stop": true}`` (stop the answer being made and those waiting), ``{"llm": NAME}``.
- stdout, one JSON event a line: ``token``, ``answered`` (the turn), ``thumbnails`` (PNG files of the
  evidence frames, in the data folder's cache), ``failed``, and ``ready`` once the models are loaded."""

from __future__ import annotations

import argparse
import json
import logging
import queue
import sys
import threading
from pathlib import Path

from core.errors import MovieBuddyError
from core.events import CancelToken
from core.window import Window
from core.worker_io import emit, start_worker

log = logging.getLogger(__name__)
THUMB_WIDTH = 160
MAX_THUMBNAILS = 8
WARM_UP_AFTER_S = 8.0  # load the models this long after starting (or at the first question): a film is
# starting to play when the window opens, and mpv needs the machine most in its first seconds


def turn_of(answer) -> dict:
    """An answer as the chat panel shows and the history stores it."""
    data = answer.as_json()
    return {"question": answer.question, "answer": answer.text, "citations": data["citations"],
            "evidence": data["evidence"], "window": data["window"], "note": answer.note}


def window_of(ranges) -> Window:
    return Window.whole() if ranges is None else Window.watched([tuple(r) for r in ranges])


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

    def serve(self, request: dict, cancel: CancelToken) -> None:
        rid = request["id"]
        if cancel.cancelled:
            self.emit({"event": "failed", "id": rid, "message": "Stopped."})
            return
        try:
            film = self.store.film_by_fingerprint(request["fingerprint"])
            if film is None:
                raise MovieBuddyError("This film is not in the library yet: it is added when it plays.")
            window = window_of(request.get("window"))
            if request.get("kind") == "recap":
                turn = self._recap(film, request["question"], window)
            else:
                turn = self._answer(film, rid, request["question"], window, request.get("now"), cancel)
            if turn is None:
                self.emit({"event": "failed", "id": rid, "message": "Stopped."})
                return
            self.emit({"event": "answered", "id": rid, "turn": turn})
            times = sorted({e["t"] for e in turn["evidence"] if e["kind"] == "frame"} | set(turn["citations"]))
            if times and not cancel.cancelled:
                self.emit({"event": "thumbnails", "id": rid, "files": self._thumbnails(film, times[:MAX_THUMBNAILS])})
        except MovieBuddyError as exc:
            self.emit({"event": "failed", "id": rid, "message": str(exc)})
        except Exception as exc:  # shown in the window, never only in a terminal
            log.exception("answering failed")
            self.emit({"event": "failed", "id": rid, "message": f"Could not answer: {exc}"})

    def _answer(self, film, rid, question, window, now, cancel) -> dict | None:
        from core import conversations
        from core.answering import Answer, Token, answer_question

        conversation = conversations.latest(self.store, film.id) or conversations.start(self.store, film.id)
        history = conversations.history(self.store, conversation)
        for event in answer_question(self._retriever(film), film, question, window, self._answering_model(),
                                     cancel=cancel, history=history, with_quotes=True, now=now):
            if isinstance(event, Token):
                self.emit({"event": "token", "id": rid, "text": event.text})
            elif isinstance(event, Answer):
                if cancel.cancelled:
                    return None
                conversations.add_turn(self.store, conversation, event)
                return turn_of(event)
        return None

    def _recap(self, film, question, window) -> dict:
        from core.recap import recap
        from core.text_embed import default_embedder

        progress = self.store.latest_progress(film.id)
        if progress is None:
            raise MovieBuddyError("Nothing is indexed yet: the recap needs the film's scenes.")
        made = recap(self.store, film, progress["encoder_id"], window, default_embedder())
        return {"question": question, "answer": made.text, "citations": made.citations, "evidence": [],
                "window": window.as_json(film.duration_s), "note": ""}

    def _retriever(self, film):
        from core import encoders
        from core.retrieval import Retriever
        from core.text_embed import default_embedder

        progress = self.store.latest_progress(film.id)
        name = encoders.name_of(progress["encoder_id"]) if progress else None
        key = (film.id, name)
        if key not in self._retrievers:
            encoder = encoders.create(name, cache_dir=self.store.home / "cache")
            self.store.ensure_encoder(encoder.id, encoder.dim, encoder.grid)  # a film not indexed yet has none
            self._retrievers = {key: Retriever(self.store, encoder, default_embedder())}  # one film at a time
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
        self.queue: queue.Queue[dict | None] = queue.Queue()
        self.current = CancelToken()
        self._stopped_through = 0
        self._stream = stream
        threading.Thread(target=self._read, name="requests", daemon=True).start()

    def stopped(self, rid: int) -> bool:
        return rid <= self._stopped_through

    def _read(self) -> None:
        latest = 0
        for line in self._stream:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "ask" in message:
                latest = max(latest, int(message["ask"]["id"]))
                self.queue.put(message)
            elif message.get("stop"):
                self._stopped_through = latest
                self.current.cancel()
            elif "llm" in message:
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
            emit({"event": "ready"})
            while (message := pending.pop(0) if pending else requests.queue.get()) is not None:
                if "llm" in message:
                    answerer.set_llm(message["llm"])
                    continue
                request = message["ask"]
                requests.current = CancelToken()
                if requests.stopped(int(request["id"])):
                    requests.current.cancel()
                answerer.serve(request, requests.current)
    except Exception as exc:  # the store could not be opened, or a model could not load
        log.exception("the answerer stopped")
        emit({"event": "failed", "id": 0, "message": f"Answers are unavailable: {exc}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
