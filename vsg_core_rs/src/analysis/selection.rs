//! Delay selection (docs/analysis.md#delay-selection); mirror of `vsg_core/analysis/selection.py`.
//!
//! Every mean is a left-to-right sum divided by the count and every rounding is half to even, in the
//! same order as the Python reference, so both give bit-identical rounded and raw values and the same
//! log lines. vsg deviation (the original's quirk, docs/analysis.md#delay-selection): the First Stable fallback's raw
//! value is the Most
//! Common raw value (mean of every record with `delay == M`), not one chunk's raw delay.

use super::records::ChunkResult;

pub const MODE_MOST_COMMON: &str = "Mode (Most Common)";
pub const MODE_CLUSTERED: &str = "Mode (Clustered)";
pub const MODE_AVERAGE: &str = "Average";
pub const MODE_FIRST_STABLE: &str = "First Stable";

/// Round half to even, as Python's `round(float) -> int`.
pub fn round_half_even(x: f64) -> i64 {
    x.round_ties_even() as i64
}

/// Left-to-right sum divided by the count (NaN for an empty slice).
pub fn mean(values: &[f64]) -> f64 {
    let mut total = 0.0;
    for v in values {
        total += v;
    }
    total / values.len() as f64
}

/// The most common value; ties go to the value whose first occurrence is earliest (docs/analysis.md#delay-selection).
/// Panics on an empty slice.
pub fn most_common(delays: &[i64]) -> i64 {
    let mut counts: Vec<(i64, usize)> = Vec::new(); // in order of first occurrence
    for &d in delays {
        match counts.iter_mut().find(|(v, _)| *v == d) {
            Some(entry) => entry.1 += 1,
            None => counts.push((d, 1)),
        }
    }
    let mut best = (delays[0], 0usize);
    for &(d, c) in &counts {
        if c > best.1 {
            best = (d, c);
        }
    }
    best.0
}

/// A First Stable segment.
#[derive(Clone, Debug, PartialEq)]
pub struct StableSegment {
    pub count: usize,
    pub start_s: f64,
    pub delay_ms: i64,
    pub raw_delay_ms: f64,
}

/// The first stable segment of the accepted records plus the log lines of the search
/// (docs/analysis.md#delay-selection).
pub fn find_first_stable_segment(
    accepted: &[&ChunkResult],
    min_chunks: i64,
    skip_unstable: bool,
) -> (Option<StableSegment>, Vec<String>) {
    let mut lines = Vec::new();
    if (accepted.len() as i64) < min_chunks || accepted.is_empty() {
        return (None, lines);
    }
    // (first delay, start, raws)
    let mut segments: Vec<(i64, f64, Vec<f64>)> = Vec::new();
    for r in accepted {
        match segments.last_mut() {
            Some(seg) if (r.delay_ms - seg.0).abs() <= 1 => seg.2.push(r.raw_delay_ms),
            _ => segments.push((r.delay_ms, r.start_s, vec![r.raw_delay_ms])),
        }
    }
    let make = |seg: &(i64, f64, Vec<f64>)| {
        let raw = mean(&seg.2);
        StableSegment {
            count: seg.2.len(),
            start_s: seg.1,
            delay_ms: round_half_even(raw),
            raw_delay_ms: raw,
        }
    };
    if skip_unstable {
        for seg in &segments {
            if seg.2.len() as i64 >= min_chunks {
                let s = make(seg);
                lines.push(format!(
                    "[First Stable] Found stable segment: {} chunks at {:+}ms (raw avg: {:.3}ms, starting at {:.1}s)",
                    s.count, s.delay_ms, s.raw_delay_ms, s.start_s
                ));
                return (Some(s), lines);
            }
        }
        let largest = segments.iter().map(|s| s.2.len()).max().unwrap_or(0);
        lines.push(format!(
            "[First Stable] No segment found with minimum {min_chunks} chunks. Largest segment: {largest} chunks"
        ));
        return (None, lines);
    }
    let s = make(&segments[0]);
    if (s.count as i64) < min_chunks {
        lines.push(format!(
            "[First Stable] Warning: First segment has only {} chunks (minimum: {min_chunks}), but using it anyway (skip_unstable=False)",
            s.count
        ));
    }
    lines.push(format!(
        "[First Stable] Using first segment: {} chunks at {:+}ms (raw avg: {:.3}ms, starting at {:.1}s)",
        s.count, s.delay_ms, s.raw_delay_ms, s.start_s
    ));
    (Some(s), lines)
}

/// The chosen delay of one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub delay_ms: i64,
    pub raw_delay_ms: f64,
    /// Canonical mode name that was applied.
    pub mode: &'static str,
    pub label: &'static str,
    pub accepted_count: usize,
    pub lines: Vec<String>,
}

/// Canonical mode name; unknown strings behave as Most Common (docs/analysis.md#delay-selection).
pub fn canonical_mode(mode: &str) -> &'static str {
    match mode {
        MODE_CLUSTERED => MODE_CLUSTERED,
        MODE_AVERAGE => MODE_AVERAGE,
        MODE_FIRST_STABLE => MODE_FIRST_STABLE,
        _ => MODE_MOST_COMMON,
    }
}

/// Choose the delay from all chunk records (rejected ones are ignored). `None` when fewer than
/// `min_accepted_chunks` (at least 1) records are accepted.
pub fn select_delay(
    chunks: &[ChunkResult],
    mode: &str,
    first_stable_min_chunks: i64,
    first_stable_skip_unstable: bool,
    min_accepted_chunks: i64,
    source_key: &str,
) -> Option<Selection> {
    let accepted: Vec<&ChunkResult> = chunks.iter().filter(|c| c.accepted).collect();
    let n = accepted.len();
    if (n as i64) < min_accepted_chunks.max(1) {
        return None;
    }
    let mode = canonical_mode(mode);
    let delays: Vec<i64> = accepted.iter().map(|c| c.delay_ms).collect();
    let m = most_common(&delays);
    let mode_raws: Vec<f64> = accepted
        .iter()
        .filter(|c| c.delay_ms == m)
        .map(|c| c.raw_delay_ms)
        .collect();
    let mode_raw = mean(&mode_raws);
    let mut lines = Vec::new();
    let (rounded, raw, label) = match mode {
        MODE_CLUSTERED => {
            let members: Vec<&&ChunkResult> = accepted
                .iter()
                .filter(|c| (c.delay_ms - m).abs() <= 1)
                .collect();
            let mut breakdown: Vec<(i64, usize)> = Vec::new();
            for c in &members {
                match breakdown.iter_mut().find(|(d, _)| *d == c.delay_ms) {
                    Some(e) => e.1 += 1,
                    None => breakdown.push((c.delay_ms, 1)),
                }
            }
            let raws: Vec<f64> = members.iter().map(|c| c.raw_delay_ms).collect();
            let raw = mean(&raws);
            let rounded = round_half_even(raw);
            let text = breakdown
                .iter()
                .map(|(d, k)| format!("{d}: {k}"))
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(format!(
                "[Delay Selection] Mode (Clustered): most common = {m}ms, cluster [{} to {}] contains {}/{n} chunks (breakdown: {{{text}}}), raw avg: {raw:.3}ms → rounded to {rounded}ms",
                m - 1,
                m + 1,
                members.len()
            ));
            lines.push(format!(
                "[Delay Selection Raw] Mode (Clustered): {} chunks in cluster, raw avg: {raw:.3}ms",
                members.len()
            ));
            (rounded, raw, "mode (clustered)")
        }
        MODE_AVERAGE => {
            let raws: Vec<f64> = accepted.iter().map(|c| c.raw_delay_ms).collect();
            let raw = mean(&raws);
            let rounded = round_half_even(raw);
            lines.push(format!(
                "[Delay Selection] Average of {n} raw values: {raw:.3}ms → rounded to {rounded}ms"
            ));
            lines.push(format!(
                "[Delay Selection Raw] True average of {n} raw values: {raw:.3}ms"
            ));
            (rounded, raw, "average")
        }
        MODE_FIRST_STABLE => {
            let (seg, seg_lines) = find_first_stable_segment(
                &accepted,
                first_stable_min_chunks,
                first_stable_skip_unstable,
            );
            lines.extend(seg_lines);
            match seg {
                Some(s) => (s.delay_ms, s.raw_delay_ms, "first stable"),
                None => {
                    lines.push(
                        "[WARNING] No stable segment found, falling back to mode.".to_string(),
                    );
                    (m, mode_raw, "mode (fallback)")
                }
            }
        }
        _ => (m, mode_raw, "mode"),
    };
    lines.push(format!(
        "{source_key} delay determined: {rounded:+} ms ({label})."
    ));
    Some(Selection {
        delay_ms: rounded,
        raw_delay_ms: raw,
        mode,
        label,
        accepted_count: n,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: u32, raw: f64) -> ChunkResult {
        ChunkResult {
            index: i,
            start_s: 10.0 * i as f64,
            delay_ms: round_half_even(raw),
            raw_delay_ms: raw,
            match_pct: 90.0,
            accepted: true,
        }
    }

    /// The worked example of docs/analysis.md#delay-selection.
    fn worked_example() -> Vec<ChunkResult> {
        [-1001.25, -1001.75, -1002.25, -1000.75, -1050.0]
            .iter()
            .enumerate()
            .map(|(i, &r)| rec(i as u32 + 1, r))
            .collect()
    }

    #[test]
    fn round_half_even_matches_spec_examples() {
        assert_eq!(round_half_even(0.5), 0);
        assert_eq!(round_half_even(1.5), 2);
        assert_eq!(round_half_even(2.5), 2);
        assert_eq!(round_half_even(-1.5), -2);
        assert_eq!(round_half_even(-1001.5), -1002);
    }

    #[test]
    fn worked_example_most_common() {
        let s = select_delay(&worked_example(), MODE_MOST_COMMON, 3, true, 3, "Source 2").unwrap();
        assert_eq!((s.delay_ms, s.raw_delay_ms), (-1001, -1001.0));
        assert_eq!(
            s.lines.last().unwrap(),
            "Source 2 delay determined: -1001 ms (mode)."
        );
    }

    #[test]
    fn worked_example_clustered() {
        let s = select_delay(&worked_example(), MODE_CLUSTERED, 3, true, 3, "Source 2").unwrap();
        assert_eq!((s.delay_ms, s.raw_delay_ms), (-1002, -1001.5));
        assert!(s.lines[0].contains("(breakdown: {-1001: 2, -1002: 2})"));
    }

    #[test]
    fn worked_example_average() {
        let s = select_delay(&worked_example(), MODE_AVERAGE, 3, true, 3, "Source 2").unwrap();
        assert_eq!(s.delay_ms, -1011);
        assert!((s.raw_delay_ms - -1011.2).abs() < 1e-9);
    }

    #[test]
    fn worked_example_first_stable() {
        let s = select_delay(&worked_example(), MODE_FIRST_STABLE, 3, true, 3, "Source 2").unwrap();
        assert_eq!(
            (s.delay_ms, s.raw_delay_ms, s.label),
            (-1002, -1001.5, "first stable")
        );
    }

    #[test]
    fn first_stable_fallback_averages_like_mode() {
        // No segment of 3: the fallback raw is the mean of every record with the mode delay.
        let chunks: Vec<ChunkResult> = [10.25, 50.0, 10.4, 90.0]
            .iter()
            .enumerate()
            .map(|(i, &r)| rec(i as u32 + 1, r))
            .collect();
        let s = select_delay(&chunks, MODE_FIRST_STABLE, 3, true, 3, "Source 2").unwrap();
        assert_eq!(s.delay_ms, 10);
        assert_eq!(s.raw_delay_ms, (10.25 + 10.4) / 2.0);
        assert_eq!(s.label, "mode (fallback)");
    }

    #[test]
    fn too_few_accepted_gives_none() {
        let mut chunks = worked_example();
        for c in chunks.iter_mut().skip(2) {
            c.accepted = false;
        }
        assert!(select_delay(&chunks, MODE_AVERAGE, 3, true, 3, "Source 2").is_none());
    }
}
