//! Chunk confidence scores (docs/analysis.md#confidence).
//! Mirrors `vsg_core/analysis/confidence.py`: float64, population standard deviation, median = mean of
//! the two middle values, percentile with NumPy's linear interpolation (same virtual-index and lerp
//! expressions, so the values agree to the last bit or two).

/// ε of the formulas (docs/analysis.md#correlation-methods).
pub const EPS: f64 = 1e-9;

/// k-th smallest value (0-based) of `v`; reorders `v`.
fn kth(v: &mut [f64], k: usize) -> f64 {
    let (_, x, _) = v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    *x
}

/// Smallest value of `v[k+1..]` after `kth(v, k)` (the (k+1)-th order statistic).
fn next_after(v: &[f64], k: usize) -> f64 {
    v[k + 1..].iter().copied().fold(f64::INFINITY, f64::min)
}

/// Median (mean of the two middle values for an even count). Empty → NaN.
pub fn median(a: &[f64]) -> f64 {
    let n = a.len();
    if n == 0 {
        return f64::NAN;
    }
    let mut v = a.to_vec();
    let hi = kth(&mut v, n / 2);
    if n % 2 == 1 {
        return hi;
    }
    let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo + hi) / 2.0
}

/// Percentile `q` (0–100) with linear interpolation, computed like NumPy's default method.
pub fn percentile(a: &[f64], q: f64) -> f64 {
    let n = a.len();
    if n == 0 {
        return f64::NAN;
    }
    let qf = q / 100.0;
    // numpy's "linear" method: virtual index = (n − 1)·q
    let virt = (n - 1) as f64 * qf;
    let prev = virt.floor();
    let gamma = virt - prev;
    let last = (n - 1) as f64;
    let pi = prev.clamp(0.0, last) as usize;
    let ni = (prev + 1.0).clamp(0.0, last) as usize;
    let mut v = a.to_vec();
    let lo = kth(&mut v, pi);
    let hi = if ni == pi { lo } else { next_after(&v, pi) };
    let diff = hi - lo;
    if gamma >= 0.5 {
        hi - diff * (1.0 - gamma)
    } else {
        lo + diff * gamma
    }
}

/// Population standard deviation (two-pass).
pub fn std_pop(a: &[f64]) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    let n = a.len() as f64;
    let mean = a.iter().sum::<f64>() / n;
    (a.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

/// Median and the `q`-th percentile from one scratch copy (two selections on the same buffer).
fn median_and_percentile(a: &[f64], q: f64) -> (f64, f64) {
    let n = a.len();
    let mut v = a.to_vec();
    let hi = kth(&mut v, n / 2);
    let med = if n % 2 == 1 {
        hi
    } else {
        let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo + hi) / 2.0
    };
    let qf = q / 100.0;
    let virt = (n - 1) as f64 * qf;
    let prev = virt.floor();
    let gamma = virt - prev;
    let last = (n - 1) as f64;
    let pi = prev.clamp(0.0, last) as usize;
    let ni = (prev + 1.0).clamp(0.0, last) as usize;
    let lo = kth(&mut v, pi);
    let up = if ni == pi { lo } else { next_after(&v, pi) };
    let diff = up - lo;
    let pct = if gamma >= 0.5 {
        up - diff * (1.0 - gamma)
    } else {
        lo + diff * gamma
    };
    (med, pct)
}

/// Peak-normalised score (docs/analysis.md#confidence) of magnitudes `a` (≥ 0) at peak index `k`, clipped to [0, 100].
pub fn peak_confidence(a: &[f64], k: usize) -> f64 {
    let n = a.len();
    let p = a[k];
    let (med, q90) = median_and_percentile(a, 90.0);
    let prominence = p / (med + EPS);
    let w = (n / 100).max(1);
    let lo = k.saturating_sub(w);
    let hi = (k + w + 1).min(n);
    let second = a[..lo]
        .iter()
        .chain(a[hi..].iter())
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let second = if second == f64::NEG_INFINITY {
        med
    } else {
        second
    };
    let uniqueness = p / (second + EPS);
    // population std of the values below the 90th percentile, without materialising them
    let (mut cnt, mut sum) = (0usize, 0.0);
    for &x in a.iter().filter(|&&x| x < q90) {
        cnt += 1;
        sum += x;
    }
    let sigma = if cnt > 10 {
        let m = sum / cnt as f64;
        let ss: f64 = a
            .iter()
            .filter(|&&x| x < q90)
            .map(|&x| (x - m) * (x - m))
            .sum();
        (ss / cnt as f64).sqrt()
    } else {
        1e-9
    };
    let snr = p / (sigma + EPS);
    let score = (5.0 * prominence + 8.0 * uniqueness + 1.5 * snr) / 3.0;
    score.clamp(0.0, 100.0)
}

/// Upstream GCC-SCOT score (docs/analysis.md#confidence): min(100, peak / (mean + ε) · 10).
pub fn scot_confidence(a: &[f64], k: usize) -> f64 {
    let mean = a.iter().sum::<f64>() / a.len() as f64;
    (a[k] / (mean + EPS) * 10.0).min(100.0)
}

/// Upstream SCC match % (docs/analysis.md#confidence): |c[k*]| / (sqrt(Σr'²·Σt'²) + ε) · 100.
pub fn scc_match(peak: f64, energy_r: f64, energy_t: f64) -> f64 {
    peak.abs() / ((energy_r * energy_t).sqrt() + EPS) * 100.0
}

/// Main lobe left out around the peak: ±20 ms at 48 kHz.
pub const LOBE_SAMPLES: usize = 960;
/// Energy envelope: mean of |c|² over 5 ms (gathers a peak smeared by drift within the chunk).
pub const ENVELOPE_SAMPLES: usize = 241;
/// A window whose RMS is below this (dBFS) scores 0.
pub const SILENCE_DB: f64 = -60.0;

/// RMS level of `x` in dBFS (f64 sum of squares; −inf when empty or all zero).
pub fn level_db(x: &[f32]) -> f64 {
    if x.is_empty() {
        return f64::NEG_INFINITY;
    }
    let ms = x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64;
    if ms > 0.0 {
        10.0 * ms.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// Mean of `a²` over each run of `width` consecutive lags (`len − width + 1` values; the whole array when
/// shorter), from a sequential running sum. Mirrors `energy_envelope` in Python.
pub fn energy_envelope(a: &[f64], width: usize) -> Vec<f64> {
    let w = width.min(a.len()).max(1);
    let mut c = Vec::with_capacity(a.len() + 1);
    c.push(0.0);
    let mut acc = 0.0;
    for &v in a {
        acc += v * v;
        c.push(acc);
    }
    let wf = w as f64;
    (0..=a.len() - w).map(|i| (c[i + w] - c[i]) / wf).collect()
}

/// Distinct-peak score, 0–100: on the energy envelope `e` with maximum `e[j]`,
/// `100·(1 − sqrt(second/e[j]))` with `second` the largest `e` more than `lobe` lags from `j`
/// (0 when nothing is that far). See docs/confidence.md.
pub fn distinct_confidence(a: &[f64], lobe: usize, width: usize) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let e = energy_envelope(a, width);
    let mut j = 0usize;
    for (i, &v) in e.iter().enumerate() {
        if v > e[j] {
            j = i;
        }
    }
    let p = e[j];
    if p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    let lo = j.saturating_sub(lobe);
    let hi = (j + lobe + 1).min(e.len());
    let second = e[..lo]
        .iter()
        .chain(e[hi..].iter())
        .copied()
        .fold(0.0, f64::max);
    (100.0 * (1.0 - (second / p).sqrt())).clamp(0.0, 100.0)
}

/// [`distinct_confidence`], or 0 when the reference chunk or the target window is below `silence_db`.
pub fn gated_confidence(a: &[f64], r: &[f32], t: &[f32], silence_db: f64) -> f64 {
    if level_db(r).min(level_db(t)) < silence_db {
        return 0.0;
    }
    distinct_confidence(a, LOBE_SAMPLES, ENVELOPE_SAMPLES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn median_odd_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn percentile_matches_numpy_linear() {
        // numpy.percentile(np.arange(11.0), 90) == 9.0; of [1,2,3,4] → 3.7
        let v: Vec<f64> = (0..11).map(f64::from).collect();
        assert_relative_eq!(percentile(&v, 90.0), 9.0, epsilon = 1e-12);
        assert_relative_eq!(
            percentile(&[4.0, 1.0, 3.0, 2.0], 90.0),
            3.7,
            epsilon = 1e-12
        );
        assert_eq!(percentile(&[5.0], 90.0), 5.0);
    }

    #[test]
    fn std_is_population() {
        assert_relative_eq!(
            std_pop(&[1.0, 2.0, 3.0, 4.0]),
            1.118033988749895,
            epsilon = 1e-15
        );
    }

    #[test]
    fn clear_peak_scores_100_flat_scores_low() {
        let mut a = vec![1.0; 1000];
        a[500] = 50.0;
        assert_eq!(peak_confidence(&a, 500), 100.0);
        // all equal: prominence = uniqueness ≈ 1, no background below q90 → snr huge, clipped
        let flat = vec![1.0; 1000];
        assert_eq!(peak_confidence(&flat, 0), 100.0);
        // a peak only 1.2× the rest: prominence 1.2, uniqueness 1.2, background (values < q90) empty
        let mut b: Vec<f64> = (0..1000).map(|i| 1.0 + (i % 7) as f64 * 0.01).collect();
        b[10] = 1.3;
        let s = peak_confidence(&b, 10);
        assert!(s > 0.0 && s <= 100.0);
    }

    /// Sort-based reference of the peak-normalised score, docs/analysis.md#confidence (independent of the
    /// selection-based implementation).
    fn reference_score(a: &[f64], k: usize) -> f64 {
        let mut s = a.to_vec();
        s.sort_by(|x, y| x.total_cmp(y));
        let n = s.len();
        let med = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        let pos = 0.9 * (n - 1) as f64;
        let (i, f) = (pos.floor() as usize, pos - pos.floor());
        let q90 = if i + 1 < n {
            s[i] + (s[i + 1] - s[i]) * f
        } else {
            s[i]
        };
        let w = (n / 100).max(1);
        let second = (0..n)
            .filter(|&j| j + w < k || j > k + w)
            .map(|j| a[j])
            .fold(f64::NEG_INFINITY, f64::max);
        let bg: Vec<f64> = a.iter().copied().filter(|&x| x < q90).collect();
        let m = bg.iter().sum::<f64>() / bg.len() as f64;
        let sd = (bg.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / bg.len() as f64).sqrt();
        let p = a[k];
        ((5.0 * p / (med + EPS) + 8.0 * p / (second + EPS) + 1.5 * p / (sd + EPS)) / 3.0)
            .clamp(0.0, 100.0)
    }

    #[test]
    fn unclipped_score_matches_reference() {
        // background 0..1 ramp, peak 2.0 at 100, a near peak at 102 (inside ±w=2) and a second at 150
        let mut a: Vec<f64> = (0..200).map(|i| i as f64 / 400.0).collect();
        a[100] = 2.0;
        a[102] = 1.9;
        a[150] = 1.0;
        let s = peak_confidence(&a, 100);
        assert!(s > 10.0 && s < 100.0, "score {s}");
        assert_relative_eq!(s, reference_score(&a, 100), max_relative = 1e-12);
        // the excluded neighbour must not count as the second peak
        let mut b = a.clone();
        b[150] = 0.0;
        assert!(peak_confidence(&b, 100) > s);
    }

    #[test]
    fn scot_and_scc_formulas() {
        let a = [1.0, 1.0, 4.0, 2.0];
        assert_relative_eq!(
            scot_confidence(&a, 2),
            (4.0 / (2.0 + EPS) * 10.0f64).min(100.0)
        );
        assert_relative_eq!(scc_match(-3.0, 4.0, 9.0), 3.0 / (6.0 + EPS) * 100.0);
    }

    #[test]
    fn distinct_score_and_silence_gate() {
        // width 1: the envelope is a² itself
        let mut a = vec![1.0; 5000];
        a[2500] = 4.0;
        assert!((distinct_confidence(&a, LOBE_SAMPLES, 1) - 75.0).abs() < 1e-12);
        // values inside the main lobe do not count
        a[2600] = 3.9;
        assert!((distinct_confidence(&a, LOBE_SAMPLES, 1) - 75.0).abs() < 1e-12);
        a[4000] = 3.0;
        assert!((distinct_confidence(&a, LOBE_SAMPLES, 1) - 25.0).abs() < 1e-12);
        // a smeared peak gathers its energy in the envelope
        let mut b = vec![0.1; 20000];
        for v in &mut b[10000..10240] {
            *v = 0.5;
        }
        b[2000] = 1.0;
        assert!((distinct_confidence(&b, LOBE_SAMPLES, 1) - 50.0).abs() < 1e-9);
        assert!(distinct_confidence(&b, LOBE_SAMPLES, ENVELOPE_SAMPLES) > 70.0);
        assert_eq!(energy_envelope(&[1.0, 2.0, 3.0], 2), vec![2.5, 6.5]);
        let loud = vec![0.1_f32; 100];
        let quiet = vec![1e-4_f32; 100];
        assert!((level_db(&loud) + 20.0).abs() < 1e-6);
        assert_eq!(gated_confidence(&b, &loud, &quiet, SILENCE_DB), 0.0);
        assert!(gated_confidence(&b, &loud, &loud, SILENCE_DB) > 0.0);
        assert_eq!(level_db(&[0.0_f32; 10]), f64::NEG_INFINITY);
    }
}
