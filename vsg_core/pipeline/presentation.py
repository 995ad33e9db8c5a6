"""Windows of a muxed file's audio tracks, decoded on the file's presentation timeline (docs/audit.md#decoding).

Sample 0 of a window is presentation time ``start_ms`` of the file (container delays and ``--sync`` offsets
applied; time 0 is the file's start, as for a full decode): each window is one ffmpeg input sought to
``start_ms − PREROLL_MS`` (``-ss``/``-t``), decoded through ``aresample=async=1:first_pts=0`` — which pads
with silence where the track starts later than the seek point — and the pre-roll is dropped. A window
before time 0 is padded with zeros in front; a window that runs past the track's end comes back short.

Seek points are whole milliseconds: a seek point between two milliseconds shifted the window by the
fraction (measured on FLAC and AC-3 in Matroska: up to 21 samples), on whole milliseconds every window is
sample-identical to the full decode (FLAC) or equal up to the AC-3 decoder's dither.

One ffmpeg run per track decodes all its windows (an input each); the runs of all tracks go in parallel, at
most one per CPU, and a track's windows are split over several runs only when there are more CPUs than
tracks and each run keeps at least ``MIN_RUN_WINDOWS`` windows (an ffmpeg run costs ~65 ms, a window
~10 ms plus its decoding).
"""

from __future__ import annotations

import contextvars
import itertools
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import cancel as _cancel
from .. import scratch
from ..analysis.decode import cpu_count, decoder_args
from ..errors import MediaError
from ..log import JobLog
from ..progress import report_fraction
from ..runner import run
from ..tools import require

SR = 48_000
PREROLL_MS = 500              # decoded before each window and dropped (decoder warm-up, a packet a seek drops)
SLACK_MS = 50                 # decoded past each window's end (the input's -t is not sample-exact)
MIN_RUN_WINDOWS = 4           # a track's windows are split over several runs only in groups of at least this
PRESENTATION_FILTER = "aresample=async=1:min_hard_comp=0.000001:first_pts=0"
# Matroska codec ids whose decoder dithers (docs/analysis.md#decoding: seeded per frame for reproducible windows)
_DITHERED = {"A_AC3": "ac3", "A_EAC3": "eac3"}


@dataclass(frozen=True)
class Span:
    """A window on the presentation timeline: ``length_ms`` None = up to the end of the track."""

    start_ms: int
    length_ms: int | None


@dataclass(frozen=True)
class TrackWindows:
    """The windows to decode from one audio track (``ordinal``: ffmpeg's ``0:a:N``)."""

    ordinal: int
    spans: tuple[Span, ...]
    codec_id: str = ""


def decode_windows(path: Path, jobs: Sequence[TrackWindows], log: JobLog | None = None,
                   share: tuple[float, float] = (0.0, 1.0)) -> list[list[np.ndarray]]:
    """Per job, per span: float32 mono 48 kHz samples from the span's start (shorter than the span where
    the track ends inside it, empty where it has ended or not started). Runs in parallel (module docstring);
    the phase's progress moves from ``share[0]`` to ``share[1]`` as the runs finish."""
    runs = [(j, group) for j, job in enumerate(jobs) for group in _groups(len(job.spans), len(jobs))]
    out: list[list[np.ndarray]] = [[np.zeros(0, np.float32)] * len(job.spans) for job in jobs]
    if not runs:
        return out
    workdir = scratch.mkdtemp("audit")
    try:
        with ThreadPoolExecutor(max_workers=min(cpu_count(), len(runs))) as ex:
            futs = [ex.submit(contextvars.copy_context().run, _decode_run, path, jobs[j], group,
                              workdir / f"r{k}", log) for k, (j, group) in enumerate(runs)]
            for k, ((j, group), f) in enumerate(zip(runs, futs, strict=True)):
                for i, x in zip(group, _cancel.wait_result(f), strict=True):
                    out[j][i] = x
                report_fraction(share[0] + (share[1] - share[0]) * (k + 1) / len(runs))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return out


def _groups(n: int, tracks: int) -> list[list[int]]:
    """Span indices of one track split into consecutive groups, one ffmpeg run each."""
    parts = max(1, min(cpu_count() // max(1, tracks), n // MIN_RUN_WINDOWS))
    bounds = np.linspace(0, n, parts + 1).round().astype(int)
    return [list(range(a, b)) for a, b in itertools.pairwise(int(b) for b in bounds) if b > a]


def _decode_run(path: Path, job: TrackWindows, group: Sequence[int], stem: Path, log: JobLog | None
                ) -> list[np.ndarray]:
    """One ffmpeg run decoding the spans ``group`` of ``job`` (one input and one output file each)."""
    dither = decoder_args(_DITHERED.get(job.codec_id, ""))
    inputs: list[str] = []
    outputs: list[str] = []
    leads: list[int] = []
    for k, i in enumerate(group):
        sp = job.spans[i]
        seek = max(0, sp.start_ms - PREROLL_MS)
        lead = sp.start_ms - seek              # ms decoded before the span (negative: span starts before 0)
        inputs += [*dither, *(["-ss", f"{seek / 1000:.3f}"] if seek > 0 else [])]
        if sp.length_ms is not None:
            inputs += ["-t", f"{(max(0, lead) + sp.length_ms + SLACK_MS) / 1000:.3f}"]
        inputs += ["-i", str(path)]
        outputs += ["-map", f"{k}:a:{job.ordinal}", "-af", PRESENTATION_FILTER, "-ac", "1", "-ar", str(SR),
                    "-f", "f32le", f"{stem}_{k}.f32"]
        leads.append(lead)
    exe = require("ffmpeg")["ffmpeg"]       # a missing ffmpeg is named as such, not as a decode failure
    try:
        run([exe, "-nostdin", "-v", "error", "-y", *inputs, *outputs], log,
            what=f"{path.name} audio stream {job.ordinal}")
    except Exception as e:
        raise MediaError(f"{path}: ffmpeg cannot decode audio stream {job.ordinal} for the audit: {e}") from e
    got: list[np.ndarray] = []
    for k, i in enumerate(group):
        f = Path(f"{stem}_{k}.f32")
        data = np.fromfile(f, dtype="<f4") if f.is_file() else np.zeros(0, np.float32)
        f.unlink(missing_ok=True)
        lead = leads[k] * SR // 1000
        if data.size <= max(0, lead):
            x = np.zeros(0, np.float32)     # nothing decoded at or after the span's start
        elif lead >= 0:
            x = data[lead:]
        else:
            x = np.concatenate([np.zeros(-lead, np.float32), data])
        sp = job.spans[i]
        got.append(x if sp.length_ms is None else x[:sp.length_ms * SR // 1000])
    return got
