"""Identify a film by its content, so that a renamed or moved file keeps its index."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 64 * 1024
BLOCKS = 16


def fingerprint(path: str | Path) -> str:
    """``v1:<size>:<hash>`` over the size and BLOCKS evenly spaced 64 KiB blocks (first and last included).

    Reads about 1 MiB whatever the film's size, so it is instant on a 50 GB file."""
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(size).encode())
    with path.open("rb") as handle:
        if size <= BLOCK * BLOCKS:
            digest.update(handle.read())
        else:
            last = size - BLOCK
            for i in range(BLOCKS):
                handle.seek(last * i // (BLOCKS - 1))
                digest.update(handle.read(BLOCK))
    return f"v1:{size}:{digest.hexdigest()}"
