"""Settings → the option objects the pipeline runs with, by one declarative mechanism.

Each :class:`Adapter` names an option class and, per field of that class, the setting it comes from (and a
conversion when the field's type is not the setting's). Values are read from any mapping of settings (a
:class:`~vsg_core.config.Settings`, or a plain dict in tests): a key the mapping lacks takes the schema default,
and every value passes the schema validator, so an option object is never built from an invalid value. Fields
no setting controls keep the option class's own defaults.

Entry points: :func:`correlation_options`, :func:`drift_config`, :func:`analysis_settings`,
:func:`chapter_options`, :func:`mux_settings`; :data:`ADAPTERS` lists them for tests and docs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import SettingsError
from .schema import BY_KEY
from .validation import validate


def read(settings: Mapping[str, Any], key: str) -> Any:
    """The validated value of ``key`` in ``settings`` (its default when absent)."""
    s = BY_KEY[key]
    if key not in settings:
        return s.default
    try:
        return validate(s, settings[key])
    except (TypeError, ValueError) as e:
        raise SettingsError(f"setting {key!r}: {e}") from None


@dataclass(frozen=True)
class Adapter:
    """``fields``: option field → setting key, or (key, conversion), or another Adapter (a nested object)."""

    name: str
    target: Callable[[], Any]                     # the option class (or a factory of its base object)
    fields: Mapping[str, Any] = field(default_factory=dict)

    def keys(self) -> frozenset[str]:
        """Every setting this adapter (and the adapters nested in it) reads."""
        out: set[str] = set()
        for source in self.fields.values():
            if isinstance(source, Adapter):
                out |= source.keys()
            else:
                out.add(source if isinstance(source, str) else source[0])
        return frozenset(out)

    def build(self, settings: Mapping[str, Any]) -> Any:
        values: dict[str, Any] = {}
        for attr, source in self.fields.items():
            if isinstance(source, Adapter):
                values[attr] = source.build(settings)
            elif isinstance(source, str):
                values[attr] = read(settings, source)
            else:
                key, convert = source
                values[attr] = convert(read(settings, key))
        return dataclasses.replace(self.target(), **values)


def _method_key(name: str) -> str:
    from ..analysis.correlation_options import method_key

    return method_key(name)


def _snap_mode(value: str) -> Any:
    from ..models import SnapMode

    return SnapMode(value)


def _lazy(module: str, name: str) -> Callable[[], Any]:
    """The class ``module.name`` instantiated with its defaults, imported on first use (the analysis modules
    load numpy and scipy; the settings must not)."""

    def make() -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)()

    return make


CORRELATION = Adapter("correlation", _lazy("vsg_core.analysis.correlation_options", "CorrelationOptions"), {
    "method": ("correlation_method", _method_key),
    "chunk_count": "scan_chunk_count",
    "chunk_duration_s": ("scan_chunk_duration", float),
    "scan_start_pct": "scan_start_percentage",
    "scan_end_pct": "scan_end_percentage",
    "min_match_pct": "min_confidence_pct",
    "use_soxr": "use_soxr",
    "filtering": "filtering_method",
    "bandpass_low_hz": "filter_bandpass_lowcut_hz",
    "bandpass_high_hz": "filter_bandpass_highcut_hz",
    "bandpass_order": "filter_bandpass_order",
    "lowpass_taps": "filter_lowpass_taps",
    "bandlimit_hz": ("audio_bandlimit_hz", float),
})

DRIFT = Adapter("drift", _lazy("vsg_core.analysis.drift", "DriftConfig"), {
    "eps_ms": "detection_dbscan_epsilon_ms",
    "min_samples": "detection_dbscan_min_samples",
    "r2_threshold_lossy": "drift_detection_r2_threshold",
    "r2_threshold_lossless": "drift_detection_r2_threshold_lossless",
    "slope_threshold_lossy": "drift_detection_slope_threshold_lossy",
    "slope_threshold_lossless": "drift_detection_slope_threshold_lossless",
    "stepping_correction_mode": "stepping_correction_mode",
    "stepping_quality_mode": "stepping_quality_mode",
    "custom_min_chunks_per_cluster": "stepping_min_chunks_per_cluster",
    "custom_min_cluster_pct": "stepping_min_cluster_percentage",
    "custom_min_cluster_duration_s": "stepping_min_cluster_duration_s",
    "custom_min_match_quality_pct": "stepping_min_match_quality_pct",
    "custom_min_total_clusters": "stepping_min_total_clusters",
    "stepping_filtered_fallback": "stepping_filtered_fallback",
    "diagnostics_verbose": "stepping_diagnostics_verbose",
    "min_accepted_chunks": "min_accepted_chunks",
    "chunk_duration_s": ("scan_chunk_duration", float),
})

ANALYSIS = Adapter("analysis", _lazy("vsg_core.analysis.job", "AnalysisSettings"), {
    "correlation": CORRELATION,
    "drift": DRIFT,
    "selection_mode": "delay_selection_mode",
    "first_stable_min_chunks": "first_stable_min_chunks",
    "first_stable_skip_unstable": "first_stable_skip_unstable",
    "min_accepted_chunks": "min_accepted_chunks",
    "lang_source1": "analysis_lang_source1",
    "lang_others": "analysis_lang_others",
    "sync_mode": "sync_mode",
    "segmented_enabled": "segmented_enabled",
    "stepping_first_stable_min_chunks": "stepping_first_stable_min_chunks",
    "stepping_first_stable_skip_unstable": "stepping_first_stable_skip_unstable",
})

CHAPTERS = Adapter("chapters", _lazy("vsg_core.chapters.process", "ChapterOptions"), {
    "rename": "rename_chapters",
    "snap": "snap_chapters",
    "snap_mode": ("snap_mode", _snap_mode),
    "snap_threshold_ms": "snap_threshold_ms",
    "snap_starts_only": "snap_starts_only",
})

MUX = Adapter("mux", _lazy("vsg_core.mux.settings", "MuxSettings"), {
    "disable_track_statistics_tags": "disable_track_statistics_tags",
    "disable_header_compression": "disable_header_compression",
    "apply_dialog_norm_gain": "apply_dialog_norm_gain",
})

ADAPTERS: tuple[Adapter, ...] = (CORRELATION, DRIFT, ANALYSIS, CHAPTERS, MUX)


def correlation_options(settings: Mapping[str, Any]) -> Any:
    """:class:`~vsg_core.analysis.correlation_options.CorrelationOptions` (vsg profile) from the settings."""
    return CORRELATION.build(settings)


def drift_config(settings: Mapping[str, Any]) -> Any:
    """:class:`~vsg_core.analysis.drift.DriftConfig` from the settings."""
    return DRIFT.build(settings)


def analysis_settings(settings: Mapping[str, Any]) -> Any:
    """:class:`~vsg_core.analysis.job.AnalysisSettings` (with its correlation and drift options)."""
    return ANALYSIS.build(settings)


def chapter_options(settings: Mapping[str, Any]) -> Any:
    """:class:`~vsg_core.chapters.process.ChapterOptions` from the settings."""
    return CHAPTERS.build(settings)


def mux_settings(settings: Mapping[str, Any]) -> Any:
    """:class:`~vsg_core.mux.settings.MuxSettings` from the settings."""
    return MUX.build(settings)
