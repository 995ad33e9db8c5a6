"""Ground truth of the generated cases: the JSON written next to the media and its parsed form.

Sign convention (docs/analysis.md#sign-convention): for a target release, ``delay = t_ref − t_tgt`` in milliseconds,
where ``t_ref`` / ``t_tgt`` are the *presentation* times (container delays included) at which the same
programme content is heard in the reference and in the target. Positive ⇒ the target is early and must be
shifted later (``mkvmerge --sync TID:+delay``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .timeline import TimeMap

SIGN_CONVENTION = ("delay_ms = t_ref - t_tgt (presentation times of the same content, container delays "
                   "included); positive => the target must be shifted later (mkvmerge --sync TID:+delay)")


@dataclass(frozen=True)
class SubEvent:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Chapter:
    start_s: float
    title: str


@dataclass(frozen=True)
class VideoTrack:
    track_id: int
    codec: str            # as `mkvmerge -J` names it
    fps: str              # "24000/1001" or "25/1"
    frames: int
    width: int
    height: int
    container_delay_ms: int = 0


@dataclass(frozen=True)
class AudioTrack:
    track_id: int
    codec: str                  # as `mkvmerge -J` names it ("FLAC", "AC-3", …)
    codec_key: str              # generator codec id (see encode.CODECS)
    label: str
    language: str               # Matroska legacy code ("eng", "ger")
    name: str
    channels: int
    content: str                # which dialogue it carries: "eng" or "ger" (the M&E bed is shared)
    container_delay_ms: int = 0
    codec_offset_samples: int = 0   # encoder priming compensated by the generator
    noise_snr_db: float | None = None
    lossless: bool = False


@dataclass(frozen=True)
class SubtitleTrack:
    track_id: int
    codec: str
    language: str
    name: str
    events: tuple[SubEvent, ...]


@dataclass(frozen=True)
class Segment:
    ref_start_s: float
    ref_end_s: float
    delay_ms: float


@dataclass(frozen=True)
class SyncTruth:
    """How a target relates to its case's reference (all times on the reference presentation timeline)."""

    diagnosis: str                              # UNIFORM / STEPPING / PAL_DRIFT / LINEAR_DRIFT
    delay_ms: float | None = None               # constant delay (UNIFORM)
    correlation_delay_ms: float | None = None   # what correlating the decoded streams yields (UNIFORM):
    #                                             delay_ms minus the container delays (reference audio
    #                                             minus target audio); the analysis adds it back
    # (docs/analysis.md#container-delays)
    reference_audio_container_delay_ms: int = 0
    drift_ms_per_s: float | None = None         # PAL_DRIFT / LINEAR_DRIFT: d(delay)/d(t_ref)
    delay_at_0_ms: float | None = None          # PAL_DRIFT / LINEAR_DRIFT: delay at t_ref = 0
    segments: tuple[Segment, ...] = ()          # STEPPING (also filled for UNIFORM: one segment)
    removed: tuple[tuple[float, float], ...] = ()   # reference ranges missing from the target
    inserted: tuple[tuple[float, float], ...] = ()  # target ranges (target timeline) not in the reference
    boundaries_ref_s: tuple[float, ...] = ()    # reference times where the delay changes
    accuracy_ms: float = 0.001                  # how exactly the media follow these numbers

    def delay_at(self, t_ref_s: float) -> float | None:
        """Delay (ms) of the content heard at reference time ``t_ref_s``; None if the target lacks it."""
        if self.drift_ms_per_s is not None and self.delay_at_0_ms is not None:
            return self.delay_at_0_ms + self.drift_ms_per_s * t_ref_s
        for s in self.segments:
            if s.ref_start_s <= t_ref_s < s.ref_end_s:
                return s.delay_ms
        return None


@dataclass(frozen=True)
class Release:
    file: str
    path: Path
    role: str                          # "reference" or "target"
    title: str
    duration_s: float
    video: VideoTrack
    audio: tuple[AudioTrack, ...]
    subtitles: tuple[SubtitleTrack, ...]
    chapters: tuple[Chapter, ...]
    audio_map: tuple[dict[str, Any], ...] = ()   # programme time per release time (see timeline.py)
    video_map: tuple[dict[str, Any], ...] = ()
    sync: SyncTruth | None = None


@dataclass(frozen=True)
class GroundTruth:
    case: str
    description: str
    generator_version: str
    params_hash: str
    reference: Release
    targets: tuple[Release, ...]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def target(self) -> Release:
        """The case's target release (cases have at most one)."""
        if not self.targets:
            raise ValueError(f"case {self.case!r} has no target release (it is a reference only)")
        return self.targets[0]

    @property
    def sync(self) -> SyncTruth:
        s = self.target.sync
        assert s is not None
        return s

    def files(self) -> list[Path]:
        return [self.reference.path, *(t.path for t in self.targets)]

    @staticmethod
    def load(path: Path) -> GroundTruth:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return GroundTruth.from_dict(data, Path(path).parent)

    @staticmethod
    def from_dict(d: dict[str, Any], directory: Path) -> GroundTruth:
        return GroundTruth(d["case"], d["description"], d["generator_version"], d["params_hash"],
                           _release(d["reference"], directory),
                           tuple(_release(t, directory) for t in d["targets"]), raw=d)


def _release(d: dict[str, Any], directory: Path) -> Release:
    v = d["video"]
    sync = d.get("sync")
    return Release(
        file=d["file"], path=directory / d["file"], role=d["role"], title=d["title"],
        duration_s=d["duration_s"],
        video=VideoTrack(**v),
        audio=tuple(AudioTrack(**a) for a in d["audio"]),
        subtitles=tuple(SubtitleTrack(s["track_id"], s["codec"], s["language"], s["name"],
                                      tuple(SubEvent(**e) for e in s["events"])) for s in d["subtitles"]),
        chapters=tuple(Chapter(**c) for c in d["chapters"]),
        audio_map=tuple(d.get("audio_map", ())), video_map=tuple(d.get("video_map", ())),
        sync=None if sync is None else SyncTruth(
            diagnosis=sync["diagnosis"], delay_ms=sync.get("delay_ms"),
            correlation_delay_ms=sync.get("correlation_delay_ms"),
            reference_audio_container_delay_ms=sync.get("reference_audio_container_delay_ms", 0),
            drift_ms_per_s=sync.get("drift_ms_per_s"), delay_at_0_ms=sync.get("delay_at_0_ms"),
            segments=tuple(Segment(**s) for s in sync.get("segments", ())),
            removed=tuple(tuple(r) for r in sync.get("removed", ())),  # type: ignore[misc]
            inserted=tuple(tuple(r) for r in sync.get("inserted", ())),  # type: ignore[misc]
            boundaries_ref_s=tuple(sync.get("boundaries_ref_s", ())),
            accuracy_ms=sync.get("accuracy_ms", 0.001),
        ),
    )


def map_json(tmap: TimeMap) -> list[dict[str, Any]]:
    out = []
    for start, p in zip(tmap.starts(), tmap.pieces, strict=True):
        out.append({"rel_start_s": _r(start), "rel_end_s": _r(start + p.seconds),
                    "prog_start_s": None if p.prog_start is None else _r(p.prog_start),
                    "speed": f"{p.speed.numerator}/{p.speed.denominator}", "method": p.method})
    return out


def _r(x: float, nd: int = 9) -> float:
    return round(float(x), nd)


def sync_truth(diagnosis: str, ref_map: TimeMap, ref_cd_s: float, ref_video_cd_s: float,
               ref_duration_s: float, tgt_map: TimeMap, tgt_cd_s: float, accuracy_ms: float = 0.001
               ) -> dict[str, Any]:
    """Ground truth of a target against a reference, derived exactly from the two audio time maps.

    Reference: presentation ``t_ref = A_r⁻¹(q) + cd_r`` for programme time ``q`` (A_r must be a single
    speed-1 piece starting at programme ``p_r``); target: ``t_tgt = A_t⁻¹(q) + cd_t``.
    """
    (rp,) = ref_map.pieces
    assert rp.speed == 1 and rp.prog_start is not None
    p_r = rp.prog_start

    def ref_time(q: float) -> float:
        return q - p_r + ref_cd_s

    out: dict[str, Any] = {"diagnosis": diagnosis, "accuracy_ms": accuracy_ms,
                           "reference_audio_container_delay_ms": round((ref_cd_s - ref_video_cd_s) * 1000)}
    starts = tgt_map.starts()
    prog = [(s, p) for s, p in zip(starts, tgt_map.pieces, strict=True) if p.prog_start is not None]
    if len(prog) == 1 and prog[0][1].speed != 1:
        s0, p = prog[0]
        assert p.prog_start is not None
        sp = float(p.speed)
        # t_tgt = s0 + (q - p0)/sp + cd_t with q = t_ref + p_r - cd_r
        # delay = t_ref (1 - 1/sp) + (p0 - p_r + cd_r)/sp - s0 - cd_t
        out["drift_ms_per_s"] = _r((1 - 1 / sp) * 1000)
        out["delay_at_0_ms"] = _r(((p.prog_start - p_r + ref_cd_s) / sp - s0 - tgt_cd_s) * 1000)
        return out
    segs = []
    for s0, p in prog:
        assert p.speed == 1 and p.prog_start is not None and p.prog_end is not None
        a, b = max(0.0, ref_time(p.prog_start)), min(ref_duration_s, ref_time(p.prog_end))
        if b <= a:
            continue
        delay = (p.prog_start - p_r + ref_cd_s) - (s0 + tgt_cd_s)
        segs.append({"ref_start_s": _r(a), "ref_end_s": _r(b), "delay_ms": _r(delay * 1000, 6)})
    out["segments"] = segs
    removed = []
    for (_, p1), (_, p2) in itertools.pairwise(prog):
        assert p1.prog_end is not None and p2.prog_start is not None
        if p2.prog_start > p1.prog_end + 1e-9:
            removed.append([_r(ref_time(p1.prog_end)), _r(ref_time(p2.prog_start))])
    out["removed"] = removed
    out["inserted"] = [[_r(s), _r(s + p.seconds)] for s, p in zip(starts, tgt_map.pieces, strict=True)
                       if p.prog_start is None]
    out["boundaries_ref_s"] = [sg["ref_start_s"] for sg in segs[1:]]
    if diagnosis == "UNIFORM":
        (sg,) = segs
        out["delay_ms"] = sg["delay_ms"]
        # Correlating the decoded streams ignores both container delays.
        out["correlation_delay_ms"] = _r(sg["delay_ms"] - (ref_cd_s - tgt_cd_s) * 1000, 6)
    return out


def describe_sync(sync: SyncTruth | None) -> str:
    """One-line summary of a target's ground truth (for listings and reports)."""
    if sync is None:
        return "reference"
    if sync.drift_ms_per_s is not None:
        return (f"{sync.diagnosis}: drift {sync.drift_ms_per_s:+.6f} ms/s, "
                f"delay at 0 {sync.delay_at_0_ms:+.6f} ms")
    if sync.diagnosis == "STEPPING":
        segs = ", ".join(f"{s.delay_ms:+.3f} ms [{s.ref_start_s:.4g}-{s.ref_end_s:.4g} s]"
                         for s in sync.segments)
        return f"STEPPING: {segs}"
    extra = ""
    if sync.correlation_delay_ms is not None and sync.correlation_delay_ms != sync.delay_ms:
        extra = (f" (decoded-stream correlation {sync.correlation_delay_ms:+.3f} ms + reference audio "
                 f"container delay {sync.reference_audio_container_delay_ms:+d} ms)")
    return f"{sync.diagnosis}: delay {sync.delay_ms:+.3f} ms{extra}"
