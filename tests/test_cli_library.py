"""The library's commands: library add / list / scan / queue, analyze, search and export, with the JSON
shapes the issue names, and the review summary of a real clip."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from core.cli import main
from core.media.writer import Line
from tests.conftest import shared_clip


def run_json(capsys, *args) -> object:
    assert main([*map(str, args)]) == 0
    return json.loads(capsys.readouterr().out)


def test_library_add_analyze_list_and_search(tmp_path, make_film, capsys):
    (tmp_path / "films").mkdir()
    make_film(
        "films/Harbour.Lights.1948.720p.mkv",
        lines=[Line(1.0, "The ferry leaves at dawn."), Line(6.0, "Keep the lamp burning for me.")],
    )
    make_film("films/Snow.Road.1990.mkv", lines=[Line(1.0, "My grandmother baked bread every Sunday.")])
    (tmp_path / "films" / "broken.mp4").write_bytes(b"\x00" * 100)
    assert main(["library", "add", str(tmp_path / "films")]) == 0
    listed = run_json(capsys, "library", "list", "--json")
    assert {e["title"]: (e["year"], e["status"], e["progress"]) for e in listed} == {
        "Harbour Lights": (1948, "new", 0.0),
        "Snow Road": (1990, "new", 0.0),
    }
    assert all(set(e) >= {"path", "title", "year", "duration_s", "status", "progress"} for e in listed)
    everything = run_json(capsys, "library", "list", "--all", "--json")
    (broken,) = [e for e in everything if e["status"] == "not a film"]
    assert broken["path"].endswith("broken.mp4") and broken["problem"]

    assert main(["analyze", str(tmp_path / "films")]) == 0
    assert "2 analysed, 0 failed" in capsys.readouterr().out
    listed = run_json(capsys, "library", "list", "--json")
    assert {e["status"] for e in listed} == {"analysed"} and {e["progress"] for e in listed} == {1.0}

    hits = run_json(capsys, "search", "a boat departs in the early morning", "--json")
    assert set(hits[0]) == {"film", "path", "t", "kind", "text"}
    assert hits[0]["film"] == "Harbour Lights (1948)" and hits[0]["t"] == pytest.approx(1.0)
    assert hits[0]["kind"] == "dialogue" and hits[0]["text"] == "The ferry leaves at dawn."
    queue = run_json(capsys, "library", "queue", "--json")
    assert sorted(i["state"] for i in queue) == ["done", "done"]
    assert main(["library", "remove", str(tmp_path / "films")]) == 0
    assert run_json(capsys, "library", "list", "--json") == []


def test_usage_errors_of_the_library_commands(tmp_path, capsys):
    assert main(["library", "remove", str(tmp_path)]) == 2
    assert "is not in the library" in capsys.readouterr().err
    assert main(["library", "add", str(tmp_path / "nowhere")]) == 1
    assert "not a folder" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "nowhere.mkv")]) == 3
    assert "no film to analyse" in capsys.readouterr().err


def test_export_every_format_of_a_small_film(tmp_path, make_film, capsys):
    film = make_film(
        "Quiet.Bay.1971.mkv", lines=[Line(0.5, "Fish & chips at <3 o'clock."), Line(8.5, "The tide turns at midnight.")]
    )
    assert main(["index", str(film)]) == 0
    for fmt, name in (("html", "bay.html"), ("md", "bay.md"), ("chapters", "bay.ffmetadata"), ("pdf", "bay.pdf")):
        assert main(["export", str(film), "--format", fmt, "-o", str(tmp_path / name)]) == 0, fmt
    page = (tmp_path / "bay.html").read_text()
    assert "Quiet Bay (1971)" in page and "Fish &amp; chips at &lt;3" in page and "<3" not in page
    assert "data:image/png;base64," in page and "http" not in page.lower()
    markdown = (tmp_path / "bay.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert pictures and all((tmp_path / p).is_file() for p in pictures)
    chapters = (tmp_path / "bay.ffmetadata").read_text()
    assert chapters.startswith(";FFMETADATA1") and chapters.count("[CHAPTER]") == 3
    assert (tmp_path / "bay.vtt").read_text().startswith("WEBVTT")
    assert (tmp_path / "bay.pdf").read_bytes().startswith(b"%PDF")
    assert main(["export", str(film), "--format", "html", "--until", "0:04", "-o", str(tmp_path / "early.html")]) == 0
    early = (tmp_path / "early.html").read_text()
    assert "Fish &amp; chips" in early and "tide turns" not in early


@pytest.mark.slow
@pytest.mark.media
def test_the_summary_of_a_real_clip_has_pictures_and_its_lines(tmp_path, capsys):
    clip = shared_clip("popeye_1.mkv")
    assert main(["index", str(clip)]) == 0
    assert main(["export", str(clip), "--format", "html", "-o", str(tmp_path / "out.html")]) == 0
    page = (tmp_path / "out.html").read_text()
    assert page.count("data:image/png;base64,") >= 3
    assert "Sinbad the sailor" in page  # a line of the film's own subtitles
    assert main(["export", str(clip), "--format", "chapters", "-o", str(tmp_path / "popeye.ffmetadata")]) == 0
    if shutil.which("mpv") is None:
        pytest.skip("the mpv command is not installed")
    played = subprocess.run(
        [
            "mpv",
            "--no-config",
            "--vo=null",
            "--ao=null",
            "--frames=1",
            f"--chapters-file={tmp_path / 'popeye.ffmetadata'}",
            "--term-playing-msg=CHAPTERS ${chapters}",
            str(clip),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    count = int(re.search(r"CHAPTERS (\d+)", played.stdout).group(1))
    assert count == (tmp_path / "popeye.ffmetadata").read_text().count("[CHAPTER]") and count > 1
