"""Run iterators on their own threads, a bounded queue ahead of the consumer.

Decoding (PyAV) and encoding (torch) both release the GIL, so a decoder thread feeding an encoder
thread keeps both cores busy; the bounded queue keeps memory flat however long the film is. ``merge``
runs several decoders at once (different stretches of a film) into one queue."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
_END = object()


class _Failed:
    """A source's exception on its way to the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(source: Iterable[T], maxsize: int = 64, name: str = "prefetch") -> Generator[T, None, None]:
    """Yield the items of ``source``, produced on a background thread; its exceptions re-raise here.

    Closing the returned generator (or abandoning it) stops the producer promptly."""
    merged = merge([source], maxsize, name)
    try:
        for _, item in merged:
            yield item
    finally:
        merged.close()


def merge(
    sources: Sequence[Iterable[T]], maxsize: int = 64, name: str = "prefetch"
) -> Generator[tuple[int, T], None, None]:
    """Yield ``(i, item)`` for the items of every source in the order they are produced, each source on
    its own thread, at most ``maxsize`` items waiting; an exception of any source re-raises here.

    Closing the returned generator (or abandoning it) stops every producer promptly and closes the
    sources."""
    items: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce(i: int, source: Iterable[T]) -> None:
        try:
            for item in source:
                if not put((i, item)):
                    return
            put((i, _END))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put((i, _Failed(exc)))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    threads = [
        threading.Thread(
            target=produce, args=(i, source), name=f"{name}-{i}" if len(sources) > 1 else name, daemon=True
        )
        for i, source in enumerate(sources)
    ]
    for thread in threads:
        thread.start()
    running = len(threads)
    try:
        while running:
            i, item = items.get()
            if item is _END:
                running -= 1
                continue
            if isinstance(item, _Failed):
                raise item.exc
            yield i, item
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
