"""Drift / stepping diagnosis (docs/analysis.md#drift-and-stepping and vsg's fixes): presets, every diagnosis branch.

Chunk records are synthetic with hand-chosen delays; expected values are worked out in the comments (line fits
are cross-checked with numpy.polyfit, not with the code under test). Every test runs on both backends.
"""

from __future__ import annotations

import numpy as np
import pytest

from vsg_core.analysis.drift import (
    QUALITY_PRESETS,
    DriftConfig,
    QualityThresholds,
    diagnose,
    expected_pal_slope,
    is_lossless_codec,
)
from vsg_core.analysis.records import ChunkResult
from vsg_core.models.enums import DiagnosisKind as K

BACKENDS = ("python", "rust")
FILM = 24000 / 1001


def recs(raws: list[float], spacing: float = 60.0, first: float = 10.0, match: float | list[float] = 95.0,
         accepted: list[bool] | None = None) -> list[ChunkResult]:
    matches = match if isinstance(match, list) else [match] * len(raws)
    acc = accepted or [True] * len(raws)
    return [ChunkResult(i + 1, first + spacing * i, round(r), r, matches[i], acc[i])
            for i, r in enumerate(raws)]


def polyfit(records: list[ChunkResult], chunk_s: float = 15.0) -> tuple[float, float, float]:
    """(slope, intercept, R²) of raw delay vs chunk centre by numpy, as an independent check."""
    x = np.array([r.start_s + chunk_s / 2 for r in records])
    y = np.array([r.raw_delay_ms for r in records])
    s, b = np.polyfit(x, y, 1)
    resid = y - (s * x + b)
    return float(s), float(b), float(1 - np.sum(resid**2) / np.sum((y - y.mean()) ** 2))


# ----------------------------------------------------------------------------------------------- settings

def test_quality_presets_match_the_spec_table() -> None:
    assert QUALITY_PRESETS["strict"] == QualityThresholds(3, 10.0, 30.0, 90.0, 3)
    assert QUALITY_PRESETS["normal"] == QualityThresholds(3, 5.0, 20.0, 85.0, 2)
    assert QUALITY_PRESETS["lenient"] == QualityThresholds(2, 3.0, 10.0, 75.0, 2)
    assert DriftConfig(stepping_quality_mode="whatever").quality() == ("normal", QUALITY_PRESETS["normal"])
    custom = DriftConfig(stepping_quality_mode="custom", custom_min_chunks_per_cluster=4,
                         custom_min_cluster_pct=7.5, custom_min_cluster_duration_s=33.0,
                         custom_min_match_quality_pct=60.0, custom_min_total_clusters=3)
    assert custom.quality() == ("custom", QualityThresholds(4, 7.5, 33.0, 60.0, 3))


def test_defaults_and_settings_keys() -> None:
    d = DriftConfig()
    assert (d.eps_ms, d.min_samples) == (20.0, 2)
    assert (d.r2_threshold_lossy, d.r2_threshold_lossless) == (0.90, 0.95)
    assert (d.slope_threshold_lossy, d.slope_threshold_lossless) == (0.7, 0.2)
    assert (d.stepping_correction_mode, d.stepping_quality_mode, d.stepping_filtered_fallback) == (
        "full", "normal", "nearest")
    c = DriftConfig.from_settings({"detection_dbscan_epsilon_ms": 35, "detection_dbscan_min_samples": 3,
                                   "drift_detection_r2_threshold": 0.8,
                                   "stepping_correction_mode": "filtered",
                                   "stepping_quality_mode": "strict", "scan_chunk_duration": 10,
                                   "min_accepted_chunks": 4, "stepping_diagnostics_verbose": False})
    assert (c.eps_ms, c.min_samples, c.r2_threshold_lossy, c.chunk_duration_s, c.min_accepted_chunks) == (
        35.0, 3, 0.8, 10.0, 4)
    assert (c.stepping_correction_mode, c.stepping_quality_mode, c.diagnostics_verbose) == (
        "filtered", "strict", False)


def test_expected_pal_slopes() -> None:
    # target = 25 fps speed-up of a 23.976 reference: (1 − (24000/1001)/25)·1000 = 41/1001·1000 = 40.959 ms/s
    assert expected_pal_slope(FILM, 25.0) == pytest.approx(41000 / 1001)
    # reference is the PAL one: (1 − 25/(24000/1001))·1000 = −41/960·1000 = −42.708 ms/s
    assert expected_pal_slope(25.0, FILM) == pytest.approx(-41000 / 960)
    assert expected_pal_slope(24.0, 25.0) == pytest.approx(40.0)
    for ref, tgt in ((25.0, 25.0), (FILM, FILM), (25.0, 30000 / 1001), (None, 25.0), (0.0, 25.0),
                     (25.0, None)):
        assert expected_pal_slope(ref, tgt) is None, (ref, tgt)


def test_lossless_codecs() -> None:
    assert is_lossless_codec("A_FLAC") and is_lossless_codec("A_PCM/INT/LIT")
    assert is_lossless_codec("A_TRUEHD")
    assert not is_lossless_codec("A_AAC") and not is_lossless_codec("A_AC3")


# ----------------------------------------------------------------------------------------------- few chunks

@pytest.mark.parametrize("backend", BACKENDS)
def test_fewer_than_min_accepted_is_insufficient_data(backend: str) -> None:
    r = recs([5.0, 5.0, 5.0, 5.0], accepted=[True, False, True, False])
    d = diagnose(r, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.INSUFFICIENT_DATA and d.accepted_count == 2
    assert d.lines == ("[DriftDiagnosis] INSUFFICIENT_DATA: only 2 accepted chunks (need at least 3).",)


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_to_five_chunks(backend: str) -> None:
    # spread 0.3 ms <= eps (20) → UNIFORM; spread 300 ms → INSUFFICIENT_DATA (too few to tell the pattern)
    d = diagnose(recs([5.0, 5.2, 4.9, 5.1]), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    d = diagnose(recs([0.0, 0.0, 300.0, 300.0, 0.0]), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.INSUFFICIENT_DATA and d.accepted_count == 5


# ----------------------------------------------------------------------------------------------- PAL

def pal_records(slope: float, n: int = 10) -> list[ChunkResult]:
    return recs([12.0 + slope * (10.0 + 120.0 * i + 7.5) for i in range(n)], spacing=120.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pal_target_speed_up(backend: str) -> None:
    d = diagnose(pal_records(40.959), ref_fps=FILM, target_fps=25.0, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.PAL_DRIFT
    assert d.drift_ms_per_s == pytest.approx(40.959, abs=1e-9)
    assert d.intercept_ms == pytest.approx(12.0, abs=1e-6)
    assert d.expected_pal_ms_per_s == pytest.approx(41000 / 1001)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pal_reference_is_the_pal_one(backend: str) -> None:
    d = diagnose(pal_records(-42.7), ref_fps=25.0, target_fps=FILM, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.PAL_DRIFT and d.drift_ms_per_s == pytest.approx(-42.7, abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pal_needs_the_right_direction_and_both_frame_rates(backend: str) -> None:
    # Both 25 fps (the upstream test looked at the reference only): no PAL pair → a linear drift.
    d = diagnose(pal_records(40.959), ref_fps=25.0, target_fps=25.0, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT
    # +40.96 ms/s while the *reference* is PAL: expected −42.7, off by 83.7 > 5 → not PAL.
    d = diagnose(pal_records(40.959), ref_fps=25.0, target_fps=FILM, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT
    # 10 ms/s off the expectation (> 5) → not PAL.
    d = diagnose(pal_records(30.9), ref_fps=FILM, target_fps=25.0, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT


# ----------------------------------------------------------------------------------------------- stepping

@pytest.mark.parametrize("backend", BACKENDS)
def test_stepping_accepted_with_segments(backend: str) -> None:
    r = recs([100.0] * 5 + [600.0] * 5)  # starts 10, 70, …, 550
    d = diagnose(r, ref_duration_s=700.0, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.STEPPING and d.correction_mode == "full"
    c0, c1 = d.clusters
    assert (c0.label, c0.members, c0.chunk_indices) == (0, (0, 1, 2, 3, 4), (1, 2, 3, 4, 5))
    assert (c0.mean_delay_ms, c0.start_s, c0.end_s, c0.duration_s, c0.percentage) == (
        100.0, 10.0, 265.0, 255.0, 50.0)
    assert (c1.mean_delay_ms, c1.start_s, c1.end_s) == (600.0, 310.0, 565.0)
    assert c0.valid and c1.valid and c0.passed_checks == 4
    # boundary: centres 257.5 (chunk 5) and 317.5 (chunk 6) → 287.5
    seg = [(s.start_s, s.end_s, s.delay_ms, s.raw_delay_ms) for s in d.segments]
    assert seg == [(0.0, 287.5, 100, 100.0), (287.5, 700.0, 600, 600.0)]
    assert "[Stepping Accepted] All 2 clusters passed validation." in d.lines
    assert "  Cluster 2 (@310.0s - 565.0s): +600ms" in d.lines
    assert "  Cluster 2: delay=+600±0.0ms, chunks 6-10 (@310.0s - @565.0s), match=95.0% (min=95.0%) " \
           "[↑+500ms jump]" in d.lines


@pytest.mark.parametrize("backend", BACKENDS)
def test_stepping_back_and_forth_gives_three_segments(backend: str) -> None:
    r = recs([0.0] * 4 + [-250.0] * 4 + [0.0] * 4)
    d = diagnose(r, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.STEPPING
    # centres 17.5 + 60 i: boundaries (197.5+257.5)/2 = 227.5 and (437.5+497.5)/2 = 467.5;
    # no reference duration given → the last segment ends at the last centre 677.5 + 7.5 = 685.0
    assert [(s.start_s, s.end_s, s.delay_ms) for s in d.segments] == [
        (0.0, 227.5, 0), (227.5, 467.5, -250), (467.5, 685.0, 0)]
    assert "  → Mixed pattern (some increases, some decreases)" in d.lines


@pytest.mark.parametrize("backend", BACKENDS)
def test_full_mode_rejects_an_invalid_cluster_then_tests_drift(backend: str) -> None:
    r = recs([100.0] * 8 + [600.0] * 2)   # second cluster: 2 chunks < 3 → invalid
    _, _, r2 = polyfit(r)
    assert r2 == pytest.approx(0.4848, abs=1e-4)   # a step is no line: R² < 0.90
    d = diagnose(r, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert "[Stepping Rejected] 1/2 clusters failed validation in 'full' mode." in d.lines
    assert "[DriftDiagnosis] Stepping rejected; testing for linear drift instead." in d.lines
    assert not d.clusters[1].valid and not d.clusters[1].checks["chunks"].passed


@pytest.mark.parametrize("backend", BACKENDS)
def test_filtered_mode_keeps_valid_clusters(backend: str) -> None:
    r = recs([100.0] * 5 + [600.0] * 3 + [900.0] * 2)
    cfg = DriftConfig(stepping_correction_mode="filtered")
    d = diagnose(r, cfg, ref_duration_s=600.0, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.STEPPING and d.fallback_mode == "nearest"
    assert d.valid_clusters == {0: (0, 1, 2, 3, 4), 1: (5, 6, 7)} and d.invalid_clusters == {2: (8, 9)}
    assert [s.delay_ms for s in d.segments] == [100, 600]
    assert "[Filtered Stepping Accepted] Using 2/3 valid clusters (filtered 1)." in d.lines
    # fallback 'reject' refuses any invalid cluster; the staircase is no line either (R² 0.848 < 0.90).
    assert polyfit(r)[2] == pytest.approx(0.8484, abs=1e-4)
    cfg = DriftConfig(stepping_correction_mode="filtered", stepping_filtered_fallback="reject")
    d = diagnose(r, cfg, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert ("[Filtered Stepping Rejected] 1/3 clusters failed validation and the fallback mode is 'reject'."
            in d.lines)


@pytest.mark.parametrize("backend", BACKENDS)
def test_disabled_and_unknown_correction_modes(backend: str) -> None:
    r = recs([100.0] * 5 + [600.0] * 5)
    d = diagnose(r, DriftConfig(stepping_correction_mode="disabled"), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert d.lines[-1] == "[Stepping] Found 2 timing clusters, but stepping correction is disabled."
    # Any other mode: STEPPING iff the smallest cluster has >= stepping_min_chunks_per_cluster (3) chunks.
    d = diagnose(r, DriftConfig(stepping_correction_mode="legacy"), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.STEPPING
    r2 = recs([100.0] * 8 + [600.0] * 2)
    d = diagnose(r2, DriftConfig(stepping_correction_mode="legacy"), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM


@pytest.mark.parametrize("backend", BACKENDS)
def test_strict_preset_needs_three_clusters(backend: str) -> None:
    r = recs([100.0] * 5 + [600.0] * 5)
    d = diagnose(r, DriftConfig(stepping_quality_mode="strict"), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert "[Stepping Rejected] Only 2 clusters (need 3+)." in d.lines


@pytest.mark.parametrize("backend", BACKENDS)
def test_cluster_duration_uses_the_real_chunk_length(backend: str) -> None:
    # 3 chunks 5 s apart, chunk length 5 s: duration = 10 + 5 = 15 s < 20 s → invalid.
    # (Upstream's hard-wired 15 s would give 25 s and accept it.)
    r = recs([0.0] * 3 + [300.0] * 3, spacing=5.0)
    d = diagnose(r, DriftConfig(chunk_duration_s=5.0), backend=backend)  # type: ignore[arg-type]
    assert [c.duration_s for c in d.clusters] == [15.0, 15.0]
    assert d.kind is not K.STEPPING
    assert "    ✗ Duration: 15.0s (need 20.0s+)" in d.lines
    d = diagnose(r, DriftConfig(chunk_duration_s=15.0), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.STEPPING


@pytest.mark.parametrize("backend", BACKENDS)
def test_cluster_match_quality_reads_the_match_field(backend: str) -> None:
    r = recs([100.0] * 5 + [600.0] * 5, match=[95.0] * 5 + [80.0] * 5)
    d = diagnose(r, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert d.clusters[1].avg_match_pct == 80.0 and not d.clusters[1].checks["match"].passed
    assert "    ✗ Match quality: 80.0% (need 85.0%+)" in d.lines


# ----------------------------------------------------------------------------------------------- linear drift

@pytest.mark.parametrize("backend", BACKENDS)
def test_linear_drift_fast_path(backend: str) -> None:
    r = recs([-50.0 + 2.0 * (10.0 + 60.0 * i + 7.5) for i in range(10)])
    d = diagnose(r, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT
    assert d.drift_ms_per_s == pytest.approx(2.0, abs=1e-9)
    assert d.intercept_ms == pytest.approx(-50.0, abs=1e-6)
    assert d.r2 == pytest.approx(1.0)
    assert ("[Linear Drift Detected] 10/10 chunks lie on a line: slope +2.0000 ms/s, R²=1.000, residual RMS "
            "0.000 ms, 1080.0 ms across the scanned span; 0 outlier chunks." in d.lines)


@pytest.mark.parametrize("backend", BACKENDS)
def test_slow_lossy_drift_below_upstream_threshold(backend: str) -> None:
    # 0.3 ms/s < 0.7 (upstream lossy slope threshold) with ±0.02 ms jitter: 162 ms over the 540 s span.
    jitter = [0.02, -0.02, 0.0, 0.02, -0.02, 0.0, 0.02, -0.02, 0.0, 0.01]
    r = recs([20.0 + 0.3 * (17.5 + 60.0 * i) + jitter[i] for i in range(10)])
    s, _, r2 = polyfit(r)
    assert s == pytest.approx(0.3, abs=1e-3) and r2 > 0.999
    d = diagnose(r, codec_id="A_AAC", backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT and d.drift_ms_per_s == pytest.approx(s, rel=1e-9)
    assert d.total_drift_ms == pytest.approx(abs(s) * 540.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_uniform_is_never_drift(backend: str) -> None:
    jitter = [0.02, -0.02, 0.0, 0.02, -0.02, 0.0, 0.02, -0.02, 0.0, 0.01]
    d = diagnose(recs([1001.0 + j for j in jitter]), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM and d.total_drift_ms is not None and d.total_drift_ms < 1.0
    # identical delays: R² undefined → no drift
    d = diagnose(recs([-250.0] * 10), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM and d.r2 is None and d.drift_ms_per_s == 0.0
    # one wild chunk is DBSCAN noise and left out of the fit
    d = diagnose(recs([40.0] * 9 + [900.0]), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM and d.drift_ms_per_s == 0.0
    assert ("[DriftDiagnosis] Fitting the 9 chunks of the single cluster (1 outlier chunks left out)."
            in d.lines)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tiny_trend_below_minimum_total_drift(backend: str) -> None:
    # 0.005 ms/s × 540 s = 2.7 ms < 5 ms: a perfect line, but too small to be called drift.
    d = diagnose(recs([0.005 * (17.5 + 60.0 * i) for i in range(10)]), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM and d.total_drift_ms == pytest.approx(2.7)


@pytest.mark.parametrize("backend", BACKENDS)
def test_residual_check_rejects_a_staircase(backend: str) -> None:
    # Four 30 ms steps whose clusters fail validation (match 80 %): R² 0.944 > 0.90, slope 0.157 ms/s,
    # total 103.8 ms, but residual RMS 7.93 ms > 5 % of 103.8 ms (5.19) → not a line → UNIFORM.
    r = recs([0.0] * 3 + [30.0] * 3 + [60.0] * 3 + [90.0] * 3, match=80.0)
    s, _, r2 = polyfit(r)
    assert r2 == pytest.approx(0.94406, abs=1e-5) and s == pytest.approx(0.157343, abs=1e-6)
    d = diagnose(r, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert d.residual_rms_ms == pytest.approx(7.9333, abs=1e-4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lossless_thresholds(backend: str) -> None:
    r = recs([0.5 * (17.5 + 60.0 * i) for i in range(10)])
    d = diagnose(r, codec_id="A_FLAC", backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT and d.lossless
    assert any(line.startswith("[Linear Drift Detected] 10/10 chunks lie on a line") for line in d.lines)
    d = diagnose(r, codec_id="A_AAC", backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT and not d.lossless
