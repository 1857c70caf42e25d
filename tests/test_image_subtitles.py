"""Dialogue from image subtitles: the Popeye clips' DVD (VobSub) and Blu-ray (PGS) subtitle streams read by
OCR, without their sidecar SRT, compared with it line by line (times) and character by character."""

from __future__ import annotations

import difflib
import shutil

import pytest

from core.dialogue import image_subs
from core.events import CancelToken, Progress
from core.indexing import index_film, run
from core.media.probe import probe
from core.media.subtitles import read_sidecar
from core.spoiler_window import Window
from core.store import fingerprint
from tests.conftest import shared_clip
from tests.testkit.text_metrics import char_error_rate

# OCR loops over a film's subtitles: each test has a time limit of its own
pytestmark = [pytest.mark.media, pytest.mark.timeout(600)]


def alone(tmp_path, name: str):
    """The clip alone in a folder: its SRT is not beside it."""
    film = tmp_path / name
    shutil.copy(shared_clip(name), film)
    return film


def flat(text: str) -> str:
    return " ".join(text.replace("<i>", "").replace("</i>", "").split())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["popeye_1.mkv", "popeye_1_pgs.mkv", "popeye_2.mkv", "popeye_2_pgs.mkv"])
def test_image_subtitles_are_read_at_their_times(store, tmp_path, encoder, name, capsys):
    result = run(index_film(store, alone(tmp_path, name), encoder=encoder))
    sources = {s["kind"]: s for s in store.dialogue_sources(result.film.id)}
    assert sources["ocr_subtitle"]["used"] and sources["ocr_subtitle"]["language"] == "en"
    lines = store.lines_in_window(result.film.id, Window.whole())
    read = [line for line in lines if line.kind == "dialogue"]
    if name.startswith("popeye_1"):
        assert any("Sinbad the sailor" in line.text for line in read)
    reference = read_sidecar(shared_clip(name.split("_pgs")[0].removesuffix(".mkv") + ".en.srt"))
    matched = 0
    for line in read:  # each line read is at the time of the reference line it reads (a refrain: the nearest)
        alike = [r for r in reference if difflib.SequenceMatcher(None, flat(r.text), flat(line.text)).ratio() >= 0.6]
        if alike:
            matched += 1
            nearest = min(alike, key=lambda r: abs(r.start - line.start))
            assert abs(nearest.start - line.start) <= 1.0, (line, nearest)
    assert matched >= len(read) - 1 and len(read) >= len(reference) - 2
    # the character error rate over the lines both hold (the PGS files leave one SRT line out)
    kept = [r for r in reference if any(abs(r.start - line.start) <= 1.0 for line in read)]
    rate = char_error_rate(" ".join(flat(r.text) for r in kept), " ".join(flat(line.text) for line in read))
    with capsys.disabled():
        print(f"\n{name}: {len(read)} lines read, {len(reference)} in the SRT, character error rate {rate:.1%}")
    assert rate <= 0.05


def test_reading_goes_on_from_the_last_batch_stored(store, tmp_path, monkeypatch):
    """Cancelled after the first batch, a second run reads the rest: the same lines as one run."""
    monkeypatch.setattr(image_subs, "BATCH", 4)
    info = probe(alone(tmp_path, "popeye_1.mkv"))
    film = store.ensure_film(fingerprint(info.path), info)
    cancel = CancelToken()
    for event in image_subs.read(store, film, info, cancel):
        if isinstance(event, Progress) and event.done > 0:
            cancel.cancel()  # as a killed run: the first batch is stored
    first = [(line.start, line.text) for line in store.lines_in_window(film.id, Window.whole())]
    assert len(first) == 4 and image_subs.wanted(store, film, info)
    list(image_subs.read(store, film, info))
    resumed = [(line.start, line.text) for line in store.lines_in_window(film.id, Window.whole())]
    assert not image_subs.wanted(store, film, info)

    other = store.ensure_film("another", info)  # the same film read in one go
    list(image_subs.read(store, other, info))
    assert resumed == [(line.start, line.text) for line in store.lines_in_window(other.id, Window.whole())]
    assert resumed[:4] == first and len(resumed) == 14


def test_text_subtitles_win_and_image_ones_are_read_when_asked(store, tmp_path, encoder):
    """With its SRT beside it the clip answers from the SRT; `--ocr` reads the image subtitles too, kept
    beside it, and the viewer may pick them."""
    film = alone(tmp_path, "popeye_1.mkv")
    shutil.copy(shared_clip("popeye_1.en.srt"), tmp_path / "popeye_1.en.srt")
    result = run(index_film(store, film, encoder=encoder, fps=0.5))
    assert {s["kind"] for s in store.dialogue_sources(result.film.id)} == {"sidecar", "image", "screen_text"}
    result = run(index_film(store, film, encoder=encoder, fps=0.5, also=("ocr_subtitle",)))
    sources = {s["kind"]: s for s in store.dialogue_sources(result.film.id)}
    assert sources["sidecar"]["used"] and not sources["ocr_subtitle"]["used"] and sources["ocr_subtitle"]["lines"]
    store.choose_dialogue(result.film.id, sources["ocr_subtitle"]["source"])
    used = {s["kind"] for s in store.dialogue_sources(result.film.id) if s["used"]}
    assert used == {"ocr_subtitle", "screen_text"}


@pytest.mark.slow
def test_a_film_with_only_image_subtitles_answers_from_them(tmp_path, capsys):
    import json

    from core.cli import main

    film = alone(tmp_path, "popeye_1.mkv")
    assert main(["index", str(film), "--fps", "0.5"]) == 0
    capsys.readouterr()
    assert main(["ask", str(film), "What does Sinbad say about women?", "--new", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "fall for me" in answer["answer"]
    assert any(abs(t - 40.07) <= 5 for t in answer["citations"]), answer  # the moment around 0:40
