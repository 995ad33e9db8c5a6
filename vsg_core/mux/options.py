"""Python reference of the mkvmerge options builder (spec pipeline_ui.md §8.1–§8.4).

Every output track is its own mkvmerge input file, so per-track options address track ``0`` and the track
order is ``0:0,1:0,…``. The Rust port (``vsg_core_rs/src/mux/options.rs``) must produce the same tokens;
tests/parity/test_phase8_mux.py compares the options files byte for byte.

vsg deviation (upstream quirk §8.3): an ``External`` item whose ``sync_to`` is None (or empty) gets the
global shift; upstream looked up ``None`` in the delay table and used 0, leaving such subtitles
``global_shift`` ms early against the shifted video.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import Delays, PlanItem, TrackType
from .errors import MuxError
from .settings import MuxSettings

PathLike = str | os.PathLike[str]


def final_order(items: Sequence[PlanItem]) -> list[PlanItem]:
    """§8.1: non-preserved items in plan order; preserved audio after the last audio item, then preserved
    subtitles after the last subtitle item (appended when there is none). Preserved items of other types
    are not muxed (as upstream; the pipeline never preserves video)."""
    final = [it for it in items if not it.is_preserved]
    for kind in (TrackType.AUDIO, TrackType.SUBTITLES):
        extra = [it for it in items if it.is_preserved and it.track.type == kind]
        last = max((i for i, it in enumerate(final) if it.track.type == kind), default=None)
        if last is None:
            final.extend(extra)
        else:
            final[last + 1:last + 1] = extra
    return final


@dataclass(frozen=True)
class FlagIndices:
    """§8.2 positions (in final order) carrying the default/forced flags."""

    first_video: int | None
    default_audio: int | None
    default_sub: int | None
    forced_sub: int | None

    def is_default(self, i: int) -> bool:
        return i in (self.first_video, self.default_audio, self.default_sub)


def _first(order: Sequence[PlanItem], kind: TrackType, flag: str | None = None) -> int | None:
    for i, it in enumerate(order):
        if it.track.type == kind and (flag is None or getattr(it, flag)):
            return i
    return None


def flag_indices(order: Sequence[PlanItem]) -> FlagIndices:
    return FlagIndices(
        first_video=_first(order, TrackType.VIDEO),
        default_audio=_first(order, TrackType.AUDIO, "is_default"),
        default_sub=_first(order, TrackType.SUBTITLES, "is_default"),
        forced_sub=_first(order, TrackType.SUBTITLES, "is_forced_display"),
    )


def track_delay(item: PlanItem, delays: Delays) -> int:
    """§8.3: the ``--sync`` value (ms) of one item; the first matching rule wins."""
    source, kind = item.track.source, item.track.type
    shift = delays.global_shift_ms
    if source == "Source 1" and kind == TrackType.AUDIO:
        return round(item.container_delay_ms) + shift
    if source == "Source 1" and kind == TrackType.VIDEO:
        return shift
    if kind == TrackType.SUBTITLES and (item.stepping_adjusted or item.frame_adjusted):
        return 0
    if source == "External":
        if not item.sync_to:
            return shift  # vsg fix (see module docstring)
        key = item.sync_to
    else:
        key = source
    return round(delays.source_delays_ms.get(key, 0))


def _dialog_norm_codec(codec_id: str) -> bool:
    upper = codec_id.upper()
    return "AC3" in upper or "EAC3" in upper


def build_options(items: Sequence[PlanItem], delays: Delays, settings: MuxSettings | None = None,
                  chapters_xml: PathLike | None = None, attachments: Sequence[PathLike] = (),
                  output: PathLike | None = None) -> list[str]:
    """§8.4 token list; ``output`` (when given) is prepended as ``--output <path>``.

    Raises MuxError ``Plan item at index i ('<name>') missing extracted_path`` for an item without a file.
    """
    settings = settings or MuxSettings()
    order = final_order(items)
    flags = flag_indices(order)
    tokens: list[str] = []
    if output is not None and os.fspath(output):
        tokens += ["--output", os.fspath(output)]
    if chapters_xml is not None and os.fspath(chapters_xml):
        tokens += ["--chapters", os.fspath(chapters_xml)]
    if settings.disable_track_statistics_tags:
        tokens.append("--disable-track-statistics-tags")
    for i, item in enumerate(order):
        props = item.track.props
        tokens += ["--language", f"0:{item.custom_lang or props.lang or 'und'}"]
        if item.custom_name:
            tokens += ["--track-name", f"0:{item.custom_name}"]
        elif item.apply_track_name and props.name.strip():
            tokens += ["--track-name", f"0:{props.name}"]
        tokens += ["--sync", f"0:{track_delay(item, delays):+d}"]
        tokens += ["--default-track-flag", "0:yes" if flags.is_default(i) else "0:no"]
        if flags.forced_sub == i:
            tokens += ["--forced-display-flag", "0:yes"]
        if settings.disable_header_compression:
            tokens += ["--compression", "0:none"]
        if (settings.apply_dialog_norm_gain and item.track.type == TrackType.AUDIO
                and _dialog_norm_codec(props.codec_id)):
            tokens += ["--remove-dialog-normalization-gain", "0"]
        if item.track.type == TrackType.VIDEO and item.aspect_ratio:
            tokens += ["--aspect-ratio", f"0:{item.aspect_ratio}"]
        if not item.extracted_path:
            raise MuxError(f"Plan item at index {i} ('{props.name}') missing extracted_path")
        tokens += ["(", str(item.extracted_path), ")"]
    for path in attachments:
        tokens += ["--attach-file", os.fspath(path)]
    if order:
        tokens += ["--track-order", ",".join(f"{i}:0" for i in range(len(order)))]
    return tokens


def output_path(temp_dir: PathLike, source1: PathLike) -> Path:
    """§8.4: the pipeline's temporary output ``<temp_dir>/temp_<Source 1 file name>``."""
    return Path(temp_dir) / f"temp_{Path(source1).name}"
