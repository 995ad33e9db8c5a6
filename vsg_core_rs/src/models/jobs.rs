//! Job records: `Delays` (immutable, validated) and `PlanItem` (mutable, one per output track).
//! Facts: docs/pipeline.md#data-model; Python reference `vsg_core/models/jobs.py` (same JSON keys, rules, messages).
use super::error::{ModelError, ModelResult};
use super::json::{
    expect_bool, expect_f64, expect_int, expect_integer, expect_opt_int, expect_opt_object,
    expect_opt_str, expect_str, expect_str_list, fmt_float, json_type, quoted, Fields, JsonRecord,
    I32_MAX, I32_MIN, MAX_DELAY_MS, U32_MAX,
};
use super::media::Track;
use pyo3::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

// ------------------------------------------------------------------------------------------------ Delays

/// A rounded delay: |delay| <= 3 600 000 ms (docs/analysis.md#delays).
pub fn int_delay(place: &str, value: i128) -> ModelResult<i32> {
    if value.abs() > i128::from(MAX_DELAY_MS) {
        return Err(ModelError::invalid(format!(
            "{place}: |delay| must be <= {MAX_DELAY_MS} ms, got {value}"
        )));
    }
    Ok(value as i32)
}

/// A raw delay: finite and |delay| <= 3 600 000 ms.
pub fn raw_delay(place: &str, value: f64) -> ModelResult<f64> {
    if !value.is_finite() {
        return Err(ModelError::invalid(format!(
            "{place}: delay must be finite, got {}",
            fmt_float(value)
        )));
    }
    if value.abs() > MAX_DELAY_MS as f64 {
        return Err(ModelError::invalid(format!(
            "{place}: |delay| must be <= {MAX_DELAY_MS} ms, got {}",
            fmt_float(value)
        )));
    }
    Ok(value)
}

/// Per-source delays after analysis; every entry already includes the global shift.
///
/// `source_delays_ms` holds the rounded values given to mkvmerge, `raw_source_delays_ms` the unrounded ones
/// used for subtitle timing. Invariants (checked by [`Delays::new`] and on JSON load): both maps have the
/// same source keys, both global shifts are >= 0, every delay is finite with |delay| <= 3 600 000 ms.
/// Source keys are kept sorted.
#[pyclass(module = "vsg_core_rs", frozen, eq, from_py_object)]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Delays {
    #[pyo3(get)]
    source_delays_ms: BTreeMap<String, i32>,
    #[pyo3(get)]
    raw_source_delays_ms: BTreeMap<String, f64>,
    #[pyo3(get)]
    global_shift_ms: i32,
    #[pyo3(get)]
    raw_global_shift_ms: f64,
}

impl Delays {
    /// Checks every invariant; the first violation is reported in the order of the Python reference
    /// (rounded entries, raw entries, key sets, global shift, raw global shift).
    pub fn new(
        source_delays_ms: BTreeMap<String, i64>,
        raw_source_delays_ms: BTreeMap<String, f64>,
        global_shift_ms: i64,
        raw_global_shift_ms: f64,
    ) -> ModelResult<Self> {
        let mut rounded = BTreeMap::new();
        for (key, value) in source_delays_ms {
            let place = format!("Delays.source_delays_ms['{key}']");
            rounded.insert(key, int_delay(&place, i128::from(value))?);
        }
        let mut raw = BTreeMap::new();
        for (key, value) in raw_source_delays_ms {
            let place = format!("Delays.raw_source_delays_ms['{key}']");
            raw.insert(key, raw_delay(&place, value)?);
        }
        let only_rounded: Vec<&String> = rounded.keys().filter(|k| !raw.contains_key(*k)).collect();
        let only_raw: Vec<&String> = raw.keys().filter(|k| !rounded.contains_key(*k)).collect();
        if !only_rounded.is_empty() || !only_raw.is_empty() {
            let mut parts = vec![
                "Delays: source_delays_ms and raw_source_delays_ms must have the same source keys"
                    .to_string(),
            ];
            if !only_rounded.is_empty() {
                parts.push(format!(
                    "only in source_delays_ms: {}",
                    quoted(only_rounded)
                ));
            }
            if !only_raw.is_empty() {
                parts.push(format!(
                    "only in raw_source_delays_ms: {}",
                    quoted(only_raw)
                ));
            }
            return Err(ModelError::invalid(parts.join("; ")));
        }
        let shift = int_delay("Delays.global_shift_ms", i128::from(global_shift_ms))?;
        if shift < 0 {
            return Err(ModelError::invalid(format!(
                "Delays.global_shift_ms: must be >= 0, got {shift}"
            )));
        }
        let raw_shift = raw_delay("Delays.raw_global_shift_ms", raw_global_shift_ms)?;
        if raw_shift < 0.0 {
            return Err(ModelError::invalid(format!(
                "Delays.raw_global_shift_ms: must be >= 0, got {}",
                fmt_float(raw_shift)
            )));
        }
        Ok(Delays {
            source_delays_ms: rounded,
            raw_source_delays_ms: raw,
            global_shift_ms: shift,
            raw_global_shift_ms: raw_shift,
        })
    }

    /// No sources, no global shift.
    pub fn empty() -> Self {
        Delays::default()
    }

    pub fn source_delays_ms(&self) -> &BTreeMap<String, i32> {
        &self.source_delays_ms
    }

    pub fn raw_source_delays_ms(&self) -> &BTreeMap<String, f64> {
        &self.raw_source_delays_ms
    }

    pub fn global_shift_ms(&self) -> i32 {
        self.global_shift_ms
    }

    pub fn raw_global_shift_ms(&self) -> f64 {
        self.raw_global_shift_ms
    }

    fn missing(&self, source: &str) -> ModelError {
        let known = if self.source_delays_ms.is_empty() {
            "none".to_string()
        } else {
            quoted(self.source_delays_ms.keys())
        };
        ModelError::MissingSource(format!(
            "no delay for source '{source}'; known sources: {known}"
        ))
    }

    /// The rounded delay (ms, global shift included) of `source`.
    pub fn delay_for(&self, source: &str) -> ModelResult<i32> {
        self.source_delays_ms
            .get(source)
            .copied()
            .ok_or_else(|| self.missing(source))
    }

    /// The raw (unrounded) delay of `source`.
    pub fn raw_delay_for(&self, source: &str) -> ModelResult<f64> {
        self.raw_source_delays_ms
            .get(source)
            .copied()
            .ok_or_else(|| self.missing(source))
    }
}

const DELAYS_KEYS: &[&str] = &[
    "source_delays_ms",
    "raw_source_delays_ms",
    "global_shift_ms",
    "raw_global_shift_ms",
];

fn delay_map<T>(
    place: &str,
    value: &Value,
    read: impl Fn(&str, &Value) -> ModelResult<T>,
) -> ModelResult<BTreeMap<String, T>> {
    let Value::Object(map) = value else {
        return Err(ModelError::invalid(format!(
            "{place}: expected an object mapping source keys to delays, got {}",
            json_type(value)
        )));
    };
    map.iter()
        .map(|(k, v)| Ok((k.clone(), read(&format!("{place}['{k}']"), v)?)))
        .collect()
}

fn json_int_delay(place: &str, value: &Value) -> ModelResult<i64> {
    Ok(i64::from(int_delay(place, expect_integer(place, value)?)?))
}

fn json_raw_delay(place: &str, value: &Value) -> ModelResult<f64> {
    raw_delay(place, expect_f64(place, value)?)
}

impl JsonRecord for Delays {
    const NAME: &'static str = "Delays";

    fn from_value(value: &Value) -> ModelResult<Self> {
        let f = Fields::new(Self::NAME, value, DELAYS_KEYS)?;
        let rounded = f.read_or("source_delays_ms", BTreeMap::new(), |p, v| {
            delay_map(p, v, json_int_delay)
        })?;
        let raw = f.read_or("raw_source_delays_ms", BTreeMap::new(), |p, v| {
            delay_map(p, v, json_raw_delay)
        })?;
        let shift = f.read_or("global_shift_ms", 0, json_int_delay)?;
        let raw_shift = f.read_or("raw_global_shift_ms", 0.0, json_raw_delay)?;
        Delays::new(rounded, raw, shift, raw_shift)
    }
}

// ---------------------------------------------------------------------------------------------- PlanItem

/// `generated_filter_mode` / `sync_exclusion_mode`: whether the listed styles are excluded or kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StyleFilterMode {
    #[default]
    Exclude,
    Include,
}

impl StyleFilterMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StyleFilterMode::Exclude => "exclude",
            StyleFilterMode::Include => "include",
        }
    }

    /// Parses `exclude`/`include`; `place` names the field in the error.
    pub fn parse(place: &str, value: &str) -> ModelResult<Self> {
        match value {
            "exclude" => Ok(StyleFilterMode::Exclude),
            "include" => Ok(StyleFilterMode::Include),
            other => Err(ModelError::invalid(format!(
                "{place}: must be 'exclude' or 'include', got '{other}'"
            ))),
        }
    }
}

/// The `size_multiplier` rule: finite and > 0.
pub fn check_size_multiplier(place: &str, value: f64) -> ModelResult<f64> {
    if !(value.is_finite() && value > 0.0) {
        return Err(ModelError::invalid(format!(
            "{place}: must be a finite number > 0, got {}",
            fmt_float(value)
        )));
    }
    Ok(value)
}

/// One output track of the merge plan with every per-track option (docs/pipeline.md#data-model plus the two
/// attributes the subtitle step used to attach dynamically: `frame_adjusted`, `framelocked_stats`).
///
/// Field order = JSON key order. `size_multiplier` is private so it can only be set through the check.
#[pyclass(module = "vsg_core_rs", eq, from_py_object)]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanItem {
    #[pyo3(get, set)]
    pub track: Track,
    #[pyo3(get, set)]
    pub extracted_path: Option<String>,
    #[pyo3(get, set)]
    pub is_default: bool,
    #[pyo3(get, set)]
    pub is_forced_display: bool,
    #[pyo3(get, set)]
    pub apply_track_name: bool,
    #[pyo3(get, set)]
    pub convert_to_ass: bool,
    #[pyo3(get, set)]
    pub rescale: bool,
    size_multiplier: f64,
    /// `{style_name: {attr: value}}` from the style editor.
    pub style_patch: Option<Map<String, Value>>,
    #[pyo3(get, set)]
    pub user_modified_path: Option<String>,
    #[pyo3(get, set)]
    pub sync_to: Option<String>,
    #[pyo3(get, set)]
    pub is_preserved: bool,
    #[pyo3(get, set)]
    pub is_corrected: bool,
    #[pyo3(get, set)]
    pub correction_source: Option<String>,
    #[pyo3(get, set)]
    pub perform_ocr: bool,
    #[pyo3(get, set)]
    pub perform_ocr_cleanup: bool,
    pub container_delay_ms: i32,
    #[pyo3(get, set)]
    pub custom_lang: String,
    #[pyo3(get, set)]
    pub custom_name: String,
    #[pyo3(get, set)]
    pub aspect_ratio: Option<String>,
    #[pyo3(get, set)]
    pub stepping_adjusted: bool,
    #[pyo3(get, set)]
    pub is_generated: bool,
    pub generated_source_track_id: Option<u32>,
    #[pyo3(get, set)]
    pub generated_source_path: Option<String>,
    pub generated_filter_mode: StyleFilterMode,
    #[pyo3(get, set)]
    pub generated_filter_styles: Vec<String>,
    #[pyo3(get, set)]
    pub generated_original_style_list: Vec<String>,
    #[pyo3(get, set)]
    pub generated_verify_only_lines_removed: bool,
    #[pyo3(get, set)]
    pub skip_frame_validation: bool,
    #[pyo3(get, set)]
    pub sync_exclusion_styles: Vec<String>,
    pub sync_exclusion_mode: StyleFilterMode,
    #[pyo3(get, set)]
    pub sync_exclusion_original_style_list: Vec<String>,
    #[pyo3(get, set)]
    pub frame_adjusted: bool,
    /// Frame-locked report of the subtitle step, read by the final audit.
    pub framelocked_stats: Option<Map<String, Value>>,
    /// The source file mkvmerge reads this track from directly (track id `track.id`), for a track that
    /// needs no processing; None when the track is read from `extracted_path` (a single-track file).
    #[pyo3(get, set)]
    pub source_path: Option<String>,
}

/// JSON keys of PlanItem, in field order.
pub const PLAN_ITEM_KEYS: &[&str] = &[
    "track",
    "extracted_path",
    "is_default",
    "is_forced_display",
    "apply_track_name",
    "convert_to_ass",
    "rescale",
    "size_multiplier",
    "style_patch",
    "user_modified_path",
    "sync_to",
    "is_preserved",
    "is_corrected",
    "correction_source",
    "perform_ocr",
    "perform_ocr_cleanup",
    "container_delay_ms",
    "custom_lang",
    "custom_name",
    "aspect_ratio",
    "stepping_adjusted",
    "is_generated",
    "generated_source_track_id",
    "generated_source_path",
    "generated_filter_mode",
    "generated_filter_styles",
    "generated_original_style_list",
    "generated_verify_only_lines_removed",
    "skip_frame_validation",
    "sync_exclusion_styles",
    "sync_exclusion_mode",
    "sync_exclusion_original_style_list",
    "frame_adjusted",
    "framelocked_stats",
    "source_path",
];

impl PlanItem {
    /// An item for `track` with every option at its default.
    pub fn new(track: Track) -> Self {
        PlanItem {
            track,
            extracted_path: None,
            is_default: false,
            is_forced_display: false,
            apply_track_name: false,
            convert_to_ass: false,
            rescale: false,
            size_multiplier: 1.0,
            style_patch: None,
            user_modified_path: None,
            sync_to: None,
            is_preserved: false,
            is_corrected: false,
            correction_source: None,
            perform_ocr: false,
            perform_ocr_cleanup: false,
            container_delay_ms: 0,
            custom_lang: String::new(),
            custom_name: String::new(),
            aspect_ratio: None,
            stepping_adjusted: false,
            is_generated: false,
            generated_source_track_id: None,
            generated_source_path: None,
            generated_filter_mode: StyleFilterMode::Exclude,
            generated_filter_styles: Vec::new(),
            generated_original_style_list: Vec::new(),
            generated_verify_only_lines_removed: true,
            skip_frame_validation: false,
            sync_exclusion_styles: Vec::new(),
            sync_exclusion_mode: StyleFilterMode::Exclude,
            sync_exclusion_original_style_list: Vec::new(),
            frame_adjusted: false,
            framelocked_stats: None,
            source_path: None,
        }
    }

    pub fn size_multiplier(&self) -> f64 {
        self.size_multiplier
    }

    /// Sets the font size multiplier; it must be finite and > 0.
    pub fn set_size_multiplier(&mut self, value: f64) -> ModelResult<()> {
        self.size_multiplier = check_size_multiplier("PlanItem.size_multiplier", value)?;
        Ok(())
    }
}

fn json_mode(place: &str, value: &Value) -> ModelResult<StyleFilterMode> {
    StyleFilterMode::parse(place, &expect_str(place, value)?)
}

impl JsonRecord for PlanItem {
    const NAME: &'static str = "PlanItem";

    fn from_value(value: &Value) -> ModelResult<Self> {
        let f = Fields::new(Self::NAME, value, PLAN_ITEM_KEYS)?;
        let track =
            Track::from_value(f.required("track")?).map_err(|e| e.within(&f.place("track")))?;
        let mut it = PlanItem::new(track);
        // Read in field order (like the Python reference) so the first error reported is the same.
        it.extracted_path = f.read_or("extracted_path", None, expect_opt_str)?;
        it.is_default = f.read_or("is_default", false, expect_bool)?;
        it.is_forced_display = f.read_or("is_forced_display", false, expect_bool)?;
        it.apply_track_name = f.read_or("apply_track_name", false, expect_bool)?;
        it.convert_to_ass = f.read_or("convert_to_ass", false, expect_bool)?;
        it.rescale = f.read_or("rescale", false, expect_bool)?;
        it.size_multiplier = f.read_or("size_multiplier", 1.0, |p, v| {
            check_size_multiplier(p, expect_f64(p, v)?)
        })?;
        it.style_patch = f.read_or("style_patch", None, expect_opt_object)?;
        it.user_modified_path = f.read_or("user_modified_path", None, expect_opt_str)?;
        it.sync_to = f.read_or("sync_to", None, expect_opt_str)?;
        it.is_preserved = f.read_or("is_preserved", false, expect_bool)?;
        it.is_corrected = f.read_or("is_corrected", false, expect_bool)?;
        it.correction_source = f.read_or("correction_source", None, expect_opt_str)?;
        it.perform_ocr = f.read_or("perform_ocr", false, expect_bool)?;
        it.perform_ocr_cleanup = f.read_or("perform_ocr_cleanup", false, expect_bool)?;
        it.container_delay_ms = f.read_or("container_delay_ms", 0, |p, v| {
            Ok(expect_int(p, v, I32_MIN, I32_MAX)? as i32)
        })?;
        it.custom_lang = f.read_or("custom_lang", String::new(), expect_str)?;
        it.custom_name = f.read_or("custom_name", String::new(), expect_str)?;
        it.aspect_ratio = f.read_or("aspect_ratio", None, expect_opt_str)?;
        it.stepping_adjusted = f.read_or("stepping_adjusted", false, expect_bool)?;
        it.is_generated = f.read_or("is_generated", false, expect_bool)?;
        it.generated_source_track_id = f.read_or("generated_source_track_id", None, |p, v| {
            Ok(expect_opt_int(p, v, 0, U32_MAX)?.map(|x| x as u32))
        })?;
        it.generated_source_path = f.read_or("generated_source_path", None, expect_opt_str)?;
        it.generated_filter_mode =
            f.read_or("generated_filter_mode", StyleFilterMode::Exclude, json_mode)?;
        it.generated_filter_styles =
            f.read_or("generated_filter_styles", Vec::new(), expect_str_list)?;
        it.generated_original_style_list =
            f.read_or("generated_original_style_list", Vec::new(), expect_str_list)?;
        it.generated_verify_only_lines_removed =
            f.read_or("generated_verify_only_lines_removed", true, expect_bool)?;
        it.skip_frame_validation = f.read_or("skip_frame_validation", false, expect_bool)?;
        it.sync_exclusion_styles =
            f.read_or("sync_exclusion_styles", Vec::new(), expect_str_list)?;
        it.sync_exclusion_mode =
            f.read_or("sync_exclusion_mode", StyleFilterMode::Exclude, json_mode)?;
        it.sync_exclusion_original_style_list = f.read_or(
            "sync_exclusion_original_style_list",
            Vec::new(),
            expect_str_list,
        )?;
        it.frame_adjusted = f.read_or("frame_adjusted", false, expect_bool)?;
        it.framelocked_stats = f.read_or("framelocked_stats", None, expect_opt_object)?;
        it.source_path = f.read_or("source_path", None, expect_opt_str)?;
        Ok(it)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::enums::TrackType;
    use crate::models::media::StreamProps;
    use serde_json::json;

    fn map<T: Clone>(pairs: &[(&str, T)]) -> BTreeMap<String, T> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn two_sources() -> Delays {
        Delays::new(
            map(&[("Source 1", 120), ("Source 2", -880)]),
            map(&[("Source 1", 120.0), ("Source 2", -880.4)]),
            120,
            119.6,
        )
        .unwrap()
    }

    #[test]
    fn delays_lookup_and_round_trip() {
        let d = two_sources();
        assert_eq!(d.delay_for("Source 2").unwrap(), -880);
        assert_eq!(d.raw_delay_for("Source 2").unwrap(), -880.4);
        let err = d.delay_for("Source 3").unwrap_err();
        assert!(matches!(err, ModelError::MissingSource(_)));
        assert_eq!(
            err.message(),
            "no delay for source 'Source 3'; known sources: 'Source 1', 'Source 2'"
        );
        assert_eq!(
            Delays::empty()
                .raw_delay_for("Source 1")
                .unwrap_err()
                .message(),
            "no delay for source 'Source 1'; known sources: none"
        );
        let text = d.to_json();
        assert_eq!(
            text,
            "{\"source_delays_ms\":{\"Source 1\":120,\"Source 2\":-880},\"raw_source_delays_ms\":\
             {\"Source 1\":120.0,\"Source 2\":-880.4},\"global_shift_ms\":120,\"raw_global_shift_ms\":119.6}"
        );
        assert_eq!(Delays::from_json(&text).unwrap(), d);
        assert_eq!(Delays::from_json("{}").unwrap(), Delays::empty());
    }

    #[test]
    fn delays_key_sets_must_match() {
        let err = Delays::new(
            map(&[("Source 1", 0), ("Source 3", 5)]),
            map(&[("Source 1", 0.0), ("Source 2", 5.0)]),
            0,
            0.0,
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "Delays: source_delays_ms and raw_source_delays_ms must have the same source keys; \
             only in source_delays_ms: 'Source 3'; only in raw_source_delays_ms: 'Source 2'"
        );
        let err = Delays::from_json(r#"{"source_delays_ms":{"Source 2":5}}"#).unwrap_err();
        assert_eq!(
            err.message(),
            "Delays: source_delays_ms and raw_source_delays_ms must have the same source keys; \
             only in source_delays_ms: 'Source 2'"
        );
    }

    #[test]
    fn delays_shift_and_bounds() {
        let e = Delays::new(BTreeMap::new(), BTreeMap::new(), -1, 0.0).unwrap_err();
        assert_eq!(e.message(), "Delays.global_shift_ms: must be >= 0, got -1");
        let e = Delays::new(BTreeMap::new(), BTreeMap::new(), 0, -0.5).unwrap_err();
        assert_eq!(
            e.message(),
            "Delays.raw_global_shift_ms: must be >= 0, got -0.5"
        );
        let e = Delays::new(
            map(&[("Source 2", 3_600_001)]),
            map(&[("Source 2", 0.0)]),
            0,
            0.0,
        )
        .unwrap_err();
        assert_eq!(
            e.message(),
            "Delays.source_delays_ms['Source 2']: |delay| must be <= 3600000 ms, got 3600001"
        );
        let e = Delays::new(
            map(&[("Source 2", 0)]),
            map(&[("Source 2", f64::NAN)]),
            0,
            0.0,
        )
        .unwrap_err();
        assert_eq!(
            e.message(),
            "Delays.raw_source_delays_ms['Source 2']: delay must be finite, got nan"
        );
        // The bound itself is allowed, in both directions.
        let ok = Delays::new(
            map(&[("Source 2", -3_600_000)]),
            map(&[("Source 2", -3_600_000.0)]),
            3_600_000,
            3_600_000.0,
        );
        assert!(ok.is_ok());
        let e = Delays::from_json(r#"{"global_shift_ms":1.5}"#).unwrap_err();
        assert_eq!(
            e.message(),
            "Delays.global_shift_ms: expected an integer, got number"
        );
        let e = Delays::from_json(r#"{"raw_source_delays_ms":[]}"#).unwrap_err();
        assert_eq!(
            e.message(),
            "Delays.raw_source_delays_ms: expected an object mapping source keys to delays, got array"
        );
    }

    #[test]
    fn raw_delays_survive_json_exactly() {
        // 17-digit decimals that serde_json's default (non-`float_roundtrip`) parser rounds wrongly; the
        // expected f64 comes from std's correctly rounded `str::parse`.
        for text in [
            "1898647.1649467247",
            "-1287030.1727150981",
            "3257765.1955315406",
        ] {
            let want: f64 = text.parse().unwrap();
            let json = format!(
                "{{\"source_delays_ms\":{{\"Source 2\":0}},\"raw_source_delays_ms\":{{\"Source 2\":{text}}}}}"
            );
            let d = Delays::from_json(&json).unwrap();
            assert_eq!(
                d.raw_delay_for("Source 2").unwrap().to_bits(),
                want.to_bits(),
                "{text}"
            );
            assert_eq!(Delays::from_json(&d.to_json()).unwrap(), d);
        }
    }

    fn subtitle_track() -> Track {
        Track::new(
            "External",
            0,
            TrackType::Subtitles,
            StreamProps::new("S_TEXT/ASS"),
        )
    }

    #[test]
    fn plan_item_defaults_and_key_order() {
        let item = PlanItem::new(subtitle_track());
        assert_eq!(item.size_multiplier(), 1.0);
        assert!(item.generated_verify_only_lines_removed);
        assert_eq!(item.generated_filter_mode, StyleFilterMode::Exclude);
        let text = item.to_json();
        // Keys appear in PLAN_ITEM_KEYS order.
        let mut pos = 0;
        for key in PLAN_ITEM_KEYS {
            let needle = format!("\"{key}\":");
            let found = text[pos..].find(&needle).expect(key);
            pos += found + needle.len();
        }
        assert_eq!(PlanItem::from_json(&text).unwrap(), item);
        let minimal = format!("{{\"track\":{}}}", item.track.to_json());
        assert_eq!(PlanItem::from_json(&minimal).unwrap(), item);
    }

    #[test]
    fn plan_item_round_trip_with_every_kind_of_field() {
        let mut item = PlanItem::new(subtitle_track());
        item.extracted_path = Some("/tmp/vsg/ëxtracted — 字幕.ass".into());
        item.set_size_multiplier(1.25).unwrap();
        item.style_patch = Some(
            json!({"Default": {"fontsize": 42.5, "bold": true, "outline": [1, 2.5, null]}})
                .as_object()
                .unwrap()
                .clone(),
        );
        item.container_delay_ms = -1001;
        item.generated_source_track_id = Some(u32::MAX);
        item.generated_filter_mode = StyleFilterMode::Include;
        item.generated_filter_styles = vec!["Signs".into(), "Song — OP".into()];
        item.sync_exclusion_mode = StyleFilterMode::Include;
        item.frame_adjusted = true;
        item.framelocked_stats = Some(
            json!({"moved": 3, "max_shift_ms": -41.7})
                .as_object()
                .unwrap()
                .clone(),
        );
        let back = PlanItem::from_json(&item.to_json()).unwrap();
        assert_eq!(back, item);
        assert_eq!(back.size_multiplier(), 1.25);
    }

    #[test]
    fn plan_item_rules() {
        let mut item = PlanItem::new(subtitle_track());
        for bad in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            assert!(item.set_size_multiplier(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            item.set_size_multiplier(-1.0).unwrap_err().message(),
            "PlanItem.size_multiplier: must be a finite number > 0, got -1.0"
        );
        assert_eq!(item.size_multiplier(), 1.0);
        let track = subtitle_track().to_json();
        let cases = [
            (
                format!("{{\"track\":{track},\"sync_exclusion_mode\":\"only\"}}"),
                "PlanItem.sync_exclusion_mode: must be 'exclude' or 'include', got 'only'",
            ),
            (
                format!("{{\"track\":{track},\"size_multiplier\":0}}"),
                "PlanItem.size_multiplier: must be a finite number > 0, got 0.0",
            ),
            (
                format!("{{\"track\":{track},\"style_patch\":[]}}"),
                "PlanItem.style_patch: expected an object or null, got array",
            ),
            (
                format!("{{\"track\":{track},\"generated_filter_styles\":[\"a\",1]}}"),
                "PlanItem.generated_filter_styles[1]: expected a string, got integer",
            ),
            (
                format!("{{\"track\":{track},\"is_default\":1}}"),
                "PlanItem.is_default: expected a boolean, got integer",
            ),
            (
                "{\"is_default\":true}".to_string(),
                "PlanItem: missing required key 'track'",
            ),
            (
                format!("{{\"track\":{track},\"frame_adjustd\":true}}"),
                "PlanItem: unknown key(s) 'frame_adjustd'; valid keys: ",
            ),
        ];
        for (text, want) in cases {
            let msg = PlanItem::from_json(&text).unwrap_err().to_string();
            assert!(
                msg.starts_with(want),
                "{msg:?} does not start with {want:?}"
            );
        }
    }
}
