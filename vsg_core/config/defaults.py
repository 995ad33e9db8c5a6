"""Default values of every setting (spec pipeline_ui.md §11.2, 209 keys), grouped as the options dialog shows
them. vsg deviations from the original's defaults are listed in ``VSG_OVERRIDES`` and in the decision log of
MIGRATION_PLAN.md."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def _data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "vsg"


SPEC_DEFAULTS: dict[str, Any] = {
    # Paths/tools
    "last_ref_path": "",
    "last_sec_path": "",
    "last_ter_path": "",
    "output_folder": str(Path.home() / "vsg_output"),
    "temp_root": str(Path(tempfile.gettempdir()) / "vsg"),
    "videodiff_path": "",
    "subtile_ocr_path": "",
    "subtile_ocr_char_blacklist": "",
    "source_separation_model_dir": str(_data_dir() / "audio_separator_models"),
    # OCR cleanup
    "ocr_cleanup_enabled": True,
    "ocr_cleanup_normalize_ellipsis": False,
    "ocr_cleanup_custom_wordlist_path": "",
    # Subtitle sync
    "subtitle_sync_mode": "time-based",
    "subtitle_target_fps": 0.0,
    "time_based_use_raw_values": False,
    "raw_delay_rounding": "floor",
    "time_based_frame_boundary_correction": True,
    "videotimestamps_rounding": "floor",
    "framelocked_enable_post_ass_correction": True,
    "framelocked_log_post_ass_corrections": False,
    "framelocked_log_initial_snap": False,
    # Duration-align
    "duration_align_verify_with_frames": False,
    "duration_align_verify_search_window_ms": 2000,
    "duration_align_verify_agreement_tolerance_ms": 100,
    "duration_align_verify_checkpoints": 3,
    "duration_align_skip_validation_generated_tracks": True,
    "duration_align_fallback_mode": "abort",
    "duration_align_fallback_target": "source1",
    "duration_align_hash_algorithm": "dhash",
    "duration_align_hash_size": 8,
    "duration_align_hash_threshold": 5,
    "duration_align_strictness": "normal",
    "duration_align_use_vapoursynth": True,
    "duration_align_validate": True,
    "duration_align_validate_points": 3,
    # Correlation+snap
    "correlation_snap_fallback_mode": "snap-to-frame",
    "correlation_snap_hash_algorithm": "dhash",
    "correlation_snap_hash_size": 8,
    "correlation_snap_hash_threshold": 5,
    "correlation_snap_window_radius": 3,
    "correlation_snap_search_range": 5,
    "correlation_snap_use_scene_changes": True,
    # Frame matching
    "frame_match_method": "dhash",
    "frame_match_hash_size": 8,
    "frame_match_threshold": 5,
    "frame_match_search_window_frames": 10,
    "frame_match_search_window_sec": 2.0,
    "frame_match_max_search_frames": 100,
    "frame_match_skip_unmatched": False,
    "frame_match_use_timestamp_prefilter": True,
    "frame_match_workers": 4,
    # Subtitle-anchored snap
    "sub_anchor_search_range_ms": 2000,
    "sub_anchor_hash_algorithm": "dhash",
    "sub_anchor_hash_size": 8,
    "sub_anchor_hash_threshold": 5,
    "sub_anchor_window_radius": 5,
    "sub_anchor_agreement_tolerance_ms": 100,
    "sub_anchor_fallback_mode": "abort",
    "sub_anchor_use_vapoursynth": True,
    # Correlation-guided anchor
    "corr_anchor_search_range_ms": 2000,
    "corr_anchor_hash_algorithm": "dhash",
    "corr_anchor_hash_size": 8,
    "corr_anchor_hash_threshold": 5,
    "corr_anchor_window_radius": 5,
    "corr_anchor_agreement_tolerance_ms": 100,
    "corr_anchor_fallback_mode": "abort",
    "corr_anchor_use_vapoursynth": True,
    "corr_anchor_anchor_positions": [10, 50, 90],
    "corr_anchor_refine_per_line": False,
    "corr_anchor_refine_workers": 4,
    # Timing fixes
    "timing_fix_enabled": False,
    "timing_fix_overlaps": True,
    "timing_overlap_min_gap_ms": 1,
    "timing_fix_short_durations": True,
    "timing_min_duration_ms": 500,
    "timing_fix_long_durations": True,
    "timing_max_cps": 20.0,
    # Analysis
    "source_separation_mode": "none",
    "source_separation_model": "default",
    "source_separation_device": "auto",
    "source_separation_timeout": 900,
    "filtering_method": "Dialogue Band-Pass Filter",
    "correlation_method": "Phase Correlation (GCC-PHAT)",
    "correlation_method_source_separated": "Phase Correlation (GCC-PHAT)",
    "min_accepted_chunks": 3,
    "log_audio_drift": True,
    "multi_correlation_enabled": False,
    "multi_corr_scc": True,
    "multi_corr_gcc_phat": True,
    "multi_corr_onset": False,
    "multi_corr_gcc_scot": False,
    "multi_corr_gcc_whiten": False,
    "multi_corr_dtw": False,
    "multi_corr_spectrogram": False,
    "filter_bandpass_lowcut_hz": 300.0,
    "filter_bandpass_highcut_hz": 3400.0,
    "filter_bandpass_order": 5,
    "filter_lowpass_taps": 101,
    "scan_start_percentage": 5.0,
    "scan_end_percentage": 95.0,
    "analysis_mode": "Audio Correlation",
    "analysis_lang_source1": "",
    "analysis_lang_others": "",
    "scan_chunk_count": 10,
    "scan_chunk_duration": 15,
    "min_match_pct": 5.0,
    "delay_selection_mode": "Mode (Most Common)",
    "delay_selection_mode_source_separated": "Mode (Clustered)",
    "first_stable_min_chunks": 3,
    "first_stable_skip_unstable": True,
    "videodiff_error_min": 0.0,
    "videodiff_error_max": 100.0,
    "use_soxr": False,
    "audio_decode_native": False,
    "audio_peak_fit": False,
    "audio_bandlimit_hz": 0,
    "sync_mode": "positive_only",
    # Chapters
    "rename_chapters": False,
    "snap_chapters": False,
    "snap_mode": "previous",
    "snap_threshold_ms": 250,
    "snap_starts_only": True,
    # Mux / post-mux
    "apply_dialog_norm_gain": False,
    "disable_track_statistics_tags": False,
    "disable_header_compression": True,
    "post_mux_normalize_timestamps": False,
    "post_mux_strip_tags": False,
    # Logging / UI
    "log_compact": True,
    "log_autoscroll": True,
    "log_error_tail": 20,
    "log_tail_lines": 0,
    "log_progress_step": 20,
    "log_show_options_pretty": False,
    "log_show_options_json": False,
    "archive_logs": True,
    "auto_apply_strict": False,  # unused by the original too
    # Correction (segmented / drift)
    "segmented_enabled": False,
    "segmented_qa_threshold": 85.0,
    "segment_qa_chunk_count": 30,
    "segment_qa_min_accepted_chunks": 28,
    "detection_dbscan_epsilon_ms": 20.0,
    "detection_dbscan_min_samples": 2,
    "drift_detection_r2_threshold": 0.9,
    "drift_detection_r2_threshold_lossless": 0.95,
    "drift_detection_slope_threshold_lossy": 0.7,
    "drift_detection_slope_threshold_lossless": 0.2,
    "segment_triage_std_dev_ms": 50,
    "segment_coarse_chunk_s": 15,
    "segment_coarse_step_s": 60,
    "segment_search_locality_s": 10,
    "segment_drift_r2_threshold": 0.75,
    "segment_drift_slope_threshold": 0.7,
    "segment_drift_outlier_sensitivity": 1.5,
    "segment_drift_scan_buffer_pct": 2.0,
    "segment_resample_engine": "aresample",
    "segment_rb_pitch_correct": False,
    "segment_rb_transients": "crisp",
    "segment_rb_smoother": True,
    "segment_rb_pitchq": True,
    "segment_min_confidence_ratio": 5.0,
    "segment_fine_chunk_s": 2.0,
    "segment_fine_iterations": 10,
    # Stepping
    "stepping_first_stable_min_chunks": 3,
    "stepping_first_stable_skip_unstable": True,
    "stepping_fill_mode": "silence",
    "stepping_diagnostics_verbose": True,
    "stepping_content_correlation_threshold": 0.5,
    "stepping_content_search_window_s": 5.0,
    "stepping_scan_start_percentage": 5.0,
    "stepping_scan_end_percentage": 99.0,
    "stepping_adjust_subtitles": True,
    "stepping_adjust_subtitles_no_audio": True,
    "stepping_boundary_mode": "start",
    "stepping_corrected_track_label": "",
    "stepping_preserved_track_label": "",
    "stepping_snap_to_silence": True,
    "stepping_silence_search_window_s": 5.0,
    "stepping_silence_threshold_db": -40.0,
    "stepping_silence_min_duration_ms": 100.0,
    "stepping_silence_detection_method": "smart_fusion",
    "stepping_ffmpeg_silence_noise": -40.0,
    "stepping_ffmpeg_silence_duration": 0.1,
    "stepping_vad_enabled": True,
    "stepping_vad_aggressiveness": 2,
    "stepping_vad_avoid_speech": True,
    "stepping_vad_frame_duration_ms": 30,
    "stepping_transient_detection_enabled": True,
    "stepping_transient_threshold": 8.0,
    "stepping_transient_avoid_window_ms": 50,
    "stepping_fusion_weight_silence": 10,
    "stepping_fusion_weight_no_speech": 8,
    "stepping_fusion_weight_scene_align": 5,
    "stepping_fusion_weight_duration": 2,
    "stepping_fusion_weight_no_transient": 3,
    "stepping_snap_to_video_frames": False,
    "stepping_video_snap_mode": "scenes",
    "stepping_video_snap_max_offset_s": 2.0,
    "stepping_video_scene_threshold": 0.4,
    "stepping_audit_min_score": 12.0,
    "stepping_audit_overflow_tolerance": 0.8,
    "stepping_audit_large_correction_s": 3.0,
    "stepping_correction_mode": "full",
    "stepping_quality_mode": "normal",
    "stepping_min_chunks_per_cluster": 3,
    "stepping_min_cluster_percentage": 5.0,
    "stepping_min_cluster_duration_s": 20.0,
    "stepping_min_match_quality_pct": 85.0,
    "stepping_min_total_clusters": 2,
    "stepping_filtered_fallback": "nearest",}

# vsg's own defaults where the original's are known to fail or to be unsafe (see MIGRATION_PLAN.md).
VSG_OVERRIDES: dict[str, Any] = {
    # The original's default (GCC-PHAT after the 300–3400 Hz dialogue band-pass) reports 0 or ±chunk length on
    # every realistic release pair: the empty bins dominate the phase transform. vsg correlates the full band
    # with PHAT weights masked to bins that carry signal (see vsg_core/analysis/correlation_options.py).
    "filtering_method": "None",
    # --- trust ---
    # Chunk acceptance: distinct-peak confidence (0-100) a chunk needs; calibrated gap 59.7 (worst non-match)
    # to 81.4 (worst true match), see docs/confidence.md.
    "min_confidence_pct": 70.0,
    # Post-mux audit: largest residual offset (ms) any measured window of a muxed audio track may show.
    "audit_tolerance_ms": 5.0,
    # Post-mux audit: a muxed audio track may end at most this many seconds before the reference audio.
    "audit_max_shortfall_s": 3.0,
    # --- reach ---
    # Coarse search: when the chunks do not agree around 0, each chunk is searched over ±this many seconds
    # of the other release (0 turns it off); offsets and steps beyond it end as NO_MATCH.
    "analysis_reach_s": 600.0,
}

DEFAULTS: dict[str, Any] = {**SPEC_DEFAULTS, **VSG_OVERRIDES}

# Group (options-dialog tab) of each key, by prefix; the first matching rule wins.
GROUP_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Paths", ("last_", "output_folder", "temp_root", "videodiff_path", "subtile_ocr_path",
               "source_separation_model_dir")),
    ("Chapters", ("rename_chapters", "snap_")),
    ("Mux", ("apply_dialog_norm_gain", "disable_", "post_mux_")),
    ("Logging", ("log_", "archive_logs", "auto_apply_strict")),
    ("Correction", ("segment", "stepping_", "detection_dbscan", "drift_detection")),
    ("Subtitles", ("subtitle_", "time_based_", "raw_delay_rounding", "videotimestamps_", "framelocked_",
                   "duration_align_", "correlation_snap_", "frame_match_", "sub_anchor_", "corr_anchor_",
                   "timing_", "ocr_", "subtile_ocr_char_blacklist")),
    ("Analysis", ("",)),
)


def group_of(key: str) -> str:
    for group, prefixes in GROUP_RULES:
        if any(key.startswith(p) for p in prefixes):
            return group
    return "Analysis"
