//! Bindings for the shared log formats and the log callback used by Rust compute functions.
use crate::logging::{self, LogBuffer, LogLevel};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn parse_level(level: &str) -> PyResult<LogLevel> {
    LogLevel::parse(level).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown log level {level:?}: use one of error, warning, info, debug, fatal, !"
        ))
    })
}

/// Hands buffered lines to a Python callable (one call per line). Used after GIL-free work.
pub fn flush(buffer: &mut LogBuffer, callback: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let lines = buffer.take();
    if let Some(cb) = callback {
        for line in lines {
            cb.call1((line,))?;
        }
    }
    Ok(())
}

#[pyfunction]
fn format_log_message(level: &str, msg: &str) -> PyResult<String> {
    Ok(logging::format_log_message(parse_level(level)?, msg))
}

#[pyfunction]
fn timestamp_prefix(hours: u32, minutes: u32, seconds: u32, msg: &str) -> String {
    logging::timestamp_prefix(hours, minutes, seconds, msg)
}

#[pyfunction]
fn section(name: &str) -> String {
    logging::section(name)
}

#[pyfunction]
fn progress_line(percent: f64) -> String {
    logging::progress_line(percent)
}

#[pyfunction]
#[pyo3(signature = (stream, text, lines))]
fn tail_block(stream: &str, text: &str, lines: usize) -> Option<String> {
    logging::tail_block(stream, text, lines)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(format_log_message, m)?)?;
    m.add_function(wrap_pyfunction!(timestamp_prefix, m)?)?;
    m.add_function(wrap_pyfunction!(section, m)?)?;
    m.add_function(wrap_pyfunction!(progress_line, m)?)?;
    m.add_function(wrap_pyfunction!(tail_block, m)?)?;
    Ok(())
}
