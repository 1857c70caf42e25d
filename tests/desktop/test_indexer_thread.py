"""The indexing QThread: progress signals, finishing, cancel and resume, failures as one line."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop.indexer import IndexerThread


def test_indexes_in_the_background_and_reports(qtbot, make_film, isolated_home):
    thread = IndexerThread(make_film(), home=isolated_home)
    progress = []
    thread.progress.connect(progress.append)
    with qtbot.waitSignal(thread.finished_index, timeout=300_000) as done:
        thread.start()
    thread.wait(10_000)
    assert done.args[0].complete and done.args[0].frames == 12
    assert any(p.stage == "frames" for p in progress)


def test_the_librarys_worker_takes_the_whole_machine(qtbot, make_film, isolated_home):
    """The library's queue (paused while a film plays) runs its worker with every core: same index."""
    thread = IndexerThread(make_film(), home=isolated_home, whole_machine=True)
    assert "--whole-machine" in thread.command()
    assert "--whole-machine" not in IndexerThread(make_film(), home=isolated_home).command()
    with qtbot.waitSignal(thread.finished_index, timeout=300_000) as done:
        thread.start()
    thread.wait(10_000)
    assert done.args[0].complete and done.args[0].frames == 12


@pytest.mark.slow  # a whole worker process over a longer film: run by make test, not test-fast
def test_pause_cancel_then_resume_next_time(qtbot, make_film, isolated_home):
    film = make_film(seconds_per_shot=60)  # 180 frames: far more than the batch it may finish first
    thread = IndexerThread(film, home=isolated_home)
    try:
        with qtbot.waitSignal(thread.progress, timeout=180_000, check_params_cb=lambda p: p.stage == "frames"):
            thread.start()
        thread.pause()  # holds between batches
        assert thread.paused
        with qtbot.waitSignal(thread.finished_index, timeout=180_000) as stopped:
            thread.cancel()
    finally:
        thread.cancel()
        thread.wait(30_000)
    assert not stopped.args[0].complete and 0 < stopped.args[0].frames < 180
    again = IndexerThread(film, home=isolated_home)
    with qtbot.waitSignal(again.finished_index, timeout=300_000) as done:
        again.start()
    again.wait(10_000)
    assert done.args[0].complete and done.args[0].frames == 180


def test_a_broken_file_is_reported_in_one_line(qtbot, tmp_path, isolated_home):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a film" * 100)
    thread = IndexerThread(bad, home=isolated_home)
    with qtbot.waitSignal(thread.failed, timeout=30_000) as failed:
        thread.start()
    thread.wait(10_000)
    assert "broken.mp4" in failed.args[0] and "\n" not in failed.args[0]


@pytest.mark.slow  # a whole worker process: run by make test, not test-fast
def test_a_thread_left_running_is_noticed(qtbot, make_film, isolated_home):
    from desktop.threads import running_threads

    thread = IndexerThread(make_film(seconds_per_shot=60), home=isolated_home)
    with qtbot.waitSignal(thread.progress, timeout=180_000):
        thread.start()
    assert thread in running_threads()
    thread.cancel()
    thread.wait(30_000)
    assert thread not in running_threads()
