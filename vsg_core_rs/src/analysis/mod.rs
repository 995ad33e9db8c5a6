//! Phases 2 and 3: correlation, delay selection and drift diagnosis.

pub mod records;
