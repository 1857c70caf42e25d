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
    assert "Heard, not read" in texts and total == len(texts)
    assert {s["source"] for s in store.dialogue_sources(film.id)} >= {"test:speech"}
