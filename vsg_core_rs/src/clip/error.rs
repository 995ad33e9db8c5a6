//! The one error type of the clip module; every message quotes the text the user gave.
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipErrorKind {
    /// A timestamp that none of the accepted forms matches.
    InvalidTimestamp,
    /// A clip range that does not fit: end before start, past the input's end, empty duration…
    InvalidRange,
    /// A request that cannot be planned (unknown mode, bad CRF…).
    InvalidRequest,
}

impl ClipErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ClipErrorKind::InvalidTimestamp => "invalid_timestamp",
            ClipErrorKind::InvalidRange => "invalid_range",
            ClipErrorKind::InvalidRequest => "invalid_request",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClipError {
    pub kind: ClipErrorKind,
    pub message: String,
}

impl ClipError {
    pub fn new(kind: ClipErrorKind, message: String) -> Self {
        ClipError { kind, message }
    }
}

impl fmt::Display for ClipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ClipError {}
