"""Result types of the clip core, shared by the Python reference and the Rust backend."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import VsgError

FORMS = ("hms", "ms", "seconds", "human", "iso")
MODES = ("copy", "accurate")


class ClipError(VsgError):
    """A timestamp, clip range or clip request that cannot be used; the message quotes the user's text."""


@dataclass(frozen=True)
class ClipTimestamp:
    ms: int
    form: str  # one of FORMS


@dataclass(frozen=True)
class ClipRange:
    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class EncodeSettings:
    """Encoder settings for accurate clips and the size cap (bytes, 0 = none) for every clip."""

    video_codec: str = "libx264"
    audio_codec: str = "aac"
    preset: str = "fast"
    crf: int = 23
    max_file_size: int = 0


@dataclass(frozen=True)
class ClipPlan:
    output: str
    args: tuple[str, ...]  # ffmpeg arguments without the program name; the last one is the output path
    start_ms: int
    end_ms: int
    mode: str  # one of MODES
