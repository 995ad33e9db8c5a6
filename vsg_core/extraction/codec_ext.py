"""File extension for an extracted track, chosen from its Matroska codec id (docs/pipeline.md#extraction).

Rules are substring tests on the upper-cased codec id, checked in order; the first match wins.

vsg deviations from the original (docs/pipeline.md#extraction):

- WebVTT (``S_TEXT/WEBVTT``) → ``vtt`` (upstream: ``sub``); USF → ``usf``; unknown subtitles → ``bin``
  (upstream: ``sub``, which mkvmerge would then try to read as VobSub).
- MP3/MP2 (``A_MPEG/L3``, ``A_MPEG/L2``) → ``mp3``/``mp2`` (upstream: ``bin``); a few more audio codecs that
  mkvextract writes in a known container (ALAC → ``caf``, TTA, WavPack, Real) get their usual extension.
- MPEG-4 Part 2: ``V_MS/VFW/FOURCC`` is written by mkvextract as an AVI file → ``avi``; the native ids
  ``V_MPEG4/ISO/SP|ASP|AP`` cannot be extracted by mkvextract at all, so those tracks are copied into a
  single-track Matroska file by mkvmerge instead → ``mkv`` (see :func:`needs_remux`). Upstream: ``mpg``.
- VP8 → ``ivf`` (mkvextract writes IVF for VP8/VP9/AV1; mkvmerge detects IVF by content, so ``vp9``/``av1``
  keep upstream's names).
"""

from __future__ import annotations

from ..models import TrackType

# (substring, extension) in test order, per track type.
VIDEO_RULES: tuple[tuple[str, str], ...] = (
    ("V_MPEGH/ISO/HEVC", "h265"),
    ("V_MPEG4/ISO/AVC", "h264"),
    ("V_MPEG4/ISO/", "mkv"),          # MPEG-4 Part 2 native (SP/ASP/AP): not extractable by mkvextract
    ("V_MS/VFW/FOURCC", "avi"),
    ("V_MPEG", "mpg"),                # V_MPEG1, V_MPEG2
    ("V_VP8", "ivf"),
    ("V_VP9", "vp9"),
    ("V_AV1", "av1"),
    ("V_THEORA", "ogv"),
    ("V_REAL", "rm"),
)
AUDIO_RULES: tuple[tuple[str, str], ...] = (
    ("A_TRUEHD", "thd"),
    ("A_EAC3", "eac3"),
    ("A_AC3", "ac3"),
    ("A_DTS", "dts"),
    ("A_AAC", "aac"),
    ("A_FLAC", "flac"),
    ("A_OPUS", "opus"),
    ("A_VORBIS", "ogg"),
    ("A_PCM", "wav"),
    ("A_MS/ACM", "wav"),              # extracted with ffmpeg (docs/pipeline.md#extraction)
    ("A_MPEG/L3", "mp3"),
    ("A_MPEG/L2", "mp2"),
    ("A_MPEG/L1", "mp1"),
    ("A_ALAC", "caf"),
    ("A_TTA", "tta"),
    ("A_WAVPACK", "wv"),
    ("A_REAL", "ra"),
)
SUBTITLE_RULES: tuple[tuple[str, str], ...] = (
    ("S_TEXT/ASS", "ass"),
    ("S_TEXT/SSA", "ssa"),
    ("S_TEXT/UTF8", "srt"),
    ("S_TEXT/ASCII", "srt"),
    ("S_TEXT/WEBVTT", "vtt"),
    ("S_TEXT/USF", "usf"),
    ("S_HDMV/PGS", "sup"),
    ("S_VOBSUB", "sub"),
    ("S_KATE", "ogg"),
)
FALLBACK = "bin"

_RULES = {"video": VIDEO_RULES, "audio": AUDIO_RULES, "subtitles": SUBTITLE_RULES}

# Codec ids mkvextract refuses ("Extraction of track ID … with the CodecID '…' is not supported").
_REMUX_PREFIXES = ("V_MPEG4/ISO/SP", "V_MPEG4/ISO/ASP", "V_MPEG4/ISO/AP")


def extension_for(track_type: TrackType | str, codec_id: str) -> str:
    """Extension (without dot) for a track of ``track_type`` (``video``/``audio``/``subtitles``)."""
    upper = (codec_id or "").upper()
    for needle, ext in _RULES.get(str(track_type), ()):
        if needle in upper:
            return ext
    return FALLBACK


def is_acm(codec_id: str) -> bool:
    """``A_MS/ACM`` audio is extracted with ffmpeg instead of mkvextract (docs/pipeline.md#extraction)."""
    return "A_MS/ACM" in (codec_id or "").upper()


def needs_remux(codec_id: str) -> bool:
    """True for codecs mkvextract cannot extract; they are copied into a single-track MKV by mkvmerge."""
    upper = (codec_id or "").upper()
    return any(upper.startswith(p) for p in _REMUX_PREFIXES)
