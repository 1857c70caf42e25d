"""The SQLite store: films, per-frame tokens, dialogue (with FTS5), scenes and indexing progress."""

from core.store.db import Film, FrameBatch, Store, open_store
from core.store.fingerprint import fingerprint

__all__ = ["Film", "FrameBatch", "Store", "open_store", "fingerprint"]
