//! Chunk placement (docs/analysis.md#chunk-placement). Mirrors `vsg_core/analysis/chunks.py`.

/// Analysis sample rate (docs/analysis.md#decoding).
pub const SR: u32 = 48_000;

/// One in-bounds chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// 1-based number in the configured placement.
    pub index: u32,
    /// t_i, seconds on the reference timeline.
    pub start_s: f64,
    /// a = round(t_i · SR) (half to even).
    pub start: i64,
    /// L = round(Dc · SR) (half to even).
    pub length: i64,
}

/// Chunk start times t_i in seconds (docs/analysis.md#chunk-placement), skipped chunks included.
pub fn chunk_starts(
    n_ref: u64,
    count: i64,
    duration_s: f64,
    start_pct: f64,
    end_pct: f64,
) -> Vec<f64> {
    let (mut p0, mut p1) = (start_pct, end_pct);
    if !(0.0 <= p0 && p0 < p1 && p1 <= 100.0) {
        p0 = 5.0;
        p1 = 95.0;
    }
    let dur = n_ref as f64 / SR as f64;
    let s0 = dur * p0 / 100.0;
    let s1 = dur * p1 / 100.0;
    let range = ((s1 - s0) - duration_s).max(0.0);
    let denom = (count - 1).max(1) as f64;
    (0..count.max(0))
        .map(|i| s0 + (range / denom) * i as f64)
        .collect()
}

/// In-bounds chunks (docs/analysis.md#chunk-placement): `a + L` must not exceed `n_ref` nor `n_tgt`.
pub fn place_chunks(
    n_ref: u64,
    n_tgt: u64,
    count: i64,
    duration_s: f64,
    start_pct: f64,
    end_pct: f64,
) -> Vec<Chunk> {
    let length = (duration_s * SR as f64).round_ties_even() as i64;
    chunk_starts(n_ref, count, duration_s, start_pct, end_pct)
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let a = (t * SR as f64).round_ties_even() as i64;
            let end = a + length;
            if end > n_ref as i64 || end > n_tgt as i64 {
                None
            } else {
                Some(Chunk {
                    index: i as u32 + 1,
                    start_s: t,
                    start: a,
                    length,
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn spec_worked_example_24_minutes() {
        // worked example of docs/analysis.md#chunk-placement: dur = 1440 s → starts 72.0, 214.3, …, 1353.0; L = 720 000
        let n = 1440 * SR as u64;
        let c = place_chunks(n, n, 10, 15.0, 5.0, 95.0);
        assert_eq!(c.len(), 10);
        assert_relative_eq!(c[0].start_s, 72.0);
        assert_relative_eq!(c[1].start_s, 72.0 + 1281.0 / 9.0, epsilon = 1e-9);
        assert_relative_eq!(c[9].start_s, 1353.0, epsilon = 1e-9);
        assert_eq!(c[9].start + c[9].length, 1368 * SR as i64);
        assert!(c.iter().all(|x| x.length == 720_000));
        assert_eq!(
            c.iter().map(|x| x.index).collect::<Vec<_>>(),
            (1..=10).collect::<Vec<_>>()
        );
    }

    #[test]
    fn single_chunk_and_zero_range() {
        let n = 100 * SR as u64;
        let c = place_chunks(n, n, 1, 15.0, 5.0, 95.0);
        assert_eq!(c.len(), 1);
        assert_relative_eq!(c[0].start_s, 5.0);
        // range = 0: every chunk at s0 (duplicates kept)
        let c = place_chunks(20 * SR as u64, 20 * SR as u64, 3, 30.0, 5.0, 95.0);
        assert!(c.is_empty()); // 1 s + 30 s > 20 s: all out of bounds
        let c = place_chunks(40 * SR as u64, 40 * SR as u64, 3, 37.0, 5.0, 95.0);
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|x| x.start_s == 2.0));
    }

    #[test]
    fn invalid_percentages_fall_back_and_short_target_skips() {
        let n = 1000 * SR as u64;
        let a = chunk_starts(n, 5, 15.0, 95.0, 5.0);
        let b = chunk_starts(n, 5, 15.0, 5.0, 95.0);
        assert_eq!(a, b);
        // a target shorter than the reference drops the late chunks but keeps the numbers
        let c = place_chunks(n, 500 * SR as u64, 10, 15.0, 5.0, 95.0);
        assert!(c.len() < 10);
        assert_eq!(c[0].index, 1);
        assert!(c.iter().all(|x| x.start + x.length <= 500 * SR as i64));
    }

    #[test]
    fn rounding_is_half_to_even() {
        // (k/48000)·48000 is exactly 1.5 and 2.5 in f64: both round to 2
        let c = place_chunks(SR as u64, SR as u64, 1, 1.5 / SR as f64, 0.0, 100.0);
        assert_eq!(c[0].length, 2);
        let c = place_chunks(SR as u64, SR as u64, 1, 2.5 / SR as f64, 0.0, 100.0);
        assert_eq!(c[0].length, 2);
    }
}
