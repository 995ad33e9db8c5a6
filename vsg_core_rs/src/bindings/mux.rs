//! Bindings for the mkvmerge options builder (Phase 8, `crate::mux`).
//!
//! The plan crosses the boundary as the Phase 1 objects themselves (`PlanItem`, `Delays`), built by
//! `vsg_core.mux.engine`. Errors: an item without a file → `ValueError`; a failed write → `OSError`
//! (`Failed to write mkvmerge options file: …`).
use crate::models::{Delays, PlanItem};
use crate::mux::{self, MuxSettings};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

#[pyfunction]
#[pyo3(signature = (
    items, delays, disable_track_statistics_tags, disable_header_compression,
    apply_dialog_norm_gain, chapters_xml, attachments, output
))]
#[allow(clippy::too_many_arguments)]
fn mux_build_options(
    py: Python<'_>,
    items: Vec<PlanItem>,
    delays: Delays,
    disable_track_statistics_tags: bool,
    disable_header_compression: bool,
    apply_dialog_norm_gain: bool,
    chapters_xml: Option<String>,
    attachments: Vec<String>,
    output: Option<String>,
) -> PyResult<Vec<String>> {
    let settings = MuxSettings {
        disable_track_statistics_tags,
        disable_header_compression,
        apply_dialog_norm_gain,
    };
    py.detach(move || {
        mux::build_options(
            &items,
            &delays,
            &settings,
            chapters_xml.as_deref(),
            &attachments,
            output.as_deref(),
        )
        .map_err(|e| e.0)
    })
    .map_err(PyValueError::new_err)
}

#[pyfunction]
fn mux_serialise_options(tokens: Vec<String>) -> String {
    mux::serialise_options(&tokens)
}

#[pyfunction]
fn mux_write_options_file(py: Python<'_>, tokens: Vec<String>, path: PathBuf) -> PyResult<()> {
    py.detach(move || mux::write_options_file(&tokens, &path))
        .map_err(PyOSError::new_err)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mux_build_options, m)?)?;
    m.add_function(wrap_pyfunction!(mux_serialise_options, m)?)?;
    m.add_function(wrap_pyfunction!(mux_write_options_file, m)?)?;
    Ok(())
}
