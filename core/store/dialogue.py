"""A film's dialogue by source (subtitles, on-screen text, ...), its full-text index and its moment vectors.
Reads take a spoiler window, applied in the SQL itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.media.subtitles import DialogueLine, DialogueSource
from core.spoiler_window import Window
from core.store import vectors
from core.store.connection import Connection
from core.store.records import StoredLine

# When a film has several sources of dialogue, answers read one: the viewer's pick or else the best kind
# (``RANK``: text subtitles, then subtitles read from images, then recognised speech); on-screen text is
# read beside it. The others are kept and listed. A line of dialogue ``d`` is read when this holds.
PREFERRED = """EXISTS (SELECT 1 FROM dialogue_sources t WHERE t.film_id = d.film_id AND t.source = d.source
    AND t.used = 1)"""
RANK = {"sidecar": 0, "embedded": 0, "ocr_subtitle": 1, "asr": 2}
BESIDE = ("screen_text",)  # kinds always read beside the dialogue


class DialogueTables(Connection):
    def replace_dialogue(self, film_id: int, source: DialogueSource, lines: Sequence[DialogueLine]) -> None:
        """Store a source's dialogue, replacing what that source had, in one transaction."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM dialogue WHERE film_id = ? AND source = ?", (film_id, source.name))
            conn.executemany(
                'INSERT INTO dialogue (film_id, source, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                [(film_id, source.name, line.start, line.end, line.text) for line in lines],
            )
            conn.execute(
                """INSERT INTO dialogue_sources (film_id, source, kind, language, lines) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (film_id, source) DO UPDATE SET lines = excluded.lines,
                       kind = excluded.kind, language = excluded.language""",
                (film_id, source.name, source.kind, source.language, len(lines)),
            )
            _choose_used(conn, film_id)

    def append_dialogue(
        self, film_id: int, source: DialogueSource, lines: Sequence[DialogueLine], done_s: float
    ) -> None:
        """Add a slow source's lines for one more stretch of the film and how far it got, in one
        transaction (a run killed after it goes on from ``done_s``). Two runs of one source over one film
        (two ``moviebuddy index`` at once, the app's indexer beside the command) both start from the
        progress stored then: lines before the progress another run stored since are dropped here, under
        the write lock, and progress never goes back."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT done_s FROM dialogue_progress WHERE film_id = ? AND source = ?", (film_id, source.name)
            ).fetchone()
            if row is not None:
                lines = [line for line in lines if line.start >= row[0]]
                done_s = max(done_s, row[0])
            conn.executemany(
                'INSERT INTO dialogue (film_id, source, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                [(film_id, source.name, line.start, line.end, line.text) for line in lines],
            )
            count = conn.execute(
                "SELECT count(*) FROM dialogue WHERE film_id = ? AND source = ?", (film_id, source.name)
            ).fetchone()[0]
            conn.execute(
                """INSERT INTO dialogue_sources (film_id, source, kind, language, lines) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (film_id, source) DO UPDATE SET lines = excluded.lines,
                       kind = excluded.kind, language = excluded.language""",
                (film_id, source.name, source.kind, source.language, count),
            )
            _choose_used(conn, film_id)
            conn.execute(
                "INSERT OR REPLACE INTO dialogue_progress (film_id, source, done_s) VALUES (?, ?, ?)",
                (film_id, source.name, done_s),
            )

    def dialogue_progress(self, film_id: int, source: str) -> tuple[float, str | None] | None:
        """(seconds done, language) of a slow source, or None when it never ran."""
        row = self.conn.execute(
            """SELECT p.done_s, s.language FROM dialogue_progress p LEFT JOIN dialogue_sources s
               ON s.film_id = p.film_id AND s.source = p.source WHERE p.film_id = ? AND p.source = ?""",
            (film_id, source),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def dialogue_sources(self, film_id: int) -> list[dict]:
        """Each source: its name, kind, language, lines, whether answers read it (``used``) and whether the
        viewer picked it (``chosen``)."""
        rows = self.conn.execute(
            """SELECT source, kind, language, lines, used, chosen FROM dialogue_sources WHERE film_id = ?
               ORDER BY source""",
            (film_id,),
        )
        return [{**dict(r), "used": bool(r["used"]), "chosen": bool(r["chosen"])} for r in rows]

    def choose_dialogue(self, film_id: int, source: str | None) -> None:
        """Read this source's lines for answers from now on (None: the best one again). A source that is
        not the film's, or holds no lines, raises KeyError."""
        with self.transaction() as conn:
            if source is not None:
                row = conn.execute(
                    "SELECT lines, kind FROM dialogue_sources WHERE film_id = ? AND source = ?", (film_id, source)
                ).fetchone()
                if row is None or not row[0] or row[1] in BESIDE:
                    raise KeyError(source)
            conn.execute("UPDATE dialogue_sources SET chosen = (source IS ?) WHERE film_id = ?", (source, film_id))
            _choose_used(conn, film_id)

    def dialogue_count(self, film_id: int) -> int:
        return self.conn.execute("SELECT count(*) FROM dialogue WHERE film_id = ?", (film_id,)).fetchone()[0]

    def lines_in_window(self, film_id: int, window: Window) -> list[StoredLine]:
        """Every dialogue line (and on-screen text) that starts inside the window, in time order."""
        cond, params = window.sql("d.start")
        rows = self.conn.execute(
            f"""SELECT d.id, d.start, d."end", d.text, s.kind FROM dialogue d
                JOIN dialogue_sources s ON s.film_id = d.film_id AND s.source = d.source
                WHERE d.film_id = ? AND {cond} AND {PREFERRED} ORDER BY d.start, d.id""",
            (film_id, *params),
        )
        return [
            StoredLine(r[0], r[1], window.end_within(r[1], r[2]), r[3], "screen_text" if r[4] in BESIDE else "dialogue")
            for r in rows
        ]

    def search_lines(self, film_id: int, fts_query: str, window: Window, limit: int = 30) -> dict[int, float]:
        """BM25 scores (higher is better) of the lines inside the window matching an FTS5 query."""
        if not fts_query:
            return {}
        cond, params = window.sql("d.start")
        rows = self.conn.execute(
            # the rowid range keeps the full-text search to this film's lines (written together, so their ids
            # are close): 2 ms instead of 29 ms in a library of 500 films
            f"""SELECT d.id, bm25(dialogue_fts) FROM dialogue_fts JOIN dialogue d ON d.id = dialogue_fts.rowid
                WHERE dialogue_fts MATCH ? AND dialogue_fts.rowid
                    BETWEEN (SELECT min(id) FROM dialogue WHERE film_id = ?)
                    AND (SELECT max(id) FROM dialogue WHERE film_id = ?)
                AND d.film_id = ? AND {cond} AND {PREFERRED}
                ORDER BY bm25(dialogue_fts) LIMIT ?""",
            (fts_query, film_id, film_id, film_id, *params, limit),
        )
        return {r[0]: -r[1] for r in rows}

    def line_vectors(self, film_id: int, embedder_id: str, dim: int, window: Window) -> tuple[list[int], np.ndarray]:
        """(ids, (N, dim) vectors) of the moment embeddings of the lines inside the window."""
        cond, params = window.sql("d.start")
        rows = self.conn.execute(
            f"""SELECT v.dialogue_id, v.vector FROM dialogue_vectors v JOIN dialogue d ON d.id = v.dialogue_id
                WHERE d.film_id = ? AND v.embedder_id = ? AND {cond} AND {PREFERRED} ORDER BY d.start""",
            (film_id, embedder_id, *params),
        ).fetchall()
        return [r[0] for r in rows], vectors.unpack_many([r[1] for r in rows], (dim,))

    def missing_line_vectors(self, film_id: int, embedder_id: str) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                """SELECT d.id FROM dialogue d LEFT JOIN dialogue_vectors v
                   ON v.dialogue_id = d.id AND v.embedder_id = ?
               WHERE d.film_id = ? AND v.dialogue_id IS NULL""",
                (embedder_id, film_id),
            )
        ]

    def store_line_vectors(self, embedder_id: str, ids: list[int], matrix: np.ndarray) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO dialogue_vectors (dialogue_id, embedder_id, vector) VALUES (?, ?, ?)",
                [(i, embedder_id, vectors.pack(v)) for i, v in zip(ids, matrix)],
            )


def _choose_used(conn, film_id: int) -> None:
    """Mark which of the film's sources answers read: on-screen text, and one source of dialogue (the
    viewer's pick while it has lines, else the best kind, then the one with most lines)."""
    rows = conn.execute(
        "SELECT source, kind, lines, chosen FROM dialogue_sources WHERE film_id = ?", (film_id,)
    ).fetchall()
    spoken = [r for r in rows if r[1] not in BESIDE and r[2] > 0]
    best = min(spoken, key=lambda r: (not r[3], RANK.get(r[1], len(RANK)), -r[2], r[0]), default=None)
    conn.executemany(
        "UPDATE dialogue_sources SET used = ? WHERE film_id = ? AND source = ?",
        [(int(r[1] in BESIDE or (best is not None and r[0] == best[0])), film_id, r[0]) for r in rows],
    )
