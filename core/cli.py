"""The ``moviebuddy`` command: everything the app does to a film, headless.

Exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 unusable input (one line, no traceback), 130 cancelled."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path

from core import __version__, cli_dialogue, cli_library
from core.cli_common import (
    EXIT_CANCELLED,
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    OneLineFormatter,
    UsageError,
    complain,
    default_store,
    frame_rate,
    one_line,
    say,
    store_failure,
    window_of,
)
from core.config import load_settings
from core.errors import MovieBuddyError, SubtitleError, UnknownBackend, UnusableMedia
from core.events import CancelToken
from core.progress_bar import ProgressBar, follow

log = logging.getLogger("moviebuddy")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moviebuddy", description="Movie Buddy: a companion for watching films.")
    parser.add_argument("--home", type=Path, help="data folder (default: $MOVIEBUDDY_HOME or the platform's data dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--version", action="version", version=f"moviebuddy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="index a film (frames, dialogue, scenes); resumes where it stopped")
    p.add_argument("movie", type=Path)
    p.add_argument(
        "--fps",
        type=frame_rate,
        default=None,
        help="frames sampled per second of film, at most 30 (default: the settings' rate, 1)",
    )
    p.add_argument("--subs", type=Path, help="subtitle file to use instead of the ones found beside the film")
    p.add_argument("--vision", help="vision encoder: efficientnet-lite0 (default), a CLIP/SigLIP id or folder")
    p.add_argument(
        "--asr",
        action="store_true",
        help="recognise the speech even if the film has subtitles (films without them get it anyway)",
    )
    p.add_argument(
        "--ocr",
        action="store_true",
        help="read the film's image subtitles even if it has text subtitles (films without them get it anyway)",
    )
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
    p.add_argument(
        "--llm",
        help="answering model: extractive (default), smollm2, a Hugging Face id or folder, "
        "a .gguf file, llama-cpp:PATH, or an OpenAI-compatible URL#MODEL",
    )
    p.add_argument(
        "--no-quotes", action="store_true", help="with --llm: do not add the quote a generated answer rests on"
    )
    p.add_argument("--new", action="store_true", help="start a new conversation instead of following up")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("recap", help="the story so far")
    p.add_argument("movie", type=Path)
    p.add_argument("--until", help="recap only up to this time (seconds or [h:]mm:ss)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("sample", help="write the sample film and print its path")
    p.add_argument("-o", "--output", type=Path, help="where to write it (default: in the data folder)")
    cli_library.add_parsers(sub)
    cli_dialogue.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setFormatter(OneLineFormatter("moviebuddy: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[to_stderr])
    if args.home:
        os.environ["MOVIEBUDDY_HOME"] = str(args.home)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except (UnknownBackend, UsageError) as exc:
        complain(str(exc))
        return EXIT_USAGE
    except (UnusableMedia, SubtitleError) as exc:
        complain(str(exc))
        return EXIT_INPUT
    except MovieBuddyError as exc:
        complain(str(exc))
        return EXIT_FAIL
    except sqlite3.Error as exc:  # a full disk above all: each batch commits whole, so what is stored stays
        complain(store_failure(exc))
        return EXIT_FAIL
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # an output that cannot be written: a folder, no permission, a full disk
        name = str(exc.filename or "")
        where = f"{name if len(name) <= 160 else name[:78] + '...' + name[-78:]}: " if name else ""
        complain(f"{where}{exc.strerror or exc}")
        return EXIT_INPUT if exc.errno == errno.ENAMETOOLONG else EXIT_FAIL
    except KeyboardInterrupt:
        print("moviebuddy: cancelled", file=sys.stderr)
        return EXIT_CANCELLED


def cmd_index(args) -> int:
    import torch

    from core.indexing import index_film
    from core.stretches import usable_cores

    cores = usable_cores()
    torch.set_num_threads(max(1, cores - 1))  # one core decodes, the rest encode (those it may use: taskset)
    if args.subs is not None:
        from core.media.subtitles import check_sidecar

        check_sidecar(args.subs)  # missing, a folder, too big: said before anything is done
    cancel = CancelToken()
    result = None
    with default_store() as store, ProgressBar(f"Indexing {args.movie.name}") as bar:
        settings = load_settings()
        job = index_film(
            store,
            args.movie,
            vision=args.vision or settings.vision,
            fps=args.fps or settings.fps,
            subs=args.subs,
            also=("asr",) * args.asr + ("ocr_subtitle",) * args.ocr,
            cancel=cancel,
        )
        try:
            result = follow(job, bar)
        except KeyboardInterrupt:
            cancel.cancel()
            job.close()
            bar.close()
            print("moviebuddy: cancelled; what was indexed is kept, run the same command to continue", file=sys.stderr)
            return EXIT_CANCELLED
    assert result is not None  # an indexing job ends with Done unless it raised
    if args.json:
        print(json.dumps(result.as_json()))
    else:
        state = "complete" if result.complete else "incomplete"
        say(
            f"{result.film.title}: {result.frames} frames ({result.added} new), {result.dialogue_lines} "
            f"dialogue lines, {result.bytes_per_frame / 1024:.1f} KiB per frame, {state}, "
            f"{result.seconds:.1f} s"
        )
    return EXIT_OK


def cmd_status(args) -> int:
    from core.film_state import film_state
    from core.session import known_film
    from core.timefmt import clock

    with default_store() as store:
        info, film = known_film(store, args.movie)
        status = film_state(store, film, info.duration_s).status_json()
    if args.json:
        print(json.dumps(status))
        return EXIT_OK
    until = status["indexed_until_s"]
    state = "complete" if status["complete"] else f"indexed to {clock(until)}" if until is not None else "not indexed"
    roughly = sum(b - a for a, b in status["indexed_roughly"])
    if roughly and not status["complete"]:  # the rough first pass has seen parts the full one has not yet
        state = f"{state if until is not None else 'not fully indexed'}, {clock(roughly)} more indexed roughly"
    say(
        f"{info.title}: {state} of {clock(status['duration_s'])}, {status['frames']} frames, "
        f"{status['dialogue_lines']} dialogue lines, {status['scenes']} scenes"
    )
    if status["problem"]:
        say(f"  stopped: {status['problem']}")
    for source in status["dialogue_sources"]:
        say(f"  dialogue: {cli_dialogue.describe(source)}")
    return EXIT_OK


def cmd_scenes(args) -> int:
    from core.session import known_film
    from core.timefmt import clock

    with default_store() as store:
        info, film = known_film(store, args.movie)
        scenes = store.scenes(film.id) if film else []
    if args.json:
        print(json.dumps(scenes))
        return EXIT_OK
    if not scenes:
        say(one_line(f"{info.title}: no scenes yet; run: moviebuddy index {args.movie}"), file=sys.stderr)
        return EXIT_OK
    for scene in scenes:
        say(f"{clock(scene['start']):>8} - {clock(scene['end']):<8} {', '.join(scene['tags'])}")
    return EXIT_OK


def cmd_ask(args) -> int:
    from core import session
    from core.answering import Token, create_model
    from core.turn import Turn

    if not args.question.strip():
        raise UsageError("the question is empty")
    window = window_of(args)
    with default_store() as store:
        film = session.indexed_film(store, args.movie)
        model = create_model(args.llm or load_settings().llm, store.home)
        turn = None
        for event in session.ask(
            store,
            session.retriever_for(store, film),
            film,
            args.question,
            window,
            model,
            new_conversation=args.new,
            with_quotes=not args.no_quotes,
        ):
            if isinstance(event, Token) and not args.json:
                say(event.text, end="", flush=True)
            elif isinstance(event, Turn):
                turn = event
    assert turn is not None  # not cancelled: the CLI has no stop
    if args.json:
        print(json.dumps(turn.as_json()))
        return EXIT_OK
    from core.timefmt import clock

    print()
    if turn.note:
        say(f"({turn.note})")
    if turn.citations:
        print("Moments: " + ", ".join(f"[{clock(t)}]" for t in turn.citations))
    return EXIT_OK


def cmd_recap(args) -> int:
    from core import session

    window = window_of(args)
    with default_store() as store:
        result = session.recap(store, session.indexed_film(store, args.movie), window)
    if args.json:
        print(json.dumps({"recap": result.text, "citations": result.citations, "cached": result.cached}))
    else:
        say(result.text)
    return EXIT_OK


def cmd_sample(args) -> int:
    from core.config import default_home
    from core.sample import ensure_sample, sample_path

    target = args.output or sample_path(default_home())
    with ProgressBar("Making the sample film") as bar:
        path = ensure_sample(target, progress=bar.update)
    print(path)
    return EXIT_OK


COMMANDS = {
    "index": cmd_index,
    "status": cmd_status,
    "scenes": cmd_scenes,
    "ask": cmd_ask,
    "recap": cmd_recap,
    "sample": cmd_sample,
    **cli_library.COMMANDS,
    **cli_dialogue.COMMANDS,
}

if __name__ == "__main__":
    sys.exit(main())
