"""Realistic, cached test media with exact ground truth: several "releases" of ONE synthetic programme.

Usage::

    from vsg_core.testmedia import build_case, build_all, CASES, GroundTruth
    files = build_case("delay_pos")          # builds only what is not cached
    files.reference, files.other             # Paths of the MKVs
    files.truth.sync.delay_ms                # 1234.567

CLI: ``vsg media build [--cases NAME …] [--out DIR]`` and ``vsg media list``.

Cache: ``<repo>/.cache/testmedia/<GENERATOR_VERSION>/`` (override with ``$VSG_MEDIA_CACHE`` or ``out=``);
per case ``<case>.json`` (ground truth) next to the ``.mkv`` files. A case is rebuilt when its JSON is
missing, its ``params_hash`` (all parameters + generator version + a fingerprint of this package's source)
differs, or a media file is missing.
Files are written under temporary names and renamed when complete; the JSON is written last. Builds are
serialised by a lock file. Everything is deterministic for the fixed seeds (mkvmerge ``--deterministic``).

Sign convention (docs/analysis.md#sign-convention)
------------------------------------
``delay_ms = t_ref − t_tgt``, the presentation times (container delays included) at which the same
content is heard in the reference and in the target; positive ⇒ shift the target later
(``mkvmerge --sync TID:+delay``). A target that plays the programme from programme time ``p`` (its first
sample is programme time ``p``) against the reference that starts at programme 0 has ``delay = +p``.

The programme (``programme.py``, ``speech.py``)
-----------------------------------------------
48 kHz, programme time −12 s … 222 s (the reference shows 0 … 210 s): an aperiodic music bed (scenes with
random tempo/key/timbre, random-walk melodies, chords, bass, percussion from fresh noise with random drops
and jitter), effects (noise bursts, sweeps, impacts), quiet passages (music ducked to −40 dB for 3–6 s,
listed in the JSON), −50 dBFS pink room tone; an English and a German dialogue stem from espeak-ng
(sentences at seeded times, each one a subtitle event). English mix = bed + English stem; the German dub
mix = the *same* bed + German stem. Video (``video.py``): 320×180 H.264 showing the programme time, a
per-scene colour and a binary code of the programme millisecond.

Releases are cut from the programme by a time map (``timeline.py``): a list of pieces, each playing the
programme from a (fractional) start at a speed, or filler. Fractional starts use a 257-tap windowed-sinc
interpolator (error ≈ 1e-6 of full scale); encoder priming is measured per codec and compensated
(``encode.py``) so the decoded audio is exactly the rendered audio. Subtitle events and chapters follow the
release's video map; a sentence cut by the release's start/end is clipped, one across an internal cut is
dropped.

Cases (``cases.py``); track ids: video 0, then audio, then subtitles
--------------------------------------------------------------------
``ref``  ``ref.mkv``: programme 0 … 210 s; FLAC 2.0 eng (id 1), AC-3 2.0 ger dub mix (id 2, not default),
    ASS eng (id 3) + ger (id 4), chapters at the scene starts; 24000/1001 fps.
``delay_pos``  ``delay_pos.mkv`` plays programme 1.234567 … 211.5 s ⇒ ``delay_ms = +1234.567``;
    AC-3 5.1 448 kbps (FL/FR = bed, FC = dialogue + bed, zero-phase LFE / surround filters).
``delay_neg``  plays programme −0.98725 … 211.5 s ⇒ ``delay_ms = −987.25``; Opus 2.0 128 kbps.
``dub``  German mix, plays programme 0.733125 … 211.5 s ⇒ ``delay_ms = +733.125``; AAC 2.0 192 kbps, ger
    ASS with the German sentences.
``stepping``  AC-3 2.0. Release = programme 0.3125 … 85.0 s, then 2.0 s filler (−60 dBFS noise, grey
    frames), then programme 85.0 … 142.0 s, then programme 144.5 … 211.0 s (142.0 … 144.5 s cut). Segments
    on the reference timeline: [0.3125, 85) +312.5 ms; [85, 142) −1687.5 ms; [144.5, 210) +812.5 ms;
    ``removed`` [142.0, 144.5]; ``inserted`` (target timeline) [84.6875, 86.6875];
    ``boundaries_ref_s`` [85.0, 144.5]. Subtitle events that straddle a cut are dropped.
``pal``  25 fps; release time t shows programme 0.5 + t·1001/960 (video frame k = programme frame k,
    audio via ``rubberband --time 960/1001`` with pitch kept); AAC 2.0 160 kbps. delay(t_ref) =
    t_ref·(1 − 960/1001) + 0.5·960/1001 s ⇒ ``drift_ms_per_s = 40.959041``, ``delay_at_0_ms = 479.520480``.
    Timing follows rubberband (R2 engine): measured within 1 ms of the nominal map, declared
    ``accuracy_ms = 2`` (all other cases are exact: ``accuracy_ms = 0.001``).
``drift``  picture: programme −0.25 + t; audio: programme −0.25 + t·2000/1999 (polyphase resampling: a fast
    audio clock, pitch follows) ⇒ ``drift_ms_per_s = 0.5``, ``delay_at_0_ms = −249.875``; E-AC-3 2.0; the
    subtitles follow the picture.
``container_delay``  ``container_delay_ref.mkv``: like ``ref`` (eng only) but its FLAC stream starts at
    programme 0.153 s and is muxed with ``--sync 0:+153`` (``minimum_timestamp`` 153 ms), so it is in sync
    with the video. ``container_delay.mkv`` plays programme 0.6124 … 211.5 s (Opus 96 kbps) ⇒
    ``delay_ms = +612.4`` (presentation); correlating the decoded streams gives
    ``correlation_delay_ms = +459.4``; ``reference_audio_container_delay_ms = 153`` (the analysis adds it,
    docs/analysis.md#container-delays).
``noisy``  plays programme −0.444875 … 211.5 s ⇒ ``delay_ms = −444.875``; independent pink noise per
    channel at 6 dB SNR (≈ 9 dB after a mono downmix), MP3 2.0 40 kbps.
``episode24``  (not built by default) a 1440 s programme (other seed): ``episode24_ref.mkv`` (FLAC eng +
    ASS + chapters) and ``episode24.mkv`` playing programme 2.345678 … 1441.5 s ⇒ ``delay_ms = +2345.678``;
    AC-3 2.0 192 kbps.

Ground truth JSON (``truth.py``): per release the file, duration, tracks (id, codec as ``mkvmerge -J``
names it, language, name, channels, container delay, compensated codec offset), subtitle events and
chapters on the release's own timeline (as written: ASS centiseconds, chapter milliseconds), the audio and
video time maps, and for targets ``sync``: diagnosis, ``delay_ms`` / ``correlation_delay_ms`` (uniform),
``segments`` / ``removed`` / ``inserted`` / ``boundaries_ref_s`` (stepping), ``drift_ms_per_s`` /
``delay_at_0_ms`` (PAL / linear drift). ``SyncTruth.delay_at(t_ref)`` evaluates any of them.
"""

from __future__ import annotations

from .cache import GENERATOR_VERSION, cache_dir
from .cases import CASES, DEFAULT_CASES, Case, CaseFiles, build_all, build_case, is_cached
from .truth import GroundTruth, Release, SyncTruth, describe_sync

__all__ = [
    "CASES",
    "DEFAULT_CASES",
    "GENERATOR_VERSION",
    "Case",
    "CaseFiles",
    "GroundTruth",
    "Release",
    "SyncTruth",
    "build_all",
    "build_case",
    "cache_dir",
    "describe_sync",
    "is_cached",
]
