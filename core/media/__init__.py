"""Reading films: probing, sampling frames, reading dialogue."""

from core.media.frames import DecodeStrategy, SampledFrame, choose_strategy, sample_frames
from core.media.probe import MediaInfo, StreamInfo, probe

__all__ = [
    "DecodeStrategy",
    "MediaInfo",
    "SampledFrame",
    "StreamInfo",
    "choose_strategy",
    "probe",
    "sample_frames",
]
