"""A film's frames as the classifier sees them: every patch's logits for the 1000 ImageNet classes.

With the default encoder a question's query vectors are rows W[m] of the classifier (core.encoders.concepts),
and a context token's values are its keys (the patches K). So every number a question needs is a logit
L[f, p, k] = K[f, p] . W[k] of a patch:

- attention of query m on patch p of frame f: softmax over p of L[f, p, m] / sqrt(C);
- the context token's logit for class k: sum over p of mixed[f, p] L[f, p, k], mixed being the attention
  averaged over the queries with their weights (the context token is linear in the patches);
- the content token's logits G[f, k] (the mean of the whole 7x7 feature map, which the 2x2 grid's
  overlapping cells do not give back: kept beside L).

L and G are computed once, when frames are read for the first question (about 6 MFLOP a frame), and kept
as float16: 10 KB a frame (5 x 1000 logits), 72 MB for a 2-hour film at 1 frame per second, where the
float32 patch grids and content tokens took 184 MB. A question then reads only its M classes' columns
instead of every 1280-wide patch twice: the same scores, several times sooner."""

from __future__ import annotations

import numpy as np

CHUNK = 1024  # frames per matrix product while computing logits: bounded memory for a whole film


def logits(vectors: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """(F, ..., C) vectors (patch grids or content tokens, any float type) and a (K, C) classifier ->
    (F, ..., K) float16 logits without the bias, computed ``CHUNK`` frames at a time."""
    shape, dim = vectors.shape[:-1], vectors.shape[-1]
    out = np.empty((*shape, basis.shape[0]), np.float16)
    w = np.ascontiguousarray(basis, np.float32).T
    for start in range(0, shape[0], CHUNK):
        part = np.asarray(vectors[start : start + CHUNK], np.float32)
        out[start : start + CHUNK] = (part.reshape(-1, dim) @ w).reshape(*part.shape[:-1], basis.shape[0])
    return out


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n, K) float32 logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def relevance(
    patch: np.ndarray,
    content: np.ndarray,
    classes: list[int],
    weights: np.ndarray,
    bias: np.ndarray,
    dim: int,
    rerank: int,
) -> np.ndarray:
    """Each frame's probability of the question's classes, as EfficientNetLite0.relevance computes it from
    context and content tokens, given (F, P, K) patch and (F, K) content logits: all frames ranked by the
    classes' logits, the best ``rerank`` normalised exactly over all K classes. ``weights`` are the
    queries' weights (their mean weighs the attention; the classes' probabilities add up weighed relative
    to the best). Returns (F,) float32."""
    frames = patch.shape[0]
    scores = np.zeros(frames, np.float32)
    if frames == 0:
        return scores
    s = patch[:, :, classes].astype(np.float32)  # (F, P, M): the only columns most frames need
    attention = s * np.float32(1.0 / np.sqrt(dim))
    attention -= attention.max(axis=1, keepdims=True)
    np.exp(attention, out=attention)
    attention /= attention.sum(axis=1, keepdims=True)  # softmax over each frame's patches
    w = np.asarray(weights, np.float32)
    mixed = attention @ (w / w.sum())  # (F, P): the attention averaged over the queries
    b = bias[classes]
    context = np.einsum("fp,fpm->fm", mixed, s) + b
    raw = np.maximum(context, content[:, classes].astype(np.float32) + b).max(axis=1)
    best = np.argsort(-raw)[:rerank]
    chosen = patch[best].astype(np.float32)  # (R, P, K)
    relative = w / w.max()
    p_context = softmax(np.einsum("fp,fpk->fk", mixed[best], chosen) + bias)[:, classes] @ relative
    p_content = softmax(content[best].astype(np.float32) + bias)[:, classes] @ relative
    scores[best] = 0.5 * (p_context + p_content)
    return scores
