"""One job from sources to a muxed, audited MKV (spec pipeline_ui.md §6–§7).

Safety rules: sources are only read; mkvmerge writes a hidden partial file next to the final output, which is
renamed into place only after mkvmerge succeeded, so an interrupted, failed or cancelled job never leaves a file
under the output name; the job's temp folder is always deleted; an output path that is one of the sources is
refused.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from .. import cancel
from ..config import Settings
from ..errors import VsgError
from ..extraction import tracks_by_source
from ..jobs.discovery import JobSpec
from ..jobs.layout import Layout, default_layout
from ..log import JobLog, LogCallback
from ..mux import json_log_block, pretty_log_block, run_mkvmerge, write_options_file
from ..tools import require
from . import steps, validators
from .audit import audit_output
from .context import JobContext
from .correction_step import correction_step
from .result import ANALYZED, CANCELLED, FAILED, MERGED, JobResult, SourceReport
from .segment_audit import audit_corrected_segments


class OutputError(VsgError):
    pass


def output_path_for(job: JobSpec, output_dir: Path, output_file: Path | None = None) -> Path:
    """The final file: ``output_file`` or ``<output_dir>/<Source 1 stem>.mkv`` (always Matroska)."""
    final = Path(output_file) if output_file is not None else Path(output_dir) / f"{job.reference.stem}.mkv"
    if final.suffix.lower() not in (".mkv", ".mka", ".mk3d"):
        final = final.with_suffix(".mkv")
    for key, src in job.sources.items():
        if final.resolve() == Path(src).resolve():
            raise OutputError(f"the output {final} would overwrite {key}; choose another output folder or name")
    return final


def partial_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial-{os.getpid()}.mkv")


def run_job(job: JobSpec, settings: Settings | None = None, *, output_dir: Path | None = None,
            output_file: Path | None = None, layout: Layout | None = None, analyze_only: bool = False,
            log_callbacks: list[LogCallback] | None = None, progress: Callable[[float], None] | None = None,
            cancel_token: cancel.CancelToken | None = None, audit: bool = True) -> JobResult:
    """Run one job. Never raises for job failures: they come back as ``status == "Failed"`` with ``error``."""
    st = settings or Settings()
    out_dir = Path(output_dir) if output_dir is not None else (
        Path(output_file).parent if output_file is not None else Path(st["output_folder"]))
    result = JobResult(FAILED, job.reference.name, job.reference)
    prog = progress or (lambda _f: None)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        result.error = f"cannot create the output folder {out_dir}: {e.strerror}"
        return result
    log = JobLog(out_dir / f"{job.reference.stem}.log", log_callbacks, progress=prog)
    result.log_path = log.path
    temp_root = Path(st["temp_root"])
    temp_dir: Path | None = None
    final: Path | None = None
    partial: Path | None = None
    with cancel.cancel_scope(cancel_token):
        try:
            require("ffmpeg", "ffprobe", "mkvmerge", "mkvextract")
            final = None if analyze_only else output_path_for(job, out_dir, output_file)
            log.raw(f"=== Starting Job: {job.reference.name} ===")
            prog(0.0)
            temp_root.mkdir(parents=True, exist_ok=True)
            temp_dir = Path(tempfile.mkdtemp(prefix=f"vsg_{job.reference.stem[:40]}_", dir=temp_root))
            if final is not None and layout is None:
                layout = default_layout(tracks_by_source(job.sources, log))
            ctx = JobContext(job, st, log, temp_dir, out_dir, final, layout, prog)

            _phase(ctx, "Analysis", steps.analysis_step, validators.validate_analysis)
            result.sources = _source_reports(ctx)
            result.global_shift_ms = ctx.delays.global_shift_ms if ctx.delays is not None else 0
            prog(0.40)
            if final is None:
                log.raw("--- Analysis Complete (No Merge) ---")
                result.status = ANALYZED
                prog(1.0)
                return result

            _phase(ctx, "Extraction", steps.extraction_step, validators.validate_extraction)
            _phase(ctx, "Audio Correction", correction_step, lambda _c: None)
            prog(0.50)
            _phase(ctx, "Subtitle Processing", steps.subtitles_step, validators.validate_subtitles)
            _optional_phase(ctx, "Chapters", steps.chapters_step)
            prog(0.60)
            _optional_phase(ctx, "Attachments", steps.attachments_step)
            partial = partial_path(final)
            _phase(ctx, "Merge Planning", lambda c: steps.mux_plan_step(c, partial), validators.validate_mux)
            prog(0.75)
            opts = temp_dir / "opts.json"
            write_options_file(ctx.tokens, opts)
            if st["log_show_options_json"]:
                log.log(json_log_block(ctx.tokens))
            if st["log_show_options_pretty"]:
                log.log(pretty_log_block(ctx.tokens))
            cancel.check()
            log.section("Mux")
            run_mkvmerge(opts, log, output_file=partial)
            cancel.check()
            os.replace(partial, final)
            partial = None
            result.output = final
            log.raw(f"[SUCCESS] Output file created: {final}")
            prog(0.90)
            if audit:
                result.audit = audit_output(final, ctx.items, log)
                if ctx.corrections:
                    extra = audit_corrected_segments(final, ctx.items, ctx.corrections,
                                                     ctx.delays.global_shift_ms if ctx.delays else 0, log)
                    if extra:
                        result.audit = dataclasses.replace(result.audit, issues=result.audit.issues + tuple(extra))
            result.corrections = [c.to_json() for c in ctx.corrections]
            result.warnings = list(ctx.warnings) + (list(result.audit.issues) if result.audit else [])
            result.status = MERGED
            prog(1.0)
        except cancel.Cancelled as e:
            result.status, result.error = CANCELLED, str(e)
            log.raw(f"[FATAL ERROR] Job cancelled: {e}")
        except VsgError as e:
            result.status, result.error = FAILED, str(e)
            log.raw(f"[FATAL ERROR] Job failed: {e}")
        except Exception as e:  # a bug: keep the details in the log, report the job as failed
            result.status, result.error = FAILED, f"{type(e).__name__}: {e}"
            log.raw(f"[FATAL ERROR] Job failed: {type(e).__name__}: {e}\n{traceback.format_exc()}")
        finally:
            if partial is not None:
                partial.unlink(missing_ok=True)
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
            log.raw("=== Job Finished ===")
            log.close()
    return result


def _phase(ctx: JobContext, name: str, step: Callable[[JobContext], None],
           validator: Callable[[JobContext], None]) -> None:
    cancel.check()
    ctx.log.raw(f"--- {name} Phase ---")
    try:
        step(ctx)
    except (cancel.Cancelled, validators.ValidationError):
        raise
    except VsgError as e:
        ctx.log.raw(f"[FATAL] {name} phase failed: {e}")
        raise
    try:
        validator(ctx)
    except validators.ValidationError as e:
        ctx.log.raw(f"[FATAL] {name} validation failed: {e}")
        raise
    ctx.log.raw(f"[Validation] {name} phase validated successfully.")


def _optional_phase(ctx: JobContext, name: str, step: Callable[[JobContext], None]) -> None:
    cancel.check()
    ctx.log.raw(f"--- {name} Phase ---")
    try:
        step(ctx)
    except cancel.Cancelled:
        raise
    except VsgError as e:
        ctx.warn(f"{name} phase had issues (non-fatal): {e}")
    ctx.log.raw(f"[Validation] {name} phase completed.")


def _source_reports(ctx: JobContext) -> list[SourceReport]:
    a = ctx.analysis
    if a is None:
        return []
    out = []
    delays = ctx.delays
    for s in a.sources:
        acc = [c for c in s.chunks if c.accepted]
        delay = delays.source_delays_ms.get(s.key) if delays is not None else s.delay_ms
        raw = delays.raw_source_delays_ms.get(s.key) if delays is not None else s.raw_delay_ms
        out.append(SourceReport(
            key=s.key, path=s.path, delay_ms=delay if delay is not None else s.delay_ms,
            raw_delay_ms=raw if raw is not None else s.raw_delay_ms,
            diagnosis=s.diagnosis.kind.value, drift_ms_per_s=s.drift_ms_per_s,
            accepted_chunks=len(acc), total_chunks=len(s.chunks),
            mean_match_pct=(sum(c.match_pct for c in acc) / len(acc)) if acc else None,
            chunks=tuple(c.to_dict() for c in s.chunks)))
    return out
