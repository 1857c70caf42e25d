"""Per-frame tokens and scenes. Reads take a spoiler window, applied in the SQL itself, so that nothing
outside the window is ever read from the database."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from core.spoiler_window import Window
from core.store import vectors
from core.store.films import FilmTables
from core.store.records import FrameBatch

FRAME_COLUMNS = "id, t, content, {patches}, brightness, colours, colourfulness"


class FrameTables(FilmTables):
    def add_frames(
        self,
        film_id: int,
        encoder_id: str,
        fps: float,
        times: Sequence[float],
        content: np.ndarray,
        patches: np.ndarray,
        colours: Sequence,
        seconds: float,
        after: float | None = None,
        rough: bool = False,
    ) -> int:
        """Store one batch of frames and how far indexing got, in one transaction: the batch covers
        the film from ``after`` (exclusive; None = the start) to its last frame. Frames already
        stored are skipped, so running a job twice adds nothing. Returns the number added. ``rough``:
        frames of the rough pass (stored with fps ROUGH), replaced where the full pass comes; frames of the
        full pass replace the rough ones of the part they cover (in the same transaction)."""
        rows = [
            (
                film_id,
                encoder_id,
                float(t),
                vectors.pack(c),
                vectors.pack(p),
                col.brightness,
                json.dumps(col.colours),
                col.colourfulness,
                int(rough),
            )
            for t, c, p, col in zip(times, content, patches, colours)
        ]
        with self.transaction() as conn:
            self._record_progress(conn, film_id, encoder_id, fps, (after, max(times)), seconds)
            before = conn.total_changes
            conn.executemany(
                """INSERT OR IGNORE INTO frames (film_id, encoder_id, t, content, patches, brightness, colours,
                                                 colourfulness, rough)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )
            added = conn.total_changes - before
        return added

    def frame_count(self, film_id: int, encoder_id: str | None = None) -> int:
        if encoder_id is None:
            return self.conn.execute("SELECT count(*) FROM frames WHERE film_id = ?", (film_id,)).fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM frames WHERE film_id = ? AND encoder_id = ?", (film_id, encoder_id)
        ).fetchone()[0]

    def frame_times(self, film_id: int, encoder_id: str) -> list[float]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT t FROM frames WHERE film_id = ? AND encoder_id = ? ORDER BY t", (film_id, encoder_id)
            )
        ]

    def bytes_per_frame(self, film_id: int, encoder_id: str) -> float:
        row = self.conn.execute(
            "SELECT avg(length(content) + length(patches) + 8 + length(coalesce(colours, '')) + 8) "
            "FROM frames WHERE film_id = ? AND encoder_id = ?",
            (film_id, encoder_id),
        ).fetchone()
        return float(row[0] or 0.0)

    def frame_rows(
        self, film_id: int, encoder_id: str, window: Window, with_patches: bool = True, extra: str = "", extra_params=()
    ) -> list:
        """Rows (id, t, content, patches, brightness, colours, colourfulness) of the frames inside the window,
        in time order; ``extra`` narrows the SQL further (for example to rows not read before)."""
        cond, params = window.sql("t")
        columns = FRAME_COLUMNS.format(patches="patches" if with_patches else "NULL")
        return self.conn.execute(
            f"""SELECT {columns} FROM frames WHERE film_id = ? AND encoder_id = ? AND {cond} {extra} ORDER BY t""",
            (film_id, encoder_id, *params, *extra_params),
        ).fetchall()

    def frames_in_window(self, film_id: int, encoder_id: str, window: Window, with_patches: bool = True) -> FrameBatch:
        """The frames inside the window, with their tokens, read by a windowed SQL query."""
        dim, grid = self.encoder_shape(encoder_id)
        rows = self.frame_rows(film_id, encoder_id, window, with_patches)
        return batch_from_rows(rows, dim, grid, with_patches)

    # scenes -------------------------------------------------------------------------------------
    def replace_scenes(self, film_id: int, encoder_id: str, scenes: Sequence[dict]) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM scenes WHERE film_id = ? AND encoder_id = ?", (film_id, encoder_id))
            conn.executemany(
                'INSERT INTO scenes (film_id, encoder_id, start, "end", tags) VALUES (?, ?, ?, ?, ?)',
                [(film_id, encoder_id, s["start"], s["end"], json.dumps(s["tags"])) for s in scenes],
            )

    def scenes(self, film_id: int, encoder_id: str | None = None) -> list[dict]:
        """All the film's scenes (of its latest index when no encoder is named)."""
        if encoder_id is None:
            progress = self.latest_progress(film_id)
            if progress is None:
                return []
            encoder_id = progress["encoder_id"]
        return self.scenes_in_window(film_id, encoder_id, Window.whole())

    def scenes_in_window(self, film_id: int, encoder_id: str, window: Window) -> list[dict]:
        """Scenes that start inside the window; their end is clipped to the window's end. A scene that runs
        on past the window keeps no tags: they were measured over all its frames, later ones included."""
        cond, params = window.sql("start")
        rows = self.conn.execute(
            f"""SELECT start, "end", tags FROM scenes WHERE film_id = ? AND encoder_id = ? AND {cond}
                ORDER BY start""",
            (film_id, encoder_id, *params),
        )
        end = window.end
        return [
            {
                "start": r[0],
                "end": r[1] if end is None else min(r[1], end),
                "tags": json.loads(r[2]) if window.covers(r[0], r[1]) else [],
            }
            for r in rows
        ]


def batch_from_rows(rows, dim: int, grid: int, with_patches: bool = True, patches_dtype=np.float16) -> FrameBatch:
    """Frame rows -> FrameBatch, every vector's length checked."""
    return FrameBatch(
        times=np.array([r[1] for r in rows], np.float64),
        content=vectors.unpack_many([r[2] for r in rows], (dim,)),
        patches=vectors.unpack_many([r[3] for r in rows], (grid * grid, dim), patches_dtype)
        if with_patches
        else np.zeros((len(rows), 0, dim), patches_dtype),
        brightness=np.array([r[4] or 0.0 for r in rows], np.float32),
        colours_json=[r[5] for r in rows],
        colourfulness=np.array([np.nan if r[6] is None else r[6] for r in rows], np.float32),
    )
