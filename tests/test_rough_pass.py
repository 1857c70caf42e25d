"""The rough first pass (core/rough_pass.py): a long film's key frames make all of it searchable first; the
full pass then replaces them part by part and ends with exactly the frames of a full pass alone. Answers
from a part seen only roughly say so, and spoiler windows hold there too."""

from __future__ import annotations

import numpy as np
import pytest

from core import rough_pass
from core.answering import Answer, answer_question
from core.errors import UnusableMedia
from core.events import CancelToken, Progress
from core.film_state import film_state
from core.indexing import index_film, run
from core.retrieval import Retriever
from core.spoiler_window import Window
from core.store import open_store
from core.store.films import ROUGH
from core.text_embed import default_embedder
from tests.testkit.long_films import stored_frames as frames_of

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
FPS = 0.2  # the full pass: a frame every 5 s keeps the test short


def index_until_rough_done(store, film, encoder):
    """Index until the rough pass is done and the full pass has stored its first batch, then stop."""
    cancel = CancelToken()
    stages = []
    for event in index_film(store, film, encoder=encoder, fps=FPS, cancel=cancel, batch_size=8):
        if isinstance(event, Progress):
            stages.append(event.stage)
            if event.stage == "frames":
                cancel.cancel()
    return stages


def test_rough_then_full_ends_with_exactly_the_frames_of_a_full_pass(long_film, encoder, tmp_path):
    with open_store(tmp_path / "full") as store:
        run(index_film(store, long_film, encoder=encoder, fps=FPS, rough=False))
    with open_store(tmp_path / "both") as store:
        stages = index_until_rough_done(store, long_film, encoder)
        assert stages.index("keyframes") < stages.index("frames")
        middle = frames_of(tmp_path / "both")
        result = run(index_film(store, long_film, encoder=encoder, fps=FPS))
        assert result.complete
    rough_times = [t for t, _, _, rough in middle if rough]
    assert len(rough_times) >= 12 and max(rough_times) > 600  # key frames across the whole film
    full, both = frames_of(tmp_path / "full"), frames_of(tmp_path / "both")
    assert [r[0] for r in both] == [r[0] for r in full]
    assert not [r for r in both if r[3]]  # no rough frame left
    # the same tokens (up to the last float16 bits: the encoder's sums vary with how frames are batched)
    for column in (1, 2):
        tokens = [np.stack([np.frombuffer(r[column], "<f2").astype(np.float32) for r in rows]) for rows in (both, full)]
        np.testing.assert_allclose(*tokens, rtol=2e-2, atol=2e-2)


def test_a_film_indexed_roughly_is_searchable_everywhere_and_says_so(long_film, encoder, store):
    stages = index_until_rough_done(store, long_film, encoder)
    assert "keyframes" in stages
    (film,) = store.films()
    state = film_state(store, film)
    assert not state.complete
    assert state.indexed and state.indexed[0][0] == 0.0 and state.indexed[-1][1] >= film.duration_s - 15
    assert state.indexed_roughly and sum(b - a for a, b in state.indexed_roughly) > 600
    assert "roughly" in state.summary()
    assert state.status_json()["indexed_roughly"]
    assert store.progress(film.id, encoder.id, ROUGH)["complete"]

    retriever = Retriever(store, encoder, default_embedder())
    late = Window.whole()
    answer = [e for e in answer_question(retriever, film, "What happens near the end?", late) if isinstance(e, Answer)]
    assert "indexed roughly" in answer[0].note

    until = Window.until(200.0)  # spoiler-free: nothing after 3:20, rough frames included
    frames = retriever._frames(film.id, until)
    assert len(frames.times) and max(frames.times) <= 200.0
    asked = [e for e in answer_question(retriever, film, "Is there a red circle?", until) if isinstance(e, Answer)]
    assert all(t <= 200.0 for t in asked[0].citations)


def test_a_stopped_rough_pass_goes_on_where_it_stopped(long_film, encoder, store, monkeypatch):
    cancel, seen = CancelToken(), 0
    for event in index_film(store, long_film, encoder=encoder, fps=FPS, cancel=cancel, batch_size=4):
        if isinstance(event, Progress) and event.stage == "keyframes":
            seen += 1
            if seen == 2:
                cancel.cancel()
    (film,) = store.films()
    halfway = store.rough_covered(film.id, encoder.id)
    assert halfway and not store.progress(film.id, encoder.id, ROUGH)["complete"]
    assert halfway[-1][1] < film.duration_s - 60
    result = run(index_film(store, long_film, encoder=encoder, fps=FPS))
    assert result.complete and not [f for f in frames_of(store.home) if f[3]]


def test_short_films_and_sparse_indexes_get_no_rough_pass(make_film, long_film, encoder, store):
    events = list(index_film(store, make_film(), encoder=encoder))
    assert not [e for e in events if isinstance(e, Progress) and e.stage == "keyframes"]
    assert rough_pass.MIN_FILM_S >= 300
    sparse = list(index_film(store, long_film, encoder=encoder, fps=0.1))  # a frame every 10 s: coarse itself
    assert not [e for e in sparse if isinstance(e, Progress) and e.stage == "keyframes"]


def test_a_film_with_one_key_frame_gets_no_rough_pass(long_film, encoder, store, tmp_path):
    """Key frames minutes apart: the rough pass would decode nearly all the full pass decodes."""
    from core.media.probe import probe
    from tests.test_keyframes import write_film

    one = write_film(tmp_path / "one key frame.mp4", 720, gop=10**5)  # 12 minutes
    assert not rough_pass.key_frames_close(probe(one)) and rough_pass.key_frames_close(probe(long_film))
    events = list(index_film(store, one, encoder=encoder, fps=FPS))
    assert not [e for e in events if isinstance(e, Progress) and e.stage == "keyframes"]
    assert events[-1].result.complete


def test_a_truncated_long_film_keeps_what_both_passes_read(long_film, encoder, store, tmp_path):
    """The rough pass meets the damage first: it keeps what it read and lets the full pass index up to the
    cut and report it, as for any truncated film (it used to end indexing with nothing but key frames)."""
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(long_film.read_bytes()[: long_film.stat().st_size // 2])
    with pytest.raises(UnusableMedia, match=r"^cut\.mkv: "):
        run(index_film(store, cut, encoder=encoder, fps=FPS))
    (film,) = store.films()
    state = film_state(store, film)
    assert state.problem and "cut.mkv" in state.problem and not state.complete
    times = store.frame_times(film.id, encoder.id)
    assert len(times) >= 50 and max(times) > 200  # the full pass's frames up to the cut (about 6 min)
    assert state.scenes >= 2
    assert store.progress(film.id, encoder.id, ROUGH)["complete"]  # not tried again on the next run
    # and the parts seen roughly stop where the picture stops, not at the film's stated end
    assert all(b < film.duration_s * 0.6 for _, b in store.rough_covered(film.id, encoder.id))
