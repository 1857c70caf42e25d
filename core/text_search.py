"""BM25 over exactly the lines a question may use: the film's lines inside its spoiler window.

The store's full-text index holds every film's dialogue, so a BM25 read from it weighs each word by how
rare it is in the whole library: the same question on the same film scored its lines differently once
other films were indexed, and its words' rarity beyond the window leaked into the scores. Here the window's
lines are put into a private in-memory FTS5 table with the store's tokenizer (Porter stemming, Unicode
words, accents removed), and its bm25() gives each line's score with the film's own statistics: a few
milliseconds for a 2-hour film, kept for the next question on the same lines."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

TOKENIZER = "porter unicode61 remove_diacritics 2"  # as the store's dialogue_fts (core/store/migrations.py)


class LineSearch:
    """Full-text search of one set of lines; ``score`` gives BM25 (higher is better) of those matching."""

    def __init__(self, lines: Sequence) -> None:
        self.ids = tuple(line.id for line in lines)
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE lines USING fts5(text, tokenize='{TOKENIZER}')")
        with self._db:
            self._db.executemany("INSERT INTO lines (rowid, text) VALUES (?, ?)", ((l.id, l.text) for l in lines))

    def score(self, fts_query: str, limit: int = 200) -> dict[int, float]:
        """BM25 of the best ``limit`` lines matching an FTS5 query ({} for an empty query)."""
        if not fts_query:
            return {}
        rows = self._db.execute(
            "SELECT rowid, bm25(lines) FROM lines WHERE lines MATCH ? ORDER BY bm25(lines) LIMIT ?", (fts_query, limit)
        )
        return {rowid: -score for rowid, score in rows}

    def close(self) -> None:
        self._db.close()


class LineSearchCache:
    """The last set of lines searched, kept: questions asked while the window stays put reuse its table."""

    def __init__(self) -> None:
        self._last: LineSearch | None = None
        self._lock = threading.Lock()

    def score(self, lines: Sequence, fts_query: str, limit: int = 200) -> dict[int, float]:
        """BM25 of the best ``limit`` of these lines matching an FTS5 query."""
        ids = tuple(line.id for line in lines)
        with self._lock:
            if self._last is None or self._last.ids != ids:
                if self._last is not None:
                    self._last.close()
                self._last = LineSearch(lines)
            return self._last.score(fts_query, limit)
