"""The SQLite connection every store table shares: its settings, migrations and transactions."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from core.errors import StoreError
from core.store.migrations import migrations

_MIGRATING = threading.Lock()


class Connection:
    """One connection to the database file, brought up to date when opened."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.home = self.path.parent
        self._writer: int | None = None  # the thread inside transaction(), if any
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
                    self._migrate(sqlite_utils.Database(self.conn))
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 19:
                    raise
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                time.sleep(0.1 * (attempt + 1))

    def _migrate(self, db: sqlite_utils.Database) -> None:
        """Apply the pending migrations holding the database's write lock, so that processes opening a new
        data folder at the same moment take turns: the first migrates, the others wait for it (busy timeout)
        and then find nothing left to do. Unlocked, two of them both saw a migration pending and the second
        failed ("duplicate column name", "table ... already exists"). An open that finds nothing pending,
        the usual case, takes no lock."""
        known = {m.name for m in migrations._migrations}
        newer = (
            [m.name for m in migrations.applied(db) if m.name not in known] if db["_sqlite_migrations"].exists() else []
        )
        if newer:
            raise StoreError(
                f"{self.path}: written by a newer Movie Buddy (its schema has {newer[-1]}); "
                "update Movie Buddy, or use another data folder (--home)"
            )
        if not migrations.pending(db):
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(db)  # each migration in a savepoint of this transaction
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all. It takes the write lock at
        once (BEGIN IMMEDIATE), so a read inside it sees what no other process can change before it
        commits. Opened inside another transaction of this thread it is part of that one (a savepoint):
        a store method can check and then call other writing methods, committing once."""
        if self._writer == threading.get_ident():
            self.conn.execute("SAVEPOINT inner")
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled it all back already (a full disk)
                    self.conn.execute("ROLLBACK TO inner")
                    self.conn.execute("RELEASE inner")
                raise
            else:
                self.conn.execute("RELEASE inner")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._writer = threading.get_ident()
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # after a full disk SQLite has rolled back by itself: a second ROLLBACK would hide the cause
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._writer = None
