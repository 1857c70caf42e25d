"""Under a real X server (Xvfb, Mesa): the app plays the sample film, and a grab of the window shows the
film in the picture area (not black) with the chat panel beside it. The grab is kept as a test artifact
in test-artifacts/desktop-window.png."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("mpv")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.slow
def test_the_window_shows_the_sample_film_and_the_chat_panel(xvfb, isolated_home, tmp_path, make_film):
    from PIL import Image

    from core.cli import main

    (tmp_path / "shelf").mkdir()
    for name in ("Harbour.Lights.1948.mkv", "Snow.Road.1990.720p.mkv"):
        make_film(f"shelf/{name}")
    assert main(["library", "add", str(tmp_path / "shelf")]) == 0  # the library dock lists them

    picture = tmp_path / "window.png"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="xcb",
        DISPLAY=f":{xvfb.display}",
        MOVIEBUDDY_HOME=str(isolated_home),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        LIBGL_ALWAYS_SOFTWARE="1",
    )
    # The window closes once the film has played 6 s (on a fresh data folder the sample film is made
    # first); --quit-after only bounds the wait.
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop.launch",
            "--no-index",
            "--quit-after-playing",
            "6",
            "--quit-after",
            "200",
            "--screenshot",
            str(picture),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(picture, ARTIFACTS / "desktop-window.png")
    report = json.loads(picture.with_suffix(".json").read_text())
    assert report["film"] == "The Night Before Launch" and report["position"] > 5
    assert report["chat_visible"] and report["chat_width"] > 200
    image = np.asarray(Image.open(picture).convert("RGB")).astype(np.float32)
    x, y, w, h = report["video"]
    video = image[y : y + h, x : x + w]
    assert video.mean() > 25 and video.std() > 20, "the picture area is black or flat: the film is not shown"
    chat = image[:, x + w + 10 :]
    assert chat.size and chat.std() > 5  # the chat panel's text and buttons
    assert report["library_rows"] == 2  # the library, in the tab beside the chat: its picture is kept too
    library = np.asarray(Image.open(tmp_path / "window-library.png").convert("RGB")).astype(np.float32)
    assert library.std() > 5  # its list, buttons and boxes
    shutil.copy(tmp_path / "window-library.png", ARTIFACTS / "library-view.png")
