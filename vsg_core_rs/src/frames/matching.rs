//! Perceptual frame hashes and the sliding window match used by the `video-verified` subtitle mode
//! (reference: `vsg_core/frames/video_match.py`).
//!
//! dHash: each frame is a `w`×`h` 8-bit grayscale image (ffmpeg already scaled it); bit (r, c) is set when
//! pixel (r, c + 1) is brighter than pixel (r, c), row-major, packed little-end first into u64 words.

/// dHash of every frame in `frames` (concatenated `w·h` byte images).
pub fn dhash(frames: &[u8], w: usize, h: usize) -> Result<Vec<Vec<u64>>, String> {
    if w < 2 || h < 1 {
        return Err(format!("frame size must be at least 2x1, got {w}x{h}"));
    }
    let size = w * h;
    if frames.len() % size != 0 {
        return Err(format!(
            "{} bytes is not a whole number of {w}x{h} frames",
            frames.len()
        ));
    }
    let bits = h * (w - 1);
    let words = bits.div_ceil(64);
    Ok(frames
        .chunks_exact(size)
        .map(|f| {
            let mut out = vec![0u64; words];
            let mut k = 0usize;
            for r in 0..h {
                let row = &f[r * w..(r + 1) * w];
                for c in 0..w - 1 {
                    if row[c + 1] > row[c] {
                        out[k / 64] |= 1u64 << (k % 64);
                    }
                    k += 1;
                }
            }
            out
        })
        .collect())
}

fn distance(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Mean Hamming distance of the source window against the target at every slide
/// (`target.len() − source.len() + 1` values; empty when the target is shorter).
pub fn slide_distances(source: &[Vec<u64>], target: &[Vec<u64>]) -> Vec<f64> {
    if source.is_empty() || target.len() < source.len() {
        return Vec::new();
    }
    (0..=target.len() - source.len())
        .map(|s| {
            let total: u64 = source
                .iter()
                .zip(&target[s..])
                .map(|(a, b)| distance(a, b) as u64)
                .sum();
            total as f64 / source.len() as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dhash_bits_and_slide() {
        let frames = [1u8, 2, 0, 5, 5, 5];
        let h = dhash(&frames, 3, 1).unwrap();
        assert_eq!(h, vec![vec![0b01], vec![0b00]]);
        let src = vec![vec![1u64], vec![2u64]];
        let tgt = vec![vec![0u64], vec![1u64], vec![2u64], vec![3u64]];
        assert_eq!(slide_distances(&src, &tgt), vec![1.5, 0.0, 1.5]);
        assert!(dhash(&frames, 4, 1).is_err());
    }
}
