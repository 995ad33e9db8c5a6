//! Bindings for Phase 1 data types (`models`): constructors, getters/setters that need checks, JSON
//! round trips and the conversion between Python objects and `serde_json::Value`.
//!
//! Errors: bad values → `ValueError` (same messages as `vsg_core.models`), wrong Python types in
//! constructors/setters → `TypeError`, a missing source in `Delays.delay_for` → `KeyError`.
use crate::models::jobs::StyleFilterMode;
use crate::models::media::{to_i32, to_u32};
use crate::models::{
    AnalysisMode, Attachment, CorrectionVerdict, Delays, DiagnosisKind, JsonRecord, ModelError,
    PlanItem, SnapMode, StepStatus, StreamProps, Track, TrackType,
};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

fn to_py_err(e: ModelError) -> PyErr {
    match e {
        ModelError::Invalid(m) => PyValueError::new_err(m),
        ModelError::MissingSource(m) => PyKeyError::new_err(m),
    }
}

/// JSON name of a Python value's type, like `vsg_core.models.validation.json_type`.
fn py_json_type(obj: &Bound<'_, PyAny>) -> String {
    if obj.is_none() {
        "null".into()
    } else if obj.is_instance_of::<PyBool>() {
        "boolean".into()
    } else if obj.is_instance_of::<PyInt>() {
        "integer".into()
    } else if obj.is_instance_of::<PyFloat>() {
        "number".into()
    } else if obj.is_instance_of::<PyString>() {
        "string".into()
    } else if obj.is_instance_of::<PyList>() {
        "array".into()
    } else if obj.is_instance_of::<PyDict>() {
        "object".into()
    } else {
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "object".into())
    }
}

/// Converts Python data made only of JSON types (dict with str keys, list, str, int, finite float, bool,
/// None) to a `Value`; anything else is a ValueError naming the place (`PlanItem.style_patch.Default`).
fn py_to_value(obj: &Bound<'_, PyAny>, place: &str) -> Result<Value, ModelError> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        let text = obj.str().map(|s| s.to_string()).unwrap_or_default();
        return Err(ModelError::invalid(format!(
            "{place}: integer {text} is outside the JSON integer range"
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Number::from_f64(x).map(Value::Number).ok_or_else(|| {
            ModelError::invalid(format!(
                "{place}: number {} is not finite; JSON has no NaN/Infinity",
                crate::models::json::fmt_float(x)
            ))
        });
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_str()
            .map(|s| Value::String(s.to_owned()))
            .map_err(|e| ModelError::invalid(format!("{place}: {e}")));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return list
            .iter()
            .enumerate()
            .map(|(i, item)| py_to_value(&item, &format!("{place}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(ModelError::invalid(format!(
                    "{place}: keys must be strings, got {}",
                    py_json_type(&key)
                )));
            };
            let key = key
                .to_str()
                .map_err(|e| ModelError::invalid(format!("{place}: {e}")))?
                .to_owned();
            let value = py_to_value(&item, &format!("{place}.{key}"))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    Err(ModelError::invalid(format!(
        "{place}: {} is not a JSON value",
        py_json_type(obj)
    )))
}

fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, value_to_py(py, v)?)?;
    }
    Ok(dict)
}

fn opt_map_to_py<'py>(
    py: Python<'py>,
    map: &Option<Map<String, Value>>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    map.as_ref().map(|m| map_to_py(py, m)).transpose()
}

/// A JSON object (dict) or None for `style_patch` / `framelocked_stats`.
fn py_to_opt_object(
    obj: Option<&Bound<'_, PyAny>>,
    place: &str,
) -> PyResult<Option<Map<String, Value>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "{place}: expected an object or null, got {}",
            py_json_type(obj)
        )));
    }
    match py_to_value(obj, place).map_err(to_py_err)? {
        Value::Object(map) => Ok(Some(map)),
        _ => unreachable!("a dict converts to an object"),
    }
}

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    // Python's json keeps the key order of the text (= field order), unlike serde_json's sorted map.
    py.import("json")?.call_method1("loads", (text,))
}

fn from_py_data<T: JsonRecord>(data: &Bound<'_, PyAny>) -> PyResult<T> {
    let value = py_to_value(data, T::NAME).map_err(to_py_err)?;
    T::from_value(&value).map_err(to_py_err)
}

fn mode_from_py(place: &str, value: &str) -> PyResult<StyleFilterMode> {
    StyleFilterMode::parse(place, value).map_err(to_py_err)
}

fn checked_u32(place: &str, value: i64) -> PyResult<u32> {
    to_u32(place, i128::from(value)).map_err(to_py_err)
}

fn checked_i32(place: &str, value: i64) -> PyResult<i32> {
    to_i32(place, i128::from(value)).map_err(to_py_err)
}

fn checked_opt_u32(place: &str, value: Option<i64>) -> PyResult<Option<u32>> {
    value.map(|v| checked_u32(place, v)).transpose()
}

// ------------------------------------------------------------------------------------------------ enums

macro_rules! enum_pymethods {
    ($($name:ident),+ $(,)?) => {$(
        #[pymethods]
        impl $name {
            /// The value string written to JSON/settings.
            #[getter]
            fn value(&self) -> &'static str {
                self.as_str()
            }

            /// The member name (UPPER_CASE).
            #[getter]
            fn name(&self) -> &'static str {
                self.py_name()
            }

            /// The member whose value string is `value`; ValueError listing the valid values otherwise.
            #[staticmethod]
            #[pyo3(name = "from_value")]
            fn py_from_value(value: &Bound<'_, PyAny>) -> PyResult<Self> {
                let Ok(text) = value.cast::<PyString>() else {
                    return Err(PyTypeError::new_err(format!(
                        "{}.from_value: expected a string, got {}",
                        Self::NAME,
                        py_json_type(value)
                    )));
                };
                $name::from_value(text.to_str()?).map_err(to_py_err)
            }

            fn __str__(&self) -> &'static str {
                self.as_str()
            }

            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>, &'static str))> {
                let getattr = py.import("builtins")?.getattr("getattr")?;
                Ok((getattr, (py.get_type::<$name>().into_any(), self.py_name())))
            }
        }
    )+};
}

enum_pymethods!(
    TrackType,
    AnalysisMode,
    SnapMode,
    StepStatus,
    CorrectionVerdict,
    DiagnosisKind
);

/// `type` argument of `Track(...)`: a TrackType member or its value string.
fn extract_track_type(obj: &Bound<'_, PyAny>) -> PyResult<TrackType> {
    if let Ok(t) = obj.cast::<TrackType>() {
        return Ok(*t.get());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return TrackType::from_value(s.to_str()?).map_err(|e| to_py_err(e.within("Track.type")));
    }
    Err(PyTypeError::new_err(format!(
        "Track.type: expected a TrackType or its value string, got {}",
        py_json_type(obj)
    )))
}

// ---------------------------------------------------------------------------------------------- records

/// Adds the JSON/dict round trip, `__repr__` and pickling/copy support (via JSON) to a record's methods.
macro_rules! record_pymethods {
    ($ty:ident { $($body:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($body)*

            /// Compact UTF-8 JSON; keys = field names, enums as value strings.
            #[pyo3(name = "to_json")]
            fn py_to_json(&self) -> String {
                JsonRecord::to_json(self)
            }

            /// Reads strict JSON; unknown keys, missing required keys and wrong types raise ValueError.
            #[staticmethod]
            #[pyo3(name = "from_json")]
            fn py_from_json(text: &str) -> PyResult<Self> {
                <$ty as JsonRecord>::from_json(text).map_err(to_py_err)
            }

            /// The JSON data as Python dicts/lists (keys in field order).
            #[pyo3(name = "to_dict")]
            fn py_to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                json_loads(py, &JsonRecord::to_json(self))
            }

            /// Reads the record from Python data made of JSON types; every problem is a ValueError.
            #[staticmethod]
            #[pyo3(name = "from_dict")]
            fn py_from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
                from_py_data::<$ty>(data)
            }

            fn __repr__(&self) -> String {
                format!("{}({})", <$ty as JsonRecord>::NAME, JsonRecord::to_json(self))
            }

            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
                Ok((py.get_type::<$ty>().getattr("from_json")?, (JsonRecord::to_json(self),)))
            }
        }
    };
}

record_pymethods!(StreamProps {
    #[new]
    #[pyo3(signature = (codec_id, lang = "und".to_string(), name = String::new(), audio_channels = None, audio_sampling_frequency = None))]
    fn py_new(
        codec_id: String,
        lang: String,
        name: String,
        audio_channels: Option<i64>,
        audio_sampling_frequency: Option<i64>,
    ) -> PyResult<Self> {
        Ok(StreamProps {
            codec_id,
            lang,
            name,
            audio_channels: checked_opt_u32("StreamProps.audio_channels", audio_channels)?,
            audio_sampling_frequency: checked_opt_u32(
                "StreamProps.audio_sampling_frequency",
                audio_sampling_frequency,
            )?,
        })
    }
});

record_pymethods!(Track {
    #[new]
    #[pyo3(signature = (source, id, r#type, props, container_delay_ms = 0))]
    fn py_new(
        source: String,
        id: i64,
        #[pyo3(from_py_with = extract_track_type)] r#type: TrackType,
        props: StreamProps,
        container_delay_ms: i64,
    ) -> PyResult<Self> {
        Ok(Track {
            source,
            id: checked_u32("Track.id", id)?,
            track_type: r#type,
            props,
            container_delay_ms: checked_i32("Track.container_delay_ms", container_delay_ms)?,
        })
    }
});

record_pymethods!(Attachment {
    #[new]
    #[pyo3(signature = (id, file_name, out_path = None))]
    fn py_new(id: i64, file_name: String, out_path: Option<String>) -> PyResult<Self> {
        Ok(Attachment {
            id: checked_u32("Attachment.id", id)?,
            file_name,
            out_path,
        })
    }
});

record_pymethods!(Delays {
    #[new]
    #[pyo3(signature = (source_delays_ms = None, raw_source_delays_ms = None, global_shift_ms = 0, raw_global_shift_ms = 0.0))]
    fn py_new(
        source_delays_ms: Option<BTreeMap<String, i64>>,
        raw_source_delays_ms: Option<BTreeMap<String, f64>>,
        global_shift_ms: i64,
        raw_global_shift_ms: f64,
    ) -> PyResult<Self> {
        Delays::new(
            source_delays_ms.unwrap_or_default(),
            raw_source_delays_ms.unwrap_or_default(),
            global_shift_ms,
            raw_global_shift_ms,
        )
        .map_err(to_py_err)
    }

    /// No sources, no global shift.
    #[staticmethod]
    #[pyo3(name = "empty")]
    fn py_empty() -> Self {
        Delays::empty()
    }

    /// The rounded delay (ms, global shift included) of `source`; KeyError naming it when absent.
    #[pyo3(name = "delay_for")]
    fn py_delay_for(&self, source: &str) -> PyResult<i32> {
        self.delay_for(source).map_err(to_py_err)
    }

    /// The raw (unrounded) delay of `source`; KeyError naming it when absent.
    #[pyo3(name = "raw_delay_for")]
    fn py_raw_delay_for(&self, source: &str) -> PyResult<f64> {
        self.raw_delay_for(source).map_err(to_py_err)
    }
});

record_pymethods!(PlanItem {
    #[new]
    #[pyo3(signature = (
        track,
        extracted_path = None,
        is_default = false,
        is_forced_display = false,
        apply_track_name = false,
        convert_to_ass = false,
        rescale = false,
        size_multiplier = 1.0,
        style_patch = None,
        user_modified_path = None,
        sync_to = None,
        is_preserved = false,
        is_corrected = false,
        correction_source = None,
        perform_ocr = false,
        perform_ocr_cleanup = false,
        container_delay_ms = 0,
        custom_lang = String::new(),
        custom_name = String::new(),
        aspect_ratio = None,
        stepping_adjusted = false,
        is_generated = false,
        generated_source_track_id = None,
        generated_source_path = None,
        generated_filter_mode = "exclude",
        generated_filter_styles = Vec::new(),
        generated_original_style_list = Vec::new(),
        generated_verify_only_lines_removed = true,
        skip_frame_validation = false,
        sync_exclusion_styles = Vec::new(),
        sync_exclusion_mode = "exclude",
        sync_exclusion_original_style_list = Vec::new(),
        frame_adjusted = false,
        framelocked_stats = None,
        source_path = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        track: Track,
        extracted_path: Option<String>,
        is_default: bool,
        is_forced_display: bool,
        apply_track_name: bool,
        convert_to_ass: bool,
        rescale: bool,
        size_multiplier: f64,
        style_patch: Option<&Bound<'_, PyAny>>,
        user_modified_path: Option<String>,
        sync_to: Option<String>,
        is_preserved: bool,
        is_corrected: bool,
        correction_source: Option<String>,
        perform_ocr: bool,
        perform_ocr_cleanup: bool,
        container_delay_ms: i64,
        custom_lang: String,
        custom_name: String,
        aspect_ratio: Option<String>,
        stepping_adjusted: bool,
        is_generated: bool,
        generated_source_track_id: Option<i64>,
        generated_source_path: Option<String>,
        generated_filter_mode: &str,
        generated_filter_styles: Vec<String>,
        generated_original_style_list: Vec<String>,
        generated_verify_only_lines_removed: bool,
        skip_frame_validation: bool,
        sync_exclusion_styles: Vec<String>,
        sync_exclusion_mode: &str,
        sync_exclusion_original_style_list: Vec<String>,
        frame_adjusted: bool,
        framelocked_stats: Option<&Bound<'_, PyAny>>,
        source_path: Option<String>,
    ) -> PyResult<Self> {
        // Checked in field order, like the Python reference.
        let mut it = PlanItem::new(track);
        it.extracted_path = extracted_path;
        it.is_default = is_default;
        it.is_forced_display = is_forced_display;
        it.apply_track_name = apply_track_name;
        it.convert_to_ass = convert_to_ass;
        it.rescale = rescale;
        it.set_size_multiplier(size_multiplier).map_err(to_py_err)?;
        it.style_patch = py_to_opt_object(style_patch, "PlanItem.style_patch")?;
        it.user_modified_path = user_modified_path;
        it.sync_to = sync_to;
        it.is_preserved = is_preserved;
        it.is_corrected = is_corrected;
        it.correction_source = correction_source;
        it.perform_ocr = perform_ocr;
        it.perform_ocr_cleanup = perform_ocr_cleanup;
        it.container_delay_ms = checked_i32("PlanItem.container_delay_ms", container_delay_ms)?;
        it.custom_lang = custom_lang;
        it.custom_name = custom_name;
        it.aspect_ratio = aspect_ratio;
        it.stepping_adjusted = stepping_adjusted;
        it.is_generated = is_generated;
        it.generated_source_track_id =
            checked_opt_u32("PlanItem.generated_source_track_id", generated_source_track_id)?;
        it.generated_source_path = generated_source_path;
        it.generated_filter_mode =
            mode_from_py("PlanItem.generated_filter_mode", generated_filter_mode)?;
        it.generated_filter_styles = generated_filter_styles;
        it.generated_original_style_list = generated_original_style_list;
        it.generated_verify_only_lines_removed = generated_verify_only_lines_removed;
        it.skip_frame_validation = skip_frame_validation;
        it.sync_exclusion_styles = sync_exclusion_styles;
        it.sync_exclusion_mode = mode_from_py("PlanItem.sync_exclusion_mode", sync_exclusion_mode)?;
        it.sync_exclusion_original_style_list = sync_exclusion_original_style_list;
        it.frame_adjusted = frame_adjusted;
        it.framelocked_stats = py_to_opt_object(framelocked_stats, "PlanItem.framelocked_stats")?;
        it.source_path = source_path;
        Ok(it)
    }

    #[getter(size_multiplier)]
    fn get_size_multiplier(&self) -> f64 {
        self.size_multiplier()
    }

    #[setter(size_multiplier)]
    fn py_set_size_multiplier(&mut self, value: f64) -> PyResult<()> {
        self.set_size_multiplier(value).map_err(to_py_err)
    }

    /// A copy of the style patch; assign a new dict to change it.
    #[getter(style_patch)]
    fn get_style_patch<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        opt_map_to_py(py, &self.style_patch)
    }

    #[setter(style_patch)]
    fn set_style_patch(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.style_patch = py_to_opt_object(value, "PlanItem.style_patch")?;
        Ok(())
    }

    #[getter(container_delay_ms)]
    fn get_container_delay_ms(&self) -> i32 {
        self.container_delay_ms
    }

    #[setter(container_delay_ms)]
    fn set_container_delay_ms(&mut self, value: i64) -> PyResult<()> {
        self.container_delay_ms = checked_i32("PlanItem.container_delay_ms", value)?;
        Ok(())
    }

    #[getter(generated_source_track_id)]
    fn get_generated_source_track_id(&self) -> Option<u32> {
        self.generated_source_track_id
    }

    #[setter(generated_source_track_id)]
    fn set_generated_source_track_id(&mut self, value: Option<i64>) -> PyResult<()> {
        self.generated_source_track_id =
            checked_opt_u32("PlanItem.generated_source_track_id", value)?;
        Ok(())
    }

    #[getter(generated_filter_mode)]
    fn get_generated_filter_mode(&self) -> &'static str {
        self.generated_filter_mode.as_str()
    }

    #[setter(generated_filter_mode)]
    fn set_generated_filter_mode(&mut self, value: &str) -> PyResult<()> {
        self.generated_filter_mode = mode_from_py("PlanItem.generated_filter_mode", value)?;
        Ok(())
    }

    #[getter(sync_exclusion_mode)]
    fn get_sync_exclusion_mode(&self) -> &'static str {
        self.sync_exclusion_mode.as_str()
    }

    #[setter(sync_exclusion_mode)]
    fn set_sync_exclusion_mode(&mut self, value: &str) -> PyResult<()> {
        self.sync_exclusion_mode = mode_from_py("PlanItem.sync_exclusion_mode", value)?;
        Ok(())
    }

    /// A copy of the frame-locked report; assign a new dict to change it.
    #[getter(framelocked_stats)]
    fn get_framelocked_stats<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        opt_map_to_py(py, &self.framelocked_stats)
    }

    #[setter(framelocked_stats)]
    fn set_framelocked_stats(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.framelocked_stats = py_to_opt_object(value, "PlanItem.framelocked_stats")?;
        Ok(())
    }
});

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<TrackType>()?;
    m.add_class::<AnalysisMode>()?;
    m.add_class::<SnapMode>()?;
    m.add_class::<StepStatus>()?;
    m.add_class::<CorrectionVerdict>()?;
    m.add_class::<DiagnosisKind>()?;
    m.add_class::<StreamProps>()?;
    m.add_class::<Track>()?;
    m.add_class::<Attachment>()?;
    m.add_class::<Delays>()?;
    m.add_class::<PlanItem>()?;
    m.add("MAX_DELAY_MS", crate::models::MAX_DELAY_MS)?;
    Ok(())
}
