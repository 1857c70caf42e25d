"""Dialogue speed: how fast (and how well) a film without text subtitles gets its dialogue.

    python bench/dialogue_speed.py [--media ../shared/media] [--only speech]

Speech recognition: each of the 16 "Night of the Living Dead" excerpts (MEDIA/notld, about 4.6 minutes of
real film dialogue in all) is put under a generated picture as a film with no subtitles (not timed) and
recognised one by one exactly as indexing does (core.dialogue.speech.recognise: decoding and resampling
the sound, Whisper-base with its voice filter, storing the lines; the model is loaded for each film, as in
the app); then the read-aloud MEDIA/manifesto.mp4 (88 s) the same way. Targets on 2 cores: real-time
factor (recognition seconds / sound seconds) <= 0.3; the excerpts' word error rate against their
transcripts (all edits / all reference words) <= 20%, the target for Whisper-base.

OCR: the DVD and PGS subtitles of the Popeye clips read (core.dialogue.image_subs.read, drawing, OCR,
tidying, storing) and the on-screen text of the HD clip (core.dialogue.screen_text.read: decoding the
frames it looks at, OCR, storing), each after the clip's picture is indexed (not timed). Targets on 2
cores: >= 2.5 subtitles/s (a 2-hour film's ~1,500 in 10 minutes), >= 2 frames/s of on-screen text.

Each measurement is a function taking the Bench and returning one row (a dict with ROW_KEYS), or None
when its media is absent. Prints a Markdown table: measurement, amount, seconds, rate, target."""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import core  # noqa: E402,F401  (first: it limits NumPy's BLAS threads before NumPy loads)

ROW_KEYS = ("measurement", "amount", "seconds", "rate", "target", "met")
TARGET_RTF = 0.3
TARGET_WER = 0.20


@dataclass(frozen=True)
class Bench:
    media: Path  # the shared clips (../shared/media)
    work: Path  # a scratch folder for generated films and stores, removed at the end


@dataclass
class Recognised:
    clips: int
    sound_s: float
    seconds: float  # wall time of recognition alone
    edits: int = 0
    reference_words: int = 0


def recognise_films(films: list[Path], home: Path) -> tuple[float, list[str]]:
    """Recognise each film's speech as indexing does, in one store: (wall seconds, each film's text)."""
    from core.dialogue import speech
    from core.media.probe import probe
    from core.spoiler_window import Window
    from core.store import fingerprint, open_store

    seconds, texts = 0.0, []
    with open_store(home) as store:
        for path in films:
            info = probe(path)
            film = store.ensure_film(fingerprint(info.path), info)
            started = time.perf_counter()
            list(speech.recognise(store, film, info))
            seconds += time.perf_counter() - started
            texts.append(" ".join(line.text for line in store.lines_in_window(film.id, Window.whole())))
    return seconds, texts


@functools.cache
def notld_recognised(bench: Bench) -> Recognised | None:
    """The excerpts made films and recognised once; the speed and error rows both read it."""
    from tests.testkit.speech_films import film_from_sound, sound_seconds, transcribed_sounds
    from tests.testkit.text_metrics import edit_distance, words

    folder = bench.media / "notld"
    clips = transcribed_sounds(folder) if folder.is_dir() else []
    if not clips:
        return None
    films = [film_from_sound(sound, bench.work / "notld" / f"{sound.stem}.mkv") for sound, _ in clips]
    seconds, texts = recognise_films(films, bench.work / "home-notld")
    result = Recognised(len(clips), sum(sound_seconds(sound) for sound, _ in clips), seconds)
    for (_, transcript), heard in zip(clips, texts):
        reference = words(transcript)
        result.edits += edit_distance(reference, words(heard))
        result.reference_words += len(reference)
    return result


# --- speech recognition ---------------------------------------------------------------------------------


def speech_notld_speed(bench: Bench) -> dict | None:
    """Real-time factor of recognition over the notld excerpts, one film each."""
    done = notld_recognised(bench)
    if done is None:
        return None
    rtf = done.seconds / done.sound_s
    return row(
        "speech recognition, film dialogue (notld, one film per excerpt)",
        f"{done.sound_s:.1f} s of sound, {done.clips} films",
        done.seconds,
        f"RTF {rtf:.3f} ({1 / rtf:.1f}x real time)",
        f"RTF <= {TARGET_RTF}",
        rtf <= TARGET_RTF,
    )


def speech_notld_accuracy(bench: Bench) -> dict | None:
    """Word error rate of the same recognition against the excerpts' transcripts."""
    done = notld_recognised(bench)
    if done is None:
        return None
    wer = done.edits / max(1, done.reference_words)
    return row(
        "speech recognition, word error rate (notld)",
        f"{done.reference_words} reference words, {done.clips} films",
        None,
        f"WER {wer:.1%}",
        f"WER <= {TARGET_WER:.0%}",
        wer <= TARGET_WER,
    )


def speech_manifesto_speed(bench: Bench) -> dict | None:
    """Real-time factor of recognition on the read-aloud manifesto.mp4 (a copy: no subtitles beside it)."""
    from tests.testkit.speech_films import sound_seconds

    clip = bench.media / "manifesto.mp4"
    if not clip.is_file():
        return None
    film = bench.work / "manifesto" / clip.name
    film.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(clip, film)
    seconds, _ = recognise_films([film], bench.work / "home-manifesto")
    sound_s = sound_seconds(film)
    rtf = seconds / sound_s
    return row(
        "speech recognition, audiobook reading (manifesto.mp4)",
        f"{sound_s:.1f} s of sound, 1 film",
        seconds,
        f"RTF {rtf:.3f} ({1 / rtf:.1f}x real time)",
        f"RTF <= {TARGET_RTF}",
        rtf <= TARGET_RTF,
    )


# --- OCR: image subtitles and on-screen text ---------------------------------------------------------------
TARGET_LINES_PER_S = 2.5  # a 2-hour film's ~1,500 subtitles read in at most 10 minutes
TARGET_FRAMES_PER_S = 2.0  # a 2-hour film's ~1,500 scenes and ~700 long-scene looks in under 20 minutes


def _stored_film(bench: Bench, name: str, home: str):
    """(store, film, info) of a copy of MEDIA/name alone in a folder, its picture indexed (not timed) and
    no slow source run yet."""
    from core.dialogue import sources
    from core.indexing import index_film, run
    from core.media.probe import probe
    from core.store import open_store

    clip = bench.media / name
    if not clip.is_file():
        return None
    film = bench.work / home / clip.name
    film.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(clip, film)
    store = open_store(bench.work / home / "home")
    slow = {k.name: k for k in sources.kinds() if k.run is not None}
    for name_ in slow:
        sources._kinds.pop(name_)
    try:
        result = run(index_film(store, film))
    finally:
        sources._kinds.update(slow)
    return store, result.film, probe(film)


def image_subtitle_speed(bench: Bench, name: str, kind: str) -> dict | None:
    from core.dialogue import image_subs

    found = _stored_film(bench, name, f"ocr-{name}")
    if found is None:
        return None
    store, film, info = found
    started = time.perf_counter()
    list(image_subs.read(store, film, info))
    seconds = time.perf_counter() - started
    lines = sum(s["lines"] for s in store.dialogue_sources(film.id) if s["kind"] == "ocr_subtitle")
    store.close()
    return row(
        f"image subtitles read by OCR, {kind} ({name})",
        f"{lines} subtitles, {info.duration_s:.0f} s of film",
        seconds,
        f"{lines / seconds:.1f} subtitles/s",
        f">= {TARGET_LINES_PER_S} subtitles/s",
        lines / seconds >= TARGET_LINES_PER_S,
    )


def dvd_subtitle_speed(bench: Bench) -> dict | None:
    return image_subtitle_speed(bench, "popeye_1.mkv", "DVD")


def pgs_subtitle_speed(bench: Bench) -> dict | None:
    return image_subtitle_speed(bench, "popeye_1_pgs.mkv", "Blu-ray PGS 1440x1080")


def screen_text_speed(bench: Bench) -> dict | None:
    """On-screen text of the HD Popeye clip: the frames it looks at per second of work."""
    from core.dialogue import screen_text

    found = _stored_film(bench, "popeye_2_pgs.mkv", "screen-text")
    if found is None:
        return None
    store, film, info = found
    frames = len(screen_text.moments(store, film, info, 0.0))
    started = time.perf_counter()
    list(screen_text.read(store, film, info))
    seconds = time.perf_counter() - started
    store.close()
    return row(
        "on-screen text (popeye_2_pgs.mkv, 1440x1080)",
        f"{frames} frames looked at, {info.duration_s:.0f} s of film",
        seconds,
        f"{frames / seconds:.1f} frames/s",
        f">= {TARGET_FRAMES_PER_S} frames/s",
        frames / seconds >= TARGET_FRAMES_PER_S,
    )


OCR_MEASUREMENTS: list[Callable[[Bench], dict | None]] = [dvd_subtitle_speed, pgs_subtitle_speed, screen_text_speed]

SPEECH_MEASUREMENTS: list[Callable[[Bench], dict | None]] = [
    speech_notld_speed,
    speech_notld_accuracy,
    speech_manifesto_speed,
]

MEASUREMENTS = {"speech": SPEECH_MEASUREMENTS, "ocr": OCR_MEASUREMENTS}


def row(measurement: str, amount: str, seconds: float | None, rate: str, target: str, met: bool) -> dict:
    return dict(zip(ROW_KEYS, (measurement, amount, seconds, rate, target, met)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--media", type=Path, default=ROOT.parent / "shared" / "media", help="the shared clips")
    parser.add_argument("--only", choices=sorted(MEASUREMENTS), action="append", help="one section (repeatable)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mb-dialogue-"))
    os.environ["MOVIEBUDDY_HOME"] = str(work / "home")
    bench = Bench(args.media.resolve(), work)
    print(f"{os.cpu_count()} cores; media: {bench.media}\n", file=sys.stderr)
    rows = []
    try:
        for section in args.only or list(MEASUREMENTS):
            for measure in MEASUREMENTS[section]:
                started = time.perf_counter()
                result = measure(bench)
                note = "skipped: its media is absent" if result is None else f"{time.perf_counter() - started:.1f} s"
                print(f"  {measure.__name__}: {note}", file=sys.stderr)
                if result is not None:
                    rows.append(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| measurement | amount | seconds | rate | target |\n|---|---|---:|---:|---|")
    for r in rows:
        seconds = "-" if r["seconds"] is None else f"{r['seconds']:.1f}"
        verdict = "met" if r["met"] else "**missed**"
        print(f"| {r['measurement']} | {r['amount']} | {seconds} | {r['rate']} | {r['target']} ({verdict}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
