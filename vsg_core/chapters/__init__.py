"""Chapters (docs/chapters.md): extract, snap to keyframes, shift, clean, rename, write.

Entry point for the pipeline: :func:`prepare_chapters` (never raises; None means "mux without chapters").
Building blocks: :func:`process_chapters` (pure XML → XML), :class:`ChapterDocument`,
:func:`parse_time_ns`/:func:`format_time_ns`, :func:`probe_keyframes`/:func:`snap_time`.
"""

from .document import ChapterDocument, SnapStats
from .keyframes import SnapResult, parse_keyframes, probe_keyframes, snap_time
from .process import ChapterOptions, extract_chapters_xml, output_path, prepare_chapters, process_chapters
from .times import format_time_ns, parse_time_ns

__all__ = [
    "ChapterDocument",
    "ChapterOptions",
    "SnapResult",
    "SnapStats",
    "extract_chapters_xml",
    "format_time_ns",
    "output_path",
    "parse_keyframes",
    "parse_time_ns",
    "prepare_chapters",
    "probe_keyframes",
    "process_chapters",
    "snap_time",
]
