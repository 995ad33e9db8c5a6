//! PyO3 bindings: conversion between Python objects and the pure-Rust domain types.
//! Each domain has its own file with a `register` function; nothing here holds logic.

pub mod analysis;
pub mod clip;
pub mod correction;
pub mod frames;
pub mod logging;
pub mod models;
pub mod mux;
pub mod subtitles;

use pyo3::prelude::*;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::register(m)?;
    models::register(m)?;
    analysis::register(m)?;
    mux::register(m)?;
    clip::register(m)?;
    subtitles::register(m)?;
    frames::register(m)?;
    correction::register(m)?;
    Ok(())
}
