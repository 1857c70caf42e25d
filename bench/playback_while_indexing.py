"""Does indexing make playback stutter? The app's own window plays a 1080p 24 fps film under Xvfb for
60 s, once with the background indexer running (from the playhead, lowest priority, one torch thread,
stepping aside when mpv drops frames) and once without, and reports mpv's dropped and delayed frame
counts beside the indexer's throughput.

    python bench/playback_while_indexing.py [--seconds 60] [--film FILM] [--rounds 1] [--speech]

``--speech``: the film gets the read-aloud sound of ../shared/media/manifesto.mp4 (looped, no subtitles),
so that once its picture is indexed, speech recognition and on-screen text reading run while it plays;
the table then says which stages ran during each run and how many lines were recognised.

Uses bench/out/synthetic-10min-1080p.mp4 (made by bench/synthetic_film.py) or writes a 3-minute one.
Starts its own Xvfb unless DISPLAY is set. Each run gets a fresh data folder, so the index starts empty."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def film_to_play(requested: Path | None) -> Path:
    if requested:
        return requested
    existing = OUT / "synthetic-10min-1080p.mp4"
    if existing.exists():
        return existing
    from bench.synthetic_film import write_synthetic_film

    return write_synthetic_film(OUT / "synthetic-3min-1080p.mp4", minutes=3.0)


def with_speech(film: Path) -> Path:
    """A copy of ``film`` (its video stream copied) with manifesto.mp4's speech looped under it."""
    import av
    import numpy as np

    target = OUT / f"{film.stem}-speech.mkv"
    if target.exists():
        return target
    voice = ROOT.parent / "shared" / "media" / "manifesto.mp4"
    with av.open(str(voice)) as source:
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=48_000)
        sound = np.concatenate(
            [out.to_ndarray()[0] for frame in source.decode(audio=0) for out in resampler.resample(frame)]
        )
    partial = target.with_suffix(".partial.mkv")
    with av.open(str(film)) as src, av.open(str(partial), "w") as out:
        video_in = src.streams.video[0]
        video_out = out.add_stream_from_template(video_in)
        audio = out.add_stream("aac", rate=48_000, layout="mono")
        length = float(src.duration or 0) / 1_000_000 or 180.0
        for packet in src.demux(video_in):
            if packet.dts is not None:
                packet.stream = video_out
                out.mux(packet)
        total = int(length * 48_000)
        for at in range(0, total, 1024):
            index = np.arange(at, min(total, at + 1024)) % len(sound)
            frame = av.AudioFrame.from_ndarray(sound[index][None, :].astype(np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 48_000, at
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    partial.replace(target)
    return target


def play(app, film: Path, seconds: float, index: bool, ask_at: float | None = None) -> dict:
    """Play ``film`` from its start in a fresh window for ``seconds``; returns what was measured."""
    from PySide6.QtCore import QSettings

    from desktop.window import MainWindow

    home = Path(tempfile.mkdtemp(prefix="mb-bench-"))
    os.environ["MOVIEBUDDY_HOME"] = str(home)
    os.environ["MOVIEBUDDY_CONFIG"] = str(home / "settings.json")
    window = MainWindow(
        home=home,
        vo="libmpv",
        ao="null",
        index_automatically=index,
        qsettings=QSettings(str(home / "ui.ini"), QSettings.Format.IniFormat),
    )
    window.resize(1600, 900)
    window.show()
    covered = []
    holds = []
    stages: set[str] = set()
    window.open_film(film)
    if window.indexer is not None:
        window.indexer.progress.connect(lambda e: covered.append(e.done) if e.stage == "frames" else None)
        window.indexer.progress.connect(lambda e: stages.add(e.stage))
    # wait for playback to start, then measure exactly `seconds` of wall time
    deadline = time.monotonic() + 60
    while (window.player.position or 0) <= 0.2 and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    start_drops = window.player.dropped_frames
    start_pos, started = window.player.position or 0.0, time.monotonic()
    timeline, last_second = [], -1
    asked, answered = None, []
    if ask_at is not None:
        window.answers.answered.connect(lambda _id, turn: answered.append(time.monotonic()))
        window.answers.failed.connect(lambda _id, message: answered.append(time.monotonic()))
    while time.monotonic() - started < seconds:
        app.processEvents()
        if ask_at is not None and asked is None and time.monotonic() - started >= ask_at:
            asked = time.monotonic()
            window.chat.spoiler_free.setChecked(False)
            window.ask("What is in the picture?")
        second = int(time.monotonic() - started)
        if second != last_second:
            last_second = second
            timeline.append(sum(window.player.dropped_frames) - sum(start_drops))
        if window.indexer is not None and window.indexer.holding and (not holds or holds[-1] < time.monotonic() - 5):
            holds.append(time.monotonic())
        time.sleep(0.005)
    wall = time.monotonic() - started
    drops = window.player.dropped_frames
    played = (window.player.position or 0.0) - start_pos
    frames = window.store.frame_count(window.film.id) if window.film else 0
    sources = window.store.dialogue_sources(window.film.id) if window.film else []
    window.close()
    app.processEvents()
    return {
        "index": index,
        "played_s": played,
        "wall_s": wall,
        "dropped": drops[0] - start_drops[0],
        "delayed": drops[1] - start_drops[1],
        "indexed_s": covered[-1] if covered else 0.0,
        "frames": frames,
        "holds": len(holds),
        "timeline": timeline,
        "answer_s": (answered[0] - asked) if asked and answered else None,
        "stages": sorted(stages),
        "recognised": sum(x["lines"] for x in sources if x["kind"] == "asr"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--film", type=Path)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two runs this many times")
    parser.add_argument("--ask-at", type=float, help="also ask a question this many seconds into each run")
    parser.add_argument("--speech", action="store_true", help="the film with speech under it (see above)")
    args = parser.parse_args(argv)

    display = None
    if not os.environ.get("DISPLAY"):
        from pyvirtualdisplay import Display

        display = Display(visible=False, size=(1920, 1080), color_depth=24)
        display.start()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from PySide6.QtWidgets import QApplication

    film = film_to_play(args.film)
    if args.speech:
        film = with_speech(film)
    from core.media.probe import probe

    info = probe(film)
    app = QApplication([sys.argv[0]])
    results = []
    try:
        for _ in range(args.rounds):
            for index in (False, True):
                results.append(play(app, film, args.seconds, index, args.ask_at))
                print(f"  {'with' if index else 'without'} indexing: {results[-1]}", file=sys.stderr)
    finally:
        if display is not None:
            display.stop()

    print(
        f"\nFilm: {film.name}, {info.width}x{info.height} {info.video_codec} at {info.fps:g} fps; "
        f"{args.seconds:g} s of playback per run, window 1600x900 (picture about 1200x700), Xvfb + Mesa.\n"
    )
    print(
        "| run | played (s) | dropped frames | delayed frames | film indexed (s) | frames indexed "
        "| indexing speed | indexer held back | question answered in | stages | lines recognised |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        speed = f"{r['indexed_s'] / r['wall_s']:.2f}x real time" if r["index"] else "-"
        print(
            f"| {'with indexing' if r['index'] else 'without indexing'} | {r['played_s']:.1f} | {r['dropped']} "
            f"| {r['delayed']} | {r['indexed_s']:.0f} | {r['frames']} | {speed} | "
            f"{r['holds'] if r['index'] else '-'} | "
            f"{'-' if r['answer_s'] is None else format(r['answer_s'], '.1f') + ' s'} | "
            f"{', '.join(r['stages']) or '-'} | {r['recognised'] if r['index'] else '-'} |"
        )
    base = [r for r in results if not r["index"]]
    busy = [r for r in results if r["index"]]
    base_drops = sum(r["dropped"] + r["delayed"] for r in base)
    busy_drops = sum(r["dropped"] + r["delayed"] for r in busy)
    verdict = "met" if busy_drops <= base_drops else "NOT met"
    print(
        f"\nDropped + delayed with indexing: {busy_drops}, without: {base_drops} -> target (no more than "
        f"without indexing) {verdict}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
