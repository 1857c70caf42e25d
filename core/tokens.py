"""LLaMA-VID's two tokens per frame.

content token: the frame's patch features X (N, C) average-pooled to one vector (question-independent);
context token: text-guided attention over the frame's patches,
    mean over the M queries of softmax(Q K^T / sqrt(C)) V,
computed here for thousands of frames in one batched pass.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def content_token(feature_map: torch.Tensor) -> torch.Tensor:
    """feature_map (B, C, H, W) -> content tokens (B, C), the mean over all H*W patches."""
    return feature_map.mean(dim=(2, 3))


def pooled_grid(feature_map: torch.Tensor, grid: int) -> torch.Tensor:
    """feature_map (B, C, H, W) -> patch grid (B, grid*grid, C), average-pooled to grid x grid cells."""
    pooled = F.adaptive_avg_pool2d(feature_map, grid)  # (B, C, g, g)
    return pooled.flatten(2).transpose(1, 2).contiguous()  # (B, g*g, C)


def context_tokens(
    queries: np.ndarray | torch.Tensor,
    keys: np.ndarray | torch.Tensor,
    values: np.ndarray | torch.Tensor | None = None,
    weights: np.ndarray | torch.Tensor | None = None,
    chunk: int = 4096,
) -> np.ndarray:
    """Context token of every frame for one question.

    queries (M, C); keys (F, P, C); values (F, P, C), default the keys; weights (M,) for a weighted
    mean over queries (default uniform). Returns (F, C) float32. Frames are processed in chunks so
    that memory stays bounded for a whole film."""
    q = _tensor(queries)  # (M, C)
    k_all = _tensor(keys)  # (F, P, C)
    v_all = k_all if values is None else _tensor(values)
    if q.ndim != 2 or k_all.ndim != 3 or q.shape[1] != k_all.shape[2] or v_all.shape[:2] != k_all.shape[:2]:
        raise ValueError(f"shape mismatch: queries {tuple(q.shape)}, keys {tuple(k_all.shape)}, "
                         f"values {tuple(v_all.shape)}")
    m, c = q.shape
    w = torch.full((m,), 1.0 / m) if weights is None else _tensor(weights).reshape(m)
    w = w / w.sum()
    out = torch.empty((k_all.shape[0], v_all.shape[2]), dtype=torch.float32)
    scale = 1.0 / np.sqrt(c)
    with torch.inference_mode():
        for start in range(0, k_all.shape[0], chunk):
            k = k_all[start:start + chunk]  # (f, P, C)
            v = v_all[start:start + chunk]  # (f, P, C)
            attn = torch.softmax(torch.einsum("mc,fpc->fmp", q, k) * scale, dim=-1)  # (f, M, P)
            mixed = torch.einsum("fmp,fpc->fmc", attn, v)  # (f, M, C)
            out[start:start + chunk] = torch.einsum("fmc,m->fc", mixed, w)
    return out.numpy()


def attention_weights(queries, keys) -> np.ndarray:
    """softmax(Q K^T / sqrt(C)) for every frame: (F, M, P). Shows which patch each query looks at."""
    q, k = _tensor(queries), _tensor(keys)
    with torch.inference_mode():
        return torch.softmax(torch.einsum("mc,fpc->fmp", q, k) / np.sqrt(q.shape[1]), dim=-1).numpy()


def _tensor(x) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float32)
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
