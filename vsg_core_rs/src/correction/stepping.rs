//! Stepping correction, the Rust mirror of `vsg_core/correction/stepping.py` (bit-identical results).
//!
//! A splice is where the target's delay changes from `delay_before` to `delay_after` (ms, convention
//! `t_target = t_ref − delay/1000`). `L = round((before − after)·sr/1000)` samples: `L > 0` removes `L`
//! target samples (content the reference lacks), `L < 0` fills `|L|` samples (content the target lacks).
//! Scores use exact integer sums of the int32 PCM shifted to 16 bits, so Python and Rust agree exactly.

/// A window whose int32 standard deviation is below this is digital silence.
pub const SILENCE_STD_INT32: f64 = 100.0;
/// int32 → 16-bit scale for the exact integer sums.
pub const SHIFT: u32 = 16;

/// One EDL entry on the target timeline: samples `[start_s, end_s)` play with `delay_ms`.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioSegment {
    pub start_s: f64,
    pub end_s: f64,
    pub delay_ms: i32,
    pub delay_raw: f64,
    pub drift_rate_ms_s: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefineParams {
    pub window: usize,
    pub step: usize,
    pub plateau_tol: f64,
    pub level_window: usize,
    pub silence_db: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Splice {
    pub delay_before: f64,
    pub delay_after: f64,
    pub removed: i64,
    pub filled: i64,
    pub best: i64,
    pub score: f64,
    pub plateau_lo: i64,
    pub plateau_hi: i64,
    pub position: i64,
    pub snap: &'static str,
}

/// Output samples `[out_start, out_start + length)`: target samples from `src` on, or fill (`None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub out_start: i64,
    pub length: i64,
    pub src: Option<i64>,
}

/// Delay in whole samples (half to even, like Python's `round`).
pub fn shift_lag(delay_ms: f64, sr: u32) -> i64 {
    (delay_ms * sr as f64 / 1000.0).round_ties_even() as i64
}

fn scaled(x: i32) -> i64 {
    (x >> SHIFT) as i64
}

fn ncc(n: i64, sx: i64, sy: i64, sxx: i64, syy: i64, sxy: i64) -> f64 {
    let (n, sx, sy, sxx, syy, sxy) = (
        n as i128,
        sx as i128,
        sy as i128,
        sxx as i128,
        syy as i128,
        sxy as i128,
    );
    let vx = n * sxx - sx * sx;
    let vy = n * syy - sy * sy;
    let mut floor = n as f64 * (SILENCE_STD_INT32 / 65536.0);
    floor *= floor;
    if (vx as f64) < floor || (vy as f64) < floor {
        return 0.0;
    }
    (n * sxy - sx * sy) as f64 / ((vx as f64) * (vy as f64)).sqrt()
}

/// Running sums (count, Σx, Σy, Σx², Σy², Σxy) of target × reference at one lag (reference index = target
/// index + lag) over target `[lo, hi)`; positions outside either signal are absent. Only the prefixes at the
/// two arithmetic series the queries use (`a1 + k·step`, `a2 + k·step`) are kept, so the memory is
/// proportional to the grid, not to the samples (the sums are exact integers: same values as the Python
/// reference's full prefix arrays).
struct Pair {
    lo: i64,
    hi: i64,
    step: i64,
    anchors: [i64; 2],
    snaps: [Vec<[i64; 6]>; 2],
}

impl Pair {
    #[allow(clippy::too_many_arguments)]
    fn new(
        tgt: &[i32],
        refr: &[i32],
        lag: i64,
        lo: i64,
        hi: i64,
        step: i64,
        a1: i64,
        a2: i64,
    ) -> Pair {
        let mut p = Pair {
            lo,
            hi,
            step,
            anchors: [a1, a2],
            snaps: [Vec::new(), Vec::new()],
        };
        let (nt, nr) = (tgt.len() as i64, refr.len() as i64);
        let mut acc = [0i64; 6];
        let record = |x: i64, acc: &[i64; 6], p: &mut Pair| {
            for k in 0..2 {
                let d = x - p.anchors[k];
                if d >= 0 && d % step == 0 && (d / step) as usize == p.snaps[k].len() {
                    p.snaps[k].push(*acc);
                }
            }
        };
        for i in lo..hi {
            record(i, &acc, &mut p);
            let j = i + lag;
            if i >= 0 && i < nt && j >= 0 && j < nr {
                let x = scaled(tgt[i as usize]);
                let y = scaled(refr[j as usize]);
                acc[0] += 1;
                acc[1] += x;
                acc[2] += y;
                acc[3] += x * x;
                acc[4] += y * y;
                acc[5] += x * y;
            }
        }
        record(hi, &acc, &mut p);
        p
    }

    fn prefix(&self, x: i64) -> Option<[i64; 6]> {
        for k in 0..2 {
            let d = x - self.anchors[k];
            if d >= 0 && d % self.step == 0 {
                if let Some(v) = self.snaps[k].get((d / self.step) as usize) {
                    return Some(*v);
                }
            }
        }
        None
    }

    fn ncc(&self, a: i64, b: i64) -> f64 {
        if a < self.lo || b > self.hi || b <= a {
            return 0.0;
        }
        let (Some(pa), Some(pb)) = (self.prefix(a), self.prefix(b)) else {
            return 0.0;
        };
        let n = b - a;
        if pb[0] - pa[0] != n {
            return 0.0;
        }
        ncc(
            n,
            pb[1] - pa[1],
            pb[2] - pa[2],
            pb[3] - pa[3],
            pb[4] - pa[4],
            pb[5] - pa[5],
        )
    }
}

/// Σx² (16-bit scale) of the `window` target samples centred on each position (clipped to the signal).
pub fn energy_sums(tgt: &[i32], positions: &[i64], window: usize) -> Vec<i64> {
    let n = tgt.len() as i64;
    let half = (window / 2) as i64;
    positions
        .iter()
        .map(|&p| {
            let a = (p - half).clamp(0, n);
            let b = (p - half + window as i64).clamp(0, n);
            tgt[a as usize..b as usize]
                .iter()
                .map(|&x| {
                    let v = scaled(x);
                    v * v
                })
                .sum()
        })
        .collect()
}

fn silent_energy(window: usize, silence_db: f64) -> f64 {
    window as f64 * 32768.0 * 32768.0 * 10f64.powf(silence_db / 10.0)
}

fn in_zones(p: i64, zones: &[(i64, i64)]) -> bool {
    zones.iter().any(|&(z0, z1)| z0 <= p && p < z1)
}

/// Middle of the longest run of `true` (first run on ties).
fn longest_run_mid(flags: &[bool]) -> Option<usize> {
    let (mut best_len, mut best_start, mut i) = (0usize, 0usize, 0usize);
    while i < flags.len() {
        if flags[i] {
            let mut j = i;
            while j < flags.len() && flags[j] {
                j += 1;
            }
            if j - i > best_len {
                best_len = j - i;
                best_start = i;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    if best_len == 0 {
        None
    } else {
        Some(best_start + (best_len - 1) / 2)
    }
}

/// Find and snap one splice in target samples `[lo, hi]` (mono int32 `refr` and `tgt`).
#[allow(clippy::too_many_arguments)]
pub fn refine_splice(
    refr: &[i32],
    tgt: &[i32],
    sr: u32,
    delay_before: f64,
    delay_after: f64,
    lo: i64,
    hi: i64,
    params: &RefineParams,
    zones: &[(i64, i64)],
    snap: bool,
) -> Splice {
    let lag_b = shift_lag(delay_before, sr);
    let lag_a = shift_lag(delay_after, sr);
    let length = lag_b - lag_a;
    let rem = length.max(0);
    let w = params.window as i64;
    let step = params.step.max(1) as i64;
    let lo = lo.max(0);
    let hi = hi.max(lo);
    let count = ((hi - lo) / step + 1) as usize;
    let grid: Vec<i64> = (0..count as i64).map(|k| lo + k * step).collect();
    let before = Pair::new(tgt, refr, lag_b, lo - w, hi, step, lo - w, lo);
    let after = Pair::new(
        tgt,
        refr,
        lag_a,
        lo + rem,
        hi + rem + w,
        step,
        lo + rem,
        lo + rem + w,
    );
    let scores: Vec<f64> = grid
        .iter()
        .map(|&p| before.ncc(p - w, p) + after.ncc(p + rem, p + rem + w))
        .collect();
    let mut best_i = 0usize;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best_i] {
            best_i = i;
        }
    }
    let best = scores[best_i];
    let mut a = best_i;
    while a > 0 && scores[a - 1] >= best - params.plateau_tol {
        a -= 1;
    }
    let mut b = best_i;
    while b + 1 < count && scores[b + 1] >= best - params.plateau_tol {
        b += 1;
    }
    let plateau = &grid[a..=b];
    let mut chosen = grid[best_i];
    let mut how = "none";
    if snap {
        let in_zone: Vec<bool> = plateau
            .iter()
            .map(|&p| in_zones(p, zones) && (rem == 0 || in_zones(p + rem, zones)))
            .collect();
        if let Some(k) = longest_run_mid(&in_zone) {
            chosen = plateau[k];
            how = "silencedetect";
        } else {
            let e1 = energy_sums(tgt, plateau, params.level_window);
            let e2 = if rem != 0 {
                let shifted: Vec<i64> = plateau.iter().map(|&p| p + rem).collect();
                energy_sums(tgt, &shifted, params.level_window)
            } else {
                vec![0; plateau.len()]
            };
            let limit = silent_energy(params.level_window, params.silence_db);
            let quiet: Vec<bool> = e1
                .iter()
                .zip(&e2)
                .map(|(&x, &y)| (x as f64) < limit && (y as f64) < limit)
                .collect();
            if let Some(k) = longest_run_mid(&quiet) {
                chosen = plateau[k];
                how = "rms";
            } else {
                let cost: Vec<i64> = e1.iter().zip(&e2).map(|(x, y)| x + y).collect();
                let mut k = 0usize;
                for (i, &c) in cost.iter().enumerate() {
                    if c < cost[k] {
                        k = i;
                    }
                }
                chosen = plateau[k];
                how = "low_energy";
            }
        }
    }
    Splice {
        delay_before,
        delay_after,
        removed: rem,
        filled: (-length).max(0),
        best: grid[best_i],
        score: best,
        plateau_lo: plateau[0],
        plateau_hi: plateau[plateau.len() - 1],
        position: chosen,
        snap: how,
    }
}

/// EDL on the target timeline: segment k runs from the end of splice k−1 (its removed stretch skipped)
/// to splice k; the last one to the end of the target.
pub fn build_edl(
    delays_raw: &[f64],
    splices: &[Splice],
    n_target: i64,
    sr: u32,
) -> Result<Vec<AudioSegment>, String> {
    if splices.len() + 1 != delays_raw.len() {
        return Err("build_edl: one splice per pair of consecutive segments is needed".into());
    }
    let mut out = Vec::with_capacity(delays_raw.len());
    let mut start = 0i64;
    for (k, &d) in delays_raw.iter().enumerate() {
        let end = if k < splices.len() {
            splices[k].position
        } else {
            n_target
        };
        let end = end.max(start);
        out.push(AudioSegment {
            start_s: start as f64 / sr as f64,
            end_s: end as f64 / sr as f64,
            delay_ms: d.round_ties_even() as i32,
            delay_raw: d,
            drift_rate_ms_s: 0.0,
        });
        if k < splices.len() {
            start = (splices[k].position + splices[k].removed).min(n_target);
        }
    }
    Ok(out)
}

/// Pieces on the output timeline, where output sample o shows reference time o + align (samples).
pub fn assembly_plan(edl: &[AudioSegment], sr: u32, align_ms: f64) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut prev_end = 0i64;
    for seg in edl {
        let shift = shift_lag(align_ms - seg.delay_raw, sr);
        let mut s = (seg.start_s * sr as f64).round_ties_even() as i64;
        let e = (seg.end_s * sr as f64).round_ties_even() as i64;
        let mut out_s = s - shift;
        let out_e = e - shift;
        if out_s < prev_end {
            s += prev_end - out_s;
            out_s = prev_end;
        }
        if out_e <= out_s {
            continue;
        }
        if out_s > prev_end {
            pieces.push(Piece {
                out_start: prev_end,
                length: out_s - prev_end,
                src: None,
            });
        }
        pieces.push(Piece {
            out_start: out_s,
            length: out_e - out_s,
            src: Some(s),
        });
        prev_end = out_e;
    }
    pieces
}

/// Value of `piece`'s mapping at output frame `n`, channel `c` (beyond the piece too); 0 outside.
fn piece_value(pcm: &[i32], ch: usize, piece: &Piece, n: i64, c: usize) -> i32 {
    match piece.src {
        None => 0,
        Some(src) => {
            let s = src + (n - piece.out_start);
            let frames = (pcm.len() / ch) as i64;
            if s >= 0 && s < frames {
                pcm[s as usize * ch + c]
            } else {
                0
            }
        }
    }
}

/// Assemble interleaved int32 PCM (`ch` channels) along `pieces`; joins crossfade linearly over up to
/// `crossfade` samples (never more than half of either neighbouring piece).
pub fn splice_audio(pcm: &[i32], ch: usize, pieces: &[Piece], crossfade: usize) -> Vec<i32> {
    let ch = ch.max(1);
    let total = pieces
        .last()
        .map(|p| p.out_start + p.length)
        .unwrap_or(0)
        .max(0) as usize;
    let frames = (pcm.len() / ch) as i64;
    let mut out = vec![0i32; total * ch];
    for p in pieces {
        if let Some(src) = p.src {
            // copy the in-range part in one slice
            let lo = src.max(0).min(frames);
            let hi = (src + p.length).max(0).min(frames);
            if hi > lo {
                let dst = (p.out_start + (lo - src)) as usize * ch;
                out[dst..dst + (hi - lo) as usize * ch]
                    .copy_from_slice(&pcm[lo as usize * ch..hi as usize * ch]);
            }
        }
    }
    for k in 1..pieces.len() {
        let (prev, nxt) = (&pieces[k - 1], &pieces[k]);
        let h = ((crossfade / 2) as i64)
            .min(prev.length / 2)
            .min(nxt.length / 2);
        if h <= 0 {
            continue;
        }
        let x = nxt.out_start;
        let width = (2 * h) as f64;
        for j in 0..2 * h {
            let n = x - h + j;
            let g = (j as f64 + 0.5) / width;
            for c in 0..ch {
                let a = piece_value(pcm, ch, prev, n, c) as f64;
                let b = piece_value(pcm, ch, nxt, n, c) as f64;
                let v = (a + (b - a) * g).round_ties_even();
                out[n as usize * ch + c] = v.clamp(-2147483648.0, 2147483647.0) as i32;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<i32> {
        crate::testutil::lcg_bits(n, seed)
            .map(|b| (b as i32).wrapping_sub(1 << 30) / 4)
            .collect()
    }

    fn params() -> RefineParams {
        RefineParams {
            window: 800,
            step: 10,
            plateau_tol: 0.02,
            level_window: 160,
            silence_db: -40.0,
        }
    }

    #[test]
    fn finds_a_cut() {
        // reference: 20000 samples; target: the reference minus samples 10000..10500 (a cut of 500)
        let sr = 8000;
        let r = noise(20000, 7);
        let mut t = r[..10000].to_vec();
        t.extend_from_slice(&r[10500..]);
        // delays: before 0 ms, after +62.5 ms (500 samples at 8 kHz)
        let s = refine_splice(&r, &t, sr, 0.0, 62.5, 9000, 11000, &params(), &[], false);
        assert_eq!(s.filled, 500);
        assert_eq!(s.removed, 0);
        assert_eq!(s.position, 10000);
    }

    #[test]
    fn finds_an_insert_and_assembles_the_reference() {
        let sr = 8000;
        let r = noise(20000, 9);
        let extra = noise(400, 3);
        let mut t = r[..8000].to_vec();
        t.extend_from_slice(&extra);
        t.extend_from_slice(&r[8000..]);
        let s = refine_splice(&r, &t, sr, 0.0, -50.0, 7000, 9000, &params(), &[], false);
        assert_eq!(s.removed, 400);
        assert_eq!(s.position, 8000);
        let edl = build_edl(&[0.0, -50.0], std::slice::from_ref(&s), t.len() as i64, sr).unwrap();
        let plan = assembly_plan(&edl, sr, 0.0);
        let out = splice_audio(&t, 1, &plan, 0);
        assert_eq!(out.len(), r.len());
        assert_eq!(out, r);
    }

    #[test]
    fn plan_fills_and_aligns() {
        let edl = vec![
            AudioSegment {
                start_s: 0.0,
                end_s: 1.0,
                delay_ms: 100,
                delay_raw: 100.0,
                drift_rate_ms_s: 0.0,
            },
            AudioSegment {
                start_s: 1.0,
                end_s: 2.0,
                delay_ms: 300,
                delay_raw: 300.0,
                drift_rate_ms_s: 0.0,
            },
        ];
        let plan = assembly_plan(&edl, 1000, 100.0);
        assert_eq!(
            plan,
            vec![
                Piece {
                    out_start: 0,
                    length: 1000,
                    src: Some(0)
                },
                Piece {
                    out_start: 1000,
                    length: 200,
                    src: None
                },
                Piece {
                    out_start: 1200,
                    length: 1000,
                    src: Some(1000)
                },
            ]
        );
    }

    #[test]
    fn crossfade_is_bounded() {
        let pcm: Vec<i32> = (0..200)
            .map(|i| if i < 100 { 1000 } else { -1000 })
            .collect();
        let plan = vec![
            Piece {
                out_start: 0,
                length: 50,
                src: Some(0),
            },
            Piece {
                out_start: 50,
                length: 50,
                src: Some(150),
            },
        ];
        let out = splice_audio(&pcm, 1, &plan, 20);
        let max_jump = out.windows(2).map(|w| (w[1] - w[0]).abs()).max().unwrap();
        assert!(max_jump <= 100, "{max_jump}");
    }
}
