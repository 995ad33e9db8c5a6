"""The clip settings (the ``clip_*`` keys of vsg's settings) with their ranges, and CLI overrides.

Precedence is vsg's: the settings file, then ``VSG_SET_CLIP_…`` environment variables (both applied by
:meth:`vsg_core.config.Settings.load`), then command-line flags (:meth:`ClipConfig.with_overrides`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SettingsError
from .types import EncodeSettings

PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
           "placebo")
MIB = 1024 * 1024


@dataclass(frozen=True)
class ClipConfig:
    video_codec: str = "libx264"
    audio_codec: str = "aac"
    preset: str = "fast"
    crf: int = 23
    workers: int = 2
    retry_attempts: int = 3
    retry_base_delay_s: float = 1.0
    output_folder: str = ""
    max_file_size_mb: int = 0

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> ClipConfig:
        cfg = cls(
            video_codec=str(s["clip_video_codec"]), audio_codec=str(s["clip_audio_codec"]),
            preset=str(s["clip_preset"]), crf=int(s["clip_crf"]), workers=int(s["clip_workers"]),
            retry_attempts=int(s["clip_retry_attempts"]), retry_base_delay_s=float(s["clip_retry_base_delay_s"]),
            output_folder=str(s["clip_output_folder"]), max_file_size_mb=int(s["clip_max_file_size_mb"]),
        )
        cfg.check()
        return cfg

    def with_overrides(self, **values: Any) -> ClipConfig:
        """A copy with the given (not None) values, e.g. from command-line flags; checked."""
        cfg = dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None})
        cfg.check()
        return cfg

    def check(self) -> None:
        def bad(key: str, value: Any, why: str) -> SettingsError:
            return SettingsError(f"setting 'clip_{key}' = {value!r} {why} (it comes from the settings file, "
                                 f"VSG_SET_CLIP_{key.upper()} or a command-line flag)")

        if self.preset not in PRESETS:
            raise bad("preset", self.preset, f"must be one of {', '.join(PRESETS)}")
        if not 0 <= self.crf <= 63:
            raise bad("crf", self.crf, "must be between 0 and 63")
        if not 1 <= self.workers <= 16:
            raise bad("workers", self.workers, "must be between 1 and 16")
        if not 1 <= self.retry_attempts <= 10:
            raise bad("retry_attempts", self.retry_attempts, "must be between 1 and 10")
        if not 0.0 <= self.retry_base_delay_s <= 60.0:
            raise bad("retry_base_delay_s", self.retry_base_delay_s, "must be between 0 and 60 seconds")
        if self.max_file_size_mb < 0:
            raise bad("max_file_size_mb", self.max_file_size_mb, "must not be negative (0 = no limit)")
        for key in ("video_codec", "audio_codec"):
            v = getattr(self, key)
            if not v or not all(c.isascii() and (c.isalnum() or c in "_-") for c in v):
                raise bad(key, v, "is not an ffmpeg encoder name")

    def encode(self, **overrides: Any) -> EncodeSettings:
        base = EncodeSettings(self.video_codec, self.audio_codec, self.preset, self.crf,
                              self.max_file_size_mb * MIB)
        return dataclasses.replace(base, **{k: v for k, v in overrides.items() if v is not None})
