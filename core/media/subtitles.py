"""Dialogue with times: sidecar subtitle files next to the film and embedded text subtitle streams."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import av
import pysubs2

from core.errors import SubtitleError
from core.media.probe import MediaInfo, StreamInfo

log = logging.getLogger(__name__)

SIDECAR_EXTENSIONS = (".srt", ".vtt", ".ass", ".ssa")
PREFERRED_LANGUAGES = ("en", "eng", "english")

_ASS_TAG = re.compile(r"\{[^}]*\}")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class DialogueLine:
    """One subtitle event: what is said from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class DialogueSource:
    """Where dialogue comes from: a sidecar file, an embedded stream, or (later) speech/OCR."""

    name: str  # stable id, e.g. "sidecar:popeye_1.en.srt" or "embedded:2"
    kind: str  # "sidecar" | "embedded" | "image" | "asr" | "ocr"
    language: str | None = None
    path: Path | None = None
    stream_index: int | None = None

    @property
    def has_text(self) -> bool:
        return self.kind in ("sidecar", "embedded")


def clean_text(text: str) -> str:
    """Strip ASS override tags and HTML-like markup, turn hard breaks into line breaks, tidy spaces."""
    text = text.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    text = _ASS_TAG.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def find_sidecars(movie: Path) -> list[DialogueSource]:
    """Subtitle files beside the film with the same stem: ``film.srt``, ``film.en.srt``, ``film.eng.forced.ass``."""
    movie = Path(movie)
    found = []
    try:
        candidates = sorted(movie.parent.iterdir())
    except OSError:
        return []
    for path in candidates:
        if path.suffix.lower() not in SIDECAR_EXTENSIONS or not path.is_file():
            continue
        name = path.name[: -len(path.suffix)]
        if name == movie.stem:
            language = None
        elif name.startswith(movie.stem + "."):
            language = name[len(movie.stem) + 1 :].split(".")[0].lower() or None
        else:
            continue
        found.append(sidecar_source(path, language))
    return found


def sidecar_source(path: Path, language: str | None = None) -> DialogueSource:
    return DialogueSource(name=f"sidecar:{Path(path).name}", kind="sidecar", language=language, path=Path(path))


def embedded_sources(info: MediaInfo) -> list[DialogueSource]:
    """The film's own subtitle streams: text ones can be read now, image ones (PGS, DVD) need OCR."""
    sources = []
    for stream in info.subtitle_streams:
        kind = "embedded" if stream.is_text_subtitle else "image" if stream.is_image_subtitle else None
        if kind:
            sources.append(
                DialogueSource(
                    name=f"{kind}:{stream.index}",
                    kind=kind,
                    language=_short_language(stream),
                    stream_index=stream.index,
                )
            )
    return sources


def choose_source(sources: list[DialogueSource]) -> DialogueSource | None:
    """The text source to index: sidecars before embedded streams, English first, then the first found."""
    texts = [s for s in sources if s.has_text]
    if not texts:
        return None

    def rank(source: DialogueSource):
        preferred = (source.language or "en") in PREFERRED_LANGUAGES
        return (0 if preferred else 1, 0 if source.kind == "sidecar" else 1)

    return sorted(texts, key=rank)[0]


def read_source(source: DialogueSource, movie: Path) -> list[DialogueLine]:
    if source.kind == "sidecar" and source.path is not None:
        return read_sidecar(source.path)
    if source.kind == "embedded" and source.stream_index is not None:
        return read_embedded(movie, source.stream_index)
    raise SubtitleError(f"{source.name}: holds no text to read")


def read_sidecar(path: str | Path) -> list[DialogueLine]:
    """Read a subtitle file in any format pysubs2 knows; raise :class:`SubtitleError` with one line."""
    path = Path(path)
    if not path.is_file():
        raise SubtitleError(f"{path}: no such subtitle file")
    raw = path.read_bytes()
    if not raw.strip():
        raise SubtitleError(f"{path.name}: the subtitle file is empty")
    text = _decode_text(raw)
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=_format_hint(path))
    except Exception as exc:  # pysubs2 raises a zoo of exception types on malformed input
        raise SubtitleError(f"{path.name}: not a subtitle file that can be read ({exc})") from None
    lines = _lines_from_events(subs.events)
    if not lines:
        raise SubtitleError(f"{path.name}: no subtitle lines could be read from it")
    return lines


def read_embedded(movie: str | Path, stream_index: int) -> list[DialogueLine]:
    """Read an embedded text subtitle stream (subrip, mov_text, ass, webvtt) with PyAV."""
    lines = []
    with av.open(str(movie), metadata_errors="ignore") as container:
        stream = container.streams[stream_index]
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            start = float(packet.pts * packet.time_base)
            duration = float(packet.duration * packet.time_base) if packet.duration else 2.0
            try:
                decoded = packet.decode()
            except av.error.FFmpegError as exc:
                log.warning("skipping an unreadable subtitle packet at %.1fs: %s", start, exc)
                continue
            for subtitle in decoded:
                text = _subtitle_text(subtitle)
                if text:
                    lines.append(DialogueLine(start=round(start, 3), end=round(start + duration, 3), text=text))
    return sorted(lines, key=lambda line: line.start)


def _subtitle_text(subtitle) -> str:
    items = subtitle if isinstance(subtitle, (list, tuple)) else [subtitle]
    parts = []
    for item in items:
        raw = getattr(item, "dialogue", None) or getattr(item, "text", None)
        if raw is None:
            continue
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        parts.append(clean_text(raw))
    return "\n".join(p for p in parts if p)


def _lines_from_events(events) -> list[DialogueLine]:
    lines = []
    for event in events:
        if event.is_comment:
            continue
        text = clean_text(event.text)
        if not text or event.end < event.start:
            continue
        lines.append(DialogueLine(start=event.start / 1000.0, end=event.end / 1000.0, text=text))
    return sorted(lines, key=lambda line: line.start)


def _decode_text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("cp1252", errors="replace")


def _format_hint(path: Path) -> str | None:
    return {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}.get(path.suffix.lower())


def _short_language(stream: StreamInfo) -> str | None:
    lang = (stream.language or "").lower()
    return {"eng": "en", "english": "en"}.get(lang, lang or None)
