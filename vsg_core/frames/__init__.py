"""Frame ↔ time math: CFR modes and the exact integer frame grid (``cfr``), VFR from a video's own time
stamps (``vfr``). The Rust port is ``vsg_core_rs/src/frames``; tests/parity/test_phase6_frames.py compares
them."""

from .cfr import FrameGrid, frame_to_time, parse_rate, time_to_frame

__all__ = ["FrameGrid", "frame_to_time", "parse_rate", "time_to_frame"]
