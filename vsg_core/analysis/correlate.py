"""Per-chunk correlation of one (reference, target) pair — the Phase 2 entry point.

``correlate_files`` decodes, filters, places chunks and correlates them; ``correlate_arrays`` does the same
for signals already in memory; both return ``ChunkResult`` records (docs/analysis.md#chunk-records) and log the chunk
lines. The four FFT methods run in Rust (``vsg_core_rs.correlate_chunks``: rayon across chunks, GIL
released, float32 transforms with the spectrum mask on, docs/analysis.md#correlation-precision) or in the
Python reference (``methods.fft``, float64) following ``vsg_core.backend``; onset, DTW and spectrogram are
Python (librosa) in both backends. The first pass of a file pair is guided (docs/analysis.md#guided-search):
two anchor chunks searched over the full range, the others confirmed around the anchors' delay line.

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

import contextlib
import contextvars
import dataclasses
import gc
import sys
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import cancel as _cancel
from ..backend import active_backend
from ..identification import audio_info
from ..log import JobLog
from ..progress import report_chunks
from ..runner import lower_priority
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


def keep_freed_memory() -> None:
    """For a process that runs one analysis and exits (``vsg analyze``): leave glibc's allocator as it is.
    Handing every large block back to the OS costs a page fault per 4 KiB page when the next chunk's buffers
    are allocated (measured on the 24-minute episode: −0.05 s of system time, the same peak RSS); it only
    pays in a process that runs analyses one after another (batch, GUI)."""
    global _malloc_tuned
    _malloc_tuned = True


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

        if sys.platform.startswith("linux"):
            # glibc's soname (ctypes.util.find_library would run `ldconfig -p` to learn it); musl has no mallopt
            ctypes.CDLL("libc.so.6").mallopt(-3, MMAP_THRESHOLD)   # M_MMAP_THRESHOLD
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
                      batch: int, progress: tuple[int, int] | None = None) -> dict[str, list[ChunkResult]]:
    """Correlate chunks in batches of ``batch`` (bounded memory); returns records per method.

    ``progress`` = (chunks already done, total) when this call is one part of a larger pass."""
    out: dict[str, list[ChunkResult]] = {m: [] for m in methods}
    done0, total = progress if progress is not None else (0, len(chunks))
    report_chunks(done0, total)
    for b0 in range(0, len(chunks), batch):
        part = chunks[b0:b0 + batch]
        pairs = [load(b0 + j) for j in range(len(part))]
        refs = [p[0] for p in pairs]
        tgts = [p[1] for p in pairs]
        for m in methods:
            for ch, res in zip(part, correlate_lags(refs, tgts, m, opts, backend), strict=True):
                out[m].append(make_record(ch, res, m, opts, speed))
        del pairs, refs, tgts
        report_chunks(done0 + b0 + len(part), total)
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
                     methods: Sequence[str] | None = None, only: Collection[int] | None = None) -> CorrelationRun:
    """Correlate two whole decoded signals (float32, 48 kHz mono); filters them first (docs/analysis.md#decoding).
    ``only``: correlate just the chunks with these (1-based) indices of the placement."""
    opts = opts or CorrelationOptions()
    be = backend or active_backend()
    _return_large_blocks_to_the_os()
    keys = _methods(opts, methods)
    log_filter(opts, log)
    ref_f = apply_filter(ref, opts)
    tgt_f = apply_filter(tgt, opts)
    chunks = place_chunks(ref_f.size, tgt_f.size, opts.chunk_count, opts.chunk_duration_s,
                          opts.scan_start_pct, opts.scan_end_pct)
    if only is not None:
        chunks = [c for c in chunks if c.index in only]
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
                   shifts: Sequence[int] | None = None, margin: int | None = None,
                   progress: tuple[int, int] | None = None) -> CorrelationRun:
    """One decode + correlation pass; ``log`` receives the ffmpeg commands only (chunk lines come later).

    Reach refinement (``coarse.reach_run``) and the guided pass: ``chunks`` replaces the placement, each
    target window is centred ``shifts[i]`` samples (a delay) before its chunk with a margin of ``margin``
    samples, and the records get the shift back.
    """
    s_eff = speed.effective if speed is not None else None
    if chunks is None:
        chunks = _placement(ri, ti, opts, speed)
        if _guided(opts, keys, speed, len(chunks)):
            return _windowed_guided(ri, ti, opts, log, be, keys, chunks)
    sh = list(shifts) if shifts is not None else [0] * len(chunks)
    n_ref, n_tgt = ri.est_samples, round(ti.est_samples * (s_eff or 1.0))
    m = opts.search_samples if margin is None else margin
    settle = round(filter_settle_s(opts) * SR)
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=2) as ex:
        rs, fr = _decode_async(stack, ex, ri, _ref_windows(chunks, settle), opts, log)
        ts, ft = _decode_async(stack, ex, ti, _tgt_windows(chunks, sh, m, settle), opts, log, speed)
        how = {"ref": _cancel.wait_result(fr), "tgt": _cancel.wait_result(ft)}
        t1 = time.perf_counter()
        slots = [(_Slot(rs, i), _Slot(ts, i)) for i in range(len(chunks))]
        results, skipped = _correlate_slots(chunks, slots, sh, m if margin is not None else None, opts, keys, be,
                                            s_eff, settle, progress)
        t2 = time.perf_counter()
        ref_end, tgt_end = rs.decoded_end(), ts.decoded_end()
    return CorrelationRun(results, opts, be, s_eff, how, {"decode": t1 - t0, "correlate": t2 - t1},
                          n_ref, n_tgt, ref_end, tgt_end, skipped)


# ---------------------------------------------------------------------------------------------- windows
@dataclass(frozen=True)
class _Slot:
    """Window ``i`` of a decoded store."""

    store: dec.WindowStore
    i: int

    @property
    def window(self) -> dec.Window:
        return self.store.windows[self.i]

    def decoded(self) -> int:
        return self.store.decoded(self.i)

    def load(self) -> np.ndarray:
        return self.store.load(self.i)


def _ref_windows(chunks: Sequence[Chunk], settle: int) -> list[dec.Window]:
    return [dec.Window(c.start - settle, c.length + settle) for c in chunks]


def _tgt_windows(chunks: Sequence[Chunk], shifts: Sequence[int], margin: int, settle: int) -> list[dec.Window]:
    """Target windows: the chunk ± ``margin`` samples, moved ``shifts[i]`` samples earlier (a known delay)."""
    return [dec.Window(c.start - shifts[i] - margin - settle, c.length + 2 * margin + settle)
            for i, c in enumerate(chunks)]


def _decode_async(stack: contextlib.ExitStack, ex: ThreadPoolExecutor, info: dec.AudioInfo,
                  windows: list[dec.Window], opts: CorrelationOptions, log: JobLog | None,
                  speed: dec.Speed | None = None, parts: int | None = None) -> tuple[dec.WindowStore, Future[str]]:
    """A window store (removed when ``stack`` closes) being filled by ``ex``; the decode runs in the caller's
    context, so the job's cancel token reaches its ffmpeg. ``parts``: concurrent ffmpeg runs."""
    store = stack.enter_context(dec.window_store(windows))
    fut = ex.submit(contextvars.copy_context().run, dec.decode_windows, info, store, mode=opts.decode,
                    use_soxr=opts.use_soxr, log=log, speed=speed, parts=parts)
    return store, fut


def _correlate_slots(chunks: Sequence[Chunk], slots: Sequence[tuple[_Slot, _Slot]], shifts: Sequence[int],
                     margin: int | None, opts: CorrelationOptions, keys: Sequence[str], be: str,
                     s_eff: float | None, settle: int, progress: tuple[int, int] | None
                     ) -> tuple[dict[str, list[ChunkResult]], tuple[int, ...]]:
    """Correlate each chunk with its decoded (reference, target) windows; ``margin`` (samples) narrows the
    search to ± that, and records of shifted windows get their shift back. Chunks outside the decoded audio of
    either file are never correlated (returned as skipped): the whole chunk must be in the reference and at
    least a chunk's worth of audio in the target window."""
    keep = [i for i, c in enumerate(chunks)
            if slots[i][0].decoded() >= slots[i][0].window.length - max(0, -slots[i][0].window.start)
            and slots[i][1].decoded() >= c.length]
    kept = set(keep)
    skipped = tuple(c.index for i, c in enumerate(chunks) if i not in kept)

    def load(j: int) -> tuple[np.ndarray, np.ndarray]:
        rsl, tsl = slots[keep[j]]
        return apply_filter(rsl.load(), opts)[settle:], apply_filter(tsl.load(), opts)[settle:]

    ropts = opts if margin is None else opts.with_(search_range_s=margin / SR)
    results = _correlate_chunks([chunks[i] for i in keep], load, keys, ropts, be, s_eff, batch_size(ropts),
                                progress)
    if any(shifts):
        by_index = {chunks[i].index: shifts[i] for i in keep}
        for key, recs in results.items():
            results[key] = [_shifted(r, by_index[r.index]) for r in recs]
    return results, skipped


# ---------------------------------------------------------------------------------------------- guided pass
GUIDE_ANCHORS = (1 / 3, 2 / 3)   # anchor chunks (fractions of the placement) searched over the full range
GUIDE_MARGIN_S = 0.25            # the other chunks: target window ± this around the anchors' delay line
GUIDE_CONFIRM_PCT = 80.0         # a chunk confirms the line with this confidence (docs/analysis.md#guided-search)


ANCHOR_DECIMATION = 6            # anchors are first located at 48 kHz / 6 = 8 kHz (docs/analysis.md#guided-search)
ANCHOR_COARSE_MIN = 50.0         # coarse score an anchor's position needs before its 48 kHz check (calibration:
#                                  docs/analysis.md#guided-search)


def decimate(x: np.ndarray, d: int) -> np.ndarray:
    """Mean of each ``d`` consecutive samples: a boxcar low-pass and down-sampling by ``d`` (float32)."""
    v = x[:x.size // d * d].reshape(-1, d)
    out = v[:, 0].astype(np.float32)          # a column sum: three times faster than mean(axis=1)
    for k in range(1, d):
        out += v[:, k]
    out *= np.float32(1.0 / d)
    return out


def locate_anchor(r: np.ndarray, t: np.ndarray, be: str) -> tuple[int, float]:
    """Where chunk ``r`` starts inside its target window ``t`` (48 kHz samples) and the coarse search's score,
    both signals decimated by ``ANCHOR_DECIMATION``: the position to a few samples for a sixth of the FFT
    work of the full 48 kHz search."""
    from .coarse import COARSE_LOBE_S

    d = ANCHOR_DECIMATION
    r8, t8 = decimate(r, d), decimate(t, d)
    hit = engine(be).coarse_search(t8, [r8], [(0, t8.size - r8.size)], round(COARSE_LOBE_S * SR / d),
                                   rate=SR // d)[0]
    return hit.position * d, hit.confidence


def confirms(rec: ChunkResult | None, expected_ms: float, opts: CorrelationOptions) -> bool:
    """A narrow (±``GUIDE_MARGIN_S``) search's record confirms the expected delay: its peak lies within half
    the margin of it with a confidence of at least ``GUIDE_CONFIRM_PCT`` (never below the acceptance
    threshold). Used by the guided pass and by the post-mux audit."""
    return (rec is not None and rec.match_pct >= max(GUIDE_CONFIRM_PCT, opts.min_match_pct)
            and abs(rec.raw_delay_ms - expected_ms) <= GUIDE_MARGIN_S * 500.0)


def _guided(opts: CorrelationOptions, keys: Sequence[str], speed: dec.Speed | None, n_chunks: int) -> bool:
    """The guided pass applies to a plain single-method FFT run of the vsg profile with enough chunks."""
    return (opts.guided and opts.profile == "vsg" and speed is None and len(keys) == 1
            and keys[0] in FFT_METHODS and n_chunks >= 4
            and opts.search_samples > 2 * round(GUIDE_MARGIN_S * SR))


def _windowed_guided(ri: dec.AudioInfo, ti: dec.AudioInfo, opts: CorrelationOptions, log: JobLog | None,
                     be: str, keys: list[str], chunks: list[Chunk]) -> CorrelationRun:
    """The first pass in three steps (docs/analysis.md#guided-search), with the same records as searching every
    chunk over ±``search_range_s`` wherever it matters:

    1. two anchor chunks are searched over the full range (the other chunks' reference windows decode
       meanwhile);
    2. when both are accepted and agree (within ``GUIDE_MARGIN_S``), every other chunk is searched only
       ±``GUIDE_MARGIN_S`` around the line through the anchors' delays (a third of the target decoding and a
       quarter of the FFT work); a chunk confirms the line when its peak lies well inside that window with a
       confidence of at least ``GUIDE_CONFIRM_PCT`` (wrong windows scored at most 64 in the calibration);
    3. every chunk that does not confirm (a step, a quiet or ambiguous chunk) is searched over the full range,
       exactly as without the guide. Without a guide (anchors rejected or disagreeing) all chunks are.
    """
    n = len(chunks)
    key = keys[0]
    a_idx = sorted({min(n - 1, int(f * n)) for f in GUIDE_ANCHORS})
    rest = [i for i in range(n) if i not in a_idx]
    settle = round(filter_settle_s(opts) * SR)
    full_m = opts.search_samples
    m = round(GUIDE_MARGIN_S * SR)
    zero = [0] * n
    results: dict[str, list[ChunkResult]] = {k: [] for k in keys}
    skipped: list[int] = []
    t_dec = t_corr = 0.0

    def pick(idx: Sequence[int]) -> list[Chunk]:
        return [chunks[i] for i in idx]

    def correlate(idx: list[int], rslots: Sequence[_Slot], tslots: Sequence[_Slot], shifts: Sequence[int],
                  margin: int | None, done: int) -> dict[str, list[ChunkResult]]:
        nonlocal t_corr
        t = time.perf_counter()
        res, skip = _correlate_slots(pick(idx), list(zip(rslots, tslots, strict=True)), shifts, margin, opts,
                                     keys, be, None, settle, (done, n))
        t_corr += time.perf_counter() - t
        if margin is None:
            skipped.extend(skip)
        return res

    def wait(*futs: Future[Any]) -> list[Any]:
        nonlocal t_dec
        t = time.perf_counter()
        out = [_cancel.wait_result(f) for f in futs]
        t_dec += time.perf_counter() - t
        return out

    # both streams decodable window by window: a reference window and the target windows of the same chunks
    # share one ffmpeg run (each ffmpeg start costs ~60 ms of CPU): one run per anchor, then one per half of
    # the other chunks (their reference windows with their narrow target windows)
    together = (opts.decode == "auto" and dec.windowed_mode(ri) is not None
                and dec.windowed_mode(ti) is not None)
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=3) as ex:
        def store(windows: list[dec.Window]) -> dec.WindowStore:
            return stack.enter_context(dec.window_store(windows))

        def pairs(rs: dec.WindowStore, ts: dec.WindowStore, groups: Sequence[Sequence[int]]
                  ) -> list[Future[list[str]]]:
            return [ex.submit(contextvars.copy_context().run, dec.decode_windows_together,
                              [(ri, rs, g), (ti, ts, g)], use_soxr=opts.use_soxr, log=log) for g in groups]

        ref_rest: list[Future[str]] = []       # the other chunks' reference windows (when decoded alone)
        if together:
            ars = store(_ref_windows(pick(a_idx), settle))
            ats = store(_tgt_windows(pick(a_idx), zero, full_m, settle))
            rrs = store(_ref_windows(pick(rest), settle))      # decoded later, with their target windows
            modes = wait(*pairs(ars, ats, [[j] for j in range(len(a_idx))]))[0]
            how = {"ref": modes[0], "tgt": modes[1]}
        else:
            # critical path: the anchors' windows (each target window in its own ffmpeg run), then their
            # correlation, then the narrow target windows; the other reference windows are decoded at a lower
            # priority, in the CPU time the critical path leaves idle
            ars, far = _decode_async(stack, ex, ri, _ref_windows(pick(a_idx), settle), opts, log)
            ats, fat = _decode_async(stack, ex, ti, _tgt_windows(pick(a_idx), zero, full_m, settle), opts, log,
                                     parts=len(a_idx))
            with lower_priority():
                rrs, frr = _decode_async(stack, ex, ri, _ref_windows(pick(rest), settle), opts, log)
            ref_rest.append(frr)
            how = dict(zip(("ref", "tgt"), wait(far, fat), strict=True))
        tstores = [ats]
        rest_decoded = not together
        # each anchor located at 8 kHz, then searched at 48 kHz ±GUIDE_MARGIN_S there; an anchor that the
        # coarse search does not place clearly, or whose 48 kHz search does not confirm the place, is searched
        # over the full range at 48 kHz
        t = time.perf_counter()
        located, full_j = _located_anchors(pick(a_idx), ars, ats, full_m, m, settle, opts, key, be)
        t_corr += time.perf_counter() - t
        if log is not None:
            log.log(f"[Guided] Anchor chunks located at {SR // ANCHOR_DECIMATION // 1000} kHz and confirmed at "
                    f"48 kHz: {len(located)} of {len(a_idx)}"
                    + (f"; {len(full_j)} searched over the full ±{full_m / SR:g} s" if full_j else ""))
        first = {k: list(located) if k == key else [] for k in keys}
        if full_j:
            more = correlate([a_idx[j] for j in full_j], [_Slot(ars, j) for j in full_j],
                             [_Slot(ats, j) for j in full_j], [0] * len(full_j), None, len(located))
            for k in keys:
                first[k] += more[k]
        for k in keys:
            results[k] += first[k]
        recs = {r.index: r for r in first[key]}
        got = [recs.get(chunks[i].index) for i in a_idx]
        line = _guide_line(got)
        rref = [_Slot(rrs, j) for j in range(len(rest))]
        redo = list(range(len(rest)))       # positions in ``rest`` searched over the full range
        if line is not None:
            guide_ms = [line(chunks[i].start_s) for i in rest]
            shifts = [round(g * SR / 1000.0) for g in guide_ms]
            if together:
                nts = store(_tgt_windows(pick(rest), shifts, m, settle))
                wait(*pairs(rrs, nts, dec.decode_groups(nts, dec.cpu_count())))
                rest_decoded = True
            else:
                nts, fnt = _decode_async(stack, ex, ti, _tgt_windows(pick(rest), shifts, m, settle), opts, log,
                                         parts=dec.cpu_count())
                wait(*ref_rest, fnt)
            tstores.append(nts)
            narrow = correlate(rest, rref, [_Slot(nts, j) for j in range(len(rest))], shifts, m, len(a_idx))
            by_index = {r.index: r for r in narrow[key]}
            redo = []
            for j, (i, g) in enumerate(zip(rest, guide_ms, strict=True)):
                r = by_index.get(chunks[i].index)
                if r is not None and confirms(r, g, opts):
                    for k in keys:
                        results[k] += [x for x in narrow[k] if x.index == r.index]
                else:
                    redo.append(j)   # incl. a chunk the narrow window left without audio
            if log is not None:
                d1, d2 = (r.raw_delay_ms for r in got if r is not None)
                log.log(f"[Guided] Anchor chunks {', '.join(str(chunks[i].index) for i in a_idx)} agree "
                        f"({d1:+.3f} / {d2:+.3f} ms): {len(rest) - len(redo)} of {len(rest)} other chunks "
                        f"confirmed within ±{GUIDE_MARGIN_S:g} s of their line"
                        + (f"; {len(redo)} searched over the full ±{full_m / SR:g} s" if redo else ""))
        elif log is not None:
            log.log("[Guided] The anchor chunks do not agree: every chunk is searched over the full range")
        if redo:
            idx = [rest[j] for j in redo]
            if not rest_decoded:           # no guide line: every other chunk, reference and target, in full
                fts = store(_tgt_windows(pick(idx), zero, full_m, settle))
                wait(*pairs(rrs, fts, dec.decode_groups(fts, dec.cpu_count())))
                rest_decoded = True
            else:
                fts, fft_ = _decode_async(stack, ex, ti, _tgt_windows(pick(idx), zero, full_m, settle), opts,
                                          log)
                wait(*ref_rest, fft_)
            tstores.append(fts)
            again = correlate(idx, [rref[j] for j in redo], [_Slot(fts, j) for j in range(len(idx))], zero, None,
                              n - len(idx))
            for k in keys:
                results[k] += again[k]
        wait(*ref_rest)
        ref_end = _min_end(st.decoded_end() for st in (ars, rrs) if st is ars or rest_decoded)
        tgt_end = _min_end(st.decoded_end() for st in tstores)
    for k in keys:
        results[k].sort(key=lambda r: r.index)
    return CorrelationRun(results, opts, be, None, how, {"decode": t_dec, "correlate": t_corr},
                          ri.est_samples, ti.est_samples, ref_end, tgt_end, tuple(sorted(skipped)))


def _located_anchors(anchors: Sequence[Chunk], rs: dec.WindowStore, ts: dec.WindowStore, full_m: int, m: int,
                     settle: int, opts: CorrelationOptions, key: str, be: str
                     ) -> tuple[list[ChunkResult], list[int]]:
    """Records of the anchors placed by ``locate_anchor`` (coarse score ≥ ``ANCHOR_COARSE_MIN``) and confirmed
    by a 48 kHz search of ±``m`` samples there (``confirms``), and the positions of the others (searched over
    the full range by the caller). Only fully decoded windows are tried."""
    def locate(j: int) -> tuple[np.ndarray, np.ndarray, int, float] | None:
        rw, tw = rs.windows[j], ts.windows[j]
        if rw.start < 0 or tw.start < 0 or rs.decoded(j) < rw.length or ts.decoded(j) < tw.length:
            return None
        r = apply_filter(rs.load(j), opts)[settle:]
        t = apply_filter(ts.load(j), opts)[settle:]
        return (r, t, *locate_anchor(r, t, be))

    with ThreadPoolExecutor(max_workers=max(1, len(anchors))) as ex:   # numpy and Rust release the GIL
        found = list(ex.map(locate, range(len(anchors))))
    located = [(c, f[0], f[1], f[2]) for c, f in zip(anchors, found, strict=True)
               if f is not None and f[3] >= ANCHOR_COARSE_MIN]
    out = [r for r in confirm_located(located, full_m, m, opts, key, be) if r is not None]
    placed = {r.index for r in out}
    return out, [j for j, c in enumerate(anchors) if c.index not in placed]


def confirm_located(located: Sequence[tuple[Chunk, np.ndarray, np.ndarray, int]], full_m: int, m: int,
                    opts: CorrelationOptions, key: str, be: str) -> list[ChunkResult | None]:
    """For each (chunk, reference chunk, its ±``full_m`` target window, position ``locate_anchor`` found): the
    record of a 48 kHz search of ±``m`` samples around that position when it ``confirms`` it, else None (also
    when the ±``m`` window would leave the decoded target window). All searches in one batch."""
    todo = [k for k, (c, _r, t, p) in enumerate(located) if p - m >= 0 and p + c.length + m <= t.size]
    out: list[ChunkResult | None] = [None] * len(located)
    if not todo:
        return out
    ropts = opts.with_(search_range_s=m / SR)
    refs = [located[k][1] for k in todo]
    tgts = [located[k][2][located[k][3] - m:located[k][3] + located[k][0].length + m] for k in todo]
    for k, res in zip(todo, correlate_lags(refs, tgts, key, ropts, be), strict=True):
        shift = full_m - located[k][3]                 # the narrow window's delay (its centre)
        rec = _shifted(make_record(located[k][0], res, key, ropts, None), shift)
        if confirms(rec, shift * 1000.0 / SR, opts):
            out[k] = rec
    return out


def _min_end(ends: Iterable[int | None]) -> int | None:
    return min((e for e in ends if e is not None), default=None)


def _guide_line(anchors: Sequence[ChunkResult | None]) -> Callable[[float], float] | None:
    """Delay (ms) as a function of the chunk start (s) through the two anchors, or None when an anchor is
    missing or rejected, or when they differ by more than the guided window (a step between them)."""
    if len(anchors) != 2 or any(a is None or not a.accepted for a in anchors):
        return None
    a, b = anchors[0], anchors[1]
    assert a is not None and b is not None
    if abs(a.raw_delay_ms - b.raw_delay_ms) > GUIDE_MARGIN_S * 1000.0 or b.start_s == a.start_s:
        return None
    slope = (b.raw_delay_ms - a.raw_delay_ms) / (b.start_s - a.start_s)
    return lambda t: a.raw_delay_ms + slope * (t - a.start_s)
