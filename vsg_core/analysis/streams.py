"""Media identification and audio stream selection for the analysis (docs/analysis.md#stream-selection).

``identify(path)`` reads the file's identification (one ``mkvmerge -J`` and one ``ffprobe`` per file and job,
:mod:`vsg_core.identification`); ``select_audio_stream(info, lang)``
picks the analysis track: the first audio track whose language matches the normalised setting, else the first
audio track.

vsg deviations (recorded in the decision log):

* The original's quirk (docs/analysis.md#stream-selection): 2-letter settings map to ISO 639-2/T codes (``de`` →
  ``deu``) while Matroska's legacy language field usually holds the bibliographic form (``ger``). vsg compares both
  forms, and also the primary subtag of ``language_ietf``.
* The original's quirk (docs/analysis.md#stream-selection): mkvmerge's audio order was assumed to equal ffmpeg's
  ``0:a:N`` order. vsg pairs mkvmerge's audio tracks with ffprobe's audio streams in order, requires the same count and
  agreeing languages, and hands the decoder the ffmpeg stream that belongs to the chosen mkvmerge track; any mismatch is
  an error naming the file instead of silently decoding another track.
* The same chosen track feeds the correlation and the container-delay chain (the original's quirk,
  docs/analysis.md#container-delays).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MediaError
from ..identification import ProbeOutput, mkvmerge_identify, probed, video_fps
from ..log import JobLog

# 2-letter → ISO 639-2 (docs/analysis.md#stream-selection; the original's table, terminologic forms).
LANGUAGE_MAP = {
    "en": "eng", "ja": "jpn", "jp": "jpn", "zh": "zho", "cn": "zho", "es": "spa", "de": "deu", "fr": "fra",
    "it": "ita", "pt": "por", "ru": "rus", "ko": "kor", "ar": "ara", "tr": "tur", "pl": "pol", "nl": "nld",
    "sv": "swe", "no": "nor", "fi": "fin", "da": "dan", "cs": "ces", "sk": "slk", "sl": "slv", "hu": "hun",
    "el": "ell", "he": "heb", "id": "ind", "vi": "vie", "th": "tha", "hi": "hin", "ur": "urd", "fa": "fas",
    "uk": "ukr", "ro": "ron", "bg": "bul", "sr": "srp", "hr": "hrv", "ms": "msa", "bn": "ben", "ta": "tam",
    "te": "tel",
}

# ISO 639-2 bibliographic → terminologic codes (the pairs that differ).
BIBLIOGRAPHIC_TO_TERMINOLOGIC = {
    "alb": "sqi", "arm": "hye", "baq": "eus", "bur": "mya", "chi": "zho", "cze": "ces", "dut": "nld",
    "fre": "fra", "geo": "kat", "ger": "deu", "gre": "ell", "ice": "isl", "mac": "mkd", "mao": "mri",
    "may": "msa", "per": "fas", "rum": "ron", "slo": "slk", "tib": "bod", "wel": "cym",
}
TERMINOLOGIC_TO_BIBLIOGRAPHIC = {t: b for b, t in BIBLIOGRAPHIC_TO_TERMINOLOGIC.items()}


def normalise_language(lang: str | None) -> str | None:
    """None for empty/whitespace/``und``; else stripped, lower-cased, 2-letter codes mapped
    (docs/analysis.md#stream-selection)."""
    if lang is None:
        return None
    s = lang.strip().lower()
    if not s or s == "und":
        return None
    if len(s) == 2:
        return LANGUAGE_MAP.get(s, s)
    return s


def language_forms(code: str) -> set[str]:
    """A normalised code plus its other ISO 639-2 form (``deu`` ↔ ``ger``)."""
    c = code.strip().lower()
    forms = {c}
    if c in BIBLIOGRAPHIC_TO_TERMINOLOGIC:
        forms.add(BIBLIOGRAPHIC_TO_TERMINOLOGIC[c])
    if c in TERMINOLOGIC_TO_BIBLIOGRAPHIC:
        forms.add(TERMINOLOGIC_TO_BIBLIOGRAPHIC[c])
    return forms


def track_languages(props: dict[str, Any]) -> set[str]:
    """Every form of a track's language: ``language`` (both ISO 639-2 forms) and ``language_ietf``'s primary
    subtag (2-letter subtags mapped like a setting)."""
    out: set[str] = set()
    lang = str(props.get("language") or "").strip().lower()
    if lang and lang != "und":
        out |= language_forms(lang)
    ietf = str(props.get("language_ietf") or "").strip().lower()
    if ietf and ietf != "und":
        primary = normalise_language(ietf.split("-")[0])
        if primary:
            out |= language_forms(primary)
    return out


@dataclass(frozen=True)
class MediaInfo:
    """What analysis needs to know about one file (from ``mkvmerge -J`` and ``ffprobe``)."""

    path: Path
    tracks: tuple[dict[str, Any], ...]         # mkvmerge track objects, JSON order
    ffprobe_audio: tuple[dict[str, Any], ...]  # ffprobe audio streams, ffmpeg order
    video_fps: float | None                    # first video stream's frame rate (None: no video/unknown)
    duration_s: float | None

    @property
    def audio_tracks(self) -> list[dict[str, Any]]:
        return [t for t in self.tracks if t.get("type") == "audio"]

    @property
    def video_tracks(self) -> list[dict[str, Any]]:
        return [t for t in self.tracks if t.get("type") == "video"]


@dataclass(frozen=True)
class AudioStreamChoice:
    """The analysis audio track of one file."""

    track_id: int          # mkvmerge track id
    audio_ordinal: int     # 0-based position among the audio tracks (ffmpeg ``0:a:<ordinal>``)
    ffmpeg_index: int      # absolute ffmpeg stream index (``0:<index>``) of the same track
    language: str          # the track's language as stored ('und' when unset)
    codec_id: str          # mkvmerge codec id, e.g. A_AAC (feeds the lossless drift thresholds)
    language_matched: bool  # True when the language setting picked it

    def describe(self) -> str:
        return f"track {self.track_id} ({self.language}, {self.codec_id})"


def identify(path: str | Path, log: JobLog | None = None) -> MediaInfo:
    """Identify ``path`` (through :mod:`vsg_core.identification`: one mkvmerge and one ffprobe run per file
    and job); MediaError naming the file when it is missing, unreadable or corrupt."""
    p = Path(path)
    mkv = mkvmerge_identify(p, log)
    data = mkv.data
    errors = [str(e) for e in data.get("errors", []) if e]
    container = data.get("container", {})
    recognised = bool(container.get("recognized", False)) and bool(container.get("supported", True))
    if mkv.returncode not in (0, 1) or not recognised or "tracks" not in data:
        detail = " ".join(("; ".join(errors) or mkv.stderr.strip() or "no track information").split())
        raise MediaError(f"{p}: mkvmerge cannot read this file ({detail}). The file is corrupt, incomplete "
                         "or not a media file; re-download or remux it, or pick another file.")
    tracks = mkv.tracks
    probe = probed(p, log)
    if container.get("type") not in ("Matroska", "WebM"):
        tracks = with_probed_start_times(tracks, probe)
    audio = tuple(s.raw() for s in probe.audio)
    return MediaInfo(p, tracks, audio, video_fps(tracks, probe), probe.format_duration_s)


def with_probed_start_times(tracks: tuple[dict[str, Any], ...], probe: ProbeOutput) -> tuple[dict[str, Any], ...]:
    """The tracks of a non-Matroska file with ``properties.minimum_timestamp`` taken from ffprobe's stream start
    times (relative to the file's earliest stream), where mkvmerge -J gives none (MPEG-TS, MP4, AVI, …).

    Without it an MPEG-TS reference whose sound starts 0.2 s after its picture read as 0 ms apart, while the
    Matroska copy that is muxed keeps the 0.2 s: the output's picture and sound ended 0.2 s out of step
    (docs/analysis.md#container-delays). Video and audio tracks are paired with ffprobe's streams of the same
    kind in order; when the counts differ nothing is changed.
    """
    starts = [s.start_time for s in (*probe.video, *probe.audio) if s.start_time is not None]
    if not starts:
        return tracks
    origin = min(starts)
    streams = {"video": list(probe.video), "audio": list(probe.audio)}
    kinds = {k: [t for t in tracks if t.get("type") == k] for k in streams}
    if any(len(kinds[k]) != len(streams[k]) for k in streams):
        return tracks
    start_of = {id(t): st.start_time for k in streams for t, st in zip(kinds[k], streams[k], strict=True)}
    out = []
    for t in tracks:
        props = t.get("properties") or {}
        start = start_of.get(id(t))
        if start is not None and props.get("minimum_timestamp") is None:
            t = {**t, "properties": {**props, "minimum_timestamp": round((start - origin) * 1e9)}}
        out.append(t)
    return tuple(out)


def select_audio_stream(info: MediaInfo, language: str | None) -> AudioStreamChoice:
    """Stream selection (docs/analysis.md#stream-selection) with vsg's fixes: the first audio track in the wanted
    language, else the first audio track.

    Raises MediaError when the file has no audio track or when mkvmerge and ffmpeg disagree about its audio
    tracks (so the decoder would read a different track than the one whose delay is reported).
    """
    audio = info.audio_tracks
    if not audio:
        raise MediaError(f"{info.path}: no audio track found. vsg measures delays on audio, so every source "
                         "needs an audio track; pick a release that has one.")
    if len(info.ffprobe_audio) != len(audio):
        raise MediaError(f"{info.path}: mkvmerge reports {len(audio)} audio track(s) but ffmpeg sees "
                         f"{len(info.ffprobe_audio)}; vsg cannot tell which decoded stream is which track. "
                         "Remux the file with mkvmerge and try again.")
    wanted = normalise_language(language)
    ordinal, matched = 0, False
    if wanted is not None:
        forms = language_forms(wanted)
        for i, t in enumerate(audio):
            if forms & track_languages(t.get("properties", {})):
                ordinal, matched = i, True
                break
    track = audio[ordinal]
    props = track.get("properties", {})
    stream = info.ffprobe_audio[ordinal]
    mkv_lang = {lang for lang in track_languages(props) if len(lang) == 3}
    ff_lang = str(stream.get("tags", {}).get("language") or "").strip().lower()
    if mkv_lang and ff_lang and ff_lang != "und" and not (language_forms(ff_lang) & mkv_lang):
        raise MediaError(f"{info.path}: audio track {track.get('id')} is '{props.get('language')}' for "
                         f"mkvmerge but ffmpeg's audio stream {ordinal} is '{ff_lang}'; the track order "
                         "differs between the tools. Remux the file with mkvmerge and try again.")
    return AudioStreamChoice(
        track_id=int(track.get("id", ordinal)),
        audio_ordinal=ordinal,
        ffmpeg_index=int(stream.get("index", ordinal)),
        language=str(props.get("language") or "und"),
        codec_id=str(props.get("codec_id") or "unknown"),
        language_matched=matched,
    )
