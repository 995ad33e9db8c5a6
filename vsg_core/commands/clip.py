"""``vsg clip``: cut clips with ffmpeg (docs/clip.md).

Forms (the first word after ``clip`` picks one; write ``./batch`` for a file literally named so):
  vsg clip INPUT -s START (-e END | -d DURATION) [-o OUT] [--accurate]
  vsg clip batch FILE.json [--workers N] [-O OUTDIR]
  vsg clip api FILE|- OUTDIR [--api-type auto|ytdlp|generic] [--workers N]
  vsg clip stats [--json]
  vsg clip --sync REF OTHER [OTHER…] -s START (-e END | -d DURATION) [-o OUTDIR]
Stream copy is the default (the clip starts on the keyframe at or before START; the real start is reported);
``--accurate`` re-encodes with the clip settings for frame-exact cuts. Log lines go to stderr (``-q`` silences
them), the result on stdout (``--json``: one JSON object). A progress bar is drawn only when stderr is a
terminal. Ctrl-C stops ffmpeg and removes partial outputs (clips are written to a temporary name and renamed).
Exit status: 0 all clips made, 1 any clip failed or bad input, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import VsgError
from ..log import JobLog, progress_line

SUBCOMMANDS = ("batch", "api", "stats")


class UsageError(VsgError):
    """Wrong arguments for a ``vsg clip`` form (exit status 2, as argparse's own usage errors)."""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "clip", help="cut clips (single, batch, API lists, stats, --sync across releases)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="vsg clip INPUT -s START (-e END | -d DURATION) [-o OUT] [--accurate]\n"
              "       vsg clip batch FILE.json [--workers N] [-O OUTDIR]\n"
              "       vsg clip api FILE|- OUTDIR [--api-type auto|ytdlp|generic]\n"
              "       vsg clip stats [--json]\n"
              "       vsg clip --sync REF OTHER [OTHER ...] -s START (-e END | -d DURATION) [-o OUTDIR]",
        description="Cut clips with ffmpeg. Timestamps: HH:MM:SS[.fff], MM:SS[.fff], seconds (90.5), "
                    "1h30m45.5s / 90s / 2m, or ISO 8601 (PT1H30M). Stream copy by default: the clip starts "
                    "on the keyframe at or before START (reported); --accurate re-encodes for frame-exact "
                    "cuts. Never overwrites a file; Ctrl-C removes partial outputs.")
    p.add_argument("words", nargs="*", metavar="ARGS",
                   help="INPUT | batch FILE | api FILE|- OUTDIR | stats | with --sync: REF OTHER…")
    p.add_argument("-s", "--start", help="clip start")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-e", "--end", help="clip end")
    g.add_argument("-d", "--duration", help="clip length")
    p.add_argument("-o", "--output", type=Path,
                   help="output file (a folder: automatic name inside; with --sync: the output folder)")
    p.add_argument("-O", "--output-dir", type=Path, help="folder for automatic names (batch)")
    p.add_argument("--accurate", action="store_true", help="re-encode for frame-exact cuts")
    p.add_argument("--sync", action="store_true",
                   help="cut the same content from every release (REF OTHER…), using measured delays")
    p.add_argument("--workers", type=int, help="parallel jobs for batch/api (setting clip_workers)")
    p.add_argument("--api-type", choices=("auto", "ytdlp", "generic"), default="auto")
    p.add_argument("--video-codec", help="encoder for --accurate (setting clip_video_codec)")
    p.add_argument("--audio-codec", help="audio encoder for --accurate (setting clip_audio_codec)")
    p.add_argument("--preset", help="encoder preset for --accurate (setting clip_preset)")
    p.add_argument("--crf", type=int, help="CRF for --accurate (setting clip_crf)")
    p.add_argument("--retries", type=int, help="tries per URL input (setting clip_retry_attempts)")
    p.add_argument("--settings", type=Path, help="settings file (default: ~/.config/vsg/settings.json)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("-q", "--quiet", action="store_true", help="no log lines on stderr")
    return p


class _Console:
    """Log lines to stderr (unless quiet) and, on a terminal, one progress line redrawn in place."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._lock = threading.Lock()
        self._bar = False
        self._fractions: dict[int, float] = {}
        self.total = 1

    def line(self, text: str) -> None:
        if self.quiet:
            return
        with self._lock:
            if self._bar:
                sys.stderr.write("\r\x1b[K")
                self._bar = False
            print(text, file=sys.stderr, flush=True)

    def progress(self, index: int, fraction: float) -> None:
        if not self.tty:
            return
        with self._lock:
            self._fractions[index] = max(0.0, min(1.0, fraction))
            overall = sum(self._fractions.values()) / max(1, self.total)
            width = 30
            done = round(overall * width)
            sys.stderr.write(f"\r{progress_line(overall * 100)} [{'#' * done}{'-' * (width - done)}]")
            sys.stderr.flush()
            self._bar = True

    def finish(self) -> None:
        with self._lock:
            if self._bar:
                sys.stderr.write("\n")
                sys.stderr.flush()
                self._bar = False


def _config(args: argparse.Namespace) -> tuple[Settings, Any]:
    from ..clip.config import ClipConfig

    settings = Settings.load(args.settings) if args.settings else Settings.load()
    for w in settings.warnings:
        print(w, file=sys.stderr)
    cfg = ClipConfig.from_settings(settings).with_overrides(
        video_codec=args.video_codec, audio_codec=args.audio_codec, preset=args.preset, crf=args.crf,
        workers=args.workers, retry_attempts=args.retries)
    return settings, cfg


def _ms_text(ms: int | None) -> str:
    from ..clip import engine

    return "?" if ms is None else engine().format_timestamp(ms, "hms")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KiB"


def _describe(r: Any) -> list[str]:
    if not r.ok:
        return [f"FAILED {r.job.input}: {r.error}"]
    lines = [f"{r.output}", f"  requested {_ms_text(r.start_ms)} – {_ms_text(r.end_ms)}"
             f" ({(r.end_ms - r.start_ms) / 1000:.3f} s)"]
    if r.copy_start_ms is not None:
        lead = (r.start_ms - r.copy_start_ms) / 1000
        lines.append(f"  stream copy starts on the keyframe at {_ms_text(r.copy_start_ms)}"
                     + (f" ({lead:.3f} s before the requested start)" if lead > 0 else " (exactly at the start)"))
    if r.output_duration_ms is not None:
        lines.append(f"  clip length {r.output_duration_ms / 1000:.3f} s, {_size(r.bytes)}")
    return lines


def _summary(results: list[Any]) -> str:
    rows = [("#", "status", "output / error", "length", "size")]
    for i, r in enumerate(results, 1):
        if r.ok:
            length = f"{r.output_duration_ms / 1000:.3f} s" if r.output_duration_ms is not None else "?"
            rows.append((str(i), "ok", str(r.output), length, _size(r.bytes)))
        else:
            rows.append((str(i), "FAILED", f"{r.job.input}: {r.error}", "", ""))
    w = [max(len(row[c]) for row in rows) for c in range(5)]
    w[2] = min(w[2], 100)
    out = ["  ".join(row[c][:100].ljust(w[c]) for c in range(5)).rstrip() for row in rows]
    ok = sum(r.ok for r in results)
    out.append(f"{ok} of {len(results)} clips made, {len(results) - ok} failed")
    return "\n".join(out)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    # SIGINT and SIGTERM clean up alike: ffmpeg stopped, partial outputs removed. SIGINT gets the handler
    # explicitly (as `vsg sync` does), so a clip started where SIGINT was ignored — a shell's background job
    # without job control — still stops on it (Python keeps an ignored SIGINT ignored).
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _interrupt)
    try:
        return _run(args)
    except UsageError as e:
        print(f"vsg clip: error: {e}", file=sys.stderr)
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(args: argparse.Namespace) -> int:
    from ..clip import history

    words = list(args.words)
    if not args.sync and words and words[0] == "stats":
        if len(words) != 1:
            raise UsageError("usage: vsg clip stats [--json]")
        st = history.stats()
        if args.json:
            print(json.dumps(st.to_json(), indent=2))
        else:
            print(f"Clip history: {st.path}\n  jobs {st.jobs}, successes {st.successes}, failures {st.failures}\n"
                  f"  bytes written {st.bytes} ({_size(st.bytes)}), time {st.seconds:.1f} s"
                  + (f"\n  {st.unreadable_lines} unreadable line(s) skipped" if st.unreadable_lines else ""))
        return 0
    console = _Console(args.quiet)
    log = JobLog(callbacks=[console.line])
    try:
        return _run_clips(args, words, console, log)
    finally:
        console.finish()
        log.close()


def _run_clips(args: argparse.Namespace, words: list[str], console: _Console, log: JobLog) -> int:
    from ..clip import engine, history
    from ..clip.batch import run_batch
    from ..clip.jobs_file import read_api, read_batch
    from ..clip.run import ClipJob, Clipper

    settings, cfg = _config(args)
    core = engine()
    clipper = Clipper(cfg, log, core=core)
    default_dir = Path(cfg.output_folder) if cfg.output_folder else Path.cwd()
    try:
        if args.sync:
            return _run_sync(args, words, clipper, core, settings, console, log, default_dir)
        if words and words[0] in ("batch", "api"):
            if words[0] == "batch":
                if len(words) != 2:
                    raise UsageError("usage: vsg clip batch FILE.json [--workers N] [-O OUTDIR]")
                path = Path(words[1])
                entries = read_batch(path)
                out_dir = args.output_dir or (Path(cfg.output_folder) if cfg.output_folder
                                              else path.resolve().parent)
            else:
                if len(words) != 3:
                    raise UsageError("usage: vsg clip api FILE|- OUTDIR [--api-type auto|ytdlp|generic]")
                src = words[1]
                if src == "-":
                    text, name = sys.stdin.read(), "standard input"
                else:
                    try:
                        text, name = Path(src).read_text(encoding="utf-8-sig"), src
                    except OSError as e:
                        raise VsgError(f"API file {src} cannot be read: {e.strerror or e}") from None
                entries = read_api(text, name, args.api_type)
                out_dir = Path(words[2])
            console.total = len(entries)
            results = run_batch(clipper, entries, out_dir, cfg.workers, console.progress)
            console.finish()
            for r in results:
                history.record(r, "accurate" if r.job.accurate else "copy")
            if args.json:
                print(json.dumps({"clips": [r.to_json() for r in results]}, indent=2, ensure_ascii=False))
            else:
                print(_summary(results))
            return 0 if all(r.ok for r in results) else 1
        if len(words) != 1:
            raise UsageError("usage: vsg clip INPUT -s START (-e END | -d DURATION) [-o OUT] [--accurate] "
                           "(one input; for several use `vsg clip batch` or `--sync`)")
        if args.start is None:
            raise UsageError("give the clip start with -s START")
        out = args.output
        out_dir = default_dir
        if out is not None and out.is_dir():
            out_dir, out = out, None
        job = ClipJob(words[0], args.start, args.end, args.duration, str(out) if out else None, args.accurate)
        r = clipper.run(job, out_dir, lambda f: console.progress(0, f))
        console.finish()
        history.record(r, "accurate" if args.accurate else "copy")
        if args.json:
            print(json.dumps(r.to_json(), indent=2, ensure_ascii=False))
        elif r.ok:
            print("\n".join(_describe(r)))
        if not r.ok:
            raise VsgError(r.error or "the clip failed")
        return 0
    except KeyboardInterrupt:
        clipper.cleanup()
        raise


def _run_sync(args: argparse.Namespace, words: list[str], clipper: Any, core: Any, settings: Settings,
              console: _Console, log: JobLog, default_dir: Path) -> int:
    from ..clip import history
    from ..clip.sync import sync_clips

    if len(words) < 2:
        raise UsageError("usage: vsg clip --sync REF OTHER [OTHER ...] -s START (-e END | -d DURATION)")
    if args.start is None:
        raise UsageError("give the clip start with -s START")
    out_dir = args.output or default_dir
    clips = sync_clips(clipper, core, Path(words[0]), [Path(w) for w in words[1:]], args.start, args.end,
                       args.duration, out_dir, settings, log, lambda f: console.progress(0, f))
    console.finish()
    for c in clips:
        history.record(c.result, "accurate")
    if args.json:
        print(json.dumps({"clips": [{**c.result.to_json(), "delay_ms": c.delay_ms} for c in clips]}, indent=2,
                         ensure_ascii=False))
    else:
        for n, c in enumerate(clips):  # the reference first; a release without a delay is not the reference
            label = ("reference" if n == 0 else f"Source {n + 1}, no delay" if c.delay_ms is None
                     else f"delay {c.delay_ms:+.3f} ms")
            print(f"[{label}] " + "\n".join(_describe(c.result)))
    return 0 if all(c.result.ok for c in clips) else 1
