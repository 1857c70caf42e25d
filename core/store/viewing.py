"""What belongs to the viewer rather than the film: ranges watched, where they left off, their
conversations about the film, and recaps made for them."""

from __future__ import annotations

import json

from core.spoiler_window import Range, merge_ranges
from core.store.connection import Connection
from core.turn import Turn


class ViewingTables(Connection):
    # watched ranges and position ------------------------------------------------------------------
    def watched(self, film_id: int) -> list[Range]:
        return [
            (r[0], r[1])
            for r in self.conn.execute('SELECT start, "end" FROM watched WHERE film_id = ? ORDER BY start', (film_id,))
        ]

    def add_watched(self, film_id: int, ranges) -> None:
        """Merge ``ranges`` into the film's watched ranges (watching only adds)."""
        with self.transaction() as conn:
            stored = [
                (r[0], r[1]) for r in conn.execute('SELECT start, "end" FROM watched WHERE film_id = ?', (film_id,))
            ]
            conn.execute("DELETE FROM watched WHERE film_id = ?", (film_id,))
            conn.executemany(
                'INSERT INTO watched (film_id, start, "end") VALUES (?, ?, ?)',
                [(film_id, a, b) for a, b in merge_ranges([*stored, *ranges])],
            )

    def save_position(self, film_id: int, position_s: float) -> None:
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO positions (film_id, position_s) VALUES (?, ?)
                            ON CONFLICT (film_id) DO UPDATE SET position_s = excluded.position_s,
                                updated_at = datetime('now')""",
                (film_id, float(position_s)),
            )

    def position(self, film_id: int) -> float | None:
        row = self.conn.execute("SELECT position_s FROM positions WHERE film_id = ?", (film_id,)).fetchone()
        return row[0] if row else None

    # conversations ---------------------------------------------------------------------------------
    def start_conversation(self, film_id: int) -> int:
        with self.transaction() as conn:
            return int(conn.execute("INSERT INTO conversations (film_id) VALUES (?)", (film_id,)).lastrowid or 0)

    def latest_conversation(self, film_id: int) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM conversations WHERE film_id = ? ORDER BY id DESC LIMIT 1", (film_id,)
        ).fetchone()
        return row[0] if row else None

    def add_turn(self, conversation_id: int, turn: Turn) -> None:
        """Store one question and its answer (with citations, evidence and the window it used)."""
        data = turn.as_json()
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO turns (conversation_id, question, answer, citations, evidence, window)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (
                    conversation_id,
                    turn.question,
                    turn.answer,
                    json.dumps(data["citations"]),
                    json.dumps(data["evidence"]),
                    json.dumps(data["window"]),
                ),
            )

    def turns(self, conversation_id: int) -> list[Turn]:
        """One conversation's turns, oldest first: question, answer, citations, evidence, window."""
        return [
            _turn(r)
            for r in self.conn.execute(
                "SELECT question, answer, citations, evidence, window FROM turns WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            )
        ]

    def film_turns(self, film_id: int, limit: int = 200) -> list[Turn]:
        """The film's questions and answers across its conversations, oldest first (the chat history)."""
        rows = self.conn.execute(
            """SELECT t.question, t.answer, t.citations, t.evidence, t.window FROM turns t
               JOIN conversations c ON c.id = t.conversation_id WHERE c.film_id = ? ORDER BY t.id DESC LIMIT ?""",
            (film_id, limit),
        ).fetchall()
        return [_turn(r) for r in reversed(rows)]

    # recaps ----------------------------------------------------------------------------------------
    def cached_recap(self, film_id: int, window_key: str, index_key: str) -> tuple[str, list[float]] | None:
        """A recap made for this window while the index was in the state ``index_key``, if any."""
        row = self.conn.execute(
            "SELECT index_key, text, citations FROM recaps WHERE film_id = ? AND window_key = ?", (film_id, window_key)
        ).fetchone()
        return (row[1], json.loads(row[2])) if row and row[0] == index_key else None

    def save_recap(self, film_id: int, window_key: str, index_key: str, text: str, citations: list[float]) -> None:
        with self.transaction() as conn:
            conn.execute(
                """INSERT OR REPLACE INTO recaps (film_id, window_key, index_key, text, citations)
                            VALUES (?, ?, ?, ?, ?)""",
                (film_id, window_key, index_key, text, json.dumps(citations)),
            )


def _turn(row) -> Turn:
    return Turn.from_json(
        {
            "question": row[0],
            "answer": row[1],
            "citations": json.loads(row[2]),
            "evidence": json.loads(row[3] or "[]"),
            "window": json.loads(row[4]),
        }
    )
