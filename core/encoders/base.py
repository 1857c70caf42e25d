"""What a vision encoder is: the Protocol every backend follows, and the arrays it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class EncodedFrames:
    """Encoder output for a batch of B frames.

    content: (B, C) float32, the content token (mean of the full patch grid);
    patches: (B, P, C) float32, the pooled patch grid kept as keys and values for context tokens."""

    content: np.ndarray
    patches: np.ndarray


@dataclass(frozen=True)
class Queries:
    """A question turned into M query vectors in the visual feature space.

    vectors: (M, C) float32; weights: (M,) summing to 1; labels: what each query stands for."""

    vectors: np.ndarray
    weights: np.ndarray
    labels: tuple[str, ...]
    confidence: float = 1.0  # how well the question maps into the visual space (0..1)
    concept_ids: tuple[int, ...] = ()  # the classifier classes behind the queries, where there are any


@runtime_checkable
class VisionEncoder(Protocol):
    """A vision backend. ``id`` names the model and its revision and the stored form; vectors stored
    with one id are never mixed with another's."""

    id: str
    dim: int  # C
    grid: int  # the stored patch grid is grid x grid
    image_size: int  # frames are sampled at image_size x image_size

    def encode(self, rgb: np.ndarray) -> EncodedFrames:
        """rgb: (B, S, S, 3) uint8 -> content (B, C) and pooled patches (B, grid*grid, C)."""
        ...

    def question_queries(self, question: str) -> Queries:
        """The text bridge: a question -> query vectors Q (M, C)."""
        ...

    def concepts(self, content: np.ndarray, top: int = 5) -> list[list[tuple[str, float]]]:
        """Visual tags per content token: the ``top`` (name, probability) pairs, weak evidence only."""
        ...

    def relevance(self, context: np.ndarray, content: np.ndarray, queries: Queries) -> np.ndarray:
        """How well each frame's [context, content] pair answers the queries: (F,) scores."""
        ...
