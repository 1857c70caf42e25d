"""Reading text in a picture: RapidOCR (``rapidocr-onnxruntime``, Apache-2.0; its PP-OCRv4 detection and
recognition models ship in the wheel) on ONNX Runtime, on the CPU.

``read_lines`` returns the text a picture holds as lines, top to bottom, each with its box and the
recogniser's confidence: RapidOCR finds word or phrase boxes, which are joined into lines here by their
vertical overlap."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np

from core.errors import MovieBuddyError

log = logging.getLogger(__name__)


class OcrUnavailable(MovieBuddyError):
    """Text in pictures cannot be read here (the OCR package is missing)."""


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float  # the recogniser's, 0..1 (the mean of the line's boxes, weighted by length)
    box: tuple[float, float, float, float]  # left, top, right, bottom in the picture's pixels


def available() -> bool:
    """Whether text in pictures can be read here (the sources that need it are skipped otherwise)."""
    import importlib.util

    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@functools.cache
def engine(threads: int = 1):
    """One RapidOCR engine per process (loading it takes about 0.3 s)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable(f"reading text in pictures needs rapidocr-onnxruntime ({exc})") from exc
    # one thread each: it runs beside playback and the picture indexer, at their low priority
    # text is upright (no angle classifier); pictures are shrunk to at most 960 px on their long side
    return RapidOCR(
        intra_op_num_threads=threads,
        inter_op_num_threads=1,
        use_cls=False,
        det_limit_side_len=960,
        det_limit_type="max",
    )


def read_lines(picture: np.ndarray, min_confidence: float = 0.5) -> list[TextLine]:
    """The lines of text in an RGB or greyscale picture (uint8), top to bottom."""
    if picture.ndim == 2:
        picture = np.repeat(picture[:, :, None], 3, axis=2)
    found, _ = engine()(np.ascontiguousarray(picture))
    boxes = []
    for corners, text, confidence in found or []:
        text = str(text).strip()
        if not text or float(confidence) < min_confidence:
            continue
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        boxes.append((min(xs), min(ys), max(xs), max(ys), text, float(confidence)))
    return _join_lines(boxes)


def _join_lines(boxes: list) -> list[TextLine]:
    """Boxes whose vertical middles fall inside one another's height are one line, read left to right."""
    lines: list[list] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        middle = (box[1] + box[3]) / 2
        for line in lines:
            top, bottom = min(b[1] for b in line), max(b[3] for b in line)
            if top <= middle <= bottom:
                line.append(box)
                break
        else:
            lines.append([box])
    out = []
    for line in lines:
        line.sort(key=lambda b: b[0])
        weights = [len(b[4]) for b in line]
        confidence = sum(w * b[5] for w, b in zip(weights, line)) / sum(weights)
        box = (min(b[0] for b in line), min(b[1] for b in line), max(b[2] for b in line), max(b[3] for b in line))
        out.append(TextLine(" ".join(b[4] for b in line), confidence, box))
    return out
