"""``vsg clip --sync``: cut the same content from every release, shifted by the delays vsg measures.

A release's delay ``d`` (ms, vsg's sign convention: the value to add to that release) means that the content
at reference time ``t`` plays at ``t − d`` in the release, so its clip runs from ``start − d`` to ``end − d``.
Only releases whose diagnosis is a uniform delay are cut: with drift or stepping a single shift would not hold
over the clip, so such a release is refused with its diagnosis. Clips are re-encoded (frame-exact) because a
stream copy starts each release on its own keyframe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..analysis.job import AnalysisSettings, analyze_job
from ..config import Settings
from ..log import JobLog
from ..models.enums import DiagnosisKind
from .engine import ClipEngine
from .run import ClipJob, Clipper, ClipResult
from .types import ClipError


@dataclass(frozen=True)
class SyncClip:
    path: Path
    delay_ms: float | None    # raw measured delay (None for the reference)
    result: ClipResult


def sync_clips(clipper: Clipper, core: ClipEngine, reference: Path, others: list[Path], start: str,
               end: str | None, duration: str | None, output_dir: Path, settings: Settings, log: JobLog,
               progress: Callable[[float], None] | None = None) -> list[SyncClip]:
    rng = core.resolve_range(start, end, duration, None)
    for p in [reference, *others]:
        if not p.is_file():
            raise ClipError(f"input file {p} not found")
    log.section("Measuring delays for --sync")
    job = analyze_job(reference, others, AnalysisSettings.from_settings(settings), log, strict=False,
                      progress=(lambda f: progress(0.5 * f)) if progress else None)
    out: list[SyncClip] = []
    ref_job = ClipJob(str(reference), core.format_timestamp(rng.start_ms, "seconds"),
                      core.format_timestamp(rng.end_ms, "seconds"), accurate=True)
    log.section("Cutting")
    out.append(SyncClip(reference, None, clipper.run(ref_job, output_dir)))
    for src in job.sources:
        if src.raw_delay_ms is None:
            res = ClipResult(ClipJob(str(src.path), start), ok=False,
                             error=f"{src.path}: no delay was measured ({src.error or 'too few matching chunks'})")
        elif src.diagnosis.kind.value != DiagnosisKind.UNIFORM.value:
            res = ClipResult(ClipJob(str(src.path), start), ok=False,
                             error=f"{src.path}: the delay is not uniform ({src.diagnosis.kind.value}); "
                                   "--sync cuts only releases with one constant delay")
        else:
            s = round(rng.start_ms - src.raw_delay_ms)
            e = round(rng.end_ms - src.raw_delay_ms)
            if s < 0:
                res = ClipResult(ClipJob(str(src.path), start), ok=False,
                                 error=f"{src.path}: the content at {core.format_timestamp(rng.start_ms, 'hms')} "
                                       f"lies before the start of this release (delay {src.raw_delay_ms:+.3f} ms)")
            else:
                log.log(f"{src.path.name}: delay {src.raw_delay_ms:+.3f} ms → clip "
                        f"{core.format_timestamp(s, 'hms')} – {core.format_timestamp(e, 'hms')}")
                res = clipper.run(ClipJob(str(src.path), core.format_timestamp(s, "seconds"),
                                          core.format_timestamp(e, "seconds"), accurate=True), output_dir)
        if not res.ok and res.error:
            log.error(res.error)
        out.append(SyncClip(src.path, src.raw_delay_ms, res))
        if progress:
            progress(0.5 + 0.5 * len(out) / (len(others) + 1))
    return out
