//! Helpers for the crate's unit tests only.

/// `n` pseudo-random 31-bit values from a 64-bit linear congruential generator (Knuth's MMIX constants, top
/// bits kept): reproducible test noise without a dependency.
pub(crate) fn lcg_bits(n: usize, seed: u64) -> impl Iterator<Item = u32> {
    let mut s = seed;
    (0..n).map(move |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    })
}
