"""The test cases: which releases of the programme each case builds, and the build itself.

See the package docstring (``vsg_core/testmedia/__init__.py``) for the exact construction of every case.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

from ..errors import VsgError
from ..tools import ToolSet, require
from .cache import (
    GENERATOR_VERSION,
    atomic_path,
    build_lock,
    cache_dir,
    case_lock,
    params_hash,
    write_json_atomic,
)
from .encode import CODECS, MuxInput, codec_offset, encode_audio, mux, write_ass, write_chapters
from .programme import FS, Programme, ProgrammeSpec, _pink, synthesize
from .timeline import Piece, TimeMap, offset_map, render
from .truth import SIGN_CONVENTION, GroundTruth, map_json, sync_truth
from .video import H, W, encode_video

FILM = Fraction(24000, 1001)
PAL = Fraction(25)
PAL_SPEED = PAL / FILM                 # 1001/960: programme seconds per PAL-release second
DRIFT_SPEED = Fraction(2000, 1999)     # 0.5 ms of delay per second of reference time

NORMAL = ProgrammeSpec()
EPISODE = ProgrammeSpec(seed=20240624, duration_s=1440.0, scene_len_s=(70.0, 160.0), quiet_every_s=240.0)

LANG_NAMES = {"eng": "English", "ger": "Deutsch"}

# Audio contents other than a dialogue stem over the bed (registered by cases_hard): content name →
# (programme, release, audio spec, codec offset) → PCM (release samples × codec channels, rendered
# ``offset`` samples early like the dialogue mixes), and its track-name label.
AUDIO_RENDERERS: dict[str, Callable[[Programme, ReleaseSpec, AudioSpec, int], np.ndarray]] = {}

Log = Callable[[str], None]


@dataclass(frozen=True)
class AudioSpec:
    content: str        # dialogue stem: "eng" or "ger"
    codec: str          # key of encode.CODECS
    language: str       # Matroska language
    default: bool = True


@dataclass(frozen=True)
class SubSpec:
    content: str        # which dialogue's sentences become events
    language: str


@dataclass(frozen=True)
class ReleaseSpec:
    stem: str                       # file name without .mkv
    title: str
    audio_map: TimeMap              # programme time per release time, for the audio stream
    video_map: TimeMap              # … for the video frames, subtitles and chapters
    fps: Fraction
    audio: tuple[AudioSpec, ...]
    subs: tuple[SubSpec, ...]
    audio_container_delay_ms: int = 0   # mkvmerge --sync on every audio track
    noise_snr_db: float | None = None
    seed: int = 1


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    programme: ProgrammeSpec
    reference: ReleaseSpec
    targets: tuple[ReleaseSpec, ...] = ()
    diagnosis: str | None = None            # expected diagnosis of the target(s)
    shared_reference: str | None = None     # case that builds the reference (None: built here)
    default: bool = True                    # part of build_all() / the test session
    tools: tuple[str, ...] = field(default=("ffmpeg", "mkvmerge", "espeak-ng"))


@dataclass(frozen=True)
class CaseFiles:
    """What :func:`build_case` returns: the media paths and the parsed ground truth."""

    name: str
    directory: Path
    reference: Path
    others: tuple[Path, ...]
    truth: GroundTruth
    truth_path: Path

    @property
    def other(self) -> Path:
        if len(self.others) != 1:
            raise ValueError(f"case {self.name!r} has {len(self.others)} other releases")
        return self.others[0]


# --------------------------------------------------------------------------------------------- definitions


def _ref_release(spec: ProgrammeSpec, stem: str, title: str, with_dub: bool, audio_cd_ms: int = 0,
                 seed: int = 1) -> ReleaseSpec:
    d = spec.duration_s
    cd = audio_cd_ms / 1000
    audio = (AudioSpec("eng", "flac", "eng"),) + ((AudioSpec("ger", "ac3", "ger", default=False),) if with_dub
                                                  else ())
    subs = (SubSpec("eng", "eng"),) + ((SubSpec("ger", "ger"),) if with_dub else ())
    # With a container delay the audio stream starts cd later in the programme and is presented cd later,
    # so it stays in sync with the video.
    return ReleaseSpec(stem, title, offset_map(cd, d - cd), offset_map(0.0, d), FILM, audio, subs,
                       audio_container_delay_ms=audio_cd_ms, seed=seed)


def _const(stem: str, title: str, spec: ProgrammeSpec, delay_s: float, codec: str, content: str = "eng",
           tail_s: float = 1.5, noise: float | None = None, seed: int = 2) -> ReleaseSpec:
    """Target with a constant delay: it plays the programme from ``delay_s`` (so t_tgt = t_ref − delay)."""
    m = offset_map(delay_s, spec.duration_s + tail_s - delay_s)
    return ReleaseSpec(stem, title, m, m, FILM, (AudioSpec(content, codec, content),),
                       (SubSpec(content, content),), noise_snr_db=noise, seed=seed)


def _stepping(spec: ProgrammeSpec) -> ReleaseSpec:
    d0, p1, ins, p2, rem, end = 0.3125, 85.0, 2.0, 142.0, 2.5, spec.duration_s + 1.0
    m = TimeMap((
        Piece(round((p1 - d0) * FS), d0),
        Piece(round(ins * FS), None),                # inserted bumper: -60 dBFS room tone, grey frames
        Piece(round((p2 - p1) * FS), p1),
        Piece(round((end - p2 - rem) * FS), p2 + rem),  # programme p2 … p2+rem is missing
    ))
    return ReleaseSpec("stepping", "Stepping release (insert + cut)", m, m, FILM,
                       (AudioSpec("eng", "ac3", "eng"),), (SubSpec("eng", "eng"),), seed=5)


def _pal(spec: ProgrammeSpec) -> ReleaseSpec:
    p0, end = 0.5, spec.duration_s + 1.0
    n = round((end - p0) / float(PAL_SPEED) * FS)
    am = TimeMap((Piece(n, p0, PAL_SPEED, "tempo"),))
    vm = TimeMap((Piece(n, p0, PAL_SPEED, "frames"),))
    return ReleaseSpec("pal", "PAL speed-up release (25 fps)", am, vm, PAL,
                       (AudioSpec("eng", "aac_pal", "eng"),), (SubSpec("eng", "eng"),), seed=6)


def _drift(spec: ProgrammeSpec) -> ReleaseSpec:
    p0, dur = -0.25, spec.duration_s + 0.5
    am = TimeMap((Piece(round(dur * FS), p0, DRIFT_SPEED, "resample"),))
    vm = offset_map(p0, dur)  # the picture is in sync; only the audio clock runs fast
    return ReleaseSpec("drift", "Linear drift release", am, vm, FILM,
                       (AudioSpec("eng", "eac3", "eng"),), (SubSpec("eng", "eng"),), seed=7)


def _cases() -> dict[str, Case]:
    ref = _ref_release(NORMAL, "ref", "Reference release", with_dub=True)
    cd_ref = _ref_release(NORMAL, "container_delay_ref", "Reference with audio container delay",
                          with_dub=False, audio_cd_ms=153, seed=8)
    ep_ref = _ref_release(EPISODE, "episode24_ref", "24-minute reference", with_dub=False, seed=10)
    shared = {"programme": NORMAL, "reference": ref, "shared_reference": "ref"}
    cases = [
        Case("ref", "Reference release: H.264 24000/1001 fps, English FLAC 2.0 + German AC-3 2.0, English "
             "and German ASS, chapters.", NORMAL, ref),
        Case("delay_pos", "Constant delay +1234.567 ms, English AC-3 5.1.", targets=(
            _const("delay_pos", "Release with a constant positive delay", NORMAL, 1.234567, "ac3_51",
                   seed=2),),
             diagnosis="UNIFORM", **shared),
        Case("delay_neg", "Constant delay -987.25 ms, English Opus 2.0.", targets=(
            _const("delay_neg", "Release with a constant negative delay", NORMAL, -0.98725, "opus", seed=3),),
             diagnosis="UNIFORM", **shared),
        Case("dub", "German dub (same M&E bed, German dialogue at other times), constant delay +733.125 ms, "
             "AAC 2.0.", targets=(
                 _const("dub", "German dub release", NORMAL, 0.733125, "aac", content="ger", seed=4),),
             diagnosis="UNIFORM", **shared),
        Case("stepping", "Stepping: +312.5 ms, 2.0 s bumper inserted at reference 85.0 s (-1687.5 ms), "
             "programme 142.0-144.5 s cut (+812.5 ms); AC-3 2.0.", targets=(_stepping(NORMAL),),
             diagnosis="STEPPING", **shared),
        Case("pal", "PAL speed-up: 25 fps, audio tempo x1001/960 with pitch kept (rubberband), starts at "
             "programme 0.5 s; drift +40.959 ms/s; AAC 2.0.", targets=(_pal(NORMAL),),
             diagnosis="PAL_DRIFT", tools=("ffmpeg", "mkvmerge", "espeak-ng", "rubberband"), **shared),
        Case("drift", "Linear drift +0.5 ms/s (audio clock 2000/1999 fast, pitch follows), delay -249.875 ms "
             "at 0; E-AC-3 2.0.", targets=(_drift(NORMAL),), diagnosis="LINEAR_DRIFT", **shared),
        Case("container_delay", "Reference whose FLAC track has a +153 ms container delay (content in sync "
             "with video) and an Opus target with a constant +612.4 ms presentation delay.", NORMAL, cd_ref,
             targets=(_const("container_delay", "Release against a container-delayed reference", NORMAL,
                             0.6124, "opus96", seed=9),), diagnosis="UNIFORM"),
        Case("noisy", "Heavy pink noise (6 dB SNR) and 40 kbps MP3, constant delay -444.875 ms.", targets=(
            _const("noisy", "Noisy low-bitrate release", NORMAL, -0.444875, "mp3_low", noise=6.0, seed=11),),
             diagnosis="UNIFORM", **shared),
        Case("episode24", "24-minute reference (FLAC) and an AC-3 2.0 release with a constant +2345.678 ms "
             "delay, for benchmarks (built on request only).", EPISODE, ep_ref, targets=(
                 _const("episode24", "24-minute release", EPISODE, 2.345678, "ac3", seed=12),),
             diagnosis="UNIFORM", default=False),
    ]
    return {c.name: c for c in cases}


CASES: dict[str, Case] = _cases()
from .cases_hard import HARD_CASES  # noqa: E402  (cases_hard builds on the definitions above)

CASES.update(HARD_CASES)
from .cases_correction import correction_cases  # noqa: E402  (it builds on the definitions above)

CASES.update(correction_cases())
from .cases_reach import reach_cases  # noqa: E402  (it builds on the definitions above)

CASES.update({c.name: c for c in reach_cases()})
DEFAULT_CASES: tuple[str, ...] = tuple(n for n, c in CASES.items() if c.default)


# --------------------------------------------------------------------------------------------- building


def _say(log: Log | None, msg: str) -> None:
    if log is not None:
        log(msg)


def _layout(prog: Programme, content: str, channels: int, i0: int, i1: int) -> np.ndarray:
    """Programme samples [i0, i1) mixed for a channel layout (bed + dialogue)."""
    bed = prog.bed[i0:i1]
    sp = prog.speech[content][i0:i1]
    if channels == 2:
        return bed + sp[:, None]
    if channels == 6:  # FL FR FC LFE SL SR; zero-phase filters so no channel is shifted in time
        lo = signal.butter(4, 120, fs=FS, output="sos")
        hi = signal.butter(2, 300, btype="highpass", fs=FS, output="sos")
        mono = 0.5 * (bed[:, 0] + bed[:, 1])
        out = np.empty((i1 - i0, 6), np.float32)
        out[:, 0] = 0.8 * bed[:, 0]
        out[:, 1] = 0.8 * bed[:, 1]
        out[:, 2] = sp + 0.3 * mono
        out[:, 3] = 0.5 * signal.sosfiltfilt(lo, mono)
        out[:, 4] = 0.45 * signal.sosfiltfilt(hi, bed[:, 0])
        out[:, 5] = 0.45 * signal.sosfiltfilt(hi, bed[:, 1])
        return out
    raise ValueError(f"unsupported channel count {channels}")


def _extend(tmap: TimeMap, extra: int) -> TimeMap:
    last = tmap.pieces[-1]
    return TimeMap((*tmap.pieces[:-1], Piece(last.samples + extra, last.prog_start, last.speed, last.method)))


def _render_audio(prog: Programme, spec: ReleaseSpec, a: AudioSpec, offset: int) -> np.ndarray:
    codec = CODECS[a.codec]
    if a.content in AUDIO_RENDERERS:
        return AUDIO_RENDERERS[a.content](prog, spec, a, offset)
    tmap = _extend(spec.audio_map, offset)
    lo, hi = tmap.prog_range()
    i0 = max(0, int(np.floor(prog.index(lo))) - FS)
    i1 = min(prog.n, int(np.ceil(prog.index(hi))) + 2 * FS)
    src = _layout(prog, a.content, codec.channels, i0, i1)
    pcm = render(src, prog.t0 + i0 / FS, tmap, filler_seed=spec.seed)[offset:]
    if spec.noise_snr_db is not None:
        rng = np.random.default_rng([spec.seed, 31])
        noise = np.stack([_pink(rng, pcm.shape[0]) for _ in range(pcm.shape[1])], axis=1)
        sig_rms = float(np.sqrt(np.mean(np.square(pcm, dtype=np.float64))))
        noise_rms = float(np.sqrt(np.mean(np.square(noise, dtype=np.float64))))
        pcm = pcm + noise * np.float32(sig_rms / 10 ** (spec.noise_snr_db / 20) / noise_rms)
    peak = float(np.max(np.abs(pcm))) if pcm.size else 0.0
    if peak > 0.98:
        pcm *= np.float32(0.98 / peak)
    return pcm


def _events(prog: Programme, spec: ReleaseSpec, content: str) -> list[tuple[float, float, str]]:
    """Sentences as subtitle events on the release timeline (via the video map). A sentence cut by the
    release's start or end is clipped to it; one that straddles an internal cut is dropped."""
    vm = spec.video_map
    starts = vm.starts()
    pieces = [(i, s0, p) for i, (s0, p) in enumerate(zip(starts, vm.pieces, strict=True))
              if p.prog_start is not None]
    first, last = pieces[0][0], pieces[-1][0]
    out = []
    for ln in prog.lines[content]:
        hits = [(i, s0, p) for i, s0, p in pieces
                if p.prog_start < ln.end_s and ln.start_s < p.prog_end]  # type: ignore[operator]
        if len(hits) != 1:
            continue
        i, s0, p = hits[0]
        assert p.prog_start is not None and p.prog_end is not None
        if (ln.start_s < p.prog_start and i != first) or (ln.end_s > p.prog_end and i != last):
            continue
        a = max(ln.start_s, p.prog_start)
        b = min(ln.end_s, p.prog_end)
        ra = s0 + (a - p.prog_start) / float(p.speed)
        rb = min(s0 + (b - p.prog_start) / float(p.speed), np.floor(vm.duration_s * 100) / 100)
        if rb - ra >= 0.3:
            out.append((ra, rb, ln.text))
    return out


def _chapters(prog: Programme, spec: ReleaseSpec) -> list[tuple[float, str]]:
    vm, dur = spec.video_map, spec.video_map.duration_s
    q0 = vm.to_prog(0.0)
    first = next((s.title for s in prog.scenes if q0 is not None and s.start_s <= q0 < s.end_s),
                 prog.scenes[0].title)
    out = [(0.0, first)]
    for s in prog.scenes:
        t = vm.to_rel(s.start_s)
        if t is not None and out[-1][0] + 1.0 < t < dur - 2.0:
            out.append((t, s.title))
    return out


def _build_release(prog: Programme, spec: ReleaseSpec, role: str, directory: Path, tools: ToolSet,
                   log: Log | None) -> dict[str, Any]:
    t_start = time.perf_counter()
    out = directory / f"{spec.stem}.mkv"
    work = directory / f".work-{spec.stem}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        video_path = work / "video.mkv"
        with ThreadPoolExecutor(1) as pool:
            fut = pool.submit(encode_video, video_path, spec.video_map.to_prog, spec.video_map.duration_s,
                              spec.fps, prog.scenes, 32, tools["ffmpeg"])
            audio_inputs, audio_json = [], []
            for k, a in enumerate(spec.audio):
                codec = CODECS[a.codec]
                off = codec_offset(codec, directory, tools["ffmpeg"], tools["mkvmerge"])
                pcm = _render_audio(prog, spec, a, off)
                es = work / f"audio{k}.{codec.ext}"
                encode_audio(es, pcm, codec, tools["ffmpeg"])
                del pcm
                name = f"{LANG_NAMES.get(a.content, a.content)} {codec.label}"
                audio_inputs.append(MuxInput(es, a.language, name, spec.audio_container_delay_ms, a.default))
                audio_json.append({
                    "track_id": 1 + k, "codec": codec.mkv_codec, "codec_key": codec.key, "label": codec.label,
                    "language": a.language, "name": name, "channels": codec.channels, "content": a.content,
                    "container_delay_ms": spec.audio_container_delay_ms, "codec_offset_samples": off,
                    "noise_snr_db": spec.noise_snr_db, "lossless": codec.lossless})
            frames = fut.result()
        sub_inputs, sub_json = [], []
        for k, s in enumerate(spec.subs):
            path = work / f"subs{k}.ass"
            written = write_ass(path, _events(prog, spec, s.content),
                                f"{spec.title} ({LANG_NAMES[s.content]})")
            sub_inputs.append(MuxInput(path, s.language, LANG_NAMES[s.content], 0, k == 0))
            sub_json.append({"track_id": 1 + len(spec.audio) + k, "codec": "SubStationAlpha",
                             "language": s.language, "name": LANG_NAMES[s.content],
                             "events": [{"start_s": a, "end_s": b, "text": t} for a, b, t in written]})
        chap_path = work / "chapters.xml"
        chapters = write_chapters(chap_path, _chapters(prog, spec), "eng", spec.seed)
        with atomic_path(out) as tmp:
            mux(tmp, video_path, audio_inputs, sub_inputs, chap_path, spec.title, spec.seed,
                tools["mkvmerge"])
    finally:
        for f in sorted(work.glob("*")):
            f.unlink()
        work.rmdir()
    _say(log, f"  {out.name}: built in {time.perf_counter() - t_start:.1f}s")
    return {
        "file": out.name, "role": role, "title": spec.title,
        "duration_s": round(spec.video_map.duration_s, 9),
        "video": {"track_id": 0, "codec": "AVC/H.264/MPEG-4p10",
                  "fps": f"{spec.fps.numerator}/{spec.fps.denominator}", "frames": frames,
                  "width": W, "height": H, "container_delay_ms": 0},
        "audio": audio_json, "subtitles": sub_json,
        "chapters": [{"start_s": t, "title": n} for t, n in chapters],
        "audio_map": map_json(spec.audio_map), "video_map": map_json(spec.video_map),
    }


def case_hash(case: Case) -> str:
    return params_hash(case.programme, case.reference, case.targets, case.diagnosis)


def _load_valid(path: Path, want_hash: str) -> GroundTruth | None:
    if not path.is_file():
        return None
    try:
        truth = GroundTruth.load(path)
    except (ValueError, KeyError, TypeError, OSError):
        return None
    if truth.params_hash != want_hash or truth.generator_version != GENERATOR_VERSION:
        return None
    if not all(p.is_file() and p.stat().st_size > 0 for p in truth.files()):
        return None
    return truth


def is_cached(name: str, out: str | Path | None = None) -> bool:
    """Whether case ``name`` is built and up to date in the cache."""
    directory = cache_dir(out)
    return _load_valid(directory / f"{name}.json", case_hash(CASES[name])) is not None


def _files(case: Case, directory: Path, truth: GroundTruth, truth_path: Path) -> CaseFiles:
    return CaseFiles(case.name, directory, truth.reference.path, tuple(t.path for t in truth.targets), truth,
                     truth_path)


def build_case(name: str, out: str | Path | None = None, log: Log | None = None, force: bool = False
               ) -> CaseFiles:
    """Build case ``name`` (and the reference it shares) unless cached; return its files and truth.

    ``out`` overrides the cache directory (see :func:`cache.cache_dir`); ``force`` rebuilds this case's
    own releases even when cached.
    """
    if name not in CASES:
        raise VsgError(f"unknown test-media case {name!r}; known cases: {', '.join(CASES)}")
    case = CASES[name]
    directory = cache_dir(out)
    truth_path = directory / f"{name}.json"
    want = case_hash(case)
    with build_lock(directory), case_lock(directory, name):
        truth = None if force else _load_valid(truth_path, want)
        if truth is not None:
            return _files(case, directory, truth, truth_path)
        tools = require(*case.tools)
        t0 = time.perf_counter()
        ref_json: dict[str, Any] = {}
        if case.shared_reference:
            ref_json = build_case(case.shared_reference, directory, log).truth.raw["reference"]
        _say(log, f"[testmedia] building case '{name}' in {directory}")
        prog = synthesize(case.programme)
        # The case's own releases are independent: build them two at a time.
        jobs = ([] if case.shared_reference else [(case.reference, "reference")]) + \
            [(spec, "target") for spec in case.targets]
        with ThreadPoolExecutor(2) as pool:
            built = list(pool.map(lambda job: _build_release(prog, job[0], job[1], directory, tools, log),
                                  jobs))
        if not case.shared_reference:
            ref_json = built.pop(0)
        ref_spec = case.reference
        targets = []
        for spec, tj in zip(case.targets, built, strict=True):
            assert case.diagnosis is not None
            # Exact to float precision, except rubberband's phase vocoder (PAL): ≈ 1 ms.
            accuracy = 2.0 if any(p.method == "tempo" for p in spec.audio_map.pieces) else 0.001
            tj["sync"] = sync_truth(case.diagnosis, ref_spec.audio_map,
                                    ref_spec.audio_container_delay_ms / 1000, 0.0,
                                    ref_spec.video_map.duration_s, spec.audio_map,
                                    spec.audio_container_delay_ms / 1000, accuracy)
            targets.append(tj)
        data = {
            "case": name, "description": case.description, "generator_version": GENERATOR_VERSION,
            "params_hash": want, "sign_convention": SIGN_CONVENTION,
            "programme": {"seed": case.programme.seed, "duration_s": case.programme.duration_s,
                          "pre_s": case.programme.pre_s, "post_s": case.programme.post_s,
                          "scenes": [[s.start_s, s.end_s, s.title] for s in prog.scenes],
                          "quiet_passages": [list(q) for q in prog.quiet]},
            "build_seconds": round(time.perf_counter() - t0, 2),
            "reference": ref_json, "targets": targets,
        }
        write_json_atomic(truth_path, data)
        _say(log, f"[testmedia] case '{name}' done in {data['build_seconds']:.1f}s")
        return _files(case, directory, GroundTruth.load(truth_path), truth_path)


def build_all(names: list[str] | tuple[str, ...] | None = None, out: str | Path | None = None,
              log: Log | None = None, force: bool = False, jobs: int = 2) -> dict[str, CaseFiles]:
    """Build the named cases (default: every default case, i.e. all but ``episode24``), ``jobs`` cases
    at a time once the shared reference exists."""
    names = list(dict.fromkeys(names or DEFAULT_CASES))
    for n in names:
        if n not in CASES:
            raise VsgError(f"unknown test-media case {n!r}; known cases: {', '.join(CASES)}")
    directory = cache_dir(out)
    with build_lock(directory):
        for shared in dict.fromkeys(CASES[n].shared_reference for n in names):
            if shared is not None:
                build_case(shared, directory, log)
        pending = [n for n in names if force or not is_cached(n, directory)]
        for spec in dict.fromkeys(CASES[n].programme for n in pending):
            synthesize(spec)  # once, before the workers share it
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            built = list(pool.map(lambda n: build_case(n, directory, log, force), names))
    return dict(zip(names, built, strict=True))
