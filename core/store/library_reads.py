"""Reads across the films of the library, each film inside its own window (applied in the SQL, as for one
film): the lines, their full-text matches and the scenes. The moment vectors are read for all films at
once and kept (they are numbers, not text); a search uses only those of lines read inside the windows."""

from __future__ import annotations

import json

from core.spoiler_window import Window
from core.store.connection import Connection
from core.store.dialogue import PREFERRED


def _films_sql(windows: dict[int, Window], column: str, film_column: str) -> tuple[str, list]:
    """A condition keeping rows of these films inside each film's window: the films searched whole in one
    ``IN`` over a JSON list (any number of them), the few with a narrower window (started films, when
    spoiler-free) each with its own ranges."""
    whole = [film_id for film_id, window in windows.items() if window.ranges is None]
    parts = [f"{film_column} IN (SELECT value FROM json_each(?))"] if whole else []
    params: list = [json.dumps(whole)] if whole else []
    for film_id, window in windows.items():
        if window.ranges is not None:
            cond, window_params = window.sql(column)
            parts.append(f"({film_column} = ? AND {cond})")
            params += [film_id, *window_params]
    return ("(" + " OR ".join(parts) + ")") if parts else "0", params


class LibraryReads(Connection):
    def library_lines(self, windows: dict[int, Window]) -> list[tuple[int, int, float, str]]:
        """(id, film id, start, text) of every line inside its film's window."""
        cond, params = _films_sql(windows, "start", "film_id")
        return [
            tuple(r)
            for r in self.conn.execute(
                f"SELECT d.id, d.film_id, d.start, d.text FROM dialogue d WHERE {cond} AND {PREFERRED}", params
            )
        ]

    def search_library_lines(self, fts_query: str, windows: dict[int, Window], limit: int = 200) -> dict[int, float]:
        """BM25 scores (higher is better) of the lines inside their films' windows matching the query."""
        if not fts_query or not windows:
            return {}
        cond, params = _films_sql(windows, "d.start", "d.film_id")
        rows = self.conn.execute(
            f"""SELECT d.id, bm25(dialogue_fts) FROM dialogue_fts JOIN dialogue d ON d.id = dialogue_fts.rowid
                WHERE dialogue_fts MATCH ? AND {cond} AND {PREFERRED} ORDER BY bm25(dialogue_fts) LIMIT ?""",
            (fts_query, *params, limit),
        )
        return {r[0]: -r[1] for r in rows}

    def library_vector_state(self, embedder_id: str) -> tuple[int, int]:
        """(count, largest line id) of the stored moment vectors: changes when vectors are added."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(dialogue_id), 0) FROM dialogue_vectors WHERE embedder_id = ?",
            (embedder_id,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def library_line_vectors(self, embedder_id: str) -> list[tuple[int, bytes]]:
        """(line id, vector blob) of every stored moment vector of this embedder."""
        return [
            tuple(r)
            for r in self.conn.execute(
                "SELECT dialogue_id, vector FROM dialogue_vectors WHERE embedder_id = ? ORDER BY dialogue_id",
                (embedder_id,),
            )
        ]

    def library_scenes(self, windows: dict[int, Window]) -> list[tuple[int, float, float, list[str]]]:
        """(film id, start, end, tags) of the scenes that start inside their film's window (a scene that runs
        on past it keeps no tags: they were measured over all its frames, later ones included)."""
        cond, params = _films_sql(windows, "start", "film_id")
        rows = self.conn.execute(
            f'SELECT film_id, start, "end", tags FROM scenes WHERE {cond} ORDER BY film_id, start', params
        )
        return [(r[0], r[1], r[2], json.loads(r[3]) if windows[r[0]].covers(r[1], r[2]) else []) for r in rows]
