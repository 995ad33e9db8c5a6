//! Bindings for the subtitle core (Phase 5, `crate::subtitles`): one `SubtitleDocument` class whose
//! methods mirror `vsg_core.subtitles.engine.SubtitleDoc`. Errors → `ValueError` with the same message as
//! the Python reference (the engine turns it into `SubtitleError`). Parsing, operations and writing
//! release the GIL.
use crate::frames::{FrameClock, FrameGrid, FrameTimes};
use crate::subtitles::ops::{self, BoundaryMode, Segment, TimingFix};
use crate::subtitles::{Document, SubtitleError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::collections::BTreeMap;

fn py_err(e: SubtitleError) -> PyErr {
    PyValueError::new_err(e.0)
}

/// A frame clock from Python: `(num, den)` for a CFR grid or a list of frame times (ms, with the end of
/// the last frame) for VFR.
#[derive(FromPyObject)]
pub enum ClockArg {
    Grid((i64, i64)),
    Times(Vec<i64>),
}

type BoxedClock = Box<dyn FrameClock + Send + Sync>;

fn clock(arg: Option<ClockArg>) -> PyResult<Option<BoxedClock>> {
    Ok(match arg {
        None => None,
        Some(ClockArg::Grid((n, d))) => Some(Box::new(
            FrameGrid::new(n, d).map_err(PyValueError::new_err)?,
        )),
        Some(ClockArg::Times(t)) => {
            Some(Box::new(FrameTimes::new(t).map_err(PyValueError::new_err)?))
        }
    })
}

/// A parsed subtitle file that writes back byte for byte when unchanged.
#[pyclass(module = "vsg_core_rs", name = "SubtitleDocument")]
pub struct PySubtitleDocument {
    doc: Document,
}

fn stats<'py>(py: Python<'py>, m: BTreeMap<&'static str, i64>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in m {
        d.set_item(k, v)?;
    }
    Ok(d)
}

#[pymethods]
impl PySubtitleDocument {
    /// Parse `data` as `fmt` ("ass", "ssa", "srt" or "vtt").
    #[staticmethod]
    fn parse(py: Python<'_>, data: Vec<u8>, fmt: String) -> PyResult<Self> {
        py.detach(move || Document::parse(&data, &fmt))
            .map(|doc| PySubtitleDocument { doc })
            .map_err(py_err)
    }

    #[getter]
    fn fmt(&self) -> &'static str {
        self.doc.fmt.name()
    }

    #[getter]
    fn encoding(&self) -> &'static str {
        self.doc.encoding.name()
    }

    #[getter]
    fn bom(&self) -> bool {
        self.doc.bom
    }

    /// (kind, start ms, end ms, style, text) of every event still in the document.
    fn events(&self) -> Vec<(String, f64, f64, String, String)> {
        self.doc
            .live_events()
            .map(|e| {
                (
                    e.kind.clone(),
                    e.start,
                    e.end,
                    e.style.clone(),
                    e.text.clone(),
                )
            })
            .collect()
    }

    fn style_names(&self) -> Vec<String> {
        self.doc.style_names()
    }

    fn info_value(&self, key: &str) -> Option<String> {
        self.doc.info_value(key)
    }

    fn shift(&mut self, offset_ms: f64) -> PyResult<i64> {
        ops::shift(&mut self.doc, offset_ms).map_err(py_err)
    }

    fn scale(&mut self, delay_at_0_ms: f64, drift_ms_per_s: f64) -> PyResult<i64> {
        ops::scale(&mut self.doc, delay_at_0_ms, drift_ms_per_s).map_err(py_err)
    }

    /// `segments`: (start_s, delay_ms, drift_ms_per_s) tuples; `mode`: start, midpoint or majority.
    fn apply_edl<'py>(
        &mut self,
        py: Python<'py>,
        segments: Vec<(f64, f64, f64)>,
        mode: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mode = BoundaryMode::parse(mode).map_err(py_err)?;
        let segs: Vec<Segment> = segments
            .into_iter()
            .map(|(start_s, delay_ms, drift_ms_per_s)| Segment {
                start_s,
                delay_ms,
                drift_ms_per_s,
            })
            .collect();
        let m = ops::apply_edl(&mut self.doc, &segs, mode).map_err(py_err)?;
        stats(py, m)
    }

    #[allow(clippy::too_many_arguments)]
    fn fix_timing<'py>(
        &mut self,
        py: Python<'py>,
        overlaps: bool,
        short: bool,
        long: bool,
        min_gap_ms: f64,
        min_duration_ms: f64,
        max_cps: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let p = TimingFix {
            overlaps,
            short,
            long,
            min_gap_ms,
            min_duration_ms,
            max_cps,
        };
        let m = ops::fix_timing(&mut self.doc, &p).map_err(py_err)?;
        stats(py, m)
    }

    fn filter_styles<'py>(
        &mut self,
        py: Python<'py>,
        styles: Vec<String>,
        mode: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let m = ops::filter_styles(&mut self.doc, &styles, mode).map_err(py_err)?;
        stats(py, m)
    }

    fn multiply_font_size(&mut self, factor: f64) -> PyResult<i64> {
        ops::multiply_font_size(&mut self.doc, factor).map_err(py_err)
    }

    /// `patch`: {style name: {field: value}}; returns the style names not found.
    fn patch_styles(&mut self, patch: &Bound<'_, PyDict>) -> PyResult<Vec<String>> {
        let mut p: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (name, fields) in patch.iter() {
            let fields = fields.cast::<PyDict>()?;
            let mut fv = Vec::new();
            for (k, v) in fields.iter() {
                fv.push((k.extract::<String>()?, v.extract::<String>()?));
            }
            p.push((name.extract::<String>()?, fv));
        }
        ops::patch_styles(&mut self.doc, &p).map_err(py_err)
    }

    fn rescale<'py>(
        &mut self,
        py: Python<'py>,
        width: i64,
        height: i64,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        match ops::rescale(&mut self.doc, width, height).map_err(py_err)? {
            None => Ok(None),
            Some(m) => {
                let d = PyDict::new(py);
                for (k, v) in m {
                    d.set_item(k, v)?;
                }
                Ok(Some(d))
            }
        }
    }

    /// A new ASS document from an SRT/WebVTT one.
    fn to_ass(&self) -> PyResult<PySubtitleDocument> {
        ops::srt_to_ass(&self.doc)
            .map(|doc| PySubtitleDocument { doc })
            .map_err(py_err)
    }

    /// The file's bytes; `grid` = (num, den) or a list of frame times (ms) rounds changed times
    /// frame-exactly on that video's frames.
    #[pyo3(signature = (grid = None))]
    fn to_bytes<'py>(
        &self,
        py: Python<'py>,
        grid: Option<ClockArg>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let g = clock(grid)?;
        let doc = &self.doc;
        let bytes = py
            .detach(|| doc.to_bytes(g.as_ref().map(|b| b.as_ref() as &dyn FrameClock)))
            .map_err(py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// Parse, shift by `offset_ms` and write in one call (no Python objects per event): the benchmark path.
#[pyfunction]
#[pyo3(signature = (data, fmt, offset_ms, grid = None))]
fn subtitles_shift_bytes<'py>(
    py: Python<'py>,
    data: Vec<u8>,
    fmt: String,
    offset_ms: f64,
    grid: Option<ClockArg>,
) -> PyResult<Bound<'py, PyBytes>> {
    let g = clock(grid)?;
    let out = py
        .detach(move || -> Result<Vec<u8>, SubtitleError> {
            let mut doc = Document::parse(&data, &fmt)?;
            ops::shift(&mut doc, offset_ms)?;
            doc.to_bytes(g.as_ref().map(|b| b.as_ref() as &dyn FrameClock))
        })
        .map_err(py_err)?;
    Ok(PyBytes::new(py, &out))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySubtitleDocument>()?;
    m.add_function(wrap_pyfunction!(subtitles_shift_bytes, m)?)?;
    Ok(())
}
