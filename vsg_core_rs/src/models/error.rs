//! Errors of the Phase 1 records. The PyO3 layer maps `Invalid` to `ValueError` and `MissingSource` to
//! `KeyError`; the messages are the same as the Python reference (`vsg_core/models/validation.py`).
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// Bad data: wrong JSON type, value out of range, broken invariant, unknown/missing key.
    Invalid(String),
    /// `Delays::delay_for` / `raw_delay_for` asked for a source that has no entry.
    MissingSource(String),
}

impl ModelError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ModelError::Invalid(message.into())
    }

    pub fn message(&self) -> &str {
        match self {
            ModelError::Invalid(m) | ModelError::MissingSource(m) => m,
        }
    }

    /// Prefixes the message with the place of a nested record (`"PlanItem.track: Track.id: …"`).
    pub fn within(self, place: &str) -> Self {
        match self {
            ModelError::Invalid(m) => ModelError::Invalid(format!("{place}: {m}")),
            other => other,
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ModelError {}

pub type ModelResult<T> = Result<T, ModelError>;
