//! Reach: where each reference chunk lies inside one long span of the other release (coarse search).
//!
//! Mirrors `coarse_search_python` in `vsg_core/analysis/coarse.py` (method and thresholds: docs/reach.md).
//! The span is transformed and whitened ONCE; every chunk then costs one forward and one inverse real FFT
//! of the same length, in parallel over the chunks. f32 FFTs (realfft); smoothing sums and scores in f64.
use super::confidence::level_db;
use super::correlation::{fast_len, smooth_power, taper};
use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::RealFftPlanner;

/// Where a chunk starts inside the span (samples at the coarse rate) and how distinct that peak is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoarseHit {
    pub position: usize,
    pub confidence: f64,
}

/// Parameters of the coarse search (see the Python reference).
#[derive(Debug, Clone, Copy)]
pub struct CoarseParams {
    /// Positions left out on each side of the peak when looking for the runner-up.
    pub lobe: usize,
    /// Sample rate of the signals (Hz).
    pub rate: f64,
    /// Whitening: magnitude smoothed over ±round(smooth_hz·n/(2·rate)) bins (at least 1).
    pub smooth_hz: f64,
    /// Bins whose smoothed magnitude is further than this below its largest get weight 0.
    pub mask_db: f64,
    /// Tukey taper fraction on the chunk.
    pub taper: f64,
    /// A chunk or span below this RMS level (dBFS) scores 0.
    pub silence_db: f64,
}

/// Divides each bin by its magnitude smoothed over ±h bins; bins below max·10^(−mask_db/20) → 0.
fn whiten(x: &mut [Complex<f32>], h: usize, mask_db: f64) {
    let mag: Vec<f64> = x.iter().map(|v| f64::from(v.norm())).collect();
    let s = smooth_power(&mag, h);
    drop(mag);
    let top = s.iter().fold(0.0f64, |m, &v| m.max(v));
    let thr = top * 10f64.powf(-mask_db / 20.0);
    for (v, &sv) in x.iter_mut().zip(s.iter()) {
        *v = if sv > thr && sv > 0.0 {
            *v / sv as f32
        } else {
            Complex::new(0.0, 0.0)
        };
    }
}

/// Peak of `a` and its distinct-peak score 100·(1 − runner-up/peak), runner-up outside ±`lobe`.
fn distinct_peak(a: &[f32], lobe: usize) -> CoarseHit {
    let (mut k, mut p) = (0usize, f32::NEG_INFINITY);
    for (i, &v) in a.iter().enumerate() {
        if v > p {
            p = v;
            k = i;
        }
    }
    if a.is_empty() || p.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return CoarseHit {
            position: k,
            confidence: 0.0,
        };
    }
    let lo = k.saturating_sub(lobe);
    let hi = (k + lobe + 1).min(a.len());
    let second = a[..lo]
        .iter()
        .chain(a[hi..].iter())
        .fold(0.0f32, |m, &v| m.max(v));
    let c = 100.0 * (1.0 - f64::from(second) / f64::from(p));
    CoarseHit {
        position: k,
        confidence: c.clamp(0.0, 100.0),
    }
}

/// Every chunk's position inside `span`: chunk `i` may start at `ranges[i].0 ..= ranges[i].1` (clipped
/// to `0 ..= span.len() − chunk.len()`); silent or empty inputs and empty ranges give confidence 0.
pub fn coarse_search(
    span: &[f32],
    chunks: &[&[f32]],
    ranges: &[(usize, usize)],
    p: &CoarseParams,
) -> Result<Vec<CoarseHit>, String> {
    if chunks.len() != ranges.len() {
        return Err(format!(
            "{} chunks but {} position ranges",
            chunks.len(),
            ranges.len()
        ));
    }
    let none = CoarseHit {
        position: 0,
        confidence: 0.0,
    };
    let longest = chunks.iter().map(|c| c.len()).max().unwrap_or(0);
    if span.is_empty() || longest == 0 || level_db(span) < p.silence_db {
        return Ok(vec![none; chunks.len()]);
    }
    let n = fast_len(span.len() + longest);
    let h = ((0.5 * p.smooth_hz * n as f64 / p.rate).round() as usize).max(1);
    let mut planner = RealFftPlanner::<f32>::new();
    let fwd = planner.plan_fft_forward(n);
    let inv = planner.plan_fft_inverse(n);
    let mut buf = fwd.make_input_vec();
    buf[..span.len()].copy_from_slice(span);
    let mut spec = fwd.make_output_vec();
    fwd.process(&mut buf, &mut spec)
        .map_err(|e| e.to_string())?;
    drop(buf);
    whiten(&mut spec, h, p.mask_db);
    let spec = &spec;
    let out = chunks
        .par_iter()
        .zip(ranges.par_iter())
        .map(|(chunk, &(lo, hi))| -> Result<CoarseHit, String> {
            let lr = chunk.len();
            if lr == 0 || span.len() < lr || level_db(chunk) < p.silence_db {
                return Ok(none);
            }
            let hi = hi.min(span.len() - lr);
            if lo > hi {
                return Ok(none);
            }
            let mut x = fwd.make_input_vec();
            match taper(lr, p.taper) {
                Some(w) => {
                    for ((d, &s), &wi) in x.iter_mut().zip(chunk.iter()).zip(w.iter()) {
                        *d = (f64::from(s) * wi) as f32;
                    }
                }
                None => x[..lr].copy_from_slice(chunk),
            }
            let mut r = fwd.make_output_vec();
            fwd.process(&mut x, &mut r).map_err(|e| e.to_string())?;
            whiten(&mut r, h, p.mask_db);
            for (ri, si) in r.iter_mut().zip(spec.iter()) {
                *ri = si * ri.conj();
            }
            // the DC and Nyquist bins of a real spectrum must be real for the inverse transform
            r[0].im = 0.0;
            let last = r.len() - 1;
            r[last].im = 0.0;
            inv.process(&mut r, &mut x).map_err(|e| e.to_string())?;
            let a: Vec<f32> = x[lo..=hi].iter().map(|v| v.abs()).collect();
            let mut hit = distinct_peak(&a, p.lobe);
            hit.position += lo;
            Ok(hit)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f32> {
        crate::testutil::lcg_bits(n, seed)
            .map(|b| (b as f32 / (1u64 << 31) as f32) - 0.5)
            .collect()
    }

    fn params() -> CoarseParams {
        CoarseParams {
            lobe: 5,
            rate: 1000.0,
            smooth_hz: 20.0,
            mask_db: 60.0,
            taper: 0.1,
            silence_db: -60.0,
        }
    }

    #[test]
    fn finds_every_chunk_in_one_span() {
        let span = noise(200_000, 7);
        let c1 = span[12_345..27_345].to_vec();
        let c2 = span[150_000..165_000].to_vec();
        let other = noise(15_000, 99);
        let hits = coarse_search(
            &span,
            &[&c1, &c2, &other],
            &[(0, 200_000), (100_000, 180_000), (0, 200_000)],
            &params(),
        )
        .unwrap();
        assert_eq!(hits[0].position, 12_345);
        assert_eq!(hits[1].position, 150_000);
        assert!(hits[0].confidence > 50.0 && hits[1].confidence > 50.0);
        assert!(hits[2].confidence < 20.0, "{:?}", hits[2]);
    }

    #[test]
    fn range_limits_the_search() {
        let span = noise(100_000, 3);
        let c = span[10_000..25_000].to_vec();
        let hits = coarse_search(&span, &[&c], &[(40_000, 80_000)], &params()).unwrap();
        assert!(hits[0].position >= 40_000 && hits[0].position <= 80_000);
        assert!(hits[0].confidence < 20.0);
    }

    #[test]
    fn silence_scores_zero() {
        let span = vec![0.0f32; 50_000];
        let c = noise(15_000, 1);
        let hits = coarse_search(&span, &[&c], &[(0, 50_000)], &params()).unwrap();
        assert_eq!(hits[0].confidence, 0.0);
        assert!(coarse_search(&span, &[&c], &[], &params()).is_err());
    }
}
