"""What the store hands out: films, frames read back, and dialogue lines with their ids."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.concept_logits import PatchLogits


@dataclass(frozen=True)
class Film:
    """A film the store knows, identified by content."""

    id: int
    fingerprint: str
    path: str
    title: str
    duration_s: float
    fps: float | None
    width: int | None
    height: int | None

    def as_json(self) -> dict:
        return {"id": self.id, "path": self.path, "title": self.title, "duration_s": round(self.duration_s, 3)}


@dataclass(frozen=True)
class FrameBatch:
    """Frames read back from the store: times (F,), content (F, C) float32, patches (F, P, C) float16
    (converted chunk by chunk where they are used: a 2-hour film's grid is 74 MB as float16)."""

    times: np.ndarray
    content: np.ndarray
    patches: np.ndarray
    brightness: np.ndarray
    colours_json: list[str]
    colourfulness: np.ndarray | None = None  # (F,), NaN where not measured (frames of an older index)
    # The encoder's classifier logits (core.concept_logits), kept by the question-time frame cache in place of
    # ``content`` and ``patches`` (then (F, 0) and (F, 0, 0)): each patch's (F, P, K) as bytes and each
    # content token's (F, K) float16
    concept_logits: PatchLogits | None = None
    content_logits: np.ndarray | None = None

    def colours(self, j: int) -> list:
        """Frame j's named colours, [[name, share], ...] (parsed only for the frames described)."""
        return json.loads(self.colours_json[j] or "[]")

    def all_colours(self) -> list[list]:
        return [self.colours(j) for j in range(len(self.times))]


@dataclass(frozen=True)
class StoredLine:
    """A dialogue line (or on-screen text) as stored, with its row id."""

    id: int
    start: float
    end: float
    text: str
    kind: str  # "dialogue" or "screen_text"
