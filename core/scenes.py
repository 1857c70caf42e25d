"""Shots and scenes from the content tokens: a cut is a large cosine change between neighbouring frames."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

MIN_CUT = 0.12  # never call a smaller change a cut
ABS_CUT = 0.30  # always call a larger change a cut
MIN_SCENE_S = 4.0
MIN_CONCEPT_P = 0.08


@dataclass(frozen=True)
class Scene:
    start: float
    end: float
    tags: tuple[str, ...]

    def as_json(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "tags": list(self.tags)}


def cut_scores(content: np.ndarray) -> np.ndarray:
    """(F, C) content tokens -> (F-1,) cosine distance between each frame and the next."""
    if len(content) < 2:
        return np.zeros(0, np.float32)
    unit = content / np.maximum(np.linalg.norm(content, axis=1, keepdims=True), 1e-6)
    return 1.0 - np.sum(unit[1:] * unit[:-1], axis=1)


def find_cuts(content: np.ndarray) -> list[int]:
    """Indices i where a new shot starts at frame i, by a threshold adapted to the film's own motion."""
    scores = cut_scores(content)
    if scores.size == 0:
        return []
    median = float(np.median(scores))
    mad = float(np.median(np.abs(scores - median))) + 1e-6
    threshold = min(ABS_CUT, max(MIN_CUT, median + 6.0 * mad))
    return [i + 1 for i, s in enumerate(scores) if s >= threshold]


def derive_scenes(
    times: np.ndarray,
    content: np.ndarray,
    colours: list,
    duration_s: float,
    concepts=None,
    brightness: np.ndarray | None = None,
    min_scene_s: float = MIN_SCENE_S,
) -> list[Scene]:
    """Group frames into scenes (shots, with shots shorter than ``min_scene_s`` merged into their
    neighbour) and tag each with its top visual concepts (``concepts(mean_token)``) and colours."""
    if len(times) == 0:
        return []
    starts = [0, *find_cuts(content)]
    bounds: list[tuple[int, int]] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(times)
        if bounds and times[s] - times[bounds[-1][0]] < min_scene_s:
            bounds[-1] = (bounds[-1][0], e)  # the previous scene is too short: extend it
        else:
            bounds.append((s, e))
    if len(bounds) > 1 and max(duration_s, times[-1]) - times[bounds[-1][0]] < min_scene_s:
        last = bounds.pop()
        bounds[-1] = (bounds[-1][0], last[1])
    means = np.stack([content[s:e].mean(axis=0) for s, e in bounds])
    tagged = concepts(means, 3) if concepts is not None else [[] for _ in bounds]
    scenes = []
    for k, ((s, e), top) in enumerate(zip(bounds, tagged)):
        end = float(times[e]) if e < len(times) else float(max(duration_s, times[-1]))
        tags = [name for name, p in top if p >= MIN_CONCEPT_P]
        tags += _scene_colours(colours[s:e])
        if brightness is not None and len(brightness[s:e]):
            level = float(np.mean(brightness[s:e]))
            tags += ["dark"] if level < 0.18 else ["bright"] if level > 0.75 else []
        scenes.append(Scene(start=float(times[s]) if k else 0.0, end=end, tags=tuple(dict.fromkeys(tags))))
    return scenes


def _scene_colours(frame_colours: list) -> list[str]:
    """Colours that dominate the scene as a whole (each frame's colours as [[name, share], ...])."""
    totals: dict[str, float] = defaultdict(float)
    for colours in frame_colours:
        for name, share in colours:
            totals[name] += share
    n = max(1, len(frame_colours))
    return [name for name, total in sorted(totals.items(), key=lambda kv: -kv[1]) if total / n >= 0.15][:2]
