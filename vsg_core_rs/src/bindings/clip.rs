//! Bindings for `vsg clip` (`crate::clip`): timestamps, ranges, plans and `-progress` fractions.
//!
//! Every clip error (bad timestamp, range or request) is a `ValueError` carrying the Rust message, which
//! quotes the user's text; `vsg_core.clip.engine` turns it into `ClipError`.
use crate::clip::{self, ClipMode, ClipRange as CoreRange, ClipRequest, EncodeSettings, TimeForm};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn value_err(e: clip::ClipError) -> PyErr {
    PyValueError::new_err(e.message)
}

fn form_of(name: &str) -> PyResult<TimeForm> {
    TimeForm::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown timestamp form '{name}'; use one of hms, ms, seconds, human, iso"
        ))
    })
}

/// A parsed timestamp: whole milliseconds and the form it was written in.
#[pyclass(module = "vsg_core_rs", name = "ClipTimestamp", frozen, eq, get_all)]
#[derive(PartialEq)]
pub struct PyClipTimestamp {
    ms: u64,
    form: String,
}

#[pymethods]
impl PyClipTimestamp {
    fn __repr__(&self) -> String {
        format!("ClipTimestamp(ms={}, form='{}')", self.ms, self.form)
    }
}

/// A validated clip range in milliseconds.
#[pyclass(module = "vsg_core_rs", name = "ClipRange", frozen, eq, get_all)]
#[derive(PartialEq)]
pub struct PyClipRange {
    start_ms: u64,
    end_ms: u64,
    duration_ms: u64,
}

#[pymethods]
impl PyClipRange {
    fn __repr__(&self) -> String {
        format!(
            "ClipRange(start_ms={}, end_ms={}, duration_ms={})",
            self.start_ms, self.end_ms, self.duration_ms
        )
    }
}

/// The output path and ffmpeg arguments (last one = output path) of one clip.
#[pyclass(module = "vsg_core_rs", name = "ClipPlan", frozen, eq, get_all)]
#[derive(PartialEq)]
pub struct PyClipPlan {
    output: String,
    args: Vec<String>,
    start_ms: u64,
    end_ms: u64,
    mode: String,
}

#[pymethods]
impl PyClipPlan {
    fn __repr__(&self) -> String {
        format!(
            "ClipPlan(output='{}', mode='{}', start_ms={}, end_ms={})",
            self.output, self.mode, self.start_ms, self.end_ms
        )
    }
}

#[pyfunction]
fn clip_parse_timestamp(text: &str) -> PyResult<PyClipTimestamp> {
    let t = clip::parse_timestamp(text).map_err(value_err)?;
    Ok(PyClipTimestamp {
        ms: t.ms,
        form: t.form.name().to_string(),
    })
}

#[pyfunction]
fn clip_format_timestamp(ms: u64, form: &str) -> PyResult<String> {
    Ok(clip::format_timestamp(ms, form_of(form)?))
}

#[pyfunction]
#[pyo3(signature = (start, end, duration, media_duration_ms))]
fn clip_resolve_range(
    start: &str,
    end: Option<&str>,
    duration: Option<&str>,
    media_duration_ms: Option<u64>,
) -> PyResult<PyClipRange> {
    let r = clip::resolve_range(start, end, duration, media_duration_ms).map_err(value_err)?;
    Ok(PyClipRange {
        start_ms: r.start_ms,
        end_ms: r.end_ms,
        duration_ms: r.duration_ms(),
    })
}

#[pyfunction]
fn clip_output_name(input: &str, start_ms: u64, end_ms: u64, taken: Vec<String>) -> String {
    clip::output_name(input, &CoreRange { start_ms, end_ms }, &taken)
}

#[pyfunction]
#[pyo3(signature = (
    input, output, output_dir, start_ms, end_ms, mode, video_codec, audio_codec, preset, crf,
    max_file_size, taken
))]
#[allow(clippy::too_many_arguments)]
fn clip_plan(
    input: String,
    output: Option<String>,
    output_dir: String,
    start_ms: u64,
    end_ms: u64,
    mode: &str,
    video_codec: String,
    audio_codec: String,
    preset: String,
    crf: u32,
    max_file_size: u64,
    taken: Vec<String>,
) -> PyResult<PyClipPlan> {
    let mode = ClipMode::from_name(mode).ok_or_else(|| {
        PyValueError::new_err(format!("unknown clip mode '{mode}'; use copy or accurate"))
    })?;
    let req = ClipRequest {
        input,
        output,
        output_dir,
        range: CoreRange { start_ms, end_ms },
        mode,
        settings: EncodeSettings {
            video_codec,
            audio_codec,
            preset,
            crf,
            max_file_size,
        },
        taken,
    };
    let p = clip::plan_clip(&req).map_err(value_err)?;
    Ok(PyClipPlan {
        output: p.output,
        args: p.args,
        start_ms: p.start_ms,
        end_ms: p.end_ms,
        mode: p.mode.name().to_string(),
    })
}

#[pyfunction]
fn clip_progress_fraction(text: &str, duration_ms: u64) -> Option<f64> {
    clip::progress_fraction(text, duration_ms)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClipTimestamp>()?;
    m.add_class::<PyClipRange>()?;
    m.add_class::<PyClipPlan>()?;
    m.add_function(wrap_pyfunction!(clip_parse_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(clip_format_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(clip_resolve_range, m)?)?;
    m.add_function(wrap_pyfunction!(clip_output_name, m)?)?;
    m.add_function(wrap_pyfunction!(clip_plan, m)?)?;
    m.add_function(wrap_pyfunction!(clip_progress_fraction, m)?)?;
    Ok(())
}
