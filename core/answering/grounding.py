"""Grounding is the system's job, not the model's: check generated sentences against the evidence,
attribute citations by overlap, and build an extractive answer that needs no model at all."""

from __future__ import annotations

import re

from core.evidence import Evidence, Retrieval
from core.question import keywords, stem
from core.timefmt import clock, parse_time

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“(\[])")
_TIME = re.compile(r"\[?\b(\d{1,2}:\d{2}(?::\d{2})?)\b\]?")
_NAME_OR_NUMBER = re.compile(r"\b([A-Z][a-z]+|\d+(?:[.,]\d+)?)\b")
EXCHANGE_S = 6.0  # the lines quoted around the best one: as far as the moment that was searched
UNSURE_QUOTES = 3
SECOND_QUOTE = 0.75
# Words of telling and showing that an answer may use without the evidence containing them.
TELLING = {
    "sing",
    "sings",
    "sang",
    "sung",
    "singing",
    "song",
    "tell",
    "tells",
    "told",
    "call",
    "calls",
    "called",
    "ask",
    "asks",
    "asked",
    "answer",
    "answers",
    "introduce",
    "introduces",
    "describe",
    "describes",
    "mention",
    "mentions",
    "appear",
    "appears",
    "look",
    "looks",
    "talk",
    "talks",
    "speak",
    "speaks",
    "reply",
    "replies",
    "claim",
    "claims",
    "explain",
    "explains",
    "shout",
    "shouts",
    "whisper",
    "whispers",
    "name",
    "named",
    "himself",
    "herself",
    "line",
    "lines",
    "moment",
    "evidence",
    "film",
}


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def _vocabulary(texts) -> set[str]:
    return {stem(w) for text in texts for w in keywords(text)}


def _said_or_measured(e: Evidence) -> str:
    """The part of a piece of evidence an answer may rest on: what is said, and measured colours; the
    classifier's guesses ("looks like ...") are never facts."""
    if e.kind != "frame":
        return e.text
    return " ".join(part for part in e.text.split(";") if "looks like" not in part)


def sentence_supported(sentence: str, evidence: list[Evidence], question: str) -> bool:
    """A sentence stands only if every name, number and content word in it appears in what the
    evidence says (or the question), apart from words of telling ("sings", "says", "called")."""
    texts = [_said_or_measured(e) for e in evidence]
    allowed = _vocabulary([*texts, question]) | {stem(w) for w in TELLING}
    raw = " ".join(texts) + " " + question
    body = _TIME.sub(" ", sentence)
    for token in _NAME_OR_NUMBER.findall(body):
        if token.lower() not in raw.lower() and token.lower() not in STOP_NAMES:
            return False
    words = [stem(w) for w in keywords(body)]
    return bool(words) and all(w in allowed for w in words)


STOP_NAMES = {
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "in",
    "at",
    "on",
    "this",
    "that",
    "there",
    "then",
    "yes",
    "no",
    "his",
    "her",
    "their",
    "we",
    "i",
    "you",
    "when",
    "after",
    "before",
    "while",
}


def cite(sentence: str, evidence: list[Evidence], window_contains) -> list[float]:
    """The moments a sentence rests on: evidence items sharing content words with it (best first),
    plus any times it names that fall on evidence; never a time outside the window."""
    words = {stem(w) for w in keywords(_TIME.sub(" ", sentence))}
    scored = []
    for e in evidence:
        overlap = len(words & _vocabulary([e.text]))
        if overlap:
            scored.append((overlap, e.t))
    times = [t for _, t in sorted(scored, key=lambda x: -x[0])[:2]]
    evidence_times = [e.t for e in evidence]
    for stamp in _TIME.findall(sentence):
        t = parse_time(stamp)
        near = [et for et in evidence_times if abs(et - t) <= 2.0]
        if near:
            times.append(near[0])
    return sorted({round(t, 3) for t in times if window_contains(t)})


def confidently_absent(retrieval: Retrieval) -> bool:
    """Whether the calibrated probability that the window answers is low enough to say it does not
    (core.calibration; a threshold fitted for 95% precision, or never when the fit found none)."""
    from core import calibration

    return retrieval.confidence < calibration.load().not_found_below


def not_found(retrieval: Retrieval) -> str:
    """No moment answers: "Nothing ... shows that." when that is a confident decision, else say so
    without claiming the film does not show it (a question about the picture, for instance, that the
    picture's measurements cannot settle)."""
    if retrieval.window.unrestricted:
        where = "the film" if retrieval.complete else "the part of the film indexed so far"
    else:
        where = "what you've watched so far"
    if confidently_absent(retrieval):
        return f"Nothing in {where} shows that."
    return f"I'm not sure: nothing I can see or hear in {where} answers that clearly."


def extractive_answer(retrieval: Retrieval, max_quotes: int = 2) -> tuple[str, list[float]]:
    """An answer made of the best evidence itself: "At 0:13: “I'm Sinbad the sailor / So hearty and hale”".

    Returns the text and the cited times. Needs no model and takes milliseconds."""
    if not retrieval.found or not retrieval.moments:
        return not_found(retrieval), []
    if retrieval.focus is not None and any(m.reason == "focus" for m in retrieval.moments):
        return _recent(retrieval)
    ranked = sorted(retrieval.moments, key=lambda m: -m.score)
    hedge = hedging(retrieval.confidence)
    if hedge == "not sure":  # the closest moments, for the viewer to judge
        best = ranked[: max(max_quotes, UNSURE_QUOTES)]
    else:  # a second quote only when it is nearly as good as the first: one clear answer reads better
        best = [m for m in ranked[:max_quotes] if m.score >= SECOND_QUOTE * ranked[0].score]
    sentences, citations = [], []
    for moment in sorted(best, key=lambda m: m.start):
        said = sorted((e for e in moment.evidence if e.kind != "frame"), key=lambda e: -e.score)
        seen = [e for e in moment.evidence if e.kind == "frame"]
        if said:
            top = said[0]
            # quote the lines around the best one too: a subtitle line is often half a sentence
            group = _sentence_around(top, said)
            quote = " / ".join(_quote(e.text) for e in group)
            verb = "on screen" if top.kind == "screen_text" else "someone says"
            sentences.append(f"At {clock(min(e.t for e in group))} {verb}: “{quote}”")
            citations.append(top.t)
        elif seen:
            sentences.append(f"At {clock(seen[0].t)} the picture {seen[0].text} (a guess from the image).")
            citations.append(seen[0].t)
    lead = {"probably": "Probably this:\n", "not sure": "I'm not sure; the closest moments are:\n"}.get(hedge, "")
    return lead + "\n".join(sentences), sorted(set(citations))


def hedging(confidence: float) -> str:
    """How sure an answer can sound, from the calibrated probability that its moments answer the
    question (thresholds fitted with it, core.calibration): "sure", "probably" or "not sure"."""
    from core import calibration

    model = calibration.load()
    if confidence >= model.sure_above:
        return "sure"
    if model.sure_above < 1.0 and confidence >= (model.not_found_below + model.sure_above) / 2:
        return "probably"  # only where the fit found a confidence at which answers are mostly right
    return "not sure"


def _sentence_around(top: Evidence, said: list[Evidence]) -> list[Evidence]:
    """The moment around the best line, as it was searched: the line with the lines just before and
    after it (an exchange: the line that matched is often the question or the cue, its neighbour the
    answer), each within EXCHANGE_S of it; a line that asks at the end is followed by its reply."""
    lines = sorted((e for e in said if e.kind == top.kind and abs(e.t - top.t) <= EXCHANGE_S), key=lambda e: e.t)
    i = lines.index(top)
    group = lines[max(0, i - 1) : i + 2]
    j = lines.index(group[-1]) + 1
    if j < len(lines) and group[-1].text.rstrip().endswith("?"):
        group.append(lines[j])  # a question is quoted with its reply: the reply is what answers it
    return group


def _recent(retrieval: Retrieval) -> tuple[str, list[float]]:
    """For "what just happened?": the last things said (and seen) before the window's edge."""
    items = [e for m in retrieval.moments if m.reason == "focus" for e in m.evidence]
    said = [e for e in items if e.kind != "frame"][-3:]
    seen = [e for e in items if e.kind == "frame"][-1:]
    lines = [f"At {clock(e.t)}: “{_quote(e.text)}”" for e in said]
    if not said and seen:
        lines.append(f"At {clock(seen[0].t)} the picture {seen[0].text} (a guess from the image).")
    citations = [e.t for e in said] or [e.t for e in seen]
    edge = retrieval.focus[1] if retrieval.focus else (retrieval.window.end or 0.0)
    return ("Just before " + clock(edge) + ":\n" + "\n".join(lines)) if lines else not_found(retrieval), sorted(
        set(citations)
    )


def _quote(text: str) -> str:
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())
