"""Moments of dialogue: each line with its neighbours, the unit that questions are matched against, and
their sentence embeddings stored beside the lines."""

from __future__ import annotations

from core.spoiler_window import Window
from core.store import Store
from core.text_embed import TextEmbedder


def moment_texts(lines, neighbours: int = 1, max_gap_s: float = 10.0) -> list[str]:
    """Each line together with its neighbours (when they are close in time): the text of a moment."""
    texts = []
    for i, line in enumerate(lines):
        parts = []
        for j in range(max(0, i - neighbours), min(len(lines), i + neighbours + 1)):
            if abs(lines[j].start - line.start) <= max_gap_s + neighbours * 5:
                parts.append(lines[j].text.replace("\n", " "))
        texts.append(" / ".join(parts))
    return texts


def embed_moments(store: Store, film_id: int, embedder: TextEmbedder | None = None) -> int:
    """Store a sentence embedding for every dialogue line's moment that has none yet; returns how many."""
    from core.text_embed import MiniLM, default_embedder

    # which lines lack a vector is known before the model is loaded (4 s): a film already embedded, the
    # usual case when a film is opened again, costs one query
    missing = set(store.missing_line_vectors(film_id, embedder.id if embedder else MiniLM.id))
    if not missing:
        return 0
    embedder = embedder or default_embedder()
    lines = store.lines_in_window(film_id, Window.whole())
    texts = moment_texts(lines)
    todo = [(line.id, text) for line, text in zip(lines, texts) if line.id in missing]
    store.store_line_vectors(embedder.id, [i for i, _ in todo], embedder.embed([t for _, t in todo]))
    return len(todo)
