"""The window stays responsive while a film is indexed and questions are answered: the event loop's
longest stall is measured with a 10 ms timer and printed; the test fails only on a stall that a viewer
would see as a frozen window (one second: the machines that run the suite are loaded and noisy; the
issue's 100 ms goal is reported, not asserted)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
FROZEN_S = 1.0


class StallMeter:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.gaps: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def test_the_window_never_freezes_while_indexing_and_answering(qtbot, open_window, make_film, capsys):
    film = make_film(seconds_per_shot=20)  # a minute: indexing runs through the questions
    window = open_window(index=True)
    meter = StallMeter()
    with qtbot.waitSignal(window.film_opened, timeout=20_000):
        window.open_film(film)
    meter.start()
    window.chat.spoiler_free.setChecked(False)
    for question in ("What did the painter say?", "What colour is the room?", "What is in the garden?"):
        with qtbot.waitSignal(window.answers.answered, timeout=300_000):
            window.chat.ask(question)
    qtbot.waitUntil(lambda: window.index_status.label.text().startswith("Indexed ✓"), timeout=600_000)
    meter.stop()
    gaps = sorted(meter.gaps)
    longest, p99 = gaps[-1], gaps[int(len(gaps) * 0.99)]
    with capsys.disabled():
        print(f"\nevent loop over {len(gaps)} ticks: longest stall {longest * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    assert len(gaps) > 100 and longest < FROZEN_S
