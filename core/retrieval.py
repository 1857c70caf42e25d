"""Find the moments of a film that answer a question, inside the allowed window only.

Dialogue is found by full-text search (BM25 among the window's lines, core.text_search) and by sentence
embeddings of moments (a line with its neighbours), weighed by the calibrated moment model; frames by
their context tokens for the question's query vectors; a question that names a time ("at 1:02:10", "in
the first scene", "what just happened?") looks there. Everything is read through windowed SQL queries."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from core import calibration
from core.dialogue import moment_texts
from core.evidence import Evidence, Moment, Retrieval, describe_frame, merge_moments
from core.film_state import coverage_of
from core.frame_cache import WindowedFrames
from core.question import fts_query, time_focus
from core.spoiler_window import Window
from core.store import Film, Store
from core.text_embed import TextEmbedder
from core.text_search import LineSearchCache
from core.tokens import context_tokens

if TYPE_CHECKING:
    from core.encoders.base import VisionEncoder

log = logging.getLogger(__name__)

VISUAL_FOUND_CONFIDENCE = 0.42
VISUAL_FOUND_P = 0.08
MAX_MOMENTS = 4
FOCUS_SCORE = 2.0  # the part a question points at ("what just happened?") outranks any dialogue score (<= 1)


class Retriever:
    """Holds the models a question needs (vision encoder and text embedder), loaded once and kept warm."""

    def __init__(self, store: Store, encoder: VisionEncoder, embedder: TextEmbedder, frame_logits: bool = True) -> None:
        self.store, self.encoder, self.embedder = store, encoder, embedder
        # frames kept as their classifier logits where the encoder's queries allow (core.concept_logits);
        # False keeps patch grids and computes context tokens (the benchmark's baseline)
        self.frame_logits = frame_logits
        self._cache: dict[int, WindowedFrames] = {}
        self._line_search = LineSearchCache()

    def _frames(self, film_id: int, window: Window):
        """The window's frames; a question that narrows to a time focus reads just that part."""
        if window.ranges is not None and len(window.ranges) == 1 and window.ranges[0][1] - window.ranges[0][0] <= 600:
            return self.store.frames_in_window(film_id, self.encoder.id, window)
        if film_id not in self._cache:
            basis = getattr(self.encoder, "query_basis", None) if self.frame_logits else None
            self._cache = {film_id: WindowedFrames(self.store, film_id, self.encoder.id, basis)}  # one film at a time
        return self._cache[film_id].get(window)

    def retrieve(
        self, film: Film, question: str, window: Window, max_moments: int = MAX_MOMENTS, now: float | None = None
    ) -> Retrieval:
        store, encoder = self.store, self.encoder
        indexed, roughly, complete = coverage_of(store, film)
        scenes = store.scenes_in_window(film.id, encoder.id, window)
        focus = time_focus(question, window, film.duration_s, scenes, now)
        search_window = window.clip(*focus) if focus else window
        lines = store.lines_in_window(film.id, search_window)
        text_scores, answered = self._score_lines(film, question, lines, search_window)
        text_found = answered >= calibration.load().not_found_below
        frames = self._frames(film.id, search_window)
        queries = encoder.question_queries(question)
        visual = np.zeros(len(frames.times), np.float32)
        if len(frames.times) and frames.concept_logits is not None:
            logits = (frames.concept_logits, frames.content_logits)
            visual = encoder.relevance_from_logits(*logits, queries)  # type: ignore[attr-defined]
        elif len(frames.times):
            ctx = context_tokens(queries.vectors, frames.patches, weights=queries.weights)
            visual = encoder.relevance(ctx, frames.content, queries)
        visual_found = (
            queries.confidence >= VISUAL_FOUND_CONFIDENCE
            and bool(len(visual))
            and float(visual.max()) >= VISUAL_FOUND_P
        )
        moments = self._moments(lines, text_scores, frames, visual, visual_found, focus)
        moments = merge_moments(moments)[:max_moments]
        moments.sort(key=lambda m: m.start)
        return Retrieval(
            question=question,
            window=window,
            moments=moments,
            focus=focus,
            found=bool(moments) and (text_found or visual_found or focus is not None),
            indexed=indexed,
            indexed_roughly=roughly,
            complete=complete,
            visual_labels=queries.labels if visual_found else (),
            confidence=1.0 if focus is not None else max(answered, 1.0 if visual_found else 0.0),
        )

    def picture(self, film: Film, question: str, retrieval: Retrieval):
        """A question about the picture (colour or black and white, light or dark, a colour, a thing seen)
        answered from the window's measured frames (core.picture), or None when it is not one or the
        picture is not indexed. The part it measures: the question's time focus, or for "what colour is
        ...?" the best moment found."""
        from core import picture

        ask = picture.picture_question(question)
        encoder = self.encoder
        if ask is None or (ask.kind == "thing" and not hasattr(encoder, "concept_probabilities")):
            return None
        window = retrieval.window.clip(*retrieval.focus) if retrieval.focus else retrieval.window
        frames = self._frames(film.id, window)
        moment = retrieval.focus
        if moment is None and ask.kind == "colour_of" and retrieval.moments:
            best = max(retrieval.moments, key=lambda m: (m.reason == "visual", m.score))
            moment = (best.start, best.end)
        if retrieval.window.unrestricted:
            where = "the film" if retrieval.complete else "the part of the film indexed so far"
        else:
            where = "what you've watched so far"
        return picture.answer_picture(ask, frames, self._probabilities, where, moment)

    def _probabilities(self, frames) -> np.ndarray:
        """The classifier's (F, 1000) probabilities of each frame's content token."""
        if frames.content_logits is not None:
            return self.encoder.probabilities_from_logits(frames.content_logits)  # type: ignore[attr-defined]
        return self.encoder.concept_probabilities(frames.content)  # type: ignore[attr-defined]

    def dialogue_signals(self, film, question, lines, window) -> tuple[np.ndarray, np.ndarray]:
        """Per line of the window: the cosine of its moment (the line with its neighbours) to the
        question, and its BM25 among the window's lines (core.text_search; 0 where it does not match)."""
        if not lines:
            return np.zeros(0), np.zeros(0)
        position = {line.id: i for i, line in enumerate(lines)}
        bm25 = np.zeros(len(lines))
        for line_id, score in self._line_search.score(lines, fts_query(question), limit=200).items():
            bm25[position[line_id]] = score
        ids, vectors = self.store.line_vectors(film.id, self.embedder.id, self.embedder.dim, window)
        if len(ids) < len(lines):  # an index made before moments were embedded: embed in memory
            ids, vectors = [l.id for l in lines], self.embedder.embed(moment_texts(lines))
        q = self.embedder.embed([question])[0]
        cosine = np.zeros(len(lines))
        for line_id, c in zip(ids, vectors @ q if len(ids) else []):
            if line_id in position:
                cosine[position[line_id]] = c
        return cosine, bm25

    def _score_lines(self, film, question, lines, window):
        """Each line's score as the moment that answers (the calibrated moment model's probability),
        and the probability that the window answers the question at all."""
        if not lines:
            return np.zeros(0), 0.0
        model = calibration.load()
        features = calibration.moment_features(*self.dialogue_signals(film, question, lines, window))
        logits = model.moment_logits(features)
        answered = model.answered(calibration.answer_features(features, logits))
        return 1.0 / (1.0 + np.exp(-logits)), answered

    def _moments(self, lines, text_scores, frames, visual, visual_found, focus) -> list[Moment]:
        moments = []
        for i in np.argsort(-text_scores)[:MAX_MOMENTS]:
            if text_scores[i] <= 0:
                continue
            group = [
                lines[j]
                for j in range(max(0, i - 1), min(len(lines), i + 2))
                if abs(lines[j].start - lines[i].start) <= 6.0
            ]
            start, end = min(l.start for l in group), max(l.end for l in group)
            evidence = [
                Evidence(l.start, l.end, l.kind, l.text, float(text_scores[i]) if l is lines[i] else 0.0) for l in group
            ]
            evidence += self._frame_evidence(frames, start, end)
            moments.append(Moment(start, end, float(text_scores[i]), tuple(evidence)))
        if visual_found:
            best_text = max((m.score for m in moments), default=0.0)
            for j in np.argsort(-visual)[:2]:
                t = float(frames.times[j])
                evidence = self._frame_evidence(frames, t, t) + [
                    Evidence(l.start, l.end, l.kind, l.text) for l in lines if abs(l.start - t) <= 3.0
                ]
                moments.append(
                    Moment(t - 1.5, t + 1.5, max(best_text, 0.05) * (1.0 + float(visual[j])), tuple(evidence), "visual")
                )
        if focus is not None:
            recent = [l for l in lines if focus[0] <= l.start <= focus[1]][-4:]
            for l in recent:
                evidence = [Evidence(l.start, l.end, l.kind, l.text), *self._frame_evidence(frames, l.start, l.end)]
                moments.append(Moment(l.start, l.end, FOCUS_SCORE, tuple(evidence), "focus"))
            if not recent and len(frames.times):
                t = float(frames.times[-1])
                moments.append(Moment(t, t, FOCUS_SCORE, tuple(self._frame_evidence(frames, t, t)), "focus"))
        return moments

    def _frame_evidence(self, frames, start: float, end: float) -> list[Evidence]:
        """What is seen around a moment: the frame nearest its middle, as weak visual tags and colours."""
        if not len(frames.times):
            return []
        j = int(np.argmin(np.abs(frames.times - (start + end) / 2)))
        if abs(frames.times[j] - (start + end) / 2) > max(3.0, (end - start) / 2 + 1.5):
            return []
        return [Evidence(float(frames.times[j]), None, "frame", describe_frame(self.encoder, frames, j))]


__all__ = ["Evidence", "Moment", "Retrieval", "Retriever"]
