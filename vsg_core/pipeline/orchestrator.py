"""One job from sources to a muxed, audited MKV (docs/pipeline.md#job-steps).

Safety rules (docs/reliability.md): sources are only read; every check (settings ranges, sources, output
policy, per-output lock) runs before anything is written, the log included; mkvmerge writes a hidden partial
file next to the final output (its name carries the owner's PID and start time), which is audited and only then
renamed over the final name, so an interrupted, failed or cancelled job never leaves a file under the output name
and an existing output is replaced only by an audited file; the job's temp folder (under ``temp_root``, owner
in its name) is always deleted, and leftovers of crashed runs are swept at the start of every job.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

from .. import cancel, identification, scratch
from ..config import Settings
from ..errors import VsgError
from ..extraction import tracks_by_source
from ..jobs.discovery import JobSpec
from ..jobs.layout import Layout, default_layout
from ..log import JobLog, LogCallback
from ..mux import json_log_block, pretty_log_block, run_mkvmerge, write_options_file
from ..progress import ProgressEvent, ProgressReporter, progress_scope, report_phase
from ..setting_ranges import validate_settings
from ..tools import require
from . import background, preflight, steps, validators
from .audit import audit_output
from .context import JobContext
from .correction_step import correction_step
from .output_policy import OutputError, OutputLock, OutputPlan, prepare_folder, resolve_output
from .result import ANALYZED, AUDIT_FAILED, CANCELLED, FAILED, MERGED, AuditReport, JobResult, SourceReport
from .segment_audit import audit_corrected_segments

__all__ = ["OutputError", "output_path_for", "run_job"]


def output_path_for(job: JobSpec, output_dir: Path, output_file: Path | None = None, *,
                    overwrite: bool = False) -> Path:
    """The checked final file: ``output_file`` or ``<output_dir>/<Source 1 stem>.mkv`` (see output_policy)."""
    return resolve_output(job.reference, job.sources, output_dir=output_dir, output_file=output_file,
                          overwrite=overwrite).final


def run_job(job: JobSpec, settings: Settings | None = None, *, output_dir: Path | None = None,
            output_file: Path | str | None = None, layout: Layout | None = None, analyze_only: bool = False,
            log_callbacks: list[LogCallback] | None = None, progress: Callable[[float], None] | None = None,
            cancel_token: cancel.CancelToken | None = None, audit: bool = True,
            overwrite: bool = False,
            on_progress: Callable[[ProgressEvent], None] | None = None,
            manual_delays: dict[str, float] | None = None) -> JobResult:
    """Run one job. Never raises for job failures: they come back as ``status == "Failed"`` with ``error``.

    ``overwrite``: replace an existing output (after the new file passed its audit). Off, an existing output
    fails the job before anything runs; the GUI asks the user and passes True only when they agreed.
    ``progress`` receives the job's fraction (0–1, reaching 1.0 only when the job finished); ``on_progress``
    structured events (phase, source, chunk) for a progress display. ``manual_delays``: source → delay (ms)
    given by the user (``vsg sync --delay``) instead of measuring it.
    """
    st = settings or Settings()
    # absolute paths: a file named "-x.mkv" or "@x.mkv" can never reach a tool as an option
    job = JobSpec({k: Path(os.path.abspath(p)) for k, p in job.sources.items()})
    out_dir = Path(output_dir) if output_dir is not None else (
        Path(output_file).parent if output_file is not None else Path(st["output_folder"]))
    result = JobResult(FAILED, job.reference.name, job.reference)
    reporter = ProgressReporter(on_progress, progress, analyze_only)
    prog = reporter.job_fraction
    # --- checks: nothing is written before they all passed
    try:
        plan, lock, swept = _preflight(job, st, out_dir, output_file, layout, analyze_only, overwrite)
    except VsgError as e:
        result.error = str(e)
        return result
    try:
        log = JobLog(plan.log, log_callbacks, progress=prog)
    except OSError as e:
        lock.release()
        result.error = f"cannot write the job log {plan.log}: {e.strerror or e}"
        return result
    result.log_path = log.path
    final = None if analyze_only else plan.final
    temp_dir: Path | None = None
    partial: Path | None = None
    prepared: background.Background | None = None
    with cancel.cancel_scope(cancel_token), identification.job_scope() as media, progress_scope(reporter):
        try:
            # every source's mkvmerge -J and ffprobe at once, in the background (docs/identification.md)
            identification.start_prefetch(list(job.sources.values()))
            log.raw(f"=== Starting Job: {job.reference.name} ===")
            for p in swept:
                log.log(f"[Cleanup] removed a leftover of an earlier vsg run that ended abnormally: {p}")
            prog(0.0)
            temp_dir = scratch.mkdtemp(f"job-{job.reference.stem}", Path(st["temp_root"]))
            if final is not None:
                partial = final.with_name(scratch.partial_name(final))
            scratch.write_marker(temp_dir, partial=partial, lock=lock.path)
            if final is not None and layout is None:
                layout = _default_layout(job, log)
            ctx = JobContext(job, st, log, temp_dir, plan.final.parent, final, layout, prog, media, reporter=reporter,
                             manual_delays=dict(manual_delays or {}))
            # what needs only the sources is prepared while the audio is analysed (background.py)
            ctx.background = prepared = background.start(ctx)

            _analysis(ctx, result)
            if final is None or partial is None:
                log.raw("--- Analysis Complete (No Merge) ---")
                result.status = ANALYZED
                prog(1.0)
                return result
            _processing(ctx, partial)
            _mux(ctx, temp_dir, partial)
            if audit:
                result.audit = _audit(ctx, partial)
            cancel.check()
            _publish(ctx, plan, partial, result)
            partial = None
            prog(1.0)
        except Exception as e:  # a job never raises: cancel, failure or bug come back in the result
            _record_failure(result, e, log, plan, Path(st["temp_root"]))
        finally:
            if prepared is not None:   # stopped and idle before its files are deleted
                prepared.close()
            if partial is not None:
                partial.unlink(missing_ok=True)
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
            lock.release()
            log.raw("=== Job Finished ===")
            log.close()
            if log.write_error and result.status in (MERGED, ANALYZED):
                result.warnings.append(f"the job log {plan.log} is incomplete: {log.write_error}")
    return result


# ---------------------------------------------------------------------------------------- the steps of run_job

def _default_layout(job: JobSpec, log: JobLog) -> Layout:
    """The default track layout of a merge job given none (`vsg batch`, the queue), checked for a video track."""
    tracks = tracks_by_source(job.sources, log)
    layout = default_layout(tracks)
    why = preflight.reference_video_check(tracks, layout)
    if why:
        raise OutputError(why)
    return layout


def _analysis(ctx: JobContext, result: JobResult) -> None:
    """The analysis phase; the per-source reports and the global shift go into ``result`` at once, so an
    analyse-only job and a job that fails later both report the delays."""
    _phase(ctx, "Analysis", steps.analysis_step, validators.validate_analysis)
    result.sources = _source_reports(ctx)
    result.global_shift_ms = ctx.delays.global_shift_ms if ctx.delays is not None else 0
    ctx.progress(0.40)


def _processing(ctx: JobContext, partial: Path) -> None:
    """Extraction, audio correction, subtitles, chapters, attachments and the merge plan."""
    _phase(ctx, "Extraction", steps.extraction_step, validators.validate_extraction)
    _phase(ctx, "Audio Correction", correction_step, lambda _c: None)
    ctx.progress(0.50)
    _phase(ctx, "Subtitle Processing", steps.subtitles_step, validators.validate_subtitles)
    _optional_phase(ctx, "Chapters", steps.chapters_step)
    ctx.progress(0.60)
    _optional_phase(ctx, "Attachments", steps.attachments_step)
    _phase(ctx, "Merge Planning", lambda c: steps.mux_plan_step(c, partial), validators.validate_mux)
    ctx.progress(0.75)


def _mux(ctx: JobContext, temp_dir: Path, partial: Path) -> None:
    """Write the options file (logged when asked) and run mkvmerge into the partial file."""
    opts = temp_dir / "opts.json"
    write_options_file(ctx.tokens, opts)
    if ctx.settings["log_show_options_json"]:
        ctx.log.log(json_log_block(ctx.tokens))
    if ctx.settings["log_show_options_pretty"]:
        ctx.log.log(pretty_log_block(ctx.tokens))
    cancel.check()
    ctx.log.section("Mux")
    report_phase("Mux")
    run_mkvmerge(opts, ctx.log, output_file=partial)
    cancel.check()
    ctx.progress(0.90)


def _audit(ctx: JobContext, partial: Path) -> AuditReport:
    """The post-mux audit of the new file under its partial name (an existing output is replaced only after
    it), plus the segment audit of corrected tracks."""
    report_phase("Audit")
    st = ctx.settings
    report = audit_output(partial, ctx.items, ctx.log, tolerance_ms=float(st["audit_tolerance_ms"]),
                          max_shortfall_s=float(st["audit_max_shortfall_s"]))
    if ctx.corrections:
        extra = audit_corrected_segments(partial, ctx.items, ctx.corrections,
                                         ctx.delays.global_shift_ms if ctx.delays else 0, ctx.log)
        if extra:
            report = dataclasses.replace(report, issues=report.issues + tuple(extra))
    return report


def _publish(ctx: JobContext, plan: OutputPlan, partial: Path, result: JobResult) -> None:
    """Rename the partial file to the output name (an existing output only when the new file passed its
    audit) and set the result: MERGED, or AUDIT_FAILED when the audit found a track off."""
    final = plan.final
    audit = result.audit
    if plan.replaces and audit is not None and not audit.ok:
        raise OutputError(f"the new file did not pass its audit ({'; '.join(audit.issues)}); "
                          f"the earlier {final.name} was kept unchanged")
    os.replace(partial, final)
    result.output = final
    ctx.log.raw(f"[SUCCESS] Output file created: {final}"
                + (" (the earlier file of that name was replaced)" if plan.replaces else ""))
    result.corrections = [c.to_json() for c in ctx.corrections]
    result.warnings = list(ctx.warnings) + (list(audit.issues) if audit else [])
    if audit is not None and not audit.ok:
        result.status = AUDIT_FAILED
        result.error = f"audit failed: {audit.issues[0]}" + (
            f" (and {len(audit.issues) - 1} more)" if len(audit.issues) > 1 else "")
        ctx.log.raw(f"[AUDIT FAILED] {final} was written but is not right: see the audit above")
    else:
        result.status = MERGED


def _record_failure(result: JobResult, e: BaseException, log: JobLog, plan: OutputPlan, temp_root: Path) -> None:
    """A cancelled or failed job: status, a message naming the cause (and a full disk), the log line.

    A job whose cancel token fired is cancelled, whatever error a step raised on its way out (a step that
    wraps the cancellation into its own error, e.g. "decode failed: … cancelled …", must not turn a cancel
    into a failure)."""
    cause = _cancellation(e)
    if cause is not None or cancel.cancelled():
        why = str(cause) if cause is not None else (cancel.current().reason if cancel.current() else str(e))
        result.status, result.error = CANCELLED, why
        log.raw(f"[FATAL ERROR] Job cancelled: {why}")
    elif isinstance(e, VsgError):
        result.status, result.error = FAILED, str(e) + _space_hint(plan.final.parent, temp_root)
        log.raw(f"[FATAL ERROR] Job failed: {result.error}")
    elif isinstance(e, OSError):  # disk full, permission changed under us …: name the file and the reason
        where = f" ({e.filename})" if e.filename else ""
        result.status, result.error = FAILED, f"{e.strerror or e}{where}" + _space_hint(plan.final.parent, temp_root)
        log.raw(f"[FATAL ERROR] Job failed: {result.error}")
    else:  # a bug: keep the details in the log, report the job as failed
        result.status, result.error = FAILED, f"{type(e).__name__}: {e}"
        log.raw(f"[FATAL ERROR] Job failed: {type(e).__name__}: {e}\n{traceback.format_exc()}")


def _cancellation(e: BaseException | None) -> cancel.Cancelled | None:
    """The Cancelled error ``e`` is or was raised from (its cause/context chain), if any."""
    seen = 0
    while e is not None and seen < 20:
        if isinstance(e, cancel.Cancelled):
            return e
        e = e.__cause__ or e.__context__
        seen += 1
    return None


LOW_SPACE_BYTES = 16 << 20


def _space_hint(*folders: Path) -> str:
    """A note naming each folder whose file system is (nearly) full: tools report a full disk in odd words."""
    notes = []
    for f in dict.fromkeys(folders):
        try:
            st = os.statvfs(f)
        except OSError:
            continue
        free = st.f_bavail * st.f_frsize
        if free < LOW_SPACE_BYTES:
            notes.append(f"{f} has only {free // 1024} KiB free")
    if not notes:
        return ""
    return " — no space left on device: " + "; ".join(notes) + " (free some space or choose another folder)"


def _preflight(job: JobSpec, st: Settings, out_dir: Path, output_file: Path | str | None, layout: Layout | None,
               analyze_only: bool, overwrite: bool) -> tuple[OutputPlan, OutputLock, list[str]]:
    validate_settings(st, str(st.path) if st.path else "")
    preflight.check_sources(job.sources)
    require("ffmpeg", "ffprobe", "mkvmerge", "mkvextract")
    plan = resolve_output(job.reference, job.sources, output_dir=out_dir if output_file is None else None,
                          output_file=output_file, overwrite=overwrite, analyze_only=analyze_only)
    if layout is not None and not analyze_only:
        preflight.check_layout(layout, job.sources)
        preflight.check_output_kind(plan.final, layout)
    temp_root = scratch.ensure_root(Path(st["temp_root"]))
    scratch.configure(temp_root)
    prepare_folder(plan.final.parent)
    lock = OutputLock(plan.final).acquire()
    swept = scratch.sweep(temp_root) + scratch.sweep_folder(plan.final.parent)
    return plan, lock, swept


def _phase(ctx: JobContext, name: str, step: Callable[[JobContext], None],
           validator: Callable[[JobContext], None]) -> None:
    cancel.check()
    ctx.log.raw(f"--- {name} Phase ---")
    report_phase(name)
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
    report_phase(name)
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
            chunks=tuple(c.to_dict() for c in s.chunks),
            segments=tuple(dataclasses.asdict(seg) for seg in s.diagnosis.segments),
            chunk_delay_ms=s.correlation_raw_delay_ms))
    return out
