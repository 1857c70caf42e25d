"""Dialogue sources are one registry: the text-subtitle source is registered like any other, and a new
kind (as speech recognition or OCR will be) is run by the indexer in rank order."""

from __future__ import annotations

from core import dialogue
from core.dialogue import DialogueSourceKind, ingest_dialogue
from core.media.probe import probe
from core.media.subtitles import DialogueLine, DialogueSource
from core.spoiler_window import Window
from core.store import fingerprint


def test_text_subtitles_are_a_registered_source():
    assert [k.name for k in dialogue.kinds()][:1] == ["subtitle"]


def test_a_new_source_kind_runs_after_the_preferred_ones(store, make_film):
    info = probe(make_film())
    film = store.ensure_film(fingerprint(info.path), info)
    seen_before = []

    def wanted(store_, film_, info_):
        seen_before.append(store_.dialogue_count(film_.id))  # text subtitles were stored first
        return True

    def ingest(store_, film_, info_):
        source = DialogueSource(name="test:speech", kind="asr", language="en")
        store_.replace_dialogue(film_.id, source, [DialogueLine(20.0, 21.0, "Heard, not read")])

    dialogue.register(DialogueSourceKind("test_speech", "speech (test)", 99, wanted, ingest=ingest))
    try:
        total = ingest_dialogue(store, film, info)
    finally:
        dialogue.sources._kinds.pop("test_speech")
    assert seen_before and seen_before[0] > 0
    texts = [line.text for line in store.lines_in_window(film.id, Window.whole())]
    assert "Heard, not read" not in texts and total == len(texts) + 1  # kept; answers read the subtitles
    assert {s["source"] for s in store.dialogue_sources(film.id)} >= {"test:speech"}
    store.choose_dialogue(film.id, "test:speech")  # the viewer picks the other source
    assert [line.text for line in store.lines_in_window(film.id, Window.whole())] == ["Heard, not read"]


def test_the_viewer_picks_the_source_answers_read(make_film, capsys, tmp_path):
    """`moviebuddy dialogue FILM --use SOURCE` picks a source, `--best` goes back; a source the film does
    not have is refused with the ones it has; `--subs` replaces the text subtitles with the file it names."""
    import json

    from core.cli import main
    from core.store import open_store

    film = make_film()
    assert main(["index", str(film), "--fps", "0.5"]) == 0
    with open_store() as store:
        (stored,) = store.films()
        heard = DialogueSource(name="asr:test", kind="asr", language="en")
        store.replace_dialogue(stored.id, heard, [DialogueLine(1.0, 2.0, "Heard, not read.")])
    capsys.readouterr()
    assert main(["dialogue", str(film), "--use", "asr:test"]) == 0
    assert "asr:test: recognised speech, en, 1 lines, answers use it, chosen" in capsys.readouterr().out
    assert main(["dialogue", str(film), "--best"]) == 0
    assert "embedded:1: text subtitles in the film, en, 3 lines, answers use it\n" in capsys.readouterr().out
    assert main(["dialogue", str(film), "--use", "asr:nothing"]) == 2
    assert "it has: asr:test, embedded:1" in capsys.readouterr().err

    other = tmp_path / "other.srt"
    other.write_text("1\n00:00:01,000 --> 00:00:02,000\nA line from another file.\n", encoding="utf-8")
    assert main(["index", str(film), "--subs", str(other)]) == 0
    capsys.readouterr()
    assert main(["dialogue", str(film), "--json"]) == 0
    sources = {s["source"]: s for s in json.loads(capsys.readouterr().out)}
    assert sources["sidecar:other.srt"]["used"] and sources["sidecar:other.srt"]["chosen"]
    assert sources["embedded:1"]["lines"] == 0 and sources["asr:test"]["lines"] == 1


def test_every_command_of_the_cli_is_reached_from_the_moviebuddy_command():
    from core.cli import COMMANDS
    from desktop.launch import CLI_COMMANDS

    assert set(COMMANDS) == CLI_COMMANDS


def test_subtitles_in_another_language_leave_the_speech_to_be_recognised(store, make_film):
    from core.dialogue import speech

    info = probe(make_film(speech=True, subtitle_track=False))
    film = store.ensure_film(fingerprint(info.path), info)
    assert info.has_audio and speech.wanted(store, film, info)
    french = DialogueSource(name="sidecar:film.fr.srt", kind="sidecar", language="fr")
    store.replace_dialogue(film.id, french, [DialogueLine(1.0, 2.0, "La chambre rouge.")])
    assert speech.wanted(store, film, info)  # the viewer reads English: the French file does not do
    english = DialogueSource(name="sidecar:film.en.srt", kind="sidecar", language="en")
    store.replace_dialogue(film.id, english, [DialogueLine(1.0, 2.0, "The red room.")])
    assert not speech.wanted(store, film, info)
