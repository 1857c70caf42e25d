"""Shared fixtures: an isolated data folder, small real films generated with PyAV, the real encoder."""

from __future__ import annotations

from pathlib import Path

import pytest

import core  # noqa: F401  (first: it limits NumPy's BLAS threads before NumPy loads)
from core.media.writer import FilmSpec, Line, Shot, write_film
from tests.testkit.pictures import picture

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MOVIEBUDDY_HOME", str(home))
    monkeypatch.setenv("MOVIEBUDDY_CONFIG", str(home / "settings.json"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # Workers run at nice 19/10 in the app; at that priority a second CPU-heavy job beside the suite
    # starves them for minutes. The tests check what they do, the playback benchmark their priority.
    monkeypatch.setenv("MOVIEBUDDY_WORKER_NICE", "0")
    return home


DEFAULT_SHOTS = (((200, 30, 30), "circle"), ((30, 160, 40), "square"), ((30, 40, 200), "stripes"))
DEFAULT_LINES = (
    Line(0.5, "The red room has a white ball."),
    Line(4.5, "The green garden hides a box."),
    Line(8.5, "Blue stripes everywhere, said the painter."),
)


@pytest.fixture
def make_film(tmp_path):
    """make_film(name, seconds_per_shot=4, shots=DEFAULT_SHOTS, lines=DEFAULT_LINES, **spec) -> Path."""

    def make(
        name: str = "film.mkv", seconds_per_shot: float = 4.0, shots=DEFAULT_SHOTS, lines=DEFAULT_LINES, **spec
    ) -> Path:
        spec.setdefault("speech", False)
        size = spec.setdefault("size", (320, 180))
        film = FilmSpec(
            shots=[Shot(picture(c, s, size), seconds_per_shot, (0, 0, 1, 1), (0.1, 0.1, 0.8, 0.8)) for c, s in shots],
            lines=list(lines),
            **spec,
        )
        return write_film(tmp_path / name, film)

    return make


@pytest.fixture(scope="session")
def encoder():
    from core.encoders.efficientnet import EfficientNetLite0

    return EfficientNetLite0()


@pytest.fixture(scope="module")
def film_store(tmp_path_factory, encoder):
    """A store with a synthetic 10-minute film indexed (600 frames, one line), shared by a module."""
    from core.store import open_store
    from tests.testkit.synthetic_index import synthetic_film

    store = open_store(tmp_path_factory.mktemp("frames"))
    film = synthetic_film(store, encoder, 600.0, [(10.0, "hello")])
    yield store, film
    store.close()


@pytest.fixture(scope="session")
def long_film(tmp_path_factory):
    """A generated 12-minute film (long enough for the rough pass and for several decoders' parts)."""
    from tests.testkit.long_films import write_long_film

    return write_long_film(tmp_path_factory.mktemp("long") / "twelve minutes.mkv", hours=0.2)


@pytest.fixture
def store(isolated_home):
    from core.store import open_store

    with open_store(isolated_home) as s:
        yield s


def shared_clip(name: str) -> Path:
    path = SHARED_MEDIA / name
    if not path.exists():
        pytest.skip(f"real clip {name} is not here ({SHARED_MEDIA} is absent on this machine)")
    return path
