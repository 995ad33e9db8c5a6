"""Reach: find where each chunk lies in the other release over ±``reach_s`` (default 10 minutes), then let the
chunk search refine it to the sample and sub-sample. Method, thresholds and their calibration: docs/reach.md.

The ordinary chunk search looks only ``search_range_s`` (15 s) around the same instant of the other release.
When its chunks do not agree (:func:`chunks_agree`), :func:`reach_run` places the chunks the chunk search did
not (rejected, never correlated, or accepted alone at their delay), one at a time (:class:`_Reach`):

1. a narrow coarse search, ±``FIRST_REACH_S`` around 0 and around the delays of the nearest placed chunks,
   at ``COARSE_SR`` (1 kHz) on the target decoded on demand (:class:`CoarseTarget`: kept, so a widened or
   nearby search decodes only what is new); the whitened cross-correlation itself is :func:`coarse_search`
   (Rust ``vsg_core_rs.coarse_search`` or :func:`coarse_search_python`), a candidate needs
   ``COARSE_MIN_CONF``;
2. each candidate refined by the chunk search at 48 kHz on ±``REFINE_MARGIN_S``; the refined record must pass
   the ordinary chunk confidence to place the chunk;
3. the placed delay tested the same way on the unplaced neighbours in time, then on every unplaced chunk in
   one pass (propagation: a region costs one coarse search);
4. the chunks still unplaced searched over the rest of ±``reach_s`` against one transform of the target;
5. a lone placement tested at the delay of every group of chunks (regrouping: repeated material).

Chunks may land at different coarse positions: inserts and cuts of any length up to the reach become delay
steps that the diagnosis reads as STEPPING (:func:`locate_boundaries` then places each step to ±0.5 s). A
delay beyond the reach finds no position and the source ends as NO_MATCH naming ``analysis_reach_s``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import cancel as _cancel
from .. import scratch
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
FIRST_REACH_S = 120.0       # first step of the search: ±this around 0 and around the delays of the nearest placed
#                             chunks; the rest of ±reach only when that finds nothing acceptable (docs/reach.md)
NARROW_MISSES = 2           # narrow searches in a row that place no region before the rest go wide at once
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
    with scratch.temp_dir("coarse") as tmp:  # under temp_root, owned (swept after a crash)
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


class CoarseTarget:
    """The other release at ``COARSE_SR`` on its own timeline, decoded piece by piece as the searches ask for
    it and kept: a widened search, and every later search near an earlier one, decodes only what is new.

    Missing stretches are decoded by parallel ffmpeg processes (one per piece, a stretch longer than 60 s in
    two), each placed at its nominal offset (a seek error stays below a coarse sample)."""

    def __init__(self, info: dec.AudioInfo, log: JobLog | None) -> None:
        self.info, self.log, self.rate = info, log, COARSE_SR
        self.n = round((info.duration_s + 1.0) * self.rate)
        self.buf = np.zeros(self.n, dtype=np.float32)
        self.have = np.zeros(self.n, dtype=bool)
        self.end = self.n               # where the decoded audio ends (samples), once a piece ran short
        self.decoded_s = 0.0            # seconds decoded so far

    def ensure(self, intervals: Sequence[tuple[int, int]], extra: Callable[[], object] | None = None) -> None:
        """Decode what is missing of the sample ``intervals`` [a, b); ``extra`` runs alongside (the reference
        chunk's decode)."""
        want = np.zeros(self.n, dtype=bool)
        for a, b in intervals:
            want[max(0, a):max(0, min(self.n, b))] = True
        miss = want & ~self.have
        edges = np.flatnonzero(np.diff(np.concatenate([[0], miss.astype(np.int8), [0]])))
        pieces: list[tuple[int, int]] = []
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            parts = 2 if b - a > 60 * self.rate else 1
            cut = [a + (b - a) * k // parts for k in range(parts + 1)]
            pieces += [(cut[k], cut[k + 1]) for k in range(parts)]
        if not pieces and extra is None:
            return
        r = self.rate
        with ThreadPoolExecutor(max_workers=len(pieces) + 1) as ex:
            fx = ex.submit(contextvars.copy_context().run, extra) if extra is not None else None
            futs = [ex.submit(contextvars.copy_context().run, decode_spans, self.info, [(a / r, (b - a) / r)], r,
                              self.log) for a, b in pieces]
            got = [_cancel.wait_result(f)[0] for f in futs]
            if fx is not None:
                _cancel.wait_result(fx)
        for (a, b), x in zip(pieces, got, strict=True):
            m = min(x.size, b - a)
            self.buf[a:a + m] = x[:m]
            self.have[a:b] = True
            self.decoded_s += (b - a) / r
            if m < b - a:
                self.end = min(self.end, a + m)

    def get(self, a: int, b: int) -> np.ndarray:
        """Samples [a, b) as decoded (call :meth:`ensure` first), ending where the decoded audio ends."""
        return self.buf[max(0, a):max(0, min(b, self.end))]


@dataclass
class _Chunk:
    """One chunk the reach has to place, and what happened to it."""
    chunk: Chunk
    first: dict[str, ChunkResult]           # first-pass records by method (empty: never correlated)
    records: dict[str, ChunkResult] | None = None   # the records that place it (None: not placed yet)
    coarse_ms: float | None = None          # the coarse delay it was placed at, or the last one tried
    tried: list[float] = dataclasses.field(default_factory=list)     # delays refined (ms)
    searched_s: list[tuple[float, float]] = dataclasses.field(default_factory=list)  # delays searched (s)

    @property
    def accepted_first(self) -> ChunkResult | None:
        f = next(iter(self.first.values()), None)
        return f if f is not None and f.accepted else None


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def search_delays(centres: Sequence[float], radius_s: float, reach_s: float,
                  exclude: Sequence[tuple[float, float]] = ()) -> list[tuple[float, float]]:
    """Delay intervals (seconds) to search: ±``radius_s`` around each centre, within ±``reach_s``, minus
    ``exclude`` (what a narrower step already searched)."""
    ivs = _merge([(max(-reach_s, c - radius_s), min(reach_s, c + radius_s)) for c in centres])
    ivs = [(lo, hi) for lo, hi in ivs if hi > lo]
    for xlo, xhi in _merge(list(exclude)):
        nxt: list[tuple[float, float]] = []
        for lo, hi in ivs:
            if hi <= xlo or lo >= xhi:
                nxt.append((lo, hi))
                continue
            if lo < xlo:
                nxt.append((lo, xlo))
            if hi > xhi:
                nxt.append((xhi, hi))
        ivs = nxt
    return ivs


class _Reach:
    """The coarse search, chunk by chunk, with propagation (docs/reach.md#coarse-search)."""

    def __init__(self, ri: dec.AudioInfo, ti: dec.AudioInfo, opts: CorrelationOptions, log: JobLog | None,
                 backend: str, keys: list[str]) -> None:
        self.ri, self.ti, self.opts, self.log, self.backend, self.keys = ri, ti, opts, log, backend, keys
        self.reach_s = float(opts.reach_s)
        self.target = CoarseTarget(ti, log)
        self.refs: dict[int, np.ndarray] = {}
        self.t = {"coarse_decode": 0.0, "coarse_search": 0.0, "refine": 0.0, "coarse_searches": 0.0, "coarse_runs": 0.0,
                  "refined_chunks": 0.0, "refine_passes": 0.0}

    # -- coarse
    def _refs(self, chunks: Sequence[Chunk]) -> None:
        """The reference chunks at ``COARSE_SR`` not decoded yet, by one ffmpeg run."""
        todo = [c for c in chunks if c.index not in self.refs]
        if todo:
            got = decode_spans(self.ri, [(c.start / SR, c.length / SR) for c in todo], COARSE_SR, self.log)
            for c, x in zip(todo, got, strict=True):
                self.refs[c.index] = x[: round(c.length / SR * COARSE_SR)]

    def coarse(self, asks: Sequence[tuple[Chunk, Sequence[tuple[float, float]]]]
               ) -> list[list[tuple[float, float]]]:
        """For each (chunk, delay intervals in seconds): (coarse delay ms, score) of the chunk's best position
        within each interval, candidates only (score ≥ ``COARSE_MIN_CONF``), best first. One span of the
        target covers every interval and is transformed once (:func:`coarse_search`)."""
        r = COARSE_SR
        entries: list[tuple[int, int, int, int]] = []          # (ask, ref length, first, last target start)
        for k, (c, delays) in enumerate(asks):
            lr = round(c.length / SR * r)
            t = c.start / SR
            for dlo, dhi in delays:
                a = max(0, int(np.floor((t - dhi) * r)))
                b = int(np.ceil((t - dlo) * r))
                if b >= a:
                    entries.append((k, lr, a, b))
        out: list[list[tuple[float, float]]] = [[] for _ in asks]
        if not entries:
            return out
        t0 = time.perf_counter()
        self.target.ensure([(a, b + lr) for _, lr, a, b in entries], extra=lambda: self._refs([c for c, _ in asks]))
        t1 = time.perf_counter()
        lo = min(a for _, _, a, _ in entries)
        span = self.target.get(lo, max(b + lr for _, lr, _, b in entries))
        refs = [self.refs[asks[k][0].index] for k, _, _, _ in entries]
        ok = [i for i, ref in enumerate(refs) if 0 < ref.size <= span.size]
        hits = coarse_search(span, [refs[i] for i in ok], [(entries[i][2] - lo, entries[i][3] - lo) for i in ok],
                             self.backend) if ok else []
        for i, h in zip(ok, hits, strict=True):
            k = entries[i][0]
            if h.confidence >= COARSE_MIN_CONF:
                out[k].append(((asks[k][0].start / SR - (lo + h.position) / r) * 1000.0, h.confidence))
        self.t["coarse_decode"] += t1 - t0
        self.t["coarse_search"] += time.perf_counter() - t1
        self.t["coarse_searches"] += len(asks)      # chunks searched (a chunk once per step)
        self.t["coarse_runs"] += 1                  # transforms of a target span
        return [sorted(o, key=lambda x: -x[1]) for o in out]

    # -- refinement
    def refine(self, items: Sequence[_Chunk], delay_ms: float, move: bool = False) -> None:
        """Test ``delay_ms`` on every item: kept as it is when its first-pass record is accepted within
        ``SAME_POSITION_MS``, else the chunk search at 48 kHz on ±``REFINE_MARGIN_S`` around it; an accepted
        record places the item (a first-pass accepted record that scores higher is kept, unless ``move``:
        the delay of a group of chunks then replaces a lone one's)."""
        from .correlate import _windowed_once

        todo = []
        for it in items:
            if any(abs(d - delay_ms) <= SAME_POSITION_MS for d in it.tried):
                continue
            it.tried.append(delay_ms)
            f = it.accepted_first
            if f is not None and abs(f.raw_delay_ms - delay_ms) <= SAME_POSITION_MS:
                it.records, it.coarse_ms = dict(it.first), delay_ms
                continue
            todo.append(it)
        if not todo:
            return
        t0 = time.perf_counter()
        shift = round(delay_ms * SR / 1000.0)
        rr = _windowed_once(self.ri, self.ti, self.opts, None, self.backend, self.keys, None,
                            chunks=[it.chunk for it in todo], shifts=[shift] * len(todo),
                            margin=round(REFINE_MARGIN_S * SR))
        got = {m: {r.index: r for r in recs} for m, recs in rr.results.items()}
        for it in todo:
            recs = {m: got[m][it.chunk.index] for m in self.keys if it.chunk.index in got.get(m, {})}
            r = recs.get(self.keys[0])
            if r is None:
                continue
            if it.coarse_ms is None or r.accepted:
                it.coarse_ms = delay_ms
            f = it.accepted_first
            if r.accepted and (move or f is None or r.match_pct > f.match_pct):
                it.records = recs
            elif r.accepted:
                it.records = dict(it.first)
            elif it.records is None and not it.first:
                it.first = recs          # shown as it is (rejected) when nothing places the chunk
        self.t["refine"] += time.perf_counter() - t0
        self.t["refined_chunks"] += len(todo)
        self.t["refine_passes"] += 1

    # -- the chunk-by-chunk search
    def _try(self, it: _Chunk, cands: list[tuple[float, float]], items: list[_Chunk], known: dict[float, float]
             ) -> bool:
        """Refine ``it`` at its candidates, best first, until one places it; then test that delay on every
        other unplaced item (one 48 kHz pass). True when the delay places a region: ``it`` and at least one
        other chunk, or the last unplaced one."""
        for d_ms, conf in cands:
            self.refine([it], d_ms)
            if self.log is not None:
                self.log.log(f"  [Reach] Chunk {it.chunk.index}: coarse {d_ms / 1000.0:+.3f} s (confidence "
                             f"{conf:.1f}) → " + ("placed" if it.records is not None else "not confirmed"))
            if it.records is not None:
                break
        if it.records is None:
            return False
        d = it.records[self.keys[0]].raw_delay_ms
        known[it.chunk.start_s] = d
        rest = [o for o in items if o.records is None]
        if not rest:
            return True
        # the unplaced neighbours in time first: a region spans consecutive chunks, a lone match of repeated
        # material does not, and then costs one chunk's refinement per neighbour, not one per unplaced chunk
        t = it.chunk.start_s
        nb = [o for o in (max((o for o in rest if o.chunk.start_s < t), key=lambda o: o.chunk.start_s, default=None),
                          min((o for o in rest if o.chunk.start_s > t), key=lambda o: o.chunk.start_s, default=None))
              if o is not None]
        self.refine(nb, d)
        if any(o.records is not None for o in nb):
            self.refine([o for o in rest if o not in nb], d)
        got = [o for o in rest if o.records is not None]
        for o in got:
            known[o.chunk.start_s] = o.records[self.keys[0]].raw_delay_ms  # type: ignore[index]
        if self.log is not None:
            self.log.log(f"  [Reach] {d / 1000.0:+.3f} s tested on {len(rest)} more chunk(s): confirmed on "
                         f"{len(got)}" + (f" ({', '.join(str(o.chunk.index) for o in got)})" if got else ""))
        return bool(got)

    def place(self, items: list[_Chunk], known: dict[float, float]) -> None:
        """Place the items in two steps. First, one item at a time in time order, ±``FIRST_REACH_S`` around 0
        and around the delays of the placed chunks nearest in time, until ``NARROW_MISSES`` searches in a row
        placed no region (no position, or one no neighbour confirms); then every item still unplaced over
        ±reach (the narrow intervals it was searched on left out), all against one transform of the target.
        Every candidate is refined on its chunk alone; a delay that places it is then tested on the other
        unplaced items (:meth:`_try`), so a region costs one coarse search, and a far position (material
        repeated elsewhere) is looked for only once nearer explanations failed."""
        narrow = min(FIRST_REACH_S, self.reach_s)
        misses = 0
        for it in items:
            if it.records is not None:
                continue
            if misses >= NARROW_MISSES:
                break            # the offset lies beyond the narrow step: search the rest wide, at once
            t = it.chunk.start_s
            near = sorted(known.items(), key=lambda kv: abs(kv[0] - t))[:2]
            delays = search_delays([0.0, *(d / 1000.0 for _, d in near)], narrow, self.reach_s)
            it.searched_s += delays
            self._log_search(it, delays)
            (cands,) = self.coarse([(it.chunk, delays)])
            misses = 0 if self._try(it, cands, items, known) else misses + 1
        if narrow >= self.reach_s:
            return
        wide = [(it, search_delays([0.0], self.reach_s, self.reach_s, it.searched_s))
                for it in items if it.records is None]
        wide = [(it, d) for it, d in wide if d]
        if not wide:
            return
        for it, delays in wide:
            self._log_search(it, delays)
        found = self.coarse([(it.chunk, d) for it, d in wide])
        for (it, _), cands in zip(wide, found, strict=True):
            if it.records is None:
                self._try(it, cands, items, known)

    def _log_search(self, it: _Chunk, delays: Sequence[tuple[float, float]]) -> None:
        if self.log is not None:
            where = ", ".join(f"{lo:+.0f}…{hi:+.0f} s" for lo, hi in delays)
            self.log.log(f"  [Reach] Chunk {it.chunk.index} (@{it.chunk.start_s:.1f}s): coarse search over {where}")

    def regroup(self, items: list[_Chunk], known: dict[float, float]) -> None:
        """A chunk the reach placed in a group smaller than another (chunks whose delays lie within
        ±``REFINE_MARGIN_S``; alone, or with a neighbour on the same repeat) is tested at the delay of every
        larger group, the nearest in time first, and joins the first that the chunk search accepts: material
        repeated elsewhere in the programme (a theme, a recap) can match a chunk or two far from their true
        place, not a whole region (docs/reach.md). A delay the chunk's first pass covered (±search range)
        and did not accept is not tested again."""
        tol = 1000.0 * REFINE_MARGIN_S
        delays = dict(known)
        for it in items:
            if it.records is not None:
                delays[it.chunk.start_s] = it.records[self.keys[0]].raw_delay_ms
        groups: list[list[tuple[float, float]]] = []
        for t, d in sorted(delays.items(), key=lambda kv: kv[1]):
            if groups and d - groups[-1][-1][1] <= tol:
                groups[-1].append((t, d))
            else:
                groups.append([(t, d)])
        size = {t: len(g) for g in groups for t, _ in g}
        searched_ms = 1000.0 * self.opts.search_samples / SR
        for it in items:
            if it.records is None:
                continue
            t = it.chunk.start_s
            bigger = [g for g in groups if len(g) > size[t]]
            for g in sorted(bigger, key=lambda g: min(abs(gt - t) for gt, _ in g)):
                d = float(np.median([gd for _, gd in g]))
                if it.first and abs(d) <= searched_ms and not any(r.accepted for r in it.first.values()):
                    continue
                before = it.records
                self.refine([it], d, move=True)
                if self.log is not None:
                    self.log.log(f"  [Reach] Chunk {it.chunk.index}, in a group of {size[t]}: tested at the delay "
                                 f"of {len(g)} chunks, {d / 1000.0:+.3f} s → "
                                 + ("joins them" if it.records is not before else "stays"))
                if it.records is not before:
                    break


def reach_run(first: CorrelationRun, ri: dec.AudioInfo, ti: dec.AudioInfo, opts: CorrelationOptions,
              log: JobLog | None, backend: str, keys: list[str]) -> CorrelationRun:
    """The coarse search and refinement of the chunks that need it when the first pass does not agree;
    else ``first`` unchanged (docs/reach.md)."""
    reach_s = float(opts.reach_s)
    if reach_s <= opts.search_samples / SR:
        return first
    chunks = place_chunks(ri.est_samples, ri.est_samples, opts.chunk_count, opts.chunk_duration_s,
                          opts.scan_start_pct, opts.scan_end_pct)
    if not opts.reach_always and chunks_agree(first, len(chunks)):
        return first
    firsts = {m: {r.index: r for r in recs} for m, recs in first.results.items()}
    primary = firsts[keys[0]]
    acc = [r for r in primary.values() if r.accepted]
    items: list[_Chunk] = []
    known: dict[float, float] = {}       # chunk start (s) → delay (ms) of the chunks placed so far
    quiet: list[_Chunk] = []
    for c in chunks:
        f = primary.get(c.index)
        it = _Chunk(c, {m: firsts[m][c.index] for m in keys if c.index in firsts[m]})
        if f is not None and f.match_pct <= 0.0:
            quiet.append(it)             # the reference chunk or the target window is silent: see below
            continue
        confirmed = f is not None and f.accepted and any(
            o is not f and abs(o.raw_delay_ms - f.raw_delay_ms) <= 1000.0 * REFINE_MARGIN_S for o in acc)
        if confirmed and not opts.reach_always:
            known[c.start_s] = f.raw_delay_ms     # on the line of another accepted chunk: placed
            continue
        items.append(it)                 # rejected, never correlated, or accepted alone at its delay
    t0 = time.perf_counter()
    job = _Reach(ri, ti, opts, log, backend, keys)
    if quiet and items:
        # a silent reference chunk cannot be placed by any search, but a chunk whose target window is silent
        # (an ad break of silence at the same instant) may lie elsewhere: keep those whose reference chunk is
        # audible at the coarse rate, where the coarse search would gate it too
        job._refs([it.chunk for it in quiet])
        items = sorted(items + [it for it in quiet if level_db(job.refs[it.chunk.index]) >= opts.silence_db],
                       key=lambda it: it.chunk.start_s)
    if not items:
        return first
    if log is not None:
        log.log(f"[Reach] {len(items)} chunk(s) not placed by the chunk search: searching them one at a time, "
                f"±{min(FIRST_REACH_S, reach_s):g} s first, then up to ±{reach_s:g} s (analysis_reach_s), "
                f"at {COARSE_SR} Hz")
    job.place(items, known)
    job.regroup(items, known)
    by_index = {it.chunk.index: it for it in items}
    results: dict[str, list[ChunkResult]] = {}
    for m in keys:
        recs = []
        for c in chunks:
            it = by_index.get(c.index)
            if it is None:
                if c.index in firsts[m]:
                    recs.append(firsts[m][c.index])
                continue
            r = (it.records or it.first).get(m)
            if r is not None:
                recs.append(dataclasses.replace(r, coarse_delay_ms=it.coarse_ms))
        results[m] = recs
    if log is not None:
        for it in items:
            rec = next((r for r in results[keys[0]] if r.index == it.chunk.index), None)
            where = "no position" if it.coarse_ms is None else f"coarse {it.coarse_ms / 1000.0:+.3f} s"
            fine = ("not correlated" if rec is None else
                    f"{'accepted' if rec.accepted else 'rejected'} {rec.raw_delay_ms:+.3f} ms")
            log.log(f"  [Reach] Chunk {it.chunk.index} (@{it.chunk.start_s:.1f}s): {where} → {fine}")
        tt = job.t
        log.log(f"[Reach] {tt['coarse_searches']:.0f} chunk search(es) in {tt['coarse_runs']:.0f} coarse run(s) "
                f"over {job.target.decoded_s:.0f} s of the "
                f"target ({tt['coarse_decode']:.2f} s decoding, {tt['coarse_search']:.2f} s searching), "
                f"{tt['refined_chunks']:.0f} chunk(s) refined in {tt['refine_passes']:.0f} pass(es) "
                f"({tt['refine']:.2f} s)")
    out = dataclasses.replace(first, results=results)
    out.timings = dict(first.timings)
    out.timings["reach"] = time.perf_counter() - t0
    out.timings["coarse"] = job.t["coarse_decode"] + job.t["coarse_search"]
    out.timings.update(job.t)
    out.timings["coarse_span_s"] = job.target.decoded_s
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
