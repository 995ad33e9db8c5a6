//! The four FFT correlation methods (SCC, GCC-PHAT, GCC-SCOT, Whitened) for one chunk, and a parallel
//! driver across chunks. Mirrors `vsg_core/analysis/methods/fft.py` step by step (see its docstring for
//! the layouts and the lag sign). The transforms run in float32 (`realfft`, plans cached per length: half the
//! memory and about half the time of float64); means, energies, weights, smoothing and the searched values
//! are computed in float64 (docs/analysis.md#correlation-precision).
//!
//! Lag sign (docs/analysis.md#sign-convention): the lag is `t_ref − t_tgt` in samples; content that occurs later in
//! the target
//! gives a negative lag; `delay_ms = lag / SR · 1000`.

use super::chunks::SR;
use super::confidence::{gated_confidence, peak_confidence, scc_match, scot_confidence, EPS};
use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Correlation method (the four FFT methods of docs/analysis.md#correlation-methods).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Scc,
    GccPhat,
    GccScot,
    GccWhiten,
}

impl Method {
    /// From the canonical key (`scc`, `gcc_phat`, `gcc_scot`, `gcc_whiten`).
    pub fn parse(key: &str) -> Option<Method> {
        match key {
            "scc" => Some(Method::Scc),
            "gcc_phat" => Some(Method::GccPhat),
            "gcc_scot" => Some(Method::GccScot),
            "gcc_whiten" => Some(Method::GccWhiten),
            _ => None,
        }
    }
}

/// Options (the FFT-relevant part of `CorrelationOptions`).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// vsg profile (smoothed SCOT; peak fit for every method) vs the spec profile.
    pub vsg: bool,
    /// FFT length exactly the linear-correlation length (spec) instead of a fast size.
    pub exact_fft_length: bool,
    /// Parabolic sub-sample fit (spec profile: SCC only).
    pub peak_fit: bool,
    /// Zero the bins more than this many dB below the (smoothed) spectrum maximum (PHAT/SCOT/Whitened).
    pub mask_db: Option<f64>,
    /// Frequency smoothing of the power spectra, Hz (mask and vsg SCOT).
    pub smooth_hz: f64,
    /// Raised-cosine edges on the reference chunk (PHAT/SCOT/Whitened), fraction of the chunk.
    pub taper: f64,
    /// SCC match = |Pearson r| at each lag (window layout only).
    pub pearson_scc: bool,
    /// GCC-SCOT uses the peak-normalised score (docs/analysis.md#confidence) instead of min(100, 10·peak/mean).
    pub stable_confidence: bool,
    /// Every method scores the distinct-peak confidence, 0 for windows below `silence_db`.
    pub distinct_confidence: bool,
    /// Silence gate, dBFS RMS.
    pub silence_db: f64,
}

impl Params {
    /// The vsg defaults (`CorrelationOptions()`).
    pub fn vsg() -> Params {
        Params {
            vsg: true,
            exact_fft_length: false,
            peak_fit: true,
            mask_db: Some(60.0),
            smooth_hz: 20.0,
            taper: 0.1,
            pearson_scc: true,
            stable_confidence: true,
            distinct_confidence: true,
            silence_db: super::confidence::SILENCE_DB,
        }
    }

    /// The upstream baseline (`CorrelationOptions.spec()`).
    pub fn spec() -> Params {
        Params {
            vsg: false,
            exact_fft_length: true,
            peak_fit: false,
            mask_db: None,
            smooth_hz: 20.0,
            taper: 0.0,
            pearson_scc: false,
            stable_confidence: false,
            distinct_confidence: false,
            silence_db: super::confidence::SILENCE_DB,
        }
    }
}

/// One chunk's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LagResult {
    /// Integer peak lag, samples (t_ref − t_tgt).
    pub lag: i64,
    /// Lag plus the sub-sample offset (== lag without a fit).
    pub raw_lag: f64,
    pub confidence: f64,
}

/// Smallest 2^a·3^b·5^c ≥ n (== `scipy.fft.next_fast_len(n, real=True)`).
pub fn fast_len(n: usize) -> usize {
    if n <= 1 {
        return 1;
    }
    let mut best = n.next_power_of_two();
    let mut p5 = 1usize;
    while p5 < best {
        let mut p35 = p5;
        while p35 < best {
            let mut m = p35;
            while m < n {
                m *= 2;
            }
            best = best.min(m);
            p35 *= 3;
        }
        p5 *= 5;
    }
    best
}

/// FFT length: circle layout (equal lengths) ≥ len_r+len_t−1, window layout ≥ len_t.
pub fn fft_length(len_r: usize, len_t: usize, exact: bool) -> usize {
    let need = if len_r == len_t {
        len_r + len_t - 1
    } else {
        len_t
    };
    if exact {
        need
    } else {
        fast_len(need)
    }
}

/// Half-width in bins of the spectrum smoothing: round(0.5·smooth_hz·n/SR), half to even.
pub fn smoothing_bins(smooth_hz: f64, n: usize) -> usize {
    (0.5 * smooth_hz * n as f64 / SR as f64)
        .round_ties_even()
        .max(0.0) as usize
}

/// Moving average over bins [k−h, k+h] ∩ [0, len) via prefix sums; negative rounding results → 0.
pub fn smooth_power(p: &[f64], h: usize) -> Vec<f64> {
    if h == 0 {
        return p.to_vec();
    }
    let nb = p.len();
    let mut c = Vec::with_capacity(nb + 1);
    c.push(0.0);
    let mut acc = 0.0;
    for &x in p {
        acc += x;
        c.push(acc);
    }
    (0..nb)
        .map(|k| {
            let lo = k.saturating_sub(h);
            let hi = (k + h + 1).min(nb);
            ((c[hi] - c[lo]) / (hi - lo) as f64).max(0.0)
        })
        .collect()
}

/// Tukey-style taper: raised-cosine ramps of T = round(alpha·n/2) samples at both ends
/// (`0.5·(1 − cos(π·(i + 0.5)/T))`), 1 between; None when T = 0.
pub fn taper(n: usize, alpha: f64) -> Option<Vec<f64>> {
    let t = ((alpha * n as f64 / 2.0).round_ties_even().max(0.0) as usize).min(n / 2);
    if t == 0 {
        return None;
    }
    let mut w = vec![1.0; n];
    for i in 0..t {
        let v = 0.5 * (1.0 - (std::f64::consts::PI * (i as f64 + 0.5) / t as f64).cos());
        w[i] = v;
        w[n - 1 - i] = v;
    }
    Some(w)
}

/// Sub-sample peak offset of a parabola through three points; 0 unless the vertex is within ±1.
pub fn parabolic_offset(y1: f64, y2: f64, y3: f64) -> f64 {
    let den = y1 - 2.0 * y2 + y3;
    if den == 0.0 {
        return 0.0;
    }
    let d = 0.5 * (y1 - y3) / den;
    if -1.0 < d && d < 1.0 {
        d
    } else {
        0.0
    }
}

type Plans<T> = (Arc<dyn RealToComplex<T>>, Arc<dyn ComplexToReal<T>>);
type PlanCache<T> = Mutex<(RealFftPlanner<T>, HashMap<usize, Plans<T>>)>;

/// The float type of the transforms: f32 when the spectrum mask is on (the masked bins are the ones where
/// f32 rounding would dominate a whitened weight), f64 otherwise (docs/analysis.md#correlation-precision).
pub trait Real: realfft::FftNum + Copy {
    fn to64(self) -> f64;
    fn from64(x: f64) -> Self;
    fn from32(x: f32) -> Self;
    fn cache() -> &'static PlanCache<Self>;
}

impl Real for f32 {
    fn to64(self) -> f64 {
        self as f64
    }
    fn from64(x: f64) -> Self {
        x as f32
    }
    fn from32(x: f32) -> Self {
        x
    }
    fn cache() -> &'static PlanCache<Self> {
        static CACHE: OnceLock<PlanCache<f32>> = OnceLock::new();
        CACHE.get_or_init(|| Mutex::new((RealFftPlanner::new(), HashMap::new())))
    }
}

impl Real for f64 {
    fn to64(self) -> f64 {
        self
    }
    fn from64(x: f64) -> Self {
        x
    }
    fn from32(x: f32) -> Self {
        x as f64
    }
    fn cache() -> &'static PlanCache<Self> {
        static CACHE: OnceLock<PlanCache<f64>> = OnceLock::new();
        CACHE.get_or_init(|| Mutex::new((RealFftPlanner::new(), HashMap::new())))
    }
}

fn c64<T: Real>(c: Complex<T>) -> Complex<f64> {
    Complex::new(c.re.to64(), c.im.to64())
}

fn c_from64<T: Real>(c: Complex<f64>) -> Complex<T> {
    Complex::new(T::from64(c.re), T::from64(c.im))
}

/// FFT plans per length, shared by all threads (the planner is only locked while planning).
fn plans<T: Real>(n: usize) -> Plans<T> {
    let cache = T::cache();
    let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
    let (planner, map) = &mut *guard;
    if let Some(p) = map.get(&n) {
        return p.clone();
    }
    let p: Plans<T> = (planner.plan_fft_forward(n), planner.plan_fft_inverse(n));
    map.insert(n, p.clone());
    p
}

fn mean_std(x: &[f32]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|&v| {
            let d = v as f64 - mean;
            d * d
        })
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

/// Writes `x` (z-normalised when `z` is Some((mean, std))) into `buf` and zero-pads.
fn fill<T: Real>(buf: &mut [T], x: &[f32], z: Option<(f64, f64)>) {
    match z {
        Some((m, s)) => {
            for (b, &v) in buf.iter_mut().zip(x) {
                *b = T::from64((v as f64 - m) / (s + EPS));
            }
        }
        None => {
            for (b, &v) in buf.iter_mut().zip(x) {
                *b = T::from32(v);
            }
        }
    }
    buf[x.len()..].iter_mut().for_each(|b| *b = T::zero());
}

/// `smooth_power` of the power spectrum |s|² without materialising |s|².
fn smoothed_power<T: Real>(s: &[Complex<T>], h: usize) -> Vec<f64> {
    let nb = s.len();
    let pw = |x: &Complex<T>| x.re.to64().powi(2) + x.im.to64().powi(2);
    if h == 0 {
        return s.iter().map(pw).collect();
    }
    let mut c = Vec::with_capacity(nb + 1);
    c.push(0.0);
    let mut acc = 0.0;
    for x in s {
        acc += pw(x);
        c.push(acc);
    }
    (0..nb)
        .map(|k| {
            let lo = k.saturating_sub(h);
            let hi = (k + h + 1).min(nb);
            ((c[hi] - c[lo]) / (hi - lo) as f64).max(0.0)
        })
        .collect()
}

fn max_of(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// The forward spectra of the chunk and the target window (z-normalised for SCC, the chunk tapered for the
/// phase methods) and, for SCC, their energies after normalisation.
struct Spectra<T> {
    rs: Vec<Complex<T>>,
    ts: Vec<Complex<T>>,
    norm: SccNorm,
}

/// SCC's normalisation, carried from the forward transforms to the score: the energies of both normalised
/// signals and the target's (mean, std) used for its z-normalisation (zeros / None for the other methods).
#[derive(Clone, Copy)]
struct SccNorm {
    energy_r: f64,
    energy_t: f64,
    zt: Option<(f64, f64)>,
}

fn spectra<T: Real>(
    r: &[f32],
    t: &[f32],
    scc: bool,
    p: &Params,
    fwd: &dyn RealToComplex<T>,
    scratch: &mut [Complex<T>],
) -> Result<Spectra<T>, String> {
    let fft_err = |e: realfft::FftError| e.to_string();
    let (len_r, len_t) = (r.len(), t.len());
    let zr = if scc { Some(mean_std(r)) } else { None };
    let zt = if scc { Some(mean_std(t)) } else { None };
    let mut buf = fwd.make_input_vec();
    fill(&mut buf, r, zr);
    if !scc && p.taper > 0.0 {
        if let Some(w) = taper(len_r, p.taper) {
            buf[..len_r]
                .iter_mut()
                .zip(&w)
                .for_each(|(b, x)| *b = T::from64(b.to64() * x));
        }
    }
    let energy_r: f64 = if scc {
        buf[..len_r].iter().map(|&v| v.to64() * v.to64()).sum()
    } else {
        0.0
    };
    let mut rs = fwd.make_output_vec();
    fwd.process_with_scratch(&mut buf, &mut rs, scratch)
        .map_err(fft_err)?;
    fill(&mut buf, t, zt);
    let energy_t: f64 = if scc {
        buf[..len_t].iter().map(|&v| v.to64() * v.to64()).sum()
    } else {
        0.0
    };
    let mut ts = fwd.make_output_vec();
    fwd.process_with_scratch(&mut buf, &mut ts, scratch)
        .map_err(fft_err)?;
    // `buf` is dropped here; the inverse gets a fresh buffer (keeps the peak working set smaller)
    Ok(Spectra {
        rs,
        ts,
        norm: SccNorm {
            energy_r,
            energy_t,
            zt,
        },
    })
}

/// The method's weighted cross spectrum, written into `rs` (bins below the mask set to 0).
fn weight_cross_spectrum<T: Real>(
    rs: &mut [Complex<T>],
    ts: &[Complex<T>],
    method: Method,
    p: &Params,
    n: usize,
) {
    if method == Method::Scc {
        for (a, b) in rs.iter_mut().zip(ts) {
            *a = c_from64(c64(*a) * c64(*b).conj());
        }
        return;
    }
    let need_smooth = p.mask_db.is_some() || (method == Method::GccScot && p.vsg);
    let (sr, st) = if need_smooth {
        let h = smoothing_bins(p.smooth_hz, n);
        (smoothed_power(rs, h), smoothed_power(ts, h))
    } else {
        (Vec::new(), Vec::new())
    };
    let mask = p.mask_db.map(|db| {
        let f = 10f64.powf(-db / 10.0);
        (max_of(&sr) * f, max_of(&st) * f)
    });
    for k in 0..rs.len() {
        let (a, b) = (c64(rs[k]), c64(ts[k]));
        let g = a * b.conj();
        let x = match method {
            Method::GccPhat => g / (g.norm_sqr().sqrt() + EPS),
            Method::GccScot => {
                if p.vsg {
                    g / ((sr[k] * st[k]).sqrt() + EPS)
                } else {
                    g / ((a.norm_sqr() * b.norm_sqr()).sqrt() + EPS)
                }
            }
            Method::GccWhiten => {
                (a / (a.norm_sqr().sqrt() + EPS)) * (b / (b.norm_sqr().sqrt() + EPS)).conj()
            }
            Method::Scc => unreachable!(),
        };
        let keep = match mask {
            Some((fr, ft)) => sr[k] >= fr && st[k] >= ft,
            None => true,
        };
        rs[k] = if keep {
            c_from64(x)
        } else {
            Complex::new(T::zero(), T::zero())
        };
    }
}

/// The searched correlation values in layout order (scaled by 1/n) and the index of lag 0's "half":
/// same-window layout (ascending lags for SCC, else numpy's order) or the ±M window (ascending).
fn searched_values<T: Real>(
    buf: &[T],
    n: usize,
    len_r: usize,
    len_t: usize,
    ascending: bool,
) -> (Vec<f64>, usize) {
    let scale = 1.0 / n as f64;
    if len_t == len_r {
        let l = len_r;
        let s: Vec<f64> = if ascending {
            buf[n - l + 1..]
                .iter()
                .chain(buf[..l].iter())
                .map(|&v| v.to64() * scale)
                .collect()
        } else {
            buf[..l]
                .iter()
                .chain(buf[n - l + 1..].iter())
                .map(|&v| v.to64() * scale)
                .collect()
        };
        return (s, l - 1);
    }
    let two_m = len_t - len_r;
    let s: Vec<f64> = buf[n - two_m..]
        .iter()
        .chain(buf[..1].iter())
        .map(|&v| v.to64() * scale)
        .collect();
    (s, two_m / 2)
}

/// SCC in the ±M window: |Pearson r| at each lag over the overlapping samples (0–1).
fn pearson_magnitudes(
    s: &[f64],
    t: &[f32],
    zt: Option<(f64, f64)>,
    energy_r: f64,
    len_r: usize,
) -> Vec<f64> {
    let len_t = t.len();
    let (m, sd) = zt.unwrap_or((0.0, 1.0));
    let mut p1 = Vec::with_capacity(len_t + 1);
    let mut p2 = Vec::with_capacity(len_t + 1);
    let (mut c1, mut c2) = (0.0, 0.0);
    p1.push(0.0);
    p2.push(0.0);
    for &v in t {
        let z = (v as f64 - m) / (sd + EPS);
        c1 += z;
        c2 += z * z;
        p1.push(c1);
        p2.push(c2);
    }
    let two_m = len_t - len_r;
    let lf = len_r as f64;
    s.iter()
        .enumerate()
        .map(|(i, &v)| {
            let j = two_m - i;
            let ssum = p1[j + len_r] - p1[j];
            let var = (p2[j + len_r] - p2[j] - ssum * ssum / lf).max(0.0);
            (v / ((energy_r * var).sqrt() + 1e-6 * lf)).abs()
        })
        .collect()
}

/// Where the peak sits in the searched values and how to read lags there.
struct Peak {
    /// Index of the first maximum of `a`.
    k: usize,
    lag: i64,
    half: usize,
    ascending: bool,
}

impl Peak {
    fn find(a: &[f64], half: usize, ascending: bool) -> Peak {
        let mut k = 0usize;
        for (i, &v) in a.iter().enumerate() {
            if v > a[k] {
                k = i;
            }
        }
        let lag = if ascending {
            k as i64 - half as i64
        } else if k <= half {
            k as i64
        } else {
            k as i64 - a.len() as i64
        };
        Peak {
            k,
            lag,
            half,
            ascending,
        }
    }

    fn index_of(&self, lag: i64, len: usize) -> usize {
        let h = self.half as i64;
        if self.ascending {
            (lag + h) as usize
        } else if lag >= 0 {
            lag as usize
        } else {
            (len as i64 + lag) as usize
        }
    }
}

/// The lag with its parabolic sub-sample offset when the fit applies (not at the edges of the search).
/// vsg fits the signed values (sign of the peak); the original's SCC fit uses magnitudes
/// (docs/analysis.md#correlation-methods).
fn refined_lag(peak: &Peak, a: &[f64], s: &[f64], pearson: bool, fit: bool, vsg: bool) -> f64 {
    let (lag, h, k) = (peak.lag, peak.half as i64, peak.k);
    if !fit || lag <= -h || lag >= h {
        return lag as f64;
    }
    let y = |i: usize| -> f64 {
        if !vsg {
            a[i]
        } else if pearson {
            a[i] * s[i].signum() * s[k].signum()
        } else {
            s[i] * s[k].signum()
        }
    };
    let (below, above) = (
        peak.index_of(lag - 1, a.len()),
        peak.index_of(lag + 1, a.len()),
    );
    lag as f64 + parabolic_offset(y(below), y(k), y(above))
}

/// What the transforms give the peak search: the searched correlation values (float64), lag 0's index, and
/// for SCC the energies and the target's normalisation.
struct Searched {
    s: Vec<f64>,
    half: usize,
    norm: SccNorm,
}

/// Forward spectra → weighted cross spectrum → inverse FFT → searched values, in the float type `T`.
fn transform<T: Real>(
    r: &[f32],
    t: &[f32],
    method: Method,
    p: &Params,
    n: usize,
    ascending: bool,
) -> Result<Searched, String> {
    let scc = method == Method::Scc;
    let (fwd, inv) = plans::<T>(n);
    let mut scratch =
        vec![Complex::new(T::zero(), T::zero()); fwd.get_scratch_len().max(inv.get_scratch_len())];
    let Spectra { mut rs, ts, norm } = spectra(r, t, scc, p, fwd.as_ref(), &mut scratch)?;
    weight_cross_spectrum(&mut rs, &ts, method, p, n);
    drop(ts);
    // numpy's irfft ignores the imaginary parts of the DC and Nyquist bins
    rs[0].im = T::zero();
    if n % 2 == 0 {
        let last = rs.len() - 1;
        rs[last].im = T::zero();
    }
    let mut buf = inv.make_output_vec();
    inv.process_with_scratch(&mut rs, &mut buf, &mut scratch)
        .map_err(|e| e.to_string())?;
    drop(rs);
    drop(scratch);
    let (s, half) = searched_values(&buf, n, r.len(), t.len(), ascending);
    Ok(Searched { s, half, norm })
}

/// Correlate one chunk `r` (length L) against the target window `t` (length L, or L + 2M): forward spectra →
/// weighted cross spectrum → inverse FFT → searched values → peak, sub-sample lag and confidence.
pub fn correlate_chunk(
    r: &[f32],
    t: &[f32],
    method: Method,
    p: &Params,
) -> Result<LagResult, String> {
    let (len_r, len_t) = (r.len(), t.len());
    if len_r == 0 || len_t < len_r || (len_t - len_r) % 2 != 0 {
        return Err(format!(
            "target window length {len_t} must be the chunk length {len_r} + 2·margin"
        ));
    }
    let window = len_t != len_r;
    let scc = method == Method::Scc;
    let n = fft_length(len_r, len_t, p.exact_fft_length);
    let ascending = window || scc;
    let x = if p.mask_db.is_some() {
        transform::<f32>(r, t, method, p, n, ascending)?
    } else {
        transform::<f64>(r, t, method, p, n, ascending)?
    };
    let Searched {
        s,
        half,
        norm: SccNorm {
            energy_r,
            energy_t,
            zt,
        },
    } = x;
    let pearson = scc && window && p.pearson_scc;
    let a: Vec<f64> = if pearson {
        pearson_magnitudes(&s, t, zt, energy_r, len_r)
    } else {
        s.iter().map(|v| v.abs()).collect()
    };
    let peak = Peak::find(&a, half, ascending);
    let raw = refined_lag(&peak, &a, &s, pearson, p.peak_fit && (p.vsg || scc), p.vsg);
    let k = peak.k;
    let conf = match method {
        _ if p.distinct_confidence => gated_confidence(&a, r, t, p.silence_db),
        Method::Scc if pearson => a[k] * 100.0,
        Method::Scc => scc_match(s[k], energy_r, energy_t),
        Method::GccScot if !p.stable_confidence => scot_confidence(&a, k),
        _ => peak_confidence(&a, k),
    };
    Ok(LagResult {
        lag: peak.lag,
        raw_lag: raw,
        confidence: conf,
    })
}

/// All chunks in parallel (rayon), results in input order.
pub fn correlate_chunks(
    refs: &[&[f32]],
    targets: &[&[f32]],
    method: Method,
    p: &Params,
) -> Result<Vec<LagResult>, String> {
    if refs.len() != targets.len() {
        return Err(format!(
            "{} reference chunks but {} target windows",
            refs.len(),
            targets.len()
        ));
    }
    refs.par_iter()
        .zip(targets.par_iter())
        .map(|(r, t)| correlate_chunk(r, t, method, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random noise (xorshift), in [-1, 1).
    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.max(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32
            })
            .collect()
    }

    /// Signal `x` delayed by `d` whole samples (x(t − d)), zeros shifted in.
    fn delayed(x: &[f32], d: i64) -> Vec<f32> {
        (0..x.len() as i64)
            .map(|i| {
                let j = i - d;
                if j >= 0 && (j as usize) < x.len() {
                    x[j as usize]
                } else {
                    0.0
                }
            })
            .collect()
    }

    const ALL: [Method; 4] = [
        Method::Scc,
        Method::GccPhat,
        Method::GccScot,
        Method::GccWhiten,
    ];

    #[test]
    fn fast_len_is_5_smooth_and_minimal() {
        assert_eq!(fast_len(1), 1);
        assert_eq!(fast_len(7), 8);
        assert_eq!(fast_len(1_439_999), 1_440_000);
        assert_eq!(fast_len(2_159_999), 2_160_000);
        assert_eq!(fast_len(97), 100);
        for n in 2..2000usize {
            let f = fast_len(n);
            let mut m = f;
            for q in [2, 3, 5] {
                while m % q == 0 {
                    m /= q;
                }
            }
            assert_eq!(m, 1, "{f} not 5-smooth");
            assert!(f >= n);
            // nothing 5-smooth in [n, f)
            assert!((n..f).all(|g| {
                let mut m = g;
                for q in [2, 3, 5] {
                    while m % q == 0 {
                        m /= q;
                    }
                }
                m != 1
            }));
        }
    }

    #[test]
    fn sign_convention_target_later_is_negative() {
        // target content 137 samples later than in the reference → lag −137 (docs/analysis.md#sign-convention)
        let x = noise(60_000, 7);
        let tgt = delayed(&x, 137);
        let (a, l, m) = (20_000usize, 4800usize, 2400usize);
        let r = &x[a..a + l];
        for method in ALL {
            let w = &tgt[a - m..a + l + m];
            let res = correlate_chunk(r, w, method, &Params::vsg()).unwrap();
            assert_eq!(res.lag, -137, "{method:?} vsg");
            assert!(
                (res.raw_lag + 137.0).abs() < 0.05,
                "{method:?} raw {}",
                res.raw_lag
            );
            assert!(res.confidence > 50.0, "{method:?} conf {}", res.confidence);
            let same = &tgt[a..a + l];
            let res = correlate_chunk(r, same, method, &Params::spec()).unwrap();
            assert_eq!(res.lag, -137, "{method:?} spec");
            assert_eq!(res.raw_lag, -137.0);
        }
        // target earlier → positive
        let tgt = delayed(&x, -250);
        let r = &x[a..a + l];
        let res =
            correlate_chunk(r, &tgt[a - m..a + l + m], Method::GccPhat, &Params::vsg()).unwrap();
        assert_eq!(res.lag, 250);
    }

    #[test]
    fn fast_and_exact_lengths_give_the_same_correlation() {
        let x = noise(20_000, 3);
        let tgt = delayed(&x, -33);
        let r = &x[5000..9000];
        let t = &tgt[5000..9000];
        for method in ALL {
            let mut exact = Params::spec();
            exact.peak_fit = true;
            let mut fast = exact.clone();
            fast.exact_fft_length = false;
            let a = correlate_chunk(r, t, method, &exact).unwrap();
            let b = correlate_chunk(r, t, method, &fast).unwrap();
            assert_eq!(a.lag, b.lag);
            assert!((a.raw_lag - b.raw_lag).abs() < 1e-9);
            assert!((a.confidence - b.confidence).abs() <= 1e-9 * a.confidence.max(1.0));
        }
    }

    #[test]
    fn parabolic_fit_recovers_fractional_delay() {
        // band-limited signal delayed by 10.3 samples (x is a sum of sinusoids, delay exact)
        let n = 30_000;
        let freqs = [97.0, 311.0, 1201.0, 2999.0, 4507.0, 7001.0, 9803.0];
        let sig = |d: f64| -> Vec<f32> {
            (0..n)
                .map(|i| {
                    let t = (i as f64 - d) / SR as f64;
                    freqs
                        .iter()
                        .enumerate()
                        .map(|(j, f)| (2.0 * std::f64::consts::PI * f * t + j as f64).sin())
                        .sum::<f64>() as f32
                })
                .collect()
        };
        let x = sig(0.0);
        let y = sig(10.3);
        let (a, l, m) = (10_000usize, 9600usize, 480usize);
        let res = correlate_chunk(
            &x[a..a + l],
            &y[a - m..a + l + m],
            Method::Scc,
            &Params::vsg(),
        )
        .unwrap();
        assert_eq!(res.lag, -10);
        assert!((res.raw_lag + 10.3).abs() < 0.1, "raw {}", res.raw_lag);
    }

    #[test]
    fn parallel_equals_sequential_and_rejects_bad_lengths() {
        let x = noise(50_000, 11);
        let tgt = delayed(&x, 21);
        let starts = [3000usize, 12_000, 25_000, 40_000];
        let (l, m) = (4000usize, 1000usize);
        let refs: Vec<&[f32]> = starts.iter().map(|&a| &x[a..a + l]).collect();
        let tgts: Vec<&[f32]> = starts.iter().map(|&a| &tgt[a - m..a + l + m]).collect();
        for method in ALL {
            let par = correlate_chunks(&refs, &tgts, method, &Params::vsg()).unwrap();
            for (i, res) in par.iter().enumerate() {
                let seq = correlate_chunk(refs[i], tgts[i], method, &Params::vsg()).unwrap();
                assert_eq!(*res, seq);
                assert_eq!(res.lag, -21);
            }
        }
        assert!(correlate_chunk(&x[..100], &x[..101], Method::Scc, &Params::vsg()).is_err());
        assert!(correlate_chunk(&x[..100], &x[..50], Method::Scc, &Params::vsg()).is_err());
        assert!(correlate_chunks(&refs, &tgts[..2], Method::Scc, &Params::vsg()).is_err());
    }

    #[test]
    fn mask_removes_empty_bins() {
        // reference and target only share content below 2 kHz; above it both are digital silence
        // except rounding-level noise of different origin → masked PHAT still finds the lag
        let n = 40_000;
        let lp: Vec<f32> = {
            let x = noise(n, 5);
            // crude low-pass: moving average of 24 samples (first null at 2 kHz)
            (0..n)
                .map(|i| x[i.saturating_sub(23)..=i].iter().sum::<f32>() / 24.0)
                .collect()
        };
        let tgt = delayed(&lp, -77);
        let tiny_r = noise(n, 99);
        let tiny_t = noise(n, 100);
        let r: Vec<f32> = lp.iter().zip(&tiny_r).map(|(a, b)| a + b * 1e-7).collect();
        let t: Vec<f32> = tgt.iter().zip(&tiny_t).map(|(a, b)| a + b * 1e-7).collect();
        let (a, l, m) = (10_000usize, 8000usize, 2000usize);
        let res = correlate_chunk(
            &r[a..a + l],
            &t[a - m..a + l + m],
            Method::GccPhat,
            &Params::vsg(),
        )
        .unwrap();
        assert_eq!(res.lag, 77);
    }
}
