"""The ImageNet concept bridge: a question -> the ImageNet classes it talks about, by sentence similarity."""

from __future__ import annotations

import functools

import numpy as np

from core.config import resource

TOP_CONCEPTS = 8
# Keep concepts this close to the best match; a question about "a dog" spreads over many breeds.
CONCEPT_MARGIN = 0.12
MIN_SIMILARITY = 0.2
TEMPERATURE = 0.05


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in class-index order."""
    labels = tuple(resource("imagenet-1k-labels.txt").read_text(encoding="utf-8").splitlines())
    if len(labels) != 1000:
        raise ValueError(f"expected 1000 ImageNet labels, found {len(labels)}")
    return labels


def match_concepts(question_vec: np.ndarray, label_vecs: np.ndarray, top: int = TOP_CONCEPTS):
    """Indices and weights of the concepts a question names: (idx (K,), weights (K,), similarities (K,)).

    question_vec (D,) and label_vecs (1000, D) are unit vectors. Weights favour closer concepts but
    keep several, since ImageNet splits one everyday word over many classes."""
    sims = label_vecs @ question_vec  # (1000,)
    order = np.argsort(-sims)[:top]
    best = sims[order[0]]
    keep = [i for i in order if sims[i] >= max(MIN_SIMILARITY, best - CONCEPT_MARGIN)] or [order[0]]
    idx = np.array(keep)
    logits = (sims[idx] - best) / TEMPERATURE
    weights = np.exp(logits) / np.exp(logits).sum()
    return idx, weights.astype(np.float32), sims[idx].astype(np.float32)


LABEL_EMBEDDINGS = "imagenet-1k-label-embeddings.npy"  # shipped: MiniLM vectors of the 1000 names, float16


def label_embeddings(embedder, cache_dir=None) -> np.ndarray:
    """(1000, D) unit vectors of the ImageNet class names. The default embedder's are shipped in
    resources/ (made by ``python -m core.encoders.concepts``), so a question needs no 1000-name
    embedding pass; another embedder's are computed once and cached."""
    from core.text_embed import MiniLM, cached_embeddings

    if embedder.id == MiniLM.id:
        try:
            vectors = np.load(resource(LABEL_EMBEDDINGS)).astype(np.float32)
            if vectors.shape == (1000, embedder.dim):
                return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        except (OSError, ValueError):
            pass
    return cached_embeddings(embedder, list(imagenet_labels()), cache_dir)


if __name__ == "__main__":  # writes the shipped label embeddings
    from core.config import RESOURCES
    from core.text_embed import default_embedder

    target = RESOURCES / LABEL_EMBEDDINGS
    np.save(target, default_embedder().embed(list(imagenet_labels())).astype(np.float16))
    print(target)
