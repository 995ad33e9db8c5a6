"""``vsg analyze REF OTHER [OTHER…]``: measure each release's delay against the reference.

Human output (stdout): per source the chunk table (time, delay, match %, accepted), the chosen delay (rounded
and raw) and the drift/stepping diagnosis. ``--json``: exactly one JSON object on stdout,
``{"sources": [{"path", "delay_ms", "raw_delay_ms", "diagnosis", "drift_ms_per_s", "chunks": [...]}, ...]}``.
Delays follow vsg's sign convention (docs/analysis.md#sign-convention: the value to add to that source; the
reference's audio container delay included; for PAL_DRIFT / LINEAR_DRIFT the drift fit's delay at reference time
0). ``drift_ms_per_s`` is the slope of the chunk delays (null for STEPPING and INSUFFICIENT_DATA). Log lines go to
stderr (``--quiet`` silences them); ``Progress: N%`` goes to stderr when it is a terminal. Exit status 1 when a
source got no delay (too few accepted chunks).
"""

from __future__ import annotations

import argparse
import contextvars
import dataclasses
import json
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.correlation_options import METHOD_NAMES, method_key
from ..analysis.selection import MODE_ALIASES, SELECTION_MODES, normalise_mode
from ..backend import active_backend
from ..cancel import cancel_scope
from ..config import DEFAULTS, Settings, adapters
from ..errors import SettingsError
from ..log import JobLog, progress_line
from ..setting_ranges import check_value

if TYPE_CHECKING:  # the analysis stack (numpy, scipy, scikit-learn) loads only when a command runs
    from ..analysis.job import AnalysisSettings, JobAnalysis, SourceAnalysis


def _method(value: str) -> str:
    v = value.strip()
    low = v.lower().replace("-", "_").replace(" ", "_")
    if v in METHOD_NAMES or low in METHOD_NAMES or v in METHOD_NAMES.values():
        return method_key(v)
    raise argparse.ArgumentTypeError(
        f"unknown method {value!r}; use one of {', '.join(METHOD_NAMES)} or a full name such as "
        f"{METHOD_NAMES['gcc_phat']!r}")


def _mode(value: str) -> str:
    if value in SELECTION_MODES or value.strip().lower() in MODE_ALIASES:
        return normalise_mode(value)
    raise argparse.ArgumentTypeError(
        f"unknown selection mode {value!r}; use one of {', '.join(MODE_ALIASES)} or a full name such as "
        f"{SELECTION_MODES[0]!r}")


def _pct(value: str) -> float:
    v = float(value)
    if not 0.0 <= v <= 100.0:
        raise argparse.ArgumentTypeError(f"{value} is not a percentage between 0 and 100")
    return v


def _positive_int(value: str) -> int:
    v = int(value)
    if v < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return v


def _positive_float(value: str) -> float:
    v = float(value)
    if not v > 0:
        raise argparse.ArgumentTypeError(f"{value} must be greater than 0")
    return v


def _nonneg_float(value: str) -> float:
    v = float(value)
    if not 0 <= v <= 3600:
        raise argparse.ArgumentTypeError(f"{value} must be between 0 and 3600 seconds")
    return v


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    d = DEFAULTS
    p = subparsers.add_parser(
        "analyze", help="measure the audio delay (and drift) of releases against a reference",
        description="Correlate the audio of each OTHER release with the reference REF in chunks, choose a "
                    "delay and diagnose drift or stepping. A positive delay means the release must be shifted "
                    "later (mkvmerge --sync TID:+delay). Every analysis setting comes from the settings file "
                    "(as for vsg sync); the options below override it for this run.")
    p.add_argument("reference", type=Path, metavar="REF", help="the reference release (Source 1)")
    p.add_argument("others", type=Path, nargs="+", metavar="OTHER", help="releases to measure (Source 2, 3, …)")
    p.add_argument("--settings", type=Path, help="settings file (default: ~/.config/vsg/settings.json)")
    p.add_argument("--method", type=_method,
                   help=f"correlation method: {', '.join(METHOD_NAMES)} (default: setting correlation_method, "
                        f"{method_key(d['correlation_method'])})")
    p.add_argument("--selection-mode", type=_mode,
                   help="delay selection: mode, clustered, average, first-stable (default: setting "
                        "delay_selection_mode)")
    p.add_argument("--chunks", type=_positive_int,
                   help=f"number of chunks (default: setting scan_chunk_count, {d['scan_chunk_count']})")
    p.add_argument("--chunk-duration", type=_positive_float, metavar="S",
                   help=f"chunk length in seconds (default: setting scan_chunk_duration, "
                        f"{d['scan_chunk_duration']:g})")
    p.add_argument("--scan-start", type=_pct, metavar="PCT",
                   help=f"scan window start, %% of the reference duration (default: setting scan_start_percentage, "
                        f"{d['scan_start_percentage']:g})")
    p.add_argument("--scan-end", type=_pct, metavar="PCT",
                   help=f"scan window end, %% of the reference duration (default: setting scan_end_percentage, "
                        f"{d['scan_end_percentage']:g})")
    p.add_argument("--reach", type=_nonneg_float, metavar="S",
                   help="search each chunk over ±S seconds of the other release when the chunks do not agree "
                        f"around 0 (default: setting analysis_reach_s, {d['analysis_reach_s']:g}; 0 = off)")
    p.add_argument("--min-match", type=_pct, metavar="PCT",
                   help=f"minimum confidence %% for a chunk to count (default: setting min_confidence_pct, "
                        f"{d['min_confidence_pct']:g})")
    p.add_argument("--ref-lang", metavar="LANG",
                   help="language of the reference's analysis track (default: setting analysis_lang_source1; "
                        "empty = its first audio track)")
    p.add_argument("--lang", metavar="LANG",
                   help="language of the other releases' analysis track (default: setting analysis_lang_others; "
                        "empty = their first audio track)")
    p.add_argument("--backend", choices=("rust", "python"), default=argparse.SUPPRESS,
                   help="compute backend (default: rust when vsg_core_rs is installed; env VSG_BACKEND)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of tables")
    p.add_argument("-q", "--quiet", action="store_true", help="no log lines on stderr")
    return p


# command-line option → AnalysisSettings / CorrelationOptions field it overrides
_OVERRIDES = (("method", "correlation", "method"), ("chunks", "correlation", "chunk_count"),
              ("chunk_duration", "correlation", "chunk_duration_s"), ("scan_start", "correlation", "scan_start_pct"),
              ("scan_end", "correlation", "scan_end_pct"), ("min_match", "correlation", "min_match_pct"),
              ("reach", "correlation", "reach_s"),
              ("selection_mode", None, "selection_mode"), ("ref_lang", None, "lang_source1"),
              ("lang", None, "lang_others"))


def settings_from_args(args: argparse.Namespace, settings: Settings | None = None) -> AnalysisSettings:
    """The analysis settings of the settings file (``settings``; default: loaded as ``vsg sync`` does), with
    the options given on the command line applied on top."""
    if settings is None:
        settings = Settings.load(args.settings) if getattr(args, "settings", None) else Settings.load()
        for w in settings.warnings:
            print(w, file=sys.stderr)
    st = adapters.analysis_settings(settings)
    corr: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for option, part, field in _OVERRIDES:
        value = getattr(args, option, None)
        if value is not None:
            (corr if part == "correlation" else top)[field] = value
    if "chunk_duration_s" in corr:  # the drift diagnosis sizes clusters by the chunk length actually used
        top["drift"] = dataclasses.replace(st.drift, chunk_duration_s=corr["chunk_duration_s"])
    return dataclasses.replace(st, correlation=dataclasses.replace(st.correlation, **corr), **top)


def _fmt_opt(v: float | None, spec: str, none: str = "n/a") -> str:
    return none if v is None else format(v, spec)


def render_source(src: SourceAnalysis, chunk_count: int) -> list[str]:
    s = src.stream
    fps = f", {src.fps:.3f} fps" if src.fps else ""
    out = [f"{src.key}: {src.path}", f"  audio track {s.track_id} ({s.language}, {s.codec_id}){fps}",
           "  Chunk      Time     Delay      Raw delay    Match  Accepted"]
    reach = any(c.coarse_delay_ms is not None for c in src.chunks)   # the coarse search ran (docs/reach.md)
    if reach:
        out[-1] += "  Coarse position"
    for c in src.chunks:
        line = (f"  {c.index:>3}/{chunk_count:<3} {c.start_s:>7.1f}s {c.delay_ms:>+7d} ms "
                f"{c.raw_delay_ms:>+11.3f} ms {c.match_pct:>6.1f}%  {'yes' if c.accepted else 'no'}")
        if reach:
            line += ("       none" if c.coarse_delay_ms is None else f"  {c.coarse_delay_ms / 1000.0:>+10.3f} s")
        out.append(line)
    if not src.chunks:
        out.append("  (no chunk fits inside both files)")
    d = src.diagnosis
    if src.delay_ms is not None and src.raw_delay_ms is not None:
        out.append(f"  Delay: {src.delay_ms:+d} ms (raw {src.raw_delay_ms:+.3f} ms), {src.label}")
    else:
        out.append(f"  Delay: none — {src.error.splitlines()[0] if src.error else 'too few accepted chunks'}")
    line = f"  Diagnosis: {d.kind.value}"
    if src.drift_ms_per_s is not None:
        line += f", drift {src.drift_ms_per_s:+.4f} ms/s"
        if d.r2 is not None:
            line += f" (R² {d.r2:.3f})"
    out.append(line)
    if d.reason:
        out.append(f"    {d.reason}")
    for seg in d.segments:
        out.append(f"    {seg.start_s:8.1f}s – {seg.end_s:8.1f}s: {seg.delay_ms:+d} ms "
                   f"(raw {seg.raw_delay_ms:+.3f} ms)")
    if d.outlier_chunks:
        out.append(f"  Outlier chunks (off the fitted line): {', '.join(str(i) for i in d.outlier_chunks)}")
    cov = src.coverage
    if cov is not None:
        ref = "?" if cov.ref_duration_s is None else f"{cov.ref_duration_s:.1f} s"
        out.append(f"  Coverage: reference {cov.start_s:.1f}–{cov.end_s:.1f} s of {ref}"
                   + (" — PARTIAL (truncated file, sample or shorter cut)" if cov.partial else ""))
    return out


def render(job: JobAnalysis, chunk_count: int) -> str:
    r = job.reference_stream
    fps = f", {job.reference_fps:.3f} fps" if job.reference_fps else ""
    lines = [f"Reference: {job.reference}", f"  audio track {r.track_id} ({r.language}, {r.codec_id}){fps}"
             + (f", container delay {job.s1a_ms:+d} ms (audio relative to video, included below)"
                if job.s1a_ms else "")]
    for src in job.sources:
        lines.append("")
        lines.extend(render_source(src, chunk_count))
    return "\n".join(lines)


def to_json(job: JobAnalysis) -> dict[str, Any]:
    return {"sources": [s.to_json() for s in job.sources]}


def check_args(args: argparse.Namespace, settings: AnalysisSettings) -> None:
    """Ranges of the analysis flags and the sources, before anything is decoded."""
    from ..pipeline.preflight import check_sources

    for flag, key, value in (("--chunks", "scan_chunk_count", args.chunks),
                             ("--chunk-duration", "scan_chunk_duration", args.chunk_duration),
                             ("--min-match", "min_confidence_pct", args.min_match)):
        why = None if value is None else check_value(key, value)
        if why:
            raise SettingsError(f"{flag} {value:g} {why}")
    corr = settings.correlation
    if not corr.scan_start_pct < corr.scan_end_pct:
        start = "--scan-start" if args.scan_start is not None else "setting scan_start_percentage"
        end = "--scan-end" if args.scan_end is not None else "setting scan_end_percentage"
        raise SettingsError(f"{start} {corr.scan_start_pct:g} must be smaller than {end} {corr.scan_end_pct:g}")
    sources = {"Source 1": args.reference} | {f"Source {i + 2}": p for i, p in enumerate(args.others)}
    check_sources({k: Path(os.path.abspath(p)) for k, p in sources.items()})


def run(args: argparse.Namespace) -> int:
    from ..cli import cancel_token
    from ..identification import job_scope, prefetch

    quiet = bool(args.quiet)
    tty = sys.stderr.isatty()
    last = [-1]

    def to_stderr(line: str) -> None:
        if not quiet:
            if tty and last[0] >= 0:
                sys.stderr.write("\n")
                last[0] = -1
            print(line, file=sys.stderr, flush=True)

    def progress(fraction: float) -> None:
        if not tty:
            return
        pct = round(max(0.0, min(1.0, fraction)) * 100)
        if pct != last[0]:
            sys.stderr.write("\r" + progress_line(pct))
            sys.stderr.flush()
            last[0] = pct

    log = JobLog(callbacks=[to_stderr])
    reference = Path(os.path.abspath(args.reference))
    others = [Path(os.path.abspath(p)) for p in args.others]
    try:
        with cancel_scope(cancel_token(args)), job_scope():
            # every file's mkvmerge -J and ffprobe run while the settings load and the analysis imports (one
            # identification per file: the job finds them in this scope's cache); errors are reported by
            # the step that needs the file, after the settings were checked
            early = threading.Thread(target=contextvars.copy_context().run,
                                     args=(prefetch, [reference, *others], log), daemon=True)
            early.start()
            try:
                settings = settings_from_args(args)
                check_args(args, settings)
                backend = active_backend()
                from ..analysis.correlate import keep_freed_memory
                from ..analysis.job import analyze_job

                keep_freed_memory()          # one analysis, then the process ends
            finally:
                early.join()
            job = analyze_job(reference, others, settings, log, strict=False, progress=progress,
                              backend=backend)
    finally:
        if tty and last[0] >= 0:
            sys.stderr.write("\n")
        log.close()
    if args.json:
        sys.stdout.write(json.dumps(to_json(job), indent=2, ensure_ascii=False) + "\n")
    else:
        print(render(job, settings.correlation.chunk_count))
    failed = [s for s in job.sources if s.delay_ms is None]
    for s in failed:
        print(f"vsg: error: {s.error}", file=sys.stderr)
    return 1 if failed else 0
