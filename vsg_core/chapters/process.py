"""The chapters step: Source 1 chapters → shifted, snapped, cleaned XML for mkvmerge (docs/chapters.md#flow).

Order of edits: keyframe snap (optional) → shift → normalise/dedupe → rename (optional) → write.

vsg deviation (the original's quirk, docs/chapters.md#keyframe-snap): snapping happens *before* the shift, against the
keyframes of Source 1 in Source 1's own timeline. The video is muxed with ``--sync +global_shift`` so its keyframes move
by the same shift; snapping first and shifting afterwards lands every snapped chapter exactly on a keyframe of
the muxed video (upstream shifted first and snapped against unshifted keyframes, landing ``shift`` away).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MediaError
from ..filenames import temp_name
from ..log import JobLog, format_log_message
from ..models import SnapMode
from ..runner import run
from .document import ChapterDocument
from .keyframes import probe_keyframes
from .times import NS_PER_MS


@dataclass(frozen=True)
class ChapterOptions:
    """Settings of the chapters step (defaults from the central config)."""

    rename: bool = False
    snap: bool = False
    snap_mode: SnapMode = SnapMode.PREVIOUS
    snap_threshold_ms: int = 250
    snap_starts_only: bool = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ChapterOptions:
        """From the settings dict keys ``rename_chapters``, ``snap_chapters``, ``snap_mode``,
        ``snap_threshold_ms``, ``snap_starts_only``. An unknown snap mode behaves as nearest
        (docs/chapters.md#keyframe-snap)."""
        mode = str(settings.get("snap_mode", "previous"))
        return cls(
            rename=bool(settings.get("rename_chapters", False)),
            snap=bool(settings.get("snap_chapters", False)),
            snap_mode=SnapMode.PREVIOUS if mode == SnapMode.PREVIOUS.value else SnapMode.NEAREST,
            snap_threshold_ms=int(settings.get("snap_threshold_ms", 250)),
            snap_starts_only=bool(settings.get("snap_starts_only", True)),
        )


def output_path(temp_dir: Path | str, source1: Path | str) -> Path:
    """``<temp>/<Source 1 stem>_chapters_modified.xml`` (docs/chapters.md#flow)."""
    return Path(temp_dir) / temp_name("", Path(source1).stem, "_chapters_modified.xml")


def process_chapters(xml_text: str | bytes, global_shift_ms: int, options: ChapterOptions = ChapterOptions(),
                     keyframes_ns: Sequence[int] | None = None, log: JobLog | None = None) -> str:
    """Apply snap (when ``options.snap`` and keyframes are given) → shift → normalise → rename; return XML.

    Raises ValueError for malformed XML or chapter times.
    """
    doc = ChapterDocument.parse(xml_text)
    if options.snap:
        if keyframes_ns:
            st = doc.snap(keyframes_ns, options.snap_mode, options.snap_threshold_ms, options.snap_starts_only)
            _log(log, f"[Chapters] Snapped {st.snapped} chapter time(s) to keyframes "
                      f"(mode {options.snap_mode.value}, threshold {options.snap_threshold_ms} ms); "
                      f"{st.on_keyframe} already on a keyframe, {st.too_far} too far")
            if st.moves_ms:
                _log(log, "[Chapters] Snap moves (ms): " + ", ".join(f"{m:+.3f}" for m in st.moves_ms))
        else:
            _log(log, "[Chapters] No keyframes found; snapping skipped.")
    shifted = doc.shift(int(global_shift_ms) * NS_PER_MS)
    if shifted:
        _log(log, f"[Chapters] Shifted {shifted} chapter time(s) by {int(global_shift_ms):+d} ms")
    removed = doc.normalise()
    if removed:
        _log(log, f"[Chapters] Removed {removed} chapter(s) with a duplicate start time")
    if options.rename:
        _log(log, f"[Chapters] Renamed {doc.rename()} chapter(s) to 'Chapter NN'")
    return doc.to_xml()


def extract_chapters_xml(container: Path | str, log: JobLog | None = None,
                         mkvextract: str = "mkvextract") -> str | None:
    """``mkvextract <container> chapters -``; None when the file has no chapters. MediaError on failure."""
    proc = run([mkvextract, str(container), "chapters", "-"], log, binary=True, check=False,
               what=str(container))
    if proc.returncode not in (0, 1):
        raise MediaError(f"mkvextract could not read the chapters of {container} (exit code {proc.returncode}): "
                         f"{(proc.stdout.decode('utf-8', 'replace') or proc.stderr).strip()[-300:]}")
    text = proc.stdout.decode("utf-8-sig", errors="replace").lstrip("\ufeff")
    return text if text.strip() else None


def prepare_chapters(source1: Path | str, temp_dir: Path | str, global_shift_ms: int,
                     options: ChapterOptions = ChapterOptions(), log: JobLog | None = None,
                     mkvextract: str = "mkvextract", ffprobe: str = "ffprobe", *,
                     read_xml: Callable[[], str | None] | None = None,
                     read_keyframes: Callable[[], list[int]] | None = None) -> Path | None:
    """The chapters step (docs/chapters.md#flow): returns the written XML path, or None (no chapters or any error).

    Never raises: errors are logged (``[ERROR]``/``[INFO]``/``[HINT]``) and the job continues without
    chapters. ``source1`` must be a Matroska file (pass the Matroska copy of a non-Matroska Source 1).
    ``read_xml`` / ``read_keyframes`` stand in for :func:`extract_chapters_xml` / :func:`probe_keyframes` of
    ``source1`` (the pipeline passes the result of the same call run in the background); their errors are
    handled alike.
    """
    source1 = Path(source1)
    try:
        xml_text = read_xml() if read_xml is not None else extract_chapters_xml(source1, log, mkvextract)
        if xml_text is None:
            _log(log, "[Chapters] Source 1 has no chapters.")
            return None
        keyframes = None
        if options.snap:
            keyframes = read_keyframes() if read_keyframes is not None else probe_keyframes(source1, log, ffprobe)
        out = output_path(temp_dir, source1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(process_chapters(xml_text, global_shift_ms, options, keyframes, log), encoding="utf-8")
        _log(log, f"[Chapters] Wrote {out.name}")
        return out
    except (MediaError, ValueError, OSError) as exc:
        _log(log, format_log_message("error", f"[Chapters] Could not process the chapters of {source1}: {exc}"))
        _log(log, format_log_message("info", "[Chapters] The output will be muxed without chapters."))
        _log(log, "[HINT] Check the chapters with: mkvextract "
                  f"'{source1}' chapters -")
        return None


def _log(log: JobLog | None, msg: str) -> None:
    if log is not None:
        log.log(msg)
