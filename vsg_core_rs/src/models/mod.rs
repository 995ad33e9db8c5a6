//! Phase 1: core data types shared with the Python reference (`vsg_core.models`).
//!
//! Enumerations with fixed value strings, the immutable media records (StreamProps, Track, Attachment),
//! the validated immutable `Delays` and the mutable `PlanItem`. Every record reads and writes the same JSON
//! as the Python reference and rejects the same bad data with the same messages
//! (tests/parity/test_phase1_models.py). The types carry `#[pyclass]`; their Python methods live in
//! `bindings/models.rs`.

pub mod enums;
pub mod error;
pub mod jobs;
pub mod json;
pub mod media;

pub use enums::{AnalysisMode, CorrectionVerdict, DiagnosisKind, SnapMode, StepStatus, TrackType};
pub use error::{ModelError, ModelResult};
pub use jobs::{Delays, PlanItem, StyleFilterMode};
pub use json::{JsonRecord, MAX_DELAY_MS};
pub use media::{Attachment, StreamProps, Track};
