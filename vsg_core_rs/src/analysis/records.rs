//! Per-chunk correlation record (mirrors `vsg_core.analysis.records.ChunkResult`).

/// One correlated chunk. Sign convention: `delay = t_ref − t_tgt` (docs/analysis.md#sign-convention).
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkResult {
    /// 1-based chunk number in the configured placement.
    pub index: u32,
    /// Chunk start on the reference timeline, seconds.
    pub start_s: f64,
    /// `raw_delay_ms` rounded half to even.
    pub delay_ms: i64,
    /// Sub-sample delay estimate, ms.
    pub raw_delay_ms: f64,
    /// Method confidence / match percentage.
    pub match_pct: f64,
    /// `match_pct >= min_match_pct`.
    pub accepted: bool,
}
