"""Per-chunk correlation of one (reference, target) pair — the Phase 2 entry point.

``correlate_files`` decodes, filters, places chunks and correlates them; ``correlate_arrays`` does the same
for signals already in memory; both return ``ChunkResult`` records (docs/analysis.md#chunk-records) and log the chunk
lines. The four FFT methods run in Rust (``vsg_core_rs.correlate_chunks``: rayon across chunks, GIL
released, float64) or in the Python reference (``methods.fft``) following ``vsg_core.backend``; onset, DTW
and spectrogram are Python (librosa) in both backends.

Profiles (``CorrelationOptions``): ``spec()`` reproduces upstream (full decode, whole-signal filter, identical
windows, n = 2L−1, integer lags); the vsg default decodes only the windows, searches a target window of
chunk ± ``search_range_s``, interpolates the peak and masks empty bins. In both, a chunk's delay is
``t_ref − t_tgt`` (docs/analysis.md#sign-convention) at the chunk; ``start_s`` is the chunk start on the reference
timeline.

Speed compensation (vsg): when the video frame rates are a PAL/film pair (25 vs 23.976/24 fps) the target is
also decoded slowed down by the frame-rate ratio, once with the pitch following (``asetrate``, a classic
PAL speed-up) and once with the pitch kept (``atempo``, a pitch-corrected one), see ``decode.Speed``; of the
three runs the one whose delays lie closest to a straight line is kept (``_spread``; the confidence,
docs/analysis.md#confidence, saturates at 100 and cannot decide). A compensated chunk's delay is converted back to the
real timelines at the chunk centre ``t_c``: ``delay = t_c − (t_c − D)/s`` with D the lag found on the slowed timeline,
so the records show the true, drifting delay (slope ≈ ±41 ms/s) for the drift diagnosis.
"""

from __future__ import annotations

import contextvars
import dataclasses
import gc
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import cancel as _cancel
from ..backend import active_backend
from ..identification import audio_info
from ..log import JobLog
from ..progress import report_chunks
from . import decode as dec
from .chunks import Chunk, place_chunks
from .correlation_options import (
    FFT_METHODS,
    METHOD_NAMES,
    SR,
    CorrelationOptions,
)
from .engine import engine
from .filters import apply_filter, filter_settle_s, log_filter
from .methods import feature
from .methods.fft import LagResult
from .records import ChunkResult

BANNER = "═" * 70
PAL_RATIOS = (25.0 / (24000.0 / 1001.0), 25.0 / 24.0)


@dataclass
class CorrelationRun:
    """Records per method (first = the method used for the delay) plus how they were obtained."""

    results: dict[str, list[ChunkResult]]
    options: CorrelationOptions
    backend: str
    speed: float | None = None                 # effective target speed ratio applied (None = none)
    decode: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    n_ref: int = 0
    n_tgt: int = 0
    # Coverage: decoded lengths (samples) when a file's audio ended before its container said, and the
    # chunks left out because they lie outside the decoded audio of either file (never correlated).
    ref_decoded: int | None = None
    tgt_decoded: int | None = None
    skipped_chunks: tuple[int, ...] = ()
    reach_s: float | None = None               # the coarse search ran over ±reach_s (None: not needed)

    @property
    def method(self) -> str:
        return next(iter(self.results))

    @property
    def chunks(self) -> list[ChunkResult]:
        return self.results[self.method]


# ---------------------------------------------------------------------------------------------- memory
MMAP_THRESHOLD = 4 * 2**20
_malloc_tuned = False


def _return_large_blocks_to_the_os() -> None:
    """glibc only: serve every allocation ≥ 4 MiB by mmap and give it back on free.

    By default glibc raises its mmap threshold to the size of the largest block freed so far (up to 32 MiB),
    after which the 8–17 MiB FFT buffers and windows of each chunk come from the heap arenas (one per rayon
    thread) and stay resident: measured RSS after 10 consecutive analyses 113 → 163 MB. With a fixed
    threshold the process returns to its baseline after every analysis. No-op elsewhere.
    """
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        if name and "libc.so" in name:
            ctypes.CDLL(name).mallopt(-3, MMAP_THRESHOLD)   # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------------------------------------- dispatch
def correlate_lags(refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], method: str,
                   opts: CorrelationOptions, backend: str | None = None) -> list[LagResult]:
    """Lag + confidence for each (reference chunk, target window) pair with one method.

    FFT methods go to Rust or Python per ``backend`` (default: ``active_backend()``); feature methods always
    run in Python (on the target samples that match the chunk).
    """
    if method in FFT_METHODS:
        return engine(backend).correlate_fft(refs, tgts, method, opts)
    fn = feature.FEATURE_FUNCS[method]
    res = []
    for r, t in zip(refs, tgts, strict=True):
        m = (t.size - r.size) // 2
        res.append(fn(r, t[m:m + r.size], opts))
    return res


def rust_kwargs(opts: CorrelationOptions) -> dict[str, object]:
    return dict(vsg=opts.profile == "vsg", exact_fft_length=opts.exact_fft_length, peak_fit=opts.peak_fit,
                mask_db=opts.mask_db, smooth_hz=opts.smooth_hz, taper=opts.taper, pearson_scc=opts.pearson_scc,
                stable_confidence=opts.stable_confidence, distinct_confidence=opts.distinct_confidence,
                silence_db=opts.silence_db)


def lag_to_delay_ms(method: str, raw_lag: float, chunk: Chunk, speed: float | None) -> float:
    """Delay at the chunk (ms, sign of docs/analysis.md#sign-convention) from a raw lag (samples, or frames for feature
    methods)."""
    d_ms = (raw_lag / SR) * 1000.0 if method in FFT_METHODS else feature.delay_ms(method, raw_lag)
    if speed is None:
        return d_ms
    t_c = (chunk.start + chunk.length / 2.0) / SR
    return (t_c - (t_c - d_ms / 1000.0) / speed) * 1000.0


def make_record(chunk: Chunk, res: LagResult, method: str, opts: CorrelationOptions,
                speed: float | None) -> ChunkResult:
    raw = lag_to_delay_ms(method, res.raw_lag, chunk, speed)
    return ChunkResult(chunk.index, chunk.start_s, round(raw), raw, res.confidence,
                       res.confidence >= opts.min_match_pct)


def chunk_line(rec: ChunkResult, total: int, min_match_pct: float) -> str:
    """The chunk log line (docs/analysis.md#chunk-records)."""
    status = "ACCEPTED" if rec.accepted else f"REJECTED (below {min_match_pct:.1f})"
    return (f"  Chunk {rec.index}/{total} (@{rec.start_s:.1f}s): delay = {rec.delay_ms:+d} ms "
            f"(raw={rec.raw_delay_ms:+.3f}, match={rec.match_pct:.2f}) — {status}")


# ---------------------------------------------------------------------------------------------- core loop
WindowSource = Callable[[int], tuple[np.ndarray, np.ndarray]]


def _correlate_chunks(chunks: Sequence[Chunk], load: WindowSource, methods: Sequence[str],
                      opts: CorrelationOptions, backend: str, speed: float | None,
                      batch: int) -> dict[str, list[ChunkResult]]:
    """Correlate chunks in batches of ``batch`` (bounded memory); returns records per method."""
    out: dict[str, list[ChunkResult]] = {m: [] for m in methods}
    report_chunks(0, len(chunks))
    for b0 in range(0, len(chunks), batch):
        part = chunks[b0:b0 + batch]
        pairs = [load(b0 + j) for j in range(len(part))]
        refs = [p[0] for p in pairs]
        tgts = [p[1] for p in pairs]
        for m in methods:
            for ch, res in zip(part, correlate_lags(refs, tgts, m, opts, backend), strict=True):
                out[m].append(make_record(ch, res, m, opts, speed))
        del pairs, refs, tgts
        report_chunks(b0 + len(part), len(chunks))
    return out


def _log_results(results: dict[str, list[ChunkResult]], total: int, opts: CorrelationOptions,
                 log: JobLog | None, multi: bool) -> None:
    if log is None:
        return
    for m, recs in results.items():
        if multi:
            log.log(BANNER)
            log.log(f"  MULTI-CORRELATION: {METHOD_NAMES[m]}")
            log.log(BANNER)
        for rec in recs:
            log.log(chunk_line(rec, len(recs) if multi else total, opts.min_match_pct))


def _methods(opts: CorrelationOptions, methods: Sequence[str] | None) -> list[str]:
    if not methods:
        return [opts.method_key]
    keys = [CorrelationOptions(method=m, whitened_reachable=True).method_key for m in methods]
    return list(dict.fromkeys(keys))


def correlate_arrays(ref: np.ndarray, tgt: np.ndarray, opts: CorrelationOptions | None = None,
                     log: JobLog | None = None, *, backend: str | None = None,
                     methods: Sequence[str] | None = None) -> CorrelationRun:
    """Correlate two whole decoded signals (float32, 48 kHz mono); filters them first (docs/analysis.md#decoding)."""
    opts = opts or CorrelationOptions()
    be = backend or active_backend()
    _return_large_blocks_to_the_os()
    keys = _methods(opts, methods)
    log_filter(opts, log)
    ref_f = apply_filter(ref, opts)
    tgt_f = apply_filter(tgt, opts)
    chunks = place_chunks(ref_f.size, tgt_f.size, opts.chunk_count, opts.chunk_duration_s,
                          opts.scan_start_pct, opts.scan_end_pct)
    m = opts.search_samples

    def load(i: int) -> tuple[np.ndarray, np.ndarray]:
        ch = chunks[i]
        return ref_f[ch.start:ch.start + ch.length], _slice(tgt_f, ch.start - m, ch.length + 2 * m)

    if len(keys) > 1 and log is not None:
        log.log(f"[MULTI-CORRELATION] Running {len(keys)} methods on {len(chunks)} chunks")
    t0 = time.perf_counter()
    results = _correlate_chunks(chunks, load, keys, opts, be, None, batch_size(opts))
    run = CorrelationRun(results, opts, be, timings={"correlate": time.perf_counter() - t0},
                         n_ref=ref.size, n_tgt=tgt.size)
    _log_results(results, opts.chunk_count, opts, log, len(keys) > 1)
    return run


def _slice(x: np.ndarray, start: int, length: int) -> np.ndarray:
    """x[start:start+length] with zeros outside x."""
    if start >= 0 and start + length <= x.size:
        return x[start:start + length]
    out = np.zeros(length, dtype=x.dtype)
    a, b = max(0, start), min(x.size, start + length)
    if b > a:
        out[a - start:b - start] = x[a:b]
    return out


# ---------------------------------------------------------------------------------------------- files
WORKSET_BUDGET = 256 * 2**20   # bytes of FFT working set for the chunks correlated at the same time


def batch_size(opts: CorrelationOptions) -> int:
    """Chunks correlated at once (in parallel in Rust): as many as there are CPUs, but the FFT working set
    (≈ 48 bytes per FFT point and chunk) stays within ``WORKSET_BUDGET`` — 2 for 15 s chunks ± 15 s."""
    from .methods.fft import fast_len

    n = fast_len(opts.chunk_samples + 2 * opts.search_samples)
    return max(1, min(dec.cpu_count(), WORKSET_BUDGET // (48 * n)))


def pal_speed(ref_fps: float, tgt_fps: float) -> float | None:
    """Target speed ratio when the frame rates are a PAL/film pair (25 vs 23.976 or 24), else None."""
    if ref_fps <= 0 or tgt_fps <= 0:
        return None
    ratio = tgt_fps / ref_fps
    for p in PAL_RATIOS:
        for cand in (p, 1.0 / p):
            if abs(ratio / cand - 1.0) < 2e-3:
                return ratio
    return None


def correlate_files(ref_path: str | Path, tgt_path: str | Path, opts: CorrelationOptions | None = None,
                    log: JobLog | None = None, *, ref_ordinal: int = 0, tgt_ordinal: int = 0,
                    backend: str | None = None, methods: Sequence[str] | None = None) -> CorrelationRun:
    """Decode, filter and correlate the reference and target audio streams (docs/analysis.md#decoding).

    ``methods`` (canonical keys or display names) runs several methods on identical chunks (multi-correlation,
    docs/analysis.md#correlation-methods; the first one's records are ``run.chunks``).
    """
    opts = opts or CorrelationOptions()
    be = backend or active_backend()
    _return_large_blocks_to_the_os()
    if opts.decode == "full":
        t0 = time.perf_counter()
        ref = dec.decode_full(ref_path, ref_ordinal, use_soxr=opts.use_soxr, log=log)
        tgt = dec.decode_full(tgt_path, tgt_ordinal, use_soxr=opts.use_soxr, log=log)
        t1 = time.perf_counter()
        run = correlate_arrays(ref, tgt, opts, log, backend=be, methods=methods)
        run.decode = {"ref": "full", "tgt": "full"}
        run.timings["decode"] = t1 - t0
        del ref, tgt
        gc.collect()  # release the full-length buffers
        return run
    return _correlate_windowed(Path(ref_path), Path(tgt_path), opts, log, ref_ordinal, tgt_ordinal, be,
                               _methods(opts, methods))


def _correlate_windowed(ref_path: Path, tgt_path: Path, opts: CorrelationOptions, log: JobLog | None,
                        ref_ordinal: int, tgt_ordinal: int, be: str, keys: list[str]) -> CorrelationRun:
    t_start = time.perf_counter()
    ri = audio_info(ref_path, ref_ordinal, log)  # the job's one ffprobe run per file
    ti = audio_info(tgt_path, tgt_ordinal, log)
    speeds: list[dec.Speed | None] = [None]
    if opts.speed_ratio is not None:
        speeds = [dec.Speed(opts.speed_ratio, "resample"), dec.Speed(opts.speed_ratio, "tempo")]
    elif opts.speed_compensation:
        s = pal_speed(ri.fps, ti.fps)
        if s is not None:
            speeds += [dec.Speed(s, "resample"), dec.Speed(s, "tempo")]
            if log is not None:
                log.log(f"[Speed] Frame rates {ri.fps:.3f} (reference) vs {ti.fps:.3f} fps: also correlating "
                        f"the target slowed down by {s:.6f} (PAL speed-up, with and without pitch change)")
    log_filter(opts, log)
    if len(keys) > 1 and log is not None:
        log.log(f"[MULTI-CORRELATION] Running {len(keys)} methods on "
                f"{len(_placement(ri, ti, opts, None))} chunks")
    runs = [_windowed_once(ri, ti, opts, log, be, keys, sp) for sp in speeds]
    best = min(runs, key=_hypothesis_rank) if len(runs) > 1 else runs[0]
    if len(runs) > 1 and log is not None:
        for sp, run in zip(speeds, runs, strict=True):
            what = "uncompensated" if sp is None else f"slowed down by {sp.ratio:.6f} ({sp.kind})"
            log.log(f"[Speed] {what}: delays deviate from a straight line by {_spread(run):.1f} ms (median)")
        chosen = speeds[runs.index(best)]
        log.log("[Speed] Using the " + ("uncompensated run" if chosen is None else
                                        f"{chosen.kind}-compensated run"))
    if best.speed is None and opts.reach_s > 0:
        from .coarse import reach_run  # offsets and steps beyond the search range (docs/reach.md)

        best = reach_run(best, ri, ti, opts, log, be, keys)
    _log_results(best.results, opts.chunk_count, opts, log, len(keys) > 1)
    best.timings["total"] = time.perf_counter() - t_start
    return best


def _hypothesis_rank(run: CorrelationRun) -> tuple[int, float]:
    """Sort key of a speed hypothesis: most accepted chunks first (the distinct-peak confidence of a
    smeared, wrong-speed correlation is low), then the smallest spread around a line."""
    return -sum(1 for c in run.chunks if c.accepted), _spread(run)


def _shifted(rec: ChunkResult, shift: int) -> ChunkResult:
    """A record measured on a target window moved ``shift`` samples earlier: the delay gains the shift."""
    raw = rec.raw_delay_ms + shift * 1000.0 / SR
    return dataclasses.replace(rec, delay_ms=round(raw), raw_delay_ms=raw)


def _spread(run: CorrelationRun) -> float:
    """Median |residual| (ms) of the accepted raw delays around their least-squares line (inf if < 3).

    Selects among speed hypotheses: the right one gives delays on a line to a few ms, a wrong one scatters
    them by hundreds of ms. (The confidence, docs/analysis.md#confidence, saturates at 100 for all of them, so it
    cannot decide.)
    """
    acc = [r for r in run.chunks if r.accepted]
    if len(acc) < 3:
        return float("inf")
    x = np.array([r.start_s for r in acc])
    y = np.array([r.raw_delay_ms for r in acc])
    a = np.vstack([x, np.ones_like(x)]).T
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    return float(np.median(np.abs(y - a @ coef)))


def _placement(ri: dec.AudioInfo, ti: dec.AudioInfo, opts: CorrelationOptions,
               speed: dec.Speed | None) -> list[Chunk]:
    """Chunks placed from the probed durations (the target's on the slowed timeline for a speed)."""
    n_tgt = round(ti.est_samples * (speed.effective if speed is not None else 1.0))
    return place_chunks(ri.est_samples, n_tgt, opts.chunk_count, opts.chunk_duration_s,
                        opts.scan_start_pct, opts.scan_end_pct)


def _windowed_once(ri: dec.AudioInfo, ti: dec.AudioInfo, opts: CorrelationOptions, log: JobLog | None,
                   be: str, keys: list[str], speed: dec.Speed | None, *, chunks: list[Chunk] | None = None,
                   shifts: Sequence[int] | None = None, margin: int | None = None) -> CorrelationRun:
    """One decode + correlation pass; ``log`` receives the ffmpeg commands only (chunk lines come later).

    Reach refinement (``coarse.reach_run``): ``chunks`` replaces the placement, each target window is centred
    ``shifts[i]`` samples (a coarse delay) before its chunk with a margin of ``margin`` samples, and the
    records get the shift back.
    """
    s_eff = speed.effective if speed is not None else None
    if chunks is None:
        chunks = _placement(ri, ti, opts, speed)
    sh = list(shifts) if shifts is not None else [0] * len(chunks)
    n_ref, n_tgt = ri.est_samples, round(ti.est_samples * (s_eff or 1.0))
    m = opts.search_samples if margin is None else margin
    settle = round(filter_settle_s(opts) * SR)
    ref_w = [dec.Window(c.start - settle, c.length + settle) for c in chunks]
    tgt_w = [dec.Window(c.start - sh[i] - m - settle, c.length + 2 * m + settle) for i, c in enumerate(chunks)]
    t0 = time.perf_counter()
    with dec.window_store(ref_w) as rs, dec.window_store(tgt_w) as ts:
        with ThreadPoolExecutor(max_workers=2) as ex:
            # each decode runs in the caller's context, so the job's cancel token reaches its ffmpeg
            fr = ex.submit(contextvars.copy_context().run, dec.decode_windows, ri, rs, mode=opts.decode,
                           use_soxr=opts.use_soxr, log=log)
            ft = ex.submit(contextvars.copy_context().run, dec.decode_windows, ti, ts, mode=opts.decode,
                           use_soxr=opts.use_soxr, log=log,
                           speed=speed)
            how = {"ref": _cancel.wait_result(fr), "tgt": _cancel.wait_result(ft)}
        t1 = time.perf_counter()

        # chunks outside the decoded audio of either file are never correlated: the whole chunk must be
        # in the reference and at least a chunk's worth of audio in the target window
        keep = [i for i, c in enumerate(chunks)
                if rs.decoded(i) >= ref_w[i].length - max(0, -ref_w[i].start) and ts.decoded(i) >= c.length]
        skipped = tuple(chunks[i].index for i in range(len(chunks)) if i not in set(keep))

        def load(j: int) -> tuple[np.ndarray, np.ndarray]:
            i = keep[j]
            r = apply_filter(rs.load(i), opts)[settle:]
            t = apply_filter(ts.load(i), opts)[settle:]
            return r, t

        ropts = opts if margin is None else opts.with_(search_range_s=m / SR)
        results = _correlate_chunks([chunks[i] for i in keep], load, keys, ropts, be, s_eff, batch_size(ropts))
        if shifts is not None:
            by_index = {chunks[i].index: sh[i] for i in keep}
            for key, recs in results.items():
                results[key] = [_shifted(r, by_index[r.index]) for r in recs]
        t2 = time.perf_counter()
        ref_end, tgt_end = rs.decoded_end(), ts.decoded_end()
    return CorrelationRun(results, opts, be, s_eff, how, {"decode": t1 - t0, "correlate": t2 - t1},
                          n_ref, n_tgt, ref_end, tgt_end, skipped)
