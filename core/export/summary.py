"""A film's review summary over a window (the whole film, or what was watched so far), without Qt: the
synopsis, scenes, quotes, motifs, palette, the viewer's conversation and how it was made. Everything is read
through the window's SQL or kept to it here, so a watched-so-far summary holds nothing after the boundary;
the synopsis is extractive (the film's own lines and tags measured from its frames, nothing invented)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import replace
from pathlib import Path

import core
from core.events import CancelToken, Done, Progress
from core.export.model import (
    COLOUR_WORDS,
    ActPalette,
    Exchange,
    MadeWith,
    Motif,
    Quote,
    ReviewSummary,
    SceneSummary,
    SynopsisPart,
)
from core.export.pictures import THUMB_WIDTH, scene_pictures
from core.export.typical import central, line_vectors, typical_quotes
from core.film_state import film_state
from core.spoiler_window import Window
from core.store import Film, Store, StoredLine
from core.text_embed import TextEmbedder
from core.timefmt import clock

MAX_PARTS = 12  # synopsis stretches, as in a recap
STRETCH_S = 300.0  # without scenes (frames not indexed), the synopsis goes by five-minute stretches
KEY_LINES = 2
MAX_MOTIFS = 12
PALETTE_COLOURS = 5
ACT_NAMES = ("First third", "Second third", "Last third")


def build_summary(
    store: Store,
    film: Film,
    window: Window,
    *,
    include_conversation: bool = False,
    embedder: TextEmbedder | None = None,
    cancel: CancelToken | None = None,
    thumbnail_width: int = THUMB_WIDTH,
) -> Generator[Progress | Done, None, None]:
    """Yields Progress, then Done(ReviewSummary). Cancelled, it stops and yields Done(None, complete=False)
    (no exception: the caller writes nothing). ``embedder`` ranks the lines (default MiniLM, the model
    whose vectors the indexer stored)."""
    cancel = cancel or CancelToken()
    yield Progress("summary", 0, 1, unit="steps", message="reading the film's index")
    progress = store.latest_progress(film.id)
    encoder_id = progress["encoder_id"] if progress else None
    span = (window.ranges[0][0] if window.ranges else 0.0, window.end if window.end is not None else film.duration_s)
    raw = store.scenes_in_window(film.id, encoder_id, window) if encoder_id else []
    raw = [{**s, "end": _range_end(window, s["start"], s["end"])} for s in raw]
    raw = [s for s in raw if s["end"] > s["start"]]
    lines = store.lines_in_window(film.id, window)
    yield Progress("summary", 0.3, 1, unit="steps", message="choosing the most typical lines")
    vectors = line_vectors(store, film, lines, window, embedder)
    bounds = [(s["start"], raw[k + 1]["start"] if k + 1 < len(raw) else math.inf) for k, s in enumerate(raw)]
    scenes = [
        SceneSummary(
            start=s["start"],
            end=s["end"],
            seen=tuple(s["tags"]),
            lines=_quotes(lines, central(_between(lines, *b), vectors, KEY_LINES)),
            thumbnail_t=_picture_time(window, s["start"], s["end"]),
        )
        for s, b in zip(raw, bounds)
    ]
    title, year = _title_and_year(film)
    summary = ReviewSummary(
        title=title,
        year=year,
        duration_s=film.duration_s,
        scope=scope_text(window),
        synopsis=_synopsis(scenes, lines, vectors, span),
        scenes=tuple(scenes),
        quotes=_quotes(lines, typical_quotes(lines, vectors)),
        motifs=_motifs(scenes),
        palette=_palette(store, film, encoder_id, window, span),
        made_with=_made_with(store, film, encoder_id),
        conversation=_conversation(store, film, window) if include_conversation else (),
        window_end=window.end,
    )
    if cancel.cancelled:
        yield Done(None, complete=False)
        return
    times = [s.thumbnail_t for s in scenes]
    pictures = yield from scene_pictures(film, times, thumbnail_width, cancel)
    if cancel.cancelled:
        yield Done(None, complete=False)
        return
    with_pictures = tuple(replace(s, thumbnail=pictures.get(s.thumbnail_t)) for s in summary.scenes)
    yield Done(replace(summary, scenes=with_pictures))


def scope_text(window: Window) -> str:
    """The summary's scope in words: "whole film", or "watched so far: " and each watched range."""
    if window.ranges is None:
        return "whole film"
    if not window.ranges:
        return "watched so far: nothing yet"
    return "watched so far: " + ", ".join(f"{clock(a)}–{clock(b)}" for a, b in window.ranges)


def _range_end(window: Window, start: float, end: float) -> float:
    """A scene's end clipped to the window's range it starts in (a watched range, not the gap after it)."""
    if window.ranges is None:
        return end
    return min([end, *(b for a, b in window.ranges if a <= start <= b)])


def _picture_time(window: Window, start: float, end: float) -> float:
    """Near the scene's middle, inside the window (a scene's end is already inside it)."""
    middle = round((start + end) / 2, 3)
    return middle if window.contains(middle) else start


def _between(lines: Sequence[StoredLine], start: float, end: float) -> list[int]:
    return [i for i, line in enumerate(lines) if start <= line.start < end]


def _quotes(lines: Sequence[StoredLine], indices: Sequence[int]) -> tuple[Quote, ...]:
    """The lines at ``indices`` as quotes, in time order."""
    chosen = sorted(indices, key=lambda i: (lines[i].start, lines[i].id))
    return tuple(Quote(lines[i].start, lines[i].end, lines[i].text) for i in chosen)


def _synopsis(scenes, lines, vectors, span) -> tuple[SynopsisPart, ...]:
    """Runs of scenes (at most MAX_PARTS), each with what it shows and its most typical lines; without
    scenes, stretches of time. A stretch's lines run until the next stretch starts."""
    if scenes:
        per = max(1, math.ceil(len(scenes) / MAX_PARTS))
        runs = [scenes[k : k + per] for k in range(0, len(scenes), per)]
        stretches = [(run[0].start, run[-1].end, run) for run in runs]
        count = KEY_LINES if per == 1 else 3
    else:
        start, end = span
        n = max(1, min(MAX_PARTS, math.ceil((end - start) / STRETCH_S)))
        step = (end - start) / n
        stretches = [(start + k * step, start + (k + 1) * step, []) for k in range(n)]
        count = 3
    parts = []
    for k, (start, end, run) in enumerate(stretches):
        until = stretches[k + 1][0] if k + 1 < len(stretches) else math.inf
        seen = tuple(dict.fromkeys(t for s in run for t in s.subjects if t not in COLOUR_WORDS))[:4]
        key = _quotes(lines, central(_between(lines, start, until), vectors, count))
        if seen or key:
            parts.append(SynopsisPart(start, end, seen, key))
    return tuple(parts)


def _motifs(scenes: Sequence[SceneSummary]) -> tuple[Motif, ...]:
    """Tags (other than colours, which the palette shows) seen in more than one scene, most frequent first."""
    counts = Counter(t for s in scenes for t in set(s.seen) if t not in COLOUR_WORDS)
    first: dict[str, float] = {}
    for s in scenes:
        for t in s.seen:
            first.setdefault(t, s.start)
    recurring = [Motif(t, n, first[t]) for t, n in counts.items() if n > 1]
    return tuple(sorted(recurring, key=lambda m: (-m.scenes, m.first_t, m.tag))[:MAX_MOTIFS])


def _palette(store: Store, film: Film, encoder_id: str | None, window: Window, span) -> tuple[ActPalette, ...]:
    """The window split by time into three acts; each act's named colours summed over its frames, as the
    share of the act's picture area they cover."""
    if encoder_id is None:
        return ()
    frames = store.frames_in_window(film.id, encoder_id, window, with_patches=False)
    colours = frames.all_colours()
    start, end = span
    step = (end - start) / 3
    acts = []
    for k, name in enumerate(ACT_NAMES):
        a, b = start + k * step, start + (k + 1) * step
        inside = [j for j, t in enumerate(frames.times) if a <= t < b or (k == 2 and t == b)]
        totals: dict[str, float] = {}
        for j in inside:
            for colour, share in colours[j]:
                totals[colour] = totals.get(colour, 0.0) + float(share)
        largest = sorted(totals.items(), key=lambda kv: -kv[1])[:PALETTE_COLOURS]
        shares = tuple((c, round(v / len(inside), 3)) for c, v in largest)
        acts.append(ActPalette(name, a, b, shares))
    return tuple(acts)


def _conversation(store: Store, film: Film, window: Window) -> tuple[Exchange, ...]:
    """The viewer's questions and answers whose answers used only the window (a turn asked with a wider
    window, or citing a moment outside it, could tell what comes after the boundary)."""
    kept = []
    for turn in store.film_turns(film.id):
        times = [*turn.citations, *(float(e["t"]) for e in turn.evidence if "t" in e)]
        if window.ranges is not None:
            if not turn.window or not all(_covers(window, a, b) for a, b in turn.window):
                continue
            if not all(window.contains(t) for t in times):
                continue
        kept.append(Exchange(turn.question, turn.answer, tuple(turn.citations)))
    return tuple(kept)


def _covers(window: Window, start: float, end: float) -> bool:
    return any(a - 1e-3 <= start and end <= b + 1e-3 for a, b in window.ranges or ())


def _made_with(store: Store, film: Film, encoder_id: str | None) -> MadeWith:
    state = film_state(store, film)
    sources = tuple((s["source"], s["kind"], int(s["lines"] or 0)) for s in store.dialogue_sources(film.id))
    return MadeWith(encoder_id, sources, tuple(state.indexed), state.complete, core.__version__)


def _title_and_year(film: Film) -> tuple[str, int | None]:
    """The stored title, and the year the file's name gives (core.library.titles, when it is installed);
    a title made from a release-style name ("The Third Man 1949") loses the year it repeats."""
    try:
        from core.library.titles import film_name

        year = film_name(Path(film.path)).year
    except ImportError:  # the library's title reading is newer than this module
        return film.title, None
    title = film.title
    if year:
        title = re.sub(rf"[\s(\[._-]*{year}[)\]]?\s*$", "", title).strip() or title
    return title, year
