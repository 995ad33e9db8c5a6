"""What a job returns: status, delays, diagnosis, output path, warnings, audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MERGED = "Merged"
ANALYZED = "Analyzed"
FAILED = "Failed"
CANCELLED = "Cancelled"


@dataclass(frozen=True)
class SourceReport:
    key: str
    path: Path
    delay_ms: int | None          # what the source's tracks are muxed with (global shift included)
    raw_delay_ms: float | None
    diagnosis: str                # UNIFORM, STEPPING, PAL_DRIFT, LINEAR_DRIFT, INSUFFICIENT_DATA
    drift_ms_per_s: float | None
    accepted_chunks: int
    total_chunks: int
    mean_match_pct: float | None
    chunks: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "path": str(self.path), "delay_ms": self.delay_ms,
                "raw_delay_ms": self.raw_delay_ms, "diagnosis": self.diagnosis,
                "drift_ms_per_s": self.drift_ms_per_s, "accepted_chunks": self.accepted_chunks,
                "total_chunks": self.total_chunks, "mean_match_pct": self.mean_match_pct,
                "chunks": list(self.chunks)}


@dataclass(frozen=True)
class AudioResidual:
    """Post-mux audit: the offset left between one muxed audio track and the reference audio."""

    track_index: int              # position in the output file (0-based, all tracks)
    source: str
    residual_ms: float | None     # presentation-time offset still present (0 = in sync); None: not measurable
    match_pct: float | None
    ok: bool


@dataclass(frozen=True)
class AuditReport:
    issues: tuple[str, ...] = ()
    residuals: tuple[AudioResidual, ...] = ()
    track_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass
class JobResult:
    status: str
    name: str
    reference: Path
    output: Path | None = None
    log_path: Path | None = None
    sources: list[SourceReport] = field(default_factory=list)
    global_shift_ms: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    audit: AuditReport | None = None
    corrections: list[dict[str, Any]] = field(default_factory=list)   # audio corrections applied (Phase 4)

    @property
    def delays(self) -> dict[str, int | None]:
        return {s.key: s.delay_ms for s in self.sources}

    @property
    def ok(self) -> bool:
        return self.status in (MERGED, ANALYZED)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status, "name": self.name, "reference": str(self.reference),
            "output": str(self.output) if self.output else None,
            "log": str(self.log_path) if self.log_path else None,
            "global_shift_ms": self.global_shift_ms,
            "sources": [s.to_json() for s in self.sources],
            "warnings": list(self.warnings), "error": self.error, "corrections": list(self.corrections),
            "audit": None if self.audit is None else {
                "issues": list(self.audit.issues), "track_count": self.audit.track_count,
                "residuals": [{"track_index": r.track_index, "source": r.source, "residual_ms": r.residual_ms,
                               "match_pct": r.match_pct, "ok": r.ok} for r in self.audit.residuals]},
        }
