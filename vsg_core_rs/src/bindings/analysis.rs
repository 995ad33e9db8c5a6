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
use pyo3::types::{PyDict, PyList};

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

/// Delay selection (spec §10); `None` when too few chunks are accepted.
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
) -> PyResult<Option<Bound<'py, PyDict>>> {
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
    let d = PyDict::new(py);
    d.set_item("delay_ms", s.delay_ms)?;
    d.set_item("raw_delay_ms", s.raw_delay_ms)?;
    d.set_item("mode", s.mode)?;
    d.set_item("label", s.label)?;
    d.set_item("accepted_count", s.accepted_count)?;
    d.set_item("lines", PyList::new(py, &s.lines)?)?;
    Ok(Some(d))
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

/// Drift / stepping diagnosis (spec §11 with vsg's fixes) as a dict with the fields of
/// `vsg_core.analysis.drift.Diagnosis`.
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
) -> PyResult<Bound<'py, PyDict>> {
    let records = extract_chunk_records(chunks)?;
    let cfg = drift_config_from_dict(config)?;
    let codec = codec_id.to_string();
    let dg = py.detach(|| {
        drift_impl::diagnose(&records, &cfg, ref_fps, target_fps, &codec, ref_duration_s)
    });
    send_lines(&dg.lines, log.as_ref())?;
    let out = PyDict::new(py);
    out.set_item("kind", dg.kind.as_str())?;
    out.set_item("accepted_count", dg.accepted_count)?;
    let fit = dg.fit.as_ref();
    out.set_item("drift_ms_per_s", fit.map(|f| f.slope))?;
    out.set_item("intercept_ms", fit.map(|f| f.intercept))?;
    out.set_item("r2", fit.and_then(|f| f.r2))?;
    out.set_item("residual_rms_ms", fit.map(|f| f.residual_rms))?;
    out.set_item("total_drift_ms", fit.map(|f| f.total_drift_ms))?;
    out.set_item("lossless", dg.lossless)?;
    out.set_item("expected_pal_ms_per_s", dg.expected_pal_ms_per_s)?;
    let clusters = PyList::empty(py);
    for c in &dg.clusters {
        let cd = PyDict::new(py);
        cd.set_item("label", c.label)?;
        cd.set_item("members", c.members.clone())?;
        cd.set_item("chunk_indices", c.chunk_indices.clone())?;
        cd.set_item("mean_delay_ms", c.mean_delay_ms)?;
        cd.set_item("std_delay_ms", c.std_delay_ms)?;
        cd.set_item("start_s", c.start_s)?;
        cd.set_item("end_s", c.end_s)?;
        cd.set_item("duration_s", c.duration_s)?;
        cd.set_item("percentage", c.percentage)?;
        cd.set_item("avg_match_pct", c.avg_match_pct)?;
        cd.set_item("min_match_pct", c.min_match_pct)?;
        let checks = PyDict::new(py);
        for (name, ck) in &c.checks {
            let e = PyDict::new(py);
            e.set_item("value", ck.value)?;
            e.set_item("threshold", ck.threshold)?;
            e.set_item("passed", ck.passed)?;
            checks.set_item(*name, e)?;
        }
        cd.set_item("checks", checks)?;
        cd.set_item("passed_checks", c.passed_checks)?;
        cd.set_item("valid", c.valid)?;
        clusters.append(cd)?;
    }
    out.set_item("clusters", clusters)?;
    let segments = PyList::empty(py);
    for s in &dg.segments {
        let sd = PyDict::new(py);
        sd.set_item("start_s", s.start_s)?;
        sd.set_item("end_s", s.end_s)?;
        sd.set_item("delay_ms", s.delay_ms)?;
        sd.set_item("raw_delay_ms", s.raw_delay_ms)?;
        sd.set_item("cluster_label", s.cluster_label)?;
        segments.append(sd)?;
    }
    out.set_item("segments", segments)?;
    out.set_item("correction_mode", dg.correction_mode)?;
    out.set_item("fallback_mode", dg.fallback_mode)?;
    out.set_item("reason", dg.reason)?;
    out.set_item("lines", PyList::new(py, &dg.lines)?)?;
    out.set_item("outlier_chunks", dg.outlier_chunks.clone())?;
    out.set_item("robust_slope_ms_per_s", dg.robust_line.map(|l| l.0))?;
    out.set_item("robust_intercept_ms", dg.robust_line.map(|l| l.1))?;
    out.set_item("line_support", dg.line_support)?;
    out.set_item("cluster_support", dg.cluster_support)?;
    Ok(out)
}

/// Registers the Phase 3 functions (called from `register`).
fn register_phase3(m: &Bound<'_, PyModule>) -> PyResult<()> {
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

/// In-bounds chunks (spec §6): `[(index, start_s, start, length), …]`.
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

/// §7.9 peak-normalised confidence of magnitudes `a` at index `k`.
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
