"""Dialogue from speech for a film without subtitles: the read-aloud clip recognised offline, with its
language, resumable chunk by chunk, and its word error rate against the clip's transcript printed."""

from __future__ import annotations

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
from tests.testkit.text_metrics import word_error_rate
from tests.testkit.text_metrics import words as text_words

# recognition loops over a film's sound: each test has a time limit of its own
pytestmark = [pytest.mark.slow, pytest.mark.media, pytest.mark.timeout(600)]


def words(text: str) -> list[str]:
    """The shared tokens, with the transcript's British spelling of one word the recogniser spells the
    American way."""
    return text_words(text.lower().replace("specter", "spectre"))


@pytest.fixture
def manifesto(tmp_path):
    """The clip alone in a folder: no subtitle file beside it."""
    film = tmp_path / "manifesto.mp4"
    shutil.copy(shared_clip("manifesto.mp4"), film)
    return film


def test_a_film_without_subtitles_gets_its_dialogue_from_speech(store, manifesto, encoder, capsys):
    result = run(index_film(store, manifesto, encoder=encoder))
    (source,) = [s for s in store.dialogue_sources(result.film.id) if s["kind"] != "screen_text"]
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
    assert set(kinds) == {"embedded", "asr", "screen_text"} and kinds["asr"] > 0
    with open_store() as store:
        (stored,) = store.films()
        used = store.lines_in_window(stored.id, Window.whole())
        assert len(used) == kinds["embedded"]  # the subtitles only
        assert store.search_lines(stored.id, '"stripes"', Window.whole())


def test_a_killed_recognition_resumes_with_the_same_lines(isolated_home, manifesto, tmp_path):
    """`moviebuddy index` killed (SIGKILL) after its first chunk of speech is stored: run again, it goes on
    from there and ends with the lines of an uninterrupted run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from core.store import open_store

    code = (
        "import sys; from core.dialogue import speech; speech.CHUNK_S = 30.0; from core.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    cmd = [sys.executable, "-c", code, "index", str(manifesto), "--fps", "0.25"]

    def heard(home) -> list[tuple[float, str]]:
        with open_store(home) as store:
            (film,) = store.films()
            lines = store.lines_in_window(film.id, Window.whole())
        return [(round(line.start, 1), line.text) for line in lines if line.kind == "dialogue"]

    # the uninterrupted run, in a process like the killed one (Whisper's int8 arithmetic may differ by a
    # letter between processes that loaded other libraries first)
    reference = dict(os.environ, MOVIEBUDDY_HOME=str(tmp_path / "reference"))
    assert subprocess.run(cmd, env=reference, capture_output=True, timeout=600).returncode == 0
    expected = heard(tmp_path / "reference")
    env = dict(os.environ, MOVIEBUDDY_HOME=str(isolated_home))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open_store(isolated_home) as reader:
        deadline = time.time() + 300
        done = None
        while time.time() < deadline and proc.poll() is None:
            done = reader.conn.execute("SELECT max(done_s) FROM dialogue_progress").fetchone()[0]
            if done is not None and done >= 30.0:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = reader.conn.execute("SELECT max(done_s) FROM dialogue_progress").fetchone()[0]
    assert stored is not None and 30.0 <= stored < 88.0, "the kill should land mid-way"
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert heard(isolated_home) == expected and len(expected) > 5


def test_the_sample_films_speech_is_recognised_and_its_title_cards_read(store, encoder, tmp_path):
    from core.sample import TITLE, ensure_sample

    path = ensure_sample(tmp_path / "sample.mkv")
    result = run(index_film(store, path, encoder=encoder, also=("asr",)))
    assert result.complete
    sources = {s["kind"]: s for s in store.dialogue_sources(result.film.id)}
    assert sources["asr"]["language"] == "en" and sources["asr"]["lines"] >= 15 and not sources["asr"]["used"]
    store.choose_dialogue(result.film.id, speech.SOURCE)
    lines = store.lines_in_window(result.film.id, Window.whole())
    heard = " ".join(line.text for line in lines if line.kind == "dialogue").lower()
    assert all(word in heard for word in ("commander", "chelsea", "espresso", "newspaper"))
    victor = next(line for line in lines if "victor takes" in line.text.lower())
    assert abs(victor.start - 55) <= 1.5  # "A photographer named Victor takes her picture..." at 0:55
    on_screen = [line for line in lines if line.kind == "screen_text"]
    assert on_screen[0].text.splitlines()[0] == TITLE and on_screen[0].start < 6
    assert on_screen[-1].text.startswith("The End") and on_screen[-1].start > 140


def test_a_film_without_subtitles_answers_from_what_was_said(manifesto, capsys):
    """ "What did they say about London?" on the clip alone: answered from its recognised speech, citing
    the moment it is said."""
    import json

    from core.cli import main

    assert main(["index", str(manifesto), "--fps", "0.5"]) == 0
    capsys.readouterr()
    assert main(["ask", str(manifesto), "What did they say about London?", "--new", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "london" in answer["answer"].lower()
    assert any(70 <= t <= 88 for t in answer["citations"]), answer
