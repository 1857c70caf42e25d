"""The ``moviebuddy`` command: everything the app does to a film, headless.

Exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 unusable input (one line, no traceback), 130 cancelled."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from core import __version__
from core.config import load_settings
from core.errors import MovieBuddyError, SubtitleError, UnknownBackend, UnusableMedia
from core.events import CancelToken, Done, Progress

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INPUT, EXIT_CANCELLED = 0, 1, 2, 3, 130
log = logging.getLogger("moviebuddy")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moviebuddy", description="Movie Buddy: a companion for watching films.")
    parser.add_argument("--home", type=Path, help="data folder (default: $MOVIEBUDDY_HOME or the platform's data dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--version", action="version", version=f"moviebuddy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="index a film (frames, dialogue, scenes); resumes where it stopped")
    p.add_argument("movie", type=Path)
    p.add_argument("--fps", type=_positive_float, default=None,
                   help="frames sampled per second of film (default: the settings' rate, 1)")
    p.add_argument("--subs", type=Path, help="subtitle file to use instead of the ones found beside the film")
    p.add_argument("--vision", help="vision encoder: efficientnet-lite0 (default), a CLIP/SigLIP id or folder")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("status", help="how far a film is indexed")
    p.add_argument("movie", type=Path)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("scenes", help="the film's scenes with their visual tags")
    p.add_argument("movie", type=Path)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ask", help="ask a question about a film; the answer cites moments")
    p.add_argument("movie", type=Path)
    p.add_argument("question")
    p.add_argument("--until", help="spoiler-free: use only the film up to this time (seconds or [h:]mm:ss)")
    p.add_argument("--watched", help="spoiler-free: the ranges watched, e.g. 0-12:30,15:00-20:00")
    p.add_argument("--llm", help="answering model: extractive (default), smollm2, a Hugging Face id or folder, "
                                 "a .gguf file, llama-cpp:PATH, or an OpenAI-compatible URL#MODEL")
    p.add_argument("--no-quotes", action="store_true",
                   help="with --llm: do not add the quote a generated answer rests on")
    p.add_argument("--new", action="store_true", help="start a new conversation instead of following up")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("recap", help="the story so far")
    p.add_argument("movie", type=Path)
    p.add_argument("--until", help="recap only up to this time (seconds or [h:]mm:ss)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("sample", help="write the sample film and print its path")
    p.add_argument("-o", "--output", type=Path, help="where to write it (default: in the data folder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="moviebuddy: %(message)s", stream=sys.stderr)
    if args.home:
        os.environ["MOVIEBUDDY_HOME"] = str(args.home)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except (UnknownBackend, UsageError) as exc:
        print(f"moviebuddy: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (UnusableMedia, SubtitleError) as exc:
        print(f"moviebuddy: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except MovieBuddyError as exc:
        print(f"moviebuddy: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:
        return EXIT_OK


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _store():
    from core.store import open_store

    return open_store()


def _known_film(store, movie: Path):
    """The stored film for a path (by content fingerprint), probing it to check it is a film."""
    from core.media.probe import probe
    from core.store import fingerprint

    info = probe(movie)
    return info, store.film_by_fingerprint(fingerprint(info.path))


def cmd_index(args) -> int:
    import torch

    from core.indexing import index_film

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))  # one core decodes, the rest encode
    if args.subs is not None and not args.subs.is_file():
        raise SubtitleError(f"{args.subs}: no such subtitle file")
    cancel = CancelToken()
    result = None
    with _store() as store, ProgressBar(f"Indexing {args.movie.name}") as bar:
        settings = load_settings()
        job = index_film(store, args.movie, vision=args.vision or settings.vision, fps=args.fps or settings.fps,
                         subs=args.subs, cancel=cancel)
        try:
            for event in job:
                if isinstance(event, Progress):
                    bar.update(event)
                elif isinstance(event, Done):
                    result = event.result
        except KeyboardInterrupt:
            cancel.cancel()
            job.close()
            bar.close()
            print("moviebuddy: cancelled; what was indexed is kept, run the same command to continue",
                  file=sys.stderr)
            return EXIT_CANCELLED
    if args.json:
        print(json.dumps(result.as_json()))
    else:
        state = "complete" if result.complete else "incomplete"
        print(f"{result.film.title}: {result.frames} frames ({result.added} new), {result.dialogue_lines} "
              f"dialogue lines, {result.bytes_per_frame / 1024:.1f} KiB per frame, {state}, "
              f"{result.seconds:.1f} s")
    return EXIT_OK


def film_status(store, info, film) -> dict:
    """The status object of ``moviebuddy status`` (a film not yet indexed reports zeros)."""
    progress = store.latest_progress(film.id) if film else None
    frames = store.frame_count(film.id, progress["encoder_id"]) if progress else 0
    return {
        "frames": frames,
        "duration_s": round(info.duration_s, 3),
        "indexed_until_s": progress["indexed_until_s"] if progress else None,
        "complete": bool(progress["complete"]) if progress else False,
        "dialogue_lines": store.dialogue_count(film.id) if film else 0,
        "dialogue_sources": store.dialogue_sources(film.id) if film else [],
        "scenes": len(store.scenes(film.id)) if film else 0,
    }


def cmd_status(args) -> int:
    from core.timefmt import clock

    with _store() as store:
        info, film = _known_film(store, args.movie)
        status = film_status(store, info, film)
    if args.json:
        print(json.dumps(status))
        return EXIT_OK
    until = status["indexed_until_s"]
    state = "complete" if status["complete"] else f"indexed to {clock(until)}" if until is not None else "not indexed"
    print(f"{info.title}: {state} of {clock(status['duration_s'])}, {status['frames']} frames, "
          f"{status['dialogue_lines']} dialogue lines, {status['scenes']} scenes")
    for source in status["dialogue_sources"]:
        print(f"  dialogue: {source['source']} ({source['kind']}, {source['language'] or '?'}, {source['lines']} lines)")
    return EXIT_OK


def cmd_scenes(args) -> int:
    from core.timefmt import clock

    with _store() as store:
        info, film = _known_film(store, args.movie)
        scenes = store.scenes(film.id) if film else []
    if args.json:
        print(json.dumps(scenes))
        return EXIT_OK
    if not scenes:
        print(f"{info.title}: no scenes yet; run: moviebuddy index {args.movie}", file=sys.stderr)
        return EXIT_OK
    for scene in scenes:
        print(f"{clock(scene['start']):>8} - {clock(scene['end']):<8} {', '.join(scene['tags'])}")
    return EXIT_OK


def _window(args):
    from core.timefmt import parse_time
    from core.window import Window, parse_ranges

    try:
        if getattr(args, "watched", None):
            return Window.watched(parse_ranges(args.watched))
        if args.until is not None:
            return Window.until(parse_time(args.until))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Window.whole()


class UsageError(MovieBuddyError):
    """A malformed argument value."""


def _indexed_film(store, movie: Path):
    info, film = _known_film(store, movie)
    if film is None or store.latest_progress(film.id) is None:
        raise UnusableMedia(f"{movie.name}: not indexed yet; run: moviebuddy index {movie}")
    return film


def cmd_ask(args) -> int:
    from core import conversations, encoders
    from core.answering import Answer, Token, answer_question, create_model
    from core.retrieval import Retriever
    from core.text_embed import default_embedder

    window = _window(args)
    with _store() as store:
        film = _indexed_film(store, args.movie)
        encoder_id = store.latest_progress(film.id)["encoder_id"]
        encoder = encoders.create(encoders.name_of(encoder_id), cache_dir=store.home / "cache")
        model = create_model(args.llm or load_settings().llm, store.home)
        conversation = None if args.new else conversations.latest(store, film.id)
        conversation = conversation or conversations.start(store, film.id)
        history = conversations.history(store, conversation)
        retriever = Retriever(store, encoder, default_embedder())
        result = None
        for event in answer_question(retriever, film, args.question, window, model, history=history,
                                     with_quotes=not args.no_quotes):
            if isinstance(event, Token) and not args.json:
                print(event.text, end="", flush=True)
            elif isinstance(event, Answer):
                result = event
        conversations.add_turn(store, conversation, result)
    if args.json:
        print(json.dumps(result.as_json()))
        return EXIT_OK
    from core.timefmt import clock

    print()
    if result.note:
        print(f"({result.note})")
    if result.citations:
        print("Moments: " + ", ".join(f"[{clock(t)}]" for t in result.citations))
    return EXIT_OK


def cmd_recap(args) -> int:
    from core.recap import recap

    window = _window(args)
    with _store() as store:
        film = _indexed_film(store, args.movie)
        result = recap(store, film, store.latest_progress(film.id)["encoder_id"], window)
    if args.json:
        print(json.dumps({"recap": result.text, "citations": result.citations, "cached": result.cached}))
    else:
        print(result.text)
    return EXIT_OK


def cmd_sample(args) -> int:
    from core.config import default_home
    from core.sample import ensure_sample, sample_path

    target = args.output or sample_path(default_home())
    with ProgressBar("Making the sample film") as bar:
        path = ensure_sample(target, progress=bar.update)
    print(path)
    return EXIT_OK


class ProgressBar:
    """A tqdm bar on stderr, fed with Progress events (silent when stderr is not a terminal in CI logs)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._bar = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, event: Progress) -> None:
        if not sys.stderr.isatty():
            self._plain(event)
            return
        from tqdm import tqdm

        if self._bar is None:
            unit = "s of film" if event.unit == "s" else event.unit
            self._bar = tqdm(total=round(event.total, 1), desc=self.title, unit=unit, file=sys.stderr,
                             leave=False, dynamic_ncols=True,
                             bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} {unit} "
                                        "[{elapsed}<{remaining}]{postfix}")
        self._bar.total = round(event.total, 1)
        self._bar.n = round(min(event.done, event.total), 1)
        self._bar.set_postfix_str(event.message, refresh=False)
        self._bar.refresh()

    def _plain(self, event: Progress) -> None:
        """Without a terminal (logs, pipes): one line per tenth of the way."""
        step = int(event.fraction * 10)
        if step > getattr(self, "_last_step", -1):
            self._last_step = step
            print(f"{self.title}: {step * 10}% {event.message}".rstrip(), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


COMMANDS = {"index": cmd_index, "status": cmd_status, "scenes": cmd_scenes, "ask": cmd_ask, "recap": cmd_recap,
            "sample": cmd_sample}

if __name__ == "__main__":
    sys.exit(main())
