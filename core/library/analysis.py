"""The analysis queue: films waiting to be indexed, one at a time, in an order the viewer can change.

The queue lives in the database, so it survives restarts (a film left "analysing" by a killed run goes
back to waiting, and its index continues where it stopped). A film that fails is marked with its
reason and the queue goes on; pausing stops before the next film; cancelling a film takes it out (the
one being analysed stops after its current batch, which is kept). The command line runs the queue here
(:func:`run_queue`); the app runs each film in its indexing worker process with the same steps."""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from core.library.scan import look_at, unignore, video_files
from core.store import Store

log = logging.getLogger(__name__)
PAUSED = "queue_paused"
CHECK_EVERY = 5  # progress events between looks at whether the film being analysed was cancelled


@dataclass
class QueueRun:
    analysed: int = 0
    failed: int = 0
    stopped: bool = False  # cancelled or paused before the queue was empty


def films_under(store: Store, paths: Sequence[str | Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """The films named by ``paths`` (files, or folders searched for films): (film paths, [(path, why it
    was left out)]). Files not in the library yet are looked at and recorded as the scan would."""
    known = {f.path: f for f in store.library_files()}
    films: list[str] = []
    skipped: list[tuple[str, str]] = []
    for given in paths:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            problems: list[tuple[str, str]] = []
            candidates = [(p, st) for p, st in video_files(path, problems)]
            skipped += problems
            folder = str(path)
        elif path.is_file():
            candidates, folder = [(path, path.stat())], str(path.parent)
        else:
            skipped.append((str(given), "no such file or folder"))
            continue
        fresh = []
        for file, st in candidates:
            f = known.get(str(file))
            if f is None or f.size != st.st_size or f.mtime != st.st_mtime:
                f = look_at(store, known[str(file)].folder if str(file) in known else folder, file, st)
                fresh.append(f)
            if f.kind == "not_a_film":
                skipped.append((f.path, f.problem or "not a film"))
            elif f.kind == "film" or not path.is_dir():  # an extra only when it was named itself
                films.append(f.path)
        store.save_library_files(fresh)
    return list(dict.fromkeys(films)), skipped


def analyze(store: Store, paths: Sequence[str | Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """Queue the films under ``paths`` for analysis; returns (queued, skipped with reasons)."""
    films, skipped = films_under(store, paths)
    unignore(store, films)
    store.enqueue(films)
    return films, skipped


def set_paused(store: Store, paused: bool) -> None:
    store.set_library_setting(PAUSED, "1" if paused else None)


def is_paused(store: Store) -> bool:
    return store.library_setting(PAUSED) == "1"


def next_film(store: Store) -> str | None:
    """The next film to analyse (None when the queue is empty or paused). A film left "analysing" by a
    run that was killed waits again first."""
    for item in store.queue_items(("analysing",)):
        store.set_queue_state(item.path, "queued")
    if is_paused(store):
        return None
    waiting = store.queue_items(("queued",))
    return waiting[0].path if waiting else None


def run_queue(
    store: Store, cancel: CancelToken | None = None, vision: str | None = None, fps: float = 1.0
) -> Generator[Progress | Done, None, None]:
    """Analyse the waiting films one at a time; yields Progress (the film's name in the message), then
    Done(QueueRun). Cancelling stops after the current batch; that film waits again."""
    from core.indexing import index_film

    cancel = cancel or CancelToken()
    run = QueueRun()
    while not cancel.cancelled and (path := next_film(store)) is not None:
        store.set_queue_state(path, "analysing")
        film_cancel = CancelToken()
        try:
            for n, event in enumerate(index_film(store, path, vision=vision, fps=fps, cancel=film_cancel)):
                if isinstance(event, Progress):
                    yield Progress(
                        event.stage,
                        event.done,
                        event.total,
                        event.unit,
                        f"{Path(path).name}: {event.message}",
                        event.covered,
                    )
                if cancel.cancelled or (n % CHECK_EVERY == 0 and _cancelled(store, path)):
                    film_cancel.cancel()
        except (MovieBuddyError, OSError) as exc:
            store.set_queue_state(path, "failed", str(exc))
            run.failed += 1
            continue
        except Exception as exc:  # one film's failure must not stop the queue: it is recorded, and logged
            log.exception("analysing %s failed", path)
            store.set_queue_state(path, "failed", f"could not be analysed: {exc}")
            run.failed += 1
            continue
        if _cancelled(store, path):
            continue
        if film_cancel.cancelled:
            store.set_queue_state(path, "queued")  # stopped by the viewer: it continues next time
            break
        store.set_queue_state(path, "done")
        run.analysed += 1
    run.stopped = cancel.cancelled or is_paused(store)
    yield Done(run, complete=not run.stopped)


def _cancelled(store: Store, path: str) -> bool:
    return any(item.path == path for item in store.queue_items(("cancelled",)))
