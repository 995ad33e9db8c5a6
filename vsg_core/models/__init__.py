"""Phase 1 core data types (Python reference; Rust mirror in ``vsg_core_rs``).

Facts: docs/pipeline.md#data-model. Enums (value strings fixed), immutable media records (StreamProps, Track,
Attachment), the validated immutable Delays and the mutable PlanItem. Every record has
``to_dict``/``from_dict`` and ``to_json``/``from_json``; problems in loaded data raise ValueError naming
the record and field.
"""

from .enums import (
    ALL_ENUMS,
    AnalysisMode,
    CorrectionVerdict,
    DiagnosisKind,
    SnapMode,
    StepStatus,
    TrackType,
)
from .jobs import STYLE_FILTER_MODES, Delays, PlanItem
from .media import Attachment, StreamProps, Track
from .validation import MAX_DELAY_MS

__all__ = [
    "ALL_ENUMS",
    "MAX_DELAY_MS",
    "STYLE_FILTER_MODES",
    "AnalysisMode",
    "Attachment",
    "CorrectionVerdict",
    "Delays",
    "DiagnosisKind",
    "PlanItem",
    "SnapMode",
    "StepStatus",
    "StreamProps",
    "Track",
    "TrackType",
]
