"""The chat panel's parts: a worker that answers on its own thread, streaming, and the rendering of an
answer with its citations as links that seek the player."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import Signal

from core.errors import MovieBuddyError
from core.events import CancelToken
from core.timefmt import clock
from core.window import Window
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)
SEEK_SCHEME = "seek"


class AnswerWorker(TrackedThread):
    """Answers one question about a film on its own thread with its own database connection; the
    models are loaded once per process by the core and stay warm between questions."""

    token = Signal(str)
    answered = Signal(object)  # core.answering.Answer
    failed = Signal(str)

    def __init__(self, movie_fingerprint: str, question: str, window: Window, home: Path | None = None,
                 llm: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.fingerprint, self.question, self.window, self.home, self.llm = \
            movie_fingerprint, question, window, home, llm
        self._cancel = CancelToken()

    def stop(self) -> None:
        self._cancel.cancel()

    def run(self) -> None:
        from core import conversations, encoders
        from core.answering import Answer, Token, answer_question, create_model
        from core.retrieval import Retriever
        from core.store import open_store
        from core.text_embed import default_embedder

        try:
            with open_store(self.home) as store:
                film = store.film_by_fingerprint(self.fingerprint)
                progress = store.latest_progress(film.id) if film else None
                if progress is None:
                    self.failed.emit("This film is not indexed yet: indexing starts when it plays.")
                    return
                encoder = encoders.create(encoders.name_of(progress["encoder_id"]), cache_dir=store.home / "cache")
                conversation = conversations.latest(store, film.id) or conversations.start(store, film.id)
                history = conversations.history(store, conversation)
                retriever = Retriever(store, encoder, default_embedder())
                model = create_model(self.llm, store.home)
                for event in answer_question(retriever, film, self.question, self.window, model,
                                             cancel=self._cancel, history=history, with_quotes=True):
                    if isinstance(event, Token):
                        self.token.emit(event.text)
                    elif isinstance(event, Answer):
                        conversations.add_turn(store, conversation, event)
                        self.answered.emit(event)
        except MovieBuddyError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # shown in the window, never only in a terminal
            log.exception("answering failed")
            self.failed.emit(f"Could not answer: {exc}")


def answer_html(answer) -> str:
    """The answer as HTML, each cited moment a link ``seek:SECONDS`` that the panel turns into a seek."""
    text = html.escape(answer.text).replace("\n", "<br>")
    links = " ".join(f'<a href="{SEEK_SCHEME}:{t:.3f}">[{clock(t)}]</a>' for t in answer.citations)
    note = f"<br><i>{html.escape(answer.note)}</i>" if answer.note else ""
    return f"<p>{text}</p><p>{links}</p>{note}" if links else f"<p>{text}</p>{note}"


def seek_target(url: str) -> float | None:
    """The time a citation link points at, or None for any other link."""
    scheme, _, rest = url.partition(":")
    if scheme != SEEK_SCHEME:
        return None
    try:
        return float(rest)
    except ValueError:
        return None
