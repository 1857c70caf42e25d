"""The moviebuddy command: JSON shapes, exit codes, one-line errors, the sample film."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.cli import main
from tests.conftest import shared_clip


def cli(*args, check_rc=None):
    proc = subprocess.run([sys.executable, "-m", "core", *map(str, args)], capture_output=True, text=True, timeout=600)
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stderr
    return proc


def test_index_json_status_and_scenes(make_film, capsys):
    film = make_film()
    assert main(["index", str(film), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"movie", "frames", "dialogue_lines", "bytes_per_frame", "seconds", "complete"}
    assert set(out["movie"]) == {"id", "path", "title", "duration_s"}
    assert out["frames"] == 12 and out["dialogue_lines"] == 3 and out["complete"] is True
    assert out["bytes_per_frame"] <= 16384

    assert main(["status", str(film), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert set(status) == {
        "frames",
        "duration_s",
        "indexed_until_s",
        "complete",
        "indexed",
        "indexed_roughly",
        "dialogue_lines",
        "dialogue_sources",
        "scenes",
        "problem",
    }
    assert status["complete"] and status["frames"] == 12 and status["scenes"] == 3 and status["problem"] is None
    assert status["indexed_until_s"] == pytest.approx(12.0, abs=0.2)
    assert status["indexed"] == [[0.0, pytest.approx(12.0, abs=0.2)]] and status["indexed_roughly"] == []

    assert main(["scenes", str(film), "--json"]) == 0
    scenes = json.loads(capsys.readouterr().out)
    assert [set(s) for s in scenes] == [{"start", "end", "tags"}] * 3
    assert scenes[-1]["end"] == pytest.approx(12.0, abs=0.2)

    assert main(["scenes", str(film)]) == 0
    assert "0:00 - 0:04" in capsys.readouterr().out


def test_status_of_a_film_not_yet_indexed(make_film, capsys):
    assert main(["status", str(make_film()), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["frames"] == 0 and status["complete"] is False and status["indexed_until_s"] is None


def test_home_option_chooses_the_data_folder(make_film, tmp_path, capsys):
    home = tmp_path / "elsewhere"
    assert main(["--home", str(home), "index", str(make_film()), "--json"]) == 0
    assert (home / "moviebuddy.db").exists()


@pytest.mark.parametrize("content", [b"", b"plain text, renamed to look like a film\n" * 100])
def test_unusable_inputs_exit_3_with_one_line(tmp_path, content):
    bad = tmp_path / "movie.mp4"
    bad.write_bytes(content)
    proc = cli("index", bad, check_rc=3)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("moviebuddy:")]
    assert len(lines) == 1 and "movie.mp4" in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_truncated_film_exits_3(make_film, tmp_path):
    whole = make_film(seconds_per_shot=10)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    proc = cli("index", cut, "--json", check_rc=3)
    assert "truncated" in proc.stderr and "Traceback" not in proc.stderr


def test_usage_errors_exit_2(make_film, tmp_path):
    proc = cli(check_rc=2)  # no command: the help, on stderr
    assert proc.stderr.startswith("usage: moviebuddy") and "index" in proc.stderr and proc.stdout == ""
    proc = cli("index", check_rc=2)
    assert "moviebuddy index: error: the following arguments are required: movie" in proc.stderr
    assert proc.stdout == ""
    proc = cli("index", make_film(), "--fps", "0", check_rc=2)
    assert "moviebuddy index: error: argument --fps: must be greater than 0" in proc.stderr
    assert proc.stdout == ""
    proc = cli("index", make_film("other.mkv"), "--vision", "no-such-model", check_rc=2)
    assert "efficientnet-lite0" in proc.stderr


def test_unreadable_subs_file_exits_3(make_film, tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("no timings here")
    proc = cli("index", make_film(), "--subs", bad, check_rc=3)
    assert "bad.srt" in proc.stderr
    proc = cli("index", make_film("b.mkv"), "--subs", tmp_path / "missing.srt", check_rc=3)
    assert "missing.srt" in proc.stderr


@pytest.mark.media
def test_real_clip_index_twice_popeye():
    clip = shared_clip("popeye_1.mkv")
    first = json.loads(cli("index", clip, "--json", check_rc=0).stdout)
    assert abs(first["frames"] - 60) <= 2 and first["dialogue_lines"] == 14
    second = json.loads(cli("index", clip, "--json", check_rc=0).stdout)
    assert second["frames"] == first["frames"]


@pytest.mark.slow
def test_sample_film_is_written_and_indexed(tmp_path):
    target = tmp_path / "sample.mkv"
    proc = cli("sample", "-o", target, check_rc=0)
    assert proc.stdout.strip() == str(target)
    from core.media.probe import probe

    info = probe(target)
    assert 120 <= info.duration_s <= 240 and info.has_audio and info.title == "The Night Before Launch"
    out = json.loads(cli("index", target, "--json", check_rc=0).stdout)
    assert out["dialogue_lines"] >= 15 and out["complete"]
    scenes = json.loads(cli("scenes", target, "--json", check_rc=0).stdout)
    assert len(scenes) >= 8
    cat_scenes = [s for s in scenes if {"Egyptian cat", "tabby", "tiger cat"} & set(s["tags"])]
    assert cat_scenes, scenes
