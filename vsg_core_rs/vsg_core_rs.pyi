"""Type stubs for vsg_core_rs, the compiled compute core of vsg (PyO3 + maturin).

tests/unit/test_rust_stub.py checks that every public name of the real module is declared here with
matching parameter names, and that nothing is declared here that the module lacks.
"""

from collections.abc import Callable
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
    refs[i] has length L, targets[i] length L (spec same window) or L + 2M (window ±M); lag = t_ref − t_tgt
    in samples. Arrays are read without copying; chunks run in parallel with the GIL released; float64."""
    ...

def place_chunks(
    n_ref: int, n_tgt: int, count: int, duration_s: float, start_pct: float, end_pct: float
) -> list[tuple[int, float, int, int]]:
    """In-bounds chunks (spec §6) as (index, start_s, start, length)."""
    ...

def peak_confidence(a: npt.NDArray[np.float64], k: int) -> float:
    """Spec §7.9 peak-normalised confidence of magnitudes a at index k."""
    ...

def fast_len(n: int) -> int:
    """Smallest 2^a·3^b·5^c >= n."""
    ...

# --- analysis: selection and drift (Phase 3) ---
# `chunks`: any sequence of objects with the ChunkResult attributes
# (index, start_s, delay_ms, raw_delay_ms, match_pct, accepted).
def select_delay(
    chunks: object,
    mode: str,
    first_stable_min_chunks: int,
    first_stable_skip_unstable: bool,
    min_accepted_chunks: int,
    source_key: str,
    *,
    log: Callable[[str], object] | None = None,
) -> dict[str, object] | None:
    """Delay selection (spec §10): keys delay_ms, raw_delay_ms, mode, label, accepted_count, lines.
    None when fewer than min_accepted_chunks chunks are accepted. ``log`` also receives every line."""
    ...

def dbscan_1d(values: list[float], eps: float, min_samples: int) -> list[int]:
    """DBSCAN labels (−1 = noise) of 1-D values with scikit-learn semantics."""
    ...

def diagnose_drift(
    chunks: object,
    config: dict[str, object],
    ref_fps: float | None,
    target_fps: float | None,
    codec_id: str,
    ref_duration_s: float | None,
    *,
    log: Callable[[str], object] | None = None,
) -> dict[str, object]:
    """Drift/stepping diagnosis (spec §11 with vsg's fixes); the fields of vsg_core.analysis.drift.Diagnosis.
    ``log`` also receives every log line (the Rust side formats them with the shared formatter)."""
    ...

# --- mux options (Phase 8) ---
# The plan crosses as JSON: plan_json = JSON array of vsg_core.models.PlanItem.to_dict() objects,
# delays_json = Delays.to_json(). Use vsg_core.mux.build_options / write_options_file, which dispatch here.
def mux_build_options(
    plan_json: str,
    delays_json: str,
    disable_track_statistics_tags: bool,
    disable_header_compression: bool,
    apply_dialog_norm_gain: bool,
    chapters_xml: str | None,
    attachments: list[str],
    output: str | None,
) -> list[str]:
    """mkvmerge tokens (spec §8.1–§8.4; `--output <output>` first when given).
    ValueError for a bad plan or an item without extracted_path."""
    ...

def mux_serialise_options(tokens: list[str]) -> str:
    """Single-line JSON array, ", " separators, raw UTF-8, no trailing newline (spec §8.5)."""
    ...

def mux_write_options_file(tokens: list[str], path: str) -> None:
    """Write the options file; OSError 'Failed to write mkvmerge options file: …' on failure."""
    ...

# --- reach ---
def coarse_align(
    chunks: list[npt.NDArray[np.float32]],
    spans: list[npt.NDArray[np.float32]],
    lobe: int,
    rate: float,
    smooth_hz: float,
    mask_db: float,
    taper: float,
    silence_db: float,
) -> list[tuple[int, float]]:
    """Reach: (position, distinct-peak confidence) of each chunk inside its span (coarse rate)."""
