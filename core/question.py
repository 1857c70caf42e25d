"""What a question asks, read from its words: its content words and their stems, the full-text query
it makes, and the part of the film it points at ("at 1:02:10", "in the first scene", "what just
happened?")."""

from __future__ import annotations

import re

from core.spoiler_window import Window
from core.timefmt import parse_time

STOPWORDS = set(
    """a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my myself
no nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours yourself yourselves
tell say says said show shows see seen scene film movie happen happens happened does did anything something
thing things one ones get got""".split()
)
EDGE_S = 150.0  # "what just happened" looks at this many seconds before the window's edge
# Words that place a question just before the viewer's position, when there is one (the player's playhead).
RECENT_WORDS = {"just", "recently", "ago", "last", "now"}
# Words that say what kind of answer is wanted rather than what it is about.
INTENT_WORDS = {
    "name",
    "named",
    "called",
    "introduce",
    "introduces",
    "introduced",
    "introduction",
    "himself",
    "herself",
    "themselves",
    "mean",
    "means",
    "doing",
    "talk",
    "talking",
    "speak",
    "speaking",
}


def keywords(text: str) -> list[str]:
    """Content words of a question, lower-cased, without stop words."""
    words = re.findall(r"[a-z0-9][a-z0-9']*", text.lower())
    return [w.strip("'") for w in words if w not in STOPWORDS and len(w) > 1 and not w.endswith("'s")] + [
        w[:-2] for w in words if w.endswith("'s") and w[:-2] not in STOPWORDS
    ]


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


def time_focus(
    question: str, window: Window, duration_s: float, scenes: list[dict], now: float | None = None
) -> tuple[float, float] | None:
    """The part of the film a question points at, if it names one, within the film and the window:
    "at 1:25" under --until 0:30 points at nothing the viewer may see, so at no part."""
    focus = _named_focus(question, window, duration_s, scenes, now)
    if focus is None:
        return None
    limit = duration_s if duration_s and duration_s > 0 else float("inf")
    if window.end is not None:
        limit = min(limit, window.end)
    start, end = max(0.0, focus[0]), min(focus[1], limit)
    return (start, end) if end > start else None


def _named_focus(
    question: str, window: Window, duration_s: float, scenes: list[dict], now: float | None = None
) -> tuple[float, float] | None:
    """The part a question names. ``now``: where the viewer is (the player's position); without it,
    "just now" means the end of the window."""
    q = question.lower()
    edge = now if now is not None else window.end if window.end is not None else duration_s
    match = re.search(r"\b(?:at|around|near|after|before)\s+(\d{1,2}:\d{2}(?::\d{2})?)", q)
    if match:
        t = parse_time(match.group(1))
        return (max(0.0, t - 30), t + 30)
    if re.search(
        r"\b(just happen|just now|right now|this scene|who is this|what is this|last few minutes|"
        r"what happened there|what's happening|what is happening)",
        q,
    ):
        return (max(0.0, edge - EDGE_S), edge)
    if re.search(r"\b(first scene|opening|beginning|start of the film|at the start)\b", q):
        return (scenes[0]["start"], scenes[0]["end"]) if scenes else (0.0, min(edge, 60.0))
    if re.search(r"\b(last scene|the end\b|ending|final scene)", q):
        return (scenes[-1]["start"], scenes[-1]["end"]) if scenes else (max(0.0, edge - 60), edge)
    if now is not None and RECENT_WORDS & set(re.findall(r"[a-z]+", q)):
        return (max(0.0, now - EDGE_S), now)  # asked while watching: "just", "a moment ago" mean before the playhead
    return None
