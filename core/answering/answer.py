"""Answer a question: retrieve moments inside the window, then either quote the evidence (extractive)
or generate with a model and keep only the sentences the evidence supports, citing the moments they
use. Yields Token events as the answer streams in, then one Answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core import coverage
from core.answering.grounding import cite, confidently_absent, extractive_answer, sentence_supported, split_sentences
from core.answering.prompt import build_messages
from core.events import CancelToken
from core.evidence import Evidence, Retrieval
from core.question import topic_words
from core.retrieval import Retriever
from core.spoiler_window import Window
from core.store import Film
from core.timefmt import clock

if TYPE_CHECKING:
    from core.answering.models import AnsweringModel


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: list[float]
    evidence: list[Evidence]
    window: Window
    duration_s: float
    mode: str  # "extractive" | "generated" | "extractive-fallback" | "measured" | "not-found" | "unsure"
    note: str = ""
    timings: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "answer": self.text,
            "citations": [round(t, 3) for t in self.citations],
            "evidence": [e.as_json() for e in self.evidence],
            "window": self.window.as_json(self.duration_s),
        }


def answer_question(
    retriever: Retriever,
    film: Film,
    question: str,
    window: Window,
    model: AnsweringModel | None = None,
    cancel: CancelToken | None = None,
    history=(),
    with_quotes: bool = False,
    now: float | None = None,
) -> Iterator[Token | Answer]:
    """Stream an answer to ``question`` about ``film`` using only what ``window`` allows.

    Without a model the answer quotes the best evidence; with one, only generated sentences that the
    evidence supports are kept (quotes replace them when none is), and ``with_quotes`` adds the quote
    after a generated answer. ``now``: the player's position, for questions like "what just happened?"."""
    started = time.perf_counter()
    cancel = cancel or CancelToken()
    retrieval = retriever.retrieve(film, with_context(question, history), window, now=now)
    timings = {"retrieval_s": time.perf_counter() - started}
    measured = retriever.picture(film, question, retrieval)
    if measured is not None:  # a question about the picture: answered from its measurements
        text, citations = measured.text, measured.citations
        mode = "measured" if measured.sure else "unsure"
        timings["first_token_s"] = time.perf_counter() - started
        yield Token(text)
    elif model is None or not retrieval.found:
        text, citations = extractive_answer(retrieval)
        mode = "extractive" if retrieval.found else "not-found" if confidently_absent(retrieval) else "unsure"
        timings["first_token_s"] = time.perf_counter() - started
        yield Token(text)
    else:
        kept, citations = [], []
        for sentence in _generated_sentences(model, build_messages(question, retrieval, history), cancel):
            if sentence_supported(sentence, retrieval.evidence, question):
                cited = cite(sentence, retrieval.evidence, window.contains)
                if cited:
                    timings.setdefault("first_token_s", time.perf_counter() - started)
                    kept.append(sentence)
                    citations += cited
                    yield Token(sentence + " ")
        if kept:
            text, mode = " ".join(kept), "generated"
            if with_quotes:
                quote, quoted_at = extractive_answer(retrieval, max_quotes=1)
                text += "\n" + quote
                citations += quoted_at
                yield Token("\n" + quote)
        else:  # nothing the model wrote is supported: quote the evidence instead
            text, citations = extractive_answer(retrieval)
            mode = "extractive-fallback"
            timings.setdefault("first_token_s", time.perf_counter() - started)
            yield Token(text)
    timings["answer_s"] = time.perf_counter() - started
    citations = sorted({round(t, 3) for t in citations if window.contains(t)})
    note = partial_note(retrieval, citations)
    yield Answer(question, text.strip(), citations, retrieval.evidence, window, film.duration_s, mode, note, timings)


def with_context(question: str, history=()) -> str:
    """A follow-up that names nothing of its own ("and after that?", "why?") is searched together
    with the previous question, so every turn still retrieves from the film."""
    if not history or len(topic_words(question)) >= 1:
        return question
    return f"{history[-1].question} {question}"


def _generated_sentences(model: AnsweringModel, messages, cancel) -> Iterator[str]:
    """Whole sentences from the model's stream, as soon as each is complete."""
    buffer = ""
    for piece in model.stream(messages, cancel):
        buffer += piece
        sentences = split_sentences(buffer)
        yield from sentences[:-1]
        buffer = sentences[-1] if sentences else ""
    if buffer.strip():
        yield buffer.strip()


def partial_note(retrieval: Retrieval, citations=()) -> str:
    """Says which parts of the picture an answer could look at while the film is still being indexed, and
    which of the moments it cites come from parts seen only roughly (key frames) so far."""
    if retrieval.complete:
        return ""
    if not retrieval.indexed:
        return "The film is not indexed yet; only its dialogue was searched."
    roughly = retrieval.indexed_roughly
    fully = coverage.subtract(retrieval.indexed, roughly)
    if not roughly:
        parts = _spans(retrieval.indexed)
        return f"The picture is indexed for {parts} so far; this answer uses those parts and all the dialogue."
    note = f"The picture is indexed roughly (its key frames) for {_spans(roughly)}"
    note += f" and fully for {_spans(fully)} so far." if fully else " so far."
    rough_cited = [t for t in citations if any(a <= t <= b for a, b in roughly)]
    if rough_cited:
        when = ", ".join(clock(t) for t in rough_cited[:3])
        note += f" The picture at {when} is from a part indexed roughly: a closer look may find more."
    return note


def _spans(ranges) -> str:
    return ", ".join(f"{clock(a)}-{clock(b)}" for a, b in ranges)
