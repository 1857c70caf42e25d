"""Films (known by content), the encoders their frames were made with, and how far each is indexed."""

from __future__ import annotations

import json
import sqlite3

from core import coverage
from core.errors import StoreError
from core.media.probe import MediaInfo
from core.store.connection import Connection
from core.store.records import Film


class FilmTables(Connection):
    def ensure_film(self, fingerprint: str, info: MediaInfo) -> Film:
        """Find the film by content, updating its path if it moved; add it if new."""
        streams = json.dumps([s.__dict__ for s in info.streams])
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO films (fingerprint, path, title, size, duration_s, fps, width, height,
                                      video_codec, streams)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (fingerprint) DO UPDATE SET path = excluded.path, seen_at = datetime('now')""",
                (
                    fingerprint,
                    str(info.path),
                    info.title,
                    info.size,
                    info.duration_s,
                    info.fps,
                    info.width,
                    info.height,
                    info.video_codec,
                    streams,
                ),
            )
        film = self.film_by_fingerprint(fingerprint)
        assert film is not None  # just written
        return film

    def film_by_fingerprint(self, fingerprint: str) -> Film | None:
        row = self.conn.execute("SELECT * FROM films WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return _film(row) if row else None

    def film(self, film_id: int) -> Film | None:
        row = self.conn.execute("SELECT * FROM films WHERE id = ?", (film_id,)).fetchone()
        return _film(row) if row else None

    def films(self) -> list[Film]:
        return [_film(r) for r in self.conn.execute("SELECT * FROM films ORDER BY title")]

    # encoders and progress ---------------------------------------------------------------------
    def ensure_encoder(self, encoder_id: str, dim: int, grid: int) -> None:
        row = self.conn.execute("SELECT dim, grid FROM encoders WHERE id = ?", (encoder_id,)).fetchone()
        if row is None:
            # two processes recording one new encoder at once (the indexer and the answerer in a new data
            # folder) both find it missing: the second's insert does nothing, then its shape is checked
            with self.transaction() as conn:
                conn.execute("INSERT OR IGNORE INTO encoders (id, dim, grid) VALUES (?, ?, ?)", (encoder_id, dim, grid))
                row = conn.execute("SELECT dim, grid FROM encoders WHERE id = ?", (encoder_id,)).fetchone()
        if (row["dim"], row["grid"]) != (dim, grid):
            raise StoreError(
                f"encoder {encoder_id} is stored with dim {row['dim']} grid {row['grid']}, not dim {dim} grid {grid}"
            )

    def encoder_shape(self, encoder_id: str) -> tuple[int, int]:
        row = self.conn.execute("SELECT dim, grid FROM encoders WHERE id = ?", (encoder_id,)).fetchone()
        if row is None:
            raise StoreError(f"no frames were ever stored with encoder {encoder_id}")
        return row["dim"], row["grid"]

    def progress(self, film_id: int, encoder_id: str, fps: float) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM index_progress WHERE film_id = ? AND encoder_id = ? AND fps = ?", (film_id, encoder_id, fps)
        ).fetchone()

    def latest_progress(self, film_id: int) -> sqlite3.Row | None:
        """The film's index that answers read: a finished one first, else the latest at work; an index at a
        frame rate before its rough pass (``ROUGH``, whose row only says how far the rough pass got)."""
        return self.conn.execute(
            """SELECT * FROM index_progress WHERE film_id = ?
               ORDER BY fps > 0 DESC, complete DESC, updated_at DESC LIMIT 1""",
            (film_id,),
        ).fetchone()

    def rough_covered(self, film_id: int, encoder_id: str) -> list[tuple[float, float]]:
        """The ranges the rough pass covered (see core.coverage); [] for an index made without one."""
        return self.covered(film_id, encoder_id, ROUGH)

    def covered(self, film_id: int, encoder_id: str, fps: float) -> list[tuple[float, float]]:
        """The indexed ranges of the film (see core.coverage)."""
        row = self.progress(film_id, encoder_id, fps)
        return coverage.loads(row["covered"]) if row else []

    def _record_progress(self, conn, film_id, encoder_id, fps, span, seconds, complete=0, error=None) -> None:
        """Adds ``span`` = (after, until) to the covered ranges (None: nothing new covered)."""
        row = conn.execute(
            "SELECT covered FROM index_progress WHERE film_id = ? AND encoder_id = ? AND fps = ?",
            (film_id, encoder_id, fps),
        ).fetchone()
        covered = coverage.loads(row[0]) if row else []
        if span is not None:
            after, until = span
            covered = coverage.add(covered, coverage.START if after is None else after, until)
            if fps != ROUGH:  # the rough pass's frames give way where the full pass has been
                conn.execute(
                    "DELETE FROM frames WHERE film_id = ? AND encoder_id = ? AND rough = 1 AND t > ? AND t <= ?",
                    (film_id, encoder_id, coverage.START if after is None else after, until),
                )
        if complete and fps != ROUGH:
            conn.execute("DELETE FROM frames WHERE film_id = ? AND encoder_id = ? AND rough = 1", (film_id, encoder_id))
        conn.execute(
            """INSERT INTO index_progress (film_id, encoder_id, fps, indexed_until_s, covered, complete, seconds,
                                           last_error)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (film_id, encoder_id, fps) DO UPDATE SET
                   indexed_until_s = excluded.indexed_until_s,
                   covered = excluded.covered,
                   complete = max(complete, excluded.complete),
                   seconds = seconds + excluded.seconds,
                   last_error = excluded.last_error,
                   updated_at = datetime('now')""",
            (film_id, encoder_id, fps, coverage.prefix_end(covered), coverage.dumps(covered), complete, seconds, error),
        )

    def finish_progress(
        self,
        film_id: int,
        encoder_id: str,
        fps: float,
        span: tuple | None,
        complete: bool,
        seconds: float = 0.0,
        error: str | None = None,
    ) -> None:
        """Record the end of a stretch of indexing: ``span`` (after, until) now covered, if any."""
        with self.transaction() as conn:
            self._record_progress(conn, film_id, encoder_id, fps, span, seconds, int(complete), error)


ROUGH = 0.0  # the frame rate recorded for the rough pass (key frames, core.media.keyframes)


def _film(row: sqlite3.Row) -> Film:
    return Film(
        id=row["id"],
        fingerprint=row["fingerprint"],
        path=row["path"],
        title=row["title"],
        duration_s=row["duration_s"],
        fps=row["fps"],
        width=row["width"],
        height=row["height"],
    )
