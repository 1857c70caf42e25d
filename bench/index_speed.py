"""Indexing speed: Movie Buddy's indexer against a naive baseline, on a film that decodes like a real one.

    python bench/index_speed.py [FILM] [--minutes 10] [--long-gop] [--only-moviebuddy]
                                [--cores "0 0-1"] [--decoders "1 2"]

Without FILM it generates (once, cached in bench/out/) a 10-minute 1080p 24 fps H.264 film at about
9 Mb/s with B-frames, scene cuts, camera motion and grain. Each measurement runs in its own process so
that its peak RSS is its own. Prints a Markdown table; targets on 2 cores: >= 12x real time at 1 fps,
>= 2x the baseline, peak RSS <= 2 GB, <= 16 KiB per frame."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_moviebuddy(film: Path, fps: float, rough: bool = True) -> dict:
    """The real indexer, exactly as `moviebuddy index` runs it (decoder thread + encoder thread): its rough
    pass over the key frames (the whole film searchable: ``searchable_s``), then the full pass."""
    import torch

    from core.events import Done, Progress
    from core.indexing import index_film
    from core.store import open_store
    from core.stretches import decoders_for

    torch.set_num_threads(max(1, usable_cores() - 1))
    with tempfile.TemporaryDirectory() as home, open_store(home) as store:
        started = time.perf_counter()
        searchable = picture = result = None
        roughly = False
        for event in index_film(store, film, fps=fps, rough=rough):
            roughly = roughly or (isinstance(event, Progress) and event.stage == "keyframes")
            if isinstance(event, Progress) and event.stage == "scenes" and searchable is None:
                searchable = time.perf_counter() - started  # the first scenes: after the rough pass
            if isinstance(event, Progress) and event.stage in SLOW_STAGES and picture is None:
                picture = time.perf_counter() - started  # the picture is indexed: the dialogue stages begin
            if isinstance(event, Done):
                result = event.result
        seconds = time.perf_counter() - started
        picture = picture or seconds
        assert result is not None
        return {
            "frames": result.frames,
            "seconds": picture,
            "with_dialogue_s": seconds,
            "searchable_s": searchable if rough else picture,
            "bytes_per_frame": result.bytes_per_frame,
            "strategy": ("rough pass, then " if roughly else "") + result.strategy,
            "cores": usable_cores(),
            "decoders": decoders_for(),
        }


SLOW_STAGES = ("screen text", "speech", "image subtitles")  # after the picture (core.dialogue.sources)


def usable_cores() -> int:
    """The cores this process may run on (``taskset`` restricts them; os.cpu_count() ignores that)."""
    from core.stretches import usable_cores as cores

    return cores()


def measure_baseline(film: Path, fps: float, threading: str = "NONE") -> dict:
    """Naive: decode every frame on one thread, keep one per second, encode with the same encoder in the
    same thread (torch may use every core), no overlap of decoding and encoding. With ``threading``
    "DEFAULT" PyAV's own default codec threading is left on, for comparison."""
    import av
    import numpy as np
    import torch

    from core.encoders.efficientnet import EfficientNetLite0

    torch.set_num_threads(os.cpu_count() or 2)
    encoder = EfficientNetLite0()
    started = time.perf_counter()
    frames, batch, next_t = 0, [], 0.0
    with av.open(str(film)) as container:
        stream = container.streams.video[0]
        if threading != "DEFAULT":
            stream.thread_type = threading
        for frame in container.decode(stream):
            if frame.time is None or frame.time + 1e-3 < next_t:
                continue
            next_t = (int(frame.time * fps + 1e-3) + 1) / fps
            batch.append(frame.to_ndarray(width=224, height=224, format="rgb24"))
            if len(batch) == 16:
                encoder.encode(np.stack(batch))
                frames, batch = frames + len(batch), []
    if batch:
        encoder.encode(np.stack(batch))
        frames += len(batch)
    what = "every frame, one thread" if threading == "NONE" else "every frame, PyAV's default threading"
    return {
        "frames": frames,
        "seconds": time.perf_counter() - started,
        "bytes_per_frame": None,
        "strategy": f"{what}, then encode",
    }


def measure_decode(film: Path, fps: float, threading: str, skip: str | None) -> dict:
    """Decoding alone (no encoder) under one strategy, to choose the indexer's default by measuring."""
    import av

    started = time.perf_counter()
    kept, next_t = 0, 0.0
    with av.open(str(film)) as container:
        stream = container.streams.video[0]
        stream.thread_type = threading
        if skip:
            stream.codec_context.skip_frame = skip
        for frame in container.decode(stream):
            if frame.time is None or frame.time + 1e-3 < next_t:
                continue
            next_t = (int(frame.time * fps + 1e-3) + 1) / fps
            frame.to_ndarray(width=224, height=224, format="rgb24")
            kept += 1
    return {
        "frames": kept,
        "seconds": time.perf_counter() - started,
        "bytes_per_frame": None,
        "strategy": f"decode only: {threading.lower()} threading, {'skip ' + skip.lower() if skip else 'all frames'}",
    }


def child(args) -> None:
    film = Path(args.film)
    if args.mode == "moviebuddy":
        out = measure_moviebuddy(film, args.fps)
    elif args.mode == "moviebuddy-full-only":
        out = measure_moviebuddy(film, args.fps, rough=False)
    elif args.mode == "baseline":
        out = measure_baseline(film, args.fps)
    elif args.mode == "baseline-threaded":
        out = measure_baseline(film, args.fps, threading="DEFAULT")
    else:
        _, threading, skip = args.mode.split(":")
        out = measure_decode(film, args.fps, threading, skip or None)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def run_child(film: Path, mode: str, fps: float, cores: str | None = None, decoders: int | None = None) -> dict:
    pinned = ["taskset", "-c", cores] if cores else []
    env = dict(os.environ)
    env.pop("MOVIEBUDDY_DECODERS", None)
    if decoders:
        env["MOVIEBUDDY_DECODERS"] = str(decoders)
    proc = subprocess.run(
        [*pinned, sys.executable, __file__, "--child", mode, str(film), "--fps", str(fps)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("film", nargs="?", type=Path)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--fps", type=float, default=1.0)
    parser.add_argument("--long-gop", action="store_true", help="the generated film with a single key frame")
    parser.add_argument("--no-decode-table", action="store_true", help="skip the decode-only strategies")
    parser.add_argument("--only-moviebuddy", action="store_true", help="only the indexer's rows (no baselines)")
    parser.add_argument("--cores", default="", help="also run the indexer on these CPU lists, e.g. 0 0-1 (taskset)")
    parser.add_argument(
        "--decoders",
        default="",
        help="with --cores: also each of these numbers of decoders, e.g. 1 2 3 (core.stretches)",
    )
    parser.add_argument("--child", dest="mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        args.film = str(args.film)
        child(args)
        return
    from bench.synthetic_film import write_synthetic_film
    from core.media.probe import probe

    name = f"synthetic-{args.minutes:g}min-1080p{'-long-gop' if args.long_gop else ''}.mp4"
    out = ROOT / "bench" / "out" / name
    film = args.film or write_synthetic_film(out, minutes=args.minutes, long_gop=args.long_gop)
    info = probe(film)
    print(
        f"film: {film.name}, {info.duration_s / 60:.1f} min, {info.width}x{info.height} {info.video_codec}, "
        f"{info.fps:.2f} fps, {info.bit_rate / 1e6:.1f} Mb/s; sampling {args.fps:g} fps; {os.cpu_count()} cores\n"
    )
    modes = ["moviebuddy", "moviebuddy-full-only"]
    if not args.only_moviebuddy:
        modes = ["baseline", "baseline-threaded", *modes]
    if not args.no_decode_table and not args.only_moviebuddy:
        modes += ["decode:NONE:", "decode:AUTO:", "decode:NONE:NONREF", "decode:AUTO:NONREF", "decode:NONE:NONKEY"]
    rows = {}
    for mode in modes:
        rows[mode] = run_child(film, mode, args.fps)
        print(f"  measured {mode}: {rows[mode]['seconds']:.1f} s", file=sys.stderr)
    for cores in args.cores.split():
        for decoders in [int(d) for d in args.decoders.split()] or [None]:
            key = f"moviebuddy@{cores}" + (f"x{decoders}" if decoders else "")
            rows[key] = run_child(film, "moviebuddy", args.fps, cores, decoders)
            r = rows[key]
            print(f"  measured on CPUs {cores}, {r['decoders']} decoders: {r['seconds']:.1f} s", file=sys.stderr)
    base = rows["baseline"]["seconds"] if "baseline" in rows else None
    print("| run | frames | seconds | frames/s | x real time | vs baseline | peak RSS MB | bytes/frame |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for mode, r in rows.items():
        label = {
            "baseline": "naive baseline",
            "baseline-threaded": "naive, threaded decoder",
            "moviebuddy": "**Movie Buddy index**",
            "moviebuddy-full-only": "Movie Buddy index without the rough pass",
        }.get(mode, mode)
        if mode.startswith("moviebuddy@"):
            label = f"Movie Buddy index on {r['cores']} core{'s' if r['cores'] > 1 else ''}, {r['decoders']} decoder"
            label += "s" if r["decoders"] > 1 else ""
        elif mode.startswith("moviebuddy"):
            label += f", {r['decoders']} decoder" + ("s" if r["decoders"] > 1 else "")
        bpf = f"{r['bytes_per_frame']:.0f}" if r["bytes_per_frame"] else "-"
        ratio = f"{base / r['seconds']:.2f}x" if base else "-"
        print(
            f"| {label} ({r['strategy']}) | {r['frames']} | {r['seconds']:.1f} | {r['frames'] / r['seconds']:.1f} | "
            f"{info.duration_s / r['seconds']:.1f}x | {ratio} | {r['peak_rss_mb']:.0f} | {bpf} |"
        )
    searchable = [(mode, r) for mode, r in rows.items() if "searchable_s" in r]
    if searchable:
        print("\n(the indexer's seconds above are its picture; on-screen text reading then runs as a slow dialogue")
        print("stage: its whole run with it below)\n")
        print("| indexer run | whole film searchable after s | per 2 hours of film | picture s | with dialogue s |")
        print("|---|---:|---:|---:|---:|")
        for mode, r in searchable:
            per_2h = r["searchable_s"] * 7200 / info.duration_s
            print(
                f"| {mode} | {r['searchable_s']:.1f} ({info.duration_s / r['searchable_s']:.0f}x) | "
                f"{per_2h / 60:.1f} min | {r['seconds']:.1f} | {r['with_dialogue_s']:.1f} |"
            )


if __name__ == "__main__":
    main()
