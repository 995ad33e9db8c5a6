//! Bindings for frame math (Phase 6, `crate::frames`). Bad input → `ValueError`.
use crate::frames::{self, FrameGrid, Mode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn mode(name: &str) -> PyResult<Mode> {
    Mode::parse(name).map_err(PyValueError::new_err)
}

#[pyfunction]
#[pyo3(signature = (t_ms, fps, mode_name = "floor"))]
fn frames_time_to_frame(t_ms: f64, fps: f64, mode_name: &str) -> PyResult<i64> {
    frames::time_to_frame(t_ms, fps, mode(mode_name)?).map_err(PyValueError::new_err)
}

#[pyfunction]
#[pyo3(signature = (frame, fps, mode_name = "floor"))]
fn frames_frame_to_time(frame: i64, fps: f64, mode_name: &str) -> PyResult<f64> {
    frames::frame_to_time(frame, fps, mode(mode_name)?).map_err(PyValueError::new_err)
}

#[pyfunction]
fn frames_grid_frame_ms(num: i64, den: i64, frame: i64) -> PyResult<i64> {
    FrameGrid::new(num, den)
        .and_then(|g| g.frame_ms(frame))
        .map_err(PyValueError::new_err)
}

#[pyfunction]
fn frames_grid_frame_of(num: i64, den: i64, t_ms: f64) -> PyResult<i64> {
    FrameGrid::new(num, den)
        .and_then(|g| g.frame_of(t_ms))
        .map_err(PyValueError::new_err)
}

/// dHash of concatenated `w`×`h` grayscale frames → one list of u64 words per frame.
#[pyfunction]
fn frames_dhash(py: Python<'_>, frames: Vec<u8>, w: usize, h: usize) -> PyResult<Vec<Vec<u64>>> {
    py.detach(move || frames::matching::dhash(&frames, w, h))
        .map_err(PyValueError::new_err)
}

/// Mean Hamming distance of the source hashes against the target hashes at every slide.
#[pyfunction]
fn frames_slide_distances(
    py: Python<'_>,
    source: Vec<Vec<u64>>,
    target: Vec<Vec<u64>>,
) -> Vec<f64> {
    py.detach(move || frames::matching::slide_distances(&source, &target))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(frames_time_to_frame, m)?)?;
    m.add_function(wrap_pyfunction!(frames_frame_to_time, m)?)?;
    m.add_function(wrap_pyfunction!(frames_grid_frame_ms, m)?)?;
    m.add_function(wrap_pyfunction!(frames_grid_frame_of, m)?)?;
    m.add_function(wrap_pyfunction!(frames_dhash, m)?)?;
    m.add_function(wrap_pyfunction!(frames_slide_distances, m)?)?;
    Ok(())
}
