"""Which dialogue moment answers a question, and how sure that is: two small logistic models over measured
features, fitted on the tuning half of the evaluation set (eval/fit_calibration.py writes
resources/answer-calibration.json; nothing here is tuned by hand).

- The *moment model* scores every line of the window (the line with its neighbours) from the sentence
  similarity of the moment to the question, how far that stands out from the rest of the window, and the
  line's BM25 from the Porter-stemmed full-text index.
- The *answer model* gives the probability that the window answers the question at all, from the best
  moment's scores and how clearly it beats the others.

Answers then say how sure they are; "not in the film" is said only below a threshold chosen so that on the
tuning half at least 95% of such answers are right."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np

from core.config import resource

MODEL_FILE = "answer-calibration.json"
MOMENT_FEATURES = ("cosine", "cosine_z", "cosine_below_best", "bm25", "bm25_reciprocal_rank")
ANSWER_FEATURES = ("best_moment_logit", "best_cosine", "best_cosine_z", "cosine_gap", "best_bm25", "log_lines")


@dataclass(frozen=True)
class Calibration:
    moment_weights: np.ndarray  # (len(MOMENT_FEATURES) + 1,): the last is the intercept
    answer_weights: np.ndarray  # (len(ANSWER_FEATURES) + 1,)
    not_found_below: float  # P(answered) under which the answer is "not in the film"
    sure_above: float  # P(answered) over which the best moment is given without hedging

    def moment_logits(self, features: np.ndarray) -> np.ndarray:
        """(N, len(MOMENT_FEATURES)) -> (N,) logits that each moment answers."""
        return features @ self.moment_weights[:-1] + self.moment_weights[-1]

    def answered(self, features: np.ndarray) -> float:
        """(len(ANSWER_FEATURES),) -> the probability that the window answers the question."""
        return float(_sigmoid(features @ self.answer_weights[:-1] + self.answer_weights[-1]))


@functools.lru_cache(maxsize=1)
def load() -> Calibration:
    data = json.loads(resource(MODEL_FILE).read_text(encoding="utf-8"))
    if tuple(data["moment_features"]) != MOMENT_FEATURES or tuple(data["answer_features"]) != ANSWER_FEATURES:
        raise ValueError(f"{MODEL_FILE} was fitted on other features; run eval/fit_calibration.py")
    return Calibration(
        np.array(data["moment_weights"], np.float64),
        np.array(data["answer_weights"], np.float64),
        float(data["not_found_below"]),
        float(data["sure_above"]),
    )


def moment_features(cosine: np.ndarray, bm25: np.ndarray) -> np.ndarray:
    """Per line of the window: cosine (N,) of its moment to the question, and BM25 (N,) (0 where the
    full-text search found nothing). Returns (N, len(MOMENT_FEATURES))."""
    cosine = np.asarray(cosine, np.float64)
    bm25 = np.asarray(bm25, np.float64)
    n = len(cosine)
    if n == 0:
        return np.zeros((0, len(MOMENT_FEATURES)))
    spread = cosine.std() if n > 1 else 0.0
    z = (cosine - cosine.mean()) / (spread + 0.05)  # a window of a few lines has little spread
    order = np.argsort(-bm25)
    rank = np.empty(n)
    rank[order] = np.arange(n)
    reciprocal = np.where(bm25 > 0, 1.0 / (1.0 + rank), 0.0)
    return np.stack([cosine, z, cosine - cosine.max(), np.log1p(np.maximum(bm25, 0.0)), reciprocal], axis=1)


def answer_features(features: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """The window's answer features from its moments' features (N, k) and logits (N,)."""
    if len(logits) == 0:
        return np.array([-10.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    best = int(np.argmax(logits))
    cosine = features[:, 0]
    top = np.sort(cosine)[::-1]
    gap = float(top[0] - top[1]) if len(top) > 1 else float(top[0])
    return np.array(
        [
            float(logits[best]),
            float(cosine[best]),
            float(features[best, 1]),
            gap,
            float(features[:, 3].max()),
            float(np.log(len(logits))),
        ]
    )


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))
