"""The clip history behind ``vsg clip stats``: one JSON line per finished job, appended under a lock.

Location: ``$VSG_CLIP_HISTORY``, else ``$XDG_STATE_HOME/vsg/clip_history.jsonl`` (``~/.local/state/…``).
A line that cannot be read is counted and skipped, never fatal.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .run import ClipResult

_LOCK = threading.Lock()


def history_path() -> Path:
    env = os.environ.get("VSG_CLIP_HISTORY")
    if env:
        return Path(env)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "vsg" / "clip_history.jsonl"


def record(result: ClipResult, mode: str, path: Path | None = None) -> None:
    """Append one result; a history that cannot be written never fails the clip (returns quietly)."""
    p = path or history_path()
    entry = {"time": round(time.time(), 3), "mode": mode, **result.to_json()}
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with _LOCK, open(p, "a", encoding="utf-8") as f:
            f.write(line)
    except OSError:
        pass


@dataclass(frozen=True)
class Stats:
    jobs: int
    successes: int
    failures: int
    bytes: int
    seconds: float
    unreadable_lines: int
    path: str

    def to_json(self) -> dict[str, Any]:
        return {"jobs": self.jobs, "successes": self.successes, "failures": self.failures, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "unreadable_lines": self.unreadable_lines, "path": self.path}


def stats(path: Path | None = None) -> Stats:
    p = path or history_path()
    jobs = ok = fail = size = bad = 0
    secs = 0.0
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            success = bool(e["ok"])
            b, s = int(e.get("bytes") or 0), float(e.get("seconds") or 0.0)
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        jobs += 1
        ok += success
        fail += not success
        size += b
        secs += s
    return Stats(jobs, ok, fail, size, secs, bad, str(p))
