"""Media identification: one ``mkvmerge -J`` and one ``ffprobe`` per file per job (docs/identification.md).

Every step that needs to know what a file holds — the analysis (audio stream choice, container delays,
frame rate, duration), the extraction and mux plan (tracks, codecs, languages, aspect ratios), the default
layout, the audit — asks this module. Inside :func:`job_scope` (opened by the pipeline for each job) the
tools' output is kept per file (keyed by path, size and modification time), so each input is read once by
each tool however many steps ask; outside a scope every call runs the tool.

The facts read here are defined here once:

* the container-delay rule (:func:`container_delay_ms`): audio and video tracks with a non-zero
  ``minimum_timestamp`` get it in ms, rounded half to even on the exact integer nanoseconds; others 0;
* frame rates (:func:`frame_rate`, :func:`video_fps`): mkvmerge's ``default_duration`` of the first video
  track, else ffprobe's ``avg_frame_rate``/``r_frame_rate`` fraction;
* the pairing of mkvmerge's audio tracks with ffprobe's audio streams (same order, see
  :mod:`vsg_core.analysis.streams`).

The ffprobe run also reads the first packets' decoded frame sizes (``FRAME_PACKETS`` packets of the file),
which tell the analysis decoder whether a sought window decodes exactly like a full decode.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MediaError
from .log import JobLog
from .runner import run
from .tools import require

NS_PER_MS = 1_000_000
FRAME_PACKETS = 48  # packets whose decoded frames ffprobe reports (audio frame sizes for the seek check)
_FFPROBE_ENTRIES = ("stream=index,codec_type,codec_name,sample_rate,channels,start_time,duration,avg_frame_rate,"
                    "r_frame_rate,display_aspect_ratio:stream_tags=language,DURATION"
                    ":format=duration,start_time:frame=stream_index,nb_samples")


# ------------------------------------------------------------------------------------------- shared rules

def ns_to_ms(ns: int | float) -> int:
    """Nanoseconds → milliseconds, rounded half to even, in exact integer arithmetic (a non-integral float,
    which mkvmerge never writes, is rounded in floating point)."""
    if isinstance(ns, float) and not ns.is_integer():
        return round(ns / NS_PER_MS)
    q, r = divmod(int(ns), NS_PER_MS)  # floor division: 0 <= r < 1e6, also for negative ns
    twice = 2 * r
    if twice > NS_PER_MS or (twice == NS_PER_MS and q % 2 == 1):
        q += 1
    return q


def container_delay_ms(track_type: str, minimum_timestamp_ns: int | float | None) -> int:
    """The container delay of a track: audio/video with a non-zero minimum timestamp → rounded ms; else 0."""
    if track_type not in ("audio", "video") or isinstance(minimum_timestamp_ns, bool):
        return 0
    if not isinstance(minimum_timestamp_ns, (int, float)) or minimum_timestamp_ns == 0:
        return 0
    return ns_to_ms(minimum_timestamp_ns)


def frame_rate(text: Any) -> float | None:
    """``num/den`` (ffprobe's rate notation) → frames per second; None when missing, malformed or not > 0."""
    try:
        num, den = str(text).strip().split("/")
        n, d = float(num), float(den)
    except (ValueError, TypeError):
        return None
    if d == 0 or n <= 0:
        return None
    return n / d


def default_duration_fps(track: Mapping[str, Any]) -> float | None:
    """Frame rate from an mkvmerge track's ``default_duration`` (ns per frame)."""
    dd = (track.get("properties") or {}).get("default_duration")
    if isinstance(dd, (int, float)) and not isinstance(dd, bool) and dd > 0:
        return 1e9 / float(dd)
    return None


# ------------------------------------------------------------------------------------------- tool output

@dataclass(frozen=True)
class MkvmergeOutput:
    """What ``mkvmerge -J`` printed for one file (``data`` is {} when it printed no JSON)."""

    path: Path
    returncode: int
    data: Mapping[str, Any]
    stderr: str

    @property
    def tracks(self) -> tuple[dict[str, Any], ...]:
        return tuple(self.data.get("tracks") or ())


@dataclass(frozen=True)
class ProbeStream:
    """One ffprobe stream (ffmpeg order)."""

    index: int
    codec_type: str
    codec_name: str
    sample_rate: int
    channels: int
    start_time: float | None
    duration: float | None
    duration_tag: str          # the Matroska DURATION tag ("HH:MM:SS.fffffffff"), "" when absent
    avg_frame_rate: str
    r_frame_rate: str
    language: str
    display_aspect_ratio: str
    frame_samples: tuple[int, ...] = ()   # decoded samples of this stream's first frames (audio)

    @property
    def fps(self) -> float | None:
        return frame_rate(self.avg_frame_rate) or frame_rate(self.r_frame_rate)

    def raw(self) -> dict[str, Any]:
        """The stream as ffprobe JSON (``index``, ``codec_type``, ``tags.language`` …)."""
        return {"index": self.index, "codec_type": self.codec_type, "codec_name": self.codec_name,
                "tags": {"language": self.language} if self.language else {}}


@dataclass(frozen=True)
class ProbeOutput:
    """What ffprobe reported for one file."""

    path: Path
    returncode: int
    stderr: str
    streams: tuple[ProbeStream, ...] = ()
    format_duration_s: float | None = None
    format_start_s: float | None = None
    parse_error: str = ""

    @property
    def audio(self) -> tuple[ProbeStream, ...]:
        return tuple(s for s in self.streams if s.codec_type == "audio")

    @property
    def video(self) -> tuple[ProbeStream, ...]:
        return tuple(s for s in self.streams if s.codec_type == "video")


def _float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _int(v: Any, default: int = 0) -> int:
    f = _float(v)
    return int(f) if f is not None else default


def parse_ffprobe(path: Path, returncode: int, stdout: str, stderr: str) -> ProbeOutput:
    """The typed record of ffprobe's JSON output."""
    if returncode != 0:
        return ProbeOutput(path, returncode, stderr)
    try:
        data = json.loads(stdout or "{}")
    except json.JSONDecodeError as e:
        return ProbeOutput(path, returncode, stderr, parse_error=str(e))
    sizes: dict[int, list[int]] = {}
    for f in data.get("frames") or ():
        n = f.get("nb_samples")
        if isinstance(n, int) and isinstance(f.get("stream_index"), int):
            sizes.setdefault(f["stream_index"], []).append(n)
    streams = []
    for s in data.get("streams") or ():
        tags = s.get("tags") or {}
        idx = _int(s.get("index"), len(streams))
        streams.append(ProbeStream(
            index=idx, codec_type=str(s.get("codec_type") or ""), codec_name=str(s.get("codec_name") or "unknown"),
            sample_rate=_int(s.get("sample_rate")), channels=_int(s.get("channels"), 1),
            start_time=_float(s.get("start_time")), duration=_float(s.get("duration")),
            duration_tag=str(tags.get("DURATION") or ""), avg_frame_rate=str(s.get("avg_frame_rate") or ""),
            r_frame_rate=str(s.get("r_frame_rate") or ""), language=str(tags.get("language") or ""),
            display_aspect_ratio=str(s.get("display_aspect_ratio") or ""),
            frame_samples=tuple(sizes.get(idx, ()))))
    fmt = data.get("format") or {}
    return ProbeOutput(path, returncode, stderr, tuple(streams), _float(fmt.get("duration")),
                       _float(fmt.get("start_time")))


# ------------------------------------------------------------------------------------------- job cache

@dataclass
class _Pending:
    """A tool run that :func:`start_prefetch` started and nobody has asked for yet."""

    future: Future[Any]
    lines: list[str]                 # its log lines (``$ …``, a failure's tail), for the first asker's log
    claimed: bool = False


@dataclass
class MediaCache:
    """The tools' output per file for one job (key: resolved path, size, modification time)."""

    mkvmerge: dict[tuple[str, int, int], MkvmergeOutput] = field(default_factory=dict)
    ffprobe: dict[tuple[str, int, int], ProbeOutput] = field(default_factory=dict)
    pending: dict[tuple[str, tuple[str, int, int]], _Pending] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


_SCOPE: contextvars.ContextVar[MediaCache | None] = contextvars.ContextVar("vsg_media_cache", default=None)


@contextlib.contextmanager
def job_scope(cache: MediaCache | None = None) -> Iterator[MediaCache]:
    """Within this block each file is identified at most once per tool (nested scopes share the outer one)."""
    outer = _SCOPE.get()
    if outer is not None and cache is None:
        yield outer
        return
    mine = cache if cache is not None else MediaCache()
    token = _SCOPE.set(mine)
    try:
        yield mine
    finally:
        _SCOPE.reset(token)


def start_prefetch(paths: Sequence[str | Path]) -> list[Future[Any]]:
    """Inside a job scope: start every file's ``mkvmerge -J`` and ``ffprobe`` in the background (a few at a
    time) and return at once. A step that asks for one of them later waits for that run instead of starting
    its own, and its log gets the run's lines (``$ …``) as if it had run the tool there; a run that failed
    fails there, with that step's message. Runs already done or started are not repeated; missing files are
    left to the step that needs them. Outside a scope this does nothing.

    The runs inherit the caller's context (its cancel token: a cancelled job kills them)."""
    cache = _SCOPE.get()
    if cache is None:
        return []
    started: list[Future[Any]] = []
    for f, key in _readable(paths):
        for kind in ("mkvmerge", "ffprobe"):
            with cache.lock:
                if key in getattr(cache, kind) or (kind, key) in cache.pending:
                    continue
                lines: list[str] = []
                fut = _pool().submit(contextvars.copy_context().run, _prefetch_one, kind, f, lines)
                cache.pending[(kind, key)] = _Pending(fut, lines)
            started.append(fut)
    return started


def _readable(paths: Sequence[str | Path]) -> Iterator[tuple[Path, tuple[str, int, int]]]:
    """Each distinct path that is a file, with its cache key (missing files are left to the step that needs
    them)."""
    for f in [Path(x) for x in dict.fromkeys(str(x) for x in paths)]:
        if not f.is_file():
            continue
        try:
            yield f, _key(f)
        except OSError:
            continue


def prefetch(paths: Sequence[str | Path], log: JobLog | None = None) -> None:
    """Inside a job scope: every file's ``mkvmerge -J`` and ``ffprobe`` at once (a few at a time) so the
    steps that ask next find them done (measured: 4 tool runs of a two-file analysis 0.34 s one after the
    other). Waits for them, including runs :func:`start_prefetch` started earlier, and writes the lines of
    every run nobody has asked for yet to ``log``. Nothing else is reported here: a file that cannot be read
    fails where it is first asked for, with that step's message. Outside a scope this does nothing."""
    cache = _SCOPE.get()
    if cache is None:
        return
    start_prefetch(paths)
    for _f, key in _readable(paths):
        for kind in ("mkvmerge", "ffprobe"):
            try:
                _claim(cache, kind, key, log)
            except Exception:  # reported by the step that needs the file
                pass


def _prefetch_one(kind: str, path: Path, lines: list[str]) -> Any:
    """One prefetched tool run (in a worker thread), its log lines kept for the first asker."""
    rec = JobLog(callbacks=[lines.append])
    fn = mkvmerge_identify if kind == "mkvmerge" else ffprobe_identify
    return fn(path, rec, _run_now=True)


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The process's identification workers (4 at a time: the tools mostly wait for the disk)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vsg-identify")
        return _POOL


def _claim(cache: MediaCache, kind: str, key: tuple[str, int, int], log: JobLog | None) -> Any:
    """The output of a prefetched run of ``kind`` for ``key`` (waiting for it; its log lines go to ``log``
    when nobody asked before), or None when no run was started. Re-raises the run's error."""
    with cache.lock:
        pend = cache.pending.get((kind, key))
        if pend is None:
            return None
        lines = None if pend.claimed else pend.lines
        pend.claimed = True
    try:
        out = _wait(pend.future)
    finally:
        if lines and log is not None:
            for line in lines:
                log.raw(line)
    return out


def _wait(fut: Future[Any]) -> Any:
    """``fut.result()`` that wakes every 0.1 s to honour the caller's cancel token (and signals)."""
    from . import cancel

    while True:
        cancel.check()
        try:
            return fut.result(timeout=0.1)
        except FutureTimeout:
            continue


def _key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _require_file(path: Path) -> None:
    if not path.exists():
        raise MediaError(f"{path}: file not found. Check the path (and that the drive is mounted).")
    if not path.is_file():
        raise MediaError(f"{path}: not a regular file. Give the path of a media file (MKV, MP4, …).")


def mkvmerge_identify(path: str | Path, log: JobLog | None = None, mkvmerge: str | None = None, *,
                      _run_now: bool = False) -> MkvmergeOutput:
    """``mkvmerge -J path`` (once per file in a job scope). The JSON is parsed but not judged: mkvmerge exits
    with 2 for a file it cannot read and still prints ``recognized: false``, which the callers explain."""
    p = Path(path)
    _require_file(p)
    cache = _SCOPE.get()
    key = _key(p)
    if cache is not None and not _run_now:
        out = _claim(cache, "mkvmerge", key, log)   # first: a prefetched run's lines go to the first asker
        if out is not None:
            return out
        if key in cache.mkvmerge:
            return cache.mkvmerge[key]
    exe = mkvmerge or require("mkvmerge")["mkvmerge"]
    proc = run([exe, "-J", str(p)], log, check=False, what=str(p))
    try:
        data = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        data = {}
    out = MkvmergeOutput(p, proc.returncode, data if isinstance(data, dict) else {}, proc.stderr or "")
    if cache is not None:
        with cache.lock:
            cache.mkvmerge[key] = out
    return out


def ffprobe_identify(path: str | Path, log: JobLog | None = None, *, _run_now: bool = False) -> ProbeOutput:
    """ffprobe's streams, format and first frames of ``path`` (once per file in a job scope)."""
    p = Path(path)
    _require_file(p)
    cache = _SCOPE.get()
    key = _key(p)
    if cache is not None and not _run_now:
        out = _claim(cache, "ffprobe", key, log)
        if out is not None:
            return out
        if key in cache.ffprobe:
            return cache.ffprobe[key]
    exe = require("ffprobe")["ffprobe"]
    proc = run([exe, "-v", "error", "-show_entries", _FFPROBE_ENTRIES, "-read_intervals", f"%+#{FRAME_PACKETS}",
                "-of", "json", str(p)], log, check=False, what=str(p))
    out = parse_ffprobe(p, proc.returncode, proc.stdout or "", proc.stderr or "")
    if cache is not None:
        with cache.lock:
            cache.ffprobe[key] = out
    return out


def probed(path: str | Path, log: JobLog | None = None) -> ProbeOutput:
    """ffprobe's record of ``path``; MediaError naming the file when ffprobe cannot read it."""
    out = ffprobe_identify(path, log)
    if out.returncode != 0:
        tail = " ".join(out.stderr.strip()[-300:].split())  # one line: the message is shown in a sentence
        raise MediaError(f"{out.path}: ffprobe cannot read this file ({tail}). The file is corrupt or incomplete; "
                         "re-download or remux it.")
    if out.parse_error:
        raise MediaError(f"{out.path}: ffprobe returned unreadable output ({out.parse_error}).")
    return out


# ------------------------------------------------------------------------------------------- derived facts

def video_fps(tracks: tuple[Mapping[str, Any], ...], probe: ProbeOutput | None) -> float | None:
    """The first video track's frame rate: mkvmerge's default duration, else ffprobe's rate; None: no video."""
    videos = [t for t in tracks if t.get("type") == "video"]
    fps = default_duration_fps(videos[0]) if videos else None
    if fps is None and probe is not None and probe.video:
        fps = probe.video[0].fps
    return fps


def aspect_ratios(path: str | Path, log: JobLog | None = None) -> dict[int, str]:
    """Display aspect ratio of each video stream (ffprobe stream index → ``W:H``); {} when unreadable."""
    out = ffprobe_identify(path, log)
    return {s.index: s.display_aspect_ratio for s in out.video
            if s.display_aspect_ratio not in ("", "0:1", "N/A")}


def _hms(text: str) -> float | None:
    try:
        h, m, s = text.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    except (ValueError, AttributeError):
        return None


def audio_info(path: str | Path, ordinal: int = 0, log: JobLog | None = None):  # -> decode.AudioInfo
    """What the analysis decoder needs about the audio stream ``0:a:ordinal`` (from the one ffprobe run).

    Duration: the stream's, else its Matroska DURATION tag, else the file's minus the stream's start offset.
    """
    from .analysis.decode import AudioInfo

    p = Path(path)
    if not p.is_file():
        raise MediaError(f"{p}: file not found; check the path of this source")
    out = probed(p, log)
    audio = out.audio
    if ordinal >= len(audio):
        raise MediaError(f"{p.name}: has no audio track a:{ordinal} ({len(audio)} audio tracks); "
                         "choose another track or source")
    st = audio[ordinal]
    file_start = out.format_start_s or 0.0
    start = st.start_time if st.start_time is not None else file_start
    dur = st.duration if st.duration is not None else -1.0
    if dur < 0:
        tag = _hms(st.duration_tag)
        dur = tag if tag is not None else (out.format_duration_s or 0.0) - (start - file_start)
    fps = (frame_rate(out.video[0].avg_frame_rate) or 0.0) if out.video else 0.0
    return AudioInfo(p, ordinal, st.codec_name, st.sample_rate, st.channels, start, file_start, dur,
                     st.frame_samples, fps)
