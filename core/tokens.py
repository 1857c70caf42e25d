"""LLaMA-VID's two tokens per frame.

content token: the frame's patch features X (N, C) average-pooled to one vector (question-independent);
context token: text-guided attention over the frame's patches,
    mean over the M queries of softmax(Q K^T / sqrt(C)) V,
computed here for thousands of frames in one batched pass.
"""

from __future__ import annotations

import numpy as np


def content_token(feature_map):
    """feature_map (B, C, H, W) torch tensor -> content tokens (B, C), the mean over all H*W patches."""
    return feature_map.mean(dim=(2, 3))


def pooled_grid(feature_map, grid: int):
    """feature_map (B, C, H, W) torch tensor -> patch grid (B, grid*grid, C), average-pooled to grid x
    grid cells."""
    import torch.nn.functional as F

    pooled = F.adaptive_avg_pool2d(feature_map, grid)  # (B, C, g, g)
    return pooled.flatten(2).transpose(1, 2).contiguous()  # (B, g*g, C)


def context_tokens(
    queries: np.ndarray,
    keys: np.ndarray,
    values: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    chunk: int = 4096,
) -> np.ndarray:
    """Context token of every frame for one question.

    queries (M, C); keys (F, P, C); values (F, P, C), default the keys; weights (M,) for a weighted
    mean over queries (default uniform). Returns (F, C) float32. Frames are processed in chunks so
    that memory stays bounded for a whole film. NumPy only: question time never imports torch."""
    q = _array(queries)  # (M, C)
    k_all = np.asarray(keys)  # (F, P, C), float16 in storage
    v_all = k_all if values is None else np.asarray(values)
    if q.ndim != 2 or k_all.ndim != 3 or q.shape[1] != k_all.shape[2] or v_all.shape[:2] != k_all.shape[:2]:
        raise ValueError(
            f"shape mismatch: queries {tuple(q.shape)}, keys {tuple(k_all.shape)}, values {tuple(v_all.shape)}"
        )
    m, c = q.shape
    w = np.full(m, 1.0 / m, np.float32) if weights is None else _array(weights).reshape(m)
    w = w / w.sum()
    f_all, p = k_all.shape[0], k_all.shape[1]
    out = np.empty((f_all, v_all.shape[2]), dtype=np.float32)
    scale = np.float32(1.0 / np.sqrt(c))
    for start in range(0, f_all, chunk):
        k = _array(k_all[start : start + chunk])  # (f, P, C)
        v = k if values is None else _array(v_all[start : start + chunk])  # (f, P, C)
        f = k.shape[0]
        scores = (k.reshape(f * p, c) @ q.T).reshape(f, p, m) * scale  # one GEMM: (f, P, M)
        scores -= scores.max(axis=1, keepdims=True)
        attn = np.exp(scores)
        attn /= attn.sum(axis=1, keepdims=True)  # softmax over the patches of each frame
        # the mean over queries of attn_m @ V equals (sum_m w_m attn_m) @ V: mix once
        mixed = attn @ w  # (f, P)
        out[start : start + chunk] = (mixed[:, None, :] @ v)[:, 0]  # (f, C)
    return out


def attention_weights(queries, keys) -> np.ndarray:
    """softmax(Q K^T / sqrt(C)) for every frame: (F, M, P). Shows which patch each query looks at."""
    q, k = _array(queries), _array(keys)
    scores = np.einsum("mc,fpc->fmp", q, k) / np.float32(np.sqrt(q.shape[1]))
    scores -= scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def _array(x) -> np.ndarray:
    """A float32 array (torch tensors from tests and encoders too)."""
    if hasattr(x, "detach"):
        x = x.detach().float().numpy()
    return np.asarray(x, dtype=np.float32)
