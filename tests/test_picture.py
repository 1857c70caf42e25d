"""What the picture tells, measured: black and white on a generated grey film, light and dark,
dominant colours, and the classifier's concepts gathered into everyday words."""

from __future__ import annotations

import numpy as np
import pytest

from core import picture, picture_words
from core.colours import frame_colours
from core.media.writer import Line
from core.spoiler_window import Window

GREY_SHOTS = (((120, 120, 120), "circle"), ((60, 60, 60), "square"), ((200, 200, 200), "stripes"))
NIGHT_SHOTS = (((12, 14, 30), "none"), ((20, 20, 24), "none"), ((8, 10, 16), "none"))
LINES = (Line(0.5, "Nobody came to the station that evening."), Line(4.5, "The train was late again."))


def _ask(store, encoder, path, question, window=None):
    from core.answering import Answer, answer_question
    from core.indexing import index_film, run
    from core.retrieval import Retriever
    from core.text_embed import default_embedder

    film = run(index_film(store, path, encoder=encoder)).film
    retriever = Retriever(store, encoder, default_embedder())
    window = Window.whole() if window is None else window
    answer = next(e for e in answer_question(retriever, film, question, window) if isinstance(e, Answer))
    return answer


def test_colourfulness_is_zero_for_grey_and_high_for_colour():
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, (2, 90, 160, 1), dtype=np.uint8).repeat(3, axis=3)
    colour = rng.integers(0, 256, (1, 90, 160, 3), dtype=np.uint8)
    measured = frame_colours(np.concatenate([grey, colour]))
    assert measured[0].colourfulness == 0.0 and measured[1].colourfulness == 0.0
    assert measured[2].colourfulness > 0.3
    assert list(picture.black_and_white(np.array([m.colourfulness for m in measured]), [None] * 3)) == [
        True,
        True,
        False,
    ]


def test_older_frames_without_colourfulness_are_judged_from_their_named_colours():
    colours = ['[["grey", 0.7], ["black", 0.25]]', '[["red", 0.5], ["grey", 0.4]]']
    assert list(picture.black_and_white(np.array([np.nan, np.nan]), colours)) == [True, False]


def test_a_generated_grey_film_is_black_and_white(store, encoder, make_film):
    answer = _ask(
        store, encoder, make_film("grey.mkv", shots=GREY_SHOTS, lines=LINES), "Is this film in black and white?"
    )
    assert answer.mode == "measured"
    assert "black and white" in answer.text and "100%" in answer.text


def test_a_colour_film_is_in_colour_and_names_its_colours(store, encoder, make_film):
    path = make_film("colour.mkv")  # red, green and blue shots
    answer = _ask(store, encoder, path, "Is the film in colour?")
    assert answer.mode == "measured" and "in colour" in answer.text
    said = _ask(store, encoder, path, "What colour is the picture in the last scene?")
    assert "blue" in said.text and "red," not in said.text and all(7.5 <= t <= 12.5 for t in said.citations)


def test_a_film_in_colour_with_a_grey_part_says_where(store, encoder, make_film):
    shots = (((200, 30, 30), "circle"), ((120, 120, 120), "square"), ((30, 160, 40), "stripes"))
    answer = _ask(
        store, encoder, make_film("mixed.mkv", shots=shots, seconds_per_shot=6.0, lines=LINES), "Is it black and white?"
    )
    assert "mostly in colour" in answer.text and "black and white at 0:06" in answer.text


def test_brightness_tells_night_from_day(store, encoder, make_film):
    night = _ask(store, encoder, make_film("night.mkv", shots=NIGHT_SHOTS, lines=LINES), "Is it day or night?")
    assert "dark, like night" in night.text
    day = _ask(store, encoder, make_film("day.mkv", shots=GREY_SHOTS[2:] * 3, lines=LINES), "Is it day or night?")
    assert "light, like daytime" in day.text


def test_concepts_gather_into_everyday_words():
    probs = np.zeros((2, 1000), np.float32)
    labels = __import__("core.encoders.concepts", fromlist=["x"]).imagenet_labels()
    for name, p in (("minibus", 0.2), ("school bus", 0.15), ("trolleybus", 0.1)):
        probs[0, labels.index(name)] = p
    probs[1, labels.index("golden retriever")] = 0.4
    probs[1, labels.index("beagle")] = 0.3
    names, words = picture_words.everyday_probabilities(probs)
    assert words[0, names.index("bus")] == pytest.approx(0.45)
    assert words[1, names.index("dog")] == pytest.approx(0.7)
    assert words[1, names.index("animal")] == pytest.approx(0.7) and words[0, names.index("animal")] == 0.0
    assert words[0, names.index("vehicle")] == pytest.approx(0.45)
    assert picture_words.words_in("Are there any buses, puppies or big cats?") == ["big cat", "bus", "dog"]


def test_which_questions_are_about_the_picture():
    kinds = {
        q: (picture.picture_question(q) or picture.PictureQuestion("none")).kind
        for q in (
            "Is the film black and white?",
            "Is it in colour?",
            "What colour is her coat?",
            "Is the outdoor scene in the day or at night?",
            "Is it dark in the cellar?",
            "Is there a dog?",
            "Do you see a car?",
            "What animal is by the gate?",
            "Why does he put mirrors up around the house?",
            "What did he do that night?",
            "Who takes the car to town?",
        )
    }
    assert kinds == {
        "Is the film black and white?": "colour_mode",
        "Is it in colour?": "colour_mode",
        "What colour is her coat?": "colour_of",
        "Is the outdoor scene in the day or at night?": "light",
        "Is it dark in the cellar?": "light",
        "Is there a dog?": "thing",
        "Do you see a car?": "thing",
        "What animal is by the gate?": "thing",
        "Why does he put mirrors up around the house?": "none",
        "What did he do that night?": "none",
        "Who takes the car to town?": "none",
    }


class _Frames:
    """A FrameBatch's measured part, for the answer's wording."""

    def __init__(self, times, labels, p):
        self.times = np.array(times, np.float64)
        self.content = np.zeros((len(times), 1), np.float32)
        self._probs = np.zeros((len(times), 1000), np.float32)
        names = __import__("core.encoders.concepts", fromlist=["x"]).imagenet_labels()
        for j, label in enumerate(labels):
            if label:
                self._probs[j, names.index(label)] = p

    def probabilities(self, frames):
        return self._probs


def test_a_thing_seen_is_answered_yes_with_its_time_and_an_absent_one_is_not_claimed():
    frames = _Frames([0.0, 1.0, 2.0, 3.0], [None, "lion", "lion", None], 0.6)
    yes = picture.answer_picture(picture.picture_question("Is there a lion?"), frames, frames.probabilities, "the film")
    assert yes.text.startswith("Yes, at 0:01 the picture looks like a lion (60%)") and yes.citations == [1.0]
    kind = picture.answer_picture(
        picture.picture_question("What animal is by the gate?"), frames, frames.probabilities, "the film"
    )
    assert kind.text.startswith("At 0:01 the picture looks like a lion") and kind.sure
    none = picture.answer_picture(picture.picture_question("Is there a bus?"), frames, frames.probabilities, "the film")
    assert none.text.startswith("I could not see any bus in the film") and none.citations == [] and not none.sure


def test_each_appearance_of_a_thing_is_cited():
    frames = _Frames([0.0, 1.0, 2.0, 20.0, 21.0, 40.0], ["tabby", "tabby", None, None, "tabby", None], 0.8)
    answer = picture.answer_picture(
        picture.picture_question("Do you see the cat?"), frames, frames.probabilities, "the film"
    )
    assert answer.citations == [0.0, 21.0]
    assert answer.text.startswith("Yes, at 0:00 the picture looks like a cat (80%); again at 0:21 (80%)")
