"""A film's frames as a question needs them, read through windowed SQL and kept between questions.

While the viewer watches, each new window contains the last one (watching only adds ranges), so only
what is new is read: frames of newly watched ranges and frames indexed since the last read. When a
window does not contain the last one (spoiler-free switched on, a shorter window), the frames outside it
are dropped and only the part the last window lacked is read, so the frames held are always inside the
current window."""

from __future__ import annotations

import threading

import numpy as np

from core import concept_logits
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
    """The parts of ``outer`` not in ``inner`` (any two windows; the pieces keep their ends, which the
    caller's reads may share with what it holds)."""
    if inner.ranges is None:
        return Window(())
    cut = sorted(inner.ranges)
    pieces = []
    for a, b in outer.ranges if outer.ranges is not None else ((-1.0, 1e12),):
        start, start_held = a, False
        for x, y in cut:
            if y < start or x > b:
                continue
            if x > start:
                pieces.append((start, x))
            start, start_held = max(start, y), True
        # a range of one instant ("until 0:00") is a range too, unless ``inner`` holds that instant
        if start < b or (start == b and not start_held):
            pieces.append((start, b))
    return Window(tuple(pieces))


def inside(window: Window, times: np.ndarray) -> np.ndarray:
    """(F,) bool: which of the times lie inside the window."""
    if window.ranges is None:
        return np.ones(len(times), bool)
    mask = np.zeros(len(times), bool)
    for a, b in window.ranges:
        mask |= (times >= a) & (times <= b)
    return mask


class WindowedFrames:
    """Frames of one film and encoder, grown by windowed SQL reads. Kept as float32 content tokens and
    patch grids or, given the encoder's ``query_basis`` (every query vector is one of its rows), as each
    patch's logits for those rows as bytes and its content token's as float16 (core.concept_logits): 6 KB
    a frame instead of 25 KB."""

    def __init__(self, store: Store, film_id: int, encoder_id: str, basis: np.ndarray | None = None) -> None:
        self.store, self.film_id, self.encoder_id = store, film_id, encoder_id
        self.dim, self.grid = store.encoder_shape(encoder_id)
        self.basis = basis
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.window: Window | None = None
        self.max_id = 0
        p = self.grid * self.grid
        kept = 0 if self.basis is not None else self.dim  # with logits, no content or patches are kept
        self._arrays: dict[str, np.ndarray] = {
            "ids": np.zeros(0, np.int64),
            "times": np.zeros(0, np.float64),
            "content": np.zeros((0, kept), np.float32),
            "patches": np.zeros((0, p if kept else 0, kept), np.float32),
            "brightness": np.zeros(0, np.float32),
            "colourfulness": np.zeros(0, np.float32),
        }
        if self.basis is not None:
            self._arrays["logits"] = np.zeros((0, p, len(self.basis)), np.uint8)
            self._arrays["logit_low"] = np.zeros((0, p), np.float32)
            self._arrays["logit_step"] = np.zeros((0, p), np.float32)
            self._arrays["content_logits"] = np.zeros((0, len(self.basis)), np.float16)
        self.colours_json: list[str] = []

    def get(self, window: Window) -> FrameBatch:
        with self._lock:
            if self.window is None:
                self._read(window, None)
            else:
                if not contains(window, self.window):  # keep what both windows allow, drop the rest
                    self._keep(inside(window, self._arrays["times"]))
                self._read(window, difference(window, self.window))
            self.window = window
            arrays = self._arrays
            patch_logits = None
            if self.basis is not None:
                patch_logits = concept_logits.PatchLogits(arrays["logits"], arrays["logit_low"], arrays["logit_step"])
            return FrameBatch(
                arrays["times"],
                arrays["content"],
                arrays["patches"],
                arrays["brightness"],
                self.colours_json,
                arrays["colourfulness"],
                concept_logits=patch_logits,
                content_logits=arrays.get("content_logits"),
            )

    @property
    def times(self) -> np.ndarray:
        """The times of the frames held."""
        return self._arrays["times"]

    def _keep(self, mask: np.ndarray) -> None:
        self._arrays = {name: array[mask] for name, array in self._arrays.items()}
        self.colours_json = [c for c, keep in zip(self.colours_json, mask) if keep]

    def _read(self, window: Window, new: Window | None) -> None:
        extra, extra_params = "", []
        if new is not None:  # only what the last read could not have seen
            new_cond, new_params = new.sql("t")
            extra, extra_params = f"AND (id > ? OR {new_cond})", [self.max_id, *new_params]
        rows = self.store.frame_rows(self.film_id, self.encoder_id, window, extra=extra, extra_params=extra_params)
        if not rows:  # the usual case between questions: nothing new
            return
        held = set(self._arrays["ids"].tolist())
        rows = [r for r in rows if r[0] not in held]
        if not rows:
            return
        as_float16 = self.basis is not None  # only to make logits of: half the transient memory
        read = batch_from_rows(rows, self.dim, self.grid, patches_dtype=np.float16 if as_float16 else np.float32)
        new_arrays: dict[str, np.ndarray] = {
            "ids": np.array([r[0] for r in rows], np.int64),
            "times": read.times,
            "brightness": read.brightness,
            "colourfulness": read.colourfulness if read.colourfulness is not None else np.full(len(rows), np.nan),
        }
        if self.basis is not None:
            patch_logits = concept_logits.patch_logits(read.patches, self.basis)
            new_arrays["logits"], new_arrays["logit_low"], new_arrays["logit_step"] = (
                patch_logits.codes,
                patch_logits.low,
                patch_logits.step,
            )
            new_arrays["content_logits"] = concept_logits.logits(read.content, self.basis)
            new_arrays["content"] = np.zeros((len(rows), 0), np.float32)
            new_arrays["patches"] = np.zeros((len(rows), 0, 0), np.float32)
        else:
            new_arrays["content"], new_arrays["patches"] = read.content, read.patches
        order = np.argsort(np.concatenate([self._arrays["times"], read.times]), kind="stable")
        self._arrays = {name: np.concatenate([array, new_arrays[name]]) for name, array in self._arrays.items()}
        self.colours_json = self.colours_json + read.colours_json
        if np.any(order[1:] < order[:-1]):  # new frames among the held ones (not only after them): re-sort
            self._arrays = {name: array[order] for name, array in self._arrays.items()}
            self.colours_json = [self.colours_json[i] for i in order]
        self.max_id = max(self.max_id, max(r[0] for r in rows))
