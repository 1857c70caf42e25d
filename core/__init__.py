"""Movie Buddy's core: everything that works without Qt (media, encoders, tokens, store, indexing, CLI)."""

__version__ = "0.1.0"
