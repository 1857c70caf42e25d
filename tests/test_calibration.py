"""The calibrated answer decision: features measured per moment, models fitted on the tuning half and
stored as data (resources/answer-calibration.json), thresholds that give hedged answers."""

from __future__ import annotations

import numpy as np

from core import calibration


def test_the_stored_model_loads_and_ranks_a_matching_moment_first():
    model = calibration.load()
    assert model.not_found_below < model.sure_above or model.sure_above == 1.0
    cosine = np.array([0.05, 0.62, 0.10, 0.12, 0.08])  # one moment means what the question asks
    bm25 = np.array([0.0, 3.1, 0.0, 0.0, 0.0])
    features = calibration.moment_features(cosine, bm25)
    assert features.shape == (5, len(calibration.MOMENT_FEATURES))
    logits = model.moment_logits(features)
    assert int(np.argmax(logits)) == 1
    assert 0.0 <= model.answered(calibration.answer_features(features, logits)) <= 1.0


def test_features_of_an_empty_or_tiny_window():
    assert calibration.moment_features(np.zeros(0), np.zeros(0)).shape == (0, len(calibration.MOMENT_FEATURES))
    one = calibration.moment_features(np.array([0.3]), np.array([0.0]))
    assert np.isfinite(one).all() and one[0, 2] == 0.0  # the best moment is 0 below the best
    assert np.isfinite(calibration.answer_features(np.zeros((0, 5)), np.zeros(0))).all()
