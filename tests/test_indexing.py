"""Indexing end to end: frames, dialogue, scenes; idempotent, resumable, cancellable, kill-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from core.errors import UnusableMedia
from core.events import CancelToken, Done, Progress
from core.indexing import index_film, run
from core.spoiler_window import Window
from core.store import open_store
from tests.conftest import shared_clip


def test_index_a_small_film(store, make_film, encoder):
    film = make_film()
    events = list(index_film(store, film, encoder=encoder))
    assert any(isinstance(e, Progress) and e.stage == "frames" for e in events)
    result = events[-1].result
    assert isinstance(events[-1], Done) and result.complete
    assert result.frames == 12 and result.added == 12
    assert result.dialogue_lines == 3
    assert result.bytes_per_frame <= 16 * 1024
    scenes = store.scenes(result.film.id)
    assert [round(s["start"]) for s in scenes] == [0, 4, 8]  # the three shots
    assert "red" in scenes[0]["tags"] and "green" in scenes[1]["tags"] and "blue" in scenes[2]["tags"]


def test_running_twice_adds_nothing(store, make_film, encoder):
    film = make_film()
    first = run(index_film(store, film, encoder=encoder))
    second = run(index_film(store, film, encoder=encoder))
    assert second.added == 0 and second.frames == first.frames and second.dialogue_lines == first.dialogue_lines


def test_renamed_film_keeps_its_index(store, make_film, encoder, tmp_path):
    film = make_film()
    first = run(index_film(store, film, encoder=encoder))
    moved = tmp_path / "moved" / "Renamed Film.mkv"
    moved.parent.mkdir()
    film.rename(moved)
    again = run(index_film(store, moved, encoder=encoder))
    assert again.film.id == first.film.id and again.added == 0
    assert store.film(first.film.id).path == str(moved.resolve())


def test_cancel_then_resume_gives_the_same_frames(isolated_home, make_film, encoder, tmp_path):
    film = make_film(seconds_per_shot=10)
    with open_store(tmp_path / "reference") as ref:
        expected = ref.frame_times(run(index_film(ref, film, encoder=encoder, batch_size=4)).film.id, encoder.id)
    with open_store(isolated_home) as store:
        cancel = CancelToken()
        job = index_film(store, film, encoder=encoder, batch_size=4, cancel=cancel)
        for event in job:
            if isinstance(event, Progress) and event.stage == "frames" and event.done >= 8:
                cancel.cancel()
            if isinstance(event, Done):
                assert not event.complete
                partial = event.result.frames
        assert 8 <= partial < len(expected)
        resumed = run(index_film(store, film, encoder=encoder, batch_size=4))
        assert resumed.complete and resumed.added == len(expected) - partial
        assert store.frame_times(resumed.film.id, encoder.id) == expected


@pytest.mark.slow  # a whole worker process over a longer film: run by make test, not test-fast
def test_killed_process_resumes_with_the_same_frames(isolated_home, make_film, encoder, tmp_path):
    film = make_film(seconds_per_shot=15)
    with open_store(tmp_path / "reference") as ref:
        expected = ref.frame_times(run(index_film(ref, film, encoder=encoder, fps=2)).film.id, encoder.id)
    env = dict(os.environ, MOVIEBUDDY_HOME=str(isolated_home))
    cmd = [sys.executable, "-m", "core", "index", str(film), "--fps", "2", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open_store(isolated_home) as reader:
        deadline = time.time() + 120
        while time.time() < deadline:
            row = reader.conn.execute("SELECT count(*) FROM frames").fetchone()[0]
            if row >= 16 or proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = reader.conn.execute("SELECT count(*) FROM frames").fetchone()[0]
    assert 16 <= stored < len(expected), "the kill should land mid-way"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with open_store(isolated_home) as store:
        film_id = store.films()[0].id
        assert store.frame_times(film_id, encoder.id) == expected
        assert store.latest_progress(film_id)["complete"] == 1


def test_truncated_film_keeps_what_was_indexed(store, make_film, encoder, tmp_path):
    whole = make_film(seconds_per_shot=10)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(UnusableMedia, match="truncated"):
        run(index_film(store, cut, encoder=encoder, batch_size=4))
    film = store.films()[0]
    assert store.frame_count(film.id) >= 4
    progress = store.latest_progress(film.id)
    assert not progress["complete"] and "truncated" in progress["last_error"]


def test_sidecar_beats_embedded_and_explicit_subs_win(store, make_film, encoder, tmp_path):
    film = make_film()
    (film.parent / f"{film.stem}.en.srt").write_text("1\n00:00:02,000 --> 00:00:03,000\nFrom the sidecar\n")
    result = run(index_film(store, film, encoder=encoder))
    assert [l.text for l in store.lines_in_window(result.film.id, Window.whole())] == ["From the sidecar"]
    other = tmp_path / "mine.srt"
    other.write_text("1\n00:00:05,000 --> 00:00:06,000\nMy own subtitles\n")
    run(index_film(store, film, encoder=encoder, subs=other))
    texts = [l.text for l in store.lines_in_window(result.film.id, Window.whole())]
    assert "My own subtitles" in texts


def test_a_broken_sidecar_is_skipped_for_the_embedded_track(store, make_film, encoder):
    film = make_film()
    (film.parent / f"{film.stem}.srt").write_text("garbage without any timing")
    result = run(index_film(store, film, encoder=encoder))
    assert result.dialogue_lines == 3


@pytest.mark.media
def test_real_clip_popeye(store, encoder):
    result = run(index_film(store, shared_clip("popeye_1.mkv"), encoder=encoder))
    assert result.frames == 60 and result.dialogue_lines == 14
    sources = {s["source"]: s for s in store.dialogue_sources(result.film.id)}
    assert sources["image:1"]["lines"] == 0 and sources["sidecar:popeye_1.en.srt"]["lines"] == 14
    assert len(store.scenes(result.film.id)) >= 3


def test_playhead_first_gives_the_same_frames_as_start_to_end(isolated_home, make_film, encoder, tmp_path):
    film = make_film(seconds_per_shot=20)  # 60 s
    with open_store(tmp_path / "reference") as ref:
        expected = ref.frame_times(run(index_film(ref, film, encoder=encoder, batch_size=4)).film.id, encoder.id)
    with open_store(isolated_home) as store:
        first_frames = []
        for event in index_film(store, film, encoder=encoder, batch_size=4, playhead=lambda: 45.0):
            if isinstance(event, Progress) and event.stage == "frames" and not first_frames:
                first_frames = list(event.covered)
            if isinstance(event, Done):
                result = event.result
        assert result.complete and store.frame_times(result.film.id, encoder.id) == expected
        assert first_frames == [(15.0, pytest.approx(19.0, abs=0.2))]  # from 30 s before the playhead
        progress = store.progress(result.film.id, encoder.id, 1.0)
        assert progress["indexed_until_s"] == pytest.approx(60.0, abs=0.5)


def test_indexing_follows_the_viewer_who_jumps_ahead(isolated_home, make_film, encoder, tmp_path):
    film = make_film(seconds_per_shot=40, lines=())  # 2 minutes, no dialogue
    playhead = [0.0]
    order = []
    cancel = CancelToken()
    with open_store(isolated_home) as store:
        for event in index_film(
            store, film, encoder=encoder, batch_size=4, playhead=lambda: playhead[0], cancel=cancel
        ):
            if isinstance(event, Progress) and event.stage == "frames" and event.covered:
                order.append(event.covered)
                if len(order) == 2:
                    playhead[0] = 100.0  # the viewer jumps from the start to 1:40
                if any(a <= 100.0 <= b for a, b in event.covered):
                    cancel.cancel()  # the part being watched is covered: enough
            if isinstance(event, Done):
                result = event.result
        assert not result.complete
        covered = store.covered(result.film.id, encoder.id, 1.0)
        holes = [(a, b) for a, b in zip([c[1] for c in covered], [c[0] for c in covered[1:]])]
        assert holes, "the index should have a hole between the start and the jump"
        assert any(a <= 100.0 <= b for a, b in covered)
        assert covered[0][1] < 40  # it did not finish the start before following the viewer
        resumed = run(index_film(store, film, encoder=encoder, batch_size=4))
        assert resumed.complete and resumed.frames == 120
