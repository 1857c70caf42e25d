"""Probe a film: duration, frame rate, streams and codecs, with one clear error for anything unplayable."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import av

from core.errors import UnusableMedia

log = logging.getLogger(__name__)

TEXT_SUBTITLE_CODECS = {"subrip", "srt", "mov_text", "ass", "ssa", "webvtt", "text"}
IMAGE_SUBTITLE_CODECS = {"dvd_subtitle", "dvdsub", "hdmv_pgs_subtitle", "pgssub", "dvb_subtitle", "xsub"}


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


def _language(stream) -> str | None:
    lang = (stream.metadata or {}).get("language")
    return None if lang in (None, "", "und") else lang


def probe(path: str | Path) -> MediaInfo:
    """Describe the film at ``path``; raise :class:`UnusableMedia` with one clear line if it cannot be played."""
    path = Path(path)
    if not path.exists():
        raise UnusableMedia(f"{path}: no such file")
    if path.is_dir():
        raise UnusableMedia(f"{path}: is a folder, not a film")
    size = path.stat().st_size
    if size == 0:
        raise UnusableMedia(f"{path.name}: the file is empty (0 bytes)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise UnusableMedia(f"{path.name}: not a film that can be played ({_reason(exc)})") from None
    with container:
        if not container.streams.video:
            kinds = sorted({str(s.type) for s in container.streams}) or ["nothing"]
            raise UnusableMedia(f"{path.name}: has no video stream (it holds {', '.join(kinds)})")
        video = container.streams.video[0]
        ctx = video.codec_context
        if ctx is None or not ctx.name:
            raise UnusableMedia(f"{path.name}: its video codec cannot be decoded here")
        rotation = _first_frame_rotation(container, video, path)
        duration = _duration(container, video)
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
            width=ctx.width,
            height=ctx.height,
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


def _first_frame_rotation(container, video, path: Path) -> int:
    """Decode the first frame (proves the video really decodes) and return its display rotation."""
    try:
        for frame in container.decode(video):
            rotation = int(getattr(frame, "rotation", 0) or 0)
            container.seek(0)
            return rotation % 360
    except av.error.FFmpegError as exc:
        raise UnusableMedia(f"{path.name}: the video cannot be decoded ({_reason(exc)})") from None
    raise UnusableMedia(f"{path.name}: the video stream holds no picture (the file may be truncated)")


def _reason(exc: av.error.FFmpegError) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.strip().rstrip(".").lower() or type(exc).__name__
