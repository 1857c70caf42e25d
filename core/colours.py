"""Cheap, honest visual tags from pixels: how bright a frame is and which colours dominate it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Hue ranges in degrees; red wraps around 0.
HUES = (
    ("red", 0, 15),
    ("orange", 15, 40),
    ("yellow", 40, 70),
    ("green", 70, 165),
    ("cyan", 165, 195),
    ("blue", 195, 255),
    ("purple", 255, 290),
    ("pink", 290, 340),
    ("red", 340, 361),
)
MIN_SHARE = 0.12  # a colour must cover this share of the frame to be named
# Every name a colour tag can have, and the light tags of a scene (see core.scenes).
COLOUR_NAMES = frozenset({name for name, _, _ in HUES} | {"black", "white", "grey", "brown"})
LIGHT_TAGS = frozenset({"dark", "bright"})


@dataclass(frozen=True)
class FrameColours:
    """brightness: mean luma 0..1; colours: named colours covering at least MIN_SHARE, largest first;
    colourfulness: Hasler and Suesstrunk's measure on 0..1 pixels (0 for a grey picture, about 0.06 for
    "slightly colourful", 0.13 "moderately", 0.18 "averagely", 0.23 "quite")."""

    brightness: float
    colours: tuple[tuple[str, float], ...]
    colourfulness: float | None = None

    def words(self) -> list[str]:
        tags = [name for name, _ in self.colours]
        if self.brightness < 0.18:
            tags.append("dark")
        elif self.brightness > 0.75:
            tags.append("bright")
        return tags


def frame_colours(rgb: np.ndarray, step: int = 4) -> list[FrameColours]:
    """rgb (B, H, W, 3) uint8 -> per-frame brightness and dominant colours (subsampled every ``step`` px)."""
    x = rgb[:, ::step, ::step, :].astype(np.float32) / 255.0  # (B, h, w, 3)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    mx, mn = x.max(axis=-1), x.min(axis=-1)
    chroma = mx - mn
    sat = np.where(mx > 0, chroma / np.maximum(mx, 1e-6), 0.0)
    hue = _hue(r, g, b, mx, chroma)
    coloured = (sat >= 0.35) & (mx >= 0.25)
    black = ~coloured & (mx < 0.2)
    white = ~coloured & (mn > 0.8)
    grey = ~coloured & ~black & ~white
    rg, yb = r - g, 0.5 * (r + g) - b  # opponent colour axes
    colourful = np.sqrt(rg.std(axis=(1, 2)) ** 2 + yb.std(axis=(1, 2)) ** 2) + 0.3 * np.sqrt(
        rg.mean(axis=(1, 2)) ** 2 + yb.mean(axis=(1, 2)) ** 2
    )  # (B,)
    results = []
    pixels = luma[0].size
    for i in range(x.shape[0]):
        shares: dict[str, float] = {}
        h = hue[i][coloured[i]]
        for name, lo, hi in HUES:
            share = float(((h >= lo) & (h < hi)).sum()) / pixels
            shares[name] = shares.get(name, 0.0) + share
        shares["black"] = float(black[i].sum()) / pixels
        shares["white"] = float(white[i].sum()) / pixels
        shares["grey"] = float(grey[i].sum()) / pixels
        named = sorted(((n, s) for n, s in shares.items() if s >= MIN_SHARE), key=lambda kv: -kv[1])[:3]
        results.append(
            FrameColours(
                brightness=round(float(luma[i].mean()), 3),
                colours=tuple((n, round(s, 2)) for n, s in named),
                colourfulness=round(float(colourful[i]), 4),
            )
        )
    return results


def _hue(r, g, b, mx, chroma):
    safe = np.maximum(chroma, 1e-6)
    h = np.where(mx == r, ((g - b) / safe) % 6, np.where(mx == g, (b - r) / safe + 2, (r - g) / safe + 4))
    return np.where(chroma > 0, h * 60.0, 0.0)
