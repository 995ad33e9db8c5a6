"""Extracting tracks of one source into the job's temp directory (docs/pipeline.md#extraction).

Output name (docs/pipeline.md#extraction): ``<temp>/<role, spaces→_>_track_<container stem>_<track id>.<ext>`` with the
extension from :mod:`.codec_ext`, e.g. ``Source_2_track_Movie_3.ass``. The track id is the id in the user's file
(also for non-Matroska sources, which are read through a Matroska copy, see ``probe.py``).

All tracks mkvextract can write are extracted with one ``mkvextract <mkv> tracks id:path …`` call in
container order. ``A_MS/ACM`` audio goes through ffmpeg (docs/pipeline.md#extraction) and MPEG-4 Part 2 video in native
mode (which mkvextract refuses) is copied into a single-track MKV by mkvmerge, shifted so it starts at 0 like
an extracted elementary stream would. Every output is verified to exist and be non-empty (VobSub also needs
its ``.idx``); failures raise a MediaError whose report names the source, the file and each track.

vsg deviations from upstream:

- ACM audio is mapped with ffmpeg's ``0:a:<k>`` where ``k`` counts *all* audio tracks of the container
  before it (upstream counted only the selected ones, mapping the wrong stream for partial selections).
  A stream copy that mkvmerge cannot read back (e.g. MS ADPCM in WAV) falls back to PCM decoding
  (upstream kept the unmuxable copy and the mux failed).
- mkvextract's exit code 1 (warnings only) counts as success; the warning is logged.
- Non-Matroska sources are supported (upstream ran mkvextract on them and failed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MediaError
from ..filenames import temp_name
from ..identification import mkvmerge_identify
from ..log import JobLog, format_log_message
from ..models import Track, TrackType
from ..progress import mkvtoolnix_fraction, tool_progress_sink
from ..runner import quote, run
from .codec_ext import extension_for, is_acm, needs_remux
from .mkvinfo import TrackInfo, parse_identification
from .probe import OpenedSource, open_source, role_slug


@dataclass(frozen=True)
class ExtractedTrack:
    """One extracted track: ``track`` (source = role, the user's track id, container delay) and its file."""

    track: Track
    path: Path

    def to_record(self) -> dict[str, Any]:
        """The upstream record ``{id, type, lang, name, path, codec_id, source}`` (docs/pipeline.md#extraction)."""
        p = self.track.props
        return {"id": self.track.id, "type": self.track.type.value, "lang": p.lang, "name": p.name,
                "path": str(self.path), "codec_id": p.codec_id, "source": self.track.source}


@dataclass(frozen=True)
class Tools:
    mkvmerge: str = "mkvmerge"
    mkvextract: str = "mkvextract"
    ffmpeg: str = "ffmpeg"


def extraction_path(temp_dir: Path | str, role: str, container: Path | str, track_id: int, ext: str) -> Path:
    """Output path of one track (docs/pipeline.md#extraction)."""
    return Path(temp_dir) / temp_name(f"{role_slug(role)}_track_", Path(container).stem, f"_{track_id}.{ext}")


def pcm_codec_for(bits_per_sample: int | None) -> str:
    """ffmpeg PCM encoder for ACM audio that cannot be stream-copied (docs/pipeline.md#extraction)."""
    bits = bits_per_sample or 16
    if bits >= 64:
        return "pcm_f64le"
    if bits >= 32:
        return "pcm_s32le"
    if bits >= 24:
        return "pcm_s24le"
    return "pcm_s16le"


def _size_note(path: Path) -> str:
    if not path.exists():
        return "✗ not created"
    size = path.stat().st_size
    if size == 0:
        return "✗ empty (0 bytes)"
    return f"✓ {size / 1_048_576:.2f} MB"


def _report(title: str, role: str, source: OpenedSource, planned: list[tuple[TrackInfo, int, Path]],
            detail: str, commands: list[str]) -> str:
    lines = [title, f"  Source: {role}", f"  File: {source.original.name}", f"  Path: {source.original}"]
    if source.remuxed:
        lines.append(f"  Read through the Matroska copy: {source.matroska_path}")
    lines.append("  Tracks:")
    for info, user_id, path in planned:
        lines.append(f"    track {user_id} ({info.type.value}, {info.codec_id or '?'}) → {path.name}: "
                     f"{_size_note(path)}")
    if detail:
        lines.append(f"  Tool output: {detail}")
    lines += ["  Possible causes: the file is damaged or truncated, the disk is full, the temp folder is not "
              "writable, or the codec cannot be extracted.",
              "  Try running by hand:"]
    lines += [f"    {c}" for c in commands]
    return "\n".join(lines)


def _tail(stdout: str, stderr: str, n: int = 3) -> str:
    """Last ``n`` meaningful output lines (mkvtoolnix prints errors on stdout, ffmpeg on stderr)."""
    lines = [ln.strip() for ln in f"{stderr}\n{stdout}".replace("\r", "\n").splitlines()]
    lines = [ln.replace("#GUI#error ", "Error: ").replace("#GUI#warning ", "Warning: ") for ln in lines
             if ln and not ln.startswith(("Progress:", "#GUI#progress"))]
    return " | ".join(lines[-n:])


def extract_tracks(container: Path | str, temp_dir: Path | str, role: str,
                   track_ids: Iterable[int] | None = None, log: JobLog | None = None,
                   tools: Tools | None = None, opened: OpenedSource | None = None) -> list[ExtractedTrack]:
    """Extract the tracks ``track_ids`` (all when None) of ``container`` into ``temp_dir``.

    ``opened`` may pass an already opened source (avoids a second ``mkvmerge -J`` / remux). Returns the
    extracted tracks in container order. Raises MediaError naming the file and track on any failure.
    """
    tools = tools or Tools()
    temp_dir = Path(temp_dir)
    temp_dir.mkdir(parents=True, exist_ok=True)
    src = opened or open_source(container, temp_dir, role, log, tools.mkvmerge)
    wanted: set[int] | None = None if track_ids is None else {int(i) for i in track_ids}
    reverse = {v: k for k, v in src.id_map.items()}
    if wanted is not None:
        for uid in sorted(wanted):
            src.mapped_id(uid)  # raises naming the missing track
    chosen = [t for t in sorted(src.info.tracks, key=lambda t: t.id)
              if wanted is None or reverse[t.id] in wanted]
    planned = [(t, reverse[t.id], extraction_path(temp_dir, role, src.original, reverse[t.id],
                                                  extension_for(t.type, t.codec_id))) for t in chosen]
    if not planned:
        return []
    mkv = src.matroska_path
    direct = [(t, uid, p) for t, uid, p in planned if not is_acm(t.codec_id) and not needs_remux(t.codec_id)]
    if direct:
        # --gui-mode: "#GUI#progress N%" lines drive the job's progress display
        cmd = [tools.mkvextract, "--gui-mode", str(mkv), "tracks"] + [f"{t.id}:{p}" for t, _, p in direct]
        proc = run(cmd, log, check=False, what=f"{role} ({src.original.name})",
                   progress=tool_progress_sink(mkvtoolnix_fraction))
        if proc.returncode < 0:
            # mkvextract crashed (seen: it aborts writing an AAC 5.1 track whose codec private data holds a
            # program config element, as ffmpeg's AAC encoder writes for 5.1(side)); the same tracks copied
            # into single-track Matroska files by mkvmerge are muxed just as well
            if log is not None:
                log.log(format_log_message("warning", f"[{role}] mkvextract stopped with exit code "
                                                      f"{proc.returncode} ({_tail(proc.stdout, proc.stderr)}); "
                                                      "copying the tracks with mkvmerge instead"))
            for t, uid, p in direct:
                p.unlink(missing_ok=True)
                _extract_by_remux(src, t, uid, p.with_suffix(".mka" if t.type == TrackType.AUDIO else ".mkv"),
                                  role, log, tools)
            planned = [(t, uid, p.with_suffix(".mka" if t.type == TrackType.AUDIO else ".mkv"))
                       if any(t is d[0] for d in direct) else (t, uid, p) for t, uid, p in planned]
            direct = []
        elif proc.returncode not in (0, 1):
            title = f"TRACK EXTRACTION FAILED (mkvextract exit code {proc.returncode})"
            raise MediaError(_report(title, role, src, direct, _tail(proc.stdout, proc.stderr), [quote(cmd)]))
        if proc.returncode == 1 and log is not None:
            log.log(format_log_message("warning", f"[{role}] mkvextract finished with warnings: "
                                                  f"{_tail(proc.stdout, proc.stderr)}"))
    for t, uid, p in planned:
        if is_acm(t.codec_id):
            _extract_acm(src, t, uid, p, role, log, tools)
        elif needs_remux(t.codec_id):
            _extract_by_remux(src, t, uid, p, role, log, tools)
    if log is not None:
        log.log(f"[{role}] ✓ Successfully extracted {len(planned)} track(s)")
    missing = [(t, uid, p) for t, uid, p in planned if not _complete(p)]
    if missing:
        raise MediaError(_report("POST-EXTRACTION VERIFICATION FAILED", role, src, planned,
                                 "", [f"mkvmerge -J {quote([src.original])}",
                                      f"mkvextract {quote([mkv])} tracks "
                                      + " ".join(f"{t.id}:{p.name}" for t, _, p in missing)]))
    return [ExtractedTrack(_user_track(t.track, role, uid), p) for t, uid, p in planned]


def _complete(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    if path.suffix == ".sub":  # VobSub: mkvextract writes the .idx next to it
        idx = path.with_suffix(".idx")
        return idx.is_file() and idx.stat().st_size > 0
    return True


def _user_track(track: Track, role: str, user_id: int) -> Track:
    return Track(source=role, id=user_id, type=track.type, props=track.props,
                 container_delay_ms=track.container_delay_ms)


def _extract_acm(src: OpenedSource, t: TrackInfo, uid: int, out: Path, role: str, log: JobLog | None,
                 tools: Tools) -> None:
    """ffmpeg stream index (docs/pipeline.md#extraction), fixed: position of the track among all audio tracks of the
    file."""
    audio = sorted(src.info.of_type(TrackType.AUDIO), key=lambda a: a.id)
    k = [a.id for a in audio].index(t.id)
    base = [tools.ffmpeg, "-y", "-v", "error", "-nostdin", "-i", str(src.matroska_path), "-map", f"0:a:{k}",
            "-vn", "-sn"]
    attempts = [[*base, "-c:a", "copy", str(out)],
                [*base, "-acodec", pcm_codec_for(t.audio_bits_per_sample), str(out)]]
    detail = ""
    for cmd in attempts:
        proc = run(cmd, log, check=False, what=f"{role} track {uid}")
        if proc.returncode == 0 and _complete(out):
            if _mkvmerge_reads(out, tools, log):
                return
            detail = f"mkvmerge cannot read the stream-copied {out.name}"
            continue
        detail = _tail(proc.stdout, proc.stderr)
    raise MediaError(_report(f"ACM AUDIO EXTRACTION FAILED (track {uid})", role, src, [(t, uid, out)],
                             detail, [quote(c) for c in attempts]))


def _mkvmerge_reads(path: Path, tools: Tools, log: JobLog | None) -> bool:
    """Whether mkvmerge can mux ``path`` (a stream-copied ACM codec may be one it does not support)."""
    out = mkvmerge_identify(path, log, tools.mkvmerge)
    if not out.data:
        return False
    try:
        info = parse_identification(out.data, path)
    except MediaError:
        return False
    return info.recognized and info.supported and bool(info.tracks)


def _extract_by_remux(src: OpenedSource, t: TrackInfo, uid: int, out: Path, role: str,
                      log: JobLog | None, tools: Tools) -> None:
    """Copy one track mkvextract cannot write into a single-track MKV that starts at 0."""
    sel = {TrackType.VIDEO: ["-d", str(t.id), "-A", "-S"], TrackType.AUDIO: ["-a", str(t.id), "-D", "-S"],
           TrackType.SUBTITLES: ["-s", str(t.id), "-D", "-A"]}[t.type]
    cmd = [tools.mkvmerge, "-o", str(out), *sel, "-B", "-M", "-T", "--no-chapters", "--no-global-tags"]
    if t.container_delay_ms:
        cmd += ["--sync", f"{t.id}:{-t.container_delay_ms:+d}"]
    cmd.append(str(src.matroska_path))
    proc = run(cmd, log, check=False, what=f"{role} track {uid}")
    if proc.returncode not in (0, 1) or not _complete(out):
        raise MediaError(_report(f"TRACK COPY FAILED (track {uid}, {t.codec_id})", role, src, [(t, uid, out)],
                                 _tail(proc.stdout, proc.stderr), [quote(cmd)]))
