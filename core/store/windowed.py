"""Reads restricted to a question's window, applied in the SQL itself so that nothing outside the
window (a spoiler) is ever read from the database."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from core.store import vectors
from core.store.db import FrameBatch, Store
from core.window import Window


@dataclass(frozen=True)
class StoredLine:
    id: int
    start: float
    end: float
    text: str
    kind: str  # "dialogue" or "screen_text"


def lines_in_window(store: Store, film_id: int, window: Window) -> list[StoredLine]:
    """Every dialogue line (and on-screen text) that starts inside the window, in time order."""
    cond, params = window.sql("d.start")
    rows = store.conn.execute(
        f"""SELECT d.id, d.start, d."end", d.text, s.kind FROM dialogue d
            JOIN dialogue_sources s ON s.film_id = d.film_id AND s.source = d.source
            WHERE d.film_id = ? AND {cond} ORDER BY d.start, d.id""", (film_id, *params))
    return [StoredLine(r[0], r[1], r[2], r[3], "screen_text" if r[4] == "ocr" else "dialogue") for r in rows]


def search_lines(store: Store, film_id: int, fts_query: str, window: Window, limit: int = 30) -> dict[int, float]:
    """BM25 scores (higher is better) of the lines inside the window matching an FTS5 query."""
    if not fts_query:
        return {}
    cond, params = window.sql("d.start")
    rows = store.conn.execute(
        f"""SELECT d.id, bm25(dialogue_fts) FROM dialogue_fts JOIN dialogue d ON d.id = dialogue_fts.rowid
            WHERE dialogue_fts MATCH ? AND d.film_id = ? AND {cond}
            ORDER BY bm25(dialogue_fts) LIMIT ?""", (fts_query, film_id, *params, limit))
    return {r[0]: -r[1] for r in rows}


def line_vectors(store: Store, film_id: int, embedder_id: str, dim: int, window: Window):
    """(ids, (N, dim) vectors) of the moment embeddings of the lines inside the window."""
    cond, params = window.sql("d.start")
    rows = store.conn.execute(
        f"""SELECT v.dialogue_id, v.vector FROM dialogue_vectors v JOIN dialogue d ON d.id = v.dialogue_id
            WHERE d.film_id = ? AND v.embedder_id = ? AND {cond} ORDER BY d.start""",
        (film_id, embedder_id, *params)).fetchall()
    return [r[0] for r in rows], vectors.unpack_many([r[1] for r in rows], (dim,))


def missing_line_vectors(store: Store, film_id: int, embedder_id: str) -> list[int]:
    return [r[0] for r in store.conn.execute(
        """SELECT d.id FROM dialogue d LEFT JOIN dialogue_vectors v
               ON v.dialogue_id = d.id AND v.embedder_id = ?
           WHERE d.film_id = ? AND v.dialogue_id IS NULL""", (embedder_id, film_id))]


def store_line_vectors(store: Store, embedder_id: str, ids: list[int], matrix: np.ndarray) -> None:
    with store.transaction() as conn:
        conn.executemany("INSERT OR REPLACE INTO dialogue_vectors (dialogue_id, embedder_id, vector) VALUES (?, ?, ?)",
                         [(i, embedder_id, vectors.pack(v)) for i, v in zip(ids, matrix)])


FRAME_COLUMNS = "id, t, content, {patches}, brightness, colours, colourfulness"


def frame_rows(store: Store, film_id: int, encoder_id: str, window: Window, with_patches: bool = True,
               extra: str = "", extra_params=()) -> list:
    """Rows (id, t, content, patches, brightness, colours, colourfulness) of the frames inside the window, in time
    order; ``extra`` narrows the SQL further (for example to rows not read before)."""
    cond, params = window.sql("t")
    columns = FRAME_COLUMNS.format(patches="patches" if with_patches else "NULL")
    return store.conn.execute(
        f"""SELECT {columns} FROM frames WHERE film_id = ? AND encoder_id = ? AND {cond} {extra} ORDER BY t""",
        (film_id, encoder_id, *params, *extra_params)).fetchall()


def batch_from_rows(rows, dim: int, grid: int, with_patches: bool = True,
                    patches_dtype=np.float16) -> FrameBatch:
    """Frame rows -> FrameBatch, every vector's length checked."""
    return FrameBatch(
        times=np.array([r[1] for r in rows], np.float64),
        content=vectors.unpack_many([r[2] for r in rows], (dim,)),
        patches=vectors.unpack_many([r[3] for r in rows], (grid * grid, dim), patches_dtype) if with_patches
        else np.zeros((len(rows), 0, dim), patches_dtype),
        brightness=np.array([r[4] or 0.0 for r in rows], np.float32),
        colours_json=[r[5] for r in rows],
        colourfulness=np.array([np.nan if r[6] is None else r[6] for r in rows], np.float32),
    )


def frames_in_window(store: Store, film_id: int, encoder_id: str, window: Window,
                     with_patches: bool = True) -> FrameBatch:
    """The frames inside the window, with their tokens, read by a windowed SQL query."""
    dim, grid = store.encoder_shape(encoder_id)
    rows = frame_rows(store, film_id, encoder_id, window, with_patches)
    return batch_from_rows(rows, dim, grid, with_patches)


def scenes_in_window(store: Store, film_id: int, encoder_id: str, window: Window) -> list[dict]:
    """Scenes that start inside the window; their end is clipped to the window's end."""
    cond, params = window.sql("start")
    rows = store.conn.execute(
        f"""SELECT start, "end", tags FROM scenes WHERE film_id = ? AND encoder_id = ? AND {cond}
            ORDER BY start""", (film_id, encoder_id, *params))
    end = window.end
    return [{"start": r[0], "end": r[1] if end is None else min(r[1], end), "tags": json.loads(r[2])} for r in rows]
