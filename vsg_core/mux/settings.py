"""The settings the mkvmerge options builder reads (docs/settings.md#adapters, docs/pipeline.md#mkvmerge-options)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MuxSettings:
    disable_track_statistics_tags: bool = False
    disable_header_compression: bool = True   # default true when the key is absent (docs/settings.md#adapters)
    apply_dialog_norm_gain: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> MuxSettings:
        """From the app settings dict (missing keys take the defaults above)."""
        s = settings or {}
        return cls(
            disable_track_statistics_tags=bool(s.get("disable_track_statistics_tags", False)),
            disable_header_compression=bool(s.get("disable_header_compression", True)),
            apply_dialog_norm_gain=bool(s.get("apply_dialog_norm_gain", False)),
        )
