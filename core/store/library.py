"""The library's tables: the folders the viewer added, the files found in them, and the analysis queue."""

from __future__ import annotations

from dataclasses import dataclass

from core.store.connection import Connection

QUEUE_STATES = ("queued", "analysing", "done", "failed", "cancelled")


@dataclass(frozen=True)
class LibraryFile:
    """A file found in a library folder. ``kind``: "film", "sample", "trailer", "extra" or "not_a_film"
    (``problem`` says why, e.g. "no video stream")."""

    path: str
    folder: str
    size: int
    mtime: float
    kind: str
    film_id: int | None = None
    title: str | None = None
    year: int | None = None
    duration_s: float | None = None
    problem: str | None = None


@dataclass(frozen=True)
class QueueItem:
    path: str
    position: float
    state: str  # one of QUEUE_STATES
    problem: str | None = None


class LibraryTables(Connection):
    # folders ------------------------------------------------------------------------------------------
    def library_folders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM library_folders ORDER BY path")]

    def add_library_folder(self, path: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO library_folders (path) VALUES (?)", (path,))

    def remove_library_folder(self, path: str) -> None:
        """Forget the folder and the files found in it (the films' indexes are kept: they are known by
        content and come back if the folder is added again)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM library_folders WHERE path = ?", (path,))
            conn.execute("DELETE FROM library_files WHERE folder = ?", (path,))

    # files --------------------------------------------------------------------------------------------
    def library_files(self, folder: str | None = None) -> list[LibraryFile]:
        if folder is None:
            rows = self.conn.execute("SELECT * FROM library_files ORDER BY path")
        else:
            rows = self.conn.execute("SELECT * FROM library_files WHERE folder = ? ORDER BY path", (folder,))
        return [_file(r) for r in rows]

    def library_file(self, path: str) -> LibraryFile | None:
        row = self.conn.execute("SELECT * FROM library_files WHERE path = ?", (path,)).fetchone()
        return _file(row) if row else None

    def save_library_files(self, files: list[LibraryFile]) -> None:
        """Add or update files in one transaction."""
        with self.transaction() as conn:
            conn.executemany(
                """INSERT INTO library_files (path, folder, size, mtime, kind, film_id, title, year, duration_s,
                                              problem)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (path) DO UPDATE SET folder = excluded.folder, size = excluded.size,
                       mtime = excluded.mtime, kind = excluded.kind, film_id = excluded.film_id,
                       title = excluded.title, year = excluded.year, duration_s = excluded.duration_s,
                       problem = excluded.problem, seen_at = datetime('now')""",
                [
                    (f.path, f.folder, f.size, f.mtime, f.kind, f.film_id, f.title, f.year, f.duration_s, f.problem)
                    for f in files
                ],
            )

    def forget_library_files(self, paths: list[str]) -> None:
        with self.transaction() as conn:
            conn.executemany("DELETE FROM library_files WHERE path = ?", [(p,) for p in paths])

    # the analysis queue -------------------------------------------------------------------------------
    def queue_items(self, states: tuple[str, ...] = QUEUE_STATES) -> list[QueueItem]:
        marks = ", ".join("?" for _ in states)
        rows = self.conn.execute(
            f"SELECT path, position, state, problem FROM analysis_queue WHERE state IN ({marks}) ORDER BY position",
            states,
        )
        return [QueueItem(r[0], r[1], r[2], r[3]) for r in rows]

    def enqueue(self, paths: list[str]) -> None:
        """Put ``paths`` at the end of the queue (again, if they were done, failed or cancelled; a film
        already waiting keeps its place)."""
        with self.transaction() as conn:
            last = conn.execute("SELECT coalesce(max(position), 0) FROM analysis_queue").fetchone()[0]
            for k, path in enumerate(paths, 1):
                conn.execute(
                    """INSERT INTO analysis_queue (path, position, state) VALUES (?, ?, 'queued')
                       ON CONFLICT (path) DO UPDATE SET position = excluded.position, state = 'queued',
                           problem = NULL, updated_at = datetime('now')
                       WHERE analysis_queue.state NOT IN ('queued', 'analysing')""",
                    (path, last + k),
                )

    def set_queue_state(self, path: str, state: str, problem: str | None = None) -> None:
        if state not in QUEUE_STATES:
            raise ValueError(f"not a queue state: {state}")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE analysis_queue SET state = ?, problem = ?, updated_at = datetime('now') WHERE path = ?",
                (state, problem, path),
            )

    def move_in_queue(self, path: str, index: int) -> None:
        """Put a waiting film at ``index`` among the waiting films (0: next)."""
        with self.transaction() as conn:
            waiting = [
                r[0] for r in conn.execute("SELECT path FROM analysis_queue WHERE state = 'queued' ORDER BY position")
            ]
            if path not in waiting:
                return
            waiting.remove(path)
            waiting.insert(max(0, min(index, len(waiting))), path)
            first = conn.execute("SELECT coalesce(min(position), 0) FROM analysis_queue").fetchone()[0]
            conn.executemany(
                "UPDATE analysis_queue SET position = ? WHERE path = ?",
                [(first + k + 1, p) for k, p in enumerate(waiting)],
            )

    def rename_in_queue(self, old: str, new: str) -> None:
        """A queued film was moved or renamed: it keeps its place."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM analysis_queue WHERE path = ?", (new,))
            conn.execute("UPDATE analysis_queue SET path = ? WHERE path = ?", (new, old))

    def library_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM library_settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_library_setting(self, key: str, value: str | None) -> None:
        with self.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM library_settings WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO library_settings (key, value) VALUES (?, ?)", (key, value))


def _file(row) -> LibraryFile:
    return LibraryFile(
        row["path"],
        row["folder"],
        row["size"],
        row["mtime"],
        row["kind"],
        row["film_id"],
        row["title"],
        row["year"],
        row["duration_s"],
        row["problem"],
    )
