"""Retry with exponential backoff and jitter for URL inputs (docs/clip.md, "URL inputs")."""

from __future__ import annotations

import random
from collections.abc import Callable

from ..errors import CommandError, MediaError

MAX_DELAY_S = 60.0
JITTER = 0.5  # each delay is stretched by a random factor in [1, 1 + JITTER)

# ffmpeg/ffprobe messages of failures that may pass: server errors, rate limits, dropped connections.
TRANSIENT = ("server returned 5", "429", "too many requests", "connection refused", "connection reset",
             "connection timed out", "timed out", "input/output error", "end of file", "broken pipe",
             "network is unreachable", "temporary failure in name resolution", "error number -104",
             "error number -110", "error number -111")


def backoff_delay(retry: int, base_s: float, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``retry`` (1, 2, …): base·2^(retry−1)·(1 + JITTER·U[0,1)), capped."""
    return min(MAX_DELAY_S, base_s * 2 ** (retry - 1) * (1.0 + JITTER * rand()))


def is_transient(err: Exception) -> bool:
    if not isinstance(err, (CommandError, MediaError)):
        return False
    text = (str(err) + "\n" + getattr(err, "stderr", "")).lower()
    return any(p in text for p in TRANSIENT)
