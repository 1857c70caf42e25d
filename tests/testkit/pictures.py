"""Generated pictures for test films: a flat colour, a white shape, mild noise so that codecs see texture."""

from __future__ import annotations

import numpy as np


def picture(colour, shape: str = "none", size=(320, 180), stripe: int = 20) -> np.ndarray:
    """A flat-colour picture with an optional white shape ("circle", "square", "stripes" ``stripe`` px
    wide), plus mild noise."""
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = colour
    yy, xx = np.mgrid[0:h, 0:w]
    if shape == "circle":
        img[(xx - w * 0.5) ** 2 + (yy - h * 0.5) ** 2 < (h * 0.3) ** 2] = 255
    elif shape == "square":
        img[int(h * 0.25) : int(h * 0.75), int(w * 0.35) : int(w * 0.65)] = 255
    elif shape == "stripes":
        img[(xx // stripe) % 2 == 0] = 255
    rng = np.random.default_rng(int(sum(colour)))
    return np.clip(img.astype(np.int16) + rng.integers(-8, 9, img.shape), 0, 255).astype(np.uint8)
