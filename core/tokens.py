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
    q = _tensor(queries).float()  # (M, C)
    k_all = _tensor(keys)  # (F, P, C)
    v_all = k_all if values is None else _tensor(values)
    if q.ndim != 2 or k_all.ndim != 3 or q.shape[1] != k_all.shape[2] or v_all.shape[:2] != k_all.shape[:2]:
        raise ValueError(f"shape mismatch: queries {tuple(q.shape)}, keys {tuple(k_all.shape)}, "
                         f"values {tuple(v_all.shape)}")
    m, c = q.shape
    w = torch.full((m,), 1.0 / m) if weights is None else _tensor(weights).float().reshape(m)
    w = w / w.sum()
    f_all, p = k_all.shape[0], k_all.shape[1]
    out = torch.empty((f_all, v_all.shape[2]), dtype=torch.float32)
    scale = 1.0 / np.sqrt(c)
    with torch.inference_mode():
        for start in range(0, f_all, chunk):
            k = k_all[start:start + chunk].float()  # (f, P, C), float16 in storage
            v = k if values is None else v_all[start:start + chunk].float()  # (f, P, C)
            f = k.shape[0]
            scores = (k.reshape(f * p, c) @ q.T).reshape(f, p, m) * scale  # one GEMM: (f, P, M)
            attn = torch.softmax(scores, dim=1)  # over the patches of each frame
            # the mean over queries of attn_m @ V equals (sum_m w_m attn_m) @ V: mix once
            mixed = attn @ w  # (f, P)
            out[start:start + chunk] = torch.bmm(mixed.unsqueeze(1), v).squeeze(1)  # (f, C)
    return out.numpy()


def attention_weights(queries, keys) -> np.ndarray:
    """softmax(Q K^T / sqrt(C)) for every frame: (F, M, P). Shows which patch each query looks at."""
    q, k = _tensor(queries).float(), _tensor(keys).float()
    with torch.inference_mode():
        return torch.softmax(torch.einsum("mc,fpc->fmp", q, k) / np.sqrt(q.shape[1]), dim=-1).numpy()


def _tensor(x) -> torch.Tensor:
    """A float tensor; float16 arrays stay float16 (converted chunk by chunk by the caller)."""
    if isinstance(x, torch.Tensor):
        return x.detach() if x.dtype in (torch.float16, torch.float32) else x.detach().float()
    x = np.asarray(x)
    if x.dtype != np.float16:
        x = x.astype(np.float32, copy=False)
    return torch.from_numpy(np.ascontiguousarray(x))
