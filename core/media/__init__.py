"""Reading films: probing, sampling frames, reading dialogue."""

from core.media.probe import MediaInfo, StreamInfo, probe
from core.media.frames import SampledFrame, DecodeStrategy, choose_strategy, sample_frames

__all__ = [
    "MediaInfo", "StreamInfo", "probe", "SampledFrame", "DecodeStrategy", "choose_strategy", "sample_frames",
]
