"""Running clips: one job = probe the input, validate the range, plan, run ffmpeg into a temporary name,
rename, measure. Used by every ``vsg clip`` form; the commands only parse arguments and print."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import cancel as _cancel
from ..errors import CommandError, MediaError, ToolMissingError, VsgError
from ..filenames import fit_name
from ..log import JobLog, format_log_message, tail_block
from ..runner import quote
from ..tools import ToolSet, require
from .config import ClipConfig
from .engine import ClipEngine, engine
from .media import clip_length_ms, is_url, keyframe_at_or_before, probe_duration_ms
from .retry import backoff_delay, is_transient
from .types import ClipError, ClipPlan, ClipRange

ProgressFn = Callable[[float], None]
ENCODE_KEYS = ("video_codec", "audio_codec", "preset", "crf")


@dataclass(frozen=True)
class ClipJob:
    input: str
    start: str
    end: str | None = None
    duration: str | None = None
    output: str | None = None          # explicit output path (None: automatic name in the output folder)
    accurate: bool = False
    encode: dict[str, Any] = field(default_factory=dict)  # per-job overrides of ENCODE_KEYS
    title: str | None = None           # label (API lists); names the output when set


@dataclass
class ClipResult:
    job: ClipJob
    ok: bool
    output: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    copy_start_ms: int | None = None   # stream copy: the keyframe the clip really starts on
    output_duration_ms: int | None = None
    bytes: int = 0
    seconds: float = 0.0
    attempts: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"input": self.job.input, "ok": self.ok, "output": self.output, "start_ms": self.start_ms,
                "end_ms": self.end_ms, "copy_start_ms": self.copy_start_ms,
                "output_duration_ms": self.output_duration_ms, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "attempts": self.attempts, "error": self.error}


SHORT_CLIP_MS = 1000  # a clip this much shorter than asked means the input ends early (docs/clip.md#plans)


def _temp_for(out: Path) -> Path:
    return out.with_name(fit_name(".", out.stem, f".partial-{os.getpid()}-{threading.get_ident() % 100000}"
                                                 f"{out.suffix}"))


class Clipper:
    """Runs clip jobs; safe to share between worker threads (output names are reserved under a lock)."""

    def __init__(self, config: ClipConfig, log: JobLog, *, tools: ToolSet | None = None,
                 core: ClipEngine | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.log = log
        self.tools = tools or require("ffmpeg", "ffprobe")
        self.core = core or engine()
        self._sleep = sleep or self._cancellable_sleep
        self._lock = threading.Lock()
        self._reserved: dict[str, set[str]] = {}
        self._temps: set[Path] = set()

    # ------------------------------------------------------------------ public
    def run(self, job: ClipJob, output_dir: Path, progress: ProgressFn | None = None) -> ClipResult:
        """Run one job. Errors (VsgError) become a failed result; cancellation propagates after cleanup."""
        res = ClipResult(job, ok=False)
        t0 = time.monotonic()
        try:
            self._with_retry(job, output_dir, res, progress)
            res.ok = True
        except _cancel.Cancelled:
            raise
        except VsgError as e:
            res.error = str(e)
            self.log.error(str(e))
        finally:
            res.seconds = time.monotonic() - t0
        return res

    def cleanup(self) -> None:
        """Remove every temporary output still present (after a crash or Ctrl-C)."""
        with self._lock:
            temps = list(self._temps)
            self._temps.clear()
        for t in temps:
            with contextlib.suppress(OSError):
                t.unlink()

    # ------------------------------------------------------------------ steps
    def _with_retry(self, job: ClipJob, output_dir: Path, res: ClipResult, progress: ProgressFn | None) -> None:
        attempts = self.config.retry_attempts if is_url(job.input) else 1
        for attempt in range(1, attempts + 1):
            res.attempts = attempt
            try:
                self._attempt(job, output_dir, res, progress)
                return
            except (CommandError, MediaError) as e:
                if not is_transient(e) or attempts == 1:
                    raise
                if attempt >= attempts:
                    raise ClipError(f"{e} (gave up after {attempts} attempts)") from None
                delay = backoff_delay(attempt, self.config.retry_base_delay_s)
                self.log.warning(f"{job.input}: network error (attempt {attempt}/{attempts}); "
                                 f"retrying in {delay:.2f} s")
                self._sleep(delay)

    def _attempt(self, job: ClipJob, output_dir: Path, res: ClipResult, progress: ProgressFn | None) -> None:
        ffprobe, ffmpeg = self.tools["ffprobe"], self.tools["ffmpeg"]
        if not is_url(job.input) and not Path(job.input).is_file():
            what = "is a folder, not a file" if Path(job.input).is_dir() else "not found"
            raise ClipError(f"input file {job.input} {what}")
        # Timestamps are checked before touching the input, so a typo fails fast.
        self.core.resolve_range(job.start, job.end, job.duration, None)
        media_ms = probe_duration_ms(ffprobe, job.input, self.log)
        rng = self.core.resolve_range(job.start, job.end, job.duration, media_ms)
        res.start_ms, res.end_ms = rng.start_ms, rng.end_ms
        plan, out = self._plan(job, output_dir, rng)
        try:
            self._execute(ffmpeg, plan, out, rng, progress)
        finally:
            self._release(out)
        res.output = str(out)
        res.bytes = out.stat().st_size
        with contextlib.suppress(VsgError):
            res.output_duration_ms = clip_length_ms(ffprobe, str(out), self.log)
        got = res.output_duration_ms
        if got is not None and "-fs" not in plan.args and rng.duration_ms - got > SHORT_CLIP_MS:
            # the input ends before the requested end although its header duration says otherwise
            with contextlib.suppress(OSError):
                out.unlink()
            res.output, res.bytes = None, 0
            raise ClipError(f"{job.input} ends early: the clip would be {got / 1000:.3f} s long, "
                            f"{rng.duration_ms / 1000:.3f} s were asked; the input's header says it is "
                            f"{media_ms / 1000:.3f} s long, so it is probably truncated. Nothing was written; "
                            "ask for a range the file holds")
        if plan.mode == "copy":
            with contextlib.suppress(VsgError, ValueError):
                res.copy_start_ms = keyframe_at_or_before(ffprobe, job.input, rng.start_ms, self.log)

    def _plan(self, job: ClipJob, output_dir: Path, rng: ClipRange) -> tuple[ClipPlan, Path]:
        enc = self.config.encode(**{k: job.encode.get(k) for k in ENCODE_KEYS})
        mode = "accurate" if job.accurate else "copy"
        if job.output is not None:
            target_dir = Path(job.output).parent
        else:
            target_dir = output_dir
            try:
                target_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise ClipError(f"cannot create the output folder {target_dir}: {e.strerror or e}") from None
        if not target_dir.is_dir():
            raise ClipError(f"the output folder {target_dir} does not exist")
        if not os.access(target_dir, os.W_OK | os.X_OK):
            raise ClipError(f"cannot write to the output folder {target_dir}: permission denied")
        key = str(target_dir.resolve())
        with self._lock:
            reserved = self._reserved.setdefault(key, set())
            taken = sorted(set(os.listdir(target_dir)) | reserved)
            explicit = job.output
            if explicit is None and job.title:
                explicit = str(target_dir / _title_name(job.title, job.input, taken))
            plan = self.core.plan_clip(job.input, explicit, str(target_dir) if explicit is None else "",
                                       rng, mode, enc, taken)
            out = Path(plan.output)
            if out.exists() or out.name in reserved:
                raise ClipError(f"the output {out} already exists; vsg never overwrites a file — choose "
                                "another name or remove it")
            if not out.suffix:
                raise ClipError(f"the output {out} needs a file extension such as .mkv or .mp4")
            reserved.add(out.name)
        return plan, out

    def _release(self, out: Path) -> None:
        with self._lock:
            self._reserved.get(str(out.parent.resolve()), set()).discard(out.name)

    def _execute(self, ffmpeg: str, plan: ClipPlan, out: Path, rng: ClipRange,
                 progress: ProgressFn | None) -> None:
        tmp = _temp_for(out)
        with self._lock:
            self._temps.add(tmp)
        try:
            try:
                with open(tmp, "xb"):
                    pass
            except OSError as e:
                raise ClipError(f"cannot write {out}: {e.strerror or e}") from None
            args = [ffmpeg, *plan.args[:-1], str(tmp)]
            self._run_ffmpeg(args, rng.duration_ms, progress, plan.args[plan.args.index("-i") + 1])
            if out.exists():
                raise ClipError(f"the output {out} appeared while clipping; vsg never overwrites a file")
            os.replace(tmp, out)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
            with self._lock:
                self._temps.discard(tmp)

    def _run_ffmpeg(self, args: list[str], duration_ms: int, progress: ProgressFn | None, what: str) -> None:
        """ffmpeg with ``-progress pipe:1``: progress blocks on stdout, errors on stderr (kept for the tail)."""
        self.log.log(f"$ {quote(args)}")
        token = _cancel.current()
        try:
            p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise ToolMissingError(f"program not found: {args[0]}; install ffmpeg (or run ./setup_env.sh)") from None
        err_chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: err_chunks.append(p.stderr.read() if p.stderr else b""),
                                  daemon=True)
        reader.start()
        block: list[str] = []
        try:
            assert p.stdout is not None
            for raw in p.stdout:
                line = raw.decode("utf-8", errors="replace")
                block.append(line)
                if line.startswith("progress="):
                    frac = self.core.progress_fraction("".join(block), duration_ms)
                    block.clear()
                    if frac is not None and progress is not None:
                        progress(frac)
                if token is not None and token.cancelled:
                    raise _cancel.Cancelled(f"the clip of {what} was cancelled")
            p.wait()
        except BaseException:
            p.kill()
            p.wait()
            raise
        finally:
            reader.join(timeout=5)
        stderr = b"".join(err_chunks).decode("utf-8", errors="replace")
        if p.returncode != 0:
            tail = tail_block("stderr", stderr, 20)
            self.log.log(format_log_message("!", f"Command failed with exit code {p.returncode}"))
            if tail:
                self.log.log(tail)
            last = tail.splitlines()[-1] if tail else "(no error output)"
            raise CommandError(f"ffmpeg failed with exit code {p.returncode} while clipping {what}: {last}",
                               p.returncode, stderr)
        if progress is not None:
            progress(1.0)

    @staticmethod
    def _cancellable_sleep(seconds: float) -> None:
        token = _cancel.current()
        if token is None:
            time.sleep(seconds)
            return
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            token.check()
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))


_UNSAFE = set('/\\:*?"<>|')


def _title_name(title: str, source: str, taken: list[str]) -> str:
    """``TITLE.ext`` (the input's container, else .mkv) made safe for a file name, ``TITLE_2.ext`` when taken."""
    safe = "".join("_" if (c in _UNSAFE or ord(c) < 32) else c for c in title).strip().strip(".") or "clip"
    safe = safe[:120]
    src = source.split("?")[0].split("#")[0] if is_url(source) else source
    ext = Path(src).suffix.lower()
    ext = ext if ext in (".mkv", ".mp4", ".m4v", ".mov", ".webm", ".ts", ".m2ts", ".avi", ".mka") else ".mkv"
    name, n = f"{safe}{ext}", 2
    while name in taken:
        name = f"{safe}_{n}{ext}"
        n += 1
    return name
