""" "The story so far": scenes inside the window, each with its time, key lines and visual tags; long
films are summarised in chunks of scenes, then the chunks. Cached per film, window and index state."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from core.colours import COLOUR_NAMES, LIGHT_TAGS
from core.spoiler_window import Window
from core.store import Film, Store
from core.text_embed import MiniLM, TextEmbedder
from core.timefmt import clock

MAX_PARTS = 12
COLOUR_WORDS = COLOUR_NAMES | LIGHT_TAGS


@dataclass(frozen=True)
class Recap:
    text: str
    citations: list[float]
    cached: bool = False


def recap(store: Store, film: Film, encoder_id: str, window: Window, embedder: TextEmbedder | None = None) -> Recap:
    """The story so far over ``window``; returns the cached recap if nothing changed since."""
    window_key = json.dumps(window.as_json(film.duration_s))
    index_key = _index_key(store, film.id, encoder_id)
    cached = store.cached_recap(film.id, window_key, index_key)
    if cached is not None:
        return Recap(*cached, cached=True)
    scenes = store.scenes_in_window(film.id, encoder_id, window)
    lines = store.lines_in_window(film.id, window)
    if not scenes and not lines:
        return Recap("Nothing has been watched and indexed yet.", [])
    if not scenes:
        scenes = [{"start": 0.0, "end": window.end or film.duration_s, "tags": []}]
    vectors = _vectors(store, film, lines, window, embedder)
    if vectors is None and lines:
        from core.dialogue import moment_texts
        from core.text_embed import default_embedder

        vectors = (embedder or default_embedder()).embed(moment_texts(lines))
    per = max(1, math.ceil(len(scenes) / MAX_PARTS))
    parts, citations = [], []
    for k in range(0, len(scenes), per):
        chunk = scenes[k : k + per]
        start, end = chunk[0]["start"], chunk[-1]["end"]
        inside = [i for i, l in enumerate(lines) if start <= l.start < end]
        key = _central(inside, vectors, 2 if per == 1 else 3)
        tags = [t for s in chunk for t in s["tags"] if t not in COLOUR_WORDS][:3]
        quotes = " ".join(
            f"“{' / '.join(lines[i].text.splitlines())}”" for i in sorted(key, key=lambda i: lines[i].start)
        )
        seen = f"(looks like {', '.join(dict.fromkeys(tags))}) " if tags else ""
        parts.append(f"{clock(start)}-{clock(end)}: {seen}{quotes}".rstrip())
        citations.append(round(start, 3))
    text = "\n".join(parts)
    store.save_recap(film.id, window_key, index_key, text, citations)
    return Recap(text, citations)


def _index_key(store: Store, film_id: int, encoder_id: str) -> str:
    frames = store.frame_count(film_id, encoder_id)
    return f"{frames}:{store.dialogue_count(film_id)}:{len(store.scenes(film_id, encoder_id))}"


def _vectors(store, film, lines, window, embedder) -> np.ndarray | None:
    if not lines:
        return None
    dim = embedder.dim if embedder else MiniLM.dim
    embedder_id = embedder.id if embedder else MiniLM.id
    ids, vectors = store.line_vectors(film.id, embedder_id, dim, window)
    if len(ids) == len(lines):
        return vectors
    return None


def _central(indices: list[int], vectors: np.ndarray | None, count: int) -> list[int]:
    """The lines most typical of a stretch (closest to its mean embedding)."""
    if not indices:
        return []
    if vectors is None:
        return []
    sub = vectors[indices]
    centre = sub.mean(axis=0)
    order = np.argsort(-(sub @ centre))
    return [indices[j] for j in order[:count]]
