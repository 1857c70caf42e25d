"""The store: one SQLite database with a table group per module (films and progress, frames and scenes,
dialogue, the viewer's own records). Every read and write of the database goes through it."""

from __future__ import annotations

from pathlib import Path

from core.config import DB_NAME, default_home
from core.store.dialogue import DialogueTables
from core.store.frames import FrameTables
from core.store.library import LibraryTables
from core.store.library_reads import LibraryReads
from core.store.viewing import ViewingTables


class Store(FrameTables, DialogueTables, ViewingTables, LibraryTables, LibraryReads):
    """``with open_store() as store: ...``; methods that write do so in one transaction each."""

    def __enter__(self) -> Store:
        return self


def open_store(home: str | Path | None = None) -> Store:
    """Open (creating and migrating as needed) the database in ``home`` (default: the user's data dir)."""
    home = Path(home) if home else default_home()
    home.mkdir(parents=True, exist_ok=True)
    return Store(home / DB_NAME)
