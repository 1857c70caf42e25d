"""The playback guard holds the indexer back only for drops that indexing causes, measured against the
drop rate with the indexer held (software rendering drops frames with no indexer at all)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.playback_guard import HOLD_S, PlaybackGuard

CHECK_S = 2.0


def simulate(baseline_per_s: float, indexer_extra_per_s: float, seconds: float = 600.0, seed: int = 0) -> dict:
    """Play for ``seconds``, checking every 2 s as the window does; drops arrive at random at the given
    rates. Returns the share of time the indexer ran and the drops seen with it running and held."""
    rng = np.random.default_rng(seed)
    guard = PlaybackGuard()
    drops, held_until, ran = 0, -1.0, 0.0
    seen = {"running": 0, "held": 0}
    now = 0.0
    guard.observe(now, drops, True)
    while now < seconds:
        running = now >= held_until
        rate = baseline_per_s + (indexer_extra_per_s if running else 0.0)
        new = int(rng.poisson(rate * CHECK_S))
        drops += new
        seen["running" if running else "held"] += new
        ran += CHECK_S if running else 0.0
        now += CHECK_S
        running = now >= held_until
        hold = guard.observe(now, drops, running)
        if hold and running:
            held_until = now + hold
    return {"ran": ran / seconds, **seen}


def test_drops_the_machine_makes_anyway_do_not_stop_indexing():
    for seed in range(5):
        # software OpenGL under Xvfb: about one dropped frame a second whatever the indexer does
        result = simulate(baseline_per_s=1.0, indexer_extra_per_s=0.0, seed=seed)
        assert result["ran"] >= 0.85, result


def test_drops_that_indexing_causes_hold_it_back():
    for seed in range(5):
        result = simulate(baseline_per_s=0.0, indexer_extra_per_s=1.0, seed=seed)
        assert result["ran"] <= 0.4, result
        # and on top of a noisy baseline, too
        noisy = simulate(baseline_per_s=1.0, indexer_extra_per_s=3.0, seed=seed)
        assert noisy["ran"] <= 0.5, noisy


def test_smooth_playback_never_holds_the_indexer():
    assert simulate(0.0, 0.0)["ran"] == 1.0


def test_the_first_drop_measures_the_baseline_and_counters_may_restart():
    guard = PlaybackGuard()
    assert guard.observe(0.0, 0, True) == 0.0
    assert guard.observe(2.0, 3, True) == HOLD_S  # no baseline yet: step aside and measure it
    assert guard.rate(indexing=False) is None
    for t in (4.0, 6.0, 8.0, 10.0, 12.0):
        assert guard.observe(t, 3 + int(t), False) == 0.0  # held: drops go on at 1/s
    # a span counts for what ran during it: 2-4 s still had the indexer running (4 drops in 2 s); the
    # 8 s held since are the baseline, 8 drops in 8 s
    assert guard.rate(indexing=False) == pytest.approx(1.0)
    assert guard.rate(indexing=True) is None  # 4 s running: too little to say
    assert guard.observe(14.0, 1, True) == 0.0  # a new file: mpv's counters start again
