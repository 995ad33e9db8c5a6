"""The librosa feature methods (docs/analysis.md#correlation-methods): onset envelope, MFCC + DTW, mel spectrogram.

Python in both backends. Each takes the reference chunk and the *same* sample window of the target (frame
features do not use vsg's wider target window) and returns a ``LagResult`` whose lag is in **frames** of
512 samples; ``delay_ms`` converts it with the original's own float expression per method. vsg differences:
parabolic sub-frame fit when ``peak_fit`` (onset, spectrogram) and the DTW sign (docs/analysis.md#correlation-methods)
when ``dtw_sign_fix``.
"""

from __future__ import annotations

import numpy as np

from ..confidence import peak_confidence
from ..correlation_options import EPS, SR, CorrelationOptions
from .fft import LagResult, parabolic_offset

HOP = 512


def _librosa():  # imported lazily: librosa (numba) costs ~0.1 GB of RSS and seconds of start-up
    try:
        import librosa
    except ImportError as e:  # pragma: no cover - librosa is a dependency
        raise ImportError("this correlation method needs librosa: pip install librosa") from e
    return librosa


def _znorm(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + EPS)


def _phat_frames(er: np.ndarray, et: np.ndarray, fit: bool) -> LagResult:
    """GCC-PHAT on two feature series (exact n; docs/analysis.md#correlation-methods) with the peak-normalised
    confidence (docs/analysis.md#confidence)."""
    n = er.size + et.size - 1
    R = np.fft.fft(er, n)
    T = np.fft.fft(et, n)
    G = R * np.conj(T)
    c = np.abs(np.fft.ifft(G / (np.abs(G) + EPS)))
    k = int(np.argmax(c))
    lag = k - n if k > n / 2 else k
    raw = float(lag)
    if fit:
        raw = lag + parabolic_offset(float(c[(k - 1) % n]), float(c[k]), float(c[(k + 1) % n]))
    return LagResult(lag, raw, peak_confidence(c, k))


def onset(r: np.ndarray, t: np.ndarray, opts: CorrelationOptions) -> LagResult:
    lb = _librosa()
    er = lb.onset.onset_strength(y=r, sr=SR, hop_length=HOP)
    et = lb.onset.onset_strength(y=t, sr=SR, hop_length=HOP)
    return _phat_frames(_znorm(er.astype(np.float64)), _znorm(et.astype(np.float64)),
                        opts.peak_fit and opts.profile == "vsg")


def spectrogram(r: np.ndarray, t: np.ndarray, opts: CorrelationOptions) -> LagResult:
    lb = _librosa()

    def series(x: np.ndarray) -> np.ndarray:
        s = lb.feature.melspectrogram(y=x, sr=SR, hop_length=HOP, n_mels=64)
        return _znorm(lb.power_to_db(s, ref=np.max).mean(axis=0).astype(np.float64))

    return _phat_frames(series(r), series(t), opts.peak_fit and opts.profile == "vsg")


def dtw(r: np.ndarray, t: np.ndarray, opts: CorrelationOptions) -> LagResult:
    """MFCC + DTW (docs/analysis.md#correlation-methods). Upstream reports median(tgt − ref) frames (the inverted
    sign); vsg negates it."""
    lb = _librosa()
    mr = lb.feature.mfcc(y=r, sr=SR, n_mfcc=13, hop_length=HOP)
    mt = lb.feature.mfcc(y=t, sr=SR, n_mfcc=13, hop_length=HOP)
    D, wp = lb.sequence.dtw(X=mr, Y=mt, metric="euclidean")
    offsets = wp[:, 1] - wp[:, 0]
    med = float(np.median(offsets))
    avg = float(D[wp[-1, 0], wp[-1, 1]]) / len(wp)   # the original's quirk, kept: the (0,0) cell
    conf = float(np.clip(100.0 - 0.5 * avg, 0.0, 100.0))
    if opts.dtw_sign_fix:
        med = -med
    return LagResult(round(med), med, conf)


def delay_ms(method: str, raw_frames: float) -> float:
    """Frame lag → ms with the original's float expression for each method (docs/analysis.md#correlation-methods)."""
    if method == "onset":
        return (raw_frames / (SR / HOP)) * 1000.0
    if method == "dtw":
        return raw_frames * (HOP / SR) * 1000.0
    return raw_frames * ((HOP / SR) * 1000.0)


FEATURE_FUNCS = {"onset": onset, "dtw": dtw, "spectrogram": spectrogram}
