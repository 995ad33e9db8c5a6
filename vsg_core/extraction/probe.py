"""Opening a source file of any container mkvmerge reads (MKV/WebM, MP4/MOV, M2TS/TS, AVI, Ogg, …).

mkvextract only reads Matroska, and for other containers ``mkvmerge -J`` reports neither codec ids nor
minimum timestamps. A non-Matroska source is therefore copied once into a Matroska file in the job's temp
directory (``<temp>/<role>_remux_<stem>.mkv``, a lossless stream copy by mkvmerge, which also normalises
transport-stream timestamps) and everything else — container delays, track extraction, chapters,
attachments — reads that file. Track ids of the original (the ones the user picked) are mapped to the ids
of the copy; :class:`OpenedSource` carries that map.

Files mkvmerge does not recognise, recognises but cannot read, or that hold no video/audio/subtitle
track are refused with a :class:`~vsg_core.errors.MediaError` that names the file and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MediaError
from ..filenames import temp_name
from ..log import JobLog
from ..models import TrackType
from ..runner import run
from .mkvinfo import ContainerInfo, identify

_CONVERT_HINT = "convert it first, e.g. 'ffmpeg -i <file> -map 0 -c copy out.mkv', and add the MKV instead"


def role_slug(role: str) -> str:
    """Source role as used in temp file names: spaces → ``_`` (``Source 2`` → ``Source_2``)."""
    return role.replace(" ", "_")


def check_usable(info: ContainerInfo) -> None:
    """Raise MediaError unless mkvmerge can read ``info.path`` and it holds at least one usable track."""
    name = f"{info.source} ({info.path})"
    if not info.recognized:
        raise MediaError(f"{name}: mkvmerge does not recognise this file's format. vsg reads what mkvmerge "
                         f"reads (MKV/WebM, MP4/MOV, M2TS/TS, AVI, Ogg, …); {_CONVERT_HINT}")
    if not info.supported:
        raise MediaError(f"{name}: mkvmerge recognises the format ({info.container_type or 'unknown'}) but "
                         f"cannot read it; {_CONVERT_HINT}")
    if info.errors:
        raise MediaError(f"{name}: mkvmerge reported errors while identifying the file: "
                         f"{'; '.join(info.errors)}")
    if not info.tracks:
        raise MediaError(f"{name}: the file has no video, audio or subtitle track that mkvmerge can read")


@dataclass(frozen=True)
class OpenedSource:
    """A source ready for extraction; ``info`` describes the Matroska file to read (original or copy)."""

    original: Path
    info: ContainerInfo
    original_info: ContainerInfo
    id_map: dict[int, int] = field(default_factory=dict)  # original track id → id in info.path

    @property
    def matroska_path(self) -> Path:
        return self.info.path

    @property
    def remuxed(self) -> bool:
        return self.info.path != self.original

    def mapped_id(self, original_id: int) -> int:
        try:
            return self.id_map[original_id]
        except KeyError:
            known = ", ".join(str(i) for i in sorted(self.id_map)) or "none"
            raise MediaError(f"{self.info.source} ({self.original}): no track with id {original_id} "
                             f"(track ids in this file: {known})") from None


def remux_path(temp_dir: Path, role: str, original: Path) -> Path:
    return Path(temp_dir) / temp_name(f"{role_slug(role)}_remux_", original.stem, ".mkv")


def open_source(path: Path | str, temp_dir: Path | str, source: str = "Source 1", log: JobLog | None = None,
                mkvmerge: str = "mkvmerge") -> OpenedSource:
    """Identify ``path``; copy a non-Matroska file into ``temp_dir`` as MKV. MediaError if unusable."""
    path = Path(path)
    info = identify(path, source, log, mkvmerge)
    check_usable(info)
    if info.is_matroska:
        return OpenedSource(path, info, info, {t.id: t.id for t in info.tracks})
    out = remux_path(Path(temp_dir), source, path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if log is not None:
        log.log(f"[{source}] {info.container_type} file: copying it into Matroska for extraction "
                f"({out.name})")
    _copy(mkvmerge, path, out, [], source, info, log)
    copy = identify(out, source, log, mkvmerge)
    check_usable(copy)
    sync = _priming_syncs(path, info, out, source, log)
    if sync:
        _copy(mkvmerge, path, out, sync, source, info, log)
        copy = identify(out, source, log, mkvmerge)
        check_usable(copy)
    return OpenedSource(path, copy, info, _map_ids(info, copy))


def _copy(mkvmerge: str, path: Path, out: Path, sync: list[str], source: str, info: ContainerInfo,
          log: JobLog | None) -> None:
    proc = run([mkvmerge, "-o", str(out), *sync, str(path)], log, check=False, what=str(path))
    if proc.returncode not in (0, 1) or not out.is_file():
        raise MediaError(f"{source} ({path}): mkvmerge could not copy the {info.container_type} file into "
                         f"Matroska (exit code {proc.returncode}): {_last_line(proc.stdout, proc.stderr)}; "
                         f"{_CONVERT_HINT}")


def _priming_syncs(path: Path, info: ContainerInfo, copy: Path, source: str, log: JobLog | None) -> list[str]:
    """``--sync`` options that make the copy play each audio track where ffmpeg decodes the original (an MP4
    edit list's AAC priming, which mkvmerge keeps: docs/pipeline.md#identification); [] when none is needed."""
    from ..tools import which
    from .remux_offset import copy_lag_ms

    ffmpeg = which("ffmpeg")
    if ffmpeg is None:
        return []
    audio = sorted((t for t in info.tracks if t.type == TrackType.AUDIO), key=lambda t: t.id)
    sync: list[str] = []
    for ordinal, track in enumerate(audio):
        lag = copy_lag_ms(path, copy, ordinal, ffmpeg, log)
        if lag is None or abs(lag) < 1.0:
            continue
        if log is not None:
            log.log(f"[{source}] The Matroska copy plays audio track {track.id} {lag:+.2f} ms later than ffmpeg "
                    f"decodes {path.name} (encoder priming its container drops): copying it again with "
                    f"--sync {track.id}:{-round(lag):+d}")
        sync += ["--sync", f"{track.id}:{-round(lag):+d}"]
    return sync


def _map_ids(original: ContainerInfo, copy: ContainerInfo) -> dict[int, int]:
    """mkvmerge writes the tracks of one input in input order; pair them by position and check the types."""
    a = sorted(original.tracks, key=lambda t: t.id)
    b = sorted(copy.tracks, key=lambda t: t.id)
    if len(a) != len(b) or any(x.type != y.type for x, y in zip(a, b, strict=True)):
        raise MediaError(
            f"{original.source} ({original.path}): the Matroska copy has different tracks "
            f"({', '.join(f'{t.id}:{t.type}' for t in b)}) than the original "
            f"({', '.join(f'{t.id}:{t.type}' for t in a)}); {_CONVERT_HINT}")
    return {x.id: y.id for x, y in zip(a, b, strict=True)}


def _last_line(*texts: str) -> str:
    for text in texts:
        lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
        if lines:
            return lines[-1]
    return "no error output"
