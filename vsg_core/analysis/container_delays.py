"""Container delays from ``mkvmerge -J`` (docs/analysis.md#container-delays).

``properties.minimum_timestamp`` (ns) of audio and video tracks becomes a delay in ms, rounded half to even
(``round()``, not truncation, so negative values round correctly — a Critical Preservation Requirement of the
migration plan). Source 1 audio delays are made relative to its first video track: ``audio − video``.

vsg deviation (the original's quirk, docs/analysis.md#container-delays): the reference audio track of the delay chain
(``S1A``) is the track the correlation used — chosen once by :func:`vsg_core.analysis.streams.select_audio_stream` with
the normalised language — instead of a second lookup with the raw, un-normalised setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..identification import container_delay_ms
from ..identification import ns_to_ms as ns_to_ms  # re-exported


def track_container_delay_ms(track: dict[str, Any]) -> int:
    """Container delay of one mkvmerge track (the rule of :func:`vsg_core.identification.container_delay_ms`)."""
    return container_delay_ms(str(track.get("type")), track.get("properties", {}).get("minimum_timestamp"))


@dataclass(frozen=True)
class ContainerDelays:
    """Container delays of one file. ``audio_relative_ms`` = audio − first video track's delay."""

    video_delay_ms: int
    absolute_ms: dict[int, int] = field(default_factory=dict)        # track id → delay (audio and video)
    audio_relative_ms: dict[int, int] = field(default_factory=dict)  # audio track id → relative delay

    def relative_audio(self, track_id: int) -> int:
        return self.audio_relative_ms.get(track_id, 0)


def read_container_delays(tracks: Sequence[dict[str, Any]]) -> ContainerDelays:
    """Container delays (docs/analysis.md#container-delays) from the ``tracks`` array of ``mkvmerge -J``."""
    absolute: dict[int, int] = {}
    video_delay: int | None = None
    for t in tracks:
        if t.get("type") not in ("audio", "video") or "id" not in t:
            continue
        d = track_container_delay_ms(t)
        absolute[int(t["id"])] = d
        if t.get("type") == "video" and video_delay is None:
            video_delay = d
    vd = video_delay or 0
    relative = {int(t["id"]): absolute[int(t["id"])] - vd for t in tracks
                if t.get("type") == "audio" and "id" in t}
    return ContainerDelays(vd, absolute, relative)


def source1_log_lines(tracks: Sequence[dict[str, Any]], delays: ContainerDelays, ref_audio_track_id: int
                      ) -> list[str]:
    """The container-delay log lines for Source 1 (docs/analysis.md#container-delays)."""
    lines = []
    for t in tracks:
        kind = t.get("type")
        if kind not in ("audio", "video") or "id" not in t:
            continue
        d = delays.absolute_ms.get(int(t["id"]), 0)
        if d != 0:
            lines.append(f"[Container Delay] Source 1 {kind} track {t['id']} has container delay: {d:+.1f}ms")
    s1a = delays.relative_audio(ref_audio_track_id)
    if s1a != 0:
        lines.append(f"[Container Delay] Audio track {ref_audio_track_id} relative delay (audio relative to "
                     f"video): {s1a:+.1f}ms. This will be added to all correlation results.")
    return lines
