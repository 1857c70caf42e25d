"""The two tokens: content = mean of the patch grid; context = mean_q softmax(Q K^T / sqrt(C)) V."""

from __future__ import annotations

import numpy as np
import torch

from core.tokens import attention_weights, content_token, context_tokens, pooled_grid


def direct_context(q, k, v, w=None):
    """The formula written out frame by frame, query by query."""
    m, c = q.shape
    w = np.full(m, 1.0 / m) if w is None else np.asarray(w) / np.sum(w)
    out = []
    for f in range(k.shape[0]):
        acc = np.zeros(v.shape[2])
        for j in range(m):
            scores = k[f] @ q[j] / np.sqrt(c)
            a = np.exp(scores - scores.max())
            a /= a.sum()
            acc += w[j] * (a @ v[f])
        out.append(acc)
    return np.array(out)


def test_context_tokens_match_the_formula():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(5, 32)), rng.normal(size=(40, 9, 32)), rng.normal(size=(40, 9, 32))
    w = rng.random(5)
    np.testing.assert_allclose(context_tokens(q, k, v), direct_context(q, k, v), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(context_tokens(q, k, v, w), direct_context(q, k, v, w), rtol=1e-4, atol=1e-5)


def test_batched_pass_over_thousands_of_frames_equals_chunks():
    rng = np.random.default_rng(1)
    q, k = rng.normal(size=(3, 64)), rng.normal(size=(5000, 4, 64))
    whole = context_tokens(q, k, chunk=100000)
    chunked = context_tokens(q, k, chunk=333)
    assert whole.shape == (5000, 64)
    np.testing.assert_allclose(whole, chunked, rtol=1e-5, atol=1e-6)


def test_attention_lands_on_the_patch_that_matches_the_query():
    rng = np.random.default_rng(2)
    c = 128
    keys = rng.normal(scale=0.3, size=(10, 4, c))
    target = rng.normal(size=c)
    target *= 4 * np.sqrt(c) / np.linalg.norm(target)
    for f in range(10):
        keys[f, f % 4] += target  # frame f hides the concept in patch f % 4
    attn = attention_weights(target[None], keys)  # (F, 1, P)
    assert [int(np.argmax(attn[f, 0])) for f in range(10)] == [f % 4 for f in range(10)]
    assert attn[:, 0].max(axis=1).min() > 0.9
    ctx = context_tokens(target[None], keys)
    # the context token of each frame is (nearly) the matching patch itself
    for f in range(10):
        assert np.corrcoef(ctx[f], keys[f, f % 4])[0, 1] > 0.99


def test_content_token_and_grid_pooling():
    fm = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)
    assert torch.allclose(content_token(fm), fm.mean(dim=(2, 3)))
    grid = pooled_grid(fm, 2)
    assert grid.shape == (2, 4, 3)
    assert torch.allclose(grid[0, 0], fm[0, :, :2, :2].mean(dim=(1, 2)))
    assert torch.allclose(grid[1, 3], fm[1, :, 2:, 2:].mean(dim=(1, 2)))
    assert torch.allclose(grid.mean(dim=1), content_token(fm))  # equal cells: grid mean = content token
