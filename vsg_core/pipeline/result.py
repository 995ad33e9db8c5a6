"""What a job returns: status, delays, diagnosis, output path, warnings, audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MERGED = "Merged"
ANALYZED = "Analyzed"
FAILED = "Failed"
CANCELLED = "Cancelled"
AUDIT_FAILED = "Audit failed"   # the output was written, but the post-mux audit found it wrong (file kept)


@dataclass(frozen=True)
class SourceReport:
    key: str
    path: Path
    delay_ms: int | None          # what the source's tracks are muxed with (global shift included)
    raw_delay_ms: float | None
    diagnosis: str                # UNIFORM, STEPPING, PAL_DRIFT, LINEAR_DRIFT, INSUFFICIENT_DATA, NO_MATCH
    drift_ms_per_s: float | None
    accepted_chunks: int
    total_chunks: int
    mean_match_pct: float | None
    chunks: tuple[dict[str, Any], ...] = ()
    # STEPPING: the constant-delay stretches found by the diagnosis (start_s, end_s, delay_ms, raw_delay_ms, …)
    segments: tuple[dict[str, Any], ...] = ()
    chunk_delay_ms: float | None = None   # the chosen delay in the chunks' own terms (before container/shift)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "path": str(self.path), "delay_ms": self.delay_ms,
                "raw_delay_ms": self.raw_delay_ms, "diagnosis": self.diagnosis,
                "drift_ms_per_s": self.drift_ms_per_s, "accepted_chunks": self.accepted_chunks,
                "total_chunks": self.total_chunks, "mean_match_pct": self.mean_match_pct,
                "chunks": list(self.chunks), "segments": list(self.segments),
                "chunk_delay_ms": self.chunk_delay_ms}


@dataclass(frozen=True)
class AuditWindow:
    """One measured window of a muxed audio track: where it is and the offset still left there."""

    start_s: float                # window start on the reference audio's presentation timeline
    residual_ms: float | None     # None: the window did not match (confidence below the threshold)
    match_pct: float


@dataclass(frozen=True)
class AudioResidual:
    """Post-mux audit: the offset left between one muxed audio track and the reference audio."""

    track_index: int              # position in the output file (0-based, all tracks)
    source: str
    residual_ms: float | None     # largest |offset| over the matched windows (signed); None: nothing matched
    match_pct: float | None       # mean confidence of the matched windows
    ok: bool
    windows: tuple[AuditWindow, ...] = ()
    duration_s: float | None = None       # decoded length of the track
    reason: str = ""                      # why not ok


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
    worker: str | None = None     # the cluster worker that ran the job (vsg batch --cluster)
    corrections: list[dict[str, Any]] = field(default_factory=list)   # audio corrections applied (Phase 4)

    @property
    def delays(self) -> dict[str, int | None]:
        return {s.key: s.delay_ms for s in self.sources}

    @property
    def ok(self) -> bool:
        return self.status in (MERGED, ANALYZED)

    def to_json(self) -> dict[str, Any]:
        extra = {} if self.worker is None else {"worker": self.worker}
        return extra | {
            "status": self.status, "name": self.name, "reference": str(self.reference),
            "output": str(self.output) if self.output else None,
            "log": str(self.log_path) if self.log_path else None,
            "global_shift_ms": self.global_shift_ms,
            "sources": [s.to_json() for s in self.sources],
            "warnings": list(self.warnings), "error": self.error, "corrections": list(self.corrections),
            "audit": None if self.audit is None else {
                "issues": list(self.audit.issues), "track_count": self.audit.track_count,
                "ok": self.audit.ok,
                "residuals": [{"track_index": r.track_index, "source": r.source, "residual_ms": r.residual_ms,
                               "match_pct": r.match_pct, "ok": r.ok, "reason": r.reason,
                               "duration_s": r.duration_s,
                               "windows": [{"start_s": w.start_s, "residual_ms": w.residual_ms,
                                            "match_pct": w.match_pct} for w in r.windows]}
                              for r in self.audit.residuals]},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> JobResult:
        """The inverse of :meth:`to_json` (results that crossed a process or machine boundary)."""
        audit = d.get("audit")
        return cls(
            status=d["status"], name=d["name"], reference=Path(d["reference"]),
            output=Path(d["output"]) if d.get("output") else None,
            log_path=Path(d["log"]) if d.get("log") else None,
            sources=[SourceReport(
                key=s["key"], path=Path(s["path"]), delay_ms=s["delay_ms"], raw_delay_ms=s["raw_delay_ms"],
                diagnosis=s["diagnosis"], drift_ms_per_s=s["drift_ms_per_s"],
                accepted_chunks=s["accepted_chunks"], total_chunks=s["total_chunks"],
                mean_match_pct=s["mean_match_pct"], chunks=tuple(s.get("chunks", ())),
                segments=tuple(s.get("segments", ())), chunk_delay_ms=s.get("chunk_delay_ms"))
                for s in d.get("sources", [])],
            global_shift_ms=d.get("global_shift_ms", 0), warnings=list(d.get("warnings", [])),
            error=d.get("error"),
            audit=None if audit is None else AuditReport(
                issues=tuple(audit["issues"]), track_count=audit["track_count"],
                residuals=tuple(AudioResidual(
                    r["track_index"], r["source"], r["residual_ms"], r["match_pct"], r["ok"],
                    tuple(AuditWindow(w["start_s"], w["residual_ms"], w["match_pct"]) for w in r.get("windows", ())),
                    r.get("duration_s"), r.get("reason", "")) for r in audit["residuals"])),
            corrections=list(d.get("corrections", [])),
            worker=d.get("worker"))
