"""Write small real films: still pictures with camera moves, spoken lines and an embedded subtitle track.

Used for the sample film (the app's built-in default) and by the tests' video fixtures."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
import pysubs2
from PIL import Image

from core.events import CancelToken, Progress
from core.prefetch import prefetch

log = logging.getLogger(__name__)

AUDIO_RATE = 22050
Box = tuple[float, float, float, float]  # left, top, width, height as fractions of the picture


@dataclass(frozen=True)
class Shot:
    """``duration`` seconds of ``picture`` (H, W, 3) uint8, the camera moving from box ``start`` to ``end``."""

    picture: np.ndarray
    duration: float
    start: Box = (0.0, 0.0, 1.0, 1.0)
    end: Box = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class Line:
    """A line of dialogue at ``at`` seconds; spoken aloud when speech is available."""

    at: float
    text: str
    speaker_voice: str = "en-us"


@dataclass
class FilmSpec:
    shots: Sequence[Shot]
    lines: Sequence[Line] = field(default_factory=list)
    size: tuple[int, int] = (640, 360)
    fps: int = 24
    speech: bool = True
    subtitle_track: bool = True
    codec: str = "libx264"
    title: str | None = None


def speak(text: str, voice: str = "en-us") -> np.ndarray | None:
    """Speech for ``text`` as float32 samples at AUDIO_RATE via espeak-ng, or None if it is missing."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "line.wav"
        subprocess.run(
            [exe, "-v", voice, "-s", "150", "-w", str(out), text],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with wave.open(str(out)) as w:
            rate, frames = w.getframerate(), w.readframes(w.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if rate != AUDIO_RATE:
        positions = np.arange(int(len(samples) * AUDIO_RATE / rate)) * rate / AUDIO_RATE
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


def write_film(
    path: str | Path,
    spec: FilmSpec,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Render ``spec`` to ``path`` (mkv or mp4). Returns the path. Writes to a temporary name first so
    that a cancelled or failed run never leaves a half-written film under the real name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    duration = sum(s.duration for s in spec.shots)
    audio, events = _dialogue_track(spec, duration)
    partial = path.with_name(path.stem + ".partial" + path.suffix)
    try:
        with tempfile.TemporaryDirectory() as tmp, av.open(str(partial), "w") as out:
            if spec.title:
                out.metadata["title"] = spec.title
            video: Any = out.add_stream(spec.codec, rate=spec.fps)  # a VideoStream (PyAV's stubs say any stream)
            video.width, video.height = spec.size
            video.pix_fmt = "yuv420p"
            if spec.codec == "libx264":
                video.options = {"crf": "23", "preset": "veryfast"}
            sound = out.add_stream("aac", rate=AUDIO_RATE, layout="mono") if audio is not None else None
            subs_in = None
            if spec.subtitle_track and events and path.suffix.lower() == ".mkv":
                srt = Path(tmp) / "dialogue.srt"
                events.save(str(srt))
                subs_in = av.open(str(srt))
                sub_stream = out.add_stream_from_template(subs_in.streams.subtitles[0])
                sub_stream.metadata["language"] = "eng"
            if subs_in is not None:
                for packet in subs_in.demux(subs_in.streams.subtitles[0]):
                    if packet.dts is not None:
                        packet.stream = sub_stream
                        out.mux(packet)
                subs_in.close()
            _render(out, video, sound, audio, spec, duration, progress, cancel)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _render(out, video, sound, audio, spec, duration, progress, cancel) -> None:
    total = int(round(duration * spec.fps))
    audio_pos = 0
    frame_index = 0
    # The pictures are drawn on a thread while the encoder works (both let go of Python's lock): the
    # sample film is made in about half the time on two cores.
    for picture in prefetch(_pictures(spec), maxsize=2 * spec.fps, name="film-pictures"):
        if cancel is not None:
            cancel.raise_if_cancelled()
        vf = av.VideoFrame.from_ndarray(picture, format="rgb24")
        vf.pts = frame_index
        for packet in video.encode(vf):
            out.mux(packet)
        frame_index += 1
        if sound is not None:
            until = int(frame_index / spec.fps * AUDIO_RATE)
            audio_pos = _encode_audio(out, sound, audio, audio_pos, until)
        if progress is not None and frame_index % spec.fps == 0:
            progress(Progress("render", frame_index / spec.fps, total / spec.fps))
    for packet in video.encode():
        out.mux(packet)
    if sound is not None:
        _encode_audio(out, sound, audio, audio_pos, len(audio))
        for packet in sound.encode():
            out.mux(packet)


def _pictures(spec: FilmSpec):
    """Every frame of the film as (H, W, 3) uint8: each shot's picture seen through a moving camera."""
    for shot in spec.shots:
        n = int(round(shot.duration * spec.fps))
        picture = Image.fromarray(_rgb(shot.picture))
        for i in range(n):
            u = i / max(1, n - 1)
            u = u * u * (3 - 2 * u)  # ease in and out
            box = [a + (b - a) * u for a, b in zip(shot.start, shot.end)]
            w, h = picture.size
            crop = (box[0] * w, box[1] * h, (box[0] + box[2]) * w, (box[1] + box[3]) * h)
            yield np.asarray(picture.resize(spec.size, Image.Resampling.BILINEAR, box=crop))


def _encode_audio(out, sound, audio, pos, until, chunk=1024) -> int:
    while pos + chunk <= until:
        af = av.AudioFrame.from_ndarray(audio[None, pos : pos + chunk], format="fltp", layout="mono")
        af.sample_rate = AUDIO_RATE
        af.pts = pos
        for packet in sound.encode(af):
            out.mux(packet)
        pos += chunk
    return pos


def _dialogue_track(spec: FilmSpec, duration: float):
    """The soundtrack (or None) and the subtitle events, timed to the speech where there is speech."""
    events = pysubs2.SSAFile()
    audio = np.zeros(int(duration * AUDIO_RATE) + AUDIO_RATE, np.float32) if spec.speech else None
    for line in spec.lines:
        spoken = speak(line.text, line.speaker_voice) if spec.speech else None
        if spoken is None:
            length = max(1.5, 0.35 * len(line.text.split()))
        elif audio is not None:
            length = len(spoken) / AUDIO_RATE
            start = int(line.at * AUDIO_RATE)
            end = min(len(audio), start + len(spoken))
            audio[start:end] += spoken[: end - start]
        events.append(
            pysubs2.SSAEvent(start=int(line.at * 1000), end=int((line.at + length + 0.3) * 1000), text=line.text)
        )
    if spec.speech and not np.any(audio):
        log.warning("espeak-ng is not installed: the film will be silent")
    return audio, events


def _rgb(picture: np.ndarray) -> np.ndarray:
    picture = np.asarray(picture)
    if picture.dtype == bool:
        picture = picture.astype(np.uint8) * 255
    if picture.ndim == 2:
        picture = np.stack([picture] * 3, axis=-1)
    if picture.shape[-1] == 4:
        picture = picture[..., :3]
    return np.ascontiguousarray(picture.astype(np.uint8))
