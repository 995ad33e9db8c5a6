"""The one seam between the subtitle/frame code and its two implementations.

:func:`engine` returns the backend chosen by :func:`vsg_core.backend.active_backend`: the Rust port
(``vsg_core_rs.SubtitleDocument`` and the ``frames_*`` functions) or the Python reference
(:mod:`vsg_core.subtitles.document`, :mod:`vsg_core.subtitles.ops`, :mod:`vsg_core.frames.cfr`). Both raise
:class:`~vsg_core.subtitles.errors.SubtitleError` with the same message for a bad file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..backend import Backend, require_rust, use_rust
from ..frames import cfr
from ..frames.vfr import VfrClock
from . import ops
from .document import SubtitleDocument
from .errors import SubtitleError
from .times import FrameClock

EventTuple = tuple[str, float, float, str, str]      # kind, start ms, end ms, style, text
SegmentTuple = tuple[float, float, float]            # start_s, delay_ms, drift_ms_per_s
Grid = tuple[int, int] | list[int]                   # CFR rate (num, den) or VFR frame times (ms, + end)


class SubtitleDoc(Protocol):
    @property
    def fmt(self) -> str: ...
    @property
    def encoding(self) -> str: ...
    @property
    def bom(self) -> bool: ...
    def events(self) -> list[EventTuple]: ...
    def style_names(self) -> list[str]: ...
    def info_value(self, key: str) -> str | None: ...
    def shift(self, offset_ms: float) -> int: ...
    def scale(self, delay_at_0_ms: float, drift_ms_per_s: float) -> int: ...
    def apply_edl(self, segments: Sequence[SegmentTuple], mode: str) -> dict[str, int]: ...
    def fix_timing(self, overlaps: bool, short: bool, long: bool, min_gap_ms: float, min_duration_ms: float,
                   max_cps: float) -> dict[str, int]: ...
    def filter_styles(self, styles: Sequence[str], mode: str) -> dict[str, int]: ...
    def multiply_font_size(self, factor: float) -> int: ...
    def patch_styles(self, patch: Mapping[str, Mapping[str, str]]) -> list[str]: ...
    def rescale(self, width: int, height: int) -> dict[str, float] | None: ...
    def to_ass(self) -> SubtitleDoc: ...
    def to_bytes(self, grid: Grid | None = None) -> bytes: ...


class SubtitleEngine(Protocol):
    name: Backend

    def parse(self, data: bytes, fmt: str) -> SubtitleDoc: ...
    def time_to_frame(self, t_ms: float, fps: float, mode: str) -> int: ...
    def frame_to_time(self, frame: int, fps: float, mode: str) -> float: ...
    def grid_frame_ms(self, grid: Grid, frame: int) -> int: ...
    def grid_frame_of(self, grid: Grid, t_ms: float) -> int: ...


class PyDoc:
    """The Python reference document behind the :class:`SubtitleDoc` interface."""

    def __init__(self, doc: SubtitleDocument) -> None:
        self.doc = doc

    @property
    def fmt(self) -> str:
        return self.doc.fmt

    @property
    def encoding(self) -> str:
        return self.doc.encoding

    @property
    def bom(self) -> bool:
        return self.doc.bom

    def events(self) -> list[EventTuple]:
        return self.doc.event_tuples()

    def style_names(self) -> list[str]:
        return self.doc.style_names()

    def info_value(self, key: str) -> str | None:
        return self.doc.info_value(key)

    def shift(self, offset_ms: float) -> int:
        return ops.shift(self.doc, offset_ms)

    def scale(self, delay_at_0_ms: float, drift_ms_per_s: float) -> int:
        return ops.scale(self.doc, delay_at_0_ms, drift_ms_per_s)

    def apply_edl(self, segments: Sequence[SegmentTuple], mode: str) -> dict[str, int]:
        return ops.apply_edl(self.doc, [ops.Segment(*s) for s in segments], mode)

    def fix_timing(self, overlaps: bool, short: bool, long: bool, min_gap_ms: float, min_duration_ms: float,
                   max_cps: float) -> dict[str, int]:
        return ops.fix_timing(self.doc, overlaps=overlaps, short=short, long=long, min_gap_ms=min_gap_ms,
                              min_duration_ms=min_duration_ms, max_cps=max_cps)

    def filter_styles(self, styles: Sequence[str], mode: str) -> dict[str, int]:
        return ops.filter_styles(self.doc, styles, mode)

    def multiply_font_size(self, factor: float) -> int:
        return ops.multiply_font_size(self.doc, factor)

    def patch_styles(self, patch: Mapping[str, Mapping[str, str]]) -> list[str]:
        return ops.patch_styles(self.doc, patch)

    def rescale(self, width: int, height: int) -> dict[str, float] | None:
        return ops.rescale(self.doc, width, height)

    def to_ass(self) -> PyDoc:
        return PyDoc(ops.srt_to_ass(self.doc))

    def to_bytes(self, grid: Grid | None = None) -> bytes:
        return self.doc.to_bytes(_clock(grid))


def _clock(grid: Grid | None) -> FrameClock | None:
    if grid is None:
        return None
    if isinstance(grid, tuple):
        return cfr.FrameGrid(*grid)
    return VfrClock(list(grid))


class PythonEngine:
    name: Backend = "python"

    def parse(self, data: bytes, fmt: str) -> PyDoc:
        return PyDoc(SubtitleDocument.parse(data, fmt))

    def time_to_frame(self, t_ms: float, fps: float, mode: str) -> int:
        return cfr.time_to_frame(t_ms, fps, mode)

    def frame_to_time(self, frame: int, fps: float, mode: str) -> float:
        return cfr.frame_to_time(frame, fps, mode)

    def grid_frame_ms(self, grid: Grid, frame: int) -> int:
        return cfr.FrameGrid(*grid).frame_ms(frame)

    def grid_frame_of(self, grid: Grid, t_ms: float) -> int:
        return cfr.FrameGrid(*grid).frame_of(t_ms)


def _subtitle_errors(fn: Any) -> Any:
    """Rust raises ValueError; the interface promises SubtitleError (same message)."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SubtitleError:
            raise
        except ValueError as e:
            raise SubtitleError(str(e)) from None

    return wrapped


class RustDoc:
    """``vsg_core_rs.SubtitleDocument`` behind the :class:`SubtitleDoc` interface."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    @property
    def fmt(self) -> str:
        return str(self.doc.fmt)

    @property
    def encoding(self) -> str:
        return str(self.doc.encoding)

    @property
    def bom(self) -> bool:
        return bool(self.doc.bom)

    def events(self) -> list[EventTuple]:
        return list(self.doc.events())

    def style_names(self) -> list[str]:
        return list(self.doc.style_names())

    def info_value(self, key: str) -> str | None:
        return self.doc.info_value(key)

    @_subtitle_errors
    def shift(self, offset_ms: float) -> int:
        return int(self.doc.shift(offset_ms))

    @_subtitle_errors
    def scale(self, delay_at_0_ms: float, drift_ms_per_s: float) -> int:
        return int(self.doc.scale(delay_at_0_ms, drift_ms_per_s))

    @_subtitle_errors
    def apply_edl(self, segments: Sequence[SegmentTuple], mode: str) -> dict[str, int]:
        return dict(self.doc.apply_edl([tuple(map(float, s)) for s in segments], mode))

    @_subtitle_errors
    def fix_timing(self, overlaps: bool, short: bool, long: bool, min_gap_ms: float, min_duration_ms: float,
                   max_cps: float) -> dict[str, int]:
        return dict(self.doc.fix_timing(overlaps, short, long, min_gap_ms, min_duration_ms, max_cps))

    @_subtitle_errors
    def filter_styles(self, styles: Sequence[str], mode: str) -> dict[str, int]:
        return dict(self.doc.filter_styles(list(styles), mode))

    @_subtitle_errors
    def multiply_font_size(self, factor: float) -> int:
        return int(self.doc.multiply_font_size(factor))

    @_subtitle_errors
    def patch_styles(self, patch: Mapping[str, Mapping[str, str]]) -> list[str]:
        return list(self.doc.patch_styles({k: {f: str(v) for f, v in d.items()} for k, d in patch.items()}))

    @_subtitle_errors
    def rescale(self, width: int, height: int) -> dict[str, float] | None:
        r = self.doc.rescale(width, height)
        return None if r is None else dict(r)

    @_subtitle_errors
    def to_ass(self) -> RustDoc:
        return RustDoc(self.doc.to_ass())

    @_subtitle_errors
    def to_bytes(self, grid: Grid | None = None) -> bytes:
        return bytes(self.doc.to_bytes(list(grid) if isinstance(grid, list) else grid))


class RustEngine:
    name: Backend = "rust"

    def __init__(self) -> None:
        self.rs = require_rust()

    @_subtitle_errors
    def parse(self, data: bytes, fmt: str) -> RustDoc:
        return RustDoc(self.rs.SubtitleDocument.parse(data, fmt))

    def time_to_frame(self, t_ms: float, fps: float, mode: str) -> int:
        return int(self.rs.frames_time_to_frame(t_ms, fps, mode))

    def frame_to_time(self, frame: int, fps: float, mode: str) -> float:
        return float(self.rs.frames_frame_to_time(frame, fps, mode))

    def grid_frame_ms(self, grid: Grid, frame: int) -> int:
        return int(self.rs.frames_grid_frame_ms(grid[0], grid[1], frame))

    def grid_frame_of(self, grid: Grid, t_ms: float) -> int:
        return int(self.rs.frames_grid_frame_of(grid[0], grid[1], t_ms))


def engine(backend: Backend | None = None) -> SubtitleEngine:
    """The active backend's engine (or the named one)."""
    return RustEngine() if use_rust(backend) else PythonEngine()
