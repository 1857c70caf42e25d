"""The status bar's words for each stage of indexing, speech recognition included."""

from __future__ import annotations

from core.events import Progress
from desktop.index_status import progress_text


def test_each_stage_says_what_it_does():
    assert progress_text(Progress("frames", 60, 600)) == "Indexing the picture: 1:00 of 10:00"
    assert (
        progress_text(Progress("speech", 120, 600, message="recognising speech")) == "Recognising speech: 2:00 of 10:00"
    )
    assert progress_text(Progress("scenes", 600, 600)) == "Finding the scenes…"
    assert progress_text(Progress("dialogue", 0, 600, message="reading dialogue")) == "Reading the dialogue…"
    assert (
        progress_text(Progress("image subtitles", 60, 600, message="reading subtitles"))
        == "Reading subtitles: 1:00 of 10:00"
    )
    assert (
        progress_text(Progress("screen text", 300, 600, message="reading on-screen text"))
        == "Reading on-screen text: 5:00 of 10:00"
    )


def test_the_status_bar_shows_a_slow_source_with_its_share(qtbot):
    from desktop.index_status import IndexStatus

    status = IndexStatus()
    qtbot.addWidget(status)
    status.set_running()
    status.show_progress(Progress("speech", 240, 600, message="recognising speech"))
    assert status.label.text() == "Recognising speech: 4:00 of 10:00" and status.bar.value() == 400
    status.pause_button.setChecked(True)
    status.show_progress(Progress("screen text", 300, 600, message="reading on-screen text"))
    assert status.label.text() == "Reading on-screen text: 5:00 of 10:00 (paused)"
