"""One SQLite database per user, in WAL mode with foreign keys on. The indexer is the only writer;
readers open their own :class:`Store`."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import sqlite_utils

from core import coverage
from core.config import DB_NAME, default_home
from core.errors import StoreError
from core.media.probe import MediaInfo
from core.media.subtitles import DialogueLine, DialogueSource
from core.store import vectors
from core.store.migrations import migrations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Film:
    """A film the store knows, identified by content."""

    id: int
    fingerprint: str
    path: str
    title: str
    duration_s: float
    fps: float | None
    width: int | None
    height: int | None

    def as_json(self) -> dict:
        return {"id": self.id, "path": self.path, "title": self.title, "duration_s": round(self.duration_s, 3)}


@dataclass(frozen=True)
class FrameBatch:
    """Frames read back from the store: times (F,), content (F, C) float32, patches (F, P, C) float16
    (converted chunk by chunk where they are used: a 2-hour film's grid is 74 MB as float16)."""

    times: np.ndarray
    content: np.ndarray
    patches: np.ndarray
    brightness: np.ndarray
    colours_json: list[str]
    colourfulness: np.ndarray | None = None  # (F,), NaN where not measured (frames of an older index)

    def colours(self, j: int) -> list:
        """Frame j's named colours, [[name, share], ...] (parsed only for the frames described)."""
        return json.loads(self.colours_json[j] or "[]")

    def all_colours(self) -> list[list]:
        return [self.colours(j) for j in range(len(self.times))]


def open_store(home: str | Path | None = None) -> "Store":
    """Open (creating and migrating as needed) the database in ``home`` (default: the user's data dir)."""
    home = Path(home) if home else default_home()
    home.mkdir(parents=True, exist_ok=True)
    return Store(home / DB_NAME)


_MIGRATING = threading.Lock()


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.home = self.path.parent
        self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._prepare()

    def _prepare(self) -> None:
        """Set the file's layout and bring the schema up to date. Connections of one process take turns;
        another process doing this to the same new database at the same moment makes SQLite answer
        "locked" at once (switching to WAL and upgrading a read lock do not wait), so that is retried."""
        for attempt in range(20):
            try:
                with _MIGRATING:
                    # A frame row holds ~12.5 KiB of vectors: 16 KiB pages keep it on one page instead of an
                    # overflow chain of four (reads of a whole film's frames are ~2x faster). Takes effect
                    # on a new database only.
                    self.conn.execute("PRAGMA page_size=16384")
                    self.conn.execute("PRAGMA journal_mode=WAL")
                    migrations.apply(sqlite_utils.Database(self.conn))
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 19:
                    raise
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                time.sleep(0.1 * (attempt + 1))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # films -------------------------------------------------------------------------------------
    def ensure_film(self, fingerprint: str, info: MediaInfo) -> Film:
        """Find the film by content, updating its path if it moved; add it if new."""
        streams = json.dumps([s.__dict__ for s in info.streams])
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO films (fingerprint, path, title, size, duration_s, fps, width, height,
                                      video_codec, streams)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (fingerprint) DO UPDATE SET path = excluded.path, seen_at = datetime('now')""",
                (fingerprint, str(info.path), info.title, info.size, info.duration_s, info.fps, info.width,
                 info.height, info.video_codec, streams),
            )
        return self.film_by_fingerprint(fingerprint)

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
            with self.transaction() as conn:
                conn.execute("INSERT INTO encoders (id, dim, grid) VALUES (?, ?, ?)", (encoder_id, dim, grid))
        elif (row["dim"], row["grid"]) != (dim, grid):
            raise StoreError(f"encoder {encoder_id} is stored with dim {row['dim']} grid {row['grid']}, "
                             f"not dim {dim} grid {grid}")

    def encoder_shape(self, encoder_id: str) -> tuple[int, int]:
        row = self.conn.execute("SELECT dim, grid FROM encoders WHERE id = ?", (encoder_id,)).fetchone()
        if row is None:
            raise StoreError(f"no frames were ever stored with encoder {encoder_id}")
        return row["dim"], row["grid"]

    def progress(self, film_id: int, encoder_id: str, fps: float) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM index_progress WHERE film_id = ? AND encoder_id = ? AND fps = ?",
            (film_id, encoder_id, fps)).fetchone()

    def latest_progress(self, film_id: int) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM index_progress WHERE film_id = ? ORDER BY complete DESC, updated_at DESC LIMIT 1",
            (film_id,)).fetchone()

    def add_frames(self, film_id: int, encoder_id: str, fps: float, times: Sequence[float],
                   content: np.ndarray, patches: np.ndarray, colours: Sequence, seconds: float,
                   after: float | None = None) -> int:
        """Store one batch of frames and how far indexing got, in one transaction: the batch covers
        the film from ``after`` (exclusive; None = the start) to its last frame. Frames already
        stored are skipped, so running a job twice adds nothing. Returns the number added."""
        rows = [
            (film_id, encoder_id, float(t), vectors.pack(c), vectors.pack(p), col.brightness,
             json.dumps(col.colours), col.colourfulness)
            for t, c, p, col in zip(times, content, patches, colours)
        ]
        with self.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                """INSERT OR IGNORE INTO frames (film_id, encoder_id, t, content, patches, brightness, colours,
                                                 colourfulness)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", rows)
            added = conn.total_changes - before
            self._record_progress(conn, film_id, encoder_id, fps, (after, max(times)), seconds)
        return added

    def covered(self, film_id: int, encoder_id: str, fps: float) -> list[tuple[float, float]]:
        """The indexed ranges of the film (see core.coverage)."""
        row = self.progress(film_id, encoder_id, fps)
        return coverage.loads(row["covered"]) if row else []

    def _record_progress(self, conn, film_id, encoder_id, fps, span, seconds, complete=0, error=None):
        """Adds ``span`` = (after, until) to the covered ranges (None: nothing new covered)."""
        row = conn.execute("SELECT covered FROM index_progress WHERE film_id = ? AND encoder_id = ? AND fps = ?",
                           (film_id, encoder_id, fps)).fetchone()
        covered = coverage.loads(row[0]) if row else []
        if span is not None:
            after, until = span
            covered = coverage.add(covered, coverage.START if after is None else after, until)
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
            (film_id, encoder_id, fps, coverage.prefix_end(covered), coverage.dumps(covered), complete, seconds,
             error))

    def finish_progress(self, film_id: int, encoder_id: str, fps: float, span: tuple | None,
                        complete: bool, seconds: float = 0.0, error: str | None = None) -> None:
        """Record the end of a stretch of indexing: ``span`` (after, until) now covered, if any."""
        with self.transaction() as conn:
            self._record_progress(conn, film_id, encoder_id, fps, span, seconds, int(complete), error)

    # frames -------------------------------------------------------------------------------------
    def frame_count(self, film_id: int, encoder_id: str | None = None) -> int:
        if encoder_id is None:
            return self.conn.execute("SELECT count(*) FROM frames WHERE film_id = ?", (film_id,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM frames WHERE film_id = ? AND encoder_id = ?",
                                 (film_id, encoder_id)).fetchone()[0]

    def frame_times(self, film_id: int, encoder_id: str) -> list[float]:
        return [r[0] for r in self.conn.execute(
            "SELECT t FROM frames WHERE film_id = ? AND encoder_id = ? ORDER BY t", (film_id, encoder_id))]

    def bytes_per_frame(self, film_id: int, encoder_id: str) -> float:
        row = self.conn.execute(
            "SELECT avg(length(content) + length(patches) + 8 + length(coalesce(colours, '')) + 8) "
            "FROM frames WHERE film_id = ? AND encoder_id = ?", (film_id, encoder_id)).fetchone()
        return float(row[0] or 0.0)

    def load_frames(self, film_id: int, encoder_id: str, start: float | None = None,
                    end: float | None = None, with_patches: bool = True) -> FrameBatch:
        """Frames of a film between ``start`` and ``end`` (inclusive)."""
        from core.store.windowed import frames_in_window
        from core.window import Window

        window = Window.whole() if start is None and end is None else \
            Window(((-1.0 if start is None else start, 1e12 if end is None else end),))
        return frames_in_window(self, film_id, encoder_id, window, with_patches)

    # dialogue -----------------------------------------------------------------------------------
    def replace_dialogue(self, film_id: int, source: DialogueSource, lines: Sequence[DialogueLine]) -> None:
        """Store a source's dialogue, replacing what that source had, in one transaction."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM dialogue WHERE film_id = ? AND source = ?", (film_id, source.name))
            conn.executemany(
                'INSERT INTO dialogue (film_id, source, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                [(film_id, source.name, line.start, line.end, line.text) for line in lines])
            conn.execute(
                """INSERT INTO dialogue_sources (film_id, source, kind, language, lines) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (film_id, source) DO UPDATE SET lines = excluded.lines,
                       kind = excluded.kind, language = excluded.language""",
                (film_id, source.name, source.kind, source.language, len(lines)))

    def dialogue_sources(self, film_id: int) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT source, kind, language, lines FROM dialogue_sources WHERE film_id = ? ORDER BY source",
            (film_id,))]

    def dialogue_count(self, film_id: int) -> int:
        return self.conn.execute("SELECT count(*) FROM dialogue WHERE film_id = ?", (film_id,)).fetchone()[0]

    def dialogue(self, film_id: int, start: float | None = None, end: float | None = None) -> list[DialogueLine]:
        rows = self.conn.execute(
            'SELECT start, "end", text FROM dialogue WHERE film_id = ? AND start >= ? AND start <= ? ORDER BY start',
            (film_id, -1.0 if start is None else start, 1e12 if end is None else end))
        return [DialogueLine(r["start"], r["end"], r["text"]) for r in rows]

    def search_dialogue(self, film_id: int, query: str, limit: int = 20) -> list[tuple[DialogueLine, float]]:
        """Full-text search (FTS5, BM25) over one film's dialogue; best first, with the BM25 score."""
        rows = self.conn.execute(
            """SELECT d.start, d."end", d.text, bm25(dialogue_fts) AS score
               FROM dialogue_fts JOIN dialogue d ON d.id = dialogue_fts.rowid
               WHERE dialogue_fts MATCH ? AND d.film_id = ? ORDER BY score LIMIT ?""",
            (query, film_id, limit))
        return [(DialogueLine(r["start"], r["end"], r["text"]), -r["score"]) for r in rows]

    # scenes -------------------------------------------------------------------------------------
    def replace_scenes(self, film_id: int, encoder_id: str, scenes: Sequence[dict]) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM scenes WHERE film_id = ? AND encoder_id = ?", (film_id, encoder_id))
            conn.executemany(
                'INSERT INTO scenes (film_id, encoder_id, start, "end", tags) VALUES (?, ?, ?, ?, ?)',
                [(film_id, encoder_id, s["start"], s["end"], json.dumps(s["tags"])) for s in scenes])

    def scenes(self, film_id: int, encoder_id: str | None = None) -> list[dict]:
        if encoder_id is None:
            progress = self.latest_progress(film_id)
            if progress is None:
                return []
            encoder_id = progress["encoder_id"]
        return [{"start": r["start"], "end": r["end"], "tags": json.loads(r["tags"])} for r in self.conn.execute(
            'SELECT start, "end", tags FROM scenes WHERE film_id = ? AND encoder_id = ? ORDER BY start',
            (film_id, encoder_id))]


def _film(row: sqlite3.Row) -> Film:
    return Film(id=row["id"], fingerprint=row["fingerprint"], path=row["path"], title=row["title"],
                duration_s=row["duration_s"], fps=row["fps"], width=row["width"], height=row["height"])
