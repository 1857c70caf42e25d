"""Fuzzing what people and files hand the core as text: subtitle files, times, option values, the cited
moments in a generated answer, file names. Only the project's own errors (or the documented ValueError of
the time parsers) may come out, and what comes back must make sense. Hypothesis prints any failing input
so that it can be reproduced; the examples are few so that the file runs in well under a minute."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.answering.grounding import cite, sentence_supported, split_sentences
from core.cli import build_parser
from core.errors import SubtitleError
from core.evidence import Evidence
from core.library.titles import extra_kind, film_name
from core.media.probe import title_from_path
from core.media.subtitles import DialogueLine, read_sidecar
from core.spoiler_window import Window, parse_ranges
from core.timefmt import parse_time

pytestmark = pytest.mark.timeout(120)

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FEW = settings(FUZZ, max_examples=60)

# --- subtitle files ---------------------------------------------------------------------------------------

_STAMP = st.builds(
    lambda h, m, s, ms, sep: f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}",
    st.integers(0, 120),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 9999),
    st.sampled_from([",", "."]),
)
_CUE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@st.composite
def _srt_like(draw) -> str:
    """Text shaped like SRT/VTT (numbered cues, arrows, stamps in any order) with hostile contents."""
    cues = []
    for n in range(draw(st.integers(0, 5))):
        start, end = draw(_STAMP), draw(_STAMP)
        arrow = draw(st.sampled_from(["-->", "->", "--> ", " --> "]))
        cues.append(f"{n + 1}\n{draw(st.sampled_from(['', '-']))}{start}{arrow}{end}\n{draw(_CUE_TEXT)}\n")
    head = draw(st.sampled_from(["", "WEBVTT\n\n", "\ufeff"]))
    return head + "\n".join(cues)


_ASS_STAMP = st.from_regex(r"-?[0-9]{1,2}:[0-9]{2}:[0-9]{2}\.[0-9]{2}", fullmatch=True)


@st.composite
def _ass_like(draw) -> str:
    """An ASS script with events whose times, layers and texts are arbitrary."""
    events = [
        f"Dialogue: {draw(st.integers(-5, 5))},{draw(_ASS_STAMP)},{draw(_ASS_STAMP)},Default,,0,0,0,,{draw(_CUE_TEXT)}"
        for _ in range(draw(st.integers(0, 4)))
    ]
    return (
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n" + "\n".join(events)
    )


_SUBTITLE_BYTES = st.one_of(
    st.binary(max_size=600),
    _srt_like().map(lambda t: t.encode("utf-8", "surrogatepass")),
    _ass_like().map(lambda t: t.encode("utf-8", "surrogatepass")),
    _srt_like().map(lambda t: t.encode("utf-16")),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
_SUFFIX = st.sampled_from([".srt", ".vtt", ".ass", ".ssa"])


def _read(tmp_path, data: bytes, suffix: str) -> list[DialogueLine] | None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        return read_sidecar(path)
    except SubtitleError as exc:
        assert "\n" not in str(exc)  # one line for the viewer
        return None


@FUZZ
@given(data=_SUBTITLE_BYTES, suffix=_SUFFIX)
@example(data=b"1\n00:00:05,000 --> 00:00:01,000\nbackwards\n", suffix=".srt")
@example(data=b"1\n-00:00:05,000 --> 00:00:01,000\nnegative\n", suffix=".srt")
@example(data=b"\xff\xfe\x00\x00garbage", suffix=".vtt")
def test_subtitle_files_give_sane_lines_or_one_subtitle_error(tmp_path, data, suffix):
    lines = _read(tmp_path, data, suffix)
    for line in lines or ():
        assert isinstance(line, DialogueLine)
        assert math.isfinite(line.start) and math.isfinite(line.end)
        assert 0 <= line.start <= line.end, line
        assert line.text.strip(), line


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@FEW
@given(data=_SUBTITLE_BYTES, suffix=_SUFFIX)
@example(data=b"1\n00:00:01,000 --> 00:00:02,000\nbell\x07 and escape\x1b[31m red\n", suffix=".srt")
def test_subtitle_text_holds_no_control_characters_but_newlines(tmp_path, data, suffix):
    for line in _read(tmp_path, data, suffix) or ():
        assert not _CONTROL.search(line.text), line


# --- times: --until, --watched, and the stamps of cited moments -------------------------------------------

_TIME_TEXT = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\s*-?[0-9]{0,30}(:[0-9]{1,3}){0,3}(\.[0-9]{0,5})?\s*", fullmatch=True),
    st.floats().map(str),
    st.sampled_from(["nan", "inf", "-inf", "Infinity", "1e999", "1_000", "٣:٠٤", "0x10", "", " "]),
)
_HUGE_CLOCK = "9" * 400 + ":00:00"


def _spells_no_finite_number(text: str) -> bool:
    """'nan', 'inf', '1e999' and the like: the cases the xfailed tests below stand for."""
    try:
        return not math.isfinite(float(text))
    except (ValueError, OverflowError):
        return False


def _time_or_value_error(text: str) -> float | None:
    try:
        return parse_time(text)
    except ValueError as exc:
        assert str(exc)
        return None


@FUZZ
@given(text=_TIME_TEXT)
@example(text="nan")
@example(text="inf")
@example(text="1e999")
@example(text=_HUGE_CLOCK)
def test_parse_time_gives_a_finite_time_or_value_error(text):
    t = _time_or_value_error(text)
    assert t is None or (math.isfinite(t) and t >= 0), (text, t)


@FUZZ
@given(text=_TIME_TEXT.filter(lambda t: not _spells_no_finite_number(t)))
def test_parse_time_never_returns_a_negative_time(text):
    try:
        t = parse_time(text)
    except (ValueError, OverflowError):  # OverflowError: see test_parse_time_gives_a_finite_time_or_value_error
        return
    assert math.isfinite(t) and t >= 0, (text, t)


@FEW
@given(parts=st.lists(st.tuples(_TIME_TEXT, _TIME_TEXT), max_size=4), junk=st.text(max_size=10))
@example(parts=[("0", "nan")], junk="")
@example(parts=[("0", _HUGE_CLOCK)], junk="")
def test_watched_ranges_are_ordered_finite_or_value_error(parts, junk):
    text = ",".join(f"{a}-{b}" for a, b in parts) + junk
    try:
        ranges = parse_ranges(text)
    except ValueError:
        return
    for a, b in ranges:
        assert math.isfinite(a) and math.isfinite(b) and 0 <= a < b, (text, ranges)
    assert Window.watched(ranges).ranges is not None


# --- --fps ------------------------------------------------------------------------------------------------


def _fps(value: str) -> float | None:
    try:
        return build_parser().parse_args(["index", "film.mkv", "--fps", value]).fps
    except SystemExit as exc:
        assert exc.code == 2
        return None


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "-1",
        "1e9",
        "0.5",
        "garbage",
        "",
        "1,5",
        "1e-400",
        "nan",
        "inf",
        "-inf",
        "1e999",
    ],
)
def test_fps_option_values(value, capsys):
    fps = _fps(value)
    assert fps is None or (math.isfinite(fps) and fps > 0), fps
    if fps is None:
        assert "--fps" in capsys.readouterr().err


@FEW
@given(value=st.one_of(st.text(max_size=12), st.floats().map(repr)).filter(lambda v: not _spells_no_finite_number(v)))
def test_fps_option_is_usage_error_or_positive(value):
    fps = _fps(value)
    assert fps is None or (math.isfinite(fps) and fps > 0), (value, fps)


# --- cited moments in a generated answer ------------------------------------------------------------------

_EVIDENCE = st.lists(
    st.builds(
        Evidence,
        t=st.floats(0, 10_000).map(lambda t: round(t, 3)),  # stored times have milliseconds at most
        end=st.none(),
        kind=st.sampled_from(["frame", "dialogue", "screen_text"]),
        text=st.text(max_size=40),
    ),
    max_size=5,
)
_SENTENCE = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.one_of(st.from_regex(r"\[?[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?\]?", fullmatch=True), st.text(max_size=8)),
        max_size=8,
    ).map(" ".join),
)


@FUZZ
@given(sentence=_SENTENCE, evidence=_EVIDENCE, until=st.one_of(st.none(), st.floats(0, 10_000)))
@example(sentence="At [99:99] and [1:02:03] he says 00:00.", evidence=[], until=None)
def test_citations_in_any_text_are_moments_of_the_evidence_inside_the_window(sentence, evidence, until):
    window = Window.whole() if until is None else Window.until(until)
    cited = cite(sentence, evidence, window.contains)
    assert cited == sorted(set(cited))
    times = {round(e.t, 3) for e in evidence}
    assert all(t in times and window.contains(t) for t in cited), (cited, times)
    assert isinstance(sentence_supported(sentence, evidence, "what happens?"), bool)
    assert all(s.strip() for s in split_sentences(sentence))


# --- titles from file names -------------------------------------------------------------------------------

_NAME = st.one_of(
    st.text(st.characters(exclude_characters="/\x00"), max_size=60),
    st.from_regex(r"[A-Za-z. _()\[\]-]{0,30}(19|20)[0-9]{2}[A-Za-z0-9. _-]{0,20}\.(mkv|mp4|avi)", fullmatch=True),
)


@FEW
@given(folders=st.lists(_NAME, max_size=3), name=_NAME, duration=st.one_of(st.none(), st.floats(0, 1e6)))
@example(folders=[], name=".mkv", duration=None)
@example(folders=["VIDEO_TS"], name="VTS_01_1.VOB", duration=5400.0)
def test_any_file_name_gives_a_title(folders, name, duration):
    path = "/".join([*folders, name]) or "."
    named = film_name(path)
    assert isinstance(named.title, str) and isinstance(named.display, str)
    assert named.year is None or 1800 <= named.year <= 2200
    assert named.kind in ("film", "sample", "trailer", "extra")
    assert extra_kind(path, duration) in (None, "sample", "trailer", "extra")
    assert isinstance(title_from_path(path), str)
