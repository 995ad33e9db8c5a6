//! Reach: where a chunk lies inside a long span of the other release (coarse search).
//!
//! Mirrors `vsg_core/analysis/coarse.py` (`coarse_align_python`): the chunk and the span each whitened by
//! their own smoothed magnitude spectrum, cross-correlated at a low rate (2 kHz); peak position and
//! distinct-peak score. float64 throughout.
use super::confidence::level_db;
use super::correlation::{fast_len, smooth_power, taper};
use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Where the chunk starts inside the span (samples at the coarse rate) and how distinct that peak is.
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
    /// Bins further than this below the largest cross-spectrum magnitude get weight 0.
    pub mask_db: f64,
    /// Tukey taper fraction on the chunk.
    pub taper: f64,
    /// A chunk or span below this RMS level (dBFS) scores 0.
    pub silence_db: f64,
}

type Plans = (Arc<dyn RealToComplex<f64>>, Arc<dyn ComplexToReal<f64>>);
type PlanCache = Mutex<(RealFftPlanner<f64>, HashMap<usize, Plans>)>;

fn plans(n: usize) -> Plans {
    static CACHE: OnceLock<PlanCache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new((RealFftPlanner::new(), HashMap::new())));
    let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
    let (planner, map) = &mut *guard;
    if let Some(p) = map.get(&n) {
        return p.clone();
    }
    let p: Plans = (planner.plan_fft_forward(n), planner.plan_fft_inverse(n));
    map.insert(n, p.clone());
    p
}

/// Divides each bin by the magnitude smoothed over ±h bins; bins below max·10^(−mask_db/20) → 0.
fn whiten(x: &mut [Complex<f64>], h: usize, mask_db: f64) {
    let mag: Vec<f64> = x.iter().map(|v| v.norm()).collect();
    let s = smooth_power(&mag, h);
    drop(mag);
    let top = s.iter().fold(0.0f64, |m, &v| m.max(v));
    let thr = top * 10f64.powf(-mask_db / 20.0);
    for (v, &sv) in x.iter_mut().zip(s.iter()) {
        *v = if sv > thr && sv > 0.0 {
            *v / sv
        } else {
            Complex::new(0.0, 0.0)
        };
    }
}

/// Position of `chunk` inside `span` (0 ..= span.len() − chunk.len()) and its distinct-peak score.
pub fn coarse_align(chunk: &[f32], span: &[f32], p: &CoarseParams) -> CoarseHit {
    let (lr, lt) = (chunk.len(), span.len());
    let none = CoarseHit {
        position: 0,
        confidence: 0.0,
    };
    if lr == 0 || lt < lr || level_db(chunk).min(level_db(span)) < p.silence_db {
        return none;
    }
    let n = fast_len(lt + lr);
    let (fwd, inv) = plans(n);
    let w = taper(lr, p.taper);
    let mut buf = vec![0.0f64; n];
    for (i, &v) in chunk.iter().enumerate() {
        buf[i] = f64::from(v) * w.as_ref().map_or(1.0, |w| w[i]);
    }
    let mut r_spec = fwd.make_output_vec();
    // lengths are those of the plan: cannot fail
    fwd.process(&mut buf, &mut r_spec).expect("fft length");
    buf.iter_mut().for_each(|v| *v = 0.0);
    for (i, &v) in span.iter().enumerate() {
        buf[i] = f64::from(v);
    }
    let mut x = fwd.make_output_vec();
    fwd.process(&mut buf, &mut x).expect("fft length");
    drop(buf);
    let h = ((0.5 * p.smooth_hz * n as f64 / p.rate).round_ties_even() as usize).max(1);
    whiten(&mut r_spec, h, p.mask_db);
    whiten(&mut x, h, p.mask_db);
    for (xt, xr) in x.iter_mut().zip(r_spec.iter()) {
        *xt *= xr.conj();
    }
    drop(r_spec);
    let last = x.len() - 1;
    x[0].im = 0.0;
    if n % 2 == 0 {
        x[last].im = 0.0;
    }
    let mut c = inv.make_output_vec();
    inv.process(&mut x, &mut c).expect("fft length");
    drop(x);
    let valid = lt - lr + 1;
    let a: Vec<f64> = c[..valid].iter().map(|v| v.abs()).collect();
    let mut k = 0usize;
    for (i, &v) in a.iter().enumerate() {
        if v > a[k] {
            k = i;
        }
    }
    let peak = a[k];
    if peak.is_nan() || peak <= 0.0 {
        return CoarseHit {
            position: k,
            confidence: 0.0,
        };
    }
    let lo = k.saturating_sub(p.lobe);
    let hi = (k + p.lobe + 1).min(valid);
    let second = a[..lo]
        .iter()
        .chain(a[hi..].iter())
        .fold(0.0f64, |m, &v| m.max(v));
    CoarseHit {
        position: k,
        confidence: (100.0 * (1.0 - second / peak)).clamp(0.0, 100.0),
    }
}

/// [`coarse_align`] on every (chunk, span) pair, two at a time in parallel (each FFT working set is tens
/// of MB at a 10-minute reach).
pub fn coarse_align_many(chunks: &[&[f32]], spans: &[&[f32]], p: &CoarseParams) -> Vec<CoarseHit> {
    chunks
        .par_iter()
        .zip(spans.par_iter())
        .with_max_len(1)
        .map(|(c, s)| coarse_align(c, s, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) as f64 / (1u64 << 31) as f64 - 0.5) as f32 * 0.5
            })
            .collect()
    }

    const P: CoarseParams = CoarseParams {
        lobe: 10,
        rate: 2000.0,
        smooth_hz: 20.0,
        mask_db: 60.0,
        taper: 0.1,
        silence_db: -60.0,
    };

    #[test]
    fn finds_the_chunk_anywhere_in_the_span() {
        let span = noise(200_000, 7);
        for &pos in &[0usize, 12_345, 150_000, 170_000] {
            let chunk = &span[pos..pos + 30_000];
            let hit = coarse_align(chunk, &span, &P);
            assert_eq!(hit.position, pos);
            assert!(hit.confidence > 80.0, "{}", hit.confidence);
        }
    }

    #[test]
    fn unrelated_audio_scores_low_and_silence_zero() {
        let span = noise(100_000, 1);
        let other = noise(20_000, 99);
        assert!(coarse_align(&other, &span, &P).confidence < 30.0);
        let quiet = vec![0.0f32; 20_000];
        assert_eq!(coarse_align(&quiet, &span, &P).confidence, 0.0);
        assert_eq!(coarse_align(&span, &other, &P).confidence, 0.0); // span shorter than chunk
    }

    #[test]
    fn many_equals_one_by_one() {
        let span = noise(80_000, 3);
        let c1 = &span[1000..11_000];
        let c2 = &span[50_000..60_000];
        let many = coarse_align_many(&[c1, c2], &[&span, &span], &P);
        assert_eq!(many[0], coarse_align(c1, &span, &P));
        assert_eq!(many[1].position, 50_000);
    }
}
