"""Run an iterator on its own thread, a bounded queue ahead of the consumer.

Decoding (PyAV) and encoding (torch) both release the GIL, so a decoder thread feeding an encoder
thread keeps both cores busy; the bounded queue keeps memory flat however long the film is."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")
_END = object()


def prefetch(source: Iterable[T], maxsize: int = 64, name: str = "prefetch") -> Generator[T, None, None]:
    """Yield the items of ``source``, produced on a background thread; its exceptions re-raise here.

    Closing the returned generator (or abandoning it) stops the producer promptly."""
    items: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        items.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            _put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            _put(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _put(item) -> None:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)
