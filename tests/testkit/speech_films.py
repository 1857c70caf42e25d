"""Films made from a sound file: a generated picture under real recorded speech, no subtitles, so that a
film's dialogue can only come from speech recognition (the tests and the dialogue benchmark share them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

AUDIO_RATE = 48_000  # a film's usual rate: the recogniser resamples it like any film's sound
AUDIO_LAYOUT = "stereo"
FPS = 2  # the picture says nothing: few frames keep writing (and any picture indexing) fast


def backdrop(size: tuple[int, int] = (320, 180), seed: int = 0) -> np.ndarray:
    """A dark generated picture: a diagonal gradient with a lighter disc, some grain for the encoder."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 30 + 60 * (xx / max(1, w - 1) + yy / max(1, h - 1)) / 2
    img = np.stack([base * 0.8, base * 0.9, base * 1.2], axis=-1)
    img[(xx - w * 0.7) ** 2 + (yy - h * 0.4) ** 2 < (h * 0.2) ** 2] += 90
    img += np.random.default_rng(seed).normal(0, 4, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _sound(sound_path: Path) -> np.ndarray:
    """The file's first audio track, decoded and resampled to (channels, samples) float32 planes."""
    planes = []
    with av.open(str(sound_path)) as container:
        resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
        for frame in container.decode(container.streams.audio[0]):
            planes += [out.to_ndarray() for out in resampler.resample(frame)]
        planes += [out.to_ndarray() for out in resampler.resample(None)]
    if not planes:
        raise ValueError(f"{sound_path} has no sound")
    return np.ascontiguousarray(np.concatenate(planes, axis=1), dtype=np.float32)


def film_from_sound(sound_path: str | Path, out_path: str | Path, size: tuple[int, int] = (320, 180)) -> Path:
    """Write ``out_path`` (mkv or mp4): H.264 at FPS frames a second of a generated still, for as long as
    the sound lasts, and the sound as AAC (48 kHz stereo); no subtitles. Returns the path."""
    sound_path, out_path = Path(sound_path), Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sound = _sound(sound_path)
    seconds = sound.shape[1] / AUDIO_RATE
    picture = av.VideoFrame.from_ndarray(backdrop(size, seed=len(sound_path.name)), format="rgb24")
    partial = out_path.with_name(out_path.stem + ".partial" + out_path.suffix)
    try:
        with av.open(str(partial), "w") as out:
            video: Any = out.add_stream("libx264", rate=FPS)
            video.width, video.height = size
            video.pix_fmt = "yuv420p"
            video.options = {"crf": "28", "preset": "veryfast"}
            audio: Any = out.add_stream("aac", rate=AUDIO_RATE, layout=AUDIO_LAYOUT)
            frames = max(1, int(np.ceil(seconds * FPS)))
            block = audio.codec_context.frame_size or 1024
            pos = 0
            for index in range(frames):
                picture.pts = index
                for packet in video.encode(picture):
                    out.mux(packet)
                until = min(sound.shape[1], int((index + 1) / FPS * AUDIO_RATE))
                while pos < until:  # the sound up to the next picture, so the two streams interleave
                    piece = sound[:, pos : pos + block]  # the last one may be short
                    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(piece), format="fltp", layout=AUDIO_LAYOUT)
                    frame.sample_rate, frame.pts = AUDIO_RATE, pos
                    for packet in audio.encode(frame):
                        out.mux(packet)
                    pos += piece.shape[1]
            for stream in (video, audio):
                for packet in stream.encode():
                    out.mux(packet)
        partial.replace(out_path)
    finally:
        partial.unlink(missing_ok=True)
    return out_path


def transcribed_sounds(folder: str | Path) -> list[tuple[Path, str]]:
    """(sound file, its transcript) for every ``NAME.ogg`` with a ``NAME.txt`` beside it in ``folder``,
    shortest first (the notld excerpts' names start with their length: ``5s_...``, ``60s_...``)."""

    def length_first(path: Path) -> tuple[int, str]:
        head = path.name.split("s_", 1)[0]
        return (int(head) if head.isdigit() else 0, path.name)

    sounds = sorted(Path(folder).glob("*.ogg"), key=length_first)
    return [
        (s, s.with_suffix(".txt").read_text(encoding="utf-8").strip())
        for s in sounds
        if s.with_suffix(".txt").is_file()
    ]


def sound_seconds(sound_path: str | Path) -> float:
    """How long the file's first audio track lasts (a film made from it is rounded up to whole frames)."""
    with av.open(str(sound_path)) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return (container.duration or 0) / 1_000_000
