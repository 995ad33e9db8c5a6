"""Enumerations with fixed value strings (docs/pipeline.md#data-model).

The value strings are what is written to JSON/settings; Rust (``vsg_core_rs``) uses the same member names and
values (tests/parity/test_phase1_models.py).
"""

from __future__ import annotations

import enum
from typing import TypeVar

from .validation import json_type, quoted

_E = TypeVar("_E", bound="_ValueEnum")


class _ValueEnum(str, enum.Enum):
    """A str enum whose ``str()`` is its value and which can be looked up with a clear error."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def from_value(cls: type[_E], value: str) -> _E:
        """The member whose value string is ``value``; ValueError listing the valid values otherwise."""
        if not isinstance(value, str):
            raise TypeError(f"{cls.__name__}.from_value: expected a string, got {json_type(value)}")
        for member in cls:
            if member.value == value:
                return member
        raise ValueError(
            f"invalid {cls.__name__} value '{value}': valid values are {quoted(m.value for m in cls)}"
        )


class TrackType(_ValueEnum):
    VIDEO = "video"
    AUDIO = "audio"
    SUBTITLES = "subtitles"


class AnalysisMode(_ValueEnum):
    AUDIO = "Audio Correlation"
    VIDEO = "VideoDiff"


class SnapMode(_ValueEnum):
    PREVIOUS = "previous"
    NEAREST = "nearest"


class StepStatus(_ValueEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    WARNING = "warning"
    SKIPPED = "skipped"
    FAILED = "failed"


class CorrectionVerdict(_ValueEnum):
    UNIFORM = "uniform"
    STEPPED = "stepped"
    FAILED = "failed"


class DiagnosisKind(_ValueEnum):
    UNIFORM = "UNIFORM"
    STEPPING = "STEPPING"
    PAL_DRIFT = "PAL_DRIFT"
    LINEAR_DRIFT = "LINEAR_DRIFT"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
    NO_MATCH = "NO_MATCH"


ALL_ENUMS: tuple[type[_ValueEnum], ...] = (
    TrackType,
    AnalysisMode,
    SnapMode,
    StepStatus,
    CorrectionVerdict,
    DiagnosisKind,
)
