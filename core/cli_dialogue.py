"""``moviebuddy dialogue``: where a film's dialogue comes from, and which source answers read."""

from __future__ import annotations

import json
from pathlib import Path

from core.cli_common import EXIT_OK, UsageError, default_store, say

LABELS = {
    "sidecar": "subtitle file",
    "embedded": "text subtitles in the film",
    "image": "image subtitles (not read yet)",
    "ocr_subtitle": "image subtitles read by OCR",
    "asr": "recognised speech",
    "screen_text": "on-screen text",
}


def add_parsers(sub) -> None:
    p = sub.add_parser("dialogue", help="the film's dialogue sources, and which one answers read")
    p.add_argument("movie", type=Path)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--use", metavar="SOURCE", help="answer from this source (a name `dialogue` lists)")
    which.add_argument("--best", action="store_true", help="answer from the best source again")
    p.add_argument("--json", action="store_true")


def describe(source: dict) -> str:
    """One source for the viewer: "image:1: image subtitles read by OCR, en, 14 lines (answers use it)"."""
    used = ", answers use it, chosen" if source["chosen"] else ", answers use it" if source["used"] else ""
    used = used if source["lines"] else ""
    return (
        f"{source['source']}: {LABELS.get(source['kind'], source['kind'])}, {source['language'] or '?'}, "
        f"{source['lines']} lines{used}"
    )


def cmd_dialogue(args) -> int:
    from core.session import known_film

    with default_store() as store:
        _, film = known_film(store, args.movie)
        if film is None:
            raise UsageError(f"{args.movie.name}: not indexed yet (run: moviebuddy index {args.movie})")
        if args.use or args.best:
            try:
                store.choose_dialogue(film.id, args.use)
            except KeyError:
                names = ", ".join(s["source"] for s in store.dialogue_sources(film.id) if s["lines"])
                raise UsageError(
                    f"{args.use}: not a source of this film's dialogue (it has: {names or 'none'})"
                ) from None
            from core.dialogue import embed_moments

            embed_moments(store, film.id)  # lines never read before are made searchable by meaning now
        sources = store.dialogue_sources(film.id)
    if args.json:
        print(json.dumps(sources))
    else:
        for source in sources:
            say(describe(source))
    return EXIT_OK


COMMANDS = {"dialogue": cmd_dialogue}
