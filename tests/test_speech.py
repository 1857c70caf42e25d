"""Dialogue from speech for a film without subtitles: the read-aloud clip recognised offline, with its
language, resumable chunk by chunk, and its word error rate against the clip's transcript printed."""

from __future__ import annotations

import re
import shutil

import pytest

from core.dialogue import speech
from core.events import CancelToken, Progress
from core.indexing import index_film, run
from core.media.probe import probe
from core.media.subtitles import read_sidecar
from core.spoiler_window import Window
from core.store import fingerprint
from tests.conftest import shared_clip

# recognition loops over a film's sound: each test has a time limit of its own
pytestmark = [pytest.mark.slow, pytest.mark.media, pytest.mark.timeout(600)]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("specter", "spectre"))


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Levenshtein distance over words / reference length."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1] / max(1, len(reference))


@pytest.fixture
def manifesto(tmp_path):
    """The clip alone in a folder: no subtitle file beside it."""
    film = tmp_path / "manifesto.mp4"
    shutil.copy(shared_clip("manifesto.mp4"), film)
    return film


def test_a_film_without_subtitles_gets_its_dialogue_from_speech(store, manifesto, encoder, capsys):
    result = run(index_film(store, manifesto, encoder=encoder))
    (source,) = store.dialogue_sources(result.film.id)
    assert (source["source"], source["kind"], source["language"]) == (speech.SOURCE, "asr", "en")
    lines = store.lines_in_window(result.film.id, Window.whole())
    heard = " ".join(line.text for line in lines).lower()
    assert "workers of the world" in heard and "london" in heard
    london = next(line for line in lines if "london" in line.text.lower())
    assert 70 < london.start < 88  # "assembled in London" is said near the clip's end
    reference = words(" ".join(line.text for line in read_sidecar(shared_clip("manifesto.en.srt"))))
    rate = word_error_rate(reference, words(heard))
    with capsys.disabled():
        print(f"\nword error rate against manifesto.en.srt: {rate:.1%} ({len(reference)} words)")
    assert rate <= 0.25
    assert result.dialogue_lines == len(lines)


def test_recognition_goes_on_from_the_last_chunk_stored(store, manifesto, monkeypatch):
    monkeypatch.setattr(speech, "CHUNK_S", 30.0)
    info = probe(manifesto)
    film = store.ensure_film(fingerprint(info.path), info)
    cancel = CancelToken()
    for event in speech.recognise(store, film, info, cancel):
        if isinstance(event, Progress) and event.done >= 30.0:
            cancel.cancel()  # killed after the first chunk was stored
    done, language = store.dialogue_progress(film.id, speech.SOURCE)
    first = [line.text for line in store.lines_in_window(film.id, Window.whole())]
    assert done == pytest.approx(30.0) and language == "en" and first and speech.wanted(store, film, info)
    run_all = list(speech.recognise(store, film, info))
    assert run_all and not speech.wanted(store, film, info)
    texts = [line.text for line in store.lines_in_window(film.id, Window.whole())]
    assert texts[: len(first)] == first and len(texts) > len(first)  # nothing recognised twice
    assert all(
        a.start <= b.start
        for a, b in zip(
            store.lines_in_window(film.id, Window.whole()), store.lines_in_window(film.id, Window.whole())[1:]
        )
    )


@pytest.mark.slow
def test_asked_for_speech_is_kept_beside_the_subtitles_which_answers_prefer(make_film, capsys):
    """`moviebuddy index --asr` on a film with subtitles: both sources are stored and listed; questions
    and searches read the subtitles only, so no line is found twice."""
    import json

    from core.cli import main
    from core.store import open_store

    film = make_film("spoken.mkv", speech=True)  # espeak reads the lines aloud; subtitles carry them too
    assert main(["index", str(film), "--asr"]) == 0
    capsys.readouterr()
    assert main(["status", str(film), "--json"]) == 0
    kinds = {s["kind"]: s["lines"] for s in json.loads(capsys.readouterr().out)["dialogue_sources"]}
    assert set(kinds) == {"embedded", "asr"} and kinds["asr"] > 0
    with open_store() as store:
        (stored,) = store.films()
        used = store.lines_in_window(stored.id, Window.whole())
        assert len(used) == kinds["embedded"]  # the subtitles only
        assert store.search_lines(stored.id, '"stripes"', Window.whole())
