"""The sample film, Movie Buddy's built-in default: "The Night Before Launch", about 2.5 minutes.

Real photographs from scikit-image's public-domain / CC0 sample images, slow camera moves, a small
story told in spoken lines (espeak-ng) and an embedded English subtitle track."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.events import CancelToken, Progress
from core.media.writer import FilmSpec, Line, Shot, write_film

SAMPLE_NAME = "the-night-before-launch.mkv"
TITLE = "The Night Before Launch"


def title_card(text: str, subtitle: str = "", size=(640, 360)) -> np.ndarray:
    card = Image.new("RGB", size, (12, 14, 28))
    draw = ImageDraw.Draw(card)
    big, small = ImageFont.load_default(size=40), ImageFont.load_default(size=20)
    draw.text((size[0] / 2, size[1] / 2 - 12), text, font=big, fill=(240, 220, 160), anchor="mm")
    if subtitle:
        draw.text((size[0] / 2, size[1] / 2 + 36), subtitle, font=small, fill=(170, 170, 190), anchor="mm")
    return np.asarray(card)


def story() -> FilmSpec:
    """The shots and lines of the sample film (times in seconds)."""
    from skimage import data

    shots = [
        Shot(title_card(TITLE, "a Movie Buddy sample film"), 6),
        Shot(data.astronaut(), 16, (0.0, 0.0, 1.0, 1.0), (0.25, 0.05, 0.5, 0.5)),
        Shot(data.coffee(), 15, (0.0, 0.0, 1.0, 1.0), (0.1, 0.1, 0.6, 0.7)),
        Shot(data.chelsea(), 17, (0.3, 0.0, 0.7, 1.0), (0.0, 0.0, 0.7, 1.0)),
        Shot(data.camera(), 15, (0.1, 0.0, 0.6, 0.8), (0.2, 0.0, 0.8, 1.0)),
        Shot(data.rocket(), 20, (0.2, 0.3, 0.6, 0.7), (0.0, 0.0, 1.0, 1.0)),
        Shot(data.moon(), 14, (0.0, 0.0, 1.0, 1.0), (0.2, 0.2, 0.6, 0.6)),
        Shot(data.hubble_deep_field(), 16, (0.0, 0.0, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5)),
        Shot(data.coins(), 12, (0.0, 0.0, 0.6, 0.6), (0.4, 0.4, 0.6, 0.6)),
        Shot(data.chelsea(), 14, (0.0, 0.0, 1.0, 1.0), (0.35, 0.1, 0.45, 0.7)),
        Shot(title_card("The End", "made by Movie Buddy"), 5),
    ]
    lines = [
        Line(7, "This is Commander Eileen Hart, the astronaut."),
        Line(11.5, "Tomorrow morning she flies to the Moon."),
        Line(23, "Every morning begins with a cup of espresso."),
        Line(29, "Strong coffee, no sugar, she says. It is a launch day habit."),
        Line(38, "Her cat, Chelsea, watches from the windowsill."),
        Line(44, "Chelsea does not like rockets. The cat hides under the bed."),
        Line(55, "A photographer named Victor takes her picture for the newspaper."),
        Line(62, "Smile, Commander. This one goes on the front page."),
        Line(70, "At dawn the rocket stands ready on the launch pad."),
        Line(77, "Countdown. Ten, nine, eight. Ignition. Lift off!"),
        Line(90, "Three days later, the grey Moon fills the window."),
        Line(97, "Eileen lands in the Sea of Tranquility."),
        Line(104, "Beyond the Moon she sees thousands of galaxies."),
        Line(111, "We are very small, she whispers."),
        Line(120, "Back home, Victor pays the newspaper three silver coins for the photographs."),
        Line(132, "Chelsea is waiting at the door. The cat forgives her for leaving."),
        Line(140, "Welcome home, Chelsea says, or at least that is what it sounds like."),
    ]
    return FilmSpec(shots=shots, lines=lines, title=TITLE)


def sample_path(home: Path) -> Path:
    return Path(home) / "sample" / SAMPLE_NAME


def ensure_sample(
    path: Path, progress: Callable[[Progress], None] | None = None, cancel: CancelToken | None = None
) -> Path:
    """Write the sample film to ``path`` unless it is already there."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > 0:
        return path
    return write_film(path, story(), progress=progress, cancel=cancel)
