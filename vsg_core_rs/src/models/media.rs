//! Immutable media records: StreamProps, Track, Attachment (docs/pipeline.md#data-model).
//! Python reference: `vsg_core/models/media.py` (same fields, JSON keys and messages).
use super::enums::TrackType;
use super::error::{ModelError, ModelResult};
use super::json::{
    check_range, expect_int, expect_opt_int, expect_opt_str, expect_str, Fields, JsonRecord,
    I32_MAX, I32_MIN, U32_MAX,
};
use pyo3::prelude::*;
use serde::Serialize;
use serde_json::Value;

/// Codec, language and name of one stream as reported by `mkvmerge -J`.
#[pyclass(module = "vsg_core_rs", frozen, eq, hash, from_py_object)]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StreamProps {
    #[pyo3(get)]
    pub codec_id: String,
    #[pyo3(get)]
    pub lang: String,
    #[pyo3(get)]
    pub name: String,
    #[pyo3(get)]
    pub audio_channels: Option<u32>,
    #[pyo3(get)]
    pub audio_sampling_frequency: Option<u32>,
}

impl StreamProps {
    /// Props with the defaults `lang = "und"`, `name = ""` and no audio details.
    pub fn new(codec_id: impl Into<String>) -> Self {
        StreamProps {
            codec_id: codec_id.into(),
            lang: "und".into(),
            name: String::new(),
            audio_channels: None,
            audio_sampling_frequency: None,
        }
    }
}

/// `value` as u32 or the shared range message (`Record.field: expected an integer in 0..=4294967295, …`).
pub fn to_u32(place: &str, value: i128) -> ModelResult<u32> {
    Ok(check_range(place, value, 0, U32_MAX)? as u32)
}

/// `value` as i32 or the shared range message.
pub fn to_i32(place: &str, value: i128) -> ModelResult<i32> {
    Ok(check_range(place, value, I32_MIN, I32_MAX)? as i32)
}

const PROPS_KEYS: &[&str] = &[
    "codec_id",
    "lang",
    "name",
    "audio_channels",
    "audio_sampling_frequency",
];

impl JsonRecord for StreamProps {
    const NAME: &'static str = "StreamProps";

    fn from_value(value: &Value) -> ModelResult<Self> {
        let f = Fields::new(Self::NAME, value, PROPS_KEYS)?;
        let opt_u32 = |p: &str, v: &Value| -> ModelResult<Option<u32>> {
            Ok(expect_opt_int(p, v, 0, U32_MAX)?.map(|x| x as u32))
        };
        Ok(StreamProps {
            codec_id: expect_str(&f.place("codec_id"), f.required("codec_id")?)?,
            lang: f.read_or("lang", "und".to_string(), expect_str)?,
            name: f.read_or("name", String::new(), expect_str)?,
            audio_channels: f.read_or("audio_channels", None, opt_u32)?,
            audio_sampling_frequency: f.read_or("audio_sampling_frequency", None, opt_u32)?,
        })
    }
}

/// One track of one source container. `id` is the mkvmerge track id; `container_delay_ms` is signed.
#[pyclass(module = "vsg_core_rs", frozen, eq, hash, from_py_object)]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Track {
    #[pyo3(get)]
    pub source: String,
    #[pyo3(get)]
    pub id: u32,
    #[pyo3(get, name = "type")]
    #[serde(rename = "type")]
    pub track_type: TrackType,
    #[pyo3(get)]
    pub props: StreamProps,
    #[pyo3(get)]
    pub container_delay_ms: i32,
}

impl Track {
    pub fn new(
        source: impl Into<String>,
        id: u32,
        track_type: TrackType,
        props: StreamProps,
    ) -> Self {
        Track {
            source: source.into(),
            id,
            track_type,
            props,
            container_delay_ms: 0,
        }
    }
}

const TRACK_KEYS: &[&str] = &["source", "id", "type", "props", "container_delay_ms"];

/// Reads a TrackType from its JSON value string.
pub fn expect_track_type(place: &str, value: &Value) -> ModelResult<TrackType> {
    let Value::String(s) = value else {
        return Err(ModelError::invalid(format!(
            "{place}: expected a TrackType or its value string, got {}",
            super::json::json_type(value)
        )));
    };
    TrackType::from_value(s).map_err(|e| e.within(place))
}

impl JsonRecord for Track {
    const NAME: &'static str = "Track";

    fn from_value(value: &Value) -> ModelResult<Self> {
        let f = Fields::new(Self::NAME, value, TRACK_KEYS)?;
        let place = f.place("id");
        // Fields are read in declaration order, like the Python reference, so the first error is the same.
        Ok(Track {
            source: expect_str(&f.place("source"), f.required("source")?)?,
            id: to_u32(&place, expect_int(&place, f.required("id")?, 0, U32_MAX)?)?,
            track_type: expect_track_type(&f.place("type"), f.required("type")?)?,
            props: StreamProps::from_value(f.required("props")?)
                .map_err(|e| e.within(&f.place("props")))?,
            container_delay_ms: f.read_or("container_delay_ms", 0, |p, v| {
                to_i32(p, expect_int(p, v, I32_MIN, I32_MAX)?)
            })?,
        })
    }
}

/// A container attachment (fonts); `out_path` is where it was extracted to, if it was.
#[pyclass(module = "vsg_core_rs", frozen, eq, hash, from_py_object)]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Attachment {
    #[pyo3(get)]
    pub id: u32,
    #[pyo3(get)]
    pub file_name: String,
    #[pyo3(get)]
    pub out_path: Option<String>,
}

const ATTACHMENT_KEYS: &[&str] = &["id", "file_name", "out_path"];

impl JsonRecord for Attachment {
    const NAME: &'static str = "Attachment";

    fn from_value(value: &Value) -> ModelResult<Self> {
        let f = Fields::new(Self::NAME, value, ATTACHMENT_KEYS)?;
        let place = f.place("id");
        Ok(Attachment {
            id: to_u32(&place, expect_int(&place, f.required("id")?, 0, U32_MAX)?)?,
            file_name: expect_str(&f.place("file_name"), f.required("file_name")?)?,
            out_path: f.read_or("out_path", None, expect_opt_str)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audio_track() -> Track {
        let props = StreamProps {
            codec_id: "A_AC3".into(),
            lang: "jpn".into(),
            name: "日本語 5.1 — コメンタリー".into(),
            audio_channels: Some(6),
            audio_sampling_frequency: Some(48000),
        };
        Track {
            container_delay_ms: -24,
            ..Track::new("Source 2", 2, TrackType::Audio, props)
        }
    }

    #[test]
    fn json_round_trip_keeps_non_ascii_and_negative_delay() {
        let track = audio_track();
        let text = track.to_json();
        // Written by hand from the schema: field order, compact, UTF-8 as is.
        assert_eq!(
            text,
            "{\"source\":\"Source 2\",\"id\":2,\"type\":\"audio\",\"props\":{\"codec_id\":\"A_AC3\",\
             \"lang\":\"jpn\",\"name\":\"日本語 5.1 — コメンタリー\",\"audio_channels\":6,\
             \"audio_sampling_frequency\":48000},\"container_delay_ms\":-24}"
        );
        assert_eq!(Track::from_json(&text).unwrap(), track);
    }

    #[test]
    fn missing_optional_keys_take_defaults() {
        let t = Track::from_json(
            r#"{"source":"External","id":0,"type":"subtitles","props":{"codec_id":"S_TEXT/ASS"}}"#,
        )
        .unwrap();
        assert_eq!(t.container_delay_ms, 0);
        assert_eq!(t.props.lang, "und");
        assert_eq!(t.props.name, "");
        assert_eq!(t.props.audio_channels, None);
        let a = Attachment::from_json(r#"{"id":3,"file_name":"font.ttf"}"#).unwrap();
        assert_eq!(a.out_path, None);
    }

    #[test]
    fn bad_input_names_the_field() {
        let cases = [
            (
                r#"{"source":"Source 1","id":-1,"type":"audio","props":{"codec_id":"A"}}"#,
                "Track.id: expected an integer in 0..=4294967295, got -1",
            ),
            (
                r#"{"source":"Source 1","id":1,"type":"sound","props":{"codec_id":"A"}}"#,
                "Track.type: invalid TrackType value 'sound': valid values are 'video', 'audio', 'subtitles'",
            ),
            (
                r#"{"source":"Source 1","id":1,"type":"audio","props":{"codec_id":7}}"#,
                "Track.props: StreamProps.codec_id: expected a string, got integer",
            ),
            (
                r#"{"source":"Source 1","id":1,"type":"audio","props":{"codec_id":"A"},"lang":"x"}"#,
                "Track: unknown key(s) 'lang'; valid keys: 'source', 'id', 'type', 'props', 'container_delay_ms'",
            ),
            (
                r#"{"id":1,"type":"audio","props":{"codec_id":"A"}}"#,
                "Track: missing required key 'source'",
            ),
            (
                r#"{"source":"Source 1","id":1,"type":"audio","props":{"codec_id":"A"},"container_delay_ms":2147483648}"#,
                "Track.container_delay_ms: expected an integer in -2147483648..=2147483647, got 2147483648",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Track::from_json(text).unwrap_err().message(), want);
        }
        assert!(StreamProps::from_json("{nope")
            .unwrap_err()
            .message()
            .starts_with("StreamProps: invalid JSON: "));
    }
}
