"""Which lines are most typical of a stretch of the film: those nearest the stretch's mean moment embedding
(core.recap's idea). Only lines inside the window are ranked, by vectors that hold nothing from outside it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.dialogue import moment_texts
from core.spoiler_window import Window
from core.store import Film, Store, StoredLine
from core.text_embed import MiniLM, TextEmbedder

NEAR_DUPLICATE = 0.9  # cosine above which two quotes say the same thing
MIN_QUOTE_WORDS = 3  # "Yes." is typical of any film; a quote should say something


def line_vectors(
    store: Store, film: Film, lines: Sequence[StoredLine], window: Window, embedder: TextEmbedder | None = None
) -> np.ndarray:
    """(N, dim) unit moment vectors of ``lines`` (the lines inside ``window``, in their order).

    Stored vectors are used where they exist. A stored moment joins a line with its neighbours, so the lines
    at the edges of a limited window, whose neighbour may lie outside it, are embedded again from the lines
    inside it: which lines a watched-so-far summary quotes must not depend on a line after the boundary.
    Lines with no stored vector are embedded too (the default MiniLM, loaded only when needed)."""
    dim = embedder.dim if embedder else MiniLM.dim
    embedder_id = embedder.id if embedder else MiniLM.id
    out = np.zeros((len(lines), dim), np.float32)
    if not lines:
        return out
    ids, stored = store.line_vectors(film.id, embedder_id, dim, window)
    by_id = dict(zip(ids, stored))
    fresh = {i for i, line in enumerate(lines) if line.id not in by_id} | edge_lines(lines, window)
    for i, line in enumerate(lines):
        if i not in fresh:
            out[i] = by_id[line.id]
    if fresh:
        from core.text_embed import default_embedder

        todo = sorted(fresh)
        texts = moment_texts(lines)
        out[todo] = (embedder or default_embedder()).embed([texts[i] for i in todo])
    return out


def edge_lines(lines: Sequence[StoredLine], window: Window) -> set[int]:
    """Indices of the first and last line inside each range of a limited window (none for the whole film;
    no first line for a range that starts the film, where there is nothing before it)."""
    if window.ranges is None:
        return set()
    edges: set[int] = set()
    for a, b in window.ranges:
        inside = [i for i, line in enumerate(lines) if a <= line.start <= b]
        if inside:
            edges.add(inside[-1])
            if a > 0:
                edges.add(inside[0])
    return edges


def central(indices: Sequence[int], vectors: np.ndarray, count: int) -> list[int]:
    """The ``count`` lines among ``indices`` closest to their mean embedding, most typical first."""
    if not indices or not len(vectors):
        return []
    sub = vectors[list(indices)]
    order = np.argsort(-(sub @ sub.mean(axis=0)), kind="stable")
    return [indices[j] for j in order[:count]]


def typical_quotes(lines: Sequence[StoredLine], vectors: np.ndarray, count: int = 6) -> list[int]:
    """Indices of a handful of the lines most typical of the whole window, in time order: nearest the
    window's mean embedding, skipping very short lines (where longer ones exist) and near-duplicates."""
    if not lines:
        return []
    candidates = [i for i, line in enumerate(lines) if len(line.text.split()) >= MIN_QUOTE_WORDS]
    candidates = candidates or list(range(len(lines)))
    picked: list[int] = []
    seen_texts: set[str] = set()
    for i in central(candidates, vectors, len(candidates)):
        text = " ".join(lines[i].text.split()).casefold()
        if text in seen_texts or any(float(vectors[i] @ vectors[j]) > NEAR_DUPLICATE for j in picked):
            continue
        picked.append(i)
        seen_texts.add(text)
        if len(picked) == count:
            break
    return sorted(picked, key=lambda i: (lines[i].start, lines[i].id))
