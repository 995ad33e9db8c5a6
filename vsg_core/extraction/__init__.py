"""Phase 7 extraction layer: identify sources (``mkvmerge -J``), extract tracks and font attachments.

Facts: docs/pipeline.md#identification, docs/pipeline.md#extraction. Modules: ``mkvinfo`` (identification → model
records, container delays), ``codec_ext`` (codec id → file extension), ``probe`` (any container mkvmerge reads;
non-Matroska files are copied into MKV once), ``tracks`` (mkvextract/ffmpeg/mkvmerge extraction with verification),
``attachments`` (font detection and extraction).
"""

from .attachments import attachment_path, extract_fonts, font_attachments, is_font
from .codec_ext import extension_for, is_acm, needs_remux
from .mkvinfo import (
    AttachmentInfo,
    ContainerInfo,
    TrackInfo,
    identify,
    ns_to_ms,
    parse_identification,
    tracks_by_source,
)
from .probe import OpenedSource, check_usable, open_source, role_slug
from .tracks import ExtractedTrack, Tools, extract_tracks, extraction_path

__all__ = [
    "AttachmentInfo",
    "ContainerInfo",
    "ExtractedTrack",
    "OpenedSource",
    "Tools",
    "TrackInfo",
    "attachment_path",
    "check_usable",
    "extension_for",
    "extract_fonts",
    "extract_tracks",
    "extraction_path",
    "font_attachments",
    "identify",
    "is_acm",
    "is_font",
    "needs_remux",
    "ns_to_ms",
    "open_source",
    "parse_identification",
    "role_slug",
    "tracks_by_source",
]
