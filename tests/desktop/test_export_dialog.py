"""Exporting a summary from the app: the dialog writes HTML and a PDF whose text can be extracted, with
progress, and a watched-so-far export holds nothing after the boundary."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from core.indexing import index_film, run
from core.media.writer import Line
from core.store import open_store
from desktop.export_dialog import ExportDialog


@pytest.fixture
def indexed(make_film, isolated_home, encoder):
    path = make_film(
        "Night.Watch.1955.mkv",
        lines=[
            Line(0.5, "The lamp is lit early: I <3 the marsh & the moor."),
            Line(8.5, "Nobody comes back from the marsh."),
        ],
    )
    with open_store(isolated_home) as store:
        run(index_film(store, path, encoder=encoder))
        film_id = store.films()[0].id
        store.add_watched(film_id, [(0.0, 4.0)])
    return path


def export(qtbot, isolated_home, path, fmt_label: str, out, watched_only=False) -> str:
    with open_store(isolated_home) as store:
        dialog = ExportDialog(store, str(path))
        qtbot.addWidget(dialog)
        dialog.format.setCurrentText(fmt_label)
        dialog.destination.setText(str(out))
        dialog.watched_only.setChecked(watched_only)
        dialog.start()
        with qtbot.waitSignal(dialog.job.finished, timeout=180_000):
            pass
        assert not dialog.open_button.isHidden()  # the file (or its folder) can be opened from here
        return dialog.message.text()


def test_html_and_pdf_from_the_dialog(qtbot, isolated_home, indexed, tmp_path):
    message = export(qtbot, isolated_home, indexed, "HTML page", tmp_path / "night.html")
    assert message == f"Written: {tmp_path / 'night.html'}"
    page = (tmp_path / "night.html").read_text()
    assert "Night Watch" in page and "I &lt;3 the marsh &amp; the moor" in page and "<3" not in page
    export(qtbot, isolated_home, indexed, "PDF", tmp_path / "night.pdf")
    data = (tmp_path / "night.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"/Type /Page" in data
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "night.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Night Watch" in text and "Nobody comes back from the marsh." in text


def test_a_watched_so_far_pdf_stops_at_the_boundary(qtbot, isolated_home, indexed, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    export(qtbot, isolated_home, indexed, "PDF", tmp_path / "so-far.pdf", watched_only=True)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "so-far.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "The lamp is lit" in text and "Nobody comes back" not in text
