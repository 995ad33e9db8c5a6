"""Unit tests of the Phase 2 building blocks (Python reference): options/dispatch, chunk placement,
confidence formulas, record rounding/acceptance and log lines. Expected values are worked by hand from
docs/analysis.md (#chunk-placement, #correlation-methods, #confidence, #chunk-records)."""

from __future__ import annotations

import numpy as np
import pytest

from vsg_core.analysis.chunks import chunk_starts, place_chunks
from vsg_core.analysis.confidence import peak_confidence, scc_match, scot_confidence
from vsg_core.analysis.correlate import chunk_line, lag_to_delay_ms, make_record, pal_speed
from vsg_core.analysis.correlation_options import (
    EPS,
    FILTER_BANDPASS,
    CorrelationOptions,
    method_key,
)
from vsg_core.analysis.methods.fft import LagResult


# ----------------------------------------------------------------------------------------- dispatch
# docs/analysis.md#correlation-methods
@pytest.mark.parametrize(("name", "key"), [
    ("Phase Correlation (GCC-PHAT)", "gcc_phat"),
    ("Standard Correlation (SCC)", "scc"),
    ("Onset Detection", "onset"),
    ("GCC-SCOT", "gcc_scot"),
    ("DTW (Dynamic Time Warping)", "dtw"),
    ("Spectrogram Correlation", "spectrogram"),
    ("VideoDiff", "scc"),                      # anything else runs SCC (docs/analysis.md#correlation-methods)
    ("something else", "scc"),
    ("gcc_whiten", "gcc_whiten"),
    ("gcc-phat", "gcc_phat"),                 # canonical keys (any case, - or _) are accepted too
    ("Phase Correlation", "scc"),             # a display name must be complete to match
])
def test_method_dispatch(name: str, key: str) -> None:
    assert method_key(name) == key


def test_whitened_reachable_only_in_vsg_profile() -> None:
    name = "Whitened Cross-Correlation"
    assert method_key(name) == "gcc_whiten"
    assert method_key(name, whitened_reachable=False) == "scc"  # docs/analysis.md#correlation-methods
    assert CorrelationOptions(method=name).method_key == "gcc_whiten"
    assert CorrelationOptions.spec(method=name).method_key == "scc"


def test_spec_profile_and_settings_mapping() -> None:
    s = CorrelationOptions.spec()
    assert (s.filtering, s.exact_fft_length, s.search_samples, s.peak_fit, s.mask_db, s.taper) == \
        (FILTER_BANDPASS, True, 0, False, None, 0.0)
    o = CorrelationOptions.from_settings({
        "scan_chunk_count": "12", "scan_chunk_duration": 20, "min_confidence_pct": 7.5, "min_match_pct": 99,
        "correlation_method": "GCC-SCOT", "filtering_method": "Low-Pass Filter", "audio_bandlimit_hz": 8000,
    })
    assert (o.chunk_count, o.chunk_duration_s, o.min_match_pct, o.method_key, o.filtering, o.bandlimit_hz) == \
        (12, 20.0, 7.5, "gcc_scot", "Low-Pass Filter", 8000.0)
    assert o.profile == "vsg" and o.search_samples == 20 * 48000
    sp = CorrelationOptions.from_settings({"audio_peak_fit": True, "min_match_pct": 6.0}, profile="spec")
    assert sp.peak_fit and sp.profile == "spec" and sp.min_match_pct == 6.0


# ----------------------------------------------------------------------------------------- placement
# docs/analysis.md#chunk-placement
def test_chunk_placement_worked_example() -> None:
    n = 1440 * 48000
    chunks = place_chunks(n, n, 10, 15.0, 5.0, 95.0)
    assert [round(c.start_s, 1) for c in chunks] == [72.0, 214.3, 356.7, 499.0, 641.3, 783.7, 926.0, 1068.3,
                                                     1210.7, 1353.0]
    assert all(c.length == 720_000 for c in chunks)
    assert chunks[-1].start + chunks[-1].length == 1368 * 48000
    assert [c.index for c in chunks] == list(range(1, 11))


def test_chunk_placement_skips_keep_numbers_and_fallbacks() -> None:
    n = 100 * 48000
    short_target = place_chunks(n, 60 * 48000, 5, 10.0, 5.0, 95.0)
    assert [c.index for c in short_target] == [1, 2, 3]      # starts 5, 25, 45, 65, 85 s; 65 + 10 > 60
    assert chunk_starts(n, 3, 10.0, 50.0, 50.0) == chunk_starts(n, 3, 10.0, 5.0, 95.0)   # invalid → 5/95
    assert chunk_starts(n, 1, 10.0, 5.0, 95.0) == [5.0]
    # range 0: every chunk at s0, duplicates kept
    assert [c.start_s for c in place_chunks(n, n, 3, 96.0, 5.0, 95.0)] == []   # 5 + 96 > 100
    assert [c.start_s for c in place_chunks(n, n, 3, 95.0, 5.0, 95.0)] == [5.0] * 3   # ends exactly at n
    assert [c.start_s for c in place_chunks(n, n, 3, 90.0, 5.0, 95.0)] == [5.0, 5.0, 5.0]


# ----------------------------------------------------------------------------------------- confidence
# docs/analysis.md#confidence
def test_peak_confidence_by_hand() -> None:
    # 200 values: ramp i/400 (0 … 0.4975), peak 2.0 at 100, 1.9 at 102 (inside ±w = 2), 1.0 at 150
    a = np.arange(200) / 400.0
    a[100], a[102], a[150] = 2.0, 1.9, 1.0
    srt = np.sort(a)
    med = (srt[99] + srt[100]) / 2
    pos = 0.9 * 199
    q90 = srt[int(pos)] + (srt[int(pos) + 1] - srt[int(pos)]) * (pos - int(pos))
    bg = a[a < q90]
    sigma = np.sqrt(np.mean((bg - bg.mean()) ** 2))
    expected = (5 * 2.0 / (med + EPS) + 8 * 2.0 / (1.0 + EPS) + 1.5 * 2.0 / (sigma + EPS)) / 3
    assert 10 < expected < 100
    assert peak_confidence(a, 100) == pytest.approx(expected, rel=1e-12)


def test_peak_confidence_clips_and_small_background() -> None:
    a = np.ones(50)
    a[3] = 1000.0
    assert peak_confidence(a, 3) == 100.0
    # n = 5 → w = 1; fewer than 11 background values → σ = 1e-9 → score clipped to 100
    assert peak_confidence(np.array([0.1, 0.2, 0.9, 0.3, 0.2]), 2) == 100.0
    # everything excluded → second = median
    b = np.array([1.0, 2.0, 1.0])
    assert peak_confidence(b, 1) == 100.0


def test_scot_and_scc_formulas() -> None:
    a = np.array([1.0, 1.0, 4.0, 2.0])
    assert scot_confidence(a, 2) == pytest.approx(min(100.0, 4.0 / 2.0 * 10.0))
    assert scot_confidence(np.array([1.0, 0.0, 0.0, 0.0]), 0) == pytest.approx(40.0)
    assert scc_match(-3.0, 4.0, 9.0) == pytest.approx(50.0)


# ----------------------------------------------------------------------------------------- records
# docs/analysis.md#chunk-records
def _chunk(index: int = 1, start: int = 48000 * 10, length: int = 48000 * 15):
    from vsg_core.analysis.chunks import Chunk

    return Chunk(index, start / 48000, start, length)


@pytest.mark.parametrize(("lag", "raw_ms", "rounded"), [
    (24, 0.5, 0), (72, 1.5, 2), (120, 2.5, 2), (-72, -1.5, -2), (-48072, -1001.5, -1002)])
def test_record_rounding_half_even(lag: int, raw_ms: float, rounded: int) -> None:
    rec = make_record(_chunk(), LagResult(lag, float(lag), 50.0), "gcc_phat", CorrelationOptions(), None)
    assert rec.raw_delay_ms == raw_ms and rec.delay_ms == rounded


def test_record_acceptance_is_inclusive_and_log_line() -> None:
    opts = CorrelationOptions(min_match_pct=5.0)
    ok = make_record(_chunk(3), LagResult(-480, -480.25, 5.0), "scc", opts, None)
    bad = make_record(_chunk(4), LagResult(480, 480.0, 4.999), "scc", opts, None)
    assert ok.accepted and not bad.accepted
    assert chunk_line(ok, 10, 5.0) == \
        "  Chunk 3/10 (@10.0s): delay = -10 ms (raw=-10.005, match=5.00) — ACCEPTED"
    assert chunk_line(bad, 10, 5.0) == \
        "  Chunk 4/10 (@10.0s): delay = +10 ms (raw=+10.000, match=5.00) — REJECTED (below 5.0)"


def test_feature_and_speed_delay_conversion() -> None:
    ch = _chunk()
    assert lag_to_delay_ms("onset", 3.0, ch, None) == (3.0 / (48000 / 512)) * 1000.0
    assert lag_to_delay_ms("dtw", -2.0, ch, None) == -2.0 * (512 / 48000) * 1000.0
    assert lag_to_delay_ms("spectrogram", 1.0, ch, None) == 1.0 * ((512 / 48000) * 1000.0)
    # speed-compensated: chunk centre 17.5 s; D = +0.1 s found on the slowed timeline, s = 1.04
    got = lag_to_delay_ms("gcc_phat", 4800.0, ch, 1.04)
    assert got == pytest.approx((17.5 - (17.5 - 0.1) / 1.04) * 1000.0)


def test_pal_pairs() -> None:
    film = 24000 / 1001
    assert pal_speed(film, 25.0) == pytest.approx(25 / film)
    assert pal_speed(25.0, film) == pytest.approx(film / 25)
    assert pal_speed(24.0, 25.0) == pytest.approx(25 / 24)
    assert pal_speed(film, film) is None
    assert pal_speed(0.0, 25.0) is None
    assert pal_speed(30000 / 1001, 25.0) is None
