//! Lossless subtitle core (Phase 5): ASS/SSA, SRT and WebVTT documents that write an unmodified file back
//! byte for byte, and the timing/style operations vsg applies to them.
//!
//! Port of `vsg_core/subtitles/{textcodec,times,document,ops}.py` (the reference); behaviour is described
//! in docs/subtitles.md. tests/parity/test_phase5_subtitles.py checks that both give the same bytes, events
//! and error messages.

pub mod document;
pub mod ops;
pub mod textcodec;
pub mod times;

pub use document::{Document, Event, Format};

/// A file that cannot be read or written; the message names the line or the problem (same text as the
/// Python reference).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtitleError(pub String);

impl std::fmt::Display for SubtitleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SubtitleError {}

pub type Result<T> = std::result::Result<T, SubtitleError>;

pub(crate) fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(SubtitleError(msg.into()))
}

/// Spaces and tabs: the only characters trimmed around fields and times.
pub(crate) fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

pub(crate) fn trim_ws(s: &str) -> &str {
    s.trim_matches(is_ws)
}
