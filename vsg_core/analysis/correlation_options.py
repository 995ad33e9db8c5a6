"""Options of the per-chunk correlation engine (Phase 2): method names, spec settings and vsg's fixes.

Two profiles share one options object:

* ``CorrelationOptions()`` — **vsg defaults** (what the app and ``vsg analyze`` use);
* ``CorrelationOptions.spec()`` — the original's baseline exactly as docs/analysis.md describes it (full
  decode, FFT length ``2L−1``, identical sample windows, no sub-sample fit except SCC's optional one, the
  upstream confidence formulas, the DTW sign). The benchmark's "Python reference path" runs this profile.

Every vsg default that differs from the original is listed in ``VSG_DEVIATIONS`` with its reason; the lead copies
them into the decision log of MIGRATION_PLAN.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

SR = 48000
EPS = 1e-9

# Canonical method keys → display names (the upstream dropdown strings, docs/analysis.md#correlation-methods).
METHOD_NAMES: dict[str, str] = {
    "scc": "Standard Correlation (SCC)",
    "gcc_phat": "Phase Correlation (GCC-PHAT)",
    "onset": "Onset Detection",
    "gcc_scot": "GCC-SCOT",
    "gcc_whiten": "Whitened Cross-Correlation",
    "dtw": "DTW (Dynamic Time Warping)",
    "spectrogram": "Spectrogram Correlation",
}
FFT_METHODS = ("scc", "gcc_phat", "gcc_scot", "gcc_whiten")
FEATURE_METHODS = ("onset", "dtw", "spectrogram")  # librosa, Python in both backends
MULTI_ORDER = ("scc", "gcc_phat", "onset", "gcc_scot", "gcc_whiten", "dtw", "spectrogram")  # docs/analysis.md

FILTER_NONE = "None"
FILTER_LOWPASS = "Low-Pass Filter"
FILTER_BANDPASS = "Dialogue Band-Pass Filter"

Profile = Literal["vsg", "spec"]
DecodeMode = Literal["auto", "full", "stream", "seek"]


def method_key(name: str, *, whitened_reachable: bool = True) -> str:
    """Canonical key for a method given by key or display name (docs/analysis.md#correlation-methods substring
    dispatch).

    Upstream tested substrings in the order PHAT, Onset, SCOT, DTW, Spectrogram and sent everything else to
    SCC, so "Whitened Cross-Correlation" fell through to SCC in single-method mode (the original's quirk,
    docs/analysis.md#correlation-methods). vsg dispatches it (``whitened_reachable``); the spec profile keeps the
    fall-through.
    """
    s = name.strip()
    if s in METHOD_NAMES:
        return s
    low = s.lower().replace("-", "_").replace(" ", "_")
    if low in METHOD_NAMES:
        return low
    if "Phase Correlation (GCC-PHAT)" in s:
        return "gcc_phat"
    if "Onset Detection" in s:
        return "onset"
    if "GCC-SCOT" in s:
        return "gcc_scot"
    if whitened_reachable and "Whitened Cross-Correlation" in s:
        return "gcc_whiten"
    if "DTW" in s:
        return "dtw"
    if "Spectrogram" in s:
        return "spectrogram"
    return "scc"


@dataclass(frozen=True)
class CorrelationOptions:
    """All knobs of one correlation run. Defaults are vsg's; see ``spec()`` for the upstream baseline."""

    profile: Profile = "vsg"
    method: str = "gcc_phat"
    # --- chunk placement (docs/analysis.md#chunk-placement; same defaults) ---
    chunk_count: int = 10
    chunk_duration_s: float = 15.0
    scan_start_pct: float = 5.0
    scan_end_pct: float = 95.0
    min_match_pct: float = 50.0         # vsg: distinct-peak score threshold (setting min_confidence_pct,
    #                                     docs/confidence.md); original: 5 % of its match score (min_match_pct)
    # --- decoding (docs/analysis.md#decoding) ---
    use_soxr: bool = False
    decode: DecodeMode = "auto"
    # --- pre-filter (docs/analysis.md#pre-filter). vsg default "None": see VSG_DEVIATIONS ---
    filtering: str = FILTER_NONE
    bandpass_low_hz: float = 300.0
    bandpass_high_hz: float = 3400.0
    bandpass_order: int = 5
    lowpass_taps: int = 101
    bandlimit_hz: float = 0.0
    # --- correlation ---
    exact_fft_length: bool = False      # spec: n = 2L−1 exactly; vsg: a fast real-FFT size (same values)
    search_range_s: float | None = None  # vsg: target window ±range around the chunk (None = chunk length);
    #                                      spec (0.0): identical sample windows, circular lags
    peak_fit: bool = True               # parabolic sub-sample fit for every method (spec: SCC only, opt-in)
    mask_db: float | None = 60.0        # PHAT/SCOT/Whitened: ignore bins > mask_db below the spectrum peak
    smooth_hz: float = 20.0             # frequency smoothing of the power spectra (mask and SCOT)
    taper: float = 0.1                  # PHAT/SCOT/Whitened: raised-cosine edges on the reference chunk
    #                                     (fraction of the chunk; 0 = rectangular as in the original)
    pearson_scc: bool = True            # SCC match = |Pearson r| at each lag (spec: global normalisation)
    stable_confidence: bool = True      # SCOT scores like PHAT (docs/analysis.md#confidence)
    distinct_confidence: bool = True    # FFT methods: match = distinct-peak score, 0 for silent windows
    #                                     (docs/confidence.md); spec: the per-method scores above
    silence_db: float = -60.0           # windows below this RMS level (dBFS) score 0
    dtw_sign_fix: bool = True           # DTW delays signed as docs/analysis.md#sign-convention (spec: inverted)
    whitened_reachable: bool = True     # "Whitened Cross-Correlation" is dispatched in single-method mode
    speed_compensation: bool = True     # try a PAL/film speed hypothesis when the video frame rates say so
    speed_ratio: float | None = None    # force a target speed ratio (target plays s× faster than ref)
    reach_s: float = 600.0              # coarse search over ±this when the chunks disagree (0 = off;
    #                                     docs/reach.md)
    reach_always: bool = False          # run the coarse search even when the chunks agree (bench, tests)
    guided: bool = True                 # search two anchor chunks fully, confirm the others around their line
    #                                     (docs/analysis.md#guided-search; spec: off)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def spec(cls, **overrides: Any) -> CorrelationOptions:
        """The original's baseline (docs/analysis.md) with the settings-file defaults of docs/settings.md#reference."""
        base: dict[str, Any] = dict(
            profile="spec", method="gcc_phat", min_match_pct=5.0, decode="full", filtering=FILTER_BANDPASS,
            exact_fft_length=True, search_range_s=0.0, peak_fit=False, mask_db=None, taper=0.0,
            pearson_scc=False, stable_confidence=False, distinct_confidence=False, dtw_sign_fix=False,
            whitened_reachable=False,
            speed_compensation=False, reach_s=0.0, guided=False,
        )
        base.update(overrides)
        return cls(**base)

    @classmethod
    def from_settings(cls, settings: dict[str, Any], *, profile: Profile = "vsg",
                      method_override: str | None = None) -> CorrelationOptions:
        """Options from a settings dict (keys of docs/settings.md#reference); absent keys keep this profile's
        default."""
        base = cls.spec() if profile == "spec" else cls()
        m = {
            "scan_chunk_count": ("chunk_count", int),
            "scan_chunk_duration": ("chunk_duration_s", float),
            "scan_start_percentage": ("scan_start_pct", float),
            "scan_end_percentage": ("scan_end_pct", float),
            ("min_match_pct" if profile == "spec" else "min_confidence_pct"): ("min_match_pct", float),
            "use_soxr": ("use_soxr", bool),
            "filtering_method": ("filtering", str),
            "filter_bandpass_lowcut_hz": ("bandpass_low_hz", float),
            "filter_bandpass_highcut_hz": ("bandpass_high_hz", float),
            "filter_bandpass_order": ("bandpass_order", int),
            "filter_lowpass_taps": ("lowpass_taps", int),
            "audio_bandlimit_hz": ("bandlimit_hz", float),
            "analysis_reach_s": ("reach_s", float),
        }
        kw: dict[str, Any] = {}
        for key, (field, typ) in m.items():
            if key in settings and settings[key] is not None:
                kw[field] = typ(settings[key])
        if profile == "spec" and settings.get("audio_peak_fit"):
            kw["peak_fit"] = True
        name = method_override if method_override is not None else settings.get("correlation_method")
        if name is not None:
            kw["method"] = method_key(str(name), whitened_reachable=base.whitened_reachable)
        return dataclasses.replace(base, **kw)

    # ------------------------------------------------------------------ derived values
    @property
    def method_key(self) -> str:
        return method_key(self.method, whitened_reachable=self.whitened_reachable)

    @property
    def method_name(self) -> str:
        return METHOD_NAMES[self.method_key]

    @property
    def chunk_samples(self) -> int:
        return round(self.chunk_duration_s * SR)

    @property
    def search_samples(self) -> int:
        """Target-window margin M on each side of the chunk, samples (0 = spec same-window mode)."""
        r = self.chunk_duration_s if self.search_range_s is None else self.search_range_s
        return max(0, round(r * SR))

    def with_(self, **kw: Any) -> CorrelationOptions:
        return dataclasses.replace(self, **kw)


# Each vsg default that differs from the original, with the reason (for the decision log).
VSG_DEVIATIONS: tuple[tuple[str, str], ...] = (
    ("filtering = None (spec settings default: Dialogue Band-Pass)",
     "Measured on the generated releases: band-pass + GCC-PHAT (spec) reports 0/±chunk length on every pair; "
     "full band + masked, tapered PHAT gives every case within 0.002 ms. (With the band-pass, vsg's PHAT "
     "still finds 39/40 chunks.)"),
    ("search_range_s = chunk length: the target window is the chunk ± range",
     "Full overlap at every searched lag (the original's identical windows lose overlap as |delay| grows); the "
     "detectable range equals the original's (|delay| < chunk length)."),
    ("exact_fft_length = False", "Any length ≥ the linear-correlation length gives the same values; fast "
                                 "5-smooth real FFTs instead of n = 2L−1 (1 439 999 = 11·109·1201)."),
    ("peak_fit = True for every method", "Parabolic sub-sample interpolation on the signed correlation "
                                         "(spec: SCC only, on magnitudes); error < 0.25 samples."),
    ("mask_db = 60, taper = 0.1", "Phase transforms give every bin unit weight; bins without signal "
                                  "(codec low-pass, filter stop-band) then carry only the chunk edges' "
                                  "leakage and the peak locks onto the edge alignment. Bins > 60 dB below "
                                  "the smoothed spectrum peak get weight 0 and the reference chunk gets "
                                  "raised-cosine edges (10 %); both are needed on hard band edges."),
    ("pearson_scc = True", "SCC match is |Pearson r| at the lag over the overlapping samples (0–100)."),
    ("stable_confidence = True", "GCC-SCOT's 10·peak/mean saturates and depends on the FFT length; it uses "
                                 "the peak-normalised score (docs/analysis.md#confidence)."),
    ("GCC-SCOT smooths the auto-spectra (smooth_hz)", "Without smoothing SCOT is algebraically PHAT (the original's "
                                                      "quirk, docs/analysis.md#correlation-methods)."),
    ("Whitened stays algebraically PHAT (kept)", "The original's definition "
                                                 "(docs/analysis.md#correlation-methods); now reachable."),
    ("dtw_sign_fix = True", "DTW reports +d where every other method reports −d (the original's quirk, "
                            "docs/analysis.md#correlation-methods)."),
    ("DTW confidence quirk kept", "Not a delay-affecting bug; documented in docs/analysis.md#correlation-methods."),
    ("whitened_reachable = True", "Whitened fell through to SCC in single-method mode (the original's quirk, "
                                  "docs/analysis.md#correlation-methods)."),
    ("decode = auto (only the needed windows)", "Seek (frame-aligned, 0.5 s pre-roll, AC-3 with consistent "
                                               "dither) where it is sample-identical to a full decode; "
                                               "AAC/Opus placed by packet index; else one streamed decode "
                                               "keeping only the windows; stdout "
                                               "only. Peak RSS 217 MB instead of ~2 GB."),
    ("speed_compensation = True", "With a 25 vs 23.976/24 fps pair the target is also correlated slowed down "
                                  "(pitch following and pitch kept); the run whose delays lie closest to a "
                                  "line wins. Uncompensated 15 s windows smear by 0.6 s."),
)
