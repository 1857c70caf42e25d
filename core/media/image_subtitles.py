"""Image subtitles (DVD VobSub, Blu-ray PGS) as pictures to read: each subtitle's bitmap, drawn with its
palette as dark text on white, with the times it is shown.

PyAV decodes a subtitle packet to a ``BitmapSubtitle`` of palette indices but does not hand over the
palette, so it is read from the stream here: for PGS from the packet's palette definition segments
(Y, Cr, Cb, alpha per entry), for DVD from the stream's ``palette:`` line (16 RGB colours) and the
packet's control sequence (which four of them, their transparency, and when the subtitle is taken off)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import UnusableMedia

DVD_TICK_S = 1024 / 90_000  # a DVD control sequence's delay unit
LONGEST_S = 10.0  # a subtitle with no end of its own is taken off after this, or at the next one


@dataclass(frozen=True)
class SubtitleImage:
    start: float  # seconds from the film's start
    end: float
    picture: np.ndarray  # uint8 greyscale, dark text on white, with a margin


@dataclass
class _Palette:
    luma: np.ndarray  # (256,) 0..1
    alpha: np.ndarray  # (256,) 0..1


def bitmap_subtitles(path: Path, stream_index: int, start_s: float = 0.0) -> Iterator[SubtitleImage]:
    """The image subtitles of one stream, in time order, from ``start_s`` on."""
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise UnusableMedia(f"{path}: cannot be opened ({exc})") from exc
    with container:
        streams = [s for s in container.streams if s.index == stream_index]
        if not streams or streams[0].type != "subtitle":
            raise UnusableMedia(f"{path}: has no subtitle stream {stream_index}")
        stream = streams[0]
        origin = float(container.start_time or 0) / 1_000_000
        codec = stream.codec_context.name
        dvd_colours = _dvd_colours(stream.codec_context.extradata) if codec == "dvdsub" else None
        pgs = _PgsPalette()
        held: tuple[float, float, np.ndarray] | None = None  # shown from, until, picture
        for packet in container.demux(stream):
            if packet.pts is None or packet.time_base is None:
                continue
            data = bytes(packet)
            at = float(packet.pts * packet.time_base) - origin
            if codec == "pgssub":
                pgs.update(data)
            try:
                rects = packet.decode()
            except av.error.FFmpegError:
                continue  # a damaged packet: that subtitle is skipped
            if held is not None:  # the next packet (a new subtitle, or PGS's empty one) takes it off
                shown_from, until, picture = held
                end = min(until, at)
                if end > shown_from and shown_from >= start_s:
                    yield SubtitleImage(shown_from, end, picture)
                held = None
            if not rects:
                continue
            if codec == "dvdsub":
                palette, shown_s = _dvd_palette(data, dvd_colours)
            else:
                palette, shown_s = pgs.palette(), None
            duration = float(packet.duration * packet.time_base) if packet.duration else None
            until = at + (shown_s or duration or LONGEST_S)
            drawn = draw(rects, palette)
            if drawn is not None:
                held = (at, until, drawn)
        if held is not None and held[0] >= start_s:
            yield SubtitleImage(*held)


def draw(rects, palette: _Palette) -> np.ndarray | None:
    """The subtitle's rectangles on one white picture, text dark: a light fill with a dark outline is
    drawn over black and turned over, a dark fill over white."""
    boxes = []
    for rect in rects:
        if not getattr(rect, "planes", None) or rect.width <= 0 or rect.height <= 0:
            continue
        index = np.frombuffer(bytes(rect.planes[0]), np.uint8)[: rect.width * rect.height]
        boxes.append((rect.x, rect.y, index.reshape(rect.height, rect.width)))
    if not boxes:
        return None
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right = max(b[0] + b[2].shape[1] for b in boxes)
    bottom = max(b[1] + b[2].shape[0] for b in boxes)
    luma = np.zeros((bottom - top, right - left), np.float32)
    alpha = np.zeros_like(luma)
    for x, y, index in boxes:
        h, w = index.shape
        luma[y - top : y - top + h, x - left : x - left + w] = palette.luma[index]
        alpha[y - top : y - top + h, x - left : x - left + w] = palette.alpha[index]
    seen = alpha > 0.5
    if not seen.any():
        return None
    ys, xs = np.nonzero(seen)
    luma, alpha, seen = (a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] for a in (luma, alpha, seen))
    around = np.pad(seen, 1)  # opaque pixels whose four neighbours are opaque: the letters' fill
    inside = seen & around[:-2, 1:-1] & around[2:, 1:-1] & around[1:-1, :-2] & around[1:-1, 2:]
    edge = seen & ~inside
    light_fill = not inside.any() or not edge.any() or luma[inside].mean() >= luma[edge].mean()
    if light_fill:
        picture = 1.0 - alpha * luma
    else:
        picture = alpha * luma + (1.0 - alpha)
    grey = (np.clip(picture, 0, 1) * 255).astype(np.uint8)
    if grey.shape[0] < 100:  # DVD subtitles are small: OCR reads letters about 30 px high best
        grey = np.repeat(np.repeat(grey, 2, axis=0), 2, axis=1)
    return np.pad(grey, 16, constant_values=255)


class _PgsPalette:
    """The palette entries a PGS stream has defined so far (a display set may only update a few)."""

    def __init__(self) -> None:
        self.luma = np.zeros(256, np.float32)
        self.alpha = np.zeros(256, np.float32)

    def update(self, data: bytes) -> None:
        at = 0
        while at + 3 <= len(data):
            kind, size = data[at], int.from_bytes(data[at + 1 : at + 3], "big")
            body = data[at + 3 : at + 3 + size]
            if kind == 0x14 and len(body) >= 2:  # palette definition: id, version, then 5-byte entries
                for k in range(2, len(body) - 4, 5):
                    entry, y, _cr, _cb, a = body[k : k + 5]
                    self.luma[entry] = (min(max(y, 16), 235) - 16) / 219
                    self.alpha[entry] = a / 255
            at += 3 + size

    def palette(self) -> _Palette:
        return _Palette(self.luma.copy(), self.alpha.copy())


_DVD_PALETTE = re.compile(rb"palette:\s*([0-9a-fA-F, ]+)")


def _dvd_colours(extradata: bytes | None) -> np.ndarray:
    """The 16 colours' luma (0..1) from the stream's ``palette:`` line; a grey ramp when it has none."""
    found = _DVD_PALETTE.search(extradata or b"")
    colours = [int(c, 16) for c in found.group(1).replace(b" ", b"").split(b",") if c] if found else []
    if len(colours) < 16:
        return np.linspace(0, 1, 16, dtype=np.float32)
    rgb = np.array([[(c >> 16) & 255, (c >> 8) & 255, c & 255] for c in colours[:16]], np.float32) / 255
    return rgb @ np.array([0.299, 0.587, 0.114], np.float32)


def _dvd_palette(data: bytes, colours: np.ndarray | None) -> tuple[_Palette, float | None]:
    """The four colours (of 16) and transparencies a DVD subtitle packet sets, and how long it is shown."""
    colour_of = [0, 1, 2, 3]
    alpha = [0, 15, 15, 15]
    shown: float | None = None
    if len(data) >= 4:
        table = int.from_bytes(data[2:4], "big")
        at, seen = table, set()
        while at + 4 <= len(data) and at not in seen:
            seen.add(at)
            delay, following = int.from_bytes(data[at : at + 2], "big"), int.from_bytes(data[at + 2 : at + 4], "big")
            k = at + 4
            while k < len(data):
                command = data[k]
                k += 1
                if command == 0x02 and delay:  # stop display, ``delay`` ticks after the start
                    shown = delay * DVD_TICK_S
                elif command in (0x03, 0x04) and k + 2 <= len(data):
                    values = [data[k] >> 4, data[k] & 15, data[k + 1] >> 4, data[k + 1] & 15][::-1]
                    if command == 0x03:
                        colour_of = values
                    else:
                        alpha = values
                    k += 2
                elif command == 0x05:
                    k += 6
                elif command == 0x06:
                    k += 4
                elif command not in (0x00, 0x01, 0x02):
                    break  # 0xff ends the sequence; anything else is not understood
            at = following
    lookup = colours if colours is not None else np.linspace(0, 1, 16, dtype=np.float32)
    luma = np.zeros(256, np.float32)
    opacity = np.zeros(256, np.float32)
    luma[:4] = [lookup[c] for c in colour_of]
    opacity[:4] = [a / 15 for a in alpha]
    return _Palette(luma, opacity), shown
