"""Stepping correction, pure computation (Python reference; the Rust mirror is
``vsg_core_rs/src/correction/stepping.rs`` and must give bit-identical results).

The design is described in docs/audio_correction.md. In short:

* A **splice** is where the delay of the target changes from ``d_before`` to ``d_after`` (ms; delay
  convention: ``t_target = t_ref − delay/1000``). With ``L = round((d_before − d_after)·sr/1000)`` samples,
  ``L > 0`` means the target holds ``L`` samples the reference lacks (an insert: they are *removed*), ``L < 0``
  means the target lacks ``|L|`` samples (a cut: they are *filled*, with silence).
* **Boundary search** scores every candidate splice position ``p`` (target samples, on a grid) by the
  normalised cross-correlation of the target window just before ``p`` against the reference at ``d_before``
  plus that of the window just after ``p + max(L, 0)`` against the reference at ``d_after``. All sums are
  exact integers (int32 PCM shifted to 16 bits, running sums in int64), so both implementations agree
  bit for bit.
* The **plateau** is the contiguous run of grid points around the best one whose score is within
  ``plateau_tol`` of it: every position there explains the audio equally well (typically a quiet gap).
  **Snapping** picks, inside the plateau, a position in a silence zone found by ffmpeg ``silencedetect``
  (zones passed in), else a position whose 20 ms RMS level is below the silence threshold, else the
  quietest position; a removal needs both of its edges quiet.
* The **EDL** (:class:`AudioSegment`, target timeline) and the **assembly plan** (pieces on the output
  timeline: copies of target sample ranges and fill) follow; the output is aligned to ``align_ms`` (the
  integer delay the muxer gives the source), so every segment lands on the reference timeline.
* **Splicing** copies the pieces and crossfades every join linearly over ``crossfade`` samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

SILENCE_STD_INT32 = 100.0   # a window whose int32 standard deviation is below this is digital silence
SHIFT = 16                  # int32 → 16-bit scale for the exact integer sums


@dataclass(frozen=True)
class AudioSegment:
    """One EDL entry on the target (source) timeline: samples [start_s, end_s) play with ``delay_ms``."""

    start_s: float
    end_s: float
    delay_ms: int
    delay_raw: float
    drift_rate_ms_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RefineParams:
    window: int              # samples per side of the correlation windows
    step: int                # grid step (samples)
    plateau_tol: float       # score distance from the best that still counts as equally good
    level_window: int        # samples of the RMS level window (centred on the candidate)
    silence_db: float        # RMS level (dBFS) below which a position is silent

    @classmethod
    def for_rate(cls, sr: int, window_ms: float = 500.0, step_ms: float = 5.0, plateau_tol: float = 0.02,
                 level_window_ms: float = 20.0, silence_db: float = -40.0) -> RefineParams:
        return cls(max(1, int(window_ms * sr / 1000.0)), max(1, int(step_ms * sr / 1000.0)), plateau_tol,
                   max(1, int(level_window_ms * sr / 1000.0)), silence_db)


@dataclass(frozen=True)
class Splice:
    """Result of the boundary search and snapping for one delay change (all positions: target samples)."""

    delay_before: float
    delay_after: float
    removed: int             # target samples dropped after ``position`` (insert in the target)
    filled: int              # output samples of fill inserted at ``position`` (cut in the target)
    best: int                # grid position with the highest score
    score: float
    plateau_lo: int
    plateau_hi: int
    position: int            # the chosen splice (snapped)
    snap: str                # "silencedetect", "rms", "low_energy" or "none"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Piece:
    """Output samples [out_start, out_start + length): target samples from ``src`` on, or fill (src None)."""

    out_start: int
    length: int
    src: int | None


def shift_lag(delay_ms: float, sr: int) -> int:
    """Delay in whole samples (half to even)."""
    return round(delay_ms * sr / 1000.0)


def _scaled(x: np.ndarray) -> np.ndarray:
    return (np.asarray(x, dtype=np.int32) >> SHIFT).astype(np.int64)


def _csum(v: np.ndarray) -> np.ndarray:
    out = np.zeros(len(v) + 1, dtype=np.int64)
    np.cumsum(v, out=out[1:])
    return out


def _ncc(n: int, sx: int, sy: int, sxx: int, syy: int, sxy: int) -> float:
    """Pearson correlation from exact integer sums; 0.0 when either side is digital silence."""
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    floor = float(n) * (SILENCE_STD_INT32 / 65536.0)
    floor *= floor
    if float(vx) < floor or float(vy) < floor:
        return 0.0
    return float(n * sxy - sx * sy) / math.sqrt(float(vx) * float(vy))


class _Pair:
    """Running sums of target × reference at one fixed lag (ref index = target index + lag)."""

    def __init__(self, ts: np.ndarray, rs: np.ndarray, lag: int, lo: int, hi: int) -> None:
        # the target range [lo, hi) with its reference partner; outside either signal the pair is absent
        self.lo, self.hi = lo, hi
        n_t, n_r = len(ts), len(rs)
        idx = np.arange(lo, hi, dtype=np.int64)
        ok = (idx >= 0) & (idx < n_t) & (idx + lag >= 0) & (idx + lag < n_r)
        x = np.zeros(hi - lo, dtype=np.int64)
        y = np.zeros(hi - lo, dtype=np.int64)
        x[ok] = ts[idx[ok]]
        y[ok] = rs[idx[ok] + lag]
        self.valid = _csum(ok.astype(np.int64))
        self.sx, self.sy = _csum(x), _csum(y)
        self.sxx, self.syy, self.sxy = _csum(x * x), _csum(y * y), _csum(x * y)

    def ncc(self, a: int, b: int) -> float:
        """Correlation over target [a, b); 0.0 when the range leaves either signal."""
        if a < self.lo or b > self.hi or b <= a:
            return 0.0
        i, j = a - self.lo, b - self.lo
        n = b - a
        if int(self.valid[j] - self.valid[i]) != n:
            return 0.0
        return _ncc(n, int(self.sx[j] - self.sx[i]), int(self.sy[j] - self.sy[i]), int(self.sxx[j] - self.sxx[i]),
                    int(self.syy[j] - self.syy[i]), int(self.sxy[j] - self.sxy[i]))


def energy_sums(tgt: np.ndarray, positions: Sequence[int], window: int) -> list[int]:
    """Σx² (16-bit scale) of the ``window`` target samples centred on each position (clipped to the signal)."""
    ts = _scaled(tgt)
    c = _csum(ts * ts)
    n = len(ts)
    half = window // 2
    out = []
    for p in positions:
        a = min(max(p - half, 0), n)
        b = min(max(p - half + window, 0), n)
        out.append(int(c[b] - c[a]))
    return out


def _silent_energy(window: int, silence_db: float) -> float:
    return float(window) * 32768.0 * 32768.0 * 10.0 ** (silence_db / 10.0)


def _in_zones(p: int, zones: Sequence[tuple[int, int]]) -> bool:
    return any(z0 <= p < z1 for z0, z1 in zones)


def _longest_run_mid(flags: Sequence[bool]) -> int | None:
    """Index of the middle of the longest run of True (first run on ties); None if there is none."""
    best_len, best_start, i, n = 0, -1, 0, len(flags)
    while i < n:
        if flags[i]:
            j = i
            while j < n and flags[j]:
                j += 1
            if j - i > best_len:
                best_len, best_start = j - i, i
            i = j
        else:
            i += 1
    if best_len == 0:
        return None
    return best_start + (best_len - 1) // 2


def refine_splice(ref: np.ndarray, tgt: np.ndarray, sr: int, delay_before: float, delay_after: float,
                  lo: int, hi: int, params: RefineParams, zones: Sequence[tuple[int, int]] = (),
                  snap: bool = True) -> Splice:
    """Find and snap one splice in target samples [lo, hi] (mono int32 ``ref`` and ``tgt``)."""
    lag_b = shift_lag(delay_before, sr)
    lag_a = shift_lag(delay_after, sr)
    length = lag_b - lag_a                        # > 0: samples to remove, < 0: samples to fill
    rem = max(length, 0)
    w = params.window
    lo = max(lo, 0)
    hi = max(hi, lo)
    count = (hi - lo) // params.step + 1
    grid = [lo + k * params.step for k in range(count)]
    ts, rs = _scaled(tgt), _scaled(ref)
    before = _Pair(ts, rs, lag_b, lo - w, hi)
    after = _Pair(ts, rs, lag_a, lo + rem, hi + rem + w)
    scores = [before.ncc(p - w, p) + after.ncc(p + rem, p + rem + w) for p in grid]
    best_i = 0
    for i, s in enumerate(scores):
        if s > scores[best_i]:
            best_i = i
    best = scores[best_i]
    a = best_i
    while a > 0 and scores[a - 1] >= best - params.plateau_tol:
        a -= 1
    b = best_i
    while b + 1 < count and scores[b + 1] >= best - params.plateau_tol:
        b += 1
    plateau = grid[a:b + 1]
    chosen, how = grid[best_i], "none"
    if snap:
        in_zone = [_in_zones(p, zones) and (rem == 0 or _in_zones(p + rem, zones)) for p in plateau]
        k = _longest_run_mid(in_zone)
        if k is not None:
            chosen, how = plateau[k], "silencedetect"
        else:
            e1 = energy_sums(tgt, plateau, params.level_window)
            e2 = energy_sums(tgt, [p + rem for p in plateau], params.level_window) if rem else [0] * len(plateau)
            limit = _silent_energy(params.level_window, params.silence_db)
            quiet = [float(x) < limit and float(y) < limit for x, y in zip(e1, e2, strict=True)]
            k = _longest_run_mid(quiet)
            if k is not None:
                chosen, how = plateau[k], "rms"
            else:
                cost = [x + y for x, y in zip(e1, e2, strict=True)]
                k = 0
                for i, c in enumerate(cost):
                    if c < cost[k]:
                        k = i
                chosen, how = plateau[k], "low_energy"
    return Splice(delay_before, delay_after, rem, max(-length, 0), grid[best_i], best, plateau[0], plateau[-1],
                  chosen, how)


def build_edl(delays_raw: Sequence[float], splices: Sequence[Splice], n_target: int, sr: int
              ) -> list[AudioSegment]:
    """EDL on the target timeline: segment k runs from the end of splice k−1 (its removed stretch skipped) to
    splice k; the last one to the end of the target."""
    if len(splices) != len(delays_raw) - 1:
        raise ValueError("build_edl: one splice per pair of consecutive segments is needed")
    out: list[AudioSegment] = []
    start = 0
    for k, d in enumerate(delays_raw):
        end = splices[k].position if k < len(splices) else n_target
        end = max(end, start)
        out.append(AudioSegment(start / sr, end / sr, round(d), float(d), 0.0))
        if k < len(splices):
            start = min(splices[k].position + splices[k].removed, n_target)
    return out


def assembly_plan(edl: Sequence[AudioSegment], sr: int, align_ms: float) -> list[Piece]:
    """Pieces on the output timeline, where output sample o shows reference time o + align (samples)."""
    pieces: list[Piece] = []
    prev_end = 0
    for seg in edl:
        shift = shift_lag(align_ms - seg.delay_raw, sr)   # target index = output index + shift
        s = round(seg.start_s * sr)
        e = round(seg.end_s * sr)
        out_s, out_e = s - shift, e - shift
        if out_s < prev_end:
            s += prev_end - out_s
            out_s = prev_end
        if out_e <= out_s:
            continue
        if out_s > prev_end:
            pieces.append(Piece(prev_end, out_s - prev_end, None))
        pieces.append(Piece(out_s, out_e - out_s, s))
        prev_end = out_e
    return pieces


def _piece_values(pcm: np.ndarray, piece: Piece, a: int, b: int) -> np.ndarray:
    """Samples of ``piece``'s mapping at output [a, b) (beyond the piece too); zeros outside the target."""
    ch = pcm.shape[1]
    out = np.zeros((b - a, ch), dtype=np.int32)
    if piece.src is None:
        return out
    s0 = piece.src + (a - piece.out_start)
    lo, hi = max(s0, 0), min(s0 + (b - a), pcm.shape[0])
    if hi > lo:
        out[lo - s0:hi - s0] = pcm[lo:hi]
    return out


def splice_audio(pcm: np.ndarray, pieces: Sequence[Piece], crossfade: int) -> np.ndarray:
    """Assemble interleaved int32 PCM (frames × channels) along ``pieces``; joins crossfade linearly over up
    to ``crossfade`` samples (never more than half of either neighbouring piece)."""
    if pcm.ndim != 2:
        raise ValueError("splice_audio: PCM must be frames × channels")
    total = pieces[-1].out_start + pieces[-1].length if pieces else 0
    out = np.zeros((total, pcm.shape[1]), dtype=np.int32)
    for p in pieces:
        out[p.out_start:p.out_start + p.length] = _piece_values(pcm, p, p.out_start, p.out_start + p.length)
    for k in range(1, len(pieces)):
        prev, nxt = pieces[k - 1], pieces[k]
        h = min(crossfade // 2, prev.length // 2, nxt.length // 2)
        if h <= 0:
            continue
        x = nxt.out_start
        a = _piece_values(pcm, prev, x - h, x + h).astype(np.float64)
        b = _piece_values(pcm, nxt, x - h, x + h).astype(np.float64)
        g = ((np.arange(2 * h, dtype=np.float64) + 0.5) / float(2 * h))[:, None]
        v = np.rint(a + (b - a) * g)
        out[x - h:x + h] = np.clip(v, -2147483648.0, 2147483647.0).astype(np.int32)
    return out
