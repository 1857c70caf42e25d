"""The evaluation set is well formed, and its runner works end to end on a small subset (the whole set is
run by hand: python eval/run.py)."""

from __future__ import annotations

import json

import pytest

from eval import run as evaluation

TYPES = {"who", "what", "where", "when", "why", "said", "seen", "count", "just_happened", "absent"}


def test_every_film_and_question_is_well_formed():
    films = evaluation.load_films()
    assert len(films) >= 12 and sum(len(f["questions"]) for f in films) >= 250
    assert {f["split"] for f in films} == {"tune", "test"}
    ids = [q["id"] for f in films for q in f["questions"]]
    assert len(ids) == len(set(ids))
    for film in films:
        assert film["source"] and film["licence"]
        if film["media"] == "generated":
            assert (evaluation.FILMS / film["subtitles"]).is_file()
        for q in film["questions"]:
            assert q["type"] in TYPES and q["q"].strip()
            assert (
                q["answer_at"] is None
                or q["answer_at"] == "any"
                or (isinstance(q["answer_at"], list) and all(isinstance(t, (int, float)) for t in q["answer_at"]))
            )
    absent = sum(q["answer_at"] is None for f in films for q in f["questions"])
    assert absent >= 0.2 * len(ids)


@pytest.mark.slow
@pytest.mark.media
def test_the_runner_on_two_clips(tmp_path, monkeypatch, capsys):
    from tests.conftest import shared_clip

    shared_clip("popeye_1.mkv")
    monkeypatch.setattr(evaluation, "OUT", tmp_path / "out")
    results = tmp_path / "results.json"
    assert evaluation.main(["--films", "popeye_1,popeye_2", "--json", str(results)]) == 0
    printed = capsys.readouterr().out
    assert "**test half**" in printed and "**tune half**" in printed
    outcomes = json.loads(results.read_text())
    assert len(outcomes) == sum(len(f["questions"]) for f in evaluation.load_films({"popeye_1", "popeye_2"}))
    assert not any(o["leak"] for o in outcomes)  # nothing outside a spoiler window is ever cited
    assert sum(o["right"] for o in outcomes if o["answerable"]) >= 5
