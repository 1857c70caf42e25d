"""Probe a film: duration, frame rate, streams and codecs, with one clear error for anything unplayable."""

from __future__ import annotations

import logging
import stat
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av

from core.errors import UnusableMedia

log = logging.getLogger(__name__)

TEXT_SUBTITLE_CODECS = {"subrip", "srt", "mov_text", "ass", "ssa", "webvtt", "text"}
IMAGE_SUBTITLE_CODECS = {"dvd_subtitle", "dvdsub", "hdmv_pgs_subtitle", "pgssub", "dvb_subtitle", "xsub"}
# A declared picture larger than this is refused before anything is decoded: 16K is 15360x8640, and
# a lying header (or a hostile file) must not make the decoder allocate gigabytes per frame.
MAX_SIDE = 16384
MAX_PIXELS = 15360 * 8640
TRUNCATED_MP4 = "; the file looks cut short: an MP4 that was not written or copied to its end"


@dataclass(frozen=True)
class StreamInfo:
    """One stream of the container, described in the words a player shows."""

    index: int
    kind: str  # "video", "audio", "subtitle", "data", ...
    codec: str | None
    language: str | None = None
    title: str | None = None

    @property
    def is_text_subtitle(self) -> bool:
        return self.kind == "subtitle" and (self.codec or "") in TEXT_SUBTITLE_CODECS

    @property
    def is_image_subtitle(self) -> bool:
        return self.kind == "subtitle" and (self.codec or "") in IMAGE_SUBTITLE_CODECS


@dataclass(frozen=True)
class MediaInfo:
    """What a film is: its length, picture and streams."""

    path: Path
    size: int
    duration_s: float
    start_s: float
    fps: float
    width: int
    height: int
    video_codec: str
    pix_fmt: str | None
    bit_rate: int | None  # bits per second of the whole file (estimated from size when absent)
    rotation: int = 0
    streams: tuple[StreamInfo, ...] = field(default_factory=tuple)
    tagged_title: str | None = None

    @property
    def title(self) -> str:
        return self.tagged_title or title_from_path(self.path)

    @property
    def subtitle_streams(self) -> list[StreamInfo]:
        return [s for s in self.streams if s.kind == "subtitle"]

    @property
    def has_audio(self) -> bool:
        return any(s.kind == "audio" for s in self.streams)


def title_from_path(path: Path) -> str:
    """A readable title from a file name: 'The.Third.Man.1949.mkv' -> 'The Third Man 1949'."""
    stem = Path(path).stem
    for sep in "._":
        if stem.count(sep) >= 2 and " " not in stem:
            stem = stem.replace(sep, " ")
    return stem.strip() or Path(path).name


def shown(path: str | Path, limit: int = 160) -> str:
    """A path as an error line shows it: whole when short, else its start and end around an ellipsis (a
    name too long for the file system must not fill the screen)."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2 - 1]}...{text[-(limit // 2 - 2) :]}"


def _language(stream) -> str | None:
    lang = (stream.metadata or {}).get("language")
    return None if lang in (None, "", "und") else lang


def probe(path: str | Path) -> MediaInfo:
    """Describe the film at ``path``; raise :class:`UnusableMedia` with one clear line if it cannot be played."""
    path = Path(path)
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise UnusableMedia(f"{shown(path)}: no such file") from None
    except OSError as exc:  # a name over 255 bytes or a path over 4096, no permission to look, ...
        raise UnusableMedia(f"{shown(path)}: cannot be opened ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnusableMedia(f"{shown(path)}: is a folder, not a film")
    size = st.st_size
    if size == 0:
        raise UnusableMedia(f"{path.name}: the file is empty (0 bytes)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        reason = _reason(exc) + (TRUNCATED_MP4 if _mp4_cut_short(path) else "")
        raise UnusableMedia(f"{path.name}: not a film that can be played ({reason})") from None
    with container:
        if not container.streams.video:
            kinds = sorted({str(s.type) for s in container.streams}) or ["nothing"]
            raise UnusableMedia(f"{path.name}: has no video stream (it holds {', '.join(kinds)})")
        video = container.streams.video[0]
        ctx = video.codec_context
        if ctx is None or not ctx.name:
            raise UnusableMedia(f"{path.name}: its video codec cannot be decoded here")
        if _is_still_picture(container):
            raise UnusableMedia(f"{path.name}: a still picture ({ctx.name}), not a film")
        _check_picture_size(ctx.width, ctx.height, path)
        rotation, width, height = _first_frame(container, video, path)
        duration = _duration(container, video) or _scanned_duration(path)
        if duration <= 0:
            raise UnusableMedia(f"{path.name}: the film has no length (no timed video frames)")
        start = float(container.start_time / av.time_base) if container.start_time else 0.0
        rate = video.average_rate or video.guessed_rate or video.base_rate
        fps = float(rate) if rate else 0.0
        bit_rate = container.bit_rate or int(size * 8 / duration)
        streams = tuple(
            StreamInfo(
                index=s.index,
                kind=s.type,
                codec=s.codec_context.name if s.codec_context is not None else None,
                language=_language(s),
                title=(s.metadata or {}).get("title"),
            )
            for s in container.streams
        )
        return MediaInfo(
            path=path.resolve(),
            size=size,
            duration_s=duration,
            start_s=start,
            fps=fps,
            width=ctx.width or width,
            height=ctx.height or height,
            video_codec=ctx.name,
            pix_fmt=ctx.pix_fmt,
            bit_rate=bit_rate,
            rotation=rotation,
            streams=streams,
            tagged_title=((container.metadata or {}).get("title") or "").strip() or None,
        )


def _duration(container, video) -> float:
    if container.duration:
        return float(container.duration / av.time_base)
    if video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return 0.0


def _first_frame(container, video, path: Path) -> tuple[int, int, int]:
    """Decode the first frame (proves the video really decodes): its display rotation, width and height."""
    try:
        for frame in container.decode(video):
            return int(getattr(frame, "rotation", 0) or 0) % 360, frame.width, frame.height
    except av.error.FFmpegError as exc:
        reason = _reason(exc) + (TRUNCATED_MP4 if _mp4_cut_short(path) else "")
        raise UnusableMedia(f"{path.name}: the video cannot be decoded ({reason})") from None
    raise UnusableMedia(f"{path.name}: the video stream holds no picture (the file may be truncated)")


def _is_still_picture(container) -> bool:
    """Whether FFmpeg opened the file as an image (PNG, JPEG, ...): one picture, not a film."""
    names = set((container.format.name or "").split(","))
    return any(n in ("image2", "image2pipe") or n.endswith("_pipe") for n in names)


def _check_picture_size(width: int, height: int, path: Path) -> None:
    """Refuse a declared picture size no film has (an unknown size, 0x0, is left to decoding to find)."""
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise UnusableMedia(f"{path.name}: its video stream declares an absurd picture size ({width}x{height})")


def _scanned_duration(path: Path) -> float:
    """The length of a film whose container does not state it (a raw .h264 stream, a recording that was
    never finalised): the end of its last video packet, read packet by packet without decoding (once,
    at probe time), or the packets' durations added up where they carry no times at all."""
    log.info("%s: the container states no length; reading it to find the end", path.name)
    end, total = 0.0, 0.0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            video = container.streams.video[0]
            base = video.time_base or Fraction(1, 1_000_000)
            step = 1 / video.guessed_rate if video.guessed_rate else Fraction(0)
            for packet in container.demux(video):
                length = packet.duration * base if packet.duration else step
                stamp = packet.pts if packet.pts is not None else packet.dts
                if stamp is not None:
                    end = max(end, float((stamp - (video.start_time or 0)) * base + length))
                if packet.size:
                    total += float(length)
    except av.error.FFmpegError as exc:
        log.info("%s: stopped reading at %.1fs (%s)", path.name, max(end, total), _reason(exc))
    return end or total


def _mp4_cut_short(path: Path) -> bool:
    """Whether the file is an MP4/MOV cut short: without its index (the 'moov' box, which most encoders
    write last), or with a box that runs past the end of the file (a copy or download that stopped)."""
    size = path.stat().st_size
    index = False
    with open(path, "rb") as f:
        if f.read(8)[4:8] != b"ftyp":
            return False
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            head = f.read(16)
            length, kind = int.from_bytes(head[:4], "big"), head[4:8]
            if length == 1 and len(head) == 16:
                length = int.from_bytes(head[8:16], "big")
            elif length == 0:  # the last box, to the end of the file
                length = size - pos
            if length < 8 or pos + length > size:
                return True
            index = index or kind == b"moov"
            pos += length
    return not index


def _reason(exc: av.error.FFmpegError) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.strip().rstrip(".").lower() or type(exc).__name__
