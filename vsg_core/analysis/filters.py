"""Optional pre-filters (docs/analysis.md#pre-filter): dialogue band-pass and low-pass, causal, single pass.

Both are applied to a signal (the original: the whole decoded track; vsg's windowed decode: each decoded window,
which starts ``FILTER_SETTLE_S`` before the samples that are used, so the causal filter's start-up transient
has decayed below float32 resolution by then) and return float32. Design/apply errors return the input
unchanged, silently (docs/analysis.md#pre-filter).
"""

from __future__ import annotations

import numpy as np

from ..log import JobLog
from .correlation_options import FILTER_BANDPASS, FILTER_LOWPASS, SR, CorrelationOptions

# Samples decoded before a window and discarded after filtering, seconds (see filter_settle_s()).
FILTER_SETTLE_S = 1.0


def bandpass(x: np.ndarray, low_hz: float, high_hz: float, order: int, sr: int = SR) -> np.ndarray:
    """Butterworth band-pass (b, a form) of ``order``, ``lfilter`` (causal), cast to float32
    (docs/analysis.md#pre-filter)."""
    from scipy import signal  # lazily: scipy.signal adds ~75 MB of RSS to a process that never filters

    try:
        nyq = sr / 2.0
        b, a = signal.butter(int(order), [low_hz / nyq, high_hz / nyq], btype="band")
        return signal.lfilter(b, a, x).astype(np.float32)
    except Exception:
        return x


def lowpass_cutoff(bandlimit_hz: float, sr: int = SR) -> float | None:
    """The low-pass cutoff (docs/analysis.md#pre-filter), or None when ``int(bandlimit_hz) <= 0`` (nothing is
    applied)."""
    if int(bandlimit_hz) <= 0:
        return None
    return min(float(bandlimit_hz), sr / 2.0 - 1.0)


def lowpass(x: np.ndarray, cutoff_hz: float, taps: int, sr: int = SR) -> np.ndarray:
    """Hamming-windowed-sinc FIR of ``taps`` taps, unity DC gain, causal (docs/analysis.md#pre-filter)."""
    from scipy import signal

    try:
        h = signal.firwin(int(taps), cutoff_hz / (sr / 2.0), window="hamming")
        h = h / h.sum()
        return signal.lfilter(h, [1.0], x).astype(np.float32)
    except Exception:
        return x


def filter_active(opts: CorrelationOptions) -> bool:
    if opts.filtering == FILTER_BANDPASS:
        return True
    return opts.filtering == FILTER_LOWPASS and lowpass_cutoff(opts.bandlimit_hz) is not None


def log_filter(opts: CorrelationOptions, log: JobLog | None) -> None:
    """The once-per-pair filter log line (docs/analysis.md#pre-filter)."""
    if log is None:
        return
    if opts.filtering == FILTER_BANDPASS:
        log.log("Applying Dialogue Band-Pass filter...")
    elif opts.filtering == FILTER_LOWPASS:
        c = lowpass_cutoff(opts.bandlimit_hz)
        if c is not None:
            log.log(f"Applying Low-Pass filter at {c} Hz...")


def apply_filter(x: np.ndarray, opts: CorrelationOptions) -> np.ndarray:
    """The configured pre-filter applied to ``x`` (unchanged when none is active)."""
    if opts.filtering == FILTER_BANDPASS:
        return bandpass(x, opts.bandpass_low_hz, opts.bandpass_high_hz, opts.bandpass_order)
    if opts.filtering == FILTER_LOWPASS:
        c = lowpass_cutoff(opts.bandlimit_hz)
        if c is not None:
            return lowpass(x, c, opts.lowpass_taps)
    return x


def filter_settle_s(opts: CorrelationOptions) -> float:
    """Extra seconds to decode before each window so the filter has settled (0 without a filter)."""
    return FILTER_SETTLE_S if filter_active(opts) else 0.0
