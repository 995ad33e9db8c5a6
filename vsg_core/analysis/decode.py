"""Decoding audio to mono float32 at 48 kHz (docs/analysis.md#decoding), in full or only the windows needed.

Command (docs/analysis.md#decoding): ``ffmpeg -nostdin -v error -i FILE -map 0:a:N [-resampler soxr] -ac 1 -ar 48000 -f
f32le -``. vsg reads **stdout only** (the original merged stderr into the PCM, docs/analysis.md#decoding) and keeps the
trailing-bytes rule (docs/analysis.md#decoding): a byte count that is not a multiple of 4 loses its last 1–3 bytes and
logs ``[BUFFER ALIGNMENT] Trimmed <n> bytes from <basename> (likely Opus/other codec)``.

Sample positions are those of a full decode: sample ``i`` is the ``i``-th decoded sample of the track.
Windows are given in these coordinates (they may reach before 0 or past the end: zeros there).

Three ways to get only the windows (``decode_windows``; a file's windows are split over concurrent ffmpeg
runs when they add up to more than ``PARALLEL_WINDOW_S``):

* **seek** — one ffmpeg run with an input per window (``-ss`` on a frame boundary — ffmpeg drops a packet
  that the seek time falls inside — and ``-t``; ``SEEK_PREROLL_S`` decoded first and discarded so the
  decoder has warmed up). Sample-identical to a full decode only when every frame's timestamp is exact:
  48 kHz source (no resampler), constant frames whose length is a whole number of milliseconds (Matroska
  stores ms timestamps) and no codec pre-skip. ``seek_is_exact`` decides; measured: AC-3 (1536; with
  ``decoder_args``), E-AC-3, MP3 (1152) and FLAC (4608) are exact; AAC (1024 → 21.33 ms, up to 24 samples
  off), Opus (pre-skip: 384 samples off) and any 44.1 kHz source are not.
* **framed** — for AAC and Opus at 48 kHz (constant frame length N, a shorter first frame when the codec
  drops a pre-skip of D samples): one ffmpeg run that seeks to every window *without* ffmpeg's timestamp
  trimming (``-noaccurate_seek -copyts``) and reports the timestamp of the first decoded frame
  (``ashowinfo``). Packet timestamps are rounded to the millisecond, but that error (≤ 1 ms = 48 samples)
  is far below half a frame, so the timestamp names the packet index k exactly, and the packet's first
  sample in full-decode coordinates is ``k·N − D`` (0 for packet 0, whose pre-skip the decoder drops).
  The decoded pre-roll (≥ ``SEEK_PREROLL_S``) warms the decoder up and is discarded. Positions are exact;
  values equal a full decode except where the decoder draws random numbers (AAC noise substitution, Opus
  folding), which a full decode draws from a different state (docs/analysis.md, "framed" mode).
* **stream** — one full decode read from the pipe block by block, keeping only the windows: always exact,
  memory = the windows, time = a full decode.

Windows are written to temporary ``.f32`` files (a ``WindowStore``) so a caller can load them a few at a time.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import cancel as _cancel
from .. import scratch
from ..errors import CommandError, MediaError
from ..log import JobLog
from ..runner import child_options, quote, run
from ..tools import require
from .correlation_options import SR

SEEK_PREROLL_S = 0.5          # decoded and discarded before each sought window (codec overlap/priming)
SEEK_EXACT_CODECS = frozenset({"ac3", "eac3", "mp3", "mp2", "mp1", "flac", "alac", "truehd", "mlp"})
FRAMED_CODECS = frozenset({"aac", "opus"})   # decoded by packet index (see module docstring)
_READ_BLOCK = 1 << 20         # bytes per pipe read in stream mode


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says about one audio stream (and its file's first video stream)."""

    path: Path
    ordinal: int              # audio ordinal (ffmpeg ``0:a:N``)
    codec: str
    sample_rate: int
    channels: int
    start_s: float            # stream start time, seconds (file timeline)
    file_start_s: float       # format start time (what ffmpeg's input ``-ss`` is relative to)
    duration_s: float         # track duration, seconds
    frame_samples: tuple[int, ...]  # decoded samples in the first frames
    fps: float                # first video stream's average frame rate (0.0 if none/unknown)

    @property
    def est_samples(self) -> int:
        """Decoded length at 48 kHz estimated from the duration (chunk placement before decoding)."""
        return max(0, round(self.duration_s * SR))


def _num(v: object, default: float = 0.0) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _hms(v: str) -> float | None:
    try:
        h, m, s = v.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    except (ValueError, AttributeError):
        return None


def parse_rate(text: str) -> float:
    """``num/den`` → num/den; 0.0 if missing, malformed or den = 0 (docs/analysis.md#decoding)."""
    try:
        num, den = text.strip().split("/")
        d = float(den)
        return float(num) / d if d != 0 else 0.0
    except (ValueError, AttributeError):
        return 0.0


def probe(path: str | Path, ordinal: int = 0, log: JobLog | None = None) -> AudioInfo:
    """ffprobe the audio stream ``0:a:ordinal`` of ``path`` (one stream query, one frame query)."""
    tools = require("ffprobe")
    p = Path(path)
    if not p.is_file():
        raise MediaError(f"{p}: file not found; check the path of this source")
    try:
        proc = run([tools["ffprobe"], "-v", "error", "-show_entries",
                    "stream=index,codec_type,codec_name,sample_rate,channels,start_time,duration,avg_frame_rate"
                    ":stream_tags=DURATION:format=duration,start_time", "-of", "json", str(p)],
                   log, what=p.name, check=True)
        data = json.loads(proc.stdout or "{}")
    except (CommandError, ValueError) as e:
        raise MediaError(f"{p.name}: ffprobe cannot read it ({e}); check that it is a media file") from e
    audio = [s for s in data.get("streams", []) if s.get("codec_type") == "audio"]
    video = [s for s in data.get("streams", []) if s.get("codec_type") == "video"]
    if ordinal >= len(audio):
        raise MediaError(f"{p.name}: has no audio track a:{ordinal} ({len(audio)} audio tracks); "
                         "choose another track or source")
    st = audio[ordinal]
    fmt = data.get("format", {})
    file_start = _num(fmt.get("start_time"))
    start = _num(st.get("start_time"), file_start)
    dur = _num(st.get("duration"), -1.0)
    if dur < 0:
        tag = _hms(str((st.get("tags") or {}).get("DURATION", "")))
        dur = tag if tag is not None else _num(fmt.get("duration")) - (start - file_start)
    frames = run([tools["ffprobe"], "-v", "error", "-select_streams", f"a:{ordinal}", "-show_entries",
                  "frame=nb_samples", "-read_intervals", "%+#8", "-of", "csv=p=0", str(p)],
                 log, what=p.name, check=False)
    sizes = tuple(int(x) for x in str(frames.stdout).replace(",", " ").split() if x.strip().isdigit())
    fps = parse_rate(str(video[0].get("avg_frame_rate", ""))) if video else 0.0
    return AudioInfo(p, ordinal, str(st.get("codec_name", "unknown")), int(_num(st.get("sample_rate"))),
                     int(_num(st.get("channels"), 1)), start, file_start, dur, sizes, fps)


def seek_is_exact(info: AudioInfo) -> bool:
    """True when a sought window decodes to exactly the samples of a full decode (see module docstring)."""
    if info.sample_rate != SR:
        return False
    codec = info.codec.lower()
    if not (codec in SEEK_EXACT_CODECS or codec.startswith("pcm_")):
        return False
    frames = info.frame_samples[:-1] if len(info.frame_samples) > 1 else info.frame_samples
    if not frames or len(set(frames)) != 1 or frames[0] % (SR // 1000):
        return False
    offset_ms = (info.start_s - info.file_start_s) * 1000.0
    return abs(offset_ms - round(offset_ms)) < 1e-6


def frame_grid(info: AudioInfo) -> tuple[int, int] | None:
    """``(N, D)`` — constant frame length and dropped pre-skip — when ``info`` can be decoded "framed"
    (AAC/Opus at 48 kHz with constant frames after the first; see module docstring), else None."""
    if info.sample_rate != SR or info.codec.lower() not in FRAMED_CODECS:
        return None
    fs = info.frame_samples
    body = fs[1:-1]
    if len(body) < 2 or len(set(body)) != 1:
        return None
    n = body[0]
    if not 0 < fs[0] <= n:
        return None
    return n, n - fs[0]


class _NotCovered(Exception):
    """A framed window could not be placed exactly (landing too late or too short): stream instead."""


def decoder_args(codec: str) -> list[str]:
    """Input options that make a decode reproducible sample by sample wherever it starts.

    AC-3/E-AC-3 fill zero-bit mantissas with dither from a generator seeded once per decoder, so a window
    sought to mid-stream gets different dither than a full decode (measured: up to 0.25 of full scale on
    noise-like 192 kbps audio). ``-cons_noisegen 1`` seeds it per frame instead.
    """
    return ["-cons_noisegen", "1"] if codec.lower() in ("ac3", "eac3") else []


def _align(buf: bytes | bytearray, name: str, log: JobLog | None) -> int:
    """Usable byte count of a PCM buffer (trailing-bytes rule, docs/analysis.md#decoding)."""
    return _align_size(len(buf), name, log)


def _align_size(size: int, name: str, log: JobLog | None) -> int:
    extra = size % 4
    if extra and log is not None:
        log.log(f"[BUFFER ALIGNMENT] Trimmed {extra} bytes from {name} (likely Opus/other codec)")
    return size - extra


def _keep(store: WindowStore, i: int, offset: int, name: str | None, log: JobLog | None) -> None:
    """ffmpeg's ``<window>.raw`` becomes window i's file, the window beginning ``offset`` samples into it."""
    raw = store.path(i).with_name(store.path(i).name + ".raw")
    if not raw.is_file():
        return
    if name is not None:
        _align_size(raw.stat().st_size, name, log)
    os.replace(raw, store.path(i))
    store.offsets[i] = max(0, offset)


@dataclass(frozen=True)
class Speed:
    """A speed hypothesis for the target: it plays ``ratio``× faster than the reference (PAL: 25/23.976).

    Decoding with it slows the target down by ``ratio`` so its content runs at the reference's rate:
    ``kind="resample"`` undoes a speed-up that raised the pitch (``asetrate``: integer rates, so the
    effective ratio is ``SR / round(SR / ratio)``, 7·10⁻⁷ from PAL's), ``kind="tempo"`` one that kept the
    pitch (``atempo``, exact ratio).
    """

    ratio: float
    kind: str = "resample"

    @property
    def effective(self) -> float:
        return SR / round(SR / self.ratio) if self.kind == "resample" else self.ratio

    @property
    def filter(self) -> str:
        if self.kind == "resample":
            return f"aresample={SR},asetrate={round(SR / self.ratio)},aresample={SR}"
        return f"aresample={SR},atempo={1.0 / self.ratio:.12f}"


def _pcm_args(use_soxr: bool, speed: Speed | None) -> list[str]:
    args: list[str] = []
    if speed is not None:
        args += ["-af", speed.filter]
    if use_soxr:
        args += ["-resampler", "soxr"]
    return [*args, "-ac", "1", "-ar", str(SR), "-f", "f32le"]


def decode_full(path: str | Path, ordinal: int = 0, *, use_soxr: bool = False, log: JobLog | None = None,
                speed: Speed | None = None, codec: str | None = None) -> np.ndarray:
    """Whole track as float32 (command in docs/analysis.md#decoding), stdout only; ``codec`` adds
    ``decoder_args(codec)``."""
    tools = require("ffmpeg")
    p = Path(path)
    cmd = [tools["ffmpeg"], "-nostdin", "-v", "error", *decoder_args(codec or ""), "-i", str(p),
           "-map", f"0:a:{ordinal}",
           *_pcm_args(use_soxr, speed), "-"]
    try:
        proc = run(cmd, log, binary=True, what=p.name)
    except _cancel.Cancelled:
        raise
    except Exception as e:
        raise MediaError(f"ffmpeg decode failed for {p.name}: {e}") from e
    out = proc.stdout
    if not out:
        raise MediaError(f"ffmpeg decode failed for {p.name}: no audio samples were decoded")
    n = _align(out, p.name, log)
    return np.frombuffer(out, dtype="<f4", count=n // 4)


@dataclass(frozen=True)
class Window:
    start: int    # first sample (decoded-track coordinates; may be < 0)
    length: int


class WindowStore:
    """Decoded windows kept in temporary float32 files; ``load(i)`` reads window i (zeros outside the track).

    A window's file may hold decoded samples before the window (a seek's pre-roll) and after it: ``offsets[i]``
    is the sample of the file where window i begins, so ffmpeg's output is used where it was written, never
    read and written again."""

    def __init__(self, windows: Sequence[Window], directory: Path) -> None:
        self.windows = list(windows)
        self.dir = directory
        self.offsets: dict[int, int] = {}       # sample of window i's file where the window begins (default 0)
        self.total_samples: int | None = None   # decoded track length when known (stream mode)

    def path(self, i: int) -> Path:
        return self.dir / f"w{i:04d}.f32"

    def _span(self, i: int) -> tuple[int, int]:
        """(lead zeros, decoded samples) of window i."""
        w = self.windows[i]
        p = self.path(i)
        got = p.stat().st_size // 4 - self.offsets.get(i, 0) if p.is_file() else 0
        lead = max(0, -w.start)
        return lead, max(0, min(got, w.length - lead))

    def load(self, i: int) -> np.ndarray:
        w = self.windows[i]
        lead, m = self._span(i)
        if m <= 0:
            return np.zeros(w.length, dtype=np.float32)
        got = np.fromfile(self.path(i), dtype="<f4", count=m, offset=4 * self.offsets.get(i, 0))
        if lead == 0 and got.size == w.length:
            return got
        out = np.zeros(w.length, dtype=np.float32)
        out[lead:lead + got.size] = got
        return out

    def forget(self, i: int) -> None:
        """Remove what was decoded of window i (before it is decoded again another way)."""
        self.path(i).unlink(missing_ok=True)
        self.path(i).with_name(self.path(i).name + ".raw").unlink(missing_ok=True)
        self.offsets.pop(i, None)

    def decoded(self, i: int) -> int:
        """Samples of window i that hold decoded audio (the rest of ``load(i)`` is zero padding)."""
        return self._span(i)[1]

    def decoded_end(self) -> int | None:
        """Decoded track length in samples when a window ran into the end of the audio, else None."""
        if self.total_samples is not None:
            return self.total_samples
        ends = [max(0, w.start) + self.decoded(i) for i, w in enumerate(self.windows)
                if w.start + w.length > 0 and self.decoded(i) < w.length - max(0, -w.start)]
        return min(ends) if ends else None

    def __len__(self) -> int:
        return len(self.windows)


@contextlib.contextmanager
def window_store(windows: Sequence[Window]) -> Iterator[WindowStore]:
    d = scratch.mkdtemp("windows")  # under temp_root, owner in the name (swept if vsg is killed)
    try:
        yield WindowStore(windows, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@dataclass
class _Plan:
    """One file's part of an ffmpeg run: input options, filter chains, outputs, and what to do afterwards with
    the run's stderr (place each window in its file)."""

    inputs: list[str]
    chains: list[str]
    outputs: list[str]
    finish: Callable[[str], None]


def _seek_plan(info: AudioInfo, store: WindowStore, use_soxr: bool, log: JobLog | None, speed: Speed | None,
               only: Sequence[int] | None, k0: int = 0) -> _Plan | None:
    """Inputs ``k0…`` of a run that seeks to every window (see module docstring). With ``speed`` (only on
    request: not sample-exact), window coordinates are on the slowed-down timeline (sample i ↔ track time
    i / SR / speed.effective)."""
    s_eff = speed.effective if speed is not None else 1.0
    pre = round(SEEK_PREROLL_S * SR)
    offset = info.start_s - info.file_start_s
    frames = set(info.frame_samples[:-1] if len(info.frame_samples) > 1 else info.frame_samples)
    grid = frames.pop() if len(frames) == 1 and speed is None and info.sample_rate == SR else 480
    inputs: list[str] = []
    outputs: list[str] = []
    skips: dict[int, int] = {}
    subset = set(range(len(store))) if only is None else set(only)
    for i, w in enumerate(store.windows):
        a = max(0, w.start)
        b = w.start + w.length
        if b <= a or i not in subset:
            continue
        # seek to a frame boundary before the pre-roll: ffmpeg drops a packet that a seek time falls
        # inside (measured: FLAC muxed by mkvmerge, window 1536 samples late), frames start at multiples of
        # the constant frame length from the track start; 10 ms grid when the frame length is unknown
        first = max(0, (a - pre) // grid * grid)
        t0 = first / SR / s_eff
        dur = (b - first) / SR / s_eff + 0.05
        inputs += [*decoder_args(info.codec), "-ss", f"{offset + t0:.6f}", "-t", f"{dur:.6f}",
                   "-i", str(info.path)]
        outputs += ["-map", f"{k0 + len(skips)}:a:{info.ordinal}", *_pcm_args(use_soxr, speed),
                    str(store.path(i)) + ".raw"]
        skips[i] = a - first
    if not skips:
        return None

    def finish(_stderr: str) -> None:
        for i, skip in skips.items():
            _keep(store, i, skip, info.path.name, log)

    return _Plan(inputs, [], outputs, finish)


_FIRST_FRAME = re.compile(r"\[Parsed_ashowinfo_(\d+) @ [^\]]*\] n:0 pts:(-?\d+) .* nb_samples:(\d+) ")


def _framed_plan(info: AudioInfo, store: WindowStore, use_soxr: bool, log: JobLog | None,
                 only: Sequence[int] | None, k0: int = 0, c0: int = 0) -> _Plan | None:
    """Inputs ``k0…`` and filter chains ``c0…`` of a run that seeks without trimming and places each window
    by its first packet's index (module docstring). Its ``finish`` raises ``_NotCovered`` when a window cannot
    be placed with a warm decoder."""
    grid = frame_grid(info)
    if grid is None:
        raise _NotCovered("no constant frame grid")
    n_frame, skip = grid
    pre = max(round(SEEK_PREROLL_S * SR), 2 * n_frame)
    offset = info.start_s - info.file_start_s
    start48 = round(info.start_s * SR)
    inputs: list[str] = []
    chains: list[str] = []
    outputs: list[str] = []
    todo: list[int] = []
    subset = set(range(len(store))) if only is None else set(only)
    for i, w in enumerate(store.windows):
        a, b = max(0, w.start), w.start + w.length
        if b <= a or i not in subset:
            continue
        k = k0 + len(todo)
        first = a - pre
        if first <= 0:       # from the start: no seek, the output is the full decode's first samples
            inputs += ["-i", str(info.path)]
        else:
            inputs += ["-noaccurate_seek", "-copyts", "-ss", f"{offset + first / SR:.6f}", "-i", str(info.path)]
        # the seek lands on the cue before the target, unknown beforehand: instead of an input duration the
        # chain ends two frames past the window on the timeline (sample i of a full decode has timestamp
        # ≈ i + D + stream start, ±48 samples of ms rounding), and ffmpeg stops reading that input.
        # The first frame's timestamp is logged by ashowinfo on a branch that ends after one frame (asplit
        # passes frames by reference; measured on two 46 s AAC windows: 0.18 → 0.16 s, and ~4300 fewer log
        # lines to parse). Chain c holds filters 5c…5c+4; its ashowinfo is filter 5c+2 of the graph (log name
        # Parsed_ashowinfo_<5c+2>).
        c = c0 + len(todo)
        chains.append(f"[{k}:a:{info.ordinal}]asplit=2[f{c}][w{c}];"
                      f"[f{c}]atrim=end_sample={n_frame},ashowinfo,anullsink;"
                      f"[w{c}]atrim=end_pts={start48 + skip + b + 2 * n_frame}[o{c}]")
        outputs += ["-map", f"[o{c}]", *_pcm_args(use_soxr, None), str(store.path(i)) + ".raw"]
        todo.append(i)
    if not todo:
        return None

    def finish(stderr: str) -> None:
        firsts: dict[int, tuple[int, int]] = {}
        for line in stderr.splitlines():
            m = _FIRST_FRAME.search(line)
            if m:
                firsts[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
        for k, i in enumerate(todo):
            w = store.windows[i]
            a, b = max(0, w.start), w.start + w.length
            raw = store.path(i).with_name(store.path(i).name + ".raw")
            size = raw.stat().st_size if raw.is_file() else 0
            n = _align_size(size, info.path.name, log) // 4
            if a - pre <= 0:
                pos = 0
            else:
                f = 5 * (c0 + k) + 2
                if f not in firsts:
                    raise _NotCovered(f"window {i}: no first-frame timestamp")
                # after a seek the Opus decoder drops its pre-skip again (measured): the first frame is then
                # short by ``dropped`` samples and its timestamp moved on by as much
                pts, nb = firsts[f]
                dropped = n_frame - nb
                if not 0 <= dropped <= skip:
                    raise _NotCovered(f"window {i}: first frame of {nb} samples")
                packet = round((pts - dropped - start48) / n_frame)
                pos = 0 if packet <= 0 else packet * n_frame - skip + dropped
                if a - pos < n_frame:                      # not even one warm-up frame before the window
                    raise _NotCovered(f"window {i}: landed at {pos}, after {a - n_frame}")
            if pos + n < b and pos + n < info.est_samples - SR:
                # short, yet not at the end of the track
                raise _NotCovered(f"window {i}: decoded {n} samples from {pos}, short of {b}")
            _keep(store, i, a - pos, None, None)

    return _Plan(inputs, chains, outputs, finish)


def _run_plans(plans: Sequence[_Plan], what: str, log: JobLog | None) -> str:
    """One ffmpeg run of every plan's inputs and outputs; returns its stderr (for the plans' ``finish``)."""
    tools = require("ffmpeg")
    chains = [c for p in plans for c in p.chains]
    head = ["-hide_banner", "-nostats", "-v", "info"] if chains else ["-v", "error"]
    cmd = [tools["ffmpeg"], "-nostdin", *head, "-y", *(x for p in plans for x in p.inputs),
           *(["-filter_complex", ";".join(chains)] if chains else []), *(x for p in plans for x in p.outputs)]
    try:
        proc = run(cmd, log, what=what)
    except _cancel.Cancelled:
        raise
    except Exception as e:
        raise MediaError(f"ffmpeg decode failed for {what}: {e}") from e
    return str(proc.stderr or "")


def decode_windows_seek(info: AudioInfo, store: WindowStore, *, use_soxr: bool = False,
                        log: JobLog | None = None, speed: Speed | None = None,
                        only: Sequence[int] | None = None) -> None:
    """Fill ``store`` with one ffmpeg run that seeks to every window (see module docstring)."""
    plan = _seek_plan(info, store, use_soxr, log, speed, only)
    if plan is not None:
        plan.finish(_run_plans([plan], info.path.name, log))


def decode_windows_framed(info: AudioInfo, store: WindowStore, *, use_soxr: bool = False,
                          log: JobLog | None = None, only: Sequence[int] | None = None) -> None:
    """Fill ``store`` by seeking without trimming and placing each window by its first packet's index
    (module docstring). Raises ``_NotCovered`` when a window cannot be placed with a warm decoder."""
    plan = _framed_plan(info, store, use_soxr, log, only)
    if plan is not None:
        plan.finish(_run_plans([plan], info.path.name, log))


def windowed_mode(info: AudioInfo) -> str | None:
    """``seek`` or ``framed`` when windows of this stream can be decoded alone (``decode_windows`` auto mode
    without a speed), None when only a whole decode (``stream``) is exact."""
    if seek_is_exact(info):
        return "seek"
    return "framed" if frame_grid(info) is not None else None


def decode_windows_together(parts: Sequence[tuple[AudioInfo, WindowStore, Sequence[int]]], *,
                            use_soxr: bool = False, log: JobLog | None = None) -> list[str]:
    """Windows of several files in ONE ffmpeg run (each ffmpeg start costs ~60 ms of CPU): part
    ``(info, store, indices)`` fills those windows of ``store``, by ``windowed_mode(info)`` (which must not be
    None). A framed part whose windows cannot be placed exactly is decoded again from a whole decode of its
    file, keeping only its windows. Returns each part's strategy."""
    planned: list[tuple[int, _Plan]] = []          # (part, its plan)
    modes: list[str] = []
    k0 = c0 = 0
    for j, (info, store, only) in enumerate(parts):
        mode = windowed_mode(info)
        if mode is None:
            raise ValueError(f"{info.path.name}: no windowed decoding for codec {info.codec}")
        plan = (_seek_plan(info, store, use_soxr, log, None, only, k0) if mode == "seek"
                else _framed_plan(info, store, use_soxr, log, only, k0, c0))
        modes.append(mode)
        if plan is not None:
            planned.append((j, plan))
            k0 += plan.inputs.count("-i")
            c0 += len(plan.chains)
    if not planned:
        return modes
    what = ", ".join(dict.fromkeys(info.path.name for info, _s, _o in parts))
    stderr = _run_plans([p for _j, p in planned], what, log)
    for j, plan in planned:
        info, store, only = parts[j]
        try:
            plan.finish(stderr)
        except _NotCovered as e:
            _not_exact(info, store, only, e, log)
            decode_windows_stream(info, store, use_soxr=use_soxr, log=log, only=only)
            modes[j] = "stream"
    return modes


# ------------------------------------------------------------------- whole decodes kept for one analysis
KEEP_MARGIN_BYTES = 1 << 30   # a whole decode is kept only when the temp folder keeps this much free besides


class _KeptDecodes:
    """Whole decodes of the tracks that cannot be decoded by windows, kept as mono float32 files for the rest
    of an analysis (:func:`keep_whole_decodes`)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.files: dict[tuple, tuple[Path, int]] = {}
        self.locks: dict[tuple, threading.Lock] = {}
        self.guard = threading.Lock()
        self.count = 0

    def lock(self, key: tuple) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(key, threading.Lock())

    def new_file(self, needed: int) -> Path | None:
        """A file to keep a decode of about ``needed`` bytes in, None when the temp folder lacks the room."""
        with self.guard:
            try:
                if self.folder is None:
                    self.folder = scratch.mkdtemp("decoded")
                if shutil.disk_usage(self.folder).free < needed + KEEP_MARGIN_BYTES:
                    return None
            except (OSError, scratch.ScratchError):
                return None
            self.count += 1                 # one name per request (two tracks may be decoded at once)
            return self.folder / f"t{self.count}.f32"

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


_KEPT: contextvars.ContextVar[_KeptDecodes | None] = contextvars.ContextVar("vsg_kept_decodes", default=None)


@contextlib.contextmanager
def keep_whole_decodes() -> Iterator[None]:
    """Within this block a track that must be decoded whole (docs/analysis.md#decoding: no exact windows) is
    decoded once: its samples go to a scratch file while the first pass takes its windows, and every later
    pass reads its windows from that file instead of decoding the track again (an analysis can ask up to five
    times: anchors, the other chunks, the reach's refinement). Nothing is kept when the temp folder lacks the
    room (the track is then decoded per pass as before). The files are deleted when the block ends."""
    kept = _KeptDecodes()
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)
        kept.close()


def _kept_key(info: AudioInfo, use_soxr: bool) -> tuple | None:
    try:
        st = info.path.stat()
    except OSError:
        return None
    return (str(info.path.resolve()), st.st_size, st.st_mtime_ns, info.ordinal, info.codec, use_soxr)


def _windows_from_kept(path: Path, samples: int, store: WindowStore, only: Sequence[int] | None) -> None:
    """Fill ``store``'s windows from a kept whole decode (zeros where a window runs past either end)."""
    data = np.memmap(path, dtype="<f4", mode="r", shape=(samples,)) if samples else np.zeros(0, np.float32)
    subset = range(len(store)) if only is None else only
    for i in subset:
        w = store.windows[i]
        a, b = max(0, w.start), min(samples, w.start + w.length)
        if b <= a:
            continue
        np.asarray(data[a:b]).tofile(store.path(i))
    del data
    store.total_samples = samples


def decode_windows_stream(info: AudioInfo, store: WindowStore, *, use_soxr: bool = False,
                          log: JobLog | None = None, speed: Speed | None = None,
                          only: Sequence[int] | None = None) -> None:
    """Fill ``store`` (its windows ``only``, default all) from one full decode read block by block, keeping
    only the windows — or from the kept whole decode of the track (:func:`keep_whole_decodes`)."""
    kept = _KEPT.get()
    key = _kept_key(info, use_soxr) if kept is not None and speed is None else None
    if kept is None or key is None:
        _decode_stream(info, store, use_soxr=use_soxr, log=log, speed=speed, only=only, keep_to=None)
        return
    with kept.lock(key):
        if key in kept.files:
            path, samples = kept.files[key]
            if log is not None:
                log.log(f"[Decode] {info.path.name}: windows taken from its whole decode of this analysis")
            _windows_from_kept(path, samples, store, only)
            return
        target = kept.new_file(max(0, info.est_samples) * 4)
        samples = _decode_stream(info, store, use_soxr=use_soxr, log=log, speed=None, only=only, keep_to=target)
        if target is not None and samples >= 0:
            kept.files[key] = (target, samples)


def _decode_stream(info: AudioInfo, store: WindowStore, *, use_soxr: bool, log: JobLog | None,
                   speed: Speed | None, only: Sequence[int] | None, keep_to: Path | None) -> int:
    """The full decode of :func:`decode_windows_stream`; every block also goes to ``keep_to`` when given.
    Returns the decoded length in samples, or −1 when ``keep_to`` was not given or not written in full."""
    tools = require("ffmpeg")
    cmd = [tools["ffmpeg"], "-nostdin", "-v", "error", *decoder_args(info.codec), "-i", str(info.path),
           "-map", f"0:a:{info.ordinal}", *_pcm_args(use_soxr, speed), "-"]
    if log is not None:
        log.log(f"$ {quote(cmd)}")
    subset = set(range(len(store))) if only is None else set(only)
    spans = [(max(0, w.start), w.start + w.length) if i in subset else (0, 0) for i, w in enumerate(store.windows)]
    bufs: dict[int, np.ndarray] = {}
    filled: dict[int, int] = {}
    pos = 0          # samples delivered so far
    carry = b""
    total_bytes = 0
    keeper = _Keeper(keep_to)
    with tempfile.TemporaryFile(dir=scratch.ensure_root()) as err, keeper:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                **child_options())
        assert proc.stdout is not None

        def flush(i: int) -> None:
            bufs.pop(i)[: filled.pop(i)].tofile(store.path(i))

        try:
            while True:
                block = proc.stdout.read(_READ_BLOCK)
                if not block:
                    break
                if _cancel.cancelled():
                    proc.kill()
                    _cancel.check()
                total_bytes += len(block)
                data = carry + block
                m = len(data) // 4
                carry = data[m * 4:]
                keeper.write(data[:m * 4])
                x = np.frombuffer(data, dtype="<f4", count=m)
                lo, hi = pos, pos + m
                for i, (a, b) in enumerate(spans):
                    if b <= lo or a >= hi or (i not in bufs and filled.get(i) == -1):
                        continue
                    if i not in bufs:
                        bufs[i] = np.zeros(b - a, dtype=np.float32)
                        filled[i] = 0
                    s0, s1 = max(a, lo), min(b, hi)
                    bufs[i][s0 - a:s1 - a] = x[s0 - lo:s1 - lo]
                    filled[i] = s1 - a
                    if s1 == b:
                        flush(i)
                        filled[i] = -1
                pos = hi
        finally:
            proc.stdout.close()
            rc = proc.wait()
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    if rc != 0 or total_bytes == 0:
        tail = stderr.strip().splitlines()[-1] if stderr.strip() else "(no error output)"
        if log is not None:
            log.log(f"[!] Command failed with exit code {rc}")
        raise MediaError(f"ffmpeg decode failed for {info.path.name}: {tail}")
    if carry:
        _align(carry, info.path.name, log)
    for i in list(bufs):
        flush(i)
    store.total_samples = pos
    return pos if keeper.ok else -1


class _Keeper:
    """Writes a whole decode to ``path`` (None: nowhere); a write that fails (disk full) stops keeping and
    removes the file, without failing the decode."""

    def __init__(self, path: Path | None) -> None:
        self.path, self.file, self.ok = path, None, path is not None

    def __enter__(self) -> _Keeper:
        if self.path is not None:
            try:
                self.file = open(self.path, "wb")        # closed in __exit__
            except OSError:
                self.ok = False
        return self

    def write(self, data: bytes) -> None:
        if self.file is None:
            return
        try:
            self.file.write(data)
        except OSError:
            self._drop()

    def _drop(self) -> None:
        self.ok = False
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                self._drop()
            self.file = None
        if exc[0] is not None and self.path is not None:
            self._drop()


PARALLEL_WINDOW_S = 150.0     # seconds of windows per ffmpeg run before the windows are split over several


def decode_groups(store: WindowStore, parts: int | None = None) -> list[list[int]]:
    """The windows split into groups decoded by concurrent ffmpeg runs (an ffmpeg run decodes its inputs one
    after the other on one core): ``parts`` groups when given (at most one per window), else one group per
    ``PARALLEL_WINDOW_S`` seconds of windows, at most one per CPU; consecutive windows of about equal total
    length. 10 reference chunks of 15 s: one run; their 45 s target windows: two (on 2 CPUs), so the target
    no longer takes three times as long as the reference."""
    total = sum(max(0, w.length) for w in store.windows) / SR
    if parts is None:
        parts = max(1, min(cpu_count(), len(store), round(total / PARALLEL_WINDOW_S)))
    parts = max(1, min(parts, len(store)))
    if parts == 1:
        return [list(range(len(store)))]
    bounds = np.cumsum([max(0, w.length) for w in store.windows])
    n = len(store)
    edges = [0]
    for p in range(1, parts):    # cut after the window whose end is nearest p/parts of the total, ≥ 1 per group
        near = int(np.argmin(np.abs(bounds - bounds[-1] * p / parts))) + 1
        edges.append(min(max(near, edges[-1] + 1), n - (parts - p)))
    edges.append(n)
    return [list(range(a, b)) for a, b in itertools.pairwise(edges) if b > a]


def _in_parallel(store: WindowStore, fill: Callable[[Sequence[int]], None], parts: int | None = None) -> None:
    groups = decode_groups(store, parts)
    if len(groups) == 1:
        fill(groups[0])
        return
    with ThreadPoolExecutor(max_workers=len(groups)) as ex:
        # each run in the caller's context, so the job's cancel token reaches its ffmpeg
        futs = [ex.submit(contextvars.copy_context().run, fill, g) for g in groups]
        for f in futs:
            _cancel.wait_result(f)


def decode_windows(info: AudioInfo, store: WindowStore, *, mode: str = "auto", use_soxr: bool = False,
                   log: JobLog | None = None, speed: Speed | None = None, parts: int | None = None) -> str:
    """Fill ``store``; returns the strategy used (``seek``, ``framed`` or ``stream``). ``parts``: the number
    of concurrent ffmpeg runs the windows are split over (default: by their length, ``decode_groups``)."""
    # a sought window through asetrate is not sample-exact (measured: ±0.3 ms jitter, one chunk a frame
    # off), so a speed-compensated decode always streams
    use_seek = mode == "seek" or (mode == "auto" and speed is None and seek_is_exact(info))
    if use_seek:
        _in_parallel(store, lambda only: decode_windows_seek(info, store, use_soxr=use_soxr, log=log,
                                                             speed=speed, only=only), parts)
        return "seek"
    if mode in ("auto", "framed") and speed is None and frame_grid(info) is not None:
        try:
            _in_parallel(store, lambda only: decode_windows_framed(info, store, use_soxr=use_soxr, log=log,
                                                                   only=only), parts)
            return "framed"
        except _NotCovered as e:
            _not_exact(info, store, range(len(store)), e, log)
    decode_windows_stream(info, store, use_soxr=use_soxr, log=log, speed=speed)
    return "stream"


def _not_exact(info: AudioInfo, store: WindowStore, windows: Iterable[int], why: _NotCovered,
               log: JobLog | None) -> None:
    """Say that windowed decoding was not exact for ``info`` and forget what it decoded of ``windows`` (they are
    decoded again from a whole decode)."""
    if log is not None:
        log.log(f"[Decode] {info.path.name}: windowed decoding not exact here ({why}); "
                "decoding the whole track instead")
    for i in windows:
        store.forget(i)


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
