"""A summary's scenes as chapters: an FFmetadata file (what ``ffmpeg -i film -i chapters -map_metadata 1``
muxes into a Matroska or MP4 file, and what mpv reads with ``--chapters-file``) and WebVTT chapter cues
(for ``<track kind="chapters">`` in a web player). One chapter per scene, titled by its time, what is seen
and its first key line."""

from __future__ import annotations

from core.export.model import ReviewSummary, SceneSummary

FFMETADATA_SPECIAL = "=;#\\\n"  # escaped with a backslash (FFmpeg's "Metadata" format documentation)


def to_ffmetadata(summary: ReviewSummary) -> str:
    """The scenes as an FFmetadata chapters file (times in milliseconds), with the film's title."""
    out = [";FFMETADATA1", f"title={ffmetadata_escape(summary.heading)}", ""]
    for start, end, scene in chapter_times(summary):
        out += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}"]
        out += [f"title={ffmetadata_escape(scene.chapter_title())}", ""]
    return "\n".join(out)


def to_webvtt_chapters(summary: ReviewSummary) -> str:
    """The scenes as WebVTT chapter cues, one per scene, numbered from 1."""
    out = ["WEBVTT", ""]
    for n, (start, end, scene) in enumerate(chapter_times(summary), 1):
        out += [str(n), f"{vtt_time(start)} --> {vtt_time(end)}", webvtt_escape(scene.chapter_title()), ""]
    return "\n".join(out)


def chapter_times(summary: ReviewSummary) -> list[tuple[int, int, SceneSummary]]:
    """(start ms, end ms, scene) in time order, inside the film, each at least a millisecond long and
    ending where the next begins at the latest (players want chapters that do not overlap)."""
    limit = int(round(summary.duration_s * 1000))
    scenes = sorted(summary.scenes, key=lambda s: s.start)
    chapters: list[tuple[int, int, SceneSummary]] = []
    for k, scene in enumerate(scenes):
        start = min(max(0, int(round(scene.start * 1000))), max(0, limit - 1))
        end = min(int(round(scene.end * 1000)), limit)
        if k + 1 < len(scenes):
            end = min(end, int(round(scenes[k + 1].start * 1000)))
        if chapters and start <= chapters[-1][0]:
            continue  # two scenes in the same millisecond: one chapter
        chapters.append((start, max(end, start + 1), scene))
    return chapters


def ffmetadata_escape(text: str) -> str:
    return "".join("\\" + c if c in FFMETADATA_SPECIAL else c for c in text)


def webvtt_escape(text: str) -> str:
    """Cue text with &, < and > as character references (a cue's text is markup in WebVTT), on one line:
    a blank line would end the cue."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
