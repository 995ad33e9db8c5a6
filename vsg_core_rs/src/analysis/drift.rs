//! Drift / stepping diagnosis (docs/analysis.md#drift-and-stepping); mirror of `vsg_core/analysis/drift.py`.
//!
//! Same tests in the same order (PAL → stepping → linear drift), same arithmetic in the same order
//! (left-to-right sums), same log lines. The module docstring of the Python reference lists vsg's
//! deviations from the upstream baseline (INSUFFICIENT_DATA, PAL test with both frame rates, raw delays,
//! real chunk duration and match field, slow-drift rule, drift test after a stepping rejection).

use super::dbscan::dbscan_1d;
use super::records::ChunkResult;
use super::selection::{mean, round_half_even};
use crate::models::DiagnosisKind;

pub const MIN_CHUNKS_FOR_PATTERN: usize = 6;
pub const MIN_TOTAL_DRIFT_MS: f64 = 5.0;
pub const RESIDUAL_FLOOR_MS: f64 = 1.0;
pub const RESIDUAL_FRACTION: f64 = 0.05;
pub const PAL_FPS: f64 = 25.0;
pub const FILM_FPS: f64 = 24.0;
pub const FPS_TOLERANCE: f64 = 0.1;
pub const PAL_TOLERANCE_MS_PER_S: f64 = 5.0;
/// A chunk within this of the Theil–Sen line supports the line model.
pub const ROBUST_INLIER_MS: f64 = 10.0;
/// Share of accepted chunks the line must explain to be preferred to stepping.
pub const LINE_SUPPORT: f64 = 0.8;
/// … to be called PAL_DRIFT on the robust slope.
pub const PAL_SUPPORT: f64 = 0.6;
/// Below this share for every model (line, timing clusters): NO_MATCH.
pub const MODEL_SUPPORT: f64 = 0.5;

/// Cluster validation thresholds (docs/analysis.md#drift-and-stepping).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QualityThresholds {
    pub min_chunks_per_cluster: i64,
    pub min_cluster_pct: f64,
    pub min_duration_s: f64,
    pub min_match_pct: f64,
    pub min_total_clusters: i64,
}

/// The quality presets table (docs/analysis.md#drift-and-stepping); `None` for `custom` and unknown names.
pub fn quality_preset(name: &str) -> Option<QualityThresholds> {
    let q = |a, b, c, d, e| QualityThresholds {
        min_chunks_per_cluster: a,
        min_cluster_pct: b,
        min_duration_s: c,
        min_match_pct: d,
        min_total_clusters: e,
    };
    match name {
        "strict" => Some(q(3, 10.0, 30.0, 90.0, 3)),
        "normal" => Some(q(3, 5.0, 20.0, 85.0, 2)),
        "lenient" => Some(q(2, 3.0, 10.0, 75.0, 2)),
        _ => None,
    }
}

/// Settings of the diagnosis (field names as `vsg_core.analysis.drift.DriftConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct DriftConfig {
    pub eps_ms: f64,
    pub min_samples: usize,
    pub r2_threshold_lossy: f64,
    pub r2_threshold_lossless: f64,
    pub slope_threshold_lossy: f64,
    pub slope_threshold_lossless: f64,
    pub stepping_correction_mode: String,
    pub stepping_quality_mode: String,
    pub custom_min_chunks_per_cluster: i64,
    pub custom_min_cluster_pct: f64,
    pub custom_min_cluster_duration_s: f64,
    pub custom_min_match_quality_pct: f64,
    pub custom_min_total_clusters: i64,
    pub stepping_filtered_fallback: String,
    pub diagnostics_verbose: bool,
    pub min_accepted_chunks: i64,
    pub chunk_duration_s: f64,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            eps_ms: 20.0,
            min_samples: 2,
            r2_threshold_lossy: 0.90,
            r2_threshold_lossless: 0.95,
            slope_threshold_lossy: 0.7,
            slope_threshold_lossless: 0.2,
            stepping_correction_mode: "full".into(),
            stepping_quality_mode: "normal".into(),
            custom_min_chunks_per_cluster: 3,
            custom_min_cluster_pct: 5.0,
            custom_min_cluster_duration_s: 20.0,
            custom_min_match_quality_pct: 85.0,
            custom_min_total_clusters: 2,
            stepping_filtered_fallback: "nearest".into(),
            diagnostics_verbose: true,
            min_accepted_chunks: 3,
            chunk_duration_s: 15.0,
        }
    }
}

impl DriftConfig {
    /// (effective quality-mode name, thresholds); unknown modes behave as `normal`.
    pub fn quality(&self) -> (String, QualityThresholds) {
        let mode = self.stepping_quality_mode.as_str();
        if mode == "custom" {
            return (
                mode.to_string(),
                QualityThresholds {
                    min_chunks_per_cluster: self.custom_min_chunks_per_cluster,
                    min_cluster_pct: self.custom_min_cluster_pct,
                    min_duration_s: self.custom_min_cluster_duration_s,
                    min_match_pct: self.custom_min_match_quality_pct,
                    min_total_clusters: self.custom_min_total_clusters,
                },
            );
        }
        match quality_preset(mode) {
            Some(q) => (mode.to_string(), q),
            None => ("normal".to_string(), quality_preset("normal").unwrap()),
        }
    }
}

/// Least-squares line `raw_delay = slope · t + intercept`.
#[derive(Clone, Debug, PartialEq)]
pub struct LineFit {
    pub n: usize,
    pub slope: f64,
    pub intercept: f64,
    pub r2: Option<f64>,
    pub residual_rms: f64,
    pub span_s: f64,
    pub total_drift_ms: f64,
}

/// OLS fit; `None` for fewer than 2 points or when every x is equal.
pub fn linear_fit(x: &[f64], y: &[f64]) -> Option<LineFit> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (xi, yi) in x.iter().zip(y) {
        let (dx, dy) = (xi - mx, yi - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let r2 = if syy > 0.0 {
        Some((sxy * sxy) / (sxx * syy))
    } else {
        None
    };
    let mut ss = 0.0;
    for (xi, yi) in x.iter().zip(y) {
        let r = yi - (slope * xi + intercept);
        ss += r * r;
    }
    let max_x = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let min_x = x.iter().cloned().fold(f64::INFINITY, f64::min);
    let span = max_x - min_x;
    Some(LineFit {
        n,
        slope,
        intercept,
        r2,
        residual_rms: (ss / n as f64).sqrt(),
        span_s: span,
        total_drift_ms: slope.abs() * span,
    })
}

fn median_of(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Theil–Sen line (slope = median of the pairwise slopes, intercept = median of y − slope·x); `None` for
/// fewer than 2 distinct x. Mirrors `vsg_core.analysis.drift.theil_sen`.
pub fn theil_sen(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let n = x.len();
    let mut slopes = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            if x[j] != x[i] {
                slopes.push((y[j] - y[i]) / (x[j] - x[i]));
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    let slope = median_of(&mut slopes);
    let mut icpt: Vec<f64> = x.iter().zip(y).map(|(xi, yi)| yi - slope * xi).collect();
    Some((slope, median_of(&mut icpt)))
}

/// Indices of the points within `ROBUST_INLIER_MS` of `line` (all of them without a line).
pub fn robust_inliers(x: &[f64], y: &[f64], line: Option<(f64, f64)>) -> Vec<usize> {
    match line {
        None => (0..x.len()).collect(),
        Some((slope, intercept)) => (0..x.len())
            .filter(|&i| (y[i] - (slope * x[i] + intercept)).abs() <= ROBUST_INLIER_MS)
            .collect(),
    }
}

/// Expected delay slope (ms/s) when one side is the 25 fps PAL speed-up of the other's film rate:
/// `(1 − fps_ref / fps_tgt) · 1000`. `None` unless exactly one rate is ~25 and the other ~24/23.976.
pub fn expected_pal_slope(ref_fps: Option<f64>, target_fps: Option<f64>) -> Option<f64> {
    let (r, t) = (ref_fps?, target_fps?);
    if r.is_nan() || t.is_nan() || r <= 0.0 || t <= 0.0 {
        return None;
    }
    let is_pal = |f: f64| (f - PAL_FPS).abs() < FPS_TOLERANCE;
    let is_film = |f: f64| (f - FILM_FPS).abs() < FPS_TOLERANCE;
    if (is_pal(t) && is_film(r)) || (is_pal(r) && is_film(t)) {
        Some((1.0 - r / t) * 1000.0)
    } else {
        None
    }
}

pub fn is_lossless_codec(codec_id: &str) -> bool {
    let c = codec_id.to_lowercase();
    ["pcm", "flac", "truehd"].iter().any(|m| c.contains(m))
}

#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub value: f64,
    pub threshold: f64,
    pub passed: bool,
}

/// One DBSCAN cluster of accepted chunks with its validation. `checks` order: chunks, percentage,
/// duration, match.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterInfo {
    pub label: i64,
    pub members: Vec<usize>,
    pub chunk_indices: Vec<u32>,
    pub mean_delay_ms: f64,
    pub std_delay_ms: f64,
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    pub percentage: f64,
    pub avg_match_pct: f64,
    pub min_match_pct: f64,
    pub checks: Vec<(&'static str, Check)>,
    pub passed_checks: usize,
    pub valid: bool,
}

impl ClusterInfo {
    pub fn size(&self) -> usize {
        self.members.len()
    }
    fn check(&self, name: &str) -> &Check {
        &self.checks.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

/// A constant-delay stretch of the reference timeline (STEPPING).
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub start_s: f64,
    pub end_s: f64,
    pub delay_ms: i64,
    pub raw_delay_ms: f64,
    pub cluster_label: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    pub accepted_count: usize,
    pub fit: Option<LineFit>,
    pub lossless: bool,
    pub expected_pal_ms_per_s: Option<f64>,
    pub clusters: Vec<ClusterInfo>,
    pub segments: Vec<Segment>,
    pub correction_mode: Option<String>,
    pub fallback_mode: Option<String>,
    pub reason: String,
    pub lines: Vec<String>,
    /// `ChunkResult.index` of the accepted chunks off the robust line.
    pub outlier_chunks: Vec<u32>,
    /// Theil–Sen (slope ms/s, delay at 0 s ms) over the accepted chunks.
    pub robust_line: Option<(f64, f64)>,
    /// Accepted chunks within `ROBUST_INLIER_MS` of the robust line.
    pub line_support: usize,
    /// Accepted chunks in a DBSCAN timing cluster.
    pub cluster_support: usize,
}

/// `[1, 2, 3, 5, 7, 8, 9]` → `1-3,5,7-9`.
pub fn compress_ranges(numbers: &[u32]) -> String {
    let mut nums = numbers.to_vec();
    nums.sort_unstable();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            nums[i].to_string()
        } else {
            format!("{}-{}", nums[i], nums[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

fn pstd(values: &[f64], m: f64) -> f64 {
    let mut total = 0.0;
    for v in values {
        total += (v - m) * (v - m);
    }
    (total / values.len() as f64).sqrt()
}

fn min_f(v: &[f64]) -> f64 {
    v.iter().cloned().fold(f64::INFINITY, f64::min)
}

fn max_f(v: &[f64]) -> f64 {
    v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
}

fn build_clusters(
    accepted: &[&ChunkResult],
    labels: &[i64],
    chunk_duration_s: f64,
    q: &QualityThresholds,
) -> Vec<ClusterInfo> {
    let n = accepted.len();
    let mut label_set: Vec<i64> = labels.iter().cloned().filter(|&l| l >= 0).collect();
    label_set.sort_unstable();
    label_set.dedup();
    label_set
        .into_iter()
        .map(|label| {
            let members: Vec<usize> = (0..n).filter(|&i| labels[i] == label).collect();
            let raws: Vec<f64> = members.iter().map(|&i| accepted[i].raw_delay_ms).collect();
            let starts: Vec<f64> = members.iter().map(|&i| accepted[i].start_s).collect();
            let matches: Vec<f64> = members.iter().map(|&i| accepted[i].match_pct).collect();
            let m = mean(&raws);
            let t0 = min_f(&starts);
            let t1 = max_f(&starts) + chunk_duration_s;
            let duration = t1 - t0;
            let size = members.len();
            let pct = size as f64 / n as f64 * 100.0;
            let avg_match = mean(&matches);
            let checks = vec![
                (
                    "chunks",
                    Check {
                        value: size as f64,
                        threshold: q.min_chunks_per_cluster as f64,
                        passed: size as i64 >= q.min_chunks_per_cluster,
                    },
                ),
                (
                    "percentage",
                    Check {
                        value: pct,
                        threshold: q.min_cluster_pct,
                        passed: pct >= q.min_cluster_pct,
                    },
                ),
                (
                    "duration",
                    Check {
                        value: duration,
                        threshold: q.min_duration_s,
                        passed: duration >= q.min_duration_s,
                    },
                ),
                (
                    "match",
                    Check {
                        value: avg_match,
                        threshold: q.min_match_pct,
                        passed: avg_match >= q.min_match_pct,
                    },
                ),
            ];
            let passed = checks.iter().filter(|(_, c)| c.passed).count();
            ClusterInfo {
                label,
                chunk_indices: members.iter().map(|&i| accepted[i].index).collect(),
                members,
                mean_delay_ms: m,
                std_delay_ms: pstd(&raws, m),
                start_s: t0,
                end_s: t1,
                duration_s: duration,
                percentage: pct,
                avg_match_pct: avg_match,
                min_match_pct: min_f(&matches),
                checks,
                passed_checks: passed,
                valid: passed == 4,
            }
        })
        .collect()
}

fn validation_lines(clusters: &[ClusterInfo], qmode: &str, q: &QualityThresholds) -> Vec<String> {
    let mut lines = vec![format!("[Quality Validation - Mode: {qmode}]")];
    for c in clusters {
        let mark = |name: &str| if c.check(name).passed { "✓" } else { "✗" };
        lines.push(format!(
            "  Cluster {} (@{:.1}s - {:.1}s): {:+.0}ms",
            c.label + 1,
            c.start_s,
            c.end_s,
            c.mean_delay_ms
        ));
        lines.push(format!(
            "    {} Chunks: {} (need {}+)",
            mark("chunks"),
            c.size(),
            q.min_chunks_per_cluster
        ));
        lines.push(format!(
            "    {} Percentage: {:.1}% (need {:.1}%+)",
            mark("percentage"),
            c.percentage,
            q.min_cluster_pct
        ));
        lines.push(format!(
            "    {} Duration: {:.1}s (need {:.1}s+)",
            mark("duration"),
            c.duration_s,
            q.min_duration_s
        ));
        lines.push(format!(
            "    {} Match quality: {:.1}% (need {:.1}%+)",
            mark("match"),
            c.avg_match_pct,
            q.min_match_pct
        ));
        let status = if c.valid { "ACCEPTED" } else { "FILTERED OUT" };
        lines.push(format!(
            "    → STATUS: {status} ({}/4 checks passed)",
            c.passed_checks
        ));
    }
    lines
}

/// Cluster labels in time order with noise dropped and repeats collapsed: [0, 0, -1, 1, 1, 0] → [0, 1, 0].
fn run_labels(labels: &[i64]) -> Vec<i64> {
    let mut runs: Vec<i64> = Vec::new();
    for &lb in labels {
        if lb >= 0 && runs.last() != Some(&lb) {
            runs.push(lb);
        }
    }
    runs
}

fn diagnostic_lines(clusters: &[ClusterInfo], labels: &[i64]) -> Vec<String> {
    let mut lines = vec!["[Cluster Diagnostics] Detailed composition:".to_string()];
    let mut by_time: Vec<&ClusterInfo> = clusters.iter().collect();
    by_time.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.label.cmp(&b.label)));
    let mut prev: Option<&ClusterInfo> = None;
    for c in &by_time {
        let mut text = format!(
            "  Cluster {}: delay={:+.0}±{:.1}ms, chunks {} (@{:.1}s - @{:.1}s), match={:.1}% (min={:.1}%)",
            c.label + 1,
            c.mean_delay_ms,
            c.std_delay_ms,
            compress_ranges(&c.chunk_indices),
            c.start_s,
            c.end_s,
            c.avg_match_pct,
            c.min_match_pct
        );
        if let Some(p) = prev {
            let jump = c.mean_delay_ms - p.mean_delay_ms;
            let arrow = if jump >= 0.0 { "↑" } else { "↓" };
            text.push_str(&format!(" [{arrow}{:+.0}ms jump]", jump.abs()));
        }
        lines.push(text);
        prev = Some(c);
    }
    let mean_of = |label: i64| {
        clusters
            .iter()
            .find(|c| c.label == label)
            .map(|c| c.mean_delay_ms)
            .unwrap_or(0.0)
    };
    let runs = run_labels(labels);
    if runs.len() >= 2 {
        let jumps: Vec<f64> = runs
            .windows(2)
            .map(|w| mean_of(w[1]) - mean_of(w[0]))
            .collect();
        lines.push("[Transition Analysis]:".to_string());
        if jumps.iter().all(|&j| j > 0.0) {
            lines.push("  → All delays INCREASE (accumulating lag = missing content)".to_string());
        } else if jumps.iter().all(|&j| j < 0.0) {
            lines.push("  → All delays DECREASE (accumulating lead = extra content)".to_string());
        } else {
            lines.push("  → Mixed pattern (some increases, some decreases)".to_string());
        }
        let sizes: Vec<f64> = jumps.iter().map(|j| j.abs()).collect();
        let avg = mean(&sizes);
        if jumps.len() > 1 && sizes.iter().all(|s| (s - avg).abs() <= 50.0) {
            lines.push(format!(
                "  Consistent jump size: ~{avg:.0} ms per transition"
            ));
            lines.push("  Likely cause: Regular reel changes or commercial breaks".to_string());
        } else {
            let text = jumps
                .iter()
                .map(|j| format!("{j:+.0}ms"))
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(format!("  Jumps: {text}"));
            lines.push("  Likely cause: Scene-specific edits".to_string());
        }
    }
    for c in clusters {
        if c.min_match_pct < 70.0 {
            lines.push(format!(
                "  [WARNING] Cluster {} contains low-quality chunks (min match {:.1}% < 70%)",
                c.label + 1,
                c.min_match_pct
            ));
        }
    }
    lines
}

fn segments(
    accepted: &[&ChunkResult],
    labels: &[i64],
    clusters: &[ClusterInfo],
    use_labels: &[i64],
    chunk_duration_s: f64,
    ref_duration_s: Option<f64>,
) -> Vec<Segment> {
    let mut runs: Vec<(i64, f64, f64)> = Vec::new(); // (label, first centre, last centre)
    for (rec, &lb) in accepted.iter().zip(labels) {
        if !use_labels.contains(&lb) {
            continue;
        }
        let centre = rec.start_s + chunk_duration_s / 2.0;
        match runs.last_mut() {
            Some(run) if run.0 == lb => run.2 = centre,
            _ => runs.push((lb, centre, centre)),
        }
    }
    let mut segs = Vec::new();
    for k in 0..runs.len() {
        let (lb, _first, last) = runs[k];
        let start = if k == 0 {
            0.0
        } else {
            (runs[k - 1].2 + runs[k].1) / 2.0
        };
        let end = if k + 1 < runs.len() {
            (last + runs[k + 1].1) / 2.0
        } else {
            ref_duration_s.unwrap_or(last + chunk_duration_s / 2.0)
        };
        let c = clusters.iter().find(|c| c.label == lb).unwrap();
        segs.push(Segment {
            start_s: start,
            end_s: end,
            delay_ms: round_half_even(c.mean_delay_ms),
            raw_delay_ms: c.mean_delay_ms,
            cluster_label: lb,
        });
    }
    segs
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// What every test of the diagnosis reads: the accepted chunks, their fits and clusters, and the log so far.
struct Evidence<'a> {
    config: &'a DriftConfig,
    accepted: Vec<&'a ChunkResult>,
    /// Chunk centres on the reference timeline (s).
    x: Vec<f64>,
    /// Raw delays (ms).
    y: Vec<f64>,
    lossless: bool,
    expected_pal: Option<f64>,
    fit_all: Option<LineFit>,
    qmode: String,
    q: QualityThresholds,
    labels: Vec<i64>,
    clusters: Vec<ClusterInfo>,
    /// Theil–Sen (slope, intercept).
    line: Option<(f64, f64)>,
    inliers: Vec<usize>,
    outlier_chunks: Vec<u32>,
    cluster_support: usize,
    lines: Vec<String>,
}

impl<'a> Evidence<'a> {
    fn gather(
        chunks: &'a [ChunkResult],
        config: &'a DriftConfig,
        ref_fps: Option<f64>,
        target_fps: Option<f64>,
        codec_id: &str,
    ) -> Self {
        let accepted: Vec<&ChunkResult> = chunks.iter().filter(|c| c.accepted).collect();
        let x: Vec<f64> = accepted
            .iter()
            .map(|c| c.start_s + config.chunk_duration_s / 2.0)
            .collect();
        let y: Vec<f64> = accepted.iter().map(|c| c.raw_delay_ms).collect();
        let (qmode, q) = config.quality();
        let labels = dbscan_1d(&y, config.eps_ms, config.min_samples);
        let clusters = build_clusters(&accepted, &labels, config.chunk_duration_s, &q);
        let line = theil_sen(&x, &y);
        let inliers = robust_inliers(&x, &y, line);
        let outlier_chunks: Vec<u32> = (0..accepted.len())
            .filter(|i| !inliers.contains(i))
            .map(|i| accepted[i].index)
            .collect();
        let cluster_support: usize = clusters.iter().map(|c| c.size()).sum();
        Evidence {
            config,
            fit_all: linear_fit(&x, &y),
            accepted,
            x,
            y,
            lossless: is_lossless_codec(codec_id),
            expected_pal: expected_pal_slope(ref_fps, target_fps),
            qmode,
            q,
            labels,
            clusters,
            line,
            inliers,
            outlier_chunks,
            cluster_support,
            lines: Vec::new(),
        }
    }

    fn n(&self) -> usize {
        self.accepted.len()
    }

    /// The diagnosis with the log lines so far.
    fn finish(
        &self,
        kind: DiagnosisKind,
        reason: String,
        fit: Option<LineFit>,
        segments: Vec<Segment>,
        correction_mode: Option<String>,
        fallback_mode: Option<String>,
    ) -> Diagnosis {
        Diagnosis {
            kind,
            accepted_count: self.n(),
            fit,
            lossless: self.lossless,
            expected_pal_ms_per_s: self.expected_pal,
            clusters: self.clusters.clone(),
            segments,
            correction_mode,
            fallback_mode,
            reason,
            lines: self.lines.clone(),
            outlier_chunks: self.outlier_chunks.clone(),
            robust_line: self.line,
            line_support: self.inliers.len(),
            cluster_support: self.cluster_support,
        }
    }

    /// A diagnosis without segments or correction modes.
    fn verdict(&self, kind: DiagnosisKind, reason: String, fit: Option<LineFit>) -> Diagnosis {
        self.finish(kind, reason, fit, vec![], None, None)
    }

    /// Threshold by codec class (lossless or lossy).
    fn by_codec(&self, lossless: f64, lossy: f64) -> f64 {
        if self.lossless {
            lossless
        } else {
            lossy
        }
    }
}

/// INSUFFICIENT_DATA below `min_accepted_chunks`; with fewer than MIN_CHUNKS_FOR_PATTERN, LINEAR_DRIFT when
/// every chunk lies on a line that passes the linear-drift test, else UNIFORM only when every delay agrees
/// within the cluster distance.
fn too_few_chunks(ev: &mut Evidence) -> Option<Diagnosis> {
    let n = ev.n();
    let (min_acc, eps) = (ev.config.min_accepted_chunks.max(1), ev.config.eps_ms);
    if (n as i64) < min_acc {
        let reason = format!("only {n} accepted chunks (need at least {min_acc})");
        ev.lines
            .push(format!("[DriftDiagnosis] INSUFFICIENT_DATA: {reason}."));
        return Some(ev.verdict(DiagnosisKind::InsufficientData, reason, ev.fit_all.clone()));
    }
    if n >= MIN_CHUNKS_FOR_PATTERN {
        return None;
    }
    let spread = max_f(&ev.y) - min_f(&ev.y);
    // every chunk on one line that drifts by more than a constant delay can absorb: the linear-drift test of
    // the robust model, with all chunks as inliers (a step between few chunks fails it)
    let r2_line = ev.by_codec(
        ev.config.r2_threshold_lossless,
        ev.config.r2_threshold_lossy,
    );
    if let Some(fit) = ev.fit_all.clone() {
        if fit.total_drift_ms >= MIN_TOTAL_DRIFT_MS
            && fit.residual_rms <= RESIDUAL_FLOOR_MS.max(RESIDUAL_FRACTION * fit.total_drift_ms)
            && fit.r2.is_some_and(|r| r > r2_line)
        {
            let r2 = fit.r2.unwrap_or(0.0);
            let reason = format!(
                "{n} accepted chunks (< {MIN_CHUNKS_FOR_PATTERN}) lie on a line: slope {:+.4} ms/s, R² {r2:.3}, residual RMS {:.3} ms, {:.1} ms across the scanned span",
                fit.slope, fit.residual_rms, fit.total_drift_ms
            );
            ev.lines
                .push(format!("[DriftDiagnosis] LINEAR_DRIFT: {reason}."));
            let short = format!(
                "drift: slope {:+.3} ms/s, R² {r2:.3}, {n} accepted chunks",
                fit.slope
            );
            return Some(ev.verdict(DiagnosisKind::LinearDrift, short, Some(fit)));
        }
    }
    if spread <= eps {
        let reason = format!(
            "{n} accepted chunks (< {MIN_CHUNKS_FOR_PATTERN}, too few for the drift/stepping tests); their delays agree within {spread:.3} ms (<= {eps:.1} ms)"
        );
        ev.lines
            .push(format!("[DriftDiagnosis] UNIFORM: {reason}."));
        return Some(ev.verdict(DiagnosisKind::Uniform, reason, ev.fit_all.clone()));
    }
    let reason = format!(
        "{n} accepted chunks (< {MIN_CHUNKS_FOR_PATTERN}, too few for the drift/stepping tests) whose delays spread over {spread:.3} ms (> {eps:.1} ms)"
    );
    ev.lines
        .push(format!("[DriftDiagnosis] INSUFFICIENT_DATA: {reason}."));
    Some(ev.verdict(DiagnosisKind::InsufficientData, reason, ev.fit_all.clone()))
}

/// Test 0 — robust line (Theil–Sen): NO_MATCH when neither a line nor clusters explain the chunks; PAL or
/// linear drift when the chunks on the robust line say so (outliers left out).
fn robust_model(
    ev: &mut Evidence,
    ref_fps: Option<f64>,
    target_fps: Option<f64>,
) -> Option<Diagnosis> {
    let (n, nf, n_in) = (ev.n(), ev.n() as f64, ev.inliers.len());
    let (cluster_support, n_out) = (ev.cluster_support, ev.outlier_chunks.len());
    let xin: Vec<f64> = ev.inliers.iter().map(|&i| ev.x[i]).collect();
    let yin: Vec<f64> = ev.inliers.iter().map(|&i| ev.y[i]).collect();
    let fit_in = linear_fit(&xin, &yin);
    if let Some((ls, li)) = ev.line {
        ev.lines.push(format!(
            "[Robust Fit] Theil-Sen slope {ls:+.4} ms/s, delay at 0 s {li:+.3} ms; {n_in}/{n} chunks within ±{ROBUST_INLIER_MS:.0} ms of the line; {cluster_support}/{n} chunks in timing clusters."
        ));
    }
    if n_out > 0 {
        let ranges = compress_ranges(&ev.outlier_chunks);
        ev.lines.push(format!(
            "[Robust Fit] Outlier chunks (off the line): {ranges}"
        ));
    }
    if (n_in.max(cluster_support) as f64) < MODEL_SUPPORT * nf {
        let reason = format!(
            "the {n} accepted chunks agree on no delay model: a line explains {n_in} of them, timing clusters {cluster_support} (need {:.0}%)",
            MODEL_SUPPORT * 100.0
        );
        ev.lines
            .push(format!("[DriftDiagnosis] NO_MATCH: {reason}."));
        return Some(ev.verdict(DiagnosisKind::NoMatch, reason, ev.fit_all.clone()));
    }
    if let (Some(exp), Some((ls, _)), Some(fi)) = (ev.expected_pal, ev.line, fit_in.as_ref()) {
        if (ls - exp).abs() < PAL_TOLERANCE_MS_PER_S && n_in as f64 >= PAL_SUPPORT * nf {
            ev.lines.push(format!(
                "[PAL Drift Detected] Reference {:.3} fps, target {:.3} fps: expected drift {exp:+.2} ms/s, robust slope {ls:+.2} ms/s ({n_in}/{n} chunks on the line).",
                ref_fps.unwrap_or(0.0),
                target_fps.unwrap_or(0.0),
            ));
            let reason = format!(
                "PAL speed-up: slope {:+.2} ms/s (expected {exp:+.2}); {n_out} outlier chunks",
                fi.slope
            );
            return Some(ev.verdict(DiagnosisKind::PalDrift, reason, fit_in.clone()));
        }
    }
    let r2_line = ev.by_codec(
        ev.config.r2_threshold_lossless,
        ev.config.r2_threshold_lossy,
    );
    let fi = fit_in.as_ref()?;
    if n_in as f64 >= LINE_SUPPORT * nf
        && fi.total_drift_ms >= MIN_TOTAL_DRIFT_MS
        && fi.residual_rms <= RESIDUAL_FLOOR_MS.max(RESIDUAL_FRACTION * fi.total_drift_ms)
        && fi.r2.is_some_and(|r| r > r2_line)
    {
        let r2 = fi.r2.unwrap_or(0.0);
        ev.lines.push(format!(
            "[Linear Drift Detected] {n_in}/{n} chunks lie on a line: slope {:+.4} ms/s, R²={r2:.3}, residual RMS {:.3} ms, {:.1} ms across the scanned span; {n_out} outlier chunks.",
            fi.slope, fi.residual_rms, fi.total_drift_ms
        ));
        let reason = format!(
            "drift: slope {:+.3} ms/s, R² {r2:.3}, {n_out} outlier chunks",
            fi.slope
        );
        return Some(ev.verdict(DiagnosisKind::LinearDrift, reason, fit_in.clone()));
    }
    None
}

/// Test 1 — PAL drift from the frame rates of both sources and the fit over all chunks.
fn pal_drift(
    ev: &mut Evidence,
    ref_fps: Option<f64>,
    target_fps: Option<f64>,
) -> Option<Diagnosis> {
    let (exp, fit) = (ev.expected_pal?, ev.fit_all.as_ref()?);
    if (fit.slope - exp).abs() >= PAL_TOLERANCE_MS_PER_S {
        return None;
    }
    let slope = fit.slope;
    ev.lines.push(format!(
        "[PAL Drift Detected] Reference {:.3} fps, target {:.3} fps: expected drift {exp:+.2} ms/s, measured {slope:+.2} ms/s.",
        ref_fps.unwrap_or(0.0),
        target_fps.unwrap_or(0.0),
    ));
    let reason = format!("PAL speed-up: slope {slope:+.2} ms/s (expected {exp:+.2})");
    Some(ev.verdict(DiagnosisKind::PalDrift, reason, ev.fit_all.clone()))
}

/// The clusters stepping uses under `mode` (`None`: rejected), with its log lines; and the fallback mode.
fn stepping_verdict(ev: &mut Evidence, mode: &str) -> (Option<Vec<i64>>, Option<String>) {
    let k = ev.clusters.len();
    let valid: Vec<i64> = ev
        .clusters
        .iter()
        .filter(|c| c.valid)
        .map(|c| c.label)
        .collect();
    let (nv, need) = (valid.len(), ev.q.min_total_clusters);
    let invalid = k - nv;
    if mode == "full" || mode == "strict" {
        if invalid > 0 {
            ev.lines.push(format!(
                "[Stepping Rejected] {invalid}/{k} clusters failed validation in '{mode}' mode."
            ));
            ev.lines.push(
                "[Stepping Rejected] Hint: the 'filtered' correction mode keeps only the valid clusters."
                    .to_string(),
            );
        } else if (nv as i64) < need {
            ev.lines.push(format!(
                "[Stepping Rejected] Only {nv} clusters (need {need}+)."
            ));
        } else {
            ev.lines.push(format!(
                "[Stepping Accepted] All {nv} clusters passed validation."
            ));
            return (Some(valid), None);
        }
        return (None, None);
    }
    if mode == "filtered" {
        let fb = ev.config.stepping_filtered_fallback.clone();
        if (nv as i64) < need {
            ev.lines.push(format!(
                "[Filtered Stepping Rejected] Only {nv} valid clusters (need {need}+)."
            ));
        } else if fb == "reject" && invalid > 0 {
            ev.lines.push(format!(
                "[Filtered Stepping Rejected] {invalid}/{k} clusters failed validation and the fallback mode is 'reject'."
            ));
        } else {
            ev.lines.push(format!(
                "[Filtered Stepping Accepted] Using {nv}/{k} valid clusters (filtered {invalid})."
            ));
            return (Some(valid), Some(fb));
        }
        return (None, Some(fb));
    }
    let smallest = ev.clusters.iter().map(|c| c.size()).min().unwrap_or(0);
    let min_chunks = ev.config.custom_min_chunks_per_cluster;
    if smallest as i64 >= min_chunks {
        ev.lines.push(format!(
            "[Stepping Accepted] Correction mode '{mode}': smallest cluster has {smallest} chunks (need {min_chunks}+)."
        ));
        return (Some(ev.clusters.iter().map(|c| c.label).collect()), None);
    }
    ev.lines.push(format!(
        "[Stepping Rejected] Correction mode '{mode}': smallest cluster has {smallest} chunks (need {min_chunks}+)."
    ));
    (None, None)
}

/// Test 2 — stepping: two or more DBSCAN clusters, validated; `None` when there is no stepping or it is
/// rejected (the linear-drift test runs next).
fn stepping(ev: &mut Evidence, ref_duration_s: Option<f64>) -> Option<Diagnosis> {
    let mode = ev.config.stepping_correction_mode.clone();
    let k = ev.clusters.len();
    if k < 2 {
        return None;
    }
    if mode == "disabled" {
        ev.lines.push(format!(
            "[Stepping] Found {k} timing clusters, but stepping correction is disabled."
        ));
        let reason = format!("{k} timing clusters, stepping correction disabled");
        let fit = ev.fit_all.clone();
        return Some(ev.finish(
            DiagnosisKind::Uniform,
            reason,
            fit,
            vec![],
            Some(mode),
            None,
        ));
    }
    ev.lines
        .push(format!("[Stepping Detection] Found {k} timing clusters"));
    ev.lines.push(format!(
        "[Stepping] Correction mode: {mode}, Quality mode: {}",
        ev.qmode
    ));
    let validation = validation_lines(&ev.clusters, &ev.qmode, &ev.q);
    ev.lines.extend(validation);
    if ev.config.diagnostics_verbose {
        let diagnostics = diagnostic_lines(&ev.clusters, &ev.labels);
        ev.lines.extend(diagnostics);
    }
    let (use_labels, fallback) = stepping_verdict(ev, &mode);
    if let Some(use_labels) = use_labels {
        let segs = segments(
            &ev.accepted,
            &ev.labels,
            &ev.clusters,
            &use_labels,
            ev.config.chunk_duration_s,
            ref_duration_s,
        );
        let reason = format!("{} valid timing clusters", use_labels.len());
        let fit = ev.fit_all.clone();
        return Some(ev.finish(
            DiagnosisKind::Stepping,
            reason,
            fit,
            segs,
            Some(mode),
            fallback,
        ));
    }
    ev.lines
        .push("[DriftDiagnosis] Stepping rejected; testing for linear drift instead.".to_string());
    None
}

/// Test 3 — linear drift (the single cluster's chunks when one cluster holds most of them); else UNIFORM.
fn linear_drift(ev: &mut Evidence, codec_id: &str) -> Diagnosis {
    let n = ev.n();
    let mut fit = ev.fit_all.clone();
    if ev.clusters.len() == 1
        && ev.clusters[0].size() >= MIN_CHUNKS_FOR_PATTERN
        && ev.clusters[0].size() < n
    {
        let members = &ev.clusters[0].members;
        let xs: Vec<f64> = members.iter().map(|&i| ev.x[i]).collect();
        let ys: Vec<f64> = members.iter().map(|&i| ev.y[i]).collect();
        fit = linear_fit(&xs, &ys);
        let line = format!(
            "[DriftDiagnosis] Fitting the {} chunks of the single cluster ({} outlier chunks left out).",
            members.len(),
            n - members.len()
        );
        ev.lines.push(line);
    }
    let slope_thr = ev.by_codec(
        ev.config.slope_threshold_lossless,
        ev.config.slope_threshold_lossy,
    );
    let r2_thr = ev.by_codec(
        ev.config.r2_threshold_lossless,
        ev.config.r2_threshold_lossy,
    );
    ev.lines.push(format!(
        "[DriftDiagnosis] Codec: {codec_id} (lossless={}). Using R²>{r2_thr:.2}, slope>{slope_thr:.1} ms/s.",
        py_bool(ev.lossless)
    ));
    let Some(f) = fit.clone() else {
        ev.lines.push(
            "[DriftDiagnosis] All chunks start at the same time; no drift fit possible."
                .to_string(),
        );
        return ev.verdict(
            DiagnosisKind::Uniform,
            "no time spread between chunks".to_string(),
            None,
        );
    };
    let r2 = f.r2.unwrap_or(f64::NAN);
    let r2_text = match f.r2 {
        Some(v) => format!("{v:.3}"),
        None => "n/a".to_string(),
    };
    ev.lines.push(format!(
        "[DriftDiagnosis] Fit over {} chunks: slope={:+.4} ms/s, R²={r2_text}, total drift={:.2}ms over {:.1}s, residual RMS={:.3}ms.",
        f.n, f.slope, f.total_drift_ms, f.span_s, f.residual_rms
    ));
    if f.slope.abs() > slope_thr && r2 > r2_thr {
        ev.lines.push(format!(
            "[Linear Drift Detected] Delays fit a straight line with R-squared={r2:.3} and slope={:.2} ms/s.",
            f.slope
        ));
        let reason = format!("slope {:+.3} ms/s, R² {r2:.3}", f.slope);
        return ev.verdict(DiagnosisKind::LinearDrift, reason, fit);
    }
    let residual_limit = RESIDUAL_FLOOR_MS.max(RESIDUAL_FRACTION * f.total_drift_ms);
    if r2 > r2_thr && f.total_drift_ms >= MIN_TOTAL_DRIFT_MS && f.residual_rms <= residual_limit {
        ev.lines.push(format!(
            "[Linear Drift Detected] Slow drift: R-squared={r2:.3}, slope={:.3} ms/s, {:.1}ms across the scanned span (>= {MIN_TOTAL_DRIFT_MS:.1}ms), residual RMS {:.3}ms (<= {residual_limit:.3}ms).",
            f.slope, f.total_drift_ms, f.residual_rms
        ));
        let reason = format!(
            "slow drift: slope {:+.3} ms/s, R² {r2:.3}, {:.1} ms total",
            f.slope, f.total_drift_ms
        );
        return ev.verdict(DiagnosisKind::LinearDrift, reason, fit);
    }
    ev.verdict(
        DiagnosisKind::Uniform,
        "constant delay (no stepping, no drift)".to_string(),
        fit,
    )
}

/// Diagnose one target from all its chunk records (rejected ones are ignored): the tests of
/// docs/analysis.md#drift-and-stepping in order; the first that decides wins (too few chunks → robust model →
/// PAL → stepping → linear drift / uniform).
pub fn diagnose(
    chunks: &[ChunkResult],
    config: &DriftConfig,
    ref_fps: Option<f64>,
    target_fps: Option<f64>,
    codec_id: &str,
    ref_duration_s: Option<f64>,
) -> Diagnosis {
    let mut ev = Evidence::gather(chunks, config, ref_fps, target_fps, codec_id);
    if let Some(d) = too_few_chunks(&mut ev) {
        return d;
    }
    if let Some(d) = robust_model(&mut ev, ref_fps, target_fps) {
        return d;
    }
    if let Some(d) = pal_drift(&mut ev, ref_fps, target_fps) {
        return d;
    }
    if let Some(d) = stepping(&mut ev, ref_duration_s) {
        return d;
    }
    linear_drift(&mut ev, codec_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(raws: &[f64], spacing: f64, matches: f64) -> Vec<ChunkResult> {
        raws.iter()
            .enumerate()
            .map(|(i, &r)| ChunkResult {
                index: i as u32 + 1,
                start_s: 10.0 + spacing * i as f64,
                delay_ms: round_half_even(r),
                raw_delay_ms: r,
                match_pct: matches,
                accepted: true,
            })
            .collect()
    }

    #[test]
    fn expected_pal_slopes() {
        let film = 24000.0 / 1001.0;
        let t = expected_pal_slope(Some(film), Some(25.0)).unwrap();
        assert!((t - 40.959).abs() < 1e-3, "{t}");
        let r = expected_pal_slope(Some(25.0), Some(film)).unwrap();
        assert!((r + 42.708).abs() < 1e-3, "{r}");
        assert!(expected_pal_slope(Some(25.0), Some(25.0)).is_none());
        assert!(expected_pal_slope(Some(film), Some(film)).is_none());
        assert!(expected_pal_slope(None, Some(25.0)).is_none());
    }

    #[test]
    fn insufficient_and_few_chunks() {
        let cfg = DriftConfig::default();
        let d = diagnose(
            &recs(&[5.0, 5.0], 60.0, 90.0),
            &cfg,
            None,
            None,
            "A_AAC",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::InsufficientData);
        let d = diagnose(
            &recs(&[5.0, 5.2, 4.9], 60.0, 90.0),
            &cfg,
            None,
            None,
            "A_AAC",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::Uniform);
        let d = diagnose(
            &recs(&[5.0, 300.0, 5.0, 300.0], 60.0, 90.0),
            &cfg,
            None,
            None,
            "A_AAC",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::InsufficientData);
    }

    /// Diagnosis of chunks `spacing` s apart (default config, no frame rates).
    fn diagnosed(raws: &[f64], spacing: f64, codec: &str) -> Diagnosis {
        diagnose(
            &recs(raws, spacing, 90.0),
            &DriftConfig::default(),
            None,
            None,
            codec,
            None,
        )
    }

    #[test]
    fn few_chunks_on_a_drifting_line_are_linear_drift() {
        // 5 chunks 40 s apart drifting −0.1 ms/s (16 ms over the span, within eps of each other): a constant
        // delay would leave ±8 ms
        let raws: Vec<f64> = (0..5)
            .map(|i| 329.0 - 0.1 * (17.5 + 40.0 * i as f64))
            .collect();
        let d = diagnosed(&raws, 40.0, "A_FLAC");
        assert_eq!(d.kind, DiagnosisKind::LinearDrift);
        assert!((d.fit.as_ref().unwrap().slope + 0.1).abs() < 1e-9);
        // a step between few chunks is not a line
        let d = diagnosed(&[5.0, 5.0, 5.0, 15.0, 15.0], 40.0, "A_FLAC");
        assert_eq!(d.kind, DiagnosisKind::Uniform);
        // agreeing chunks stay uniform (drift under MIN_TOTAL_DRIFT_MS)
        let d = diagnosed(&[5.0, 5.01, 5.02, 5.03], 40.0, "A_FLAC");
        assert_eq!(d.kind, DiagnosisKind::Uniform);
    }

    #[test]
    fn pal_detected_with_both_frame_rates() {
        let film = 24000.0 / 1001.0;
        let raws: Vec<f64> = (0..10).map(|i| 40.96 * (17.5 + 60.0 * i as f64)).collect();
        let cfg = DriftConfig::default();
        let d = diagnose(
            &recs(&raws, 60.0, 90.0),
            &cfg,
            Some(film),
            Some(25.0),
            "A_AC3",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::PalDrift);
        // Reference fps alone (the upstream test) says nothing: same data with both sources at 25 fps.
        let d = diagnose(
            &recs(&raws, 60.0, 90.0),
            &cfg,
            Some(25.0),
            Some(25.0),
            "A_AC3",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::LinearDrift);
    }

    #[test]
    fn stepping_gives_segments() {
        let mut raws = vec![100.0; 5];
        raws.extend(vec![600.0; 5]);
        let d = diagnose(
            &recs(&raws, 60.0, 95.0),
            &DriftConfig::default(),
            None,
            None,
            "A_AAC",
            Some(700.0),
        );
        assert_eq!(d.kind, DiagnosisKind::Stepping);
        assert_eq!(d.segments.len(), 2);
        // chunk centres 17.5 + 60·i: 257.5 (last of the first run) and 317.5 (first of the second)
        // → boundary 287.5
        assert_eq!(d.segments[0].start_s, 0.0);
        assert_eq!(d.segments[0].end_s, 287.5);
        assert_eq!(d.segments[1].start_s, 287.5);
        assert_eq!(d.segments[1].end_s, 700.0);
        assert_eq!((d.segments[0].delay_ms, d.segments[1].delay_ms), (100, 600));
    }

    #[test]
    fn slow_lossy_drift_is_found_and_constant_is_not() {
        let raws: Vec<f64> = (0..10).map(|i| 20.0 + 0.3 * 60.0 * i as f64).collect();
        let d = diagnose(
            &recs(&raws, 60.0, 90.0),
            &DriftConfig::default(),
            None,
            None,
            "A_AAC",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::LinearDrift);
        let raws = [
            20.0, 20.02, 19.98, 20.0, 20.02, 20.0, 19.98, 20.0, 20.02, 20.0,
        ];
        let d = diagnose(
            &recs(&raws, 60.0, 90.0),
            &DriftConfig::default(),
            None,
            None,
            "A_AAC",
            None,
        );
        assert_eq!(d.kind, DiagnosisKind::Uniform);
    }

    #[test]
    fn compress() {
        assert_eq!(compress_ranges(&[1, 2, 3, 5, 7, 8, 9]), "1-3,5,7-9");
        assert_eq!(compress_ranges(&[4]), "4");
    }
}
