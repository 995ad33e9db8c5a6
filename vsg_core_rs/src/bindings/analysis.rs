//! Bindings for the analysis engine (Phases 2 and 3).
use pyo3::prelude::*;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_phase2(m)?;
    register_phase3(m)?;
    Ok(())
}

// --- analysis: selection and drift (Phase 3) ---

use crate::analysis::dbscan::dbscan_1d as dbscan_1d_impl;
use crate::analysis::drift::{self as drift_impl, DriftConfig};
use crate::analysis::records::ChunkResult;
use crate::analysis::selection as selection_impl;
use crate::logging::LogBuffer;
use pyo3::types::PyDict;

// --- typed results (what crosses the seam; vsg_core_rs.pyi describes them) ---

/// One target's delay (`vsg_core.analysis.selection.SelectionResult`).
#[pyclass(module = "vsg_core_rs", name = "SelectionResult", frozen, get_all)]
pub struct SelectionResult {
    pub delay_ms: i64,
    pub raw_delay_ms: f64,
    pub mode: String,
    pub label: String,
    pub accepted_count: usize,
    pub lines: Vec<String>,
}

/// One quality check of a cluster: measured value, threshold, passed.
#[pyclass(module = "vsg_core_rs", name = "ClusterCheck", frozen, get_all)]
#[derive(Clone)]
pub struct ClusterCheck {
    pub value: f64,
    pub threshold: f64,
    pub passed: bool,
}

/// One DBSCAN cluster with its validation (`vsg_core.analysis.drift.ClusterInfo`).
#[pyclass(module = "vsg_core_rs", name = "DriftCluster", frozen)]
#[derive(Clone)]
pub struct DriftCluster {
    #[pyo3(get)]
    pub label: i64,
    #[pyo3(get)]
    pub members: Vec<usize>,
    #[pyo3(get)]
    pub chunk_indices: Vec<u32>,
    #[pyo3(get)]
    pub mean_delay_ms: f64,
    #[pyo3(get)]
    pub std_delay_ms: f64,
    #[pyo3(get)]
    pub start_s: f64,
    #[pyo3(get)]
    pub end_s: f64,
    #[pyo3(get)]
    pub duration_s: f64,
    #[pyo3(get)]
    pub percentage: f64,
    #[pyo3(get)]
    pub avg_match_pct: f64,
    #[pyo3(get)]
    pub min_match_pct: f64,
    /// In validation order (chunks, percentage, duration, match).
    pub check_list: Vec<(String, ClusterCheck)>,
    #[pyo3(get)]
    pub passed_checks: usize,
    #[pyo3(get)]
    pub valid: bool,
}

#[pymethods]
impl DriftCluster {
    /// The checks by name, in validation order.
    #[getter]
    fn checks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, ck) in &self.check_list {
            d.set_item(name, ck.clone())?;
        }
        Ok(d)
    }
}

/// A constant-delay stretch of the reference timeline (`vsg_core.analysis.drift.Segment`).
#[pyclass(module = "vsg_core_rs", name = "DriftSegment", frozen, get_all)]
#[derive(Clone)]
pub struct DriftSegment {
    pub start_s: f64,
    pub end_s: f64,
    pub delay_ms: i64,
    pub raw_delay_ms: f64,
    pub cluster_label: i64,
}

/// The diagnosis of one target (`vsg_core.analysis.drift.Diagnosis`, `kind` as its value string).
#[pyclass(module = "vsg_core_rs", name = "DriftDiagnosis", frozen, get_all)]
pub struct DriftDiagnosis {
    pub kind: String,
    pub accepted_count: usize,
    pub drift_ms_per_s: Option<f64>,
    pub intercept_ms: Option<f64>,
    pub r2: Option<f64>,
    pub residual_rms_ms: Option<f64>,
    pub total_drift_ms: Option<f64>,
    pub lossless: bool,
    pub expected_pal_ms_per_s: Option<f64>,
    pub clusters: Vec<DriftCluster>,
    pub segments: Vec<DriftSegment>,
    pub correction_mode: Option<String>,
    pub fallback_mode: Option<String>,
    pub reason: String,
    pub lines: Vec<String>,
    pub outlier_chunks: Vec<u32>,
    pub robust_slope_ms_per_s: Option<f64>,
    pub robust_intercept_ms: Option<f64>,
    pub line_support: usize,
    pub cluster_support: usize,
}

impl From<drift_impl::Diagnosis> for DriftDiagnosis {
    fn from(dg: drift_impl::Diagnosis) -> Self {
        let fit = dg.fit.as_ref();
        let clusters = dg
            .clusters
            .into_iter()
            .map(|c| DriftCluster {
                label: c.label,
                members: c.members,
                chunk_indices: c.chunk_indices,
                mean_delay_ms: c.mean_delay_ms,
                std_delay_ms: c.std_delay_ms,
                start_s: c.start_s,
                end_s: c.end_s,
                duration_s: c.duration_s,
                percentage: c.percentage,
                avg_match_pct: c.avg_match_pct,
                min_match_pct: c.min_match_pct,
                check_list: c
                    .checks
                    .into_iter()
                    .map(|(name, ck)| {
                        let check = ClusterCheck {
                            value: ck.value,
                            threshold: ck.threshold,
                            passed: ck.passed,
                        };
                        (name.to_string(), check)
                    })
                    .collect(),
                passed_checks: c.passed_checks,
                valid: c.valid,
            })
            .collect();
        let segments = dg
            .segments
            .into_iter()
            .map(|s| DriftSegment {
                start_s: s.start_s,
                end_s: s.end_s,
                delay_ms: s.delay_ms,
                raw_delay_ms: s.raw_delay_ms,
                cluster_label: s.cluster_label,
            })
            .collect();
        DriftDiagnosis {
            kind: dg.kind.as_str().to_string(),
            accepted_count: dg.accepted_count,
            drift_ms_per_s: fit.map(|f| f.slope),
            intercept_ms: fit.map(|f| f.intercept),
            r2: fit.and_then(|f| f.r2),
            residual_rms_ms: fit.map(|f| f.residual_rms),
            total_drift_ms: fit.map(|f| f.total_drift_ms),
            lossless: dg.lossless,
            expected_pal_ms_per_s: dg.expected_pal_ms_per_s,
            clusters,
            segments,
            correction_mode: dg.correction_mode,
            fallback_mode: dg.fallback_mode,
            reason: dg.reason,
            lines: dg.lines,
            outlier_chunks: dg.outlier_chunks,
            robust_slope_ms_per_s: dg.robust_line.map(|l| l.0),
            robust_intercept_ms: dg.robust_line.map(|l| l.1),
            line_support: dg.line_support,
            cluster_support: dg.cluster_support,
        }
    }
}

/// Hands log lines made by Rust code to the Python log callback (shared formatter: `crate::logging`).
fn send_lines(lines: &[String], log: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let mut buf = LogBuffer::new();
    for l in lines {
        buf.line(l.clone());
    }
    crate::bindings::logging::flush(&mut buf, log)
}

/// Chunk records from any Python objects with the `ChunkResult` attributes.
fn extract_chunk_records(chunks: &Bound<'_, PyAny>) -> PyResult<Vec<ChunkResult>> {
    let mut out = Vec::new();
    for item in chunks.try_iter()? {
        let c = item?;
        out.push(ChunkResult {
            index: c.getattr("index")?.extract()?,
            start_s: c.getattr("start_s")?.extract()?,
            delay_ms: c.getattr("delay_ms")?.extract()?,
            raw_delay_ms: c.getattr("raw_delay_ms")?.extract()?,
            match_pct: c.getattr("match_pct")?.extract()?,
            accepted: c.getattr("accepted")?.extract()?,
        });
    }
    Ok(out)
}

/// Delay selection (docs/analysis.md#delay-selection) as a typed [`SelectionResult`]; `None` when too few
/// chunks are accepted.
/// With `log`, the log lines are also handed to that callable, one call per line, after the GIL-free work.
#[pyfunction]
#[pyo3(signature = (chunks, mode, first_stable_min_chunks, first_stable_skip_unstable, min_accepted_chunks, source_key, *, log = None))]
#[allow(clippy::too_many_arguments)]
fn select_delay<'py>(
    py: Python<'py>,
    chunks: &Bound<'py, PyAny>,
    mode: &str,
    first_stable_min_chunks: i64,
    first_stable_skip_unstable: bool,
    min_accepted_chunks: i64,
    source_key: &str,
    log: Option<Bound<'py, PyAny>>,
) -> PyResult<Option<SelectionResult>> {
    let records = extract_chunk_records(chunks)?;
    let mode = mode.to_string();
    let key = source_key.to_string();
    let sel = py.detach(|| {
        selection_impl::select_delay(
            &records,
            &mode,
            first_stable_min_chunks,
            first_stable_skip_unstable,
            min_accepted_chunks,
            &key,
        )
    });
    let Some(s) = sel else { return Ok(None) };
    send_lines(&s.lines, log.as_ref())?;
    Ok(Some(SelectionResult {
        delay_ms: s.delay_ms,
        raw_delay_ms: s.raw_delay_ms,
        mode: s.mode.to_string(),
        label: s.label.to_string(),
        accepted_count: s.accepted_count,
        lines: s.lines,
    }))
}

/// DBSCAN labels of 1-D values with scikit-learn semantics (−1 = noise).
#[pyfunction]
#[pyo3(signature = (values, eps, min_samples))]
fn dbscan_1d(py: Python<'_>, values: Vec<f64>, eps: f64, min_samples: usize) -> Vec<i64> {
    py.detach(|| dbscan_1d_impl(&values, eps, min_samples))
}

fn drift_config_from_dict(d: &Bound<'_, PyDict>) -> PyResult<DriftConfig> {
    let mut c = DriftConfig::default();
    macro_rules! take {
        ($field:ident) => {
            if let Some(v) = d.get_item(stringify!($field))? {
                c.$field = v.extract()?;
            }
        };
    }
    take!(eps_ms);
    take!(min_samples);
    take!(r2_threshold_lossy);
    take!(r2_threshold_lossless);
    take!(slope_threshold_lossy);
    take!(slope_threshold_lossless);
    take!(stepping_correction_mode);
    take!(stepping_quality_mode);
    take!(custom_min_chunks_per_cluster);
    take!(custom_min_cluster_pct);
    take!(custom_min_cluster_duration_s);
    take!(custom_min_match_quality_pct);
    take!(custom_min_total_clusters);
    take!(stepping_filtered_fallback);
    take!(diagnostics_verbose);
    take!(min_accepted_chunks);
    take!(chunk_duration_s);
    Ok(c)
}

/// Drift / stepping diagnosis (docs/analysis.md#drift-and-stepping) as a typed [`DriftDiagnosis`]; the analysis
/// engine (`vsg_core/analysis/engine.py`) turns it into `vsg_core.analysis.drift.Diagnosis`.
/// With `log`, the log lines are also handed to that callable, one call per line.
#[pyfunction]
#[pyo3(signature = (chunks, config, ref_fps, target_fps, codec_id, ref_duration_s, *, log = None))]
#[allow(clippy::too_many_arguments)]
fn diagnose_drift<'py>(
    py: Python<'py>,
    chunks: &Bound<'py, PyAny>,
    config: &Bound<'py, PyDict>,
    ref_fps: Option<f64>,
    target_fps: Option<f64>,
    codec_id: &str,
    ref_duration_s: Option<f64>,
    log: Option<Bound<'py, PyAny>>,
) -> PyResult<DriftDiagnosis> {
    let records = extract_chunk_records(chunks)?;
    let cfg = drift_config_from_dict(config)?;
    let codec = codec_id.to_string();
    let dg = py.detach(|| {
        drift_impl::diagnose(&records, &cfg, ref_fps, target_fps, &codec, ref_duration_s)
    });
    send_lines(&dg.lines, log.as_ref())?;
    Ok(DriftDiagnosis::from(dg))
}

/// Registers the Phase 3 functions (called from `register`).
fn register_phase3(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SelectionResult>()?;
    m.add_class::<ClusterCheck>()?;
    m.add_class::<DriftCluster>()?;
    m.add_class::<DriftSegment>()?;
    m.add_class::<DriftDiagnosis>()?;
    m.add_function(wrap_pyfunction!(select_delay, m)?)?;
    m.add_function(wrap_pyfunction!(dbscan_1d, m)?)?;
    m.add_function(wrap_pyfunction!(diagnose_drift, m)?)?;
    Ok(())
}

// --- analysis: correlation (Phase 2) ---

use crate::analysis::chunks as chunks_impl;
use crate::analysis::coarse as coarse_impl;
use crate::analysis::confidence as confidence_impl;
use crate::analysis::correlation::{self as correlation_impl, Method, Params};
use numpy::{PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;

/// Per-chunk lags of one FFT method: `[(lag, raw_lag, confidence), …]` in input order.
///
/// `refs[i]` (float32, length L) against `targets[i]` (length L, or L + 2M for a window ±M); the arrays
/// are read in place (no copies), chunks run in parallel (rayon) with the GIL released; float64 maths.
#[pyfunction]
#[pyo3(signature = (refs, targets, method, *, vsg = true, exact_fft_length = false, peak_fit = true,
                    mask_db = Some(60.0), smooth_hz = 20.0, taper = 0.1, pearson_scc = true,
                    stable_confidence = true, distinct_confidence = true, silence_db = -60.0))]
#[allow(clippy::too_many_arguments)]
fn correlate_chunks(
    py: Python<'_>,
    refs: Vec<PyReadonlyArray1<'_, f32>>,
    targets: Vec<PyReadonlyArray1<'_, f32>>,
    method: &str,
    vsg: bool,
    exact_fft_length: bool,
    peak_fit: bool,
    mask_db: Option<f64>,
    smooth_hz: f64,
    taper: f64,
    pearson_scc: bool,
    stable_confidence: bool,
    distinct_confidence: bool,
    silence_db: f64,
) -> PyResult<Vec<(i64, f64, f64)>> {
    let m = Method::parse(method).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown FFT correlation method {method:?}: use scc, gcc_phat, gcc_scot or gcc_whiten"
        ))
    })?;
    let params = Params {
        vsg,
        exact_fft_length,
        peak_fit,
        mask_db,
        smooth_hz,
        taper,
        pearson_scc,
        stable_confidence,
        distinct_confidence,
        silence_db,
    };
    let r: Vec<&[f32]> = refs
        .iter()
        .map(|a| {
            a.as_slice().map_err(|_| {
                PyValueError::new_err("reference chunks must be contiguous float32 arrays")
            })
        })
        .collect::<PyResult<_>>()?;
    let t: Vec<&[f32]> = targets
        .iter()
        .map(|a| {
            a.as_slice().map_err(|_| {
                PyValueError::new_err("target windows must be contiguous float32 arrays")
            })
        })
        .collect::<PyResult<_>>()?;
    let out = py
        .detach(|| correlation_impl::correlate_chunks(&r, &t, m, &params))
        .map_err(PyValueError::new_err)?;
    Ok(out
        .into_iter()
        .map(|x| (x.lag, x.raw_lag, x.confidence))
        .collect())
}

/// In-bounds chunks (docs/analysis.md#chunk-placement): `[(index, start_s, start, length), …]`.
#[pyfunction]
#[pyo3(signature = (n_ref, n_tgt, count, duration_s, start_pct, end_pct))]
fn place_chunks(
    n_ref: u64,
    n_tgt: u64,
    count: i64,
    duration_s: f64,
    start_pct: f64,
    end_pct: f64,
) -> Vec<(u32, f64, i64, i64)> {
    chunks_impl::place_chunks(n_ref, n_tgt, count, duration_s, start_pct, end_pct)
        .into_iter()
        .map(|c| (c.index, c.start_s, c.start, c.length))
        .collect()
}

/// Peak-normalised confidence (docs/analysis.md#confidence) of magnitudes `a` at index `k`.
#[pyfunction]
#[pyo3(signature = (a, k))]
fn peak_confidence(a: PyReadonlyArray1<'_, f64>, k: usize) -> PyResult<f64> {
    let v = a
        .as_slice()
        .map_err(|_| PyValueError::new_err("a must be a contiguous float64 array"))?;
    if k >= a.len() {
        return Err(PyValueError::new_err(format!(
            "peak index {k} out of range for {} values",
            v.len()
        )));
    }
    Ok(confidence_impl::peak_confidence(v, k))
}

/// Smallest 2^a·3^b·5^c ≥ n (the FFT length vsg uses).
#[pyfunction]
#[pyo3(signature = (n))]
fn fast_len(n: usize) -> usize {
    correlation_impl::fast_len(n)
}

/// Reach (docs/reach.md): position and distinct-peak score of every chunk inside one span of the other
/// release, chunk `i` starting within `ranges[i]` (inclusive); `[(position, confidence), …]`.
/// The arrays are read in place, the span's FFT is shared by all chunks, GIL released.
#[pyfunction]
#[pyo3(signature = (span, chunks, ranges, lobe, rate, smooth_hz, mask_db, taper, silence_db))]
#[allow(clippy::too_many_arguments)]
fn coarse_search(
    py: Python<'_>,
    span: PyReadonlyArray1<'_, f32>,
    chunks: Vec<PyReadonlyArray1<'_, f32>>,
    ranges: Vec<(usize, usize)>,
    lobe: usize,
    rate: f64,
    smooth_hz: f64,
    mask_db: f64,
    taper: f64,
    silence_db: f64,
) -> PyResult<Vec<(usize, f64)>> {
    let s = span
        .as_slice()
        .map_err(|_| PyValueError::new_err("the span must be a contiguous float32 array"))?;
    let c: Vec<&[f32]> = chunks
        .iter()
        .map(|a| {
            a.as_slice()
                .map_err(|_| PyValueError::new_err("chunks must be contiguous float32 arrays"))
        })
        .collect::<PyResult<_>>()?;
    let p = coarse_impl::CoarseParams {
        lobe,
        rate,
        smooth_hz,
        mask_db,
        taper,
        silence_db,
    };
    let out = py
        .detach(|| coarse_impl::coarse_search(s, &c, &ranges, &p))
        .map_err(PyValueError::new_err)?;
    Ok(out
        .into_iter()
        .map(|h| (h.position, h.confidence))
        .collect())
}

/// Registers the Phase 2 functions (called from `register`).
fn register_phase2(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(coarse_search, m)?)?;
    m.add_function(wrap_pyfunction!(correlate_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(place_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(peak_confidence, m)?)?;
    m.add_function(wrap_pyfunction!(fast_len, m)?)?;
    Ok(())
}
