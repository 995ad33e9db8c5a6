"""How the options dialog shows each setting: widget kind, choices, tab/section, label and tooltip.

Pure data derived from :data:`vsg_core.config.DEFAULTS` and :func:`vsg_core.config.group_of` (no Qt here), so
a new setting appears in the dialog without touching the GUI. Values are validated by
:meth:`vsg_core.config.Settings.set`, never here.
"""

from __future__ import annotations

import enum
from typing import Any

from vsg_core.analysis.correlation_options import METHOD_NAMES
from vsg_core.config import DEFAULTS, group_of
from vsg_core.config.settings import ENUMS


class Kind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"
    TEXT = "text"
    DIR = "dir"
    FILE = "file"
    LIST = "list"


# Window/path state the main window keeps in the same file; not options.
HIDDEN: frozenset[str] = frozenset({"last_ref_path", "last_sec_path", "last_ter_path"})

# Tabs in the order the issue lists them, with the titles users see.
TABS: tuple[tuple[str, str], ...] = (
    ("Analysis", "Analysis"),
    ("Correction", "Correction (Drift && Stepping)"),
    ("Subtitles", "Subtitles"),
    ("Chapters", "Chapters"),
    ("Mux", "Merge Behavior"),
    ("Paths", "Paths && Tools"),
    ("Logging", "Logging"),
)

# Sections inside a tab: (title, key prefixes); the first match wins, the rest go to "General".
SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "Analysis": (
        ("Audio pre-processing", ("source_separation_", "filtering_method", "filter_", "audio_bandlimit_hz")),
        ("Correlation engine", ("correlation_method", "multi_corr", "analysis_mode", "use_soxr",
                                "audio_decode_native", "audio_peak_fit")),
        ("Chunks and delay selection", ("scan_", "min_match_pct", "min_accepted_chunks", "delay_selection_",
                                        "first_stable_")),
        ("Track choice and sync mode", ("analysis_lang_", "sync_mode", "log_audio_drift")),
        ("VideoDiff", ("videodiff_",)),
    ),
    "Correction": (
        ("Drift and stepping detection", ("detection_", "drift_detection_", "segment_triage",
                                          "segmented_enabled")),
        ("Stepping quality", ("stepping_correction_mode", "stepping_quality_mode",
                              "stepping_filtered_fallback", "stepping_min_", "stepping_first_stable_")),
        ("Segment scan", ("segment_coarse", "segment_search", "segment_min_confidence", "segment_fine",
                          "stepping_scan_")),
        ("Silence and boundary snapping", ("stepping_snap_to_silence", "stepping_silence_",
                                           "stepping_ffmpeg_", "stepping_vad_", "stepping_transient_",
                                           "stepping_fusion_")),
        ("Video snapping", ("stepping_snap_to_video", "stepping_video_")),
        ("Quality check and audit", ("segmented_qa", "segment_qa_", "stepping_audit_")),
        ("Resampling and gap fill", ("segment_resample_engine", "segment_rb_", "stepping_fill_mode",
                                     "stepping_content_")),
        ("Internal drift", ("segment_drift_",)),
        ("Track labels and subtitles", ("stepping_corrected_", "stepping_preserved_", "stepping_adjust_",
                                        "stepping_boundary_", "stepping_diagnostics")),
    ),
    "Subtitles": (
        ("Sync mode", ("subtitle_sync_mode", "subtitle_target_fps")),
        ("Time-based", ("time_based_", "raw_delay_rounding")),
        ("Frame-locked timestamps", ("videotimestamps_", "framelocked_")),
        ("Duration align", ("duration_align_",)),
        ("Correlation + frame snap", ("correlation_snap_",)),
        ("Subtitle-anchored frame snap", ("sub_anchor_",)),
        ("Correlation-guided frame anchor", ("corr_anchor_",)),
        ("Frame matching", ("frame_match_",)),
        ("Timing fixes", ("timing_",)),
        ("OCR", ("ocr_", "subtile_ocr_")),
    ),
    "Mux": (
        ("General", ("apply_dialog_norm_gain", "disable_")),
        ("Post-merge finalization", ("post_mux_",)),
    ),
}

_HASHES = ("dhash", "phash", "average_hash")
_SELECTION = ("Mode (Most Common)", "Mode (Clustered)", "First Stable", "Average")
_SUB_FALLBACK = ("abort", "use-median", "use-correlation")

# Closed lists the core reads by exact value (ENUMS are also enforced by Settings.set).
CHOICES: dict[str, tuple[str, ...]] = {
    **{k: tuple(v) for k, v in ENUMS.items()},
    "filtering_method": ("None", "Low-Pass Filter", "Dialogue Band-Pass Filter"),
    "correlation_method": tuple(METHOD_NAMES.values()),
    "correlation_method_source_separated": tuple(METHOD_NAMES.values()),
    "delay_selection_mode": _SELECTION,
    "delay_selection_mode_source_separated": _SELECTION,
    "analysis_mode": ("Audio Correlation",),
    # vsg implements these two (vsg_core/pipeline/subtitles_step.py); the original's other modes are gone.
    "subtitle_sync_mode": ("time-based", "video-verified"),
    "raw_delay_rounding": ("floor", "round", "ceil"),
    "videotimestamps_rounding": ("floor", "round"),
    "duration_align_fallback_mode": ("none", "abort", "auto-fallback", "duration-offset"),
    "duration_align_fallback_target": ("source1",),
    "duration_align_strictness": ("strict", "normal", "lenient"),
    "correlation_snap_fallback_mode": ("snap-to-frame", "use-median", "abort"),
    "sub_anchor_fallback_mode": _SUB_FALLBACK,
    "corr_anchor_fallback_mode": _SUB_FALLBACK,
    "frame_match_method": _HASHES,
    "stepping_fill_mode": ("silence", "auto", "content"),
    "stepping_boundary_mode": ("start", "majority", "midpoint"),
    "stepping_video_snap_mode": ("scenes", "keyframes", "any_frame"),
    "segment_rb_transients": ("crisp", "mixed", "smooth"),
}

# One line per setting (tooltips). Keys without an entry get a generic line from their unit.
HELP: dict[str, str] = {
    # Paths
    "output_folder": "Folder the merged files and job logs are written to.",
    "temp_root": "Scratch folder for extracted tracks; each job's temp folder is deleted when it ends.",
    "videodiff_path": "Path of the optional videodiff program (not used by vsg's audio analysis).",
    "subtile_ocr_path": "Path of the subtile-ocr program used to OCR image subtitles (optional).",
    "subtile_ocr_char_blacklist": "Characters Tesseract must never output when OCRing subtitles.",
    "source_separation_model_dir": "Folder holding downloaded source-separation models.",
    # Analysis
    "source_separation_mode": "Separate dialogue from music before correlating (needs audio-separator).",
    "source_separation_model": "Separation model name ('default' picks the recommended one).",
    "source_separation_device": "Device for source separation: auto, cpu, cuda, rocm or mps.",
    "source_separation_timeout": "Seconds before a source-separation run is abandoned.",
    "filtering_method": "Filter applied to both audio streams before correlating.",
    "filter_bandpass_lowcut_hz": "Lower edge of the dialogue band-pass filter.",
    "filter_bandpass_highcut_hz": "Upper edge of the dialogue band-pass filter.",
    "filter_bandpass_order": "Order of the Butterworth band-pass filter.",
    "filter_lowpass_taps": "Number of taps of the FIR low-pass filter.",
    "audio_bandlimit_hz": "Cut-off of the low-pass filter (0 = off).",
    "correlation_method": "How each chunk's delay is measured (GCC-PHAT is robust to different mixes).",
    "correlation_method_source_separated": "Correlation method used on source-separated audio.",
    "multi_correlation_enabled": "Run several correlation methods and log each one's result for comparison.",
    "analysis_mode": "What the delay is measured from.",
    "use_soxr": "Resample audio with the SoX resampler when decoding (slower, higher quality).",
    "audio_decode_native": "Decode at the stream's own sample rate instead of 48 kHz.",
    "audio_peak_fit": "Refine each correlation peak to a fraction of a sample.",
    "scan_chunk_count": "How many chunks are correlated across the file.",
    "scan_chunk_duration": "Length of each correlated chunk, in seconds.",
    "scan_start_percentage": "Where the first chunk starts, as a percentage of the reference duration.",
    "scan_end_percentage": "Where the last chunk ends, as a percentage of the reference duration.",
    "min_match_pct": "Chunks whose match confidence is below this are rejected.",
    "min_accepted_chunks": "A source needs at least this many accepted chunks for a reliable delay.",
    "delay_selection_mode": "How the final delay is chosen from the accepted chunks.",
    "delay_selection_mode_source_separated": "Delay selection used on source-separated audio.",
    "first_stable_min_chunks": "First Stable: consecutive agreeing chunks needed.",
    "first_stable_skip_unstable": "First Stable: skip leading chunks that do not agree.",
    "analysis_lang_source1": "Audio language to analyse in the reference (empty = first audio track).",
    "analysis_lang_others": "Audio language to analyse in the other sources (empty = first audio track).",
    "sync_mode": "positive_only shifts every track later so no delay is negative; allow_negative keeps them.",
    "log_audio_drift": "Log drift (ms/s) measured across the chunks.",
    "videodiff_error_min": "VideoDiff: smallest acceptable error.",
    "videodiff_error_max": "VideoDiff: largest acceptable error.",
    # Correction
    "segmented_enabled": "Repair stepping (delay changes mid-file) by cutting the audio into segments.",
    "detection_dbscan_epsilon_ms": "Chunk delays closer than this belong to the same cluster.",
    "detection_dbscan_min_samples": "Chunks needed to form a delay cluster.",
    "drift_detection_r2_threshold": "R² above which a linear trend of the delays counts as drift (lossy).",
    "drift_detection_r2_threshold_lossless": "R² above which a linear trend counts as drift (lossless).",
    "drift_detection_slope_threshold_lossy": "Slope (ms/s) above which drift is reported (lossy codecs).",
    "drift_detection_slope_threshold_lossless": "Slope (ms/s) above which drift is reported (lossless).",
    "segment_triage_std_dev_ms": "Delay spread below which a file is treated as uniform.",
    "stepping_correction_mode": "full, filtered, strict or disabled stepping correction.",
    "stepping_quality_mode": "Preset thresholds for accepting stepping clusters (custom = the values below).",
    "stepping_filtered_fallback": "What filtered mode does with rejected clusters.",
    "segment_resample_engine": "Engine used to stretch drifting segments.",
    "stepping_fill_mode": "How gaps created by stepping correction are filled.",
    "stepping_boundary_mode": "How subtitle events spanning a step boundary are shifted.",
    "stepping_snap_to_silence": "Move step boundaries into nearby silence.",
    "stepping_silence_detection_method": "How silence near a boundary is found.",
    "stepping_snap_to_video_frames": "Align step boundaries to video scenes or keyframes.",
    "stepping_diagnostics_verbose": "Log every stepping decision in detail.",
    "stepping_adjust_subtitles": "Shift subtitles segment by segment when stepping is corrected.",
    "stepping_adjust_subtitles_no_audio": "Also adjust subtitles when no audio of that source is merged.",
    "stepping_corrected_track_label": "Name added to stepping-corrected audio tracks.",
    "stepping_preserved_track_label": "Name added to the preserved original of a corrected track.",
    # Subtitles
    "subtitle_sync_mode": "How subtitle times are moved onto the reference timeline.",
    "subtitle_target_fps": "Unused by the original; kept for compatibility.",
    "time_based_use_raw_values": "Shift subtitles by the unrounded delay instead of mkvmerge's whole ms.",
    "time_based_frame_boundary_correction": "Keep shifted events from landing one frame early.",
    "raw_delay_rounding": "Unused by the original; kept for compatibility.",
    "videotimestamps_rounding": "Rounding of frame timestamps in frame-locked mode.",
    "timing_fix_enabled": "Fix overlapping, too short and too fast subtitle events.",
    "timing_fix_overlaps": "Separate overlapping events.",
    "timing_overlap_min_gap_ms": "Gap left between events that overlapped.",
    "timing_fix_short_durations": "Lengthen events shorter than the minimum duration.",
    "timing_min_duration_ms": "Minimum duration of an event.",
    "timing_fix_long_durations": "Lengthen events that are too fast to read.",
    "timing_max_cps": "Maximum reading speed in characters per second.",
    "ocr_cleanup_enabled": "Fix common OCR errors in OCRed subtitles.",
    "ocr_cleanup_normalize_ellipsis": "Replace '...' by the ellipsis character.",
    "ocr_cleanup_custom_wordlist_path": "Word list whose words the OCR cleanup never changes.",
    "corr_anchor_anchor_positions": "Anchor positions in percent of the file (JSON list, e.g. [10, 50, 90]).",
    # Chapters
    "rename_chapters": "Rename chapters to \"Chapter NN\".",
    "snap_chapters": "Move chapter marks onto nearby video keyframes.",
    "snap_mode": "previous = the keyframe before the mark; nearest = the closest keyframe.",
    "snap_threshold_ms": "Marks farther than this from a keyframe are left alone.",
    "snap_starts_only": "Snap chapter starts only (not ends).",
    # Mux
    "apply_dialog_norm_gain": "Keep the AC-3 dialogue normalisation gain (off = mkvmerge removes it).",
    "disable_track_statistics_tags": "Do not write track statistics tags.",
    "disable_header_compression": "Turn off Matroska header compression for every track.",
    "post_mux_normalize_timestamps": "Re-mux the output once more to normalise timestamps.",
    "post_mux_strip_tags": "Remove global and track tags from the output.",
    # Logging
    "log_compact": "Shorter logs: command output only on failure.",
    "log_autoscroll": "Scroll the log pane to the newest line.",
    "log_error_tail": "Lines of a failed command's output kept in the log.",
    "log_tail_lines": "Lines of every command's output kept in the log (0 = none).",
    "log_progress_step": "Log a 'Progress: N%' line every N percent.",
    "log_show_options_pretty": "Log the mkvmerge options in readable form.",
    "log_show_options_json": "Log the mkvmerge options file (JSON).",
    "archive_logs": "Zip the job logs of a batch into one archive when the batch ends.",
    "auto_apply_strict": "Unused; kept for compatibility.",
}

_UNITS: tuple[tuple[str, str], ...] = (
    ("_ms", "ms"), ("_hz", "Hz"), ("_pct", "%"), ("_percentage", "%"), ("_db", "dB"), ("_s", "s"),
    ("_sec", "s"),
)


def kind_of(key: str) -> Kind:
    default = DEFAULTS[key]
    if key in CHOICES:
        return Kind.CHOICE
    if isinstance(default, bool):
        return Kind.BOOL
    if isinstance(default, int):
        return Kind.INT
    if isinstance(default, float):
        return Kind.FLOAT
    if isinstance(default, list):
        return Kind.LIST
    if key.endswith(("_folder", "_root", "_dir")):
        return Kind.DIR
    if key.endswith("_path"):
        return Kind.FILE
    return Kind.TEXT


def unit_of(key: str) -> str:
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return unit
    return ""


_WORDS = {"corr": "correlation", "gcc": "GCC", "phat": "PHAT", "scot": "SCOT", "scc": "SCC", "dtw": "DTW",
          "vad": "VAD", "ocr": "OCR", "rb": "rubberband", "qa": "QA", "fps": "FPS", "dbscan": "DBSCAN",
          "r2": "R²", "pitchq": "pitch quality", "soxr": "SoX resampler", "vts": "VTS", "lang": "language"}


def label_of(key: str) -> str:
    """``scan_chunk_duration`` → ``Scan chunk duration``; units go into the spin box suffix, not the label."""
    words = key.split("_")
    if words and words[-1] in ("ms", "hz", "pct", "percentage", "db", "s", "sec"):
        words = words[:-1]
    text = " ".join(_WORDS.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


def help_of(key: str) -> str:
    if key in HELP:
        return HELP[key]
    unit = unit_of(key)
    kind = kind_of(key)
    if kind is Kind.BOOL:
        return "On/off switch."
    if unit:
        return f"Value in {unit}."
    return "See the settings reference (spec §11.2)."


def tooltip_of(key: str) -> str:
    return f"{key}\n{help_of(key)}\nDefault: {format_value(DEFAULTS[key])}"


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        import json

        return json.dumps(value)
    if value == "":
        return "(empty)"
    return str(value)


def section_of(tab: str, key: str) -> str:
    for title, prefixes in SECTIONS.get(tab, ()):
        if any(key.startswith(p) for p in prefixes):
            return title
    return "General"


def layout() -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """``[(group, tab title, [(section title, [keys…])…])…]`` for every visible key, in DEFAULTS order."""
    out = []
    for group, title in TABS:
        sections: dict[str, list[str]] = {}
        order = [s for s, _ in SECTIONS.get(group, ())] + ["General"]
        for key in DEFAULTS:
            if key in HIDDEN or group_of(key) != group:
                continue
            sections.setdefault(section_of(group, key), []).append(key)
        out.append((group, title, [(s, sections[s]) for s in order if s in sections]))
    return out
