"""The library: scanning folders with decoys, films known by content when moved, the analysis queue
(order, cancel, a failing film, restarts) and search across films."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from core.events import Done
from core.indexing import index_film, run
from core.library import analysis, catalog, scan
from core.library.search import LibrarySearch
from core.media.writer import Line


def run_scan(store, folders=None) -> scan.ScanReport:
    report = run(scan.scan(store, folders))
    assert isinstance(report, scan.ScanReport)
    return report


def audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=16000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 16000), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


@pytest.fixture
def tree(tmp_path, make_film):
    """A library folder with one film, a sample of it, and decoys."""
    root = tmp_path / "lib"
    (root / "Good Film (2019)").mkdir(parents=True)
    film = make_film("lib/Good Film (2019)/Good.Film.2019.1080p.BluRay.x264-GRP.mkv")
    (root / "Good Film (2019)" / "Sample").mkdir()
    shutil.copy(film, root / "Good Film (2019)" / "Sample" / "good.film.2019.sample.mkv")
    (root / "notes.mkv").write_text("not a film at all\n")
    (root / "empty.mp4").write_bytes(b"")
    audio_only(root / "song.mp4")
    (root / "Good Film (2019)" / "loop").symlink_to(root, target_is_directory=True)
    return root, film


def test_a_scan_lists_films_and_says_why_decoys_are_not(store, tree):
    root, film = tree
    folder = scan.add_folder(store, root)
    report = run_scan(store)
    assert (report.films, report.extras, report.new) == (1, 1, 5)
    skipped = {Path(p).name: why for p, why in report.skipped}
    assert skipped["empty.mp4"] == "an empty file"
    assert "no video stream" in skipped["song.mp4"] and "notes.mkv" in skipped
    assert any("link back" in why for _, why in report.problems)  # the loop is walked once
    (entry,) = catalog.entries(store, include_extras=False)
    assert (entry.title, entry.year, entry.status, entry.kind) == ("Good Film", 2019, "new", "film")
    assert entry.path == str(film) and entry.duration_s == pytest.approx(12, abs=0.5)
    sample = [e for e in catalog.entries(store) if e.kind != "film"]
    assert [e.kind for e in sample] == ["sample"]
    again = run_scan(store)  # nothing changed: nothing is read again
    assert (again.new, again.changed, again.unchanged, again.removed) == (0, 0, 5, 0)
    assert store.library_folders() == [folder]


def deep_folder(root: Path, levels: int = 20) -> Path:
    """A folder whose path is longer than the system allows (PATH_MAX): it exists but cannot be opened
    by its name, as happens with deeply nested copies (made level by level with relative names)."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d" * 250, dir_fd=fd)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return root / ("d" * 250)


def test_a_folder_that_cannot_be_read_is_reported_and_the_rest_scanned(tmp_path, make_film):
    root = tmp_path / "library"
    root.mkdir()
    (root / "open").mkdir()
    shutil.copy(make_film(), root / "open" / "film.mkv")
    deep_folder(root)
    if os.geteuid() != 0:  # permissions do not stop root
        (root / "closed").mkdir()
        os.chmod(root / "closed", 0)
    problems: list[tuple[str, str]] = []
    try:
        found = [p for p, _ in scan.video_files(root, problems)]
    finally:
        if (root / "closed").exists():
            os.chmod(root / "closed", 0o755)
        shutil.rmtree(root / ("d" * 250), ignore_errors=True)
    assert found == [root / "open" / "film.mkv"]
    reasons = {why for _, why in problems}
    assert "File name too long" in reasons and len(problems) == (1 if os.geteuid() == 0 else 2)
    assert os.geteuid() == 0 or "Permission denied" in reasons


def test_a_moved_film_keeps_its_index_and_its_place_in_the_queue(store, tree, encoder):
    root, film = tree
    scan.add_folder(store, root)
    run_scan(store)
    run(index_film(store, film, encoder=encoder))
    store.enqueue([str(film)])
    moved = root / "Good Film (2019)" / "Good Film.mkv"
    film.rename(moved)
    report = run_scan(store)
    assert (report.moved, report.removed) == (1, 0)
    (entry,) = catalog.entries(store, include_extras=False)
    assert entry.path == str(moved) and entry.status == "analysed" and entry.progress == 1.0
    assert [i.path for i in store.queue_items()] == [str(moved)]


@pytest.mark.timeout(600)  # the queue provably ends: each film is analysed at most once per run
def test_the_queue_runs_in_order_skips_cancelled_and_goes_on_after_a_failure(store, tmp_path, make_film):
    first = make_film("first.mkv")
    second = make_film("second.mkv")
    doomed = make_film("doomed.mkv")
    dropped = make_film("dropped.mkv")
    queued, skipped = analysis.analyze(store, [first, second, doomed, dropped, tmp_path / "missing.mkv"])
    assert queued == [str(first), str(second), str(doomed), str(dropped)]
    assert skipped == [(str(tmp_path / "missing.mkv"), "no such file or folder")]
    store.move_in_queue(str(second), 0)
    store.move_in_queue(str(doomed), 1)  # second, doomed, first, dropped
    assert [Path(i.path).name for i in store.queue_items()] == ["second.mkv", "doomed.mkv", "first.mkv", "dropped.mkv"]
    store.set_queue_state(str(dropped), "cancelled")
    doomed.write_bytes(b"gone bad")  # it broke after it was queued
    store.set_queue_state(str(first), "analysing")  # as a killed run leaves it: it waits again
    order = []
    for event in analysis.run_queue(store):
        if isinstance(event, Done):
            result = event.result
        elif not order or not event.message.startswith(order[-1]):
            order.append(event.message.split(":")[0])
    assert order == ["second.mkv", "first.mkv"]  # doomed failed before it could start: the queue went on
    assert (result.analysed, result.failed, result.stopped) == (2, 1, False)
    states = {Path(i.path).name: (i.state, i.problem) for i in store.queue_items()}
    assert states["first.mkv"] == ("done", None) and states["second.mkv"] == ("done", None)
    assert states["doomed.mkv"][0] == "failed" and "doomed.mkv" in states["doomed.mkv"][1]
    assert states["dropped.mkv"] == ("cancelled", None)
    assert store.frame_count(store.library_file(str(first)).film_id) == 12


def test_a_paused_queue_analyses_nothing(store, make_film):
    film = make_film()
    analysis.analyze(store, [film])
    analysis.set_paused(store, True)
    result = run(analysis.run_queue(store))
    assert (result.analysed, result.stopped) == (0, True)
    analysis.set_paused(store, False)
    assert analysis.next_film(store) == str(film)


def test_search_finds_what_is_said_and_seen_in_the_right_film(store, make_film, encoder, tmp_path):
    sea = make_film(
        "sea.mkv",
        lines=[Line(1.0, "The storm wrecked our little boat."), Line(6.0, "Row to the lighthouse before dark.")],
    )
    cake = make_film(
        "cake.mkv",
        shots=(((230, 220, 40), "circle"),) * 3,
        lines=[Line(1.0, "Grandmother baked a lemon cake."), Line(6.0, "Save a slice for the vicar.")],
    )
    for film in (sea, cake):
        analysis.analyze(store, [film])
        run(index_film(store, film, encoder=encoder))
    search = LibrarySearch(store)
    said = search.search("the ship sank in bad weather")
    assert said[0].path == str(sea) and said[0].t == pytest.approx(1.0) and said[0].kind == "dialogue"
    assert search.search("vicar")[0].path == str(cake)
    seen = [h for h in search.search("something yellow") if h.kind == "seen"]
    assert seen and {h.path for h in seen} == {str(cake)}
    store.add_watched(store.library_file(str(sea)).film_id, [(0.0, 3.0)])
    spoiler_free = search.search("lighthouse", spoiler_free=True)
    assert spoiler_free and all(not (h.path == str(sea) and h.t > 3.0) for h in spoiler_free)
    assert search.search("lighthouse")[0].t == pytest.approx(6.0)
