"""Times as viewers read and write them: [h:]mm:ss."""

from __future__ import annotations

import math
import re

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def clock(seconds: float) -> str:
    """``75.4`` -> ``'1:15'``; ``3725`` -> ``'1:02:05'``."""
    seconds = int(round(max(0.0, seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def parse_time(text: str) -> float:
    """Parse seconds (``'75'``, ``'75.5'``) or a clock time (``'1:15'``, ``'1:02:05'``); ValueError for
    anything else, a negative time, ``nan`` or ``inf``."""
    text = text.strip()
    match = _CLOCK.match(text)
    if match:
        h, m, s = match.groups()
        try:
            value = int(h or 0) * 3600 + int(m) * 60 + float(s)
        except OverflowError:  # "999...9:00:00": more hours than a float holds
            raise ValueError(f"not a time: {text[:40]!r} (too long)") from None
    else:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):  # garbage, and the floats that are not times: nan, inf, 1e999
            raise ValueError(f"not a time: {text!r} (use seconds or [h:]mm:ss)")
    if value < 0:
        raise ValueError(f"not a time: {text!r} (negative)")
    return value
