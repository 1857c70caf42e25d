"""A film index written straight into a real store (random tokens, chosen dialogue): for property tests
and the question-latency benchmark, where decoding a real 2-hour film would measure the wrong thing."""

from __future__ import annotations

import numpy as np

from core.colours import FrameColours
from core.media.probe import MediaInfo
from core.media.subtitles import DialogueLine, DialogueSource


def synthetic_film(
    store,
    encoder,
    duration_s: float,
    lines: list[tuple[float, str]],
    seed: int = 0,
    fingerprint: str = "v1:synthetic",
    frame_step: float = 1.0,
):
    from pathlib import Path

    info = MediaInfo(
        path=Path("/films/synthetic.mkv"),
        size=1,
        duration_s=duration_s,
        start_s=0,
        fps=24,
        width=1920,
        height=1080,
        video_codec="h264",
        pix_fmt="yuv420p",
        bit_rate=1,
    )
    film = store.ensure_film(fingerprint, info)
    store.ensure_encoder(encoder.id, encoder.dim, encoder.grid)
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, duration_s, frame_step)
    for start in range(0, len(times), 512):
        t = times[start : start + 512]
        content = np.abs(rng.normal(0, 0.5, (len(t), encoder.dim))).astype(np.float32)
        patches = np.abs(rng.normal(0, 0.5, (len(t), encoder.grid**2, encoder.dim))).astype(np.float32)
        colours = [FrameColours(0.4, (("grey", 0.6),))] * len(t)
        store.add_frames(film.id, encoder.id, 1.0, t.tolist(), content, patches, colours, 0.0)
    store.finish_progress(film.id, encoder.id, 1.0, (None, duration_s), True)
    source = DialogueSource(name="sidecar:synthetic.srt", kind="sidecar", language="en")
    store.replace_dialogue(film.id, source, [DialogueLine(t, t + 2.0, text) for t, text in sorted(lines)])
    scenes = [
        {"start": float(a), "end": float(min(a + 60, duration_s)), "tags": ["grey"]}
        for a in np.arange(0, duration_s, 60)
    ]
    store.replace_scenes(film.id, encoder.id, scenes)
    return store.film(film.id)


WORDS = (
    "captain ship storm island treasure map harbour sailor lighthouse letter mother brother knife "
    "train station doctor window garden river bridge king soldier horse church village winter"
).split()


def dialogue(n: int, duration: float, seed: int = 0) -> list[tuple[float, str]]:
    """``n`` made-up lines (start, text) spread over ``duration`` seconds."""
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0, duration - 5, n))
    lines = []
    for t in times:
        a, b, c = rng.choice(WORDS, 3, replace=False)
        lines.append((float(t), f"The {a} went to the {b} because of the {c}."))
    return lines
