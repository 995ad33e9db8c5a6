"""Reach: find where each chunk lies in the other release over ±``reach_s`` (default 10 minutes), then let the
chunk search refine it to the sample and sub-sample. See docs/reach.md.

The ordinary chunk search looks only ``search_range_s`` (15 s) around the same instant of the other release.
When its chunks do not agree with high confidence (:func:`chunks_agree`), :func:`reach_run`:

1. decodes the reference chunks and the span of the target the reach needs (the union of every chunk's
   ``[start − reach, end + reach]``, never more) at ``COARSE_SR`` (2 kHz: ffmpeg's resampler low-passes);
2. correlates each chunk over its ±reach after whitening both signals (:func:`coarse_align`, Rust
   ``vsg_core_rs.coarse_align`` or the Python reference below) and scores the peak with the distinct-peak
   confidence (peak vs the largest value outside ±``COARSE_LOBE_S``); a chunk is placed when the score
   reaches ``COARSE_MIN_CONF``;
3. refines every placed chunk whose first-pass delay does not already agree, with the chunk search on a
   target window of ±``REFINE_MARGIN_S`` centred on the coarse position (48 kHz, sub-sample peak).

Chunks may land at different coarse positions: inserts and cuts of any length up to the reach become
delay steps that the diagnosis reads as STEPPING. A delay beyond the reach finds no coarse position and the
source ends as NO_MATCH (the message names ``analysis_reach_s``).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import MediaError
from ..log import JobLog
from ..runner import run
from ..tools import require
from . import decode as dec
from .chunks import Chunk, place_chunks
from .confidence import level_db
from .correlation_options import SR, CorrelationOptions
from .records import ChunkResult

if TYPE_CHECKING:
    from .correlate import CorrelationRun
    from .drift import Diagnosis

COARSE_SR = 2000            # Hz: rate of the coarse search (content below 1 kHz)
COARSE_LOBE_S = 0.005       # main lobe left out around the coarse peak (±5 ms), as the chunk confidence
COARSE_MIN_CONF = 20.0      # distinct-peak score a coarse candidate needs (docs/reach.md: calibration); the
#                             refining chunk search must then accept it with the chunk confidence
COARSE_SMOOTH_HZ = 20.0     # whitening: each spectrum divided by its magnitude smoothed over this width
COARSE_MASK_DB = 60.0       # bins further below the smoothed spectrum's peak get no weight
COARSE_TAPER = 0.1          # raised-cosine edges on the reference chunk (fraction of the chunk)
REFINE_MARGIN_S = 1.0       # the refining chunk search covers the coarse position ± this
AGREE_MS = 5.0              # first-pass chunks agree: every accepted delay within this of their line
SAME_POSITION_MS = 20.0     # a first-pass delay this close to the coarse one is kept as it is


# ---------------------------------------------------------------------------------------------- algorithm
@dataclass(frozen=True)
class CoarseHit:
    position: int           # where the chunk starts in the target span (samples at the coarse rate)
    confidence: float       # distinct-peak score 0–100 (0 for a silent chunk or span)


def _fast_len(n: int) -> int:
    from .methods.fft import fast_len

    return fast_len(n)


def smooth_magnitude(p: np.ndarray, h: int) -> np.ndarray:
    """Moving average of ``p`` over bins [k−h, k+h] ∩ [0, len) by prefix sums (float64), clamped at 0."""
    if h <= 0:
        return p.copy()
    c = np.concatenate([[0.0], np.cumsum(p)])
    k = np.arange(p.size)
    lo = np.maximum(0, k - h)
    hi = np.minimum(p.size, k + h + 1)
    return np.maximum((c[hi] - c[lo]) / (hi - lo), 0.0)


def _whiten(x: np.ndarray, h: int, mask_db: float) -> np.ndarray:
    s = smooth_magnitude(np.abs(x), h)
    thr = float(s.max()) * 10.0 ** (-mask_db / 20.0)
    keep = (s > thr) & (s > 0.0)
    out = np.zeros_like(x)
    out[keep] = x[keep] / s[keep]
    return out


def coarse_align_python(ref: np.ndarray, tgt: np.ndarray, *, lobe: int, rate: int = COARSE_SR,
                        smooth_hz: float = COARSE_SMOOTH_HZ, mask_db: float = COARSE_MASK_DB,
                        taper: float = COARSE_TAPER, silence_db: float = -60.0) -> CoarseHit:
    """Position of ``ref`` inside ``tgt`` (``0 … len(tgt) − len(ref)``) by a whitened cross-correlation.

    float64 throughout. FFT length n = fast_len(len(tgt) + len(ref)); the reference chunk gets Tukey edges;
    each spectrum is divided by its own magnitude smoothed over ±h bins (h = round(smooth_hz·n/(2·rate)),
    at least 1), bins whose smoothed magnitude is more than ``mask_db`` below its largest get 0 (whitening
    each signal, not their cross-spectrum: a bin-wise phase transform over a 20-minute span drowns the
    chunk's 15 s in the rest of the span); c = irfft(W_t·conj(W_r)); a = |c| over the valid positions;
    confidence 100·(1 − second/peak) with ``second`` the largest a outside ±``lobe`` positions of the peak
    (0 when none), or 0 when either signal is below ``silence_db`` dBFS or ``tgt`` is shorter than ``ref``.
    """
    from .methods.fft import taper as tukey

    lr, lt = int(ref.size), int(tgt.size)
    if lr == 0 or lt < lr:
        return CoarseHit(0, 0.0)
    if min(level_db(ref), level_db(tgt)) < silence_db:
        return CoarseHit(0, 0.0)
    n = _fast_len(lt + lr)
    h = max(1, round(0.5 * smooth_hz * n / rate))
    r = np.asarray(ref, dtype=np.float64)
    w = tukey(lr, taper)
    if w is not None:
        r = r * w
    x = _whiten(np.fft.rfft(np.asarray(tgt, dtype=np.float64), n), h, mask_db) \
        * np.conj(_whiten(np.fft.rfft(r, n), h, mask_db))
    c = np.fft.irfft(x, n)[: lt - lr + 1]
    a = np.abs(c)
    k = int(np.argmax(a))
    p = float(a[k])
    if not p > 0.0:
        return CoarseHit(k, 0.0)
    lo, hi = max(0, k - lobe), min(a.size, k + lobe + 1)
    second = 0.0
    if lo > 0:
        second = float(a[:lo].max())
    if hi < a.size:
        second = max(second, float(a[hi:].max()))
    return CoarseHit(k, float(min(100.0, max(0.0, 100.0 * (1.0 - second / p)))))


def coarse_align(refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], backend: str | None = None
                 ) -> list[CoarseHit]:
    """:func:`coarse_align_python` (or its Rust twin) on each (chunk, span) pair at ``COARSE_SR``."""
    from .engine import engine

    return engine(backend).coarse_align(refs, tgts, round(COARSE_LOBE_S * COARSE_SR))


# ---------------------------------------------------------------------------------------------- decision
def chunks_agree(run: CorrelationRun, placed: int) -> bool:
    """True when the first pass needs no reach: every placed chunk was correlated and accepted and the
    accepted delays lie within ``AGREE_MS`` of their least-squares line (a constant delay or a slow
    drift)."""
    recs = run.chunks
    if len(recs) < placed or not recs or not all(r.accepted for r in recs):
        return False
    y = np.array([r.raw_delay_ms for r in recs])
    if len(recs) < 3:
        return bool(np.ptp(y) <= AGREE_MS)
    x = np.array([r.start_s for r in recs])
    a = np.vstack([x, np.ones_like(x)]).T
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    return bool(np.max(np.abs(y - a @ coef)) <= AGREE_MS)


# ---------------------------------------------------------------------------------------------- decoding
def decode_spans(info: dec.AudioInfo, spans: Sequence[tuple[float, float]], rate: int,
                 log: JobLog | None = None) -> list[np.ndarray]:
    """Mono float32 at ``rate`` of each (start_s, duration_s) span of the track, one ffmpeg run.

    Used at the coarse rate only: a seek may land a few 48 kHz samples off (AAC, Opus), far below one
    coarse sample's worth of the refinement margin.
    """
    tools = require("ffmpeg")
    offset = info.start_s - info.file_start_s
    out: list[np.ndarray] = [np.zeros(0, dtype=np.float32) for _ in spans]
    todo = [(i, s, d) for i, (s, d) in enumerate(spans) if d > 0]
    if not todo:
        return out
    with tempfile.TemporaryDirectory(prefix="vsg-coarse-") as tmp:
        inputs: list[str] = []
        outputs: list[str] = []
        for k, (i, s, d) in enumerate(todo):
            inputs += [*dec.decoder_args(info.codec), "-ss", f"{offset + max(0.0, s):.6f}", "-t", f"{d:.6f}",
                       "-i", str(info.path)]
            outputs += ["-map", f"{k}:a:{info.ordinal}", "-ac", "1", "-ar", str(rate), "-f", "f32le",
                        str(Path(tmp) / f"s{i}.f32")]
        cmd = [tools["ffmpeg"], "-nostdin", "-v", "error", "-y", *inputs, *outputs]
        try:
            run(cmd, log, what=info.path.name)
        except Exception as e:
            raise MediaError(f"ffmpeg decode failed for {info.path.name}: {e}") from e
        for i, _s, _d in todo:
            p = Path(tmp) / f"s{i}.f32"
            out[i] = np.fromfile(p, dtype="<f4") if p.is_file() else out[i]
    return out


# ---------------------------------------------------------------------------------------------- the reach
@dataclass(frozen=True)
class CoarsePlacement:
    chunk: Chunk
    delay_ms: float | None      # coarse delay t_ref − t_tgt (None: no confident position)
    confidence: float


def coarse_positions(ri: dec.AudioInfo, ti: dec.AudioInfo, chunks: Sequence[Chunk], reach_s: float,
                     backend: str, log: JobLog | None) -> list[CoarsePlacement]:
    """Coarse delay of every chunk over ±``reach_s`` (decoding only the target span the reach needs)."""
    if not chunks:
        return []
    r = COARSE_SR
    tgt_dur = ti.duration_s
    lo = max(0.0, min(c.start_s for c in chunks) - reach_s)
    hi = min(tgt_dur + 1.0, max(c.start_s + c.length / SR for c in chunks) + reach_s)
    ref_lo = decode_spans(ri, [(c.start / SR, c.length / SR) for c in chunks], r, log)
    (span,) = decode_spans(ti, [(lo, max(0.0, hi - lo))], r, log)
    refs, tgts, starts = [], [], []
    for c, ref in zip(chunks, ref_lo, strict=True):
        a = max(0, round((c.start_s - reach_s - lo) * r))
        b = min(span.size, round((c.start_s + c.length / SR + reach_s - lo) * r))
        refs.append(ref[: round(c.length / SR * r)])
        tgts.append(span[a:b] if b > a else np.zeros(0, dtype=np.float32))
        starts.append(lo + a / r)
    hits = coarse_align(refs, tgts, backend)
    out = []
    for c, h, t0, ref, tgt in zip(chunks, hits, starts, refs, tgts, strict=True):
        ok = h.confidence >= COARSE_MIN_CONF and tgt.size >= ref.size > 0
        delay = (c.start / SR - (t0 + h.position / r)) * 1000.0 if ok else None
        out.append(CoarsePlacement(c, delay, h.confidence))
    return out


def reach_run(first: CorrelationRun, ri: dec.AudioInfo, ti: dec.AudioInfo, opts: CorrelationOptions,
              log: JobLog | None, backend: str, keys: list[str]) -> CorrelationRun:
    """The coarse search and refinement when the first pass does not agree; else ``first`` unchanged."""
    from .correlate import _windowed_once

    reach_s = float(opts.reach_s)
    if reach_s <= opts.search_samples / SR:
        return first
    chunks = place_chunks(ri.est_samples, ri.est_samples, opts.chunk_count, opts.chunk_duration_s,
                          opts.scan_start_pct, opts.scan_end_pct)
    if not opts.reach_always and chunks_agree(first, len(chunks)):
        return first
    t0 = time.perf_counter()
    if log is not None:
        log.log(f"[Reach] The chunks do not agree around 0: searching each chunk over ±{reach_s:g} s "
                f"(analysis_reach_s) at {COARSE_SR} Hz")
    placed = coarse_positions(ri, ti, chunks, reach_s, backend, log)
    t1 = time.perf_counter()
    firsts = {m: {r.index: r for r in recs} for m, recs in first.results.items()}
    primary = firsts[keys[0]]
    refine: list[CoarsePlacement] = []
    for p in placed:
        f = primary.get(p.chunk.index)
        if p.delay_ms is None:
            continue
        if f is not None and f.accepted and abs(f.raw_delay_ms - p.delay_ms) <= SAME_POSITION_MS:
            continue
        refine.append(p)
    refined: dict[str, dict[int, ChunkResult]] = {m: {} for m in keys}
    if refine:
        shifts = [round(p.delay_ms * SR / 1000.0) for p in refine if p.delay_ms is not None]
        rr = _windowed_once(ri, ti, opts, None, backend, keys, None, chunks=[p.chunk for p in refine],
                            shifts=shifts, margin=round(REFINE_MARGIN_S * SR))
        for m, recs in rr.results.items():
            refined[m] = {r.index: r for r in recs}
    results: dict[str, list[ChunkResult]] = {}
    for m in keys:
        recs = []
        for p in placed:
            i = p.chunk.index
            f = firsts[m].get(i)
            r = refined[m].get(i)
            # a refined record replaces the first pass's unless that one was accepted and scores higher
            if r is not None and (f is None or not f.accepted or (r.accepted and r.match_pct > f.match_pct)):
                recs.append(r)
            elif i in firsts[m]:
                recs.append(dataclasses.replace(firsts[m][i], coarse_delay_ms=p.delay_ms))
        results[m] = recs
    if log is not None:
        for p in placed:
            rec = next((r for r in results[keys[0]] if r.index == p.chunk.index), None)
            where = "no position" if p.delay_ms is None else f"coarse {p.delay_ms / 1000.0:+.3f} s"
            fine = "not correlated" if rec is None else f"refined {rec.raw_delay_ms:+.3f} ms"
            log.log(f"  [Reach] Chunk {p.chunk.index} (@{p.chunk.start_s:.1f}s): {where} "
                    f"(confidence {p.confidence:.1f}) → {fine}")
        log.log(f"[Reach] coarse search {t1 - t0:.2f} s, refinement of {len(refine)} chunks "
                f"{time.perf_counter() - t1:.2f} s")
    out = dataclasses.replace(first, results=results)
    out.timings["reach"] = time.perf_counter() - t0
    out.reach_s = reach_s
    return out


# ---------------------------------------------------------------------------------------------- step boundaries
SCAN_WINDOW_S = 0.5         # dense boundary scan: similarity in 0.5 s windows …
SCAN_HOP_S = 0.1            # … every 0.1 s
SCAN_LAGS = 24              # … best over ±24 coarse samples (12 ms: a sought Opus/AAC span may start up
#                             to 8 ms off; the delays themselves are known to the sub-sample)
SCAN_MATCH = 0.5            # a window matches a delay when |Pearson r| reaches this


def window_similarity(ref: np.ndarray, tgt: np.ndarray, win: int, hop: int, lags: int) -> np.ndarray:
    """|Pearson r| of ``ref`` and ``tgt`` (same timeline) in windows of ``win`` every ``hop`` samples, the
    best over ±``lags`` samples of ``tgt`` (0 where either window is flat). Window sums by prefix sums."""
    n = min(ref.size, tgt.size)
    starts = np.arange(lags, max(lags, n - win - lags), hop)
    if starts.size == 0:
        return np.zeros(0)
    x = np.asarray(ref[:n], dtype=np.float64)

    def wsum(v: np.ndarray, at: np.ndarray) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(v)])
        return c[at + win] - c[at]

    sx, sxx = wsum(x, starts), wsum(x * x, starts)
    vx = sxx - sx * sx / win
    best = np.zeros(starts.size)
    y_all = np.asarray(tgt[:n], dtype=np.float64)
    for lag in range(-lags, lags + 1):
        y = np.zeros(n)
        if lag >= 0:
            y[:n - lag] = y_all[lag:]
        else:
            y[-lag:] = y_all[:n + lag]
        sy, syy, sxy = wsum(y, starts), wsum(y * y, starts), wsum(x * y, starts)
        vy = syy - sy * sy / win
        cov = sxy - sx * sy / win
        den = np.sqrt(np.maximum(vx, 0.0) * np.maximum(vy, 0.0))
        r = np.where(den > 0.0, np.abs(cov) / np.where(den > 0.0, den, 1.0), 0.0)
        best = np.maximum(best, r)
    return best


def _decode_at(info: dec.AudioInfo, start_s: float, dur_s: float, rate: int, log: JobLog | None) -> np.ndarray:
    """``dur_s`` of the track from ``start_s`` at ``rate`` (zeros before the track start)."""
    pad = max(0.0, -start_s)
    (x,) = decode_spans(info, [(max(0.0, start_s), max(0.0, dur_s - pad))], rate, log)
    lead = round(pad * rate)
    out = np.zeros(round(dur_s * rate), dtype=np.float32)
    m = min(x.size, out.size - lead)
    if m > 0:
        out[lead:lead + m] = x[:m]
    return out


def locate_boundaries(diag: Diagnosis, chunks: Sequence[ChunkResult], ref_path: Path, ref_ordinal: int,
                      tgt_path: Path, tgt_ordinal: int, opts: CorrelationOptions | None,
                      log: JobLog | None) -> Diagnosis:
    """Place every step boundary of a STEPPING diagnosis by a dense scan (docs/reach.md).

    Between the last chunk of one segment and the first chunk of the next, the reference is compared in
    0.5 s windows every 0.1 s with the target shifted by each segment's delay; the segment ends where the
    windows matching its delay (counted +1, others −1, from the left) peak and the next begins likewise from
    the right (for an insert both are the same instant; for a cut the stretch between them is missing from
    the target).
    """
    from .drift import Diagnosis as _Diagnosis

    segs = list(diag.segments)
    if len(segs) < 2:
        return diag
    chunk_s = float(getattr(opts, "chunk_duration_s", 15.0))
    rate = COARSE_SR
    win, hop = round(SCAN_WINDOW_S * rate), round(SCAN_HOP_S * rate)
    ri = dec.probe(ref_path, ref_ordinal, log)
    ti = dec.probe(tgt_path, tgt_ordinal, log)
    acc = [c for c in chunks if c.accepted]
    for k in range(len(segs) - 1):
        a, b = segs[k], segs[k + 1]
        in_a = [c.start_s for c in acc if abs(c.raw_delay_ms - a.raw_delay_ms) <= 1.0]
        in_b = [c.start_s for c in acc if abs(c.raw_delay_ms - b.raw_delay_ms) <= 1.0]
        if not in_a or not in_b:
            continue
        lo = max((t for t in in_a if t < min(in_b)), default=None)
        if lo is None:
            continue
        hi = min(t for t in in_b if t > lo) + chunk_s
        ref = _decode_at(ri, lo, hi - lo, rate, log)
        sims = []
        for d_ms in (a.raw_delay_ms, b.raw_delay_ms):
            d = d_ms / 1000.0
            tgt = _decode_at(ti, lo - d, hi - lo, rate, log)
            sims.append(window_similarity(ref, tgt, win, hop, SCAN_LAGS))
        centre = lo + (SCAN_LAGS + np.arange(sims[0].size) * hop + win / 2) / rate
        ma = np.where(sims[0] >= SCAN_MATCH, 1.0, -1.0)
        mb = np.where(sims[1] >= SCAN_MATCH, 1.0, -1.0)
        if not (ma > 0).any() or not (mb > 0).any():
            continue
        # segment A ends where the matches of A minus its non-matches, counted from the left, peak (a quiet
        # window inside A or a stray match after it does not move the boundary); B begins likewise from the
        # right
        e = int(np.argmax(np.cumsum(ma)))
        s_ = int(ma.size - 1 - np.argmax(np.cumsum(mb[::-1])))
        end_a = float(centre[e]) + SCAN_HOP_S / 2
        start_b = float(centre[s_]) - SCAN_HOP_S / 2
        if start_b < end_a:          # ambiguous stretch (both match): one boundary in the middle
            end_a = start_b = 0.5 * (end_a + start_b)
        segs[k] = dataclasses.replace(a, end_s=round(end_a, 2))
        segs[k + 1] = dataclasses.replace(b, start_s=round(start_b, 2))
        if log is not None:
            what = (f"at {end_a:.2f} s" if start_b - end_a < 2 * SCAN_HOP_S else
                    f"{end_a:.2f}–{start_b:.2f} s missing from the target")
            log.log(f"[Reach] Step {a.delay_ms:+d} → {b.delay_ms:+d} ms: boundary {what} (dense scan of "
                    f"{lo:.1f}–{hi:.1f} s)")
    out: _Diagnosis = dataclasses.replace(diag, segments=tuple(segs))
    return out
