"""Analysis of one job: reference + other sources → per-source results and the job's ``Delays``
(docs/analysis.md#container-delays).

Per source (in natural order "Source 2" < "Source 10", docs/analysis.md#sync-mode-and-global-shift): pick the audio
track (docs/analysis.md#stream-selection), correlate chunks (Phase 2), diagnose drift/stepping
(docs/analysis.md#drift-and-stepping), select the delay (docs/analysis.md#delay-selection, with the stepping override
of docs/analysis.md#delay-selection), add the reference's audio container delay ``S1A``
(docs/analysis.md#container-delays) and set the correction flags (docs/analysis.md#drift-and-stepping). Then the global
shift (docs/analysis.md#sync-mode-and-global-shift) and ``Delays`` (docs/analysis.md#delays).

Compute steps follow :func:`vsg_core.backend.active_backend` (Rust or the Python reference).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..backend import Backend, active_backend
from ..errors import VsgError
from ..identification import job_scope, prefetch
from ..log import JobLog, null_log
from ..models.enums import DiagnosisKind
from ..models.jobs import Delays
from ..progress import report_source
from .container_delays import ContainerDelays, read_container_delays, source1_log_lines
from .drift import Diagnosis, DriftConfig, diagnose
from .global_shift import (
    GlobalShift,
    build_delays,
    compute_global_shift,
    decide_sync_mode,
    sort_sources,
)
from .records import ChunkResult
from .selection import (
    MODE_MOST_COMMON,
    SelectionResult,
    find_first_stable_segment,
    normalise_mode,
    select_delay,
)
from .streams import AudioStreamChoice, MediaInfo, identify, normalise_language, select_audio_stream

DRIFT_LABEL = "drift fit at 0 s"


class InsufficientChunksError(VsgError):
    """Too few chunks were accepted to produce a delay for a source (docs/analysis.md#delay-selection)."""


class NoMatchError(InsufficientChunksError):
    """A source's audio does not match the reference (diagnosis NO_MATCH or INSUFFICIENT_DATA)."""


@dataclass(frozen=True)
class SourceCorrelation:
    """What the correlation of one pair gives the job: the chunk records and the decoded extents."""

    chunks: list[ChunkResult]
    ref_decoded_s: float | None = None     # the reference's audio ended here (None: as its container says)
    tgt_decoded_s: float | None = None     # the target's audio ended here (None: as its container says)
    skipped_chunks: tuple[int, ...] = ()   # chunks outside the decoded audio (never correlated)


@dataclass(frozen=True)
class Coverage:
    """How much of the reference a source's audio covers (reference timeline, seconds)."""

    ref_duration_s: float | None
    tgt_duration_s: float | None
    start_s: float
    end_s: float
    partial: bool
    skipped_chunks: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


COVERAGE_PARTIAL = 0.97    # a source covering less than this share of the reference is reported as partial


class Correlator(Protocol):
    """Phase 2 entry point as the job sees it: chunk records of one (reference, target) pair."""

    def __call__(self, ref: MediaInfo, ref_stream: AudioStreamChoice, target: MediaInfo,
                 target_stream: AudioStreamChoice, settings: AnalysisSettings, log: JobLog,
                 progress: Callable[[float], None] | None) -> SourceCorrelation: ...


@dataclass(frozen=True)
class AnalysisSettings:
    """Everything the analysis step reads from the settings (docs/settings.md#reference keys → fields)."""

    correlation: Any = None                   # vsg_core.analysis.correlation_options.CorrelationOptions
    selection_mode: str = MODE_MOST_COMMON
    first_stable_min_chunks: int = 3
    first_stable_skip_unstable: bool = True
    min_accepted_chunks: int = 3
    drift: DriftConfig = field(default_factory=DriftConfig)
    lang_source1: str = ""
    lang_others: str = ""
    sync_mode: str = "positive_only"
    segmented_enabled: bool = False
    stepping_first_stable_min_chunks: int = 3
    stepping_first_stable_skip_unstable: bool = True
    stepping_adjust_subtitles_no_audio: bool = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> AnalysisSettings:
        from .correlation_options import CorrelationOptions

        d = cls()
        return cls(
            correlation=CorrelationOptions.from_settings(dict(settings)),
            selection_mode=str(settings.get("delay_selection_mode", d.selection_mode)),
            first_stable_min_chunks=int(settings.get("first_stable_min_chunks", d.first_stable_min_chunks)),
            first_stable_skip_unstable=bool(settings.get("first_stable_skip_unstable",
                                                         d.first_stable_skip_unstable)),
            min_accepted_chunks=int(settings.get("min_accepted_chunks", d.min_accepted_chunks)),
            drift=DriftConfig.from_settings(settings),
            lang_source1=str(settings.get("analysis_lang_source1", "") or ""),
            lang_others=str(settings.get("analysis_lang_others", "") or ""),
            sync_mode=str(settings.get("sync_mode", d.sync_mode)),
            segmented_enabled=bool(settings.get("segmented_enabled", d.segmented_enabled)),
            stepping_first_stable_min_chunks=int(settings.get("stepping_first_stable_min_chunks",
                                                              d.stepping_first_stable_min_chunks)),
            stepping_first_stable_skip_unstable=bool(settings.get("stepping_first_stable_skip_unstable",
                                                                  d.stepping_first_stable_skip_unstable)),
            stepping_adjust_subtitles_no_audio=bool(settings.get("stepping_adjust_subtitles_no_audio",
                                                                 d.stepping_adjust_subtitles_no_audio)),
        )

    @property
    def min_match_pct(self) -> float:
        return float(getattr(self.correlation, "min_match_pct", 5.0))


@dataclass(frozen=True)
class SourceAnalysis:
    """The analysis of one non-reference source."""

    key: str
    path: Path
    stream: AudioStreamChoice
    fps: float | None
    chunks: tuple[ChunkResult, ...]
    diagnosis: Diagnosis
    selection: SelectionResult | None        # None: too few accepted chunks
    label: str | None                        # how the delay was chosen ('mode', …, 'first segment')
    correlation_delay_ms: int | None         # chosen delay before the container-delay chain
    correlation_raw_delay_ms: float | None
    delay_ms: int | None                     # + S1A (docs/analysis.md#container-delays), before the global shift
    raw_delay_ms: float | None
    error: str | None = None
    coverage: Coverage | None = None
    manual: bool = False                     # delay given by the user (--delay); not measured

    @property
    def drift_ms_per_s(self) -> float | None:
        """Slope of the raw delays (ms/s) for UNIFORM / PAL_DRIFT / LINEAR_DRIFT; None for STEPPING and
        INSUFFICIENT_DATA, whose delays no single line describes."""
        if self.diagnosis.kind in (DiagnosisKind.STEPPING, DiagnosisKind.INSUFFICIENT_DATA,
                                   DiagnosisKind.NO_MATCH):
            return None
        return self.diagnosis.drift_ms_per_s

    def to_json(self) -> dict[str, Any]:
        """The per-source object of ``vsg analyze --json``."""
        return {
            "path": str(self.path),
            "delay_ms": self.delay_ms,
            "raw_delay_ms": self.raw_delay_ms,
            "diagnosis": self.diagnosis.kind.value,
            "diagnosis_reason": self.diagnosis.reason,
            "drift_ms_per_s": self.drift_ms_per_s,
            "outlier_chunks": list(self.diagnosis.outlier_chunks),
            "segments": [dataclasses.asdict(sg) for sg in self.diagnosis.segments],
            "coverage": None if self.coverage is None else self.coverage.to_json(),
            "manual_delay": self.manual,
            "error": self.error,
            "chunks": [c.to_dict() for c in self.chunks],
        }


@dataclass(frozen=True)
class JobAnalysis:
    reference: Path
    reference_stream: AudioStreamChoice
    reference_fps: float | None
    container_delays: ContainerDelays
    s1a_ms: int
    sources: tuple[SourceAnalysis, ...]
    sync_mode: str
    shift: GlobalShift
    delays: Delays | None                       # None when a source has no delay (analyse-only)
    pal_flags: dict[str, dict[str, Any]] = field(default_factory=dict)
    linear_flags: dict[str, dict[str, Any]] = field(default_factory=dict)
    segment_flags: dict[str, dict[str, Any]] = field(default_factory=dict)
    stepping_sources: tuple[str, ...] = ()
    stepping_detected_disabled: tuple[str, ...] = ()


def default_correlator(backend: Backend | None = None) -> Correlator:
    """The Phase 2 engine (``correlate.correlate_files``), imported lazily."""
    from .correlate import correlate_files

    def run(ref: MediaInfo, ref_stream: AudioStreamChoice, target: MediaInfo,
            target_stream: AudioStreamChoice, settings: AnalysisSettings, log: JobLog,
            progress: Callable[[float], None] | None) -> SourceCorrelation:
        from .correlation_options import SR

        result = correlate_files(ref.path, target.path, settings.correlation, log,
                                 ref_ordinal=ref_stream.audio_ordinal, tgt_ordinal=target_stream.audio_ordinal,
                                 backend=backend)
        tgt_end = result.tgt_decoded
        if tgt_end is not None and result.speed is not None:
            tgt_end = round(tgt_end / result.speed)     # back from the slowed-down timeline
        return SourceCorrelation(list(result.chunks),
                                 None if result.ref_decoded is None else result.ref_decoded / SR,
                                 None if tgt_end is None else tgt_end / SR, result.skipped_chunks)

    return run


def _source_keys(others: Sequence[str | Path] | Mapping[str, str | Path]) -> list[tuple[str, Path]]:
    if isinstance(others, Mapping):
        return [(k, Path(others[k])) for k in sort_sources(others)]
    return [(f"Source {i + 2}", Path(p)) for i, p in enumerate(others)]


def _warn_unmatched_language(lg: JobLog, key: str, wanted: str | None, stream: AudioStreamChoice) -> None:
    """The analysis language setting names a language this file has no audio track in: say which track is
    analysed instead (docs/analysis.md#stream-selection)."""
    if wanted and normalise_language(wanted) is not None and not stream.language_matched:
        lg.warning(f"{key}: no audio track in language '{wanted.strip()}'; its first audio track, "
                   f"{stream.describe()}, is analysed instead")


def analyze_job(reference: str | Path, others: Sequence[str | Path] | Mapping[str, str | Path],
                settings: AnalysisSettings | None = None, log: JobLog | None = None, *,
                layout_audio_sources: Sequence[str] | None = None,
                layout_subtitle_sources: Sequence[str] | None = None,
                strict: bool = True, correlator: Correlator | None = None,
                progress: Callable[[float], None] | None = None, backend: Backend | None = None,
                manual_delays: Mapping[str, float] | None = None,
                required_sources: Collection[str] | None = None) -> JobAnalysis:
    """Analyse ``others`` against ``reference``.

    ``others``: paths (keys "Source 2", "Source 3", … in the given order) or a mapping source key → path.
    ``layout_audio_sources`` / ``layout_subtitle_sources``: the source of every audio / subtitle item of the
    output layout (None for an analyse-only job: no global shift, no correction flags). ``strict``: raise
    :class:`InsufficientChunksError` when a source gets no delay (the pipeline's rule); with ``strict=False``
    that source keeps ``delay_ms = None`` and ``Delays`` covers only sources with a delay. A source whose
    diagnosis is NO_MATCH or INSUFFICIENT_DATA gets no delay (:class:`NoMatchError` names the file and the
    likely cause). ``manual_delays``: source key → delay in ms given by the user; that source is not
    correlated and is muxed with this delay. ``required_sources``: with ``strict``, only a failure of one of
    these sources raises (None: every source); the others are reported and left without a delay.
    """
    # one mkvmerge -J and one ffprobe per file even when no pipeline opened a job scope (``vsg analyze``):
    # the correlation's audio_info reads the ffprobe run of identify (measured: 2 ffprobe runs per file)
    from .decode import keep_whole_decodes

    with job_scope(), keep_whole_decodes():
        return _analyze_job(reference, others, settings, log, layout_audio_sources=layout_audio_sources,
                            layout_subtitle_sources=layout_subtitle_sources, strict=strict,
                            correlator=correlator, progress=progress, backend=backend,
                            manual_delays=manual_delays, required_sources=required_sources)


def _analyze_job(reference: str | Path, others: Sequence[str | Path] | Mapping[str, str | Path],
                 settings: AnalysisSettings | None, log: JobLog | None, *,
                 layout_audio_sources: Sequence[str] | None, layout_subtitle_sources: Sequence[str] | None,
                 strict: bool, correlator: Correlator | None, progress: Callable[[float], None] | None,
                 backend: Backend | None, manual_delays: Mapping[str, float] | None,
                 required_sources: Collection[str] | None) -> JobAnalysis:
    manual = dict(manual_delays or {})
    st = settings or AnalysisSettings()
    if st.correlation is None:
        from .correlation_options import CorrelationOptions

        st = dataclasses.replace(st, correlation=CorrelationOptions())
    lg = log or null_log()
    be: Backend = backend or active_backend()
    run_corr = correlator or default_correlator(be)
    targets = _source_keys(others)

    decision = decide_sync_mode(st.sync_mode, layout_audio_sources)
    for line in decision.lines:
        lg.log(line)

    prefetch([reference, *(p for _, p in targets)], lg)   # every file's identification at once
    lg.section("Getting Source 1 Container Delays for Analysis")
    ref_info = identify(reference, lg)
    ref_stream = select_audio_stream(ref_info, st.lang_source1)
    _warn_unmatched_language(lg, "Source 1", st.lang_source1, ref_stream)
    cdel = read_container_delays(ref_info.tracks)
    s1a = cdel.relative_audio(ref_stream.track_id)
    for line in source1_log_lines(ref_info.tracks, cdel, ref_stream.track_id):
        lg.log(line)

    if not targets:
        lg.section("Analysis Phase: Skipped (Remux-only mode - no sync sources)")
        return JobAnalysis(Path(reference), ref_stream, ref_info.video_fps, cdel, s1a, (), decision.mode,
                           GlobalShift(0, 0.0, ()), Delays.empty())

    lg.section("Running Audio Correlation Analysis")
    corr = st.correlation
    lg.log(f"[Analysis Config] Correlation: {getattr(corr, 'method_name', corr)}; delay selection: "
           f"{normalise_mode(st.selection_mode)}; {getattr(corr, 'chunk_count', '?')} chunks of "
           f"{float(getattr(corr, 'chunk_duration_s', 0.0)):g} s between {float(getattr(corr, 'scan_start_pct', 0)):g} "
           f"and {float(getattr(corr, 'scan_end_pct', 0)):g} %; minimum match {st.min_match_pct:g} %")
    audio_layout = set(layout_audio_sources or ())
    subs_layout = set(layout_subtitle_sources or ())
    results: list[SourceAnalysis] = []
    pal_flags: dict[str, dict[str, Any]] = {}
    linear_flags: dict[str, dict[str, Any]] = {}
    segment_flags: dict[str, dict[str, Any]] = {}
    stepping_sources: list[str] = []
    stepping_disabled: list[str] = []
    chunk_s = float(getattr(st.correlation, "chunk_duration_s", st.drift.chunk_duration_s))
    drift_cfg = dataclasses.replace(st.drift, chunk_duration_s=chunk_s,
                                    min_accepted_chunks=st.min_accepted_chunks)

    for n, (key, path) in enumerate(targets):
        lg.raw("")
        lg.log(f"[Analyzing {key}]")
        report_source(key, n, len(targets))
        info = identify(path, lg)
        stream = select_audio_stream(info, st.lang_others)
        _warn_unmatched_language(lg, key, st.lang_others, stream)
        lg.log(f"Selected streams: REF (lang='{st.lang_source1 or 'first'}', "
               f"index={ref_stream.audio_ordinal}), {key.upper()} (lang='{st.lang_others or 'first'}', "
               f"index={stream.audio_ordinal}, track_id={stream.track_id})")

        def sub_progress(f: float, n: int = n) -> None:
            if progress is not None:
                progress((n + max(0.0, min(1.0, f))) / max(1, len(targets)))

        if key in manual:
            mraw = float(manual[key])
            lg.log(f"[Manual Delay] {key}: {mraw:+.3f} ms given by the user; correlation skipped.")
            results.append(SourceAnalysis(
                key, path, stream, info.video_fps, (), manual_diagnosis(mraw), None, "given by the user",
                round(mraw), mraw, int(round(mraw) + s1a), mraw + s1a, None, None, True))
            continue
        corr_out = run_corr(ref_info, ref_stream, info, stream, st, lg, sub_progress)
        chunks = corr_out.chunks
        diag = diagnose(chunks, drift_cfg, ref_fps=ref_info.video_fps, target_fps=info.video_fps,
                        codec_id=stream.codec_id, ref_duration_s=ref_info.duration_s, backend=be)
        for line in diag.lines:
            lg.log(line)
        if getattr(st.correlation, "profile", "vsg") != "spec":
            from .short_segments import recover_short_segments  # runs of 1–2 chunks (docs/diagnosis.md)

            diag = recover_short_segments(diag, chunks, ref_info.path, ref_stream.audio_ordinal, path,
                                          stream.audio_ordinal, chunk_s, ref_info.duration_s,
                                          drift_cfg.stepping_correction_mode, lg)
        if diag.kind is DiagnosisKind.STEPPING and getattr(st.correlation, "profile", "vsg") != "spec":
            from .coarse import locate_boundaries  # every step to ±0.5 s by a dense scan (docs/reach.md)

            diag = locate_boundaries(diag, chunks, ref_info.path, ref_stream.audio_ordinal, path,
                                     stream.audio_ordinal, chunk_s, lg)

        sel = select_delay(chunks, st.selection_mode, first_stable_min_chunks=st.first_stable_min_chunks,
                           first_stable_skip_unstable=st.first_stable_skip_unstable,
                           min_accepted_chunks=st.min_accepted_chunks, source_key=key, backend=be)
        rounded: int | None = None
        raw: float | None = None
        label: str | None = None
        error: str | None = None
        refused = diag.kind in (DiagnosisKind.NO_MATCH, DiagnosisKind.INSUFFICIENT_DATA)
        if sel is None or refused:
            error = no_match_message(key, path, diag, chunks, st, info, stream, ref_info, corr_out)
            for line in error.splitlines():
                lg.error(line)
            if strict and (required_sources is None or key in required_sources):
                raise NoMatchError(error)
            sel = None
        else:
            if diag.kind is DiagnosisKind.STEPPING:
                (stepping_sources if st.segmented_enabled else stepping_disabled).append(key)
            rounded, raw, label = _chosen_delay(key, sel, diag, chunks, st, key in audio_layout, lg)

        final_ms = None if rounded is None else int(rounded + s1a)
        final_raw = None if raw is None else raw + s1a
        _log_delay_chain(lg, key, rounded, raw, final_ms, final_raw, s1a)
        _correction_flags(lg, key, f"{key}_{stream.track_id}", diag, final_ms, st, audio_layout, subs_layout,
                          layout_audio_sources is not None, pal_flags, linear_flags, segment_flags)

        slope = diag.drift_ms_per_s if diag.kind in (DiagnosisKind.PAL_DRIFT, DiagnosisKind.LINEAR_DRIFT) else None
        cov = coverage(ref_info, info, corr_out, raw, slope)
        for line in coverage_lines(key, cov):
            lg.log(line)
        results.append(SourceAnalysis(key, path, stream, info.video_fps, tuple(chunks), diag, sel, label,
                                      rounded, raw, final_ms, final_raw, error, cov))
        if progress is not None:
            progress((n + 1) / max(1, len(targets)))

    final = {r.key: (r.delay_ms, r.raw_delay_ms) for r in results
             if r.delay_ms is not None and r.raw_delay_ms is not None}
    shift = compute_global_shift(final, list(layout_audio_sources or ()),  # type: ignore[arg-type]
                                 cdel.audio_relative_ms.values(), decision.shift_required)
    for line in shift.lines:
        lg.log(line)
    delays, lines = build_delays(final, shift, decision.mode)  # type: ignore[arg-type]
    for line in lines:
        lg.log(line)
    return JobAnalysis(Path(reference), ref_stream, ref_info.video_fps, cdel, s1a, tuple(results),
                       decision.mode, shift, delays, pal_flags, linear_flags, segment_flags,
                       tuple(stepping_sources), tuple(stepping_disabled))


# ------------------------------------------------------------------------------------- the steps of analyze_job

def _chosen_delay(key: str, sel: SelectionResult, diag: Diagnosis, chunks: Sequence[ChunkResult],
                  st: AnalysisSettings, audio_in_layout: bool, lg: JobLog) -> tuple[int, float, str]:
    """The (rounded, raw, label) delay of a matched source: the selection's, except for stepping (the first
    segment: docs/analysis.md#delay-selection) and drift (the fit's delay at reference time 0)."""
    rounded, raw, label = sel.delay_ms, sel.raw_delay_ms, sel.label
    override = False
    if diag.kind is DiagnosisKind.STEPPING:
        if st.segmented_enabled:
            lg.log(f"[Stepping Detected] Found stepping in {key}")
            if audio_in_layout:
                accepted = [c for c in chunks if c.accepted]
                seg, seg_lines = find_first_stable_segment(
                    accepted, st.stepping_first_stable_min_chunks, st.stepping_first_stable_skip_unstable)
                for line in seg_lines:
                    lg.log(line)
                if seg is not None:
                    rounded, raw = seg.delay_ms, seg.raw_delay_ms
                    label, override = "first segment", True
                    lg.log(f"[Stepping Override] Using first segment's delay: {rounded:+d}ms "
                           f"(raw: {raw:.3f}ms)")
                    lg.log("[Stepping Override] The correction phase aligns the later segments to "
                           "this base delay.")
                    lg.log(f"{key} delay determined: {rounded:+d} ms "
                           "(first segment, stepping corrected).")
            else:
                lg.log(f"[Stepping Detected] No audio from {key} in the layout; stepping correction "
                       "will not run, using the normal delay selection.")
        else:
            lg.warning(f"[Stepping Detected] {key} has stepping, but stepping correction is disabled "
                       "(segmented_enabled = false); using the normal delay selection.")
    if not override:
        for line in sel.lines:
            lg.log(line)
    if diag.kind is DiagnosisKind.STEPPING and diag.segments and label != "first segment":
        # The base delay of a stepping source is its first segment's (the correction aligns the
        # later segments to it), also when a later segment holds more chunks.
        first_seg = diag.segments[0]
        rounded, raw, label = first_seg.delay_ms, first_seg.raw_delay_ms, "first segment"
        lg.log(f"[Stepping] {key}: base delay = first segment's ({first_seg.start_s:.1f}–"
               f"{first_seg.end_s:.1f} s): {raw:+.3f}ms → {rounded:+d}ms; segments: "
               + ", ".join(f"{sg.delay_ms:+d} ms from {sg.start_s:.1f} s" for sg in diag.segments))
    if (diag.kind in (DiagnosisKind.PAL_DRIFT, DiagnosisKind.LINEAR_DRIFT)
            and diag.intercept_ms is not None and diag.drift_ms_per_s is not None):
        # The chunk delays drift, so no chunk's delay is "the" delay: use the fit's delay at reference
        # time 0, the anchor the drift correction stretches the target around.
        raw = diag.intercept_ms
        rounded, label = round(raw), DRIFT_LABEL
        lg.log(f"[Drift] {key}: chunk delays change by {diag.drift_ms_per_s:+.3f} ms/s; using the fit's "
               f"delay at reference time 0: {raw:+.3f}ms → {rounded:+d}ms.")
    return rounded, raw, label


def _log_delay_chain(lg: JobLog, key: str, rounded: int | None, raw: float | None, final_ms: int | None,
                     final_raw: float | None, s1a: int) -> None:
    """The correlation delay plus Source 1's audio container delay (docs/analysis.md#container-delays)."""
    if rounded is None or raw is None:
        return
    lg.log(f"[Delay Calculation] {key} delay chain:")
    lg.log(f"[Delay Calculation]   Correlation delay: {raw:+.3f}ms (raw) → {rounded:+d}ms (rounded)")
    if s1a != 0 and final_raw is not None and final_ms is not None:
        lg.log(f"[Delay Calculation]   + Container delay:  {float(s1a):+.3f}ms")
        lg.log(f"[Delay Calculation]   = Final delay:      {final_raw:+.3f}ms (raw) → "
               f"{final_ms:+d}ms (rounded)")


def _correction_flags(lg: JobLog, key: str, flag_key: str, diag: Diagnosis, final_ms: int | None,
                      st: AnalysisSettings, audio_layout: set[str], subs_layout: set[str], has_layout: bool,
                      pal_flags: dict[str, dict[str, Any]], linear_flags: dict[str, dict[str, Any]],
                      segment_flags: dict[str, dict[str, Any]]) -> None:
    """The per-track correction flags (``"<source>_<track id>"``) of a drifting or stepping source whose
    tracks are in the layout (docs/analysis.md#drift-and-stepping)."""
    if diag.kind in (DiagnosisKind.PAL_DRIFT, DiagnosisKind.LINEAR_DRIFT):
        if key in audio_layout:
            target_map = pal_flags if diag.kind is DiagnosisKind.PAL_DRIFT else linear_flags
            target_map[flag_key] = {"rate": diag.drift_ms_per_s, "intercept_ms": diag.intercept_ms,
                                    "r2": diag.r2}
        elif has_layout:
            lg.log(f"[{diag.kind.value}] No audio from {key} in the layout; drift correction skipped.")
    elif diag.kind is DiagnosisKind.STEPPING and final_ms is not None:
        has_audio, has_subs = key in audio_layout, key in subs_layout
        if has_audio or (has_subs and st.stepping_adjust_subtitles_no_audio):
            segment_flags[flag_key] = {
                "base_delay": final_ms,
                "clusters": list(diag.clusters),
                "segments": list(diag.segments),
                "valid_clusters": diag.valid_clusters,
                "invalid_clusters": diag.invalid_clusters,
                "correction_mode": diag.correction_mode or "full",
                "fallback_mode": diag.fallback_mode or "nearest",
                "subs_only": not has_audio,
            }
        elif has_layout:
            lg.log(f"[Stepping] No audio or subtitles from {key} in the layout; stepping flag skipped.")


def manual_diagnosis(raw_ms: float) -> Diagnosis:
    """The diagnosis recorded for a source whose delay the user gave (no chunk was correlated)."""
    return Diagnosis(DiagnosisKind.UNIFORM, 0, None, raw_ms, None, None, None, False, None,
                     reason="delay given by the user (--delay); not measured")


def coverage(ref: MediaInfo, tgt: MediaInfo, corr: SourceCorrelation, delay_ms: float | None,
             drift_ms_per_s: float | None = None) -> Coverage:
    """The part of the reference timeline the target's decoded audio covers.

    Durations are the decoded ends when a file's audio ended early (truncated file), else the container
    durations. With a delay d (t_ref = t_tgt + d) the target covers [max(0, d), min(ref, tgt + d)]; with a
    drift r (delay = d + r·t_ref) its end maps to t_ref = (tgt + d) / (1 − r/1000).
    """
    ref_s = corr.ref_decoded_s if corr.ref_decoded_s is not None else ref.duration_s
    if corr.ref_decoded_s is not None and ref.duration_s is not None:
        ref_s = min(corr.ref_decoded_s, ref.duration_s)
    tgt_s = tgt.duration_s
    if corr.tgt_decoded_s is not None:
        tgt_s = corr.tgt_decoded_s if tgt_s is None else min(tgt_s, corr.tgt_decoded_s)
    d = (delay_ms or 0.0) / 1000.0
    start = max(0.0, d)
    scale = 1.0 / (1.0 - drift_ms_per_s / 1000.0) if drift_ms_per_s else 1.0
    end = (tgt_s + d) * scale if tgt_s is not None else (ref_s or 0.0)
    full = ref.duration_s if ref.duration_s is not None else ref_s
    if full is not None:
        end = min(end, full)
    partial = bool(full) and (end - start) < COVERAGE_PARTIAL * float(full or 0.0)
    if ref_s is not None and ref.duration_s is not None and ref_s < COVERAGE_PARTIAL * ref.duration_s:
        partial = True
    return Coverage(ref_s, tgt_s, start, max(start, end), partial, corr.skipped_chunks)


def coverage_lines(key: str, cov: Coverage) -> list[str]:
    def f(v: float | None) -> str:
        return "?" if v is None else f"{v:.1f} s"

    lines = [f"[Coverage] {key}: audio {f(cov.tgt_duration_s)}, reference audio {f(cov.ref_duration_s)}; "
             f"covers the reference from {cov.start_s:.1f} s to {cov.end_s:.1f} s."]
    if cov.skipped_chunks:
        lines.append(f"[Coverage] Chunks outside the decoded audio, not correlated: "
                     f"{', '.join(str(i) for i in cov.skipped_chunks)}")
    if cov.partial:
        lines.append(f"[WARNING] [Coverage] {key} covers only part of the reference "
                     f"({cov.start_s:.1f}–{cov.end_s:.1f} s): truncated file, sample or a shorter cut.")
    return lines


def no_match_message(key: str, path: Path, diag: Diagnosis, chunks: Sequence[ChunkResult],
                     st: AnalysisSettings, info: MediaInfo, stream: AudioStreamChoice, ref: MediaInfo,
                     corr: SourceCorrelation) -> str:
    """Why a source cannot be synced, naming the file, the diagnosis and the likely cause."""
    n = len(chunks)
    accepted = sum(1 for c in chunks if c.accepted)
    silent = sum(1 for c in chunks if c.match_pct == 0.0)
    causes: list[str] = []
    tgt_s = corr.tgt_decoded_s if corr.tgt_decoded_s is not None else info.duration_s
    if ref.duration_s and tgt_s is not None and tgt_s < 0.5 * ref.duration_s:
        causes.append(f"the file is too short: its audio lasts {tgt_s:.1f} s, the reference's "
                      f"{ref.duration_s:.1f} s (truncated download or sample)")
    if corr.ref_decoded_s is not None and ref.duration_s and corr.ref_decoded_s < 0.5 * ref.duration_s:
        causes.append(f"the reference is truncated: its audio ends at {corr.ref_decoded_s:.1f} s")
    if n and silent >= 0.5 * n:
        causes.append(f"the audio track is silent or nearly silent ({silent} of {n} chunks below "
                      f"{getattr(st.correlation, 'silence_db', -60.0):g} dBFS)")
    langs = sorted({str(t.get("properties", {}).get("language", "und")) for t in info.audio_tracks})
    if len(info.audio_tracks) > 1:
        causes.append(f"the wrong audio track was picked: track {stream.track_id} was used, the file has "
                      f"{len(info.audio_tracks)} audio tracks ({', '.join(langs)}); set the analysis language")
    if not causes or (len(causes) == 1 and causes[0].startswith("the wrong")):
        causes.append("a different programme (another episode, film or cut)")
        reach = float(getattr(st.correlation, "reach_s", 0.0) or 0.0)
        causes.append(f"an offset or cut longer than the reach (±{reach:g} s): raise the setting "
                      "analysis_reach_s" if reach > 0 else
                      "an offset or cut beyond the ±15 s chunk search: set analysis_reach_s (0 turns the "
                      "coarse search off)")
    return (f"{key} ({path}) cannot be synced: {diag.kind.value} — {diag.reason}. "
            f"{accepted} of {n} chunks matched (confidence >= {st.min_match_pct:g}).\n"
            f"Likely cause: {'; or '.join(causes)}.\n"
            f"What to do: check that the file is the same programme as the reference, pick its audio track, "
            f"or give the delay by hand (vsg sync --delay {key.split()[-1]}=+1234.5) or leave its tracks out.")
