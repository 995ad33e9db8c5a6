//! Phases 2 and 3: correlation, delay selection and drift diagnosis.

pub mod chunks;
pub mod coarse;
pub mod confidence;
pub mod correlation;
pub mod dbscan;
pub mod drift;
pub mod records;
pub mod selection;
