"""Type stubs for vsg_core_rs, the compiled compute core of vsg (PyO3 + maturin).

tests/unit/test_rust_stub.py checks that every public name of the real module is declared here with
matching parameter names, and that nothing is declared here that the module lacks.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

# --- logging (shared formats) ---
def format_log_message(level: str, msg: str) -> str: ...
def timestamp_prefix(hours: int, minutes: int, seconds: int, msg: str) -> str: ...
def section(name: str) -> str: ...
def progress_line(percent: float) -> str: ...
def tail_block(stream: str, text: str, lines: int) -> str | None: ...

# --- models (Phase 1) ---
# Mirrors vsg_core.models (same fields, defaults, JSON keys, rules and error messages).
# Errors: ValueError for bad values/JSON (naming record and field), TypeError for wrong Python types in
# constructors/setters, KeyError from Delays.delay_for/raw_delay_for. Records pickle/copy via their JSON.
# Unlike the Python dataclasses, list/dict fields of PlanItem return copies: assign a new value to change one.

MAX_DELAY_MS: int

class TrackType:
    VIDEO: TrackType
    AUDIO: TrackType
    SUBTITLES: TrackType
    @property
    def value(self) -> str: ...
    @property
    def name(self) -> str: ...
    @staticmethod
    def from_value(value: str) -> TrackType: ...

class AnalysisMode:
    AUDIO: AnalysisMode
    VIDEO: AnalysisMode
    @property
    def value(self) -> str: ...
    @property
    def name(self) -> str: ...
    @staticmethod
    def from_value(value: str) -> AnalysisMode: ...

class SnapMode:
    PREVIOUS: SnapMode
    NEAREST: SnapMode
    @property
    def value(self) -> str: ...
    @property
    def name(self) -> str: ...
    @staticmethod
    def from_value(value: str) -> SnapMode: ...

class StepStatus:
    PENDING: StepStatus
    RUNNING: StepStatus
    SUCCESS: StepStatus
    WARNING: StepStatus
    SKIPPED: StepStatus
    FAILED: StepStatus
    @property
    def value(self) -> str: ...
    @property
    def name(self) -> str: ...
    @staticmethod
    def from_value(value: str) -> StepStatus: ...

class CorrectionVerdict:
    UNIFORM: CorrectionVerdict
    STEPPED: CorrectionVerdict
    FAILED: CorrectionVerdict
    @property
    def value(self) -> str: ...
    @property
    def name(self) -> str: ...
    @staticmethod
    def from_value(value: str) -> CorrectionVerdict: ...

class DiagnosisKind:
    UNIFORM: DiagnosisKind
    STEPPING: DiagnosisKind
    PAL_DRIFT: DiagnosisKind
    LINEAR_DRIFT: DiagnosisKind
    INSUFFICIENT_DATA: DiagnosisKind
    NO_MATCH: DiagnosisKind
    @property
    def value(self) -> str: ...
    @property
    def name(self) -> str: ...
    @staticmethod
    def from_value(value: str) -> DiagnosisKind: ...

class StreamProps:
    def __init__(
        self,
        codec_id: str,
        lang: str = "und",
        name: str = "",
        audio_channels: int | None = None,
        audio_sampling_frequency: int | None = None,
    ) -> None: ...
    @property
    def codec_id(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def audio_channels(self) -> int | None: ...
    @property
    def audio_sampling_frequency(self) -> int | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_dict(data: dict[str, Any]) -> StreamProps: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> StreamProps: ...
    def __hash__(self) -> int: ...

class Track:
    def __init__(
        self,
        source: str,
        id: int,
        type: TrackType | str,
        props: StreamProps,
        container_delay_ms: int = 0,
    ) -> None: ...
    @property
    def source(self) -> str: ...
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> TrackType: ...
    @property
    def props(self) -> StreamProps: ...
    @property
    def container_delay_ms(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_dict(data: dict[str, Any]) -> Track: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Track: ...
    def __hash__(self) -> int: ...

class Attachment:
    def __init__(self, id: int, file_name: str, out_path: str | None = None) -> None: ...
    @property
    def id(self) -> int: ...
    @property
    def file_name(self) -> str: ...
    @property
    def out_path(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_dict(data: dict[str, Any]) -> Attachment: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Attachment: ...
    def __hash__(self) -> int: ...

class Delays:
    """Source keys are kept sorted (the Python reference keeps insertion order; equality ignores order)."""

    def __init__(
        self,
        source_delays_ms: dict[str, int] | None = None,
        raw_source_delays_ms: dict[str, float] | None = None,
        global_shift_ms: int = 0,
        raw_global_shift_ms: float = 0.0,
    ) -> None: ...
    @property
    def source_delays_ms(self) -> dict[str, int]: ...
    @property
    def raw_source_delays_ms(self) -> dict[str, float]: ...
    @property
    def global_shift_ms(self) -> int: ...
    @property
    def raw_global_shift_ms(self) -> float: ...
    @staticmethod
    def empty() -> Delays: ...
    def delay_for(self, source: str) -> int: ...
    def raw_delay_for(self, source: str) -> float: ...
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_dict(data: dict[str, Any]) -> Delays: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Delays: ...

class PlanItem:
    def __init__(
        self,
        track: Track,
        extracted_path: str | None = None,
        is_default: bool = False,
        is_forced_display: bool = False,
        apply_track_name: bool = False,
        convert_to_ass: bool = False,
        rescale: bool = False,
        size_multiplier: float = 1.0,
        style_patch: dict[str, Any] | None = None,
        user_modified_path: str | None = None,
        sync_to: str | None = None,
        is_preserved: bool = False,
        is_corrected: bool = False,
        correction_source: str | None = None,
        perform_ocr: bool = False,
        perform_ocr_cleanup: bool = False,
        container_delay_ms: int = 0,
        custom_lang: str = "",
        custom_name: str = "",
        aspect_ratio: str | None = None,
        stepping_adjusted: bool = False,
        is_generated: bool = False,
        generated_source_track_id: int | None = None,
        generated_source_path: str | None = None,
        generated_filter_mode: str = "exclude",
        generated_filter_styles: list[str] = ...,
        generated_original_style_list: list[str] = ...,
        generated_verify_only_lines_removed: bool = True,
        skip_frame_validation: bool = False,
        sync_exclusion_styles: list[str] = ...,
        sync_exclusion_mode: str = "exclude",
        sync_exclusion_original_style_list: list[str] = ...,
        frame_adjusted: bool = False,
        framelocked_stats: dict[str, Any] | None = None,
        source_path: str | None = None,
    ) -> None: ...
    track: Track
    extracted_path: str | None
    is_default: bool
    is_forced_display: bool
    apply_track_name: bool
    convert_to_ass: bool
    rescale: bool
    size_multiplier: float
    style_patch: dict[str, Any] | None
    user_modified_path: str | None
    sync_to: str | None
    is_preserved: bool
    is_corrected: bool
    correction_source: str | None
    perform_ocr: bool
    perform_ocr_cleanup: bool
    container_delay_ms: int
    custom_lang: str
    custom_name: str
    aspect_ratio: str | None
    stepping_adjusted: bool
    is_generated: bool
    generated_source_track_id: int | None
    generated_source_path: str | None
    generated_filter_mode: str
    generated_filter_styles: list[str]
    generated_original_style_list: list[str]
    generated_verify_only_lines_removed: bool
    skip_frame_validation: bool
    sync_exclusion_styles: list[str]
    sync_exclusion_mode: str
    sync_exclusion_original_style_list: list[str]
    frame_adjusted: bool
    framelocked_stats: dict[str, Any] | None
    source_path: str | None
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_dict(data: dict[str, Any]) -> PlanItem: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> PlanItem: ...

# --- analysis: correlation (Phase 2) ---
# Python side: vsg_core.analysis.correlate (dispatches here for the four FFT methods).
def correlate_chunks(
    refs: list[npt.NDArray[np.float32]],
    targets: list[npt.NDArray[np.float32]],
    method: str,
    *,
    vsg: bool = True,
    exact_fft_length: bool = False,
    peak_fit: bool = True,
    mask_db: float | None = 60.0,
    smooth_hz: float = 20.0,
    taper: float = 0.1,
    pearson_scc: bool = True,
    stable_confidence: bool = True,
    distinct_confidence: bool = True,
    silence_db: float = -60.0,
) -> list[tuple[int, float, float]]:
    """(lag, raw_lag, confidence) per chunk for method scc / gcc_phat / gcc_scot / gcc_whiten.
    refs[i] has length L, targets[i] length L (same window) or L + 2M (window ±M); lag = t_ref − t_tgt
    in samples. Arrays are read without copying; chunks run in parallel with the GIL released; float64."""
    ...

def place_chunks(
    n_ref: int, n_tgt: int, count: int, duration_s: float, start_pct: float, end_pct: float
) -> list[tuple[int, float, int, int]]:
    """In-bounds chunks (docs/analysis.md#chunk-placement) as (index, start_s, start, length)."""
    ...

def peak_confidence(a: npt.NDArray[np.float64], k: int) -> float:
    """Peak-normalised confidence (docs/analysis.md#confidence) of magnitudes a at index k."""
    ...

def fast_len(n: int) -> int:
    """Smallest 2^a·3^b·5^c >= n."""
    ...

def coarse_search(
    span: npt.NDArray[np.float32],
    chunks: Sequence[npt.NDArray[np.float32]],
    ranges: Sequence[tuple[int, int]],
    lobe: int,
    rate: float,
    smooth_hz: float,
    mask_db: float,
    taper: float,
    silence_db: float,
) -> list[tuple[int, float]]:
    """Reach: (position, distinct-peak confidence) of each chunk inside span, chunk i within ranges[i]."""
    ...

# --- analysis: selection and drift (Phase 3) ---
# `chunks`: any sequence of objects with the ChunkResult attributes
# (index, start_s, delay_ms, raw_delay_ms, match_pct, accepted).
class SelectionResult:
    """One target's delay (vsg_core.analysis.selection.SelectionResult)."""

    delay_ms: int
    raw_delay_ms: float
    mode: str
    label: str
    accepted_count: int
    lines: list[str]

def select_delay(
    chunks: object,
    mode: str,
    first_stable_min_chunks: int,
    first_stable_skip_unstable: bool,
    min_accepted_chunks: int,
    source_key: str,
    *,
    log: Callable[[str], object] | None = None,
) -> SelectionResult | None:
    """Delay selection (docs/analysis.md#delay-selection). None when fewer than min_accepted_chunks chunks are
    accepted. ``log`` also receives every line."""
    ...

def dbscan_1d(values: list[float], eps: float, min_samples: int) -> list[int]:
    """DBSCAN labels (−1 = noise) of 1-D values with scikit-learn semantics."""
    ...

class ClusterCheck:
    """One quality check of a cluster."""

    value: float
    threshold: float
    passed: bool

class DriftCluster:
    """One DBSCAN cluster with its validation (vsg_core.analysis.drift.ClusterInfo)."""

    label: int
    members: list[int]
    chunk_indices: list[int]
    mean_delay_ms: float
    std_delay_ms: float
    start_s: float
    end_s: float
    duration_s: float
    percentage: float
    avg_match_pct: float
    min_match_pct: float
    checks: dict[str, ClusterCheck]
    passed_checks: int
    valid: bool

class DriftSegment:
    """A constant-delay stretch of the reference timeline (vsg_core.analysis.drift.Segment)."""

    start_s: float
    end_s: float
    delay_ms: int
    raw_delay_ms: float
    cluster_label: int

class DriftDiagnosis:
    """The diagnosis of one target (vsg_core.analysis.drift.Diagnosis; ``kind`` is the DiagnosisKind value)."""

    kind: str
    accepted_count: int
    drift_ms_per_s: float | None
    intercept_ms: float | None
    r2: float | None
    residual_rms_ms: float | None
    total_drift_ms: float | None
    lossless: bool
    expected_pal_ms_per_s: float | None
    clusters: list[DriftCluster]
    segments: list[DriftSegment]
    correction_mode: str | None
    fallback_mode: str | None
    reason: str
    lines: list[str]
    outlier_chunks: list[int]
    robust_slope_ms_per_s: float | None
    robust_intercept_ms: float | None
    line_support: int
    cluster_support: int

def diagnose_drift(
    chunks: object,
    config: dict[str, object],
    ref_fps: float | None,
    target_fps: float | None,
    codec_id: str,
    ref_duration_s: float | None,
    *,
    log: Callable[[str], object] | None = None,
) -> DriftDiagnosis:
    """Drift/stepping diagnosis (docs/analysis.md#drift-and-stepping); vsg_core.analysis.engine turns it into
    vsg_core.analysis.drift.Diagnosis. ``log`` also receives every log line (the Rust side formats them with the
    shared formatter)."""
    ...

# --- mux options (Phase 8) ---
# The plan crosses as the Phase 1 objects (PlanItem, Delays above), built by vsg_core.mux.engine.RustMuxEngine;
# call vsg_core.mux.engine.engine().build_options rather than this function.
def mux_build_options(
    items: list[PlanItem],
    delays: Delays,
    disable_track_statistics_tags: bool,
    disable_header_compression: bool,
    apply_dialog_norm_gain: bool,
    chapters_xml: str | None,
    attachments: list[str],
    output: str | None,
) -> list[str]:
    """mkvmerge tokens (`--output <output>` first when given); direct tracks (source_path) share one input
    per source file. ValueError for an item without source_path or extracted_path."""
    ...

def mux_serialise_options(tokens: list[str]) -> str:
    """Single-line JSON array, ", " separators, raw UTF-8, no trailing newline (docs/pipeline.md#mkvmerge-options)."""
    ...

def mux_write_options_file(tokens: list[str], path: str) -> None:
    """Write the options file; OSError 'Failed to write mkvmerge options file: …' on failure."""
    ...

# --- clip (vsg clip) ---
# Every clip error is a ValueError whose message quotes the user's text; use vsg_core.clip.engine(), which
# turns it into vsg_core.clip.ClipError. Times are whole milliseconds.
class ClipTimestamp:
    @property
    def ms(self) -> int: ...
    @property
    def form(self) -> str:
        """hms, ms, seconds, human or iso."""
        ...

class ClipRange:
    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...
    @property
    def duration_ms(self) -> int: ...

class ClipPlan:
    @property
    def output(self) -> str: ...
    @property
    def args(self) -> list[str]:
        """ffmpeg arguments without the program name; the last one is the output path."""
        ...
    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...
    @property
    def mode(self) -> str:
        """copy or accurate."""
        ...

def clip_parse_timestamp(text: str) -> ClipTimestamp: ...
def clip_format_timestamp(ms: int, form: str) -> str: ...
def clip_resolve_range(
    start: str, end: str | None, duration: str | None, media_duration_ms: int | None
) -> ClipRange: ...
def clip_output_name(input: str, start_ms: int, end_ms: int, taken: list[str]) -> str: ...
def clip_plan(
    input: str,
    output: str | None,
    output_dir: str,
    start_ms: int,
    end_ms: int,
    mode: str,
    video_codec: str,
    audio_codec: str,
    preset: str,
    crf: int,
    max_file_size: int,
    taken: list[str],
) -> ClipPlan: ...
def clip_progress_fraction(text: str, duration_ms: int) -> float | None: ...

# --- subtitles (Phase 5) ---
# Use vsg_core.subtitles.engine.engine(), which wraps these behind the SubtitleDoc protocol and turns
# ValueError into SubtitleError. A clock is (num, den) for a CFR grid or a list of frame times in ms
# (ending with the end of the last frame) for VFR.
class SubtitleDocument:
    """A parsed ASS/SSA/SRT/WebVTT file that writes back byte for byte when unchanged."""

    @staticmethod
    def parse(data: bytes, fmt: str) -> SubtitleDocument:
        """Parse ``data`` as ``fmt`` ("ass", "ssa", "srt", "vtt"). ValueError naming the line on bad input."""
        ...
    @property
    def fmt(self) -> str: ...
    @property
    def encoding(self) -> str: ...
    @property
    def bom(self) -> bool: ...
    def events(self) -> list[tuple[str, float, float, str, str]]:
        """(kind, start ms, end ms, style, text) of every event still in the document."""
        ...
    def style_names(self) -> list[str]: ...
    def info_value(self, key: str) -> str | None: ...
    def shift(self, offset_ms: float) -> int: ...
    def scale(self, delay_at_0_ms: float, drift_ms_per_s: float) -> int: ...
    def apply_edl(self, segments: list[tuple[float, float, float]], mode: str) -> dict[str, int]:
        """segments: (start_s, delay_ms, drift_ms_per_s) on the source timeline; mode: start|midpoint|majority.
        Returns counts: moved, dropped, clamped, spanning."""
        ...
    def fix_timing(
        self,
        overlaps: bool,
        short: bool,
        long: bool,
        min_gap_ms: float,
        min_duration_ms: float,
        max_cps: float,
    ) -> dict[str, int]: ...
    def filter_styles(self, styles: list[str], mode: str) -> dict[str, int]: ...
    def multiply_font_size(self, factor: float) -> int: ...
    def patch_styles(self, patch: dict[str, dict[str, str]]) -> list[str]: ...
    def rescale(self, width: int, height: int) -> dict[str, float] | None: ...
    def to_ass(self) -> SubtitleDocument: ...
    def to_bytes(self, grid: tuple[int, int] | list[int] | None = None) -> bytes: ...

def subtitles_shift_bytes(
    data: bytes, fmt: str, offset_ms: float, grid: tuple[int, int] | list[int] | None = None
) -> bytes:
    """Parse, shift every event by ``offset_ms`` and write, in one call (benchmark path)."""
    ...

# --- frame math (Phase 6) ---
# mode: "floor" (with the 1e-6 ms epsilon), "middle" or "aegisub". ValueError for a bad mode, rate or range.
def frames_time_to_frame(t_ms: float, fps: float, mode_name: str = "floor") -> int: ...
def frames_frame_to_time(frame: int, fps: float, mode_name: str = "floor") -> float: ...
def frames_grid_frame_ms(num: int, den: int, frame: int) -> int:
    """Exact integer grid: round_half_up(frame · 1000 · den / num)."""
    ...

def frames_grid_frame_of(num: int, den: int, t_ms: float) -> int:
    """The first frame of the exact grid shown at or after ``t_ms``."""
    ...

def frames_dhash(frames: bytes, w: int, h: int) -> list[list[int]]:
    """dHash of concatenated ``w``×``h`` grayscale frames: one list of 64-bit words per frame
    (bit = right pixel brighter, row-major). ValueError for a bad size."""
    ...

def frames_slide_distances(source: list[list[int]], target: list[list[int]]) -> list[float]:
    """Mean Hamming distance of the source hashes against the target at every slide."""
# --- audio correction (Phase 4) ---
# Use vsg_core.correction.engine.engine(), which converts to the Python dataclasses of vsg_core.correction.stepping.
class AudioSegment:
    """One EDL entry on the target timeline: [start_s, end_s) plays with delay_ms (delay_raw unrounded)."""

    start_s: float
    end_s: float
    delay_ms: int
    delay_raw: float
    drift_rate_ms_s: float
    def __init__(
        self, start_s: float, end_s: float, delay_ms: int, delay_raw: float, drift_rate_ms_s: float = 0.0
    ) -> None: ...

class Splice:
    """Boundary search + snapping result (positions in target samples at the search rate)."""

    delay_before: float
    delay_after: float
    removed: int
    filled: int
    best: int
    score: float
    plateau_lo: int
    plateau_hi: int
    position: int
    snap: str
    def __init__(
        self,
        delay_before: float,
        delay_after: float,
        removed: int,
        filled: int,
        best: int,
        score: float,
        plateau_lo: int,
        plateau_hi: int,
        position: int,
        snap: str,
    ) -> None: ...

def stepping_refine_splice(
    reference: npt.NDArray[np.int32],
    target: npt.NDArray[np.int32],
    sr: int,
    delay_before: float,
    delay_after: float,
    lo: int,
    hi: int,
    window: int,
    step: int,
    plateau_tol: float,
    level_window: int,
    silence_db: float,
    zones: list[tuple[int, int]],
    snap: bool,
) -> Splice:
    """Boundary search and snapping of one splice in target samples [lo, hi] (mono int32, read in place)."""
    ...

def stepping_build_edl(delays_raw: list[float], splices: list[Splice], n_target: int, sr: int) -> list[AudioSegment]:
    """EDL on the target timeline; ValueError unless len(splices) == len(delays_raw) - 1."""
    ...

def stepping_assembly_plan(edl: list[AudioSegment], sr: int, align_ms: float) -> list[tuple[int, int, int | None]]:
    """(out_start, length, src or None for fill) pieces on the output timeline."""
    ...

def stepping_splice_audio(
    pcm: npt.NDArray[np.int32], pieces: list[tuple[int, int, int | None]], crossfade: int
) -> npt.NDArray[np.int32]:
    """Assembled int32 PCM (frames × channels) with linear crossfades of up to `crossfade` samples per join."""
    ...
