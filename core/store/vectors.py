"""Vectors as little-endian float16 blobs, with their length checked on every read."""

from __future__ import annotations

import sys

import numpy as np

from core.errors import StoreError

F16 = np.dtype("<f2")


def pack(vector: np.ndarray) -> bytes:
    """Any float array -> little-endian float16 bytes (values beyond float16's range are clipped)."""
    return np.clip(np.asarray(vector, dtype=np.float32), -65504, 65504).astype(F16).tobytes()


def unpack(blob: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """float16 bytes -> float32 array of ``shape``; raise StoreError if the length does not match."""
    expected = int(np.prod(shape)) * F16.itemsize
    if blob is None or len(blob) != expected:
        got = "nothing" if blob is None else f"{len(blob)} bytes"
        raise StoreError(f"stored vector has {got}, expected {expected} bytes for shape {shape}")
    return np.frombuffer(blob, dtype=F16).astype(np.float32).reshape(shape)


def unpack_many(blobs: list[bytes], shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """Several blobs of one shape -> one (N, *shape) array (float32, or float16 as stored), each length
    checked."""
    expected = int(np.prod(shape)) * F16.itemsize
    for blob in blobs:
        if blob is None or len(blob) != expected:
            raise StoreError(f"stored vector has {0 if blob is None else len(blob)} bytes, expected {expected}")
    if not blobs:
        return np.zeros((0, *shape), dtype)
    stored = np.empty((len(blobs), *shape), dtype=F16)
    flat = stored.reshape(len(blobs), -1)
    for i, blob in enumerate(blobs):  # no joined copy of the whole film's bytes
        flat[i] = np.frombuffer(blob, dtype=F16)
    if dtype == np.float16:
        return stored
    torch = sys.modules.get("torch")  # converts several times faster than numpy's astype, when loaded
    if torch is not None:  # (answering a question does not load it just for this)
        return torch.from_numpy(stored).float().numpy()
    return stored.astype(np.float32)
