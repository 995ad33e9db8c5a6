"""The seam between the clip commands and the two implementations of the clip core.

:class:`ClipEngine` is the protocol; :class:`PythonClipEngine` runs the reference (``reference.py``),
:class:`RustClipEngine` the Rust port (``vsg_core_rs.clip_*``). :func:`engine` returns the one the active
backend (:func:`vsg_core.backend.active_backend`) selects. Both return the types of ``types.py`` and raise
:class:`ClipError` with identical messages.
"""

from __future__ import annotations

from typing import Protocol

from ..backend import require_rust, use_rust
from . import reference as ref
from .types import ClipError, ClipPlan, ClipRange, ClipTimestamp, EncodeSettings


class ClipEngine(Protocol):
    name: str

    def parse_timestamp(self, text: str) -> ClipTimestamp: ...

    def format_timestamp(self, ms: int, form: str) -> str: ...

    def resolve_range(self, start: str, end: str | None, duration: str | None,
                      media_duration_ms: int | None) -> ClipRange: ...

    def output_name(self, text: str, rng: ClipRange, taken: list[str]) -> str: ...

    def plan_clip(self, text: str, output: str | None, output_dir: str, rng: ClipRange, mode: str,
                  settings: EncodeSettings, taken: list[str]) -> ClipPlan: ...

    def progress_fraction(self, text: str, duration_ms: int) -> float | None: ...


class PythonClipEngine:
    name = "python"

    def parse_timestamp(self, text: str) -> ClipTimestamp:
        return ref.parse_timestamp(text)

    def format_timestamp(self, ms: int, form: str) -> str:
        return ref.format_timestamp(ms, form)

    def resolve_range(self, start: str, end: str | None, duration: str | None,
                      media_duration_ms: int | None) -> ClipRange:
        return ref.resolve_range(start, end, duration, media_duration_ms)

    def output_name(self, text: str, rng: ClipRange, taken: list[str]) -> str:
        return ref.output_name(text, rng, taken)

    def plan_clip(self, text: str, output: str | None, output_dir: str, rng: ClipRange, mode: str,
                  settings: EncodeSettings, taken: list[str]) -> ClipPlan:
        return ref.plan_clip(text, output, output_dir, rng, mode, settings, taken)

    def progress_fraction(self, text: str, duration_ms: int) -> float | None:
        return ref.progress_fraction(text, duration_ms)


class RustClipEngine:
    name = "rust"

    def __init__(self) -> None:
        self._rs = require_rust()

    def parse_timestamp(self, text: str) -> ClipTimestamp:
        try:
            t = self._rs.clip_parse_timestamp(text)
        except ValueError as e:
            raise ClipError(str(e)) from None
        return ClipTimestamp(t.ms, t.form)

    def format_timestamp(self, ms: int, form: str) -> str:
        if ms < 0:
            raise ClipError(f"a time cannot be negative ({ms} ms)")
        try:
            return str(self._rs.clip_format_timestamp(ms, form))
        except ValueError as e:
            raise ClipError(str(e)) from None

    def resolve_range(self, start: str, end: str | None, duration: str | None,
                      media_duration_ms: int | None) -> ClipRange:
        try:
            r = self._rs.clip_resolve_range(start, end, duration, media_duration_ms)
        except ValueError as e:
            raise ClipError(str(e)) from None
        return ClipRange(r.start_ms, r.end_ms)

    def output_name(self, text: str, rng: ClipRange, taken: list[str]) -> str:
        return str(self._rs.clip_output_name(text, rng.start_ms, rng.end_ms, list(taken)))

    def plan_clip(self, text: str, output: str | None, output_dir: str, rng: ClipRange, mode: str,
                  settings: EncodeSettings, taken: list[str]) -> ClipPlan:
        if settings.crf < 0:
            raise ClipError(f"CRF {settings.crf} is out of range 0..{ref.MAX_CRF}")
        try:
            p = self._rs.clip_plan(text, output, output_dir, rng.start_ms, rng.end_ms, mode,
                                   settings.video_codec, settings.audio_codec, settings.preset, settings.crf,
                                   settings.max_file_size, list(taken))
        except ValueError as e:
            raise ClipError(str(e)) from None
        return ClipPlan(p.output, tuple(p.args), p.start_ms, p.end_ms, p.mode)

    def progress_fraction(self, text: str, duration_ms: int) -> float | None:
        return self._rs.clip_progress_fraction(text, duration_ms)


def engine() -> ClipEngine:
    """The clip core of the active backend."""
    return RustClipEngine() if use_rust() else PythonClipEngine()
