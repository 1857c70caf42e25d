"""Frames kept as their classifier logits (core/concept_logits.py) answer a question exactly as the context
tokens computed from their patch grids do, in under a quarter of the memory."""

from __future__ import annotations

import numpy as np
import pytest

from core import concept_logits
from core.frame_cache import WindowedFrames
from core.spoiler_window import Window
from core.tokens import context_tokens

QUESTIONS = ("Is there a horse?", "What took him in its beak?", "Where is the treasure map?", "Who is the captain?")


def test_logits_are_the_products_with_the_classifier(encoder):
    rng = np.random.default_rng(1)
    patches = rng.normal(0, 1, (2100, 4, encoder.dim)).astype(np.float16)  # over two chunks
    got = concept_logits.logits(patches, encoder.query_basis)
    assert got.shape == (2100, 4, 1000) and got.dtype == np.float16
    want = patches[-3:].astype(np.float32) @ encoder.query_basis.T
    np.testing.assert_allclose(got[-3:].astype(np.float32), want, rtol=2e-3, atol=2e-2)


@pytest.mark.parametrize("question", QUESTIONS)
def test_relevance_from_logits_equals_relevance_from_context_tokens(film_store, encoder, question):
    store, film = film_store
    tokens = WindowedFrames(store, film.id, encoder.id).get(Window.whole())
    logits = WindowedFrames(store, film.id, encoder.id, encoder.query_basis).get(Window.whole())
    assert logits.times.tolist() == tokens.times.tolist()
    queries = encoder.question_queries(question)
    expected = encoder.relevance(
        context_tokens(queries.vectors, tokens.patches, weights=queries.weights), tokens.content, queries
    )
    got = encoder.relevance_from_logits(logits.concept_logits, logits.content_logits, queries)
    # float16 logits: probabilities within 0.02 points (a frame at the edge of the best 256, the only ones
    # whose probabilities are computed, may swap with the next: compared where both computed one)
    both = (got > 0) & (expected > 0)
    assert both.sum() >= 250
    np.testing.assert_allclose(got[both], expected[both], atol=2e-4)
    assert np.argsort(-got)[:5].tolist() == np.argsort(-expected)[:5].tolist()
    np.testing.assert_allclose(
        encoder.probabilities_from_logits(logits.content_logits[:50]),
        encoder.concept_probabilities(tokens.content[:50]),
        atol=2e-4,
    )


def test_the_kept_frames_take_under_a_quarter_of_the_memory(film_store, encoder):
    store, film = film_store
    tokens = WindowedFrames(store, film.id, encoder.id).get(Window.whole())
    logits = WindowedFrames(store, film.id, encoder.id, encoder.query_basis).get(Window.whole())
    before = tokens.patches.nbytes + tokens.content.nbytes
    after = logits.concept_logits.nbytes + logits.content_logits.nbytes + logits.patches.nbytes + logits.content.nbytes
    # 6 KB a frame: 4 patches' 1000 bytes with their low and step, the content token's 1000 float16
    assert after / len(logits.times) == 4 * 1000 + 4 * 2 * 4 + 1000 * 2
    assert after * 4 < before


def test_a_growing_window_keeps_logits_in_time_order(film_store, encoder):
    store, film = film_store
    cache = WindowedFrames(store, film.id, encoder.id, encoder.query_basis)
    cache.get(Window.watched([(300, 500)]))
    grown = cache.get(Window.watched([(0, 100), (300, 500), (550, 600)]))
    fresh = WindowedFrames(store, film.id, encoder.id, encoder.query_basis).get(
        Window.watched([(0, 100), (300, 500), (550, 600)])
    )
    assert grown.times.tolist() == fresh.times.tolist() == sorted(fresh.times.tolist())
    # (read in other batches, the products may differ in their last float16 bit, and a byte by one step)
    everything = np.arange(len(fresh.times))
    step = float(fresh.concept_logits.step.max())
    kept, read = grown.concept_logits.frames(everything), fresh.concept_logits.frames(everything)
    np.testing.assert_allclose(kept, read, rtol=2e-3, atol=2e-2 + step)
    kept, read = grown.content_logits.astype(np.float32), fresh.content_logits.astype(np.float32)
    np.testing.assert_allclose(kept, read, rtol=2e-3, atol=2e-2)


def test_logits_kept_as_bytes_are_within_half_a_step():
    rng = np.random.default_rng(2)
    values = rng.normal(0, 4, (30, 4, 1000)).astype(np.float32)
    values[0, 0] = 7.0  # a patch whose logits are all the same
    codes, low, step = concept_logits.quantise(values)
    kept = concept_logits.PatchLogits(codes, low, step)
    assert codes.dtype == np.uint8 and codes.max() == 255 and low.shape == step.shape == (30, 4)
    back = kept.frames(np.arange(30))
    assert np.all(np.abs(back - values) <= step[:, :, None] / 2 + 1e-5)
    np.testing.assert_array_equal(kept.columns([5, 900]), back[:, :, [5, 900]])
    assert np.all(back[0, 0] == 7.0)
