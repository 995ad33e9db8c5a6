"""Analysis of one job: reference + other sources → per-source results and the job's ``Delays``
(spec analysis.md §12).

Per source (in natural order "Source 2" < "Source 10", upstream quirk §12.3 fixed): pick the audio track
(§2), correlate chunks (Phase 2), diagnose drift/stepping (§11), select the delay (§10, with the stepping
override of §12.5), add the reference's audio container delay ``S1A`` (§12.6) and set the correction flags
(§12.7). Then the global shift (§12.8) and ``Delays`` (§12.9).

Compute steps follow :func:`vsg_core.backend.active_backend` (Rust or the Python reference).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..backend import Backend, active_backend
from ..errors import VsgError
from ..log import JobLog, null_log
from ..models.enums import DiagnosisKind
from ..models.jobs import Delays
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
    insufficient_chunks_message,
    normalise_mode,
    select_delay,
)
from .streams import AudioStreamChoice, MediaInfo, identify, select_audio_stream

DRIFT_LABEL = "drift fit at 0 s"


class InsufficientChunksError(VsgError):
    """Too few chunks were accepted to produce a delay for a source (§10.1.1)."""


class Correlator(Protocol):
    """Phase 2 entry point as the job sees it: chunk records of one (reference, target) pair."""

    def __call__(self, ref: MediaInfo, ref_stream: AudioStreamChoice, target: MediaInfo,
                 target_stream: AudioStreamChoice, settings: AnalysisSettings, log: JobLog,
                 progress: Callable[[float], None] | None) -> list[ChunkResult]: ...


@dataclass(frozen=True)
class AnalysisSettings:
    """Everything the analysis step reads from the settings (spec §1 keys → fields)."""

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
    delay_ms: int | None                     # + S1A (§12.6), before the global shift
    raw_delay_ms: float | None
    error: str | None = None

    @property
    def drift_ms_per_s(self) -> float | None:
        """Slope of the raw delays (ms/s) for UNIFORM / PAL_DRIFT / LINEAR_DRIFT; None for STEPPING and
        INSUFFICIENT_DATA, whose delays no single line describes."""
        if self.diagnosis.kind in (DiagnosisKind.STEPPING, DiagnosisKind.INSUFFICIENT_DATA):
            return None
        return self.diagnosis.drift_ms_per_s

    def to_json(self) -> dict[str, Any]:
        """The per-source object of ``vsg analyze --json``."""
        return {
            "path": str(self.path),
            "delay_ms": self.delay_ms,
            "raw_delay_ms": self.raw_delay_ms,
            "diagnosis": self.diagnosis.kind.value,
            "drift_ms_per_s": self.drift_ms_per_s,
            "chunks": [c.to_dict() for c in self.chunks],
            "segments": [{"reference_start_s": g.start_s, "reference_end_s": g.end_s, "delay_ms": g.delay_ms,
                          "raw_delay_ms": g.raw_delay_ms} for g in self.diagnosis.segments],
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
            progress: Callable[[float], None] | None) -> list[ChunkResult]:
        result = correlate_files(ref.path, target.path, settings.correlation, log,
                                 ref_ordinal=ref_stream.audio_ordinal, tgt_ordinal=target_stream.audio_ordinal,
                                 backend=backend)
        return list(result.chunks)

    return run


def _source_keys(others: Sequence[str | Path] | Mapping[str, str | Path]) -> list[tuple[str, Path]]:
    if isinstance(others, Mapping):
        return [(k, Path(others[k])) for k in sort_sources(others)]
    return [(f"Source {i + 2}", Path(p)) for i, p in enumerate(others)]


def analyze_job(reference: str | Path, others: Sequence[str | Path] | Mapping[str, str | Path],
                settings: AnalysisSettings | None = None, log: JobLog | None = None, *,
                layout_audio_sources: Sequence[str] | None = None,
                layout_subtitle_sources: Sequence[str] | None = None,
                strict: bool = True, correlator: Correlator | None = None,
                progress: Callable[[float], None] | None = None, backend: Backend | None = None
                ) -> JobAnalysis:
    """Analyse ``others`` against ``reference``.

    ``others``: paths (keys "Source 2", "Source 3", … in the given order) or a mapping source key → path.
    ``layout_audio_sources`` / ``layout_subtitle_sources``: the source of every audio / subtitle item of the
    output layout (None for an analyse-only job: no global shift, no correction flags). ``strict``: raise
    :class:`InsufficientChunksError` when a source gets no delay (the pipeline's rule); with ``strict=False``
    that source keeps ``delay_ms = None`` and ``Delays`` covers only sources with a delay.
    """
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

    lg.section("Getting Source 1 Container Delays for Analysis")
    ref_info = identify(reference, lg)
    ref_stream = select_audio_stream(ref_info, st.lang_source1)
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
        info = identify(path, lg)
        stream = select_audio_stream(info, st.lang_others)
        lg.log(f"Selected streams: REF (lang='{st.lang_source1 or 'first'}', "
               f"index={ref_stream.audio_ordinal}), {key.upper()} (lang='{st.lang_others or 'first'}', "
               f"index={stream.audio_ordinal}, track_id={stream.track_id})")

        def sub_progress(f: float, n: int = n) -> None:
            if progress is not None:
                progress((n + max(0.0, min(1.0, f))) / max(1, len(targets)))

        chunks = run_corr(ref_info, ref_stream, info, stream, st, lg, sub_progress)
        diag = diagnose(chunks, drift_cfg, ref_fps=ref_info.video_fps, target_fps=info.video_fps,
                        codec_id=stream.codec_id, ref_duration_s=ref_info.duration_s, backend=be)
        for line in diag.lines:
            lg.log(line)

        sel = select_delay(chunks, st.selection_mode, first_stable_min_chunks=st.first_stable_min_chunks,
                           first_stable_skip_unstable=st.first_stable_skip_unstable,
                           min_accepted_chunks=st.min_accepted_chunks, source_key=key, backend=be)
        accepted = [c for c in chunks if c.accepted]
        rounded: int | None = None
        raw: float | None = None
        label: str | None = None
        error: str | None = None
        if sel is None:
            lg.error(f"Analysis failed: Only {len(accepted)} chunks were accepted.")
            error = insufficient_chunks_message(key, str(path), len(accepted), len(chunks),
                                                st.min_accepted_chunks, st.min_match_pct)
            if strict:
                raise InsufficientChunksError(error)
        else:
            rounded, raw, label = sel.delay_ms, sel.raw_delay_ms, sel.label
            override = False
            if diag.kind is DiagnosisKind.STEPPING:
                if st.segmented_enabled:
                    stepping_sources.append(key)
                    lg.log(f"[Stepping Detected] Found stepping in {key}")
                    if key in audio_layout:
                        seg, seg_lines = find_first_stable_segment(
                            accepted, st.stepping_first_stable_min_chunks,
                            st.stepping_first_stable_skip_unstable)
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
                    stepping_disabled.append(key)
                    lg.warning(f"[Stepping Detected] {key} has stepping, but stepping correction is disabled "
                               "(segmented_enabled = false); using the normal delay selection.")
            if not override:
                for line in sel.lines:
                    lg.log(line)
            if (diag.kind in (DiagnosisKind.PAL_DRIFT, DiagnosisKind.LINEAR_DRIFT)
                    and diag.intercept_ms is not None and diag.drift_ms_per_s is not None):
                # The chunk delays drift, so no chunk's delay is "the" delay: use the fit's delay at reference
                # time 0, the anchor the drift correction stretches the target around.
                raw = diag.intercept_ms
                rounded, label = round(raw), DRIFT_LABEL
                lg.log(f"[Drift] {key}: chunk delays change by {diag.drift_ms_per_s:+.3f} ms/s; using the fit's "
                       f"delay at reference time 0: {raw:+.3f}ms → {rounded:+d}ms.")

        final_ms = None if rounded is None else int(rounded + s1a)
        final_raw = None if raw is None else raw + s1a
        if rounded is not None and raw is not None:
            lg.log(f"[Delay Calculation] {key} delay chain:")
            lg.log(f"[Delay Calculation]   Correlation delay: {raw:+.3f}ms (raw) → {rounded:+d}ms (rounded)")
            if s1a != 0 and final_raw is not None and final_ms is not None:
                lg.log(f"[Delay Calculation]   + Container delay:  {float(s1a):+.3f}ms")
                lg.log(f"[Delay Calculation]   = Final delay:      {final_raw:+.3f}ms (raw) → "
                       f"{final_ms:+d}ms (rounded)")

        flag_key = f"{key}_{stream.track_id}"
        if diag.kind in (DiagnosisKind.PAL_DRIFT, DiagnosisKind.LINEAR_DRIFT):
            if key in audio_layout:
                target_map = pal_flags if diag.kind is DiagnosisKind.PAL_DRIFT else linear_flags
                target_map[flag_key] = {"rate": diag.drift_ms_per_s, "intercept_ms": diag.intercept_ms,
                                        "r2": diag.r2}
            elif layout_audio_sources is not None:
                lg.log(f"[{diag.kind.value}] No audio from {key} in the layout; drift correction skipped.")
        elif diag.kind is DiagnosisKind.STEPPING and final_ms is not None:
            has_audio, has_subs = key in audio_layout, key in subs_layout
            if has_audio or (has_subs and st.stepping_adjust_subtitles_no_audio):
                segment_flags[flag_key] = {
                    "base_delay": final_ms,
                    "clusters": [c for c in diag.clusters],
                    "segments": [s for s in diag.segments],
                    "valid_clusters": diag.valid_clusters,
                    "invalid_clusters": diag.invalid_clusters,
                    "correction_mode": diag.correction_mode or "full",
                    "fallback_mode": diag.fallback_mode or "nearest",
                    "subs_only": not has_audio,
                }
            elif layout_audio_sources is not None:
                lg.log(f"[Stepping] No audio or subtitles from {key} in the layout; stepping flag skipped.")

        results.append(SourceAnalysis(key, path, stream, info.video_fps, tuple(chunks), diag, sel, label,
                                      rounded, raw, final_ms, final_raw, error))
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
