"""A film's frames as the classifier sees them: every patch's logits for the 1000 ImageNet classes.

With the default encoder a question's query vectors are rows W[m] of the classifier (core.encoders.concepts),
and a context token's values are its keys (the patches K). So every number a question needs is a logit
L[f, p, k] = K[f, p] . W[k] of a patch:

- attention of query m on patch p of frame f: softmax over p of L[f, p, m] / sqrt(C);
- the context token's logit for class k: sum over p of mixed[f, p] L[f, p, k], mixed being the attention
  averaged over the queries with their weights (the context token is linear in the patches);
- the content token's logits G[f, k] (the mean of the whole 7x7 feature map, which the 2x2 grid's
  overlapping cells do not give back: kept beside L).

L and G are computed once, when frames are read for the first question (about 6 MFLOP a frame). G is kept
as float16; L as one byte a logit (``PatchLogits``: each patch's 1000 logits span 9-32 in real films, so a
step of 1/255 of that span is 0.04-0.13, within 0.02-0.06 of the value). That is 6 KB a frame, 43 MB for a
2-hour film at 1 frame per second, where the float32 patch grids and content tokens took 184 MB. A
question then reads only its M classes' columns instead of every 1280-wide patch twice: the same
answers, several times sooner."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class PatchLogits:
    """(F, P, K) logits kept as bytes: L[f, p, k] ~ low[f, p] + step[f, p] * codes[f, p, k], the bytes
    spanning each patch's own range (at most half a step off)."""

    codes: np.ndarray  # (F, P, K) uint8
    low: np.ndarray  # (F, P) float32
    step: np.ndarray  # (F, P) float32

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.codes.shape

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes + self.low.nbytes + self.step.nbytes

    def columns(self, classes: list[int]) -> np.ndarray:
        """(F, P, M) float32 logits of the given classes for every frame."""
        return self.low[:, :, None] + self.step[:, :, None] * self.codes[:, :, classes]

    def frames(self, index: np.ndarray) -> np.ndarray:
        """(R, P, K) float32 logits of the frames at ``index``."""
        return self.low[index][:, :, None] + self.step[index][:, :, None] * self.codes[index]


def quantise(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(..., K) logits -> uint8 codes (..., K), low (...) and step (...) float32 (see ``PatchLogits``)."""
    values = np.asarray(logits, np.float32)
    low = values.min(axis=-1)
    step = np.maximum(values.max(axis=-1) - low, np.float32(1e-6)) / np.float32(255)
    codes = np.rint((values - low[..., None]) / step[..., None])
    return codes.astype(np.uint8), low.astype(np.float32), step.astype(np.float32)


def patch_logits(patches: np.ndarray, basis: np.ndarray) -> PatchLogits:
    """(F, P, C) patch grids and a (K, C) classifier -> their logits as bytes, ``CHUNK`` frames at a time
    (a whole film's float logits are never held)."""
    parts = [quantise(logits(patches[start : start + CHUNK], basis)) for start in range(0, len(patches), CHUNK)]
    if not parts:
        p = patches.shape[1] if patches.ndim == 3 else 0
        return PatchLogits(
            np.zeros((0, p, len(basis)), np.uint8), np.zeros((0, p), np.float32), np.zeros((0, p), np.float32)
        )
    return PatchLogits(*(np.concatenate(arrays) for arrays in zip(*parts)))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n, K) float32 logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def relevance(
    patch: PatchLogits,
    content: np.ndarray,
    classes: list[int],
    weights: np.ndarray,
    bias: np.ndarray,
    dim: int,
    rerank: int,
) -> np.ndarray:
    """Each frame's probability of the question's classes, as EfficientNetLite0.relevance computes it from
    context and content tokens, given the patches' and (F, K) content logits: all frames ranked by the
    classes' logits, the best ``rerank`` normalised exactly over all K classes. ``weights`` are the
    queries' weights (their mean weighs the attention; the classes' probabilities add up weighed relative
    to the best). Returns (F,) float32."""
    frames = patch.shape[0]
    scores = np.zeros(frames, np.float32)
    if frames == 0:
        return scores
    s = patch.columns(classes)  # (F, P, M): the only columns most frames need
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
    chosen = patch.frames(best)  # (R, P, K)
    relative = w / w.max()
    p_context = softmax(np.einsum("fp,fpk->fk", mixed[best], chosen) + bias)[:, classes] @ relative
    p_content = softmax(content[best].astype(np.float32) + bias)[:, classes] @ relative
    scores[best] = 0.5 * (p_context + p_content)
    return scores
