"""A film that decodes like a real one: 1080p H.264 at about 9 Mb/s with B-frames, scene cuts every
5-15 s, camera pans and film grain (an easy flat-colour film would measure nothing).

Written once and cached: generating 10 minutes takes a few minutes on 2 cores."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image

PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "camera",
    "moon",
    "coins",
    "colorwheel",
    "brick",
    "grass",
    "gravel",
)


def _scene_planes(rng, width, height, margin):
    """One scene's picture as Y, U, V planes a margin larger than the frame (for the camera to pan)."""
    from skimage import data

    photo = getattr(data, PHOTOS[rng.integers(len(PHOTOS))])()
    if photo.ndim == 2:
        photo = np.stack([photo] * 3, axis=-1)
    photo = photo[..., :3].astype(np.float32)
    photo = np.clip(photo * rng.uniform(0.6, 1.3, 3) + rng.uniform(-30, 30, 3), 0, 255).astype(np.uint8)
    big = Image.fromarray(photo).resize((width + 2 * margin, height + 2 * margin), Image.BICUBIC)
    if rng.random() < 0.5:
        big = big.transpose(Image.FLIP_LEFT_RIGHT)
    frame = av.VideoFrame.from_image(big).reformat(format="yuv420p")
    return [np.asarray(p).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes]


def write_synthetic_film(
    path: Path,
    minutes: float = 10.0,
    width: int = 1920,
    height: int = 1080,
    fps: int = 24,
    bit_rate: int = 9_000_000,
    seed: int = 0,
    long_gop: bool = False,
) -> Path:
    """``long_gop``: one key frame at the start and none at scene cuts (as some encoders and screen
    recordings write), where the rough pass must decode the frames between key frames."""
    path = Path(path)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    margin = 96
    grain = [rng.normal(0, 6, (height, width)).astype(np.int16) for _ in range(23)]
    total = int(minutes * 60 * fps)
    partial = path.with_suffix(".partial.mp4")
    started = time.time()
    with av.open(str(partial), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = bit_rate
        options = {
            "preset": "veryfast",
            "bf": "3",
            "g": str(total if long_gop else fps * 10),
            "maxrate": str(bit_rate * 2),
            "bufsize": str(bit_rate * 2),
        }
        if long_gop:
            options["x264-params"] = "scenecut=0"
        stream.options = options
        i = 0
        while i < total:
            y, u, v = _scene_planes(rng, width, height, margin)
            length = min(total - i, int(rng.uniform(5, 15) * fps))
            dx, dy = rng.uniform(-1, 1, 2) * margin * 2 / max(length, 1)
            for j in range(length):
                ox = int(np.clip(margin + dx * (j - length / 2), 0, 2 * margin))
                oy = int(np.clip(margin + dy * (j - length / 2), 0, 2 * margin))
                luma = y[oy : oy + height, ox : ox + width].astype(np.int16) + grain[(i * 7) % len(grain)]
                frame_yuv = np.concatenate(
                    [
                        np.clip(luma, 0, 255).astype(np.uint8),
                        u[oy // 2 : oy // 2 + height // 2, ox // 2 : ox // 2 + width // 2].reshape(-1, width),
                        v[oy // 2 : oy // 2 + height // 2, ox // 2 : ox // 2 + width // 2].reshape(-1, width),
                    ]
                )
                frame = av.VideoFrame.from_ndarray(frame_yuv, format="yuv420p")
                frame.pts = i
                for packet in stream.encode(frame):
                    out.mux(packet)
                i += 1
            print(
                f"\rwriting {path.name}: {i / total:4.0%} ({time.time() - started:.0f} s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
        for packet in stream.encode():
            out.mux(packet)
    print(file=sys.stderr)
    partial.replace(path)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    print(write_synthetic_film(args.output, args.minutes))
