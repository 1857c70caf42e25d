"""Hardening of subtitle reading (issue 13): control characters, encodings without a byte-order mark,
absurdly large files, odd times, unreadable files found beside a film."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from core.errors import SubtitleError
from core.media import subtitles
from core.media.subtitles import clean_text, read_sidecar

CUE = "{n}\n00:00:{s:02d},000 --> 00:00:{e:02d},500\n{text}\n\n"
TEXT = ["Café Américain, mañana à Noël", "Ça va? Oui, naïve façade, ÿ"]


def srt(texts) -> str:
    return "".join(CUE.format(n=i + 1, s=2 * i, e=2 * i + 1, text=t) for i, t in enumerate(texts))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[31mRed\x1b[0m alert", "Red alert"),
        ("bell\x07 nul\x00 back\x08space", "bell nul backspace"),
        ("title \x1b]0;pwned\x07set", "title set"),
        ("c1 \x9b2Jcsi \x85nel \x90dcs", "c1 csi nel dcs"),
        ("html &#27;[2J&#7;escape", "html [2Jescape"),
        ("tab\tand\r\nnewline stay", "tab and\nnewline stay"),
    ],
)
def test_control_characters_are_stripped(raw, clean):
    assert clean_text(raw) == clean


def test_control_characters_are_stripped_from_sidecars(tmp_path):
    path = tmp_path / "film.srt"
    path.write_text(srt(["\x1b[1mBold\x1b[0m move\x07", "\x00\x08\x1b\x7fquiet"]), encoding="utf-8")
    assert [line.text for line in read_sidecar(path)] == ["Bold move", "quiet"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig", "utf-8", "cp1252", "latin-1"])
def test_encodings_are_detected(tmp_path, encoding):
    """UTF-16 without a byte-order mark (-le, -be) included; "utf-16" and "utf-8-sig" write one."""
    path = tmp_path / "film.srt"
    texts = TEXT + (["It’s 5 € — “quoted”"] if encoding in ("cp1252", "utf-16-le", "utf-8-sig") else [])
    path.write_bytes(srt(texts).encode(encoding))
    if encoding in ("utf-16-le", "utf-16-be"):
        assert not path.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))
    assert [line.text for line in read_sidecar(path)] == texts


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_mark_in_another_script(tmp_path, encoding):
    texts = ["Добрый вечер, Рик.", "Мы всегда будем в Париже."]
    path = tmp_path / "film.ru.srt"
    path.write_bytes(srt(texts).encode(encoding))
    assert [line.text for line in read_sidecar(path)] == texts


@pytest.mark.timeout(120)
def test_a_50_mb_subtitle_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.srt"
    block = srt(["A line of dialogue that goes on for a while."] * 10).encode()
    with path.open("wb") as file:
        for _ in range(50 * 2**20 // len(block) + 1):
            file.write(block)
    assert path.stat().st_size > 50 * 2**20
    monkeypatch.setattr(Path, "open", _never)
    monkeypatch.setattr(subtitles.pysubs2.SSAFile, "from_string", _never)
    with pytest.raises(SubtitleError) as err:
        read_sidecar(path)
    assert str(err.value) == "huge.srt: over 20 MB, not a film's subtitles (a film's are well under 1 MB)"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["srt", "ass"])
def test_too_many_cues_are_refused_before_parsing(tmp_path, monkeypatch, kind):
    count = subtitles.MAX_CUES + 1
    if kind == "srt":
        text = "".join(f"{i}\n00:00:01,000 --> 00:00:02,000\nx\n\n" for i in range(count))
    else:
        head = "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        head += "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        text = head + "Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,x\n" * count
    path = tmp_path / f"many.{kind}"
    path.write_text(text)
    assert path.stat().st_size < subtitles.MAX_SUBTITLE_BYTES  # refused by its count, not its size
    monkeypatch.setattr(subtitles.pysubs2.SSAFile, "from_string", _never)
    with pytest.raises(SubtitleError, match=f"many.{kind}: over 20000 cues, not a film's subtitles"):
        read_sidecar(path)


@pytest.mark.timeout(300)
def test_the_command_refuses_a_huge_subs_file_with_one_line(make_film, tmp_path, capsys):
    from core.cli import main

    path = tmp_path / "huge.srt"
    with path.open("wb") as file:
        file.truncate(50 * 2**20)  # 50 MB (of nothing): the size alone refuses it
    assert main(["index", str(make_film()), "--subs", str(path)]) == 3
    err = capsys.readouterr().err
    assert err == "moviebuddy: huge.srt: over 20 MB, not a film's subtitles (a film's are well under 1 MB)\n"


def test_negative_overlapping_and_reversed_times_are_read(tmp_path):
    path = tmp_path / "odd.srt"
    path.write_text(
        "1\n-00:00:01,000 --> 00:00:02,000\nBefore the start.\n\n"
        "2\n00:00:01,500 --> 00:00:04,000\nOverlapping.\n\n"
        "3\n00:00:09,000 --> 00:00:05,000\nEnds before it starts.\n"
    )
    lines = [(line.start, line.end, line.text) for line in read_sidecar(path)]
    assert lines == [
        (0.0, 2.0, "Before the start."),
        (1.5, 4.0, "Overlapping."),
        (9.0, 9.0 + subtitles.DEFAULT_CUE_S, "Ends before it starts."),
    ]
    ass = tmp_path / "odd.ass"
    ass.write_text(
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        "Dialogue: 0,-0:00:01.00,-0:00:00.50,Default,,0,0,0,,All before the start.\n"
        "Dialogue: 0,0:00:03.00,0:00:02.00,Default,,0,0,0,,Reversed.\n"
    )
    assert [(line.start, line.end) for line in read_sidecar(ass)] == [(0.0, 0.0), (3.0, 5.0)]


@pytest.mark.timeout(120)
def test_an_embedded_stream_with_absurdly_many_cues_is_refused(make_film, monkeypatch):
    monkeypatch.setattr(subtitles, "MAX_CUES", 2)  # the film has three
    with pytest.raises(SubtitleError, match="over 2 cues"):
        subtitles.read_embedded(make_film(), 1)


def test_a_folder_is_not_a_subtitle_file(tmp_path):
    (tmp_path / "dir.srt").mkdir()
    with pytest.raises(SubtitleError, match=r"dir\.srt: is a folder, not a subtitle file"):
        read_sidecar(tmp_path / "dir.srt")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("how", ["folder", "no permission"])
def test_an_unreadable_sidecar_beside_the_film_is_skipped_with_a_warning(
    how, store, make_film, tmp_path, monkeypatch, caplog
):
    from core.dialogue import ingest_dialogue
    from core.media.probe import probe
    from core.store import fingerprint

    film = make_film()
    bad = tmp_path / "film.en.srt"  # an English sidecar: chosen before the film's own stream
    if how == "folder":
        bad.mkdir()
    else:
        bad.write_text(srt(["Never read."]))
        real_open = Path.open

        def locked(self, *args, **kwargs):  # what chmod 000 does for a user who is not root
            if self == bad:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", locked)
    info = probe(film)
    record = store.ensure_film(fingerprint(info.path), info)
    with caplog.at_level(logging.WARNING):
        assert ingest_dialogue(store, record, info) == 3  # the film's own subtitles instead
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("skipping subtitles sidecar:film.en.srt" in w for w in warnings), warnings
    used = [s["source"] for s in store.dialogue_sources(record.id) if s["used"]]
    assert used == ["embedded:1"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_without_read_permission_is_one_clear_line(tmp_path):
    path = tmp_path / "locked.srt"
    path.write_text(srt(["Hidden."]))
    path.chmod(0)
    with pytest.raises(SubtitleError, match=r"locked\.srt: cannot be read"):
        read_sidecar(path)


def _never(*args, **kwargs):
    raise AssertionError("a file refused by its size or count must not be read or parsed")
