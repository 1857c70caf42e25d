"""Find the moments of a film that answer a question, inside the allowed window only.

Dialogue is found by full-text search (FTS5, BM25) and by sentence embeddings of moments (a line with
its neighbours), fused by reciprocal rank; frames by their context tokens for the question's query
vectors; a question that names a time ("at 1:02:10", "in the first scene", "what just happened?")
looks there. Everything is read through windowed SQL queries."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

from core import calibration
from core.film_state import index_coverage
from core.frame_cache import WindowedFrames
from core.dialogue import moment_texts
from core.store import Film, Store
from core.timefmt import parse_time
from core.tokens import context_tokens
from core.spoiler_window import Window

log = logging.getLogger(__name__)

STOPWORDS = set("""a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my myself
no nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours yourself yourselves
tell say says said show shows see seen scene film movie happen happens happened does did anything something
thing things one ones get got""".split())
EDGE_S = 150.0  # "what just happened" looks at this many seconds before the window's edge
# Words that place a question just before the viewer's position, when there is one (the player's playhead).
RECENT_WORDS = {"just", "recently", "ago", "last", "now"}
# Words that say what kind of answer is wanted rather than what it is about.
INTENT_WORDS = {"name", "named", "called", "introduce", "introduces", "introduced", "introduction", "himself",
                "herself", "themselves", "mean", "means", "doing", "talk", "talking", "speak", "speaking"}
VISUAL_FOUND_CONFIDENCE = 0.42
VISUAL_FOUND_P = 0.08
MAX_MOMENTS = 4
FOCUS_SCORE = 2.0  # the part a question points at ("what just happened?") outranks any dialogue score (<= 1)
MAX_MOMENT_S = 40.0  # overlapping moments merge only while the result stays this short


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a frame (what is seen), a dialogue line or on-screen text (what is said)."""

    t: float
    end: float | None
    kind: str  # "frame" | "dialogue" | "screen_text"
    text: str
    score: float = 0.0

    def as_json(self) -> dict:
        return {"t": round(self.t, 3), "end": None if self.end is None else round(self.end, 3),
                "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Moment:
    start: float
    end: float
    score: float
    evidence: tuple[Evidence, ...]
    reason: str = "text"  # "text" | "visual" | "focus"


@dataclass(frozen=True)
class Retrieval:
    question: str
    window: Window
    moments: list[Moment]
    found: bool
    focus: tuple[float, float] | None = None
    indexed: tuple[tuple[float, float], ...] = ()  # the parts of the film whose picture is indexed
    complete: bool = True
    visual_labels: tuple[str, ...] = field(default_factory=tuple)
    confidence: float = 1.0  # the probability that the moments answer the question (core.calibration)

    @property
    def evidence(self) -> list[Evidence]:
        items: dict = {}
        for e in (e for m in self.moments for e in m.evidence):
            key = (e.kind, e.t, e.text)
            if key not in items or e.score > items[key].score:
                items[key] = e
        return sorted(items.values(), key=lambda e: (e.t, e.kind != "frame"))


def keywords(text: str) -> list[str]:
    """Content words of a question, lower-cased, without stop words."""
    words = re.findall(r"[a-z0-9][a-z0-9']*", text.lower())
    return [w.strip("'") for w in words if w not in STOPWORDS and len(w) > 1 and not w.endswith("'s")] + \
        [w[:-2] for w in words if w.endswith("'s") and w[:-2] not in STOPWORDS]


def stem(word: str) -> str:
    """A light suffix stripper, enough to match "sailors" with "sailor", "lives" with "live" and
    "assembled" with "assemble"."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def topic_words(question: str) -> set[str]:
    """The stems of what a question is about (its content words minus words of intent)."""
    return {stem(w) for w in keywords(question) if w not in INTENT_WORDS}



def fts_query(text: str) -> str:
    """An FTS5 query that matches any content word (each quoted, so no word is read as syntax)."""
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(keywords(text)))


def time_focus(question: str, window: Window, duration_s: float, scenes: list[dict],
               now: float | None = None) -> tuple[float, float] | None:
    """The part of the film a question points at, if it names one. ``now``: where the viewer is (the
    player's position); without it, "just now" means the end of the window."""
    q = question.lower()
    edge = now if now is not None else window.end if window.end is not None else duration_s
    match = re.search(r"\b(?:at|around|near|after|before)\s+(\d{1,2}:\d{2}(?::\d{2})?)", q)
    if match:
        t = parse_time(match.group(1))
        return (max(0.0, t - 30), t + 30)
    if re.search(r"\b(just happen|just now|right now|this scene|who is this|what is this|last few minutes|"
                 r"what happened there|what's happening|what is happening)", q):
        return (max(0.0, edge - EDGE_S), edge)
    if re.search(r"\b(first scene|opening|beginning|start of the film|at the start)\b", q):
        return (scenes[0]["start"], scenes[0]["end"]) if scenes else (0.0, min(edge, 60.0))
    if re.search(r"\b(last scene|the end\b|ending|final scene)", q):
        return (scenes[-1]["start"], scenes[-1]["end"]) if scenes else (max(0.0, edge - 60), edge)
    if now is not None and RECENT_WORDS & set(re.findall(r"[a-z]+", q)):
        return (max(0.0, now - EDGE_S), now)  # asked while watching: "just", "a moment ago" mean before the playhead
    return None


class Retriever:
    """Holds the models a question needs (vision encoder and text embedder), loaded once and kept warm."""

    def __init__(self, store: Store, encoder, embedder) -> None:
        self.store, self.encoder, self.embedder = store, encoder, embedder
        self._cache: dict[int, WindowedFrames] = {}

    def _frames(self, film_id: int, window: Window):
        """The window's frames; a question that narrows to a time focus reads just that part."""
        if window is not None and not window.unrestricted and len(window.ranges) == 1 \
                and window.ranges[0][1] - window.ranges[0][0] <= 600:
            return self.store.frames_in_window(film_id, self.encoder.id, window)
        if film_id not in self._cache:
            self._cache = {film_id: WindowedFrames(self.store, film_id, self.encoder.id)}  # one film at a time
        return self._cache[film_id].get(window)

    def retrieve(self, film: Film, question: str, window: Window, max_moments: int = MAX_MOMENTS,
                 now: float | None = None) -> Retrieval:
        store, encoder = self.store, self.encoder
        indexed, complete = index_coverage(store, film)
        scenes = store.scenes_in_window(film.id, encoder.id, window)
        focus = time_focus(question, window, film.duration_s, scenes, now)
        search_window = window.clip(*focus) if focus else window
        lines = store.lines_in_window(film.id, search_window)
        text_scores, answered = self._score_lines(film, question, lines, search_window)
        text_found = answered >= calibration.load().not_found_below
        frames = self._frames(film.id, search_window)
        queries = encoder.question_queries(question)
        visual = np.zeros(len(frames.times), np.float32)
        if len(frames.times):
            ctx = context_tokens(queries.vectors, frames.patches, weights=queries.weights)
            visual = encoder.relevance(ctx, frames.content, queries)
        visual_found = queries.confidence >= VISUAL_FOUND_CONFIDENCE and bool(len(visual)) \
            and float(visual.max()) >= VISUAL_FOUND_P
        moments = self._moments(lines, text_scores, frames, visual, visual_found, focus)
        moments = _merge(moments)[:max_moments]
        moments.sort(key=lambda m: m.start)
        return Retrieval(
            question=question, window=window, moments=moments, focus=focus,
            found=bool(moments) and (text_found or visual_found or focus is not None),
            indexed=indexed, complete=complete,
            visual_labels=queries.labels if visual_found else (),
            confidence=1.0 if focus is not None else max(answered, 1.0 if visual_found else 0.0))

    def picture(self, film: Film, question: str, retrieval: Retrieval):
        """A question about the picture (colour or black and white, light or dark, a colour, a thing seen)
        answered from the window's measured frames (core.picture), or None when it is not one or the
        picture is not indexed. The part it measures: the question's time focus, or for "what colour is
        ...?" the best moment found."""
        from core import picture

        ask = picture.picture_question(question)
        probabilities = getattr(self.encoder, "concept_probabilities", None)
        if ask is None or (ask.kind == "thing" and probabilities is None):
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
        return picture.answer_picture(ask, frames, probabilities, where, moment)

    def dialogue_signals(self, film, question, lines, window) -> tuple[np.ndarray, np.ndarray]:
        """Per line of the window: the cosine of its moment (the line with its neighbours) to the
        question, and its BM25 from the Porter-stemmed full-text index (0 where it does not match)."""
        if not lines:
            return np.zeros(0), np.zeros(0)
        position = {line.id: i for i, line in enumerate(lines)}
        bm25 = np.zeros(len(lines))
        for line_id, score in self.store.search_lines(film.id, fts_query(question), window, limit=200).items():
            if line_id in position:
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
            group = [lines[j] for j in range(max(0, i - 1), min(len(lines), i + 2))
                     if abs(lines[j].start - lines[i].start) <= 6.0]
            start, end = min(l.start for l in group), max(l.end for l in group)
            evidence = [Evidence(l.start, l.end, l.kind, l.text, float(text_scores[i]) if l is lines[i] else 0.0)
                        for l in group]
            evidence += self._frame_evidence(frames, start, end)
            moments.append(Moment(start, end, float(text_scores[i]), tuple(evidence)))
        if visual_found:
            best_text = max((m.score for m in moments), default=0.0)
            for j in np.argsort(-visual)[:2]:
                t = float(frames.times[j])
                evidence = self._frame_evidence(frames, t, t) + [
                    Evidence(l.start, l.end, l.kind, l.text) for l in lines if abs(l.start - t) <= 3.0]
                moments.append(Moment(t - 1.5, t + 1.5, max(best_text, 0.05) * (1.0 + float(visual[j])),
                                      tuple(evidence), "visual"))
        if focus is not None:
            recent = [l for l in lines if focus[0] <= l.start <= focus[1]][-4:]
            for l in recent:
                evidence = [Evidence(l.start, l.end, l.kind, l.text)] + self._frame_evidence(frames, l.start, l.end)
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


def describe_frame(encoder, frames, j: int) -> str:
    """Words for what a frame shows: classifier guesses (marked as such) and measured colours."""
    concepts = [f"{name} ({p:.0%})" for name, p in encoder.concepts(frames.content[j:j + 1], top=3)[0] if p >= 0.1]
    colours = [name for name, _ in frames.colours(j)]
    level = float(frames.brightness[j])
    if level < 0.18:
        colours.append("dark")
    elif level > 0.75:
        colours.append("bright")
    parts = []
    if concepts:
        parts.append("looks like " + ", ".join(concepts))
    if colours:
        parts.append("colours: " + ", ".join(colours))
    return "; ".join(parts) or "a frame"


def _merge(moments: list[Moment]) -> list[Moment]:
    """Merge moments that overlap (or nearly touch), keeping the best score; best first."""
    merged: list[Moment] = []
    for m in sorted(moments, key=lambda m: -m.score):
        for k, other in enumerate(merged):
            overlaps = m.start <= other.end and other.start <= m.end
            if overlaps and max(m.end, other.end) - min(m.start, other.start) <= MAX_MOMENT_S:
                evidence: dict = {}
                for e in other.evidence + m.evidence:  # the same line may come scored and unscored
                    key = (e.kind, e.t, e.text)
                    if key not in evidence or e.score > evidence[key].score:
                        evidence[key] = e
                merged[k] = Moment(min(m.start, other.start), max(m.end, other.end), other.score,
                                   tuple(sorted(evidence.values(), key=lambda e: e.t)), other.reason)
                break
        else:
            merged.append(m)
    return merged
