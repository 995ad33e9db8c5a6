"""``vsg clip``: cut clips out of local files or URLs with ffmpeg (docs/clip.md).

The core (timestamps, ranges, plans, progress) has a Python reference and a Rust port behind
:func:`engine`; the rest (running ffmpeg, batches, API lists, history, --sync) is Python orchestration.
"""

from .engine import ClipEngine, engine
from .types import ClipError, ClipPlan, ClipRange, ClipTimestamp, EncodeSettings

__all__ = ["ClipEngine", "ClipError", "ClipPlan", "ClipRange", "ClipTimestamp", "EncodeSettings", "engine"]
