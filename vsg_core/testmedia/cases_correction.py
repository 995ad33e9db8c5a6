"""Test cases for audio correction (built on request, shared reference ``ref``).

Stepping sources with an insert, a cut and both — in quiet passages and mid-dialogue, a short scene edit and a
40-second ad break — PAL speed-ups made by resampling (pitch follows) and by pitch-preserving time-stretch, and
linear drift of both signs, each family on a lossless (FLAC) and a lossy codec. Programme times refer to the
NORMAL programme, whose quiet passages are 44.99–50.61 s, 86.87–89.95 s and 169.59–175.40 s
(tests/integration/test_correction_cases.py checks that the "quiet" edits still fall inside them).
"""

from __future__ import annotations

from fractions import Fraction

from .cases import (
    DRIFT_SPEED,
    EPISODE,
    FILM,
    NORMAL,
    PAL,
    PAL_SPEED,
    AudioSpec,
    Case,
    ReleaseSpec,
    SubSpec,
    _ref_release,
)
from .programme import FS, ProgrammeSpec
from .timeline import Piece, TimeMap

QUIET_EDITS = {"step_insert_quiet_flac": 47.5, "step_both_opus": 88.0}


def _edits(spec: ProgrammeSpec, d0: float, edits: list[tuple[float, float]]) -> TimeMap:
    """Release that plays the programme from ``d0``; each edit (programme time, seconds) inserts filler
    (seconds > 0) or cuts programme content (seconds < 0) at that programme time."""
    end = spec.duration_s + 1.0
    pieces, at = [], d0
    for t, sec in sorted(edits):
        pieces.append(Piece(round((t - at) * FS), at))
        if sec > 0:
            pieces.append(Piece(round(sec * FS), None))
            at = t
        else:
            at = t - sec
    pieces.append(Piece(round((end - at) * FS), at))
    return TimeMap(tuple(pieces))


def _step(stem: str, title: str, codec: str, d0: float, edits: list[tuple[float, float]], seed: int
          ) -> ReleaseSpec:
    m = _edits(NORMAL, d0, edits)
    return ReleaseSpec(stem, title, m, m, FILM, (AudioSpec("eng", codec, "eng"),), (SubSpec("eng", "eng"),),
                       seed=seed)


def _speed(stem: str, title: str, codec: str, p0: float, speed: Fraction, method: str, pal: bool, seed: int
           ) -> ReleaseSpec:
    end = NORMAL.duration_s + 1.0
    n = round((end - p0) / float(speed) * FS)
    am = TimeMap((Piece(n, p0, speed, method),))
    vm = TimeMap((Piece(n, p0, speed, "frames"),)) if pal else TimeMap((Piece(round((end - p0) * FS), p0),))
    return ReleaseSpec(stem, title, am, vm, PAL if pal else FILM, (AudioSpec("eng", codec, "eng"),),
                       (SubSpec("eng", "eng"),), seed=seed)


def correction_cases() -> dict[str, Case]:
    ref = _ref_release(NORMAL, "ref", "Reference release", with_dub=True)
    ep_ref = _ref_release(EPISODE, "episode24_ref", "24-minute reference", with_dub=False, seed=10)
    ep_map = _edits(EPISODE, 0.35, [(400.0, 5.0), (900.0, -3.0)])
    shared = {"programme": NORMAL, "reference": ref, "shared_reference": "ref", "default": False}
    rb = ("ffmpeg", "mkvmerge", "espeak-ng", "rubberband")
    cases = [
        Case("step_insert_quiet_flac", "Stepping: 3.0 s filler inserted at programme 47.5 s (a quiet passage), "
             "delay -250 ms before; FLAC.", targets=(
                 _step("step_insert_quiet_flac", "Insert in a quiet passage", "flac", -0.25, [(47.5, 3.0)], 21),),
             diagnosis="STEPPING", **shared),
        Case("step_cut_dialogue_aac", "Stepping: programme 120.0-121.5 s cut mid-dialogue, delay +400 ms "
             "before; AAC.", targets=(
                 _step("step_cut_dialogue_aac", "Cut mid-dialogue", "aac", 0.4, [(120.0, -1.5)], 22),),
             diagnosis="STEPPING", **shared),
        Case("step_both_opus", "Stepping: programme 62.0-64.0 s cut mid-dialogue and 4.0 s filler inserted at "
             "88.0 s (quiet); Opus.", targets=(
                 _step("step_both_opus", "Cut and insert", "opus", -0.1, [(62.0, -2.0), (88.0, 4.0)], 23),),
             diagnosis="STEPPING", **shared),
        Case("step_adbreak_ac3", "Stepping: a 40 s ad break inserted at programme 100.0 s; AC-3 2.0.", targets=(
            _step("step_adbreak_ac3", "Ad break", "ac3", 0.0, [(100.0, 40.0)], 24),),
             diagnosis="STEPPING", **shared),
        Case("pal_resample_flac", "PAL speed-up by resampling (pitch follows), 25 fps; FLAC.", targets=(
            _speed("pal_resample_flac", "PAL by resampling", "flac", 0.3, PAL_SPEED, "resample", True, 25),),
             diagnosis="PAL_DRIFT", **shared),
        Case("pal_stretch_ac3", "PAL speed-up by pitch-preserving time-stretch (rubberband), 25 fps; AC-3.",
             targets=(_speed("pal_stretch_ac3", "PAL by time-stretch", "ac3", 0.7, PAL_SPEED, "tempo", True,
                             26),),
             diagnosis="PAL_DRIFT", tools=rb, **shared),
        Case("drift_neg_flac", "Linear drift -0.5 ms/s (audio clock 1999/2000 slow); FLAC.", targets=(
            _speed("drift_neg_flac", "Slow audio clock", "flac", 0.2, Fraction(1999, 2000), "resample", False,
                   27),),
             diagnosis="LINEAR_DRIFT", **shared),
        Case("drift_pos_opus", "Linear drift +0.5 ms/s (audio clock 2000/1999 fast); Opus.", targets=(
            _speed("drift_pos_opus", "Fast audio clock", "opus", -0.3, DRIFT_SPEED, "resample", False, 28),),
             diagnosis="LINEAR_DRIFT", **shared),
        Case("episode24_stepping", "24-minute stepping release (5.0 s inserted at programme 400 s, 3.0 s cut at "
             "900 s, delay +350 ms before); AC-3 2.0; for the correction benchmark.", EPISODE, ep_ref, targets=(
                 ReleaseSpec("episode24_stepping", "24-minute stepping release", ep_map, ep_map, FILM,
                             (AudioSpec("eng", "ac3", "eng"),), (SubSpec("eng", "eng"),), seed=29),),
             diagnosis="STEPPING", shared_reference="episode24", default=False),
    ]
    return {c.name: c for c in cases}
