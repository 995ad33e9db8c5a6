"""Reach: find where each chunk lies in the other release over ±``reach_s`` (default 10 minutes), then let the
chunk search refine it to the sample and sub-sample. Method, thresholds and their calibration: docs/reach.md.

The ordinary chunk search looks only ``search_range_s`` (15 s) around the same instant of the other release.
When its chunks do not agree (:func:`chunks_agree`), :func:`reach_run`:

1. decodes the reference chunks and ONE span of the target — the union of every chunk's
   ``[start − reach, end + reach]`` clipped to the file, never more — at ``COARSE_SR`` (1 kHz; ffmpeg's
   resampler low-passes), the span in two halves by two ffmpeg processes at once;
2. transforms and whitens the span once and correlates every chunk against it (:func:`coarse_search`: Rust
   ``vsg_core_rs.coarse_search`` or :func:`coarse_search_python`), each chunk's peak looked for within its own
   ±reach and scored with the distinct-peak confidence; a chunk is placed when the score reaches
   ``COARSE_MIN_CONF``;
3. refines every placed chunk whose first-pass delay does not already agree with its position, by the chunk
   search at 48 kHz on a target window of ±``REFINE_MARGIN_S`` centred on the coarse position; the refined
   record must pass the ordinary chunk confidence to count.

Chunks may land at different coarse positions: inserts and cuts of any length up to the reach become delay
steps that the diagnosis reads as STEPPING (:func:`locate_boundaries` then places each step to ±0.5 s). A
delay beyond the reach finds no position and the source ends as NO_MATCH naming ``analysis_reach_s``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import cancel as _cancel
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

COARSE_SR = 1000            # Hz: rate of the coarse search (content below 500 Hz; docs/reach.md)
COARSE_LOBE_S = 0.005       # main lobe left out around the coarse peak (±5 ms), as the chunk confidence
COARSE_MIN_CONF = 20.0      # distinct-peak score a coarse candidate needs (docs/reach.md: calibration); the
#                             refining chunk search must then accept it with the chunk confidence
COARSE_SMOOTH_HZ = 20.0     # whitening: each spectrum divided by its magnitude smoothed over this width
COARSE_MASK_DB = 60.0       # bins further below the smoothed spectrum's peak get no weight
COARSE_TAPER = 0.1          # raised-cosine edges on the reference chunk (fraction of the chunk)
REFINE_MARGIN_S = 1.0       # the refining chunk search covers the coarse position ± this
AGREE_MS = 5.0              # first-pass chunks agree: every accepted delay within this of their line
SAME_POSITION_MS = 20.0     # a first-pass delay this close to the coarse one is kept as it is
RESAMPLE_TAPS = 4           # ffmpeg's resampler filter size for the coarse decode (default 32: the 48 kHz →
#                             1 kHz resampling then costs more than decoding; docs/reach.md)


# ---------------------------------------------------------------------------------------------- algorithm
@dataclass(frozen=True)
class CoarseHit:
    position: int           # where the chunk starts in the span (samples at the coarse rate)
    confidence: float       # distinct-peak score 0–100 (0 for a silent chunk or span, or an empty range)


def smooth_magnitude(p: np.ndarray, h: int) -> np.ndarray:
    """Moving average of ``p`` over bins [k−h, k+h] ∩ [0, len) by prefix sums (float64), clamped at 0."""
    if h <= 0:
        return np.asarray(p, dtype=np.float64).copy()
    c = np.concatenate([[0.0], np.cumsum(p, dtype=np.float64)])
    k = np.arange(p.size)
    lo = np.maximum(0, k - h)
    hi = np.minimum(p.size, k + h + 1)
    return np.maximum((c[hi] - c[lo]) / (hi - lo), 0.0)


def _whiten(x: np.ndarray, h: int, mask_db: float) -> np.ndarray:
    s = smooth_magnitude(np.abs(x), h)
    thr = float(s.max()) * 10.0 ** (-mask_db / 20.0) if s.size else 0.0
    keep = (s > thr) & (s > 0.0)
    out = np.zeros_like(x)
    out[keep] = x[keep] / s[keep]
    return out


def coarse_search_python(span: np.ndarray, chunks: Sequence[np.ndarray], ranges: Sequence[tuple[int, int]], *,
                         lobe: int, rate: int = COARSE_SR, smooth_hz: float = COARSE_SMOOTH_HZ,
                         mask_db: float = COARSE_MASK_DB, taper: float = COARSE_TAPER,
                         silence_db: float = -60.0) -> list[CoarseHit]:
    """Position of every chunk inside ``span`` by a whitened cross-correlation, chunk ``i`` starting within
    ``ranges[i]`` (inclusive, clipped to ``0 … len(span) − len(chunk)``).

    FFT length n = fast_len(len(span) + longest chunk). The span's spectrum is computed and whitened once:
    divided by its own magnitude smoothed over ±h bins (h = round(smooth_hz·n/(2·rate)), at least 1), bins
    whose smoothed magnitude is more than ``mask_db`` below its largest set to 0. Each chunk gets Tukey edges
    and the same whitening (each signal whitened on its own, not their cross-spectrum: a bin-wise phase
    transform over a 20-minute span drowns the chunk's 15 s in the rest); c = irfft(W_span·conj(W_chunk));
    a = |c| over the chunk's range; confidence 100·(1 − runner-up/peak) with the runner-up the largest ``a``
    outside ±``lobe`` positions of the peak. 0 for a chunk or span below ``silence_db`` dBFS or an empty
    range. float64 here; the Rust twin uses f32 FFTs (parity: same position, score within 0.5).
    """
    from .methods.fft import fast_len
    from .methods.fft import taper as tukey

    if len(chunks) != len(ranges):
        raise ValueError(f"{len(chunks)} chunks but {len(ranges)} position ranges")
    none = CoarseHit(0, 0.0)
    longest = max((int(c.size) for c in chunks), default=0)
    if span.size == 0 or longest == 0 or level_db(span) < silence_db:
        return [none for _ in chunks]
    n = fast_len(int(span.size) + longest)
    h = max(1, round(0.5 * smooth_hz * n / rate))
    ws = _whiten(np.fft.rfft(np.asarray(span, dtype=np.float64), n), h, mask_db)
    out: list[CoarseHit] = []
    for chunk, (lo, hi) in zip(chunks, ranges, strict=True):
        lr = int(chunk.size)
        if lr == 0 or span.size < lr or level_db(chunk) < silence_db:
            out.append(none)
            continue
        hi = min(int(hi), int(span.size) - lr)
        lo = int(lo)
        if lo > hi:
            out.append(none)
            continue
        r = np.asarray(chunk, dtype=np.float64)
        w = tukey(lr, taper)
        if w is not None:
            r = r * w
        c = np.fft.irfft(ws * np.conj(_whiten(np.fft.rfft(r, n), h, mask_db)), n)
        a = np.abs(c[lo:hi + 1])
        k = int(np.argmax(a))
        p = float(a[k])
        if not p > 0.0:
            out.append(CoarseHit(lo + k, 0.0))
            continue
        a_lo, a_hi = max(0, k - lobe), min(a.size, k + lobe + 1)
        second = max(float(a[:a_lo].max()) if a_lo > 0 else 0.0, float(a[a_hi:].max()) if a_hi < a.size else 0.0)
        out.append(CoarseHit(lo + k, float(min(100.0, max(0.0, 100.0 * (1.0 - second / p))))))
    return out


def coarse_search(span: np.ndarray, chunks: Sequence[np.ndarray], ranges: Sequence[tuple[int, int]],
                  backend: str | None = None) -> list[CoarseHit]:
    """:func:`coarse_search_python` (or its Rust twin, through the engine seam) at ``COARSE_SR``."""
    from .engine import engine

    return engine(backend).coarse_search(span, chunks, ranges, round(COARSE_LOBE_S * COARSE_SR))


# ---------------------------------------------------------------------------------------------- decision
def chunks_agree(run: CorrelationRun, placed: int) -> bool:
    """True when the first pass needs no reach: at least 3 chunks (or all, when fewer were placed) were
    correlated and accepted, every other correlated chunk is silent (score 0: the coarse search cannot place
    a silent chunk either), and the accepted delays lie within ``AGREE_MS`` of their least-squares line (a
    constant delay or a slow drift). Chunks outside the decoded audio of either file (``skipped_chunks``, a
    truncated release) are never correlated and do not count against agreement."""
    recs = [r for r in run.chunks if r.match_pct > 0.0]
    need = min(3, max(1, placed - len(run.skipped_chunks)))
    if len(recs) < need or not all(r.accepted for r in recs):
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
    """Mono float32 at ``rate`` of each (start_s, duration_s) span of the track, by one ffmpeg run.

    Used at the coarse rate only: an input seek may land a few 48 kHz samples off (AAC, Opus), far below one
    coarse sample and the refinement's ±``REFINE_MARGIN_S``; for the same reason the AC-3 decoder runs without
    the per-frame dither seeding of the chunk search (``-cons_noisegen``, which doubles its decode time) and
    the resampler with a short filter (``RESAMPLE_TAPS``; both signals are resampled alike).
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
            # no input seek for a span from the start: a seek to 0 drops the first ~160 ms of an Opus track
            seek = ["-ss", f"{offset + s:.6f}"] if s > 0 else []
            inputs += [*seek, "-t", f"{d:.6f}", "-i", str(info.path)]
            outputs += ["-map", f"{k}:a:{info.ordinal}", "-ac", "1", "-af",
                        f"aresample={rate}:filter_size={RESAMPLE_TAPS}", "-f", "f32le", str(Path(tmp) / f"s{i}.f32")]
        cmd = [tools["ffmpeg"], "-nostdin", "-v", "error", "-y", *inputs, *outputs]
        try:
            run(cmd, log, what=info.path.name)
        except Exception as e:
            raise MediaError(f"ffmpeg decode failed for {info.path.name}: {e}") from e
        for i, _s, _d in todo:
            p = Path(tmp) / f"s{i}.f32"
            out[i] = np.fromfile(p, dtype="<f4") if p.is_file() else out[i]
    return out


def decode_span(info: dec.AudioInfo, start_s: float, dur_s: float, rate: int, log: JobLog | None = None,
                parts: int = 2) -> np.ndarray:
    """``dur_s`` of the track from ``start_s`` at ``rate``, decoded as ``parts`` pieces by parallel ffmpeg
    processes, each placed at its nominal offset (a seek error stays below a coarse sample); the result ends
    where the decoded audio ends."""
    n = max(1, parts if dur_s > 60.0 else 1)
    offs = [round(k * dur_s / n * rate) for k in range(n)] + [round(dur_s * rate)]
    bounds = [(start_s + offs[k] / rate, (offs[k + 1] - offs[k]) / rate) for k in range(n)]
    with ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(contextvars.copy_context().run, decode_spans, info, [b], rate, log) for b in bounds]
        pieces = [_cancel.wait_result(f)[0] for f in futs]
    out = np.zeros(offs[-1], dtype=np.float32)
    end = 0
    for k, p in enumerate(pieces):
        m = min(p.size, offs[k + 1] - offs[k])
        out[offs[k]:offs[k] + m] = p[:m]
        if m > 0:
            end = offs[k] + m
    return out[:end]


# ---------------------------------------------------------------------------------------------- the reach
@dataclass(frozen=True)
class CoarsePlacement:
    chunk: Chunk
    delay_ms: float | None      # coarse delay t_ref − t_tgt (None: no confident position)
    confidence: float


def coarse_positions(ri: dec.AudioInfo, ti: dec.AudioInfo, chunks: Sequence[Chunk], reach_s: float,
                     backend: str, log: JobLog | None, timings: dict[str, float] | None = None
                     ) -> list[CoarsePlacement]:
    """Coarse delay of every chunk over ±``reach_s``, decoding only the target span the reach needs
    (``timings`` receives "coarse_decode" and "coarse_search" in seconds)."""
    if not chunks:
        return []
    t0 = time.perf_counter()
    r = COARSE_SR
    lo = max(0.0, min(c.start_s for c in chunks) - reach_s)
    hi = min(ti.duration_s + 1.0, max(c.start_s + c.length / SR for c in chunks) + reach_s)
    with ThreadPoolExecutor(max_workers=1) as ex:
        fr = ex.submit(contextvars.copy_context().run, decode_spans, ri,
                       [(c.start / SR, c.length / SR) for c in chunks], r, log)
        span = decode_span(ti, lo, max(0.0, hi - lo), r, log)
        refs = _cancel.wait_result(fr)
    refs = [x[: round(c.length / SR * r)] for c, x in zip(chunks, refs, strict=True)]
    ranges = []
    for c in chunks:
        a = max(0, round((c.start_s - reach_s - lo) * r))
        b = round((c.start_s + reach_s - lo) * r)
        ranges.append((a, max(a - 1, b)))
    t1 = time.perf_counter()
    hits = coarse_search(span, refs, ranges, backend)
    if timings is not None:
        timings.update(coarse_decode=t1 - t0, coarse_search=time.perf_counter() - t1,
                       coarse_span_s=span.size / r)
    out = []
    for c, h, ref in zip(chunks, hits, refs, strict=True):
        ok = h.confidence >= COARSE_MIN_CONF and span.size >= ref.size > 0
        delay = (c.start / SR - (lo + h.position / r)) * 1000.0 if ok else None
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
    ctime: dict[str, float] = {}
    placed = coarse_positions(ri, ti, chunks, reach_s, backend, log, ctime)
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
        shifts = [round((p.delay_ms or 0.0) * SR / 1000.0) for p in refine]
        rr = _windowed_once(ri, ti, opts, None, backend, keys, None, chunks=[p.chunk for p in refine],
                            shifts=shifts, margin=round(REFINE_MARGIN_S * SR))
        for m, recs in rr.results.items():
            refined[m] = {r.index: r for r in recs}
    coarse = {p.chunk.index: p.delay_ms for p in placed}
    results: dict[str, list[ChunkResult]] = {}
    for m in keys:
        recs = []
        for p in placed:
            i = p.chunk.index
            f = firsts[m].get(i)
            r = refined[m].get(i)
            # a refined record replaces the first pass's unless that one was accepted and scores higher
            if r is not None and (f is None or not f.accepted or (r.accepted and r.match_pct > f.match_pct)):
                recs.append(dataclasses.replace(r, coarse_delay_ms=coarse[i]))
            elif f is not None:
                recs.append(dataclasses.replace(f, coarse_delay_ms=coarse[i]))
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
    out.timings = dict(first.timings)
    out.timings["reach"] = time.perf_counter() - t0
    out.timings["coarse"] = t1 - t0
    out.timings.update(ctime)
    out.reach_s = reach_s
    return out


# ---------------------------------------------------------------------------------------------- step boundaries
SCAN_WINDOW_S = 0.5         # dense boundary scan: similarity in 0.5 s windows …
SCAN_HOP_S = 0.1            # … every 0.1 s
SCAN_RATE = 2000            # … at 2 kHz
SCAN_LAGS = 24              # … best over ±24 samples (12 ms: a sought Opus/AAC span may start a few ms off;
#                             the delays themselves are known to the sub-sample)
SCAN_MATCH = 0.5            # a window matches a delay when |Pearson r| reaches this (docs/reach.md)


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
                      tgt_path: Path, tgt_ordinal: int, chunk_s: float, log: JobLog | None) -> Diagnosis:
    """Place every step boundary of a STEPPING diagnosis by a dense scan (docs/reach.md).

    Between the last chunk of one segment and the first chunk of the next, the reference is compared in
    0.5 s windows every 0.1 s with the target shifted by each segment's delay; the segment ends where the
    windows matching its delay (counted +1, others −1, from the left) peak and the next begins likewise from
    the right (for an insert both are the same instant; for a cut the stretch between them is missing from
    the target). A boundary the scan cannot place keeps the diagnosis' midpoint.
    """
    segs = list(diag.segments)
    if len(segs) < 2:
        return diag
    rate = SCAN_RATE
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
            tgt = _decode_at(ti, lo - d_ms / 1000.0, hi - lo, rate, log)
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
            log.log(f"[Stepping] Step {a.delay_ms:+d} → {b.delay_ms:+d} ms: boundary {what} (dense scan of "
                    f"{lo:.1f}–{hi:.1f} s)")
    return dataclasses.replace(diag, segments=tuple(segs))
