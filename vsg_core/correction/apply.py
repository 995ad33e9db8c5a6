"""Correcting one audio track: stepping (EDL + assembly), PAL and linear drift (tempo change), and the QA
re-correlation of the result against the reference. Design and thresholds: docs/audio_correction.md.

Every corrected track is *pre-aligned*: it is built so that, muxed with ``align_ms`` (the integer delay the
muxer gives the source, minus the reference's own audio offset), each of its segments plays in sync with the
reference. Its container delay is 0.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.correlation_options import CorrelationOptions
from ..errors import VsgError
from ..log import JobLog
from ..runner import run
from .audio_io import AudioProps, decode_int32, decode_mono_int32, encode_flac, probe_audio
from .engine import SteppingEngine, engine
from .stepping import AudioSegment, Piece, RefineParams, Splice

SEARCH_SR = 16_000          # rate of the mono signals the boundary search runs on
QA_SR = 48_000
RESIDUAL_DRIFT_MS = 0.5    # drift left across the programme after a tempo change that triggers a second pass
PAL_FILM = Fraction(24000, 1001) / 25      # tempo that slows a 25 fps speed-up of a 23.976 fps master
PAL_24 = Fraction(24, 25)                  # … of a 24.000 fps master


class CorrectionError(VsgError):
    """A correction could not be made or failed its QA."""


@dataclass(frozen=True)
class CorrectionConfig:
    """What the correction reads from the settings (keys in vsg_core/config/defaults.py)."""

    crossfade_ms: float = 5.0
    boundary_window_ms: float = 500.0
    boundary_step_ms: float = 5.0
    plateau_tol: float = 0.02
    snap_to_silence: bool = True
    silence_method: str = "smart_fusion"
    silence_db: float = -40.0
    ffmpeg_noise_db: float = -40.0
    ffmpeg_min_s: float = 0.1
    pal_engine: str = "rubberband"
    linear_engine: str = "rubberband"
    rb_pitch_correct: bool = False
    qa_chunks: int = 30
    qa_min_accepted: int = 28
    qa_min_match_pct: float = 50.0   # the distinct-peak confidence of the analysis (min_confidence_pct)
    qa_max_offset_ms: float = 2.0
    qa_max_spread_ms: float = 2.0

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> CorrectionConfig:
        d = cls()

        def g(key: str, default: Any) -> Any:
            v = s.get(key, default)
            return type(default)(v) if not isinstance(default, bool) else bool(v)

        return cls(
            crossfade_ms=g("correction_crossfade_ms", d.crossfade_ms),
            boundary_window_ms=g("correction_boundary_window_ms", d.boundary_window_ms),
            boundary_step_ms=g("correction_boundary_step_ms", d.boundary_step_ms),
            plateau_tol=d.plateau_tol,
            snap_to_silence=g("stepping_snap_to_silence", d.snap_to_silence),
            silence_method=g("stepping_silence_detection_method", d.silence_method),
            silence_db=g("stepping_silence_threshold_db", d.silence_db),
            ffmpeg_noise_db=g("stepping_ffmpeg_silence_noise", d.ffmpeg_noise_db),
            ffmpeg_min_s=g("stepping_ffmpeg_silence_duration", d.ffmpeg_min_s),
            pal_engine=g("correction_pal_engine", d.pal_engine),
            linear_engine=g("segment_resample_engine", d.linear_engine),
            rb_pitch_correct=g("segment_rb_pitch_correct", d.rb_pitch_correct),
            qa_chunks=g("segment_qa_chunk_count", d.qa_chunks),
            qa_min_accepted=g("segment_qa_min_accepted_chunks", d.qa_min_accepted),
            qa_min_match_pct=g("segmented_qa_threshold", d.qa_min_match_pct),
            qa_max_offset_ms=g("correction_qa_max_offset_ms", d.qa_max_offset_ms),
            qa_max_spread_ms=g("correction_qa_max_spread_ms", d.qa_max_spread_ms),
        )


@dataclass(frozen=True)
class QaResult:
    passed: bool
    accepted: int
    total: int
    median_ms: float | None          # median residual against align_ms
    max_abs_ms: float | None         # largest |residual| of an accepted chunk
    reason: str = ""
    not_evidence: int = 0            # chunks left out: their reference audio does not even match itself

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SteppingPlan:
    """The verified stepping edit of one source (computed on its analysed track)."""

    splices: list[Splice]
    edl: list[AudioSegment]
    align_ms: float
    search_sr: int = SEARCH_SR
    reference16: np.ndarray | None = None     # the mono search-rate reference, kept for the QA

    def filled_gaps_s(self) -> list[tuple[float, float]]:
        """Reference spans (s) the edit fills because the source lacks them."""
        return [(d["reference_start_s"], d["reference_start_s"] + d["duration_ms"] / 1000.0)
                for d in self.to_json() if d["action"] == "filled"]

    def to_json(self) -> list[dict[str, Any]]:
        """Segments with their reference span, delay and what happened around them."""
        out = []
        for k, seg in enumerate(self.edl):
            ref0 = seg.start_s + seg.delay_raw / 1000.0
            ref1 = seg.end_s + seg.delay_raw / 1000.0
            item: dict[str, Any] = {"action": "kept", "target_start_s": seg.start_s, "target_end_s": seg.end_s,
                                    "reference_start_s": ref0, "reference_end_s": ref1,
                                    "delay_ms": seg.delay_ms, "delay_raw_ms": seg.delay_raw}
            out.append(item)
            if k < len(self.splices):
                sp = self.splices[k]
                at = sp.position / self.search_sr
                if sp.removed:
                    out.append({"action": "removed", "target_start_s": at,
                                "target_end_s": at + sp.removed / self.search_sr,
                                "duration_ms": sp.removed * 1000.0 / self.search_sr, "snap": sp.snap,
                                "score": sp.score})
                elif sp.filled:
                    out.append({"action": "filled", "reference_start_s": at + seg.delay_raw / 1000.0,
                                "duration_ms": sp.filled * 1000.0 / self.search_sr, "fill": "silence",
                                "snap": sp.snap, "score": sp.score})
        return out


@dataclass
class CorrectionReport:
    """What ``vsg sync --json`` says about one corrected track."""

    source: str
    track_id: int
    kind: str                        # STEPPING, PAL_DRIFT, LINEAR_DRIFT
    method: str
    output: str | None
    align_ms: float
    qa: QaResult | None = None
    tempo: float | None = None
    segments: list[dict[str, Any]] = field(default_factory=list)
    applied: bool = False
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "track_id": self.track_id, "kind": self.kind, "method": self.method,
                "output": self.output, "align_ms": self.align_ms, "tempo": self.tempo, "applied": self.applied,
                "qa": None if self.qa is None else self.qa.to_json(), "segments": self.segments,
                "note": self.note}


# ------------------------------------------------------------------------------------------- silence zones
_SIL_START = re.compile(r"silence_start:\s*(-?[0-9.]+)")
_SIL_END = re.compile(r"silence_end:\s*(-?[0-9.]+)")


def silencedetect_zones(path: Path, ordinal: int, start_s: float, end_s: float, noise_db: float, min_s: float,
                        log: JobLog | None = None) -> list[tuple[float, float]]:
    """Silent stretches (seconds of the file) that ffmpeg ``silencedetect`` reports in [start_s, end_s]."""
    start_s = max(0.0, start_s)
    proc = run(["ffmpeg", "-nostdin", "-hide_banner", "-ss", repr(start_s), "-t", repr(max(0.0, end_s - start_s)),
                "-i", str(path), "-map", f"0:a:{ordinal}", "-af", f"silencedetect=noise={noise_db!r}dB:d={min_s!r}",
                "-f", "null", "-"], log, check=False, what=str(path))
    zones: list[tuple[float, float]] = []
    open_at: float | None = None
    for line in proc.stderr.splitlines():
        m = _SIL_START.search(line)
        if m:
            open_at = float(m.group(1)) + start_s
            continue
        m = _SIL_END.search(line)
        if m and open_at is not None:
            zones.append((open_at, float(m.group(1)) + start_s))
            open_at = None
    return zones


# ------------------------------------------------------------------------------------------------ stepping
def decode_search_pair(ref: Path, ref_ordinal: int, tgt: Path, tgt_ordinal: int, sr: int = SEARCH_SR,
                       log: JobLog | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The mono int32 signals of the boundary search (reference, target) at ``sr``, decoded by two ffmpeg
    processes at once."""
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    def one(path: Path, ordinal: int) -> np.ndarray:
        return decode_mono_int32(path, ordinal, sr, log)

    with ThreadPoolExecutor(2) as ex:
        fr = ex.submit(contextvars.copy_context().run, one, ref, ref_ordinal)
        ft = ex.submit(contextvars.copy_context().run, one, tgt, tgt_ordinal)
        return fr.result(), ft.result()


def _search_interval(segments: Sequence[Any], chunk_centres: Sequence[tuple[float, float]], k: int,
                     chunk_s: float) -> tuple[float, float]:
    """Reference-time span that must hold the change between segment k−1 and k: from the centre of the last
    chunk agreeing with segment k−1 before the boundary to that of the first chunk agreeing with segment k
    after it, widened by half a chunk (a chunk straddling the change can still match one side)."""
    b = float(segments[k].start_s)
    d0, d1 = float(segments[k - 1].raw_delay_ms), float(segments[k].raw_delay_ms)
    tol = max(5.0, abs(d1 - d0) / 4.0)
    before = [c for c, d in chunk_centres if c <= b and abs(d - d0) <= tol]
    after = [c for c, d in chunk_centres if c >= b and abs(d - d1) <= tol]
    lo = (max(before) if before else float(segments[k - 1].start_s)) - chunk_s / 2.0
    hi = (min(after) if after else float(segments[k].end_s)) + chunk_s / 2.0
    return max(0.0, lo), max(lo, hi)


def plan_stepping(ref_mono: np.ndarray, tgt_mono: np.ndarray, segments: Sequence[Any],
                  chunk_centres: Sequence[tuple[float, float]], chunk_s: float, align_ms: float,
                  cfg: CorrectionConfig, zones_s: Sequence[Sequence[tuple[float, float]]] | None = None,
                  eng: SteppingEngine | None = None, sr: int = SEARCH_SR, log: JobLog | None = None
                  ) -> SteppingPlan:
    """Splices, EDL and alignment for a stepping source. ``segments``: the diagnosis' delay segments on the
    reference timeline (start_s, end_s, raw_delay_ms); ``zones_s[k]``: silence zones (target seconds) near
    splice k from ffmpeg silencedetect, or None."""
    e = eng or engine()
    params = RefineParams.for_rate(sr, cfg.boundary_window_ms, cfg.boundary_step_ms, cfg.plateau_tol,
                                   20.0, cfg.silence_db)
    splices: list[Splice] = []
    for k in range(1, len(segments)):
        d0, d1 = float(segments[k - 1].raw_delay_ms), float(segments[k].raw_delay_ms)
        lo_r, hi_r = _search_interval(segments, chunk_centres, k, chunk_s)
        lo = int((lo_r - max(d0, d1) / 1000.0) * sr)
        hi = int((hi_r - min(d0, d1) / 1000.0) * sr)
        zones = [(int(a * sr), int(b * sr)) for a, b in (zones_s[k - 1] if zones_s else [])]
        sp = e.refine_splice(ref_mono, tgt_mono, sr, d0, d1, lo, hi, params, zones, cfg.snap_to_silence)
        if log is not None:
            what = (f"remove {sp.removed * 1000.0 / sr:.1f} ms" if sp.removed else
                    f"fill {sp.filled * 1000.0 / sr:.1f} ms" if sp.filled else "no samples to add or remove")
            log.log(f"[Stepping] Splice {k}: delay {d0:+.3f} → {d1:+.3f} ms, searched target "
                    f"{lo / sr:.2f}–{hi / sr:.2f} s; best {sp.best / sr:.3f} s (score {sp.score:.3f}), "
                    f"equally good {sp.plateau_lo / sr:.3f}–{sp.plateau_hi / sr:.3f} s; spliced at "
                    f"{sp.position / sr:.3f} s ({sp.snap}); {what}")
        splices.append(sp)
    delays = [float(s.raw_delay_ms) for s in segments]
    edl = e.build_edl(delays, splices, len(tgt_mono), sr)
    return SteppingPlan(splices, edl, align_ms, sr)


BLOCK_S = 10.0              # output block length of the streaming assembly


def block_edges(pieces: Sequence[Piece], crossfade: int, block: int) -> list[int]:
    """Output positions where the streaming assembly may cut: about every ``block`` samples, never within
    ``crossfade`` samples of a join, so each block's joins (and their crossfade lengths) are the whole
    track's."""
    total = pieces[-1].out_start + pieces[-1].length
    joins = [p.out_start for p in pieces[1:]]
    edges = [0]
    at = block
    while at < total:
        moved = True
        while moved:
            moved = False
            for x in joins:
                if abs(at - x) < crossfade:
                    at, moved = x + crossfade, True
        if at >= total:
            break
        edges.append(at)
        at += block
    edges.append(total)
    return edges


class Prefetch:
    """Reads a pipe ahead in a thread (up to ``depth`` chunks), so the process writing it never waits while
    the reader is busy elsewhere (e.g. feeding the encoder). ``read`` returns the next chunk, b"" at the end."""

    def __init__(self, f: Any, chunk: int = 1 << 20, depth: int = 16) -> None:
        import queue
        import threading

        self.q: queue.Queue[bytes | BaseException] = queue.Queue(depth)
        self.done = False

        def pump() -> None:
            try:
                while data := f.read(chunk):
                    self.q.put(data)
                self.q.put(b"")
            except BaseException as e:      # handed to the reader
                self.q.put(e)

        self.thread = threading.Thread(target=pump, daemon=True)
        self.thread.start()

    def read(self, _size: int = -1) -> bytes:
        if self.done:
            return b""
        item = self.q.get()
        if isinstance(item, BaseException):
            self.done = True
            raise item
        if not item:
            self.done = True
        return item

    def drain(self) -> None:
        """Read to the end (lets the writing process finish)."""
        while self.read():
            pass


class PcmReader:
    """Interleaved s32le frames of a file or a pipe, read forward: :meth:`frames` returns [base, end) and may
    forget every frame before ``base`` (the streaming assembly asks for non-decreasing bases)."""

    READ_BYTES = 1 << 20

    def __init__(self, f: Any, channels: int) -> None:
        self.f, self.ch = f, channels
        self.start = 0                                  # frame index of the first kept frame
        self.parts: list[np.ndarray] = []               # kept frames, in order (joined when asked for)
        self.count = 0                                  # frames in parts
        self.rest = b""
        self.eof = False

    def _more(self) -> None:
        data = self.f.read(self.READ_BYTES)
        if not data:
            self.eof = True
            return
        data = self.rest + data
        fb = 4 * self.ch
        usable = len(data) - len(data) % fb
        self.rest = data[usable:]
        if usable:
            new = np.frombuffer(data[:usable], dtype="<i4").reshape(-1, self.ch)
            self.parts.append(new)
            self.count += len(new)

    def frames(self, base: int, end: int, keep_from: int | None = None) -> np.ndarray:
        """Frames [base, end) (fewer at the end of the stream); frames before ``keep_from`` (default
        ``base``) may be forgotten."""
        keep = base if keep_from is None else min(keep_from, base)
        if keep < self.start:
            raise CorrectionError(f"streaming assembly: frame {keep} asked after frame {self.start}")
        while self.start + self.count < end and not self.eof:
            if self.start + self.count <= keep:          # nothing to keep
                self.start += self.count
                self.parts, self.count = [], 0
            self._more()
        buf = (self.parts[0] if len(self.parts) == 1 else
               np.concatenate(self.parts) if self.parts else np.zeros((0, self.ch), dtype=np.int32))
        drop = min(keep - self.start, len(buf))
        if drop > 0:
            buf = buf[drop:]
            self.start += drop
        self.parts, self.count = ([buf] if len(buf) else []), len(buf)
        a, b = base - self.start, end - self.start
        return buf[max(a, 0):max(min(b, len(buf)), 0)]


def assemble_stream(raw: Path | PcmReader, n_frames: int | None, props: AudioProps, pieces: Sequence[Piece],
                    crossfade: int, out: Path, eng: SteppingEngine | None = None, log: JobLog | None = None,
                    block_s: float = BLOCK_S) -> Path:
    """Splice the target (raw s32le frames: a file, or a reader on a decoding ffmpeg's output) along
    ``pieces`` block by block and stream the result into the FLAC encoder: the memory held is about one
    block, and the samples equal ``splice_audio`` on the whole track (same joins, same crossfades)."""
    import subprocess

    e = eng or engine()
    ch = props.channels
    edges = block_edges(pieces, crossfade, max(2 * crossfade + 1, int(block_s * props.sample_rate)))
    tmp = out.with_name(f".{out.name}.partial.flac")
    cmd = ["ffmpeg", "-y", "-nostdin", "-v", "error", "-f", "s32le", "-ar", str(props.sample_rate),
           "-ch_layout", props.layout, "-i", "-", "-map_metadata", "-1", "-fflags", "+bitexact", "-c:a", "flac",
           str(tmp)]
    if log is not None:
        log.log("$ " + " ".join(cmd))
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    own = None
    # the encoder is fed by a thread, so the next block is read and spliced while it encodes this one
    import queue
    import threading

    blocks_out: queue.Queue[bytes | None] = queue.Queue(4)
    write_error: list[BaseException] = []

    def feed() -> None:
        assert proc.stdin is not None
        while (item := blocks_out.get()) is not None:
            if write_error:
                continue                          # keep taking blocks so the producer never blocks
            try:
                proc.stdin.write(item)
            except BaseException as exc:          # e.g. the encoder died: reported below
                write_error.append(exc)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        if isinstance(raw, PcmReader):
            reader = raw
        else:
            own = open(raw, "rb")
            reader = PcmReader(own, ch)
        limit = n_frames if n_frames is not None else sys.maxsize
        blocks: list[tuple[list[Piece], int, int]] = []      # (pieces of the block, window base, window end)
        for o0, o1 in itertools.pairwise(edges):
            sub: list[Piece] = []
            lo, hi = None, None
            for p in pieces:
                a, b = max(p.out_start, o0), min(p.out_start + p.length, o1)
                if b <= a:
                    continue
                src = None if p.src is None else p.src + (a - p.out_start)
                sub.append(Piece(a - o0, b - a, src))
                if src is not None:
                    lo = src if lo is None else min(lo, src)
                    hi = src + (b - a) if hi is None else max(hi, src + (b - a))
            base, end = 0, 0
            if lo is not None and hi is not None:
                # a window starting after 0 must not turn real samples before it into zeros: it starts at
                # least one crossfade before the earliest sample any join reads
                base = min(max(lo - crossfade, 0), limit)
                end = min(max(hi + crossfade, 0), limit)
            blocks.append((sub, base, end))
        # the reader may forget frames no later block reads (a plan's sources only move forward)
        keep = [sys.maxsize] * (len(blocks) + 1)
        for k in range(len(blocks) - 1, -1, -1):
            keep[k] = min(keep[k + 1], blocks[k][1] if blocks[k][2] > blocks[k][1] else sys.maxsize)
        for k, (sub, base, end) in enumerate(blocks):
            window = np.zeros((0, ch), dtype=np.int32)
            if end > base:
                window = reader.frames(base, end, keep[k])
            sub = [Piece(p.out_start, p.length, None if p.src is None else p.src - base) for p in sub]
            block = e.splice_audio(np.ascontiguousarray(window), sub, crossfade)
            blocks_out.put(np.ascontiguousarray(block, dtype="<i4").tobytes())
        blocks_out.put(None)
        writer.join()
        with contextlib.suppress(OSError):
            proc.stdin.close()
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.wait() != 0 or write_error:
            raise CorrectionError(f"ffmpeg could not write {out.name}: {err.strip()[-500:] or write_error[0]}")
        tmp.replace(out)
    finally:
        if writer.is_alive():
            blocks_out.put(None)
        if own is not None:
            own.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        tmp.unlink(missing_ok=True)
    return out


def decode_raw(path: Path, ordinal: int, raw: Path, channels: int, log: JobLog | None = None) -> int:
    """Decode one stream to raw s32le frames in ``raw``; returns the number of whole frames."""
    run(["ffmpeg", "-y", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}", "-f", "s32le",
         str(raw)], log, what=f"{path.name} audio stream {ordinal}")
    return raw.stat().st_size // (4 * channels)


def assemble_track(path: Path, props: AudioProps, edl: Sequence[AudioSegment], align_ms: float,
                   cfg: CorrectionConfig, out: Path, work: Path, eng: SteppingEngine | None = None,
                   log: JobLog | None = None) -> tuple[Path, list[Piece]]:
    """Decode ``path`` (its first audio stream), apply the EDL and write the corrected FLAC ``out``."""
    e = eng or engine()
    pieces = e.assembly_plan(edl, props.sample_rate, align_ms)
    if not pieces:
        raise CorrectionError(f"the stepping edit of {path.name} leaves no audio")
    cf = max(0, round(cfg.crossfade_ms * props.sample_rate / 1000.0))
    # the decoder's output is spliced as it arrives: decoding and FLAC encoding run side by side (two
    # processes), and no raw copy of the track is written
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "s32le", "-"]
    if log is not None:
        log.log("$ " + " ".join(cmd))
    import subprocess

    with tempfile.TemporaryFile(dir=work) as errf:
        dec = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
        assert dec.stdout is not None
        try:
            ahead = Prefetch(dec.stdout, PcmReader.READ_BYTES)     # the decoder runs while we feed the encoder
            assemble_stream(PcmReader(ahead, props.channels), None, props, pieces, cf, out, e, log)
            ahead.drain()                                           # the rest of the track is not needed
            if dec.wait() != 0:
                errf.seek(0)
                msg = errf.read().decode("utf-8", "replace").strip()[-500:]
                out.unlink(missing_ok=True)
                raise CorrectionError(f"ffmpeg could not decode {path.name} (audio stream 0): {msg}")
        finally:
            if dec.poll() is None:
                dec.kill()
                dec.wait()
    return out, pieces


# ------------------------------------------------------------------------------------------------------ QA
def decode_mono_f32(path: Path, ordinal: int, log: JobLog | None = None) -> np.ndarray:
    proc = run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}", "-ac", "1",
                "-ar", str(QA_SR), "-f", "f32le", "-"], log, binary=True, what=f"{path.name} audio {ordinal}")
    data = proc.stdout
    return np.frombuffer(data[:len(data) - len(data) % 4], dtype="<f4")


def measure_track(ref: Path, ref_ordinal: int, tgt: Path, cfg: CorrectionConfig
                  ) -> list[tuple[float, float, bool]]:
    """(chunk start s, raw delay ms, accepted) over the whole programme; the analysis' windowed decoder reads
    only the chunks, so a long track is never held in memory."""
    from ..analysis.correlate import correlate_files

    opts = CorrelationOptions(chunk_count=cfg.qa_chunks, min_match_pct=cfg.qa_min_match_pct)
    res = correlate_files(ref, tgt, opts, ref_ordinal=ref_ordinal, tgt_ordinal=0)
    return [(c.start_s, c.raw_delay_ms, c.accepted) for c in res.chunks]


QA_WINDOW_S = 0.5           # ± search around the expected position in the in-memory QA
QA_WIDE_S = 10.0            # ± search for a chunk that did not match near its expected position
QA_MIN_EVIDENCE_SHARE = 0.5  # of the QA chunks, at least this share must have reference audio that can match


def qa_starts(n: int, length: int, count: int, gaps: Sequence[tuple[int, int]] = ()) -> list[int]:
    """``count`` chunk starts (samples) spread evenly over 5–95 % of ``n`` samples, each chunk of ``length``
    samples clear of every gap [a, b) (a stretch the corrected track fills because the source lacks it)."""
    first, last = int(0.05 * n), int(0.95 * n) - length
    ranges: list[tuple[int, int]] = []       # allowed starts [a, b]
    at = first
    for g0, g1 in sorted(gaps):
        if g1 <= at or g0 - length < at:
            at = max(at, g1)
            continue
        ranges.append((at, min(g0 - length, last)))
        at = max(at, g1)
    if at <= last:
        ranges.append((at, last))
    ranges = [(a, b) for a, b in ranges if b >= a]
    if not gaps or not ranges:
        return [first + (last - first) * i // max(1, count - 1) for i in range(count)]
    total = sum(b - a for a, b in ranges)
    out = []
    for i in range(count):
        pos = total * i // max(1, count - 1)
        for a, b in ranges:
            if pos <= b - a:
                out.append(a + pos)
                break
            pos -= b - a
        else:
            out.append(ranges[-1][1])
    return out


def measure_in_memory(ref16: np.ndarray, out: Path, align_ms: float, cfg: CorrectionConfig,
                      sr: int = SEARCH_SR, gaps_s: Sequence[tuple[float, float]] = ()
                      ) -> list[tuple[float, float, bool | None]]:
    """QA of a stepping correction against the mono 16 kHz reference already decoded for the boundary
    search: the corrected track is decoded the same way and ``qa_chunks`` chunks of 15 s (5–95 % of the
    programme, clear of ``gaps_s``: reference seconds the correction filled because the source lacks them)
    are correlated with the analysis' FFT engine, each against a window of ±0.5 s around where ``align_ms``
    puts it. Returns (chunk start s, delay ms, accepted) like :func:`measure_track`;
    ``accepted`` is None for a chunk that matched nowhere and whose reference audio does not match even itself
    in the same window (quiet or strictly periodic: no evidence either way, see :func:`judge_qa`)."""
    from ..analysis.correlate import _methods, correlate_lags

    tgt = decode_mono_int32(out, 0, sr)
    scale = np.float32(2**31)

    def f32(x: np.ndarray) -> np.ndarray:      # only the windows are converted, never a whole track
        return np.ascontiguousarray(x.astype(np.float32) / scale)

    ref_f, tgt_f = ref16, tgt
    opts = CorrelationOptions(chunk_count=cfg.qa_chunks, min_match_pct=cfg.qa_min_match_pct)
    n = min(len(ref_f), len(tgt_f))
    length, m = int(15.0 * sr), int(QA_WINDOW_S * sr)
    lag = round(align_ms * sr / 1000.0)
    starts = qa_starts(n, length, cfg.qa_chunks, [(int(a * sr), math.ceil(b * sr)) for a, b in gaps_s])
    refs, tgts, used = [], [], []
    for s in starts:
        a = s - lag - m
        if s < 0 or s + length > len(ref_f) or a < 0 or a + length + 2 * m > len(tgt_f):
            continue
        refs.append(f32(ref_f[s:s + length]))
        tgts.append(f32(tgt_f[a:a + length + 2 * m]))
        used.append(s)
    if not refs:
        return []
    method = _methods(opts, None)[0]
    res = correlate_lags(refs, tgts, method, opts)
    out: list[tuple[float, float, bool | None]] = [
        (s / sr, align_ms + r.raw_lag * 1000.0 / sr, r.confidence >= opts.min_match_pct)
        for s, r in zip(used, res, strict=True)]
    # A chunk that does not match near its intended place may be audio that sits somewhere else (a stretch
    # the edit got wrong): look for it ±QA_WIDE_S away; found there, it counts with that offset (and fails).
    wide = int(QA_WIDE_S * sr)
    for i, (s, r) in enumerate(zip(used, res, strict=True)):
        if r.confidence >= opts.min_match_pct:
            continue
        a = s - lag - wide
        if a < 0 or a + length + 2 * wide > len(tgt_f):
            continue
        (w,) = correlate_lags([refs[i]], [f32(tgt_f[a:a + length + 2 * wide])], method, opts)
        if w.confidence >= opts.min_match_pct:
            out[i] = (s / sr, align_ms + w.raw_lag * 1000.0 / sr, True)
    # A chunk that matched nowhere is evidence against the correction only if its reference audio could be
    # matched at all: correlated with the reference's own window around it, quiet or strictly periodic audio
    # has no distinct peak even there (its true place cannot be told from its neighbours).
    for i, s in enumerate(used):
        if out[i][2] or s - m < 0 or s + length + m > len(ref_f):
            continue
        (own,) = correlate_lags([refs[i]], [f32(ref_f[s - m:s + length + m])], method, opts)
        if own.confidence < opts.min_match_pct:
            out[i] = (out[i][0], out[i][1], None)
    return out


def judge_qa(chunks: Sequence[tuple[float, float, bool | None]], align_ms: float, cfg: CorrectionConfig
             ) -> QaResult:
    """Pass/fail of a corrected track from its QA chunks (start s, delay ms, accepted). Chunks whose ``accepted``
    is None (reference audio that does not even match itself: quiet, strictly periodic) are no evidence: the
    required count ``qa_min_accepted`` is scaled to the chunks that are, and when fewer than
    ``QA_MIN_EVIDENCE_SHARE`` of the chunks are evidence the QA fails (too little of the programme can be
    checked)."""
    acc = [d - align_ms for _t, d, ok in chunks if ok]
    total = len(chunks)
    n = sum(1 for _t, _d, ok in chunks if ok is not None)
    skipped = total - n
    if not acc:
        return QaResult(False, 0, n, None, None, "no chunk matched the reference", skipped)
    med = float(np.median(acc))
    worst = float(max(abs(x) for x in acc))
    reasons = []
    need = min(cfg.qa_min_accepted, total)
    if skipped:
        need = math.ceil(need * n / total)
    if n < QA_MIN_EVIDENCE_SHARE * total:
        reasons.append(f"only {n} of {total} chunks have reference audio that can be matched (the rest is quiet "
                       "or strictly periodic)")
    if len(acc) < need:
        reasons.append(f"only {len(acc)} of {n} chunks matched (need {need})")
    if abs(med) > cfg.qa_max_offset_ms:
        reasons.append(f"median offset {med:+.3f} ms (limit ±{cfg.qa_max_offset_ms:g})")
    if worst > cfg.qa_max_offset_ms + cfg.qa_max_spread_ms:
        reasons.append(f"a chunk is {worst:.3f} ms off (limit {cfg.qa_max_offset_ms + cfg.qa_max_spread_ms:g})")
    return QaResult(not reasons, len(acc), n, med, worst, "; ".join(reasons), skipped)


# --------------------------------------------------------------------------------------------------- tempo
def tempo_ratio(kind: str, slope_ms_per_s: float, ref_fps: float | None, tgt_fps: float | None) -> Fraction | float:
    """Playback speed factor for the target (< 1 slows it down). PAL: the exact film/PAL ratio chosen from the
    frame rates (falls back to the slope's sign); linear: 1 − slope/1000."""
    if kind == "PAL_DRIFT":
        def near(f: float | None, v: float) -> bool:
            return f is not None and abs(f - v) < 0.1

        film24 = near(ref_fps, 24.0) and abs((ref_fps or 0) - 24.0) < 0.01
        other24 = near(tgt_fps, 24.0) and abs((tgt_fps or 0) - 24.0) < 0.01
        if slope_ms_per_s > 0:     # target is the faster (25 fps) one: slow it down
            return PAL_24 if film24 else PAL_FILM
        return 1 / (PAL_24 if other24 else PAL_FILM)
    return 1.0 - slope_ms_per_s / 1000.0


def _fmt(x: Fraction | float) -> str:
    return repr(float(x))


def change_tempo(src: Path, ordinal: int, tempo: Fraction | float, engine_name: str, pitch_correct: bool,
                 props: AudioProps, work: Path, log: JobLog | None = None) -> np.ndarray:
    """Speed the stream up/down by ``tempo`` and return int32 frames × channels at the source rate."""
    if engine_name == "rubberband":
        wav_in, wav_out = work / "tempo_in.wav", work / "tempo_out.wav"
        run(["ffmpeg", "-y", "-nostdin", "-v", "error", "-i", str(src), "-map", f"0:a:{ordinal}", "-c:a",
             "pcm_f32le", str(wav_in)], log, what=str(src))
        cmd = ["rubberband", "-q", "-2", "-t", _fmt(1 / Fraction(tempo) if isinstance(tempo, Fraction)
                                                     else 1.0 / tempo)]
        if not pitch_correct:
            cmd += ["-f", _fmt(tempo)]
        run([*cmd, str(wav_in), str(wav_out)], log, what=str(src))
        wav_in.unlink(missing_ok=True)
        pcm = decode_int32(wav_out, 0, log=log)
        wav_out.unlink(missing_ok=True)
        return pcm
    if engine_name == "atempo":
        chain = f"atempo={_fmt(tempo)}"
    elif engine_name == "aresample":
        chain = f"asetrate={round(props.sample_rate * float(tempo))},aresample={props.sample_rate}"
    else:
        raise CorrectionError(f"unknown tempo engine {engine_name!r}: use rubberband, atempo or aresample")
    out = work / "tempo_out.flac"
    run(["ffmpeg", "-y", "-nostdin", "-v", "error", "-i", str(src), "-map", f"0:a:{ordinal}", "-af", chain,
         "-c:a", "flac", str(out)], log, what=str(src))
    pcm = decode_int32(out, 0, log=log)
    out.unlink(missing_ok=True)
    return pcm


def realign(pcm: np.ndarray, sr: int, measured_ms: float, align_ms: float, eng: SteppingEngine | None = None
            ) -> np.ndarray:
    """Pad or trim the start so the track's measured delay becomes ``align_ms``."""
    e = eng or engine()
    n = pcm.shape[0]
    edl = [AudioSegment(0.0, n / sr, round(measured_ms), measured_ms)]
    return e.splice_audio(np.ascontiguousarray(pcm), e.assembly_plan(edl, sr, align_ms), 0)


def work_dir(parent: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix="correction_", dir=parent))


__all__ = ["CorrectionConfig", "CorrectionError", "CorrectionReport", "PcmReader", "Prefetch", "QaResult",
           "SteppingPlan", "assemble_stream", "assemble_track", "block_edges", "change_tempo", "decode_int32",
           "decode_mono_f32", "decode_search_pair", "encode_flac", "judge_qa", "measure_in_memory", "measure_track",
           "plan_stepping", "probe_audio", "qa_starts", "realign", "silencedetect_zones", "tempo_ratio", "work_dir"]
