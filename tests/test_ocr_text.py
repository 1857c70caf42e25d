"""What OCR reads is tidied only where a known confusion makes an unknown word a known one, and image
subtitles are drawn from their own palette (parsed from the stream, as PyAV does not hand it over)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from core.dialogue.ocr_text import clean_line, clean_text
from core.media import image_subtitles


def test_italics_tags_drawn_into_subtitles_are_dropped():
    read = clean_text(["<i>I'm Sinbad the sailor", "So hearty and hale</i>"])
    assert read == "I'm Sinbad the sailor\nSo hearty and hale"
    assert clean_line("si>Sinbad the sailor!s/i>") == "Sinbad the sailor!"
    assert clean_line("<|>Who's there?4/1>") == "Who's there?"


def test_confusions_become_known_words_and_names_stay():
    assert clean_line("lts lord and its master") == "Its lord and its master"
    assert clean_line("I live on an lsland") == "I live on an island"
    assert clean_line("l'm here, |said") == "I'm here, I said"
    assert clean_line("H0W ARE Y0U") == "HOW ARE YOU"
    assert clean_line("ButI've been around") == "But I've been around"
    assert clean_line("a samplefilm") == "a sample film"
    assert clean_line("Sinbad meets Bluto in 1936") == "Sinbad meets Bluto in 1936"  # names, numbers as read
    assert clean_line("Ollie and Lulu") == "Ollie and Lulu"


def _rect(index: np.ndarray, x=0, y=0):
    h, w = index.shape
    return SimpleNamespace(x=x, y=y, width=w, height=h, planes=[index.astype(np.uint8).tobytes()])


def test_pgs_palette_segments_give_luma_and_alpha():
    palette = image_subtitles._PgsPalette()
    entries = bytes([0, 16, 128, 128, 0, 1, 235, 128, 128, 255, 2, 16, 128, 128, 255])  # clear, white, black
    palette.update(bytes([0x14, 0, 2 + len(entries), 0, 0]) + entries + bytes([0x80, 0, 0]))
    drawn = palette.palette()
    assert drawn.alpha[:3].tolist() == [0.0, 1.0, 1.0] and drawn.luma[1] == 1.0 and drawn.luma[2] == 0.0


def test_light_letters_with_dark_outlines_come_out_dark_on_white():
    palette = image_subtitles._PgsPalette()
    entries = bytes([0, 16, 128, 128, 0, 1, 235, 128, 128, 255, 2, 16, 128, 128, 255])
    palette.update(bytes([0x14, 0, 2 + len(entries), 0, 0]) + entries)
    index = np.zeros((30, 60), np.uint8)
    index[5:25, 10:50] = 2  # outline (black)
    index[8:22, 13:47] = 1  # fill (white)
    picture = image_subtitles.draw([_rect(index, 100, 900)], palette.palette())
    assert picture is not None and picture.dtype == np.uint8
    assert picture[0, 0] == 255 and picture.min() == 0  # white paper, dark fill
    middle = picture[picture.shape[0] // 2, picture.shape[1] // 2]
    assert middle == 0


def test_dvd_control_sequence_sets_colours_alpha_and_end():
    """Two control sequences: at once (start; colours 0,1,2,3 for pixel values 3..0; alpha), then the
    stop 527 ticks (6.0 s) later."""
    first = bytes([0x00, 0x00, 0x00, 16, 0x01, 0x03, 0x01, 0x23, 0x04, 0xF0, 0xFF, 0xFF])
    stop = bytes([0x02, 0x0F, 0x00, 16, 0x02, 0xFF])
    packet = (4 + len(first) + len(stop)).to_bytes(2, "big") + (4).to_bytes(2, "big") + first + stop
    colours = np.linspace(0, 1, 16, dtype=np.float32)
    palette, shown = image_subtitles._dvd_palette(packet, colours)
    assert shown is not None and abs(shown - 527 * 1024 / 90_000) < 1e-6
    assert palette.alpha[:4].tolist() == [1.0, 1.0, 0.0, 1.0]  # pixel value 2 is see-through
    assert palette.luma[:4].tolist() == [colours[3], colours[2], colours[1], colours[0]]
