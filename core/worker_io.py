"""What the app's worker processes (core.index_worker, core.answer_worker) share: their priority, their
log, and the JSON lines they print for the app."""

from __future__ import annotations

import logging
import os
import sys
import threading

_emit_lock = threading.Lock()


def start_worker(nice: int, threads: int = 1) -> None:
    """Log to stderr (the app keeps it in its logs folder) and lower this process's CPU priority; done
    before any thread starts, so that every thread of the process has it. ``MOVIEBUDDY_WORKER_NICE``
    overrides the priority (the test suite runs its workers at 0: at 19 they get almost no CPU while
    another CPU-heavy job runs beside the suite, and tests check what workers do, not their priority).
    ``threads``: torch's threads (one while a film plays: the other core plays it)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        os.nice(int(os.environ.get("MOVIEBUDDY_WORKER_NICE", nice)))
    except (AttributeError, OSError):
        pass
    import torch

    torch.set_num_threads(max(1, threads))


def emit(message) -> None:
    """One core.protocol message for the app, as one JSON line (whole lines even when threads emit
    together)."""
    from core.protocol import encode

    line = encode(message)
    with _emit_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
