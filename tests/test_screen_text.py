"""On-screen text: a title card and a sign in a generated film are read once each, at their times, kept
as ``screen_text`` beside the dialogue, searchable and cited in answers."""

from __future__ import annotations

import numpy as np
import pytest

from core.dialogue import screen_text
from core.indexing import index_film, run
from core.media.probe import probe
from core.media.writer import FilmSpec, Line, Shot, write_film
from core.sample import title_card
from core.spoiler_window import Window
from tests.conftest import picture

# reading text loops over a film's frames: each test has a time limit of its own
pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def card_film(tmp_path):
    """A red room (4 s), a 12 s title card "Three Weeks Later", a garden (4 s) with a line of dialogue."""
    size = (640, 360)
    shots = [
        Shot(picture((200, 30, 30), "circle", size), 4),
        Shot(title_card("Three Weeks Later", "", size), 12),
        Shot(picture((30, 160, 40), "square", size), 4),
    ]
    spec = FilmSpec(shots, [Line(17.0, "The garden is quiet now.")], size=size, speech=False)
    return write_film(tmp_path / "card.mkv", spec)


def test_a_title_card_is_read_once_at_its_time(store, card_film, encoder):
    result = run(index_film(store, card_film, encoder=encoder))
    lines = store.lines_in_window(result.film.id, Window.whole())
    on_screen = [line for line in lines if line.kind == "screen_text"]
    assert [line.text for line in on_screen] == ["Three Weeks Later"]  # seen twice on the card, kept once
    (card,) = on_screen
    assert 4.0 <= card.start <= 6.0 and 14.0 <= card.end <= 17.0
    assert [line.text for line in lines if line.kind == "dialogue"] == ["The garden is quiet now."]
    assert store.search_lines(result.film.id, '"weeks"', Window.whole())
    assert not screen_text.wanted(store, result.film, probe(card_film))  # read once, done
    # spoiler-free: before the card it is not there to be found
    assert not store.search_lines(result.film.id, '"weeks"', Window.until(4.5))


def test_answers_cite_the_card(card_film, capsys):
    from core.cli import main

    assert main(["index", str(card_film)]) == 0
    capsys.readouterr()
    assert main(["ask", str(card_film), "How much later is it?", "--new"]) == 0
    out = capsys.readouterr().out
    assert "Three Weeks Later" in out and "0:05" in out


def test_pictures_without_text_give_none():
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 255, (360, 640, 3), dtype=np.uint8)
    assert screen_text.frame_text(noise) == ""
    assert screen_text.frame_text(picture((30, 40, 200), "stripes", (640, 360))) == ""
    assert screen_text.frame_text(title_card("Chapter Two", "", (640, 360))) == "Chapter Two"


def test_readable_keeps_words_and_drops_scraps():
    assert screen_text.readable("Three Weeks Later", 0.95)
    assert screen_text.readable("HOTEL", 0.93)
    assert not screen_text.readable("Three Weeks Later", 0.5)  # unsure
    assert not screen_text.readable("1I", 0.99) and not screen_text.readable("~ ;", 0.99)
