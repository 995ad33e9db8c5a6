//! Bindings for the mkvmerge options builder (Phase 8, `crate::mux`).
//!
//! The plan crosses the boundary as JSON: a JSON array of `PlanItem.to_dict()` objects (what
//! `vsg_core.models.PlanItem` writes) plus `Delays.to_json()`; Rust reads them with the Phase 1 record
//! readers, so both backends accept exactly the same plans. Errors: a bad plan or a missing
//! `extracted_path` → `ValueError`; a failed write → `OSError` (`Failed to write mkvmerge options file: …`).
use crate::models::{Delays, JsonRecord};
use crate::mux::{self, MuxSettings};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

#[pyfunction]
#[pyo3(signature = (
    plan_json, delays_json, disable_track_statistics_tags, disable_header_compression,
    apply_dialog_norm_gain, chapters_xml, attachments, output
))]
#[allow(clippy::too_many_arguments)]
fn mux_build_options(
    py: Python<'_>,
    plan_json: String,
    delays_json: String,
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
        let items = mux::parse_plan_json(&plan_json).map_err(|e| e.0)?;
        let delays = Delays::from_json(&delays_json).map_err(|e| format!("delays: {e}"))?;
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
