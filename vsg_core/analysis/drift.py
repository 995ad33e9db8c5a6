"""Drift / stepping diagnosis of one target from its chunk records (docs/analysis.md#drift-and-stepping).

Order of the tests: PAL drift → stepping (DBSCAN) → linear drift; the first that fires wins.

vsg deviations from the upstream baseline (each recorded in the decision log):

1. **INSUFFICIENT_DATA** when fewer than ``min_accepted_chunks`` (3) chunks are accepted, instead of a silent
   UNIFORM. With 3–5 accepted chunks the pattern tests (which need ``MIN_CHUNKS_FOR_PATTERN`` = 6 points, the
   upstream precondition) are not run: the diagnosis is LINEAR_DRIFT when every chunk passes the linear-drift
   test (docs/diagnosis.md, step 1), else UNIFORM when every accepted raw delay lies within ``eps`` (20 ms)
   of every other, else INSUFFICIENT_DATA (the chunks disagree and are too few to tell stepping from drift).
2. **PAL test uses both frame rates** (the original's quirk, docs/analysis.md#drift-and-stepping): PAL applies when
   exactly one of reference / target is ~25 fps (±0.1) and the other a film rate (~24 or 23.976, ±0.1). The expected
   slope of ``delay = t_ref − t_tgt`` is ``(1 − fps_ref / fps_tgt) · 1000`` ms/s: +40.96 when the target is the 25 fps
   speed-up of a 23.976 fps reference, −42.71 when the reference is the PAL one. Accepted within 5 ms/s of the
   expectation.
3. **Raw delays**: clustering and the line fits use the raw (sub-ms) delays, not the rounded ones; the fit's
   x is the chunk *centre* on the reference timeline (so the intercept is the delay at reference time 0).
4. **Real chunk duration** (the original's quirk, docs/analysis.md#drift-and-stepping): cluster durations and time
   ranges add the configured ``chunk_duration_s`` instead of a hard-wired 15 s.
5. **Real match field** (the original's quirk, docs/analysis.md#drift-and-stepping): cluster diagnostics read
   ``match_pct``.
6. **One cluster numbering** (the original's quirk, docs/analysis.md#drift-and-stepping): validation and diagnostics
   logs both call a cluster ``Cluster <label+1>``; the diagnostics list clusters by time and the transition analysis
   follows the time-ordered sequence of cluster runs (upstream sorted by mean delay, which made every jump an "increase"
   and hid back-and-forth steps).
7. **Slow drift** (upstream misses lossy drift below 0.7 ms/s): besides the upstream rule
   (``|slope| > slope_thr`` and ``R² > r2_thr``), a fit is LINEAR_DRIFT when ``R² > r2_thr`` *and* the
   total drift across the scanned span ``|slope| · (x_max − x_min) ≥ MIN_TOTAL_DRIFT_MS`` (5 ms) *and* the
   residual RMS is at most ``max(1 ms, 5 % of that total drift)`` (the line explains the data, no step
   structure). A constant delay has no trend, so its total drift stays at the jitter level (≪ 5 ms) and
   its R² is not high — uniform cases are not called drift.
8. **Stepping rejection is not the end**: when DBSCAN finds ≥ 2 clusters but stepping is rejected, the
   linear-drift test still runs (a drift whose chunk-to-chunk change is close to ``eps`` chains into several
   small clusters). When DBSCAN finds exactly one cluster holding ≥ 6 points, the fit uses that cluster only
   (noise points are outlier chunks).

Output: :class:`Diagnosis` with kind, fitted slope (``drift_ms_per_s``), intercept, R², clusters (label →
members, mean delay, time range, validation) and, for STEPPING, ``segments`` — the ordered delay segments on
the reference timeline for the correction phase. The Rust mirror (``vsg_core_rs/src/analysis/drift.rs``)
performs the same arithmetic in the same order; tests/parity/test_phase3_selection_drift.py compares them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..backend import Backend
from ..models.enums import DiagnosisKind
from .dbscan import dbscan_labels
from .records import ChunkResult
from .selection import mean

MIN_CHUNKS_FOR_PATTERN = 6
MIN_TOTAL_DRIFT_MS = 5.0
RESIDUAL_FLOOR_MS = 1.0
RESIDUAL_FRACTION = 0.05
PAL_FPS = 25.0
FILM_FPS = 24.0
FPS_TOLERANCE = 0.1
PAL_TOLERANCE_MS_PER_S = 5.0
ROBUST_INLIER_MS = 10.0     # a chunk within this of the Theil–Sen line supports the line model
LINE_SUPPORT = 0.8          # share of accepted chunks the line must explain to be preferred to stepping
PAL_SUPPORT = 0.6           # … to be called PAL_DRIFT on the robust slope
MODEL_SUPPORT = 0.5         # below this share for every model (line, timing clusters): NO_MATCH
LOSSLESS_CODEC_MARKERS = ("pcm", "flac", "truehd")
CORRECTION_MODES = ("full", "filtered", "strict", "disabled")
QUALITY_MODES = ("strict", "normal", "lenient", "custom")
FILTERED_FALLBACKS = ("nearest", "interpolate", "uniform", "skip", "reject")


@dataclass(frozen=True)
class QualityThresholds:
    """Cluster validation thresholds (docs/analysis.md#drift-and-stepping)."""

    min_chunks_per_cluster: int
    min_cluster_pct: float
    min_duration_s: float
    min_match_pct: float
    min_total_clusters: int


QUALITY_PRESETS: dict[str, QualityThresholds] = {
    "strict": QualityThresholds(3, 10.0, 30.0, 90.0, 3),
    "normal": QualityThresholds(3, 5.0, 20.0, 85.0, 2),
    "lenient": QualityThresholds(2, 3.0, 10.0, 75.0, 2),
}


@dataclass(frozen=True)
class DriftConfig:
    """Settings of the diagnosis (docs/settings.md#reference keys and defaults) plus the chunk length actually used."""

    eps_ms: float = 20.0
    min_samples: int = 2
    r2_threshold_lossy: float = 0.90
    r2_threshold_lossless: float = 0.95
    slope_threshold_lossy: float = 0.7
    slope_threshold_lossless: float = 0.2
    stepping_correction_mode: str = "full"
    stepping_quality_mode: str = "normal"
    custom_min_chunks_per_cluster: int = 3
    custom_min_cluster_pct: float = 5.0
    custom_min_cluster_duration_s: float = 20.0
    custom_min_match_quality_pct: float = 85.0
    custom_min_total_clusters: int = 2
    stepping_filtered_fallback: str = "nearest"
    diagnostics_verbose: bool = True
    min_accepted_chunks: int = 3
    chunk_duration_s: float = 15.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> DriftConfig:
        """Build from a settings dict with the schema's key names; missing keys take the defaults."""
        d = cls()

        def get(key: str, default: Any, kind: type) -> Any:
            value = settings.get(key, default)
            return kind(value) if kind is not bool else bool(value)

        return cls(
            eps_ms=get("detection_dbscan_epsilon_ms", d.eps_ms, float),
            min_samples=get("detection_dbscan_min_samples", d.min_samples, int),
            r2_threshold_lossy=get("drift_detection_r2_threshold", d.r2_threshold_lossy, float),
            r2_threshold_lossless=get("drift_detection_r2_threshold_lossless", d.r2_threshold_lossless,
                                      float),
            slope_threshold_lossy=get("drift_detection_slope_threshold_lossy", d.slope_threshold_lossy,
                                      float),
            slope_threshold_lossless=get("drift_detection_slope_threshold_lossless",
                                         d.slope_threshold_lossless, float),
            stepping_correction_mode=get("stepping_correction_mode", d.stepping_correction_mode, str),
            stepping_quality_mode=get("stepping_quality_mode", d.stepping_quality_mode, str),
            custom_min_chunks_per_cluster=get("stepping_min_chunks_per_cluster",
                                              d.custom_min_chunks_per_cluster, int),
            custom_min_cluster_pct=get("stepping_min_cluster_percentage", d.custom_min_cluster_pct, float),
            custom_min_cluster_duration_s=get("stepping_min_cluster_duration_s",
                                              d.custom_min_cluster_duration_s, float),
            custom_min_match_quality_pct=get("stepping_min_match_quality_pct",
                                             d.custom_min_match_quality_pct, float),
            custom_min_total_clusters=get("stepping_min_total_clusters", d.custom_min_total_clusters, int),
            stepping_filtered_fallback=get("stepping_filtered_fallback", d.stepping_filtered_fallback, str),
            diagnostics_verbose=get("stepping_diagnostics_verbose", d.diagnostics_verbose, bool),
            min_accepted_chunks=get("min_accepted_chunks", d.min_accepted_chunks, int),
            chunk_duration_s=get("scan_chunk_duration", d.chunk_duration_s, float),
        )

    def quality(self) -> tuple[str, QualityThresholds]:
        """(effective quality-mode name, thresholds); unknown modes behave as 'normal'."""
        mode = self.stepping_quality_mode
        if mode == "custom":
            return mode, QualityThresholds(self.custom_min_chunks_per_cluster, self.custom_min_cluster_pct,
                                           self.custom_min_cluster_duration_s,
                                           self.custom_min_match_quality_pct, self.custom_min_total_clusters)
        if mode in QUALITY_PRESETS:
            return mode, QUALITY_PRESETS[mode]
        return "normal", QUALITY_PRESETS["normal"]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LineFit:
    """Least-squares line ``raw_delay = slope · t + intercept`` (t = chunk centre, s)."""

    n: int
    slope: float          # ms per s
    intercept: float      # ms at reference time 0
    r2: float | None      # None when every delay is identical
    residual_rms: float   # ms
    span_s: float         # x_max − x_min
    total_drift_ms: float # |slope| · span_s


def linear_fit(x: Sequence[float], y: Sequence[float]) -> LineFit | None:
    """OLS fit (None for < 2 points or when all x are equal). Same operation order as the Rust mirror."""
    n = len(x)
    if n < 2:
        return None
    mx, my = mean(x), mean(y)
    sxx = sxy = syy = 0.0
    for xi, yi in zip(x, y, strict=True):
        dx, dy = xi - mx, yi - my
        sxx += dx * dx
        sxy += dx * dy
        syy += dy * dy
    if sxx == 0.0:
        return None
    slope = sxy / sxx
    intercept = my - slope * mx
    r2 = (sxy * sxy) / (sxx * syy) if syy > 0.0 else None
    ss = 0.0
    for xi, yi in zip(x, y, strict=True):
        r = yi - (slope * xi + intercept)
        ss += r * r
    span = max(x) - min(x)
    return LineFit(n, slope, intercept, r2, math.sqrt(ss / n), span, abs(slope) * span)


def _median(v: Sequence[float]) -> float:
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def theil_sen(x: Sequence[float], y: Sequence[float]) -> tuple[float, float] | None:
    """(slope, intercept) of the Theil–Sen line: median of the pairwise slopes, median of y − slope·x.

    A minority of wrong chunks (false peaks, a short step) cannot move it: the breakdown point is ~29 %.
    None for < 2 points or when every x is equal. Same arithmetic as the Rust mirror.
    """
    n = len(x)
    slopes = [(y[j] - y[i]) / (x[j] - x[i]) for i in range(n) for j in range(i + 1, n) if x[j] != x[i]]
    if not slopes:
        return None
    slope = _median(slopes)
    return slope, _median([yi - slope * xi for xi, yi in zip(x, y, strict=True)])


def robust_inliers(x: Sequence[float], y: Sequence[float], line: tuple[float, float] | None) -> list[int]:
    """Indices of the points within ``ROBUST_INLIER_MS`` of ``line`` (all of them without a line)."""
    if line is None:
        return list(range(len(x)))
    slope, intercept = line
    return [i for i, (xi, yi) in enumerate(zip(x, y, strict=True))
            if abs(yi - (slope * xi + intercept)) <= ROBUST_INLIER_MS]


def expected_pal_slope(ref_fps: float | None, target_fps: float | None) -> float | None:
    """Expected ``delay`` slope (ms/s) when one side is the 25 fps PAL speed-up of the other's film rate.

    None unless exactly one frame rate is ~25 and the other ~24/23.976 (both ±0.1).
    """
    if not ref_fps or not target_fps or ref_fps <= 0 or target_fps <= 0:
        return None

    def is_pal(f: float) -> bool:
        return abs(f - PAL_FPS) < FPS_TOLERANCE

    def is_film(f: float) -> bool:  # 24 and 23.976 (24000/1001)
        return abs(f - FILM_FPS) < FPS_TOLERANCE

    if (is_pal(target_fps) and is_film(ref_fps)) or (is_pal(ref_fps) and is_film(target_fps)):
        return (1.0 - ref_fps / target_fps) * 1000.0
    return None


def is_lossless_codec(codec_id: str) -> bool:
    c = codec_id.lower()
    return any(m in c for m in LOSSLESS_CODEC_MARKERS)


@dataclass(frozen=True)
class Check:
    value: float
    threshold: float
    passed: bool


@dataclass(frozen=True)
class ClusterInfo:
    """One DBSCAN cluster of accepted chunks with its quality validation (docs/analysis.md#drift-and-stepping)."""

    label: int
    members: tuple[int, ...]        # indices into the accepted records
    chunk_indices: tuple[int, ...]  # ChunkResult.index of the members
    mean_delay_ms: float            # mean raw delay
    std_delay_ms: float             # population std of the raw delays
    start_s: float                  # first member's chunk start
    end_s: float                    # last member's chunk start + chunk duration
    duration_s: float               # end_s − start_s
    percentage: float               # size / accepted count · 100
    avg_match_pct: float
    min_match_pct: float
    checks: dict[str, Check]        # chunks, percentage, duration, match
    passed_checks: int
    valid: bool

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def delay_ms(self) -> int:
        return round(self.mean_delay_ms)


@dataclass(frozen=True)
class Segment:
    """A constant-delay stretch of the reference timeline (STEPPING); the boundary between two segments is
    the midpoint between the centres of the last chunk of one and the first chunk of the next."""

    start_s: float
    end_s: float
    delay_ms: int
    raw_delay_ms: float
    cluster_label: int


@dataclass(frozen=True)
class Diagnosis:
    kind: DiagnosisKind
    accepted_count: int
    drift_ms_per_s: float | None      # fitted slope of raw delay vs reference time (None: < 2 distinct times)
    intercept_ms: float | None
    r2: float | None
    residual_rms_ms: float | None
    total_drift_ms: float | None
    lossless: bool
    expected_pal_ms_per_s: float | None
    clusters: tuple[ClusterInfo, ...] = ()
    segments: tuple[Segment, ...] = ()
    correction_mode: str | None = None
    fallback_mode: str | None = None
    reason: str = ""
    lines: tuple[str, ...] = field(default=())
    outlier_chunks: tuple[int, ...] = ()   # ChunkResult.index of accepted chunks off the robust line
    robust_slope_ms_per_s: float | None = None   # Theil–Sen slope over the accepted chunks
    robust_intercept_ms: float | None = None
    line_support: int = 0                  # accepted chunks within ROBUST_INLIER_MS of the robust line
    cluster_support: int = 0               # accepted chunks in a DBSCAN timing cluster

    @property
    def valid_clusters(self) -> dict[int, tuple[int, ...]]:
        return {c.label: c.members for c in self.clusters if c.valid}

    @property
    def invalid_clusters(self) -> dict[int, tuple[int, ...]]:
        return {c.label: c.members for c in self.clusters if not c.valid}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        return d


def _compress_ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 5, 7, 8, 9]`` → ``1-3,5,7-9``."""
    parts: list[str] = []
    nums = sorted(numbers)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ",".join(parts)


def _pstd(values: Sequence[float], m: float) -> float:
    total = 0.0
    for v in values:
        total += (v - m) * (v - m)
    return math.sqrt(total / len(values))


def _clusters(accepted: Sequence[ChunkResult], labels: Sequence[int], chunk_duration_s: float,
              q: QualityThresholds) -> list[ClusterInfo]:
    out: list[ClusterInfo] = []
    n = len(accepted)
    for label in sorted({lb for lb in labels if lb >= 0}):
        members = [i for i, lb in enumerate(labels) if lb == label]
        raws = [accepted[i].raw_delay_ms for i in members]
        starts = [accepted[i].start_s for i in members]
        matches = [accepted[i].match_pct for i in members]
        m = mean(raws)
        t0, t1 = min(starts), max(starts) + chunk_duration_s
        duration = t1 - t0
        pct = len(members) / n * 100.0
        avg_match = mean(matches)
        checks = {
            "chunks": Check(float(len(members)), float(q.min_chunks_per_cluster),
                            len(members) >= q.min_chunks_per_cluster),
            "percentage": Check(pct, q.min_cluster_pct, pct >= q.min_cluster_pct),
            "duration": Check(duration, q.min_duration_s, duration >= q.min_duration_s),
            "match": Check(avg_match, q.min_match_pct, avg_match >= q.min_match_pct),
        }
        passed = sum(1 for c in checks.values() if c.passed)
        out.append(ClusterInfo(label, tuple(members), tuple(accepted[i].index for i in members), m,
                               _pstd(raws, m), t0, t1, duration, pct, avg_match, min(matches), checks, passed,
                               passed == 4))
    return out


def _validation_lines(clusters: Sequence[ClusterInfo], qmode: str, q: QualityThresholds) -> list[str]:
    lines = [f"[Quality Validation - Mode: {qmode}]"]
    for c in clusters:
        ck = c.checks

        def mark(name: str, ck: dict[str, Check] = ck) -> str:
            return "✓" if ck[name].passed else "✗"

        lines.append(f"  Cluster {c.label + 1} (@{c.start_s:.1f}s - {c.end_s:.1f}s): "
                     f"{c.mean_delay_ms:+.0f}ms")
        lines.append(f"    {mark('chunks')} Chunks: {c.size} (need {q.min_chunks_per_cluster}+)")
        lines.append(f"    {mark('percentage')} Percentage: {c.percentage:.1f}% "
                     f"(need {q.min_cluster_pct:.1f}%+)")
        lines.append(f"    {mark('duration')} Duration: {c.duration_s:.1f}s (need {q.min_duration_s:.1f}s+)")
        lines.append(f"    {mark('match')} Match quality: {c.avg_match_pct:.1f}% "
                     f"(need {q.min_match_pct:.1f}%+)")
        status = "ACCEPTED" if c.valid else "FILTERED OUT"
        lines.append(f"    → STATUS: {status} ({c.passed_checks}/4 checks passed)")
    return lines


def _run_labels(labels: Sequence[int]) -> list[int]:
    """Cluster labels in time order, noise dropped, repeats collapsed: [0, 0, -1, 1, 1, 0] → [0, 1, 0]."""
    runs: list[int] = []
    for lb in labels:
        if lb >= 0 and (not runs or runs[-1] != lb):
            runs.append(lb)
    return runs


def _diagnostic_lines(clusters: Sequence[ClusterInfo], labels: Sequence[int]) -> list[str]:
    lines = ["[Cluster Diagnostics] Detailed composition:"]
    by_time = sorted(clusters, key=lambda c: (c.start_s, c.label))
    prev: ClusterInfo | None = None
    for c in by_time:
        text = (f"  Cluster {c.label + 1}: delay={c.mean_delay_ms:+.0f}±{c.std_delay_ms:.1f}ms, "
                f"chunks {_compress_ranges(c.chunk_indices)} (@{c.start_s:.1f}s - @{c.end_s:.1f}s), "
                f"match={c.avg_match_pct:.1f}% (min={c.min_match_pct:.1f}%)")
        if prev is not None:
            jump = c.mean_delay_ms - prev.mean_delay_ms
            text += f" [{'↑' if jump >= 0 else '↓'}{abs(jump):+.0f}ms jump]"
        lines.append(text)
        prev = c
    means = {c.label: c.mean_delay_ms for c in clusters}
    runs = _run_labels(labels)
    if len(runs) >= 2:
        jumps = [means[b] - means[a] for a, b in itertools.pairwise(runs)]
        lines.append("[Transition Analysis]:")
        if all(j > 0 for j in jumps):
            lines.append("  → All delays INCREASE (accumulating lag = missing content)")
        elif all(j < 0 for j in jumps):
            lines.append("  → All delays DECREASE (accumulating lead = extra content)")
        else:
            lines.append("  → Mixed pattern (some increases, some decreases)")
        sizes = [abs(j) for j in jumps]
        avg = mean(sizes)
        if len(jumps) > 1 and all(abs(s - avg) <= 50.0 for s in sizes):
            lines.append(f"  Consistent jump size: ~{avg:.0f} ms per transition")
            lines.append("  Likely cause: Regular reel changes or commercial breaks")
        else:
            lines.append("  Jumps: " + ", ".join(f"{j:+.0f}ms" for j in jumps))
            lines.append("  Likely cause: Scene-specific edits")
    for c in clusters:
        if c.min_match_pct < 70.0:
            lines.append(f"  [WARNING] Cluster {c.label + 1} contains low-quality chunks "
                         f"(min match {c.min_match_pct:.1f}% < 70%)")
    return lines


def _segments(accepted: Sequence[ChunkResult], labels: Sequence[int], clusters: Sequence[ClusterInfo],
              use_labels: set[int], chunk_duration_s: float, ref_duration_s: float | None) -> list[Segment]:
    by_label = {c.label: c for c in clusters}
    runs: list[tuple[int, float, float]] = []  # (label, first centre, last centre)
    for rec, lb in zip(accepted, labels, strict=True):
        if lb not in use_labels:
            continue
        centre = rec.start_s + chunk_duration_s / 2.0
        if runs and runs[-1][0] == lb:
            runs[-1] = (lb, runs[-1][1], centre)
        else:
            runs.append((lb, centre, centre))
    segs: list[Segment] = []
    for k, (lb, _first, last) in enumerate(runs):
        start = 0.0 if k == 0 else (runs[k - 1][2] + runs[k][1]) / 2.0
        if k + 1 < len(runs):
            end = (last + runs[k + 1][1]) / 2.0
        else:
            end = ref_duration_s if ref_duration_s is not None else last + chunk_duration_s / 2.0
        c = by_label[lb]
        segs.append(Segment(start, end, round(c.mean_delay_ms), c.mean_delay_ms, lb))
    return segs


@dataclass
class _Evidence:
    """What every test of the diagnosis reads: the accepted chunks, their fits and clusters, and the log so far."""

    config: DriftConfig
    accepted: list[ChunkResult]
    x: list[float]                       # chunk centres on the reference timeline (s)
    y: list[float]                       # raw delays (ms)
    lossless: bool
    expected_pal: float | None
    fit_all: LineFit | None
    qmode: str
    q: QualityThresholds
    labels: list[int]
    clusters: list[ClusterInfo]
    line: tuple[float, float] | None     # Theil–Sen (slope, intercept)
    inliers: list[int]
    outliers: tuple[int, ...]
    cluster_support: int
    lines: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.accepted)

    def result(self, kind: DiagnosisKind, reason: str, fit: LineFit | Literal["all"] | None = "all",
               segments: Sequence[Segment] = (), correction_mode: str | None = None,
               fallback_mode: str | None = None) -> Diagnosis:
        """The diagnosis with the log lines so far; ``fit`` defaults to the fit over all accepted chunks."""
        f = self.fit_all if fit == "all" else fit
        line = self.line
        return Diagnosis(kind, self.n, f.slope if f else None, f.intercept if f else None,
                         f.r2 if f else None, f.residual_rms if f else None,
                         f.total_drift_ms if f else None, self.lossless, self.expected_pal, tuple(self.clusters),
                         tuple(segments), correction_mode, fallback_mode, reason, tuple(self.lines), self.outliers,
                         line[0] if line else None, line[1] if line else None, len(self.inliers),
                         self.cluster_support)


def _evidence(chunks: Sequence[ChunkResult], config: DriftConfig, ref_fps: float | None,
              target_fps: float | None, codec_id: str) -> _Evidence:
    accepted = [c for c in chunks if c.accepted]
    x = [c.start_s + config.chunk_duration_s / 2.0 for c in accepted]
    y = [c.raw_delay_ms for c in accepted]
    qmode, q = config.quality()
    labels = dbscan_labels(y, config.eps_ms, config.min_samples, backend="python") if accepted else []
    clusters = _clusters(accepted, labels, config.chunk_duration_s, q)
    line = theil_sen(x, y)
    inliers = robust_inliers(x, y, line)
    inlier_set = set(inliers)
    outliers = tuple(c.index for i, c in enumerate(accepted) if i not in inlier_set)
    return _Evidence(config, accepted, x, y, is_lossless_codec(codec_id), expected_pal_slope(ref_fps, target_fps),
                     linear_fit(x, y), qmode, q, labels, clusters, line, inliers, outliers,
                     sum(c.size for c in clusters))


def _too_few_chunks(ev: _Evidence) -> Diagnosis | None:
    """INSUFFICIENT_DATA below ``min_accepted_chunks``; with fewer than MIN_CHUNKS_FOR_PATTERN, LINEAR_DRIFT when
    every chunk lies on a line that passes the linear-drift test, else UNIFORM only when every delay agrees
    within the cluster distance."""
    n, need, eps = ev.n, max(1, ev.config.min_accepted_chunks), ev.config.eps_ms
    if n < need:
        reason = f"only {n} accepted chunks (need at least {need})"
        ev.lines.append(f"[DriftDiagnosis] INSUFFICIENT_DATA: {reason}.")
        return ev.result(DiagnosisKind.INSUFFICIENT_DATA, reason)
    if n >= MIN_CHUNKS_FOR_PATTERN:
        return None
    spread = max(ev.y) - min(ev.y)
    fit = ev.fit_all
    r2_line = ev.config.r2_threshold_lossless if ev.lossless else ev.config.r2_threshold_lossy
    if (fit is not None and fit.total_drift_ms >= MIN_TOTAL_DRIFT_MS
            and fit.residual_rms <= max(RESIDUAL_FLOOR_MS, RESIDUAL_FRACTION * fit.total_drift_ms)
            and fit.r2 is not None and fit.r2 > r2_line):
        # every chunk on one line that drifts by more than a constant delay can absorb: the linear-drift test
        # of the robust model (step 5), with all chunks as inliers; a step between few chunks fails it (the
        # line's residual RMS is about a quarter of the step)
        reason = (f"{n} accepted chunks (< {MIN_CHUNKS_FOR_PATTERN}) lie on a line: slope {fit.slope:+.4f} ms/s, "
                  f"R² {fit.r2:.3f}, residual RMS {fit.residual_rms:.3f} ms, {fit.total_drift_ms:.1f} ms across "
                  "the scanned span")
        ev.lines.append(f"[DriftDiagnosis] LINEAR_DRIFT: {reason}.")
        return ev.result(DiagnosisKind.LINEAR_DRIFT, f"drift: slope {fit.slope:+.3f} ms/s, R² {fit.r2:.3f}, "
                         f"{n} accepted chunks")
    if spread <= eps:
        reason = (f"{n} accepted chunks (< {MIN_CHUNKS_FOR_PATTERN}, too few for the drift/stepping "
                  f"tests); their delays agree within {spread:.3f} ms (<= {eps:.1f} ms)")
        ev.lines.append(f"[DriftDiagnosis] UNIFORM: {reason}.")
        return ev.result(DiagnosisKind.UNIFORM, reason)
    reason = (f"{n} accepted chunks (< {MIN_CHUNKS_FOR_PATTERN}, too few for the drift/stepping tests) "
              f"whose delays spread over {spread:.3f} ms (> {eps:.1f} ms)")
    ev.lines.append(f"[DriftDiagnosis] INSUFFICIENT_DATA: {reason}.")
    return ev.result(DiagnosisKind.INSUFFICIENT_DATA, reason)


def _robust_model(ev: _Evidence, ref_fps: float | None, target_fps: float | None) -> Diagnosis | None:
    """Test 0 — robust line (Theil–Sen): NO_MATCH when neither a line nor clusters explain the chunks; PAL or
    linear drift when the chunks on the robust line say so (outliers left out)."""
    n, line, inliers, outliers = ev.n, ev.line, ev.inliers, ev.outliers
    fit_in = linear_fit([ev.x[i] for i in inliers], [ev.y[i] for i in inliers])
    if line is not None:
        ev.lines.append(f"[Robust Fit] Theil-Sen slope {line[0]:+.4f} ms/s, delay at 0 s {line[1]:+.3f} ms; "
                        f"{len(inliers)}/{n} chunks within ±{ROBUST_INLIER_MS:.0f} ms of the line; "
                        f"{ev.cluster_support}/{n} chunks in timing clusters.")
    if outliers:
        ev.lines.append(f"[Robust Fit] Outlier chunks (off the line): {_compress_ranges(outliers)}")
    if max(len(inliers), ev.cluster_support) < MODEL_SUPPORT * n:
        reason = (f"the {n} accepted chunks agree on no delay model: a line explains {len(inliers)} of them, "
                  f"timing clusters {ev.cluster_support} (need {MODEL_SUPPORT:.0%})")
        ev.lines.append(f"[DriftDiagnosis] NO_MATCH: {reason}.")
        return ev.result(DiagnosisKind.NO_MATCH, reason)
    pal = ev.expected_pal
    if (pal is not None and line is not None and fit_in is not None
            and abs(line[0] - pal) < PAL_TOLERANCE_MS_PER_S and len(inliers) >= PAL_SUPPORT * n):
        ev.lines.append(f"[PAL Drift Detected] Reference {ref_fps:.3f} fps, target {target_fps:.3f} fps: "
                        f"expected drift {pal:+.2f} ms/s, robust slope {line[0]:+.2f} ms/s "
                        f"({len(inliers)}/{n} chunks on the line).")
        return ev.result(DiagnosisKind.PAL_DRIFT, f"PAL speed-up: slope {fit_in.slope:+.2f} ms/s "
                         f"(expected {pal:+.2f}); {len(outliers)} outlier chunks", fit=fit_in)
    r2_line = ev.config.r2_threshold_lossless if ev.lossless else ev.config.r2_threshold_lossy
    if (fit_in is not None and len(inliers) >= LINE_SUPPORT * n and fit_in.total_drift_ms >= MIN_TOTAL_DRIFT_MS
            and fit_in.residual_rms <= max(RESIDUAL_FLOOR_MS, RESIDUAL_FRACTION * fit_in.total_drift_ms)
            and fit_in.r2 is not None and fit_in.r2 > r2_line):
        ev.lines.append(f"[Linear Drift Detected] {len(inliers)}/{n} chunks lie on a line: slope "
                        f"{fit_in.slope:+.4f} ms/s, R²={fit_in.r2:.3f}, residual RMS {fit_in.residual_rms:.3f} ms, "
                        f"{fit_in.total_drift_ms:.1f} ms across the scanned span; {len(outliers)} outlier chunks.")
        return ev.result(DiagnosisKind.LINEAR_DRIFT, f"drift: slope {fit_in.slope:+.3f} ms/s, R² "
                         f"{fit_in.r2:.3f}, {len(outliers)} outlier chunks", fit=fit_in)
    return None


def _pal_drift(ev: _Evidence, ref_fps: float | None, target_fps: float | None) -> Diagnosis | None:
    """Test 1 — PAL drift from the frame rates of both sources and the fit over all chunks."""
    pal, fit = ev.expected_pal, ev.fit_all
    if pal is None or fit is None or abs(fit.slope - pal) >= PAL_TOLERANCE_MS_PER_S:
        return None
    ev.lines.append(f"[PAL Drift Detected] Reference {ref_fps:.3f} fps, target {target_fps:.3f} fps: "
                    f"expected drift {pal:+.2f} ms/s, measured {fit.slope:+.2f} ms/s.")
    return ev.result(DiagnosisKind.PAL_DRIFT, f"PAL speed-up: slope {fit.slope:+.2f} ms/s (expected {pal:+.2f})")


def _stepping_verdict(ev: _Evidence, mode: str) -> tuple[set[int] | None, str | None]:
    """The clusters stepping uses (None: rejected) under ``mode``, with its log lines; and the fallback mode."""
    clusters, q, config = ev.clusters, ev.q, ev.config
    k = len(clusters)
    valid = [c for c in clusters if c.valid]
    invalid = k - len(valid)
    if mode in ("full", "strict"):
        if invalid:
            ev.lines.append(f"[Stepping Rejected] {invalid}/{k} clusters failed validation in '{mode}' mode.")
            ev.lines.append("[Stepping Rejected] Hint: the 'filtered' correction mode keeps only the valid "
                            "clusters.")
        elif len(valid) < q.min_total_clusters:
            ev.lines.append(f"[Stepping Rejected] Only {len(valid)} clusters (need {q.min_total_clusters}+).")
        else:
            ev.lines.append(f"[Stepping Accepted] All {len(valid)} clusters passed validation.")
            return {c.label for c in valid}, None
        return None, None
    if mode == "filtered":
        fallback = config.stepping_filtered_fallback
        if len(valid) < q.min_total_clusters:
            ev.lines.append(f"[Filtered Stepping Rejected] Only {len(valid)} valid clusters "
                            f"(need {q.min_total_clusters}+).")
        elif fallback == "reject" and invalid:
            ev.lines.append(f"[Filtered Stepping Rejected] {invalid}/{k} clusters failed validation and the "
                            "fallback mode is 'reject'.")
        else:
            ev.lines.append(f"[Filtered Stepping Accepted] Using {len(valid)}/{k} valid clusters "
                            f"(filtered {invalid}).")
            return {c.label for c in valid}, fallback
        return None, fallback
    smallest = min(c.size for c in clusters)
    need = config.custom_min_chunks_per_cluster
    if smallest >= need:
        ev.lines.append(f"[Stepping Accepted] Correction mode '{mode}': smallest cluster has {smallest} "
                        f"chunks (need {need}+).")
        return {c.label for c in clusters}, None
    ev.lines.append(f"[Stepping Rejected] Correction mode '{mode}': smallest cluster has {smallest} "
                    f"chunks (need {need}+).")
    return None, None


def _stepping(ev: _Evidence, ref_duration_s: float | None) -> Diagnosis | None:
    """Test 2 — stepping: two or more DBSCAN clusters, validated; None when there is no stepping or it is
    rejected (the linear-drift test runs next)."""
    clusters, mode = ev.clusters, ev.config.stepping_correction_mode
    k = len(clusters)
    if k < 2:
        return None
    if mode == "disabled":
        ev.lines.append(f"[Stepping] Found {k} timing clusters, but stepping correction is disabled.")
        return ev.result(DiagnosisKind.UNIFORM, f"{k} timing clusters, stepping correction disabled",
                         correction_mode=mode)
    ev.lines.append(f"[Stepping Detection] Found {k} timing clusters")
    ev.lines.append(f"[Stepping] Correction mode: {mode}, Quality mode: {ev.qmode}")
    ev.lines.extend(_validation_lines(clusters, ev.qmode, ev.q))
    if ev.config.diagnostics_verbose:
        ev.lines.extend(_diagnostic_lines(clusters, ev.labels))
    use_labels, fallback = _stepping_verdict(ev, mode)
    if use_labels is not None:
        segs = _segments(ev.accepted, ev.labels, clusters, use_labels, ev.config.chunk_duration_s, ref_duration_s)
        return ev.result(DiagnosisKind.STEPPING, f"{len(use_labels)} valid timing clusters", segments=segs,
                         correction_mode=mode, fallback_mode=fallback)
    ev.lines.append("[DriftDiagnosis] Stepping rejected; testing for linear drift instead.")
    return None


def _linear_drift(ev: _Evidence, codec_id: str) -> Diagnosis:
    """Test 3 — linear drift (the single cluster's chunks when one cluster holds most of them); else UNIFORM."""
    n, config, clusters = ev.n, ev.config, ev.clusters
    fit = ev.fit_all
    if len(clusters) == 1 and clusters[0].size >= MIN_CHUNKS_FOR_PATTERN and clusters[0].size < n:
        members = clusters[0].members
        fit = linear_fit([ev.x[i] for i in members], [ev.y[i] for i in members])
        ev.lines.append(f"[DriftDiagnosis] Fitting the {len(members)} chunks of the single cluster "
                        f"({n - len(members)} outlier chunks left out).")
    slope_thr = config.slope_threshold_lossless if ev.lossless else config.slope_threshold_lossy
    r2_thr = config.r2_threshold_lossless if ev.lossless else config.r2_threshold_lossy
    ev.lines.append(f"[DriftDiagnosis] Codec: {codec_id} (lossless={'True' if ev.lossless else 'False'}). "
                    f"Using R²>{r2_thr:.2f}, slope>{slope_thr:.1f} ms/s.")
    if fit is None:
        ev.lines.append("[DriftDiagnosis] All chunks start at the same time; no drift fit possible.")
        return ev.result(DiagnosisKind.UNIFORM, "no time spread between chunks", fit=None)
    r2 = fit.r2 if fit.r2 is not None else float("nan")  # NaN compares false: no drift
    r2_text = f"{fit.r2:.3f}" if fit.r2 is not None else "n/a"
    ev.lines.append(f"[DriftDiagnosis] Fit over {fit.n} chunks: slope={fit.slope:+.4f} ms/s, R²={r2_text}, "
                    f"total drift={fit.total_drift_ms:.2f}ms over {fit.span_s:.1f}s, "
                    f"residual RMS={fit.residual_rms:.3f}ms.")
    if abs(fit.slope) > slope_thr and r2 > r2_thr:
        ev.lines.append(f"[Linear Drift Detected] Delays fit a straight line with R-squared={r2:.3f} and "
                        f"slope={fit.slope:.2f} ms/s.")
        return ev.result(DiagnosisKind.LINEAR_DRIFT, f"slope {fit.slope:+.3f} ms/s, R² {r2:.3f}", fit=fit)
    residual_limit = max(RESIDUAL_FLOOR_MS, RESIDUAL_FRACTION * fit.total_drift_ms)
    if r2 > r2_thr and fit.total_drift_ms >= MIN_TOTAL_DRIFT_MS and fit.residual_rms <= residual_limit:
        ev.lines.append(f"[Linear Drift Detected] Slow drift: R-squared={r2:.3f}, slope={fit.slope:.3f} ms/s, "
                        f"{fit.total_drift_ms:.1f}ms across the scanned span (>= {MIN_TOTAL_DRIFT_MS:.1f}ms), "
                        f"residual RMS {fit.residual_rms:.3f}ms (<= {residual_limit:.3f}ms).")
        return ev.result(DiagnosisKind.LINEAR_DRIFT, f"slow drift: slope {fit.slope:+.3f} ms/s, R² {r2:.3f}, "
                         f"{fit.total_drift_ms:.1f} ms total", fit=fit)
    return ev.result(DiagnosisKind.UNIFORM, "constant delay (no stepping, no drift)", fit=fit)


def diagnose_python(chunks: Sequence[ChunkResult], config: DriftConfig, ref_fps: float | None,
                    target_fps: float | None, codec_id: str, ref_duration_s: float | None) -> Diagnosis:
    """The Python reference: the tests of docs/analysis.md#drift-and-stepping in order; the first that
    decides wins (too few chunks → robust model → PAL → stepping → linear drift / uniform)."""
    ev = _evidence(chunks, config, ref_fps, target_fps, codec_id)
    return (_too_few_chunks(ev) or _robust_model(ev, ref_fps, target_fps) or _pal_drift(ev, ref_fps, target_fps)
            or _stepping(ev, ref_duration_s) or _linear_drift(ev, codec_id))


def diagnose(chunks: Sequence[ChunkResult], config: DriftConfig | None = None, *,
             ref_fps: float | None = None, target_fps: float | None = None, codec_id: str = "unknown",
             ref_duration_s: float | None = None, backend: Backend | None = None) -> Diagnosis:
    """Diagnose one target. ``ref_fps``/``target_fps``: video frame rates of reference and target (None or 0
    when unknown: no PAL test). ``codec_id``: the target audio codec (lossless thresholds for
    PCM/FLAC/TrueHD). ``ref_duration_s``: end of the last STEPPING segment (default: the centre of the last
    chunk plus half a chunk)."""
    cfg = config or DriftConfig()
    from .engine import engine

    return engine(backend).diagnose(chunks, cfg, ref_fps, target_fps, codec_id, ref_duration_s)
