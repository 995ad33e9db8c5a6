//! Bindings for audio correction (Phase 4): stepping boundary search, EDL, assembly plan, splicing.
//! PCM arrives as numpy int32 arrays read in place; the heavy work runs with the GIL released.
use crate::correction::stepping::{self as st, Piece, RefineParams};
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// One EDL entry on the target timeline (`vsg_core.correction.stepping.AudioSegment`).
#[pyclass(
    module = "vsg_core_rs",
    name = "AudioSegment",
    frozen,
    get_all,
    from_py_object
)]
#[derive(Clone)]
pub struct PyAudioSegment {
    pub start_s: f64,
    pub end_s: f64,
    pub delay_ms: i32,
    pub delay_raw: f64,
    pub drift_rate_ms_s: f64,
}

#[pymethods]
impl PyAudioSegment {
    #[new]
    #[pyo3(signature = (start_s, end_s, delay_ms, delay_raw, drift_rate_ms_s = 0.0))]
    fn new(start_s: f64, end_s: f64, delay_ms: i32, delay_raw: f64, drift_rate_ms_s: f64) -> Self {
        PyAudioSegment {
            start_s,
            end_s,
            delay_ms,
            delay_raw,
            drift_rate_ms_s,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "AudioSegment(start_s={}, end_s={}, delay_ms={}, delay_raw={}, drift_rate_ms_s={})",
            self.start_s, self.end_s, self.delay_ms, self.delay_raw, self.drift_rate_ms_s
        )
    }
}

impl From<&PyAudioSegment> for st::AudioSegment {
    fn from(s: &PyAudioSegment) -> Self {
        st::AudioSegment {
            start_s: s.start_s,
            end_s: s.end_s,
            delay_ms: s.delay_ms,
            delay_raw: s.delay_raw,
            drift_rate_ms_s: s.drift_rate_ms_s,
        }
    }
}

impl From<st::AudioSegment> for PyAudioSegment {
    fn from(s: st::AudioSegment) -> Self {
        PyAudioSegment {
            start_s: s.start_s,
            end_s: s.end_s,
            delay_ms: s.delay_ms,
            delay_raw: s.delay_raw,
            drift_rate_ms_s: s.drift_rate_ms_s,
        }
    }
}

/// Boundary search + snapping result for one delay change (`vsg_core.correction.stepping.Splice`).
#[pyclass(
    module = "vsg_core_rs",
    name = "Splice",
    frozen,
    get_all,
    from_py_object
)]
#[derive(Clone)]
pub struct PySplice {
    pub delay_before: f64,
    pub delay_after: f64,
    pub removed: i64,
    pub filled: i64,
    pub best: i64,
    pub score: f64,
    pub plateau_lo: i64,
    pub plateau_hi: i64,
    pub position: i64,
    pub snap: String,
}

#[pymethods]
impl PySplice {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        delay_before: f64,
        delay_after: f64,
        removed: i64,
        filled: i64,
        best: i64,
        score: f64,
        plateau_lo: i64,
        plateau_hi: i64,
        position: i64,
        snap: String,
    ) -> Self {
        PySplice {
            delay_before,
            delay_after,
            removed,
            filled,
            best,
            score,
            plateau_lo,
            plateau_hi,
            position,
            snap,
        }
    }
}

impl From<st::Splice> for PySplice {
    fn from(s: st::Splice) -> Self {
        PySplice {
            delay_before: s.delay_before,
            delay_after: s.delay_after,
            removed: s.removed,
            filled: s.filled,
            best: s.best,
            score: s.score,
            plateau_lo: s.plateau_lo,
            plateau_hi: s.plateau_hi,
            position: s.position,
            snap: s.snap.to_string(),
        }
    }
}

fn contiguous<'a, T: numpy::Element>(
    a: &'a PyReadonlyArray1<'_, T>,
    what: &str,
) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{what} must be a contiguous 1-D array")))
}

/// Boundary search and snapping of one splice in target samples `[lo, hi]`.
#[pyfunction]
#[pyo3(signature = (reference, target, sr, delay_before, delay_after, lo, hi, window, step, plateau_tol,
                    level_window, silence_db, zones, snap))]
#[allow(clippy::too_many_arguments)]
fn stepping_refine_splice(
    py: Python<'_>,
    reference: PyReadonlyArray1<'_, i32>,
    target: PyReadonlyArray1<'_, i32>,
    sr: u32,
    delay_before: f64,
    delay_after: f64,
    lo: i64,
    hi: i64,
    window: usize,
    step: usize,
    plateau_tol: f64,
    level_window: usize,
    silence_db: f64,
    zones: Vec<(i64, i64)>,
    snap: bool,
) -> PyResult<PySplice> {
    if window == 0 || step == 0 || level_window == 0 || sr == 0 {
        return Err(PyValueError::new_err(
            "window, step, level_window and sr must be positive",
        ));
    }
    let r = contiguous(&reference, "reference")?;
    let t = contiguous(&target, "target")?;
    let params = RefineParams {
        window,
        step,
        plateau_tol,
        level_window,
        silence_db,
    };
    let s = py.detach(|| {
        st::refine_splice(
            r,
            t,
            sr,
            delay_before,
            delay_after,
            lo,
            hi,
            &params,
            &zones,
            snap,
        )
    });
    Ok(s.into())
}

/// EDL on the target timeline from the segment delays and the chosen splices.
#[pyfunction]
#[pyo3(signature = (delays_raw, splices, n_target, sr))]
fn stepping_build_edl(
    delays_raw: Vec<f64>,
    splices: Vec<PySplice>,
    n_target: i64,
    sr: u32,
) -> PyResult<Vec<PyAudioSegment>> {
    let sp: Vec<st::Splice> = splices
        .iter()
        .map(|s| st::Splice {
            delay_before: s.delay_before,
            delay_after: s.delay_after,
            removed: s.removed,
            filled: s.filled,
            best: s.best,
            score: s.score,
            plateau_lo: s.plateau_lo,
            plateau_hi: s.plateau_hi,
            position: s.position,
            snap: "none",
        })
        .collect();
    st::build_edl(&delays_raw, &sp, n_target, sr)
        .map(|v| v.into_iter().map(PyAudioSegment::from).collect())
        .map_err(PyValueError::new_err)
}

/// Assembly plan: `[(out_start, length, src or None), …]` on the output timeline.
#[pyfunction]
#[pyo3(signature = (edl, sr, align_ms))]
fn stepping_assembly_plan(
    edl: Vec<PyAudioSegment>,
    sr: u32,
    align_ms: f64,
) -> Vec<(i64, i64, Option<i64>)> {
    let segs: Vec<st::AudioSegment> = edl.iter().map(st::AudioSegment::from).collect();
    st::assembly_plan(&segs, sr, align_ms)
        .into_iter()
        .map(|p| (p.out_start, p.length, p.src))
        .collect()
}

/// Assemble int32 PCM (frames × channels, C-contiguous) along the plan with linear crossfades.
#[pyfunction]
#[pyo3(signature = (pcm, pieces, crossfade))]
fn stepping_splice_audio<'py>(
    py: Python<'py>,
    pcm: PyReadonlyArray2<'py, i32>,
    pieces: Vec<(i64, i64, Option<i64>)>,
    crossfade: usize,
) -> PyResult<Bound<'py, PyArray2<i32>>> {
    let ch = pcm.shape()[1];
    let data = pcm
        .as_slice()
        .map_err(|_| PyValueError::new_err("pcm must be a C-contiguous frames × channels array"))?;
    let plan: Vec<Piece> = pieces
        .iter()
        .map(|&(out_start, length, src)| Piece {
            out_start,
            length,
            src,
        })
        .collect();
    let out = py.detach(|| st::splice_audio(data, ch, &plan, crossfade));
    let frames = out.len() / ch.max(1);
    PyArray1::from_vec(py, out).reshape([frames, ch.max(1)])
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAudioSegment>()?;
    m.add_class::<PySplice>()?;
    m.add_function(wrap_pyfunction!(stepping_refine_splice, m)?)?;
    m.add_function(wrap_pyfunction!(stepping_build_edl, m)?)?;
    m.add_function(wrap_pyfunction!(stepping_assembly_plan, m)?)?;
    m.add_function(wrap_pyfunction!(stepping_splice_audio, m)?)?;
    Ok(())
}
