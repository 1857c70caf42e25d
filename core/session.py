"""The use cases every entry point shares: finding an indexed film, asking about it within its
conversation, and its recap. ``moviebuddy ask``/``recap`` (core.cli), the app's answering worker
(core.answer_worker) and through it the chat panel all call these, so a question is answered, and kept
in the film's history, the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import MovieBuddyError, UnusableMedia
from core.events import CancelToken
from core.media.probe import MediaInfo
from core.spoiler_window import Window
from core.store import Film, Store, fingerprint
from core.text_embed import TextEmbedder
from core.turn import Turn

if TYPE_CHECKING:
    from core.recap import Recap
    from core.retrieval import Retriever


def known_film(store: Store, path: str | Path) -> tuple[MediaInfo, Film | None]:
    """The film at ``path`` (probed, so a file that is not a film is refused) and its stored record, if
    any (films are known by content: a moved or renamed file keeps its index)."""
    from core.media.probe import probe

    info = probe(Path(path))
    return info, store.film_by_fingerprint(fingerprint(info.path))


def indexed_film(store: Store, path: str | Path) -> Film:
    """The stored film at ``path``; UnusableMedia when nothing of it is indexed yet."""
    _, film = known_film(store, path)
    if film is None or store.latest_progress(film.id) is None:
        raise UnusableMedia(f"{Path(path).name}: not indexed yet; run: moviebuddy index {path}")
    return film


def retriever_for(store: Store, film: Film) -> Retriever:
    """A Retriever over ``film`` with the encoder its frames were indexed with (the default encoder for a
    film not indexed yet: its dialogue can still be searched)."""
    from core import encoders
    from core.retrieval import Retriever
    from core.text_embed import default_embedder

    progress = store.latest_progress(film.id)
    encoder = encoders.create(
        encoders.name_of(progress["encoder_id"]) if progress else None, cache_dir=store.home / "cache"
    )
    store.ensure_encoder(encoder.id, encoder.dim, encoder.grid)
    return Retriever(store, encoder, default_embedder())


def ask(
    store: Store,
    retriever: Retriever,
    film: Film,
    question: str,
    window: Window,
    model=None,
    *,
    new_conversation: bool = False,
    now: float | None = None,
    cancel: CancelToken | None = None,
    with_quotes: bool = True,
) -> Iterator:
    """Answer ``question`` as a follow-up in the film's latest conversation (or a new one): yields the
    answer's core.answering.Token events, then its Turn, which is kept in the film's history. A cancelled
    answer yields no Turn and keeps nothing."""
    from core.answering import Answer, Token, answer_question

    conversation = None if new_conversation else store.latest_conversation(film.id)
    conversation = conversation or store.start_conversation(film.id)
    history = store.turns(conversation)
    for event in answer_question(
        retriever, film, question, window, model, cancel=cancel, history=history, with_quotes=with_quotes, now=now
    ):
        if isinstance(event, Token):
            yield event
        elif isinstance(event, Answer):
            if cancel is not None and cancel.cancelled:
                return
            turn = Turn.from_answer(event)
            store.add_turn(conversation, turn)
            yield turn


def answer_text(events) -> tuple[str, Turn | None]:
    """Drive :func:`ask` to its end without streaming: (the streamed text, the Turn)."""
    from core.answering import Token

    text, turn = [], None
    for event in events:
        if isinstance(event, Token):
            text.append(event.text)
        elif isinstance(event, Turn):
            turn = event
    return "".join(text), turn


def recap(store: Store, film: Film, window: Window, embedder: TextEmbedder | None = None) -> Recap:
    """The story so far inside ``window`` (a core.recap.Recap, cached per window and index state)."""
    from core.recap import recap as make_recap

    progress = store.latest_progress(film.id)
    if progress is None:
        raise MovieBuddyError("Nothing is indexed yet: the recap needs the film's scenes.")
    return make_recap(store, film, progress["encoder_id"], window, embedder)


def recap_turn(
    store: Store, film: Film, window: Window, question: str = "Recap", embedder: TextEmbedder | None = None
) -> Turn:
    """The recap as a turn of the chat."""
    made = recap(store, film, window, embedder)
    return Turn(
        question, made.text, tuple(made.citations), (), tuple((a, b) for a, b in window.as_json(film.duration_s))
    )
