"""Log line formats and the job log sink.

Formats (fixed by the migration plan): ``[HH:MM:SS] `` prefix on messages from core code, level prefixes
``[ERROR]``/``[WARNING]``/``[INFO]``/``[DEBUG]``/``[FATAL]``/``[!]``, section markers ``--- Name ---``,
``Progress: N%`` and ``[stderr/tail]`` blocks. The same formats are implemented in Rust
(``vsg_core_rs.format_log_message`` …) and compared by tests/parity/test_phase1_logging.py.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

LEVEL_PREFIXES = {
    "error": "[ERROR]",
    "warning": "[WARNING]",
    "warn": "[WARNING]",
    "info": "[INFO]",
    "debug": "[DEBUG]",
    "fatal": "[FATAL]",
    "!": "[!]",
    "bang": "[!]",
}

LogCallback = Callable[[str], None]

# Whitespace trimmed by section() and tail_block(); spelled out so Rust trims exactly the same set.
_WS = " \t\r\n\x0b\x0c"


def format_log_message(level: str, msg: str) -> str:
    """``[LEVEL] msg``; raises ValueError on an unknown level name."""
    try:
        prefix = LEVEL_PREFIXES[level.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unknown log level {level!r}: use one of error, warning, info, debug, fatal, !"
        ) from None
    return f"{prefix} {msg}"


def timestamp_prefix(hours: int, minutes: int, seconds: int, msg: str) -> str:
    return f"[{hours % 24:02d}:{minutes % 60:02d}:{seconds % 60:02d}] {msg}"


def stamp(msg: str, now: _dt.datetime | None = None) -> str:
    """Prefix ``msg`` with the wall-clock time as ``[HH:MM:SS] ``."""
    t = now or _dt.datetime.now()
    return timestamp_prefix(t.hour, t.minute, t.second, msg)


def section(name: str) -> str:
    return f"--- {name.strip(_WS)} ---"


def progress_line(percent: float) -> str:
    p = 0.0 if percent != percent else min(100.0, max(0.0, float(percent)))  # NaN -> 0
    return f"Progress: {round(p)}%"


def tail_block(stream: str, text: str, lines: int) -> str | None:
    """The last ``lines`` non-empty lines of ``text`` as a ``[stream/tail]`` block, or None."""
    if lines <= 0:
        return None
    kept = [ln.rstrip(_WS) for ln in text.split("\n")]
    kept = [ln for ln in kept if ln]
    if not kept:
        return None
    return f"[{stream}/tail]\n" + "\n".join(kept[-lines:])


class JobLog:
    """Where one job's messages go: an optional UTF-8 log file plus any number of callbacks.

    ``log()`` is for messages from core code (timestamped); ``raw()`` for phase markers and
    results that the plan logs without a prefix. File records are stripped of surrounding
    whitespace; callbacks receive the unstripped line. Thread-safe.
    """

    def __init__(self, path: Path | None = None, callbacks: list[LogCallback] | None = None,
                 progress: Callable[[float], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "w", encoding="utf-8", errors="surrogateescape")
        self._callbacks = list(callbacks or [])
        self._progress = progress
        self.lines: list[str] = []
        self.write_error: str | None = None     # why the log file stopped being written (disk full …)

    def add_callback(self, cb: LogCallback) -> None:
        self._callbacks.append(cb)

    def _emit(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)
            if self._file is not None:
                try:
                    self._file.write(line.strip() + "\n")
                    self._file.flush()
                except OSError as e:  # the job goes on (and reports it); the log file stops here
                    self.write_error = f"{e.strerror or e}"
                    try:
                        self._file.close()
                    except OSError:
                        pass
                    self._file = None
            callbacks = list(self._callbacks)
        for cb in callbacks:
            cb(line)

    def raw(self, msg: str) -> None:
        self._emit(msg)

    def log(self, msg: str) -> None:
        self._emit(stamp(msg))

    def level(self, level: str, msg: str) -> None:
        self.log(format_log_message(level, msg))

    def info(self, msg: str) -> None:
        self.level("info", msg)

    def warning(self, msg: str) -> None:
        self.level("warning", msg)

    def error(self, msg: str) -> None:
        self.level("error", msg)

    def debug(self, msg: str) -> None:
        self.level("debug", msg)

    def section(self, name: str) -> None:
        self.raw(section(name))

    def progress(self, percent: float) -> None:
        if self._progress is not None:
            self._progress(percent)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                try:
                    self._file.close()
                except OSError as e:
                    self.write_error = f"{e.strerror or e}"
                self._file = None

    def __enter__(self) -> JobLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def null_log() -> JobLog:
    """A log that keeps lines in memory only (for library calls without a job)."""
    return JobLog()
