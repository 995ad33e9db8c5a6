"""Phase 9: the job pipeline (orchestration stays in Python; the steps call the Rust core where it exists).

``run_job`` and ``output_path_for`` load the analysis stack on first use, so the command line can check its
inputs (``pipeline.preflight``, ``pipeline.output_policy``) and refuse bad ones without loading it.
"""

from typing import Any

from .result import ANALYZED, CANCELLED, FAILED, MERGED, AudioResidual, AuditReport, JobResult, SourceReport

__all__ = ["ANALYZED", "CANCELLED", "FAILED", "MERGED", "AudioResidual", "AuditReport", "JobResult",
           "SourceReport", "output_path_for", "run_job"]


def __getattr__(name: str) -> Any:
    if name in ("output_path_for", "run_job"):
        from . import orchestrator

        return getattr(orchestrator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
