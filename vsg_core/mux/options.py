"""Python reference of the mkvmerge options builder (docs/mux.md).

A track that needs no processing is read by mkvmerge straight from its source file (``PlanItem.source_path``,
track id ``track.id``), selected with ``--video-tracks``/``--audio-tracks``/``--subtitle-tracks``; the tracks of
one source file share one mkvmerge input. A processed track is its own single-track input file
(``extracted_path``, track id 0). The Rust port (``vsg_core_rs/src/mux/options.rs``) must produce the same
tokens; tests/parity/test_phase8_mux.py compares the options files byte for byte.

vsg deviation (upstream quirk): an ``External`` item whose ``sync_to`` is None (or empty) gets the global
shift; upstream looked up ``None`` in the delay table and used 0, leaving such subtitles ``global_shift`` ms
early against the shifted video.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..filenames import temp_name
from ..models import Delays, PlanItem, TrackType
from .errors import MuxError
from .settings import MuxSettings

PathLike = str | os.PathLike[str]


def final_order(items: Sequence[PlanItem]) -> list[PlanItem]:
    """Final track order (docs/pipeline.md#mkvmerge-options): non-preserved items in plan order; preserved audio after
    the last audio item, then preserved subtitles after the last subtitle item (appended when there is none). Preserved
    items of other types are not muxed (as upstream; the pipeline never preserves video)."""
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
    """Positions (in final order) carrying the default/forced flags (docs/pipeline.md#mkvmerge-options)."""

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
    """The ``--sync`` value (ms) of one item; the first matching rule wins (docs/pipeline.md#mkvmerge-options)."""
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


@dataclass
class _Input:
    """One mkvmerge input file and the final-order positions of the tracks read from it."""

    path: str
    container: bool
    members: list[int]


def _input_file(i: int, item: PlanItem) -> tuple[str, bool]:
    """(``source_path``, True) for a direct track, (``extracted_path``, False) for a processed one."""
    if item.source_path:
        return item.source_path, True
    if not item.extracted_path:
        raise MuxError(f"Plan item at index {i} ('{item.track.props.name}') missing extracted_path")
    return str(item.extracted_path), False


def input_track_id(item: PlanItem) -> int:
    """The track id of an item inside its mkvmerge input file."""
    return item.track.id if item.source_path else 0


def _group_inputs(order: Sequence[PlanItem]) -> list[_Input]:
    """Inputs in order of first use: the direct tracks of one source file share an input unless the same
    track is used twice; every extracted file is its own input."""
    inputs: list[_Input] = []
    for i, item in enumerate(order):
        path, container = _input_file(i, item)
        tid = input_track_id(item)
        shared = next((inp for inp in inputs if container and inp.container and inp.path == path
                       and all(input_track_id(order[m]) != tid for m in inp.members)), None)
        if shared is not None:
            shared.members.append(i)
        else:
            inputs.append(_Input(path, container, [i]))
    return inputs


_SELECTION = ((TrackType.VIDEO, "--video-tracks", "--no-video"),
              (TrackType.AUDIO, "--audio-tracks", "--no-audio"),
              (TrackType.SUBTITLES, "--subtitle-tracks", "--no-subtitles"))


def _selection_tokens(order: Sequence[PlanItem], inp: _Input) -> list[str]:
    """Only the planned tracks of a source file, none of its attachments, chapters or tags."""
    tokens: list[str] = []
    for kind, select, none in _SELECTION:
        ids = [str(order[m].track.id) for m in inp.members if order[m].track.type == kind]
        tokens += [select, ",".join(ids)] if ids else [none]
    return [*tokens, "--no-attachments", "--no-chapters", "--no-global-tags", "--no-track-tags"]


def _track_tokens(i: int, item: PlanItem, container: bool, delays: Delays, flags: FlagIndices,
                  settings: MuxSettings) -> list[str]:
    """The per-track options of the item at final position ``i``."""
    tid = input_track_id(item)
    props = item.track.props
    tokens = ["--language", f"{tid}:{item.custom_lang or props.lang or 'und'}"]
    if item.custom_name:
        tokens += ["--track-name", f"{tid}:{item.custom_name}"]
    elif item.apply_track_name and props.name.strip():
        tokens += ["--track-name", f"{tid}:{props.name}"]
    elif container:  # an extracted stream has no name; a track read from its source keeps none either
        tokens += ["--track-name", f"{tid}:"]
    # a track read from its source keeps its container delay, which the extracted stream lost
    own = item.track.container_delay_ms if container else 0
    tokens += ["--sync", f"{tid}:{track_delay(item, delays) - own:+d}"]
    tokens += ["--default-track-flag", f"{tid}:{'yes' if flags.is_default(i) else 'no'}"]
    if flags.forced_sub == i:
        tokens += ["--forced-display-flag", f"{tid}:yes"]
    elif container:
        tokens += ["--forced-display-flag", f"{tid}:no"]
    if settings.disable_header_compression:
        tokens += ["--compression", f"{tid}:none"]
    if settings.apply_dialog_norm_gain and item.track.type == TrackType.AUDIO and _dialog_norm_codec(props.codec_id):
        tokens += ["--remove-dialog-normalization-gain", str(tid)]
    if item.track.type == TrackType.VIDEO and item.aspect_ratio:
        tokens += ["--aspect-ratio", f"{tid}:{item.aspect_ratio}"]
    return tokens


def build_options(items: Sequence[PlanItem], delays: Delays, settings: MuxSettings | None = None,
                  chapters_xml: PathLike | None = None, attachments: Sequence[PathLike] = (),
                  output: PathLike | None = None) -> list[str]:
    """The token list; ``output`` (when given) is prepended as ``--output <path>``.

    Raises MuxError ``Plan item at index i ('<name>') missing extracted_path`` for an item without a file.
    """
    settings = settings or MuxSettings()
    order = final_order(items)
    flags = flag_indices(order)
    inputs = _group_inputs(order)
    tokens: list[str] = []
    if output is not None and os.fspath(output):
        tokens += ["--output", os.fspath(output)]
    if chapters_xml is not None and os.fspath(chapters_xml):
        tokens += ["--chapters", os.fspath(chapters_xml)]
    if settings.disable_track_statistics_tags:
        tokens.append("--disable-track-statistics-tags")
    position = [""] * len(order)
    for n, inp in enumerate(inputs):
        if inp.container:
            tokens += _selection_tokens(order, inp)
        for i in inp.members:
            tokens += _track_tokens(i, order[i], inp.container, delays, flags, settings)
            position[i] = f"{n}:{input_track_id(order[i])}"
        tokens += ["(", inp.path, ")"]
    for path in attachments:
        tokens += ["--attach-file", os.fspath(path)]
    if order:
        tokens += ["--track-order", ",".join(position)]
    return tokens


def output_path(temp_dir: PathLike, source1: PathLike) -> Path:
    """The pipeline's temporary output ``<temp_dir>/temp_<Source 1 file name>`` (docs/pipeline.md#mkvmerge-options)."""
    return Path(temp_dir) / temp_name("temp_", Path(source1).stem, Path(source1).suffix)
