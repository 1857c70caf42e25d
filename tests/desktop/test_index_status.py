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
