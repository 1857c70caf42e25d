"""Conversations about a film, kept per film across restarts; follow-ups retrieve from the film again."""

from __future__ import annotations

import json

from core.store import Store


def start(store: Store, film_id: int) -> int:
    with store.transaction() as conn:
        return conn.execute("INSERT INTO conversations (film_id) VALUES (?)", (film_id,)).lastrowid


def latest(store: Store, film_id: int) -> int | None:
    row = store.conn.execute("SELECT id FROM conversations WHERE film_id = ? ORDER BY id DESC LIMIT 1",
                             (film_id,)).fetchone()
    return row[0] if row else None


def add_turn(store: Store, conversation_id: int, answer) -> None:
    """Store one question and its answer (with citations, evidence and the window it used)."""
    data = answer.as_json()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO turns (conversation_id, question, answer, citations, evidence, window) VALUES (?, ?, ?, ?, ?, ?)",
            (conversation_id, answer.question, answer.text, json.dumps(data["citations"]),
             json.dumps(data["evidence"]), json.dumps(data["window"])))


def history(store: Store, conversation_id: int) -> list[dict]:
    return [{"question": r[0], "answer": r[1], "citations": json.loads(r[2]), "window": json.loads(r[3])}
            for r in store.conn.execute(
                "SELECT question, answer, citations, window FROM turns WHERE conversation_id = ? ORDER BY id",
                (conversation_id,))]


def film_turns(store: Store, film_id: int, limit: int = 200) -> list[dict]:
    """The film's questions and answers across its conversations, oldest first (the chat history)."""
    rows = store.conn.execute(
        """SELECT t.question, t.answer, t.citations, t.evidence, t.window FROM turns t
           JOIN conversations c ON c.id = t.conversation_id WHERE c.film_id = ? ORDER BY t.id DESC LIMIT ?""",
        (film_id, limit)).fetchall()
    return [{"question": r[0], "answer": r[1], "citations": json.loads(r[2]), "evidence": json.loads(r[3] or "[]"),
             "window": json.loads(r[4])} for r in reversed(rows)]
