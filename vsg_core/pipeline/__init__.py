"""Phase 9: the job pipeline (orchestration stays in Python; the steps call the Rust core where it exists)."""

from .orchestrator import output_path_for, run_job
from .result import ANALYZED, CANCELLED, FAILED, MERGED, AudioResidual, AuditReport, JobResult, SourceReport

__all__ = ["ANALYZED", "CANCELLED", "FAILED", "MERGED", "AudioResidual", "AuditReport", "JobResult",
           "SourceReport", "output_path_for", "run_job"]
