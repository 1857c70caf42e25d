"""Dialogue from sidecar files and embedded text streams, markup stripped, bad files reported."""

from __future__ import annotations

import pytest

from core.errors import SubtitleError
from core.media.probe import probe
from core.media.subtitles import choose_source, clean_text, embedded_sources, find_sidecars, read_embedded, read_sidecar
from tests.conftest import shared_clip

SRT = """1
00:00:01,000 --> 00:00:03,500
<i>Hello</i>, <b>Rick</b>.

2
00:00:04,000 --> 00:00:06,000
{\\an8}Of all the gin joints
in all the towns
"""


def test_clean_text_strips_markup():
    assert (
        clean_text("{\\i1}Here's{\\i0} looking\\Nat <font color='red'>you</font> &amp; kid")
        == "Here's looking\nat you & kid"
    )


def test_read_srt_sidecar(tmp_path):
    path = tmp_path / "casablanca.srt"
    path.write_text(SRT, encoding="utf-8")
    lines = read_sidecar(path)
    assert [(l.start, l.end) for l in lines] == [(1.0, 3.5), (4.0, 6.0)]
    assert lines[0].text == "Hello, Rick."
    assert lines[1].text == "Of all the gin joints\nin all the towns"


def test_read_cp1252_and_vtt(tmp_path):
    path = tmp_path / "film.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé Américain\n".encode("cp1252"))
    assert read_sidecar(path)[0].text == "Café Américain"
    vtt = tmp_path / "film.vtt"
    vtt.write_text("WEBVTT\n\n00:00:02.000 --> 00:00:04.000\n<v Rick>We'll always have Paris.\n")
    assert read_sidecar(vtt)[0].text == "We'll always have Paris."


@pytest.mark.parametrize("content", ["", "just some words, no timing at all", "1\n00:00:xx --> broken\nhi\n"])
def test_malformed_subtitles_give_one_clear_line(tmp_path, content):
    path = tmp_path / "bad.srt"
    path.write_text(content)
    with pytest.raises(SubtitleError) as err:
        read_sidecar(path)
    assert "bad.srt" in str(err.value) and "\n" not in str(err.value)


def test_sidecars_are_found_with_language_suffixes(tmp_path):
    movie = tmp_path / "Casablanca.mkv"
    movie.write_bytes(b"x")
    for name in ["Casablanca.srt", "Casablanca.en.srt", "Casablanca.fr.forced.ass", "Other.srt", "Casablanca.txt"]:
        (tmp_path / name).write_text("x")
    found = {s.name: s.language for s in find_sidecars(movie)}
    assert found == {
        "sidecar:Casablanca.srt": None,
        "sidecar:Casablanca.en.srt": "en",
        "sidecar:Casablanca.fr.forced.ass": "fr",
    }
    # an unlabelled sidecar counts as English too: of the two, the first found (by name) is read
    assert choose_source(find_sidecars(movie)).name == "sidecar:Casablanca.en.srt"


def test_embedded_subrip_track_is_read(make_film):
    film = make_film()
    info = probe(film)
    sources = embedded_sources(info)
    assert [s.kind for s in sources] == ["embedded"]
    lines = read_embedded(film, sources[0].stream_index)
    assert [l.text for l in lines] == [
        "The red room has a white ball.",
        "The green garden hides a box.",
        "Blue stripes everywhere, said the painter.",
    ]
    assert lines[1].start == pytest.approx(4.5, abs=0.01)


@pytest.mark.parametrize("ext", ["ass", "vtt"])
def test_embedded_ass_and_webvtt_tracks(tmp_path, make_film, ext):
    import av
    import pysubs2

    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=1000, end=2000, text="{\\b1}Round up{\\b0} the usual suspects"))
    side = tmp_path / f"s.{ext}"
    subs.save(str(side))
    plain = make_film("plain.mkv", seconds_per_shot=1, lines=())
    out_path = tmp_path / f"with-{ext}.mkv"
    with av.open(str(plain)) as src, av.open(str(side)) as sub, av.open(str(out_path), "w") as out:
        v = out.add_stream_from_template(src.streams.video[0])
        s = out.add_stream_from_template(sub.streams.subtitles[0])
        for p in sub.demux(sub.streams.subtitles[0]):
            if p.dts is not None:
                p.stream = s
                out.mux(p)
        for p in src.demux(src.streams.video[0]):
            if p.dts is not None:
                p.stream = v
                out.mux(p)
    info = probe(out_path)
    (source,) = embedded_sources(info)
    lines = read_embedded(out_path, source.stream_index)
    assert [l.text for l in lines] == ["Round up the usual suspects"]


def test_image_subtitles_are_recorded_not_read():
    info = probe(shared_clip("popeye_1.mkv"))
    sources = embedded_sources(info)
    assert [(s.kind, s.language) for s in sources] == [("image", "en")]
    assert choose_source(sources) is None


def test_real_sidecar_popeye():
    lines = read_sidecar(shared_clip("popeye_1.en.srt"))
    assert len(lines) == 14
    sinbad = [l for l in lines if "Sinbad the sailor" in l.text]
    assert sinbad and sinbad[0].start == pytest.approx(13.0)
