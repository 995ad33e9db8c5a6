"""Reach cases: offsets far beyond the ±15 s chunk search and steps of any size (docs/reach.md).

Every case is built on request only (``default=False``). Two sets:

* the CI set on a 5-minute programme (``reach_short_ref``, FLAC): ``reach_short_pos40`` (the first 40.321125 s
  missing, AAC) and ``reach_short_ad90`` (a 90 s ad break inserted at 2:30, E-AC-3, +250 ms before it);
* the full set on a 12-minute programme (``reach_ref``, FLAC), run by tests/integration/test_reach_media.py
  only with ``VSG_REACH_FULL=1``:

* ``reach_pos40`` / ``reach_neg40``: the first 40.321125 s missing (AAC) / 39.7125 s of other content in
  front (Opus);
* ``reach_pos300`` / ``reach_neg300``: five minutes missing (E-AC-3) / five minutes in front (AC-3);
* ``reach_recap``: a 90-second recap missing (+90.1875 s, Opus 96 kbps);
* ``reach_ident``: a 2-minute channel ident in front (−119.84375 s, AAC);
* ``reach_ad30`` / ``reach_ad90`` / ``reach_ad180``: an ad break of 30 s, 90 s or 3 minutes inserted at
  5:30 of the target (AC-3, E-AC-3, AAC), the programme otherwise at +250 ms;
* ``reach_adcut``: the reference's 90-second ad break at 5:30 missing from the target (Opus).

Inserted content is filler (room tone at −60 dBFS, grey frames), as the generator's other inserts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .programme import FS, ProgrammeSpec
from .timeline import Piece, TimeMap

if TYPE_CHECKING:
    from .cases import Case, ReleaseSpec

REACH = ProgrammeSpec(seed=20241010, duration_s=720.0, scene_len_s=(40.0, 90.0), quiet_every_s=150.0)
REACH_SHORT = ProgrammeSpec(seed=20241011, duration_s=300.0, scene_len_s=(40.0, 90.0), quiet_every_s=150.0)
AD_AT_S = 330.0          # programme time of the ad break
SHORT_AD_AT_S = 150.0    # … in the short programme
AD_LEAD_S = 0.25         # the programme starts this late in every ad-break target (+250 ms)
TAIL_S = 1.5


def _pieces(*parts: tuple[float, float | None]) -> TimeMap:
    """Pieces from (release seconds, programme start or None for filler)."""
    return TimeMap(tuple(Piece(round(sec * FS), start) for sec, start in parts))


def _release(stem: str, title: str, tmap: TimeMap, codec: str, seed: int) -> ReleaseSpec:
    from .cases import FILM, AudioSpec, ReleaseSpec, SubSpec

    return ReleaseSpec(stem, title, tmap, tmap, FILM, (AudioSpec("eng", codec, "eng"),),
                       (SubSpec("eng", "eng"),), seed=seed)


def reach_cases() -> list[Case]:
    """The reach cases, registered by ``cases._cases``."""
    from .cases import Case, _const, _ref_release

    d = REACH.duration_s
    ref = _ref_release(REACH, "reach_ref", "12-minute reference for the reach cases", with_dub=False, seed=30)
    shared = {"programme": REACH, "reference": ref, "shared_reference": "reach_ref", "default": False}

    def front(filler_s: float, p0: float) -> TimeMap:
        return _pieces((filler_s, None), (d + TAIL_S - p0, p0))

    def ad(insert_s: float, at: float = AD_AT_S, dur: float = d) -> TimeMap:
        return _pieces((at - AD_LEAD_S, AD_LEAD_S), (insert_s, None), (dur + TAIL_S - at, at))

    ds = REACH_SHORT.duration_s
    sref = _ref_release(REACH_SHORT, "reach_short_ref", "5-minute reference for the reach CI cases",
                        with_dub=False, seed=41)
    short = {"programme": REACH_SHORT, "reference": sref, "shared_reference": "reach_short_ref", "default": False}

    cut_s = 90.0
    adcut = _pieces((AD_AT_S - AD_LEAD_S, AD_LEAD_S),
                    (d + TAIL_S - AD_AT_S - cut_s, AD_AT_S + cut_s))
    return [
        Case("reach_short_ref", "5-minute reference (FLAC) of the reach CI cases.", REACH_SHORT, sref,
             default=False),
        Case("reach_short_pos40", "The first 40.321125 s missing: constant delay +40321.125 ms, AAC 2.0.",
             targets=(_const("reach_short_pos40", "Short release missing its first 40 s", REACH_SHORT, 40.321125,
                             "aac", seed=42),), diagnosis="UNIFORM", **short),
        Case("reach_short_ad90", "90 s ad break inserted at 2:30: +250 ms, then -89750 ms; E-AC-3 2.0.",
             targets=(_release("reach_short_ad90", "Short TV capture with a 90 s ad break",
                               ad(90.0, SHORT_AD_AT_S, ds), "eac3", 43),), diagnosis="STEPPING", **short),
        Case("reach_ref", "12-minute reference (FLAC) of the reach cases.", REACH, ref, default=False),
        Case("reach_pos40", "The first 40.321125 s missing: constant delay +40321.125 ms, AAC 2.0.",
             targets=(_const("reach_pos40", "Release missing its first 40 s", REACH, 40.321125, "aac",
                             seed=31),), diagnosis="UNIFORM", **shared),
        Case("reach_neg40", "39.7125 s of other content in front: constant delay -39712.5 ms, Opus 2.0.",
             targets=(_release("reach_neg40", "Release with 40 s in front", front(40.0, 0.2875), "opus", 32),),
             diagnosis="UNIFORM", **shared),
        Case("reach_pos300", "The first 5 minutes missing: constant delay +300062.5 ms, E-AC-3 2.0.",
             targets=(_const("reach_pos300", "Release missing its first 5 minutes", REACH, 300.0625, "eac3",
                             seed=33),), diagnosis="UNIFORM", **shared),
        Case("reach_neg300", "5 minutes of other content in front: constant delay -299562.5 ms, AC-3 2.0.",
             targets=(_release("reach_neg300", "Release with 5 minutes in front", front(300.0, 0.4375), "ac3",
                               34),), diagnosis="UNIFORM", **shared),
        Case("reach_recap", "A 90-second recap missing: constant delay +90187.5 ms, Opus 96 kbps.",
             targets=(_const("reach_recap", "Release without the recap", REACH, 90.1875, "opus96", seed=35),),
             diagnosis="UNIFORM", **shared),
        Case("reach_ident", "A 2-minute channel ident in front: constant delay -119843.75 ms, AAC 2.0.",
             targets=(_release("reach_ident", "Release with a 2-minute ident", front(120.0, 0.15625), "aac",
                               36),), diagnosis="UNIFORM", **shared),
        Case("reach_ad30", "30 s ad break inserted at 5:30: +250 ms, then -29750 ms; AC-3 2.0.",
             targets=(_release("reach_ad30", "TV capture with a 30 s ad break", ad(30.0), "ac3", 37),),
             diagnosis="STEPPING", **shared),
        Case("reach_ad90", "90 s ad break inserted at 5:30: +250 ms, then -89750 ms; E-AC-3 2.0.",
             targets=(_release("reach_ad90", "TV capture with a 90 s ad break", ad(90.0), "eac3", 38),),
             diagnosis="STEPPING", **shared),
        Case("reach_ad180", "3-minute ad break inserted at 5:30: +250 ms, then -179750 ms; AAC 2.0.",
             targets=(_release("reach_ad180", "TV capture with a 3-minute ad break", ad(180.0), "aac", 39),),
             diagnosis="STEPPING", **shared),
        Case("reach_ad300", "5-minute ad break inserted at 5:30: +250 ms, then -299750 ms; FLAC 2.0.",
             targets=(_release("reach_ad300", "TV capture with a 5-minute ad break", ad(300.0), "flac", 45),),
             diagnosis="STEPPING", **shared),
        Case("reach_adcut", "Programme 5:30-7:00 (90 s) missing: +250 ms, then +90250 ms; Opus 2.0.",
             targets=(_release("reach_adcut", "Release without a 90 s stretch", adcut, "opus", 40),),
             diagnosis="STEPPING", **shared),
    ]
