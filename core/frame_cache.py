"""A film's frames as a question needs them, read through windowed SQL and kept between questions.

While the viewer watches, each new window contains the last one (watching only adds ranges), so only
what is new is read: frames of newly watched ranges and frames indexed since the last read. When a
window does not contain the last one (spoiler-free switched on, another film), everything is dropped
and read again, so the frames held are always inside the current window."""

from __future__ import annotations

import threading

import numpy as np

from core.spoiler_window import Window
from core.store import FrameBatch, Store
from core.store.frames import batch_from_rows


def contains(outer: Window, inner: Window) -> bool:
    """Whether every moment of ``inner`` lies inside ``outer``."""
    if outer.unrestricted:
        return True
    if inner.ranges is None or outer.ranges is None:  # the whole film, as ``unrestricted`` says
        return inner.ranges is None and outer.ranges is None
    return all(any(a <= x and y <= b for a, b in outer.ranges) for x, y in inner.ranges)


def difference(outer: Window, inner: Window) -> Window:
    """The parts of ``outer`` not in ``inner`` (``inner`` inside ``outer``)."""
    if inner.ranges is None:
        return Window(())
    cut = sorted(inner.ranges)
    pieces = []
    for a, b in outer.ranges if outer.ranges is not None else ((-1.0, 1e12),):
        start = a
        for x, y in cut:
            if y < start or x > b:
                continue
            if x > start:
                pieces.append((start, x))
            start = max(start, y)
        if start < b:
            pieces.append((start, b))
    return Window(tuple(pieces))


class WindowedFrames:
    """Frames of one film and encoder, kept in memory as float32, grown by windowed SQL reads."""

    def __init__(self, store: Store, film_id: int, encoder_id: str) -> None:
        self.store, self.film_id, self.encoder_id = store, film_id, encoder_id
        self.dim, self.grid = store.encoder_shape(encoder_id)
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.window: Window | None = None
        self.max_id = 0
        self._seen: set[int] = set()
        self.times = np.zeros(0, np.float64)
        self.content = np.zeros((0, self.dim), np.float32)
        self.patches = np.zeros((0, self.grid * self.grid, self.dim), np.float32)
        self.brightness = np.zeros(0, np.float32)
        self.colours_json: list[str] = []
        self.colourfulness = np.zeros(0, np.float32)

    def get(self, window: Window) -> FrameBatch:
        with self._lock:
            if self.window is None or not contains(window, self.window):
                self._reset()
                self._read(window, None)
            else:
                self._read(window, difference(window, self.window))
            self.window = window
            return FrameBatch(
                self.times, self.content, self.patches, self.brightness, self.colours_json, self.colourfulness
            )

    def _read(self, window: Window, new: Window | None) -> None:
        extra, extra_params = "", []
        if new is not None:  # only what the last read could not have seen
            new_cond, new_params = new.sql("t")
            extra, extra_params = f"AND (id > ? OR {new_cond})", [self.max_id, *new_params]
        rows = self.store.frame_rows(self.film_id, self.encoder_id, window, extra=extra, extra_params=extra_params)
        rows = [r for r in rows if r[0] not in self._seen]
        if not rows:
            return
        read = batch_from_rows(rows, self.dim, self.grid, patches_dtype=np.float32)
        order = np.argsort(np.concatenate([self.times, read.times]), kind="stable")
        self.times = np.concatenate([self.times, read.times])[order]
        self.content = np.concatenate([self.content, read.content])[order]
        self.patches = np.concatenate([self.patches, read.patches])[order]
        self.brightness = np.concatenate([self.brightness, read.brightness])[order]
        self.colourfulness = np.concatenate([self.colourfulness, read.colourfulness])[order]
        colours = self.colours_json + read.colours_json
        self.colours_json = [colours[i] for i in order]
        self._seen.update(r[0] for r in rows)
        self.max_id = max(self.max_id, max(r[0] for r in rows))
