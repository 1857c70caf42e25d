"""Dialogue with times: sidecar subtitle files next to the film and embedded text subtitle streams."""

from __future__ import annotations

import codecs
import html
import logging
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import av
import pysubs2

from core.errors import SubtitleError
from core.media.probe import MediaInfo, StreamInfo, shown

log = logging.getLogger(__name__)

SIDECAR_EXTENSIONS = (".srt", ".vtt", ".ass", ".ssa")
PREFERRED_LANGUAGES = ("en", "eng", "english")

_ASS_TAG = re.compile(r"\{[^}]*\}")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t]+")
# Terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL", two-byte ESC x, the C1 CSI) and the
# other C0/C1 control characters but newline and tab: subtitle text is printed to terminals.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[ -~])|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A negative time on an SRT/VTT timing line (pysubs2 would drop its sign): read as 0.
_NEGATIVE_TIME = re.compile(r"(?m)(^[ \t]*(?=-[\d:.,]+[ \t]*-->)|-->[ \t]*)-\d+(?::\d+)+[,.]\d+")

# Limits on a subtitle file. A 3-hour film has about 2,000-3,000 cues (some 300 KB of SRT); typeset ASS
# holds several times as many events in a few MB. Far past that it is not a film's subtitles (a log, many
# files joined, a hostile file), and parsing it would take minutes and gigabytes: the size is checked
# before reading and the cues are counted before parsing.
MAX_SUBTITLE_BYTES = 20 * 1024 * 1024
MAX_CUES = 20_000
DEFAULT_CUE_S = 2.0  # the length given to a cue without one, or ending before it starts


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


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (newlines and tabs stay)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def clean_text(text: str) -> str:
    """Strip ASS override tags, HTML-like markup and control characters, turn hard breaks into line
    breaks, tidy spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    text = _ASS_TAG.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = strip_controls(html.unescape(text))  # after: "&#27;" is an escape too
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
        if path.suffix.lower() not in SIDECAR_EXTENSIONS:
            continue  # a folder or an unreadable file with such a name is kept: reading it warns and skips it
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


def check_sidecar(path: str | Path) -> None:
    """Raise :class:`SubtitleError` unless ``path`` is a file that may be a film's subtitles."""
    path = Path(path)
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise SubtitleError(f"{shown(path)}: no such subtitle file") from None
    except OSError as exc:  # no permission to look, a name too long, ...
        raise SubtitleError(f"{shown(path)}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise SubtitleError(f"{shown(path)}: is a folder, not a subtitle file")
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block or never end
        raise SubtitleError(f"{shown(path)}: not a regular file")
    if st.st_size > MAX_SUBTITLE_BYTES:
        raise _too_big(path)


def read_sidecar(path: str | Path) -> list[DialogueLine]:
    """Read a subtitle file in any format pysubs2 knows; raise :class:`SubtitleError` with one line."""
    path = Path(path)
    check_sidecar(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SUBTITLE_BYTES + 1)  # never more, even if it grew since it was looked at
    except OSError as exc:
        raise SubtitleError(f"{shown(path)}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_SUBTITLE_BYTES:
        raise _too_big(path)
    if not raw.strip():
        raise SubtitleError(f"{path.name}: the subtitle file is empty")
    text = _decode_text(raw)
    if max(text.count("-->"), text.count("Dialogue:")) > MAX_CUES:  # SRT/VTT cues, ASS events
        raise _too_many(path)
    text = _NEGATIVE_TIME.sub(r"\g<1>00:00:00.000", text)
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=_format_hint(path))
    except Exception as exc:  # pysubs2 raises a zoo of exception types on malformed input
        raise SubtitleError(f"{path.name}: not a subtitle file that can be read ({_one_line(exc)})") from None
    if len(subs.events) > MAX_CUES:  # other formats, counted once parsed
        raise _too_many(path)
    lines = _lines_from_events(subs.events)
    if not lines:
        raise SubtitleError(f"{path.name}: no subtitle lines could be read from it")
    return lines


def _too_big(path: Path) -> SubtitleError:
    return SubtitleError(
        f"{path.name}: over {MAX_SUBTITLE_BYTES // 2**20} MB, not a film's subtitles (a film's are well under 1 MB)"
    )


def _too_many(path: Path) -> SubtitleError:
    return SubtitleError(f"{path.name}: over {MAX_CUES} cues, not a film's subtitles (a 3-hour film has about 3,000)")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def read_embedded(movie: str | Path, stream_index: int) -> list[DialogueLine]:
    """Read an embedded text subtitle stream (subrip, mov_text, ass, webvtt) with PyAV."""
    lines = []
    with av.open(str(movie), metadata_errors="ignore") as container:
        stream = container.streams[stream_index]
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            start = max(0.0, float(packet.pts * packet.time_base))
            duration = float(packet.duration * packet.time_base) if packet.duration else 0.0
            duration = duration if duration > 0 else DEFAULT_CUE_S
            try:
                decoded = packet.decode()
            except av.error.FFmpegError as exc:
                log.warning("skipping an unreadable subtitle packet at %.1fs: %s", start, exc)
                continue
            for subtitle in decoded:
                text = _subtitle_text(subtitle)
                if text:
                    lines.append(DialogueLine(start=round(start, 3), end=round(start + duration, 3), text=text))
            if len(lines) > MAX_CUES:  # stop reading: an auto-found stream is then skipped with a warning
                raise SubtitleError(f"subtitle stream {stream_index}: over {MAX_CUES} cues, not a film's subtitles")
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
        if not text:
            continue
        start, end = max(0, event.start) / 1000.0, max(0, event.end) / 1000.0  # negative: from the start
        if end < start:  # a typo'd end: the usual length instead of dropping the line
            end = start + DEFAULT_CUE_S
        lines.append(DialogueLine(start=start, end=end, text=text))
    return sorted(lines, key=lambda line: line.start)


def _decode_text(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 (with or without one), else cp1252, else
    latin-1 (which reads any byte)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    encodings = ["utf-16"] if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else []
    encodings += [e for e in [_utf16_without_bom(raw)] if e] + ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def _utf16_without_bom(raw: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when ``raw`` looks like UTF-16 without a byte-order mark: subtitle text
    is mostly digits, spaces and punctuation (and often Latin letters), whose high byte is 0; text in an
    8-bit encoding or UTF-8 has no zero bytes at all."""
    sample = raw[:8192]
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even, odd = sample[0 : pairs * 2 : 2].count(0), sample[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 0.2 and even <= pairs * 0.02:
        return "utf-16-le"
    if even >= pairs * 0.2 and odd <= pairs * 0.02:
        return "utf-16-be"
    return None


def _format_hint(path: Path) -> str | None:
    return {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}.get(path.suffix.lower())


def _short_language(stream: StreamInfo) -> str | None:
    lang = (stream.language or "").lower()
    return {"eng": "en", "english": "en"}.get(lang, lang or None)
