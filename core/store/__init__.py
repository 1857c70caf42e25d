"""The SQLite store: films, per-frame tokens, dialogue (with FTS5), scenes, indexing progress and the
viewer's records. Every read and write of the database goes through ``Store``."""

from core.store.db import Store, open_store
from core.store.fingerprint import fingerprint
from core.store.records import Film, FrameBatch, StoredLine

__all__ = ["Film", "FrameBatch", "Store", "StoredLine", "fingerprint", "open_store"]
